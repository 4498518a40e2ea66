"""Macie: ``aws_macie2_account``, one per region, present whether or not Macie is on.

CIS 3.1.3 asks that sensitive data in S3 be discovered and classified, and
Security Hub's Macie.1 and Macie.2 that Macie run with automated sensitive
data discovery. A region where Macie is off is a resource that fails
(``configured: false``), not an empty listing.
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
    "status",
    "finding_publishing_frequency",
    "service_role",
    # extras only observation can see
    "created_at",
    "automated_discovery_status",
)


def _not_enabled(exc: AwsError) -> bool:
    """Whether GetMacieSession's error says Macie is off in the region (a fact), not that the call failed.

    AWS answers AccessDeniedException "Macie is not enabled" for an account
    that never enabled Macie (Macie API reference, GetMacieSession; the error
    AWS Config and peers read as "off"); moto answers ResourceNotFoundException.
    Any other AccessDenied is a missing permission, never "off".
    """
    if exc.code == "ResourceNotFoundException":
        return True
    return exc.code == "AccessDeniedException" and "not enabled" in exc.message.lower()


def _session(ctx: CollectContext) -> Iterator[Resource]:
    macie = ctx.client()
    singleton = f"{ctx.account}/{ctx.region}/aws_macie2_account"
    try:
        session = ctx.call(macie, "get_macie_session", expect=("status",))
    except AwsError as exc:
        if not _not_enabled(exc):
            raise
        yield ctx.resource("aws_macie2_account", singleton, name=None, attributes={"configured": False})
        return
    discovery: Any = ctx.detail(
        lambda: ctx.call(macie, "get_automated_discovery_configuration", expect=("status",))["status"]
    )
    yield ctx.resource(
        "aws_macie2_account",
        singleton,
        name=None,
        attributes={
            "configured": True,
            "status": session["status"],
            "finding_publishing_frequency": sent(session, "findingPublishingFrequency"),
            "service_role": sent(session, "serviceRole"),
            "created_at": sent(session, "createdAt"),
            "automated_discovery_status": discovery,
        },
    )


ACCOUNT = ResourceType(
    "aws_macie2_account",
    ATTRIBUTES,
    observed_only=("created_at", "automated_discovery_status"),
    singleton=True,
    # Provider defaults (docs of aws_macie2_account).
    defaults={"status": "ENABLED", "finding_publishing_frequency": "FIFTEEN_MINUTES"},
    drift_ignore=("service_role", "created_at", "automated_discovery_status"),
    # GetMacieSession says whether Macie is on (its failure is error coverage); discovery is read after it.
    sources={"macie2:GetAutomatedDiscoveryConfiguration": ("automated_discovery_status",)},
)

COLLECTORS = (
    Collector(
        name="macie.session",
        service="macie2",
        resource_types=(ACCOUNT,),
        calls=("macie2:GetMacieSession", "macie2:GetAutomatedDiscoveryConfiguration"),
        collect=_session,
        description="The region's Macie session, a singleton per region, with automated discovery.",
        notes=(
            "Always present once observed, with id `<account>/<region>/aws_macie2_account`: "
            "`configured: false` and nothing else when Macie is not enabled (AWS answers AccessDeniedException "
            "'Macie is not enabled'; moto ResourceNotFoundException). `status` is ENABLED or PAUSED. "
            "`automated_discovery_status` comes from GetAutomatedDiscoveryConfiguration, which moto does not "
            "serve (unknown against moto). moto's session is synthetic: a new moto account has Macie ENABLED "
            "in every region until DisableMacie is called."
        ),
    ),
)
