"""DB clusters and their snapshots in the RDS API family (Aurora and Multi-AZ RDS, DocumentDB, Neptune).

DocumentDB and Neptune are served by RDS's API under their own names: their
clients list DB clusters and cluster snapshots with the same operations and
answer shapes, and a listing returns the clusters of every engine unless it
is filtered by engine (RDS API reference, DescribeDBClusters: "This operation
can also return information for Amazon Neptune DB instances and Amazon
DocumentDB instances"). Each service module declares its own types and
passes its names in; the reading they share is here, and names no type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final

from unify.model.resource import Resource, known
from unify.observe.collector import ABSENT, CollectContext, sent

__all__ = [
    "CLUSTER_FIELDS",
    "CLUSTER_SNAPSHOT_ATTRIBUTES",
    "SNAPSHOT_FIELDS",
    "cluster_snapshots",
    "clusters",
    "collect_cluster_snapshots",
    "flag",
    "member_ids",
    "security_group_ids",
    "shared_accounts",
    "snapshot_attributes",
    "sorted_exports",
    "sorted_string_lists",
    "tags_of",
    "terraform_snapshot",
]

#: What every listed cluster must carry for the collector to place it.
CLUSTER_FIELDS: Final = ("DBClusterIdentifier", "DBClusterArn", "Engine")
#: The attributes of a DocumentDB or Neptune cluster snapshot (:func:`snapshot_attributes` fills them).
CLUSTER_SNAPSHOT_ATTRIBUTES: Final = (
    "db_cluster_snapshot_identifier",
    "db_cluster_snapshot_arn",
    "db_cluster_identifier",
    "engine",
    "engine_version",
    "storage_encrypted",
    "kms_key_id",
    "snapshot_type",
    # extras only observation can see
    "shared_accounts",
    "status",
)
SNAPSHOT_FIELDS: Final = ("DBClusterSnapshotIdentifier", "DBClusterSnapshotArn", "Engine", "SnapshotType")


def _engine_filter(engines: Sequence[str] | None) -> dict[str, Any]:
    return {"Filters": [{"Name": "engine", "Values": list(engines)}]} if engines else {}


def clusters(ctx: CollectContext, client: Any, *, engines: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Every DB cluster the client lists, of ``engines`` only when given."""
    return list(ctx.items(client, "describe_db_clusters", "DBClusters", each=CLUSTER_FIELDS, **_engine_filter(engines)))


def cluster_snapshots(
    ctx: CollectContext, client: Any, *, engines: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Every DB cluster snapshot the client lists (manual and automated), of ``engines`` only when given."""
    return list(
        ctx.items(
            client,
            "describe_db_cluster_snapshots",
            "DBClusterSnapshots",
            each=SNAPSHOT_FIELDS,
            **_engine_filter(engines),
        )
    )


def flag(answer: Mapping[str, Any], key: str) -> Any:
    """A boolean the answer should carry; a missing one is not observed."""
    return sent(answer, key, bool)


def sorted_exports(answer: Mapping[str, Any]) -> list[str]:
    """``EnabledCloudwatchLogsExports``: absent or empty when nothing is exported (RDS API reference, DBCluster)."""
    return sorted(str(log) for log in answer.get("EnabledCloudwatchLogsExports") or [])


def security_group_ids(answer: Mapping[str, Any]) -> Any:
    return sent(answer, "VpcSecurityGroups", lambda groups: sorted(g["VpcSecurityGroupId"] for g in groups))


def member_ids(answer: Mapping[str, Any]) -> list[str]:
    """The instance identifiers of ``DBClusterMembers``, sorted; a cluster without instances lists none."""
    return sorted(
        str(member["DBInstanceIdentifier"])
        for member in answer.get("DBClusterMembers") or []
        if isinstance(member, dict) and member.get("DBInstanceIdentifier")
    )


def sorted_string_lists(*keys: str) -> Callable[[dict[str, Any]], None]:
    """A ``from_terraform`` that sorts the string sets ``keys`` name, as the collectors report them."""

    def sort(values: dict[str, Any]) -> None:
        for key in keys:
            value = values.get(key)
            if isinstance(value, list) and all(isinstance(item, str) for item in value):
                values[key] = sorted(value)

    return sort


def tags_of(ctx: CollectContext, client: Any, arn: str) -> Any:
    """The tags of a resource whose description carries none (DocumentDB and Neptune answers have no TagList)."""
    return ctx.detail(
        lambda: ctx.call(client, "list_tags_for_resource", ResourceName=arn, expect=("TagList",))["TagList"]
    )


def shared_accounts(ctx: CollectContext, client: Any, snapshot: Mapping[str, Any], *, cluster: bool) -> Any:
    """The accounts a manual snapshot may be restored by (``all``: public), sorted.

    Automated snapshots cannot be shared (RDS User Guide, "Sharing a DB
    snapshot": "You can't share automated DB snapshots"), so they are asked
    nothing and share with no one.
    """
    if snapshot.get("SnapshotType") != "manual":
        return []
    if cluster:
        operation, key, identifier = (
            "describe_db_cluster_snapshot_attributes",
            "DBClusterSnapshotAttributesResult",
            {"DBClusterSnapshotIdentifier": snapshot["DBClusterSnapshotIdentifier"]},
        )
        attributes = "DBClusterSnapshotAttributes"
    else:
        operation, key, identifier = (
            "describe_db_snapshot_attributes",
            "DBSnapshotAttributesResult",
            {"DBSnapshotIdentifier": snapshot["DBSnapshotIdentifier"]},
        )
        attributes = "DBSnapshotAttributes"

    def read() -> list[str]:
        answer = ctx.call(client, operation, expect=(f"{key}.{attributes}",), **identifier)
        values: set[str] = set()
        for attribute in answer[key][attributes]:
            if attribute.get("AttributeName") == "restore":
                values.update(str(value) for value in attribute.get("AttributeValues") or [])
        return sorted(values)

    return ctx.detail(read)


def snapshot_attributes(snapshot: Mapping[str, Any], encrypted: str, shared: Any) -> dict[str, Any]:
    """The attributes every cluster snapshot type has, in the providers' names; ``encrypted`` names the flag."""
    return {
        "db_cluster_snapshot_identifier": snapshot["DBClusterSnapshotIdentifier"],
        "db_cluster_snapshot_arn": snapshot["DBClusterSnapshotArn"],
        "db_cluster_identifier": sent(snapshot, "DBClusterIdentifier"),
        "engine": snapshot["Engine"],
        "engine_version": sent(snapshot, "EngineVersion"),
        encrypted: flag(snapshot, "StorageEncrypted"),
        # An unencrypted snapshot has no key (RDS API reference, DBClusterSnapshot.KmsKeyId).
        "kms_key_id": snapshot.get("KmsKeyId") or ABSENT,
        "snapshot_type": snapshot["SnapshotType"],
        "shared_accounts": shared,
        "status": sent(snapshot, "Status"),
    }


def terraform_snapshot(values: dict[str, Any]) -> None:
    """A snapshot Terraform makes is a manual one (it calls Create...Snapshot); its shared accounts are a set."""
    if not known(values.get("snapshot_type")):
        values["snapshot_type"] = "manual"
    shared = values.get("shared_accounts")
    if isinstance(shared, list) and all(isinstance(item, str) for item in shared):
        values["shared_accounts"] = sorted(shared)


def collect_cluster_snapshots(ctx: CollectContext, type_name: str, engines: Sequence[str]) -> Iterator[Resource]:
    """The cluster snapshots of ``engines``, as ``type_name``.

    DocumentDB and Neptune snapshots carry no tags, in Terraform or in the
    answer, so there is nothing to read per snapshot but who may restore it.
    """
    client = ctx.client()
    listed = cluster_snapshots(ctx, client, engines=engines)

    def describe(snapshot: dict[str, Any]) -> Resource:
        shared = shared_accounts(ctx, client, snapshot, cluster=True)
        return ctx.resource(
            type_name,
            snapshot["DBClusterSnapshotArn"],
            name=snapshot["DBClusterSnapshotIdentifier"],
            tags=None,
            attributes=snapshot_attributes(snapshot, "storage_encrypted", shared),
        )

    yield from ctx.map(describe, listed)
