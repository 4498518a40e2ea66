"""OpenSearch Service domains, read from AWS and from Terraform into the providers' shapes.

One AWS service holds both engines: OpenSearch domains (Terraform's
``aws_opensearch_domain``, the ``opensearch`` API) and Elasticsearch domains
(``aws_elasticsearch_domain``, the older ``es`` API). Their answers and the
two Terraform types share every block but the cluster configuration's and the
version's names; ``opensearch.py`` and ``elasticsearch.py`` declare the types
and pass those names in. This module names no type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from unify.errors import AwsError
from unify.model.policy_document import parse_policy
from unify.model.resource import Resource, is_unknown, unknown
from unify.observe.answers import MALFORMED
from unify.observe.collector import ABSENT, CollectContext, sent
from unify.terraform.values import policy_value

__all__ = ["ATTRIBUTES", "Engine", "domains", "from_terraform"]

#: The attributes both types have (the version's name is the engine's own).
ATTRIBUTES: Final = (
    "domain_name",
    "arn",
    "cluster_config",
    "encrypt_at_rest",
    "node_to_node_encryption",
    "domain_endpoint_options",
    "vpc_options",
    "advanced_security_options",
    "log_publishing_options",
    "access_policies",
    "endpoint",
)

#: DescribeDomains and DescribeElasticsearchDomains take at most 5 domain names.
_CHUNK: Final = 5

_CLUSTER: Final = (
    ("InstanceType", "instance_type"),
    ("InstanceCount", "instance_count"),
    ("DedicatedMasterEnabled", "dedicated_master_enabled"),
    ("DedicatedMasterType", "dedicated_master_type"),
    ("DedicatedMasterCount", "dedicated_master_count"),
    ("ZoneAwarenessEnabled", "zone_awareness_enabled"),
    ("WarmEnabled", "warm_enabled"),
)


@dataclass(frozen=True)
class Engine:
    """What differs between the two engines' APIs and types."""

    type_name: str
    engine_type: str  # ListDomainNames' EngineType
    describe: str  # the describe operation
    version_field: str
    version_attribute: str
    cluster_field: str
    #: Attributes only this engine's type has, read from a domain's status.
    own: Callable[[Mapping[str, Any]], dict[str, Any]] = lambda status: {}


def _flag_block(answer: Mapping[str, Any], field: str, extra: tuple[tuple[str, str], ...] = ()) -> Any:
    """``{enabled, ...}`` from an options block that should be in the answer; unknown when it is not."""
    block = answer.get(field)
    if not isinstance(block, Mapping):
        return unknown(f"{MALFORMED}: {field} not sent")
    shaped: dict[str, Any] = {"enabled": bool(block.get("Enabled", False))}
    for key, name in extra:
        if block.get(key):
            shaped[name] = block[key]
    return shaped


def _cluster_config(status: Mapping[str, Any], field: str) -> Any:
    config = status.get(field)
    if not isinstance(config, Mapping):
        return unknown(f"{MALFORMED}: {field} not sent")
    return {name: config[key] for key, name in _CLUSTER if key in config}


def _endpoint_options(status: Mapping[str, Any]) -> Any:
    options = status.get("DomainEndpointOptions")
    if not isinstance(options, Mapping):
        return unknown(f"{MALFORMED}: DomainEndpointOptions not sent")
    shaped: dict[str, Any] = {"enforce_https": bool(options.get("EnforceHTTPS", False))}
    if options.get("TLSSecurityPolicy"):
        shaped["tls_security_policy"] = options["TLSSecurityPolicy"]
    return shaped


def _vpc_options(status: Mapping[str, Any]) -> Any:
    """A domain in a VPC has VPCOptions; a public one has none (OpenSearch API reference, DomainStatus)."""
    vpc = status.get("VPCOptions")
    if not isinstance(vpc, Mapping) or not vpc.get("SubnetIds"):
        return ABSENT
    return {
        "subnet_ids": sorted(vpc.get("SubnetIds") or []),
        "security_group_ids": sorted(vpc.get("SecurityGroupIds") or []),
    }


def _security_options(status: Mapping[str, Any]) -> Any:
    options = status.get("AdvancedSecurityOptions")
    if not isinstance(options, Mapping):
        return unknown(f"{MALFORMED}: AdvancedSecurityOptions not sent")
    return {
        "enabled": bool(options.get("Enabled", False)),
        "internal_user_database_enabled": bool(options.get("InternalUserDatabaseEnabled", False)),
    }


def _log_options(status: Mapping[str, Any]) -> list[dict[str, Any]]:
    """LogPublishingOptions (a map by log type; absent when nothing is published) as the provider's set of blocks."""
    options = status.get("LogPublishingOptions") or {}
    return [
        {
            "log_type": log_type,
            "cloudwatch_log_group_arn": option.get("CloudWatchLogsLogGroupArn", ""),
            "enabled": bool(option.get("Enabled", False)),
        }
        for log_type, option in sorted(options.items())
        if isinstance(option, Mapping)
    ]


def _access_policies(status: Mapping[str, Any]) -> Any:
    text = status.get("AccessPolicies")
    return parse_policy(text) if isinstance(text, str) and text.strip() else ABSENT


def _resource(ctx: CollectContext, engine: Engine, status: Mapping[str, Any], tags: Any) -> Resource:
    name, arn = status["DomainName"], status["ARN"]
    endpoints = status.get("Endpoints") or {}
    return ctx.resource(
        engine.type_name,
        arn,
        name=name,
        tags=tags,
        attributes={
            "domain_name": name,
            "arn": arn,
            engine.version_attribute: sent(status, engine.version_field),
            "cluster_config": _cluster_config(status, engine.cluster_field),
            "encrypt_at_rest": _flag_block(status, "EncryptionAtRestOptions", (("KmsKeyId", "kms_key_id"),)),
            "node_to_node_encryption": _flag_block(status, "NodeToNodeEncryptionOptions"),
            "domain_endpoint_options": _endpoint_options(status),
            "vpc_options": _vpc_options(status),
            "advanced_security_options": _security_options(status),
            "log_publishing_options": _log_options(status),
            "access_policies": _access_policies(status),
            # A public domain has Endpoint, a VPC one Endpoints["vpc"] (OpenSearch API reference, DomainStatus).
            "endpoint": status.get("Endpoint") or endpoints.get("vpc") or ABSENT,
            **engine.own(status),
        },
    )


def _domain_tags(ctx: CollectContext, client: Any, arn: str) -> Any:
    return ctx.detail(lambda: ctx.call(client, "list_tags", ARN=arn, expect=("TagList",))["TagList"])


def domains(ctx: CollectContext, engine: Engine) -> Iterator[Resource]:
    """Every domain of ``engine``'s type in the region, described five at a time, with its tags."""
    client = ctx.client()
    names = sorted(
        str(d["DomainName"])
        for d in ctx.call(client, "list_domain_names", EngineType=engine.engine_type, expect=("DomainNames",))[
            "DomainNames"
        ]
        if isinstance(d, Mapping) and d.get("DomainName")
    )
    chunks = [names[i : i + _CHUNK] for i in range(0, len(names), _CHUNK)]

    def describe(chunk: list[str]) -> list[Resource]:
        statuses = ctx.call(client, engine.describe, DomainNames=chunk, expect=("DomainStatusList",))[
            "DomainStatusList"
        ]
        out = []
        for status in statuses:
            if not isinstance(status, Mapping) or "DomainName" not in status or "ARN" not in status:
                raise AwsError(MALFORMED, "a domain of the answer lacks its DomainName or ARN", engine.describe)
            tags = _domain_tags(ctx, client, str(status["ARN"]))
            out.append(_resource(ctx, engine, status, tags))
        return out

    # A chunk that cannot be described fails the listing: a domain is never lost behind `ok` coverage.
    for resources in ctx.map(describe, chunks):
        yield from resources


def from_terraform(values: dict[str, Any]) -> None:
    """``access_policies`` parsed; log options (a set) sorted by type; VPC ids sorted."""
    if "access_policies" in values:
        parsed = policy_value(values["access_policies"])
        if parsed is None:
            del values["access_policies"]
        else:
            values["access_policies"] = parsed
    logs = values.get("log_publishing_options")
    if isinstance(logs, list):
        values["log_publishing_options"] = sorted(
            logs, key=lambda o: str(o.get("log_type")) if isinstance(o, dict) and not is_unknown(o) else ""
        )
    vpc = values.get("vpc_options")
    if isinstance(vpc, dict) and not is_unknown(vpc):
        for key in ("subnet_ids", "security_group_ids"):
            if isinstance(vpc.get(key), list):
                vpc[key] = sorted(vpc[key])
        if not vpc.get("subnet_ids"):
            del values["vpc_options"]
