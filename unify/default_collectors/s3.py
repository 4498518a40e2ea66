"""S3: ``aws_s3_bucket`` with its sub-configurations folded in, and the account's public access block.

Terraform splits a bucket's settings into separate resources
(``aws_s3_bucket_versioning``, ``aws_s3_bucket_public_access_block``, ...);
unify folds them into the bucket as nested blocks, so a check reads
``versioning.status`` on the bucket itself, in a live observation and in a
plan alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from unify.collectors import ABSENT, AwsError, CollectContext, Collector, parse_policy
from unify.snapshot import Resource, is_unknown

BUCKET_ATTRIBUTES = (
    "bucket", "arn", "versioning", "server_side_encryption_configuration", "public_access_block", "policy",
    "logging",
    # extras only observation can see
    "creation_date", "ownership_controls", "policy_is_public",
)

ACCOUNT_BLOCK_ATTRIBUTES = (
    "configured", "account_id", "block_public_acls", "block_public_policy", "ignore_public_acls",
    "restrict_public_buckets",
)

#: ``GetBucketLocation`` answers these for the two oldest regions.
_LEGACY_LOCATIONS = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}

#: ListBuckets returns ``BucketRegion`` only when the request has a parameter; 10000 is its maximum page.
_MAX_BUCKETS = 10000

#: Where a bucket is when its location could not be read: with the listing, in no known region.
_UNKNOWN_REGION = "global"


def bucket_region(location: Any) -> str:
    """The region a ``LocationConstraint`` names (``None`` is us-east-1, ``EU`` is eu-west-1)."""
    return str(_LEGACY_LOCATIONS.get(location, location))


def _versioning(answer: dict[str, Any]) -> Any:
    if "Status" not in answer:
        return ABSENT  # versioning was never configured: AWS answers with an empty document
    block = {"status": answer["Status"]}
    if "MFADelete" in answer:
        block["mfa_delete"] = answer["MFADelete"]
    return block


def _encryption(answer: dict[str, Any]) -> dict[str, Any]:
    rules = []
    for rule in answer.get("ServerSideEncryptionConfiguration", {}).get("Rules", []):
        out: dict[str, Any] = {"bucket_key_enabled": bool(rule.get("BucketKeyEnabled", False))}
        default = rule.get("ApplyServerSideEncryptionByDefault")
        if default is not None:
            by_default = {"sse_algorithm": default.get("SSEAlgorithm")}
            if default.get("KMSMasterKeyID"):
                by_default["kms_master_key_id"] = default["KMSMasterKeyID"]
            out["apply_server_side_encryption_by_default"] = by_default
        rules.append(out)
    return {"rule": rules}


def _public_access_block(answer: dict[str, Any]) -> dict[str, bool]:
    config = answer.get("PublicAccessBlockConfiguration", {})
    return {
        "block_public_acls": bool(config.get("BlockPublicAcls", False)),
        "block_public_policy": bool(config.get("BlockPublicPolicy", False)),
        "ignore_public_acls": bool(config.get("IgnorePublicAcls", False)),
        "restrict_public_buckets": bool(config.get("RestrictPublicBuckets", False)),
    }


def _logging(answer: dict[str, Any]) -> Any:
    enabled = answer.get("LoggingEnabled")
    if not enabled:
        return ABSENT
    return {"target_bucket": enabled.get("TargetBucket"), "target_prefix": enabled.get("TargetPrefix", "")}


def _ownership(answer: dict[str, Any]) -> Any:
    rules = answer.get("OwnershipControls", {}).get("Rules", [])
    if not rules:
        return ABSENT
    return {"rule": {"object_ownership": rules[0].get("ObjectOwnership")}}


def _buckets(ctx: CollectContext) -> Iterator[Resource]:
    home = ctx.client("s3")
    listed = list(ctx.items(home, "list_buckets", "Buckets", MaxBuckets=_MAX_BUCKETS))
    wanted = set(ctx.regions)

    def describe(bucket: dict[str, Any]) -> Resource | None:
        name = bucket["Name"]
        region: Any = bucket.get("BucketRegion")
        if not region:
            location = ctx.detail(lambda: ctx.call(home, "get_bucket_location", Bucket=name).get("LocationConstraint"))
            region = _UNKNOWN_REGION if is_unknown(location) else bucket_region(location)
        if wanted and region != _UNKNOWN_REGION and region not in wanted:
            return None
        # A bucket of unknown location is read through the home client: botocore follows S3's redirects.
        s3 = home if region == _UNKNOWN_REGION else ctx.client("s3", region)

        def read(operation: str, *absent: str) -> Any:
            return ctx.detail(lambda: ctx.call(s3, operation, Bucket=name), absent=absent)

        def folded(answer: Any, shape: Callable[[Any], Any]) -> Any:
            return answer if answer is ABSENT or is_unknown(answer) else shape(answer)

        policy = read("get_bucket_policy", "NoSuchBucketPolicy")
        # No policy means GetBucketPolicyStatus would answer NoSuchBucketPolicy too: save the call.
        status = ABSENT if policy is ABSENT else read("get_bucket_policy_status", "NoSuchBucketPolicy")
        tags = read("get_bucket_tagging", "NoSuchTagSet")
        return ctx.resource(
            "aws_s3_bucket",
            f"arn:{ctx.partition}:s3:::{name}",
            name=name,
            region=region,
            tags=folded(tags, lambda answer: answer.get("TagSet", [])),
            attributes={
                "bucket": name,
                "arn": f"arn:{ctx.partition}:s3:::{name}",
                "creation_date": bucket.get("CreationDate", ABSENT),
                "versioning": folded(read("get_bucket_versioning"), _versioning),
                "server_side_encryption_configuration": folded(
                    read("get_bucket_encryption", "ServerSideEncryptionConfigurationNotFoundError"), _encryption),
                "public_access_block": folded(
                    read("get_public_access_block", "NoSuchPublicAccessBlockConfiguration"), _public_access_block),
                "policy": folded(policy, lambda answer: parse_policy(answer["Policy"])),
                "policy_is_public": folded(status, lambda answer: bool(answer.get("PolicyStatus", {}).get("IsPublic"))),
                "logging": folded(read("get_bucket_logging"), _logging),
                "ownership_controls": folded(read("get_bucket_ownership_controls", "OwnershipControlsNotFoundError"),
                                             _ownership),
            },
        )

    for resource in ctx.map(describe, listed):
        if resource is not None:
            yield resource


def _account_public_access_block(ctx: CollectContext) -> Iterator[Resource]:
    s3control = ctx.client()
    attributes: dict[str, Any] = {"configured": False, "account_id": ctx.account}
    try:
        answer = ctx.call(s3control, "get_public_access_block", AccountId=ctx.account)
    except AwsError as exc:
        # Only "there is none" is a fact; any other failure leaves the setting unobserved (error coverage).
        if exc.code != "NoSuchPublicAccessBlockConfiguration":
            raise
    else:
        attributes = {"configured": True, "account_id": ctx.account, **_public_access_block(answer)}
    yield ctx.resource("aws_s3_account_public_access_block", f"{ctx.account}/aws_s3_account_public_access_block",
                       name=None, attributes=attributes)


COLLECTORS = (
    Collector(
        name="s3.buckets",
        service="s3",
        types=("aws_s3_bucket",),
        calls=("s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetBucketVersioning",
               "s3:GetEncryptionConfiguration", "s3:GetBucketPublicAccessBlock", "s3:GetBucketPolicy",
               "s3:GetBucketPolicyStatus", "s3:GetBucketLogging", "s3:GetBucketOwnershipControls",
               "s3:GetBucketTagging"),
        attributes={"aws_s3_bucket": BUCKET_ATTRIBUTES},
        collect=_buckets,
        scope="global",
        description="Every S3 bucket of the account located in an observed region, with its settings folded in.",
        notes=(
            "Buckets are listed once per account (coverage region `global`); each bucket is reported in its own "
            "region (ListBuckets' `BucketRegion`, else GetBucketLocation: none is us-east-1, `EU` is eu-west-1) "
            "and kept only when that region is observed. A bucket whose location cannot be read is kept, with "
            "region `global`. Sub-calls go to the bucket's region. `versioning` is absent when versioning was "
            "never configured, `mfa_delete` appears only when AWS returns it; `server_side_encryption_configuration`, "
            "`public_access_block`, `policy`, `logging`, `ownership_controls` and `policy_is_public` are absent "
            "when the bucket has none (`policy_is_public` is not asked for when there is no policy). "
            "moto never returns `MFADelete`, and gives new buckets no default encryption, where AWS applies "
            "SSE-S3 to every bucket since January 2023; moto's ListBuckets returns no `BucketRegion` and "
            "ignores paging."
        ),
    ),
    Collector(
        name="s3.account_public_access_block",
        service="s3control",
        types=("aws_s3_account_public_access_block",),
        calls=("s3:GetAccountPublicAccessBlock",),
        attributes={"aws_s3_account_public_access_block": ACCOUNT_BLOCK_ATTRIBUTES},
        collect=_account_public_access_block,
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
