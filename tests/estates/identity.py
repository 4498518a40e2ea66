"""Identity: IAM principals and account settings, the organization, contacts, Access Analyzer, KMS, secrets,
certificates and Systems Manager documents, compliant and non-compliant side by side.

Account-wide settings (the password policy, the root user, contacts, the organization) are one per account,
so they come in pairs of estates: one that meets the checks and one that does not. moto serves IAM,
Organizations, the alternate contacts, KMS, Secrets Manager, ACM and SSM; the rest (Access Analyzer,
ListOrganizationsFeatures, DescribeResourcePolicy, the credential report's root row) are recorded answers
shaped as the AWS API references document them. Where moto cannot produce a fact through its API (root MFA
and root keys, aged users and keys, a secret created long ago), the seed changes moto's backend and the
collectors read the fact through the ordinary calls; each such place says so.
"""

from __future__ import annotations

import copy
import datetime
import json
import time
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from both_ways import ACCOUNT, AWAY, FAIL, HOME, OUT, PASS, Estate, Planned, Seeder
from unify.model.snapshot import Snapshot
from unify.observe.recorded import RecordedAnswers

NOW = datetime.datetime.now(datetime.timezone.utc)
MANAGED = "arn:aws:iam::aws:policy/"
CLOUDSHELL = MANAGED + "AWSCloudShellFullAccess"
SUPPORT = MANAGED + "AWSSupportAccess"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: Any, resource: Any = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def trust(service: str) -> str:
    return doc({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


def days_ago(days: int) -> datetime.datetime:
    """A naive UTC time, as moto's IAM backend stores its dates."""
    return NOW.replace(tzinfo=None) - datetime.timedelta(days=days)


def iam_backend() -> Any:
    from moto.iam.models import iam_backends

    return iam_backends[ACCOUNT]["aws"]


def singleton(type_: str, region: str | None = None) -> str:
    return f"{ACCOUNT}/{region}/{type_}" if region else f"{ACCOUNT}/{type_}"


# =========================================================================================================
# IAM principals and customer managed policies (moto, with AWS managed policies loaded)
# =========================================================================================================

READ = allow(["s3:GetObject", "s3:ListBucket"])
#: policy name -> its statements and whether it is attached (to the group "staff")
POLICIES: dict[str, tuple[list[dict[str, Any]], bool]] = {
    "read-reports": ([READ], True),
    "full-admin": ([allow("*")], True),
    "full-admin-unattached": ([allow("*")], False),
    "admin-among-others": ([READ, allow(["ec2:*", "*"], ["*"])], True),  # "*" on "*" hidden among others
    "one-bucket-all-actions": ([allow("*", "arn:aws:s3:::reports/*")], True),  # every action, one bucket
    "ec2-everything": ([allow("ec2:*")], True),
    "ec2-describe": ([allow("ec2:Describe*")], True),  # a prefix wildcard is fine (IAM.21)
    "decrypt-any-key": ([allow("kms:Decrypt")], True),
    "decrypt-one-key": ([allow("kms:Decrypt", f"arn:aws:kms:{HOME}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab")],
                        True),
}
DECRYPT_ALL = allow(["kms:Decrypt", "kms:GenerateDataKey"], f"arn:aws:kms:{HOME}:{ACCOUNT}:key/*")


def policy_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:policy/{name}"


def principals(seeder: Seeder) -> None:
    iam = seeder.client("iam")
    for name, (statements, _) in POLICIES.items():
        iam.create_policy(PolicyName=name, PolicyDocument=doc(*statements))
    iam.create_group(GroupName="staff")
    for name, (_, attached) in POLICIES.items():
        if attached:
            iam.attach_group_policy(GroupName="staff", PolicyArn=policy_arn(name))
    iam.create_group(GroupName="analysts")
    iam.attach_group_policy(GroupName="analysts", PolicyArn=policy_arn("read-reports"))
    iam.create_group(GroupName="shell-group")
    iam.attach_group_policy(GroupName="shell-group", PolicyArn=CLOUDSHELL)
    iam.create_group(GroupName="decrypt-group")
    iam.put_group_policy(GroupName="decrypt-group", PolicyName="decrypt", PolicyDocument=doc(DECRYPT_ALL))
    for user, tags in (("grouped-user", [{"Key": "team", "Value": "data"}]), ("attached-user", []),
                       ("inline-user", [{"Key": "team", "Value": "ops"}]), ("shell-user", [])):
        iam.create_user(UserName=user, Tags=tags)
    iam.add_user_to_group(GroupName="analysts", UserName="grouped-user")
    iam.attach_user_policy(UserName="attached-user", PolicyArn=policy_arn("read-reports"))
    iam.put_user_policy(UserName="inline-user", PolicyName="extra", PolicyDocument=doc(READ, allow("kms:*")))
    iam.attach_user_policy(UserName="shell-user", PolicyArn=CLOUDSHELL)
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust("ec2.amazonaws.com"),
                    Tags=[{"Key": "owner", "Value": "platform"}])
    iam.create_role(RoleName="untagged-role", AssumeRolePolicyDocument=trust("lambda.amazonaws.com"))
    iam.create_role(RoleName="incident-support", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}),
        Tags=[{"Key": "owner", "Value": "security"}])
    iam.attach_role_policy(RoleName="incident-support", PolicyArn=SUPPORT)
    iam.create_role(RoleName="shell-role", AssumeRolePolicyDocument=trust("ec2.amazonaws.com"),
                    Tags=[{"Key": "owner", "Value": "ops"}])
    iam.attach_role_policy(RoleName="shell-role", PolicyArn=CLOUDSHELL)
    iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")  # AWS's to tag, not ours
    credentials(seeder)


def console_user(iam: Any, name: str, *, mfa: bool) -> None:
    iam.create_user(UserName=name, Tags=[{"Key": "team", "Value": "people"}])
    iam.create_login_profile(UserName=name, Password="Correct-Horse-Battery-9")
    if mfa:
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1="123456",
                              AuthenticationCode2="654321")


def age_keys(name: str, days: int) -> None:
    """Backdate a user's access keys in moto's backend: AWS has no API to age a key."""
    for key in iam_backend().users[name].access_keys:
        key.create_date = days_ago(days)


def credentials(seeder: Seeder) -> None:
    """Console users with and without MFA, and passwords and keys of every age (dates set in moto's backend)."""
    iam, backend = seeder.client("iam"), iam_backend()
    console_user(iam, "alice-mfa", mfa=True)
    console_user(iam, "bob-no-mfa", mfa=False)
    iam.create_user(UserName="ci-no-console")
    iam.create_access_key(UserName="ci-no-console")
    # moto records password use only from real sign-ins: last use and creation are set in the backend.
    console_user(iam, "daily-user", mfa=True)
    backend.users["daily-user"].create_date = days_ago(200)
    backend.users["daily-user"].password_last_used = days_ago(3).replace(tzinfo=datetime.timezone.utc)
    console_user(iam, "dormant-console", mfa=True)  # created 100 days ago, password never used
    backend.users["dormant-console"].create_date = days_ago(100)
    console_user(iam, "lapsed-console", mfa=True)  # signed in 60 days ago and not since
    backend.users["lapsed-console"].create_date = days_ago(300)
    backend.users["lapsed-console"].password_last_used = days_ago(60).replace(tzinfo=datetime.timezone.utc)
    for name, days, active in (("dormant-key", 100, True), ("retired-key", 100, False), ("stale-key", 120, True),
                               ("fresh-key", 30, True)):
        iam.create_user(UserName=name)
        key = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
        if not active:
            iam.update_access_key(UserName=name, AccessKeyId=key, Status="Inactive")
        backend.users[name].create_date = days_ago(days)
        age_keys(name, days)
    # one old and one new active key: the old one is still not rotated
    iam.create_user(UserName="rotating-pair")
    iam.create_access_key(UserName="rotating-pair")
    age_keys("rotating-pair", 120)
    iam.create_access_key(UserName="rotating-pair")


def _principals_plan() -> list[Planned]:
    out = []
    for name, (statements, attached) in POLICIES.items():
        key = name.replace("-", "_")
        # The ARN of a new policy is ARN-shaped from its name; given here as the configuration's reference would.
        out.append(Planned("aws_iam_policy", key, {"name": name, "path": "/", "description": "",
                                                   "policy": doc(*statements), "arn": policy_arn(name), "tags": {}},
                           unknown=("id", "policy_id")))
        if attached:
            out.append(Planned("aws_iam_group_policy_attachment", f"staff_{key}",
                               {"group": "staff", "policy_arn": policy_arn(name)}))
    for group in ("staff", "analysts", "shell-group", "decrypt-group"):
        out.append(Planned("aws_iam_group", group.replace("-", "_"), {"name": group, "path": "/"},
                           unknown=("arn", "id", "unique_id")))
    out += [
        Planned("aws_iam_group_policy_attachment", "analysts_read",
                {"group": "analysts", "policy_arn": policy_arn("read-reports")}),
        Planned("aws_iam_group_policy_attachment", "shell_group", {"group": "shell-group", "policy_arn": CLOUDSHELL}),
        Planned("aws_iam_group_policy", "decrypt_group", {"group": "decrypt-group", "name": "decrypt",
                                                          "policy": doc(DECRYPT_ALL)}),
    ]
    for user, tags in (("grouped-user", {"team": "data"}), ("attached-user", {}), ("inline-user", {"team": "ops"}),
                       ("shell-user", {})):
        out.append(Planned("aws_iam_user", user.replace("-", "_"), {"name": user, "path": "/", "tags": tags,
                                                                    "force_destroy": False},
                           unknown=("arn", "id", "unique_id")))
    out += [
        Planned("aws_iam_user_policy_attachment", "attached",
                {"user": "attached-user", "policy_arn": policy_arn("read-reports")}),
        Planned("aws_iam_user_policy", "inline", {"user": "inline-user", "name": "extra",
                                                  "policy": doc(READ, allow("kms:*"))}),
        Planned("aws_iam_user_policy_attachment", "shell_user", {"user": "shell-user", "policy_arn": CLOUDSHELL}),
    ]
    for role, service, tags in (("app", "ec2.amazonaws.com", {"owner": "platform"}),
                                ("untagged-role", "lambda.amazonaws.com", {}),
                                ("shell-role", "ec2.amazonaws.com", {"owner": "ops"})):
        out.append(Planned("aws_iam_role", role.replace("-", "_"), {
            "name": role, "path": "/", "assume_role_policy": trust(service), "tags": tags,
            "max_session_duration": 3600, "description": ""}, unknown=("arn", "id", "unique_id", "create_date")))
    out.append(Planned("aws_iam_role_policy_attachment", "shell_role", {"role": "shell-role", "policy_arn": CLOUDSHELL}))
    return out


def _users(failing: set[str], *names: str) -> dict[str, str | None]:
    return {name: FAIL if name in failing else PASS for name in names}


PRINCIPALS = Estate(
    "identity-principals",
    principals,
    moto_config={"iam": {"load_aws_managed_policies": True}},  # AWSSupportAccess and AWSCloudShellFullAccess
    expect={
        "iam-user-no-direct-policies": _users({"attached-user", "inline-user", "shell-user"},
                                              "grouped-user", "attached-user", "inline-user", "shell-user"),
        "iam-no-full-admin-policies": {"read-reports": PASS, "one-bucket-all-actions": PASS, "ec2-everything": PASS,
                                       "full-admin": FAIL, "admin-among-others": FAIL, "full-admin-unattached": OUT},
        "iam-policy-no-service-wildcards": {"read-reports": PASS, "ec2-describe": PASS, "full-admin": PASS,
                                            "ec2-everything": FAIL, "admin-among-others": FAIL},
        "iam-policy-no-kms-decrypt-all-keys": {"read-reports": PASS, "decrypt-one-key": PASS,
                                               "one-bucket-all-actions": PASS, "decrypt-any-key": FAIL,
                                               "full-admin": FAIL, "full-admin-unattached": FAIL},
        "iam-inline-policy-no-kms-decrypt-all-keys": {"grouped-user": PASS, "staff": PASS, "app": PASS,
                                                      "inline-user": FAIL, "decrypt-group": FAIL},
        "iam-no-cloudshell-full-access": {"grouped-user": PASS, "staff": PASS, "app": PASS, "shell-user": FAIL,
                                          "shell-group": FAIL, "shell-role": FAIL},
        "iam-user-tagged": {"grouped-user": PASS, "inline-user": PASS, "attached-user": FAIL, "shell-user": FAIL},
        "iam-role-tagged": {"app": PASS, "shell-role": PASS, "untagged-role": FAIL,
                            "AWSServiceRoleForAutoScaling": OUT},
        "iam-support-role": {ACCOUNT: PASS},
        "iam-user-console-mfa": {"alice-mfa": PASS, "daily-user": PASS, "bob-no-mfa": FAIL, "ci-no-console": OUT},
        "iam-user-mfa": {"alice-mfa": PASS, "bob-no-mfa": FAIL, "ci-no-console": FAIL},
        "iam-user-credentials-unused-45d": {
            "alice-mfa": PASS, "daily-user": PASS, "retired-key": PASS, "fresh-key": PASS,
            "dormant-console": FAIL, "lapsed-console": FAIL, "dormant-key": FAIL},
        "iam-user-credentials-unused-90d": {
            "alice-mfa": PASS, "daily-user": PASS, "lapsed-console": PASS, "retired-key": PASS, "fresh-key": PASS,
            "dormant-console": FAIL, "dormant-key": FAIL, "stale-key": FAIL},
        "iam-access-keys-rotated-90d": {"fresh-key": PASS, "retired-key": PASS, "grouped-user": PASS,
                                        "stale-key": FAIL, "dormant-key": FAIL, "rotating-pair": FAIL},
    },
    plan=_principals_plan(),
    live_only={
        "iam-support-role": "an account aggregate: a plan cannot show what else the account holds",
        "iam-user-console-mfa": "console passwords and MFA devices are facts only an observation sees",
        "iam-user-mfa": "MFA devices are facts only an observation sees",
        "iam-user-credentials-unused-45d": "credential use is a fact only an observation sees",
        "iam-user-credentials-unused-90d": "credential use is a fact only an observation sees",
        "iam-access-keys-rotated-90d": "access keys are facts only an observation sees",
    },
)


# =========================================================================================================
# The account's settings and its organization: a well kept account and two that are not (moto)
# =========================================================================================================

STRONG = {"MinimumPasswordLength": 14, "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
          "RequireNumbers": True, "RequireSymbols": True, "AllowUsersToChangePassword": True,
          "MaxPasswordAge": 90, "PasswordReusePrevention": 24}
WEAK = {"MinimumPasswordLength": 8, "PasswordReusePrevention": 5}
_TF_POLICY = {"MinimumPasswordLength": "minimum_password_length", "RequireUppercaseCharacters":
              "require_uppercase_characters", "RequireLowercaseCharacters": "require_lowercase_characters",
              "RequireNumbers": "require_numbers", "RequireSymbols": "require_symbols",
              "AllowUsersToChangePassword": "allow_users_to_change_password", "MaxPasswordAge": "max_password_age",
              "PasswordReusePrevention": "password_reuse_prevention"}


def _password_plan(settings: dict[str, Any]) -> Planned:
    # As the provider writes a policy: every boolean known, 0 for the limits left unset.
    values: dict[str, Any] = {"require_uppercase_characters": False, "require_lowercase_characters": False,
                              "require_numbers": False, "require_symbols": False,
                              "allow_users_to_change_password": False, "max_password_age": 0,
                              "password_reuse_prevention": 0}
    values |= {_TF_POLICY[k]: v for k, v in settings.items()}
    return Planned("aws_iam_account_password_policy", "policy", values, unknown=("expire_passwords", "hard_expiry"))


def root_mfa(seeder: Seeder, *, virtual: bool) -> None:
    """Root MFA on: moto hardcodes AccountMFAEnabled to 0 and cannot give root a device through the API, so the
    flag get_account_summary reads is set in its backend, and a virtual device is assigned to root there."""
    backend = iam_backend()
    backend.account_summary._account_mfa_enabled = 1
    if virtual:
        from types import SimpleNamespace

        serial = seeder.client("iam").create_virtual_mfa_device(
            VirtualMFADeviceName="root-account-mfa-device")["VirtualMFADevice"]["SerialNumber"]
        device = backend.virtual_mfa_devices[serial]
        device.enable_date = days_ago(30)
        device.user = SimpleNamespace(arn=f"arn:aws:iam::{ACCOUNT}:root", name="root", id=ACCOUNT, path="/",
                                      create_date=days_ago(3000))


def contacts(seeder: Seeder, *kinds: str) -> None:
    for kind in kinds:
        seeder.client("account").put_alternate_contact(
            AlternateContactType=kind, EmailAddress=f"{kind.lower()}@example.com", Name=f"{kind.title()} team",
            PhoneNumber="+15550100", Title="Team mailbox")


ROOT_OU, WORKLOADS_OU, SECURITY_OU = "r-abcd", "ou-abcd-11111111", "ou-abcd-22222222"


def strong_account(seeder: Seeder) -> None:
    seeder.client("iam").update_account_password_policy(**STRONG)
    root_mfa(seeder, virtual=False)  # a hardware device: no virtual device is assigned to root
    contacts(seeder, "BILLING", "OPERATIONS", "SECURITY")
    seeder.client("iam").create_saml_provider(Name="corporate-idp", SAMLMetadataDocument="<EntityDescriptor/>".ljust(1000))
    org = seeder.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    units = {name: org.create_organizational_unit(ParentId=root, Name=name)["OrganizationalUnit"]["Id"]
             for name in ("workloads", "security")}
    accounts = {}
    for name, unit in (("app", "workloads"), ("security", "security")):
        account = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=units[unit])
        accounts[name] = account
    baseline = org.create_policy(Name="baseline", Description="guardrails", Type="SERVICE_CONTROL_POLICY",
                                 Content=doc({"Effect": "Deny", "Action": "organizations:LeaveOrganization",
                                              "Resource": "*"}))["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=baseline, TargetId=root)
    org.enable_aws_service_access(ServicePrincipal="guardduty.amazonaws.com")
    org.register_delegated_administrator(AccountId=accounts["security"], ServicePrincipal="guardduty.amazonaws.com")
    seeder.ids |= {"policy": singleton("aws_iam_account_password_policy"), "org": singleton("aws_organizations_organization"),
                   "summary": singleton("aws_iam_account_summary")}


def weak_account(seeder: Seeder) -> None:
    seeder.client("iam").update_account_password_policy(**WEAK)
    root_mfa(seeder, virtual=True)
    # moto hardcodes AccountAccessKeysPresent to 0 and has no API for root keys: the flag is set in its backend.
    iam_backend().account_summary._account_access_keys_present = 1
    contacts(seeder, "BILLING")
    seeder.ids |= {"policy": singleton("aws_iam_account_password_policy"), "org": singleton("aws_organizations_organization"),
                   "summary": singleton("aws_iam_account_summary")}


def weak_organization(seeder: Seeder) -> None:
    org = seeder.client("organizations")
    org.create_organization(FeatureSet="CONSOLIDATED_BILLING")  # no SCPs possible without all features
    org.create_account(AccountName="loose", Email="loose@example.com")  # left under the root, FullAWSAccess only
    org.enable_aws_service_access(ServicePrincipal="access-analyzer.amazonaws.com")  # and never delegated
    seeder.ids |= {"org": singleton("aws_organizations_organization"), "summary": singleton("aws_iam_account_summary")}


_PASSWORD_CHECKS = ("iam-password-min-length", "iam-password-reuse", "iam-password-policy-strong",
                    "iam-password-policy-pci", "iam-password-requires-uppercase", "iam-password-requires-lowercase",
                    "iam-password-requires-symbol", "iam-password-requires-number", "iam-password-expires-90d")
_ACCOUNT_LIVE = {
    "iam-root-no-access-keys": "the account summary exists only in observations",
    "iam-root-mfa": "the account summary exists only in observations",
    "iam-root-hardware-mfa": "the account summary exists only in observations",
    "account-contacts-registered": "an account aggregate: a plan cannot show a contact is missing",
    "account-security-contact": "an account aggregate: a plan cannot show a contact is missing",
    "iam-identity-federation": "an account aggregate: a plan cannot show what else the account holds",
    "organizations-account-guardrail-scp": "the SCPs that reach an account through its units are observed facts",
    "organizations-services-delegated": "which services have a delegated administrator is an observed fact",
}


def _org_plan(feature_set: str, policy_types: list[str], services: list[str]) -> Planned:
    return Planned("aws_organizations_organization", "org", {
        "feature_set": feature_set, "enabled_policy_types": policy_types, "aws_service_access_principals": services},
        unknown=("arn", "id", "master_account_id", "master_account_arn", "master_account_email", "roots",
                 "accounts", "non_master_accounts"))


def _account_plan(name: str, parent: str) -> Planned:
    return Planned("aws_organizations_account", name, {"name": name, "email": f"{name}@example.com",
                                                       "parent_id": parent, "close_on_deletion": False, "tags": {}},
                   unknown=("arn", "id", "status", "joined_method", "joined_timestamp"))


STRONG_ACCOUNT = Estate(
    "identity-account-strong",
    strong_account,
    expect={
        **{check: {"policy": PASS} for check in _PASSWORD_CHECKS},
        "iam-root-no-access-keys": {"summary": PASS},
        "iam-root-mfa": {"summary": PASS},
        "iam-root-hardware-mfa": {"summary": PASS},
        "account-contacts-registered": {ACCOUNT: PASS},
        "account-security-contact": {ACCOUNT: PASS},
        "iam-identity-federation": {ACCOUNT: PASS},
        "account-in-organization": {"org": PASS},
        "organizations-scps-enabled": {"org": PASS},
        "organizations-services-delegated": {"org": PASS},
        "organizations-accounts-in-units": {"app": PASS, "security": PASS, "master": OUT},
        "organizations-account-guardrail-scp": {"app": PASS, "security": PASS, "master": OUT},
    },
    plan=[_password_plan(STRONG), _org_plan("ALL", ["SERVICE_CONTROL_POLICY"], ["guardduty.amazonaws.com"]),
          _account_plan("app", WORKLOADS_OU), _account_plan("security", SECURITY_OU)],
    live_only=_ACCOUNT_LIVE,
)

WEAK_ACCOUNT = Estate(
    "identity-account-weak",
    weak_account,
    expect={
        **{check: {"policy": FAIL} for check in _PASSWORD_CHECKS},
        "iam-root-no-access-keys": {"summary": FAIL},
        "iam-root-mfa": {"summary": PASS},  # on, but from a virtual device
        "iam-root-hardware-mfa": {"summary": FAIL},
        "account-contacts-registered": {ACCOUNT: FAIL},
        "account-security-contact": {ACCOUNT: FAIL},
        "iam-identity-federation": {ACCOUNT: FAIL},
        "iam-support-role": {ACCOUNT: FAIL},
        "account-in-organization": {"org": FAIL},
    },
    plan=[_password_plan(WEAK)],
    live_only={**{k: v for k, v in _ACCOUNT_LIVE.items() if not k.startswith("organizations-")},
               "iam-support-role": "an account aggregate: a plan cannot show what else the account holds",
               "account-in-organization": "a plan cannot show that an account belongs to no organization"},
)

WEAK_ORGANIZATION = Estate(
    "identity-organization-weak",
    weak_organization,
    expect={
        "iam-root-mfa": {"summary": FAIL},  # moto's account: no MFA on root at all
        "iam-root-hardware-mfa": {"summary": FAIL},
        "iam-root-no-access-keys": {"summary": PASS},
        "account-in-organization": {"org": PASS},
        "organizations-scps-enabled": {"org": FAIL},
        "organizations-services-delegated": {"org": FAIL},
        "organizations-accounts-in-units": {"loose": FAIL, "master": OUT},
        "organizations-account-guardrail-scp": {"loose": FAIL, "master": OUT},
    },
    plan=[_org_plan("CONSOLIDATED_BILLING", [], ["access-analyzer.amazonaws.com"]), _account_plan("loose", ROOT_OU)],
    live_only={k: v for k, v in _ACCOUNT_LIVE.items()
               if k.startswith(("iam-root", "organizations-"))},
)


# =========================================================================================================
# What moto cannot answer: the root user's credential report, central root access, the delegation policy and
# IAM Access Analyzer, as recorded answers (shapes from the IAM, Organizations and Access Analyzer references)
# =========================================================================================================

_HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
           "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
           "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
           "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
           "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
           "cert_2_active,cert_2_last_rotated")


def _stamp(days: int) -> str:
    return (NOW - datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _root_row(password_days: int | None, key_days: int | None) -> str:
    password = _stamp(password_days) if password_days is not None else "N/A"
    key = (f"true,{_stamp(900)},{_stamp(key_days)},us-east-1,ec2" if key_days is not None
           else "false,N/A,N/A,N/A,N/A")
    return (f"<root_account>,arn:aws:iam::{ACCOUNT}:root,{_stamp(2000)},not_supported,{password},not_supported,"
            f"not_supported,true,{key},false,N/A,N/A,N/A,N/A,false,N/A,false,N/A")


def _recordings(*, root: str, features: list[str], delegated: list[str],
                analyzers: dict[str, list[dict[str, Any]]], settings: dict[str, dict[str, str]]) -> dict[str, Any]:
    def iam(answers: RecordedAnswers, region: str) -> None:
        answers.answer("generate_credential_report", {"State": "COMPLETE"})
        answers.answer("get_credential_report", {"Content": f"{_HEADER}\n{root}\n".encode(),
                                                 "ReportFormat": "text/csv", "GeneratedTime": NOW})
        answers.answer("list_organizations_features", {"OrganizationId": "o-a1b2c3d4e5", "EnabledFeatures": features})

    def organizations(answers: RecordedAnswers, region: str) -> None:
        answers.answer("describe_resource_policy", {"ResourcePolicy": {
            "ResourcePolicySummary": {"Id": "rp-a1b2c3d4",
                                      "Arn": f"arn:aws:organizations::{ACCOUNT}:resourcepolicy/o-a1b2c3d4e5/rp-a1b2c3d4"},
            "Content": _delegation(delegated)}})

    def accessanalyzer(answers: RecordedAnswers, region: str) -> None:
        answers.answer("list_analyzers", {"analyzers": [
            {"arn": f"arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer/{a['name']}", "createdAt": NOW,
             "status": "ACTIVE", **a} for a in analyzers.get(region, [])]})

    def ssm(answers: RecordedAnswers, region: str) -> None:
        for setting, values in settings.items():
            default = values[region] == DEFAULTS[setting]
            answers.answer("get_service_setting", {"ServiceSetting": {
                "SettingId": setting, "SettingValue": values[region], "LastModifiedDate": NOW,
                "LastModifiedUser": "System" if default else f"arn:aws:sts::{ACCOUNT}:assumed-role/admin/ops",
                "ARN": f"arn:aws:ssm:{region}:{ACCOUNT}:servicesetting{setting}",
                "Status": "Default" if default else "Customized"}}, params={"SettingId": setting})

    return {"iam": iam, "organizations": organizations, "accessanalyzer": accessanalyzer, "ssm": ssm}


PUBLIC_SHARING = "/ssm/documents/console/public-sharing-permission"
AUTOMATION_LOGS = "/ssm/automation/customer-script-log-destination"
#: What GetServiceSetting answers for a setting never changed (SSM User Guide).
DEFAULTS = {PUBLIC_SHARING: "Enable", AUTOMATION_LOGS: "NONE"}
#: expectation key prefix -> the setting it names
SETTING_KEYS = {"sharing": PUBLIC_SHARING, "logging": AUTOMATION_LOGS}


def _delegation(actions: list[str]) -> str:
    return doc({"Sid": "Delegate", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": actions, "Resource": "*"})


def _recorded_ids(seeder: Seeder) -> None:
    seeder.ids |= {"root": singleton("aws_iam_root_user"), "features": singleton("aws_iam_organizations_features"),
                   "delegation": singleton("aws_organizations_resource_policy"),
                   "home": singleton("aws_accessanalyzer_region_status", HOME),
                   "away": singleton("aws_accessanalyzer_region_status", AWAY),
                   **{f"{key}_{where}": f"arn:aws:ssm:{region}:{ACCOUNT}:servicesetting{setting}"
                      for key, setting in SETTING_KEYS.items() for where, region in (("home", HOME), ("away", AWAY))}}


POLICY_ACTIONS = ["organizations:CreatePolicy", "organizations:UpdatePolicy", "organizations:AttachPolicy",
                  "organizations:DetachPolicy", "organizations:DescribePolicy"]
READ_ACTIONS = ["organizations:Describe*", "organizations:List*"]


def _recorded_plan(features: list[str], actions: list[str], tags: dict[str, str],
                   settings: dict[str, dict[str, str]], *, by_arn: bool = False) -> list[Planned]:
    # Every setting is planned in the provider's region (HOME); each is judged on its own values, so the
    # region it is planned in does not change its verdict. The provider takes the setting's id or its ARN.
    def setting_id(key: str) -> str:
        setting = SETTING_KEYS[key.split("_")[0]]
        return f"arn:aws:ssm:{HOME}:{ACCOUNT}:servicesetting{setting}" if by_arn else setting

    planned = [Planned("aws_ssm_service_setting", f"{key}_{where}",
                       {"setting_id": setting_id(key), "setting_value": values[region]},
                       unknown=("arn", "id", "status"))
               for key, setting in SETTING_KEYS.items() for where, region in (("home", HOME), ("away", AWAY))
               for values in [settings[setting]]]
    return planned + [
        Planned("aws_iam_organizations_features", "features", {"enabled_features": features}, unknown=("id",)),
        Planned("aws_organizations_resource_policy", "delegation", {"content": _delegation(actions), "tags": {}},
                unknown=("arn", "id")),
        Planned("aws_accessanalyzer_analyzer", "external", {"analyzer_name": "external", "type": "ACCOUNT",
                                                            "tags": tags}, unknown=("arn", "id")),
    ]


_RECORDED_LIVE = {
    "iam-root-not-used-recently": "the credential report exists only in observations",
    "accessanalyzer-enabled-all-regions": "the per-region analyzer summary exists only in observations",
}

GOOD_SETTINGS = {PUBLIC_SHARING: {HOME: "Disable", AWAY: "Disable"},
                 AUTOMATION_LOGS: {HOME: "CloudWatch", AWAY: "CloudWatch"}}
# AWAY's sharing and HOME's logging never changed: AWS's defaults allow public sharing and keep no script logs.
WEAK_SETTINGS = {PUBLIC_SHARING: {HOME: "Disable", AWAY: "Enable"},
                 AUTOMATION_LOGS: {HOME: "NONE", AWAY: "CloudWatch"}}

RECORDED_GOOD = Estate(
    "identity-recorded-good",
    _recorded_ids,
    regions=(HOME, AWAY),
    recordings=_recordings(
        root=_root_row(password_days=60, key_days=None),
        features=["RootCredentialsManagement", "RootSessions"], delegated=POLICY_ACTIONS,
        analyzers={HOME: [{"name": "external", "type": "ACCOUNT", "tags": {"owner": "security"}}],
                   AWAY: [{"name": "org-external", "type": "ORGANIZATION", "tags": {"owner": "security"}}]},
        settings=GOOD_SETTINGS),
    expect={
        "iam-root-not-used-recently": {"root": PASS},
        "iam-root-credentials-centrally-managed": {"features": PASS},
        "organizations-policy-management-delegated": {"delegation": PASS},
        "accessanalyzer-enabled-all-regions": {"home": PASS, "away": PASS},
        "accessanalyzer-analyzer-tagged": {"external": PASS},
        "ssm-documents-public-sharing-blocked": {"sharing_home": PASS, "sharing_away": PASS},
        "ssm-automation-logs-to-cloudwatch": {"logging_home": PASS, "logging_away": PASS},
    },
    plan=_recorded_plan(["RootCredentialsManagement", "RootSessions"], POLICY_ACTIONS, {"owner": "security"},
                        GOOD_SETTINGS),
    live_only=_RECORDED_LIVE,
)

RECORDED_WEAK = Estate(
    "identity-recorded-weak",
    _recorded_ids,
    regions=(HOME, AWAY),
    recordings=_recordings(
        root=_root_row(password_days=1, key_days=2),
        features=["RootCredentialsManagement"], delegated=READ_ACTIONS,
        analyzers={HOME: [{"name": "external", "type": "ACCOUNT"}],  # active, untagged
                   AWAY: [{"name": "unused", "type": "ACCOUNT_UNUSED_ACCESS"}]},  # no external-access analyzer
        settings=WEAK_SETTINGS),
    expect={
        "iam-root-not-used-recently": {"root": FAIL},
        "iam-root-credentials-centrally-managed": {"features": FAIL},
        "organizations-policy-management-delegated": {"delegation": FAIL},
        "accessanalyzer-enabled-all-regions": {"home": PASS, "away": FAIL},
        "accessanalyzer-analyzer-tagged": {"external": FAIL},
        "ssm-documents-public-sharing-blocked": {"sharing_home": PASS, "sharing_away": FAIL},
        "ssm-automation-logs-to-cloudwatch": {"logging_home": FAIL, "logging_away": PASS},
    },
    plan=_recorded_plan(["RootCredentialsManagement"], READ_ACTIONS, {},
                        WEAK_SETTINGS, by_arn=True),
    live_only=_RECORDED_LIVE,
)


# =========================================================================================================
# KMS keys, secrets, certificates and documents (moto)
# =========================================================================================================

OPEN_KEY = doc({"Sid": "anyone", "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"})
ORG_KEY = doc({"Sid": "org", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
               "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}})
#: key label -> create_key arguments, and whether rotation is turned on
KEYS: dict[str, tuple[dict[str, Any], bool]] = {
    "rotating": ({}, True),
    "not-rotating": ({}, False),
    "signing-rsa": ({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}, False),  # asymmetric keys cannot rotate
    "disabled": ({}, False),
    "open-policy": ({"Policy": OPEN_KEY}, True),
    "org-policy": ({"Policy": ORG_KEY}, True),
}
DOCUMENT = json.dumps({"schemaVersion": "2.2", "description": "restart the app", "mainSteps": [
    {"action": "aws:runShellScript", "name": "restart", "inputs": {"runCommand": ["systemctl restart app"]}}]})


def keys_and_secrets(seeder: Seeder) -> None:
    kms = seeder.client("kms")
    for label, (arguments, rotate) in KEYS.items():
        meta = kms.create_key(Description=label, **arguments)["KeyMetadata"]
        seeder.ids[label] = meta["Arn"]
        if rotate:
            kms.enable_key_rotation(KeyId=meta["KeyId"])
        if label == "disabled":
            kms.disable_key(KeyId=meta["KeyId"])
    sm = seeder.client("secretsmanager")
    sm.create_secret(Name="rotating-db", SecretString="placeholder", Tags=[{"Key": "owner", "Value": "data"}])
    sm.rotate_secret(SecretId="rotating-db", RotationRules={"AutomaticallyAfterDays": 30})  # no Lambda: moto's own
    sm.create_secret(Name="static-token", SecretString="placeholder")
    acm = seeder.client("acm")
    acm.request_certificate(DomainName="tagged.example.com", ValidationMethod="DNS",
                            Tags=[{"Key": "owner", "Value": "web"}])
    acm.request_certificate(DomainName="untagged.example.com", ValidationMethod="DNS")
    ssm = seeder.client("ssm")
    ssm.create_document(Name="private-doc", DocumentType="Command", Content=DOCUMENT,
                        Tags=[{"Key": "owner", "Value": "ops"}])
    ssm.create_document(Name="public-doc", DocumentType="Command", Content=DOCUMENT)
    ssm.modify_document_permission(Name="public-doc", PermissionType="Share", AccountIdsToAdd=["All"])


def _keys_plan() -> list[Planned]:
    specs = {"signing-rsa": {"customer_master_key_spec": "RSA_2048", "key_usage": "SIGN_VERIFY"}}
    out = []
    for label, (arguments, rotate) in KEYS.items():
        values: dict[str, Any] = {"description": label, "enable_key_rotation": rotate, "is_enabled": label != "disabled",
                                  "deletion_window_in_days": 30, "tags": {}, **specs.get(label, {})}
        unknown = ["arn", "id", "key_id"]
        if "Policy" in arguments:
            values["policy"] = arguments["Policy"]
        else:
            unknown.append("policy")  # the provider computes the default key policy at apply
        out.append(Planned("aws_kms_key", label, values, unknown=tuple(unknown)))
    out += [
        Planned("aws_secretsmanager_secret", "rotating_db", {"name": "rotating-db", "tags": {"owner": "data"},
                                                             "recovery_window_in_days": 30}, unknown=("arn", "id")),
        Planned("aws_secretsmanager_secret_rotation", "rotating_db", {
            "secret_id": "rotating-db", "rotation_rules": [{"automatically_after_days": 30}]}, unknown=("id",)),
        Planned("aws_secretsmanager_secret", "static_token", {"name": "static-token", "tags": {},
                                                              "recovery_window_in_days": 30}, unknown=("arn", "id")),
    ]
    for domain, tags in (("tagged.example.com", {"owner": "web"}), ("untagged.example.com", {})):
        out.append(Planned("aws_acm_certificate", domain.split(".")[0], {
            "domain_name": domain, "validation_method": "DNS", "subject_alternative_names": [domain], "tags": tags},
            unknown=("arn", "id", "status", "not_after", "not_before", "domain_validation_options", "type")))
    for name, shared, tags in (("private-doc", None, {"owner": "ops"}), ("public-doc", "All", {})):
        values = {"name": name, "document_type": "Command", "document_format": "JSON", "content": DOCUMENT,
                  "tags": tags}
        if shared:
            values["permissions"] = {"type": "Share", "account_ids": shared}
        out.append(Planned("aws_ssm_document", name.replace("-", "_"), values, unknown=("arn", "id")))
    return out


KEYS_AND_SECRETS = Estate(
    "identity-keys-and-secrets",
    keys_and_secrets,
    expect={
        "kms-key-rotation": {"rotating": PASS, "not-rotating": FAIL, "signing-rsa": OUT, "disabled": OUT},
        "kms-key-not-public": {"org-policy": PASS, "open-policy": FAIL},
        "secretsmanager-rotation-enabled": {"rotating-db": PASS, "static-token": FAIL},
        "secretsmanager-secret-tagged": {"rotating-db": PASS, "static-token": FAIL},
        "acm-certificate-tagged": {"tagged.example.com": PASS, "untagged.example.com": FAIL},
        "ssm-document-not-public": {"private-doc": PASS, "public-doc": FAIL},
        "ssm-document-tagged": {"private-doc": PASS, "public-doc": FAIL},
    },
    plan=_keys_plan(),
)


def _certificate(bits: int, days: int) -> tuple[bytes, bytes]:
    """A self-signed certificate valid until ``days`` from now, with an RSA key of ``bits``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"rsa{bits}-{days}d.example.com")])
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(NOW - datetime.timedelta(days=1))
                   .not_valid_after(NOW + datetime.timedelta(days=days)).sign(key, hashes.SHA256()))
    return (certificate.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                              serialization.NoEncryption()))


def lifecycle(seeder: Seeder) -> None:
    """Deletion, rotation history, expiry and key size: facts with dates no plan can hold."""
    kms = seeder.client("kms")
    for label in ("kept", "doomed"):
        meta = kms.create_key(Description=label)["KeyMetadata"]
        seeder.ids[label] = meta["Arn"]
        if label == "doomed":
            kms.schedule_key_deletion(KeyId=meta["KeyId"], PendingWindowInDays=7)
    sm = seeder.client("secretsmanager")
    for name in ("fresh", "stale", "never-rotated"):
        sm.create_secret(Name=name, SecretString="placeholder")
    for name in ("fresh", "stale"):
        sm.rotate_secret(SecretId=name, RotationRules={"AutomaticallyAfterDays": 30})
    # moto cannot age a secret: creation, last rotation and the next due rotation are set in its backend.
    from moto.secretsmanager.models import secretsmanager_backends

    stale = secretsmanager_backends[ACCOUNT][HOME].secrets["stale"]
    stale.created_date = int(time.time()) - 200 * 86400
    stale.last_rotation_date = int(time.time()) - 120 * 86400
    stale.next_rotation_date = int(time.time()) - 90 * 86400
    acm = seeder.client("acm")
    for bits, days in ((1024, 400), (2048, 10), (2048, 700)):
        body, key = _certificate(bits, days)
        acm.import_certificate(Certificate=body, PrivateKey=key)
    acm.request_certificate(DomainName="pending.example.com", ValidationMethod="DNS")
    iam = seeder.client("iam")
    for name in ("web-expired", "web-current"):
        iam.upload_server_certificate(ServerCertificateName=name, CertificateBody="body", PrivateKey="key")


def current_certificate(snapshot: Snapshot) -> Snapshot:
    # Hand-made: moto answers every IAM server certificate with the expiration 2012-05-08, whatever was
    # uploaded; web-current gets the expiration AWS would report for a certificate valid for another year.
    resources = copy.deepcopy(snapshot.data["resources"])
    for resource in resources:
        if resource["type"] == "aws_iam_server_certificate" and resource["name"] == "web-current":
            resource["attributes"]["expiration"] = (NOW + datetime.timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Snapshot.build(resources=resources, coverage=snapshot.coverage, scope=snapshot.scope,
                          source=snapshot.data["source"], taken_at=snapshot.data["taken_at"])


_DATES = "dates AWS sets (deletion, rotation, access, expiry) and imported keys exist only in observations"

LIFECYCLE = Estate(
    "identity-lifecycle",
    lifecycle,
    expect={
        "kms-key-not-pending-deletion": {"kept": PASS, "doomed": FAIL},
        "secretsmanager-rotation-on-schedule": {"fresh": PASS, "stale": FAIL, "never-rotated": OUT},
        "secretsmanager-secret-used-90d": {"fresh": PASS, "never-rotated": PASS, "stale": FAIL},
        "secretsmanager-rotated-90d": {"fresh": PASS, "never-rotated": PASS, "stale": FAIL},
        "acm-certificate-not-expiring": {"rsa2048-700d.example.com": PASS, "rsa2048-10d.example.com": FAIL,
                                         "pending.example.com": OUT},
        "acm-rsa-key-2048": {"rsa2048-700d.example.com": PASS, "rsa1024-400d.example.com": FAIL},
        "iam-server-certificates-valid": {"web-current": PASS, "web-expired": FAIL},
    },
    live_only=dict.fromkeys(("kms-key-not-pending-deletion", "secretsmanager-rotation-on-schedule",
                             "secretsmanager-secret-used-90d", "secretsmanager-rotated-90d",
                             "acm-certificate-not-expiring", "acm-rsa-key-2048", "iam-server-certificates-valid"),
                            _DATES),
    edit=current_certificate,
)

ESTATES = [PRINCIPALS, STRONG_ACCOUNT, WEAK_ACCOUNT, WEAK_ORGANIZATION, RECORDED_GOOD, RECORDED_WEAK,
           KEYS_AND_SECRETS, LIFECYCLE]
