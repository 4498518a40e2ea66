"""CloudTrail: ``aws_cloudtrail``, each trail once in its home region, with logging status and selectors.

An organization trail lives in the management account, yet it is what logs a
member account: seen from a member, it is a shadow trail (DescribeTrails with
``includeShadowTrails``). It is kept, once, in its home region, with
``owner_account`` naming the account that owns it, so "at least one
multi-region trail" holds in a member account whose only trail is the
organization's. The trail's bucket is read for server access logging (CIS
4.4), a fact of another service that only an observation joins to the trail.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.errors import AwsError
from unify.model.resource import Resource, is_unknown, unknown
from unify.model.resource_type import ResourceType
from unify.observe.answers import MALFORMED, require
from unify.observe.collector import ABSENT, NOT_COLLECTED, CollectContext, Collector, sent, unread

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
    "owner_account",
    "s3_bucket_logging",
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
    # ReadWriteType "By default, the value is All"; IncludeManagementEvents "By default, the value is true"
    # (CloudTrail API reference, EventSelector): absence is the documented default.
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


def selectors(answer: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Basic and advanced selectors: a trail uses one kind or the other, so AWS sends one list and not both."""
    if "EventSelectors" not in answer and "AdvancedEventSelectors" not in answer:
        raise AwsError(
            MALFORMED,
            "the answer lacks both 'EventSelectors' and 'AdvancedEventSelectors'",
            "cloudtrail:GetEventSelectors",
        )
    basic = [_event_selector(s) for s in answer.get("EventSelectors") or []]
    advanced = [_advanced_event_selector(s) for s in answer.get("AdvancedEventSelectors") or []]
    return basic, advanced


def _account_of(arn: str) -> str:
    """The account in an ARN (``arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME``)."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def _seen_here(trail: dict[str, Any], ctx: CollectContext) -> bool:
    """Whether this region reports the trail: its home region, or the first observed one when home is not observed.

    With shadow trails, a multi-region trail answers in every region; it is
    reported once, where it lives. When its home region is outside the
    observation, the first observed region reports it, so the trail that logs
    the observed regions is not lost.
    """
    home = trail["HomeRegion"]
    if home == ctx.region:
        return True
    observed = sorted(ctx.regions)
    return bool(observed and home not in observed and ctx.region == observed[0] and trail.get("IsMultiRegionTrail"))


def _bucket_logging(answer: dict[str, Any]) -> Any:
    # "If logging is not enabled, the response has an empty BucketLoggingStatus" (S3 API reference, GetBucketLogging).
    enabled = answer.get("LoggingEnabled")
    if enabled is None:
        return ABSENT
    return {"target_bucket": enabled["TargetBucket"], "target_prefix": enabled["TargetPrefix"]}


def _trails(ctx: CollectContext) -> Iterator[Resource]:
    cloudtrail = ctx.client()
    # Shadow trails included: an organization trail reaches a member account only as one (CloudTrail API
    # reference, DescribeTrails includeShadowTrails). Each trail is then kept once (see _seen_here).
    listed = ctx.call(cloudtrail, "describe_trails", includeShadowTrails=True, expect=("trailList",))["trailList"]
    for trail in listed:
        require(trail, ("Name", "TrailARN", "HomeRegion"), "cloudtrail:DescribeTrails")
    trails = [t for t in listed if _seen_here(t, ctx)]
    s3 = ctx.client("s3")
    arns = [t["TrailARN"] for t in trails]
    tags: dict[str, Any] = {}

    def tag_batch(batch: list[str]) -> None:
        answer: Any = ctx.detail(
            lambda: list(
                ctx.items(cloudtrail, "list_tags", "ResourceTagList", each=("ResourceId",), ResourceIdList=batch)
            )
        )
        if unread(answer):
            tags.update(dict.fromkeys(batch, answer))
            return
        for entry in answer:
            tags[entry["ResourceId"]] = sent(entry, "TagsList")

    def describe(trail: dict[str, Any]) -> Resource:
        arn = trail["TrailARN"]
        status: Any = ctx.detail(lambda: ctx.call(cloudtrail, "get_trail_status", Name=arn, expect=("IsLogging",)))
        logging_on: Any = status
        latest: Any = status
        if status is not NOT_COLLECTED and not is_unknown(status):
            logging_on = bool(status["IsLogging"])
            # LatestDeliveryTime is absent until the trail first delivers.
            latest = status.get("LatestDeliveryTime", ABSENT)
        read: Any = ctx.detail(lambda: selectors(ctx.call(cloudtrail, "get_event_selectors", TrailName=arn)))
        basic, advanced = (read, read) if unread(read) else read
        bucket = trail.get("S3BucketName")
        # A bucket in another account (an organization's log archive) answers AccessDenied: unknown, not "off".
        logging = (
            ctx.detail(lambda: _bucket_logging(ctx.call(s3, "get_bucket_logging", Bucket=bucket))) if bucket else ABSENT
        )
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
                "is_multi_region_trail": sent(trail, "IsMultiRegionTrail", bool),
                "include_global_service_events": sent(trail, "IncludeGlobalServiceEvents", bool),
                "enable_log_file_validation": sent(trail, "LogFileValidationEnabled", bool),
                # A trail without a key, a log group or a role simply lacks the field (CloudTrail API reference).
                "kms_key_id": trail.get("KmsKeyId") or ABSENT,
                "cloud_watch_logs_group_arn": trail.get("CloudWatchLogsLogGroupArn") or ABSENT,
                "cloud_watch_logs_role_arn": trail.get("CloudWatchLogsRoleArn") or ABSENT,
                "is_organization_trail": sent(trail, "IsOrganizationTrail", bool),
                "home_region": trail["HomeRegion"],
                "enable_logging": logging_on,
                "latest_delivery_time": latest,
                "event_selector": basic,
                "event_selectors": basic,
                "advanced_event_selector": advanced,
                "owner_account": _account_of(arn) or unknown(f"{MALFORMED}: TrailARN {arn!r} names no account"),
                "s3_bucket_logging": logging,
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
    observed_only=("latest_delivery_time", "owner_account", "s3_bucket_logging"),
    # DescribeTrails gives the trails and their settings; these calls are made per trail after it (ListTags
    # per batch of 20 trails), and GetBucketLogging on the trail's bucket, in the s3 service.
    sources={
        "cloudtrail:GetTrailStatus": ("enable_logging", "latest_delivery_time"),
        "cloudtrail:GetEventSelectors": ("event_selector", "event_selectors", "advanced_event_selector"),
        "cloudtrail:ListTags": ("tags",),
        "s3:GetBucketLogging": ("s3_bucket_logging",),
    },
    # Provider defaults (docs of aws_cloudtrail).
    defaults={
        "enable_logging": True,
        "include_global_service_events": True,
        "is_multi_region_trail": False,
        "is_organization_trail": False,
        "enable_log_file_validation": False,
    },
    from_terraform=_from_terraform,
    drift_ignore=("name", "home_region", "latest_delivery_time", "owner_account", "s3_bucket_logging"),
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
            "s3:GetBucketLogging",
        ),
        collect=_trails,
        description="Every trail that logs the account (its own and its organization's), once, in its home region.",
        notes=(
            "Trails are described with shadow trails and each is kept once, in its home region (or, when that "
            "region is not observed, in the first observed region the multi-region trail reaches): an "
            "organization trail seen from a member account is a resource of the member, with `owner_account` "
            "naming the management account (its status, selectors and tags may then be unknown, where the "
            "member may not read them). `s3_bucket_logging` is the trail bucket's server access logging "
            "(GetBucketLogging on `s3_bucket_name`; absent when off, unknown when the bucket cannot be read, "
            "as for a bucket in a log-archive account). "
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
