"""API Gateway (REST APIs): ``aws_api_gateway_rest_api`` and its ``aws_api_gateway_stage``s.

A stage's logging, caching and tracing are set per method in API Gateway
(``methodSettings``, keyed by ``resource/METHOD`` or ``*/*`` for every
method); Terraform sets them with ``aws_api_gateway_method_settings``
resources beside the stage. unify folds those into the stage as
``method_settings``, a list of ``{method_path, logging_level, ...}``, so a
check reads the stage's logging in a live observation and a plan alike. A
WAF web ACL associated with a stage (``aws_wafv2_web_acl_association``) is
the stage's ``web_acl_arn``, as GetStages reports it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import REMOVE, Fold, ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent
from unify.terraform.values import policy_value, single

REST_API_ATTRIBUTES = (
    "id",
    "arn",
    "name",
    "description",
    "api_key_source",
    "binary_media_types",
    "disable_execute_api_endpoint",
    "endpoint_configuration",
    "minimum_compression_size",
    "policy",
    "root_resource_id",
    "created_date",
)
STAGE_ATTRIBUTES = (
    "arn",
    "rest_api_id",
    "stage_name",
    "deployment_id",
    "description",
    "cache_cluster_enabled",
    "cache_cluster_size",
    "client_certificate_id",
    "xray_tracing_enabled",
    "access_log_settings",
    "web_acl_arn",
    # the method settings Terraform keeps in aws_api_gateway_method_settings
    "method_settings",
)

#: GetStages' ``methodSettings`` keys and the ``settings`` names of ``aws_api_gateway_method_settings``.
_METHOD_SETTINGS = (
    ("loggingLevel", "logging_level"),
    ("metricsEnabled", "metrics_enabled"),
    ("dataTraceEnabled", "data_trace_enabled"),
    ("cachingEnabled", "caching_enabled"),
    ("cacheDataEncrypted", "cache_data_encrypted"),
)


def _rest_api_arn(region: str, api_id: str, partition: str = "aws") -> str:
    return f"arn:{partition}:apigateway:{region}::/restapis/{api_id}"


def _method_settings(settings: Any) -> list[dict[str, Any]]:
    """``{"*/*": {"loggingLevel": ...}}`` as ``[{method_path: "*/*", logging_level: ...}]``, sorted by path."""
    out = []
    for path, values in sorted((settings or {}).items()):
        item: dict[str, Any] = {"method_path": path}
        for key, name in _METHOD_SETTINGS:
            if isinstance(values, Mapping) and values.get(key) is not None:
                item[name] = values[key]
        out.append(item)
    return out


def _access_log_settings(settings: Any) -> Any:
    if not isinstance(settings, Mapping) or not settings.get("destinationArn"):
        return ABSENT
    return {"destination_arn": settings["destinationArn"], "format": settings.get("format", "")}


def _stage(ctx: CollectContext, api_id: str, stage: dict[str, Any]) -> Resource:
    name = stage["stageName"]
    arn = f"{_rest_api_arn(ctx.region, api_id, ctx.partition)}/stages/{name}"
    return ctx.resource(
        "aws_api_gateway_stage",
        arn,
        name=name,
        tags=stage.get("tags") or {},
        attributes={
            "arn": arn,
            "rest_api_id": api_id,
            "stage_name": name,
            "deployment_id": stage.get("deploymentId") or ABSENT,
            "description": stage.get("description") or ABSENT,
            "cache_cluster_enabled": sent(stage, "cacheClusterEnabled", bool),
            "cache_cluster_size": stage.get("cacheClusterSize") or ABSENT,
            "client_certificate_id": stage.get("clientCertificateId") or ABSENT,
            # GetStages leaves tracingEnabled out for a stage that never had tracing: "false by default"
            # (API Gateway API reference, Stage.tracingEnabled).
            "xray_tracing_enabled": bool(stage.get("tracingEnabled", False)),
            "access_log_settings": _access_log_settings(stage.get("accessLogSettings")),
            "web_acl_arn": stage.get("webAclArn") or ABSENT,
            "method_settings": _method_settings(stage.get("methodSettings")),
        },
    )


def _rest_apis(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    apis = list(ctx.items(client, "get_rest_apis", "items", each=("id", "name")))

    def describe(api: dict[str, Any]) -> list[Resource]:
        api_id = api["id"]
        arn = _rest_api_arn(ctx.region, api_id, ctx.partition)
        endpoint = api.get("endpointConfiguration")
        out = [
            ctx.resource(
                "aws_api_gateway_rest_api",
                arn,
                name=api["name"],
                tags=api.get("tags") or {},
                attributes={
                    "id": api_id,
                    "arn": arn,
                    "name": api["name"],
                    "description": api.get("description") or ABSENT,
                    "api_key_source": api.get("apiKeySource") or ABSENT,
                    "binary_media_types": sorted(api.get("binaryMediaTypes") or []),
                    "disable_execute_api_endpoint": bool(api.get("disableExecuteApiEndpoint", False)),
                    "endpoint_configuration": ABSENT
                    if not isinstance(endpoint, Mapping)
                    else {
                        "types": list(endpoint.get("types") or []),
                        "vpc_endpoint_ids": sorted(endpoint.get("vpcEndpointIds") or []),
                    },
                    "minimum_compression_size": api.get("minimumCompressionSize", ABSENT),
                    "policy": policy_value(api["policy"]) if api.get("policy") else ABSENT,
                    "root_resource_id": api.get("rootResourceId") or ABSENT,
                    "created_date": api.get("createdDate", ABSENT),
                },
            )
        ]
        stages: Any = ctx.detail(lambda: ctx.call(client, "get_stages", restApiId=api_id, expect=("item",))["item"])
        if is_unknown(stages):
            # The stages could not be listed: coverage must not say every stage was seen.
            ctx.unlisted_type("aws_api_gateway_stage", stages)
            return out
        out.extend(_stage(ctx, api_id, s) for s in stages if isinstance(s, dict) and s.get("stageName"))
        return out

    for resources in ctx.map(describe, apis):
        yield from resources


# -- Terraform ------------------------------------------------------------------------------


def _fold_method_settings(values: Mapping[str, Any]) -> Any:
    """An ``aws_api_gateway_method_settings`` as one item of its stage's ``method_settings``."""
    settings = single(values.get("settings"))
    item: dict[str, Any] = {"method_path": values.get("method_path")}
    if is_unknown(settings):
        return item | {name: settings for _, name in _METHOD_SETTINGS}
    if isinstance(settings, Mapping):
        item.update({name: settings[name] for _, name in _METHOD_SETTINGS if settings.get(name) not in (None, "")})
    return item


def _fold_web_acl(values: Mapping[str, Any]) -> Any:
    arn = values.get("web_acl_arn")
    return REMOVE if arn in (None, "") else arn


REST_API = ResourceType(
    "aws_api_gateway_rest_api",
    REST_API_ATTRIBUTES,
    single_blocks=("endpoint_configuration",),
    drift_ignore=("created_date", "root_resource_id"),
)

STAGE = ResourceType(
    "aws_api_gateway_stage",
    STAGE_ATTRIBUTES,
    name_path="stage_name",
    single_blocks=("access_log_settings",),
    # "xray_tracing_enabled ... Default false"; "cache_cluster_enabled ... Default false" (Terraform AWS
    # provider, aws_api_gateway_stage).
    defaults={"xray_tracing_enabled": False, "cache_cluster_enabled": False},
    folds=(
        Fold(
            "aws_api_gateway_method_settings",
            "method_settings",
            _fold_method_settings,
            reference="stage_name",
            merge="append",
            match=("stage_name",),
            order=lambda item: str(item.get("method_path")),
        ),
        Fold(
            "aws_wafv2_web_acl_association",
            "web_acl_arn",
            _fold_web_acl,
            reference="resource_arn",
            match=("arn",),
            # An ARN known only after apply may be a stage's: such an association makes the stages unknown.
            when=lambda values: (
                not isinstance(values.get("resource_arn"), str) or ":/restapis/" in values["resource_arn"]
            ),
        ),
    ),
    # A new stage has no method settings but those its aws_api_gateway_method_settings give it.
    created_empty=(("method_settings", None, []),),
    drift_ignore=("deployment_id", "web_acl_arn"),
)

COLLECTORS = (
    Collector(
        name="apigateway.rest_apis",
        service="apigateway",
        resource_types=(REST_API, STAGE),
        calls=("apigateway:GET",),
        collect=_rest_apis,
        description="Every API Gateway REST API in the region, and every stage of each with its method settings.",
        notes=(
            "GetRestApis and GetStages carry the tags: no tag call is made. API Gateway authorizes reads with "
            "the single IAM action `apigateway:GET` on the resource paths (`/restapis`, "
            "`/restapis/*/stages`). A stage's `method_settings` lists GetStages' `methodSettings` as "
            "`[{method_path, logging_level, metrics_enabled, data_trace_enabled, caching_enabled, "
            "cache_data_encrypted}]` sorted by path (`*/*` is every method); in Terraform it comes from "
            "`aws_api_gateway_method_settings`. `web_acl_arn` is the associated WAF web ACL (from "
            "`aws_wafv2_web_acl_association` in Terraform), `access_log_settings` is absent without a "
            "destination. When GetStages fails for an API one stage with unknown attributes stands for its "
            "stages. moto ignores `clientCertificateId` when a stage is created or updated."
        ),
    ),
)
