"""KMS: ``aws_kms_key`` (manager, spec, state, rotation, aliases), ``aws_kms_alias`` and ``aws_kms_grant``.

Keys, aliases and grants are regional. Aliases are their own listing (one
``ListAliases`` per region); grants are listed per key, since ``ListGrants``
takes a key, for every key of the region, AWS managed ones included (the
grants AWS services make on them are grants all the same).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from unify.errors import AwsError
from unify.model.policy_document import parse_policy
from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, NOT_COLLECTED, CollectContext, Collector, sent

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


ALIAS_ATTRIBUTES = ("name", "arn", "target_key_id", "target_key_arn", "aws_managed", "creation_date")
GRANT_ATTRIBUTES = (
    "grant_id",
    "key_id",
    "name",
    "grantee_principal",
    "retiring_principal",
    "operations",
    "constraints",
    # extras only observation can see
    "issuing_account",
    "creation_date",
)

#: Aliases AWS makes for its own managed keys: ``alias/aws/<service>`` (KMS Developer Guide, "Aliases").
_AWS_ALIAS: Final = "alias/aws/"

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
            if status is NOT_COLLECTED:
                rotation = rotation_period = NOT_COLLECTED
            elif isinstance(status, dict) and not is_unknown(status):
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


def _aliases(ctx: CollectContext) -> Iterator[Resource]:
    kms = ctx.client()
    for alias in ctx.items(kms, "list_aliases", "Aliases", each=("AliasName", "AliasArn")):
        name = str(alias["AliasName"])
        target = alias.get("TargetKeyId")  # absent for an AWS alias whose key is not made yet (KMS API reference)
        yield ctx.resource(
            "aws_kms_alias",
            alias["AliasArn"],
            name=name,
            attributes={
                "name": name,
                "arn": alias["AliasArn"],
                "target_key_id": target or ABSENT,
                "target_key_arn": ctx.arn("kms", f"key/{target}") if target else ABSENT,
                "aws_managed": name.startswith(_AWS_ALIAS),
                "creation_date": alias.get("CreationDate", ABSENT),
            },
        )


def _constraints(grant: dict[str, Any]) -> Any:
    """Terraform's ``constraints`` block: the encryption-context conditions of the grant, if any."""
    constraints = grant.get("Constraints")
    if not isinstance(constraints, dict) or not constraints:
        return ABSENT
    out = {}
    for key, name in (
        ("EncryptionContextEquals", "encryption_context_equals"),
        ("EncryptionContextSubset", "encryption_context_subset"),
    ):
        if key in constraints:
            out[name] = constraints[key]
    return out or ABSENT


def _grants(ctx: CollectContext) -> Iterator[Resource]:
    kms = ctx.client()
    key_ids = [key["KeyId"] for key in ctx.items(kms, "list_keys", "Keys", each=("KeyId",))]

    def of_key(key_id: str) -> list[dict[str, Any]]:
        try:
            return list(ctx.items(kms, "list_grants", "Grants", each=("GrantId",), KeyId=key_id))
        except AwsError as exc:
            if exc.code == "NotFoundException":
                return []  # deleted since the listing
            raise  # a key whose grants cannot be read makes the region's grants unobserved

    for key_id, grants in zip(key_ids, ctx.map(of_key, key_ids), strict=True):
        for grant in grants:
            grant_id = str(grant["GrantId"])
            key_arn = ctx.arn("kms", f"key/{key_id}")
            yield ctx.resource(
                "aws_kms_grant",
                f"{key_arn}/grant/{grant_id}",
                name=grant.get("Name") or grant_id,
                attributes={
                    "grant_id": grant_id,
                    "key_id": key_id,
                    "name": grant.get("Name") or "",
                    "grantee_principal": sent(grant, "GranteePrincipal"),
                    # RetiringPrincipal is sent only when the grant has one (KMS API reference, GrantListEntry).
                    "retiring_principal": grant.get("RetiringPrincipal", ABSENT),
                    "operations": sent(grant, "Operations", sorted),
                    "constraints": _constraints(grant),
                    "issuing_account": grant.get("IssuingAccount", ABSENT),
                    "creation_date": grant.get("CreationDate", ABSENT),
                },
            )


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
    # DescribeKey gives the key's ARN (its id) and the state and manager the other calls depend on: not a source.
    # Rotation is asked of enabled and disabled keys only, tags of customer managed keys only.
    sources={
        "kms:GetKeyRotationStatus": ("enable_key_rotation", "rotation_period_in_days"),
        "kms:GetKeyPolicy": ("policy",),
        "kms:ListResourceTags": ("tags",),
    },
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


def _alias_from_terraform(values: dict[str, Any]) -> None:
    name = values.get("name")
    if isinstance(name, str):
        values.setdefault("aws_managed", name.startswith(_AWS_ALIAS))


def _grant_from_terraform(values: dict[str, Any]) -> None:
    if isinstance(values.get("operations"), list):
        values["operations"] = sorted(str(op) for op in values["operations"])
    block = values.get("constraints")
    if isinstance(block, list):
        if not block:
            values.pop("constraints")
        elif isinstance(block[0], dict):
            values["constraints"] = {k: v for k, v in block[0].items() if v not in (None, {})}


ALIAS = ResourceType(
    "aws_kms_alias",
    ALIAS_ATTRIBUTES,
    observed_only=("creation_date",),
    from_terraform=_alias_from_terraform,
    made_by_aws=(("aws_managed", True),),
    drift_ignore=("arn", "target_key_arn", "aws_managed", "creation_date"),
)

GRANT = ResourceType(
    "aws_kms_grant",
    GRANT_ATTRIBUTES,
    observed_only=("issuing_account", "creation_date"),
    from_terraform=_grant_from_terraform,
    drift_ignore=("grant_id", "issuing_account", "creation_date"),
    # Encryption contexts are maps whose keys the grant's author chooses.
    free_maps=("constraints.encryption_context_equals", "constraints.encryption_context_subset"),
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
    Collector(
        name="kms.aliases",
        service="kms",
        resource_types=(ALIAS,),
        calls=("kms:ListAliases",),
        collect=_aliases,
        description="Every KMS alias in the region, AWS's own (`alias/aws/...`) included.",
        notes=(
            "`target_key_id` is the key's id and `target_key_arn` its ARN, both absent for an AWS alias whose "
            "key AWS has not made yet; `aws_managed` marks AWS's aliases, which are never reported unmanaged."
        ),
    ),
    Collector(
        name="kms.grants",
        service="kms",
        resource_types=(GRANT,),
        calls=("kms:ListKeys", "kms:ListGrants"),
        collect=_grants,
        description="Every grant on every KMS key in the region: who may use the key for what, outside its policy.",
        notes=(
            "Id `<key ARN>/grant/<grant id>`; `operations` sorted; `constraints` holds "
            "`encryption_context_equals` / `encryption_context_subset` when the grant has them. A key whose "
            "grants cannot be listed (other than one deleted since the listing) makes the region's coverage "
            "`error`: a grant is never missing while coverage says `ok`."
        ),
    ),
)
