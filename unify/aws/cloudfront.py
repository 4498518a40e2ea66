"""CloudFront: ``aws_cloudfront_distribution``, every distribution of the account with its origins and behaviours.

CloudFront answers in XML lists wrapped as ``{Quantity, Items}``; Terraform
keeps the same settings as nested blocks (``origin``, ``origin_group``,
``default_cache_behavior``, ``ordered_cache_behavior``, ``logging_config``,
``viewer_certificate``). The collector writes the distribution in
Terraform's shape, so the same check reads a live distribution and a
planned one: an origin is ``{origin_id, domain_name, origin_access_control_id,
s3_origin_config, custom_origin_config}``, and so on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, NOT_COLLECTED, CollectContext, Collector, sent
from unify.terraform.shapes import block_order
from unify.terraform.values import single

ATTRIBUTES = (
    "id",
    "arn",
    "domain_name",
    "status",
    "enabled",
    "comment",
    "aliases",
    "default_root_object",
    "http_version",
    "is_ipv6_enabled",
    "price_class",
    "web_acl_id",
    "origin",
    "origin_group",
    "default_cache_behavior",
    "ordered_cache_behavior",
    "logging_config",
    "viewer_certificate",
)

#: The attributes the listing gives; every other one is GetDistributionConfig's.
_LISTED = ("id", "arn", "domain_name", "status")
_CONFIGURED = tuple(a for a in ATTRIBUTES if a not in _LISTED)

#: Answers' root elements (CloudFront API reference, each operation's response syntax).
_ANSWER_ROOTS = {
    "ListDistributions": ("DistributionList",),
    "GetDistributionConfig": ("DistributionConfig",),
    "ListTagsForResource": ("Tags",),
}


def _items(wrapped: Any) -> list[Any]:
    """CloudFront's ``{Quantity, Items}`` as a list; ``Items`` is left out when the quantity is 0."""
    if not isinstance(wrapped, Mapping):
        return []
    items = wrapped.get("Items")
    return list(items) if isinstance(items, list) else []


def _custom_origin(config: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "http_port": config.get("HTTPPort"),
        "https_port": config.get("HTTPSPort"),
        "origin_protocol_policy": config.get("OriginProtocolPolicy"),
        "origin_ssl_protocols": sorted(_items(config.get("OriginSslProtocols"))),
        "origin_keepalive_timeout": config.get("OriginKeepaliveTimeout"),
        "origin_read_timeout": config.get("OriginReadTimeout"),
    }


def _origin(origin: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"origin_id": origin.get("Id"), "domain_name": origin.get("DomainName")}
    if origin.get("OriginPath"):
        out["origin_path"] = origin["OriginPath"]
    if origin.get("OriginAccessControlId"):
        out["origin_access_control_id"] = origin["OriginAccessControlId"]
    s3 = origin.get("S3OriginConfig")
    if isinstance(s3, Mapping):
        out["s3_origin_config"] = (
            {"origin_access_identity": s3["OriginAccessIdentity"]} if s3.get("OriginAccessIdentity") else {}
        )
    custom = origin.get("CustomOriginConfig")
    if isinstance(custom, Mapping):
        out["custom_origin_config"] = {k: v for k, v in _custom_origin(custom).items() if v is not None}
    return out


def _origin_group(group: Mapping[str, Any]) -> dict[str, Any]:
    criteria = (group.get("FailoverCriteria") or {}).get("StatusCodes")
    return {
        "origin_id": group.get("Id"),
        "failover_criteria": {"status_codes": sorted(_items(criteria))},
        "member": [{"origin_id": member.get("OriginId")} for member in _items(group.get("Members"))],
    }


def _behavior(behavior: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "target_origin_id": behavior.get("TargetOriginId"),
        "viewer_protocol_policy": behavior.get("ViewerProtocolPolicy"),
        "allowed_methods": sorted(_items(behavior.get("AllowedMethods"))),
        "cached_methods": sorted(_items((behavior.get("AllowedMethods") or {}).get("CachedMethods"))),
        "compress": bool(behavior.get("Compress", False)),
    }
    if behavior.get("PathPattern"):
        out["path_pattern"] = behavior["PathPattern"]
    for key, name in (
        ("CachePolicyId", "cache_policy_id"),
        ("OriginRequestPolicyId", "origin_request_policy_id"),
        ("ResponseHeadersPolicyId", "response_headers_policy_id"),
        ("FieldLevelEncryptionId", "field_level_encryption_id"),
        ("RealtimeLogConfigArn", "realtime_log_config_arn"),
    ):
        if behavior.get(key):
            out[name] = behavior[key]
    return out


def _logging(logging: Any) -> Any:
    # "If you don't want to enable logging ... specify false for Enabled" (CloudFront API reference,
    # LoggingConfig): a disabled configuration is no logging, as a missing logging_config is in Terraform.
    if not isinstance(logging, Mapping) or not logging.get("Enabled"):
        return ABSENT
    return {
        "bucket": logging.get("Bucket"),
        "include_cookies": bool(logging.get("IncludeCookies", False)),
        "prefix": logging.get("Prefix") or "",
    }


def _viewer_certificate(certificate: Any) -> Any:
    if not isinstance(certificate, Mapping):
        return ABSENT
    out: dict[str, Any] = {
        "cloudfront_default_certificate": bool(certificate.get("CloudFrontDefaultCertificate", False)),
        "minimum_protocol_version": certificate.get("MinimumProtocolVersion"),
    }
    for key, name in (
        ("ACMCertificateArn", "acm_certificate_arn"),
        ("IAMCertificateId", "iam_certificate_id"),
        ("SSLSupportMethod", "ssl_support_method"),
    ):
        if certificate.get(key):
            out[name] = certificate[key]
    return {k: v for k, v in out.items() if v is not None}


def _attributes(summary: Mapping[str, Any], config: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": summary["Id"],
        "arn": summary["ARN"],
        "domain_name": summary.get("DomainName") or ABSENT,
        "status": summary.get("Status") or ABSENT,
        "enabled": sent(config, "Enabled", bool),
        "comment": config.get("Comment") or ABSENT,
        "aliases": sorted(_items(config.get("Aliases"))),
        "default_root_object": config.get("DefaultRootObject") or ABSENT,
        "http_version": config.get("HttpVersion") or ABSENT,
        "is_ipv6_enabled": bool(config.get("IsIPV6Enabled", False)),
        "price_class": config.get("PriceClass") or ABSENT,
        # An empty WebACLId is no web ACL (CloudFront API reference, DistributionConfig.WebACLId).
        "web_acl_id": config.get("WebACLId") or ABSENT,
        "origin": sorted((_origin(o) for o in _items(config.get("Origins"))), key=block_order),
        "origin_group": sorted((_origin_group(g) for g in _items(config.get("OriginGroups"))), key=block_order),
        "default_cache_behavior": _behavior(config["DefaultCacheBehavior"]),
        # Cache behaviours are matched in list order: the order is kept.
        "ordered_cache_behavior": [_behavior(b) for b in _items(config.get("CacheBehaviors"))],
        "logging_config": _logging(config.get("Logging")),
        "viewer_certificate": _viewer_certificate(config.get("ViewerCertificate")),
    }


def _distributions(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    summaries: list[dict[str, Any]] = [
        dict(summary)
        for page in ctx.pages(client, "list_distributions", expect=("DistributionList",))
        for summary in _items(page["DistributionList"])
        if isinstance(summary, Mapping) and summary.get("Id") and summary.get("ARN")
    ]

    def describe(summary: dict[str, Any]) -> Resource | None:
        distribution_id, arn = summary["Id"], summary["ARN"]
        config: Any = ctx.detail(
            lambda: ctx.call(
                client,
                "get_distribution_config",
                Id=distribution_id,
                expect=("DistributionConfig.Origins", "DistributionConfig.DefaultCacheBehavior"),
            )["DistributionConfig"],
            absent=("NoSuchDistribution",),
        )
        if config is ABSENT:
            return None  # deleted since the listing (not seen when the configuration call is skipped)
        tags = ctx.detail(lambda: ctx.call(client, "list_tags_for_resource", Resource=arn, expect=("Tags",))["Tags"])
        if is_unknown(config):
            attributes = dict.fromkeys(ATTRIBUTES, config) | {"id": distribution_id, "arn": arn}
        elif config is NOT_COLLECTED:
            attributes = dict.fromkeys(_CONFIGURED, config) | {
                "id": distribution_id,
                "arn": arn,
                "domain_name": summary.get("DomainName") or ABSENT,
                "status": summary.get("Status") or ABSENT,
            }
        else:
            attributes = _attributes(summary, config)
        return ctx.resource(
            "aws_cloudfront_distribution",
            arn,
            name=distribution_id,
            tags=_items(tags) if isinstance(tags, Mapping) and not is_unknown(tags) else tags,
            attributes=attributes,
            region="global",
        )

    for resource in ctx.map(describe, summaries):
        if resource is not None:
            yield resource


# -- Terraform ------------------------------------------------------------------------------


def _from_terraform(values: dict[str, Any]) -> None:
    """Terraform's blocks as the collector writes them (a behaviour's ``forwarded_values`` is not kept)."""
    for key in ("default_cache_behavior", "ordered_cache_behavior"):
        blocks = values.get(key)
        for block in blocks if isinstance(blocks, list) else [blocks]:
            if isinstance(block, dict) and not is_unknown(block):
                for dropped in ("forwarded_values", "function_association", "lambda_function_association"):
                    block.pop(dropped, None)
                for listed in ("allowed_methods", "cached_methods"):
                    if isinstance(block.get(listed), list):
                        block[listed] = sorted(block[listed])
    for group in values.get("origin_group") or []:
        if isinstance(group, dict) and not is_unknown(group):
            criteria = single(group.get("failover_criteria"))
            if isinstance(criteria, dict) and isinstance(criteria.get("status_codes"), list):
                criteria["status_codes"] = sorted(criteria["status_codes"])
            group["failover_criteria"] = criteria
    for origin in values.get("origin") or []:
        custom = origin.get("custom_origin_config") if isinstance(origin, dict) else None
        if isinstance(custom, dict) and isinstance(custom.get("origin_ssl_protocols"), list):
            custom["origin_ssl_protocols"] = sorted(custom["origin_ssl_protocols"])


DISTRIBUTION = ResourceType(
    "aws_cloudfront_distribution",
    ATTRIBUTES,
    regional=False,
    name_path="id",
    single_blocks=(
        "default_cache_behavior",
        "logging_config",
        "viewer_certificate",
        "origin.s3_origin_config",
        "origin.custom_origin_config",
    ),
    sorted_blocks=("origin", "origin_group"),
    sources={"cloudfront:GetDistributionConfig": _CONFIGURED, "cloudfront:ListTagsForResource": ("tags",)},
    from_terraform=_from_terraform,
    drift_ignore=("status", "domain_name"),
)

COLLECTORS = (
    Collector(
        name="cloudfront.distributions",
        service="cloudfront",
        resource_types=(DISTRIBUTION,),
        calls=("cloudfront:ListDistributions", "cloudfront:GetDistributionConfig", "cloudfront:ListTagsForResource"),
        collect=_distributions,
        scope="global",
        answer_roots=_ANSWER_ROOTS,
        description="Every CloudFront distribution of the account, in the shape of Terraform's blocks.",
        notes=(
            "Distributions are global (region `global`), listed once per account; each one's configuration "
            "comes from GetDistributionConfig (the listing has no logging settings and no default root object). "
            "`origin` and `origin_group` are sorted as Terraform's sets are; `ordered_cache_behavior` keeps its "
            "precedence order. `logging_config` is absent unless standard logging is enabled, `web_acl_id` "
            "without a web ACL, `origin_access_control_id` on an origin without one; `s3_origin_config` is `{}` "
            "for an S3 origin without an origin access identity. A behaviour's legacy `forwarded_values` is not "
            "kept. moto (5.x) drops `OriginAccessControlId`, `S3OriginConfig`, origin groups and cache "
            "behaviours from its answers and reports `CloudFrontDefaultCertificate: true` unless told otherwise, "
            "so the collector is tested on recorded answers shaped as the CloudFront API reference documents "
            "them (botocore's Stubber), and against moto for the listing."
        ),
    ),
)
