"""Lambda: ``aws_lambda_function``, every function of the region, without its environment's values.

ListFunctions returns each function's environment variables with their
values, which often are secrets. unify keeps the names only: the values are
dropped from the answer as soon as each function is read, and never reach a
resource, a snapshot or a log.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.model.policy_document import parse_policy
from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.model.time import format_timestamp, parse_timestamp
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
)


def _variable_names(function: dict[str, Any]) -> list[str]:
    """The names of the function's environment variables; the values are removed from ``function`` first."""
    environment = function.pop("Environment", None) or {}
    variables = environment.pop("Variables", None) or {}
    names = sorted(variables)
    variables.clear()
    return names


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


def _functions(ctx: CollectContext) -> Iterator[Resource]:
    lam = ctx.client()
    functions = []
    for function in ctx.items(lam, "list_functions", "Functions", each=("FunctionArn", "FunctionName")):
        names = _variable_names(function)  # before anything else holds on to the page
        functions.append((function, names))

    def describe(item: tuple[dict[str, Any], list[str]]) -> Resource:
        function, names = item
        arn = function["FunctionArn"]
        policy: Any = ctx.detail(
            lambda: ctx.call(lam, "get_policy", FunctionName=arn, expect=("Policy",)),
            absent=("ResourceNotFoundException",),
        )
        tags = ctx.detail(lambda: ctx.call(lam, "list_tags", Resource=arn, expect=("Tags",))["Tags"])
        tracing = function.get("TracingConfig")
        return ctx.resource(
            "aws_lambda_function",
            arn,
            name=function["FunctionName"],
            tags=tags,
            attributes={
                "function_name": function["FunctionName"],
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
                "vpc_config": _vpc_config(function.get("VpcConfig")),
                "tracing_config": ABSENT if tracing is None else {"mode": sent(tracing, "Mode")},
                "environment_variable_names": names,
                "policy": policy if policy is ABSENT or is_unknown(policy) else parse_policy(policy["Policy"]),
            },
        )

    yield from ctx.map(describe, functions)


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
    observed_only=("policy",),
    name_path="function_name",
    single_blocks=("vpc_config", "tracing_config"),
    from_terraform=_from_terraform,
    drift_ignore=("function_name", "last_modified"),
)

COLLECTORS = (
    Collector(
        name="lambda.functions",
        service="lambda",
        resource_types=(FUNCTION,),
        calls=("lambda:ListFunctions", "lambda:GetPolicy", "lambda:ListTags"),
        collect=_functions,
        description="Every Lambda function in the region ($LATEST), with its resource policy.",
        notes=(
            "There is no `environment` block: `environment_variable_names` holds the sorted names of the "
            "function's environment variables, and their values, often secrets, are dropped from the "
            "ListFunctions answer as each function is read (the audit role still receives them: "
            "lambda:ListFunctions returns them). `vpc_config` is absent for a function outside a VPC, "
            "`kms_key_arn` when the function uses the AWS managed key, `runtime` and `handler` for container "
            "image functions. `last_modified` is converted to UTC ISO 8601. `policy` is the function's "
            "resource policy (GetPolicy), parsed, absent when it has none. moto reports every function's "
            "`vpc_config.vpc_id` as `vpc-123abc`, whatever the subnets."
        ),
    ),
)
