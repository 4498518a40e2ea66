"""Security Hub: ``aws_securityhub_account``, one per region, present whether or not Security Hub is on.

CIS 5.16 asks for Security Hub in every region, so a region where the account
is not subscribed is a resource that fails (``configured: false``), not an
empty listing. The standards the hub runs are read as ``enabled_standards``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.errors import AwsError
from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.collector import CollectContext, Collector, sent

ATTRIBUTES = (
    "configured",
    "arn",
    "auto_enable_controls",
    "control_finding_generator",
    # extras only observation can see
    "subscribed_at",
    "enabled_standards",
)

#: DescribeHub's answer for an account that has not enabled Security Hub in the region (Security Hub API
#: reference, DescribeHub errors: "the account is not subscribed to AWS Security Hub").
_NOT_SUBSCRIBED = ("InvalidAccessException", "not subscribed")


def _standards(ctx: CollectContext, securityhub: Any) -> list[dict[str, Any]]:
    found = ctx.items(
        securityhub,
        "get_enabled_standards",
        "StandardsSubscriptions",
        each=("StandardsArn", "StandardsStatus", "StandardsSubscriptionArn"),
    )
    return sorted(
        ({"standards_arn": s["StandardsArn"], "status": s["StandardsStatus"]} for s in found),
        key=lambda s: str(s["standards_arn"]),
    )


def _hub(ctx: CollectContext) -> Iterator[Resource]:
    securityhub = ctx.client()
    singleton = f"{ctx.account}/{ctx.region}/aws_securityhub_account"
    try:
        hub = ctx.call(securityhub, "describe_hub", expect=("HubArn",))
    except AwsError as exc:
        code, words = _NOT_SUBSCRIBED
        # Only "not subscribed" is a fact; any other failure (denied, throttled) is error coverage.
        if exc.code != code or words not in exc.message:
            raise
        yield ctx.resource("aws_securityhub_account", singleton, name=None, attributes={"configured": False})
        return
    yield ctx.resource(
        "aws_securityhub_account",
        singleton,
        name=None,
        attributes={
            "configured": True,
            "arn": hub["HubArn"],
            "auto_enable_controls": sent(hub, "AutoEnableControls", bool),
            "control_finding_generator": sent(hub, "ControlFindingGenerator"),
            "subscribed_at": sent(hub, "SubscribedAt"),
            "enabled_standards": ctx.detail(lambda: _standards(ctx, securityhub)),
        },
    )


HUB = ResourceType(
    "aws_securityhub_account",
    ATTRIBUTES,
    observed_only=("subscribed_at", "enabled_standards"),
    singleton=True,
    # Provider defaults (docs of aws_securityhub_account).
    defaults={"auto_enable_controls": True, "control_finding_generator": "SECURITY_CONTROL"},
    drift_ignore=("arn", "subscribed_at", "enabled_standards"),
    # DescribeHub says whether the hub is there (its failure is error coverage); the standards come after it.
    sources={"securityhub:GetEnabledStandards": ("enabled_standards",)},
)

COLLECTORS = (
    Collector(
        name="securityhub.hub",
        service="securityhub",
        resource_types=(HUB,),
        calls=("securityhub:DescribeHub", "securityhub:GetEnabledStandards"),
        collect=_hub,
        description="The region's Security Hub subscription, a singleton per region, with its enabled standards.",
        notes=(
            "Always present once observed, with id `<account>/<region>/aws_securityhub_account`: "
            "`configured: false` and nothing else when the account is not subscribed in the region "
            "(DescribeHub answers InvalidAccessException); any other failure is `error` coverage. "
            "`enabled_standards` lists each standard's ARN and status (READY, PENDING, ...). moto serves "
            "DescribeHub but not GetEnabledStandards, so against moto `enabled_standards` is unknown; the "
            "demo and the tests serve Security Hub from recorded answers shaped as the API reference "
            "documents them."
        ),
    ),
)
