"""RDS DB clusters: ``aws_rds_cluster``, Aurora and Multi-AZ RDS clusters with their encryption, backups and logs.

RDS's DescribeDBClusters also lists DocumentDB and Neptune clusters, which
Terraform manages as types of their own (declared in ``docdb.py`` and
``neptune.py``): this collector leaves those engines to them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from unify.aws.db_clusters import clusters, flag, member_ids, security_group_ids, sorted_exports
from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

ATTRIBUTES = (
    "cluster_identifier",
    "arn",
    "engine",
    "engine_version",
    "engine_mode",
    "database_name",
    "master_username",
    "port",
    "storage_encrypted",
    "kms_key_id",
    "deletion_protection",
    "backup_retention_period",
    "backtrack_window",
    "copy_tags_to_snapshot",
    "iam_database_authentication_enabled",
    "enabled_cloudwatch_logs_exports",
    "auto_minor_version_upgrade",
    "db_subnet_group_name",
    "db_cluster_parameter_group_name",
    "vpc_security_group_ids",
    "cluster_members",
    # extras only observation can see
    "multi_az",
    "status",
)

#: Engines other providers' types manage (``aws_docdb_cluster``, ``aws_neptune_cluster``).
OTHER_ENGINES: Final = frozenset({"docdb", "neptune"})


def _cluster(ctx: CollectContext, db: dict[str, Any]) -> Resource:
    identifier = db["DBClusterIdentifier"]
    arn = db["DBClusterArn"]
    return ctx.resource(
        "aws_rds_cluster",
        arn,
        name=identifier,
        tags=sent(db, "TagList"),
        attributes={
            "cluster_identifier": identifier,
            "arn": arn,
            "engine": db["Engine"],
            "engine_version": sent(db, "EngineVersion"),
            # EngineMode is sent for Aurora clusters only (RDS API reference, DBCluster).
            "engine_mode": db.get("EngineMode", ABSENT),
            "database_name": db.get("DatabaseName") or ABSENT,
            "master_username": sent(db, "MasterUsername"),
            "port": sent(db, "Port"),
            "storage_encrypted": flag(db, "StorageEncrypted"),
            # An unencrypted cluster has no key (RDS API reference, DBCluster.KmsKeyId).
            "kms_key_id": db.get("KmsKeyId") or ABSENT,
            "deletion_protection": flag(db, "DeletionProtection"),
            "backup_retention_period": sent(db, "BackupRetentionPeriod"),
            # Sent for Aurora MySQL only; 0 is "backtracking off" (RDS API reference, DBCluster.BacktrackWindow).
            "backtrack_window": db.get("BacktrackWindow", ABSENT),
            "copy_tags_to_snapshot": flag(db, "CopyTagsToSnapshot"),
            "iam_database_authentication_enabled": flag(db, "IAMDatabaseAuthenticationEnabled"),
            "enabled_cloudwatch_logs_exports": sorted_exports(db),
            # Sent for Multi-AZ DB clusters only (RDS API reference, DBCluster.AutoMinorVersionUpgrade).
            "auto_minor_version_upgrade": db.get("AutoMinorVersionUpgrade", ABSENT),
            "db_subnet_group_name": db.get("DBSubnetGroup") or ABSENT,
            "db_cluster_parameter_group_name": db.get("DBClusterParameterGroup") or ABSENT,
            "vpc_security_group_ids": security_group_ids(db),
            "cluster_members": member_ids(db),
            "multi_az": flag(db, "MultiAZ"),
            "status": sent(db, "Status"),
        },
    )


def _clusters(ctx: CollectContext) -> Iterator[Resource]:
    rds = ctx.client()
    for db in clusters(ctx, rds):
        if db["Engine"] not in OTHER_ENGINES:
            yield _cluster(ctx, db)


def _from_terraform(values: dict[str, Any]) -> None:
    """Sets Terraform keeps unordered, sorted as the collector sorts them."""
    for key in ("enabled_cloudwatch_logs_exports", "vpc_security_group_ids", "cluster_members"):
        value = values.get(key)
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            values[key] = sorted(value)


CLUSTER = ResourceType(
    "aws_rds_cluster",
    ATTRIBUTES,
    observed_only=("multi_az", "status"),
    name_path="cluster_identifier",
    # Provider defaults (docs of aws_rds_cluster): no deletion protection, one day of backups, no backtracking,
    # no tags copied.
    defaults={
        "deletion_protection": False,
        "backup_retention_period": 1,
        "backtrack_window": 0,
        "copy_tags_to_snapshot": False,
    },
    from_terraform=_from_terraform,
    drift_ignore=("cluster_identifier", "engine_version", "status", "multi_az", "cluster_members", "port"),
)

COLLECTORS = (
    Collector(
        name="rds.db_clusters",
        service="rds",
        resource_types=(CLUSTER,),
        calls=("rds:DescribeDBClusters",),
        collect=_clusters,
        description="Every Aurora and Multi-AZ RDS DB cluster in the region (not DocumentDB or Neptune).",
        notes=(
            "Everything, tags included, comes from DescribeDBClusters; clusters of the `docdb` and `neptune` "
            "engines are left to their own types. `vpc_security_group_ids`, `cluster_members` (instance "
            "identifiers) and `enabled_cloudwatch_logs_exports` are sorted. `engine_mode` is absent for "
            "Multi-AZ DB clusters, `backtrack_window` outside Aurora MySQL, `auto_minor_version_upgrade` outside "
            "Multi-AZ DB clusters, `kms_key_id` when the cluster is not encrypted: AWS sends them only there. "
            "`multi_az` is AWS's `MultiAZ` (Terraform has no such argument, so a plan cannot decide it). moto "
            "sends `BacktrackWindow` and `AutoMinorVersionUpgrade` for every cluster, and `KmsKeyId` "
            "`default_kms_key_id` for a cluster encrypted without a key."
        ),
    ),
)
