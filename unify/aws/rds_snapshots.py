"""RDS snapshots: ``aws_db_snapshot`` (of DB instances) and ``aws_db_cluster_snapshot`` (of Aurora and RDS clusters).

Both kinds are listed manual and automated; who may restore a manual one (its
``restore`` attribute, ``all`` when public) is read per snapshot. Cluster
snapshots of DocumentDB and Neptune are their own types (``docdb.py``,
``neptune.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.aws.db_clusters import (
    CLUSTER_SNAPSHOT_ATTRIBUTES,
    cluster_snapshots,
    flag,
    shared_accounts,
    snapshot_attributes,
    terraform_snapshot,
)
from unify.aws.rds_clusters import OTHER_ENGINES
from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

SNAPSHOT_ATTRIBUTES = (
    "db_snapshot_identifier",
    "db_snapshot_arn",
    "db_instance_identifier",
    "engine",
    "engine_version",
    "encrypted",
    "kms_key_id",
    "snapshot_type",
    "shared_accounts",
    # extras only observation can see
    "status",
)

_SNAPSHOT_FIELDS = ("DBSnapshotIdentifier", "DBSnapshotArn", "Engine", "SnapshotType")


def _snapshots(ctx: CollectContext) -> Iterator[Resource]:
    rds = ctx.client()
    listed = list(ctx.items(rds, "describe_db_snapshots", "DBSnapshots", each=_SNAPSHOT_FIELDS))

    def describe(snapshot: dict[str, Any]) -> Resource:
        arn = snapshot["DBSnapshotArn"]
        return ctx.resource(
            "aws_db_snapshot",
            arn,
            name=snapshot["DBSnapshotIdentifier"],
            tags=sent(snapshot, "TagList"),
            attributes={
                "db_snapshot_identifier": snapshot["DBSnapshotIdentifier"],
                "db_snapshot_arn": arn,
                "db_instance_identifier": sent(snapshot, "DBInstanceIdentifier"),
                "engine": snapshot["Engine"],
                "engine_version": sent(snapshot, "EngineVersion"),
                "encrypted": flag(snapshot, "Encrypted"),
                # An unencrypted snapshot has no key (RDS API reference, DBSnapshot.KmsKeyId).
                "kms_key_id": snapshot.get("KmsKeyId") or ABSENT,
                "snapshot_type": snapshot["SnapshotType"],
                "shared_accounts": shared_accounts(ctx, rds, snapshot, cluster=False),
                "status": sent(snapshot, "Status"),
            },
        )

    yield from ctx.map(describe, listed)


def _cluster_snapshots(ctx: CollectContext) -> Iterator[Resource]:
    rds = ctx.client()
    listed = [s for s in cluster_snapshots(ctx, rds) if s["Engine"] not in OTHER_ENGINES]

    def describe(snapshot: dict[str, Any]) -> Resource:
        arn = snapshot["DBClusterSnapshotArn"]
        shared = shared_accounts(ctx, rds, snapshot, cluster=True)
        return ctx.resource(
            "aws_db_cluster_snapshot",
            arn,
            name=snapshot["DBClusterSnapshotIdentifier"],
            tags=sent(snapshot, "TagList"),
            attributes=snapshot_attributes(snapshot, "storage_encrypted", shared),
        )

    yield from ctx.map(describe, listed)


SNAPSHOT = ResourceType(
    "aws_db_snapshot",
    SNAPSHOT_ATTRIBUTES,
    observed_only=("status",),
    name_path="db_snapshot_identifier",
    # Asked per manual snapshot only; an automated one shares with no one and is asked nothing.
    sources={"rds:DescribeDBSnapshotAttributes": ("shared_accounts",)},
    from_terraform=terraform_snapshot,
    drift_ignore=("db_snapshot_identifier", "status", "engine_version"),
    # RDS takes automated snapshots itself: no configuration is expected to manage them.
    made_by_aws=(("snapshot_type", "automated"),),
)

CLUSTER_SNAPSHOT = ResourceType(
    "aws_db_cluster_snapshot",
    CLUSTER_SNAPSHOT_ATTRIBUTES,
    observed_only=("status",),
    name_path="db_cluster_snapshot_identifier",
    sources={"rds:DescribeDBClusterSnapshotAttributes": ("shared_accounts",)},
    from_terraform=terraform_snapshot,
    drift_ignore=("db_cluster_snapshot_identifier", "status", "engine_version"),
    made_by_aws=(("snapshot_type", "automated"),),
)

_SHARING_NOTE = (
    "`shared_accounts` is the `restore` attribute of a manual snapshot (`all` means anyone may restore it), sorted; "
    "automated snapshots cannot be shared and are asked nothing (`[]`). `kms_key_id` is absent for an unencrypted "
    "snapshot. Automated snapshots are AWS's own, never unmanaged in drift."
)

COLLECTORS = (
    Collector(
        name="rds.db_snapshots",
        service="rds",
        resource_types=(SNAPSHOT,),
        calls=("rds:DescribeDBSnapshots", "rds:DescribeDBSnapshotAttributes"),
        collect=_snapshots,
        description="Every RDS DB instance snapshot in the region, manual and automated.",
        notes=f"DescribeDBSnapshots, then DescribeDBSnapshotAttributes per manual snapshot. {_SHARING_NOTE}",
    ),
    Collector(
        name="rds.db_cluster_snapshots",
        service="rds",
        resource_types=(CLUSTER_SNAPSHOT,),
        calls=("rds:DescribeDBClusterSnapshots", "rds:DescribeDBClusterSnapshotAttributes"),
        collect=_cluster_snapshots,
        description="Every Aurora and RDS DB cluster snapshot in the region (not DocumentDB or Neptune).",
        notes=(
            "DescribeDBClusterSnapshots, then DescribeDBClusterSnapshotAttributes per manual snapshot; snapshots "
            f"of the `docdb` and `neptune` engines are left to their own types. {_SHARING_NOTE}"
        ),
    ),
)
