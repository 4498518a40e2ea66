"""Storage and data: S3 buckets, KMS keys, RDS instances and EFS file systems.

Each builder makes one resource as its collector would, from the maker's
seeded stream: the same stream gives the same resource.
"""

from __future__ import annotations

from typing import Any

from benchmarks.estate.maker import Maker, Resource, resource


def bucket(m: Maker, region: str, n: int) -> Resource:
    name = f"{m.pick('data', 'logs', 'artifacts', 'backups', 'site')}-{m.account}-{m.hex(8)}-{n}"
    arn = f"arn:aws:s3:::{name}"
    location = m.pick("us-east-1", "us-east-1", "eu-west-1", "us-west-2", "eu-central-1")
    artifact = m.chance(0.1)
    attributes: dict[str, Any] = {"arn": arn, "bucket": name, "creation_date": m.ago(1, 2500)}
    if m.chance(0.75):
        attributes["versioning"] = {"status": "Enabled" if m.chance(0.9) else "Suspended"}
        if m.chance(0.05):
            attributes["versioning"]["mfa_delete"] = "Enabled"
    if m.chance(0.9):
        rule: dict[str, Any] = {"bucket_key_enabled": m.chance(0.5)}
        if m.chance(0.95):
            rule["apply_server_side_encryption_by_default"] = (
                {"kms_master_key_id": m.arn("kms", location, f"key/{m.hex(8)}"), "sse_algorithm": "aws:kms"}
                if m.chance(0.4)
                else {"sse_algorithm": "AES256"}
            )
        attributes["server_side_encryption_configuration"] = {"rule": [rule]}
    if m.chance(0.85):
        flags = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
        attributes["public_access_block"] = {flag: m.chance(0.97) for flag in flags}
    if m.chance(0.005):
        attributes["policy"] = {"$unknown": "AccessDenied: s3:GetBucketPolicy"}
    elif m.chance(0.6):
        statements = [
            {
                "Action": ["s3:*"],
                "Condition": {"Bool": {"aws:SecureTransport": ["false"]}},
                "Effect": "Deny",
                "Principal": {"AWS": ["*"]},
                "Resource": [arn, arn + "/*"],
                "Sid": "TLSOnly",
            }
        ]
        if m.chance(0.05):
            statements.append(
                {
                    "Action": ["s3:GetObject"],
                    "Effect": "Allow",
                    "Principal": "*",
                    "Resource": [arn + "/*"],
                    "Sid": "PublicRead",
                }
            )
        attributes["policy"] = {"Statement": statements, "Version": "2012-10-17"}
        attributes["policy_is_public"] = len(statements) > 1
    if m.chance(0.5):
        attributes["logging"] = {"target_bucket": f"logs-{m.account}", "target_prefix": f"{name}/"}
    if m.chance(0.6):
        attributes["ownership_controls"] = {"rule": {"object_ownership": "BucketOwnerEnforced"}}
    tags = m.tags({"unify:component": "artifact-store"} if artifact else None)
    return resource("aws_s3_bucket", arn, name, m.account, location, attributes, tags)


def kms_key(m: Maker, region: str, n: int) -> Resource:
    key = f"{m.hex(8)}-{m.hex(4)}-{m.hex(4)}-{m.hex(4)}-{m.hex(12)}"
    arn = m.arn("kms", region, f"key/{key}")
    manager = "AWS" if m.chance(0.2) else "CUSTOMER"
    rotation: Any = m.chance(0.7) if manager == "CUSTOMER" else True
    if m.chance(0.01):
        rotation = {"$unknown": "AccessDeniedException: kms:GetKeyRotationStatus"}
    state = "Enabled" if m.chance(0.93) else m.pick("Disabled", "PendingDeletion")
    attributes: dict[str, Any] = {
        "aliases": [f"alias/{m.pick('app', 'data', 'logs')}-{m.hex(4)}"]
        if manager == "CUSTOMER"
        else ["alias/aws/ebs"],
        "arn": arn,
        "creation_date": m.ago(1, 1500),
        "customer_master_key_spec": "SYMMETRIC_DEFAULT" if m.chance(0.92) else "RSA_2048",
        "description": "",
        "enable_key_rotation": rotation,
        "is_enabled": state == "Enabled",
        "key_id": key,
        "key_manager": manager,
        "key_state": state,
        "key_usage": "ENCRYPT_DECRYPT",
        "multi_region": False,
        "origin": "AWS_KMS",
        "policy": {
            "Id": "key-default-1",
            "Statement": [
                {
                    "Action": ["kms:*"],
                    "Effect": "Allow",
                    "Principal": {"AWS": [f"arn:aws:iam::{m.account}:root"]},
                    "Resource": ["*"],
                    "Sid": "Enable IAM User Permissions",
                }
            ],
            "Version": "2012-10-17",
        },
    }
    if rotation is True:
        attributes["rotation_period_in_days"] = 365
    if state == "PendingDeletion":
        attributes["deletion_date"] = m.ago(-30, -1)
    return resource("aws_kms_key", arn, key, m.account, region, attributes, m.tags())


def db_instance(m: Maker, region: str, n: int) -> Resource:
    name = f"{m.pick('orders', 'users', 'billing', 'events')}-{m.hex(6)}-{n}"
    arn = m.arn("rds", region, f"db:{name}")
    engine = m.pick("postgres", "mysql", "aurora-postgresql")
    encrypted = m.chance(0.85)
    attributes: dict[str, Any] = {
        "allocated_storage": m.pick(20, 100, 500),
        "arn": arn,
        "auto_minor_version_upgrade": m.chance(0.8),
        "backup_retention_period": m.pick(0, 1, 7, 35),
        "ca_cert_identifier": "rds-ca-rsa2048-g1",
        "copy_tags_to_snapshot": m.chance(0.5),
        "db_subnet_group_name": f"db-{m.hex(4)}",
        "deletion_protection": m.chance(0.6),
        "endpoint_address": f"{name}.{m.hex(10)}.{region}.rds.amazonaws.com",
        "engine": engine,
        "engine_version": m.pick("15.4", "16.1", "8.0.35"),
        "iam_database_authentication_enabled": m.chance(0.3),
        "identifier": name,
        "instance_class": m.pick("db.t3.micro", "db.r6g.large", "db.m6i.xlarge"),
        "multi_az": m.chance(0.6),
        "performance_insights_enabled": m.chance(0.4),
        "publicly_accessible": m.chance(0.04),
        "status": "available",
        "storage_encrypted": encrypted,
        "storage_type": "gp3",
        "vpc_security_group_ids": [f"sg-{m.hex(17)}"],
    }
    if encrypted:
        attributes["kms_key_id"] = m.arn("kms", region, f"key/{m.hex(8)}")
    return resource("aws_db_instance", arn, name, m.account, region, attributes, m.tags())


def file_system(m: Maker, region: str, n: int) -> Resource:
    fs = f"fs-{m.hex(8)}"
    arn = m.arn("elasticfilesystem", region, f"file-system/{fs}")
    encrypted = m.chance(0.8)
    attributes: dict[str, Any] = {
        "arn": arn,
        "creation_token": f"share-{m.hex(6)}",
        "encrypted": encrypted,
        "id": fs,
        "number_of_mount_targets": m.pick(0, 2, 3),
        "performance_mode": "generalPurpose",
        "size_in_bytes": m.rng.randrange(6144, 1 << 40),
        "throughput_mode": "bursting",
    }
    if encrypted:
        attributes["kms_key_id"] = m.arn("kms", region, f"key/{m.hex(8)}")
    return resource("aws_efs_file_system", arn, f"share-{m.hex(4)}", m.account, region, attributes, m.tags())
