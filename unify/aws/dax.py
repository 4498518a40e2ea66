"""DynamoDB Accelerator (DAX): ``aws_dax_cluster``, every cluster of the region with its encryption settings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

ATTRIBUTES = (
    "cluster_name",
    "arn",
    "node_type",
    "replication_factor",
    "iam_role_arn",
    "subnet_group_name",
    "security_group_ids",
    "server_side_encryption",
    "cluster_endpoint_encryption_type",
)


def _clusters(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    clusters = list(ctx.items(client, "describe_clusters", "Clusters", each=("ClusterName", "ClusterArn")))

    def describe(cluster: dict[str, Any]) -> Resource:
        arn = cluster["ClusterArn"]
        tags = ctx.detail(lambda: ctx.call(client, "list_tags", ResourceName=arn, expect=("Tags",))["Tags"])
        sse = cluster.get("SSEDescription")
        return ctx.resource(
            "aws_dax_cluster",
            arn,
            name=cluster["ClusterName"],
            tags=tags,
            attributes={
                "cluster_name": cluster["ClusterName"],
                "arn": arn,
                "node_type": sent(cluster, "NodeType"),
                "replication_factor": sent(cluster, "TotalNodes"),
                "iam_role_arn": cluster.get("IamRoleArn") or ABSENT,
                "subnet_group_name": cluster.get("SubnetGroup") or ABSENT,
                "security_group_ids": sorted(
                    str(group.get("SecurityGroupIdentifier"))
                    for group in cluster.get("SecurityGroups") or []
                    if isinstance(group, Mapping)
                ),
                # A cluster created without SSESpecification is not encrypted at rest, and DescribeClusters then
                # reports DISABLED or no SSEDescription (DAX API reference, SSEDescription).
                "server_side_encryption": {
                    "enabled": isinstance(sse, Mapping) and sse.get("Status") in ("ENABLED", "ENABLING")
                },
                # "ClusterEndpointEncryptionType ... NONE for no encryption (the default)" (DAX API reference).
                "cluster_endpoint_encryption_type": cluster.get("ClusterEndpointEncryptionType") or "NONE",
            },
        )

    yield from ctx.map(describe, clusters)


CLUSTER = ResourceType(
    "aws_dax_cluster",
    ATTRIBUTES,
    name_path="cluster_name",
    sources={"dax:ListTags": ("tags",)},
    single_blocks=("server_side_encryption",),
    # "cluster_endpoint_encryption_type ... Default value is NONE" (Terraform AWS provider, aws_dax_cluster); a
    # cluster without a server_side_encryption block is not encrypted at rest.
    defaults={"cluster_endpoint_encryption_type": "NONE", "server_side_encryption": {"enabled": False}},
)

COLLECTORS = (
    Collector(
        name="dax.clusters",
        service="dax",
        resource_types=(CLUSTER,),
        calls=("dax:DescribeClusters", "dax:ListTags"),
        collect=_clusters,
        description="Every DynamoDB Accelerator (DAX) cluster in the region, with encryption at rest and in transit.",
        notes=(
            "`server_side_encryption` is `{enabled}` (SSEDescription ENABLED), `cluster_endpoint_encryption_type` "
            "is `TLS` or `NONE` (encryption in transit). `replication_factor` is the cluster's node count. "
            "moto reports new clusters as `creating` with no nodes active."
        ),
    ),
)
