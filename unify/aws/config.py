"""AWS Config: ``aws_config_configuration_recorder``, one per region, present whether or not it is set up,
and ``aws_config_config_rule``, the rules that evaluate what it records.

CIS asks for Config in every region, so a region without a recorder must be a
resource that fails (``configured: false``), not an empty listing that makes
the check vacuously pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from unify.errors import AwsError
from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.answers import MALFORMED, require
from unify.observe.collector import ABSENT, CollectContext, Collector, sent, unread

ATTRIBUTES = (
    "configured",
    "name",
    "role_arn",
    "recording_group",
    "is_enabled",
    # extras only observation can see
    "last_status",
    "last_status_change_time",
)


def _recording_group(group: dict[str, Any] | None) -> Any:
    if group is None:
        return ABSENT
    return {
        "all_supported": sent(group, "allSupported", bool),
        "include_global_resource_types": sent(group, "includeGlobalResourceTypes", bool),
        "resource_types": sent(group, "resourceTypes", sorted),
    }


def _recorder(ctx: CollectContext) -> Iterator[Resource]:
    config = ctx.client()
    found = ctx.call(config, "describe_configuration_recorders", expect=("ConfigurationRecorders",))[
        "ConfigurationRecorders"
    ]
    for recorder in found:
        require(recorder, ("name",), "config:DescribeConfigurationRecorders")
    # Service-linked recorders (made by other AWS services) carry a servicePrincipal; only the customer's counts.
    customer = sorted((r for r in found if not r.get("servicePrincipal")), key=lambda r: str(r["name"]))
    singleton = f"{ctx.account}/{ctx.region}/aws_config_configuration_recorder"
    if not customer:
        yield ctx.resource("aws_config_configuration_recorder", singleton, name=None, attributes={"configured": False})
        return
    recorder = customer[0]
    name = recorder["name"]

    def status_of() -> dict[str, Any]:
        answer = ctx.call(
            config,
            "describe_configuration_recorder_status",
            ConfigurationRecorderNames=[name],
            expect=("ConfigurationRecordersStatus",),
        )
        for entry in answer["ConfigurationRecordersStatus"]:
            if entry.get("name") == name:
                require(entry, ("recording",), "config:DescribeConfigurationRecorderStatus")
                return dict(entry)
        raise AwsError(MALFORMED, f"no status for recorder {name!r}", "config:DescribeConfigurationRecorderStatus")

    status: Any = ctx.detail(status_of)
    no_answer = unread(status)

    def from_status(key: str) -> Any:
        # lastStatus and its time are absent until the recorder first records (Config API reference).
        return status if no_answer else status.get(key, ABSENT)

    yield ctx.resource(
        "aws_config_configuration_recorder",
        singleton,
        name=name,
        attributes={
            "configured": True,
            "name": name,
            "role_arn": sent(recorder, "roleARN"),
            "recording_group": _recording_group(recorder.get("recordingGroup")),
            "is_enabled": status if no_answer else bool(status["recording"]),
            "last_status": from_status("lastStatus"),
            "last_status_change_time": from_status("lastStatusChangeTime"),
        },
    )


RULE_ATTRIBUTES = (
    "name",
    "arn",
    "rule_id",
    "description",
    "input_parameters",
    "maximum_execution_frequency",
    "source",
    "scope",
    # extras only observation can see
    "state",
)


def _source(source: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"owner": sent(source, "Owner")}
    # A custom policy rule (Guard) has no SourceIdentifier, a managed rule no SourceDetails (API reference, Source).
    if source.get("SourceIdentifier"):
        out["source_identifier"] = source["SourceIdentifier"]
    details = source.get("SourceDetails")
    if details:
        out["source_detail"] = sorted(
            (
                {
                    "event_source": d.get("EventSource"),
                    "message_type": d.get("MessageType"),
                    "maximum_execution_frequency": d.get("MaximumExecutionFrequency"),
                }
                for d in details
            ),
            key=json_key,
        )
    return out


def json_key(value: Any) -> str:
    """A stable sort key for a block (its JSON with sorted keys)."""
    return json.dumps(value, sort_keys=True, default=str)


def _scope(scope: dict[str, Any] | None) -> Any:
    if not scope:
        return ABSENT  # a rule evaluating every resource type has no scope (API reference, ConfigRule)
    out: dict[str, Any] = {}
    for theirs, ours in (
        ("ComplianceResourceId", "compliance_resource_id"),
        ("TagKey", "tag_key"),
        ("TagValue", "tag_value"),
    ):
        if scope.get(theirs):
            out[ours] = scope[theirs]
    if scope.get("ComplianceResourceTypes"):
        out["compliance_resource_types"] = sorted(scope["ComplianceResourceTypes"])
    return out


def _rules(ctx: CollectContext) -> Iterator[Resource]:
    config = ctx.client()
    rules = list(
        ctx.items(config, "describe_config_rules", "ConfigRules", each=("ConfigRuleName", "ConfigRuleArn", "Source"))
    )

    def describe(rule: dict[str, Any]) -> Resource:
        arn = rule["ConfigRuleArn"]
        tags: Any = ctx.detail(lambda: list(ctx.items(config, "list_tags_for_resource", "Tags", ResourceArn=arn)))
        return ctx.resource(
            "aws_config_config_rule",
            arn,
            name=rule["ConfigRuleName"],
            tags=tags,
            attributes={
                "name": rule["ConfigRuleName"],
                "arn": arn,
                "rule_id": sent(rule, "ConfigRuleId"),
                # Optional settings are sent only when the rule has them (Config API reference, ConfigRule).
                "description": rule.get("Description") or ABSENT,
                "input_parameters": rule.get("InputParameters") or ABSENT,
                "maximum_execution_frequency": rule.get("MaximumExecutionFrequency", ABSENT),
                "source": _source(rule["Source"]),
                "scope": _scope(rule.get("Scope")),
                "state": sent(rule, "ConfigRuleState"),
            },
        )

    yield from ctx.map(describe, rules)


def _rule_from_terraform(values: dict[str, Any]) -> None:
    source = values.get("source")
    if isinstance(source, dict) and isinstance(source.get("source_detail"), list):
        source["source_detail"] = sorted(source["source_detail"], key=json_key)
    scope = values.get("scope")
    if isinstance(scope, dict) and isinstance(scope.get("compliance_resource_types"), list):
        scope["compliance_resource_types"] = sorted(scope["compliance_resource_types"])
        if not scope["compliance_resource_types"]:
            del scope["compliance_resource_types"]


RULE = ResourceType(
    "aws_config_config_rule",
    RULE_ATTRIBUTES,
    observed_only=("state",),
    sources={"config:ListTagsForResource": ("tags",)},
    single_blocks=("source", "scope"),
    from_terraform=_rule_from_terraform,
    drift_ignore=("arn", "rule_id", "state"),
)

RECORDER = ResourceType(
    "aws_config_configuration_recorder",
    ATTRIBUTES,
    observed_only=("is_enabled", "last_status", "last_status_change_time"),
    singleton=True,
    # Asked only when the region has a recorder (DescribeConfigurationRecorders, whose failure is error coverage).
    sources={
        "config:DescribeConfigurationRecorderStatus": ("is_enabled", "last_status", "last_status_change_time"),
    },
    single_blocks=("recording_group", "recording_mode"),
)

COLLECTORS = (
    Collector(
        name="config.configuration_recorders",
        service="config",
        resource_types=(RECORDER,),
        calls=("config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus"),
        collect=_recorder,
        description="The region's customer managed AWS Config recorder, a singleton per region.",
        notes=(
            "Always present once observed, with id `<account>/<region>/aws_config_configuration_recorder` "
            "and the recorder's name as `name`: `configured: false` and nothing else when the region has no "
            "recorder. `is_enabled` (Terraform's `aws_config_configuration_recorder_status`), `last_status` "
            "and `last_status_change_time` come from DescribeConfigurationRecorderStatus; "
            "`recording_group.resource_types` is sorted. Service-linked recorders are ignored. moto leaves "
            "`last_status` at `PENDING`."
        ),
    ),
    Collector(
        name="config.rules",
        service="config",
        resource_types=(RULE,),
        calls=("config:DescribeConfigRules", "config:ListTagsForResource"),
        collect=_rules,
        description="Every AWS Config rule of the region, managed and custom.",
        notes=(
            "`source` holds `owner` (AWS, CUSTOM_LAMBDA, CUSTOM_POLICY), `source_identifier` and the sorted "
            "`source_detail` triggers; `scope` is absent for a rule over every resource type. "
            "`input_parameters` is the JSON text AWS sends. Conformance packs are not observed: moto serves "
            "no DescribeConformancePacks, and a listing only recordings could serve would be `error` coverage "
            "in every moto-served observation."
        ),
    ),
)
