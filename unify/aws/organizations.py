"""AWS Organizations: the organization, its member accounts, organizational units and delegated administrators.

Organizations is global, so every collector here runs once per account
(region ``global``). What an observation can see depends on where it runs:
``DescribeOrganization`` answers in every account of an organization, but
listing accounts, units, roots, policies and delegated administrators is
for the management account and delegated administrators only (Organizations
API reference: "This operation can be called only from the organization's
management account or by a member account that is a delegated
administrator"). From any other member those calls answer
AccessDeniedException: the listing is ``error`` coverage and the
organization's management-only attributes are unknown, never read as an
organization without accounts or policies. An account in no organization
(AWSOrganizationsNotInUseException) is a fact: the organization singleton
says ``configured: false`` and the listings are empty. The policies (SCPs
and the rest) and the delegation policy are in :mod:`unify.aws.organizations_policies`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, Final, TypeVar

from unify.errors import AwsError
from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.answers import MALFORMED
from unify.observe.collector import NOT_COLLECTED, CollectContext, Collector, sent

T = TypeVar("T")

#: The error code of every Organizations call made from an account in no organization.
NOT_IN_USE: Final = "AWSOrganizationsNotInUseException"

#: AWS's own SCP that allows everything, attached to every root, unit and account until removed; its id is
#: fixed (Organizations User Guide, "Managing SCPs": p-FullAWSAccess).
FULL_AWS_ACCESS: Final = "p-FullAWSAccess"

#: Trusted services that can be administered from a delegated member account, from the Organizations User
#: Guide's list of services integrated with Organizations ("Supports delegated administrator": yes). Only
#: these can be delegated; an enabled service outside this list is administered from the management account
#: by design, not by neglect.
DELEGABLE_SERVICES: Final = frozenset(
    {
        "access-analyzer.amazonaws.com",
        "account.amazonaws.com",
        "auditmanager.amazonaws.com",
        "backup.amazonaws.com",
        "cloudtrail.amazonaws.com",
        "config.amazonaws.com",
        "config-multiaccountsetup.amazonaws.com",
        "detective.amazonaws.com",
        "fms.amazonaws.com",
        "guardduty.amazonaws.com",
        "health.amazonaws.com",
        "inspector2.amazonaws.com",
        "ipam.amazonaws.com",
        "macie.amazonaws.com",
        "member.org.stacksets.cloudformation.amazonaws.com",
        "securityhub.amazonaws.com",
        "securitylake.amazonaws.com",
        "servicecatalog.amazonaws.com",
        "sso.amazonaws.com",
        "ssm.amazonaws.com",
    }
)

ORGANIZATION_ATTRIBUTES = (
    "configured",
    "arn",
    "id",
    "feature_set",
    "master_account_id",
    "master_account_arn",
    "master_account_email",
    "enabled_policy_types",
    "aws_service_access_principals",
    "roots",
    # extras only observation can see
    "is_management_account",
    "delegated_services",
    "undelegated_services",
)
ACCOUNT_ATTRIBUTES = (
    "arn",
    "id",
    "name",
    "email",
    "status",
    "joined_method",
    "joined_timestamp",
    "parent_id",
    # extras
    "management_account",
    "service_control_policies",
)
UNIT_ATTRIBUTES = ("arn", "id", "name", "parent_id", "service_control_policies")
DELEGATED_ATTRIBUTES = (
    "account_id",
    "service_principal",
    "arn",
    "email",
    "name",
    "status",
    "joined_method",
    "joined_timestamp",
    "delegation_enabled_date",
)


def listing(ctx: CollectContext, operation: str, key: str, each: tuple[str, ...], **kwargs: Any) -> list[Any] | None:
    """Every item of an Organizations listing, or None when the account is in no organization (a fact)."""
    try:
        return list(ctx.items(ctx.client(), operation, key, each=each, **kwargs))
    except AwsError as exc:
        if exc.code == NOT_IN_USE:
            return None
        raise


def tags_of(ctx: CollectContext, resource_id: str) -> Any:
    """The tags of an account, unit, root or policy; the marker when they cannot be read."""
    return ctx.detail(
        lambda: list(ctx.items(ctx.client(), "list_tags_for_resource", "Tags", each=("Key",), ResourceId=resource_id))
    )


# -- the organization ----------------------------------------------------------------------


def _roots(ctx: CollectContext, org: Any) -> list[dict[str, Any]]:
    roots = []
    for root in ctx.items(org, "list_roots", "Roots", each=("Id", "Arn", "PolicyTypes")):
        types = sorted(
            ({"type": t.get("Type"), "status": t.get("Status")} for t in root["PolicyTypes"]),
            key=lambda t: str(t["type"]),
        )
        roots.append({"id": root["Id"], "arn": root["Arn"], "name": root.get("Name"), "policy_types": types})
    return sorted(roots, key=lambda r: str(r["id"]))


def _delegated_services(ctx: CollectContext, org: Any) -> list[str]:
    services: set[str] = set()
    for admin in ctx.items(org, "list_delegated_administrators", "DelegatedAdministrators", each=("Id",)):
        for service in ctx.items(
            org,
            "list_delegated_services_for_account",
            "DelegatedServices",
            each=("ServicePrincipal",),
            AccountId=admin["Id"],
        ):
            services.add(service["ServicePrincipal"])
    return sorted(services)


def _organization(ctx: CollectContext) -> Iterator[Resource]:
    org = ctx.client()
    singleton = f"{ctx.account}/aws_organizations_organization"
    expect = tuple(f"Organization.{key}" for key in ("Id", "Arn", "FeatureSet", "MasterAccountId", "MasterAccountArn"))
    try:
        described = ctx.call(org, "describe_organization", expect=expect)["Organization"]
    except AwsError as exc:
        if exc.code != NOT_IN_USE:
            raise  # anything but "in no organization" leaves the setting unobserved (error coverage)
        yield ctx.resource("aws_organizations_organization", singleton, name=None, attributes={"configured": False})
        return
    roots = ctx.detail(lambda: _roots(ctx, org))
    if isinstance(roots, list):
        enabled: Any = sorted(
            {str(t["type"]) for root in roots for t in root["policy_types"] if t["status"] == "ENABLED"}
        )
    else:
        enabled = roots
    principals = ctx.detail(
        lambda: sorted(
            p["ServicePrincipal"]
            for p in ctx.items(
                org, "list_aws_service_access_for_organization", "EnabledServicePrincipals", each=("ServicePrincipal",)
            )
        )
    )
    delegated = ctx.detail(lambda: _delegated_services(ctx, org))
    if principals is NOT_COLLECTED or delegated is NOT_COLLECTED:
        undelegated: Any = NOT_COLLECTED
    elif isinstance(principals, list) and isinstance(delegated, list):
        undelegated = sorted(p for p in principals if p in DELEGABLE_SERVICES and p not in delegated)
    else:
        undelegated = principals if is_unknown(principals) else delegated
    yield ctx.resource(
        "aws_organizations_organization",
        singleton,
        name=None,
        attributes={
            "configured": True,
            "arn": described["Arn"],
            "id": described["Id"],
            "feature_set": described["FeatureSet"],
            "master_account_id": described["MasterAccountId"],
            "master_account_arn": described["MasterAccountArn"],
            "master_account_email": sent(described, "MasterAccountEmail"),
            "enabled_policy_types": enabled,
            "aws_service_access_principals": principals,
            "roots": roots,
            "is_management_account": described["MasterAccountId"] == ctx.account,
            "delegated_services": delegated,
            "undelegated_services": undelegated,
        },
    )


# -- where accounts and units sit, and the SCPs that reach them ------------------------------


class _Hierarchy:
    """Parents and directly attached SCPs of roots, units and accounts, each asked once per observation."""

    def __init__(self, ctx: CollectContext, org: Any) -> None:
        self._ctx, self._org = ctx, org
        self._answers: dict[tuple[str, str], Any] = {}
        self._asking: dict[tuple[str, str], threading.Lock] = {}
        self._lock = threading.Lock()

    def _once(self, key: tuple[str, str], ask: Callable[[], T]) -> T:
        """``ask()``'s answer for ``key``, asked once even when accounts under one unit reach it together."""
        with self._lock:
            asking = self._asking.setdefault(key, threading.Lock())
        with asking:  # a second asker of the same key waits for the first one's answer
            if key not in self._answers:
                self._answers[key] = ask()
            answer: T = self._answers[key]
        return answer

    def parent(self, child: str) -> tuple[str, str]:
        """``(id, type)`` of the child's one parent (a unit or the root)."""

        def ask() -> tuple[str, str]:
            answer = self._ctx.call(self._org, "list_parents", ChildId=child, expect=("Parents",))["Parents"]
            if len(answer) != 1 or not isinstance(answer[0], dict) or "Id" not in answer[0]:
                # Every account and unit has exactly one parent (Organizations API reference, ListParents).
                raise AwsError(
                    MALFORMED, f"list_parents gave {len(answer)} parents for {child}", "organizations:ListParents"
                )
            return (str(answer[0]["Id"]), str(answer[0].get("Type")))

        return self._once(("parent", child), ask)

    def attached(self, target: str) -> list[str]:
        """The ids of the SCPs attached directly to a root, unit or account."""

        def ask() -> list[str]:
            return sorted(
                p["Id"]
                for p in self._ctx.items(
                    self._org,
                    "list_policies_for_target",
                    "Policies",
                    each=("Id",),
                    TargetId=target,
                    Filter="SERVICE_CONTROL_POLICY",
                )
            )

        return self._once(("attached", target), ask)

    def effective(self, account: str) -> list[str]:
        """The SCPs that apply to an account: attached to it, or to any unit above it, or to the root.

        The path up to the root is walked first, then each step's SCPs are asked: the parents asked do not
        depend on whether this observation asks for attached SCPs (ListPoliciesForTarget may be skipped
        while ``parent_id`` still needs ListParents).
        """
        path = [account]
        node, kind = self.parent(account)
        for _ in range(6):  # the root, then at most five levels of units (Organizations quotas)
            path.append(node)
            if kind == "ROOT":
                return sorted({policy for target in path for policy in self.attached(target)})
            node, kind = self.parent(node)
        raise AwsError(MALFORMED, f"no root above {account} within five units", "organizations:ListParents")


def _management_id(arn: str) -> str:
    """The management account in an Organizations ARN (``arn:aws:organizations::MGMT:account/o-x/ID``)."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def _accounts(ctx: CollectContext) -> Iterator[Resource]:
    accounts = listing(ctx, "list_accounts", "Accounts", ("Id", "Arn"))
    if accounts is None:
        return
    tree = _Hierarchy(ctx, ctx.client())

    def observe(account: dict[str, Any]) -> Resource:
        account_id, arn = str(account["Id"]), str(account["Arn"])
        parent = ctx.detail(lambda: tree.parent(account_id)[0])
        return ctx.resource(
            "aws_organizations_account",
            arn,
            name=account.get("Name"),
            tags=tags_of(ctx, account_id),
            attributes={
                "arn": arn,
                "id": account_id,
                "name": sent(account, "Name"),
                "email": sent(account, "Email"),
                "status": sent(account, "Status"),
                "joined_method": sent(account, "JoinedMethod"),
                "joined_timestamp": sent(account, "JoinedTimestamp"),
                "parent_id": parent,
                "management_account": account_id == _management_id(arn),
                "service_control_policies": ctx.detail(lambda: tree.effective(account_id)),
            },
        )

    yield from ctx.map(observe, accounts)


def _units(ctx: CollectContext) -> Iterator[Resource]:
    org = ctx.client()
    roots = listing(ctx, "list_roots", "Roots", ("Id",))
    if roots is None:
        return
    tree = _Hierarchy(ctx, org)
    todo = [str(root["Id"]) for root in roots]
    found: list[tuple[str, dict[str, Any]]] = []
    while todo:  # every level of units, breadth first (at most five below the root)
        parent = todo.pop(0)
        for unit in ctx.items(
            org, "list_organizational_units_for_parent", "OrganizationalUnits", each=("Id", "Arn"), ParentId=parent
        ):
            found.append((parent, unit))
            todo.append(str(unit["Id"]))

    def observe(item: tuple[str, dict[str, Any]]) -> Resource:
        parent, unit = item
        unit_id, arn = str(unit["Id"]), str(unit["Arn"])
        return ctx.resource(
            "aws_organizations_organizational_unit",
            arn,
            name=unit.get("Name"),
            tags=tags_of(ctx, unit_id),
            attributes={
                "arn": arn,
                "id": unit_id,
                "name": sent(unit, "Name"),
                "parent_id": parent,
                "service_control_policies": ctx.detail(lambda: tree.attached(unit_id)),
            },
        )

    yield from ctx.map(observe, found)


def _delegated_administrators(ctx: CollectContext) -> Iterator[Resource]:
    org = ctx.client()
    admins = listing(ctx, "list_delegated_administrators", "DelegatedAdministrators", ("Id", "Arn"))
    if admins is None:
        return

    def observe(admin: dict[str, Any]) -> list[Resource]:
        account_id = str(admin["Id"])
        services = ctx.items(
            org,
            "list_delegated_services_for_account",
            "DelegatedServices",
            each=("ServicePrincipal",),
            AccountId=account_id,
        )
        out = []
        for service in services:
            principal = str(service["ServicePrincipal"])
            out.append(
                ctx.resource(
                    "aws_organizations_delegated_administrator",
                    f"{account_id}/{principal}",
                    name=admin.get("Name"),
                    attributes={
                        "account_id": account_id,
                        "service_principal": principal,
                        "arn": admin["Arn"],
                        "email": sent(admin, "Email"),
                        "name": sent(admin, "Name"),
                        "status": sent(admin, "Status"),
                        "joined_method": sent(admin, "JoinedMethod"),
                        "joined_timestamp": sent(admin, "JoinedTimestamp"),
                        "delegation_enabled_date": sent(service, "DelegationEnabledDate"),
                    },
                )
            )
        return out

    for resources in ctx.map(observe, admins):
        yield from resources


# -- Terraform ------------------------------------------------------------------------------


def _organization_from_terraform(values: dict[str, Any]) -> None:
    # Whoever applies aws_organizations_organization creates the organization, and so is its management
    # account (Organizations User Guide, "Creating an organization").
    values.setdefault("is_management_account", True)
    for key in ("enabled_policy_types", "aws_service_access_principals"):
        if isinstance(values.get(key), list):
            values[key] = sorted(str(v) for v in values[key])


def _account_from_terraform(values: dict[str, Any]) -> None:
    # Terraform creates member accounts only: the management account is the one that applies the organization.
    values.setdefault("management_account", False)


ORGANIZATION = ResourceType(
    "aws_organizations_organization",
    ORGANIZATION_ATTRIBUTES,
    observed_only=("delegated_services", "undelegated_services"),
    regional=False,
    singleton=True,
    # DescribeOrganization gives the singleton (its failure is error coverage); these are asked after it.
    # ListRoots (roots, enabled_policy_types) is not declared: it is the units' listing, made by every
    # observation of units whatever the organization's checks read.
    sources={
        "organizations:ListAWSServiceAccessForOrganization": ("aws_service_access_principals", "undelegated_services"),
        # The services of each delegated administrator the listing gives.
        "organizations:ListDelegatedAdministrators": ("delegated_services", "undelegated_services"),
        "organizations:ListDelegatedServicesForAccount": ("delegated_services", "undelegated_services"),
    },
    # Provider default (docs of aws_organizations_organization): all features.
    defaults={"feature_set": "ALL"},
    from_terraform=_organization_from_terraform,
    drift_ignore=("arn", "id", "master_account_id", "master_account_arn", "master_account_email", "roots"),
)

ACCOUNT = ResourceType(
    "aws_organizations_account",
    ACCOUNT_ATTRIBUTES,
    observed_only=("service_control_policies",),
    regional=False,
    # The SCPs that reach an account are those of every unit above it: the walk up asks ListParents too.
    sources={
        "organizations:ListParents": ("parent_id", "service_control_policies"),
        "organizations:ListPoliciesForTarget": ("service_control_policies",),
        "organizations:ListTagsForResource": ("tags",),
    },
    from_terraform=_account_from_terraform,
    drift_ignore=("status", "joined_method", "joined_timestamp", "management_account"),
)

UNIT = ResourceType(
    "aws_organizations_organizational_unit",
    UNIT_ATTRIBUTES,
    observed_only=("service_control_policies",),
    regional=False,
    sources={
        "organizations:ListPoliciesForTarget": ("service_control_policies",),
        "organizations:ListTagsForResource": ("tags",),
    },
)

DELEGATED_ADMINISTRATOR = ResourceType(
    "aws_organizations_delegated_administrator",
    DELEGATED_ATTRIBUTES,
    regional=False,
    drift_ignore=("arn", "email", "name", "status", "joined_method", "joined_timestamp", "delegation_enabled_date"),
)

_VIEW = (
    "Listing needs the management account or a delegated administrator; from another member AWS answers "
    "AccessDeniedException, which is `error` coverage (moto answers an empty list there instead). An account "
    "in no organization gives an empty listing with `ok` coverage."
)

COLLECTORS = (
    Collector(
        name="organizations.organization",
        service="organizations",
        resource_types=(ORGANIZATION,),
        calls=(
            "organizations:DescribeOrganization",
            "organizations:ListRoots",
            "organizations:ListAWSServiceAccessForOrganization",
            "organizations:ListDelegatedAdministrators",
            "organizations:ListDelegatedServicesForAccount",
        ),
        collect=_organization,
        scope="global",
        description="The organization the account belongs to, a singleton per account, seen from that account.",
        notes=(
            "Id `<account>/aws_organizations_organization`; `configured: false` and nothing else when the account "
            "is in no organization (AWSOrganizationsNotInUseException). `is_management_account` says whether the "
            "observed account is the management account. `roots` (`[{id, arn, name, policy_types: [{type, "
            "status}]}]`), `enabled_policy_types` (the roots' ENABLED types, sorted), "
            "`aws_service_access_principals` (trusted services, sorted), `delegated_services` (service "
            "principals with a delegated administrator) and `undelegated_services` (trusted services that "
            "support a delegated administrator but have none) need the management account or a delegated "
            "administrator: from another member they are unknown (AccessDeniedException). "
            "`master_account_email` is marked sensitive by AWS and kept as a redaction marker. moto answers "
            "`list_roots` from members too, and registers delegated administrators for six services only."
        ),
    ),
    Collector(
        name="organizations.accounts",
        service="organizations",
        resource_types=(ACCOUNT,),
        calls=(
            "organizations:ListAccounts",
            "organizations:ListParents",
            "organizations:ListPoliciesForTarget",
            "organizations:ListTagsForResource",
        ),
        collect=_accounts,
        scope="global",
        # AWS marks an account's name sensitive; it is the account's own name (its resource name), not a secret.
        keeps_sensitive={"ListAccounts": ("Accounts[].Name",)},
        description="Every account of the organization, the management account included.",
        notes=(
            f"{_VIEW} `parent_id` is the account's unit or root (`list_parents`); `management_account` is true "
            "for the management account; `service_control_policies` lists the ids of every SCP that reaches "
            "the account (attached to it, to a unit above it or to the root), sorted. `email` is marked "
            "sensitive by AWS and kept as a redaction marker."
        ),
    ),
    Collector(
        name="organizations.organizational_units",
        service="organizations",
        resource_types=(UNIT,),
        calls=(
            "organizations:ListRoots",
            "organizations:ListOrganizationalUnitsForParent",
            "organizations:ListPoliciesForTarget",
            "organizations:ListTagsForResource",
        ),
        collect=_units,
        scope="global",
        description="Every organizational unit, at every level below the root.",
        notes=(
            f"{_VIEW} Units are walked from each root, level by level; `parent_id` is the unit or root above; "
            "`service_control_policies` lists the SCPs attached to the unit itself, sorted."
        ),
    ),
    Collector(
        name="organizations.delegated_administrators",
        service="organizations",
        resource_types=(DELEGATED_ADMINISTRATOR,),
        calls=("organizations:ListDelegatedAdministrators", "organizations:ListDelegatedServicesForAccount"),
        collect=_delegated_administrators,
        scope="global",
        keeps_sensitive={"ListDelegatedAdministrators": ("DelegatedAdministrators[].Name",)},
        description="Each service a member account administers for the organization, one resource per pair.",
        notes=(
            f"{_VIEW} Id `<account id>/<service principal>`, as Terraform's; `name` is the delegated account's "
            "name. `email` is marked sensitive by AWS and kept as a redaction marker."
        ),
    ),
)
