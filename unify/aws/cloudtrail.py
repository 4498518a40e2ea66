"""CloudTrail: ``aws_cloudtrail``, each trail once in its home region, with logging status and selectors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector

ATTRIBUTES = (
    "name",
    "arn",
    "s3_bucket_name",
    "s3_key_prefix",
    "sns_topic_name",
    "is_multi_region_trail",
    "include_global_service_events",
    "enable_log_file_validation",
    "kms_key_id",
    "cloud_watch_logs_group_arn",
    "cloud_watch_logs_role_arn",
    "is_organization_trail",
    "home_region",
    "event_selector",
    "advanced_event_selector",
    # extras only observation can see
    "enable_logging",
    "latest_delivery_time",
    "event_selectors",
)

#: ListTags takes at most 20 trail ARNs per request.
_TAGS_BATCH = 20

_FIELD_OPERATORS = (
    ("equals", "Equals"),
    ("not_equals", "NotEquals"),
    ("starts_with", "StartsWith"),
    ("not_starts_with", "NotStartsWith"),
    ("ends_with", "EndsWith"),
    ("not_ends_with", "NotEndsWith"),
)


def _event_selector(selector: dict[str, Any]) -> dict[str, Any]:
    return {
        "read_write_type": selector.get("ReadWriteType", "All"),
        "include_management_events": bool(selector.get("IncludeManagementEvents", True)),
        "exclude_management_event_sources": list(selector.get("ExcludeManagementEventSources") or []),
        "data_resource": [
            {"type": r.get("Type"), "values": list(r.get("Values") or [])} for r in selector.get("DataResources") or []
        ],
    }


def _advanced_event_selector(selector: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": selector.get("Name", ""),
        "field_selector": [
            {"field": field.get("Field"), **{ours: list(field.get(theirs) or []) for ours, theirs in _FIELD_OPERATORS}}
            for field in selector.get("FieldSelectors") or []
        ],
    }


def _trails(ctx: CollectContext) -> Iterator[Resource]:
    cloudtrail = ctx.client()
    # Without shadow trails each trail appears once, in the region it was made in.
    trails = [
        t
        for t in ctx.call(cloudtrail, "describe_trails", includeShadowTrails=False).get("trailList", [])
        if t.get("HomeRegion", ctx.region) == ctx.region
    ]
    arns = [t["TrailARN"] for t in trails]
    tags: dict[str, Any] = {}

    def tag_batch(batch: list[str]) -> None:
        answer: Any = ctx.detail(
            lambda: list(ctx.items(cloudtrail, "list_tags", "ResourceTagList", ResourceIdList=batch))
        )
        if is_unknown(answer):
            tags.update(dict.fromkeys(batch, answer))
            return
        for entry in answer:
            tags[entry["ResourceId"]] = entry.get("TagsList", [])

    def describe(trail: dict[str, Any]) -> Resource:
        arn = trail["TrailARN"]
        status: Any = ctx.detail(lambda: ctx.call(cloudtrail, "get_trail_status", Name=arn))
        selectors: Any = ctx.detail(lambda: ctx.call(cloudtrail, "get_event_selectors", TrailName=arn))
        if is_unknown(selectors):
            basic: Any = selectors
            advanced: Any = selectors
        else:
            basic = [_event_selector(s) for s in selectors.get("EventSelectors") or []]
            advanced = [_advanced_event_selector(s) for s in selectors.get("AdvancedEventSelectors") or []]
        return ctx.resource(
            "aws_cloudtrail",
            arn,
            name=trail["Name"],
            tags=tags.get(arn, []),
            attributes={
                "name": trail["Name"],
                "arn": arn,
                "s3_bucket_name": trail.get("S3BucketName", ABSENT),
                "s3_key_prefix": trail.get("S3KeyPrefix", ABSENT),
                "sns_topic_name": trail.get("SnsTopicName", ABSENT),
                "is_multi_region_trail": bool(trail.get("IsMultiRegionTrail", False)),
                "include_global_service_events": bool(trail.get("IncludeGlobalServiceEvents", False)),
                "enable_log_file_validation": bool(trail.get("LogFileValidationEnabled", False)),
                "kms_key_id": trail.get("KmsKeyId") or ABSENT,
                "cloud_watch_logs_group_arn": trail.get("CloudWatchLogsLogGroupArn") or ABSENT,
                "cloud_watch_logs_role_arn": trail.get("CloudWatchLogsRoleArn") or ABSENT,
                "is_organization_trail": bool(trail.get("IsOrganizationTrail", False)),
                "home_region": trail.get("HomeRegion", ctx.region),
                "enable_logging": status if is_unknown(status) else bool(status.get("IsLogging")),
                "latest_delivery_time": status if is_unknown(status) else status.get("LatestDeliveryTime", ABSENT),
                "event_selector": basic,
                "event_selectors": basic,
                "advanced_event_selector": advanced,
            },
        )

    ctx.map(tag_batch, [arns[i : i + _TAGS_BATCH] for i in range(0, len(arns), _TAGS_BATCH)])
    yield from ctx.map(describe, trails)


def _from_terraform(values: dict[str, Any]) -> None:
    if "event_selector" in values:
        values["event_selectors"] = values["event_selector"]


TRAIL = ResourceType(
    "aws_cloudtrail",
    ATTRIBUTES,
    observed_only=("latest_delivery_time",),
    from_terraform=_from_terraform,
    drift_ignore=("name", "home_region", "latest_delivery_time"),
)

COLLECTORS = (
    Collector(
        name="cloudtrail.trails",
        service="cloudtrail",
        resource_types=(TRAIL,),
        calls=(
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetTrailStatus",
            "cloudtrail:GetEventSelectors",
            "cloudtrail:ListTags",
        ),
        collect=_trails,
        description="Every trail of the account, once, in its home region.",
        notes=(
            "Trails are described without shadow trails, so a multi-region trail appears once, in its home "
            "region; an organization trail made in the management account appears only in that account. "
            "`enable_logging` and `latest_delivery_time` come from GetTrailStatus. `event_selector` "
            "(Terraform's name) and `event_selectors` (the name checks use) hold the same list, and "
            "`advanced_event_selector` is an empty list when there are none; every field selector carries all "
            "six operator lists, empty when unused. Optional settings (`s3_key_prefix`, `sns_topic_name`, "
            "`kms_key_id`, the CloudWatch Logs ARNs) are absent when not set. moto answers GetEventSelectors "
            "with no selectors for a trail that never had them put (AWS returns its default selector for all "
            "management events) and its status timestamps are synthetic."
        ),
    ),
)
