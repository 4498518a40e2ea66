"""KMS keys: ``aws_kms_key``, with manager, spec, state, rotation and aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.model.policy_document import parse_policy
from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

ATTRIBUTES = (
    "arn",
    "key_id",
    "description",
    "key_usage",
    "customer_master_key_spec",
    "is_enabled",
    "enable_key_rotation",
    "rotation_period_in_days",
    "multi_region",
    "policy",
    # extras only observation can see
    "key_manager",
    "key_state",
    "origin",
    "creation_date",
    "deletion_date",
    "aliases",
)


#: What DescribeKey must say of a key for the collector to place and judge it.
_KEY_FIELDS = tuple(f"KeyMetadata.{key}" for key in ("KeyId", "Arn", "KeyState", "KeyManager", "Enabled"))


def _keys(ctx: CollectContext) -> Iterator[Resource]:
    kms = ctx.client()
    aliases: dict[str, list[str]] = {}
    for alias in ctx.items(kms, "list_aliases", "Aliases", each=("AliasName",)):
        if alias.get("TargetKeyId"):  # an alias may point at no key (KMS API reference, AliasListEntry)
            aliases.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
    key_ids = [key["KeyId"] for key in ctx.items(kms, "list_keys", "Keys", each=("KeyId",))]

    def describe(key_id: str) -> Resource | None:
        meta = ctx.detail(
            lambda: ctx.call(kms, "describe_key", KeyId=key_id, expect=_KEY_FIELDS)["KeyMetadata"],
            absent=("NotFoundException",),
        )
        if meta is ABSENT:
            return None  # deleted between the listing and now
        if not isinstance(meta, dict) or is_unknown(meta):
            # Nothing DescribeKey would have said is known: every attribute is the marker, none is absent.
            unread: dict[str, Any] = dict.fromkeys(ATTRIBUTES, meta)
            unread.update(key_id=key_id, aliases=sorted(aliases.get(key_id, [])))
            return ctx.resource(
                "aws_kms_key", ctx.arn("kms", f"key/{key_id}"), name=key_id, tags=meta, attributes=unread
            )
        customer = meta["KeyManager"] == "CUSTOMER"
        state = meta["KeyState"]
        rotation: Any = False
        rotation_period: Any = ABSENT
        if state in ("Enabled", "Disabled"):
            # Keys that cannot rotate (asymmetric, HMAC, imported) answer UnsupportedOperationException: no rotation.
            status = ctx.detail(
                lambda: ctx.call(kms, "get_key_rotation_status", KeyId=key_id, expect=("KeyRotationEnabled",)),
                absent=("UnsupportedOperationException",),
            )
            if isinstance(status, dict) and not is_unknown(status):
                rotation = bool(status["KeyRotationEnabled"])
                # RotationPeriodInDays is sent only for keys with rotation on (KMS API reference).
                rotation_period = status.get("RotationPeriodInDays", ABSENT)
            elif status is not ABSENT:
                rotation = status
        else:
            rotation = ABSENT  # pending deletion or import: rotation does not apply
        policy = ctx.detail(
            lambda: parse_policy(
                ctx.call(kms, "get_key_policy", KeyId=key_id, PolicyName="default", expect=("Policy",))["Policy"]
            )
        )
        tags = (
            ctx.detail(
                lambda: ctx.call(kms, "list_resource_tags", KeyId=key_id, expect=("Tags",))["Tags"],
                absent=("AccessDeniedException",),
            )
            if customer
            else []
        )
        spec = meta.get("KeySpec") or meta.get("CustomerMasterKeySpec")
        return ctx.resource(
            "aws_kms_key",
            meta["Arn"],
            name=key_id,
            tags=tags,
            attributes={
                "arn": meta["Arn"],
                "key_id": key_id,
                "description": sent(meta, "Description"),
                "key_usage": sent(meta, "KeyUsage"),
                "customer_master_key_spec": spec or sent(meta, "KeySpec"),
                "is_enabled": bool(meta["Enabled"]),
                "enable_key_rotation": rotation,
                "rotation_period_in_days": rotation_period,
                "multi_region": sent(meta, "MultiRegion", bool),
                "policy": policy,
                "key_manager": meta["KeyManager"],
                "key_state": state,
                "origin": sent(meta, "Origin"),
                "creation_date": sent(meta, "CreationDate"),
                # DeletionDate is sent only for a key pending deletion (KMS API reference, KeyMetadata).
                "deletion_date": meta.get("DeletionDate", ABSENT),
                "aliases": sorted(aliases.get(key_id, [])),
            },
        )

    for resource in ctx.map(describe, key_ids):
        if resource is not None:
            yield resource


def _from_terraform(values: dict[str, Any]) -> None:
    # Terraform manages customer keys only (the key_manager default); key_state follows is_enabled
    # (a key pending deletion leaves the state).
    enabled = values.get("is_enabled")
    if isinstance(enabled, bool):
        values.setdefault("key_state", "Enabled" if enabled else "Disabled")
    elif is_unknown(enabled):
        values.setdefault("key_state", enabled)


KEY = ResourceType(
    "aws_kms_key",
    ATTRIBUTES,
    observed_only=("aliases",),
    name_path="key_id",
    # Provider defaults (docs of aws_kms_key); keys made by older providers lack customer_master_key_spec.
    defaults={
        "key_manager": "CUSTOMER",
        "customer_master_key_spec": "SYMMETRIC_DEFAULT",
        "key_usage": "ENCRYPT_DECRYPT",
        "is_enabled": True,
        "enable_key_rotation": False,
        "multi_region": False,
    },
    from_terraform=_from_terraform,
    drift_ignore=("key_id", "key_state", "key_manager", "origin", "deletion_date", "aliases"),
)

COLLECTORS = (
    Collector(
        name="kms.keys",
        service="kms",
        resource_types=(KEY,),
        calls=(
            "kms:ListKeys",
            "kms:ListAliases",
            "kms:DescribeKey",
            "kms:GetKeyRotationStatus",
            "kms:GetKeyPolicy",
            "kms:ListResourceTags",
        ),
        collect=_keys,
        description="Every KMS key in the region, customer and AWS managed.",
        notes=(
            "`enable_key_rotation` is false for key specs that cannot rotate (AWS answers "
            "UnsupportedOperationException) and absent for keys pending deletion or import. "
            "Tags are read for customer managed keys only. moto reports the default EBS key "
            "`alias/aws/ebs` with `key_manager: CUSTOMER` where AWS says `AWS`."
        ),
    ),
)
