"""EC2 Auto Scaling: groups and the launch configurations some of them still launch from.

Both types are regional and named as in the Terraform AWS provider
(``aws_autoscaling_group``, ``aws_launch_configuration``). A group's
instance source is one of ``launch_configuration``, ``launch_template`` or
``mixed_instances_policy.launch_template`` (whose ``override`` list names
the instance types it may use).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.aws._ec2_shared import texts
from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

GROUP_ATTRIBUTES = (
    "arn",
    "name",
    "min_size",
    "max_size",
    "desired_capacity",
    "availability_zones",
    "vpc_zone_identifier",
    "health_check_type",
    "health_check_grace_period",
    "load_balancers",
    "target_group_arns",
    "launch_configuration",
    "launch_template",
    "mixed_instances_policy",
    "capacity_rebalance",
    "service_linked_role_arn",
)
CONFIGURATION_ATTRIBUTES = (
    "arn",
    "name",
    "image_id",
    "instance_type",
    "key_name",
    "security_groups",
    "associate_public_ip_address",
    "iam_instance_profile",
    "ebs_optimized",
    "enable_monitoring",
    "metadata_options",
    "root_block_device",
    "ebs_block_device",
)


def _template(spec: Any) -> Any:
    """A launch template specification as the provider's ``launch_template`` block (id, name, version)."""
    if not isinstance(spec, Mapping) or not spec:
        return ABSENT
    block = {
        "id": spec.get("LaunchTemplateId"),
        "name": spec.get("LaunchTemplateName"),
        "version": spec.get("Version", "$Default"),
    }
    return {k: v for k, v in block.items() if v is not None}


def _mixed(policy: Any) -> Any:
    """A mixed instances policy as the provider's block; its specification keys are ``launch_template_*``."""
    if not isinstance(policy, Mapping) or not policy:
        return ABSENT
    template = policy.get("LaunchTemplate") or {}
    overrides = []
    for override in template.get("Overrides") or []:
        item = {"instance_type": override.get("InstanceType"), "weighted_capacity": override.get("WeightedCapacity")}
        overrides.append({k: v for k, v in item.items() if v})
    inner: dict[str, Any] = {"override": overrides}
    spec = template.get("LaunchTemplateSpecification")
    if isinstance(spec, Mapping) and spec:
        named = {
            "launch_template_id": spec.get("LaunchTemplateId"),
            "launch_template_name": spec.get("LaunchTemplateName"),
            "version": spec.get("Version", "$Default"),
        }
        inner["launch_template_specification"] = {k: v for k, v in named.items() if v is not None}
    return {"launch_template": inner}


def _groups(ctx: CollectContext) -> Iterator[Resource]:
    autoscaling = ctx.client()
    listing = ctx.items(
        autoscaling,
        "describe_auto_scaling_groups",
        "AutoScalingGroups",
        each=("AutoScalingGroupName", "AutoScalingGroupARN"),
    )
    for group in listing:
        name = group["AutoScalingGroupName"]
        subnets = [s for s in str(group.get("VPCZoneIdentifier") or "").split(",") if s]
        yield ctx.resource(
            "aws_autoscaling_group",
            group["AutoScalingGroupARN"],
            name=name,
            tags=[t for t in group.get("Tags") or [] if isinstance(t, Mapping)],
            attributes={
                "arn": group["AutoScalingGroupARN"],
                "name": name,
                "min_size": group.get("MinSize"),
                "max_size": group.get("MaxSize"),
                "desired_capacity": group.get("DesiredCapacity", ABSENT),
                "availability_zones": texts(group.get("AvailabilityZones")),
                "vpc_zone_identifier": sorted(subnets),
                "health_check_type": sent(group, "HealthCheckType"),
                "health_check_grace_period": group.get("HealthCheckGracePeriod", ABSENT),
                "load_balancers": texts(group.get("LoadBalancerNames")),
                "target_group_arns": texts(group.get("TargetGroupARNs")),
                "launch_configuration": group.get("LaunchConfigurationName") or ABSENT,
                "launch_template": _template(group.get("LaunchTemplate")),
                "mixed_instances_policy": _mixed(group.get("MixedInstancesPolicy")),
                "capacity_rebalance": group.get("CapacityRebalance", ABSENT),
                "service_linked_role_arn": group.get("ServiceLinkedRoleARN", ABSENT),
            },
        )


def _devices(configuration: Mapping[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
    """The root volume (the mapping named like the image's root device is not known here: the first EBS one
    whose device is ``/dev/xvda`` or ``/dev/sda1``) and the other EBS volumes, in the provider's blocks."""
    root: Any = ABSENT
    others = []
    for mapping in configuration.get("BlockDeviceMappings") or []:
        ebs = mapping.get("Ebs")
        if not isinstance(ebs, Mapping):
            continue
        block = {
            "volume_size": ebs.get("VolumeSize"),
            "volume_type": ebs.get("VolumeType"),
            "encrypted": ebs.get("Encrypted"),
            "delete_on_termination": ebs.get("DeleteOnTermination"),
            "iops": ebs.get("Iops"),
            "throughput": ebs.get("Throughput"),
        }
        block = {k: v for k, v in block.items() if v is not None}
        if root is ABSENT and mapping.get("DeviceName") in ("/dev/xvda", "/dev/sda1"):
            root = block
        else:
            others.append({"device_name": mapping.get("DeviceName"), "snapshot_id": ebs.get("SnapshotId"), **block})
    return root, sorted(others, key=lambda d: str(d["device_name"]))


def _configurations(ctx: CollectContext) -> Iterator[Resource]:
    autoscaling = ctx.client()
    listing = ctx.items(
        autoscaling,
        "describe_launch_configurations",
        "LaunchConfigurations",
        each=("LaunchConfigurationName", "LaunchConfigurationARN"),
    )
    for configuration in listing:
        name = configuration["LaunchConfigurationName"]
        options = configuration.get("MetadataOptions")
        metadata = (
            {
                k: v
                for k, v in {
                    "http_endpoint": options.get("HttpEndpoint"),
                    "http_tokens": options.get("HttpTokens"),
                    "http_put_response_hop_limit": options.get("HttpPutResponseHopLimit"),
                }.items()
                if v is not None
            }
            if isinstance(options, Mapping) and options
            else ABSENT
        )
        root, others = _devices(configuration)
        monitoring = configuration.get("InstanceMonitoring")
        yield ctx.resource(
            "aws_launch_configuration",
            configuration["LaunchConfigurationARN"],
            name=name,
            attributes={
                "arn": configuration["LaunchConfigurationARN"],
                "name": name,
                "image_id": configuration.get("ImageId"),
                "instance_type": configuration.get("InstanceType"),
                "key_name": configuration.get("KeyName") or ABSENT,
                "security_groups": texts(configuration.get("SecurityGroups")),
                # Absent when the configuration does not say: the subnet then decides (CreateLaunchConfiguration).
                "associate_public_ip_address": configuration.get("AssociatePublicIpAddress", ABSENT),
                "iam_instance_profile": configuration.get("IamInstanceProfile") or ABSENT,
                "ebs_optimized": configuration.get("EbsOptimized", ABSENT),
                "enable_monitoring": (bool(monitoring.get("Enabled")) if isinstance(monitoring, Mapping) else ABSENT),
                "metadata_options": metadata,
                "root_block_device": root,
                "ebs_block_device": others,
            },
        )


def _group_from_terraform(values: dict[str, Any]) -> None:
    """Subnets as a sorted list, as the collector splits AWS's comma-separated VPCZoneIdentifier."""
    subnets = values.get("vpc_zone_identifier")
    if isinstance(subnets, list) and not is_unknown(subnets) and all(isinstance(s, str) for s in subnets):
        values["vpc_zone_identifier"] = sorted(subnets)


GROUP = ResourceType(
    "aws_autoscaling_group",
    GROUP_ATTRIBUTES,
    single_blocks=(
        "launch_template",
        "mixed_instances_policy",
        "mixed_instances_policy.launch_template",
        "mixed_instances_policy.launch_template.launch_template_specification",
    ),
    # Provider default (Terraform AWS provider, aws_autoscaling_group): a 300 s grace period; and "The default
    # value is EC2" for the health check type (Auto Scaling API reference, CreateAutoScalingGroup), which the
    # provider leaves to AWS.
    defaults={"health_check_type": "EC2", "health_check_grace_period": 300},
    from_terraform=_group_from_terraform,
    drift_ignore=("desired_capacity", "service_linked_role_arn"),
)

CONFIGURATION = ResourceType(
    "aws_launch_configuration",
    CONFIGURATION_ATTRIBUTES,
    single_blocks=("metadata_options", "root_block_device"),
    # Provider default (Terraform AWS provider, aws_launch_configuration): detailed monitoring on.
    defaults={"enable_monitoring": True},
)

COLLECTORS = (
    Collector(
        name="autoscaling.groups",
        service="autoscaling",
        resource_types=(GROUP,),
        calls=("autoscaling:DescribeAutoScalingGroups",),
        collect=_groups,
        description="Every Auto Scaling group in the region.",
        notes=(
            "`vpc_zone_identifier` is the group's subnets (AWS's comma-separated VPCZoneIdentifier), sorted; "
            "`availability_zones` its zones. `load_balancers` are Classic Load Balancer names, "
            "`target_group_arns` target groups. `mixed_instances_policy.launch_template` holds "
            "`launch_template_specification {launch_template_id, launch_template_name, version}` and "
            "`override` (`[{instance_type, weighted_capacity}]`)."
        ),
    ),
    Collector(
        name="autoscaling.launch_configurations",
        service="autoscaling",
        resource_types=(CONFIGURATION,),
        calls=("autoscaling:DescribeLaunchConfigurations",),
        collect=_configurations,
        description="Every launch configuration in the region.",
        notes=(
            "`associate_public_ip_address` is absent when the configuration does not set it (the subnet "
            "decides). `root_block_device` is the mapping of `/dev/xvda` or `/dev/sda1`, the other EBS "
            "mappings are `ebs_block_device`. User data is never read."
        ),
    ),
)
