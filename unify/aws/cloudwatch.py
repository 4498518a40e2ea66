"""CloudWatch: ``aws_cloudwatch_metric_alarm``, every metric alarm with its actions and what it watches."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

ATTRIBUTES = (
    "alarm_name",
    "arn",
    "alarm_description",
    "actions_enabled",
    "alarm_actions",
    "ok_actions",
    "insufficient_data_actions",
    "metric_name",
    "namespace",
    "statistic",
    "period",
    "evaluation_periods",
    "threshold",
    "comparison_operator",
    "treat_missing_data",
    "dimensions",
    # extras only observation can see
    "state_value",
)

#: Action lists: sets in Terraform, sorted here and in plans alike.
_ACTIONS = ("alarm_actions", "ok_actions", "insufficient_data_actions")


def _dimensions(alarm: dict[str, Any]) -> Any:
    dimensions = alarm.get("Dimensions")
    if not dimensions:
        return ABSENT  # an alarm on a metric-math query, or a metric without dimensions
    return {str(d.get("Name")): d.get("Value") for d in dimensions}


def _alarms(ctx: CollectContext) -> Iterator[Resource]:
    cloudwatch = ctx.client()
    alarms = list(ctx.items(cloudwatch, "describe_alarms", "MetricAlarms", each=("AlarmName", "AlarmArn")))

    def describe(alarm: dict[str, Any]) -> Resource:
        arn = alarm["AlarmArn"]
        tags: Any = ctx.detail(
            lambda: ctx.call(cloudwatch, "list_tags_for_resource", ResourceARN=arn, expect=("Tags",))["Tags"]
        )
        return ctx.resource(
            "aws_cloudwatch_metric_alarm",
            arn,
            name=alarm["AlarmName"],
            tags=tags,
            attributes={
                "alarm_name": alarm["AlarmName"],
                "arn": arn,
                "alarm_description": alarm.get("AlarmDescription") or ABSENT,
                "actions_enabled": sent(alarm, "ActionsEnabled", bool),
                "alarm_actions": sent(alarm, "AlarmActions", sorted),
                "ok_actions": sent(alarm, "OKActions", sorted),
                "insufficient_data_actions": sent(alarm, "InsufficientDataActions", sorted),
                # An alarm on a metric-math query has Metrics instead of these (CloudWatch API reference, MetricAlarm).
                "metric_name": alarm.get("MetricName", ABSENT),
                "namespace": alarm.get("Namespace", ABSENT),
                "statistic": alarm.get("Statistic", ABSENT),
                "period": alarm.get("Period", ABSENT),
                "evaluation_periods": sent(alarm, "EvaluationPeriods"),
                # An anomaly-detection alarm compares with a band (ThresholdMetricId), not a Threshold.
                "threshold": alarm.get("Threshold", ABSENT),
                "comparison_operator": sent(alarm, "ComparisonOperator"),
                "treat_missing_data": alarm.get("TreatMissingData", ABSENT),
                "dimensions": _dimensions(alarm),
                "state_value": sent(alarm, "StateValue"),
            },
        )

    yield from ctx.map(describe, alarms)


def _from_terraform(values: dict[str, Any]) -> None:
    for key in _ACTIONS:
        if isinstance(values.get(key), list):
            values[key] = sorted(values[key], key=str)


ALARM = ResourceType(
    "aws_cloudwatch_metric_alarm",
    ATTRIBUTES,
    observed_only=("state_value",),
    name_path="alarm_name",
    # Provider defaults (docs of aws_cloudwatch_metric_alarm).
    defaults={
        "actions_enabled": True,
        "alarm_actions": [],
        "ok_actions": [],
        "insufficient_data_actions": [],
        "treat_missing_data": "missing",
    },
    from_terraform=_from_terraform,
    drift_ignore=("arn", "state_value", "treat_missing_data"),
    sources={"cloudwatch:ListTagsForResource": ("tags",)},
)

COLLECTORS = (
    Collector(
        name="cloudwatch.metric_alarms",
        service="cloudwatch",
        resource_types=(ALARM,),
        calls=("cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
        collect=_alarms,
        description="Every CloudWatch metric alarm of the region, with its actions.",
        notes=(
            "Metric alarms only: composite alarms are another Terraform type (`aws_cloudwatch_composite_alarm`) "
            "and are not observed. The three action lists are sorted; `dimensions` is a mapping, as in "
            "Terraform, absent for an alarm on a metric-math query (whose `metric_name` and `namespace` are "
            "absent too). `treat_missing_data` is absent when AWS sends none (its default, `missing`, applies)."
        ),
    ),
)
