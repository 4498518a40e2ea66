"""WAF v2: ``aws_wafv2_web_acl``, regional web ACLs in every region and CloudFront ones in us-east-1.

A web ACL's rules carry statements nested many levels deep; unify keeps
what the checks judge (each rule's name, priority and CloudWatch metrics
setting, the ACL's own visibility configuration and default action) and the
ACL's logging configuration, which Terraform sets with
``aws_wafv2_web_acl_logging_configuration`` and unify folds in as
``logging_configuration``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import REMOVE, Fold, ResourceType
from unify.observe.collector import ABSENT, NOT_COLLECTED, CollectContext, Collector
from unify.terraform.values import single

ATTRIBUTES = (
    "id",
    "arn",
    "name",
    "description",
    "scope",
    "default_action",
    "rule",
    "visibility_config",
    "capacity",
    "logging_configuration",
)

#: CloudFront web ACLs are managed through us-east-1 only (AWS WAF API reference, Scope).
_CLOUDFRONT_REGION = "us-east-1"


def _visibility(config: Any) -> Any:
    if not isinstance(config, Mapping):
        return ABSENT
    return {
        "cloudwatch_metrics_enabled": config.get("CloudWatchMetricsEnabled"),
        "metric_name": config.get("MetricName"),
        "sampled_requests_enabled": config.get("SampledRequestsEnabled"),
    }


def _rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": rule.get("Name"),
        "priority": rule.get("Priority"),
        "visibility_config": _visibility(rule.get("VisibilityConfig")),
    }


def _listed(ctx: CollectContext, client: Any, scope: str) -> list[dict[str, Any]]:
    """ListWebACLs is paged by hand (``NextMarker``): botocore has no paginator for it."""
    found: list[dict[str, Any]] = []
    marker: str | None = None
    while True:
        kwargs: dict[str, Any] = {"Scope": scope, "Limit": 100}
        if marker:
            kwargs["NextMarker"] = marker
        answer = ctx.call(client, "list_web_acls", expect=("WebACLs",), **kwargs)
        found.extend(
            dict(item)
            for item in answer["WebACLs"]
            if isinstance(item, Mapping) and item.get("ARN") and item.get("Name") and item.get("Id")
        )
        marker = answer.get("NextMarker")
        if not marker or not answer["WebACLs"]:
            return found


def _logging(ctx: CollectContext, client: Any, arn: str) -> Any:
    def read() -> Any:
        config = ctx.call(client, "get_logging_configuration", ResourceArn=arn, expect=("LoggingConfiguration",))
        destinations = config["LoggingConfiguration"].get("LogDestinationConfigs") or []
        return {"log_destination_configs": sorted(destinations)} if destinations else ABSENT

    # "WAFNonexistentItemException: ... the resource doesn't exist": the web ACL has no logging configuration.
    return ctx.detail(read, absent=("WAFNonexistentItemException",))


def _web_acls(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    scopes = ["REGIONAL"] + (["CLOUDFRONT"] if ctx.region == _CLOUDFRONT_REGION else [])
    listed = [(scope, acl) for scope in scopes for acl in _listed(ctx, client, scope)]

    def describe(item: tuple[str, dict[str, Any]]) -> Resource:
        scope, summary = item
        arn = summary["ARN"]
        answer: Any = ctx.detail(
            lambda: ctx.call(
                client, "get_web_acl", Name=summary["Name"], Scope=scope, Id=summary["Id"], expect=("WebACL.Rules",)
            )["WebACL"]
        )
        tags = ctx.detail(
            lambda: (
                ctx.call(client, "list_tags_for_resource", ResourceARN=arn, expect=("TagInfoForResource",))[
                    "TagInfoForResource"
                ].get("TagList")
                or []
            )
        )
        if is_unknown(answer):
            attributes: dict[str, Any] = dict.fromkeys(ATTRIBUTES, answer)
            attributes.update(id=summary["Id"], arn=arn, name=summary["Name"], scope=scope)
        elif answer is NOT_COLLECTED:
            # The rules were not read; the logging configuration does not depend on them.
            attributes = dict.fromkeys(ATTRIBUTES, answer)
            attributes.update(
                id=summary["Id"],
                arn=arn,
                name=summary["Name"],
                scope=scope,
                logging_configuration=_logging(ctx, client, arn),
            )
        else:
            default = answer.get("DefaultAction") or {}
            attributes = {
                "id": summary["Id"],
                "arn": arn,
                "name": summary["Name"],
                "description": answer.get("Description") or ABSENT,
                "scope": scope,
                "default_action": "allow" if "Allow" in default else "block" if "Block" in default else ABSENT,
                "rule": sorted(
                    (_rule(rule) for rule in answer["Rules"] if isinstance(rule, Mapping)),
                    key=lambda rule: (rule["priority"] if isinstance(rule["priority"], int) else 0, str(rule["name"])),
                ),
                "visibility_config": _visibility(answer.get("VisibilityConfig")),
                "capacity": answer.get("Capacity", ABSENT),
                "logging_configuration": _logging(ctx, client, arn),
            }
        return ctx.resource("aws_wafv2_web_acl", arn, name=summary["Name"], tags=tags, attributes=attributes)

    yield from ctx.map(describe, listed)


# -- Terraform ------------------------------------------------------------------------------


def _tf_visibility(block: Any) -> Any:
    block = single(block)
    if not isinstance(block, dict) or is_unknown(block):
        return block
    return {k: block.get(k) for k in ("cloudwatch_metrics_enabled", "metric_name", "sampled_requests_enabled")}


def _from_terraform(values: dict[str, Any]) -> None:
    """Rules as the collector keeps them (statements are not kept); the default action as one word."""
    default = single(values.get("default_action"))
    if isinstance(default, dict) and not is_unknown(default):
        values["default_action"] = "allow" if single(default.get("allow")) is not None else "block"
    values["visibility_config"] = _tf_visibility(values.get("visibility_config"))
    rules = values.get("rule")
    if isinstance(rules, list):
        values["rule"] = sorted(
            (
                {
                    "name": rule.get("name"),
                    "priority": rule.get("priority"),
                    "visibility_config": _tf_visibility(rule.get("visibility_config")),
                }
                if isinstance(rule, dict) and not is_unknown(rule)
                else rule
                for rule in rules
            ),
            key=lambda rule: (
                rule.get("priority") if isinstance(rule, dict) and isinstance(rule.get("priority"), int) else 0,
                str(rule.get("name") if isinstance(rule, dict) else ""),
            ),
        )
    values.pop("rule_json", None)


def _fold_logging(values: Mapping[str, Any]) -> Any:
    destinations = values.get("log_destination_configs")
    if is_unknown(destinations):
        return {"log_destination_configs": destinations}
    return REMOVE if not destinations else {"log_destination_configs": sorted(destinations)}


WEB_ACL = ResourceType(
    "aws_wafv2_web_acl",
    ATTRIBUTES,
    sources={
        "wafv2:GetWebACL": ("description", "default_action", "rule", "visibility_config", "capacity"),
        "wafv2:GetLoggingConfiguration": ("logging_configuration",),
        "wafv2:ListTagsForResource": ("tags",),
    },
    from_terraform=_from_terraform,
    folds=(
        Fold(
            "aws_wafv2_web_acl_logging_configuration",
            "logging_configuration",
            _fold_logging,
            reference="resource_arn",
            match=("arn",),
        ),
    ),
    drift_ignore=("capacity", "logging_configuration"),
)

COLLECTORS = (
    Collector(
        name="wafv2.web_acls",
        service="wafv2",
        resource_types=(WEB_ACL,),
        calls=("wafv2:ListWebACLs", "wafv2:GetWebACL", "wafv2:GetLoggingConfiguration", "wafv2:ListTagsForResource"),
        collect=_web_acls,
        description="Every WAF v2 web ACL: regional ones in each region, CloudFront ones from us-east-1.",
        notes=(
            "CloudFront (global) web ACLs are listed with the us-east-1 pass, with `scope: CLOUDFRONT`. Each rule "
            "is kept as `{name, priority, visibility_config}` sorted by priority; statements and actions are not "
            "kept. `default_action` is `allow` or `block`. `logging_configuration` is "
            "`{log_destination_configs}` (GetLoggingConfiguration; in Terraform "
            "`aws_wafv2_web_acl_logging_configuration`), absent when the ACL does not log (AWS answers "
            "WAFNonexistentItemException). Associations with API Gateway stages are read from the stages "
            "(`web_acl_arn`), with CloudFront from the distribution (`web_acl_id`)."
        ),
    ),
)
