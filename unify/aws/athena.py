"""Athena: ``aws_athena_workgroup``, every workgroup of the region with its result and metrics settings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector
from unify.terraform.values import single

ATTRIBUTES = ("name", "arn", "description", "state", "configuration")


def _names(ctx: CollectContext, client: Any) -> Iterator[str]:
    """ListWorkGroups is paged by hand (``NextToken``): botocore has no paginator for it."""
    token: str | None = None
    while True:
        answer = ctx.call(client, "list_work_groups", expect=("WorkGroups",), **({"NextToken": token} if token else {}))
        for summary in answer["WorkGroups"]:
            if isinstance(summary, Mapping) and summary.get("Name"):
                yield str(summary["Name"])
        token = answer.get("NextToken")
        if not token or not answer["WorkGroups"]:
            return


def _configuration(config: Mapping[str, Any]) -> dict[str, Any]:
    result = config.get("ResultConfiguration") or {}
    encryption = result.get("EncryptionConfiguration") or {}
    engine = config.get("EngineVersion") or {}
    out: dict[str, Any] = {
        "enforce_workgroup_configuration": bool(config.get("EnforceWorkGroupConfiguration", False)),
        # "PublishCloudWatchMetricsEnabled ... indicates that the Amazon CloudWatch metrics are enabled for the
        # workgroup": an answer that leaves it out says nothing, so it stays unknown (Athena API reference).
        "publish_cloudwatch_metrics_enabled": config["PublishCloudWatchMetricsEnabled"],
        "requester_pays_enabled": bool(config.get("RequesterPaysEnabled", False)),
        "result_configuration": {
            **({"output_location": result["OutputLocation"]} if result.get("OutputLocation") else {}),
            **(
                {
                    "encryption_configuration": {
                        "encryption_option": encryption.get("EncryptionOption"),
                        **({"kms_key_arn": encryption["KmsKey"]} if encryption.get("KmsKey") else {}),
                    }
                }
                if encryption.get("EncryptionOption")
                else {}
            ),
        },
    }
    if engine.get("SelectedEngineVersion"):
        out["engine_version"] = {"selected_engine_version": engine["SelectedEngineVersion"]}
    if config.get("ExecutionRole"):
        out["execution_role"] = config["ExecutionRole"]
    return out


def _workgroups(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    listed = list(_names(ctx, client))

    def describe(name: str) -> Resource | None:
        arn = ctx.arn("athena", f"workgroup/{name}")
        answer: Any = ctx.detail(
            lambda: ctx.call(
                client,
                "get_work_group",
                WorkGroup=name,
                expect=("WorkGroup.Configuration.PublishCloudWatchMetricsEnabled",),
            )["WorkGroup"],
            absent=("InvalidRequestException",),
        )
        if answer is ABSENT:
            return None  # deleted since the listing
        tags = ctx.detail(lambda: ctx.call(client, "list_tags_for_resource", ResourceARN=arn, expect=("Tags",))["Tags"])
        if is_unknown(answer):
            attributes = dict.fromkeys(ATTRIBUTES, answer) | {"name": name, "arn": arn}
        else:
            attributes = {
                "name": name,
                "arn": arn,
                "description": answer.get("Description") or ABSENT,
                "state": answer.get("State") or ABSENT,
                "configuration": _configuration(answer["Configuration"]),
            }
        return ctx.resource("aws_athena_workgroup", arn, name=name, tags=tags, attributes=attributes)

    for resource in ctx.map(describe, listed):
        if resource is not None:
            yield resource


def _from_terraform(values: dict[str, Any]) -> None:
    """The provider's defaults inside ``configuration``, which ``defaults`` (top level only) cannot give."""
    config = values.get("configuration")
    if not isinstance(config, dict) or is_unknown(config):
        return
    # "publish_cloudwatch_metrics_enabled ... Defaults to true"; "enforce_workgroup_configuration ... Defaults
    # to true" (Terraform AWS provider, aws_athena_workgroup).
    config.setdefault("publish_cloudwatch_metrics_enabled", True)
    config.setdefault("enforce_workgroup_configuration", True)
    result = config.get("result_configuration")
    if isinstance(result, dict) and not is_unknown(result):
        encryption = single(result.get("encryption_configuration"))
        if encryption is None:
            result.pop("encryption_configuration", None)
        else:
            result["encryption_configuration"] = encryption


WORKGROUP = ResourceType(
    "aws_athena_workgroup",
    ATTRIBUTES,
    # GetWorkGroup is not declared: a workgroup deleted since the listing is left out.
    sources={"athena:ListTagsForResource": ("tags",)},
    single_blocks=(
        "configuration",
        "configuration.result_configuration",
        "configuration.engine_version",
    ),
    # "state ... Defaults to ENABLED" (Terraform AWS provider, aws_athena_workgroup).
    defaults={"state": "ENABLED"},
    from_terraform=_from_terraform,
    # Every region has the workgroup `primary`, made by Athena itself.
    made_by_aws=(("name", "primary"),),
)

COLLECTORS = (
    Collector(
        name="athena.workgroups",
        service="athena",
        resource_types=(WORKGROUP,),
        calls=("athena:ListWorkGroups", "athena:GetWorkGroup", "athena:ListTagsForResource"),
        collect=_workgroups,
        description="Every Athena workgroup in the region (the built-in `primary` included), with its configuration.",
        notes=(
            "`configuration` is `{enforce_workgroup_configuration, publish_cloudwatch_metrics_enabled, "
            "requester_pays_enabled, result_configuration: {output_location, encryption_configuration: "
            "{encryption_option, kms_key_arn}}, engine_version: {selected_engine_version}}` as Terraform nests "
            "it. `publish_cloudwatch_metrics_enabled` is what GetWorkGroup says; an answer without it is "
            "malformed."
        ),
    ),
)
