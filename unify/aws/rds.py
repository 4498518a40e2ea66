"""RDS: ``aws_db_instance``, every DB instance of the region with its storage, network and backup settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector

ATTRIBUTES = (
    "identifier",
    "arn",
    "engine",
    "engine_version",
    "instance_class",
    "allocated_storage",
    "storage_type",
    "storage_encrypted",
    "kms_key_id",
    "publicly_accessible",
    "multi_az",
    "auto_minor_version_upgrade",
    "backup_retention_period",
    "deletion_protection",
    "iam_database_authentication_enabled",
    "vpc_security_group_ids",
    "db_subnet_group_name",
    "ca_cert_identifier",
    "copy_tags_to_snapshot",
    "performance_insights_enabled",
    # extras only observation can see
    "status",
    "endpoint_address",
)


def _flag(instance: dict[str, Any], key: str) -> Any:
    """A boolean AWS may leave out of the answer: absent stays absent rather than becoming a guess."""
    return bool(instance[key]) if key in instance else ABSENT


def _instances(ctx: CollectContext) -> Iterator[Resource]:
    rds = ctx.client()
    # DescribeDBInstances carries everything, tags included: no per-instance sub-call is needed.
    for db in ctx.items(rds, "describe_db_instances", "DBInstances"):
        identifier = db["DBInstanceIdentifier"]
        arn = db.get("DBInstanceArn") or ctx.arn("rds", f"db:{identifier}")
        yield ctx.resource(
            "aws_db_instance",
            arn,
            name=identifier,
            tags=db.get("TagList", []),
            attributes={
                "identifier": identifier,
                "arn": arn,
                "engine": db.get("Engine"),
                "engine_version": db.get("EngineVersion"),
                "instance_class": db.get("DBInstanceClass"),
                "allocated_storage": db.get("AllocatedStorage"),
                "storage_type": db.get("StorageType"),
                "storage_encrypted": bool(db.get("StorageEncrypted", False)),
                "kms_key_id": db.get("KmsKeyId") or ABSENT,
                "publicly_accessible": _flag(db, "PubliclyAccessible"),
                "multi_az": bool(db.get("MultiAZ", False)),
                "auto_minor_version_upgrade": bool(db.get("AutoMinorVersionUpgrade", False)),
                "backup_retention_period": db.get("BackupRetentionPeriod"),
                "deletion_protection": bool(db.get("DeletionProtection", False)),
                "iam_database_authentication_enabled": bool(db.get("IAMDatabaseAuthenticationEnabled", False)),
                "vpc_security_group_ids": sorted(g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups") or []),
                "db_subnet_group_name": (db.get("DBSubnetGroup") or {}).get("DBSubnetGroupName") or ABSENT,
                "ca_cert_identifier": db.get("CACertificateIdentifier", ABSENT),
                "copy_tags_to_snapshot": bool(db.get("CopyTagsToSnapshot", False)),
                "performance_insights_enabled": _flag(db, "PerformanceInsightsEnabled"),
                "status": db.get("DBInstanceStatus"),
                "endpoint_address": (db.get("Endpoint") or {}).get("Address") or ABSENT,
            },
        )


DB_INSTANCE = ResourceType(
    "aws_db_instance",
    ATTRIBUTES,
    name_path="identifier",
    drift_ignore=("identifier", "status", "endpoint_address", "engine_version"),
)

COLLECTORS = (
    Collector(
        name="rds.db_instances",
        service="rds",
        resource_types=(DB_INSTANCE,),
        calls=("rds:DescribeDBInstances",),
        collect=_instances,
        description="Every RDS DB instance in the region (Aurora cluster members included).",
        notes=(
            "Everything, tags included, comes from DescribeDBInstances. `vpc_security_group_ids` is sorted. "
            "`kms_key_id`, `db_subnet_group_name` and `endpoint_address` are absent when AWS returns none "
            "(an instance still being created has no endpoint). `publicly_accessible` and "
            "`performance_insights_enabled` are absent when the answer leaves them out: moto returns "
            "`PubliclyAccessible` only when it was passed at create time and never returns "
            "`PerformanceInsightsEnabled`; moto's `KmsKeyId` for an encrypted instance made without a key is "
            "the placeholder `default_kms_key_id`."
        ),
    ),
)
