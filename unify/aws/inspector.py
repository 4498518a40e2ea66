"""Inspector: ``aws_inspector2_enabler``, one per region: which scan types Amazon Inspector runs for the account.

Terraform's ``aws_inspector2_enabler`` names the accounts and the resource
types (EC2, ECR, LAMBDA, LAMBDA_CODE) Inspector scans; an observation reads
the same from BatchGetAccountStatus. Security Hub's Inspector.1-4 ask for
each scan type in every region, so a region where none runs is a resource
that fails (``configured: false``), not an empty listing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.errors import AwsError
from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.answers import MALFORMED, require
from unify.observe.collector import CollectContext, Collector

ATTRIBUTES = (
    "configured",
    "account_ids",
    "resource_types",
    # extras only observation can see
    "status",
)

#: BatchGetAccountStatus's resourceState members, and the resource types Terraform names for them.
_TYPES = (
    ("ec2", "EC2"),
    ("ecr", "ECR"),
    ("lambda", "LAMBDA"),
    ("lambdaCode", "LAMBDA_CODE"),
    ("codeRepository", "CODE_REPOSITORY"),
)


def _account_state(answer: dict[str, Any], account: str) -> dict[str, Any]:
    """This account's entry; a failure for it is raised; an answer that names it nowhere is malformed."""
    for failed in answer["failedAccounts"]:
        if failed.get("accountId") == account:
            raise AwsError(
                str(failed.get("errorCode") or "AccountFailed"),
                str(failed.get("errorMessage") or "the account's status could not be read"),
                "inspector2:BatchGetAccountStatus",
            )
    for entry in answer["accounts"]:
        if entry.get("accountId") == account:
            require(entry, ("state.status", "resourceState"), "inspector2:BatchGetAccountStatus")
            return dict(entry)
    raise AwsError(MALFORMED, f"the answer names account {account} nowhere", "inspector2:BatchGetAccountStatus")


def _enabler(ctx: CollectContext) -> Iterator[Resource]:
    inspector = ctx.client()
    answer = ctx.call(
        inspector, "batch_get_account_status", accountIds=[ctx.account], expect=("accounts", "failedAccounts")
    )
    entry = _account_state(answer, ctx.account)
    states = entry["resourceState"]
    # Only ENABLED scans run; ENABLING, DISABLING, SUSPENDED and the rest do not yet, or no longer.
    enabled = sorted(ours for theirs, ours in _TYPES if (states.get(theirs) or {}).get("status") == "ENABLED")
    singleton = f"{ctx.account}/{ctx.region}/aws_inspector2_enabler"
    attributes: dict[str, Any] = {"configured": False, "status": entry["state"]["status"]}
    if enabled:
        attributes = {
            "configured": True,
            "account_ids": [ctx.account],
            "resource_types": enabled,
            "status": entry["state"]["status"],
        }
    yield ctx.resource("aws_inspector2_enabler", singleton, name=None, attributes=attributes)


def _from_terraform(values: dict[str, Any]) -> None:
    for key in ("account_ids", "resource_types"):
        if isinstance(values.get(key), list):
            values[key] = sorted(values[key], key=str)


ENABLER = ResourceType(
    "aws_inspector2_enabler",
    ATTRIBUTES,
    observed_only=("status",),
    singleton=True,
    from_terraform=_from_terraform,
    drift_ignore=("status",),
)

COLLECTORS = (
    Collector(
        name="inspector.enabler",
        service="inspector2",
        resource_types=(ENABLER,),
        calls=("inspector2:BatchGetAccountStatus",),
        collect=_enabler,
        description="Which Amazon Inspector scans run for the account in the region, a singleton per region.",
        notes=(
            "Always present once observed, with id `<account>/<region>/aws_inspector2_enabler`: "
            "`resource_types` lists the scan types whose state is ENABLED (EC2, ECR, LAMBDA, LAMBDA_CODE, "
            "CODE_REPOSITORY), sorted, and `configured` is false (with no provider attributes) when none is. "
            "An answer that names the account in neither `accounts` nor `failedAccounts` is malformed. moto "
            "answers no account at all until Inspector was enabled once in the region (AWS answers the account "
            "with every state DISABLED), so a moto estate enables it before it is observed."
        ),
    ),
)
