"""ECS: ``aws_ecs_task_definition`` (latest ACTIVE revisions), ``aws_ecs_service`` and ``aws_ecs_cluster``.

The stack's deployer. Task definitions carry container environments, which
often hold secrets: unify keeps the names of environment variables and
secrets, and drops their values as each definition is read, the same as the
Lambda collector does. Task definitions and services are separate collectors,
so a role that may list one but not the other still observes the one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from unify.model.resource import Resource, is_unknown, unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

TASK_DEFINITION_ATTRIBUTES = (
    "arn",
    "family",
    "revision",
    "network_mode",
    "requires_compatibilities",
    "task_role_arn",
    "execution_role_arn",
    "cpu",
    "memory",
    "container_definitions",
    "pid_mode",
    "ipc_mode",
)

SERVICE_ATTRIBUTES = (
    "arn",
    "name",
    "cluster",
    "task_definition",
    "launch_type",
    "desired_count",
    "platform_version",
    "network_configuration",
    "propagate_tags",
    "enable_execute_command",
)

CLUSTER_ATTRIBUTES = (
    "name",
    "arn",
    "setting",
    "configuration",
    # extras only observation can see
    "status",
)

#: DescribeClusters takes at most 100 clusters.
_CLUSTER_CHUNK = 100

#: The container definition keys kept as they are (AWS's camelCase, as in Terraform's JSON).
_CONTAINER_KEYS = ("name", "image", "essential", "privileged", "readonlyRootFilesystem", "user")

#: DescribeServices takes at most 10 services.
_SERVICE_CHUNK = 10


# -- task definitions ------------------------------------------------------------------------


def _names(entries: Any) -> list[str]:
    """The names of ``[{name, value|valueFrom}]`` entries; the values are never kept."""
    return sorted(str(entry["name"]) for entry in entries or [] if isinstance(entry, dict) and "name" in entry)


def _log_configuration(config: dict[str, Any]) -> dict[str, Any]:
    block: dict[str, Any] = {"logDriver": config.get("logDriver")}
    options = config.get("options")
    if options:
        # Options whose key looks like a secret (splunk-token, env-pass) are redacted: see free_maps.
        block["options"] = dict(sorted(options.items()))
    if config.get("secretOptions"):
        block["secretOptions"] = _names(config["secretOptions"])
    return block


def _container(definition: dict[str, Any]) -> dict[str, Any]:
    """One container definition, reduced to what checks read; environment and secret values dropped."""
    out = {key: definition[key] for key in _CONTAINER_KEYS if key in definition}
    if isinstance(definition.get("logConfiguration"), dict):
        out["logConfiguration"] = _log_configuration(definition["logConfiguration"])
    out["environment"] = _names(definition.get("environment"))
    out["secrets"] = _names(definition.get("secrets"))
    return out


def _revision(arn: str) -> int:
    tail = arn.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else -1


def _task_definition(ctx: CollectContext, answer: dict[str, Any]) -> Resource:
    task = answer["taskDefinition"]
    containers = [_container(c) for c in task.pop("containerDefinitions", None) or []]
    arn = task["taskDefinitionArn"]
    return ctx.resource(
        "aws_ecs_task_definition",
        arn,
        name=task["family"],
        tags=sent(answer, "tags"),
        attributes={
            "arn": arn,
            "family": task["family"],
            "revision": sent(task, "revision"),
            "network_mode": task.get("networkMode", ABSENT),
            "requires_compatibilities": sorted(task.get("requiresCompatibilities") or []),
            "task_role_arn": task.get("taskRoleArn", ABSENT),
            "execution_role_arn": task.get("executionRoleArn", ABSENT),
            "cpu": task.get("cpu", ABSENT),
            "memory": task.get("memory", ABSENT),
            "container_definitions": containers,
            "pid_mode": task.get("pidMode", ABSENT),
            "ipc_mode": task.get("ipcMode", ABSENT),
        },
    )


def _unread_task_definition(ctx: CollectContext, arn: str, family: str, marker: dict[str, str]) -> Resource:
    attributes: dict[str, Any] = dict.fromkeys(TASK_DEFINITION_ATTRIBUTES, marker)
    revision = _revision(arn)
    attributes.update(arn=arn, family=family, revision=revision if revision >= 0 else marker)
    return ctx.resource("aws_ecs_task_definition", arn, name=family, tags=marker, attributes=attributes)


def _task_definitions(ctx: CollectContext) -> Iterator[Resource]:
    ecs = ctx.client()
    families = sorted(set(ctx.items(ecs, "list_task_definition_families", "families", status="ACTIVE")))

    def describe(reference: str) -> Any:
        answer = ctx.detail(
            lambda: ctx.call(
                ecs,
                "describe_task_definition",
                taskDefinition=reference,
                include=["TAGS"],
                expect=("taskDefinition.taskDefinitionArn", "taskDefinition.family", "taskDefinition.status"),
            )
        )
        if isinstance(answer, dict) and not is_unknown(answer):
            # Drop the environment's values at once: only their names are ever kept.
            task: dict[str, Any] = answer["taskDefinition"]
            for container in task.get("containerDefinitions") or []:
                container["environment"] = [{"name": name} for name in _names(container.get("environment"))]
        return answer

    def latest(family: str) -> Resource | None:
        # A family name resolves to its latest ACTIVE revision: one call per family.
        answer = describe(family)
        if not is_unknown(answer) and answer["taskDefinition"]["status"] == "ACTIVE":
            return _task_definition(ctx, answer)
        # The describe failed, or answered an inactive revision: find the latest active one by listing.
        arns = ctx.detail(
            lambda: ctx.call(
                ecs,
                "list_task_definitions",
                familyPrefix=family,
                status="ACTIVE",
                sort="DESC",
                maxResults=1,
                expect=("taskDefinitionArns",),
            )["taskDefinitionArns"]
        )
        if is_unknown(arns):
            arn = ctx.arn("ecs", f"task-definition/{family}")
        elif not arns:
            return None  # no active revision left
        else:
            arn = max(arns, key=_revision)  # type: ignore[arg-type]
            if not is_unknown(answer):
                answer = describe(arn)
                if not is_unknown(answer):
                    return _task_definition(ctx, answer)
        return _unread_task_definition(ctx, arn, family, answer)

    for resource in ctx.map(latest, families):
        if resource is not None:
            yield resource


# -- services --------------------------------------------------------------------------------


def _network_configuration(config: dict[str, Any] | None) -> Any:
    vpc = (config or {}).get("awsvpcConfiguration")
    if not vpc:
        return ABSENT
    return {
        "subnets": sorted(vpc.get("subnets") or []),
        "security_groups": sorted(vpc.get("securityGroups") or []),
        "assign_public_ip": vpc.get("assignPublicIp") == "ENABLED",
    }


def _service(ctx: CollectContext, service: dict[str, Any]) -> Resource:
    arn = service["serviceArn"]
    return ctx.resource(
        "aws_ecs_service",
        arn,
        name=service.get("serviceName"),
        tags=service.get("tags") or [],
        attributes={
            "arn": arn,
            "name": service.get("serviceName"),
            "cluster": service.get("clusterArn"),
            "task_definition": service.get("taskDefinition", ABSENT),
            "launch_type": service.get("launchType", ABSENT),
            "desired_count": service.get("desiredCount"),
            "platform_version": service.get("platformVersion", ABSENT),
            "network_configuration": _network_configuration(service.get("networkConfiguration")),
            "propagate_tags": service.get("propagateTags", ABSENT),
            "enable_execute_command": service.get("enableExecuteCommand", ABSENT),
        },
    )


def _unread_service(ctx: CollectContext, arn: str, cluster: str, marker: dict[str, str]) -> Resource:
    name = arn.rsplit("/", 1)[-1]
    attributes: dict[str, Any] = dict.fromkeys(SERVICE_ATTRIBUTES, marker)
    attributes.update(arn=arn, name=name, cluster=cluster)
    return ctx.resource("aws_ecs_service", arn, name=name, tags=marker, attributes=attributes)


def _services(ctx: CollectContext) -> Iterator[Resource]:
    ecs = ctx.client()
    chunks: list[tuple[str, list[str]]] = []
    for cluster in sorted(ctx.items(ecs, "list_clusters", "clusterArns")):
        arns = sorted(ctx.items(ecs, "list_services", "serviceArns", cluster=cluster))
        chunks += [(cluster, arns[start : start + _SERVICE_CHUNK]) for start in range(0, len(arns), _SERVICE_CHUNK)]

    def describe(chunk: tuple[str, list[str]]) -> list[Resource]:
        cluster, arns = chunk
        answer = ctx.detail(
            lambda: ctx.call(
                ecs, "describe_services", cluster=cluster, services=arns, include=["TAGS"], expect=("services",)
            )
        )
        if is_unknown(answer) or not isinstance(answer, dict):
            return [_unread_service(ctx, arn, cluster, answer) for arn in arns]  # type: ignore[arg-type]
        # Services deleted since the listing come back under failures (reason MISSING): they are gone.
        services: list[dict[str, Any]] = answer["services"]
        return [_service(ctx, service) for service in services]

    for resources in ctx.map(describe, chunks):
        yield from resources


# -- clusters --------------------------------------------------------------------------------


def _execute_command(config: Any) -> Any:
    """``configuration.execute_command_configuration`` in the provider's names; absent when not configured."""
    command = (config or {}).get("executeCommandConfiguration") if isinstance(config, dict) else None
    if not isinstance(command, dict):
        return ABSENT
    shaped: dict[str, Any] = {"logging": command.get("logging", "DEFAULT")}
    if command.get("kmsKeyId"):
        shaped["kms_key_id"] = command["kmsKeyId"]
    log = command.get("logConfiguration")
    if isinstance(log, dict):
        shaped["log_configuration"] = {
            key: log[field]
            for field, key in (
                ("cloudWatchLogGroupName", "cloud_watch_log_group_name"),
                ("cloudWatchEncryptionEnabled", "cloud_watch_encryption_enabled"),
                ("s3BucketName", "s3_bucket_name"),
                ("s3EncryptionEnabled", "s3_encryption_enabled"),
            )
            if field in log
        }
    return {"execute_command_configuration": shaped}


def _cluster(ctx: CollectContext, cluster: dict[str, Any]) -> Resource:
    arn = cluster["clusterArn"]
    return ctx.resource(
        "aws_ecs_cluster",
        arn,
        name=cluster["clusterName"],
        tags=sent(cluster, "tags"),
        attributes={
            "name": cluster["clusterName"],
            "arn": arn,
            # Asked for with include=SETTINGS: AWS sends the containerInsights setting for every cluster.
            "setting": sent(
                cluster,
                "settings",
                lambda items: sorted(
                    ({"name": s["name"], "value": s["value"]} for s in items), key=lambda s: s["name"]
                ),
            ),
            "configuration": _execute_command(cluster.get("configuration")),
            "status": sent(cluster, "status"),
        },
    )


def _clusters(ctx: CollectContext) -> Iterator[Resource]:
    ecs = ctx.client()
    arns = sorted(ctx.items(ecs, "list_clusters", "clusterArns"))
    chunks = [arns[start : start + _CLUSTER_CHUNK] for start in range(0, len(arns), _CLUSTER_CHUNK)]

    def describe(chunk: list[str]) -> list[Resource]:
        answer = ctx.call(
            ecs,
            "describe_clusters",
            clusters=chunk,
            include=["SETTINGS", "CONFIGURATIONS", "TAGS"],
            expect=("clusters",),
        )
        # Clusters deleted since the listing come back under failures (reason MISSING): they are gone.
        return [_cluster(ctx, c) for c in answer["clusters"] if isinstance(c, dict) and "clusterArn" in c]

    # A batch that cannot be described fails the listing: no cluster is lost behind `ok` coverage.
    for resources in ctx.map(describe, chunks):
        yield from resources


def _cluster_from_terraform(values: dict[str, Any]) -> None:
    """``setting`` is a set in Terraform: sorted by name, as the collector sorts it."""
    settings = values.get("setting")
    if isinstance(settings, list) and all(isinstance(s, dict) and not is_unknown(s) for s in settings):
        values["setting"] = sorted(
            ({"name": s.get("name"), "value": s.get("value")} for s in settings), key=lambda s: str(s["name"])
        )
    config = values.get("configuration")
    if isinstance(config, dict) and not is_unknown(config):
        command = config.get("execute_command_configuration")
        if isinstance(command, list):
            command = command[0] if command else None
        if isinstance(command, dict):
            log = command.get("log_configuration")
            if isinstance(log, list):
                log = log[0] if log else None
            shaped = {k: v for k, v in command.items() if v not in (None, "", []) and k != "log_configuration"}
            if isinstance(log, dict):
                shaped["log_configuration"] = {k: v for k, v in log.items() if v not in (None, "")}
            values["configuration"] = {"execute_command_configuration": shaped}
        else:
            del values["configuration"]


def _task_definition_from_terraform(values: dict[str, Any]) -> None:
    """``container_definitions`` (a JSON string in Terraform) reduced as the collector reduces them."""
    text = values.get("container_definitions")
    if not isinstance(text, str):
        return
    try:
        definitions = json.loads(text)
    except ValueError:
        values["container_definitions"] = unknown("container_definitions is not valid JSON")
        return
    values["container_definitions"] = (
        [_container(d) for d in definitions if isinstance(d, dict)]
        if isinstance(definitions, list)
        else unknown("container_definitions is not a JSON list")
    )


TASK_DEFINITION = ResourceType(
    "aws_ecs_task_definition",
    TASK_DEFINITION_ATTRIBUTES,
    name_path="family",
    from_terraform=_task_definition_from_terraform,
    free_maps=("container_definitions[].logConfiguration.options",),
)

SERVICE = ResourceType(
    "aws_ecs_service",
    SERVICE_ATTRIBUTES,
    single_blocks=("network_configuration",),
)

CLUSTER = ResourceType(
    "aws_ecs_cluster",
    CLUSTER_ATTRIBUTES,
    observed_only=("status",),
    single_blocks=("configuration",),
    from_terraform=_cluster_from_terraform,
    drift_ignore=("status",),
)

COLLECTORS = (
    Collector(
        name="ecs.task_definitions",
        service="ecs",
        resource_types=(TASK_DEFINITION,),
        calls=("ecs:ListTaskDefinitionFamilies", "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions"),
        collect=_task_definitions,
        description="The latest ACTIVE revision of every ECS task definition family in the region.",
        notes=(
            "One DescribeTaskDefinition per family (a family name resolves to its latest ACTIVE revision); "
            "older and INACTIVE revisions are not observed. When that call fails or answers an inactive revision, "
            "ListTaskDefinitions (status ACTIVE, newest first) names the revision, whose attributes are then "
            "unknown; if that fails too, the id is the family's ARN without a revision. "
            "`container_definitions` is a list of mappings with AWS's camelCase keys, as in Terraform's JSON, "
            "reduced to `name`, `image`, `essential`, `privileged`, `readonlyRootFilesystem`, `user` (each as AWS "
            "reports it, absent when AWS omits it: an absent `privileged` is not privileged), `logConfiguration` "
            "{logDriver, options, secretOptions} (absent when the container has none), and `environment` and "
            "`secrets` as sorted lists of names: the values of environment variables are dropped as each "
            "definition is read, secrets keep no `valueFrom`, `secretOptions` are names only, and log options "
            "whose key looks like a secret (`splunk-token`, `env-pass`) are redacted to unknown. Commands, entry "
            "points and the other container keys are not kept. `requires_compatibilities` is sorted; `pid_mode` "
            "and `ipc_mode` appear only when set. moto (5.x) ignores the status filter of "
            "ListTaskDefinitionFamilies and the sort and maxResults of ListTaskDefinitions, and resolves a family "
            "name to its newest revision even when that one is INACTIVE: the fallback above handles all three."
        ),
    ),
    Collector(
        name="ecs.services",
        service="ecs",
        resource_types=(SERVICE,),
        calls=("ecs:ListClusters", "ecs:ListServices", "ecs:DescribeServices"),
        collect=_services,
        description="Every ECS service of every cluster in the region.",
        notes=(
            "Services are read 10 at a time with DescribeServices (tags included); when that call fails, the "
            "services of the batch stay with `arn`, `name` and `cluster` known and the rest unknown. `cluster` is "
            "the cluster's ARN. `network_configuration` {subnets, security_groups, assign_public_ip} is absent for "
            "services without awsvpc networking; `assign_public_ip` is a boolean. `launch_type` is absent for "
            "services that use a capacity provider strategy, `platform_version` for services not on Fargate. "
            "moto (5.x) does not keep `enableExecuteCommand`, so `enable_execute_command` is absent there; AWS "
            "always reports it."
        ),
    ),
    Collector(
        name="ecs.clusters",
        service="ecs",
        resource_types=(CLUSTER,),
        calls=("ecs:ListClusters", "ecs:DescribeClusters"),
        collect=_clusters,
        description="Every ECS cluster in the region, with its settings and ECS Exec configuration.",
        notes=(
            "DescribeClusters 100 at a time with settings, configurations and tags. `setting` [{name, value}] is "
            "sorted by name (AWS sends `containerInsights` for every cluster); `configuration` "
            "{execute_command_configuration {logging, kms_key_id, log_configuration}} is absent when ECS Exec is "
            "not configured. moto serves clusters with their settings and configuration."
        ),
    ),
)
