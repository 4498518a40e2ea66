"""Build ``examples/estate.json``: the small AWS estate the README demo audits.

The estate is written out by hand, as literal data, so that every finding in
the demo can be traced to one line of this file. It models what a collector
would observe in two accounts:

* ``111122223333``, production: mostly well kept, with the handful of
  mistakes real estates have (an SSH port open to the world, a console user
  without MFA, an old access key, a database reachable from the internet), and
  one place the audit role could not look (RDS in eu-west-1);
* ``444455556666``, a sandbox created by hand: root has MFA, but the rest of
  the account baseline (password policy, S3 account block, a trail) was never
  applied; its default VPCs were deleted, so it has no network resources.

Run it from anywhere: ``python examples/build_estate.py``. The output is
deterministic (fixed ``taken_at``, canonical order, digest included), so
rebuilding gives a byte-identical file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from unify.model.resource import Coverage, Resource, unknown
from unify.model.snapshot import Snapshot, write_snapshot

TAKEN_AT = "2026-11-20T09:00:00Z"
PROD = "111122223333"
SANDBOX = "444455556666"
ACCOUNTS = [PROD, SANDBOX]
REGIONS = ["us-east-1", "eu-west-1"]
OUTPUT = Path(__file__).resolve().parent / "estate.json"

#: IAM and the S3 account settings are global services; bucket listing is
#: global too (one ListBuckets call), although each bucket lives in a region.
GLOBAL_TYPES = (
    "aws_iam_account_password_policy",
    "aws_iam_account_summary",
    "aws_iam_user",
    "aws_s3_account_public_access_block",
    "aws_s3_bucket",
)
REGIONAL_TYPES = (
    "aws_cloudtrail",
    "aws_db_instance",
    "aws_ebs_encryption_by_default",
    "aws_ebs_volume",
    "aws_kms_key",
    "aws_security_group",
    "aws_vpc",
)

#: The one listing the audit role was refused: it shows how a coverage gap
#: turns into ``unknown`` results instead of a silent pass.
RDS_DENIED_REGION = "eu-west-1"
RDS_DENIED_MESSAGE = (
    f"User: arn:aws:sts::{PROD}:assumed-role/audit/unify is not authorized to perform: rds:DescribeDBInstances"
)

SseAlgorithm = Literal["aws:kms", "AES256"]


# -- identifiers ---------------------------------------------------------------


def ec2_arn(region: str, account: str, kind: str, resource_id: str) -> str:
    """The ARN of an EC2-family resource (security group, VPC, volume)."""
    return f"arn:aws:ec2:{region}:{account}:{kind}/{resource_id}"


def kms_arn(region: str, key_id: str, account: str = PROD) -> str:
    """The ARN other resources use to name the KMS key that encrypts them."""
    return f"arn:aws:kms:{region}:{account}:key/{key_id}"


def singleton_id(account: str, type_: str, region: str | None = None) -> str:
    """The id of an account-wide setting, which has no ARN of its own."""
    return f"{account}/{region}/{type_}" if region else f"{account}/{type_}"


# KMS keys of the production account, named once and referenced by the
# buckets, volumes, trails and databases they encrypt.
LOG_ARCHIVE_KEY = "6f1c2a9e-3b47-4d1a-9c55-0e8b7a2d4f13"
TERRAFORM_STATE_KEY = "b2e4d6f8-1a3c-4e5b-8d7f-9a0b1c2d3e4f"
ORDERS_DB_KEY = "0d3f5a2e-7c91-4b68-a2e4-5f6071829a3b"
EBS_DEFAULT_KEY = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
AWS_RDS_KEY = "3c5e7a9b-2d4f-4e6a-8b0c-1d3e5f7a9b2c"
CODE_SIGNING_KEY = "71a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8"
RETIRED_KEY = "e7d6c5b4-a392-4810-9f8e-7d6c5b4a3928"
DATA_LAKE_KEY = "mrk-4f2a9c1e7b3d45e8a6c0b9d2e1f37a58"
AWS_EBS_EU_KEY = "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e"

# VPCs and security groups of the production account.
VPC_PROD_USE1 = "vpc-0a1b2c3d4e5f60718"
VPC_DEFAULT_USE1 = "vpc-6d2f1a83"
VPC_PROD_EUW1 = "vpc-0f9e8d7c6b5a43210"
VPC_DEFAULT_EUW1 = "vpc-1c4e7b92"
SG_WEB_ALB = "sg-0a7c1e2b3d4f50617"
SG_APP_TIER = "sg-0b8d2f3c4e5a61728"
SG_ORDERS_DB = "sg-0c9e3a4d5f6b72839"
SG_REPORTING_DB = "sg-0d2f4a6c8e0b13579"
SG_BILLING_DB = "sg-0e3a5b7c9d1f24680"
SG_EU_APP = "sg-0e1a5c6f7b8d9a0b1"


# -- one builder per resource type ---------------------------------------------------


def resource(
    type_: str,
    id_: str,
    name: str | None,
    account: str,
    region: str,
    attributes: dict[str, Any],
    tags: dict[str, str] | None = None,
) -> Resource:
    """A resource in the snapshot's shape; every builder below ends here."""
    return {
        "type": type_,
        "id": id_,
        "name": name,
        "account": account,
        "region": region,
        "tags": tags or {},
        "attributes": attributes,
    }


def tls_only_statement(bucket: str) -> dict[str, Any]:
    """The bucket-policy statement that refuses requests made without TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def bucket_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    """A parsed bucket policy document, as GetBucketPolicy returns it."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def s3_bucket(
    name: str,
    account: str,
    region: str,
    *,
    sse: SseAlgorithm,
    kms_key: str | None = None,
    versioning: str | None = None,
    block_public_access: bool | dict[str, bool] = True,
    policy: dict[str, Any] | None = None,
    log_to: str | None = None,
    tags: dict[str, str] | None = None,
) -> Resource:
    """A bucket with its sub-configurations folded in; unconfigured blocks stay absent.

    ``versioning`` None means versioning was never turned on (GetBucketVersioning
    returns no status); ``block_public_access`` True means all four settings
    on, False means no public access block at all, a mapping sets each one.
    """
    default: dict[str, str] = {"sse_algorithm": sse}
    if kms_key is not None:
        default["kms_master_key_id"] = kms_key
    rule = {"apply_server_side_encryption_by_default": default, "bucket_key_enabled": sse == "aws:kms"}
    attributes: dict[str, Any] = {
        "bucket": name,
        "arn": f"arn:aws:s3:::{name}",
        "server_side_encryption_configuration": {"rule": [rule]},
    }
    if versioning is not None:
        attributes["versioning"] = {"status": versioning, "mfa_delete": "Disabled"}
    if block_public_access is True:
        attributes["public_access_block"] = dict.fromkeys(
            ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"), True
        )
    elif block_public_access:
        attributes["public_access_block"] = dict(block_public_access)
    if policy is not None:
        attributes["policy"] = policy
    if log_to is not None:
        attributes["logging"] = {"target_bucket": log_to, "target_prefix": f"{name}/"}
    return resource("aws_s3_bucket", f"arn:aws:s3:::{name}", name, account, region, attributes, tags)


def access_key(key_id: str, status: str, created: str, last_used: str | None) -> dict[str, Any]:
    """One IAM access key with the date it was last used (None: never)."""
    return {"id": key_id, "status": status, "create_date": created, "last_used_date": last_used}


def iam_user(
    account: str,
    name: str,
    unique_id: str,
    created: str,
    *,
    console: bool = False,
    console_last_used: str | None = None,
    mfa_enabled: str | None = None,
    access_keys: list[dict[str, Any]] | dict[str, str] | None = None,
    groups: list[str] | None = None,
    policies: list[str] | None = None,
    inline_policies: list[str] | None = None,
    tags: dict[str, str] | None = None,
) -> Resource:
    """An IAM user with the facts only observation sees: console, MFA, keys.

    ``mfa_enabled`` is the day a virtual MFA device was enabled (None: no MFA).
    ``access_keys`` may be the ``$unknown`` marker when listing them was refused.
    """
    arn = f"arn:aws:iam::{account}:user/{name}"
    mfa: list[dict[str, str]] = []
    if mfa_enabled is not None:
        mfa.append({"serial_number": f"arn:aws:iam::{account}:mfa/{name}", "enable_date": mfa_enabled})
    attributes: dict[str, Any] = {
        "name": name,
        "arn": arn,
        "path": "/",
        "unique_id": unique_id,
        "create_date": created,
        "password_enabled": console,
        "password_last_used": console_last_used,
        "mfa_active": bool(mfa),
        "mfa_devices": mfa,
        "access_keys": access_keys if access_keys is not None else [],
        "groups": groups or [],
        "attached_policy_arns": policies or [],
        "inline_policy_names": inline_policies or [],
    }
    return resource("aws_iam_user", arn, name, account, "global", attributes, tags)


def rule(
    from_port: int,
    to_port: int,
    *,
    protocol: str = "tcp",
    cidrs: list[str] | None = None,
    ipv6_cidrs: list[str] | None = None,
    groups: list[str] | None = None,
    self_: bool = False,
    description: str = "",
) -> dict[str, Any]:
    """One ingress or egress rule in the Terraform provider's block shape."""
    return {
        "from_port": from_port,
        "to_port": to_port,
        "protocol": protocol,
        "cidr_blocks": cidrs or [],
        "ipv6_cidr_blocks": ipv6_cidrs or [],
        "security_groups": groups or [],
        "self": self_,
        "description": description,
        "prefix_list_ids": [],
    }


def allow_all_egress() -> list[dict[str, Any]]:
    """What most groups send out: everything, anywhere (the AWS default egress)."""
    return [rule(0, 0, protocol="-1", cidrs=["0.0.0.0/0"])]


def security_group(
    account: str,
    region: str,
    group_id: str,
    name: str,
    vpc_id: str,
    description: str,
    ingress: list[dict[str, Any]],
    egress: list[dict[str, Any]] | None = None,
) -> Resource:
    """A security group; egress defaults to the AWS default of allow-all."""
    arn = ec2_arn(region, account, "security-group", group_id)
    attributes = {
        "name": name,
        "description": description,
        "vpc_id": vpc_id,
        "arn": arn,
        "owner_id": account,
        "ingress": ingress,
        "egress": allow_all_egress() if egress is None else egress,
    }
    tags = {} if name == "default" else {"Name": name}
    return resource("aws_security_group", arn, name, account, region, attributes, tags)


def default_security_group(account: str, region: str, group_id: str, vpc_id: str, *, restricted: bool) -> Resource:
    """A VPC's default group: emptied by the baseline, or as AWS created it."""
    if restricted:
        ingress: list[dict[str, Any]] = []
        egress: list[dict[str, Any]] = []
    else:
        ingress = [rule(0, 0, protocol="-1", self_=True)]
        egress = allow_all_egress()
    return security_group(account, region, group_id, "default", vpc_id, "default VPC security group", ingress, egress)


def vpc(
    account: str,
    region: str,
    vpc_id: str,
    cidr: str,
    *,
    default: bool,
    flow_logs: list[dict[str, str]],
    name: str | None = None,
) -> Resource:
    """A VPC with the flow logs that capture its traffic."""
    arn = ec2_arn(region, account, "vpc", vpc_id)
    attributes = {
        "cidr_block": cidr,
        "default": default,
        "enable_dns_support": True,
        "enable_dns_hostnames": True,
        "instance_tenancy": "default",
        "arn": arn,
        "flow_logs": flow_logs,
    }
    return resource("aws_vpc", arn, vpc_id, account, region, attributes, {"Name": name} if name else {})


def flow_log(flow_log_id: str, traffic_type: str = "ALL") -> dict[str, str]:
    """An active flow log, as DescribeFlowLogs reports it."""
    return {"id": flow_log_id, "status": "ACTIVE", "traffic_type": traffic_type}


def ebs_volume(
    account: str,
    region: str,
    volume_id: str,
    *,
    zone: str,
    size: int,
    created: str,
    kms_key: str | None,
    volume_type: str = "gp3",
    attached_to: str | None = None,
    device: str = "/dev/xvda",
    snapshot_id: str | None = None,
    tags: dict[str, str] | None = None,
) -> Resource:
    """An EBS volume; ``kms_key`` None means it is not encrypted."""
    arn = ec2_arn(region, account, "volume", volume_id)
    iops = 3000 if volume_type == "gp3" else max(100, 3 * size)
    attributes = {
        "arn": arn,
        "availability_zone": zone,
        "encrypted": kms_key is not None,
        "kms_key_id": kms_key,
        "size": size,
        "type": volume_type,
        "iops": iops,
        "throughput": 125 if volume_type == "gp3" else None,
        "snapshot_id": snapshot_id,
        "attachments": [] if attached_to is None else [{"instance_id": attached_to, "device": device}],
        "create_time": created,
    }
    return resource("aws_ebs_volume", arn, volume_id, account, region, attributes, tags)


def kms_key(
    region: str,
    key_id: str,
    description: str,
    *,
    manager: Literal["CUSTOMER", "AWS"] = "CUSTOMER",
    rotation: bool,
    spec: str = "SYMMETRIC_DEFAULT",
    usage: str = "ENCRYPT_DECRYPT",
    state: str = "Enabled",
    aliases: list[str] | None = None,
    account: str = PROD,
) -> Resource:
    """A KMS key; its name in the snapshot is its key id (keys have no other name)."""
    arn = kms_arn(region, key_id, account)
    attributes = {
        "key_id": key_id,
        "arn": arn,
        "description": description,
        "key_usage": usage,
        "customer_master_key_spec": spec,
        "is_enabled": state == "Enabled",
        "enable_key_rotation": rotation,
        "key_manager": manager,
        "key_state": state,
        "multi_region": key_id.startswith("mrk-"),
        "aliases": aliases or [],
    }
    return resource("aws_kms_key", arn, key_id, account, region, attributes)


def cloudtrail(
    region: str,
    name: str,
    *,
    multi_region: bool,
    logging: bool,
    log_file_validation: bool,
    event_selectors: list[dict[str, Any]],
    kms_key: str | None = None,
    log_group: str | None = None,
    account: str = PROD,
) -> Resource:
    """A trail as DescribeTrails and GetTrailStatus see it together."""
    arn = f"arn:aws:cloudtrail:{region}:{account}:trail/{name}"
    attributes = {
        "name": name,
        "arn": arn,
        "s3_bucket_name": f"acme-central-logs-{account}",
        "s3_key_prefix": "cloudtrail",
        "is_multi_region_trail": multi_region,
        "include_global_service_events": multi_region,
        "enable_log_file_validation": log_file_validation,
        "kms_key_id": kms_key,
        "cloud_watch_logs_group_arn": log_group,
        "enable_logging": logging,
        "home_region": region,
        "is_organization_trail": False,
        "event_selectors": event_selectors,
    }
    return resource("aws_cloudtrail", arn, name, account, region, attributes, {"owner": "security-engineering"})


#: Read and write management events, nothing else: the usual audit selector.
MANAGEMENT_EVENTS = [{"read_write_type": "All", "include_management_events": True, "data_resource": []}]


def db_instance(
    region: str,
    identifier: str,
    *,
    engine: str,
    engine_version: str,
    instance_class: str,
    kms_key: str | None,
    public: bool,
    multi_az: bool,
    security_groups: list[str],
    backup_days: int = 7,
    deletion_protection: bool = True,
    iam_auth: bool = False,
    account: str = PROD,
    tags: dict[str, str] | None = None,
) -> Resource:
    """An RDS instance; ``kms_key`` None means its storage is not encrypted."""
    arn = f"arn:aws:rds:{region}:{account}:db:{identifier}"
    attributes = {
        "identifier": identifier,
        "arn": arn,
        "engine": engine,
        "engine_version": engine_version,
        "instance_class": instance_class,
        "allocated_storage": 200,
        "storage_type": "gp3",
        "storage_encrypted": kms_key is not None,
        "kms_key_id": kms_key,
        "publicly_accessible": public,
        "multi_az": multi_az,
        "auto_minor_version_upgrade": True,
        "backup_retention_period": backup_days,
        "deletion_protection": deletion_protection,
        "iam_database_authentication_enabled": iam_auth,
        "vpc_security_group_ids": security_groups,
    }
    return resource("aws_db_instance", arn, identifier, account, region, attributes, tags)


# -- account-wide settings (singletons) --------------------------------------------------


def password_policy(account: str, settings: dict[str, Any] | None) -> Resource:
    """The account password policy; None means it was never set (``configured: false``)."""
    attributes: dict[str, Any] = {"configured": settings is not None, **(settings or {})}
    type_ = "aws_iam_account_password_policy"
    return resource(type_, singleton_id(account, type_), None, account, "global", attributes)


def account_summary(account: str, *, root_mfa: bool, root_keys: bool) -> Resource:
    """The two root-user facts GetAccountSummary gives."""
    type_ = "aws_iam_account_summary"
    attributes = {"account_mfa_enabled": root_mfa, "account_access_keys_present": root_keys}
    return resource(type_, singleton_id(account, type_), None, account, "global", attributes)


def s3_account_block(account: str, settings: dict[str, bool] | None) -> Resource:
    """The account-level S3 public access block; None means never configured."""
    type_ = "aws_s3_account_public_access_block"
    attributes: dict[str, Any] = {"configured": False}
    if settings is not None:
        attributes = {"configured": True, "account_id": account, **settings}
    return resource(type_, singleton_id(account, type_), None, account, "global", attributes)


def ebs_default_encryption(account: str, region: str, *, enabled: bool) -> Resource:
    """Whether new EBS volumes in a region are encrypted without being asked."""
    type_ = "aws_ebs_encryption_by_default"
    return resource(type_, singleton_id(account, type_, region), None, account, region, {"enabled": enabled})


# -- the production account ------------------------------------------------------------


def production_account_settings() -> list[Resource]:
    """Account-wide settings of production.

    Password policy and root MFA are in place; the S3 account block is partial
    because the public website bucket needs a public bucket policy.
    """
    return [
        password_policy(PROD, {
            "minimum_password_length": 14,
            "require_lowercase_characters": True,
            "require_numbers": True,
            "require_symbols": True,
            "require_uppercase_characters": True,
            "allow_users_to_change_password": True,
            "max_password_age": 90,
            "password_reuse_prevention": 24,
            "hard_expiry": False,
        }),
        account_summary(PROD, root_mfa=True, root_keys=False),
        s3_account_block(PROD, {
            "block_public_acls": True,
            "block_public_policy": False,
            "ignore_public_acls": True,
            "restrict_public_buckets": False,
        }),
        ebs_default_encryption(PROD, "us-east-1", enabled=True),
        ebs_default_encryption(PROD, "eu-west-1", enabled=False),
    ]


def production_users() -> list[Resource]:
    """People and machines of production.

    bob.okafor has no MFA, ci-deploy's key is over a year old, and listing
    svc-legacy-reporting's keys was refused.
    """
    return [
        iam_user(PROD, "alice.nguyen", "AIDAXKQ3EGUN5OALICE01", "2023-04-03T08:15:22Z",
                 console=True, console_last_used="2026-11-19T17:42:10Z", mfa_enabled="2023-04-03T08:20:41Z",
                 access_keys=[
                     access_key("AKIAQ3EGUN5OALICE7KQ", "Active", "2026-10-15T09:02:11Z", "2026-11-19T16:58:00Z"),
                 ],
                 groups=["platform-admins"], tags={"team": "platform"}),
        iam_user(PROD, "bob.okafor", "AIDAXKQ3EGUN5OBOB0002", "2025-01-20T10:31:07Z",
                 console=True, console_last_used="2026-11-18T08:05:44Z",
                 groups=["developers"], tags={"team": "payments"}),
        iam_user(PROD, "carol.smith", "AIDAXKQ3EGUN5OCAROL03", "2022-09-12T13:44:50Z",
                 console=True, console_last_used="2026-11-17T11:20:03Z", mfa_enabled="2022-09-12T13:50:12Z",
                 groups=["security-audit"], policies=["arn:aws:iam::aws:policy/SecurityAudit"],
                 tags={"team": "security"}),
        iam_user(PROD, "dmitri.ivanov", "AIDAXKQ3EGUN5ODMITRI4", "2024-06-03T07:12:39Z",
                 console=True, console_last_used="2026-11-20T07:55:18Z", mfa_enabled="2024-06-03T07:30:02Z",
                 access_keys=[
                     access_key("AKIAQ3EGUN5ODMITR3XW", "Active", "2026-09-03T14:25:00Z", "2026-11-19T19:12:00Z"),
                 ],
                 groups=["developers"], tags={"team": "payments"}),
        iam_user(PROD, "break-glass-admin", "AIDAXKQ3EGUN5OBREAK05", "2021-11-02T16:00:00Z",
                 console=True, console_last_used="2025-02-03T22:14:51Z", mfa_enabled="2021-11-02T16:05:33Z",
                 policies=["arn:aws:iam::aws:policy/AdministratorAccess"], tags={"purpose": "emergency-access"}),
        iam_user(PROD, "ci-deploy", "AIDAXKQ3EGUN5OCIDEP06", "2025-09-14T12:00:00Z",
                 access_keys=[
                     access_key("AKIAQ3EGUN5OCIDEP2LM", "Active", "2025-09-14T12:03:27Z", "2026-11-20T08:12:00Z"),
                 ],
                 groups=["deployers"], tags={"team": "platform", "purpose": "ci"}),
        iam_user(PROD, "terraform-runner", "AIDAXKQ3EGUN5OTFRUN07", "2023-02-27T09:40:00Z",
                 access_keys=[
                     access_key("AKIAQ3EGUN5OTFRUN9HD", "Active", "2026-09-30T10:10:10Z", "2026-11-20T08:47:31Z"),
                     access_key("AKIAQ3EGUN5OTFRUN4PB", "Inactive", "2025-03-01T10:00:00Z", "2025-09-28T18:30:00Z"),
                 ],
                 policies=["arn:aws:iam::111122223333:policy/terraform-apply"], tags={"team": "platform"}),
        iam_user(PROD, "data-export", "AIDAXKQ3EGUN5ODATAX08", "2024-11-05T15:21:00Z",
                 access_keys=[
                     access_key("AKIAQ3EGUN5ODATAX6RT", "Active", "2026-10-02T06:00:00Z", "2026-11-20T06:00:14Z"),
                 ],
                 inline_policies=["s3-export-write"], tags={"team": "data"}),
        iam_user(PROD, "svc-legacy-reporting", "AIDAXKQ3EGUN5OLEGRP09", "2019-05-14T09:00:00Z",
                 access_keys=unknown("AccessDenied: iam:ListAccessKeys"),
                 inline_policies=["reporting-read"], tags={"team": "finance", "lifecycle": "legacy"}),
    ]


def production_buckets() -> list[Resource]:
    """Buckets of production; the central log bucket shows the intended setup.

    The website bucket is public on purpose (and waived), the uploads bucket's
    public access block is half on, and several buckets lack a TLS-only policy.
    """
    central_logs = f"acme-central-logs-{PROD}"
    access_logs = f"acme-s3-access-logs-{PROD}"
    owner = {"environment": "production"}
    return [
        s3_bucket(central_logs, PROD, "us-east-1", sse="aws:kms", kms_key=kms_arn("us-east-1", LOG_ARCHIVE_KEY),
                  versioning="Enabled", log_to=access_logs,
                  policy=bucket_policy(
                      tls_only_statement(central_logs),
                      {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
                       "Principal": {"Service": "cloudtrail.amazonaws.com"},
                       "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{central_logs}"},
                      {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
                       "Principal": {"Service": "cloudtrail.amazonaws.com"},
                       "Action": "s3:PutObject",
                       "Resource": f"arn:aws:s3:::{central_logs}/cloudtrail/AWSLogs/{PROD}/*",
                       "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
                  ),
                  tags={**owner, "owner": "security-engineering", "data-classification": "confidential"}),
        # Server access logs must land in an SSE-S3 bucket; its policy only admits the log service.
        s3_bucket(access_logs, PROD, "us-east-1", sse="AES256", versioning="Enabled",
                  policy=bucket_policy({
                      "Sid": "S3ServerAccessLogsPolicy", "Effect": "Allow",
                      "Principal": {"Service": "logging.s3.amazonaws.com"},
                      "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{access_logs}/*",
                      "Condition": {"StringEquals": {"aws:SourceAccount": PROD}},
                  }),
                  tags={**owner, "owner": "security-engineering"}),
        s3_bucket("acme-public-website", PROD, "us-east-1", sse="AES256", versioning="Suspended",
                  block_public_access=False, log_to=access_logs,
                  policy=bucket_policy({
                      "Sid": "PublicReadGetObject", "Effect": "Allow", "Principal": "*",
                      "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-public-website/*",
                  }),
                  tags={**owner, "owner": "web-platform", "data-classification": "public"}),
        s3_bucket("acme-app-uploads-prod", PROD, "us-east-1", sse="aws:kms",
                  kms_key=kms_arn("us-east-1", TERRAFORM_STATE_KEY), versioning="Enabled",
                  block_public_access={"block_public_acls": True, "block_public_policy": False,
                                       "ignore_public_acls": True, "restrict_public_buckets": False},
                  policy=bucket_policy(tls_only_statement("acme-app-uploads-prod")),
                  tags={**owner, "owner": "payments", "data-classification": "confidential"}),
        s3_bucket(f"acme-terraform-state-{PROD}", PROD, "us-east-1", sse="aws:kms",
                  kms_key=kms_arn("us-east-1", TERRAFORM_STATE_KEY), versioning="Enabled", log_to=access_logs,
                  policy=bucket_policy(tls_only_statement(f"acme-terraform-state-{PROD}")),
                  tags={**owner, "owner": "platform"}),
        s3_bucket(f"acme-build-artifacts-{PROD}", PROD, "us-east-1", sse="AES256", versioning="Enabled",
                  policy=bucket_policy(tls_only_statement(f"acme-build-artifacts-{PROD}")),
                  tags={**owner, "owner": "platform"}),
        s3_bucket(f"acme-rds-exports-{PROD}", PROD, "us-east-1", sse="aws:kms",
                  kms_key=kms_arn("us-east-1", ORDERS_DB_KEY), versioning="Enabled",
                  policy=bucket_policy(tls_only_statement(f"acme-rds-exports-{PROD}")),
                  tags={**owner, "owner": "payments", "data-classification": "confidential"}),
        s3_bucket("acme-data-lake-raw-eu", PROD, "eu-west-1", sse="aws:kms",
                  kms_key=kms_arn("eu-west-1", DATA_LAKE_KEY), versioning="Enabled",
                  policy=bucket_policy(tls_only_statement("acme-data-lake-raw-eu")),
                  tags={**owner, "owner": "data", "data-classification": "confidential"}),
        s3_bucket("acme-data-lake-curated-eu", PROD, "eu-west-1", sse="aws:kms",
                  kms_key=kms_arn("eu-west-1", DATA_LAKE_KEY), versioning="Enabled",
                  tags={**owner, "owner": "data", "data-classification": "internal"}),
        s3_bucket(f"acme-athena-results-{PROD}", PROD, "eu-west-1", sse="AES256",
                  tags={**owner, "owner": "data"}),
    ]


def production_network() -> list[Resource]:
    """Two VPCs per region (workload and AWS default) and their security groups.

    The default VPC in us-east-1 has no flow logs and its default group still
    allows traffic; bastion-ssh and windows-jump-eu are open to the internet.
    """
    use1, euw1 = "us-east-1", "eu-west-1"
    return [
        vpc(PROD, use1, VPC_PROD_USE1, "10.0.0.0/16", default=False, name="prod-use1",
            flow_logs=[flow_log("fl-0a1b2c3d4e5f60718")]),
        vpc(PROD, use1, VPC_DEFAULT_USE1, "172.31.0.0/16", default=True, flow_logs=[]),
        vpc(PROD, euw1, VPC_PROD_EUW1, "10.1.0.0/16", default=False, name="prod-euw1",
            flow_logs=[flow_log("fl-0f9e8d7c6b5a43210", "REJECT")]),
        vpc(PROD, euw1, VPC_DEFAULT_EUW1, "172.31.0.0/16", default=True,
            flow_logs=[flow_log("fl-01c4e7b92d3a5f6e7")]),
        default_security_group(PROD, use1, "sg-0d1e2f3a4b5c6d7e8", VPC_PROD_USE1, restricted=True),
        default_security_group(PROD, use1, "sg-5e3b9a21", VPC_DEFAULT_USE1, restricted=False),
        default_security_group(PROD, euw1, "sg-0f2a3b4c5d6e7f809", VPC_PROD_EUW1, restricted=True),
        default_security_group(PROD, euw1, "sg-7a4c2e19", VPC_DEFAULT_EUW1, restricted=True),
        security_group(PROD, use1, SG_WEB_ALB, "web-alb", VPC_PROD_USE1, "Public HTTPS load balancer", [
            rule(443, 443, cidrs=["0.0.0.0/0"], ipv6_cidrs=["::/0"], description="HTTPS from anywhere"),
            rule(80, 80, cidrs=["0.0.0.0/0"], ipv6_cidrs=["::/0"], description="HTTP redirect to HTTPS"),
        ]),
        security_group(PROD, use1, SG_APP_TIER, "app-tier", VPC_PROD_USE1, "Application containers", [
            rule(8080, 8080, groups=[SG_WEB_ALB], description="From the load balancer"),
        ]),
        security_group(PROD, use1, SG_ORDERS_DB, "orders-db", VPC_PROD_USE1, "Orders PostgreSQL", [
            rule(5432, 5432, groups=[SG_APP_TIER], description="PostgreSQL from the app tier"),
        ]),
        security_group(PROD, use1, SG_REPORTING_DB, "reporting-db", VPC_PROD_USE1, "Reporting replica for BI", [
            rule(5432, 5432, cidrs=["198.51.100.0/24"], description="BI vendor egress range"),
        ]),
        security_group(PROD, use1, SG_BILLING_DB, "billing-db", VPC_PROD_USE1, "Billing MySQL", [
            rule(3306, 3306, groups=[SG_APP_TIER], description="MySQL from the app tier"),
        ]),
        security_group(PROD, use1, "sg-0f3b4c5d6e7f80912", "bastion-ssh", VPC_PROD_USE1, "SSH bastion", [
            rule(22, 22, cidrs=["0.0.0.0/0"], description="SSH for on-call (temporary)"),
        ]),
        security_group(PROD, euw1, SG_EU_APP, "eu-app", VPC_PROD_EUW1, "EU application tier", [
            rule(8443, 8443, cidrs=["10.1.0.0/16"], description="TLS from inside the VPC"),
        ]),
        security_group(PROD, euw1, "sg-0a2b3c4d5e6f70819", "eu-db", VPC_PROD_EUW1, "EU MySQL", [
            rule(3306, 3306, groups=[SG_EU_APP], description="MySQL from the EU app tier"),
        ]),
        security_group(PROD, euw1, "sg-0c4d5e6f708192a3b", "windows-jump-eu", VPC_PROD_EUW1, "Windows jump host", [
            rule(3389, 3389, ipv6_cidrs=["::/0"], description="RDP for the vendor"),
            rule(443, 443, cidrs=["10.1.0.0/16"], description="Management agent"),
        ]),
    ]


def production_volumes() -> list[Resource]:
    """EBS volumes of production; two are not encrypted.

    The Jenkins cache predates encryption by default; the analytics scratch
    volume was made in eu-west-1, where encryption by default is still off.
    """
    use1, euw1 = "us-east-1", "eu-west-1"
    ebs_key_use1 = kms_arn(use1, EBS_DEFAULT_KEY)
    ebs_key_euw1 = kms_arn(euw1, AWS_EBS_EU_KEY)
    return [
        ebs_volume(PROD, use1, "vol-0a1b2c3d4e5f60001", zone="us-east-1a", size=30, kms_key=ebs_key_use1,
                   created="2026-03-11T10:02:45Z", attached_to="i-0a1b2c3d4e5f60001",
                   snapshot_id="snap-0a1b2c3d4e5f60001", tags={"Name": "orders-app-1-root"}),
        ebs_volume(PROD, use1, "vol-0a1b2c3d4e5f60002", zone="us-east-1a", size=200, kms_key=ebs_key_use1,
                   created="2026-03-11T10:02:45Z", attached_to="i-0a1b2c3d4e5f60001", device="/dev/sdf",
                   tags={"Name": "orders-app-1-data"}),
        ebs_volume(PROD, use1, "vol-0a1b2c3d4e5f60003", zone="us-east-1b", size=8, kms_key=ebs_key_use1,
                   created="2025-08-19T14:40:12Z", attached_to="i-0b2c3d4e5f6a70002",
                   snapshot_id="snap-0b2c3d4e5f6a70002", tags={"Name": "bastion-root"}),
        ebs_volume(PROD, use1, "vol-0c3d4e5f6a7b80004", zone="us-east-1b", size=500, kms_key=None,
                   volume_type="gp2", created="2021-06-11T09:30:00Z", attached_to="i-0c3d4e5f6a7b80003",
                   device="/dev/sdh", tags={"Name": "jenkins-build-cache"}),
        ebs_volume(PROD, euw1, "vol-0e1f2a3b4c5d60005", zone="eu-west-1a", size=60, kms_key=ebs_key_euw1,
                   created="2025-10-07T08:11:59Z", attached_to="i-0e1f2a3b4c5d60004",
                   snapshot_id="snap-0e1f2a3b4c5d60004", tags={"Name": "windows-jump-eu-root"}),
        ebs_volume(PROD, euw1, "vol-0e1f2a3b4c5d60006", zone="eu-west-1b", size=100, kms_key=ebs_key_euw1,
                   created="2026-02-23T16:45:30Z", attached_to="i-0f2a3b4c5d6e70005", device="/dev/sdf",
                   tags={"Name": "eu-app-data"}),
        ebs_volume(PROD, euw1, "vol-0f2a3b4c5d6e70007", zone="eu-west-1c", size=50, kms_key=None,
                   volume_type="gp2", created="2026-08-03T12:00:07Z", tags={"Name": "analytics-scratch"}),
    ]


def production_keys() -> list[Resource]:
    """KMS keys of production; every customer key that encrypts data rotates.

    The signing key and the key pending deletion show which keys a rotation
    check leaves out.
    """
    use1, euw1 = "us-east-1", "eu-west-1"
    return [
        kms_key(use1, LOG_ARCHIVE_KEY, "CloudTrail and central log archive", rotation=True,
                aliases=["alias/log-archive"]),
        kms_key(use1, TERRAFORM_STATE_KEY, "Platform data: Terraform state and application uploads", rotation=True,
                aliases=["alias/terraform-state", "alias/app-uploads"]),
        kms_key(use1, ORDERS_DB_KEY, "orders-db storage encryption", rotation=True, aliases=["alias/rds-orders"]),
        kms_key(use1, EBS_DEFAULT_KEY, "Default key for new EBS volumes", rotation=True,
                aliases=["alias/ebs-default"]),
        kms_key(use1, AWS_RDS_KEY, "Default key that protects my RDS database volumes when no other key is defined",
                manager="AWS", rotation=True, aliases=["alias/aws/rds"]),
        kms_key(use1, CODE_SIGNING_KEY, "Release artifact signing", rotation=False, spec="RSA_2048",
                usage="SIGN_VERIFY", aliases=["alias/release-signing"]),
        kms_key(use1, RETIRED_KEY, "Retired: old reporting exports", rotation=False, state="PendingDeletion"),
        kms_key(euw1, DATA_LAKE_KEY, "EU data lake (multi-Region primary)", rotation=True,
                aliases=["alias/data-lake-eu"]),
        kms_key(euw1, AWS_EBS_EU_KEY, "Default key that protects my EBS volumes when no other key is defined",
                manager="AWS", rotation=True, aliases=["alias/aws/ebs"]),
    ]


def production_trails() -> list[Resource]:
    """One multi-Region trail that is logging, a stopped legacy one, and an EU data-events trail."""
    return [
        cloudtrail("us-east-1", "acme-audit-trail", multi_region=True, logging=True, log_file_validation=True,
                   kms_key=kms_arn("us-east-1", LOG_ARCHIVE_KEY),
                   log_group=f"arn:aws:logs:us-east-1:{PROD}:log-group:aws-cloudtrail-logs-acme-audit:*",
                   event_selectors=MANAGEMENT_EVENTS),
        cloudtrail("us-east-1", "legacy-management-events", multi_region=True, logging=False,
                   log_file_validation=False, event_selectors=MANAGEMENT_EVENTS),
        cloudtrail("eu-west-1", "eu-data-lake-data-events", multi_region=False, logging=True,
                   log_file_validation=True, kms_key=kms_arn("eu-west-1", DATA_LAKE_KEY),
                   event_selectors=[{
                       "read_write_type": "WriteOnly",
                       "include_management_events": False,
                       "data_resource": [
                           {"type": "AWS::S3::Object", "values": ["arn:aws:s3:::acme-data-lake-raw-eu/"]},
                       ],
                   }]),
    ]


def production_databases() -> list[Resource]:
    """RDS in us-east-1 only: eu-west-1 could not be listed (see RDS_DENIED_REGION)."""
    region = "us-east-1"
    payments = {"environment": "production", "owner": "payments"}
    return [
        db_instance(region, "orders-db-prod", engine="postgres", engine_version="16.4",
                    instance_class="db.r6g.large", kms_key=kms_arn(region, ORDERS_DB_KEY), public=False,
                    multi_az=True, security_groups=[SG_ORDERS_DB], backup_days=14, iam_auth=True, tags=payments),
        db_instance(region, "orders-db-reporting", engine="postgres", engine_version="16.4",
                    instance_class="db.t4g.medium", kms_key=kms_arn(region, ORDERS_DB_KEY), public=True,
                    multi_az=False, security_groups=[SG_REPORTING_DB], deletion_protection=False, tags=payments),
        db_instance(region, "billing-mysql", engine="mysql", engine_version="8.0.39",
                    instance_class="db.m6g.large", kms_key=kms_arn(region, AWS_RDS_KEY), public=False,
                    multi_az=True, security_groups=[SG_BILLING_DB],
                    tags={"environment": "production", "owner": "billing"}),
    ]


# -- the sandbox account ---------------------------------------------------------------


def sandbox_account() -> list[Resource]:
    """A hand-made sandbox: root was secured at sign-up, nothing else of the baseline."""
    sandbox = {"environment": "sandbox", "owner": "jlee"}
    return [
        password_policy(SANDBOX, None),
        account_summary(SANDBOX, root_mfa=True, root_keys=False),
        s3_account_block(SANDBOX, None),
        ebs_default_encryption(SANDBOX, "us-east-1", enabled=False),
        ebs_default_encryption(SANDBOX, "eu-west-1", enabled=False),
        iam_user(SANDBOX, "sandbox-admin", "AIDAXKV7SANDBOXADMIN1", "2026-04-11T13:05:00Z",
                 console=True, console_last_used="2026-11-14T15:27:40Z",
                 access_keys=[
                     access_key("AKIAV7SANDBOXADMN5QZ", "Active", "2026-04-11T13:07:19Z", "2026-11-14T15:30:02Z"),
                 ],
                 policies=["arn:aws:iam::aws:policy/AdministratorAccess"]),
        iam_user(SANDBOX, "jlee-experiments", "AIDAXKV7SANDBOXJLEE02", "2026-10-30T09:00:00Z",
                 access_keys=[
                     access_key("AKIAV7SANDBOXJLEE8NC", "Active", "2026-11-02T09:14:45Z", "2026-11-19T21:03:11Z"),
                 ],
                 policies=["arn:aws:iam::aws:policy/PowerUserAccess"]),
        s3_bucket(f"sandbox-scratch-{SANDBOX}", SANDBOX, "us-east-1", sse="AES256", block_public_access=False,
                  tags=sandbox),
        s3_bucket(f"sandbox-tfstate-{SANDBOX}", SANDBOX, "eu-west-1", sse="AES256", versioning="Enabled",
                  tags=sandbox),
    ]


# -- coverage and the snapshot -----------------------------------------------------------


def coverage() -> list[Coverage]:
    """An ``ok`` for every type, account and region observed, and the one refusal."""
    entries: list[Coverage] = []
    for account in ACCOUNTS:
        for type_ in GLOBAL_TYPES:
            entries.append({"type": type_, "account": account, "region": "global", "status": "ok"})
        for type_ in REGIONAL_TYPES:
            for region in REGIONS:
                if (type_, account, region) == ("aws_db_instance", PROD, RDS_DENIED_REGION):
                    entries.append({
                        "type": type_, "account": account, "region": region, "status": "error",
                        "error": {"code": "AccessDenied", "message": RDS_DENIED_MESSAGE},
                    })
                else:
                    entries.append({"type": type_, "account": account, "region": region, "status": "ok"})
    return entries


def estate() -> list[Resource]:
    """Every resource of both accounts."""
    return [
        *production_account_settings(),
        *production_users(),
        *production_buckets(),
        *production_network(),
        *production_volumes(),
        *production_keys(),
        *production_trails(),
        *production_databases(),
        *sandbox_account(),
    ]


def build() -> Snapshot:
    """The snapshot as a collector run on ``TAKEN_AT`` would have written it."""
    return Snapshot.build(
        resources=estate(),
        coverage=coverage(),
        scope={"accounts": ACCOUNTS, "regions": REGIONS},
        source="aws",
        taken_at=TAKEN_AT,
        stats={"api_calls": 187, "duration_seconds": 14.2, "throttled_retries": 2},
    )


def main() -> None:
    """Write the snapshot next to this script and say what was written."""
    snapshot = build()
    path = write_snapshot(snapshot, OUTPUT)
    print(f"wrote {path}: {len(snapshot)} resources, {snapshot.digest}")


if __name__ == "__main__":
    main()
