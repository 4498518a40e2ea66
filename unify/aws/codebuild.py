"""CodeBuild: ``aws_codebuild_project``, every build project of the region (the stack's image builder).

What a project may do and leak: whether builds run privileged (root on the
build host, which Docker's own daemon needs), where the build logs go and
whether S3 logs are encrypted, which environment variables it sets and of
which type (``PLAINTEXT`` values sit in the project for anyone who can read
it; ``PARAMETER_STORE`` and ``SECRETS_MANAGER`` ones are references), and how
it reaches its sources (an OAuth or CodeConnections grant, or credentials
written into the repository URL).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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
    "secondary_sources",
    "badge_enabled",
    "vpc_config",
)

#: BatchGetProjects takes at most 100 names.
_CHUNK = 100

#: EnvironmentVariable.type: "PLAINTEXT: An environment variable in plain text format. This is the default
#: value." (CodeBuild API reference, EnvironmentVariable).
_DEFAULT_VARIABLE_TYPE = "PLAINTEXT"


def _variables(variables: Any) -> Any:
    """Each variable's name and type, sorted by name; the value is never kept (a PLAINTEXT one may be a secret)."""
    if is_unknown(variables) or not isinstance(variables, list):
        return variables
    out = []
    for variable in variables:
        if not isinstance(variable, Mapping):
            continue
        out.append({"name": sent(variable, "name"), "type": variable.get("type") or _DEFAULT_VARIABLE_TYPE})
    return sorted(out, key=lambda v: str(v["name"]))


def _environment(env: dict[str, Any] | None) -> Any:
    if not env:
        return ABSENT
    block: dict[str, Any] = {
        "compute_type": sent(env, "computeType"),
        "image": sent(env, "image"),
        "type": sent(env, "type"),
        # privilegedMode has no documented default (CodeBuild API reference): one not sent is not observed.
        "privileged_mode": sent(env, "privilegedMode", bool),
        "environment_variable": _variables(env.get("environmentVariables", [])),
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
        block["cloudwatch_logs"] = {"status": sent(cloudwatch, "status")}
        for source, target in (("groupName", "group_name"), ("streamName", "stream_name")):
            if cloudwatch.get(source):
                block["cloudwatch_logs"][target] = cloudwatch[source]
    s3 = config.get("s3Logs")
    if s3:
        block["s3_logs"] = {
            "status": sent(s3, "status"),
            # encryptionDisabled: "Set to true if you do not want your S3 build log output encrypted. By default
            # S3 build logs are encrypted." (CodeBuild API reference, S3LogsConfig)
            "encryption_disabled": bool(s3.get("encryptionDisabled", False)),
        }
        if s3.get("location"):
            block["s3_logs"]["location"] = s3["location"]
    return block or ABSENT


def _source(source: Mapping[str, Any]) -> dict[str, Any]:
    block: dict[str, Any] = {"type": sent(source, "type")}
    if source.get("location"):
        # Credentials written into the URL are replaced by <redacted> before the snapshot keeps it; the
        # user part stays visible as such, so a check sees that the URL carried them.
        block["location"] = source["location"]
    if source.get("sourceIdentifier"):
        block["source_identifier"] = source["sourceIdentifier"]
    auth = source.get("auth")
    if isinstance(auth, Mapping):
        block["auth"] = {"type": sent(auth, "type")}
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
    source = project.get("source")
    secondary = project.get("secondarySources")
    return ctx.resource(
        "aws_codebuild_project",
        arn,
        name=name,
        # Project.tags is optional in the answer and holds the project's tags: none sent is none set.
        tags=project.get("tags", []),
        attributes={
            "arn": arn,
            "name": name,
            "description": project.get("description", ABSENT),
            "service_role": project.get("serviceRole", ABSENT),
            "environment": _environment(project.get("environment")),
            "logs_config": _logs_config(project.get("logsConfig")),
            "encryption_key": project.get("encryptionKey", ABSENT),
            "source": _source(source) if isinstance(source, Mapping) else sent(project, "source"),
            "secondary_sources": ABSENT
            if not secondary
            else sorted((_source(s) for s in secondary), key=lambda s: str(s.get("source_identifier"))),
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
        projects: list[dict[str, Any]] = [p for p in answer["projects"] if isinstance(p, dict) and p.get("name")]
        return [_project(ctx, project) for project in projects]

    for resources in ctx.map(read, chunks):
        yield from resources


# -- Terraform ------------------------------------------------------------------------------


def _terraform_source(source: Any) -> Any:
    if not isinstance(source, dict) or is_unknown(source):
        return source
    block: dict[str, Any] = {"type": source.get("type")}
    for key in ("location", "source_identifier"):
        if source.get(key):
            block[key] = source[key]
    return block


def _from_terraform(values: dict[str, Any]) -> None:
    environment = values.get("environment")
    if isinstance(environment, dict) and not is_unknown(environment):
        variables = environment.get("environment_variable")
        if isinstance(variables, list):
            # The values may be secrets: only names and types are kept, as the collector keeps them.
            environment["environment_variable"] = sorted(
                (
                    {"name": v.get("name"), "type": v.get("type") or _DEFAULT_VARIABLE_TYPE}
                    for v in variables
                    if isinstance(v, dict)
                ),
                key=lambda v: str(v["name"]),
            )
        else:
            environment.setdefault("environment_variable", [])
    if "source" in values:
        values["source"] = _terraform_source(values["source"])
    secondary = values.get("secondary_sources")
    if isinstance(secondary, list):
        if secondary:
            values["secondary_sources"] = sorted(
                (_terraform_source(s) for s in secondary), key=lambda s: str(s.get("source_identifier"))
            )
        else:
            del values["secondary_sources"]


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
        description="Every CodeBuild project in the region: build environment, logging, sources and network.",
        notes=(
            "Projects are read 100 at a time with BatchGetProjects; when that call fails, the projects of the "
            "batch stay with `arn` and `name` known and every other attribute, tags included, unknown. "
            "`environment.privileged_mode` is unknown when AWS does not send it (no documented default); "
            "`environment.environment_variable` lists each variable's {name, type}, sorted by name, with the type "
            "PLAINTEXT when AWS sends none (its documented default): values are never kept. "
            "`image_pull_credentials_type` is left out when AWS does not report it. `logs_config` holds "
            "`cloudwatch_logs` {status, group_name, stream_name} and `s3_logs` {status, location, "
            "encryption_disabled} as AWS reports them; `source` and `secondary_sources` are {type, location, "
            "source_identifier, auth: {type}}, with credentials in a location URL replaced by `<redacted>` "
            "(the user part stays visible as such). `vpc_config` is absent for a project outside a VPC, "
            "`badge_enabled` when AWS sends no badge block. The account's imported source credentials "
            "(ListSourceCredentials) are not read: moto lacks the call. moto (5.x) leaves out `logsConfig`, "
            "`privilegedMode` and `secondarySources` when the project was created without them, always reports "
            "`encryption_key` as the AWS managed `alias/aws/s3` and `badge_enabled` as false, whatever was set."
        ),
    ),
)
