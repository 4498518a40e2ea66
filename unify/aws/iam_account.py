"""IAM's account-wide facts: the password policy, the account summary, and server certificates.

All three are global (coverage and resource region ``global``) and read
from one call each; the first two are singletons, one per account. The
users, groups, roles and policies are in :mod:`unify.aws.iam`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.errors import AwsError
from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
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


PASSWORD_POLICY = ResourceType(
    "aws_iam_account_password_policy",
    PASSWORD_POLICY_ATTRIBUTES,
    regional=False,
    singleton=True,
)

ACCOUNT_SUMMARY = ResourceType(
    "aws_iam_account_summary",
    SUMMARY_ATTRIBUTES,
    regional=False,
    singleton=True,
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
