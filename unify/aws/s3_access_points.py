"""S3 access points: ``aws_s3_access_point``, each with its Block Public Access settings, network origin and policy.

Access points are listed per region through S3 Control. An access point's
Block Public Access settings are fixed when it is made (all four on unless
turned off then: S3 User Guide, "Managing public access to access points"),
so the one setting that matters most is read from GetAccessPoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from unify.aws.s3 import strip_account_host_prefix
from unify.errors import AwsError
from unify.model.policy_document import parse_policy
from unify.model.resource import Resource, is_unknown, unknown
from unify.model.resource_type import ResourceType
from unify.observe.answers import MALFORMED, require
from unify.observe.collector import ABSENT, NOT_COLLECTED, CollectContext, Collector, sent, unread
from unify.terraform.values import policy_value

ATTRIBUTES = (
    "name",
    "bucket",
    "account_id",
    "arn",
    "alias",
    "network_origin",
    "vpc_configuration",
    "public_access_block_configuration",
    "policy",
    # extras only observation can see
    "has_public_access_policy",
)

_FLAGS: Final = (
    ("BlockPublicAcls", "block_public_acls"),
    ("BlockPublicPolicy", "block_public_policy"),
    ("IgnorePublicAcls", "ignore_public_acls"),
    ("RestrictPublicBuckets", "restrict_public_buckets"),
)

#: The root element of each answer (S3 Control API reference); moto answers ``<...Response>`` instead.
_ANSWER_ROOTS: Final = {
    "ListAccessPoints": ("ListAccessPointsResult", "ListAccessPointsResponse"),
    "GetAccessPoint": ("GetAccessPointResult", "GetAccessPointResponse"),
    "GetAccessPointPolicy": ("GetAccessPointPolicyResult", "GetAccessPointPolicyResponse"),
    "GetAccessPointPolicyStatus": ("GetAccessPointPolicyStatusResult", "GetAccessPointPolicyStatusResponse"),
}


def _block(answer: dict[str, Any]) -> Any:
    config = answer.get("PublicAccessBlockConfiguration")
    if not isinstance(config, dict):
        return unknown(f"{MALFORMED}: PublicAccessBlockConfiguration not sent")
    return {
        name: bool(config[key]) if isinstance(config.get(key), bool) else unknown(f"{MALFORMED}: {key} not sent")
        for key, name in _FLAGS
    }


def _listing(ctx: CollectContext, s3control: Any) -> Iterator[dict[str, Any]]:
    """Every page of ListAccessPoints (botocore has no paginator for it: NextToken is followed here)."""
    token: str | None = None
    while True:
        page = ctx.call(
            s3control,
            "list_access_points",
            AccountId=ctx.account,
            expect=("AccessPointList",),
            **({"NextToken": token} if token else {}),
        )
        points = page["AccessPointList"]
        if not isinstance(points, list):
            raise AwsError(MALFORMED, "the answer's 'AccessPointList' is not a list", "s3control:ListAccessPoints")
        for point in points:
            require(point, ("Name", "Bucket"), "s3control:ListAccessPoints")
            yield point
        token = page.get("NextToken") or None
        if token is None:
            return


def _region_of(point: dict[str, Any]) -> str | None:
    """The region an access point's ARN names (arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME), if it has one."""
    parts = str(point.get("AccessPointArn") or "").split(":")
    return parts[3] if len(parts) > 5 and parts[3] else None


def _access_points(ctx: CollectContext) -> Iterator[Resource]:
    s3control = ctx.client()
    # An access point lives in one region, the one its ARN names. AWS lists only the region's; an answer that
    # lists another region's (moto lists the account's in every region) must not place it here.
    listed = [p for p in _listing(ctx, s3control) if _region_of(p) in (None, ctx.region)]

    def describe(point: dict[str, Any]) -> Resource:
        name = point["Name"]
        arn = point.get("AccessPointArn") or ctx.arn("s3", f"accesspoint/{name}")
        detail = ctx.detail(
            lambda: ctx.call(s3control, "get_access_point", AccountId=ctx.account, Name=name, expect=("NetworkOrigin",))
        )
        block = detail if unread(detail) else _block(detail)  # type: ignore[arg-type]
        policy = ctx.detail(
            lambda: parse_policy(
                ctx.call(s3control, "get_access_point_policy", AccountId=ctx.account, Name=name, expect=("Policy",))[
                    "Policy"
                ]
            ),
            absent=("NoSuchAccessPointPolicy",),
        )
        # Without a policy there is no status to ask (it would answer NoSuchAccessPointPolicy); a policy this
        # observation does not read leaves its status unread too.
        public = (
            policy
            if policy is ABSENT or policy is NOT_COLLECTED
            else ctx.detail(
                lambda: bool(
                    ctx.call(
                        s3control,
                        "get_access_point_policy_status",
                        AccountId=ctx.account,
                        Name=name,
                        expect=("PolicyStatus.IsPublic",),
                    )["PolicyStatus"]["IsPublic"]
                ),
                absent=("NoSuchAccessPointPolicy",),
            )
        )
        vpc = point.get("VpcConfiguration")
        return ctx.resource(
            "aws_s3_access_point",
            arn,
            name=name,
            tags=None,  # ListAccessPoints and GetAccessPoint carry no tags
            attributes={
                "name": name,
                "bucket": point["Bucket"],
                "account_id": ctx.account,
                "arn": arn,
                "alias": point.get("Alias") or ABSENT,
                "network_origin": sent(point, "NetworkOrigin"),
                # Only a VPC access point has a VPC configuration (S3 Control API reference, AccessPoint).
                "vpc_configuration": {"vpc_id": vpc["VpcId"]} if isinstance(vpc, dict) and vpc.get("VpcId") else ABSENT,
                "public_access_block_configuration": block,
                "policy": policy,
                # Without a policy nothing makes the access point public.
                "has_public_access_policy": False if policy is ABSENT else public,
            },
        )

    yield from ctx.map(describe, listed)


def _from_terraform(values: dict[str, Any]) -> None:
    """``policy`` is a JSON string; an access point made without the block has all four settings on."""
    if "policy" in values:
        parsed = policy_value(values["policy"])
        if parsed is None:
            del values["policy"]
        else:
            values["policy"] = parsed
    values.setdefault("public_access_block_configuration", {name: True for _, name in _FLAGS})
    if isinstance(values.get("vpc_configuration"), dict) and not is_unknown(values["vpc_configuration"]):
        values["network_origin"] = "VPC"
    values.setdefault("network_origin", "Internet")


ACCESS_POINT = ResourceType(
    "aws_s3_access_point",
    ATTRIBUTES,
    observed_only=("has_public_access_policy",),
    sources={
        "s3control:GetAccessPoint": ("public_access_block_configuration",),
        # The policy status is asked only of an access point with a policy.
        "s3control:GetAccessPointPolicy": ("policy", "has_public_access_policy"),
    },
    single_blocks=("public_access_block_configuration", "vpc_configuration"),
    from_terraform=_from_terraform,
    drift_ignore=("alias", "has_public_access_policy", "account_id", "network_origin"),
)

COLLECTORS = (
    Collector(
        name="s3.access_points",
        service="s3control",
        resource_types=(ACCESS_POINT,),
        calls=(
            "s3:ListAccessPoints",
            "s3:GetAccessPoint",
            "s3:GetAccessPointPolicy",
            "s3:GetAccessPointPolicyStatus",
        ),
        collect=_access_points,
        prepare_client=strip_account_host_prefix,
        answer_roots=_ANSWER_ROOTS,
        description="Every S3 access point of the account in the region.",
        notes=(
            "ListAccessPoints (S3 Control, per region; an access point whose ARN names another region is left to "
            "that region), then GetAccessPoint for the Block Public Access settings "
            "and GetAccessPointPolicy / GetAccessPointPolicyStatus for the policy; `policy` and "
            "`has_public_access_policy` are absent and false when there is no policy, `vpc_configuration` unless "
            "the network origin is a VPC. A plan's access point without the block has all four settings on, as "
            "AWS makes it. moto answers S3 Control's root elements as `...Response`, and keeps a new access "
            "point's settings as given."
        ),
    ),
)
