"""Elasticsearch domains of OpenSearch Service: ``aws_elasticsearch_domain``, read through the older ``es`` API.

The ``es`` API answers in Terraform's ``aws_elasticsearch_domain`` shape
(``elasticsearch_version``, ``ElasticsearchClusterConfig``); the reading it
shares with OpenSearch domains is in ``search_domains.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

from unify.aws.search_domains import ATTRIBUTES, Engine, domains, from_terraform
from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.collector import CollectContext, Collector

ENGINE = Engine(
    type_name="aws_elasticsearch_domain",
    engine_type="Elasticsearch",
    describe="describe_elasticsearch_domains",
    version_field="ElasticsearchVersion",
    version_attribute="elasticsearch_version",
    cluster_field="ElasticsearchClusterConfig",
)


def _domains(ctx: CollectContext) -> Iterator[Resource]:
    return domains(ctx, ENGINE)


DOMAIN = ResourceType(
    ENGINE.type_name,
    (*ATTRIBUTES, "elasticsearch_version"),
    name_path="domain_name",
    sources={"es:ListTags": ("tags",)},
    single_blocks=(
        "cluster_config",
        "encrypt_at_rest",
        "node_to_node_encryption",
        "domain_endpoint_options",
        "vpc_options",
        "advanced_security_options",
    ),
    from_terraform=from_terraform,
    drift_ignore=("endpoint", "elasticsearch_version"),
)

COLLECTORS = (
    Collector(
        name="elasticsearch.domains",
        service="es",
        resource_types=(DOMAIN,),
        calls=("es:ListDomainNames", "es:DescribeElasticsearchDomains", "es:ListTags"),
        collect=_domains,
        description="Every OpenSearch Service domain of the Elasticsearch engine in the region.",
        notes=(
            "ListDomainNames (EngineType Elasticsearch), DescribeElasticsearchDomains five at a time, ListTags "
            "per domain; blocks as for OpenSearch domains, with `elasticsearch_version`. moto (5.x) sends no "
            "`ElasticsearchClusterConfig` unless one was given at create, so there `cluster_config` is unknown."
        ),
    ),
)
