"""ECR: ``aws_ecr_repository`` with its policies folded in, and the registry's scanning configuration.

A stack's container registry is the private ECR registry of an account and
region: its repositories (tag mutability, scan on push, encryption, the
repository policy and the lifecycle policy that Terraform writes as separate
``aws_ecr_repository_policy`` and ``aws_ecr_lifecycle_policy`` resources) and
the registry-wide scanning configuration (basic or enhanced scanning, and
the rules saying which repositories are scanned on push or continuously).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from unify.errors import AwsError
from unify.model.policy_document import parse_policy
from unify.model.resource import Resource, is_unknown, unknown
from unify.model.resource_type import REMOVE, Fold, ResourceType
from unify.observe.answers import MALFORMED
from unify.observe.collector import ABSENT, CollectContext, Collector, sent
from unify.terraform.values import policy_value

ATTRIBUTES = (
    "arn",
    "name",
    "registry_id",
    "repository_url",
    "image_tag_mutability",
    "image_scanning_configuration",
    "encryption_configuration",
    "policy",
    "lifecycle_policy",
    # extras only observation can see
    "created_at",
)

SCANNING_ATTRIBUTES = ("configured", "registry_id", "scan_type", "rule")


def _encryption(config: dict[str, Any] | None) -> Any:
    if config is None:
        return ABSENT
    block = {"encryption_type": sent(config, "encryptionType")}
    if config.get("kmsKey"):
        block["kms_key"] = config["kmsKey"]
    return block


def lifecycle_document(text: Any) -> Any:
    """A lifecycle policy's JSON text as data: ``{rules: [...]}``; text that does not parse is not read as none."""
    if not isinstance(text, str):
        return text
    try:
        document = json.loads(text)
    except ValueError:
        return unknown(f"{MALFORMED}: the lifecycle policy is not JSON")
    return document if isinstance(document, dict) else unknown(f"{MALFORMED}: the lifecycle policy is not an object")


def _repositories(ctx: CollectContext) -> Iterator[Resource]:
    ecr = ctx.client()
    repositories = list(
        ctx.items(ecr, "describe_repositories", "repositories", each=("repositoryName", "repositoryArn", "registryId"))
    )

    def describe(repo: dict[str, Any]) -> Resource:
        name = repo["repositoryName"]
        arn = repo["repositoryArn"]
        registry = repo["registryId"]
        policy = ctx.detail(
            lambda: parse_policy(
                ctx.call(
                    ecr, "get_repository_policy", repositoryName=name, registryId=registry, expect=("policyText",)
                )["policyText"]
            ),
            absent=("RepositoryPolicyNotFoundException",),
        )
        lifecycle = ctx.detail(
            lambda: lifecycle_document(
                ctx.call(
                    ecr,
                    "get_lifecycle_policy",
                    repositoryName=name,
                    registryId=registry,
                    expect=("lifecyclePolicyText",),
                )["lifecyclePolicyText"]
            ),
            absent=("LifecyclePolicyNotFoundException",),
        )
        tags = ctx.detail(lambda: ctx.call(ecr, "list_tags_for_resource", resourceArn=arn, expect=("tags",))["tags"])
        scanning = repo.get("imageScanningConfiguration")
        return ctx.resource(
            "aws_ecr_repository",
            arn,
            name=name,
            tags=tags,
            attributes={
                "arn": arn,
                "name": name,
                "registry_id": registry,
                "repository_url": sent(repo, "repositoryUri"),
                "image_tag_mutability": sent(repo, "imageTagMutability"),
                "image_scanning_configuration": ABSENT
                if scanning is None
                else {"scan_on_push": sent(scanning, "scanOnPush", bool)},
                "encryption_configuration": _encryption(repo.get("encryptionConfiguration")),
                "created_at": repo.get("createdAt", ABSENT),
                "policy": policy,
                "lifecycle_policy": lifecycle,
            },
        )

    yield from ctx.map(describe, repositories)


def _scan_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "scan_frequency": sent(rule, "scanFrequency"),
        "repository_filter": sorted(
            (
                {"filter": sent(f, "filter"), "filter_type": sent(f, "filterType")}
                for f in rule.get("repositoryFilters") or []
            ),
            key=lambda f: json.dumps(f, sort_keys=True),
        ),
    }


def _registry_scanning(ctx: CollectContext) -> Iterator[Resource]:
    ecr = ctx.client()
    answer = ctx.call(ecr, "get_registry_scanning_configuration", expect=("scanningConfiguration",))
    config = answer["scanningConfiguration"]
    if not isinstance(config, dict):
        raise AwsError(MALFORMED, "the answer's 'scanningConfiguration' is not a mapping", "ecr:GetRegistryScanning")
    rules = config.get("rules") or []
    scan_type = sent(config, "scanType")
    # A registry nobody configured answers BASIC with no rules (ECR API reference,
    # GetRegistryScanningConfiguration): the setting was never made.
    configured = bool(rules) or (not is_unknown(scan_type) and scan_type != "BASIC")
    attributes: dict[str, Any] = {"configured": configured}
    if configured:
        attributes.update(
            registry_id=answer.get("registryId", ctx.account),
            scan_type=scan_type,
            rule=sorted((_scan_rule(r) for r in rules), key=lambda r: json.dumps(r, sort_keys=True)),
        )
    yield ctx.resource(
        "aws_ecr_registry_scanning_configuration",
        REGISTRY_SCANNING.singleton_id(ctx.account, ctx.region),
        name=None,
        attributes=attributes,
    )


# -- Terraform ------------------------------------------------------------------------------


def _fold_policy(values: Mapping[str, Any]) -> Any:
    parsed = policy_value(values.get("policy"))
    return REMOVE if parsed is None else parsed


def _fold_lifecycle(values: Mapping[str, Any]) -> Any:
    policy = values.get("policy")
    return REMOVE if policy in (None, "") else lifecycle_document(policy)


def _scanning_from_terraform(values: dict[str, Any]) -> None:
    values["configured"] = True
    rules = values.get("rule")
    if isinstance(rules, list):
        values["rule"] = sorted(
            (
                {
                    "scan_frequency": rule.get("scan_frequency"),
                    "repository_filter": sorted(
                        (
                            {"filter": f.get("filter"), "filter_type": f.get("filter_type")}
                            for f in rule.get("repository_filter") or []
                            if isinstance(f, dict)
                        ),
                        key=lambda f: json.dumps(f, sort_keys=True),
                    ),
                }
                for rule in rules
                if isinstance(rule, dict) and not is_unknown(rule)
            ),
            key=lambda r: json.dumps(r, sort_keys=True),
        )


REPOSITORY = ResourceType(
    "aws_ecr_repository",
    ATTRIBUTES,
    single_blocks=("image_scanning_configuration", "encryption_configuration"),
    # Provider default (docs of aws_ecr_repository).
    defaults={"image_tag_mutability": "MUTABLE"},
    folds=(
        Fold("aws_ecr_repository_policy", "policy", _fold_policy, reference="repository"),
        Fold("aws_ecr_lifecycle_policy", "lifecycle_policy", _fold_lifecycle, reference="repository"),
    ),
    drift_ignore=("name", "registry_id", "repository_url"),
    sources={
        "ecr:GetRepositoryPolicy": ("policy",),
        "ecr:GetLifecyclePolicy": ("lifecycle_policy",),
        "ecr:ListTagsForResource": ("tags",),
    },
)

REGISTRY_SCANNING = ResourceType(
    "aws_ecr_registry_scanning_configuration",
    SCANNING_ATTRIBUTES,
    singleton=True,
    sorted_blocks=("rule",),
    from_terraform=_scanning_from_terraform,
    drift_ignore=("registry_id",),
)

COLLECTORS = (
    Collector(
        name="ecr.repositories",
        service="ecr",
        resource_types=(REPOSITORY,),
        calls=(
            "ecr:DescribeRepositories",
            "ecr:GetRepositoryPolicy",
            "ecr:GetLifecyclePolicy",
            "ecr:ListTagsForResource",
        ),
        collect=_repositories,
        description="Every private ECR repository in the region, with its repository and lifecycle policies.",
        notes=(
            "`image_scanning_configuration.scan_on_push` is the repository's own setting; the registry's scanning "
            "configuration (`aws_ecr_registry_scanning_configuration`) can scan it too. "
            "`encryption_configuration.kms_key` is absent for AES256 repositories. `policy` is the repository "
            "policy, parsed, and absent when the repository has none (RepositoryPolicyNotFoundException); "
            "`lifecycle_policy` is the lifecycle policy document ({rules: [...]}), absent when there is none "
            "(LifecyclePolicyNotFoundException). In Terraform both come from the side resources "
            "`aws_ecr_repository_policy` and `aws_ecr_lifecycle_policy`, folded into the repository. "
            "moto (5.x) serves every call."
        ),
    ),
    Collector(
        name="ecr.registry_scanning_configuration",
        service="ecr",
        resource_types=(REGISTRY_SCANNING,),
        calls=("ecr:GetRegistryScanningConfiguration",),
        collect=_registry_scanning,
        description="The private registry's scanning configuration in the region, a singleton per account and region.",
        notes=(
            "Always present once observed, with id `<account>/<region>/aws_ecr_registry_scanning_configuration`. "
            "A registry whose configuration was never changed answers BASIC scanning with no rules: that is "
            "`configured: false` and no other attribute. Otherwise `scan_type` (BASIC or ENHANCED) and `rule`, "
            "a list of {scan_frequency, repository_filter: [{filter, filter_type}]}, sorted. moto (5.x) serves "
            "the call."
        ),
    ),
)
