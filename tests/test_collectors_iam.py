"""The IAM collectors against moto: users, groups, roles, policies, certificates and the account singletons."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from factories import by_name, deny, moto_session, observe_moto
from unify.aws.iam import COLLECTORS
from unify.model.resource import is_unknown

ACCOUNT = "123456789012"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
ALL_TYPES = [t for collector in COLLECTORS for t in collector.types]

S3_READ = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}
EC2_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}
TRUST_EC2 = {"Version": "2012-10-17",
             "Statement": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole",
                           "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}}


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def iam(aws: None) -> Any:
    """A client for setting up the estate (its own session, so ``deny`` on the observed one does not touch it)."""
    return moto_session().client("iam")


def _backend() -> Any:
    from moto.iam.models import iam_backends

    return iam_backends[ACCOUNT]["aws"]


def _estate(iam: Any) -> dict[str, Any]:
    """alice: password, MFA, active key; bob: password, no MFA, inactive key; carol: no password, no key."""
    policy = iam.create_policy(PolicyName="s3-read", PolicyDocument=json.dumps(S3_READ))["Policy"]
    iam.create_group(GroupName="admins")
    iam.create_group(GroupName="empty")
    iam.attach_group_policy(GroupName="admins", PolicyArn=policy["Arn"])
    iam.put_group_policy(GroupName="admins", PolicyName="ec2-all", PolicyDocument=json.dumps(EC2_ALL))
    for name in ("carol", "bob", "alice"):
        iam.create_user(UserName=name, Tags=[{"Key": "team", "Value": name}])
    for name in ("alice", "bob"):
        iam.create_login_profile(UserName=name, Password="Secret-123456")
        iam.add_user_to_group(GroupName="admins", UserName=name)
    iam.attach_user_policy(UserName="alice", PolicyArn=policy["Arn"])
    iam.put_user_policy(UserName="alice", PolicyName="zeta", PolicyDocument=json.dumps(EC2_ALL))
    iam.put_user_policy(UserName="alice", PolicyName="alpha", PolicyDocument=json.dumps(S3_READ))
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1="123456",
                          AuthenticationCode2="654321")
    alice_key = iam.create_access_key(UserName="alice")["AccessKey"]
    bob_key = iam.create_access_key(UserName="bob")["AccessKey"]
    iam.update_access_key(UserName="bob", AccessKeyId=bob_key["AccessKeyId"], Status="Inactive")
    return {"policy": policy, "serial": serial, "alice_key": alice_key, "bob_key": bob_key}


# -- users -----------------------------------------------------------------------------------


def test_users_with_and_without_mfa_and_active_keys(iam: Any) -> None:
    made = _estate(iam)
    alice_key = made["alice_key"]
    # moto records a key's last use only when a request signed with it arrives.
    boto3.Session(region_name="eu-west-1", aws_access_key_id=alice_key["AccessKeyId"],
                  aws_secret_access_key=alice_key["SecretAccessKey"]).client("s3").list_buckets()
    _backend().users["alice"].password_last_used = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)

    snap = observe_moto("aws_iam_user")
    users = by_name(snap, "aws_iam_user")
    assert sorted(users) == ["alice", "bob", "carol"]
    assert snap.coverage_of("aws_iam_user") == [
        {"type": "aws_iam_user", "account": ACCOUNT, "region": "global", "status": "ok"}]

    alice, bob, carol = (users[n] for n in ("alice", "bob", "carol"))
    listed = {u["UserName"]: u for u in iam.list_users()["Users"]}
    assert alice["id"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert alice["region"] == "global" and alice["account"] == ACCOUNT
    assert alice["tags"] == {"team": "alice"}
    a = alice["attributes"]
    assert {k: a[k] for k in ("arn", "name", "path", "unique_id")} == {
        "arn": alice["id"], "name": "alice", "path": "/", "unique_id": listed["alice"]["UserId"]}
    assert ISO.match(a["create_date"])
    assert a["password_enabled"] is True
    assert a["password_last_used"] == "2026-01-02T03:04:05Z"
    assert [d["serial_number"] for d in a["mfa_devices"]] == [made["serial"]]
    assert ISO.match(a["mfa_devices"][0]["enable_date"])
    [key] = a["access_keys"]
    assert (key["id"], key["status"], key["last_used_service"]) == (alice_key["AccessKeyId"], "Active", "s3")
    assert ISO.match(key["create_date"]) and ISO.match(key["last_used_date"])
    assert a["groups"] == ["admins"]
    assert a["attached_policy_arns"] == [made["policy"]["Arn"]]
    assert a["inline_policy_names"] == ["alpha", "zeta"]
    assert a["inline_policies"][0] == {"name": "alpha", "policy": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}]}}
    assert "permissions_boundary" not in a  # moto's details never carry a user's boundary

    b = bob["attributes"]
    assert b["password_enabled"] is True and b["mfa_devices"] == []
    assert "password_last_used" not in b
    assert b["access_keys"] == [{"id": made["bob_key"]["AccessKeyId"], "status": "Inactive",
                                 "create_date": b["access_keys"][0]["create_date"],
                                 "last_used_date": None, "last_used_service": None}]
    assert (b["groups"], b["attached_policy_arns"], b["inline_policy_names"], b["inline_policies"]) == (
        ["admins"], [], [], [])

    c = carol["attributes"]
    assert (c["password_enabled"], c["mfa_devices"], c["access_keys"], c["groups"]) == (False, [], [], [])


def test_access_keys_are_sorted_by_creation(iam: Any) -> None:
    iam.create_user(UserName="dave")
    first = iam.create_access_key(UserName="dave")["AccessKey"]["AccessKeyId"]
    second = iam.create_access_key(UserName="dave")["AccessKey"]["AccessKeyId"]
    keys = _backend().users["dave"].access_keys
    keys[[k.access_key_id for k in keys].index(second)].create_date = datetime(2020, 1, 1, tzinfo=timezone.utc)

    dave = by_name(observe_moto("aws_iam_user"), "aws_iam_user")["dave"]["attributes"]
    assert [k["id"] for k in dave["access_keys"]] == [second, first]
    assert dave["access_keys"][0]["create_date"] == "2020-01-01T00:00:00Z"


def test_a_denied_mfa_listing_makes_mfa_devices_unknown_for_every_user(iam: Any) -> None:
    _estate(iam)
    session = moto_session()
    deny(session, "iam", "ListMFADevices")

    snap = observe_moto("aws_iam_user", session=session)
    users = by_name(snap, "aws_iam_user")
    assert sorted(users) == ["alice", "bob", "carol"]
    for user in users.values():
        assert is_unknown(user["attributes"]["mfa_devices"])
        assert "AccessDenied" in user["attributes"]["mfa_devices"]["$unknown"]
        assert isinstance(user["attributes"]["access_keys"], list)
    assert users["alice"]["attributes"]["password_enabled"] is True
    assert snap.coverage_of("aws_iam_user")[0]["status"] == "ok"


def test_denied_key_last_use_and_login_profile_are_unknown_per_item(iam: Any) -> None:
    made = _estate(iam)
    session = moto_session()
    deny(session, "iam", "GetAccessKeyLastUsed")
    deny(session, "iam", "GetLoginProfile")
    deny(session, "iam", "GenerateCredentialReport")  # else the report answers password_enabled

    users = by_name(observe_moto("aws_iam_user", session=session), "aws_iam_user")
    [key] = users["bob"]["attributes"]["access_keys"]
    assert (key["id"], key["status"]) == (made["bob_key"]["AccessKeyId"], "Inactive")
    assert is_unknown(key["last_used_date"]) and is_unknown(key["last_used_service"])
    assert all(is_unknown(u["attributes"]["password_enabled"]) for u in users.values())


_CONSOLE = {"aws_iam_user": frozenset({"password_enabled", "mfa_active"})}
_TRUTH = {"alice": (True, True), "bob": (True, False), "carol": (False, False)}


def _console(users: dict[str, dict[str, Any]]) -> dict[str, tuple[Any, Any]]:
    return {n: (u["attributes"]["password_enabled"], u["attributes"]["mfa_active"]) for n, u in users.items()}


def test_the_credential_report_answers_console_password_and_mfa_for_every_user_at_once(iam: Any) -> None:
    _estate(iam)
    snap = observe_moto("aws_iam_user", attributes=_CONSOLE)
    users = by_name(snap, "aws_iam_user")
    assert _console(users) == _TRUTH
    calls = snap.stats["calls"]
    assert (calls["iam:generate_credential_report"], calls["iam:get_credential_report"]) == (1, 1)
    assert "iam:get_login_profile" not in calls and "iam:list_mfa_devices" not in calls
    # moto dates every report 2015-02-02; AWS dates each by when it made it (at most four hours before).
    assert {u["attributes"]["report_generated_at"] for u in users.values()} == {"2015-02-02T20:02:02Z"}
    # The device list is not asked for, so it is unknown, and coverage says it was not collected.
    assert all(is_unknown(u["attributes"]["mfa_devices"]) for u in users.values())
    assert "mfa_devices" in snap.coverage_of("aws_iam_user")[0]["not_collected"]
    assert "password_enabled" not in snap.coverage_of("aws_iam_user")[0]["not_collected"]


def test_without_the_report_each_user_is_asked_and_the_answers_are_the_same(iam: Any) -> None:
    _estate(iam)
    session = moto_session()
    deny(session, "iam", "GenerateCredentialReport")
    snap = observe_moto("aws_iam_user", session=session, attributes=_CONSOLE)
    users = by_name(snap, "aws_iam_user")
    assert _console(users) == _TRUTH
    assert (snap.stats["calls"]["iam:get_login_profile"], snap.stats["calls"]["iam:list_mfa_devices"]) == (3, 3)
    assert not any("report_generated_at" in u["attributes"] for u in users.values())
    assert snap.stats["detail_errors"] == {"iam:generate_credential_report: AccessDenied": 1}


def test_a_report_older_than_allowed_is_not_read(iam: Any) -> None:
    _estate(iam)
    snap = observe_moto("aws_iam_user", attributes=_CONSOLE, credential_report_max_age=timedelta(hours=4))
    users = by_name(snap, "aws_iam_user")
    assert _console(users) == _TRUTH
    assert (snap.stats["calls"]["iam:get_login_profile"], snap.stats["calls"]["iam:list_mfa_devices"]) == (3, 3)
    assert not any("report_generated_at" in u["attributes"] for u in users.values())


def test_a_check_over_the_device_list_still_lists_each_users_devices(iam: Any) -> None:
    made = _estate(iam)
    snap = observe_moto("aws_iam_user", attributes={"aws_iam_user": frozenset({"mfa_devices", "mfa_active"})})
    users = by_name(snap, "aws_iam_user")
    assert snap.stats["calls"]["iam:list_mfa_devices"] == 3
    assert [d["serial_number"] for d in users["alice"]["attributes"]["mfa_devices"]] == [made["serial"]]
    assert {n: u["attributes"]["mfa_active"] for n, u in users.items()} == {n: t[1] for n, t in _TRUTH.items()}


def test_denied_authorization_details_keep_users_with_unknown_policies(iam: Any) -> None:
    _estate(iam)
    session = moto_session()
    deny(session, "iam", "GetAccountAuthorizationDetails")

    snap = observe_moto("aws_iam_user", session=session)
    alice = by_name(snap, "aws_iam_user")["alice"]
    for attribute in ("groups", "attached_policy_arns", "inline_policy_names", "inline_policies",
                      "permissions_boundary"):
        assert is_unknown(alice["attributes"][attribute]), attribute
    assert is_unknown(alice["tags"])
    assert alice["attributes"]["password_enabled"] is True
    assert snap.coverage_of("aws_iam_user")[0]["status"] == "ok"


def test_a_denied_user_listing_is_error_coverage(iam: Any) -> None:
    _estate(iam)
    session = moto_session()
    deny(session, "iam", "ListUsers")

    snap = observe_moto("aws_iam_user", "aws_iam_group", session=session)
    assert snap.of_type("aws_iam_user") == []
    [coverage] = snap.coverage_of("aws_iam_user")
    assert (coverage["status"], coverage["region"], coverage["error"]["code"]) == ("error", "global", "AccessDenied")
    # groups come from another listing, which still works
    assert sorted(by_name(snap, "aws_iam_group")) == ["admins", "empty"]


# -- groups ----------------------------------------------------------------------------------


def test_groups_with_members_and_policies(iam: Any) -> None:
    made = _estate(iam)
    groups = by_name(observe_moto("aws_iam_group"), "aws_iam_group")
    admins, empty = groups["admins"], groups["empty"]
    assert admins["id"] == f"arn:aws:iam::{ACCOUNT}:group/admins"
    a = admins["attributes"]
    assert a["users"] == ["alice", "bob"]
    assert a["attached_policy_arns"] == [made["policy"]["Arn"]]
    assert a["inline_policies"] == [{"name": "ec2-all", "policy": EC2_ALL | {
        "Statement": [{"Effect": "Allow", "Action": ["ec2:*"], "Resource": ["*"]}]}}]
    assert a["inline_policy_names"] == ["ec2-all"]
    group_id = iam.get_group(GroupName="admins")["Group"]["GroupId"]
    assert (a["name"], a["path"], a["unique_id"]) == ("admins", "/", group_id)
    assert (empty["attributes"]["users"], empty["attributes"]["attached_policy_arns"]) == ([], [])


def test_a_denied_authorization_details_listing_is_error_coverage_for_groups(iam: Any) -> None:
    _estate(iam)
    session = moto_session()
    deny(session, "iam", "GetAccountAuthorizationDetails")
    snap = observe_moto("aws_iam_group", session=session)
    assert snap.of_type("aws_iam_group") == []
    assert snap.coverage_of("aws_iam_group")[0]["error"]["code"] == "AccessDenied"


# -- roles -----------------------------------------------------------------------------------


def test_roles_with_trust_policy_boundary_profiles_and_last_use(iam: Any) -> None:
    boundary = iam.create_policy(PolicyName="boundary", PolicyDocument=json.dumps(S3_READ))["Policy"]["Arn"]
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST_EC2), Description="the app",
                    MaxSessionDuration=7200, PermissionsBoundary=boundary, Tags=[{"Key": "env", "Value": "prod"}])
    iam.attach_role_policy(RoleName="app", PolicyArn=boundary)
    iam.put_role_policy(RoleName="app", PolicyName="ec2", PolicyDocument=json.dumps(EC2_ALL))
    for profile in ("web", "batch"):
        iam.create_instance_profile(InstanceProfileName=profile)
        iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName="app")
    iam.create_role(RoleName="idle", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    iam.create_service_linked_role(AWSServiceName="elasticbeanstalk.amazonaws.com")
    role = _backend().roles[iam.get_role(RoleName="app")["Role"]["RoleId"]]
    role.last_used, role.last_used_region = datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc), "eu-west-1"

    snap = observe_moto("aws_iam_role")
    roles = by_name(snap, "aws_iam_role")
    assert sorted(roles) == ["AWSServiceRoleForElasticBeanstalk", "app", "idle"]
    app = roles["app"]
    assert app["id"] == f"arn:aws:iam::{ACCOUNT}:role/app"
    assert app["tags"] == {"env": "prod"}
    a = app["attributes"]
    assert a["assume_role_policy"] == {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": ["sts:AssumeRole"],
        "Condition": {"StringEquals": {"aws:SourceAccount": [ACCOUNT]}}}]}
    assert (a["description"], a["max_session_duration"], a["permissions_boundary"]) == ("the app", 7200, boundary)
    assert (a["attached_policy_arns"], a["inline_policy_names"]) == ([boundary], ["ec2"])
    assert a["inline_policies"][0]["policy"]["Statement"][0]["Action"] == ["ec2:*"]
    assert a["instance_profile_arns"] == [f"arn:aws:iam::{ACCOUNT}:instance-profile/batch",
                                          f"arn:aws:iam::{ACCOUNT}:instance-profile/web"]
    assert a["role_last_used"] == {"last_used_date": "2026-03-04T05:06:07Z", "region": "eu-west-1"}

    idle = roles["idle"]["attributes"]
    assert "role_last_used" not in idle and "permissions_boundary" not in idle
    assert (idle["description"], idle["max_session_duration"], idle["instance_profile_arns"]) == ("", 3600, [])
    linked = roles["AWSServiceRoleForElasticBeanstalk"]["attributes"]
    assert linked["path"] == "/aws-service-role/elasticbeanstalk.amazonaws.com/"
    assert linked["assume_role_policy"]["Statement"][0]["Principal"] == {"Service": ["elasticbeanstalk.amazonaws.com"]}


def test_a_denied_role_listing_is_error_coverage(iam: Any) -> None:
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    session = moto_session()
    deny(session, "iam", "ListRoles")
    snap = observe_moto("aws_iam_role", session=session)
    assert snap.of_type("aws_iam_role") == []
    assert snap.coverage_of("aws_iam_role")[0]["error"]["code"] == "AccessDenied"


# -- customer managed policies ---------------------------------------------------------------


def test_customer_policies_with_their_default_version(iam: Any) -> None:
    made = _estate(iam)
    spare = iam.create_policy(PolicyName="spare", Path="/team/", Description="not used",
                              PolicyDocument=json.dumps(S3_READ), Tags=[{"Key": "owner", "Value": "sec"}])["Policy"]
    iam.create_policy_version(PolicyArn=spare["Arn"], PolicyDocument=json.dumps(EC2_ALL), SetAsDefault=True)

    snap = observe_moto("aws_iam_policy")
    policies = by_name(snap, "aws_iam_policy")
    assert sorted(policies) == ["s3-read", "spare"]  # customer managed only
    used = policies["s3-read"]["attributes"]
    assert (used["attachment_count"], used["policy_id"], used["default_version_id"]) == (
        2, made["policy"]["PolicyId"], "v1")
    assert used["policy"]["Statement"] == [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}]
    assert policies["s3-read"]["tags"] == {}

    unused = policies["spare"]
    assert unused["id"] == f"arn:aws:iam::{ACCOUNT}:policy/team/spare"
    assert unused["tags"] == {"owner": "sec"}
    s = unused["attributes"]
    assert (s["name"], s["path"], s["description"], s["attachment_count"], s["is_attachable"]) == (
        "spare", "/team/", "not used", 0, True)
    assert (s["default_version_id"], s["policy"]["Statement"][0]["Action"]) == ("v2", ["ec2:*"])
    assert ISO.match(s["create_date"]) and ISO.match(s["update_date"])


def test_denied_policy_tags_are_unknown(iam: Any) -> None:
    iam.create_policy(PolicyName="p", PolicyDocument=json.dumps(S3_READ), Tags=[{"Key": "a", "Value": "b"}])
    session = moto_session()
    deny(session, "iam", "ListPolicyTags")
    policy = by_name(observe_moto("aws_iam_policy", session=session), "aws_iam_policy")["p"]
    assert is_unknown(policy["tags"])
    assert policy["attributes"]["policy"]["Statement"][0]["Action"] == ["s3:GetObject"]


# -- account singletons ----------------------------------------------------------------------


def test_password_policy_not_set_is_configured_false(iam: Any) -> None:
    snap = observe_moto("aws_iam_account_password_policy")
    [policy] = snap.of_type("aws_iam_account_password_policy")
    assert policy["id"] == f"{ACCOUNT}/aws_iam_account_password_policy"
    assert (policy["name"], policy["region"]) == (None, "global")
    assert policy["attributes"] == {"configured": False}


def test_password_policy_set(iam: Any) -> None:
    iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True,
                                       RequireUppercaseCharacters=True, RequireLowercaseCharacters=False,
                                       AllowUsersToChangePassword=True, MaxPasswordAge=90,
                                       PasswordReusePrevention=24, HardExpiry=False)
    [policy] = observe_moto("aws_iam_account_password_policy").of_type("aws_iam_account_password_policy")
    assert policy["attributes"] == {
        "configured": True, "minimum_password_length": 14, "require_lowercase_characters": False,
        "require_numbers": True, "require_symbols": True, "require_uppercase_characters": True,
        "allow_users_to_change_password": True, "max_password_age": 90, "password_reuse_prevention": 24,
        "hard_expiry": False, "expire_passwords": True,
    }


def test_password_policy_without_expiry_or_reuse_limit_leaves_them_out(iam: Any) -> None:
    iam.update_account_password_policy(MinimumPasswordLength=8)
    [policy] = observe_moto("aws_iam_account_password_policy").of_type("aws_iam_account_password_policy")
    assert policy["attributes"]["minimum_password_length"] == 8
    assert policy["attributes"]["expire_passwords"] is False
    assert "max_password_age" not in policy["attributes"]
    assert "password_reuse_prevention" not in policy["attributes"]


def test_a_denied_password_policy_is_error_coverage_not_unconfigured(iam: Any) -> None:
    session = moto_session()
    deny(session, "iam", "GetAccountPasswordPolicy")
    snap = observe_moto("aws_iam_account_password_policy", session=session)
    assert snap.of_type("aws_iam_account_password_policy") == []
    assert snap.coverage_of("aws_iam_account_password_policy")[0]["error"]["code"] == "AccessDenied"


def _assign_root_virtual_mfa(iam: Any) -> None:
    """moto cannot enable MFA for root through the API; assign the device in its backend."""
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="root-account-mfa-device")["VirtualMFADevice"]
    device = _backend().virtual_mfa_devices[serial["SerialNumber"]]
    device.enable_date = datetime(2026, 1, 1, tzinfo=timezone.utc)
    device.user = SimpleNamespace(arn=f"arn:aws:iam::{ACCOUNT}:root", name="root", id=ACCOUNT, path="/",
                                  create_date=datetime(2020, 1, 1, tzinfo=timezone.utc))


def test_account_summary(iam: Any) -> None:
    _estate(iam)
    _assign_root_virtual_mfa(iam)
    [summary] = observe_moto("aws_iam_account_summary").of_type("aws_iam_account_summary")
    assert summary["id"] == f"{ACCOUNT}/aws_iam_account_summary"
    assert summary["name"] is None
    assert summary["attributes"] == {
        # moto hardcodes AccountMFAEnabled and AccountAccessKeysPresent to 0
        "account_mfa_enabled": False, "account_access_keys_present": False,
        "account_signing_certificates_present": False,
        "users": 3, "groups": 2, "roles": 0, "policies": 1, "mfa_devices": 2, "mfa_devices_in_use": 1,
        "root_virtual_mfa": True,
    }


def test_account_summary_without_root_mfa_and_with_a_denied_device_listing(iam: Any) -> None:
    _estate(iam)  # alice's virtual device is assigned, but not to root
    [summary] = observe_moto("aws_iam_account_summary").of_type("aws_iam_account_summary")
    assert summary["attributes"]["root_virtual_mfa"] is False

    session = moto_session()
    deny(session, "iam", "ListVirtualMFADevices")
    snap = observe_moto("aws_iam_account_summary", session=session)
    [summary] = snap.of_type("aws_iam_account_summary")
    assert is_unknown(summary["attributes"]["root_virtual_mfa"])
    assert summary["attributes"]["users"] == 3
    assert snap.coverage_of("aws_iam_account_summary")[0]["status"] == "ok"


# -- server certificates ---------------------------------------------------------------------


def test_server_certificates(iam: Any) -> None:
    iam.upload_server_certificate(ServerCertificateName="web", CertificateBody="body", PrivateKey="key",
                                  Path="/cloudfront/")
    [cert] = observe_moto("aws_iam_server_certificate").of_type("aws_iam_server_certificate")
    assert (cert["id"], cert["name"], cert["region"]) == (
        f"arn:aws:iam::{ACCOUNT}:server-certificate/cloudfront/web", "web", "global")
    # moto answers fixed dates and id for every certificate
    assert cert["attributes"] == {
        "arn": cert["id"], "name": "web", "path": "/cloudfront/", "id": "ASCACKCEVSQ6C2EXAMPLE",
        "server_certificate_id": "ASCACKCEVSQ6C2EXAMPLE", "upload_date": "2010-05-08T01:02:03Z",
        "expiration": "2012-05-08T01:02:03Z",
    }


# -- declarations ----------------------------------------------------------------------------


def test_every_attribute_is_declared_and_every_collector_is_global(iam: Any) -> None:
    _estate(iam)
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    iam.update_account_password_policy(MinimumPasswordLength=14, MaxPasswordAge=90, PasswordReusePrevention=5)
    iam.upload_server_certificate(ServerCertificateName="web", CertificateBody="body", PrivateKey="key")
    snap = observe_moto(*ALL_TYPES)
    declared = {t: set(attrs) for collector in COLLECTORS for t, attrs in collector.attributes.items()}
    for type_ in ALL_TYPES:
        resources = snap.of_type(type_)
        assert resources, type_
        for resource in resources:
            assert set(resource["attributes"]) <= declared[type_], type_
    assert {c.scope for c in COLLECTORS} == {"global"} and {c.service for c in COLLECTORS} == {"iam"}
    assert {e["region"] for e in snap.coverage} == {"global"}
    assert {e["status"] for e in snap.coverage} == {"ok"}
