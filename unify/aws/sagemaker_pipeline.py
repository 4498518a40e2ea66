"""SageMaker Pipelines: ``aws_sagemaker_pipeline``, every pipeline of the region, its definition read step by step.

A pipeline is a stack's orchestrator on SageMaker: its JSON definition says
how each step's job is launched. unify reads the definition into ``steps``,
one entry per step that launches compute (training, processing, tuning),
with what a security review asks of it: the role it runs as, network
isolation, encryption of the traffic between its instances, the KMS keys of
its volumes and outputs, and its VPC. The same reading serves a live
pipeline (DescribePipeline) and a planned one (Terraform's
``pipeline_definition``), so a check reads both alike. The definition
itself is not kept: step arguments carry environments and hyperparameters,
which may hold secrets.

A step argument may be an expression (``{"Get": "Parameters.Isolation"}``,
``{"Std:Join": ...}``): its value is decided when the pipeline runs, so it is
``$unknown`` with the expression named, never a guess.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, Final

from unify.model.resource import Resource, is_unknown, unknown
from unify.model.resource_type import ResourceType
from unify.observe.answers import MALFORMED
from unify.observe.collector import ABSENT, CollectContext, Collector, sent, unread

ATTRIBUTES = (
    "arn",
    "pipeline_name",
    "pipeline_display_name",
    "role_arn",
    "steps",
    "parallelism_configuration",
    # extras only observation can see
    "pipeline_status",
    "creation_time",
)

#: Step types that launch a job, and where their job's request sits in the step's arguments.
_COMPUTE_STEPS: Final = ("Training", "Processing", "Tuning")
#: Step types that hold other steps.
_NESTED_KEYS: Final = ("IfSteps", "ElseSteps")


def _value(value: Any) -> Any:
    """A step argument's value, or ``$unknown`` when an expression decides it at run time."""
    if isinstance(value, Mapping) and len(value) == 1:
        ((key, inner),) = value.items()
        if key == "Get":
            return unknown(f"set when the pipeline runs: {inner}")
        if key.startswith("Std:"):
            return unknown(f"set when the pipeline runs: {key}")
    return value


def _flag(arguments: Mapping[str, Any], key: str) -> Any:
    # A job request that does not ask for isolation or encryption gets neither: both default to false
    # (SageMaker API reference, CreateTrainingJob and NetworkConfig).
    return _value(arguments.get(key, False))


def _key(block: Any, key: str) -> Any:
    if not isinstance(block, Mapping):
        return None
    value = _value(block.get(key))
    return value if value not in (None, "") else None


def _vpc(config: Any) -> Any:
    config = _value(config)
    if is_unknown(config):
        return config
    if not isinstance(config, Mapping) or not config.get("Subnets"):
        return None
    return {
        "security_group_ids": _value(config.get("SecurityGroupIds") or []),
        "subnets": _value(config.get("Subnets")),
    }


def _job(step_type: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of one step's job request that the checks read, in the names of the training job type."""
    if step_type == "Tuning":
        definition = arguments.get("TrainingJobDefinition")
        arguments = definition if isinstance(definition, Mapping) else {}
    if step_type == "Processing":
        network = _value(arguments.get("NetworkConfig") or {})
        network = network if isinstance(network, Mapping) or is_unknown(network) else {}
        cluster = (arguments.get("ProcessingResources") or {}).get("ClusterConfig")
        isolation = network if is_unknown(network) else _flag(network, "EnableNetworkIsolation")
        encryption = network if is_unknown(network) else _flag(network, "EnableInterContainerTrafficEncryption")
        vpc = network if is_unknown(network) else _vpc(network.get("VpcConfig"))
        volume_key, output_key = (
            _key(cluster, "VolumeKmsKeyId"),
            _key(arguments.get("ProcessingOutputConfig"), "KmsKeyId"),
        )
    else:
        isolation = _flag(arguments, "EnableNetworkIsolation")
        encryption = _flag(arguments, "EnableInterContainerTrafficEncryption")
        vpc = _vpc(arguments.get("VpcConfig"))
        volume_key = _key(arguments.get("ResourceConfig"), "VolumeKmsKeyId")
        output_key = _key(arguments.get("OutputDataConfig"), "KmsKeyId")
    job: dict[str, Any] = {
        "enable_network_isolation": isolation,
        "enable_inter_container_traffic_encryption": encryption,
    }
    role = _key(arguments, "RoleArn")
    for name, value in (
        ("role_arn", role),
        ("vpc_config", vpc),
        ("volume_kms_key_id", volume_key),
        ("output_kms_key_id", output_key),
    ):
        if value is not None:
            job[name] = value
    return job


def _walk(steps: Any, out: list[dict[str, Any]]) -> None:
    for step in steps if isinstance(steps, list) else []:
        if not isinstance(step, Mapping):
            continue
        step_type = str(step.get("Type"))
        arguments = step.get("Arguments")
        arguments = arguments if isinstance(arguments, Mapping) else {}
        if step_type in _COMPUTE_STEPS:
            out.append({"name": str(step.get("Name")), "type": step_type, **_job(step_type, arguments)})
        elif step_type == "Condition":
            for key in _NESTED_KEYS:
                _walk(arguments.get(key), out)


def pipeline_steps(definition: Any) -> Any:
    """The compute steps of a pipeline definition (JSON text or data), sorted by name; ``$unknown`` if unreadable."""
    if is_unknown(definition):
        return definition
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except ValueError:
            return unknown(f"{MALFORMED}: the pipeline definition is not JSON")
    if not isinstance(definition, Mapping) or not isinstance(definition.get("Steps"), list):
        return unknown(f"{MALFORMED}: the pipeline definition has no Steps")
    out: list[dict[str, Any]] = []
    _walk(definition["Steps"], out)
    return sorted(out, key=lambda s: s["name"])


def _parallelism(config: Any) -> Any:
    if not isinstance(config, Mapping):
        return ABSENT
    return {"max_parallel_execution_steps": sent(config, "MaxParallelExecutionSteps")}


def _pipelines(ctx: CollectContext) -> Iterator[Resource]:
    sagemaker = ctx.client()
    listed = list(ctx.items(sagemaker, "list_pipelines", "PipelineSummaries", each=("PipelineName", "PipelineArn")))

    def describe(summary: dict[str, Any]) -> Resource | None:
        name = summary["PipelineName"]
        arn = summary["PipelineArn"]
        pipeline: Any = ctx.detail(
            lambda: ctx.call(sagemaker, "describe_pipeline", PipelineName=name, expect=("PipelineArn",)),
            absent=("ResourceNotFound",),
        )
        if pipeline is ABSENT:
            return None  # deleted since the listing
        tags = ctx.detail(lambda: ctx.call(sagemaker, "list_tags", ResourceArn=arn, expect=("Tags",))["Tags"])
        if unread(pipeline):
            attributes: dict[str, Any] = dict.fromkeys(ATTRIBUTES, pipeline)
            attributes.update(arn=arn, pipeline_name=name, creation_time=summary.get("CreationTime", pipeline))
        else:
            attributes = {
                "arn": arn,
                "pipeline_name": name,
                "pipeline_display_name": pipeline.get("PipelineDisplayName", ABSENT),
                "role_arn": sent(pipeline, "RoleArn"),
                "steps": pipeline_steps(sent(pipeline, "PipelineDefinition")),
                "parallelism_configuration": _parallelism(pipeline.get("ParallelismConfiguration")),
                "pipeline_status": pipeline.get("PipelineStatus", ABSENT),
                "creation_time": sent(pipeline, "CreationTime"),
            }
        return ctx.resource("aws_sagemaker_pipeline", arn, name=name, tags=tags, attributes=attributes)

    for resource in ctx.map(describe, listed):
        if resource is not None:
            yield resource


def _from_terraform(values: dict[str, Any]) -> None:
    definition = values.pop("pipeline_definition", None)
    if definition is not None:
        values["steps"] = pipeline_steps(definition)
    elif values.get("pipeline_definition_s3_location"):
        values["steps"] = unknown("the definition is in S3 (pipeline_definition_s3_location): not in the plan")
    values.pop("pipeline_definition_s3_location", None)


PIPELINE = ResourceType(
    "aws_sagemaker_pipeline",
    ATTRIBUTES,
    observed_only=("pipeline_status",),
    name_path="pipeline_name",
    single_blocks=("parallelism_configuration",),
    from_terraform=_from_terraform,
    drift_ignore=("pipeline_status", "creation_time"),
    sources={
        # The listing gives arn and pipeline_name; everything else is the describe's answer.
        "sagemaker:DescribePipeline": tuple(a for a in ATTRIBUTES if a not in ("arn", "pipeline_name")),
        "sagemaker:ListTags": ("tags",),
    },
)

COLLECTORS = (
    Collector(
        name="sagemaker.pipelines",
        service="sagemaker",
        resource_types=(PIPELINE,),
        calls=("sagemaker:ListPipelines", "sagemaker:DescribePipeline", "sagemaker:ListTags"),
        collect=_pipelines,
        description="Every SageMaker pipeline in the region, its definition read into the jobs its steps launch.",
        notes=(
            "`steps` lists the definition's training, processing and tuning steps (condition steps' branches "
            "included), sorted by name, each {name, type, role_arn, enable_network_isolation, "
            "enable_inter_container_traffic_encryption, vpc_config {security_group_ids, subnets}, "
            "volume_kms_key_id, output_kms_key_id}: the flags false when the step's request does not set them "
            "(their API default), the other fields absent when not set, and `$unknown` where a pipeline "
            "parameter or expression sets the value at run time. The definition itself is not kept (it carries "
            "environments and hyperparameters); in a plan, `pipeline_definition` is read the same way, and a "
            "definition kept in S3 makes `steps` unknown. moto (5.x) serves every call."
        ),
    ),
)
