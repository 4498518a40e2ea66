"""Step Functions: ``aws_sfn_state_machine``, every state machine of the region (the stack's orchestrator)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent, unread

ATTRIBUTES = (
    "arn",
    "name",
    "role_arn",
    "type",
    "status",
    "creation_date",
    "logging_configuration",
    "tracing_configuration",
    "encryption_configuration",
)


def _logging(config: dict[str, Any] | None) -> Any:
    if not config:
        return ABSENT
    block: dict[str, Any] = {
        "level": sent(config, "level"),
        "include_execution_data": sent(config, "includeExecutionData", bool),
    }
    # Terraform keeps one destination, the log group ARN; AWS allows only one too.
    for destination in config.get("destinations") or []:
        group = (destination.get("cloudWatchLogsLogGroup") or {}).get("logGroupArn")
        if group:
            block["log_destination"] = group
            break
    return block


def _encryption(config: dict[str, Any] | None) -> Any:
    if not config:
        return ABSENT
    block: dict[str, Any] = {"type": sent(config, "type")}
    if config.get("kmsKeyId"):
        block["kms_key_id"] = config["kmsKeyId"]
    if config.get("kmsDataKeyReusePeriodSeconds") is not None:
        block["kms_data_key_reuse_period_seconds"] = config["kmsDataKeyReusePeriodSeconds"]
    return block


def _state_machines(ctx: CollectContext) -> Iterator[Resource]:
    sfn = ctx.client()
    listed = list(ctx.items(sfn, "list_state_machines", "stateMachines", each=("stateMachineArn", "name")))

    def describe(summary: dict[str, Any]) -> Resource | None:
        arn = summary["stateMachineArn"]
        name = summary["name"]
        machine: Any = ctx.detail(
            lambda: ctx.call(sfn, "describe_state_machine", stateMachineArn=arn), absent=("StateMachineDoesNotExist",)
        )
        if machine is ABSENT:
            return None  # deleted since the listing
        tags = ctx.detail(lambda: ctx.call(sfn, "list_tags_for_resource", resourceArn=arn, expect=("tags",))["tags"])
        if unread(machine):
            attributes: dict[str, Any] = dict.fromkeys(ATTRIBUTES, machine)
            attributes.update(
                arn=arn,
                name=name,
                type=summary.get("type", machine),
                creation_date=summary.get("creationDate", machine),
            )
        else:
            machine.pop("definition", None)  # the workflow itself: may embed parameters, never kept
            tracing = machine.get("tracingConfiguration")
            attributes = {
                "arn": arn,
                "name": name,
                "role_arn": sent(machine, "roleArn"),
                "type": sent(machine, "type"),
                "status": sent(machine, "status"),
                "creation_date": sent(machine, "creationDate"),
                "logging_configuration": _logging(machine.get("loggingConfiguration")),
                "tracing_configuration": ABSENT if tracing is None else {"enabled": sent(tracing, "enabled", bool)},
                "encryption_configuration": _encryption(machine.get("encryptionConfiguration")),
            }
        return ctx.resource("aws_sfn_state_machine", arn, name=name, tags=tags, attributes=attributes)

    for resource in ctx.map(describe, listed):
        if resource is not None:
            yield resource


STATE_MACHINE = ResourceType(
    "aws_sfn_state_machine",
    ATTRIBUTES,
    single_blocks=("logging_configuration", "tracing_configuration", "encryption_configuration"),
    sources={
        # The listing gives arn and name; everything else is the describe's answer.
        "stepfunctions:DescribeStateMachine": tuple(a for a in ATTRIBUTES if a not in ("arn", "name")),
        "stepfunctions:ListTagsForResource": ("tags",),
    },
)

COLLECTORS = (
    Collector(
        name="stepfunctions.state_machines",
        service="stepfunctions",
        resource_types=(STATE_MACHINE,),
        calls=("states:ListStateMachines", "states:DescribeStateMachine", "states:ListTagsForResource"),
        collect=_state_machines,
        description="Every Step Functions state machine in the region, with logging, tracing and encryption.",
        notes=(
            "`logging_configuration` is {level, include_execution_data, log_destination}, where `log_destination` "
            "is the CloudWatch Logs log group ARN (absent when logging has no destination, as with level OFF). "
            "`encryption_configuration` is {type, kms_key_id, kms_data_key_reuse_period_seconds}: type "
            "`AWS_OWNED_KEY` or `CUSTOMER_MANAGED_KMS_KEY`, the key fields only with a customer managed key; it is "
            "absent when AWS does not report it. The state machine's definition is not kept. When "
            "DescribeStateMachine fails the machine stays with `arn`, `name`, `type` and `creation_date` from the "
            "listing and the rest unknown. moto (5.x) implements all three calls."
        ),
    ),
)
