"""The account's settings (one per account, or per account and region) and its trails.

Each builder makes one resource as its collector would, from the maker's
seeded stream: the same stream gives the same resource.
"""

from __future__ import annotations

from typing import Any

from benchmarks.estate.maker import Maker, Resource, resource


def password_policy(m: Maker, region: str, n: int) -> Resource:
    attributes: dict[str, Any] = {"configured": False}
    if m.chance(0.8):
        attributes = {
            "allow_users_to_change_password": True,
            "configured": True,
            "expire_passwords": False,
            "hard_expiry": False,
            "minimum_password_length": m.pick(8, 14, 14, 16),
            "require_lowercase_characters": True,
            "require_numbers": True,
            "require_symbols": m.chance(0.7),
            "require_uppercase_characters": True,
        }
        if m.chance(0.6):
            attributes["password_reuse_prevention"] = m.pick(5, 24, 24)
    rid = f"{m.account}/aws_iam_account_password_policy"
    return resource("aws_iam_account_password_policy", rid, None, m.account, "global", attributes, {})


def account_summary(m: Maker, region: str, n: int) -> Resource:
    attributes = {
        "account_access_keys_present": m.chance(0.05),
        "account_mfa_enabled": m.chance(0.9),
        "account_signing_certificates_present": False,
        "groups": m.rng.randrange(1, 30),
        "mfa_devices": m.rng.randrange(1, 200),
        "mfa_devices_in_use": m.rng.randrange(1, 200),
        "policies": m.rng.randrange(1, 300),
        "roles": m.rng.randrange(10, 500),
        "root_virtual_mfa": m.chance(0.3),
        "users": m.rng.randrange(1, 200),
    }
    rid = f"{m.account}/aws_iam_account_summary"
    return resource("aws_iam_account_summary", rid, None, m.account, "global", attributes, {})


def account_public_access_block(m: Maker, region: str, n: int) -> Resource:
    attributes: dict[str, Any] = {"configured": False}
    if m.chance(0.85):
        attributes = {"account_id": m.account, "configured": True}
        for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
            attributes[flag] = m.chance(0.95)
    rid = f"{m.account}/aws_s3_account_public_access_block"
    return resource("aws_s3_account_public_access_block", rid, None, m.account, "global", attributes, {})


def encryption_by_default(m: Maker, region: str, n: int) -> Resource:
    attributes = {
        "configured": True,
        "default_kms_key_id": m.arn("kms", region, "alias/aws/ebs"),
        "enabled": m.chance(0.7),
    }
    rid = f"{m.account}/{region}/aws_ebs_encryption_by_default"
    return resource("aws_ebs_encryption_by_default", rid, None, m.account, region, attributes, {})


def recorder(m: Maker, region: str, n: int) -> Resource:
    rid = f"{m.account}/{region}/aws_config_configuration_recorder"
    if not m.chance(0.8):
        return resource("aws_config_configuration_recorder", rid, None, m.account, region, {"configured": False}, {})
    every = m.chance(0.85)
    attributes = {
        "configured": True,
        "is_enabled": m.chance(0.9),
        "last_status": "SUCCESS",
        "last_status_change_time": m.ago(0, 2),
        "name": "default",
        "recording_group": {
            "all_supported": every,
            "include_global_resource_types": every and region == "us-east-1",
            "resource_types": [] if every else ["AWS::EC2::Instance", "AWS::S3::Bucket"],
        },
        "role_arn": f"arn:aws:iam::{m.account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
    }
    return resource("aws_config_configuration_recorder", rid, "default", m.account, region, attributes, {})


def trail(m: Maker, region: str, n: int) -> Resource:
    name = f"audit-{m.hex(4)}-{n}"
    arn = m.arn("cloudtrail", region, f"trail/{name}")
    selectors: list[dict[str, Any]] = [
        {
            "data_resource": [],
            "exclude_management_event_sources": [],
            "include_management_events": True,
            "read_write_type": m.pick("All", "All", "WriteOnly"),
        }
    ]
    if m.chance(0.4):
        selectors[0]["data_resource"] = [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]
    attributes: dict[str, Any] = {
        "advanced_event_selector": [],
        "arn": arn,
        "enable_log_file_validation": m.chance(0.8),
        "enable_logging": m.chance(0.95),
        "event_selector": selectors,
        "event_selectors": selectors,
        "home_region": region,
        "include_global_service_events": True,
        "is_multi_region_trail": m.chance(0.85),
        "is_organization_trail": False,
        "latest_delivery_time": m.ago(0, 1),
        "name": name,
        "s3_bucket_name": f"logs-{m.account}",
    }
    if m.chance(0.6):
        attributes["kms_key_id"] = m.arn("kms", region, f"key/{m.hex(8)}")
    return resource("aws_cloudtrail", arn, name, m.account, region, attributes, m.tags())
