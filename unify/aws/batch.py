"""AWS Batch: compute environments, job queues and job definitions (a stack's step operator).

A Batch step operator submits each heavy step as a job: to a job queue,
which places it on a compute environment, running the container a job
definition describes. The compute environment says what the instances
expose (an SSH key pair, their subnets); the job definition what the
container may do (privileged, its roles, its environment).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.resource import Resource, is_unknown, unknown
from unify.model.resource_type import ResourceType
from unify.observe.answers import MALFORMED
from unify.observe.collector import ABSENT, CollectContext, Collector, sent
from unify.terraform.values import names

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


QUEUE_ATTRIBUTES = ("arn", "name", "state", "status", "priority", "scheduling_policy_arn", "compute_environment_order")

JOB_DEFINITION_ATTRIBUTES = (
    "arn",
    "name",
    "revision",
    "type",
    "status",
    "platform_capabilities",
    "propagate_tags",
    "container_properties",
)

#: Keys of a job definition's container properties kept as they are (camelCase, as Terraform's JSON has them).
_CONTAINER_KEYS = (
    "image",
    "vcpus",
    "memory",
    "jobRoleArn",
    "executionRoleArn",
    "privileged",
    "readonlyRootFilesystem",
    "user",
    "instanceType",
    "resourceRequirements",
    "logConfiguration",
    "networkConfiguration",
    "fargatePlatformConfiguration",
)


def _job_queues(ctx: CollectContext) -> Iterator[Resource]:
    batch = ctx.client()
    for queue in ctx.items(batch, "describe_job_queues", "jobQueues", each=("jobQueueArn", "jobQueueName")):
        arn = queue["jobQueueArn"]
        name = queue["jobQueueName"]
        order = queue.get("computeEnvironmentOrder")
        yield ctx.resource(
            "aws_batch_job_queue",
            arn,
            name=name,
            # JobQueueDetail.tags holds the queue's tags; a queue without tags has none to send.
            tags=queue.get("tags", {}),
            attributes={
                "arn": arn,
                "name": name,
                "state": sent(queue, "state"),
                "status": queue.get("status", ABSENT),
                "priority": sent(queue, "priority"),
                "scheduling_policy_arn": queue.get("schedulingPolicyArn", ABSENT),
                "compute_environment_order": _order(order),
            },
        )


def _order(order: Any) -> Any:
    if not isinstance(order, list):
        return unknown(f"{MALFORMED}: computeEnvironmentOrder not sent")
    return sorted(
        ({"order": sent(o, "order"), "compute_environment": sent(o, "computeEnvironment")} for o in order),
        key=lambda o: (str(o["order"]), str(o["compute_environment"])),
    )


def container_properties(properties: Any) -> Any:
    """A job definition's container properties as unify keeps them, from the API or Terraform's JSON.

    Environment variables and secrets keep their names only (sorted): a value
    may be a secret, and a secret's ``valueFrom`` is not needed to judge it.
    """
    if isinstance(properties, str):
        try:
            properties = json.loads(properties)
        except ValueError:
            return unknown(f"{MALFORMED}: container_properties is not JSON")
    if not isinstance(properties, Mapping) or is_unknown(properties):
        return properties
    kept: dict[str, Any] = {
        key: properties[key] for key in _CONTAINER_KEYS if properties.get(key) not in (None, [], {})
    }
    log = kept.get("logConfiguration")
    if isinstance(log, Mapping):
        # The log driver's options may carry tokens (splunk-token): only the driver is kept.
        kept["logConfiguration"] = {"logDriver": log.get("logDriver")}
    for key in ("environment", "secrets"):
        entries = properties.get(key) or []
        kept[key] = names({str(e.get("name")): None for e in entries if isinstance(e, Mapping)})
    return kept


def _job_definitions(ctx: CollectContext) -> Iterator[Resource]:
    batch = ctx.client()
    latest: dict[str, dict[str, Any]] = {}
    # Every ACTIVE revision is listed; like Terraform, unify keeps the latest one of each name.
    for definition in ctx.items(
        batch,
        "describe_job_definitions",
        "jobDefinitions",
        each=("jobDefinitionArn", "jobDefinitionName", "revision"),
        status="ACTIVE",
    ):
        name = definition["jobDefinitionName"]
        if name not in latest or int(definition["revision"]) > int(latest[name]["revision"]):
            latest[name] = definition
    for name in sorted(latest):
        definition = latest[name]
        arn = definition["jobDefinitionArn"]
        capabilities = definition.get("platformCapabilities")
        props = definition.get("containerProperties")
        yield ctx.resource(
            "aws_batch_job_definition",
            arn,
            name=name,
            tags=definition.get("tags", {}),
            attributes={
                "arn": arn,
                "name": name,
                "revision": definition["revision"],
                "type": sent(definition, "type"),
                "status": definition.get("status", ABSENT),
                # platformCapabilities: "If no value is specified, it defaults to EC2" (Batch API reference,
                # JobDefinition).
                "platform_capabilities": sorted(capabilities) if capabilities else ["EC2"],
                "propagate_tags": bool(definition.get("propagateTags", False)),
                "container_properties": ABSENT if props is None else container_properties(props),
            },
        )


def _job_definition_from_terraform(values: dict[str, Any]) -> None:
    if "container_properties" in values:
        parsed = container_properties(values["container_properties"])
        if parsed in (None, ""):
            del values["container_properties"]
        else:
            values["container_properties"] = parsed
    capabilities = values.get("platform_capabilities")
    if isinstance(capabilities, list):
        values["platform_capabilities"] = sorted(capabilities) or ["EC2"]
    values.pop("node_properties", None)
    values.pop("ecs_properties", None)
    values.pop("eks_properties", None)
    values.pop("parameters", None)  # default parameter values may be secrets


def _queue_from_terraform(values: dict[str, Any]) -> None:
    order = values.get("compute_environment_order")
    if isinstance(order, list):
        values["compute_environment_order"] = sorted(
            (
                {"order": o.get("order"), "compute_environment": o.get("compute_environment")}
                for o in order
                if isinstance(o, dict)
            ),
            key=lambda o: (str(o["order"]), str(o["compute_environment"])),
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

JOB_QUEUE = ResourceType(
    "aws_batch_job_queue",
    QUEUE_ATTRIBUTES,
    from_terraform=_queue_from_terraform,
)

JOB_DEFINITION = ResourceType(
    "aws_batch_job_definition",
    JOB_DEFINITION_ATTRIBUTES,
    # Provider defaults (docs of aws_batch_job_definition): EC2 when no capability is given, tags not propagated.
    defaults={"platform_capabilities": ["EC2"], "propagate_tags": False},
    from_terraform=_job_definition_from_terraform,
    drift_ignore=("revision", "status"),
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
    Collector(
        name="batch.job_queues",
        service="batch",
        resource_types=(JOB_QUEUE,),
        calls=("batch:DescribeJobQueues",),
        collect=_job_queues,
        description="Every AWS Batch job queue in the region, with the compute environments it feeds.",
        notes=(
            "One paginated DescribeJobQueues call returns every queue with its tags. `compute_environment_order` "
            "is a list of {order, compute_environment} (the environment's ARN), sorted by order. moto (5.x) serves "
            "the call."
        ),
    ),
    Collector(
        name="batch.job_definitions",
        service="batch",
        resource_types=(JOB_DEFINITION,),
        calls=("batch:DescribeJobDefinitions",),
        collect=_job_definitions,
        description="The latest ACTIVE revision of every AWS Batch job definition in the region.",
        notes=(
            "DescribeJobDefinitions with status ACTIVE, paginated; of each name only the highest revision is kept, "
            "as Terraform manages it. `container_properties` keeps image, vcpus, memory, the job and execution "
            "roles, privileged, readonlyRootFilesystem, user, instanceType, resourceRequirements, the "
            "logConfiguration's logDriver (its options may hold tokens), networkConfiguration and "
            "fargatePlatformConfiguration, in the API's camelCase as Terraform's JSON writes them; `environment` "
            "and `secrets` are the sorted variable names only. `platform_capabilities` is EC2 when AWS sends none "
            "(its documented default). Node, ECS and EKS properties and default parameters are not kept. moto "
            "(5.x) does not return `platformCapabilities`."
        ),
    ),
)
