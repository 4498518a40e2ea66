"""SNS: ``aws_sns_topic`` (encryption, access policy, subscribers) and ``aws_sns_topic_subscription``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.policy_document import parse_policy
from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import REMOVE, Fold, ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent, unread
from unify.terraform.values import policy_value

TOPIC_ATTRIBUTES = (
    "name",
    "arn",
    "display_name",
    "kms_master_key_id",
    "policy",
    "fifo_topic",
    # extras only observation can see
    "owner",
    "subscriptions_confirmed",
    "subscriptions_pending",
)

SUBSCRIPTION_ATTRIBUTES = (
    "arn",
    "topic_arn",
    "protocol",
    "endpoint",
    "raw_message_delivery",
    "filter_policy",
    "subscription_role_arn",
    # extras only observation can see
    "owner_id",
    "confirmation_was_authenticated",
)

#: GetTopicAttributes answers every value as a string.
_COUNTS = (("SubscriptionsConfirmed", "subscriptions_confirmed"), ("SubscriptionsPending", "subscriptions_pending"))


def _name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def _topics(ctx: CollectContext) -> Iterator[Resource]:
    sns = ctx.client()
    arns = [t["TopicArn"] for t in ctx.items(sns, "list_topics", "Topics", each=("TopicArn",))]

    def describe(arn: str) -> Resource:
        name = _name(arn)
        read: Any = ctx.detail(
            lambda: ctx.call(sns, "get_topic_attributes", TopicArn=arn, expect=("Attributes",))["Attributes"],
            absent=("NotFound",),
        )
        tags: Any = ctx.detail(
            lambda: ctx.call(sns, "list_tags_for_resource", ResourceArn=arn, expect=("Tags",))["Tags"]
        )
        attributes: dict[str, Any] = {
            "name": name,
            "arn": arn,
            # A FIFO topic's name ends in ".fifo" (SNS API reference, CreateTopic).
            "fifo_topic": name.endswith(".fifo"),
        }
        if unread(read) or read is ABSENT:
            marked = {key: read for key in TOPIC_ATTRIBUTES if key not in attributes}
            return ctx.resource("aws_sns_topic", arn, name=name, tags=tags, attributes={**attributes, **marked})
        attributes.update(
            {
                # The topic's key is sent only when server-side encryption is on (SNS API reference,
                # GetTopicAttributes: KmsMasterKeyId).
                "kms_master_key_id": read.get("KmsMasterKeyId") or ABSENT,
                "display_name": read.get("DisplayName") or ABSENT,
                "policy": parse_policy(read["Policy"]) if "Policy" in read else sent(read, "Policy"),
                "owner": sent(read, "Owner"),
                **{ours: sent(read, theirs, int) for theirs, ours in _COUNTS},
            }
        )
        return ctx.resource("aws_sns_topic", arn, name=name, tags=tags, attributes=attributes)

    yield from ctx.map(describe, arns)


def _flag(value: Any) -> Any:
    return value if is_unknown(value) else str(value).lower() == "true"


def _subscriptions(ctx: CollectContext) -> Iterator[Resource]:
    sns = ctx.client()
    listed = [
        s
        for s in ctx.items(sns, "list_subscriptions", "Subscriptions", each=("SubscriptionArn", "TopicArn", "Protocol"))
        # An unconfirmed subscription has no ARN yet, only "PendingConfirmation" (SNS API reference, Subscription):
        # the topic counts it among `subscriptions_pending`.
        if str(s["SubscriptionArn"]).startswith("arn:")
    ]

    def describe(listing: dict[str, Any]) -> Resource:
        arn = listing["SubscriptionArn"]
        read: Any = ctx.detail(
            lambda: ctx.call(sns, "get_subscription_attributes", SubscriptionArn=arn, expect=("Attributes",))[
                "Attributes"
            ]
        )

        # Not read (a failure, or a skipped call): every attribute of the answer is that marker.
        no_answer = unread(read)

        def attribute(key: str) -> Any:
            return read if no_answer else read.get(key, ABSENT)

        return ctx.resource(
            "aws_sns_topic_subscription",
            arn,
            name=None,
            attributes={
                "arn": arn,
                "topic_arn": listing["TopicArn"],
                "protocol": listing["Protocol"],
                "endpoint": sent(listing, "Endpoint"),
                "owner_id": sent(listing, "Owner"),
                # RawMessageDelivery is sent for the protocols that have it, "false" unless turned on.
                "raw_message_delivery": (
                    read if no_answer else _flag(read["RawMessageDelivery"]) if "RawMessageDelivery" in read else ABSENT
                ),
                "filter_policy": attribute("FilterPolicy"),
                "subscription_role_arn": attribute("SubscriptionRoleArn"),
                "confirmation_was_authenticated": (
                    read if no_answer else _flag(sent(read, "ConfirmationWasAuthenticated"))
                ),
            },
        )

    yield from ctx.map(describe, listed)


def _fold_policy(values: Mapping[str, Any]) -> Any:
    parsed = policy_value(values.get("policy"))
    return REMOVE if parsed is None else parsed


TOPIC = ResourceType(
    "aws_sns_topic",
    TOPIC_ATTRIBUTES,
    # Terraform may write the access policy beside the topic (aws_sns_topic_policy, naming it by ARN).
    folds=(Fold("aws_sns_topic_policy", "policy", _fold_policy, reference="arn", match=("arn",)),),
    observed_only=("owner", "subscriptions_confirmed", "subscriptions_pending"),
    # Provider default (docs of aws_sns_topic).
    defaults={"fifo_topic": False},
    drift_ignore=("arn", "owner", "subscriptions_confirmed", "subscriptions_pending", "policy"),
    # ListTopics gives the ARN (hence name and fifo_topic); the rest is per topic.
    sources={
        "sns:GetTopicAttributes": (
            "display_name",
            "kms_master_key_id",
            "policy",
            "owner",
            "subscriptions_confirmed",
            "subscriptions_pending",
        ),
        "sns:ListTagsForResource": ("tags",),
    },
)

SUBSCRIPTION = ResourceType(
    "aws_sns_topic_subscription",
    SUBSCRIPTION_ATTRIBUTES,
    observed_only=("owner_id", "confirmation_was_authenticated"),
    defaults={"raw_message_delivery": False},
    drift_ignore=("arn", "owner_id", "confirmation_was_authenticated"),
    sources={
        "sns:GetSubscriptionAttributes": (
            "raw_message_delivery",
            "filter_policy",
            "subscription_role_arn",
            "confirmation_was_authenticated",
        ),
    },
)

COLLECTORS = (
    Collector(
        name="sns.topics",
        service="sns",
        resource_types=(TOPIC,),
        calls=("sns:ListTopics", "sns:GetTopicAttributes", "sns:ListTagsForResource"),
        collect=_topics,
        description="Every SNS topic of the region, with its encryption, access policy and subscriber counts.",
        notes=(
            "`policy` is the topic's access policy, parsed (AWS always has one: the default policy lets the "
            "owner account in). `kms_master_key_id` is absent for a topic without server-side encryption. "
            "`fifo_topic` follows the name (FIFO topics end in `.fifo`). `subscriptions_confirmed` and "
            "`subscriptions_pending` are AWS's counts; moto always answers 0 for both."
        ),
    ),
    Collector(
        name="sns.subscriptions",
        service="sns",
        resource_types=(SUBSCRIPTION,),
        calls=("sns:ListSubscriptions", "sns:GetSubscriptionAttributes"),
        collect=_subscriptions,
        description="Every confirmed SNS subscription of the region.",
        notes=(
            "Subscriptions waiting for confirmation have no ARN yet and are not listed as resources (their "
            "topic counts them). A subscription has no name of its own. `endpoint` is kept as sent, with "
            "credentials in a URL redacted. moto confirms every subscription at once."
        ),
    ),
)
