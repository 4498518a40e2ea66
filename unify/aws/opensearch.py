"""OpenSearch Service: ``aws_opensearch_domain``, every domain of the OpenSearch engine in the region.

Domains of the Elasticsearch engine are Terraform's ``aws_elasticsearch_domain``
(declared in ``elasticsearch.py``); the reading both share is in
``search_domains.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.aws.search_domains import ATTRIBUTES, Engine, domains, from_terraform
from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector


def _software_updates(status: Mapping[str, Any]) -> dict[str, Any]:
    options = status.get("SoftwareUpdateOptions")
    if isinstance(options, Mapping) and "AutoSoftwareUpdateEnabled" in options:
        return {"software_update_options": {"auto_software_update_enabled": bool(options["AutoSoftwareUpdateEnabled"])}}
    return {"software_update_options": ABSENT}


ENGINE = Engine(
    type_name="aws_opensearch_domain",
    engine_type="OpenSearch",
    describe="describe_domains",
    version_field="EngineVersion",
    version_attribute="engine_version",
    cluster_field="ClusterConfig",
    own=_software_updates,
)


def _domains(ctx: CollectContext) -> Iterator[Resource]:
    return domains(ctx, ENGINE)


DOMAIN = ResourceType(
    ENGINE.type_name,
    (*ATTRIBUTES, "engine_version", "software_update_options"),
    name_path="domain_name",
    sources={"opensearch:ListTags": ("tags",)},
    single_blocks=(
        "cluster_config",
        "encrypt_at_rest",
        "node_to_node_encryption",
        "domain_endpoint_options",
        "vpc_options",
        "advanced_security_options",
        "software_update_options",
    ),
    from_terraform=from_terraform,
    drift_ignore=("endpoint", "engine_version"),
)

COLLECTORS = (
    Collector(
        name="opensearch.domains",
        service="opensearch",
        resource_types=(DOMAIN,),
        calls=("es:ListDomainNames", "es:DescribeDomains", "es:ListTags"),
        collect=_domains,
        description="Every Amazon OpenSearch Service domain of the OpenSearch engine in the region.",
        notes=(
            "ListDomainNames (EngineType OpenSearch), DescribeDomains five at a time, ListTags per domain. "
            "Blocks are in the provider's names: `cluster_config`, `encrypt_at_rest` {enabled, kms_key_id}, "
            "`node_to_node_encryption`, `domain_endpoint_options` {enforce_https, tls_security_policy}, "
            "`vpc_options` {subnet_ids, security_group_ids} (absent for a public domain), "
            "`advanced_security_options` {enabled, internal_user_database_enabled}, `log_publishing_options` "
            "[{log_type, cloudwatch_log_group_arn, enabled}] sorted by type, `access_policies` parsed. A block AWS "
            "should send but did not is unknown. moto serves domains from one backend for both engines."
        ),
    ),
)
