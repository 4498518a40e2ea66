"""API Gateway v2 (HTTP and WebSocket APIs): ``aws_apigatewayv2_api``, its stages and its routes.

The v2 API keeps execution logging on the stage's default route settings
(WebSocket APIs only) and access logging on the stage; each route names its
authorization type. A stage does not say which kind of API it belongs to, so
the collector adds ``api_protocol_type`` from the API, a fact a Terraform
stage does not carry.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

API_ATTRIBUTES = (
    "id",
    "arn",
    "name",
    "protocol_type",
    "description",
    "api_endpoint",
    "disable_execute_api_endpoint",
    "route_selection_expression",
    "api_key_selection_expression",
)
STAGE_ATTRIBUTES = (
    "arn",
    "api_id",
    "name",
    "description",
    "auto_deploy",
    "deployment_id",
    "access_log_settings",
    "default_route_settings",
    # extras only observation can see
    "api_protocol_type",
)
ROUTE_ATTRIBUTES = (
    "id",
    "api_id",
    "route_key",
    "authorization_type",
    "authorizer_id",
    "api_key_required",
    "operation_name",
    "target",
)

#: GetStages' ``DefaultRouteSettings`` keys and Terraform's ``default_route_settings`` names.
_ROUTE_SETTINGS = (
    ("DataTraceEnabled", "data_trace_enabled"),
    ("DetailedMetricsEnabled", "detailed_metrics_enabled"),
    ("LoggingLevel", "logging_level"),
    ("ThrottlingBurstLimit", "throttling_burst_limit"),
    ("ThrottlingRateLimit", "throttling_rate_limit"),
)


def _api_arn(ctx: CollectContext, api_id: str) -> str:
    return f"arn:{ctx.partition}:apigateway:{ctx.region}::/apis/{api_id}"


def _route_settings(settings: Any) -> Any:
    if not isinstance(settings, Mapping):
        return ABSENT
    return {name: settings[key] for key, name in _ROUTE_SETTINGS if settings.get(key) is not None}


def _access_log_settings(settings: Any) -> Any:
    if not isinstance(settings, Mapping) or not settings.get("DestinationArn"):
        return ABSENT
    return {"destination_arn": settings["DestinationArn"], "format": settings.get("Format", "")}


def _stages(ctx: CollectContext, client: Any, api: Mapping[str, Any], arn: str) -> list[Resource]:
    api_id = api["ApiId"]
    found: Any = ctx.detail(lambda: list(ctx.items(client, "get_stages", "Items", each=("StageName",), ApiId=api_id)))
    if is_unknown(found):
        ctx.unlisted_type("aws_apigatewayv2_stage", found)
        return []
    out = []
    for stage in found:
        name = stage["StageName"]
        stage_arn = f"{arn}/stages/{name}"
        out.append(
            ctx.resource(
                "aws_apigatewayv2_stage",
                stage_arn,
                name=name,
                tags=stage.get("Tags") or {},
                attributes={
                    "arn": stage_arn,
                    "api_id": api_id,
                    "name": name,
                    "description": stage.get("Description") or ABSENT,
                    # "AutoDeploy ... The default value is false" (API Gateway v2 API reference, Stage).
                    "auto_deploy": bool(stage.get("AutoDeploy", False)),
                    "deployment_id": stage.get("DeploymentId") or ABSENT,
                    "access_log_settings": _access_log_settings(stage.get("AccessLogSettings")),
                    "default_route_settings": _route_settings(stage.get("DefaultRouteSettings")),
                    "api_protocol_type": sent(api, "ProtocolType"),
                },
            )
        )
    return out


def _routes(ctx: CollectContext, client: Any, api_id: str, arn: str) -> list[Resource]:
    found: Any = ctx.detail(
        lambda: list(ctx.items(client, "get_routes", "Items", each=("RouteId", "RouteKey"), ApiId=api_id))
    )
    if is_unknown(found):
        ctx.unlisted_type("aws_apigatewayv2_route", found)
        return []
    return [
        ctx.resource(
            "aws_apigatewayv2_route",
            f"{arn}/routes/{route['RouteId']}",
            name=route["RouteKey"],
            attributes={
                "id": route["RouteId"],
                "api_id": api_id,
                "route_key": route["RouteKey"],
                # "AuthorizationType ... Specify NONE for open access" is the default (API Gateway v2 API
                # reference, Route); an answer that leaves it out describes an open route.
                "authorization_type": route.get("AuthorizationType") or "NONE",
                "authorizer_id": route.get("AuthorizerId") or ABSENT,
                "api_key_required": bool(route.get("ApiKeyRequired", False)),
                "operation_name": route.get("OperationName") or ABSENT,
                "target": route.get("Target") or ABSENT,
            },
        )
        for route in found
    ]


def _apis(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    apis = list(ctx.items(client, "get_apis", "Items", each=("ApiId", "Name", "ProtocolType")))

    def describe(api: dict[str, Any]) -> list[Resource]:
        api_id = api["ApiId"]
        arn = _api_arn(ctx, api_id)
        resource = ctx.resource(
            "aws_apigatewayv2_api",
            arn,
            name=api["Name"],
            tags=api.get("Tags") or {},
            attributes={
                "id": api_id,
                "arn": arn,
                "name": api["Name"],
                "protocol_type": api["ProtocolType"],
                "description": api.get("Description") or ABSENT,
                "api_endpoint": api.get("ApiEndpoint") or ABSENT,
                "disable_execute_api_endpoint": bool(api.get("DisableExecuteApiEndpoint", False)),
                "route_selection_expression": api.get("RouteSelectionExpression") or ABSENT,
                "api_key_selection_expression": api.get("ApiKeySelectionExpression") or ABSENT,
            },
        )
        return [resource, *_stages(ctx, client, api, arn), *_routes(ctx, client, api_id, arn)]

    for resources in ctx.map(describe, apis):
        yield from resources


API = ResourceType(
    "aws_apigatewayv2_api",
    API_ATTRIBUTES,
    drift_ignore=("api_endpoint",),
)

STAGE = ResourceType(
    "aws_apigatewayv2_stage",
    STAGE_ATTRIBUTES,
    observed_only=("api_protocol_type",),
    single_blocks=("access_log_settings", "default_route_settings"),
    # "auto_deploy ... Defaults to false" (Terraform AWS provider, aws_apigatewayv2_stage).
    defaults={"auto_deploy": False},
    drift_ignore=("deployment_id", "api_protocol_type"),
)

ROUTE = ResourceType(
    "aws_apigatewayv2_route",
    ROUTE_ATTRIBUTES,
    name_path="route_key",
    # "authorization_type ... Defaults to NONE" (Terraform AWS provider, aws_apigatewayv2_route).
    defaults={"authorization_type": "NONE", "api_key_required": False},
)

COLLECTORS = (
    Collector(
        name="apigatewayv2.apis",
        service="apigatewayv2",
        resource_types=(API, STAGE, ROUTE),
        calls=("apigateway:GET",),
        collect=_apis,
        description="Every API Gateway HTTP and WebSocket API in the region, with its stages and routes.",
        notes=(
            "GetApis and GetStages carry the tags. API Gateway authorizes reads with the single IAM action "
            "`apigateway:GET` on the resource paths (`/apis`, `/apis/*/stages`, `/apis/*/routes`). A stage's "
            "`api_protocol_type` is its API's `protocol_type` (HTTP or WEBSOCKET), which Terraform does not "
            "keep on the stage; execution logging (`default_route_settings.logging_level`) exists for "
            "WebSocket APIs only. `access_log_settings` is absent without a destination. A route's id is "
            "`<api ARN>/routes/<route id>`, its name the route key. When GetStages or GetRoutes fails for an "
            "API, the stage or route type's coverage is `error` for that region."
        ),
    ),
)
