"""ECR: ``aws_ecr_repository``, every private repository of the region with scanning, mutability and policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.model.policy_document import parse_policy
from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

ATTRIBUTES = (
    "arn",
    "name",
    "registry_id",
    "repository_url",
    "image_tag_mutability",
    "image_scanning_configuration",
    "encryption_configuration",
    # extras only observation can see
    "created_at",
    "policy",
)


def _encryption(config: dict[str, Any] | None) -> Any:
    if config is None:
        return ABSENT
    block = {"encryption_type": sent(config, "encryptionType")}
    if config.get("kmsKey"):
        block["kms_key"] = config["kmsKey"]
    return block


def _repositories(ctx: CollectContext) -> Iterator[Resource]:
    ecr = ctx.client()
    repositories = list(
        ctx.items(ecr, "describe_repositories", "repositories", each=("repositoryName", "repositoryArn", "registryId"))
    )

    def describe(repo: dict[str, Any]) -> Resource:
        name = repo["repositoryName"]
        arn = repo["repositoryArn"]
        policy: Any = ctx.detail(
            lambda: ctx.call(
                ecr, "get_repository_policy", repositoryName=name, registryId=repo["registryId"], expect=("policyText",)
            ),
            absent=("RepositoryPolicyNotFoundException",),
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
                "registry_id": repo["registryId"],
                "repository_url": sent(repo, "repositoryUri"),
                "image_tag_mutability": sent(repo, "imageTagMutability"),
                "image_scanning_configuration": ABSENT
                if scanning is None
                else {"scan_on_push": sent(scanning, "scanOnPush", bool)},
                "encryption_configuration": _encryption(repo.get("encryptionConfiguration")),
                "created_at": repo.get("createdAt", ABSENT),
                "policy": policy if policy is ABSENT or is_unknown(policy) else parse_policy(policy["policyText"]),
            },
        )

    yield from ctx.map(describe, repositories)


REPOSITORY = ResourceType(
    "aws_ecr_repository",
    ATTRIBUTES,
    observed_only=("policy",),
    single_blocks=("image_scanning_configuration", "encryption_configuration"),
    # Provider default (docs of aws_ecr_repository).
    defaults={"image_tag_mutability": "MUTABLE"},
    drift_ignore=("name", "registry_id", "repository_url"),
)

COLLECTORS = (
    Collector(
        name="ecr.repositories",
        service="ecr",
        resource_types=(REPOSITORY,),
        calls=("ecr:DescribeRepositories", "ecr:GetRepositoryPolicy", "ecr:ListTagsForResource"),
        collect=_repositories,
        description="Every private ECR repository in the region.",
        notes=(
            "`image_scanning_configuration.scan_on_push` is the repository's own setting; a registry-level "
            "scanning configuration (enhanced scanning) can override it and is not read here. "
            "`encryption_configuration.kms_key` is absent for AES256 repositories. `policy` is the repository "
            "policy, parsed, and absent when the repository has none (RepositoryPolicyNotFoundException)."
        ),
    ),
)
