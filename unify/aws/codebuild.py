"""CodeBuild: ``aws_codebuild_project``, every build project of the region (the stack's image builder)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

ATTRIBUTES = (
    "arn",
    "name",
    "description",
    "service_role",
    "environment",
    "logs_config",
    "encryption_key",
    "source",
    "badge_enabled",
    "vpc_config",
)

#: BatchGetProjects takes at most 100 names.
_CHUNK = 100


def _environment(env: dict[str, Any] | None) -> Any:
    if not env:
        return ABSENT
    block: dict[str, Any] = {
        "compute_type": sent(env, "computeType"),
        "image": sent(env, "image"),
        "type": sent(env, "type"),
        # privilegedMode has no documented default (CodeBuild API reference): one not sent is not observed.
        "privileged_mode": sent(env, "privilegedMode", bool),
    }
    if env.get("imagePullCredentialsType"):
        block["image_pull_credentials_type"] = env["imagePullCredentialsType"]
    return block


def _logs_config(config: dict[str, Any] | None) -> Any:
    """Only the log destinations AWS reports; each keeps the fields it has."""
    if not config:
        return ABSENT
    block: dict[str, Any] = {}
    cloudwatch = config.get("cloudWatchLogs")
    if cloudwatch:
        block["cloudwatch_logs"] = {"status": cloudwatch.get("status")}
        for source, target in (("groupName", "group_name"), ("streamName", "stream_name")):
            if cloudwatch.get(source):
                block["cloudwatch_logs"][target] = cloudwatch[source]
    s3 = config.get("s3Logs")
    if s3:
        block["s3_logs"] = {
            "status": s3.get("status"),
            "encryption_disabled": bool(s3.get("encryptionDisabled", False)),
        }
        if s3.get("location"):
            block["s3_logs"]["location"] = s3["location"]
    return block or ABSENT


def _source(source: dict[str, Any] | None) -> Any:
    if not source:
        return ABSENT
    block = {"type": source.get("type")}
    if source.get("location"):
        block["location"] = source["location"]
    return block


def _vpc_config(config: dict[str, Any] | None) -> Any:
    if not config or not config.get("vpcId"):
        return ABSENT
    return {
        "vpc_id": config["vpcId"],
        "subnets": sorted(config.get("subnets") or []),
        "security_group_ids": sorted(config.get("securityGroupIds") or []),
    }


def _project(ctx: CollectContext, project: dict[str, Any]) -> Resource:
    name = project["name"]
    arn = project.get("arn") or ctx.arn("codebuild", f"project/{name}")
    badge = project.get("badge")
    return ctx.resource(
        "aws_codebuild_project",
        arn,
        name=name,
        tags=project.get("tags") or [],
        attributes={
            "arn": arn,
            "name": name,
            "description": project.get("description", ABSENT),
            "service_role": project.get("serviceRole", ABSENT),
            "environment": _environment(project.get("environment")),
            "logs_config": _logs_config(project.get("logsConfig")),
            "encryption_key": project.get("encryptionKey", ABSENT),
            "source": _source(project.get("source")),
            "badge_enabled": ABSENT if not isinstance(badge, dict) else bool(badge.get("badgeEnabled", False)),
            "vpc_config": _vpc_config(project.get("vpcConfig")),
        },
    )


def _unread(ctx: CollectContext, name: str, marker: dict[str, str]) -> Resource:
    """A listed project whose details could not be read: every attribute but its name is unknown."""
    arn = ctx.arn("codebuild", f"project/{name}")
    attributes: dict[str, Any] = dict.fromkeys(ATTRIBUTES, marker)
    attributes.update(arn=arn, name=name)
    return ctx.resource("aws_codebuild_project", arn, name=name, tags=marker, attributes=attributes)


def _projects(ctx: CollectContext) -> Iterator[Resource]:
    codebuild = ctx.client()
    names = sorted(ctx.items(codebuild, "list_projects", "projects"))
    # BatchGetProjects answers projects it found under projects, the others under projectsNotFound.
    chunks = [names[start : start + _CHUNK] for start in range(0, len(names), _CHUNK)]

    def read(chunk: list[str]) -> list[Resource]:
        answer = ctx.detail(lambda: ctx.call(codebuild, "batch_get_projects", names=chunk, expect=("projects",)))
        if is_unknown(answer) or not isinstance(answer, dict):
            return [_unread(ctx, name, answer) for name in chunk]  # type: ignore[arg-type]
        # Projects deleted since the listing come back under projectsNotFound: they are gone.
        projects: list[dict[str, Any]] = answer["projects"]
        return [_project(ctx, project) for project in projects]

    for resources in ctx.map(read, chunks):
        yield from resources


def _from_terraform(values: dict[str, Any]) -> None:
    environment = values.get("environment")
    if isinstance(environment, dict):
        environment.pop("environment_variable", None)  # values may be secrets; the collector reads none


PROJECT = ResourceType(
    "aws_codebuild_project",
    ATTRIBUTES,
    single_blocks=(
        "environment",
        "logs_config",
        "logs_config.cloudwatch_logs",
        "logs_config.s3_logs",
        "source",
        "vpc_config",
    ),
    from_terraform=_from_terraform,
)

COLLECTORS = (
    Collector(
        name="codebuild.projects",
        service="codebuild",
        resource_types=(PROJECT,),
        calls=("codebuild:ListProjects", "codebuild:BatchGetProjects"),
        collect=_projects,
        description="Every CodeBuild project in the region: build environment, logging, encryption key and network.",
        notes=(
            "Projects are read 100 at a time with BatchGetProjects; when that call fails, the projects of the "
            "batch stay with `arn` and `name` known and every other attribute, tags included, unknown. "
            "`environment.privileged_mode` is false when AWS omits it; `image_pull_credentials_type` is left out "
            "when AWS does not report it. `logs_config` holds `cloudwatch_logs` {status, group_name, "
            "stream_name} and `s3_logs` {status, location, encryption_disabled} as AWS reports them (AWS always "
            "reports both, CloudWatch ENABLED by default); `vpc_config` is absent for a project outside a VPC, "
            "`badge_enabled` when AWS sends no badge block. The project's environment variables are not kept "
            "(their PLAINTEXT values may be secrets). moto (5.x) leaves out `logsConfig` when the project was "
            "created without one, "
            "always reports `encryption_key` as the AWS managed `alias/aws/s3` and `badge_enabled` as false, "
            "whatever was set."
        ),
    ),
)
