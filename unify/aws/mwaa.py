"""MWAA: ``aws_mwaa_environment``, every Managed Workflows for Apache Airflow environment of the region.

Airflow on MWAA is one of the orchestrators a stack can run on. What an
environment exposes: whether its Airflow web server is reachable from the
internet or only from the VPC, which KMS key encrypts its metadata, and
which of its five log streams (DAG processing, scheduler, task, web server,
worker) go to CloudWatch Logs, so a failed run can be traced.

moto has no MWAA backend: the collector is tested, and the demo is served,
with botocore's Stubber on answers shaped as the MWAA API reference
documents them (:mod:`unify.observe.recorded`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

ATTRIBUTES = (
    "arn",
    "name",
    "airflow_version",
    "environment_class",
    "execution_role_arn",
    "kms_key",
    "source_bucket_arn",
    "dag_s3_path",
    "webserver_access_mode",
    "network_configuration",
    "logging_configuration",
    "max_workers",
    "min_workers",
    "schedulers",
    "status",
)

#: The API's log streams and their Terraform names.
_LOGS: Final = (
    ("DagProcessingLogs", "dag_processing_logs"),
    ("SchedulerLogs", "scheduler_logs"),
    ("TaskLogs", "task_logs"),
    ("WebserverLogs", "webserver_logs"),
    ("WorkerLogs", "worker_logs"),
)


def _logging(config: Any) -> Any:
    if not isinstance(config, Mapping):
        return sent({}, "LoggingConfiguration")
    block: dict[str, Any] = {}
    for origin, target in _LOGS:
        stream = config.get(origin)
        if not isinstance(stream, Mapping):
            block[target] = sent({}, origin)
            continue
        log: dict[str, Any] = {"enabled": sent(stream, "Enabled", bool)}
        if stream.get("LogLevel"):
            log["log_level"] = stream["LogLevel"]
        if stream.get("CloudWatchLogGroupArn"):
            log["cloud_watch_log_group_arn"] = stream["CloudWatchLogGroupArn"]
        block[target] = log
    return block


def _network(config: Any) -> Any:
    if not isinstance(config, Mapping):
        return ABSENT
    return {
        "security_group_ids": sorted(config.get("SecurityGroupIds") or []),
        "subnet_ids": sorted(config.get("SubnetIds") or []),
    }


def _environments(ctx: CollectContext) -> Iterator[Resource]:
    mwaa = ctx.client()
    names = sorted(ctx.items(mwaa, "list_environments", "Environments"))

    def describe(name: str) -> Resource | None:
        environment: Any = ctx.detail(
            lambda: ctx.call(mwaa, "get_environment", Name=name, expect=("Environment.Arn",))["Environment"],
            absent=("ResourceNotFoundException",),
        )
        if environment is ABSENT:
            return None  # deleted since the listing
        if is_unknown(environment):
            arn = ctx.arn("airflow", f"environment/{name}")
            attributes: dict[str, Any] = dict.fromkeys(ATTRIBUTES, environment)
            attributes.update(arn=arn, name=name)
            return ctx.resource("aws_mwaa_environment", arn, name=name, tags=environment, attributes=attributes)
        arn = environment["Arn"]
        return ctx.resource(
            "aws_mwaa_environment",
            arn,
            name=name,
            # Environment.Tags holds the environment's tags; one without tags has none to send.
            tags=environment.get("Tags", {}),
            attributes={
                "arn": arn,
                "name": name,
                "airflow_version": sent(environment, "AirflowVersion"),
                "environment_class": sent(environment, "EnvironmentClass"),
                "execution_role_arn": sent(environment, "ExecutionRoleArn"),
                # Without KmsKey the environment's data is encrypted with an AWS owned key (MWAA API reference).
                "kms_key": environment.get("KmsKey", ABSENT),
                "source_bucket_arn": sent(environment, "SourceBucketArn"),
                "dag_s3_path": sent(environment, "DagS3Path"),
                "webserver_access_mode": sent(environment, "WebserverAccessMode"),
                "network_configuration": _network(environment.get("NetworkConfiguration")),
                "logging_configuration": _logging(environment.get("LoggingConfiguration")),
                "max_workers": environment.get("MaxWorkers", ABSENT),
                "min_workers": environment.get("MinWorkers", ABSENT),
                "schedulers": environment.get("Schedulers", ABSENT),
                "status": sent(environment, "Status"),
            },
        )

    for resource in ctx.map(describe, names):
        if resource is not None:
            yield resource


def _from_terraform(values: dict[str, Any]) -> None:
    # Airflow configuration options are sensitive in the provider and may carry connection secrets: not kept.
    values.pop("airflow_configuration_options", None)
    logging = values.get("logging_configuration")
    if isinstance(logging, dict) and not is_unknown(logging):
        for _, target in _LOGS:
            stream = logging.get(target)
            if isinstance(stream, list):
                stream = stream[0] if stream else None
            if isinstance(stream, dict):
                logging[target] = {k: v for k, v in stream.items() if v not in (None, "")}
    network = values.get("network_configuration")
    if isinstance(network, dict) and not is_unknown(network):
        for key in ("security_group_ids", "subnet_ids"):
            if isinstance(network.get(key), list):
                network[key] = sorted(network[key])
    if values.get("kms_key") in (None, ""):
        values.pop("kms_key", None)


ENVIRONMENT = ResourceType(
    "aws_mwaa_environment",
    ATTRIBUTES,
    single_blocks=("network_configuration", "logging_configuration"),
    # Provider default (docs of aws_mwaa_environment): the web server is reachable from the VPC only.
    defaults={"webserver_access_mode": "PRIVATE_ONLY"},
    from_terraform=_from_terraform,
    drift_ignore=("status",),
)

COLLECTORS = (
    Collector(
        name="mwaa.environments",
        service="mwaa",
        resource_types=(ENVIRONMENT,),
        calls=("airflow:ListEnvironments", "airflow:GetEnvironment"),
        collect=_environments,
        description="Every MWAA (Airflow) environment in the region: web server access, KMS key and logs.",
        notes=(
            "`logging_configuration` has the five streams (dag_processing_logs, scheduler_logs, task_logs, "
            "webserver_logs, worker_logs), each {enabled, log_level, cloud_watch_log_group_arn}; `kms_key` is "
            "absent when the environment uses an AWS owned key. Airflow configuration options are not kept (AWS "
            "marks them sensitive). Tags come with GetEnvironment. When GetEnvironment fails the environment keeps "
            "`arn` and `name` and the rest is unknown. moto has no MWAA backend: tested with botocore's Stubber on "
            "answers shaped as the MWAA API reference documents them, and the demo serves recorded answers the "
            "same way."
        ),
    ),
)
