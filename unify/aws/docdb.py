"""DocumentDB: ``aws_docdb_cluster`` and ``aws_docdb_cluster_snapshot``.

DocumentDB answers through RDS's API with its own client; its listings are
filtered to the ``docdb`` engine (without the filter they hold every RDS
cluster). Its answers carry no tags: each cluster's come from
ListTagsForResource.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from unify.aws.db_clusters import (
    CLUSTER_SNAPSHOT_ATTRIBUTES,
    clusters,
    collect_cluster_snapshots,
    flag,
    member_ids,
    security_group_ids,
    sorted_exports,
    sorted_string_lists,
    tags_of,
    terraform_snapshot,
)
from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

ENGINES: Final = ("docdb",)

CLUSTER_ATTRIBUTES = (
    "cluster_identifier",
    "arn",
    "engine",
    "engine_version",
    "master_username",
    "port",
    "storage_encrypted",
    "kms_key_id",
    "deletion_protection",
    "backup_retention_period",
    "enabled_cloudwatch_logs_exports",
    "db_subnet_group_name",
    "db_cluster_parameter_group_name",
    "vpc_security_group_ids",
    "cluster_members",
    # extras only observation can see
    "status",
)


def _clusters(ctx: CollectContext) -> Iterator[Resource]:
    docdb = ctx.client()
    listed = clusters(ctx, docdb, engines=ENGINES)

    def describe(db: dict[str, Any]) -> Resource:
        identifier, arn = db["DBClusterIdentifier"], db["DBClusterArn"]
        return ctx.resource(
            "aws_docdb_cluster",
            arn,
            name=identifier,
            tags=tags_of(ctx, docdb, arn),
            attributes={
                "cluster_identifier": identifier,
                "arn": arn,
                "engine": db["Engine"],
                "engine_version": sent(db, "EngineVersion"),
                "master_username": sent(db, "MasterUsername"),
                "port": sent(db, "Port"),
                "storage_encrypted": flag(db, "StorageEncrypted"),
                # An unencrypted cluster has no key (DocumentDB API reference, DBCluster.KmsKeyId).
                "kms_key_id": db.get("KmsKeyId") or ABSENT,
                "deletion_protection": flag(db, "DeletionProtection"),
                "backup_retention_period": sent(db, "BackupRetentionPeriod"),
                "enabled_cloudwatch_logs_exports": sorted_exports(db),
                "db_subnet_group_name": db.get("DBSubnetGroup") or ABSENT,
                "db_cluster_parameter_group_name": db.get("DBClusterParameterGroup") or ABSENT,
                "vpc_security_group_ids": security_group_ids(db),
                "cluster_members": member_ids(db),
                "status": sent(db, "Status"),
            },
        )

    yield from ctx.map(describe, listed)


def _snapshots(ctx: CollectContext) -> Iterator[Resource]:
    return collect_cluster_snapshots(ctx, "aws_docdb_cluster_snapshot", ENGINES)


CLUSTER = ResourceType(
    "aws_docdb_cluster",
    CLUSTER_ATTRIBUTES,
    observed_only=("status",),
    name_path="cluster_identifier",
    sources={"docdb:ListTagsForResource": ("tags",)},
    # Provider defaults (docs of aws_docdb_cluster): the docdb engine, no encryption, one day of backups.
    defaults={"engine": "docdb", "storage_encrypted": False, "backup_retention_period": 1},
    from_terraform=sorted_string_lists("enabled_cloudwatch_logs_exports", "vpc_security_group_ids", "cluster_members"),
    drift_ignore=("cluster_identifier", "engine_version", "status", "cluster_members", "port"),
)

SNAPSHOT = ResourceType(
    "aws_docdb_cluster_snapshot",
    CLUSTER_SNAPSHOT_ATTRIBUTES,
    observed_only=("shared_accounts", "status"),
    name_path="db_cluster_snapshot_identifier",
    sources={"docdb:DescribeDBClusterSnapshotAttributes": ("shared_accounts",)},
    from_terraform=terraform_snapshot,
    drift_ignore=("db_cluster_snapshot_identifier", "status", "engine_version"),
    # DocumentDB takes automated snapshots itself: no configuration is expected to manage them.
    made_by_aws=(("snapshot_type", "automated"),),
)

COLLECTORS = (
    Collector(
        name="docdb.clusters",
        service="docdb",
        resource_types=(CLUSTER,),
        calls=("rds:DescribeDBClusters", "rds:ListTagsForResource"),
        collect=_clusters,
        description="Every Amazon DocumentDB cluster in the region.",
        notes=(
            "DescribeDBClusters through the DocumentDB client, filtered to engine `docdb`; tags from "
            "ListTagsForResource (DocumentDB's answers carry none). `vpc_security_group_ids`, `cluster_members` and "
            "`enabled_cloudwatch_logs_exports` are sorted; `kms_key_id` is absent for an unencrypted cluster. moto "
            "(5.x) refuses the `docdb` engine on CreateDBCluster, so the tests and the demo serve this collector "
            "recorded answers (botocore's Stubber, shaped as the DocumentDB API reference documents them)."
        ),
    ),
    Collector(
        name="docdb.cluster_snapshots",
        service="docdb",
        resource_types=(SNAPSHOT,),
        calls=("rds:DescribeDBClusterSnapshots", "rds:DescribeDBClusterSnapshotAttributes"),
        collect=_snapshots,
        description="Every DocumentDB cluster snapshot in the region, manual and automated.",
        notes=(
            "DescribeDBClusterSnapshots filtered to engine `docdb`. `shared_accounts` is the `restore` attribute "
            "of a manual snapshot (DescribeDBClusterSnapshotAttributes; `all` means public, sorted); automated "
            "snapshots cannot be shared and are asked nothing (`[]`). Terraform's snapshot type has no sharing "
            "argument, so a plan cannot decide it. Tested with recorded answers, as the clusters."
        ),
    ),
)
