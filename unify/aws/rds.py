"""RDS: ``aws_db_instance``, every DB instance of the region with its storage, network, backup and logging settings.

Aurora cluster members are DB instances too (Terraform's
``aws_rds_cluster_instance``, read here as another name of the type): they
carry ``cluster_identifier``, and the checks that AWS applies to standalone
instances only (backups, ports, the admin name) leave them out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.model.resource import Resource, unknown
from unify.model.resource_type import ResourceType
from unify.observe.answers import MALFORMED
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

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
    "username",
    "port",
    "monitoring_interval",
    "enabled_cloudwatch_logs_exports",
    "parameter_group_name",
    "replicate_source_db",
    "cluster_identifier",
    # extras only observation can see
    "status",
    "endpoint_address",
)


def _flag(instance: dict[str, Any], key: str) -> Any:
    """A boolean AWS may leave out of the answer: absent stays absent rather than becoming a guess."""
    return bool(instance[key]) if key in instance else ABSENT


def _port(db: dict[str, Any]) -> Any:
    """The port the instance listens on: ``DbInstancePort``, else the endpoint's (0 for cluster members)."""
    port = db.get("DbInstancePort")
    if isinstance(port, int) and port > 0:
        return port
    endpoint = db.get("Endpoint")
    if isinstance(endpoint, dict) and isinstance(endpoint.get("Port"), int):
        return endpoint["Port"]
    return unknown(f"{MALFORMED}: DbInstancePort not sent")


def _parameter_group(db: dict[str, Any]) -> Any:
    groups = db.get("DBParameterGroups")
    if not isinstance(groups, list) or not groups:
        return unknown(f"{MALFORMED}: DBParameterGroups not sent")
    return groups[0].get("DBParameterGroupName") or unknown(f"{MALFORMED}: DBParameterGroupName not sent")


def _instances(ctx: CollectContext) -> Iterator[Resource]:
    rds = ctx.client()
    # DescribeDBInstances carries everything, tags included: no per-instance sub-call is needed.
    for db in ctx.items(rds, "describe_db_instances", "DBInstances", each=("DBInstanceIdentifier", "DBInstanceArn")):
        identifier = db["DBInstanceIdentifier"]
        arn = db["DBInstanceArn"]
        yield ctx.resource(
            "aws_db_instance",
            arn,
            name=identifier,
            tags=sent(db, "TagList"),
            attributes={
                "identifier": identifier,
                "arn": arn,
                "engine": sent(db, "Engine"),
                "engine_version": sent(db, "EngineVersion"),
                "instance_class": sent(db, "DBInstanceClass"),
                "allocated_storage": sent(db, "AllocatedStorage"),
                "storage_type": sent(db, "StorageType"),
                "storage_encrypted": sent(db, "StorageEncrypted", bool),
                # An unencrypted instance has no key (RDS API reference, DBInstance.KmsKeyId).
                "kms_key_id": db.get("KmsKeyId") or ABSENT,
                "publicly_accessible": sent(db, "PubliclyAccessible", bool),
                "multi_az": sent(db, "MultiAZ", bool),
                "auto_minor_version_upgrade": sent(db, "AutoMinorVersionUpgrade", bool),
                "backup_retention_period": sent(db, "BackupRetentionPeriod"),
                "deletion_protection": sent(db, "DeletionProtection", bool),
                "iam_database_authentication_enabled": sent(db, "IAMDatabaseAuthenticationEnabled", bool),
                "vpc_security_group_ids": sent(
                    db, "VpcSecurityGroups", lambda groups: sorted(g["VpcSecurityGroupId"] for g in groups)
                ),
                "db_subnet_group_name": (db.get("DBSubnetGroup") or {}).get("DBSubnetGroupName") or ABSENT,
                "ca_cert_identifier": db.get("CACertificateIdentifier", ABSENT),
                "copy_tags_to_snapshot": sent(db, "CopyTagsToSnapshot", bool),
                "performance_insights_enabled": _flag(db, "PerformanceInsightsEnabled"),
                "username": sent(db, "MasterUsername"),
                "port": _port(db),
                # MonitoringInterval 0 is "enhanced monitoring off" (RDS API reference, DBInstance).
                "monitoring_interval": sent(db, "MonitoringInterval"),
                # The list is empty or absent when no log is exported (RDS API reference, DBInstance).
                "enabled_cloudwatch_logs_exports": sorted(db.get("EnabledCloudwatchLogsExports") or []),
                "parameter_group_name": _parameter_group(db),
                # Both are sent only for replicas and cluster members (RDS API reference, DBInstance).
                "replicate_source_db": db.get("ReadReplicaSourceDBInstanceIdentifier") or ABSENT,
                "cluster_identifier": db.get("DBClusterIdentifier") or ABSENT,
                "status": sent(db, "DBInstanceStatus"),
                # No endpoint while an instance is being created (RDS API reference, DBInstance.Endpoint).
                "endpoint_address": (db.get("Endpoint") or {}).get("Address") or ABSENT,
            },
        )


def _from_terraform(values: dict[str, Any]) -> None:
    """Exports are a set in Terraform: sorted as the collector sorts them; a cluster member's parameter group."""
    if "db_parameter_group_name" in values:
        values.setdefault("parameter_group_name", values.pop("db_parameter_group_name"))
    exports = values.get("enabled_cloudwatch_logs_exports")
    if isinstance(exports, list) and all(isinstance(item, str) for item in exports):
        values["enabled_cloudwatch_logs_exports"] = sorted(exports)


DB_INSTANCE = ResourceType(
    "aws_db_instance",
    ATTRIBUTES,
    name_path="identifier",
    # Provider defaults (docs of aws_db_instance): no encryption, not public, no enhanced monitoring.
    defaults={"storage_encrypted": False, "publicly_accessible": False, "monitoring_interval": 0},
    from_terraform=_from_terraform,
    # A cluster member in Terraform: the same DB instance, placed in its cluster.
    terraform_aliases={"aws_rds_cluster_instance": {}},
    drift_ignore=("identifier", "status", "endpoint_address", "engine_version", "port", "parameter_group_name"),
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
            "(an instance still being created has no endpoint); `replicate_source_db` and `cluster_identifier` only "
            "for read replicas and cluster members. `enabled_cloudwatch_logs_exports` is sorted, `[]` when nothing is "
            "exported; `port` is `DbInstancePort`, else the endpoint's; `parameter_group_name` is the first DB "
            "parameter group. `publicly_accessible` and "
            "`performance_insights_enabled` are absent when the answer leaves them out: moto returns "
            "`PubliclyAccessible` only when it was passed at create time and never returns "
            "`PerformanceInsightsEnabled`; moto's `KmsKeyId` for an encrypted instance made without a key is "
            "the placeholder `default_kms_key_id`."
        ),
    ),
)
