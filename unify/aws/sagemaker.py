"""SageMaker jobs: ``aws_sagemaker_training_job`` and ``aws_sagemaker_processing_job``, every job of the region.

A stack's step operator launches training jobs; its orchestrator (SageMaker
Pipelines) runs steps as processing and training jobs. The Terraform AWS
provider has no job resources: a job is a run, not configuration. The type
names follow the provider's pattern for SageMaker (``aws_sagemaker_model``,
``aws_sagemaker_endpoint``, ...), and the attribute names are the snake_case
of the API's fields, as the provider names them on those resources
(``enable_network_isolation``, ``vpc_config``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent, unread

__all__ = ["COLLECTORS", "vpc_config"]

ATTRIBUTES = (
    "arn",
    "name",
    "training_job_status",
    "role_arn",
    "enable_network_isolation",
    "enable_inter_container_traffic_encryption",
    "resource_config",
    "output_data_config",
    "vpc_config",
    "creation_time",
)

PROCESSING_ATTRIBUTES = (
    "arn",
    "name",
    "processing_job_status",
    "role_arn",
    "network_config",
    "processing_resources",
    "processing_output_config",
    "creation_time",
)


def vpc_config(config: Any) -> Any:
    """A job's or model's ``VpcConfig`` as ``{security_group_ids, subnets}``; absent outside a VPC."""
    if not isinstance(config, Mapping) or not config.get("Subnets"):
        return ABSENT
    return {
        "security_group_ids": sorted(config.get("SecurityGroupIds") or []),
        "subnets": sorted(config.get("Subnets") or []),
    }


def _resource_config(config: dict[str, Any] | None) -> Any:
    if not config:
        return ABSENT
    block: dict[str, Any] = {
        "instance_type": sent(config, "InstanceType"),
        "instance_count": sent(config, "InstanceCount"),
        "volume_size_in_gb": sent(config, "VolumeSizeInGB"),
    }
    if config.get("VolumeKmsKeyId"):
        block["volume_kms_key_id"] = config["VolumeKmsKeyId"]
    return block


def _output_data_config(config: dict[str, Any] | None) -> Any:
    if not config:
        return ABSENT
    block: dict[str, Any] = {"s3_output_path": sent(config, "S3OutputPath")}
    if config.get("KmsKeyId"):
        block["kms_key_id"] = config["KmsKeyId"]
    return block


def _network_config(config: Any) -> Any:
    # NetworkConfig is optional; without it a processing job runs with neither isolation nor encryption of the
    # traffic between its instances, and outside a VPC (SageMaker API reference, NetworkConfig: both flags
    # default to false).
    config = config if isinstance(config, Mapping) else {}
    block: dict[str, Any] = {
        "enable_network_isolation": bool(config.get("EnableNetworkIsolation", False)),
        "enable_inter_container_traffic_encryption": bool(config.get("EnableInterContainerTrafficEncryption", False)),
    }
    vpc = vpc_config(config.get("VpcConfig"))
    if vpc is not ABSENT:
        block["vpc_config"] = vpc
    return block


def _processing_resources(resources: Any) -> Any:
    cluster = resources.get("ClusterConfig") if isinstance(resources, Mapping) else None
    if not isinstance(cluster, Mapping):
        return sent({}, "ProcessingResources")
    block: dict[str, Any] = {
        "instance_type": sent(cluster, "InstanceType"),
        "instance_count": sent(cluster, "InstanceCount"),
        "volume_size_in_gb": sent(cluster, "VolumeSizeInGB"),
    }
    if cluster.get("VolumeKmsKeyId"):
        block["volume_kms_key_id"] = cluster["VolumeKmsKeyId"]
    return {"cluster_config": block}


def _processing_output(config: Any) -> Any:
    if not isinstance(config, Mapping):
        return ABSENT
    block: dict[str, Any] = {"outputs": sorted(str(o.get("OutputName")) for o in config.get("Outputs") or [])}
    if config.get("KmsKeyId"):
        block["kms_key_id"] = config["KmsKeyId"]
    return block


def _jobs(
    ctx: CollectContext,
    *,
    type_: str,
    kind: str,
    attributes_of: tuple[str, ...],
    read: Callable[[dict[str, Any]], dict[str, Any]],
) -> Iterator[Resource]:
    """Every job of one kind: listed, then each described (a job cannot be deleted, so it is there to describe)."""
    sagemaker = ctx.client()
    listed = list(
        ctx.items(
            sagemaker,
            f"list_{kind}_jobs",
            f"{kind.title()}JobSummaries",
            each=(f"{kind.title()}JobName", f"{kind.title()}JobArn"),
        )
    )
    status_key = f"{kind}_job_status"

    def describe(summary: dict[str, Any]) -> Resource:
        name = summary[f"{kind.title()}JobName"]
        arn = summary[f"{kind.title()}JobArn"]
        job: Any = ctx.detail(lambda: ctx.call(sagemaker, f"describe_{kind}_job", **{f"{kind.title()}JobName": name}))
        if unread(job):
            attributes: dict[str, Any] = dict.fromkeys(attributes_of, job)
            attributes.update(arn=arn, name=name, creation_time=summary.get("CreationTime", job))
            attributes[status_key] = summary.get(f"{kind.title()}JobStatus", job)
        else:
            # Hyperparameters and the container environment may hold secrets: never kept.
            job.pop("HyperParameters", None)
            job.pop("Environment", None)
            attributes = {
                "arn": arn,
                "name": name,
                status_key: sent(job, f"{kind.title()}JobStatus"),
                "role_arn": sent(job, "RoleArn"),
                "creation_time": sent(job, "CreationTime"),
                **read(job),
            }
        return ctx.resource(type_, arn, name=name, attributes=attributes)

    yield from ctx.map(describe, listed)


def _training(job: dict[str, Any]) -> dict[str, Any]:
    return {
        "enable_network_isolation": sent(job, "EnableNetworkIsolation", bool),
        "enable_inter_container_traffic_encryption": sent(job, "EnableInterContainerTrafficEncryption", bool),
        "resource_config": _resource_config(job.get("ResourceConfig")),
        "output_data_config": _output_data_config(job.get("OutputDataConfig")),
        "vpc_config": vpc_config(job.get("VpcConfig")),
    }


def _processing(job: dict[str, Any]) -> dict[str, Any]:
    return {
        "network_config": _network_config(job.get("NetworkConfig")),
        "processing_resources": _processing_resources(job.get("ProcessingResources")),
        "processing_output_config": _processing_output(job.get("ProcessingOutputConfig")),
    }


def _training_jobs(ctx: CollectContext) -> Iterator[Resource]:
    yield from _jobs(ctx, type_="aws_sagemaker_training_job", kind="training", attributes_of=ATTRIBUTES, read=_training)


def _processing_jobs(ctx: CollectContext) -> Iterator[Resource]:
    yield from _jobs(
        ctx,
        type_="aws_sagemaker_processing_job",
        kind="processing",
        attributes_of=PROCESSING_ATTRIBUTES,
        read=_processing,
    )


def _described(attributes: tuple[str, ...]) -> tuple[str, ...]:
    """Every attribute but the ``arn`` and ``name`` the listing gives: the job's Describe call fills them."""
    return tuple(a for a in attributes if a not in ("arn", "name"))


TRAINING_JOB = ResourceType(
    "aws_sagemaker_training_job",
    ATTRIBUTES,
    sources={"sagemaker:DescribeTrainingJob": _described(ATTRIBUTES)},
)

PROCESSING_JOB = ResourceType(
    "aws_sagemaker_processing_job",
    PROCESSING_ATTRIBUTES,
    sources={"sagemaker:DescribeProcessingJob": _described(PROCESSING_ATTRIBUTES)},
)

_VOLUME = (
    "Volume: SageMaker keeps every job ever run and a job cannot be deleted, so the listing covers the account's "
    "whole history, and each job costs one Describe call (an account that runs hyperparameter tuning or many "
    "pipelines can hold tens of thousands of jobs: expect that many calls, at the per-service concurrency cap). "
    "Checks narrow to recent jobs with `creation_time: {newer_than: 90d}`. "
)

COLLECTORS = (
    Collector(
        name="sagemaker.training_jobs",
        service="sagemaker",
        resource_types=(TRAINING_JOB,),
        calls=("sagemaker:ListTrainingJobs", "sagemaker:DescribeTrainingJob"),
        collect=_training_jobs,
        description="Every SageMaker training job in the region, finished ones included.",
        notes=(
            "The Terraform AWS provider has no training job resource; the type name follows its "
            "`aws_sagemaker_*` pattern and the attributes are the API's fields in snake_case. "
            + _VOLUME
            + "`resource_config.volume_kms_key_id` and `output_data_config.kms_key_id` are absent when the job "
            "names no key (AWS then encrypts with an AWS managed key; instance types with local NVMe storage "
            "take no volume key at all); `vpc_config` is absent for jobs outside a VPC. Hyperparameters and the "
            "container environment are not kept, and tags are not read (one more call per job). When "
            "DescribeTrainingJob fails, the job stays with `arn`, `name`, `training_job_status` and "
            "`creation_time` from the listing and the rest unknown. moto (5.x) marks every job `Completed` at "
            "once and omits the job's `Environment` from DescribeTrainingJob."
        ),
    ),
    Collector(
        name="sagemaker.processing_jobs",
        service="sagemaker",
        resource_types=(PROCESSING_JOB,),
        calls=("sagemaker:ListProcessingJobs", "sagemaker:DescribeProcessingJob"),
        collect=_processing_jobs,
        description="Every SageMaker processing job in the region (the steps pipelines run), finished ones included.",
        notes=(
            "No Terraform resource: a job is a run. "
            + _VOLUME
            + "`network_config` is {enable_network_isolation, enable_inter_container_traffic_encryption, "
            "vpc_config}: both flags false when the job has no NetworkConfig (their documented default), "
            "`vpc_config` absent outside a VPC. `processing_resources.cluster_config` holds the instance type, "
            "count, volume size and `volume_kms_key_id` (absent without a key); `processing_output_config` the "
            "output names and `kms_key_id` (absent without a key). The environment is not kept, nor tags. When "
            "DescribeProcessingJob fails the job keeps its listing's fields and the rest is unknown. moto (5.x) "
            "marks every job `Completed` at once and leaves `ProcessingResources` out of its answer (so "
            "`processing_resources` is unknown against moto)."
        ),
    ),
)
