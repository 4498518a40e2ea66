"""AWS Organizations policies: SCPs, RCPs and the other policy types, and the organization's delegation policy.

Both are visible from the management account and from delegated
administrators only; see :mod:`unify.aws.organizations` for what an
observation from another member account gets (AccessDeniedException:
``error`` coverage, never "no policies").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from unify.aws.organizations import NOT_IN_USE, listing, tags_of
from unify.errors import AwsError
from unify.model.policy_document import parse_policy
from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.collector import CollectContext, Collector, sent
from unify.terraform.values import policy_value

#: The policy types listed, each with its own ListPolicies call (Organizations API reference, PolicyType).
POLICY_TYPES: Final = (
    "SERVICE_CONTROL_POLICY",
    "RESOURCE_CONTROL_POLICY",
    "TAG_POLICY",
    "BACKUP_POLICY",
    "AISERVICES_OPT_OUT_POLICY",
)

POLICY_ATTRIBUTES = (
    "arn",
    "id",
    "name",
    "description",
    "type",
    "content",
    # extras only observation can see
    "aws_managed",
    "targets",
)
RESOURCE_POLICY_ATTRIBUTES = ("configured", "arn", "id", "content")


def _policies(ctx: CollectContext) -> Iterator[Resource]:
    org = ctx.client()
    summaries: list[dict[str, Any]] = []
    for policy_type in POLICY_TYPES:
        found = listing(ctx, "list_policies", "Policies", ("Id", "Arn"), Filter=policy_type)
        if found is None:
            return  # in no organization
        summaries.extend(found)

    def observe(summary: dict[str, Any]) -> Resource:
        policy_id, arn = str(summary["Id"]), str(summary["Arn"])
        content = ctx.detail(
            lambda: parse_policy(
                ctx.call(org, "describe_policy", PolicyId=policy_id, expect=("Policy.Content",))["Policy"]["Content"]
            )
        )
        targets = ctx.detail(
            lambda: sorted(
                t["TargetId"]
                for t in ctx.items(org, "list_targets_for_policy", "Targets", each=("TargetId",), PolicyId=policy_id)
            )
        )
        return ctx.resource(
            "aws_organizations_policy",
            arn,
            name=summary.get("Name"),
            tags=tags_of(ctx, policy_id),
            attributes={
                "arn": arn,
                "id": policy_id,
                "name": sent(summary, "Name"),
                # AWS leaves Description out when the policy has none (Organizations API reference, PolicySummary).
                "description": summary.get("Description", ""),
                "type": sent(summary, "Type"),
                "content": content,
                "aws_managed": sent(summary, "AwsManaged", bool),
                "targets": targets,
            },
        )

    yield from ctx.map(observe, sorted(summaries, key=lambda s: str(s["Id"])))


def _resource_policy(ctx: CollectContext) -> Iterator[Resource]:
    singleton = f"{ctx.account}/aws_organizations_resource_policy"
    try:
        answer = ctx.call(ctx.client(), "describe_resource_policy", expect=("ResourcePolicy.Content",))
    except AwsError as exc:
        if exc.code == NOT_IN_USE:
            return  # in no organization: nothing to delegate, so nothing to judge
        if exc.code != "ResourcePolicyNotFoundException":
            raise  # AccessDenied from a member account, say: the setting was not observed
        yield ctx.resource("aws_organizations_resource_policy", singleton, name=None, attributes={"configured": False})
        return
    policy = answer["ResourcePolicy"]
    summary = policy.get("ResourcePolicySummary") or {}
    yield ctx.resource(
        "aws_organizations_resource_policy",
        singleton,
        name=None,
        attributes={
            "configured": True,
            "arn": sent(summary, "Arn"),
            "id": sent(summary, "Id"),
            "content": parse_policy(policy["Content"]),
        },
    )


def _content_from_terraform(values: dict[str, Any]) -> None:
    if "content" in values:
        values["content"] = policy_value(values["content"])


def _policy_from_terraform(values: dict[str, Any]) -> None:
    _content_from_terraform(values)
    values.setdefault("aws_managed", False)  # Terraform makes customer policies only


POLICY = ResourceType(
    "aws_organizations_policy",
    POLICY_ATTRIBUTES,
    observed_only=("targets",),
    regional=False,
    sources={
        "organizations:DescribePolicy": ("content",),
        "organizations:ListTargetsForPolicy": ("targets",),
        "organizations:ListTagsForResource": ("tags",),
    },
    # Provider default (docs of aws_organizations_policy): a service control policy.
    defaults={"type": "SERVICE_CONTROL_POLICY"},
    from_terraform=_policy_from_terraform,
    drift_ignore=("arn", "id", "targets"),
)

RESOURCE_POLICY = ResourceType(
    "aws_organizations_resource_policy",
    RESOURCE_POLICY_ATTRIBUTES,
    regional=False,
    singleton=True,
    from_terraform=_content_from_terraform,
    drift_ignore=("arn", "id"),
)

COLLECTORS = (
    Collector(
        name="organizations.policies",
        service="organizations",
        resource_types=(POLICY,),
        calls=(
            "organizations:ListPolicies",
            "organizations:DescribePolicy",
            "organizations:ListTargetsForPolicy",
            "organizations:ListTagsForResource",
        ),
        collect=_policies,
        scope="global",
        description="Every policy of the organization: SCPs, RCPs, tag, backup and AI opt-out policies.",
        notes=(
            "One `list_policies` per policy type; `content` is the policy document, parsed (a JSON document for "
            "every type); `targets` are the sorted ids of the roots, units and accounts it is attached to; "
            "`aws_managed` marks AWS's own policies (FullAWSAccess). Needs the management account or a "
            "delegated administrator: from another member AWS answers AccessDeniedException (`error` "
            "coverage); moto answers an empty list there."
        ),
    ),
    Collector(
        name="organizations.resource_policy",
        service="organizations",
        resource_types=(RESOURCE_POLICY,),
        calls=("organizations:DescribeResourcePolicy",),
        collect=_resource_policy,
        scope="global",
        description="The organization's delegation policy (who may manage Organizations from a member account).",
        notes=(
            "Id `<account>/aws_organizations_resource_policy`: `configured: false` when the organization has no "
            "delegation policy (ResourcePolicyNotFoundException); absent when the account is in no "
            "organization. `content` is the policy document, parsed. moto does not implement "
            "DescribeResourcePolicy (its server answers HTTP 500, so the coverage is `error`); the collector is "
            "tested with recorded answers shaped as the Organizations API reference documents them."
        ),
    ),
)
