"""Lambda: functions (without their environment's values), their URLs, and the permissions of their resource policies.

ListFunctions returns each function's environment variables with their
values, which often are secrets. unify keeps the names only: the values are
dropped from the answer as soon as each function is read, and never reach a
resource, a snapshot or a log.

A function's resource policy is one document on AWS (GetPolicy) and a set of
``aws_lambda_permission`` resources in Terraform, one per statement. unify
keeps both shapes: the parsed document as the function's ``policy``, and each
statement as an ``aws_lambda_permission`` in the provider's attribute names,
so a check on who may invoke a function is decided from a plan as well as
from an observation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.policy_document import parse_policy
from unify.model.resource import Resource, is_unknown, unknown
from unify.model.resource_type import ResourceType
from unify.model.time import format_timestamp, parse_timestamp
from unify.observe.answers import MALFORMED
from unify.observe.collector import ABSENT, CollectContext, Collector, sent
from unify.terraform.values import names, single

ATTRIBUTES = (
    "function_name",
    "arn",
    "runtime",
    "handler",
    "role",
    "memory_size",
    "timeout",
    "package_type",
    "architectures",
    "kms_key_arn",
    "last_modified",
    "vpc_config",
    "tracing_config",
    # extras only observation can see
    "environment_variable_names",
    "policy",
    "vpc_availability_zones",
)
URL_ATTRIBUTES = ("function_name", "function_arn", "qualifier", "authorization_type", "invoke_mode", "function_url")
PERMISSION_ATTRIBUTES = (
    "statement_id",
    "function_name",
    "action",
    "principal",
    "source_arn",
    "source_account",
    "principal_org_id",
    "function_url_auth_type",
)

#: Condition keys Lambda writes for the arguments of AddPermission (Lambda API reference, AddPermission),
#: and the ``aws_lambda_permission`` argument each comes from.
_CONDITION_ARGUMENTS = {
    "aws:sourceaccount": "source_account",
    "aws:sourcearn": "source_arn",
    "aws:principalorgid": "principal_org_id",
    "lambda:functionurlauthtype": "function_url_auth_type",
}


def _variable_names(function: dict[str, Any]) -> list[str]:
    """The names of the function's environment variables; the values are removed from ``function`` first."""
    environment = function.pop("Environment", None) or {}
    variables = environment.pop("Variables", None) or {}
    found = sorted(variables)
    variables.clear()
    return found


def _last_modified(value: Any) -> Any:
    """Lambda writes ``2024-05-01T12:00:00.000+0000``; unify writes UTC with ``Z``."""
    if not value:
        return ABSENT
    try:
        return format_timestamp(parse_timestamp(value))
    except ValueError:
        return value


def _vpc_config(config: dict[str, Any] | None) -> Any:
    # Functions outside a VPC come back with an empty VpcConfig (no subnets, VpcId "") or none at all.
    if not config or not config.get("SubnetIds"):
        return ABSENT
    return {
        "subnet_ids": sorted(config.get("SubnetIds") or []),
        "security_group_ids": sorted(config.get("SecurityGroupIds") or []),
        "vpc_id": config.get("VpcId"),
    }


def _principal(principal: Any) -> Any:
    """A statement's principal as ``aws_lambda_permission`` writes it: ``*``, a service, an account or an ARN."""
    if isinstance(principal, str):
        return principal
    if isinstance(principal, Mapping):
        for key in ("Service", "AWS", "Federated", "CanonicalUser"):
            values = principal.get(key)
            if values:
                values = values if isinstance(values, list) else [values]
                return "*" if "*" in values else str(values[0])
    return None


def _permission(statement: Mapping[str, Any], function_name: str) -> dict[str, Any]:
    """One policy statement in ``aws_lambda_permission``'s attributes (fixed-value conditions only)."""
    actions = statement.get("Action") or []
    out: dict[str, Any] = {
        "statement_id": statement.get("Sid"),
        "function_name": function_name,
        "action": actions[0] if isinstance(actions, list) and len(actions) == 1 else actions,
        "principal": _principal(statement.get("Principal")),
    }
    for values in (statement.get("Condition") or {}).values():
        if not isinstance(values, Mapping):
            continue
        for key, value in values.items():
            argument = _CONDITION_ARGUMENTS.get(str(key).lower())
            if argument is not None:
                items = value if isinstance(value, list) else [value]
                out[argument] = items[0] if len(items) == 1 else items
    return {k: v for k, v in out.items() if v not in (None, "", [])}


def _subnet_zones(ctx: CollectContext, functions: list[tuple[dict[str, Any], list[str]]]) -> Any:
    """Availability Zone of every subnet the region's functions use, by subnet id (one DescribeSubnets)."""
    wanted = sorted({s for function, _ in functions for s in (function.get("VpcConfig") or {}).get("SubnetIds") or []})
    if not wanted:
        return {}
    ec2 = ctx.client("ec2")

    def read() -> dict[str, str]:
        subnets = ctx.items(ec2, "describe_subnets", "Subnets", each=("SubnetId", "AvailabilityZone"), SubnetIds=wanted)
        return {subnet["SubnetId"]: subnet["AvailabilityZone"] for subnet in subnets}

    return ctx.detail(read)


def _zones(vpc_config: Any, zones: Any) -> Any:
    if vpc_config is ABSENT:
        return ABSENT
    if is_unknown(zones):
        return zones
    found = {zones.get(subnet) for subnet in vpc_config["subnet_ids"]}
    if None in found:
        return unknown(f"{MALFORMED}: DescribeSubnets did not return every subnet of the function")
    return sorted(str(zone) for zone in found)


def _url(ctx: CollectContext, lam: Any, arn: str, name: str) -> Resource | None:
    answer: Any = ctx.detail(
        lambda: ctx.call(
            lam, "get_function_url_config", FunctionName=arn, expect=("FunctionUrl", "FunctionArn", "AuthType")
        ),
        absent=("ResourceNotFoundException",),
    )
    if answer is ABSENT:
        return None
    if is_unknown(answer):
        attributes = dict.fromkeys(URL_ATTRIBUTES, answer) | {"function_name": name, "function_arn": arn}
        return ctx.resource("aws_lambda_function_url", arn, name=name, attributes=attributes)
    url_arn = answer["FunctionArn"]
    qualifier = url_arn.split(f":function:{name}", 1)[-1].lstrip(":")
    return ctx.resource(
        "aws_lambda_function_url",
        url_arn,
        name=name,
        attributes={
            "function_name": name,
            "function_arn": arn,
            "qualifier": qualifier or ABSENT,
            "authorization_type": answer["AuthType"],
            # "BUFFERED is the default option" (Lambda API reference, CreateFunctionUrlConfig, InvokeMode).
            "invoke_mode": answer.get("InvokeMode", "BUFFERED"),
            "function_url": answer["FunctionUrl"],
        },
    )


def _functions(ctx: CollectContext) -> Iterator[Resource]:
    lam = ctx.client()
    functions = []
    for function in ctx.items(lam, "list_functions", "Functions", each=("FunctionArn", "FunctionName")):
        found = _variable_names(function)  # before anything else holds on to the page
        functions.append((function, found))
    zones = _subnet_zones(ctx, functions)

    def describe(item: tuple[dict[str, Any], list[str]]) -> list[Resource]:
        function, variable_names = item
        arn = function["FunctionArn"]
        name = function["FunctionName"]
        answer: Any = ctx.detail(
            lambda: ctx.call(lam, "get_policy", FunctionName=arn, expect=("Policy",)),
            absent=("ResourceNotFoundException",),
        )
        policy = answer if answer is ABSENT or is_unknown(answer) else parse_policy(answer["Policy"])
        tags = ctx.detail(lambda: ctx.call(lam, "list_tags", Resource=arn, expect=("Tags",))["Tags"])
        tracing = function.get("TracingConfig")
        vpc_config = _vpc_config(function.get("VpcConfig"))
        out = [
            ctx.resource(
                "aws_lambda_function",
                arn,
                name=name,
                tags=tags,
                attributes={
                    "function_name": name,
                    "arn": arn,
                    # A container-image function has no runtime and no handler (Lambda API reference).
                    "runtime": function.get("Runtime", ABSENT),
                    "handler": function.get("Handler", ABSENT),
                    "role": sent(function, "Role"),
                    "memory_size": sent(function, "MemorySize"),
                    "timeout": sent(function, "Timeout"),
                    # "The default value is Zip" and "The default architecture value is x86_64" (Lambda API
                    # reference, CreateFunction): absence is the documented default.
                    "package_type": function.get("PackageType", "Zip"),
                    "architectures": list(function.get("Architectures") or ["x86_64"]),
                    "kms_key_arn": function.get("KMSKeyArn") or ABSENT,
                    "last_modified": _last_modified(function.get("LastModified")),
                    "vpc_config": vpc_config,
                    "tracing_config": ABSENT if tracing is None else {"mode": sent(tracing, "Mode")},
                    "environment_variable_names": variable_names,
                    "policy": policy,
                    "vpc_availability_zones": _zones(vpc_config, zones),
                },
            )
        ]
        if is_unknown(policy):
            # The statements could not be read: coverage must not say every permission was seen.
            ctx.unlisted_type("aws_lambda_permission", policy)
        elif isinstance(policy, dict):
            for index, statement in enumerate(policy.get("Statement") or []):
                if not isinstance(statement, Mapping):
                    continue
                sid = str(statement.get("Sid") or index)
                out.append(
                    ctx.resource(
                        "aws_lambda_permission", f"{arn}/{sid}", name=sid, attributes=_permission(statement, name)
                    )
                )
        url = _url(ctx, lam, arn, name)
        if url is not None:
            out.append(url)
        return out

    for resources in ctx.map(describe, functions):
        yield from resources


def _from_terraform(values: dict[str, Any]) -> None:
    """``environment [{variables}]`` -> ``environment_variable_names``: the values are never kept."""
    environment = values.pop("environment", None)
    block = single(environment)
    if block is None:
        values["environment_variable_names"] = []
    elif is_unknown(block):
        values["environment_variable_names"] = block
    else:
        variables = block.get("variables") if isinstance(block, dict) else None
        values["environment_variable_names"] = [] if variables is None else names(variables)


FUNCTION = ResourceType(
    "aws_lambda_function",
    ATTRIBUTES,
    observed_only=("policy", "vpc_availability_zones"),
    name_path="function_name",
    single_blocks=("vpc_config", "tracing_config"),
    from_terraform=_from_terraform,
    drift_ignore=("function_name", "last_modified", "vpc_availability_zones"),
    # GetPolicy and GetFunctionUrlConfig also yield the permissions and the URL (resources of their own), and
    # DescribeSubnets is one call per region, not per function: only the tags are declared.
    sources={"lambda:ListTags": ("tags",)},
)

FUNCTION_URL = ResourceType(
    "aws_lambda_function_url",
    URL_ATTRIBUTES,
    name_path="function_name",
    # "Defaults to BUFFERED" (Terraform AWS provider, aws_lambda_function_url, invoke_mode).
    defaults={"invoke_mode": "BUFFERED"},
    drift_ignore=("function_arn", "function_url"),
)

PERMISSION = ResourceType(
    "aws_lambda_permission",
    PERMISSION_ATTRIBUTES,
    name_path="statement_id",
    drift_ignore=("function_name",),
)

COLLECTORS = (
    Collector(
        name="lambda.functions",
        service="lambda",
        resource_types=(FUNCTION, FUNCTION_URL, PERMISSION),
        calls=(
            "lambda:ListFunctions",
            "lambda:GetPolicy",
            "lambda:ListTags",
            "lambda:GetFunctionUrlConfig",
            "ec2:DescribeSubnets",
        ),
        collect=_functions,
        description=(
            "Every Lambda function in the region ($LATEST), with its resource policy, each statement of that "
            "policy as a permission, and its function URL."
        ),
        notes=(
            "There is no `environment` block: `environment_variable_names` holds the sorted names of the "
            "function's environment variables, and their values, often secrets, are dropped from the "
            "ListFunctions answer as each function is read (the audit role still receives them: "
            "lambda:ListFunctions returns them). `vpc_config` is absent for a function outside a VPC, "
            "`kms_key_arn` when the function uses the AWS managed key, `runtime` and `handler` for container "
            "image functions. `vpc_availability_zones` lists the Availability Zones of the function's subnets "
            "(one DescribeSubnets per region). `last_modified` is converted to UTC ISO 8601. `policy` is the "
            "function's resource policy (GetPolicy), parsed, absent when it has none; each of its statements is "
            'also an `aws_lambda_permission` (id `<function ARN>/<Sid>`) with `principal` `*` for `"*"` or '
            '`{"AWS": "*"}`, and `source_account`, `source_arn`, `principal_org_id` and '
            "`function_url_auth_type` from the conditions Lambda writes for them. `aws_lambda_function_url` is "
            "the unqualified function's URL (GetFunctionUrlConfig; a URL on an alias is not read). moto reports "
            "every function's `vpc_config.vpc_id` as `vpc-123abc`, whatever the subnets."
        ),
    ),
)
