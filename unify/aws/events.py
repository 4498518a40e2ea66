"""EventBridge: ``aws_cloudwatch_event_bus`` (with its resource policy folded in) and ``aws_cloudwatch_event_rule``.

Terraform writes a bus's resource policy as ``aws_cloudwatch_event_bus_policy``
beside the bus; an observation sees one bus with a ``policy``. The policy is
folded into the bus, so "custom buses have a resource policy" reads the same
from a plan and from AWS.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.policy_document import parse_policy
from unify.model.resource import Resource
from unify.model.resource_type import REMOVE, Fold, ResourceType
from unify.observe.answers import require
from unify.observe.collector import ABSENT, CollectContext, Collector, sent, unread
from unify.terraform.values import policy_value

BUS_ATTRIBUTES = (
    "name",
    "arn",
    "description",
    "kms_key_identifier",
    "policy",
)

RULE_ATTRIBUTES = (
    "name",
    "arn",
    "event_bus_name",
    "description",
    "event_pattern",
    "schedule_expression",
    "state",
    "role_arn",
)

#: Every account and region has this bus; it is AWS's, not the account's.
DEFAULT_BUS = "default"


def _list_buses(ctx: CollectContext, events: Any) -> list[dict[str, Any]]:
    """Every bus, page by page: botocore has no paginator for ListEventBuses, so NextToken is followed here."""
    buses: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = ctx.call(events, "list_event_buses", expect=("EventBuses",), **({"NextToken": token} if token else {}))
        for bus in page["EventBuses"]:
            require(bus, ("Name", "Arn"), "events:ListEventBuses")
            buses.append(bus)
        token = page.get("NextToken")  # absent on the last page (EventBridge API reference, ListEventBuses)
        if not token:
            return buses


def _tags(ctx: CollectContext, events: Any, arn: str) -> Any:
    return ctx.detail(lambda: ctx.call(events, "list_tags_for_resource", ResourceARN=arn, expect=("Tags",))["Tags"])


def _buses(ctx: CollectContext) -> Iterator[Resource]:
    events = ctx.client()
    buses = _list_buses(ctx, events)

    def describe(bus: dict[str, Any]) -> Resource:
        name, arn = bus["Name"], bus["Arn"]
        read: Any = ctx.detail(lambda: ctx.call(events, "describe_event_bus", Name=name, expect=("Arn",)))
        if unread(read):
            policy: Any = read
            description: Any = read
            key: Any = read
        else:
            # Policy, Description and KmsKeyIdentifier are sent only when the bus has them (EventBridge API
            # reference, DescribeEventBus).
            policy = parse_policy(read["Policy"]) if read.get("Policy") else ABSENT
            description = read.get("Description") or ABSENT
            key = read.get("KmsKeyIdentifier") or ABSENT
        return ctx.resource(
            "aws_cloudwatch_event_bus",
            arn,
            name=name,
            tags=_tags(ctx, events, arn),
            attributes={
                "name": name,
                "arn": arn,
                "description": description,
                "kms_key_identifier": key,
                "policy": policy,
            },
        )

    yield from ctx.map(describe, buses)


def _rules(ctx: CollectContext) -> Iterator[Resource]:
    events = ctx.client()
    buses = [b["Name"] for b in _list_buses(ctx, events)]
    rules = [
        rule
        for bus in buses
        for rule in ctx.items(events, "list_rules", "Rules", each=("Name", "Arn"), EventBusName=bus)
    ]

    def describe(rule: dict[str, Any]) -> Resource:
        arn = rule["Arn"]
        return ctx.resource(
            "aws_cloudwatch_event_rule",
            arn,
            name=rule["Name"],
            tags=_tags(ctx, events, arn),
            attributes={
                "name": rule["Name"],
                "arn": arn,
                "event_bus_name": sent(rule, "EventBusName"),
                # A rule has a pattern, a schedule or both; what it lacks is not sent (API reference, Rule).
                "description": rule.get("Description") or ABSENT,
                "event_pattern": rule.get("EventPattern") or ABSENT,
                "schedule_expression": rule.get("ScheduleExpression") or ABSENT,
                "state": sent(rule, "State"),
                "role_arn": rule.get("RoleArn") or ABSENT,
            },
        )

    yield from ctx.map(describe, rules)


def _fold_policy(values: Mapping[str, Any]) -> Any:
    parsed = policy_value(values.get("policy"))
    return REMOVE if parsed is None else parsed


def _rule_from_terraform(values: dict[str, Any]) -> None:
    # Provider v5 writes `is_enabled`; `state` replaced it. Both say whether the rule runs.
    if "state" not in values and isinstance(values.get("is_enabled"), bool):
        values["state"] = "ENABLED" if values["is_enabled"] else "DISABLED"


BUS = ResourceType(
    "aws_cloudwatch_event_bus",
    BUS_ATTRIBUTES,
    folds=(Fold("aws_cloudwatch_event_bus_policy", "policy", _fold_policy, reference="event_bus_name"),),
    drift_ignore=("arn",),
    made_by_aws=(("name", DEFAULT_BUS),),
    sources={
        "events:DescribeEventBus": ("description", "kms_key_identifier", "policy"),
        "events:ListTagsForResource": ("tags",),
    },
)

RULE = ResourceType(
    "aws_cloudwatch_event_rule",
    RULE_ATTRIBUTES,
    # Provider defaults (docs of aws_cloudwatch_event_rule).
    defaults={"event_bus_name": DEFAULT_BUS},
    from_terraform=_rule_from_terraform,
    drift_ignore=("arn",),
    # ListRules, per bus, lists the rules themselves: not a source.
    sources={"events:ListTagsForResource": ("tags",)},
)

COLLECTORS = (
    Collector(
        name="events.buses",
        service="events",
        resource_types=(BUS,),
        calls=("events:ListEventBuses", "events:DescribeEventBus", "events:ListTagsForResource"),
        collect=_buses,
        description="Every EventBridge event bus of the region, the default bus included, with its policy.",
        notes=(
            "`policy` is the bus's resource-based policy, parsed, absent when it has none (Terraform's "
            "`aws_cloudwatch_event_bus_policy` is folded into the bus). The `default` bus is AWS's own "
            "and never unmanaged."
        ),
    ),
    Collector(
        name="events.rules",
        service="events",
        resource_types=(RULE,),
        calls=("events:ListEventBuses", "events:ListRules", "events:ListTagsForResource"),
        collect=_rules,
        description="Every EventBridge rule of the region, on every bus.",
        notes="`event_pattern` is kept as the JSON text AWS sends; `state` is ENABLED or DISABLED.",
    ),
)
