"""EMR: ``aws_emr_cluster`` (active clusters, with their primary nodes' public addresses) and the account's
block public access setting.

Whether a cluster's primary node has a public IP address depends on the
subnet it was launched in; only the running instances say so, so
``master_public_ips`` is a fact of observation (ListInstances).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent
from unify.terraform.values import single

CLUSTER_ATTRIBUTES = (
    "id",
    "arn",
    "name",
    "release_label",
    "applications",
    "service_role",
    "security_configuration",
    "termination_protection",
    "visible_to_all_users",
    "log_uri",
    "ec2_attributes",
    # extras only observation can see
    "cluster_state",
    "master_public_ips",
)
BLOCK_ATTRIBUTES = ("configured", "block_public_security_group_rules", "permitted_public_security_group_rule_range")

#: Clusters that exist (terminated ones stay listed for two months; EMR API reference, ListClusters).
_ACTIVE = ("STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING", "TERMINATING")


def _master_ips(ctx: CollectContext, client: Any, cluster: Mapping[str, Any]) -> Any:
    cluster_id = cluster["Id"]
    fleets = cluster.get("InstanceCollectionType") == "INSTANCE_FLEET"
    kwargs = {"InstanceFleetType": "MASTER"} if fleets else {"InstanceGroupTypes": ["MASTER"]}

    def read() -> list[str]:
        instances = ctx.items(client, "list_instances", "Instances", ClusterId=cluster_id, **kwargs)
        return sorted(
            {str(i["PublicIpAddress"]) for i in instances if isinstance(i, Mapping) and i.get("PublicIpAddress")}
        )

    return ctx.detail(read)


def _ec2_attributes(attributes: Any) -> Any:
    if not isinstance(attributes, Mapping):
        return ABSENT
    out = {
        "subnet_id": attributes.get("Ec2SubnetId"),
        "instance_profile": attributes.get("IamInstanceProfile"),
        "key_name": attributes.get("Ec2KeyName"),
        "emr_managed_master_security_group": attributes.get("EmrManagedMasterSecurityGroup"),
        "emr_managed_slave_security_group": attributes.get("EmrManagedSlaveSecurityGroup"),
        "service_access_security_group": attributes.get("ServiceAccessSecurityGroup"),
    }
    return {k: v for k, v in out.items() if v}


def _clusters(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    listed = list(ctx.items(client, "list_clusters", "Clusters", each=("Id",), ClusterStates=list(_ACTIVE)))

    def describe(summary: dict[str, Any]) -> Resource | None:
        cluster_id = summary["Id"]
        cluster: Any = ctx.detail(
            lambda: ctx.call(client, "describe_cluster", ClusterId=cluster_id, expect=("Cluster.Id",))["Cluster"]
        )
        arn = summary.get("ClusterArn") or ctx.arn("elasticmapreduce", f"cluster/{cluster_id}")
        if is_unknown(cluster):
            attributes = dict.fromkeys(CLUSTER_ATTRIBUTES, cluster) | {"id": cluster_id, "arn": arn}
            return ctx.resource("aws_emr_cluster", arn, name=summary.get("Name"), attributes=attributes)
        return ctx.resource(
            "aws_emr_cluster",
            arn,
            name=cluster.get("Name"),
            tags=cluster.get("Tags") or [],
            attributes={
                "id": cluster_id,
                "arn": arn,
                "name": cluster.get("Name"),
                "release_label": cluster.get("ReleaseLabel") or ABSENT,
                "applications": sorted(
                    str(a["Name"])
                    for a in cluster.get("Applications") or []
                    if isinstance(a, Mapping) and a.get("Name")
                ),
                "service_role": sent(cluster, "ServiceRole"),
                "security_configuration": cluster.get("SecurityConfiguration") or ABSENT,
                "termination_protection": bool(cluster.get("TerminationProtected", False)),
                "visible_to_all_users": bool(cluster.get("VisibleToAllUsers", True)),
                "log_uri": cluster.get("LogUri") or ABSENT,
                "ec2_attributes": _ec2_attributes(cluster.get("Ec2InstanceAttributes")),
                "cluster_state": sent(cluster.get("Status") or {}, "State"),
                "master_public_ips": _master_ips(ctx, client, cluster),
            },
        )

    for resource in ctx.map(describe, listed):
        if resource is not None:
            yield resource


def _block_public_access(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    answer = ctx.call(client, "get_block_public_access_configuration", expect=("BlockPublicAccessConfiguration",))
    config = answer["BlockPublicAccessConfiguration"]
    ranges = config.get("PermittedPublicSecurityGroupRuleRanges") or []
    yield ctx.resource(
        "aws_emr_block_public_access_configuration",
        f"{ctx.account}/{ctx.region}/aws_emr_block_public_access_configuration",
        name=None,
        attributes={
            "configured": True,
            # A required member of the answer (EMR API reference, BlockPublicAccessConfiguration): one left out
            # is not observed.
            "block_public_security_group_rules": sent(config, "BlockPublicSecurityGroupRules", bool),
            "permitted_public_security_group_rule_range": sorted(
                (
                    {"min_range": r.get("MinRange"), "max_range": r.get("MaxRange", r.get("MinRange"))}
                    for r in ranges
                    if isinstance(r, Mapping)
                ),
                key=lambda r: (r["min_range"] or 0, r["max_range"] or 0),
            ),
        },
    )


def _cluster_from_terraform(values: dict[str, Any]) -> None:
    values["ec2_attributes"] = single(values.get("ec2_attributes"))
    if isinstance(values.get("applications"), list):
        values["applications"] = sorted(values["applications"])
    for key in ("master_public_dns", "cluster_state"):
        values.pop(key, None)


CLUSTER = ResourceType(
    "aws_emr_cluster",
    CLUSTER_ATTRIBUTES,
    observed_only=("cluster_state", "master_public_ips"),
    # DescribeCluster is not declared: it gives the cluster's name and tags.
    sources={"emr:ListInstances": ("master_public_ips",)},
    from_terraform=_cluster_from_terraform,
    # "visible_to_all_users ... Default value is true" (Terraform AWS provider, aws_emr_cluster).
    defaults={"visible_to_all_users": True, "termination_protection": False},
    drift_ignore=("cluster_state", "master_public_ips"),
)

BLOCK_PUBLIC_ACCESS = ResourceType(
    "aws_emr_block_public_access_configuration",
    BLOCK_ATTRIBUTES,
    singleton=True,
)

COLLECTORS = (
    Collector(
        name="emr.clusters",
        service="emr",
        resource_types=(CLUSTER,),
        calls=("elasticmapreduce:ListClusters", "elasticmapreduce:DescribeCluster", "elasticmapreduce:ListInstances"),
        collect=_clusters,
        description="Every active EMR cluster in the region, with the public addresses of its primary nodes.",
        notes=(
            "Only clusters that exist are listed (STARTING to TERMINATING; terminated clusters are left out). "
            "`master_public_ips` lists the public IPv4 addresses of the primary (master) nodes (ListInstances "
            "for the MASTER group or fleet), `[]` when they have none. `applications` are the application "
            "names. moto (5.x) answers ListInstances with no instances and invents a public DNS name for every "
            "cluster, so the collector is tested on recorded answers shaped as the EMR API reference documents "
            "them (botocore's Stubber), and against moto for the listing."
        ),
    ),
    Collector(
        name="emr.block_public_access",
        service="emr",
        resource_types=(BLOCK_PUBLIC_ACCESS,),
        calls=("elasticmapreduce:GetBlockPublicAccessConfiguration",),
        collect=_block_public_access,
        description="The region's EMR block public access setting (one singleton per account and region).",
        notes=(
            "Always present once observed, with `configured: true` (the setting always has a value; AWS turns "
            "it on by default). `permitted_public_security_group_rule_range` lists the port ranges allowed "
            "from the internet as `[{min_range, max_range}]`. moto (5.x) answers an account that never set it "
            "without `BlockPublicSecurityGroupRules`, which is then unknown."
        ),
    ),
)
