"""The 24 checks unify ships and Cloud Custodian can express, side by side, with the seeded truth for each.

Each rule names one shipped unify check (its definition is read from policies/,
never restated), the Cloud Custodian policy that asks the same question, how
to reduce a resource from either tool to one comparable key (a bucket name, a
volume id, a region for per-region account settings), and an oracle that reads
the seeded moto estate directly with boto3 and returns the keys the seeding made
non-compliant. The oracle is the truth both tools are scored against; it is
written from the AWS API shapes, independently of either tool.

benchmarks/custodian.py runs the benchmark; tests/test_benchmark_custodian.py
checks that both sides name the same 24 rules.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
REGIONS = ("us-east-1", "eu-west-1")

Clients = Callable[[str, str], Any]  # (service, region) -> boto3 client against moto, not through the proxy


def _last(separator: str) -> Callable[[str], str]:
    return lambda resource: resource.rsplit(separator, 1)[-1]


def _account(resource: str) -> str:
    return resource.split("/", maxsplit=1)[0]


@dataclass(frozen=True)
class Rule:
    """One check on both sides: unify's by id, c7n's as a policy, both reduced to the same keys."""

    name: str  # the unify check id, also the c7n policy name
    c7n_resource: str
    c7n_filters: list[Any]
    c7n_key: Callable[[dict[str, Any], str], str]  # (c7n resource, region it ran in) -> key
    unify_key: Callable[[str], str]  # unify result's resource -> key
    truth: Callable[[Clients], set[str]]
    home_only: bool = False  # a global listing (S3): c7n runs it in the home region only, as its docs advise

    def c7n_policy(self, name: str) -> dict[str, Any]:
        policy: dict[str, Any] = {"name": name, "resource": self.c7n_resource, "filters": self.c7n_filters}
        if self.home_only:
            policy["conditions"] = [{"type": "value", "key": "region", "value": REGIONS[0]}]
        return policy


def _field(name: str) -> Callable[[dict[str, Any], str], str]:
    return lambda resource, _region: str(resource[name])


def _c7n_account(resource: dict[str, Any], _region: str) -> str:
    return str(resource["account_id"])


# ---- the truth, read back from moto with boto3 ---------------------------------------------------------------


def _buckets(clients: Clients) -> list[str]:
    return sorted(b["Name"] for b in clients("s3", REGIONS[0]).list_buckets()["Buckets"])


def _error_code(error: Exception) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))


def _truth_bucket_pab(clients: Clients) -> set[str]:
    s3, bad = clients("s3", REGIONS[0]), set()
    for bucket in _buckets(clients):
        try:
            block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        except Exception as error:
            if _error_code(error) != "NoSuchPublicAccessBlockConfiguration":
                raise
            block = {}
        keys = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
        if not all(block.get(key) is True for key in keys):
            bad.add(bucket)
    return bad


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _truth_bucket_tls(clients: Clients) -> set[str]:
    s3, bad = clients("s3", REGIONS[0]), set()
    for bucket in _buckets(clients):
        try:
            statements = _as_list(json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"])
        except Exception as error:
            if _error_code(error) != "NoSuchBucketPolicy":
                raise
            statements = []
        denies_http = any(
            s.get("Effect") == "Deny"
            and str(s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport", "")).lower() == "false"
            and (s.get("Principal") == "*" or "*" in _as_list((s.get("Principal") or {}).get("AWS", [])))
            and any(action in ("s3:*", "*") for action in _as_list(s.get("Action", [])))
            for s in statements
        )
        if not denies_http:
            bad.add(bucket)
    return bad


def _truth_mfa_delete(clients: Clients) -> set[str]:
    s3 = clients("s3", REGIONS[0])
    return {b for b in _buckets(clients) if s3.get_bucket_versioning(Bucket=b).get("MFADelete") != "Enabled"}


def _each(clients: Clients, service: str) -> Iterator[tuple[str, Any]]:
    for region in REGIONS:
        yield region, clients(service, region)


def _volumes(clients: Clients) -> set[str]:
    return {
        v["VolumeId"]
        for _, ec2 in _each(clients, "ec2")
        for v in ec2.describe_volumes()["Volumes"]
        if not v.get("Encrypted")
    }


def _instances(clients: Clients) -> list[dict[str, Any]]:
    return [
        instance
        for _, ec2 in _each(clients, "ec2")
        for reservation in ec2.describe_instances()["Reservations"]
        for instance in reservation["Instances"]
    ]


def _imdsv2(clients: Clients) -> set[str]:
    live = ("pending", "running", "stopping", "stopped")
    return {
        i["InstanceId"]
        for i in _instances(clients)
        if i["State"]["Name"] in live
        and i.get("MetadataOptions", {}).get("HttpEndpoint") != "disabled"
        and i.get("MetadataOptions", {}).get("HttpTokens") != "required"
    }


def _instance_profile(clients: Clients) -> set[str]:
    return {
        i["InstanceId"]
        for i in _instances(clients)
        if i["State"]["Name"] == "running" and not i.get("IamInstanceProfile")
    }


def _databases(clients: Clients, bad: Callable[[dict[str, Any]], bool]) -> set[str]:
    return {
        db["DBInstanceIdentifier"]
        for _, rds in _each(clients, "rds")
        for db in rds.describe_db_instances()["DBInstances"]
        if bad(db)
    }


def _efs(clients: Clients) -> set[str]:
    return {
        fs["FileSystemId"]
        for _, efs in _each(clients, "efs")
        for fs in efs.describe_file_systems()["FileSystems"]
        if not fs.get("Encrypted")
    }


def _kms_rotation(clients: Clients) -> set[str]:
    bad = set()
    for _, kms in _each(clients, "kms"):
        for key in kms.list_keys()["Keys"]:
            meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
            wanted = (meta.get("KeyManager"), meta.get("KeySpec"), meta.get("KeyState"))
            if wanted != ("CUSTOMER", "SYMMETRIC_DEFAULT", "Enabled"):
                continue
            if not kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"]:
                bad.add(key["KeyId"])
    return bad


def _flow_logs(clients: Clients) -> set[str]:
    bad = set()
    for _, ec2 in _each(clients, "ec2"):
        logged = {
            f["ResourceId"]
            for f in ec2.describe_flow_logs()["FlowLogs"]
            if f.get("FlowLogStatus") == "ACTIVE" and f.get("TrafficType") in ("ALL", "REJECT")
        }
        bad |= {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v["VpcId"] not in logged}
    return bad


def _groups(clients: Clients) -> list[dict[str, Any]]:
    return [g for _, ec2 in _each(clients, "ec2") for g in ec2.describe_security_groups()["SecurityGroups"]]


def _open_admin(ranges: str, field: str, world: str) -> Callable[[Clients], set[str]]:
    def admin_port(rule: dict[str, Any]) -> bool:
        if str(rule.get("IpProtocol")) == "-1":
            return True
        if str(rule.get("IpProtocol")) not in ("tcp", "6"):
            return False
        return any(rule.get("FromPort", 0) <= port <= rule.get("ToPort", 65535) for port in (22, 3389))

    def truth(clients: Clients) -> set[str]:
        return {
            g["GroupId"]
            for g in _groups(clients)
            if any(
                admin_port(rule) and any(r.get(field) == world for r in rule.get(ranges, []))
                for rule in g["IpPermissions"]
            )
        }

    return truth


def _default_groups(clients: Clients) -> set[str]:
    return {
        g["GroupId"]
        for g in _groups(clients)
        if g["GroupName"] == "default" and (g.get("IpPermissions") or g.get("IpPermissionsEgress"))
    }


def _console_mfa(clients: Clients) -> set[str]:
    iam, bad = clients("iam", REGIONS[0]), set()
    for user in iam.list_users()["Users"]:
        try:
            iam.get_login_profile(UserName=user["UserName"])
        except Exception as error:
            if _error_code(error) != "NoSuchEntity":
                raise
            continue
        if not iam.list_mfa_devices(UserName=user["UserName"])["MFADevices"]:
            bad.add(user["UserName"])
    return bad


def _full_admin(clients: Clients) -> set[str]:
    iam, bad = clients("iam", REGIONS[0]), set()
    for policy in iam.list_policies(Scope="Local")["Policies"]:
        if not policy.get("AttachmentCount"):
            continue
        version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])
        document = version["PolicyVersion"]["Document"]
        document = json.loads(document) if isinstance(document, str) else document
        if any(
            s.get("Effect") == "Allow"
            and "*" in _as_list(s.get("Action", []))
            and "*" in _as_list(s.get("Resource", []))
            for s in _as_list(document["Statement"])
        ):
            bad.add(policy["PolicyName"])
    return bad


def _password_length(clients: Clients) -> set[str]:
    iam = clients("iam", REGIONS[0])
    account = clients("sts", REGIONS[0]).get_caller_identity()["Account"]
    try:
        length = iam.get_account_password_policy()["PasswordPolicy"].get("MinimumPasswordLength", 0)
    except Exception as error:
        if _error_code(error) != "NoSuchEntity":
            raise
        length = 0
    return {account} if length < 14 else set()


def _root_mfa(clients: Clients) -> set[str]:
    account = clients("sts", REGIONS[0]).get_caller_identity()["Account"]
    summary = clients("iam", REGIONS[0]).get_account_summary()["SummaryMap"]
    return {account} if summary.get("AccountMFAEnabled") != 1 else set()


def _trails(clients: Clients, bad: Callable[[dict[str, Any]], bool]) -> set[str]:
    return {
        t["Name"]
        for _, trail in _each(clients, "cloudtrail")
        for t in trail.describe_trails(includeShadowTrails=False)["trailList"]
        if bad(t)
    }


def _log_retention(clients: Clients) -> set[str]:
    return {
        g["logGroupName"]
        for _, logs in _each(clients, "logs")
        for g in logs.describe_log_groups()["logGroups"]
        if g.get("retentionInDays") is not None and 0 < g["retentionInDays"] < 365
    }


def _sns(clients: Clients) -> set[str]:
    bad = set()
    for _, sns in _each(clients, "sns"):
        for topic in sns.list_topics().get("Topics", []):
            attributes = sns.get_topic_attributes(TopicArn=topic["TopicArn"])["Attributes"]
            if not attributes.get("KmsMasterKeyId"):
                bad.add(topic["TopicArn"])
    return bad


# ---- the 24 rules --------------------------------------------------------------------------------------------

_ARN_NAME = _last("/")
_PAB_FIELDS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
_TLS = {"Effect": "Deny", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
_LIVE = ["pending", "running", "stopping", "stopped"]


def _sg_world(cidr: dict[str, Any]) -> list[Any]:
    return [{"type": "ingress", "Ports": [22, 3389], **cidr}]


RULES: tuple[Rule, ...] = (
    Rule(
        "s3-bucket-public-access-block",
        "aws.s3",
        [{"or": [{"type": "check-public-block", field: False} for field in _PAB_FIELDS]}],
        _field("Name"),
        _last(":::"),
        _truth_bucket_pab,
        home_only=True,
    ),
    Rule(
        "s3-bucket-tls-only",
        "aws.s3",
        [
            {
                "not": [
                    {
                        "or": [
                            {"type": "has-statement", "statements": [{**_TLS, "Principal": principal}]}
                            for principal in ("*", {"AWS": "*"})
                        ]
                    }
                ]
            }
        ],
        _field("Name"),
        _last(":::"),
        _truth_bucket_tls,
        home_only=True,
    ),
    Rule(
        "s3-bucket-mfa-delete",
        "aws.s3",
        [
            {
                "or": [
                    {"Versioning.MFADelete": "absent"},
                    {"type": "value", "key": "Versioning.MFADelete", "value": "Enabled", "op": "ne"},
                ]
            }
        ],
        _field("Name"),
        _last(":::"),
        _truth_mfa_delete,
        home_only=True,
    ),
    Rule("ebs-volume-encrypted", "aws.ebs", [{"Encrypted": False}], _field("VolumeId"), _ARN_NAME, _volumes),
    Rule(
        "ec2-imdsv2-required",
        "aws.ec2",
        [
            {"type": "value", "key": "State.Name", "value": _LIVE, "op": "in"},
            {"type": "value", "key": "MetadataOptions.HttpEndpoint", "value": "disabled", "op": "ne"},
            {"type": "value", "key": "MetadataOptions.HttpTokens", "value": "required", "op": "ne"},
        ],
        _field("InstanceId"),
        _ARN_NAME,
        _imdsv2,
    ),
    Rule(
        "ec2-instance-profile",
        "aws.ec2",
        [{"State.Name": "running"}, {"IamInstanceProfile": "absent"}],
        _field("InstanceId"),
        _ARN_NAME,
        _instance_profile,
    ),
    Rule(
        "rds-storage-encrypted",
        "aws.rds",
        [{"StorageEncrypted": False}],
        _field("DBInstanceIdentifier"),
        _last(":"),
        lambda c: _databases(c, lambda db: not db.get("StorageEncrypted")),
    ),
    Rule(
        "rds-not-public",
        "aws.rds",
        [{"PubliclyAccessible": True}],
        _field("DBInstanceIdentifier"),
        _last(":"),
        lambda c: _databases(c, lambda db: db.get("PubliclyAccessible") is True),
    ),
    Rule(
        "rds-multi-az",
        "aws.rds",
        [{"MultiAZ": False}],
        _field("DBInstanceIdentifier"),
        _last(":"),
        lambda c: _databases(c, lambda db: not db.get("MultiAZ")),
    ),
    Rule("efs-encrypted", "aws.efs", [{"Encrypted": False}], _field("FileSystemId"), _ARN_NAME, _efs),
    Rule(
        "kms-key-rotation",
        "aws.kms-key",
        [
            {"KeyManager": "CUSTOMER"},
            {"KeySpec": "SYMMETRIC_DEFAULT"},
            {"KeyState": "Enabled"},
            {"type": "key-rotation-status", "key": "KeyRotationEnabled", "value": False},
        ],
        _field("KeyId"),
        _ARN_NAME,
        _kms_rotation,
    ),
    Rule("vpc-flow-logs", "aws.vpc", [{"type": "flow-logs", "enabled": False}], _field("VpcId"), _ARN_NAME, _flow_logs),
    Rule(
        "sg-no-world-admin-ports-ipv4",
        "aws.security-group",
        _sg_world({"Cidr": {"value": "0.0.0.0/0"}}),
        _field("GroupId"),
        _ARN_NAME,
        _open_admin("IpRanges", "CidrIp", "0.0.0.0/0"),
    ),
    Rule(
        "sg-no-world-admin-ports-ipv6",
        "aws.security-group",
        _sg_world({"CidrV6": {"value": "::/0"}}),
        _field("GroupId"),
        _ARN_NAME,
        _open_admin("Ipv6Ranges", "CidrIpv6", "::/0"),
    ),
    Rule(
        "sg-default-restricts-all",
        "aws.security-group",
        [
            {"GroupName": "default"},
            {
                "or": [
                    {"type": "value", "key": "IpPermissions", "value": "not-null"},
                    {"type": "value", "key": "IpPermissionsEgress", "value": "not-null"},
                ]
            },
        ],
        _field("GroupId"),
        _ARN_NAME,
        _default_groups,
    ),
    Rule(
        "iam-user-console-mfa",
        "aws.iam-user",
        [{"type": "credential", "key": "password_enabled", "value": True}, {"type": "mfa-device", "value": "empty"}],
        _field("UserName"),
        _ARN_NAME,
        _console_mfa,
    ),
    Rule(
        "iam-no-full-admin-policies",
        "aws.iam-policy",
        [{"type": "value", "key": "AttachmentCount", "value": 0, "op": "gt"}, {"type": "has-allow-all"}],
        _field("PolicyName"),
        _ARN_NAME,
        _full_admin,
    ),
    Rule(
        "iam-password-min-length",
        "aws.account",
        [
            {
                "or": [
                    {"type": "password-policy", "key": "PasswordPolicyConfigured", "value": False},
                    {"type": "password-policy", "key": "MinimumPasswordLength", "value": 14, "op": "lt"},
                ]
            }
        ],
        _c7n_account,
        _account,
        _password_length,
    ),
    Rule(
        "iam-root-mfa",
        "aws.account",
        [{"type": "iam-summary", "key": "AccountMFAEnabled", "value": 1, "op": "ne"}],
        _c7n_account,
        _account,
        _root_mfa,
    ),
    Rule(
        "cloudtrail-log-file-validation",
        "aws.cloudtrail",
        [{"type": "is-shadow", "state": False}, {"LogFileValidationEnabled": False}],
        _field("Name"),
        _ARN_NAME,
        lambda c: _trails(c, lambda t: not t.get("LogFileValidationEnabled")),
    ),
    Rule(
        "cloudtrail-kms-encryption",
        "aws.cloudtrail",
        [{"type": "is-shadow", "state": False}, {"KmsKeyId": "absent"}],
        _field("Name"),
        _ARN_NAME,
        lambda c: _trails(c, lambda t: not t.get("KmsKeyId")),
    ),
    Rule(
        "cloudtrail-cloudwatch-logs",
        "aws.cloudtrail",
        [{"type": "is-shadow", "state": False}, {"CloudWatchLogsLogGroupArn": "absent"}],
        _field("Name"),
        _ARN_NAME,
        lambda c: _trails(c, lambda t: not t.get("CloudWatchLogsLogGroupArn")),
    ),
    Rule(
        "cloudwatch-log-group-retention",
        "aws.log-group",
        [{"type": "value", "key": "retentionInDays", "value": 365, "op": "lt"}],
        _field("logGroupName"),
        _last("log-group:"),
        _log_retention,
    ),
    # Not ebs-encryption-by-default: c7n runs its account resource in the first region only, so one run
    # cannot check a per-region account setting. Not sqs-queue-encrypted: c7n's SQS resource pins
    # https://sqs.<region>.amazonaws.com, so it cannot be pointed at a local endpoint.
    Rule("sns-topic-kms-encrypted", "aws.sns", [{"KmsMasterKeyId": "absent"}], _field("TopicArn"), str, _sns),
)


def shipped_checks() -> dict[str, dict[str, Any]]:
    """Every check of the shipped packs by id, as written under policies/."""
    checks: dict[str, dict[str, Any]] = {}
    for path in sorted((ROOT / "policies").glob("*/*.yaml")):
        document = yaml.safe_load(path.read_text())
        if isinstance(document, dict):
            for check in document.get("checks", []):
                checks[check["id"]] = check
    return checks


def copy_id(name: str, copy: int) -> str:
    """The id of the ``copy``-th repetition of a rule (0 is the rule itself)."""
    return name if copy == 0 else f"{name}-copy{copy}"


def write_unify_policies(folder: Path, copies: int) -> None:
    """The shipped definitions of the 24 checks, ``copies`` times under new ids, as one policy file."""
    shipped = shipped_checks()
    checks = [{**shipped[rule.name], "id": copy_id(rule.name, n)} for n in range(copies) for rule in RULES]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "checks.yaml").write_text(yaml.safe_dump({"checks": checks}, sort_keys=False))


def write_c7n_policies(path: Path, copies: int) -> None:
    """The 24 c7n policies, ``copies`` times under new names, as one policy file."""
    policies = [rule.c7n_policy(copy_id(rule.name, n)) for n in range(copies) for rule in RULES]
    path.write_text(yaml.safe_dump({"policies": policies}, sort_keys=False))
