"""App Runner: ``aws_apprunner_service``, ``aws_apprunner_vpc_connector`` and auto scaling configuration versions.

App Runner is the deployer of ZenML's AWS stack: it runs a container image
(or builds source code) as a web service. What a service exposes: whether
its endpoint is public, whether its outbound traffic leaves through a VPC
connector (so security groups and NAT apply) or straight to the internet,
which KMS key encrypts its source and image copies, whether tracing is on,
which environment variables it sets in plain text (``runtime_environment_
secrets`` name Secrets Manager or Parameter Store references instead), the
instance role it runs as, where its image comes from and whether a push
deploys it at once.

moto has no App Runner backend: the collectors are tested, and the demo is
served, with botocore's Stubber on answers shaped as the App Runner API
reference documents them (:mod:`unify.observe.recorded`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from unify.errors import AwsError
from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.answers import MALFORMED
from unify.observe.collector import ABSENT, CollectContext, Collector, sent, unread
from unify.terraform.values import names, single

SERVICE_ATTRIBUTES = (
    "arn",
    "service_name",
    "service_id",
    "service_url",
    "status",
    "source_configuration",
    "instance_configuration",
    "encryption_configuration",
    "health_check_configuration",
    "auto_scaling_configuration_arn",
    "network_configuration",
    "observability_configuration",
)

CONNECTOR_ATTRIBUTES = ("arn", "vpc_connector_name", "vpc_connector_revision", "subnets", "security_groups", "status")

SCALING_ATTRIBUTES = (
    "arn",
    "auto_scaling_configuration_name",
    "auto_scaling_configuration_revision",
    "latest",
    "max_concurrency",
    "max_size",
    "min_size",
    "status",
    "is_default",
    "has_associated_service",
)

#: The auto scaling configuration every account has, made by App Runner itself.
_DEFAULT_SCALING: Final = "DefaultConfiguration"


def _pages(ctx: CollectContext, client: Any, operation: str, key: str, each: tuple[str, ...]) -> Iterator[Any]:
    """The items of an App Runner listing across its pages (botocore has no paginators for App Runner)."""
    token: str | None = None
    while True:
        answer = ctx.call(client, operation, expect=(key,), **({"NextToken": token} if token else {}))
        items = answer[key]
        if not isinstance(items, list):
            raise AwsError(MALFORMED, f"the answer's {key!r} is not a list", f"apprunner:{operation}")
        for item in items:
            if not isinstance(item, Mapping) or any(k not in item for k in each):
                raise AwsError(MALFORMED, f"an item of {key!r} lacks {each}", f"apprunner:{operation}")
            yield item
        token = answer.get("NextToken")
        if not token:
            return


def _tags(ctx: CollectContext, client: Any, arn: str) -> Any:
    return ctx.detail(lambda: ctx.call(client, "list_tags_for_resource", ResourceArn=arn, expect=("Tags",))["Tags"])


def _runtime(config: Mapping[str, Any]) -> dict[str, Any]:
    """Port and the names of the environment variables and secrets; values (and the start command) are not kept."""
    block: dict[str, Any] = {
        "runtime_environment_variables": sorted(str(k) for k in config.get("RuntimeEnvironmentVariables") or {}),
        "runtime_environment_secrets": sorted(str(k) for k in config.get("RuntimeEnvironmentSecrets") or {}),
    }
    if config.get("Port"):
        block["port"] = config["Port"]
    return block


def _source(source: Any) -> Any:
    if not isinstance(source, Mapping):
        return sent({}, "SourceConfiguration")
    # AutoDeploymentsEnabled's default depends on where the image comes from (App Runner API reference,
    # SourceConfiguration): one not sent is not observed.
    block: dict[str, Any] = {"auto_deployments_enabled": sent(source, "AutoDeploymentsEnabled", bool)}
    auth = source.get("AuthenticationConfiguration")
    if isinstance(auth, Mapping) and auth:
        block["authentication_configuration"] = {
            target: auth[origin]
            for origin, target in (("AccessRoleArn", "access_role_arn"), ("ConnectionArn", "connection_arn"))
            if auth.get(origin)
        }
    image = source.get("ImageRepository")
    if isinstance(image, Mapping):
        block["image_repository"] = {
            "image_identifier": sent(image, "ImageIdentifier"),
            "image_repository_type": sent(image, "ImageRepositoryType"),
            "image_configuration": _runtime(image.get("ImageConfiguration") or {}),
        }
    code = source.get("CodeRepository")
    if isinstance(code, Mapping):
        version = code.get("SourceCodeVersion") or {}
        repository: dict[str, Any] = {
            "repository_url": sent(code, "RepositoryUrl"),
            "source_code_version": {"type": sent(version, "Type"), "value": sent(version, "Value")},
        }
        configuration = code.get("CodeConfiguration")
        if isinstance(configuration, Mapping):
            values = configuration.get("CodeConfigurationValues")
            repository["code_configuration"] = {"configuration_source": sent(configuration, "ConfigurationSource")}
            if isinstance(values, Mapping):
                repository["code_configuration"]["code_configuration_values"] = {
                    "runtime": sent(values, "Runtime"),
                    **_runtime(values),
                }
        block["code_repository"] = repository
    return block


def _network(network: Any) -> Any:
    if not isinstance(network, Mapping):
        return sent({}, "NetworkConfiguration")
    egress = network.get("EgressConfiguration") or {}
    ingress = network.get("IngressConfiguration") or {}
    block: dict[str, Any] = {
        # EgressType: "DEFAULT: ... the default" and IsPubliclyAccessible "Default: true" (App Runner API
        # reference, EgressConfiguration and IngressConfiguration).
        "egress_configuration": {"egress_type": egress.get("EgressType", "DEFAULT")},
        "ingress_configuration": {"is_publicly_accessible": bool(ingress.get("IsPubliclyAccessible", True))},
    }
    if egress.get("VpcConnectorArn"):
        block["egress_configuration"]["vpc_connector_arn"] = egress["VpcConnectorArn"]
    if network.get("IpAddressType"):
        block["ip_address_type"] = network["IpAddressType"]
    return block


def _health(check: Any) -> Any:
    if not isinstance(check, Mapping):
        return ABSENT
    fields = (
        ("Protocol", "protocol"),
        ("Path", "path"),
        ("Interval", "interval"),
        ("Timeout", "timeout"),
        ("HealthyThreshold", "healthy_threshold"),
        ("UnhealthyThreshold", "unhealthy_threshold"),
    )
    return {target: check[origin] for origin, target in fields if check.get(origin) is not None}


def _observability(config: Any) -> Any:
    if not isinstance(config, Mapping):
        # A service with no ObservabilityConfiguration has no tracing (App Runner API reference, Service).
        return {"observability_enabled": False}
    block: dict[str, Any] = {"observability_enabled": sent(config, "ObservabilityEnabled", bool)}
    if config.get("ObservabilityConfigurationArn"):
        block["observability_configuration_arn"] = config["ObservabilityConfigurationArn"]
    return block


def _instance(config: Any) -> Any:
    if not isinstance(config, Mapping):
        return sent({}, "InstanceConfiguration")
    block: dict[str, Any] = {"cpu": sent(config, "Cpu"), "memory": sent(config, "Memory")}
    if config.get("InstanceRoleArn"):
        block["instance_role_arn"] = config["InstanceRoleArn"]
    return block


def _services(ctx: CollectContext) -> Iterator[Resource]:
    apprunner = ctx.client()
    listed = list(_pages(ctx, apprunner, "list_services", "ServiceSummaryList", ("ServiceArn", "ServiceName")))

    def describe(summary: Mapping[str, Any]) -> Resource | None:
        arn, name = summary["ServiceArn"], summary["ServiceName"]
        service: Any = ctx.detail(
            lambda: ctx.call(apprunner, "describe_service", ServiceArn=arn, expect=("Service.ServiceArn",))["Service"],
            absent=("ResourceNotFoundException",),
        )
        if service is ABSENT:
            return None  # deleted since the listing
        tags = _tags(ctx, apprunner, arn)
        if unread(service):
            attributes: dict[str, Any] = dict.fromkeys(SERVICE_ATTRIBUTES, service)
            attributes.update(arn=arn, service_name=name, status=summary.get("Status", service))
        else:
            encryption = service.get("EncryptionConfiguration")
            scaling = service.get("AutoScalingConfigurationSummary") or {}
            attributes = {
                "arn": arn,
                "service_name": name,
                "service_id": sent(service, "ServiceId"),
                "service_url": service.get("ServiceUrl", ABSENT),
                "status": sent(service, "Status"),
                "source_configuration": _source(service.get("SourceConfiguration")),
                "instance_configuration": _instance(service.get("InstanceConfiguration")),
                # Without EncryptionConfiguration App Runner uses an AWS owned key (API reference).
                "encryption_configuration": ABSENT
                if not isinstance(encryption, Mapping)
                else {"kms_key": sent(encryption, "KmsKey")},
                "health_check_configuration": _health(service.get("HealthCheckConfiguration")),
                "auto_scaling_configuration_arn": scaling.get("AutoScalingConfigurationArn", ABSENT),
                "network_configuration": _network(service.get("NetworkConfiguration")),
                "observability_configuration": _observability(service.get("ObservabilityConfiguration")),
            }
        return ctx.resource("aws_apprunner_service", arn, name=name, tags=tags, attributes=attributes)

    for resource in ctx.map(describe, listed):
        if resource is not None:
            yield resource


def _connectors(ctx: CollectContext) -> Iterator[Resource]:
    apprunner = ctx.client()
    listed = list(
        _pages(ctx, apprunner, "list_vpc_connectors", "VpcConnectors", ("VpcConnectorArn", "VpcConnectorName"))
    )

    def read(connector: Mapping[str, Any]) -> Resource:
        arn, name = connector["VpcConnectorArn"], connector["VpcConnectorName"]
        return ctx.resource(
            "aws_apprunner_vpc_connector",
            arn,
            name=name,
            tags=_tags(ctx, apprunner, arn),
            attributes={
                "arn": arn,
                "vpc_connector_name": name,
                "vpc_connector_revision": sent(connector, "VpcConnectorRevision"),
                "subnets": sorted(connector.get("Subnets") or []),
                "security_groups": sorted(connector.get("SecurityGroups") or []),
                "status": sent(connector, "Status"),
            },
        )

    yield from ctx.map(read, listed)


def _scaling(ctx: CollectContext) -> Iterator[Resource]:
    apprunner = ctx.client()
    listed = list(
        _pages(
            ctx,
            apprunner,
            "list_auto_scaling_configurations",
            "AutoScalingConfigurationSummaryList",
            ("AutoScalingConfigurationArn", "AutoScalingConfigurationName"),
        )
    )

    def describe(summary: Mapping[str, Any]) -> Resource | None:
        arn, name = summary["AutoScalingConfigurationArn"], summary["AutoScalingConfigurationName"]
        config: Any = ctx.detail(
            lambda: ctx.call(
                apprunner,
                "describe_auto_scaling_configuration",
                AutoScalingConfigurationArn=arn,
                expect=("AutoScalingConfiguration.AutoScalingConfigurationArn",),
            )["AutoScalingConfiguration"],
            absent=("ResourceNotFoundException",),
        )
        if config is ABSENT:
            return None
        if unread(config):
            attributes: dict[str, Any] = dict.fromkeys(SCALING_ATTRIBUTES, config)
            attributes.update(arn=arn, auto_scaling_configuration_name=name)
        else:
            attributes = {
                "arn": arn,
                "auto_scaling_configuration_name": name,
                "auto_scaling_configuration_revision": sent(config, "AutoScalingConfigurationRevision"),
                "latest": sent(config, "Latest", bool),
                "max_concurrency": sent(config, "MaxConcurrency"),
                "max_size": sent(config, "MaxSize"),
                "min_size": sent(config, "MinSize"),
                "status": sent(config, "Status"),
                "is_default": bool(config.get("IsDefault", False)),
                "has_associated_service": bool(config.get("HasAssociatedService", False)),
            }
        tags = ABSENT if name == _DEFAULT_SCALING else _tags(ctx, apprunner, arn)
        return ctx.resource(
            "aws_apprunner_auto_scaling_configuration_version",
            arn,
            name=name,
            tags=None if tags is ABSENT else tags,
            attributes=attributes,
        )

    for resource in ctx.map(describe, listed):
        if resource is not None:
            yield resource


# -- Terraform ------------------------------------------------------------------------------


def _terraform_runtime(block: Any) -> Any:
    if not isinstance(block, dict) or is_unknown(block):
        return block
    out: dict[str, Any] = {
        "runtime_environment_variables": names(block.get("runtime_environment_variables") or {}),
        "runtime_environment_secrets": names(block.get("runtime_environment_secrets") or {}),
    }
    if block.get("port"):
        out["port"] = block["port"]
    return out


def _service_from_terraform(values: dict[str, Any]) -> None:
    instance = values.get("instance_configuration")
    if instance is None:
        instance = values["instance_configuration"] = {}
    if isinstance(instance, dict) and not is_unknown(instance):
        # Provider defaults (docs of aws_apprunner_service, instance_configuration): 1 vCPU, 2 GB.
        instance.setdefault("cpu", "1024")
        instance.setdefault("memory", "2048")
    source = values.get("source_configuration")
    if isinstance(source, dict) and not is_unknown(source):
        # Provider default (docs of aws_apprunner_service, source_configuration).
        source.setdefault("auto_deployments_enabled", True)
        if source.get("authentication_configuration") in (None, {}):
            source.pop("authentication_configuration", None)
        image = source.get("image_repository")
        if isinstance(image, dict) and not is_unknown(image):
            image["image_configuration"] = _terraform_runtime(single(image.get("image_configuration")) or {})
        elif image is None:
            source.pop("image_repository", None)
        code = source.get("code_repository")
        if isinstance(code, dict) and not is_unknown(code):
            configuration = code.get("code_configuration")
            if isinstance(configuration, dict) and not is_unknown(configuration):
                values_block = single(configuration.get("code_configuration_values"))
                if isinstance(values_block, dict):
                    configuration["code_configuration_values"] = {
                        "runtime": values_block.get("runtime"),
                        **_terraform_runtime(values_block),
                    }
        elif code is None:
            source.pop("code_repository", None)
    network = values.get("network_configuration")
    if network is None and "network_configuration" in values:
        network = values["network_configuration"] = {}
    if isinstance(network, dict) and not is_unknown(network):
        # Provider defaults (docs of aws_apprunner_service): egress DEFAULT, ingress public.
        egress = network.setdefault("egress_configuration", {}) or {}
        if isinstance(egress, dict):
            egress.setdefault("egress_type", "DEFAULT")
            if egress.get("vpc_connector_arn") in (None, ""):
                egress.pop("vpc_connector_arn", None)
            network["egress_configuration"] = egress
        ingress = network.setdefault("ingress_configuration", {}) or {}
        if isinstance(ingress, dict):
            ingress.setdefault("is_publicly_accessible", True)
            network["ingress_configuration"] = ingress
    if "observability_configuration" not in values or values["observability_configuration"] is None:
        values["observability_configuration"] = {"observability_enabled": False}
    health = values.get("health_check_configuration")
    if isinstance(health, dict):
        values["health_check_configuration"] = {k: v for k, v in health.items() if v is not None}


def _connector_from_terraform(values: dict[str, Any]) -> None:
    for key in ("subnets", "security_groups"):
        if isinstance(values.get(key), list):
            values[key] = sorted(values[key])


SERVICE = ResourceType(
    "aws_apprunner_service",
    SERVICE_ATTRIBUTES,
    name_path="service_name",
    single_blocks=(
        "source_configuration",
        "source_configuration.authentication_configuration",
        "source_configuration.image_repository",
        "source_configuration.code_repository",
        "source_configuration.code_repository.source_code_version",
        "source_configuration.code_repository.code_configuration",
        "instance_configuration",
        "encryption_configuration",
        "health_check_configuration",
        "network_configuration",
        "network_configuration.egress_configuration",
        "network_configuration.ingress_configuration",
        "observability_configuration",
    ),
    from_terraform=_service_from_terraform,
    drift_ignore=("service_id", "service_url", "status"),
    sources={
        # The listing gives arn and service_name; everything else is the describe's answer.
        "apprunner:DescribeService": tuple(a for a in SERVICE_ATTRIBUTES if a not in ("arn", "service_name")),
        "apprunner:ListTagsForResource": ("tags",),
    },
)

VPC_CONNECTOR = ResourceType(
    "aws_apprunner_vpc_connector",
    CONNECTOR_ATTRIBUTES,
    name_path="vpc_connector_name",
    from_terraform=_connector_from_terraform,
    drift_ignore=("vpc_connector_revision", "status"),
    # ListVpcConnectors returns each connector whole: only the tags take a call of their own.
    sources={"apprunner:ListTagsForResource": ("tags",)},
)

AUTO_SCALING = ResourceType(
    "aws_apprunner_auto_scaling_configuration_version",
    SCALING_ATTRIBUTES,
    observed_only=("is_default", "has_associated_service"),
    name_path="auto_scaling_configuration_name",
    # Provider defaults (docs of aws_apprunner_auto_scaling_configuration_version).
    defaults={"max_concurrency": 100, "max_size": 25, "min_size": 1},
    drift_ignore=("auto_scaling_configuration_revision", "latest", "status"),
    made_by_aws=(("name", _DEFAULT_SCALING),),
    sources={
        # The listing gives arn and name; everything else is the describe's answer.
        "apprunner:DescribeAutoScalingConfiguration": tuple(
            a for a in SCALING_ATTRIBUTES if a not in ("arn", "auto_scaling_configuration_name")
        ),
        "apprunner:ListTagsForResource": ("tags",),
    },
)

_RECORDED = (
    "moto has no App Runner backend: tested with botocore's Stubber on answers shaped as the App Runner API "
    "reference documents them, and the demo serves recorded answers the same way. botocore has no paginator for "
    "App Runner: the collector follows NextToken itself."
)

COLLECTORS = (
    Collector(
        name="apprunner.services",
        service="apprunner",
        resource_types=(SERVICE,),
        calls=("apprunner:ListServices", "apprunner:DescribeService", "apprunner:ListTagsForResource"),
        collect=_services,
        description="Every App Runner service in the region: ingress, egress, key, observability, image and role.",
        notes=(
            "`source_configuration.image_repository.image_configuration` and the code repository's "
            "`code_configuration_values` keep the port and the sorted names of `runtime_environment_variables` "
            "and `runtime_environment_secrets`: values and start commands are never kept (AWS marks them "
            "sensitive). `network_configuration` is {egress_configuration {egress_type, vpc_connector_arn}, "
            "ingress_configuration {is_publicly_accessible}, ip_address_type}, with AWS's documented defaults "
            "(DEFAULT egress, public ingress) where the answer leaves them out; `encryption_configuration` is "
            "absent when the service uses an AWS owned key; `observability_configuration.observability_enabled` "
            "is false when the service has none. When DescribeService fails the service keeps `arn`, "
            "`service_name` and `status` from the listing, the rest unknown. " + _RECORDED
        ),
    ),
    Collector(
        name="apprunner.vpc_connectors",
        service="apprunner",
        resource_types=(VPC_CONNECTOR,),
        calls=("apprunner:ListVpcConnectors", "apprunner:ListTagsForResource"),
        collect=_connectors,
        description="Every App Runner VPC connector in the region, with its subnets and security groups.",
        notes="ListVpcConnectors returns each connector whole; subnets and security groups are sorted. " + _RECORDED,
    ),
    Collector(
        name="apprunner.auto_scaling_configurations",
        service="apprunner",
        resource_types=(AUTO_SCALING,),
        calls=(
            "apprunner:ListAutoScalingConfigurations",
            "apprunner:DescribeAutoScalingConfiguration",
            "apprunner:ListTagsForResource",
        ),
        collect=_scaling,
        description="Every App Runner auto scaling configuration revision in the region, with its size bounds.",
        notes=(
            "Every active revision is a resource of its own (its ARN ends in the revision), as Terraform's "
            "`aws_apprunner_auto_scaling_configuration_version` is. The account's `DefaultConfiguration` is made "
            "by App Runner (never unmanaged in drift) and its tags are not read. " + _RECORDED
        ),
    ),
)
