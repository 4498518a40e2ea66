"""Neptune: ``aws_neptune_cluster`` and ``aws_neptune_cluster_snapshot``.

Neptune answers through RDS's API with its own client; its listings are
filtered to the ``neptune`` engine (without the filter they hold every RDS
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

ENGINES: Final = ("neptune",)

CLUSTER_ATTRIBUTES = (
    "cluster_identifier",
    "arn",
    "engine",
    "engine_version",
    "port",
    "storage_encrypted",
    "kms_key_arn",
    "deletion_protection",
    "backup_retention_period",
    "enable_cloudwatch_logs_exports",
    "iam_database_authentication_enabled",
    "copy_tags_to_snapshot",
    "neptune_subnet_group_name",
    "neptune_cluster_parameter_group_name",
    "vpc_security_group_ids",
    "cluster_members",
    # extras only observation can see
    "status",
)


def _clusters(ctx: CollectContext) -> Iterator[Resource]:
    neptune = ctx.client()
    listed = clusters(ctx, neptune, engines=ENGINES)

    def describe(db: dict[str, Any]) -> Resource:
        identifier, arn = db["DBClusterIdentifier"], db["DBClusterArn"]
        return ctx.resource(
            "aws_neptune_cluster",
            arn,
            name=identifier,
            tags=tags_of(ctx, neptune, arn),
            attributes={
                "cluster_identifier": identifier,
                "arn": arn,
                "engine": db["Engine"],
                "engine_version": sent(db, "EngineVersion"),
                "port": sent(db, "Port"),
                "storage_encrypted": flag(db, "StorageEncrypted"),
                # An unencrypted cluster has no key (Neptune API reference, DBCluster.KmsKeyId).
                "kms_key_arn": db.get("KmsKeyId") or ABSENT,
                "deletion_protection": flag(db, "DeletionProtection"),
                "backup_retention_period": sent(db, "BackupRetentionPeriod"),
                "enable_cloudwatch_logs_exports": sorted_exports(db),
                "iam_database_authentication_enabled": flag(db, "IAMDatabaseAuthenticationEnabled"),
                "copy_tags_to_snapshot": flag(db, "CopyTagsToSnapshot"),
                "neptune_subnet_group_name": db.get("DBSubnetGroup") or ABSENT,
                "neptune_cluster_parameter_group_name": db.get("DBClusterParameterGroup") or ABSENT,
                "vpc_security_group_ids": security_group_ids(db),
                "cluster_members": member_ids(db),
                "status": sent(db, "Status"),
            },
        )

    yield from ctx.map(describe, listed)


def _snapshots(ctx: CollectContext) -> Iterator[Resource]:
    return collect_cluster_snapshots(ctx, "aws_neptune_cluster_snapshot", ENGINES)


CLUSTER = ResourceType(
    "aws_neptune_cluster",
    CLUSTER_ATTRIBUTES,
    observed_only=("status",),
    name_path="cluster_identifier",
    sources={"neptune:ListTagsForResource": ("tags",)},
    # Provider defaults (docs of aws_neptune_cluster): the neptune engine on port 8182, no encryption, no deletion
    # protection, one day of backups, no tags copied.
    defaults={
        "engine": "neptune",
        "port": 8182,
        "storage_encrypted": False,
        "deletion_protection": False,
        "backup_retention_period": 1,
        "copy_tags_to_snapshot": False,
    },
    from_terraform=sorted_string_lists("enable_cloudwatch_logs_exports", "vpc_security_group_ids", "cluster_members"),
    drift_ignore=("cluster_identifier", "engine_version", "status", "cluster_members", "port"),
)

SNAPSHOT = ResourceType(
    "aws_neptune_cluster_snapshot",
    CLUSTER_SNAPSHOT_ATTRIBUTES,
    observed_only=("shared_accounts", "status"),
    name_path="db_cluster_snapshot_identifier",
    sources={"neptune:DescribeDBClusterSnapshotAttributes": ("shared_accounts",)},
    from_terraform=terraform_snapshot,
    drift_ignore=("db_cluster_snapshot_identifier", "status", "engine_version"),
    # Neptune takes automated snapshots itself: no configuration is expected to manage them.
    made_by_aws=(("snapshot_type", "automated"),),
)

COLLECTORS = (
    Collector(
        name="neptune.clusters",
        service="neptune",
        resource_types=(CLUSTER,),
        calls=("rds:DescribeDBClusters", "rds:ListTagsForResource"),
        collect=_clusters,
        description="Every Amazon Neptune DB cluster in the region.",
        notes=(
            "DescribeDBClusters through the Neptune client, filtered to engine `neptune`; tags from "
            "ListTagsForResource (Neptune's answers carry none). `vpc_security_group_ids`, `cluster_members` and "
            "`enable_cloudwatch_logs_exports` are sorted; `kms_key_arn` is absent for an unencrypted cluster. "
            "Tested against moto, which serves Neptune clusters from its RDS backend but refuses IAM "
            "authentication at create time (it is turned on with ModifyDBCluster instead)."
        ),
    ),
    Collector(
        name="neptune.cluster_snapshots",
        service="neptune",
        resource_types=(SNAPSHOT,),
        calls=("rds:DescribeDBClusterSnapshots", "rds:DescribeDBClusterSnapshotAttributes"),
        collect=_snapshots,
        description="Every Neptune DB cluster snapshot in the region, manual and automated.",
        notes=(
            "DescribeDBClusterSnapshots filtered to engine `neptune`. `shared_accounts` is the `restore` attribute "
            "of a manual snapshot (DescribeDBClusterSnapshotAttributes; `all` means public, sorted); automated "
            "snapshots cannot be shared and are asked nothing (`[]`). Terraform's snapshot type has no sharing "
            "argument, so a plan cannot decide it."
        ),
    ),
)
