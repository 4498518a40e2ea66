"""IAM: users, groups, roles and customer managed policies (account-wide settings: :mod:`unify.aws.iam_account`).

IAM is global, so every collector here runs once per account (coverage and
resource region ``global``). Group membership, attached and inline policies,
tags, permissions boundaries and role usage come from
``get_account_authorization_details``, one paginated listing for the whole
account instead of several calls per entity. Each collector asks it for its
own entity kind only, so a check over users never pays for listing roles.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.aws.iam_account import CredentialReport, credential_report, report_flag, report_when
from unify.model.policy_document import parse_policy
from unify.model.resource import Resource, is_unknown, unknown
from unify.model.resource_type import ResourceType
from unify.model.time import utcnow
from unify.observe.collector import ABSENT, NOT_COLLECTED, CollectContext, Collector, sent, unread
from unify.terraform.values import NO_POLICIES, attachment_count_folds, policy_folds, role_policies

USER_ATTRIBUTES = (
    "arn",
    "name",
    "path",
    "unique_id",
    "create_date",
    "permissions_boundary",
    # extras only observation can see
    "password_enabled",
    "password_last_used",
    "mfa_active",
    "mfa_devices",
    "access_keys",
    "groups",
    "attached_policy_arns",
    "inline_policy_names",
    "inline_policies",
    "report_generated_at",
)
GROUP_ATTRIBUTES = (
    "arn",
    "name",
    "path",
    "unique_id",
    "create_date",
    # extras
    "attached_policy_arns",
    "inline_policy_names",
    "inline_policies",
    "users",
)
ROLE_ATTRIBUTES = (
    "arn",
    "name",
    "path",
    "unique_id",
    "create_date",
    "description",
    "max_session_duration",
    "assume_role_policy",
    "permissions_boundary",
    # extras
    "attached_policy_arns",
    "inline_policy_names",
    "inline_policies",
    "role_last_used",
    "instance_profile_arns",
)
POLICY_ATTRIBUTES = (
    "arn",
    "name",
    "path",
    "policy_id",
    "description",
    "policy",
    "attachment_count",
    # extras
    "create_date",
    "update_date",
    "default_version_id",
    "is_attachable",
)
_DETAIL_KEYS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
#: The answer's list for each entity kind of the request's Filter.
_FILTER_KEY = {
    "User": "UserDetailList",
    "Group": "GroupDetailList",
    "Role": "RoleDetailList",
    "LocalManagedPolicy": "Policies",
}

#: Where an entity's inline policies are in its authorization details, by entity kind.
_INLINE_KEY = {"User": "UserPolicyList", "Group": "GroupPolicyList", "Role": "RolePolicyList"}


# -- get_account_authorization_details ----------------------------------------------------


def _authorization_details(ctx: CollectContext, iam: Any, *filters: str) -> dict[str, list[dict[str, Any]]]:
    """One paginated ``get_account_authorization_details`` listing: its entity lists by response key."""
    found: dict[str, list[dict[str, Any]]] = {key: [] for key in _DETAIL_KEYS}
    # Each page carries the list of every entity kind asked for, empty or not.
    wanted = tuple(_FILTER_KEY[kind] for kind in filters)
    for page in ctx.pages(iam, "get_account_authorization_details", expect=wanted, Filter=list(filters)):
        for key in _DETAIL_KEYS:
            found[key].extend(page.get(key) or [])
    return found


def _details_by_name(ctx: CollectContext, iam: Any, kind: str, key: str) -> dict[str, Any]:
    """Authorization details of one entity kind by name, or the ``$unknown`` marker when the call failed.

    Used where another listing (``list_users``, ``list_roles``) decides which
    entities exist: if the details cannot be read, those entities are still
    reported, with the attributes only the details carry unknown. (IAM names
    cannot contain ``$``, so a marker never collides with a name.)
    """
    name_key = f"{kind}Name"
    found = ctx.detail(lambda: _authorization_details(ctx, iam, kind)[key])
    if isinstance(found, list):
        return {entry[name_key]: entry for entry in found}
    return dict(found) if isinstance(found, dict) else unknown("no authorization details")


def _entry(details: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """One entity's details, or the marker explaining why there are none."""
    if is_unknown(details):
        return details
    entry: Mapping[str, Any] | None = details.get(name)
    if entry is None:  # made between the two listings
        return unknown("not in the authorization details (created during the observation)")
    return entry


def _policy_fields(entry: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """Attached managed policies and inline policies (documents parsed) of a user, group or role."""
    if is_unknown(entry):
        return {"attached_policy_arns": entry, "inline_policy_names": entry, "inline_policies": entry}
    inline = sorted(
        (
            {"name": p["PolicyName"], "policy": parse_policy(p.get("PolicyDocument"))}
            for p in entry.get(_INLINE_KEY[kind]) or []
        ),
        key=lambda policy: str(policy["name"]),
    )
    return {
        "attached_policy_arns": sorted(p["PolicyArn"] for p in entry.get("AttachedManagedPolicies") or []),
        "inline_policy_names": [p["name"] for p in inline],
        "inline_policies": inline,
    }


def _boundary(entry: Mapping[str, Any]) -> Any:
    """The permissions boundary's policy ARN; ABSENT when the entity has none."""
    if is_unknown(entry):
        return entry
    return (entry.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn") or ABSENT


def _tags(entry: Mapping[str, Any]) -> Any:
    """The entity's tags from its details (a marker when the details are unknown)."""
    return entry if is_unknown(entry) else entry.get("Tags") or []


# -- users ---------------------------------------------------------------------------------


def _mfa_devices(ctx: CollectContext, iam: Any, user: str) -> Any:
    """The user's MFA devices (virtual and hardware); ABSENT when the user no longer exists."""

    def fetch() -> list[dict[str, Any]]:
        devices = [
            {"serial_number": d["SerialNumber"], "enable_date": sent(d, "EnableDate")}
            for d in ctx.items(iam, "list_mfa_devices", "MFADevices", each=("SerialNumber",), UserName=user)
        ]
        return sorted(devices, key=lambda d: str(d["serial_number"]))

    return ctx.detail(fetch, absent=("NoSuchEntity",))


def _access_keys(ctx: CollectContext, iam: Any, user: str) -> Any:
    """The user's access keys with their last use; ABSENT when the user no longer exists."""
    keys = ctx.detail(
        lambda: list(ctx.items(iam, "list_access_keys", "AccessKeyMetadata", each=("AccessKeyId",), UserName=user)),
        absent=("NoSuchEntity",),
    )
    if not isinstance(keys, list):
        return keys
    out: list[dict[str, Any]] = []
    for key in keys:
        key_id = key["AccessKeyId"]

        def last_used(key_id: str = key_id) -> dict[str, Any]:
            answer = ctx.call(iam, "get_access_key_last_used", AccessKeyId=key_id, expect=("AccessKeyLastUsed",))
            last: dict[str, Any] = answer["AccessKeyLastUsed"]
            return last

        used = ctx.detail(last_used, absent=("NoSuchEntity",))
        if used is NOT_COLLECTED:
            return NOT_COLLECTED
        if used is ABSENT:
            continue  # deleted since the listing
        if is_unknown(used):
            date: Any = used
            service: Any = used
        else:
            assert isinstance(used, dict)
            # A key never used answers ServiceName "N/A" and no date (IAM API reference, AccessKeyLastUsed).
            date = used.get("LastUsedDate")
            service = used.get("ServiceName") if used.get("ServiceName") not in (None, "N/A") else None
        out.append(
            {
                "id": key_id,
                "status": sent(key, "Status"),
                "create_date": sent(key, "CreateDate"),
                "last_used_date": date,
                "last_used_service": service,
            }
        )
    return sorted(out, key=lambda k: (str(k["create_date"]), str(k["id"])))


def _password_enabled(ctx: CollectContext, iam: Any, user: str) -> Any:
    """True when the user has a console password (a login profile); NoSuchEntity means none."""
    profile = ctx.detail(lambda: ctx.call(iam, "get_login_profile", UserName=user), absent=("NoSuchEntity",))
    if profile is NOT_COLLECTED:
        return NOT_COLLECTED
    if profile is ABSENT:
        return False
    return profile if is_unknown(profile) else True


def _report_rows(ctx: CollectContext, iam: Any) -> tuple[dict[str, dict[str, str]], Any]:
    """The credential report's rows by user name and when it was made; no rows when it may not be read.

    One report answers ``password_enabled`` and ``mfa_active`` for every
    user it lists, where each user would cost a ``GetLoginProfile`` and a
    ``ListMFADevices``. It is read only when no older than the observation's
    ``credential_report_max_age``; a report that failed, or is older, leaves
    each user to be asked.
    """
    report = ctx.detail(lambda: credential_report(ctx, iam))
    if not isinstance(report, CredentialReport):
        return {}, ABSENT  # not collected (no check reads these), or failed: the users are asked one by one
    limit = ctx.session.credential_report_max_age
    if limit is not None:
        age = report.age(utcnow())
        if age is None or age > limit:
            return {}, ABSENT
    return report.rows, report.generated


def _own_row(rows: Mapping[str, dict[str, str]], user: Mapping[str, Any]) -> Mapping[str, str] | None:
    """The report's row of this very user, or None.

    A row is this user's only when its ARN and creation time are the
    listing's: a user made since the report, or deleted and made again under
    the same name, is not in it.
    """
    row = rows.get(user["UserName"])
    if row is None or row.get("arn") != user["Arn"]:
        return None
    return row if report_when(row.get("user_creation_time")) == user.get("CreateDate") else None


def _reported(row: Mapping[str, str] | None, key: str) -> Any:
    """The row's ``true``/``false``; ABSENT when there is no row or the column says neither."""
    value = ABSENT if row is None else report_flag(row, key)
    return value if isinstance(value, bool) else ABSENT


def _users(ctx: CollectContext) -> Iterator[Resource]:
    iam = ctx.client()
    details = _details_by_name(ctx, iam, "User", "UserDetailList")
    users = list(ctx.items(iam, "list_users", "Users", each=("UserName", "Arn")))
    rows, generated = _report_rows(ctx, iam)
    # The device list itself is asked for only when something reads it; the report's mfa_active is enough else.
    want_devices = ctx.reads("aws_iam_user", "mfa_devices")
    if not want_devices:
        ctx.not_collecting("aws_iam_user", "mfa_devices")

    def observe(user: dict[str, Any]) -> Resource | None:
        name = user["UserName"]
        row = _own_row(rows, user)
        reported_mfa = _reported(row, "mfa_active")
        reported_password = _reported(row, "password_enabled")
        mfa: Any = NOT_COLLECTED
        if want_devices or reported_mfa is ABSENT:
            mfa = _mfa_devices(ctx, iam, name)
        keys = _access_keys(ctx, iam, name)
        if mfa is ABSENT or keys is ABSENT:
            return None  # deleted since the listing
        mfa_active = reported_mfa
        if mfa_active is ABSENT:
            mfa_active = mfa if unread(mfa) else bool(mfa)
        password = reported_password
        if password is ABSENT:
            password = _password_enabled(ctx, iam, name)
        from_report = reported_mfa is not ABSENT or reported_password is not ABSENT
        entry = _entry(details, name)
        groups = entry if is_unknown(entry) else sorted(entry.get("GroupList") or [])
        return ctx.resource(
            "aws_iam_user",
            user["Arn"],
            name=name,
            tags=_tags(entry),
            attributes={
                "arn": user["Arn"],
                "name": name,
                "path": user.get("Path"),
                "unique_id": user.get("UserId"),
                "create_date": user.get("CreateDate"),
                "permissions_boundary": _boundary(entry),
                "password_enabled": password,
                "password_last_used": user.get("PasswordLastUsed", ABSENT),
                "mfa_active": mfa_active,
                "mfa_devices": mfa,
                "access_keys": keys,
                "groups": groups,
                "report_generated_at": generated if from_report else ABSENT,
                **_policy_fields(entry, "User"),
            },
        )

    for resource in ctx.map(observe, users):
        if resource is not None:
            yield resource


# -- groups --------------------------------------------------------------------------------


def _groups(ctx: CollectContext) -> Iterator[Resource]:
    # Members come from the users' GroupList in the same listing (Filter User
    # and Group) rather than one get_group per group: one paginated call for
    # the account, and members and groups read from the same answer.
    iam = ctx.client()
    found = _authorization_details(ctx, iam, "User", "Group")
    members: dict[str, list[str]] = {}
    for user in found["UserDetailList"]:
        for group_name in user.get("GroupList") or []:
            members.setdefault(group_name, []).append(user["UserName"])
    for group in found["GroupDetailList"]:
        name = group["GroupName"]
        yield ctx.resource(
            "aws_iam_group",
            group["Arn"],
            name=name,
            attributes={
                "arn": group["Arn"],
                "name": name,
                "path": group.get("Path"),
                "unique_id": group.get("GroupId"),
                "create_date": group.get("CreateDate"),
                **_policy_fields(group, "Group"),
                "users": sorted(members.get(name, [])),
            },
        )


# -- roles ---------------------------------------------------------------------------------


def _role_last_used(entry: Mapping[str, Any]) -> Any:
    if is_unknown(entry):
        return entry
    used = entry.get("RoleLastUsed") or {}
    if not used.get("LastUsedDate"):
        return ABSENT  # never used (or not within the tracking period)
    return {"last_used_date": used["LastUsedDate"], "region": used.get("Region")}


def _roles(ctx: CollectContext) -> Iterator[Resource]:
    # list_roles decides which roles exist and carries description and
    # session duration, which the authorization details lack.
    iam = ctx.client()
    details = _details_by_name(ctx, iam, "Role", "RoleDetailList")
    for role in ctx.items(iam, "list_roles", "Roles", each=("RoleName", "Arn")):
        name = role["RoleName"]
        entry = _entry(details, name)
        profiles = entry if is_unknown(entry) else sorted(p["Arn"] for p in entry.get("InstanceProfileList") or [])
        yield ctx.resource(
            "aws_iam_role",
            role["Arn"],
            name=name,
            tags=_tags(entry),
            attributes={
                "arn": role["Arn"],
                "name": name,
                "path": role.get("Path"),
                "unique_id": role.get("RoleId"),
                "create_date": role.get("CreateDate"),
                "description": role.get("Description", ""),
                "max_session_duration": role.get("MaxSessionDuration"),
                "assume_role_policy": parse_policy(role.get("AssumeRolePolicyDocument")),
                "permissions_boundary": _boundary(entry),
                **_policy_fields(entry, "Role"),
                "role_last_used": _role_last_used(entry),
                "instance_profile_arns": profiles,
            },
        )


# -- customer managed policies -------------------------------------------------------------


def _default_document(policy: Mapping[str, Any]) -> Any:
    """The default version's document, parsed."""
    default = policy.get("DefaultVersionId")
    for version in policy.get("PolicyVersionList") or []:
        if version.get("VersionId") == default or (default is None and version.get("IsDefaultVersion")):
            return parse_policy(version.get("Document"))
    return unknown("the default policy version is not in the authorization details")


def _policies(ctx: CollectContext) -> Iterator[Resource]:
    iam = ctx.client()
    policies = _authorization_details(ctx, iam, "LocalManagedPolicy")["Policies"]
    listed: Any = {}
    if any("PolicyId" not in p for p in policies):
        # moto's details omit PolicyName and PolicyId (AWS includes both):
        # take the id from list_policies, once for all policies.
        listed = ctx.detail(lambda: {p["Arn"]: p for p in ctx.items(iam, "list_policies", "Policies", Scope="Local")})

    def policy_id(policy: Mapping[str, Any]) -> Any:
        if "PolicyId" in policy:
            return policy["PolicyId"]
        if is_unknown(listed):
            return listed
        return (listed.get(policy["Arn"]) or {}).get("PolicyId") or unknown("not in list_policies")

    def observe(policy: dict[str, Any]) -> Resource:
        arn = policy["Arn"]
        if "Tags" in policy:
            tags: Any = policy["Tags"]
        else:
            tags = ctx.detail(
                lambda: list(ctx.items(iam, "list_policy_tags", "Tags", PolicyArn=arn)), absent=("NoSuchEntity",)
            )
        # A policy name cannot contain "/", so the ARN's last segment is the name.
        name = policy.get("PolicyName") or arn.rsplit("/", 1)[-1]
        return ctx.resource(
            "aws_iam_policy",
            arn,
            name=name,
            tags=tags,
            attributes={
                "arn": arn,
                "name": name,
                "path": policy.get("Path"),
                "policy_id": policy_id(policy),
                "description": policy.get("Description", ""),
                "policy": _default_document(policy),
                "attachment_count": policy.get("AttachmentCount"),
                "create_date": policy.get("CreateDate"),
                "update_date": policy.get("UpdateDate"),
                "default_version_id": policy.get("DefaultVersionId"),
                "is_attachable": policy.get("IsAttachable", ABSENT),
            },
        )

    yield from ctx.map(observe, policies)


USER = ResourceType(
    "aws_iam_user",
    USER_ATTRIBUTES,
    observed_only=(
        "password_enabled",
        "password_last_used",
        "mfa_active",
        "mfa_devices",
        "access_keys",
        "groups",
        "attached_policy_arns",
        "inline_policy_names",
        "inline_policies",
        "report_generated_at",
    ),
    regional=False,
    # Groups, policies, the boundary and tags come with the account's authorization details, one listing for
    # every user (not a per-user call); the users' own listing gives the rest.
    # The credential report answers password_enabled and mfa_active for every user at once; the per-user calls
    # stand in for it when it failed, is older than allowed, or does not list the user.
    sources={
        "iam:GenerateCredentialReport": ("password_enabled", "mfa_active", "report_generated_at"),
        "iam:GetCredentialReport": ("password_enabled", "mfa_active", "report_generated_at"),
        "iam:GetLoginProfile": ("password_enabled",),
        "iam:ListMFADevices": ("mfa_devices", "mfa_active"),
        # The keys' last use is asked only of the keys the listing gives.
        "iam:ListAccessKeys": ("access_keys",),
        "iam:GetAccessKeyLastUsed": ("access_keys",),
    },
    folds=policy_folds(
        ("aws_iam_user_policy", "user"),
        ("aws_iam_user_policy_attachment", "user"),
        ("aws_iam_policy_attachment", "users"),
    ),
    created_empty=NO_POLICIES,
    drift_ignore=("name", "password_last_used"),
)

GROUP = ResourceType(
    "aws_iam_group",
    GROUP_ATTRIBUTES,
    observed_only=("users", "attached_policy_arns", "inline_policy_names", "inline_policies"),
    regional=False,
    folds=policy_folds(
        ("aws_iam_group_policy", "group"),
        ("aws_iam_group_policy_attachment", "group"),
        ("aws_iam_policy_attachment", "groups"),
    ),
    created_empty=NO_POLICIES,
    drift_ignore=("name",),
)

ROLE = ResourceType(
    "aws_iam_role",
    ROLE_ATTRIBUTES,
    observed_only=(
        "attached_policy_arns",
        "inline_policy_names",
        "inline_policies",
        "role_last_used",
        "instance_profile_arns",
    ),
    regional=False,
    from_terraform=role_policies,
    folds=policy_folds(
        ("aws_iam_role_policy", "role"),
        ("aws_iam_role_policy_attachment", "role"),
        ("aws_iam_policy_attachment", "roles"),
    ),
    created_empty=(
        ("attached_policy_arns", "managed_policy_arns", []),
        ("inline_policy_names", "inline_policy", []),
        ("inline_policies", "inline_policy", []),
    ),
    drift_ignore=("name", "role_last_used", "instance_profile_arns"),
)

POLICY = ResourceType(
    "aws_iam_policy",
    POLICY_ATTRIBUTES,
    observed_only=("attachment_count",),
    regional=False,
    # Tags are asked per policy: the authorization details carry none.
    sources={"iam:ListPolicyTags": ("tags",)},
    folds=attachment_count_folds(USER, GROUP, ROLE),
    created_empty=(("attachment_count", None, 0),),
    drift_ignore=("name", "policy_id", "attachment_count", "update_date", "default_version_id"),
)

COLLECTORS = (
    Collector(
        name="iam.users",
        service="iam",
        resource_types=(USER,),
        calls=(
            "iam:ListUsers",
            "iam:GetAccountAuthorizationDetails",
            "iam:GenerateCredentialReport",
            "iam:GetCredentialReport",
            "iam:GetLoginProfile",
            "iam:ListMFADevices",
            "iam:ListAccessKeys",
            "iam:GetAccessKeyLastUsed",
        ),
        collect=_users,
        scope="global",
        description="Every IAM user, with console password, MFA devices, access keys and their last use, "
        "groups and policies.",
        notes=(
            "Users come from `list_users` (which gives `password_last_used`, absent when the password was "
            "never used). `groups`, `attached_policy_arns`, `inline_policies` (documents parsed), "
            "`permissions_boundary` and tags come from `get_account_authorization_details` (Filter User); "
            "if that call fails, those are unknown while the users are still listed. `password_enabled` "
            "(a console password) and `mfa_active` (at least one MFA device) come from the credential report "
            "(`generate_credential_report`, `get_credential_report`) for every user it lists with the "
            "listing's ARN and creation time, and `report_generated_at` says when IAM made it. IAM makes a new "
            "report only when the last is more than four hours old; `--credential-report-max-age` sets the "
            "oldest one read. A user the report does not answer is asked: `get_login_profile` (NoSuchEntity: "
            "no password) and `list_mfa_devices`. `access_keys` items are `{id, status, "
            "create_date, last_used_date, last_used_service}` (`list_access_keys` and "
            "`get_access_key_last_used`), sorted by creation; a key never used has `last_used_date` and "
            "`last_used_service` null. `mfa_devices` items are `{serial_number, enable_date}` from "
            "`list_mfa_devices`. moto records a key's last use only when it receives a request signed "
            "with that key, and its authorization details omit users' permissions boundaries, so "
            "`permissions_boundary` is always absent for users under moto."
        ),
    ),
    Collector(
        name="iam.groups",
        service="iam",
        resource_types=(GROUP,),
        calls=("iam:GetAccountAuthorizationDetails",),
        collect=_groups,
        scope="global",
        description="Every IAM group, with its members and its attached and inline policies.",
        notes=(
            "One `get_account_authorization_details` listing with Filter User and Group gives the groups, "
            "their policies and, from each user's GroupList, the sorted member names in `users` (no "
            "`get_group` per group)."
        ),
    ),
    Collector(
        name="iam.roles",
        service="iam",
        resource_types=(ROLE,),
        calls=("iam:ListRoles", "iam:GetAccountAuthorizationDetails"),
        collect=_roles,
        scope="global",
        description="Every IAM role, service-linked roles included, with trust policy, policies and last use.",
        notes=(
            "Roles, `description`, `max_session_duration` and `assume_role_policy` (parsed) come from "
            "`list_roles`. Attached and inline policies (documents parsed), `permissions_boundary`, tags, "
            "`role_last_used` (`{last_used_date, region}`, absent when never used) and "
            "`instance_profile_arns` come from `get_account_authorization_details` (Filter Role); if that "
            "call fails, those are unknown while the roles are still listed. Service-linked roles are "
            "included (path `/aws-service-role/...`). moto records a role's use only when a request signed "
            "with credentials from assuming it arrives, and then without a region."
        ),
    ),
    Collector(
        name="iam.policies",
        service="iam",
        resource_types=(POLICY,),
        calls=("iam:GetAccountAuthorizationDetails", "iam:ListPolicies", "iam:ListPolicyTags"),
        collect=_policies,
        scope="global",
        description="Customer managed IAM policies, with the default version's document.",
        notes=(
            "Only customer managed policies (`get_account_authorization_details` Filter LocalManagedPolicy); "
            "AWS managed policies are not resources of the account. `policy` is the default version's "
            "document, parsed. Tags come from `list_policy_tags` per policy, since the details carry none. "
            "moto's details omit PolicyName and PolicyId: the name is then taken from the ARN and the id "
            "from one `list_policies` (Scope Local) call. moto does not load AWS managed policies unless "
            "asked to, so attachments of them do not show there."
        ),
    ),
)
