"""KMS keys: ``aws_kms_key``, with manager, spec, state, rotation and aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.model.policy_document import parse_policy
from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector

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


def _keys(ctx: CollectContext) -> Iterator[Resource]:
    kms = ctx.client()
    aliases: dict[str, list[str]] = {}
    for alias in ctx.items(kms, "list_aliases", "Aliases"):
        if alias.get("TargetKeyId"):
            aliases.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
    key_ids = [key["KeyId"] for key in ctx.items(kms, "list_keys", "Keys")]

    def describe(key_id: str) -> Resource | None:
        meta = ctx.detail(
            lambda: ctx.call(kms, "describe_key", KeyId=key_id)["KeyMetadata"], absent=("NotFoundException",)
        )
        if meta is ABSENT:
            return None  # deleted between the listing and now
        if not isinstance(meta, dict) or "$unknown" in meta:
            return ctx.resource(
                "aws_kms_key",
                ctx.arn("kms", f"key/{key_id}"),
                name=key_id,
                attributes={"key_id": key_id, "key_state": meta, "key_manager": meta},
            )
        customer = meta.get("KeyManager") == "CUSTOMER"
        state = meta.get("KeyState")
        rotation: Any = False
        rotation_period: Any = ABSENT
        if state in ("Enabled", "Disabled"):
            status = ctx.detail(
                lambda: ctx.call(kms, "get_key_rotation_status", KeyId=key_id),
                absent=("UnsupportedOperationException",),
            )
            if isinstance(status, dict) and "$unknown" not in status:
                rotation = bool(status.get("KeyRotationEnabled"))
                rotation_period = status.get("RotationPeriodInDays", ABSENT)
            elif status is not ABSENT:
                rotation = status
        else:
            rotation = ABSENT  # pending deletion or import: rotation does not apply
        policy = ctx.detail(
            lambda: parse_policy(ctx.call(kms, "get_key_policy", KeyId=key_id, PolicyName="default")["Policy"])
        )
        tags = (
            ctx.detail(
                lambda: ctx.call(kms, "list_resource_tags", KeyId=key_id).get("Tags", []),
                absent=("AccessDeniedException",),
            )
            if customer
            else []
        )
        return ctx.resource(
            "aws_kms_key",
            meta.get("Arn") or ctx.arn("kms", f"key/{key_id}"),
            name=key_id,
            tags=tags,
            attributes={
                "arn": meta.get("Arn"),
                "key_id": key_id,
                "description": meta.get("Description", ""),
                "key_usage": meta.get("KeyUsage"),
                "customer_master_key_spec": meta.get("KeySpec") or meta.get("CustomerMasterKeySpec"),
                "is_enabled": bool(meta.get("Enabled")),
                "enable_key_rotation": rotation,
                "rotation_period_in_days": rotation_period,
                "multi_region": bool(meta.get("MultiRegion", False)),
                "policy": policy,
                "key_manager": meta.get("KeyManager"),
                "key_state": state,
                "origin": meta.get("Origin"),
                "creation_date": meta.get("CreationDate"),
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
    defaults={"key_manager": "CUSTOMER"},
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
