"""Kinesis Data Streams: ``aws_kinesis_stream``, every stream of the region with its encryption and retention."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

ATTRIBUTES = (
    "name",
    "arn",
    "shard_count",
    "retention_period",
    "encryption_type",
    "kms_key_id",
    "stream_mode_details",
    # extras only observation can see
    "stream_status",
)


def _streams(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    listed = list(ctx.items(client, "list_streams", "StreamNames"))

    def describe(name: str) -> Resource | None:
        answer: Any = ctx.detail(
            lambda: ctx.call(
                client,
                "describe_stream_summary",
                StreamName=name,
                expect=("StreamDescriptionSummary.StreamARN", "StreamDescriptionSummary.RetentionPeriodHours"),
            )["StreamDescriptionSummary"],
            absent=("ResourceNotFoundException",),
        )
        if answer is ABSENT:
            return None  # deleted since the listing
        arn = ctx.arn("kinesis", f"stream/{name}") if is_unknown(answer) else answer["StreamARN"]
        tags = ctx.detail(lambda: ctx.call(client, "list_tags_for_stream", StreamName=name, expect=("Tags",))["Tags"])
        if is_unknown(answer):
            attributes = dict.fromkeys(ATTRIBUTES, answer) | {"name": name, "arn": arn}
        else:
            mode = (answer.get("StreamModeDetails") or {}).get("StreamMode") or "PROVISIONED"
            attributes = {
                "name": name,
                "arn": arn,
                # An on-demand stream has no shard count to set (Terraform AWS provider, aws_kinesis_stream).
                "shard_count": answer.get("OpenShardCount", ABSENT) if mode == "PROVISIONED" else ABSENT,
                "retention_period": answer["RetentionPeriodHours"],
                "encryption_type": sent(answer, "EncryptionType"),
                "kms_key_id": answer.get("KeyId") or ABSENT,
                "stream_mode_details": {"stream_mode": mode},
                "stream_status": sent(answer, "StreamStatus"),
            }
        return ctx.resource("aws_kinesis_stream", arn, name=name, tags=tags, attributes=attributes)

    for resource in ctx.map(describe, listed):
        if resource is not None:
            yield resource


STREAM = ResourceType(
    "aws_kinesis_stream",
    ATTRIBUTES,
    observed_only=("stream_status",),
    # DescribeStreamSummary is not declared: it gives the ARN, and a stream deleted since the listing is left out.
    sources={"kinesis:ListTagsForStream": ("tags",)},
    single_blocks=("stream_mode_details",),
    # "retention_period ... Defaults to 24", "encryption_type ... Default is NONE" (Terraform AWS provider,
    # aws_kinesis_stream).
    defaults={"retention_period": 24, "encryption_type": "NONE"},
    drift_ignore=("stream_status", "shard_count"),
)

COLLECTORS = (
    Collector(
        name="kinesis.streams",
        service="kinesis",
        resource_types=(STREAM,),
        calls=("kinesis:ListStreams", "kinesis:DescribeStreamSummary", "kinesis:ListTagsForStream"),
        collect=_streams,
        description="Every Kinesis data stream in the region, with its encryption and retention period.",
        notes=(
            "`retention_period` is in hours (RetentionPeriodHours). `encryption_type` is `KMS` or `NONE`, "
            "`kms_key_id` the key (an alias or ARN, as set). `shard_count` is the open shard count of a "
            "provisioned stream, absent for on-demand streams. Tags come from ListTagsForStream (first page, "
            "up to 50 tags)."
        ),
    ),
)
