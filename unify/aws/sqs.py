"""SQS: ``aws_sqs_queue``, every queue of the region with its encryption and access policy."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.policy_document import parse_policy
from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import REMOVE, Fold, ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent
from unify.terraform.values import policy_value

ATTRIBUTES = (
    "name",
    "arn",
    "url",
    "fifo_queue",
    "kms_master_key_id",
    "kms_data_key_reuse_period_seconds",
    "sqs_managed_sse_enabled",
    "policy",
    "redrive_policy",
    "delay_seconds",
    "max_message_size",
    "message_retention_seconds",
    "receive_wait_time_seconds",
    "visibility_timeout_seconds",
)

#: GetQueueAttributes answers every value as a string: (AWS name, Terraform name).
_NUMBERS = (
    ("DelaySeconds", "delay_seconds"),
    ("MaximumMessageSize", "max_message_size"),
    ("MessageRetentionPeriod", "message_retention_seconds"),
    ("ReceiveMessageWaitTimeSeconds", "receive_wait_time_seconds"),
    ("VisibilityTimeout", "visibility_timeout_seconds"),
)


def _number(value: str) -> int:
    return int(value)


def _flag(value: Any) -> bool:
    return str(value).lower() == "true"


def _queues(ctx: CollectContext) -> Iterator[Resource]:
    sqs = ctx.client()
    urls: list[str] = []
    for page in ctx.pages(sqs, "list_queues", MaxResults=1000):
        # SQS leaves QueueUrls out of the answer when the region has no queue, rather than sending an empty list
        # (the service's documented answer shape and its known behaviour: boto/boto3#1813).
        found = page.get("QueueUrls", [])
        urls += [str(url) for url in found]

    def describe(url: str) -> Resource | None:
        read: Any = ctx.detail(
            lambda: ctx.call(
                sqs, "get_queue_attributes", QueueUrl=url, AttributeNames=["All"], expect=("Attributes.QueueArn",)
            )["Attributes"],
            absent=("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"),
        )
        if read is ABSENT:
            return None  # deleted between the listing and now
        name = url.rstrip("/").rsplit("/", 1)[-1]
        # ListQueueTags leaves Tags out for a queue without tags, as ListQueues does for an empty region.
        tags: Any = ctx.detail(lambda: ctx.call(sqs, "list_queue_tags", QueueUrl=url).get("Tags", {}))
        if is_unknown(read):
            unread = dict.fromkeys(ATTRIBUTES, read)
            unread.update(name=name, url=url, fifo_queue=name.endswith(".fifo"))
            return ctx.resource("aws_sqs_queue", ctx.arn("sqs", name), name=name, tags=tags, attributes=unread)
        return ctx.resource(
            "aws_sqs_queue",
            read["QueueArn"],
            name=name,
            tags=tags,
            attributes={
                "name": name,
                "arn": read["QueueArn"],
                "url": url,
                # A FIFO queue's name ends in ".fifo" (SQS API reference, CreateQueue).
                "fifo_queue": name.endswith(".fifo"),
                # KmsMasterKeyId and its reuse period are sent only for a queue encrypted with a KMS key.
                "kms_master_key_id": read.get("KmsMasterKeyId") or ABSENT,
                "kms_data_key_reuse_period_seconds": (
                    _number(read["KmsDataKeyReusePeriodSeconds"]) if "KmsDataKeyReusePeriodSeconds" in read else ABSENT
                ),
                "sqs_managed_sse_enabled": sent(read, "SqsManagedSseEnabled", _flag),
                # Policy and RedrivePolicy are sent only when the queue has them (API reference, GetQueueAttributes).
                "policy": parse_policy(read["Policy"]) if read.get("Policy") else ABSENT,
                "redrive_policy": read.get("RedrivePolicy") or ABSENT,
                **{ours: sent(read, theirs, _number) for theirs, ours in _NUMBERS},
            },
        )

    for resource in ctx.map(describe, urls):
        if resource is not None:
            yield resource


def _fold_policy(values: Mapping[str, Any]) -> Any:
    parsed = policy_value(values.get("policy"))
    return REMOVE if parsed is None else parsed


QUEUE = ResourceType(
    "aws_sqs_queue",
    ATTRIBUTES,
    # GetQueueAttributes is not declared: it gives the ARN, and a queue deleted since the listing is left out.
    sources={"sqs:ListQueueTags": ("tags",)},
    # Terraform may write the access policy beside the queue (aws_sqs_queue_policy, naming it by URL, the
    # queue's Terraform id).
    folds=(Fold("aws_sqs_queue_policy", "policy", _fold_policy, reference="queue_url", match=("id",)),),
    # Provider defaults (docs of aws_sqs_queue).
    defaults={
        "fifo_queue": False,
        "delay_seconds": 0,
        "max_message_size": 262144,
        "message_retention_seconds": 345600,
        "receive_wait_time_seconds": 0,
        "visibility_timeout_seconds": 30,
    },
    drift_ignore=("arn", "url", "kms_data_key_reuse_period_seconds", "max_message_size"),
)

COLLECTORS = (
    Collector(
        name="sqs.queues",
        service="sqs",
        resource_types=(QUEUE,),
        calls=("sqs:ListQueues", "sqs:GetQueueAttributes", "sqs:ListQueueTags"),
        collect=_queues,
        description="Every SQS queue of the region, with its encryption and access policy.",
        notes=(
            "Numbers and flags arrive as strings and are converted. `kms_master_key_id` is absent for a queue "
            "without a KMS key; `sqs_managed_sse_enabled` says whether SQS-owned keys encrypt it; `policy` is "
            "absent when the queue has no access policy. SQS leaves `QueueUrls` out of an empty listing, so an "
            "answer without it is read as no queue. moto reports `max_message_size` as 1 MiB where the "
            "provider's default is 256 KiB."
        ),
    ),
)
