"""RDS event notification subscriptions: ``aws_db_event_subscription``.

A subscription sends the events of one source type (DB instances, clusters,
parameter groups, security groups...) to an SNS topic; with no event
categories it sends every category, and with no source ids every source of
its type (RDS User Guide, "Subscribing to Amazon RDS event notification").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.collector import CollectContext, Collector, sent

ATTRIBUTES = (
    "name",
    "arn",
    "sns_topic",
    "source_type",
    "source_ids",
    "event_categories",
    "enabled",
    # extras only observation can see
    "status",
)


def _subscriptions(ctx: CollectContext) -> Iterator[Resource]:
    rds = ctx.client()
    for sub in ctx.items(
        rds,
        "describe_event_subscriptions",
        "EventSubscriptionsList",
        each=("CustSubscriptionId", "EventSubscriptionArn"),
    ):
        name, arn = sub["CustSubscriptionId"], sub["EventSubscriptionArn"]
        yield ctx.resource(
            "aws_db_event_subscription",
            arn,
            name=name,
            # DescribeEventSubscriptions carries no tags; none are read (the checks do not need them).
            tags=None,
            attributes={
                "name": name,
                "arn": arn,
                "sns_topic": sent(sub, "SnsTopicArn"),
                # A subscription to every source type has none (RDS API reference, EventSubscription.SourceType).
                "source_type": sub.get("SourceType") or "all",
                # Empty lists mean every source and every category (RDS User Guide, event notification).
                "source_ids": sorted(str(i) for i in sub.get("SourceIdsList") or []),
                "event_categories": sorted(str(c) for c in sub.get("EventCategoriesList") or []),
                "enabled": sent(sub, "Enabled", bool),
                "status": sent(sub, "Status"),
            },
        )


def _from_terraform(values: dict[str, Any]) -> None:
    """Sets Terraform keeps unordered, sorted as the collector sorts them; no source type is every source type."""
    for key in ("source_ids", "event_categories"):
        value = values.get(key)
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            values[key] = sorted(value)
    if "source_type" not in values:
        values["source_type"] = "all"


SUBSCRIPTION = ResourceType(
    "aws_db_event_subscription",
    ATTRIBUTES,
    observed_only=("status",),
    # Provider default (docs of aws_db_event_subscription): enabled.
    defaults={"enabled": True},
    from_terraform=_from_terraform,
    drift_ignore=("status",),
)

COLLECTORS = (
    Collector(
        name="rds.event_subscriptions",
        service="rds",
        resource_types=(SUBSCRIPTION,),
        calls=("rds:DescribeEventSubscriptions",),
        collect=_subscriptions,
        description="Every RDS event notification subscription in the region.",
        notes=(
            "From DescribeEventSubscriptions. `source_ids` and `event_categories` are sorted; empty means every "
            "source and every category. `source_type` is `all` for a subscription to every source type (AWS "
            "sends none, Terraform leaves it unset). Tags are not read."
        ),
    ),
)
