"""SageMaker: ``aws_sagemaker_training_job``, every training job of the region (a stack's step operator).

The Terraform AWS provider has no training job resource: a training job is
a run, not configuration. The type name follows the provider's pattern for
SageMaker (``aws_sagemaker_model``, ``aws_sagemaker_endpoint``, ...), and the
attribute names are the snake_case of the API's fields, as the provider names
them on those resources (``enable_network_isolation``, ``vpc_config``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

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


def _vpc_config(config: dict[str, Any] | None) -> Any:
    if not config or not config.get("Subnets"):
        return ABSENT
    return {
        "security_group_ids": sorted(config.get("SecurityGroupIds") or []),
        "subnets": sorted(config.get("Subnets") or []),
    }


def _training_jobs(ctx: CollectContext) -> Iterator[Resource]:
    sagemaker = ctx.client()
    listed = list(
        ctx.items(sagemaker, "list_training_jobs", "TrainingJobSummaries", each=("TrainingJobName", "TrainingJobArn"))
    )

    def describe(summary: dict[str, Any]) -> Resource:
        name = summary["TrainingJobName"]
        arn = summary["TrainingJobArn"]
        # Training jobs cannot be deleted: a listed job is always there to describe.
        job: Any = ctx.detail(lambda: ctx.call(sagemaker, "describe_training_job", TrainingJobName=name))
        if is_unknown(job):
            attributes: dict[str, Any] = dict.fromkeys(ATTRIBUTES, job)
            attributes.update(
                arn=arn,
                name=name,
                training_job_status=summary.get("TrainingJobStatus", job),
                creation_time=summary.get("CreationTime", job),
            )
        else:
            # Hyperparameters and the container environment may hold secrets: never kept.
            job.pop("HyperParameters", None)
            job.pop("Environment", None)
            attributes = {
                "arn": arn,
                "name": name,
                "training_job_status": sent(job, "TrainingJobStatus"),
                "role_arn": sent(job, "RoleArn"),
                "enable_network_isolation": sent(job, "EnableNetworkIsolation", bool),
                "enable_inter_container_traffic_encryption": sent(job, "EnableInterContainerTrafficEncryption", bool),
                "resource_config": _resource_config(job.get("ResourceConfig")),
                "output_data_config": _output_data_config(job.get("OutputDataConfig")),
                "vpc_config": _vpc_config(job.get("VpcConfig")),
                "creation_time": sent(job, "CreationTime"),
            }
        return ctx.resource("aws_sagemaker_training_job", arn, name=name, attributes=attributes)

    yield from ctx.map(describe, listed)


TRAINING_JOB = ResourceType(
    "aws_sagemaker_training_job",
    ATTRIBUTES,
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
            "Volume: SageMaker keeps every training job ever run and a job cannot be deleted, so the listing "
            "covers the account's whole history, and each job costs one DescribeTrainingJob call (an account that "
            "runs hyperparameter tuning can hold tens of thousands of jobs: expect that many calls, at the "
            "per-service concurrency cap). Checks can narrow to recent jobs with `creation_time: {newer_than: 90d}`. "
            "`resource_config.volume_kms_key_id` and `output_data_config.kms_key_id` are absent when the job "
            "names no key (AWS then encrypts with an AWS managed key; instance types with local NVMe storage "
            "take no volume key at all); `vpc_config` is absent for jobs outside a VPC. Hyperparameters and the "
            "container environment are not kept, and tags are not read (one more call per job). When "
            "DescribeTrainingJob fails, the job stays with `arn`, `name`, `training_job_status` and "
            "`creation_time` from the listing and the rest unknown. moto (5.x) marks every job `Completed` at "
            "once and omits the job's `Environment` from DescribeTrainingJob."
        ),
    ),
)
