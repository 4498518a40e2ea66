"""Redshift: ``aws_redshift_cluster``, every provisioned cluster with its network, encryption, backups and audit logs.

Audit logging is a sub-resource in AWS's API (DescribeLoggingStatus) and, in
Terraform, either the cluster's deprecated ``logging`` block or the side
resource ``aws_redshift_logging``; both end as the cluster's
``logging: {enable, bucket_name, s3_key_prefix, log_destination_type, log_exports}``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import Fold, ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

ATTRIBUTES = (
    "cluster_identifier",
    "arn",
    "node_type",
    "number_of_nodes",
    "database_name",
    "master_username",
    "port",
    "publicly_accessible",
    "encrypted",
    "kms_key_id",
    "enhanced_vpc_routing",
    "automated_snapshot_retention_period",
    "allow_version_upgrade",
    "multi_az",
    "cluster_parameter_group_name",
    "cluster_subnet_group_name",
    "vpc_security_group_ids",
    "logging",
    # extras only observation can see
    "cluster_status",
)


def _logging(answer: Mapping[str, Any]) -> dict[str, Any]:
    """DescribeLoggingStatus in the provider's names; the destination only where logging is on."""
    enabled = bool(answer["LoggingEnabled"])
    block: dict[str, Any] = {"enable": enabled}
    if enabled:
        for field, key in (
            ("BucketName", "bucket_name"),
            ("S3KeyPrefix", "s3_key_prefix"),
            ("LogDestinationType", "log_destination_type"),
        ):
            if answer.get(field):
                block[key] = answer[field]
        if answer.get("LogExports"):
            block["log_exports"] = sorted(answer["LogExports"])
    return block


def _multi_az(cluster: Mapping[str, Any]) -> Any:
    """``MultiAZ`` is the text ``Enabled`` or ``Disabled`` (Redshift API reference, Cluster)."""
    return sent(cluster, "MultiAZ", lambda value: str(value).lower() == "enabled")


def _clusters(ctx: CollectContext) -> Iterator[Resource]:
    redshift = ctx.client()
    listed = list(ctx.items(redshift, "describe_clusters", "Clusters", each=("ClusterIdentifier",)))

    def describe(cluster: dict[str, Any]) -> Resource:
        identifier = cluster["ClusterIdentifier"]
        # DescribeClusters sends no cluster ARN; its documented form is arn:aws:redshift:REGION:ACCOUNT:cluster:ID.
        arn = ctx.arn("redshift", f"cluster:{identifier}")
        logging = ctx.detail(
            lambda: _logging(
                ctx.call(redshift, "describe_logging_status", ClusterIdentifier=identifier, expect=("LoggingEnabled",))
            )
        )
        endpoint = cluster.get("Endpoint") or {}
        groups = cluster.get("ClusterParameterGroups") or []
        return ctx.resource(
            "aws_redshift_cluster",
            arn,
            name=identifier,
            tags=sent(cluster, "Tags"),
            attributes={
                "cluster_identifier": identifier,
                "arn": arn,
                "node_type": sent(cluster, "NodeType"),
                "number_of_nodes": sent(cluster, "NumberOfNodes"),
                "database_name": sent(cluster, "DBName"),
                "master_username": sent(cluster, "MasterUsername"),
                # No endpoint while the cluster is being created (Redshift API reference, Cluster.Endpoint).
                "port": endpoint.get("Port", ABSENT),
                "publicly_accessible": sent(cluster, "PubliclyAccessible", bool),
                "encrypted": sent(cluster, "Encrypted", bool),
                # An unencrypted cluster has no key (Redshift API reference, Cluster.KmsKeyId).
                "kms_key_id": cluster.get("KmsKeyId") or ABSENT,
                "enhanced_vpc_routing": sent(cluster, "EnhancedVpcRouting", bool),
                "automated_snapshot_retention_period": sent(cluster, "AutomatedSnapshotRetentionPeriod"),
                "allow_version_upgrade": sent(cluster, "AllowVersionUpgrade", bool),
                "multi_az": _multi_az(cluster),
                "cluster_parameter_group_name": groups[0].get("ParameterGroupName", ABSENT) if groups else ABSENT,
                "cluster_subnet_group_name": cluster.get("ClusterSubnetGroupName") or ABSENT,
                "vpc_security_group_ids": sorted(
                    str(g["VpcSecurityGroupId"])
                    for g in cluster.get("VpcSecurityGroups") or []
                    if "VpcSecurityGroupId" in g
                ),
                "logging": logging,
                "cluster_status": sent(cluster, "ClusterStatus"),
            },
        )

    yield from ctx.map(describe, listed)


def _terraform_logging(block: Mapping[str, Any], *, enable: Any) -> dict[str, Any]:
    shaped: dict[str, Any] = {"enable": enable}
    if enable is True:
        for key in ("bucket_name", "s3_key_prefix", "log_destination_type"):
            if block.get(key) not in (None, ""):
                shaped[key] = block[key]
        exports = block.get("log_exports")
        if isinstance(exports, list) and exports:
            shaped["log_exports"] = sorted(exports)
        elif is_unknown(exports):
            shaped["log_exports"] = exports
    return shaped


def _fold_logging(values: Mapping[str, Any]) -> Any:
    """``aws_redshift_logging``: the resource's existence turns logging on (docs of aws_redshift_logging)."""
    return _terraform_logging(values, enable=True)


def _from_terraform(values: dict[str, Any]) -> None:
    logging = values.get("logging")
    if isinstance(logging, dict) and not is_unknown(logging):
        enable = logging.get("enable")
        values["logging"] = _terraform_logging(logging, enable=enable if is_unknown(enable) else bool(enable))
    groups = values.get("vpc_security_group_ids")
    if isinstance(groups, list) and all(isinstance(g, str) for g in groups):
        values["vpc_security_group_ids"] = sorted(groups)


CLUSTER = ResourceType(
    "aws_redshift_cluster",
    ATTRIBUTES,
    observed_only=("cluster_status",),
    name_path="cluster_identifier",
    sources={"redshift:DescribeLoggingStatus": ("logging",)},
    single_blocks=("logging",),
    from_terraform=_from_terraform,
    folds=(Fold("aws_redshift_logging", "logging", _fold_logging, reference="cluster_identifier"),),
    # The deprecated block is computed by the provider: a new cluster logs nothing unless configured to.
    created_empty=(("logging", "logging", {"enable": False}),),
    drift_ignore=("cluster_identifier", "cluster_status", "port"),
)

COLLECTORS = (
    Collector(
        name="redshift.clusters",
        service="redshift",
        resource_types=(CLUSTER,),
        calls=("redshift:DescribeClusters", "redshift:DescribeLoggingStatus"),
        collect=_clusters,
        description="Every provisioned Amazon Redshift cluster in the region.",
        notes=(
            "DescribeClusters (tags included), then DescribeLoggingStatus per cluster for `logging` {enable, "
            "bucket_name, s3_key_prefix, log_destination_type, log_exports}, the destination only when logging is "
            "on. `multi_az` is AWS's `MultiAZ` (`Enabled`/`Disabled`) as a boolean; `kms_key_id` is absent for an "
            "unencrypted cluster, `port` while the cluster has no endpoint; `vpc_security_group_ids` is sorted. "
            "moto (5.x) sends no `MultiAZ`, so there `multi_az` is unknown."
        ),
    ),
)
