"""Glue: ETL jobs, machine learning transforms, and the region's Data Catalog encryption settings.

A job's default arguments are a map whose keys the user chooses and whose
values are often connection strings and passwords: unify keeps the keys
only (``default_argument_names``), as it keeps only the names of a Lambda
function's environment variables.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent
from unify.terraform.values import names, single

JOB_ATTRIBUTES = (
    "name",
    "arn",
    "role_arn",
    "command",
    "glue_version",
    "worker_type",
    "number_of_workers",
    "max_capacity",
    "timeout",
    "security_configuration",
    "execution_class",
    "default_argument_names",
)
TRANSFORM_ATTRIBUTES = (
    "name",
    "arn",
    "role_arn",
    "glue_version",
    "worker_type",
    "number_of_workers",
    "max_capacity",
    "timeout",
    # extras only observation can see
    "transform_encryption",
)
CATALOG_ATTRIBUTES = ("configured", "catalog_id", "data_catalog_encryption_settings")


def _job_arn(ctx: CollectContext, name: str) -> str:
    return ctx.arn("glue", f"job/{name}")


def _tags(ctx: CollectContext, client: Any, arn: str) -> Any:
    return ctx.detail(lambda: ctx.call(client, "get_tags", ResourceArn=arn, expect=("Tags",))["Tags"])


def _jobs(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    jobs = []
    for job in ctx.items(client, "get_jobs", "Jobs", each=("Name",)):
        arguments = job.pop("DefaultArguments", None) or {}
        argument_names = sorted(str(key) for key in arguments)
        arguments.clear()  # the values may be secrets: gone before anything else holds on to them
        jobs.append((job, argument_names))

    def describe(item: tuple[dict[str, Any], list[str]]) -> Resource:
        job, argument_names = item
        name = job["Name"]
        arn = _job_arn(ctx, name)
        command = job.get("Command") or {}
        return ctx.resource(
            "aws_glue_job",
            arn,
            name=name,
            tags=_tags(ctx, client, arn),
            attributes={
                "name": name,
                "arn": arn,
                "role_arn": sent(job, "Role"),
                "command": {
                    "name": command.get("Name"),
                    "script_location": command.get("ScriptLocation"),
                    **({"python_version": command["PythonVersion"]} if command.get("PythonVersion") else {}),
                },
                # A job created without GlueVersion runs on Glue 0.9 and GetJobs then leaves it out (Glue API
                # reference, Job.GlueVersion); the version is not a fact to invent, so it stays absent.
                "glue_version": job.get("GlueVersion") or ABSENT,
                "worker_type": job.get("WorkerType") or ABSENT,
                "number_of_workers": job.get("NumberOfWorkers", ABSENT),
                "max_capacity": job.get("MaxCapacity", ABSENT),
                "timeout": job.get("Timeout", ABSENT),
                "security_configuration": job.get("SecurityConfiguration") or ABSENT,
                "execution_class": job.get("ExecutionClass") or ABSENT,
                "default_argument_names": argument_names,
            },
        )

    yield from ctx.map(describe, jobs)


def _transform_pages(ctx: CollectContext, client: Any) -> Iterator[dict[str, Any]]:
    """GetMLTransforms is paged by hand (``NextToken``): botocore has no paginator for it."""
    token: str | None = None
    while True:
        answer = ctx.call(
            client, "get_ml_transforms", expect=("Transforms",), **({"NextToken": token} if token else {})
        )
        for transform in answer["Transforms"]:
            if isinstance(transform, Mapping) and transform.get("TransformId") and transform.get("Name"):
                yield dict(transform)
        token = answer.get("NextToken")
        if not token or not answer["Transforms"]:
            return


def _encryption(transform: Mapping[str, Any]) -> dict[str, Any]:
    # "MlUserDataEncryptionMode ... DISABLED: encryption is disabled" is also what a transform created without
    # TransformEncryption has (Glue API reference, TransformEncryption).
    config = transform.get("TransformEncryption") or {}
    user_data = config.get("MlUserDataEncryption") or {}
    out: dict[str, Any] = {"ml_user_data_encryption_mode": user_data.get("MlUserDataEncryptionMode") or "DISABLED"}
    if user_data.get("KmsKeyId"):
        out["kms_key_id"] = user_data["KmsKeyId"]
    if config.get("TaskRunSecurityConfigurationName"):
        out["task_run_security_configuration_name"] = config["TaskRunSecurityConfigurationName"]
    return out


def _transforms(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    transforms = list(_transform_pages(ctx, client))

    def describe(transform: dict[str, Any]) -> Resource:
        arn = ctx.arn("glue", f"mlTransform/{transform['TransformId']}")
        return ctx.resource(
            "aws_glue_ml_transform",
            arn,
            name=transform["Name"],
            tags=_tags(ctx, client, arn),
            attributes={
                "name": transform["Name"],
                "arn": arn,
                "role_arn": sent(transform, "Role"),
                "glue_version": transform.get("GlueVersion") or ABSENT,
                "worker_type": transform.get("WorkerType") or ABSENT,
                "number_of_workers": transform.get("NumberOfWorkers", ABSENT),
                "max_capacity": transform.get("MaxCapacity", ABSENT),
                "timeout": transform.get("Timeout", ABSENT),
                "transform_encryption": _encryption(transform),
            },
        )

    yield from ctx.map(describe, transforms)


def _catalog_encryption(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    answer = ctx.call(client, "get_data_catalog_encryption_settings", expect=("DataCatalogEncryptionSettings",))
    settings = answer["DataCatalogEncryptionSettings"]
    at_rest = settings.get("EncryptionAtRest") or {}
    password = settings.get("ConnectionPasswordEncryption") or {}
    yield ctx.resource(
        "aws_glue_data_catalog_encryption_settings",
        f"{ctx.account}/{ctx.region}/aws_glue_data_catalog_encryption_settings",
        name=None,
        attributes={
            "configured": True,
            "catalog_id": ctx.account,
            "data_catalog_encryption_settings": {
                "encryption_at_rest": {
                    # "CatalogEncryptionMode ... DISABLED" when the catalog was never encrypted (Glue API
                    # reference, EncryptionAtRest).
                    "catalog_encryption_mode": at_rest.get("CatalogEncryptionMode") or "DISABLED",
                    **({"sse_aws_kms_key_id": at_rest["SseAwsKmsKeyId"]} if at_rest.get("SseAwsKmsKeyId") else {}),
                },
                "connection_password_encryption": {
                    "return_connection_password_encrypted": bool(
                        password.get("ReturnConnectionPasswordEncrypted", False)
                    ),
                    **({"aws_kms_key_id": password["AwsKmsKeyId"]} if password.get("AwsKmsKeyId") else {}),
                },
            },
        },
    )


# -- Terraform ------------------------------------------------------------------------------


def _job_from_terraform(values: dict[str, Any]) -> None:
    """``default_arguments`` -> ``default_argument_names``: the values are never kept."""
    values["default_argument_names"] = names(values.pop("default_arguments", None) or {})
    values.pop("non_overridable_arguments", None)


def _catalog_from_terraform(values: dict[str, Any]) -> None:
    settings = values.get("data_catalog_encryption_settings")
    if isinstance(settings, dict) and not is_unknown(settings):
        for key in ("encryption_at_rest", "connection_password_encryption"):
            block = single(settings.get(key))
            if isinstance(block, dict) and not is_unknown(block):
                block = {k: v for k, v in block.items() if v not in (None, "")}
            settings[key] = block


JOB = ResourceType(
    "aws_glue_job",
    JOB_ATTRIBUTES,
    sources={"glue:GetTags": ("tags",)},
    single_blocks=("command",),
    from_terraform=_job_from_terraform,
)

ML_TRANSFORM = ResourceType(
    "aws_glue_ml_transform",
    TRANSFORM_ATTRIBUTES,
    sources={"glue:GetTags": ("tags",)},
    # The provider has no argument for a transform's encryption: only an observation reads it.
    observed_only=("transform_encryption",),
)

CATALOG_ENCRYPTION = ResourceType(
    "aws_glue_data_catalog_encryption_settings",
    CATALOG_ATTRIBUTES,
    singleton=True,
    single_blocks=("data_catalog_encryption_settings",),
    from_terraform=_catalog_from_terraform,
)

COLLECTORS = (
    Collector(
        name="glue.jobs",
        service="glue",
        resource_types=(JOB,),
        calls=("glue:GetJobs", "glue:GetTags"),
        collect=_jobs,
        description="Every Glue job in the region, without its default arguments' values.",
        notes=(
            "`default_argument_names` holds the sorted keys of the job's default arguments; their values, "
            "often connection strings or passwords, are dropped from the GetJobs answer as each job is read "
            "(the audit role still receives them). `command` is `{name, script_location, python_version}`; "
            "`name` is `glueetl` for Spark jobs. `glue_version` is absent when the job has none (Glue runs it "
            "on 0.9)."
        ),
    ),
    Collector(
        name="glue.ml_transforms",
        service="glue",
        resource_types=(ML_TRANSFORM,),
        calls=("glue:GetMLTransforms", "glue:GetTags"),
        collect=_transforms,
        description="Every Glue machine learning transform in the region, with its encryption.",
        notes=(
            "`transform_encryption` is `{ml_user_data_encryption_mode, kms_key_id, "
            "task_run_security_configuration_name}`; the mode is `DISABLED` or `SSE-KMS`. Terraform's "
            "`aws_glue_ml_transform` has no encryption argument, so a plan leaves it unknown."
        ),
    ),
    Collector(
        name="glue.data_catalog_encryption",
        service="glue",
        resource_types=(CATALOG_ENCRYPTION,),
        calls=("glue:GetDataCatalogEncryptionSettings",),
        collect=_catalog_encryption,
        description="The region's Glue Data Catalog encryption settings (one singleton per account and region).",
        notes=(
            "Always present once observed, with `configured: true` (the setting always has a value). "
            "`data_catalog_encryption_settings` is `{encryption_at_rest: {catalog_encryption_mode, "
            "sse_aws_kms_key_id}, connection_password_encryption: {return_connection_password_encrypted, "
            "aws_kms_key_id}}`."
        ),
    ),
)
