"""Route 53: ``aws_route53_zone`` (public and private hosted zones) and ``aws_route53_query_log``.

DNS query logging is a configuration of its own on AWS and in Terraform
(``aws_route53_query_log``); unify keeps it as a resource and also folds it
into its zone as ``query_log``, so "this public zone logs its queries" is a
property of the zone in an observation and in a plan alike.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any

from unify.model.resource import Resource, is_unknown, unknown
from unify.model.resource_type import REMOVE, Fold, ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, tags_dict, unread

ZONE_ATTRIBUTES = (
    "zone_id",
    "arn",
    "name",
    "comment",
    "private_zone",
    "vpc",
    "query_log",
)
QUERY_LOG_ATTRIBUTES = ("id", "arn", "zone_id", "cloudwatch_log_group_arn")

_ANSWER_ROOTS = {
    "ListHostedZones": ("ListHostedZonesResponse",),
    "ListQueryLoggingConfigs": ("ListQueryLoggingConfigsResponse",),
    "ListTagsForResources": ("ListTagsForResourcesResponse",),
    "GetHostedZone": ("GetHostedZoneResponse",),
}

#: ListTagsForResources takes at most ten ids (Route 53 API reference).
_TAG_BATCH = 10


def _zone_id(value: str) -> str:
    """``/hostedzone/Z123`` as ``Z123``, the id Terraform keeps."""
    return value.rsplit("/", 1)[-1]


def _tag_sets(ctx: CollectContext, client: Any, batch: list[str]) -> Any:
    answer = ctx.call(
        client, "list_tags_for_resources", ResourceType="hostedzone", ResourceIds=batch, expect=("ResourceTagSets",)
    )
    return answer["ResourceTagSets"]


def _tags(ctx: CollectContext, client: Any, zone_ids: list[str]) -> dict[str, Any]:
    """Every zone's tags, ten zones a call; a failed batch makes its zones' tags unknown."""
    found: dict[str, Any] = {}
    for start in range(0, len(zone_ids), _TAG_BATCH):
        batch = zone_ids[start : start + _TAG_BATCH]
        answer: Any = ctx.detail(partial(_tag_sets, ctx, client, batch))
        no_answer = unread(answer)
        for zone_id in batch:
            found[zone_id] = answer if no_answer else {}
        if not no_answer:
            for tag_set in answer:
                if isinstance(tag_set, Mapping) and tag_set.get("ResourceId") in found:
                    found[tag_set["ResourceId"]] = tags_dict(tag_set.get("Tags") or [])
    return found


def _query_log(ctx: CollectContext, zone: Mapping[str, Any], zone_id: str, config: Mapping[str, Any]) -> Resource:
    arn = f"arn:{ctx.partition}:route53:::queryloggingconfig/{config['Id']}"
    return ctx.resource(
        "aws_route53_query_log",
        arn,
        name=str(zone["Name"]).rstrip("."),
        attributes={
            "id": config["Id"],
            "arn": arn,
            "zone_id": zone_id,
            "cloudwatch_log_group_arn": config["CloudWatchLogsLogGroupArn"],
        },
    )


def _zones(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    zones = list(ctx.items(client, "list_hosted_zones", "HostedZones", each=("Id", "Name")))
    logs: dict[str, list[dict[str, Any]]] = {}
    for config in ctx.items(
        client,
        "list_query_logging_configs",
        "QueryLoggingConfigs",
        each=("Id", "HostedZoneId", "CloudWatchLogsLogGroupArn"),
    ):
        logs.setdefault(config["HostedZoneId"], []).append(config)
    zone_ids = [_zone_id(zone["Id"]) for zone in zones]
    tags = _tags(ctx, client, zone_ids)

    def describe(zone: dict[str, Any]) -> list[Resource]:
        zone_id = _zone_id(zone["Id"])
        private = (zone.get("Config") or {}).get("PrivateZone")
        vpcs: Any = ABSENT
        if private:
            answer: Any = ctx.detail(lambda: ctx.call(client, "get_hosted_zone", Id=zone_id, expect=("HostedZone",)))
            vpcs = (
                answer
                if unread(answer)
                else sorted(
                    ({"vpc_id": v.get("VPCId"), "vpc_region": v.get("VPCRegion")} for v in answer.get("VPCs") or []),
                    key=lambda v: (str(v["vpc_id"]), str(v["vpc_region"])),
                )
            )
        configs = logs.get(zone_id, [])
        out = [
            ctx.resource(
                "aws_route53_zone",
                f"arn:{ctx.partition}:route53:::hostedzone/{zone_id}",
                name=zone["Name"].rstrip("."),
                tags=tags.get(zone_id),
                attributes={
                    "zone_id": zone_id,
                    "arn": f"arn:{ctx.partition}:route53:::hostedzone/{zone_id}",
                    # Terraform keeps the name without the final dot.
                    "name": zone["Name"].rstrip("."),
                    "comment": (zone.get("Config") or {}).get("Comment") or ABSENT,
                    "private_zone": unknown("MalformedResponse: Config.PrivateZone not sent")
                    if private is None
                    else bool(private),
                    "vpc": vpcs,
                    "query_log": {"cloudwatch_log_group_arn": configs[0]["CloudWatchLogsLogGroupArn"]}
                    if configs
                    else ABSENT,
                },
            )
        ]
        out.extend(_query_log(ctx, zone, zone_id, config) for config in configs)
        return out

    for resources in ctx.map(describe, zones):
        yield from resources


# -- Terraform ------------------------------------------------------------------------------


def _from_terraform(values: dict[str, Any]) -> None:
    """A zone with a ``vpc`` block is private (Terraform AWS provider, aws_route53_zone)."""
    vpc = values.get("vpc")
    if is_unknown(vpc):
        values["private_zone"] = vpc
    else:
        values["private_zone"] = bool(vpc)
        if vpc:
            values["vpc"] = sorted(
                ({"vpc_id": v.get("vpc_id"), "vpc_region": v.get("vpc_region")} for v in vpc if isinstance(v, dict)),
                key=lambda v: (str(v["vpc_id"]), str(v["vpc_region"])),
            )
        else:
            values.pop("vpc", None)
    if isinstance(values.get("name"), str):
        values["name"] = values["name"].rstrip(".")


def _fold_query_log(values: Mapping[str, Any]) -> Any:
    arn = values.get("cloudwatch_log_group_arn")
    return REMOVE if arn in (None, "") else {"cloudwatch_log_group_arn": arn}


ZONE = ResourceType(
    "aws_route53_zone",
    ZONE_ATTRIBUTES,
    regional=False,
    sources={
        # Ten zones a call; its answer is only their tags.
        "route53:ListTagsForResources": ("tags",),
        # Made for private zones only: their VPCs.
        "route53:GetHostedZone": ("vpc",),
    },
    from_terraform=_from_terraform,
    folds=(
        # The query log names its zone by id, which is the zone_id (Terraform AWS provider, aws_route53_zone).
        Fold("aws_route53_query_log", "query_log", _fold_query_log, reference="zone_id", keep=True),
    ),
    drift_ignore=("query_log",),
)

QUERY_LOG = ResourceType(
    "aws_route53_query_log",
    QUERY_LOG_ATTRIBUTES,
    regional=False,
    name_path="zone_id",
)

COLLECTORS = (
    Collector(
        name="route53.hosted_zones",
        service="route53",
        resource_types=(ZONE, QUERY_LOG),
        calls=(
            "route53:ListHostedZones",
            "route53:ListQueryLoggingConfigs",
            "route53:ListTagsForResources",
            "route53:GetHostedZone",
        ),
        collect=_zones,
        scope="global",
        answer_roots=_ANSWER_ROOTS,
        description="Every Route 53 hosted zone of the account, with its DNS query logging, and each query log.",
        notes=(
            "Hosted zones are global (region `global`). `zone_id` is the bare id (`Z...`), `name` the domain "
            "without its final dot. `private_zone` is the zone's Config.PrivateZone (in Terraform: a zone with "
            "a `vpc` block); `vpc` lists a private zone's VPCs (GetHostedZone, only for private zones). "
            "`query_log` is `{cloudwatch_log_group_arn}` of the zone's query logging configuration "
            "(ListQueryLoggingConfigs, one call for the account), absent when the zone logs no queries; each "
            "configuration is also an `aws_route53_query_log`. Tags come ten zones a call "
            "(ListTagsForResources)."
        ),
    ),
)
