"""S3: ``aws_s3_bucket`` with its sub-configurations folded in, and the account's public access block.

Terraform splits a bucket's settings into separate resources
(``aws_s3_bucket_versioning``, ``aws_s3_bucket_public_access_block``, ...);
unify folds them into the bucket as nested blocks, so a check reads
``versioning.status`` on the bucket itself, in a live observation and in a
plan alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from unify.aws.s3_settings import (
    fold_acl,
    fold_lifecycle,
    fold_notification,
    fold_object_lock,
    fold_object_lock_enabled,
    fold_replication,
    grants,
    legacy_blocks,
    lifecycle_rules,
    notification,
    object_lock,
    replication,
)
from unify.errors import AwsError
from unify.model.policy_document import parse_policy
from unify.model.resource import Resource, is_unknown, unknown
from unify.model.resource_type import REMOVE, Fold, ResourceType
from unify.observe.answers import MALFORMED
from unify.observe.collector import ABSENT, CollectContext, Collector
from unify.terraform.values import flag, policy_value, single

BUCKET_ATTRIBUTES = (
    "bucket",
    "arn",
    "versioning",
    "server_side_encryption_configuration",
    "public_access_block",
    "policy",
    "logging",
    "lifecycle_rule",
    "replication_configuration",
    "object_lock_enabled",
    "object_lock_configuration",
    "notification",
    "grant",
    # extras only observation can see
    "creation_date",
    "ownership_controls",
    "policy_is_public",
)

ACCOUNT_BLOCK_ATTRIBUTES = (
    "configured",
    "account_id",
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)

#: ``GetBucketLocation`` answers these for the two oldest regions.
_LEGACY_LOCATIONS = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}

#: ListBuckets returns ``BucketRegion`` only when the request has a parameter; 10000 is its maximum page.
_MAX_BUCKETS = 10000

#: The root element of each S3 answer the collector reads (S3 API reference, each operation's response
#: syntax). botocore does not check it, and an answer such as a proxy's HTML page would otherwise read as
#: "never configured" (no versioning status, no logging, location us-east-1).
_ANSWER_ROOTS = {
    "ListBuckets": ("ListAllMyBucketsResult",),
    "GetBucketLocation": ("LocationConstraint",),
    # moto answers <GetBucketVersioningResponse> where S3 answers <VersioningConfiguration>.
    "GetBucketVersioning": ("VersioningConfiguration", "GetBucketVersioningResponse"),
    "GetBucketEncryption": ("ServerSideEncryptionConfiguration",),
    "GetPublicAccessBlock": ("PublicAccessBlockConfiguration",),
    "GetBucketPolicyStatus": ("PolicyStatus",),
    "GetBucketLogging": ("BucketLoggingStatus",),
    "GetBucketOwnershipControls": ("OwnershipControls",),
    "GetBucketTagging": ("Tagging",),
    "GetBucketLifecycleConfiguration": ("LifecycleConfiguration",),
    "GetBucketReplication": ("ReplicationConfiguration",),
    "GetObjectLockConfiguration": ("ObjectLockConfiguration",),
    # moto answers <GetBucketNotificationResponse> where S3 answers <NotificationConfiguration>.
    "GetBucketNotificationConfiguration": ("NotificationConfiguration", "GetBucketNotificationResponse"),
    "GetBucketAcl": ("AccessControlPolicy",),
}

#: Where a bucket is when its location could not be read: with the listing, in no known region.
_UNKNOWN_REGION = "global"


def bucket_region(location: Any) -> str:
    """The region a ``LocationConstraint`` names (``None`` is us-east-1, ``EU`` is eu-west-1)."""
    return str(_LEGACY_LOCATIONS.get(location, location))


def _versioning(answer: dict[str, Any]) -> Any:
    # "If the versioning state has never been set on a bucket, it has no versioning state; a
    # GetBucketVersioning request does not return a versioning state value" (S3 API reference,
    # GetBucketVersioning): absence is the documented "never configured", and so is a missing MFADelete.
    if "Status" not in answer:
        return ABSENT
    block = {"status": answer["Status"]}
    if "MFADelete" in answer:
        block["mfa_delete"] = answer["MFADelete"]
    return block


def _encryption(answer: dict[str, Any]) -> dict[str, Any]:
    rules = []
    for rule in answer["ServerSideEncryptionConfiguration"]["Rules"]:
        # BucketKeyEnabled: "By default, S3 Bucket Key is not enabled" (S3 API reference, ServerSideEncryptionRule).
        out: dict[str, Any] = {"bucket_key_enabled": bool(rule.get("BucketKeyEnabled", False))}
        default = rule.get("ApplyServerSideEncryptionByDefault")
        if default is not None:
            by_default = {"sse_algorithm": default["SSEAlgorithm"]}
            if default.get("KMSMasterKeyID"):
                by_default["kms_master_key_id"] = default["KMSMasterKeyID"]
            out["apply_server_side_encryption_by_default"] = by_default
        rules.append(out)
    return {"rule": rules}


_BLOCK_FLAGS = (
    ("BlockPublicAcls", "block_public_acls"),
    ("BlockPublicPolicy", "block_public_policy"),
    ("IgnorePublicAcls", "ignore_public_acls"),
    ("RestrictPublicBuckets", "restrict_public_buckets"),
)


def _public_access_block(answer: dict[str, Any]) -> dict[str, Any]:
    """The four flags; one AWS did not send is not observed (no default stands in for it)."""
    config = answer["PublicAccessBlockConfiguration"]
    return {
        name: bool(config[key]) if isinstance(config.get(key), bool) else unknown(f"{MALFORMED}: {key} not sent")
        for key, name in _BLOCK_FLAGS
    }


def _logging(answer: dict[str, Any]) -> Any:
    # "If logging is not enabled, the response has an empty BucketLoggingStatus" (S3 API reference, GetBucketLogging).
    enabled = answer.get("LoggingEnabled")
    if enabled is None:
        return ABSENT
    return {"target_bucket": enabled["TargetBucket"], "target_prefix": enabled["TargetPrefix"]}


def _ownership(answer: dict[str, Any]) -> Any:
    rules = answer["OwnershipControls"]["Rules"]
    if not rules:
        return ABSENT
    return {"rule": {"object_ownership": rules[0]["ObjectOwnership"]}}


def _located(ctx: CollectContext, home: Any, listed: list[dict[str, Any]], wanted: set[str]) -> list[dict[str, Any]]:
    """The listed buckets with their region, from one listing filtered by region per observed region.

    AWS's ListBuckets gives each bucket's region when the request has a
    parameter, as unify's has; an endpoint that does not (moto, some
    S3-compatible stores) would need one GetBucketLocation a bucket. A
    listing filtered by ``BucketRegion`` names the buckets of that region,
    so one per observed region places every bucket of the account that is
    in scope; a bucket in none of them is in a region not observed, and is
    left out as it would be once located. Used only when it takes fewer
    calls than asking each bucket.
    """
    missing = [bucket for bucket in listed if not bucket.get("BucketRegion")]
    if not wanted or len(missing) <= len(wanted):
        return listed
    region_of: dict[str, str] = {}
    for region in sorted(wanted):
        for bucket in ctx.items(
            home, "list_buckets", "Buckets", each=("Name",), MaxBuckets=_MAX_BUCKETS, BucketRegion=region
        ):
            region_of[bucket["Name"]] = region
    return [
        bucket if bucket.get("BucketRegion") else {**bucket, "BucketRegion": region_of[bucket["Name"]]}
        for bucket in listed
        if bucket.get("BucketRegion") or bucket["Name"] in region_of
    ]


def _buckets(ctx: CollectContext) -> Iterator[Resource]:
    home = ctx.client("s3")
    listed = list(ctx.items(home, "list_buckets", "Buckets", each=("Name",), MaxBuckets=_MAX_BUCKETS))
    wanted = set(ctx.regions)
    listed = _located(ctx, home, listed, wanted)

    def describe(bucket: dict[str, Any]) -> Resource | None:
        name = bucket["Name"]
        region: Any = bucket.get("BucketRegion")
        if not region:
            # A LocationConstraint of null is us-east-1 (S3 API reference, GetBucketLocation).
            location = ctx.detail(
                lambda: ctx.call(home, "get_bucket_location", Bucket=name, expect=("LocationConstraint",))[
                    "LocationConstraint"
                ]
            )
            region = _UNKNOWN_REGION if is_unknown(location) else bucket_region(location)
        if wanted and region != _UNKNOWN_REGION and region not in wanted:
            return None
        # A bucket of unknown location is read through the home client: botocore follows S3's redirects.
        s3 = home if region == _UNKNOWN_REGION else ctx.client("s3", region)

        def read(
            operation: str, shape: Callable[[dict[str, Any]], Any], *absent: str, expect: tuple[str, ...] = ()
        ) -> Any:
            """One sub-call and its reading, both inside ``detail``: a missing field makes only this one unknown."""
            return ctx.detail(lambda: shape(ctx.call(s3, operation, Bucket=name, expect=expect)), absent=absent)

        policy = read(
            "get_bucket_policy", lambda answer: parse_policy(answer["Policy"]), "NoSuchBucketPolicy", expect=("Policy",)
        )
        # No policy means GetBucketPolicyStatus would answer NoSuchBucketPolicy too: save the call.
        status = (
            ABSENT
            if policy is ABSENT
            else read(
                "get_bucket_policy_status",
                lambda answer: bool(answer["PolicyStatus"]["IsPublic"]),
                "NoSuchBucketPolicy",
                expect=("PolicyStatus.IsPublic",),
            )
        )
        lock = read(
            "get_object_lock_configuration",
            object_lock,
            "ObjectLockConfigurationNotFoundError",
            expect=("ObjectLockConfiguration",),
        )
        if lock is ABSENT:
            # "Object Lock configuration does not exist for this bucket": Object Lock is off (S3 API reference).
            lock_enabled: Any = False
            lock_configuration: Any = ABSENT
        elif isinstance(lock, tuple):
            lock_enabled, lock_configuration = lock[0], lock[1] or ABSENT
        else:
            lock_enabled = lock_configuration = lock
        return ctx.resource(
            "aws_s3_bucket",
            f"arn:{ctx.partition}:s3:::{name}",
            name=name,
            region=region,
            tags=read("get_bucket_tagging", lambda answer: answer["TagSet"], "NoSuchTagSet", expect=("TagSet",)),
            attributes={
                "bucket": name,
                "arn": f"arn:{ctx.partition}:s3:::{name}",
                "creation_date": bucket.get("CreationDate", ABSENT),
                "versioning": read("get_bucket_versioning", _versioning),
                "server_side_encryption_configuration": read(
                    "get_bucket_encryption",
                    _encryption,
                    "ServerSideEncryptionConfigurationNotFoundError",
                    expect=("ServerSideEncryptionConfiguration.Rules",),
                ),
                "public_access_block": read(
                    "get_public_access_block",
                    _public_access_block,
                    "NoSuchPublicAccessBlockConfiguration",
                    expect=("PublicAccessBlockConfiguration",),
                ),
                "policy": policy,
                "policy_is_public": status,
                "logging": read("get_bucket_logging", _logging),
                "ownership_controls": read(
                    "get_bucket_ownership_controls",
                    _ownership,
                    "OwnershipControlsNotFoundError",
                    expect=("OwnershipControls.Rules",),
                ),
                "lifecycle_rule": read(
                    "get_bucket_lifecycle_configuration",
                    lifecycle_rules,
                    "NoSuchLifecycleConfiguration",
                    expect=("Rules",),
                ),
                "replication_configuration": read(
                    "get_bucket_replication",
                    replication,
                    "ReplicationConfigurationNotFoundError",
                    expect=("ReplicationConfiguration.Rules",),
                ),
                "object_lock_enabled": lock_enabled,
                "object_lock_configuration": lock_configuration,
                "notification": read("get_bucket_notification_configuration", notification),
                "grant": read("get_bucket_acl", grants, expect=("Grants",)),
            },
        )

    for resource in ctx.map(describe, listed):
        if resource is not None:
            yield resource


def _account_public_access_block(ctx: CollectContext) -> Iterator[Resource]:
    s3control = ctx.client()
    attributes: dict[str, Any] = {"configured": False, "account_id": ctx.account}
    try:
        answer = ctx.call(
            s3control, "get_public_access_block", AccountId=ctx.account, expect=("PublicAccessBlockConfiguration",)
        )
    except AwsError as exc:
        # Only "there is none" is a fact; any other failure leaves the setting unobserved (error coverage).
        if exc.code != "NoSuchPublicAccessBlockConfiguration":
            raise
    else:
        attributes = {"configured": True, "account_id": ctx.account, **_public_access_block(answer)}
    yield ctx.resource(
        "aws_s3_account_public_access_block",
        f"{ctx.account}/aws_s3_account_public_access_block",
        name=None,
        attributes=attributes,
    )


# -- Terraform ------------------------------------------------------------------------------


def _terraform_encryption(block: dict[str, Any]) -> Any:
    """``{rule: [{apply_server_side_encryption_by_default: [{...}], bucket_key_enabled}]}`` with mappings."""
    rules = block.get("rule")
    if not isinstance(rules, list):
        return {"rule": rules} if is_unknown(rules) else None
    out = []
    for rule in rules:
        if not isinstance(rule, dict) or is_unknown(rule):
            out.append(rule)
            continue
        shaped: dict[str, Any] = {"bucket_key_enabled": rule.get("bucket_key_enabled") or False}
        default = single(rule.get("apply_server_side_encryption_by_default"))
        if isinstance(default, dict) and not is_unknown(default):
            default = {k: v for k, v in default.items() if v not in (None, "")}
        if default is not None:
            shaped["apply_server_side_encryption_by_default"] = default
        out.append(shaped)
    return {"rule": out}


def _terraform_logging(block: Mapping[str, Any]) -> dict[str, Any]:
    return {"target_bucket": block.get("target_bucket"), "target_prefix": block.get("target_prefix") or ""}


def _from_terraform(values: dict[str, Any]) -> None:
    """Legacy inline blocks (provider v3, computed since v4) in the bucket shapes of DESIGN.md."""
    if "versioning" in values:
        block = single(values["versioning"])
        if block is None:
            del values["versioning"]
        elif isinstance(block, dict) and not is_unknown(block):
            values["versioning"] = {
                "status": flag(block.get("enabled"), "Enabled", "Suspended"),
                "mfa_delete": flag(block.get("mfa_delete"), "Enabled", "Disabled"),
            }
    if "server_side_encryption_configuration" in values:
        block = single(values["server_side_encryption_configuration"])
        if block is None:
            del values["server_side_encryption_configuration"]
        elif isinstance(block, dict) and not is_unknown(block):
            values["server_side_encryption_configuration"] = _terraform_encryption(block)
    if isinstance(values.get("logging"), dict) and not is_unknown(values["logging"]):
        values["logging"] = _terraform_logging(values["logging"])
    legacy_blocks(values)


def _fold_versioning(values: Mapping[str, Any]) -> Any:
    config = single(values.get("versioning_configuration"))
    if config is None or is_unknown(config):
        return config if config is not None else REMOVE
    status = config.get("status")
    if status == "Disabled":
        return REMOVE  # Terraform's "never enabled": the collector leaves versioning out
    block = {"status": status}
    if config.get("mfa_delete") not in (None, ""):
        block["mfa_delete"] = config["mfa_delete"]
    return block


def _fold_encryption(values: Mapping[str, Any]) -> Any:
    rules = values.get("rule")
    return _terraform_encryption({"rule": rules}) if rules is not None else REMOVE


def _fold_public_access_block(values: Mapping[str, Any]) -> Any:
    keys = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    return {k: values.get(k) if is_unknown(values.get(k)) else bool(values.get(k)) for k in keys}


def _fold_policy(values: Mapping[str, Any]) -> Any:
    parsed = policy_value(values.get("policy"))
    return REMOVE if parsed is None else parsed


def _fold_ownership(values: Mapping[str, Any]) -> Any:
    rule = single(values.get("rule"))
    if rule is None:
        return REMOVE
    return {"rule": rule if is_unknown(rule) else {"object_ownership": rule.get("object_ownership")}}


#: The side resources Terraform splits a bucket's settings into, folded back into the bucket.
FOLDS = (
    Fold("aws_s3_bucket_versioning", "versioning", _fold_versioning, reference="bucket"),
    Fold(
        "aws_s3_bucket_server_side_encryption_configuration",
        "server_side_encryption_configuration",
        _fold_encryption,
        reference="bucket",
    ),
    Fold("aws_s3_bucket_public_access_block", "public_access_block", _fold_public_access_block, reference="bucket"),
    Fold("aws_s3_bucket_policy", "policy", _fold_policy, reference="bucket"),
    Fold("aws_s3_bucket_logging", "logging", _terraform_logging, reference="bucket"),
    Fold("aws_s3_bucket_ownership_controls", "ownership_controls", _fold_ownership, reference="bucket"),
    Fold("aws_s3_bucket_lifecycle_configuration", "lifecycle_rule", fold_lifecycle, reference="bucket"),
    Fold("aws_s3_bucket_replication_configuration", "replication_configuration", fold_replication, reference="bucket"),
    Fold("aws_s3_bucket_object_lock_configuration", "object_lock_configuration", fold_object_lock, reference="bucket"),
    Fold(
        "aws_s3_bucket_object_lock_configuration", "object_lock_enabled", fold_object_lock_enabled, reference="bucket"
    ),
    Fold("aws_s3_bucket_notification", "notification", fold_notification, reference="bucket"),
    Fold("aws_s3_bucket_acl", "grant", fold_acl, reference="bucket"),
)


def strip_account_host_prefix(client: Any) -> None:
    """Let s3control reach a custom endpoint (moto's server, a proxy) by IP or localhost.

    botocore prefixes the account id to the host (``123456789012.127.0.0.1``),
    which only resolves on AWS itself; with an endpoint override, drop it.
    """
    endpoint = client.meta.endpoint_url or ""
    if ".amazonaws.com" in endpoint:
        return

    def strip(request: Any, **kwargs: Any) -> None:
        scheme, _, rest = request.url.partition("://")
        host, _, path = rest.partition("/")
        first, _, remainder = host.partition(".")
        if first.isdigit() and len(first) == 12 and remainder:
            request.url = f"{scheme}://{remainder}/{path}"

    client.meta.events.register_first("before-send.s3-control.*", strip)


BUCKET = ResourceType(
    "aws_s3_bucket",
    BUCKET_ATTRIBUTES,
    observed_only=("policy_is_public",),
    name_path="bucket",
    sources={
        "s3:GetBucketTagging": ("tags",),
        "s3:GetBucketVersioning": ("versioning",),
        "s3:GetBucketEncryption": ("server_side_encryption_configuration",),
        "s3:GetPublicAccessBlock": ("public_access_block",),
        # No policy means no policy status: the status call is made only after the policy is read.
        "s3:GetBucketPolicy": ("policy", "policy_is_public"),
        "s3:GetBucketPolicyStatus": ("policy_is_public",),
        "s3:GetBucketLogging": ("logging",),
        "s3:GetBucketOwnershipControls": ("ownership_controls",),
        "s3:GetBucketLifecycleConfiguration": ("lifecycle_rule",),
        "s3:GetBucketReplication": ("replication_configuration",),
        "s3:GetObjectLockConfiguration": ("object_lock_enabled", "object_lock_configuration"),
        "s3:GetBucketNotificationConfiguration": ("notification",),
        "s3:GetBucketAcl": ("grant",),
    },
    single_blocks=("logging",),
    from_terraform=_from_terraform,
    folds=FOLDS,
    # Provider v3 state, and v4+ for the computed block: a bucket that never had versioning.
    never_configured=(("versioning", {"status": "Suspended", "mfa_delete": "Disabled"}),),
    # The v4+ provider computes these legacy blocks; a new bucket has none unless a side resource (or the
    # inline argument) makes them, and AWS gives it only its owner's FULL_CONTROL grant.
    created_empty=(
        ("lifecycle_rule", "lifecycle_rule", []),
        ("replication_configuration", "replication_configuration", None),
        ("object_lock_enabled", "object_lock_enabled", False),
        ("object_lock_configuration", "object_lock_configuration", None),
        ("grant", "grant", []),
    ),
    drift_ignore=("bucket", "policy_is_public"),
)

ACCOUNT_BLOCK = ResourceType(
    "aws_s3_account_public_access_block",
    ACCOUNT_BLOCK_ATTRIBUTES,
    regional=False,
    singleton=True,
)

COLLECTORS = (
    Collector(
        name="s3.buckets",
        service="s3",
        resource_types=(BUCKET,),
        calls=(
            "s3:ListAllMyBuckets",
            "s3:GetBucketLocation",
            "s3:GetBucketVersioning",
            "s3:GetEncryptionConfiguration",
            "s3:GetBucketPublicAccessBlock",
            "s3:GetBucketPolicy",
            "s3:GetBucketPolicyStatus",
            "s3:GetBucketLogging",
            "s3:GetBucketOwnershipControls",
            "s3:GetBucketTagging",
            "s3:GetLifecycleConfiguration",
            "s3:GetReplicationConfiguration",
            "s3:GetBucketObjectLockConfiguration",
            "s3:GetBucketNotification",
            "s3:GetBucketAcl",
        ),
        collect=_buckets,
        answer_roots=_ANSWER_ROOTS,
        # AWS marks the default encryption key's id sensitive; it names a key (checks compare it), it holds none.
        keeps_sensitive={
            "GetBucketEncryption": (
                "ServerSideEncryptionConfiguration.Rules[].ApplyServerSideEncryptionByDefault.KMSMasterKeyID",
            )
        },
        scope="global",
        description="Every S3 bucket of the account located in an observed region, with its settings folded in.",
        notes=(
            "Buckets are listed once per account (coverage region `global`); each bucket is reported in its own "
            "region (ListBuckets' `BucketRegion`; where the listing does not give it, one listing filtered by "
            "`BucketRegion` per observed region when that takes fewer calls, else GetBucketLocation: none is "
            "us-east-1, `EU` is eu-west-1) and kept only when that region is observed. A bucket whose location "
            "cannot be read is kept, with region `global`. Sub-calls go to the bucket's region. `versioning` is "
            "absent when versioning was never configured, `mfa_delete` appears only when AWS returns it; "
            "`server_side_encryption_configuration`, `public_access_block`, `policy`, `logging`, "
            "`ownership_controls` and `policy_is_public` are absent when the bucket has none (`policy_is_public` "
            "is not asked for when there is no policy), and so are `lifecycle_rule`, `replication_configuration`,"
            " `object_lock_configuration` and `notification`; `object_lock_enabled` is false when the bucket has "
            "no Object Lock configuration. `grant` holds one entry per grantee with its sorted permissions; a "
            "plan's canned ACL is expanded to the grants it stands for, the owner's canonical id unknown. Unset "
            'values (Terraform\'s 0, false, "") are left out of lifecycle and replication rules on both sides. '
            "moto never returns `MFADelete`, and gives new buckets no default encryption, where AWS applies "
            "SSE-S3 to every bucket since January 2023; moto's ListBuckets returns no `BucketRegion` and ignores "
            "paging; moto ignores an EventBridge notification configuration."
        ),
    ),
    Collector(
        name="s3.account_public_access_block",
        service="s3control",
        resource_types=(ACCOUNT_BLOCK,),
        calls=("s3:GetAccountPublicAccessBlock",),
        collect=_account_public_access_block,
        prepare_client=strip_account_host_prefix,
        answer_roots={"GetPublicAccessBlock": ("PublicAccessBlockConfiguration",)},
        scope="global",
        description="The account-wide S3 public access block, a singleton per account.",
        notes=(
            "Always present once observed, with id `<account>/aws_s3_account_public_access_block`: "
            "`configured: false` (and `account_id` only) when the account has none "
            "(NoSuchPublicAccessBlockConfiguration); any other failure is `error` coverage, not a resource "
            "with unknown attributes. botocore prefixes the account id to the s3control host, which only "
            "resolves on AWS: with an endpoint override (moto's server, a proxy) the session strips it."
        ),
    ),
)
