"""Secrets Manager: ``aws_secretsmanager_secret``, with its rotation and resource policy folded in.

``ListSecrets`` carries what ``DescribeSecret`` would say of each secret
(rotation, last rotated, accessed and changed dates, tags), so one paginated
listing per region serves every secret, and ``GetResourcePolicy`` per secret
adds its policy. No secret value is ever asked for. Terraform writes
rotation and the policy as side resources (``aws_secretsmanager_secret_rotation``,
``aws_secretsmanager_secret_policy``); they fold into the secret, as the
observation sees it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.policy_document import parse_policy
from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import REMOVE, Fold, ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent
from unify.terraform.values import policy_value, single

ATTRIBUTES = (
    "name",
    "arn",
    "description",
    "kms_key_id",
    "policy",
    "rotation_enabled",
    "rotation_lambda_arn",
    "rotation_rules",
    # extras only observation can see
    "created_date",
    "last_changed_date",
    "last_accessed_date",
    "last_rotated_date",
    "next_rotation_date",
    "deleted_date",
    "primary_region",
    "owning_service",
)


def _rotation_rules(secret: Mapping[str, Any]) -> Any:
    rules = secret.get("RotationRules")
    if not isinstance(rules, dict):
        return ABSENT
    out = {}
    for key, name in (
        ("AutomaticallyAfterDays", "automatically_after_days"),
        ("Duration", "duration"),
        ("ScheduleExpression", "schedule_expression"),
    ):
        if rules.get(key) is not None:
            out[name] = rules[key]
    return out or ABSENT


def _secrets(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    listed = list(ctx.items(client, "list_secrets", "SecretList", each=("ARN", "Name")))

    def observe(secret: dict[str, Any]) -> Resource:
        arn, name = str(secret["ARN"]), str(secret["Name"])

        def read_policy() -> Any:
            document = ctx.call(client, "get_resource_policy", SecretId=arn, expect=("ARN",)).get("ResourcePolicy")
            # A secret with no policy answers without ResourcePolicy (Secrets Manager API reference, GetResourcePolicy).
            return parse_policy(document) if document else ABSENT

        policy = ctx.detail(read_policy, absent=("ResourceNotFoundException",))
        return ctx.resource(
            "aws_secretsmanager_secret",
            arn,
            name=name,
            tags=secret.get("Tags") or [],
            attributes={
                "name": name,
                "arn": arn,
                "description": secret.get("Description", ""),
                # Absent when the secret uses the AWS managed key aws/secretsmanager (API reference, KmsKeyId).
                "kms_key_id": secret.get("KmsKeyId", ABSENT),
                "policy": policy,
                # "If the secret has never been configured for rotation, Secrets Manager returns null"
                # (API reference, DescribeSecret RotationEnabled): absent is off.
                "rotation_enabled": bool(secret.get("RotationEnabled")),
                "rotation_lambda_arn": secret.get("RotationLambdaARN") or ABSENT,
                "rotation_rules": _rotation_rules(secret),
                "created_date": sent(secret, "CreatedDate"),
                "last_changed_date": secret.get("LastChangedDate", ABSENT),
                # Omitted when the secret was never retrieved in the region (API reference, LastAccessedDate).
                "last_accessed_date": secret.get("LastAccessedDate", ABSENT),
                "last_rotated_date": secret.get("LastRotatedDate", ABSENT),
                "next_rotation_date": secret.get("NextRotationDate", ABSENT),
                "deleted_date": secret.get("DeletedDate", ABSENT),
                "primary_region": secret.get("PrimaryRegion", ABSENT),
                "owning_service": secret.get("OwningService", ABSENT),
            },
        )

    yield from ctx.map(observe, listed)


# -- Terraform ------------------------------------------------------------------------------


def _from_terraform(values: dict[str, Any]) -> None:
    if "policy" in values:
        parsed = policy_value(values["policy"])
        if parsed is None:
            del values["policy"]
        else:
            values["policy"] = parsed
    # Provider v4 kept rotation on the secret itself; v5 moved it to aws_secretsmanager_secret_rotation.
    rules = single(values.get("rotation_rules"))
    if rules is None:
        values.pop("rotation_rules", None)
    elif isinstance(rules, dict) and not is_unknown(rules):
        values["rotation_rules"] = {k: v for k, v in rules.items() if v not in (None, "", 0)}


def _fold_rules(values: Mapping[str, Any]) -> Any:
    rules = single(values.get("rotation_rules"))
    if rules is None:
        return REMOVE
    if is_unknown(rules) or not isinstance(rules, dict):
        return rules
    return {k: v for k, v in rules.items() if v not in (None, "", 0)} or REMOVE


def _fold_policy(values: Mapping[str, Any]) -> Any:
    parsed = policy_value(values.get("policy"))
    return REMOVE if parsed is None else parsed


_ROTATION = "aws_secretsmanager_secret_rotation"

SECRET = ResourceType(
    "aws_secretsmanager_secret",
    ATTRIBUTES,
    observed_only=(
        "created_date",
        "last_changed_date",
        "last_accessed_date",
        "last_rotated_date",
        "next_rotation_date",
        "deleted_date",
        "primary_region",
        "owning_service",
    ),
    from_terraform=_from_terraform,
    folds=(
        Fold(_ROTATION, "rotation_enabled", lambda v: True, reference="secret_id", match=("arn", "name")),
        Fold(
            _ROTATION,
            "rotation_lambda_arn",
            lambda v: v.get("rotation_lambda_arn") or REMOVE,
            reference="secret_id",
            match=("arn", "name"),
        ),
        Fold(_ROTATION, "rotation_rules", _fold_rules, reference="secret_id", match=("arn", "name")),
        Fold("aws_secretsmanager_secret_policy", "policy", _fold_policy, reference="secret_arn", match=("arn", "name")),
    ),
    drift_ignore=("last_changed_date", "last_accessed_date", "last_rotated_date", "next_rotation_date"),
    # ListSecrets carries everything else, tags included.
    sources={"secretsmanager:GetResourcePolicy": ("policy",)},
)

COLLECTORS = (
    Collector(
        name="secretsmanager.secrets",
        service="secretsmanager",
        resource_types=(SECRET,),
        calls=("secretsmanager:ListSecrets", "secretsmanager:GetResourcePolicy"),
        collect=_secrets,
        description="Every Secrets Manager secret in the region, with rotation, use and policy; never its value.",
        notes=(
            "From `list_secrets` (which carries rotation, dates and tags) and `get_resource_policy` per secret "
            "(`policy` parsed, absent when the secret has none). `rotation_enabled` is false when AWS sends no "
            "RotationEnabled (never configured); `last_accessed_date` is absent for a secret never retrieved "
            "(AWS records it to the day). Terraform's `aws_secretsmanager_secret_rotation` and "
            "`aws_secretsmanager_secret_policy` fold into the secret. moto sets `last_rotated_date` when rotation "
            "is configured and never sets `last_accessed_date`."
        ),
    ),
)
