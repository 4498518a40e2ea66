"""Every shipped CIS AWS Foundations v7.0 check against moto: compliant and non-compliant estates.

The table ``CASES`` has one entry per check id that no both-ways estate
(``tests/estates/``, judged by ``tests/test_both_ways.py``) already shows
passing and failing. Each entry holds one or more
scenarios; a scenario builds a small estate in moto (in-process ``mock_aws``)
through boto3, the real collectors observe only the types the check reads, the
shipped policy set is evaluated, and the check's verdicts are compared with the
scenario's expectations: resource name (or a key the setup registered for a
resource with no recognisable name) -> ``pass``, ``fail``, or ``OUT`` (in the
observation but outside the check's ``where``: no result at all). Every
scenario also asserts that the check gives no ``error``.

Per-resource checks put a compliant and a non-compliant resource side by side
in one estate. Aggregate checks (one result per account) and account-wide or
regional singletons need two estates, so they have one scenario that satisfies
the check and one that does not.

Where moto cannot produce a fact through its API, the scenario says so where it
is defined. Two kinds of workaround are used, never a faked pass:

- moto's backend is changed in-process (root MFA and root access-key flags of
  the account summary, a virtual MFA device assigned to root, backdated users,
  access keys and password use): the collectors then read the fact through the
  ordinary API calls;
- the observed snapshot is edited and rebuilt with ``Snapshot.build`` where no
  backend change can help because moto's responses hardcode the value:
  server certificate expiry (moto answers the same 2012 expiration for
  every certificate).
"""

from __future__ import annotations

import copy
import importlib
import io
import json
import pkgutil
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from types import SimpleNamespace
from typing import Any

import pytest
from moto import mock_aws

import estates
from factories import moto_session, observe_moto
from factories import PLUGINS
from unify.checks.policy_set import PolicySet, load_policies, shipped_policies
from unify.engine import evaluate
from unify.model.snapshot import Snapshot

ACCOUNT = "123456789012"  # moto's default account
HOME, AWAY = "us-east-1", "eu-west-1"
PASS, FAIL = "pass", "fail"
OUT = None  # observed, but outside the check's `where`: the check gives it no result

SUMMARY = f"{ACCOUNT}/aws_iam_account_summary"
PASSWORD_POLICY = f"{ACCOUNT}/aws_iam_account_password_policy"


def regional(region: str, type_: str) -> str:
    """The id of a regional singleton."""
    return f"{ACCOUNT}/{region}/{type_}"


@cache
def policy() -> PolicySet:
    return load_policies([shipped_policies()], operators=PLUGINS.operators)


@cache
def session() -> Any:
    """One boto3 session for setup and observation: loading service models is the slow part."""
    return moto_session()


@pytest.fixture(autouse=True)
def _no_default_amis(monkeypatch: pytest.MonkeyPatch) -> None:
    # run_instances accepts any image id; loading moto's ~1,300 built-in AMIs only costs time.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


# -- the estate a scenario builds ------------------------------------------------------------


class Estate:
    """boto3 clients for one scenario, and ids for resources whose name is not recognisable."""

    def __init__(self) -> None:
        self._clients: dict[tuple[str, str], Any] = {}
        #: expectation key -> resource id, for resources named by id (KMS keys, default groups, singletons)
        self.ids: dict[str, str] = {}

    def client(self, service: str, region: str = HOME) -> Any:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = session().client(service, region_name=region)
        return self._clients[key]

    @property
    def iam(self) -> Any:
        return self.client("iam")

    @property
    def s3(self) -> Any:
        return self.client("s3")

    @property
    def ec2(self) -> Any:
        return self.client("ec2")

    @staticmethod
    def iam_backend() -> Any:
        from moto.iam.models import iam_backends

        return iam_backends[ACCOUNT]["aws"]


@dataclass(frozen=True)
class Scenario:
    name: str
    setup: Callable[[Estate], None]
    expect: Mapping[str, str | None]
    regions: tuple[str, ...] = (HOME,)
    moto_config: Mapping[str, Any] | None = None
    #: rebuilds the observed snapshot where moto cannot answer a fact (documented at each use)
    edit: Callable[[Snapshot], Snapshot] | None = field(default=None)


def nothing(estate: Estate) -> None:
    """An estate with nothing made: what moto starts with."""


def days_ago(days: int) -> datetime:
    """A naive UTC time, as moto's IAM backend stores its dates."""
    return datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(days=days)


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust(service: str) -> str:
    return doc({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


def rebuilt(snapshot: Snapshot, resources: list[dict[str, Any]] | None = None,
            taken_at: str | None = None) -> Snapshot:
    """The snapshot with its resources (or ``resources``) and ``taken_at`` replaced, digest recomputed."""
    return Snapshot.build(
        resources=resources if resources is not None else copy.deepcopy(snapshot.data["resources"]),
        coverage=copy.deepcopy(snapshot.data["coverage"]),
        scope=copy.deepcopy(snapshot.scope),
        source=snapshot.source,
        taken_at=taken_at or snapshot.taken_at,
    )


# =============================================================================================
# identity (policies/cis-aws-v7.0/identity.yaml)
# =============================================================================================


def root_access_keys(estate: Estate) -> None:
    # moto hardcodes AccountAccessKeysPresent to 0 and has no API for root keys: set the flag
    # get_account_summary reads, in moto's backend.
    estate.iam_backend().account_summary._account_access_keys_present = 1


def root_mfa(estate: Estate) -> None:
    # moto hardcodes AccountMFAEnabled to 0 and cannot enable MFA for root through the API:
    # set the flag get_account_summary reads. No virtual device is assigned to root, so
    # (as on AWS) the root MFA is a hardware device.
    estate.iam_backend().account_summary._account_mfa_enabled = 1


def root_virtual_mfa(estate: Estate) -> None:
    root_mfa(estate)
    # A virtual device assigned to root, made in moto's backend (the API cannot assign one to root);
    # list_virtual_mfa_devices then reports it with the root user's ARN.
    serial = estate.iam.create_virtual_mfa_device(
        VirtualMFADeviceName="root-account-mfa-device")["VirtualMFADevice"]["SerialNumber"]
    device = estate.iam_backend().virtual_mfa_devices[serial]
    device.enable_date = days_ago(30)
    device.user = SimpleNamespace(arn=f"arn:aws:iam::{ACCOUNT}:root", name="root", id=ACCOUNT, path="/",
                                  create_date=days_ago(3000))


def password_policy(**settings: Any) -> Callable[[Estate], None]:
    def setup(estate: Estate) -> None:
        estate.iam.update_account_password_policy(**settings)

    return setup


def console_user(estate: Estate, name: str, *, mfa: bool = False) -> None:
    estate.iam.create_user(UserName=name)
    estate.iam.create_login_profile(UserName=name, Password="Correct-Horse-Battery-9")
    if mfa:
        serial = estate.iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
        estate.iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1="123456",
                                     AuthenticationCode2="654321")


def age_keys(name: str, days: int) -> None:
    """Backdate a user's access keys in moto's backend: AWS has no API to age a key."""
    for key in Estate.iam_backend().users[name].access_keys:
        key.create_date = days_ago(days)


def console_users(estate: Estate) -> None:
    console_user(estate, "alice-mfa", mfa=True)
    console_user(estate, "bob-no-mfa")
    estate.iam.create_user(UserName="ci-no-console")
    estate.iam.create_access_key(UserName="ci-no-console")


def credential_use(estate: Estate) -> None:
    backend = estate.iam_backend()
    # created today, password never used: still within its first 45 days
    console_user(estate, "new-joiner")
    # created 200 days ago (backdated in moto's backend), signed in 3 days ago (moto records
    # password use only from real sign-ins: set in the backend)
    console_user(estate, "daily-user")
    backend.users["daily-user"].create_date = days_ago(200)
    backend.users["daily-user"].password_last_used = days_ago(3).replace(tzinfo=timezone.utc)
    # created 100 days ago, password never used
    console_user(estate, "dormant-console")
    backend.users["dormant-console"].create_date = days_ago(100)
    # signed in 60 days ago and not since
    console_user(estate, "lapsed-console")
    backend.users["lapsed-console"].create_date = days_ago(300)
    backend.users["lapsed-console"].password_last_used = days_ago(60).replace(tzinfo=timezone.utc)
    # no password; an active key made 100 days ago and never used
    estate.iam.create_user(UserName="dormant-key")
    estate.iam.create_access_key(UserName="dormant-key")
    backend.users["dormant-key"].create_date = days_ago(100)
    age_keys("dormant-key", 100)
    # no password; the same old unused key, but deactivated
    estate.iam.create_user(UserName="retired-key")
    key = estate.iam.create_access_key(UserName="retired-key")["AccessKey"]["AccessKeyId"]
    estate.iam.update_access_key(UserName="retired-key", AccessKeyId=key, Status="Inactive")
    backend.users["retired-key"].create_date = days_ago(100)
    age_keys("retired-key", 100)


def key_ages(estate: Estate) -> None:
    for name in ("fresh-key", "stale-key", "stale-inactive-key", "no-keys", "rotating-pair"):
        estate.iam.create_user(UserName=name)
    estate.iam.create_access_key(UserName="fresh-key")
    age_keys("fresh-key", 30)
    estate.iam.create_access_key(UserName="stale-key")
    age_keys("stale-key", 120)
    old = estate.iam.create_access_key(UserName="stale-inactive-key")["AccessKey"]["AccessKeyId"]
    estate.iam.update_access_key(UserName="stale-inactive-key", AccessKeyId=old, Status="Inactive")
    age_keys("stale-inactive-key", 120)
    # one old and one new active key: the old one is still not rotated
    estate.iam.create_access_key(UserName="rotating-pair")
    age_keys("rotating-pair", 120)
    estate.iam.create_access_key(UserName="rotating-pair")


READ_REPORTS = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}
FULL_ADMIN = {"Effect": "Allow", "Action": "*", "Resource": "*"}


def user_permissions(estate: Estate) -> None:
    iam = estate.iam
    read = iam.create_policy(PolicyName="read-reports", PolicyDocument=doc(READ_REPORTS))["Policy"]["Arn"]
    iam.create_group(GroupName="analysts")
    iam.attach_group_policy(GroupName="analysts", PolicyArn=read)
    for name in ("grouped-user", "attached-user", "inline-user"):
        iam.create_user(UserName=name)
    iam.add_user_to_group(GroupName="analysts", UserName="grouped-user")
    iam.attach_user_policy(UserName="attached-user", PolicyArn=read)
    iam.put_user_policy(UserName="inline-user", PolicyName="extra", PolicyDocument=doc(READ_REPORTS))


def admin_policies(estate: Estate) -> None:
    iam = estate.iam
    admin = iam.create_policy(PolicyName="full-admin", PolicyDocument=doc(FULL_ADMIN))["Policy"]["Arn"]
    read = iam.create_policy(PolicyName="read-reports", PolicyDocument=doc(READ_REPORTS))["Policy"]["Arn"]
    iam.create_policy(PolicyName="full-admin-unattached", PolicyDocument=doc(FULL_ADMIN))
    # "*" on "*" hidden among other statements still grants everything
    mixed = iam.create_policy(PolicyName="admin-among-others", PolicyDocument=doc(
        READ_REPORTS, {"Effect": "Allow", "Action": ["ec2:*", "*"], "Resource": ["*"]}))["Policy"]["Arn"]
    # every action, but on one bucket only: not administrative access
    scoped = iam.create_policy(PolicyName="one-bucket-all-actions", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::reports/*"}))["Policy"]["Arn"]
    iam.create_group(GroupName="staff")
    for arn in (admin, read, mixed, scoped):
        iam.attach_group_policy(GroupName="staff", PolicyArn=arn)


SUPPORT_ACCESS = "arn:aws:iam::aws:policy/AWSSupportAccess"


def support_role(estate: Estate) -> None:
    estate.iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))
    estate.iam.create_role(RoleName="incident-support", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}))
    estate.iam.attach_role_policy(RoleName="incident-support", PolicyArn=SUPPORT_ACCESS)


def no_support_role(estate: Estate) -> None:
    estate.iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))
    read = estate.iam.create_policy(PolicyName="read-reports", PolicyDocument=doc(READ_REPORTS))["Policy"]["Arn"]
    estate.iam.attach_role_policy(RoleName="app", PolicyArn=read)


def run_instance(estate: Estate, name: str, *, profile: str | None = None, tokens: str = "required",
                 endpoint: str = "enabled") -> str:
    kwargs: dict[str, Any] = {"IamInstanceProfile": {"Name": profile}} if profile else {}
    return estate.ec2.run_instances(
        ImageId="ami-0abcdef1234567890", MinCount=1, MaxCount=1, InstanceType="t3.micro",
        MetadataOptions={"HttpTokens": tokens, "HttpEndpoint": endpoint},
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}],
        **kwargs,
    )["Instances"][0]["InstanceId"]


def instance_profiles(estate: Estate) -> None:
    estate.iam.create_role(RoleName="web", AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))
    estate.iam.create_instance_profile(InstanceProfileName="web")
    estate.iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="web")
    run_instance(estate, "web-with-profile", profile="web")
    run_instance(estate, "legacy-no-profile")
    stopped = run_instance(estate, "stopped-no-profile")
    estate.ec2.stop_instances(InstanceIds=[stopped])


def server_certificate(name: str) -> Callable[[Estate], None]:
    def setup(estate: Estate) -> None:
        estate.iam.upload_server_certificate(ServerCertificateName=name, CertificateBody="body", PrivateKey="key")

    return setup


def before_moto_expiry(snapshot: Snapshot) -> Snapshot:
    # Hand-made: moto answers every certificate with upload 2010-05-08 and expiration
    # 2012-05-08, whatever was uploaded, so no certificate it reports is valid today. The
    # observed snapshot is rebuilt as taken on 2011-06-01, between upload and expiry:
    # checks compare times with taken_at, never the clock.
    return rebuilt(snapshot, taken_at="2011-06-01T00:00:00Z")


def lambda_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return {'ok': True}\n")
    return buffer.getvalue()


def function(estate: Estate, name: str) -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/lambda-exec"
    estate.client("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role,
                                            Handler="index.handler", Code={"ZipFile": lambda_zip()})


def lambda_functions(estate: Estate) -> None:
    estate.iam.create_role(RoleName="lambda-exec", AssumeRolePolicyDocument=trust("lambda.amazonaws.com"))
    lam = estate.client("lambda")
    for name in ("no-policy", "partner-invoke", "bucket-trigger", "public-invoke"):
        function(estate, name)
    lam.add_permission(FunctionName="partner-invoke", StatementId="partner", Action="lambda:InvokeFunction",
                       Principal="111122223333")
    lam.add_permission(FunctionName="bucket-trigger", StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::acme-uploads",
                       SourceAccount=ACCOUNT)
    lam.add_permission(FunctionName="public-invoke", StatementId="anyone", Action="lambda:InvokeFunction",
                       Principal="*")


def lambda_public_with_condition(estate: Estate) -> None:
    # Principal "*" restricted by a condition on the calling account: only this account's
    # resources can invoke it. CIS 2.21 (catalog: "Resource policies do not allow Principal
    # "*" without restricting conditions") accepts such a statement.
    estate.iam.create_role(RoleName="lambda-exec", AssumeRolePolicyDocument=trust("lambda.amazonaws.com"))
    function(estate, "account-scoped-invoke")
    function(estate, "public-invoke")
    lam = estate.client("lambda")
    lam.add_permission(FunctionName="account-scoped-invoke", StatementId="own-account",
                       Action="lambda:InvokeFunction", Principal="*", SourceAccount=ACCOUNT)
    lam.add_permission(FunctionName="public-invoke", StatementId="anyone", Action="lambda:InvokeFunction",
                       Principal="*")


# =============================================================================================
# logging (policies/cis-aws-v7.0/logging.yaml)
# =============================================================================================

TRAIL_BUCKET = "acme-trail-logs"
MANAGEMENT_ALL = {"ReadWriteType": "All", "IncludeManagementEvents": True}


def s3_objects(read_write: str) -> dict[str, Any]:
    return {"ReadWriteType": read_write, "IncludeManagementEvents": True,
            "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}


def advanced(name: str, **fields: list[str]) -> dict[str, Any]:
    return {"Name": name, "FieldSelectors": [{"Field": f, "Equals": v} for f, v in fields.items()]}


def s3_data_events(**extra: list[str]) -> dict[str, Any]:
    return advanced("s3 objects", eventCategory=["Data"], **{"resources.type": ["AWS::S3::Object"]}, **extra)


def trail(estate: Estate, name: str, *, multi_region: bool = True, logging: bool = True,
          selectors: list[dict[str, Any]] | None = None, advanced_selectors: list[dict[str, Any]] | None = None,
          **options: Any) -> None:
    cloudtrail = estate.client("cloudtrail")
    if TRAIL_BUCKET not in {b["Name"] for b in estate.s3.list_buckets()["Buckets"]}:
        estate.s3.create_bucket(Bucket=TRAIL_BUCKET)
    cloudtrail.create_trail(Name=name, S3BucketName=TRAIL_BUCKET, IsMultiRegionTrail=multi_region, **options)
    if selectors is not None:
        cloudtrail.put_event_selectors(TrailName=name, EventSelectors=selectors)
    if advanced_selectors is not None:
        cloudtrail.put_event_selectors(TrailName=name, AdvancedEventSelectors=advanced_selectors)
    if logging:
        cloudtrail.start_logging(Name=name)


def trails(*specs: tuple[str, dict[str, Any]]) -> Callable[[Estate], None]:
    def setup(estate: Estate) -> None:
        for name, options in specs:
            trail(estate, name, **options)

    return setup


def kms_keys(estate: Estate) -> None:
    kms = estate.client("kms")

    def key(label: str, **kwargs: Any) -> str:
        meta = kms.create_key(Description=label, **kwargs)["KeyMetadata"]
        estate.ids[label] = meta["Arn"]
        return meta["KeyId"]

    kms.enable_key_rotation(KeyId=key("rotating"))
    key("not-rotating")
    key("signing-rsa", KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")  # asymmetric keys cannot rotate
    kms.disable_key(KeyId=key("disabled"))


def vpc(estate: Estate, name: str, cidr: str, region: str = HOME) -> str:
    return estate.client("ec2", region).create_vpc(CidrBlock=cidr, TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}])["Vpc"]["VpcId"]


def flow_logs(estate: Estate) -> None:
    estate.s3.create_bucket(Bucket="acme-flow-logs")
    for n, (name, traffic) in enumerate((("vpc-all-traffic", "ALL"), ("vpc-rejects", "REJECT"),
                                         ("vpc-accepts-only", "ACCEPT"), ("vpc-unlogged", None))):
        vpc_id = vpc(estate, name, f"10.{n}.0.0/16")
        if traffic:
            estate.ec2.create_flow_logs(ResourceIds=[vpc_id], ResourceType="VPC", TrafficType=traffic,
                                        LogDestinationType="s3", LogDestination="arn:aws:s3:::acme-flow-logs")


# =============================================================================================
# networking (policies/cis-aws-v7.0/networking.yaml)
# =============================================================================================


def ebs_default_away_only(estate: Estate) -> None:
    estate.client("ec2", AWAY).enable_ebs_encryption_by_default()


EBS_DEFAULT = "aws_ebs_encryption_by_default"


def volumes(estate: Estate) -> None:
    for name, encrypted in (("data-encrypted", True), ("scratch-plain", False)):
        estate.ec2.create_volume(AvailabilityZone=f"{HOME}a", Size=10, Encrypted=encrypted, TagSpecifications=[
            {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": name}]}])


def permission(protocol: str, from_port: int | None = None, to_port: int | None = None, *,
               cidr: str | None = None, ipv6: str | None = None) -> dict[str, Any]:
    rule: dict[str, Any] = {"IpProtocol": protocol}
    if from_port is not None:
        rule |= {"FromPort": from_port, "ToPort": from_port if to_port is None else to_port}
    if cidr:
        rule["IpRanges"] = [{"CidrIp": cidr}]
    if ipv6:
        rule["Ipv6Ranges"] = [{"CidrIpv6": ipv6}]
    return rule


#: security group name -> its ingress rules
GROUPS: dict[str, list[dict[str, Any]]] = {
    "https-world": [permission("tcp", 443, cidr="0.0.0.0/0", ipv6="::/0")],
    "ssh-office": [permission("tcp", 22, cidr="203.0.113.0/24"), permission("tcp", 3389, ipv6="2001:db8::/32")],
    "ssh-world-v4": [permission("tcp", 22, cidr="0.0.0.0/0")],
    "rdp-range-world-v4": [permission("tcp", 3000, 4000, cidr="0.0.0.0/0")],
    "ssh-world-v6": [permission("tcp", 22, ipv6="::/0")],
    "rdp-world-v6": [permission("tcp", 3389, ipv6="::/0")],
    "cifs-world-v4": [permission("tcp", 445, cidr="0.0.0.0/0")],
    "cifs-world-v6": [permission("tcp", 445, ipv6="::/0")],
    "cifs-udp-world": [permission("udp", 445, cidr="0.0.0.0/0")],
    "all-traffic-world": [permission("-1", cidr="0.0.0.0/0")],
}


def security_groups(estate: Estate) -> None:
    vpc_id = vpc(estate, "apps", "10.20.0.0/16")
    for name, rules in GROUPS.items():
        group = estate.ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]
        estate.ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=rules)


def sg_case(*failing: str) -> tuple[Scenario, ...]:
    return (Scenario("one group per rule shape", security_groups,
                     {name: FAIL if name in failing else PASS for name in GROUPS}),)


def network_acls(estate: Estate) -> None:
    vpc_id = vpc(estate, "apps", "10.30.0.0/16")

    def acl(name: str, *entries: dict[str, Any]) -> None:
        acl_id = estate.ec2.create_network_acl(VpcId=vpc_id, TagSpecifications=[
            {"ResourceType": "network-acl", "Tags": [{"Key": "Name", "Value": name}]}])["NetworkAcl"]["NetworkAclId"]
        for number, entry in enumerate(entries, start=1):
            estate.ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=number * 100, Egress=False, **entry)

    def entry(action: str, protocol: str, ports: tuple[int, int] | None, **source: str) -> dict[str, Any]:
        out: dict[str, Any] = {"RuleAction": action, "Protocol": protocol, **source}
        if ports:
            out["PortRange"] = {"From": ports[0], "To": ports[1]}
        return out

    world, world6 = {"CidrBlock": "0.0.0.0/0"}, {"Ipv6CidrBlock": "::/0"}
    acl("acl-web-only", entry("allow", "6", (443, 443), **world), entry("allow", "6", (22, 22), CidrBlock="10.0.0.0/8"))
    acl("acl-denies-ssh", entry("deny", "6", (22, 22), **world), entry("allow", "6", (80, 443), **world))
    acl("acl-ssh-world", entry("allow", "6", (22, 22), **world))
    acl("acl-rdp-world-v6", entry("allow", "6", (3389, 3389), **world6))
    acl("acl-all-world", entry("allow", "-1", None, **world))


def default_groups(estate: Estate) -> None:
    def default_group(vpc_id: str) -> dict[str, Any]:
        [group] = estate.ec2.describe_security_groups(Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
        return group

    locked, open_ = vpc(estate, "locked", "10.40.0.0/16"), vpc(estate, "open", "10.41.0.0/16")
    locked_group = default_group(locked)
    # moto's default group has only the allow-all egress rule (AWS also adds a self-referencing ingress rule)
    estate.ec2.revoke_security_group_egress(GroupId=locked_group["GroupId"],
                                            IpPermissions=locked_group["IpPermissionsEgress"])
    open_group = default_group(open_)
    app = estate.ec2.create_security_group(GroupName="app", Description="app", VpcId=locked)["GroupId"]
    arn = f"arn:aws:ec2:{HOME}:{ACCOUNT}:security-group/"
    estate.ids |= {"default-of-locked": arn + locked_group["GroupId"], "default-of-open": arn + open_group["GroupId"],
                   "app": arn + app}


def metadata_options(estate: Estate) -> None:
    run_instance(estate, "imdsv2-required", tokens="required")
    run_instance(estate, "imds-disabled", tokens="optional", endpoint="disabled")
    run_instance(estate, "imdsv1-allowed", tokens="optional")
    stopped = run_instance(estate, "stopped-imdsv1", tokens="optional")
    estate.ec2.stop_instances(InstanceIds=[stopped])
    gone = run_instance(estate, "terminated-imdsv1", tokens="optional")
    estate.ec2.terminate_instances(InstanceIds=[gone])


# =============================================================================================
# the table: check id -> scenarios
# =============================================================================================

CASES: dict[str, tuple[Scenario, ...]] = {
    # -- identity -----------------------------------------------------------------------------
    "iam-root-no-access-keys": (
        Scenario("root has no access keys", nothing, {SUMMARY: PASS}),
        Scenario("root has access keys (backend flag)", root_access_keys, {SUMMARY: FAIL}),
    ),
    "iam-root-mfa": (
        Scenario("root MFA enabled (backend flag)", root_mfa, {SUMMARY: PASS}),
        Scenario("root MFA not enabled", nothing, {SUMMARY: FAIL}),
    ),
    "iam-root-hardware-mfa": (
        Scenario("root MFA enabled, no virtual device on root", root_mfa, {SUMMARY: PASS}),
        Scenario("root MFA is a virtual device", root_virtual_mfa, {SUMMARY: FAIL}),
        Scenario("root has no MFA at all", nothing, {SUMMARY: FAIL}),
    ),
    "iam-password-min-length": (
        Scenario("14 characters", password_policy(MinimumPasswordLength=14), {PASSWORD_POLICY: PASS}),
        Scenario("8 characters", password_policy(MinimumPasswordLength=8, PasswordReusePrevention=24),
                 {PASSWORD_POLICY: FAIL}),
        Scenario("no password policy", nothing, {PASSWORD_POLICY: FAIL}),
    ),
    "iam-password-reuse": (
        Scenario("remembers 24", password_policy(MinimumPasswordLength=8, PasswordReusePrevention=24),
                 {PASSWORD_POLICY: PASS}),
        Scenario("remembers 5", password_policy(MinimumPasswordLength=14, PasswordReusePrevention=5),
                 {PASSWORD_POLICY: FAIL}),
        Scenario("reuse not restricted", password_policy(MinimumPasswordLength=14), {PASSWORD_POLICY: FAIL}),
        Scenario("no password policy", nothing, {PASSWORD_POLICY: FAIL}),
    ),
    "iam-user-console-mfa": (
        Scenario("console users with and without MFA", console_users,
                 {"alice-mfa": PASS, "bob-no-mfa": FAIL, "ci-no-console": OUT}),
    ),
    "iam-user-credentials-unused-45d": (
        Scenario("used, new and dormant credentials", credential_use,
                 {"new-joiner": PASS, "daily-user": PASS, "retired-key": PASS,
                  "dormant-console": FAIL, "lapsed-console": FAIL, "dormant-key": FAIL}),
    ),
    "iam-access-keys-rotated-90d": (
        Scenario("fresh, stale and deactivated keys", key_ages,
                 {"fresh-key": PASS, "stale-inactive-key": PASS, "no-keys": PASS,
                  "stale-key": FAIL, "rotating-pair": FAIL}),
    ),
    "iam-user-no-direct-policies": (
        Scenario("group, attached and inline permissions", user_permissions,
                 {"grouped-user": PASS, "attached-user": FAIL, "inline-user": FAIL}),
    ),
    "iam-no-full-admin-policies": (
        Scenario("attached admin and scoped policies", admin_policies,
                 {"read-reports": PASS, "one-bucket-all-actions": PASS, "full-admin": FAIL,
                  "admin-among-others": FAIL, "full-admin-unattached": OUT}),
    ),
    "iam-support-role": (
        # moto loads AWS managed policies (AWSSupportAccess) only when asked: about a second.
        Scenario("a role holds AWSSupportAccess", support_role, {ACCOUNT: PASS},
                 moto_config={"iam": {"load_aws_managed_policies": True}}),
        Scenario("no role holds AWSSupportAccess", no_support_role, {ACCOUNT: FAIL}),
    ),
    "ec2-instance-profile": (
        Scenario("running instances with and without a profile", instance_profiles,
                 {"web-with-profile": PASS, "legacy-no-profile": FAIL, "stopped-no-profile": OUT}),
    ),
    "iam-server-certificates-valid": (
        Scenario("moto's certificate, observed today: expired", server_certificate("web-expired"),
                 {"web-expired": FAIL}),
        Scenario("the same certificate as of 2011 (hand-made: re-dated snapshot)", server_certificate("web-current"),
                 {"web-current": PASS}, edit=before_moto_expiry),
    ),
    "lambda-not-public": (
        Scenario("private, service and public functions", lambda_functions,
                 {"no-policy": PASS, "partner-invoke": PASS, "bucket-trigger": PASS, "public-invoke": FAIL}),
        # A statement whose condition restricts Principal "*" to the own account does not make
        # the function public (CIS 2.21: no Principal "*" *without restricting conditions*).
        Scenario("Principal * restricted to the own account", lambda_public_with_condition,
                 {"account-scoped-invoke": PASS, "public-invoke": FAIL}),
    ),
    # -- logging ------------------------------------------------------------------------------
    "cloudtrail-multi-region-logging": (
        Scenario("multi-region trail logging all management events",
                 trails(("audit", {"selectors": [MANAGEMENT_ALL]})), {ACCOUNT: PASS}),
        Scenario("multi-region trail with an advanced management selector",
                 trails(("audit", {"advanced_selectors": [advanced("management", eventCategory=["Management"])]})),
                 {ACCOUNT: PASS}),
        Scenario("regional, stopped, or write-only trails",
                 trails(("regional", {"multi_region": False, "selectors": [MANAGEMENT_ALL]}),
                        ("stopped", {"logging": False, "selectors": [MANAGEMENT_ALL]}),
                        ("write-only", {"selectors": [MANAGEMENT_ALL | {"ReadWriteType": "WriteOnly"}]}),
                        ("data-only", {"selectors": [s3_objects("All") | {"IncludeManagementEvents": False}]})),
                 {ACCOUNT: FAIL}),
        Scenario("no trail at all", nothing, {ACCOUNT: FAIL}),
        # CIS 4.1 asks for read and write management events; the basic-selector branch of the
        # check requires ReadWriteType All, so an advanced selector limited by readOnly must not count.
        Scenario("advanced management selector for reads only",
                 trails(("read-only", {"advanced_selectors": [
                     advanced("management reads", eventCategory=["Management"], readOnly=["true"])]})),
                 {ACCOUNT: FAIL}),
    ),
    "kms-key-rotation": (
        Scenario("rotating, static and out-of-scope keys", kms_keys,
                 {"rotating": PASS, "not-rotating": FAIL, "signing-rsa": OUT, "disabled": OUT}),
    ),
    "vpc-flow-logs": (
        Scenario("VPCs with and without rejected-traffic flow logs", flow_logs,
                 {"vpc-all-traffic": PASS, "vpc-rejects": PASS, "vpc-accepts-only": FAIL, "vpc-unlogged": FAIL}),
    ),
    "cloudtrail-s3-object-writes": (
        Scenario("multi-region trail logging S3 object writes",
                 trails(("data", {"selectors": [s3_objects("WriteOnly")]})), {ACCOUNT: PASS}),
        Scenario("advanced selector for all S3 object events",
                 trails(("data", {"advanced_selectors": [s3_data_events()]})), {ACCOUNT: PASS}),
        Scenario("S3 object reads only, or object writes on a regional trail",
                 trails(("reads", {"selectors": [s3_objects("ReadOnly")]}),
                        ("regional", {"multi_region": False, "selectors": [s3_objects("All")]})),
                 {ACCOUNT: FAIL}),
        # readOnly=true records only reads: no object writes are logged (CIS 4.8).
        Scenario("advanced selector for S3 object reads only",
                 trails(("reads", {"advanced_selectors": [s3_data_events(readOnly=["true"])]})), {ACCOUNT: FAIL}),
    ),
    "cloudtrail-s3-object-reads": (
        Scenario("multi-region trail logging all S3 object events",
                 trails(("data", {"selectors": [s3_objects("All")]})), {ACCOUNT: PASS}),
        Scenario("advanced selector for S3 object reads",
                 trails(("data", {"advanced_selectors": [s3_data_events(readOnly=["true"])]})), {ACCOUNT: PASS}),
        Scenario("S3 object writes only, or object reads on a stopped trail",
                 trails(("writes", {"selectors": [s3_objects("WriteOnly")]}),
                        ("stopped", {"logging": False, "selectors": [s3_objects("ReadOnly")]})),
                 {ACCOUNT: FAIL}),
        # readOnly=false records only writes: no object reads are logged (CIS 4.9).
        Scenario("advanced selector for S3 object writes only",
                 trails(("writes", {"advanced_selectors": [s3_data_events(readOnly=["false"])]})), {ACCOUNT: FAIL}),
    ),
    # -- networking ---------------------------------------------------------------------------
    "ebs-encryption-by-default": (
        Scenario("on in eu-west-1, off in us-east-1", ebs_default_away_only,
                 {regional(AWAY, EBS_DEFAULT): PASS, regional(HOME, EBS_DEFAULT): FAIL}, regions=(HOME, AWAY)),
    ),
    "ebs-volume-encrypted": (
        Scenario("encrypted and plain volumes", volumes, {"data-encrypted": PASS, "scratch-plain": FAIL}),
    ),
    "sg-no-world-cifs": sg_case("cifs-world-v4", "cifs-world-v6", "all-traffic-world"),
    "nacl-no-world-admin-ports": (
        Scenario("custom network ACLs", network_acls,
                 {"acl-web-only": PASS, "acl-denies-ssh": PASS,
                  "acl-ssh-world": FAIL, "acl-rdp-world-v6": FAIL, "acl-all-world": FAIL}),
    ),
    "sg-no-world-admin-ports-ipv4": sg_case("ssh-world-v4", "rdp-range-world-v4", "all-traffic-world"),
    "sg-no-world-admin-ports-ipv6": sg_case("ssh-world-v6", "rdp-world-v6"),
    "sg-default-restricts-all": (
        Scenario("an emptied default group and moto's default", default_groups,
                 {"default-of-locked": PASS, "default-of-open": FAIL, "app": OUT}),
    ),
    "ec2-imdsv2-required": (
        Scenario("instances with and without IMDSv2", metadata_options,
                 {"imdsv2-required": PASS, "imds-disabled": PASS, "imdsv1-allowed": FAIL,
                  "stopped-imdsv1": FAIL, "terminated-imdsv1": OUT}),
    ),
}


# -- running a scenario -------------------------------------------------------------------------


def observe(check_id: str, scenario: Scenario) -> tuple[Snapshot, Estate]:
    check = policy().get(check_id)
    assert check is not None, f"{check_id} is not a shipped check"
    estate = Estate()
    config = {"config": dict(scenario.moto_config)} if scenario.moto_config else {}
    with mock_aws(**config):
        scenario.setup(estate)
        snapshot = observe_moto(*check.types, regions=list(scenario.regions), session=session())
    assert {c["status"] for c in snapshot.coverage} == {"ok"}, snapshot.coverage
    if scenario.edit is not None:
        snapshot = scenario.edit(snapshot)
    return snapshot, estate


def params() -> list[Any]:
    return [pytest.param(check_id, scenario, id=f"{check_id}[{scenario.name}]")
            for check_id, scenarios in CASES.items() for scenario in scenarios]


@pytest.mark.parametrize(("check_id", "scenario"), params())
def test_check_verdicts(check_id: str, scenario: Scenario) -> None:
    snapshot, estate = observe(check_id, scenario)
    results = evaluate(policy(), snapshot).of_check(check_id)

    assert [(r.resource, r.reason) for r in results if r.verdict == "error"] == []
    actual: dict[str, list[str]] = {}
    for key in scenario.expect:
        target = estate.ids.get(key, key)
        actual[key] = [r.verdict for r in results if r.resource == target or r.name == target]
    expected = {key: [] if verdict is OUT else [verdict] for key, verdict in scenario.expect.items()}
    reasons = {r.name or r.resource: r.reason for r in results}
    assert actual == expected, reasons


# -- the table itself -----------------------------------------------------------------------------


def _estate_checks() -> set[str]:
    """The checks the both-ways estates (tests/estates/) show passing and failing."""
    import importlib
    import pkgutil

    import estates

    found: set[str] = set()
    for module in pkgutil.iter_modules(estates.__path__):
        for estate in importlib.import_module(f"estates.{module.name}").ESTATES:
            found |= set(estate.checks)
    return found


def test_the_table_and_the_estates_cover_every_shipped_cis_check() -> None:
    pack = load_policies([shipped_policies() / "cis-aws-v7.0"], operators=PLUGINS.operators)
    assert set(CASES) <= set(pack.ids)
    assert set(pack.ids) - set(CASES) - _estate_checks() == set()
    assert set(pack.ids) == set(policy().select("cis-aws-v7.0").ids)


def test_every_check_is_shown_both_passing_and_failing() -> None:
    for check_id, scenarios in CASES.items():
        verdicts = {v for scenario in scenarios for v in scenario.expect.values()}
        assert {PASS, FAIL} <= verdicts, check_id


# -- the CIS catalog -------------------------------------------------------------------------------

#: Every requirement of CIS AWS Foundations Benchmark v7.0.0, automated and manual, in benchmark order.
CIS_V7_REQUIREMENTS = (
    "2.1.1", "2.1.2", "2.1.3", "2.1.4", "2.1.5", "2.1.6", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9",
    "2.10", "2.11", "2.12", "2.13", "2.14", "2.15", "2.16", "2.17", "2.18", "2.19", "2.20", "2.21",
    "3.1.1", "3.1.2", "3.1.3", "3.1.4", "3.2.1", "3.2.2", "3.2.3", "3.2.4", "3.3.1",
    "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "4.9", "4.10",
    "5.1", "5.2", "5.3", "5.4", "5.5", "5.6", "5.7", "5.8", "5.9", "5.10", "5.11", "5.12", "5.13", "5.14", "5.15",
    "5.16",
    "6.1.1", "6.1.2", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8",
)


def test_the_cis_catalog_lists_every_requirement_in_benchmark_order() -> None:
    assert len(CIS_V7_REQUIREMENTS) == len(set(CIS_V7_REQUIREMENTS)) == 70
    catalog = policy().frameworks["cis-aws-v7.0"]
    assert [c for c in CIS_V7_REQUIREMENTS if c not in catalog.control_ids] == []
    assert catalog.control_ids == list(CIS_V7_REQUIREMENTS)


def test_every_cis_control_a_check_cites_is_a_requirement() -> None:
    cited = {c for check in policy().checks for c in check.control_ids("cis-aws-v7.0")}
    assert cited - set(CIS_V7_REQUIREMENTS) == set()
