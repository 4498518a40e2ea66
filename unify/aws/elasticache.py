"""ElastiCache: ``aws_elasticache_replication_group`` and ``aws_elasticache_cluster``.

A replication group (Redis OSS or Valkey) is the unit Terraform manages for
replicated caches; its member clusters are made by the group, so the cluster
collector leaves members out (they are observed through their group) and
reports standalone clusters (Memcached, single-node Redis OSS).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

GROUP_ATTRIBUTES = (
    "replication_group_id",
    "arn",
    "description",
    "engine",
    "node_type",
    "automatic_failover_enabled",
    "multi_az_enabled",
    "at_rest_encryption_enabled",
    "transit_encryption_enabled",
    "kms_key_id",
    "snapshot_retention_limit",
    "auto_minor_version_upgrade",
    "user_group_ids",
    "member_clusters",
    # extras only observation can see
    "auth_token_enabled",
    "status",
)

CLUSTER_ATTRIBUTES = (
    "cluster_id",
    "arn",
    "engine",
    "engine_version",
    "node_type",
    "num_cache_nodes",
    "snapshot_retention_limit",
    "subnet_group_name",
    "security_group_ids",
    "auto_minor_version_upgrade",
    "transit_encryption_enabled",
    "parameter_group_name",
    # extras only observation can see
    "status",
)


def _enabled(answer: Mapping[str, Any], key: str) -> Any:
    """``enabled``/``disabled`` (and ``enabling``/``disabling``) as a boolean: on only when ``enabled``."""
    return sent(answer, key, lambda value: str(value).lower() == "enabled")


def _tags(ctx: CollectContext, client: Any, arn: str) -> Any:
    return ctx.detail(
        lambda: ctx.call(client, "list_tags_for_resource", ResourceName=arn, expect=("TagList",))["TagList"]
    )


def _groups(ctx: CollectContext) -> Iterator[Resource]:
    elasticache = ctx.client()
    listed = list(
        ctx.items(elasticache, "describe_replication_groups", "ReplicationGroups", each=("ReplicationGroupId", "ARN"))
    )

    def describe(group: dict[str, Any]) -> Resource:
        group_id, arn = group["ReplicationGroupId"], group["ARN"]
        return ctx.resource(
            "aws_elasticache_replication_group",
            arn,
            name=group_id,
            tags=_tags(ctx, elasticache, arn),
            attributes={
                "replication_group_id": group_id,
                "arn": arn,
                "description": sent(group, "Description"),
                # Engine is sent by current API versions (ElastiCache API reference, ReplicationGroup.Engine).
                "engine": sent(group, "Engine"),
                "node_type": sent(group, "CacheNodeType"),
                "automatic_failover_enabled": _enabled(group, "AutomaticFailover"),
                "multi_az_enabled": _enabled(group, "MultiAZ"),
                "at_rest_encryption_enabled": sent(group, "AtRestEncryptionEnabled", bool),
                "transit_encryption_enabled": sent(group, "TransitEncryptionEnabled", bool),
                # Sent only for groups encrypted with a customer key (ElastiCache API reference, ReplicationGroup).
                "kms_key_id": group.get("KmsKeyId") or ABSENT,
                "snapshot_retention_limit": sent(group, "SnapshotRetentionLimit"),
                "auto_minor_version_upgrade": sent(group, "AutoMinorVersionUpgrade", bool),
                "user_group_ids": sorted(str(i) for i in group.get("UserGroupIds") or []),
                "member_clusters": sorted(str(i) for i in group.get("MemberClusters") or []),
                "auth_token_enabled": sent(group, "AuthTokenEnabled", bool),
                "status": sent(group, "Status"),
            },
        )

    yield from ctx.map(describe, listed)


def _clusters(ctx: CollectContext) -> Iterator[Resource]:
    elasticache = ctx.client()
    listed = [
        cluster
        for cluster in ctx.items(
            elasticache, "describe_cache_clusters", "CacheClusters", each=("CacheClusterId", "ARN")
        )
        if not cluster.get("ReplicationGroupId")
    ]

    def describe(cluster: dict[str, Any]) -> Resource:
        cluster_id, arn = cluster["CacheClusterId"], cluster["ARN"]
        group = cluster.get("CacheParameterGroup")
        return ctx.resource(
            "aws_elasticache_cluster",
            arn,
            name=cluster_id,
            tags=_tags(ctx, elasticache, arn),
            attributes={
                "cluster_id": cluster_id,
                "arn": arn,
                "engine": sent(cluster, "Engine"),
                "engine_version": sent(cluster, "EngineVersion"),
                "node_type": sent(cluster, "CacheNodeType"),
                "num_cache_nodes": sent(cluster, "NumCacheNodes"),
                "snapshot_retention_limit": sent(cluster, "SnapshotRetentionLimit"),
                "subnet_group_name": sent(cluster, "CacheSubnetGroupName"),
                "security_group_ids": sorted(
                    str(g["SecurityGroupId"]) for g in cluster.get("SecurityGroups") or [] if "SecurityGroupId" in g
                ),
                "auto_minor_version_upgrade": sent(cluster, "AutoMinorVersionUpgrade", bool),
                # Sent only where the engine supports it (ElastiCache API reference, CacheCluster).
                "transit_encryption_enabled": cluster.get("TransitEncryptionEnabled", ABSENT),
                "parameter_group_name": group.get("CacheParameterGroupName", ABSENT)
                if isinstance(group, dict)
                else ABSENT,
                "status": sent(cluster, "CacheClusterStatus"),
            },
        )

    yield from ctx.map(describe, listed)


def _sorted_ids(values: dict[str, Any], *keys: str) -> None:
    for key in keys:
        value = values.get(key)
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            values[key] = sorted(value)


def _group_from_terraform(values: dict[str, Any]) -> None:
    _sorted_ids(values, "user_group_ids", "member_clusters")


def _cluster_from_terraform(values: dict[str, Any]) -> None:
    """The provider keeps a cluster's ``auto_minor_version_upgrade`` as the text "true"/"false"."""
    flag = values.get("auto_minor_version_upgrade")
    if isinstance(flag, str) and not is_unknown(flag):
        values["auto_minor_version_upgrade"] = flag.lower() == "true"
    _sorted_ids(values, "security_group_ids")


REPLICATION_GROUP = ResourceType(
    "aws_elasticache_replication_group",
    GROUP_ATTRIBUTES,
    observed_only=("auth_token_enabled", "status"),
    name_path="replication_group_id",
    sources={"elasticache:ListTagsForResource": ("tags",)},
    # Provider defaults (docs of aws_elasticache_replication_group): the redis engine, no automatic failover or
    # Multi-AZ, minor upgrades applied. The provider has no default retention: AWS's is 0, backups off
    # (ElastiCache API reference, CreateReplicationGroup SnapshotRetentionLimit).
    defaults={
        "engine": "redis",
        "automatic_failover_enabled": False,
        "multi_az_enabled": False,
        "snapshot_retention_limit": 0,
        "auto_minor_version_upgrade": True,
    },
    from_terraform=_group_from_terraform,
    drift_ignore=("member_clusters", "status", "auth_token_enabled"),
)

CLUSTER = ResourceType(
    "aws_elasticache_cluster",
    CLUSTER_ATTRIBUTES,
    observed_only=("status",),
    name_path="cluster_id",
    sources={"elasticache:ListTagsForResource": ("tags",)},
    # Provider default (docs of aws_elasticache_cluster): minor upgrades applied. No snapshots kept is AWS's
    # default (ElastiCache API reference, CreateCacheCluster SnapshotRetentionLimit).
    defaults={"snapshot_retention_limit": 0, "auto_minor_version_upgrade": True},
    from_terraform=_cluster_from_terraform,
    drift_ignore=("status", "engine_version"),
)

COLLECTORS = (
    Collector(
        name="elasticache.replication_groups",
        service="elasticache",
        resource_types=(REPLICATION_GROUP,),
        calls=("elasticache:DescribeReplicationGroups", "elasticache:ListTagsForResource"),
        collect=_groups,
        description="Every ElastiCache replication group (Redis OSS, Valkey) in the region.",
        notes=(
            "DescribeReplicationGroups, then ListTagsForResource per group. `automatic_failover_enabled` and "
            "`multi_az_enabled` are true only when AWS answers `enabled` (not while enabling); `kms_key_id` is "
            "absent for groups without a customer key; `user_group_ids` and `member_clusters` are sorted. "
            "`auth_token_enabled` is AWS's AuthTokenEnabled: the token itself is never read."
        ),
    ),
    Collector(
        name="elasticache.clusters",
        service="elasticache",
        resource_types=(CLUSTER,),
        calls=("elasticache:DescribeCacheClusters", "elasticache:ListTagsForResource"),
        collect=_clusters,
        description="Every standalone ElastiCache cluster in the region (not members of replication groups).",
        notes=(
            "DescribeCacheClusters, then ListTagsForResource per cluster; clusters that belong to a replication "
            "group are left to it. `security_group_ids` is sorted; `transit_encryption_enabled` and "
            "`parameter_group_name` are absent when AWS sends none. moto (5.x) sends `AutoMinorVersionUpgrade`, "
            "`CacheSubnetGroupName` and `EngineVersion` only when they were given at create, and lists no member "
            "clusters of replication groups."
        ),
    ),
)
