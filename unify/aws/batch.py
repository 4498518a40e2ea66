"""AWS Batch: ``aws_batch_compute_environment``, every compute environment of the region (a stack's step operator)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector

ATTRIBUTES = (
    "arn",
    "compute_environment_name",
    "name",
    "type",
    "state",
    "status",
    "status_reason",
    "service_role",
    "ecs_cluster_arn",
    "compute_resources",
)

#: computeResources field -> Terraform name, for the scalar fields copied as they are.
_SCALARS = (
    ("type", "type"),
    ("instanceRole", "instance_role"),
    ("maxvCpus", "max_vcpus"),
    ("minvCpus", "min_vcpus"),
    ("desiredvCpus", "desired_vcpus"),
    ("allocationStrategy", "allocation_strategy"),
    ("ec2KeyPair", "ec2_key_pair"),
    ("imageId", "image_id"),
    ("bidPercentage", "bid_percentage"),
    ("spotIamFleetRole", "spot_iam_fleet_role"),
    ("placementGroup", "placement_group"),
)


def _launch_template(template: dict[str, Any] | None) -> Any:
    if not template:
        return ABSENT
    names = (
        ("launchTemplateId", "launch_template_id"),
        ("launchTemplateName", "launch_template_name"),
        ("version", "version"),
    )
    return {target: template[source] for source, target in names if template.get(source)}


def _ec2_configuration(configurations: list[dict[str, Any]] | None) -> Any:
    if not configurations:
        return ABSENT
    out = []
    for configuration in configurations:
        item = {"image_type": configuration.get("imageType")}
        if configuration.get("imageIdOverride"):
            item["image_id_override"] = configuration["imageIdOverride"]
        out.append(item)
    return out


def _compute_resources(resources: dict[str, Any] | None) -> Any:
    """Managed environments' compute resources; unmanaged ones have none (absent)."""
    if not resources:
        return ABSENT
    block: dict[str, Any] = {
        target: resources[source] for source, target in _SCALARS if resources.get(source) is not None
    }
    for source, target in (
        ("instanceTypes", "instance_type"),
        ("subnets", "subnets"),
        ("securityGroupIds", "security_group_ids"),
    ):
        if resources.get(source) is not None:
            block[target] = sorted(resources[source])
    for target, value in (
        ("launch_template", _launch_template(resources.get("launchTemplate"))),
        ("ec2_configuration", _ec2_configuration(resources.get("ec2Configuration"))),
    ):
        if value is not ABSENT:
            block[target] = value
    if resources.get("tags"):
        block["tags"] = dict(sorted(resources["tags"].items()))
    return block


def _compute_environments(ctx: CollectContext) -> Iterator[Resource]:
    batch = ctx.client()
    # DescribeComputeEnvironments returns everything, tags included: no call per environment.
    for environment in ctx.items(
        batch,
        "describe_compute_environments",
        "computeEnvironments",
        each=("computeEnvironmentArn", "computeEnvironmentName"),
    ):
        arn = environment["computeEnvironmentArn"]
        name = environment["computeEnvironmentName"]
        yield ctx.resource(
            "aws_batch_compute_environment",
            arn,
            name=name,
            tags=environment.get("tags") or {},
            attributes={
                "arn": arn,
                "compute_environment_name": name,
                "name": name,
                "type": environment.get("type"),
                "state": environment.get("state", ABSENT),
                "status": environment.get("status", ABSENT),
                "status_reason": environment.get("statusReason", ABSENT),
                "service_role": environment.get("serviceRole", ABSENT),
                "ecs_cluster_arn": environment.get("ecsClusterArn", ABSENT),
                "compute_resources": _compute_resources(environment.get("computeResources")),
            },
        )


def _from_terraform(values: dict[str, Any]) -> None:
    # Provider v5 calls it compute_environment_name, v6 name; the collector reports both.
    for one, other in (("name", "compute_environment_name"), ("compute_environment_name", "name")):
        if one not in values and other in values:
            values[one] = values[other]


COMPUTE_ENVIRONMENT = ResourceType(
    "aws_batch_compute_environment",
    ATTRIBUTES,
    name_path="compute_environment_name",
    single_blocks=("compute_resources", "compute_resources.launch_template"),
    from_terraform=_from_terraform,
)

COLLECTORS = (
    Collector(
        name="batch.compute_environments",
        service="batch",
        resource_types=(COMPUTE_ENVIRONMENT,),
        calls=("batch:DescribeComputeEnvironments",),
        collect=_compute_environments,
        description="Every AWS Batch compute environment in the region, managed and unmanaged.",
        notes=(
            "One paginated DescribeComputeEnvironments call returns every environment with its tags, so there is "
            "no per-environment call to deny. `name` repeats `compute_environment_name` (the Terraform provider "
            "renamed the attribute to `name` in v6). `compute_resources` is absent for UNMANAGED environments and "
            "keeps only the fields AWS reports: Fargate environments have no `instance_role`, `instance_type` or "
            "`min_vcpus`; `ec2_key_pair` appears only when instances get an SSH key pair; `instance_type`, "
            "`subnets` and `security_group_ids` are sorted; `launch_template` is {launch_template_id, "
            "launch_template_name, version} and `ec2_configuration` a list of {image_type, image_id_override}. "
            "Whether the subnets are private, and whether the instances' volumes are encrypted (set in the launch "
            "template or by the account's EBS default), are not part of this resource. moto (5.x) omits `state` "
            "when the environment was created without one (AWS reports ENABLED)."
        ),
    ),
)
