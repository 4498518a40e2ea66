"""SageMaker hosting: ``aws_sagemaker_model``, ``aws_sagemaker_endpoint_configuration`` and ``aws_sagemaker_endpoint``.

How a trained model is served: the model (its container image, execution
role, network isolation and VPC), the endpoint configuration (production
variants, instance counts, the KMS key of the hosting volumes) and the
endpoint that runs one configuration. A container's environment is not
kept: it may hold secrets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from unify.aws.sagemaker import vpc_config
from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent, unread

MODEL_ATTRIBUTES = (
    "arn",
    "name",
    "execution_role_arn",
    "enable_network_isolation",
    "vpc_config",
    "primary_container",
    "container",
    "creation_time",
)

CONFIG_ATTRIBUTES = ("arn", "name", "production_variants", "kms_key_arn", "creation_time")

ENDPOINT_ATTRIBUTES = ("arn", "name", "endpoint_config_name", "endpoint_status", "creation_time")


def _listed(
    ctx: CollectContext,
    *,
    operation: str,
    key: str,
    name_key: str,
    arn_key: str,
    describe: str,
    build: Callable[[str, str, dict[str, Any], Any], tuple[str, dict[str, Any]]],
) -> Iterator[Resource]:
    """Each listed resource described, with its tags; one described as gone since the listing is left out."""
    sagemaker = ctx.client()
    listed = list(ctx.items(sagemaker, operation, key, each=(name_key, arn_key)))

    def read(summary: dict[str, Any]) -> Resource | None:
        name, arn = summary[name_key], summary[arn_key]
        # SageMaker answers a Describe of something deleted with ValidationException ("Could not find ...").
        answer: Any = ctx.detail(lambda: ctx.call(sagemaker, describe, **{name_key: name}, expect=(arn_key,)))
        tags = ctx.detail(lambda: ctx.call(sagemaker, "list_tags", ResourceArn=arn, expect=("Tags",))["Tags"])
        type_, attributes = build(name, arn, summary, answer)
        return ctx.resource(type_, arn, name=name, tags=tags, attributes=attributes)

    for resource in ctx.map(read, listed):
        if resource is not None:
            yield resource


def _container(container: Any) -> Any:
    if not isinstance(container, Mapping):
        return ABSENT
    block: dict[str, Any] = {}
    for source, target in (("Image", "image"), ("Mode", "mode"), ("ModelDataUrl", "model_data_url")):
        if container.get(source):
            block[target] = container[source]
    # The environment may hold secrets: its variable names only.
    block["environment"] = sorted(str(k) for k in (container.get("Environment") or {}))
    return block


def _unread(attributes_of: tuple[str, ...], name: str, arn: str, marker: Any) -> dict[str, Any]:
    attributes: dict[str, Any] = dict.fromkeys(attributes_of, marker)
    attributes.update(arn=arn, name=name)
    return attributes


def _model(name: str, arn: str, summary: dict[str, Any], model: Any) -> tuple[str, dict[str, Any]]:
    if unread(model):
        return "aws_sagemaker_model", _unread(MODEL_ATTRIBUTES, name, arn, model)
    containers = model.get("Containers") or []
    return "aws_sagemaker_model", {
        "arn": arn,
        "name": name,
        "execution_role_arn": model.get("ExecutionRoleArn", ABSENT),
        "enable_network_isolation": sent(model, "EnableNetworkIsolation", bool),
        "vpc_config": vpc_config(model.get("VpcConfig")),
        "primary_container": _container(model.get("PrimaryContainer")),
        "container": [_container(c) for c in containers] if containers else ABSENT,
        "creation_time": sent(model, "CreationTime"),
    }


def _variant(variant: Mapping[str, Any]) -> dict[str, Any]:
    block: dict[str, Any] = {"variant_name": sent(variant, "VariantName"), "model_name": sent(variant, "ModelName")}
    serverless = variant.get("ServerlessConfig")
    if isinstance(serverless, Mapping):
        block["serverless_config"] = {
            "max_concurrency": serverless.get("MaxConcurrency"),
            "memory_size_in_mb": serverless.get("MemorySizeInMB"),
        }
    else:
        block["initial_instance_count"] = sent(variant, "InitialInstanceCount")
        block["instance_type"] = sent(variant, "InstanceType")
    return block


def _config(name: str, arn: str, summary: dict[str, Any], config: Any) -> tuple[str, dict[str, Any]]:
    if unread(config):
        return "aws_sagemaker_endpoint_configuration", _unread(CONFIG_ATTRIBUTES, name, arn, config)
    variants = config.get("ProductionVariants")
    return "aws_sagemaker_endpoint_configuration", {
        "arn": arn,
        "name": name,
        "production_variants": sorted((_variant(v) for v in variants), key=lambda v: str(v["variant_name"]))
        if isinstance(variants, list)
        else sent(config, "ProductionVariants"),
        "kms_key_arn": config.get("KmsKeyId") or ABSENT,
        "creation_time": sent(config, "CreationTime"),
    }


def _endpoint(name: str, arn: str, summary: dict[str, Any], endpoint: Any) -> tuple[str, dict[str, Any]]:
    if unread(endpoint):
        attributes = _unread(ENDPOINT_ATTRIBUTES, name, arn, endpoint)
        attributes["endpoint_status"] = summary.get("EndpointStatus", endpoint)
        return "aws_sagemaker_endpoint", attributes
    return "aws_sagemaker_endpoint", {
        "arn": arn,
        "name": name,
        "endpoint_config_name": sent(endpoint, "EndpointConfigName"),
        "endpoint_status": sent(endpoint, "EndpointStatus"),
        "creation_time": sent(endpoint, "CreationTime"),
    }


def _models(ctx: CollectContext) -> Iterator[Resource]:
    yield from _listed(
        ctx,
        operation="list_models",
        key="Models",
        name_key="ModelName",
        arn_key="ModelArn",
        describe="describe_model",
        build=_model,
    )


def _configs(ctx: CollectContext) -> Iterator[Resource]:
    yield from _listed(
        ctx,
        operation="list_endpoint_configs",
        key="EndpointConfigs",
        name_key="EndpointConfigName",
        arn_key="EndpointConfigArn",
        describe="describe_endpoint_config",
        build=_config,
    )


def _endpoints(ctx: CollectContext) -> Iterator[Resource]:
    yield from _listed(
        ctx,
        operation="list_endpoints",
        key="Endpoints",
        name_key="EndpointName",
        arn_key="EndpointArn",
        describe="describe_endpoint",
        build=_endpoint,
    )


# -- Terraform ------------------------------------------------------------------------------


def _terraform_container(container: Any) -> Any:
    if not isinstance(container, dict) or is_unknown(container):
        return container
    block: dict[str, Any] = {k: container[k] for k in ("image", "mode", "model_data_url") if container.get(k)}
    environment = container.get("environment")
    block["environment"] = sorted(environment) if isinstance(environment, dict) else []
    return block


def _model_from_terraform(values: dict[str, Any]) -> None:
    if "primary_container" in values:
        values["primary_container"] = _terraform_container(values["primary_container"])
        if values["primary_container"] is None:
            del values["primary_container"]
    containers = values.get("container")
    if isinstance(containers, list):
        if containers:
            values["container"] = [_terraform_container(c) for c in containers]
        else:
            del values["container"]
    vpc = values.get("vpc_config")
    if isinstance(vpc, dict) and not is_unknown(vpc):
        values["vpc_config"] = {
            "security_group_ids": sorted(vpc.get("security_group_ids") or []),
            "subnets": sorted(vpc.get("subnets") or []),
        }


def _config_from_terraform(values: dict[str, Any]) -> None:
    variants = values.get("production_variants")
    if not isinstance(variants, list):
        return
    out = []
    for variant in variants:
        if not isinstance(variant, dict) or is_unknown(variant):
            out.append(variant)
            continue
        block: dict[str, Any] = {"variant_name": variant.get("variant_name"), "model_name": variant.get("model_name")}
        serverless = variant.get("serverless_config")
        serverless = serverless[0] if isinstance(serverless, list) and serverless else None
        if isinstance(serverless, dict):
            block["serverless_config"] = {
                "max_concurrency": serverless.get("max_concurrency"),
                "memory_size_in_mb": serverless.get("memory_size_in_mb"),
            }
        else:
            block["initial_instance_count"] = variant.get("initial_instance_count")
            block["instance_type"] = variant.get("instance_type")
        out.append(block)
    values["production_variants"] = sorted(out, key=lambda v: str(v.get("variant_name")) if isinstance(v, dict) else "")


def _sources(describe: str, attributes: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The Describe call fills every attribute but the ``arn`` and ``name`` the listing gives; ListTags the tags."""
    return {describe: tuple(a for a in attributes if a not in ("arn", "name")), "sagemaker:ListTags": ("tags",)}


MODEL = ResourceType(
    "aws_sagemaker_model",
    MODEL_ATTRIBUTES,
    sources=_sources("sagemaker:DescribeModel", MODEL_ATTRIBUTES),
    single_blocks=("primary_container", "vpc_config"),
    # Network isolation is off unless asked for (SageMaker API reference, CreateModel; the provider sends none).
    defaults={"enable_network_isolation": False},
    from_terraform=_model_from_terraform,
)

ENDPOINT_CONFIGURATION = ResourceType(
    "aws_sagemaker_endpoint_configuration",
    CONFIG_ATTRIBUTES,
    from_terraform=_config_from_terraform,
    sources=_sources("sagemaker:DescribeEndpointConfig", CONFIG_ATTRIBUTES),
)

ENDPOINT = ResourceType(
    "aws_sagemaker_endpoint",
    ENDPOINT_ATTRIBUTES,
    observed_only=("endpoint_status",),
    sources=_sources("sagemaker:DescribeEndpoint", ENDPOINT_ATTRIBUTES),
)

_FAILED = "When the Describe call fails the resource keeps `arn` and `name` and the rest, tags included, is unknown. "

COLLECTORS = (
    Collector(
        name="sagemaker.models",
        service="sagemaker",
        resource_types=(MODEL,),
        calls=("sagemaker:ListModels", "sagemaker:DescribeModel", "sagemaker:ListTags"),
        collect=_models,
        description="Every SageMaker model in the region: its containers, role, network isolation and VPC.",
        notes=(
            "`primary_container` and each `container` are {image, mode, model_data_url, environment}, where "
            "`environment` is the sorted variable names (values may be secrets). `vpc_config` is absent outside a "
            "VPC. " + _FAILED + "moto (5.x) always answers `EnableNetworkIsolation` false, whatever the model was "
            "created with."
        ),
    ),
    Collector(
        name="sagemaker.endpoint_configurations",
        service="sagemaker",
        resource_types=(ENDPOINT_CONFIGURATION,),
        calls=("sagemaker:ListEndpointConfigs", "sagemaker:DescribeEndpointConfig", "sagemaker:ListTags"),
        collect=_configs,
        description="Every SageMaker endpoint configuration in the region: its production variants and KMS key.",
        notes=(
            "`production_variants` lists {variant_name, model_name, initial_instance_count, instance_type} per "
            "instance-based variant, or {variant_name, model_name, serverless_config} per serverless one, sorted "
            "by variant name; `kms_key_arn` (the hosting volumes' key) is absent without one. " + _FAILED
        ),
    ),
    Collector(
        name="sagemaker.endpoints",
        service="sagemaker",
        resource_types=(ENDPOINT,),
        calls=("sagemaker:ListEndpoints", "sagemaker:DescribeEndpoint", "sagemaker:ListTags"),
        collect=_endpoints,
        description="Every SageMaker endpoint in the region and the configuration it runs.",
        notes=_FAILED + "moto (5.x) marks every endpoint InService at once.",
    ),
)
