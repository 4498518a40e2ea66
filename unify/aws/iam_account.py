"""IAM's account-wide facts: the password policy, the account summary, the root user, central root access.

All are global (coverage and resource region ``global``); the password
policy, the account summary, the root user (from the credential report) and
the organization's root-access features are singletons, one per account.
Server certificates are here too. The users, groups, roles and policies are
in :mod:`unify.aws.iam`; identity providers in :mod:`unify.aws.iam_providers`.
"""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, Final, NamedTuple

from unify.errors import AwsError
from unify.model.resource import Resource, unknown
from unify.model.resource_type import ResourceType
from unify.model.time import format_timestamp, parse_timestamp
from unify.observe.answers import MALFORMED, require
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

PASSWORD_POLICY_ATTRIBUTES = (
    "configured",
    "minimum_password_length",
    "require_lowercase_characters",
    "require_numbers",
    "require_symbols",
    "require_uppercase_characters",
    "allow_users_to_change_password",
    "max_password_age",
    "password_reuse_prevention",
    "hard_expiry",
    "expire_passwords",
)
SUMMARY_ATTRIBUTES = (
    "account_mfa_enabled",
    "account_access_keys_present",
    "account_signing_certificates_present",
    "users",
    "groups",
    "roles",
    "policies",
    "mfa_devices",
    "mfa_devices_in_use",
    "root_virtual_mfa",
)
ROOT_USER_ATTRIBUTES = (
    "arn",
    "created_at",
    "mfa_active",
    "password_last_used",
    "access_keys",
    "signing_certificates",
    "report_generated_at",
)
ORGANIZATIONS_FEATURES_ATTRIBUTES = ("configured", "organization_id", "enabled_features")

#: The credential report's row for the root user (IAM User Guide, "Getting credential reports").
_ROOT_ROW: Final = "<root_account>"
#: How often the report is asked for while IAM is still making it, and the longest wait between two asks.
_REPORT_TRIES: Final = 8
_REPORT_WAIT: Final = 2.0

SERVER_CERTIFICATE_ATTRIBUTES = (
    "arn",
    "name",
    "path",
    "id",
    "server_certificate_id",
    "upload_date",
    "expiration",
)


# -- account-wide singletons ---------------------------------------------------------------


def _account_password_policy(ctx: CollectContext, iam: Any) -> dict[str, Any] | None:
    """The account's password policy, or None when none was ever set.

    NoSuchEntity is a fact (no policy), so it is mapped here; every other
    failure propagates like a failed listing, so the singleton's coverage is
    an error instead of a resource whose attributes are all unknown.
    ``AwsError`` is unify's own classified error, raised by ``ctx.call``.
    """
    try:
        policy: dict[str, Any] = ctx.call(iam, "get_account_password_policy", expect=("PasswordPolicy",))[
            "PasswordPolicy"
        ]
        return policy
    except AwsError as exc:
        if exc.code == "NoSuchEntity":
            return None
        raise


def _password_policy(ctx: CollectContext) -> Iterator[Resource]:
    policy = _account_password_policy(ctx, ctx.client())
    attributes: dict[str, Any] = {"configured": policy is not None}
    if policy is not None:
        attributes.update(
            {
                "minimum_password_length": sent(policy, "MinimumPasswordLength"),
                "require_lowercase_characters": sent(policy, "RequireLowercaseCharacters", bool),
                "require_numbers": sent(policy, "RequireNumbers", bool),
                "require_symbols": sent(policy, "RequireSymbols", bool),
                "require_uppercase_characters": sent(policy, "RequireUppercaseCharacters", bool),
                "allow_users_to_change_password": sent(policy, "AllowUsersToChangePassword", bool),
                # AWS leaves these out when unset (IAM API reference, PasswordPolicy); moto answers MaxPasswordAge 0.
                "max_password_age": policy.get("MaxPasswordAge") or ABSENT,
                "password_reuse_prevention": policy.get("PasswordReusePrevention") or ABSENT,
                "hard_expiry": policy.get("HardExpiry", ABSENT),
                "expire_passwords": sent(policy, "ExpirePasswords", bool),
            }
        )
    yield ctx.resource(
        "aws_iam_account_password_policy",
        f"{ctx.account}/aws_iam_account_password_policy",
        name=None,
        attributes=attributes,
    )


def _root_virtual_mfa(ctx: CollectContext, iam: Any) -> bool:
    """True when a virtual MFA device is assigned to the root user."""
    assigned = ctx.items(iam, "list_virtual_mfa_devices", "VirtualMFADevices", AssignmentStatus="Assigned")
    return any(str((device.get("User") or {}).get("Arn", "")).endswith(":root") for device in assigned)


def _account_summary(ctx: CollectContext) -> Iterator[Resource]:
    iam = ctx.client()
    summary = ctx.call(iam, "get_account_summary", expect=("SummaryMap",))["SummaryMap"]

    # Every key of the summary is always in the map (IAM API reference, GetAccountSummary): one missing is unknown.
    def flag(key: str) -> Any:
        return sent(summary, key, lambda value: bool(int(value)))

    def count(key: str) -> Any:
        return sent(summary, key, int)

    yield ctx.resource(
        "aws_iam_account_summary",
        f"{ctx.account}/aws_iam_account_summary",
        name=None,
        attributes={
            "account_mfa_enabled": flag("AccountMFAEnabled"),
            "account_access_keys_present": flag("AccountAccessKeysPresent"),
            "account_signing_certificates_present": flag("AccountSigningCertificatesPresent"),
            "users": count("Users"),
            "groups": count("Groups"),
            "roles": count("Roles"),
            "policies": count("Policies"),
            "mfa_devices": count("MFADevices"),
            "mfa_devices_in_use": count("MFADevicesInUse"),
            "root_virtual_mfa": ctx.detail(lambda: _root_virtual_mfa(ctx, iam)),
        },
    )


# -- the root user, from the credential report -----------------------------------------------


class CredentialReport(NamedTuple):
    """The account's credential report: its rows by user name, and when IAM made it (ABSENT: not said)."""

    rows: dict[str, dict[str, str]]
    generated: Any

    def age(self, now: datetime) -> timedelta | None:
        """How old the report was at ``now``; None when IAM did not say when it made it."""
        return now - parse_timestamp(self.generated) if isinstance(self.generated, str) else None


def credential_report(ctx: CollectContext, iam: Any) -> CredentialReport:
    """The credential report, generating it first (IAM makes it asynchronously).

    IAM makes a new report only when the last one is more than four hours
    old (IAM User Guide, "Getting credential reports"), so a report may be
    up to four hours old: callers weigh :meth:`CredentialReport.age`. The
    root user's collector and the users' read one report per observation.
    """
    return ctx.once(iam, "generate_credential_report", lambda: _fetch_report(ctx, iam))


def _fetch_report(ctx: CollectContext, iam: Any) -> CredentialReport:
    for attempt in range(_REPORT_TRIES):
        ctx.call(iam, "generate_credential_report", expect=("State",))
        try:
            # The report is a blob, which the context's JSON conversion drops: read the raw answer here.
            answer = ctx.session.call(iam, "get_credential_report", {})
        except AwsError as exc:
            # ReportInProgress / ReportNotPresent: IAM is still making it (IAM API reference, GetCredentialReport).
            if exc.code not in ("ReportInProgress", "ReportNotPresent") or attempt == _REPORT_TRIES - 1:
                raise
            time.sleep(min(_REPORT_WAIT, 0.25 * 2**attempt))
            continue
        require(answer, ("Content",), "iam:GetCredentialReport")
        content = answer["Content"]
        if not isinstance(content, (bytes, bytearray)):
            raise AwsError(MALFORMED, "the report's Content is not a document", "iam:GetCredentialReport")
        generated = answer.get("GeneratedTime")
        try:
            rows = list(csv.DictReader(io.StringIO(bytes(content).decode("utf-8"))))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise AwsError(MALFORMED, f"the credential report is not CSV ({exc})", "iam:GetCredentialReport") from None
        # A name on two rows says two things of one user: neither is read.
        named = Counter(row.get("user") for row in rows)
        return CredentialReport(
            {row["user"]: row for row in rows if isinstance(row.get("user"), str) and named[row["user"]] == 1},
            format_timestamp(generated) if isinstance(generated, datetime) else ABSENT,
        )
    raise AwsError("ReportInProgress", "the credential report was not ready in time", "iam:GetCredentialReport")


def report_when(value: str | None) -> Any:
    """A report timestamp; ``N/A``, ``no_information`` and ``not_supported`` mean there is none."""
    if value in (None, "", "N/A", "no_information", "not_supported"):
        return ABSENT
    try:
        return format_timestamp(parse_timestamp(value))
    except ValueError:
        return unknown(f"{MALFORMED}: not a timestamp in the credential report: {value!r}")


def report_flag(row: Mapping[str, str], key: str) -> Any:
    """A report's ``true``/``false`` column; anything else is unknown (never read as a fact)."""
    value = row.get(key)
    if value in ("true", "false"):
        return value == "true"
    return unknown(f"{MALFORMED}: {key} not in the credential report")


def _root_user(ctx: CollectContext) -> Iterator[Resource]:
    report = credential_report(ctx, ctx.client())
    root = report.rows.get(_ROOT_ROW)
    if root is None:
        # AWS always lists the root user first; a report without that row says nothing about root.
        raise AwsError(MALFORMED, f"the credential report has no {_ROOT_ROW} row", "iam:GetCredentialReport")
    keys = []
    for n in (1, 2):
        rotated = report_when(root.get(f"access_key_{n}_last_rotated"))
        if rotated is ABSENT:
            continue  # no such key was ever made
        service = root.get(f"access_key_{n}_last_used_service")
        keys.append(
            {
                "active": report_flag(root, f"access_key_{n}_active"),
                "last_rotated": rotated,
                "last_used_date": report_when(root.get(f"access_key_{n}_last_used_date")) or None,
                "last_used_service": service if service not in (None, "", "N/A") else None,
            }
        )
    certificates = [
        {"active": report_flag(root, f"cert_{n}_active"), "last_rotated": rotated}
        for n in (1, 2)
        if (rotated := report_when(root.get(f"cert_{n}_last_rotated"))) is not ABSENT
    ]
    yield ctx.resource(
        "aws_iam_root_user",
        f"{ctx.account}/aws_iam_root_user",
        name=None,
        attributes={
            "arn": root.get("arn") or unknown(f"{MALFORMED}: arn not in the credential report"),
            "created_at": report_when(root.get("user_creation_time")),
            "mfa_active": report_flag(root, "mfa_active"),
            "password_last_used": report_when(root.get("password_last_used")),
            "access_keys": keys,
            "signing_certificates": certificates,
            "report_generated_at": report.generated,
        },
    )


# -- central root access for member accounts --------------------------------------------------


def _organizations_features(ctx: CollectContext) -> Iterator[Resource]:
    singleton = f"{ctx.account}/aws_iam_organizations_features"
    try:
        answer = ctx.call(ctx.client(), "list_organizations_features", expect=("EnabledFeatures",))
    except AwsError as exc:
        if exc.code == "OrganizationNotFoundException":
            return  # in no organization: there are no member accounts to manage
        if exc.code not in ("ServiceAccessNotEnabledException", "OrganizationNotInAllFeaturesModeException"):
            raise  # a member account that is not a delegated administrator cannot tell: error coverage
        # IAM's trusted access is off, or the organization lacks all features: no feature can be on.
        yield ctx.resource("aws_iam_organizations_features", singleton, name=None, attributes={"configured": False})
        return
    yield ctx.resource(
        "aws_iam_organizations_features",
        singleton,
        name=None,
        attributes={
            "configured": True,
            "organization_id": sent(answer, "OrganizationId"),
            "enabled_features": sorted(str(f) for f in answer["EnabledFeatures"]),
        },
    )


# -- server certificates -------------------------------------------------------------------


def _server_certificates(ctx: CollectContext) -> Iterator[Resource]:
    iam = ctx.client()
    for cert in ctx.items(
        iam, "list_server_certificates", "ServerCertificateMetadataList", each=("ServerCertificateName", "Arn")
    ):
        name = cert["ServerCertificateName"]
        yield ctx.resource(
            "aws_iam_server_certificate",
            cert["Arn"],
            name=name,
            attributes={
                "arn": cert["Arn"],
                "name": name,
                "path": cert.get("Path"),
                "id": cert.get("ServerCertificateId"),
                "server_certificate_id": cert.get("ServerCertificateId"),
                "upload_date": cert.get("UploadDate"),
                "expiration": cert.get("Expiration"),
            },
        )


def _password_policy_from_terraform(values: dict[str, Any]) -> None:
    # The provider stores 0 for "never expire" and "reuse not restricted", where IAM sends nothing (the
    # collector leaves both out): 0 is that absence, not a limit of zero days or passwords.
    for key in ("max_password_age", "password_reuse_prevention"):
        if values.get(key) == 0:
            del values[key]


PASSWORD_POLICY = ResourceType(
    "aws_iam_account_password_policy",
    PASSWORD_POLICY_ATTRIBUTES,
    regional=False,
    singleton=True,
    from_terraform=_password_policy_from_terraform,
)

ACCOUNT_SUMMARY = ResourceType(
    "aws_iam_account_summary",
    SUMMARY_ATTRIBUTES,
    regional=False,
    singleton=True,
    # GetAccountSummary gives the singleton (its failure is error coverage); the root's virtual MFA is asked after.
    sources={"iam:ListVirtualMFADevices": ("root_virtual_mfa",)},
)


def _features_from_terraform(values: dict[str, Any]) -> None:
    if isinstance(values.get("enabled_features"), list):
        values["enabled_features"] = sorted(str(f) for f in values["enabled_features"])


ROOT_USER = ResourceType(
    "aws_iam_root_user",
    ROOT_USER_ATTRIBUTES,
    observed_only=ROOT_USER_ATTRIBUTES,
    regional=False,
    singleton=True,
)

ORGANIZATIONS_FEATURES = ResourceType(
    "aws_iam_organizations_features",
    ORGANIZATIONS_FEATURES_ATTRIBUTES,
    regional=False,
    singleton=True,
    from_terraform=_features_from_terraform,
    drift_ignore=("organization_id",),
)

SERVER_CERTIFICATE = ResourceType(
    "aws_iam_server_certificate",
    SERVER_CERTIFICATE_ATTRIBUTES,
    regional=False,
)


COLLECTORS = (
    Collector(
        name="iam.password_policy",
        service="iam",
        resource_types=(PASSWORD_POLICY,),
        calls=("iam:GetAccountPasswordPolicy",),
        collect=_password_policy,
        scope="global",
        description="The account's password policy, a singleton per account.",
        notes=(
            "Id `<account>/aws_iam_account_password_policy`. When no policy was ever set (NoSuchEntity) the "
            "singleton has `configured: false` and no other attribute. `max_password_age` is absent when "
            "passwords never expire (moto answers MaxPasswordAge 0 then, read as absent) and "
            "`password_reuse_prevention` when reuse is not restricted. Any other failure of the call is "
            "error coverage, not an unconfigured policy."
        ),
    ),
    Collector(
        name="iam.account_summary",
        service="iam",
        resource_types=(ACCOUNT_SUMMARY,),
        calls=("iam:GetAccountSummary", "iam:ListVirtualMFADevices"),
        collect=_account_summary,
        scope="global",
        description="Account-wide IAM facts: root MFA and access keys, entity counts.",
        notes=(
            "Id `<account>/aws_iam_account_summary`, from `get_account_summary`'s SummaryMap: the "
            "`account_*` flags are booleans, the counts integers. `root_virtual_mfa` is true when "
            "`list_virtual_mfa_devices` (AssignmentStatus Assigned) has a device whose user ARN ends with "
            "`:root`; if that call fails, only this attribute is unknown. moto hardcodes AccountMFAEnabled "
            "and AccountAccessKeysPresent to 0, so `account_mfa_enabled` and `account_access_keys_present` "
            "are always false there; its credential report has no root row either."
        ),
    ),
    Collector(
        name="iam.root_user",
        service="iam",
        resource_types=(ROOT_USER,),
        calls=("iam:GenerateCredentialReport", "iam:GetCredentialReport"),
        collect=_root_user,
        scope="global",
        description="The root user's credentials and their last use, from the credential report.",
        notes=(
            "Id `<account>/aws_iam_root_user`, from the `<root_account>` row of the credential report "
            "(generated first; asked again while IAM is still making it). `password_last_used` is absent when "
            "the report says N/A or no_information; `access_keys` are the root's keys that exist, `{active, "
            "last_rotated, last_used_date, last_used_service}`; `signing_certificates` `{active, last_rotated}`; "
            "`report_generated_at` says how old the report is (IAM makes a new one at most every four hours). "
            "A report without the root row is `error` coverage, never a root user that was never used. moto's "
            "credential report has no root row, so under moto the coverage is always `error`; the collector is "
            "tested with recorded answers shaped as the IAM API reference and User Guide document them."
        ),
    ),
    Collector(
        name="iam.organizations_features",
        service="iam",
        resource_types=(ORGANIZATIONS_FEATURES,),
        calls=("iam:ListOrganizationsFeatures",),
        collect=_organizations_features,
        scope="global",
        description="Centralized root access for the organization's member accounts, a singleton per account.",
        notes=(
            "Id `<account>/aws_iam_organizations_features`: `enabled_features` (sorted: "
            "`RootCredentialsManagement`, `RootSessions`) when IAM's trusted access is on; `configured: false` "
            "when it is off or the organization lacks all features; absent when the account is in no "
            "organization. From a member account that is not a delegated administrator AWS answers "
            "AccountNotManagementOrDelegatedAdministratorException: `error` coverage. moto does not implement "
            "ListOrganizationsFeatures (its server answers an HTML page, so the coverage is `error`); the "
            "collector is tested with recorded answers shaped as the IAM API reference documents them."
        ),
    ),
    Collector(
        name="iam.server_certificates",
        service="iam",
        resource_types=(SERVER_CERTIFICATE,),
        calls=("iam:ListServerCertificates",),
        collect=_server_certificates,
        scope="global",
        description="IAM server certificates, with upload and expiration times.",
        notes=(
            "From `list_server_certificates`. `id` and `server_certificate_id` both hold the "
            "ServerCertificateId (Terraform calls it `id`). moto answers fixed values for every certificate: "
            "upload 2010-05-08, expiration 2012-05-08 and id ASCACKCEVSQ6C2EXAMPLE."
        ),
    ),
)
