"""CloudWatch Logs: ``aws_cloudwatch_log_group`` and ``aws_cloudwatch_log_metric_filter``.

CIS section 5 (5.1-5.15, Security Hub's CloudWatch.1-14) asks, for each of
fifteen event patterns, for a metric filter on the log group a logging
multi-region trail delivers to, an alarm on the filter's metric, and an SNS
topic with a subscriber behind the alarm. That is a join over four services,
and the check language has none: it reads one resource at a time and counts
per account. So the collector makes the join an observed fact of each filter:
``trails`` are the trails (shadow trails included) that deliver to the
filter's log group, with the facts CIS asks of them, and ``alarms`` are the
metric alarms on the filter's metric, each with its actions and the SNS topics
among them with their confirmed subscriptions. The patterns themselves stay in
the policy files, as aggregates over filters ("at least one filter in the
account matches, on a trail that logs, with an alarm that notifies").
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from unify.aws.cloudtrail import selectors
from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.answers import require
from unify.observe.collector import ABSENT, CollectContext, Collector, sent, unread

GROUP_ATTRIBUTES = (
    "name",
    "arn",
    "retention_in_days",
    "kms_key_id",
    # extras only observation can see
    "creation_time",
)

FILTER_ATTRIBUTES = (
    "name",
    "log_group_name",
    "pattern",
    "metric_transformation",
    # extras only observation can see: the join CIS section 5 asks for
    "trails",
    "alarms",
)

_TRANSFORMATION = (
    ("metricName", "name"),
    ("metricNamespace", "namespace"),
    ("metricValue", "value"),
)
_OPTIONAL_TRANSFORMATION = (("defaultValue", "default_value"), ("unit", "unit"), ("dimensions", "dimensions"))


def group_arn(arn: str) -> str:
    """A log group's ARN without the ``:*`` DescribeLogGroups and CloudTrail append (Terraform's ``arn``)."""
    return arn.removesuffix(":*")


def _log_groups(ctx: CollectContext) -> Iterator[Resource]:
    logs = ctx.client()
    groups = list(ctx.items(logs, "describe_log_groups", "logGroups", each=("logGroupName", "arn")))

    def describe(group: dict[str, Any]) -> Resource:
        name = group["logGroupName"]
        arn = group_arn(group["arn"])
        tags: Any = ctx.detail(
            lambda: ctx.call(logs, "list_tags_for_resource", resourceArn=arn, expect=("tags",))["tags"]
        )
        return ctx.resource(
            "aws_cloudwatch_log_group",
            arn,
            name=name,
            tags=tags,
            attributes={
                "name": name,
                "arn": arn,
                # "If you omit retentionInDays ... the events in the log group are always retained and never
                # expire" (CloudWatch Logs API reference, PutRetentionPolicy); Terraform writes that as 0.
                "retention_in_days": group.get("retentionInDays", 0),
                # kmsKeyId is sent only for a group encrypted with a KMS key (API reference, LogGroup).
                "kms_key_id": group.get("kmsKeyId") or ABSENT,
                "creation_time": group.get("creationTime", ABSENT),
            },
        )

    yield from ctx.map(describe, groups)


def _transformation(filter_: dict[str, Any]) -> Any:
    transformations = filter_["metricTransformations"]
    if not transformations:
        return ABSENT
    first = transformations[0]
    require(first, tuple(theirs for theirs, _ in _TRANSFORMATION), "logs:DescribeMetricFilters")
    block = {ours: first[theirs] for theirs, ours in _TRANSFORMATION}
    block.update({ours: first[theirs] for theirs, ours in _OPTIONAL_TRANSFORMATION if theirs in first})
    return block


def _trails_by_group(ctx: CollectContext) -> dict[str, list[dict[str, Any]]]:
    """The trails that deliver to each log group of this region, with what CIS asks of them."""
    cloudtrail = ctx.client("cloudtrail")
    listed = ctx.call(cloudtrail, "describe_trails", includeShadowTrails=True, expect=("trailList",))["trailList"]
    delivering = []
    for trail in listed:
        require(trail, ("Name", "TrailARN"), "cloudtrail:DescribeTrails")
        # A trail without CloudWatch Logs delivery simply lacks the field (CloudTrail API reference, Trail).
        target = trail.get("CloudWatchLogsLogGroupArn")
        if target:
            delivering.append((group_arn(target), trail))

    def facts(item: tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
        target, trail = item
        arn = trail["TrailARN"]
        status: Any = ctx.detail(lambda: ctx.call(cloudtrail, "get_trail_status", Name=arn, expect=("IsLogging",)))
        read: Any = ctx.detail(lambda: selectors(ctx.call(cloudtrail, "get_event_selectors", TrailName=arn)))
        # A skipped call (NOT_COLLECTED) stays so: the filter's `trails` is then not collected as a whole.
        basic, advanced = (read, read) if unread(read) else read
        return target, {
            "name": trail["Name"],
            "arn": arn,
            "is_multi_region_trail": sent(trail, "IsMultiRegionTrail", bool),
            "enable_logging": status if unread(status) else bool(status["IsLogging"]),
            "event_selectors": basic,
            "advanced_event_selector": advanced,
        }

    found: dict[str, list[dict[str, Any]]] = {}
    for target, item in ctx.map(facts, delivering):
        found.setdefault(target, []).append(item)
    return found


def _metric_keys(alarm: dict[str, Any]) -> set[tuple[str, str]]:
    """The metrics an alarm watches: its own, or those of its metric-math query."""
    keys = set()
    if alarm.get("MetricName") and alarm.get("Namespace"):
        keys.add((str(alarm["Namespace"]), str(alarm["MetricName"])))
    for query in alarm.get("Metrics") or []:
        metric = (query.get("MetricStat") or {}).get("Metric") or {}
        if metric.get("MetricName") and metric.get("Namespace"):
            keys.add((str(metric["Namespace"]), str(metric["MetricName"])))
    return keys


def _is_topic(arn: Any) -> bool:
    return isinstance(arn, str) and arn.split(":")[2:3] == ["sns"]


def _alarms_by_metric(ctx: CollectContext) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The metric alarms of this region by (namespace, metric), each with the SNS topics it notifies."""
    cloudwatch = ctx.client("cloudwatch")
    alarms = list(ctx.items(cloudwatch, "describe_alarms", "MetricAlarms", each=("AlarmName", "AlarmArn")))
    topics = sorted({a for alarm in alarms for a in alarm.get("AlarmActions") or [] if _is_topic(a)})
    sns = ctx.client("sns")

    def confirmed(topic: str) -> Any:
        def count() -> int:
            subscriptions = ctx.items(sns, "list_subscriptions_by_topic", "Subscriptions", TopicArn=topic)
            # An unconfirmed subscription's ARN is "PendingConfirmation" (SNS API reference, Subscription).
            return sum(1 for s in subscriptions if str(s.get("SubscriptionArn", "")).startswith("arn:"))

        return ctx.detail(count)

    counts = dict(zip(topics, ctx.map(confirmed, topics), strict=True))
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for alarm in alarms:
        actions = sent(alarm, "AlarmActions", sorted)
        item = {
            "alarm_name": alarm["AlarmName"],
            "arn": alarm["AlarmArn"],
            "actions_enabled": sent(alarm, "ActionsEnabled", bool),
            "alarm_actions": actions,
            "topics": [
                {"arn": topic, "confirmed_subscriptions": counts[topic]}
                for topic in (actions if isinstance(actions, list) else [])
                if _is_topic(topic)
            ],
        }
        for key in sorted(_metric_keys(alarm)):
            found.setdefault(key, []).append(item)
    return found


def _metric_filters(ctx: CollectContext) -> Iterator[Resource]:
    logs = ctx.client()
    filters = list(
        ctx.items(
            logs,
            "describe_metric_filters",
            "metricFilters",
            each=("filterName", "logGroupName", "filterPattern", "metricTransformations"),
        )
    )
    if not filters:
        return
    trails: Any = ctx.detail(lambda: _trails_by_group(ctx))
    alarms: Any = ctx.detail(lambda: _alarms_by_metric(ctx))
    for filter_ in sorted(filters, key=lambda f: (str(f["logGroupName"]), str(f["filterName"]))):
        name, group = filter_["filterName"], filter_["logGroupName"]
        transformation: Any = ctx.detail(partial(_transformation, filter_))
        metric = (
            (transformation["namespace"], transformation["name"])
            if isinstance(transformation, dict) and not is_unknown(transformation)
            else None
        )
        yield ctx.resource(
            "aws_cloudwatch_log_metric_filter",
            f"log-group:{group}/metric-filter:{name}",
            name=name,
            attributes={
                "name": name,
                "log_group_name": group,
                "pattern": filter_["filterPattern"],
                "metric_transformation": transformation,
                "trails": trails if is_unknown(trails) else trails.get(ctx.arn("logs", f"log-group:{group}"), []),
                "alarms": alarms if is_unknown(alarms) else alarms.get(metric, []) if metric else [],
            },
        )


LOG_GROUP = ResourceType(
    "aws_cloudwatch_log_group",
    GROUP_ATTRIBUTES,
    observed_only=("creation_time",),
    # Provider default (docs of aws_cloudwatch_log_group): 0, events never expire.
    defaults={"retention_in_days": 0},
    drift_ignore=("arn", "creation_time"),
    sources={"logs:ListTagsForResource": ("tags",)},
)

METRIC_FILTER = ResourceType(
    "aws_cloudwatch_log_metric_filter",
    FILTER_ATTRIBUTES,
    observed_only=("trails", "alarms"),
    single_blocks=("metric_transformation",),
    drift_ignore=("trails", "alarms"),
    # The join's calls per trail and per topic. DescribeTrails and DescribeAlarms, once per region, are not
    # sources: they list the trails and alarms (the listings of their own collectors).
    sources={
        "cloudtrail:GetTrailStatus": ("trails",),
        "cloudtrail:GetEventSelectors": ("trails",),
        "sns:ListSubscriptionsByTopic": ("alarms",),
    },
)

COLLECTORS = (
    Collector(
        name="logs.log_groups",
        service="logs",
        resource_types=(LOG_GROUP,),
        calls=("logs:DescribeLogGroups", "logs:ListTagsForResource"),
        collect=_log_groups,
        description="Every CloudWatch Logs log group of the region, with retention and encryption.",
        notes=(
            "`arn` is the group's ARN without the `:*` suffix DescribeLogGroups adds (Terraform's `arn`). "
            "`retention_in_days` is 0 when the group keeps events forever (AWS sends no retention then), "
            "as Terraform writes it; `kms_key_id` is absent for a group without a KMS key."
        ),
    ),
    Collector(
        name="logs.metric_filters",
        service="logs",
        resource_types=(METRIC_FILTER,),
        calls=(
            "logs:DescribeMetricFilters",
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetTrailStatus",
            "cloudtrail:GetEventSelectors",
            "cloudwatch:DescribeAlarms",
            "sns:ListSubscriptionsByTopic",
        ),
        collect=_metric_filters,
        description="Every metric filter of the region, joined to the trails that feed it and the alarms on it.",
        notes=(
            "The join CIS section 5 asks for is made here and kept as observed facts of each filter, since "
            "the check language reads one resource at a time: `trails` lists the trails (shadow trails "
            "included) whose CloudWatch Logs group is the filter's, each with `is_multi_region_trail`, "
            "`enable_logging`, `event_selectors` and `advanced_event_selector` as the trail resources have them; "
            "`alarms` lists the metric alarms on the filter's metric (its own or in a metric-math query), "
            "each with `actions_enabled`, `alarm_actions` and `topics` (the SNS topics among the actions, "
            "each with `confirmed_subscriptions`, pending ones not counted). A failed join call makes the "
            "attribute unknown for every filter of the region; a topic in another account that cannot be "
            "read makes its count unknown. Only the first metric transformation is kept (AWS allows one). "
            "moto confirms every subscription at once."
        ),
    ),
)
