"""EKS: ``aws_eks_cluster``, every cluster of the region (a stack's orchestrator, with Kubeflow or Kubernetes).

What a cluster's control plane exposes: whether its API server endpoint is
reachable from the internet (and from where), whether Kubernetes secrets
are encrypted with a KMS key beyond EBS's own encryption, and which control
plane logs (API server, audit, authenticator) go to CloudWatch Logs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

ATTRIBUTES = (
    "arn",
    "name",
    "role_arn",
    "version",
    "platform_version",
    "status",
    "vpc_config",
    "enabled_cluster_log_types",
    "encryption_config",
    "access_config",
    "created_at",
)


def _vpc_config(config: Any) -> Any:
    if not isinstance(config, Mapping):
        return sent({"resourcesVpcConfig": config}, "resourcesVpcConfig")
    block: dict[str, Any] = {
        "endpoint_public_access": sent(config, "endpointPublicAccess", bool),
        "endpoint_private_access": sent(config, "endpointPrivateAccess", bool),
        "subnet_ids": sorted(config.get("subnetIds") or []),
        "security_group_ids": sorted(config.get("securityGroupIds") or []),
    }
    if config.get("publicAccessCidrs") is not None:
        block["public_access_cidrs"] = sorted(config["publicAccessCidrs"])
    for source, target in (("vpcId", "vpc_id"), ("clusterSecurityGroupId", "cluster_security_group_id")):
        if config.get(source):
            block[target] = config[source]
    return block


def _log_types(logging: Any) -> Any:
    """The control-plane log types turned on, sorted; a cluster that sends none has none."""
    if not isinstance(logging, Mapping):
        return sent({"logging": logging}, "logging")
    enabled: set[str] = set()
    for setup in logging.get("clusterLogging") or []:
        if isinstance(setup, Mapping) and setup.get("enabled") is True:
            enabled.update(str(t) for t in setup.get("types") or [])
    return sorted(enabled)


def _encryption(configs: Any) -> Any:
    if not configs:
        return ABSENT
    config = configs[0]
    block: dict[str, Any] = {"resources": sorted(config.get("resources") or [])}
    key = (config.get("provider") or {}).get("keyArn")
    if key:
        block["provider"] = {"key_arn": key}
    return block


def _clusters(ctx: CollectContext) -> Iterator[Resource]:
    eks = ctx.client()
    names = sorted(ctx.items(eks, "list_clusters", "clusters"))

    def describe(name: str) -> Resource | None:
        answer: Any = ctx.detail(
            lambda: ctx.call(eks, "describe_cluster", name=name, expect=("cluster.arn",))["cluster"],
            absent=("ResourceNotFoundException",),
        )
        if answer is ABSENT:
            return None  # deleted since the listing
        if is_unknown(answer):
            arn = ctx.arn("eks", f"cluster/{name}")
            attributes: dict[str, Any] = dict.fromkeys(ATTRIBUTES, answer)
            attributes.update(arn=arn, name=name)
            return ctx.resource("aws_eks_cluster", arn, name=name, tags=answer, attributes=attributes)
        arn = answer["arn"]
        access = answer.get("accessConfig")
        return ctx.resource(
            "aws_eks_cluster",
            arn,
            name=name,
            # Cluster.tags holds the cluster's tags; a cluster without tags has none to send.
            tags=answer.get("tags", {}),
            attributes={
                "arn": arn,
                "name": name,
                "role_arn": sent(answer, "roleArn"),
                "version": sent(answer, "version"),
                "platform_version": answer.get("platformVersion", ABSENT),
                "status": sent(answer, "status"),
                "vpc_config": _vpc_config(answer.get("resourcesVpcConfig")),
                "enabled_cluster_log_types": _log_types(answer.get("logging")),
                "encryption_config": _encryption(answer.get("encryptionConfig")),
                "access_config": ABSENT
                if not isinstance(access, Mapping) or not access.get("authenticationMode")
                else {"authentication_mode": access["authenticationMode"]},
                "created_at": answer.get("createdAt", ABSENT),
            },
        )

    for resource in ctx.map(describe, names):
        if resource is not None:
            yield resource


def _from_terraform(values: dict[str, Any]) -> None:
    for key in ("enabled_cluster_log_types",):
        if isinstance(values.get(key), list):
            values[key] = sorted(values[key])
    vpc = values.get("vpc_config")
    if isinstance(vpc, dict) and not is_unknown(vpc):
        for key in ("subnet_ids", "security_group_ids", "public_access_cidrs"):
            if isinstance(vpc.get(key), list):
                vpc[key] = sorted(vpc[key])
        # Provider defaults (docs of aws_eks_cluster, vpc_config): public access on, private access off.
        vpc.setdefault("endpoint_public_access", True)
        vpc.setdefault("endpoint_private_access", False)
        for key in ("vpc_id", "cluster_security_group_id"):
            if vpc.get(key) in (None, ""):
                vpc.pop(key, None)
    encryption = values.get("encryption_config")
    if isinstance(encryption, dict) and isinstance(encryption.get("resources"), list):
        encryption["resources"] = sorted(encryption["resources"])
    access = values.get("access_config")
    if isinstance(access, dict) and not is_unknown(access):
        values["access_config"] = (
            {"authentication_mode": access["authentication_mode"]} if access.get("authentication_mode") else access
        )
    values.pop("certificate_authority", None)


CLUSTER = ResourceType(
    "aws_eks_cluster",
    ATTRIBUTES,
    single_blocks=("vpc_config", "encryption_config", "encryption_config.provider", "access_config"),
    from_terraform=_from_terraform,
    drift_ignore=("platform_version", "status", "created_at", "vpc_config.cluster_security_group_id"),
)

COLLECTORS = (
    Collector(
        name="eks.clusters",
        service="eks",
        resource_types=(CLUSTER,),
        calls=("eks:ListClusters", "eks:DescribeCluster"),
        collect=_clusters,
        description="Every EKS cluster in the region: endpoint access, secrets encryption and control-plane logs.",
        notes=(
            "`vpc_config` is {endpoint_public_access, endpoint_private_access, public_access_cidrs, subnet_ids, "
            "security_group_ids, vpc_id, cluster_security_group_id} (lists sorted); `enabled_cluster_log_types` "
            "the control-plane log types sent to CloudWatch Logs, sorted (empty when none); `encryption_config` "
            "{resources, provider: {key_arn}} is absent when secrets are not encrypted with a KMS key. When "
            "DescribeCluster fails the cluster stays with `arn` and `name` known and the rest, tags included, "
            "unknown. moto (5.x) serves both calls."
        ),
    ),
)
