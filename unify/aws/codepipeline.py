"""CodePipeline: ``aws_codepipeline``, every pipeline of the region with its artifact stores and stages.

Action configuration can carry secrets (a CodeBuild action's ``EnvironmentVariables`` are plain text; a
GitHub version 1 source holds an OAuth token that AWS masks as ``****``): those are dropped here, and the
rest of each configuration map is a free map, so a secret-looking key has its value redacted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.model.resource import Resource, is_unknown, unknown
from unify.model.resource_type import ResourceType
from unify.observe.answers import MALFORMED
from unify.observe.collector import ABSENT, CollectContext, Collector, sent
from unify.terraform.shapes import block_order

ATTRIBUTES = (
    "name",
    "arn",
    "role_arn",
    "pipeline_type",
    "execution_mode",
    "artifact_store",
    "stage",
)

#: Action configuration keys whose values are secrets or hold them; never kept (neither observed nor planned).
_DROPPED_CONFIGURATION = frozenset({"EnvironmentVariables", "OAuthToken", "SecretToken"})
#: How GetPipeline answers a configuration value marked secret (CodePipeline API reference, GetPipeline).
_MASKED = "****"


def _configuration(config: Any) -> dict[str, Any]:
    if not isinstance(config, dict):
        return {}
    return {k: v for k, v in sorted(config.items()) if k not in _DROPPED_CONFIGURATION and v != _MASKED}


def _store(store: dict[str, Any], region: str | None) -> dict[str, Any]:
    block: dict[str, Any] = {"location": sent(store, "location"), "type": sent(store, "type")}
    key = store.get("encryptionKey")  # optional: without it the store uses the AWS managed key for S3
    if isinstance(key, dict):
        block["encryption_key"] = {"id": sent(key, "id"), "type": sent(key, "type")}
    if region is not None:
        block["region"] = region
    return block


def _stores(pipeline: dict[str, Any]) -> Any:
    """``artifactStore`` for a one-region pipeline, ``artifactStores`` (by region) for a cross-region one."""
    if isinstance(pipeline.get("artifactStores"), dict):
        stores = [_store(store, region) for region, store in sorted(pipeline["artifactStores"].items())]
    elif isinstance(pipeline.get("artifactStore"), dict):
        stores = [_store(pipeline["artifactStore"], None)]
    else:
        return sent(pipeline, "artifactStore")
    return sorted(stores, key=block_order)


def _action(action: dict[str, Any]) -> dict[str, Any]:
    type_id = action["actionTypeId"]
    block: dict[str, Any] = {
        "name": action["name"],
        "category": sent(type_id, "category"),
        "owner": sent(type_id, "owner"),
        "provider": sent(type_id, "provider"),
        "version": sent(type_id, "version"),
        "configuration": _configuration(action.get("configuration")),
        "input_artifacts": [a["name"] for a in action.get("inputArtifacts") or [] if "name" in a],
        "output_artifacts": [a["name"] for a in action.get("outputArtifacts") or [] if "name" in a],
        # "runOrder ... The default runOrder value for an action is 1" (CodePipeline API, ActionDeclaration).
        "run_order": action.get("runOrder", 1),
    }
    for source, target in (("roleArn", "role_arn"), ("region", "region"), ("namespace", "namespace")):
        if action.get(source):
            block[target] = action[source]
    return block


def _stage(stage: dict[str, Any]) -> dict[str, Any]:
    return {"name": stage["name"], "action": [_action(a) for a in stage["actions"]]}


def _pipelines(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    listed = list(ctx.items(client, "list_pipelines", "pipelines", each=("name",)))

    def describe(summary: dict[str, Any]) -> Resource | None:
        name = summary["name"]
        answer: Any = ctx.detail(
            lambda: ctx.call(
                client,
                "get_pipeline",
                name=name,
                expect=("pipeline.name", "pipeline.roleArn", "pipeline.stages", "metadata.pipelineArn"),
            ),
            absent=("PipelineNotFoundException",),
        )
        if answer is ABSENT:
            return None  # deleted since the listing
        arn = ctx.arn("codepipeline", name) if is_unknown(answer) else answer["metadata"]["pipelineArn"]
        tags = ctx.detail(lambda: ctx.call(client, "list_tags_for_resource", resourceArn=arn, expect=("tags",))["tags"])
        if is_unknown(answer):
            attributes: dict[str, Any] = dict.fromkeys(ATTRIBUTES, answer) | {"name": name, "arn": arn}
        else:
            pipeline = answer["pipeline"]
            stages = pipeline["stages"]
            well_formed = all(
                isinstance(s, dict) and "name" in s and isinstance(s.get("actions"), list) for s in stages
            ) and all("name" in a and isinstance(a.get("actionTypeId"), dict) for s in stages for a in s["actions"])
            attributes = {
                "name": name,
                "arn": arn,
                "role_arn": pipeline["roleArn"],
                "pipeline_type": sent(pipeline, "pipelineType"),
                "execution_mode": sent(pipeline, "executionMode"),
                "artifact_store": _stores(pipeline),
                "stage": [_stage(s) for s in stages]
                if well_formed
                else unknown(f"{MALFORMED}: a stage or action without its name or type"),
            }
        return ctx.resource("aws_codepipeline", arn, name=name, tags=tags, attributes=attributes)

    for resource in ctx.map(describe, listed):
        if resource is not None:
            yield resource


def _from_terraform(values: dict[str, Any]) -> None:
    """Terraform writes "" for an unset action role, region or namespace and store region: the collector omits them."""
    for store in values.get("artifact_store") or []:
        if isinstance(store, dict) and store.get("region") == "":
            del store["region"]
    for stage in values.get("stage") or []:
        for action in stage.get("action") or [] if isinstance(stage, dict) else []:
            if isinstance(action, dict) and not is_unknown(action):
                for key in ("role_arn", "region", "namespace"):
                    if action.get(key) == "":
                        del action[key]
                action["configuration"] = _configuration(action.get("configuration"))
                action.setdefault("input_artifacts", [])
                action.setdefault("output_artifacts", [])


PIPELINE = ResourceType(
    "aws_codepipeline",
    ATTRIBUTES,
    single_blocks=("artifact_store.encryption_key",),
    sorted_blocks=("artifact_store",),
    # "pipeline_type - (Optional) Type of the pipeline. Possible values are: V1 and V2. Default value is V1";
    # "execution_mode - (Optional) ... Default value is SUPERSEDED" (Terraform AWS provider, aws_codepipeline).
    defaults={"pipeline_type": "V1", "execution_mode": "SUPERSEDED"},
    from_terraform=_from_terraform,
    free_maps=("stage[].action[].configuration",),
    # GetPipeline gives the pipeline's ARN (its id) and whether it still exists: not declared.
    sources={"codepipeline:ListTagsForResource": ("tags",)},
)

COLLECTORS = (
    Collector(
        name="codepipeline.pipelines",
        service="codepipeline",
        resource_types=(PIPELINE,),
        calls=("codepipeline:ListPipelines", "codepipeline:GetPipeline", "codepipeline:ListTagsForResource"),
        collect=_pipelines,
        description="Every CodePipeline pipeline in the region: its role, artifact stores (and their keys) and stages.",
        notes=(
            "`artifact_store` is one block per store, with `region` for a cross-region pipeline "
            "(artifactStores), sorted as Terraform's set is; `encryption_key` is absent when the store uses "
            "the AWS managed key. Each stage keeps its actions with their type (`category`, `owner`, "
            "`provider`, `version`), artifacts, run order and `configuration`, less `EnvironmentVariables`, "
            "`OAuthToken`, `SecretToken` and values AWS masks (`****`); other secret-looking keys of a "
            "configuration are redacted (a free map). Variables and triggers are not kept. moto (5.x) sends "
            "neither `pipelineType` nor `executionMode` when they were not set, so both are unknown there; "
            "AWS sends both."
        ),
    ),
)
