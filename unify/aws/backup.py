"""AWS Backup: ``aws_backup_vault`` (with its Vault Lock folded in), ``aws_backup_plan`` and the recovery points.

Recovery points are made by backup jobs, never by Terraform: the type
``aws_backup_recovery_point`` exists only in observations (a plan never has
one), and is there so that checks can ask whether what was backed up is
encrypted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import REMOVE, Fold, ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent
from unify.terraform.values import single

VAULT_ATTRIBUTES = (
    "name",
    "arn",
    "kms_key_arn",
    "recovery_points",
    "lock_configuration",
    # extras only observation can see
    "locked",
    "vault_type",
)

PLAN_ATTRIBUTES = (
    "name",
    "arn",
    "version",
    "rule",
)

RECOVERY_POINT_ATTRIBUTES = (
    "recovery_point_arn",
    "backup_vault_name",
    "resource_arn",
    "resource_type",
    "is_encrypted",
    "encryption_key_arn",
    "status",
    "creation_date",
)

_VAULT_FIELDS: Final = ("BackupVaultName", "BackupVaultArn")


def _tags(ctx: CollectContext, backup: Any, arn: str) -> Any:
    """ListTags answers a map; one call per vault or plan (their listings carry no tags)."""
    return ctx.detail(lambda: ctx.call(backup, "list_tags", ResourceArn=arn, expect=("Tags",))["Tags"])


def _lock(vault: Mapping[str, Any]) -> Any:
    """Vault Lock's retention limits; absent unless the vault is locked (Backup API reference)."""
    if not vault.get("Locked"):
        return ABSENT
    block = {
        key: vault[field]
        for field, key in (("MinRetentionDays", "min_retention_days"), ("MaxRetentionDays", "max_retention_days"))
        if vault.get(field) is not None
    }
    return block or ABSENT


def _vaults(ctx: CollectContext) -> Iterator[Resource]:
    backup = ctx.client()
    listed = list(ctx.items(backup, "list_backup_vaults", "BackupVaultList", each=_VAULT_FIELDS))

    def describe(vault: dict[str, Any]) -> Resource:
        name, arn = vault["BackupVaultName"], vault["BackupVaultArn"]
        return ctx.resource(
            "aws_backup_vault",
            arn,
            name=name,
            tags=_tags(ctx, backup, arn),
            attributes={
                "name": name,
                "arn": arn,
                "kms_key_arn": sent(vault, "EncryptionKeyArn"),
                "recovery_points": sent(vault, "NumberOfRecoveryPoints"),
                "lock_configuration": _lock(vault),
                # Locked is sent for every vault (Backup API reference, BackupVaultListMember); moto sends it too.
                "locked": sent(vault, "Locked", bool),
                "vault_type": vault.get("VaultType", ABSENT),
            },
        )

    yield from ctx.map(describe, listed)


def _rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    """A plan rule in the provider's names (``aws_backup_plan``'s ``rule`` blocks)."""
    lifecycle = rule.get("Lifecycle") or {}
    shaped: dict[str, Any] = {
        "rule_name": rule["RuleName"],
        "target_vault_name": rule["TargetBackupVaultName"],
        "schedule": rule.get("ScheduleExpression", ""),
        "enable_continuous_backup": bool(rule.get("EnableContinuousBackup", False)),
    }
    for field, key in (("StartWindowMinutes", "start_window"), ("CompletionWindowMinutes", "completion_window")):
        if rule.get(field) is not None:
            shaped[key] = rule[field]
    kept = {
        key: lifecycle[field]
        for field, key in (("DeleteAfterDays", "delete_after"), ("MoveToColdStorageAfterDays", "cold_storage_after"))
        if lifecycle.get(field)
    }
    if kept:
        shaped["lifecycle"] = kept
    copies = [a.get("DestinationBackupVaultArn") for a in rule.get("CopyActions") or [] if isinstance(a, Mapping)]
    if copies:
        shaped["copy_action"] = [{"destination_vault_arn": c} for c in sorted(str(c) for c in copies if c)]
    return shaped


def _plans(ctx: CollectContext) -> Iterator[Resource]:
    backup = ctx.client()
    listed = list(ctx.items(backup, "list_backup_plans", "BackupPlansList", each=("BackupPlanId", "BackupPlanArn")))

    def describe(summary: dict[str, Any]) -> Resource | None:
        plan_id, arn = summary["BackupPlanId"], summary["BackupPlanArn"]
        answer = ctx.detail(
            lambda: ctx.call(
                backup,
                "get_backup_plan",
                BackupPlanId=plan_id,
                expect=("BackupPlan.BackupPlanName", "BackupPlan.Rules"),
            ),
            absent=("ResourceNotFoundException",),
        )
        if answer is ABSENT:
            return None  # deleted since the listing
        name = summary.get("BackupPlanName") or plan_id
        if is_unknown(answer) or not isinstance(answer, dict):
            rules: Any = answer
            version: Any = summary.get("VersionId", answer)
        else:
            name = answer["BackupPlan"]["BackupPlanName"]
            rules = sorted((_rule(r) for r in answer["BackupPlan"]["Rules"]), key=lambda r: str(r["rule_name"]))
            version = sent(answer, "VersionId")
        return ctx.resource(
            "aws_backup_plan",
            arn,
            name=name,
            tags=_tags(ctx, backup, arn),
            attributes={"name": name, "arn": arn, "version": version, "rule": rules},
        )

    for resource in ctx.map(describe, listed):
        if resource is not None:
            yield resource


def _recovery_points(ctx: CollectContext) -> Iterator[Resource]:
    backup = ctx.client()
    vaults = [
        v["BackupVaultName"] for v in ctx.items(backup, "list_backup_vaults", "BackupVaultList", each=_VAULT_FIELDS)
    ]
    # A vault whose points cannot be listed fails the listing: its points are never lost behind `ok` coverage.
    for vault in vaults:
        for point in ctx.items(
            backup,
            "list_recovery_points_by_backup_vault",
            "RecoveryPoints",
            each=("RecoveryPointArn",),
            BackupVaultName=vault,
        ):
            arn = point["RecoveryPointArn"]
            yield ctx.resource(
                "aws_backup_recovery_point",
                arn,
                name=arn.rsplit(":", 1)[-1],
                tags=None,
                attributes={
                    "recovery_point_arn": arn,
                    "backup_vault_name": point.get("BackupVaultName") or vault,
                    "resource_arn": sent(point, "ResourceArn"),
                    "resource_type": sent(point, "ResourceType"),
                    "is_encrypted": sent(point, "IsEncrypted", bool),
                    # Sent for encrypted points only (Backup API reference, RecoveryPointByBackupVault).
                    "encryption_key_arn": point.get("EncryptionKeyArn") or ABSENT,
                    "status": sent(point, "Status"),
                    "creation_date": sent(point, "CreationDate"),
                },
            )


def _fold_lock(values: Mapping[str, Any]) -> Any:
    shaped = {
        key: values[key]
        for key in ("min_retention_days", "max_retention_days")
        if values.get(key) is not None and (is_unknown(values[key]) or values[key] != 0)
    }
    return shaped or REMOVE


def _plan_from_terraform(values: dict[str, Any]) -> None:
    """``rule`` blocks as the collector shapes them: lifecycle a mapping, unset values left out, sorted by name."""
    rules = values.get("rule")
    if not isinstance(rules, list):
        return
    shaped = []
    for rule in rules:
        if not isinstance(rule, dict) or is_unknown(rule):
            shaped.append(rule)
            continue
        out: dict[str, Any] = {
            "rule_name": rule.get("rule_name"),
            "target_vault_name": rule.get("target_vault_name"),
            "schedule": rule.get("schedule") or "",
            "enable_continuous_backup": bool(rule.get("enable_continuous_backup")),
        }
        for key in ("start_window", "completion_window"):
            if rule.get(key):
                out[key] = rule[key]
        lifecycle = single(rule.get("lifecycle"))
        if isinstance(lifecycle, dict) and not is_unknown(lifecycle):
            kept = {k: lifecycle[k] for k in ("delete_after", "cold_storage_after") if lifecycle.get(k)}
            if kept:
                out["lifecycle"] = kept
        copies = [single(a).get("destination_vault_arn") for a in rule.get("copy_action") or [] if isinstance(a, dict)]
        if copies:
            out["copy_action"] = [{"destination_vault_arn": c} for c in sorted(str(c) for c in copies)]
        shaped.append(out)
    values["rule"] = sorted(shaped, key=lambda r: str(r.get("rule_name")) if isinstance(r, dict) else "")


VAULT = ResourceType(
    "aws_backup_vault",
    VAULT_ATTRIBUTES,
    observed_only=("locked", "vault_type"),
    sources={"backup:ListTags": ("tags",)},
    folds=(
        Fold("aws_backup_vault_lock_configuration", "lock_configuration", _fold_lock, reference="backup_vault_name"),
    ),
    drift_ignore=("recovery_points", "locked", "vault_type"),
)

PLAN = ResourceType(
    "aws_backup_plan",
    PLAN_ATTRIBUTES,
    # GetBackupPlan is not declared: it gives the plan's name, and a plan deleted since the listing is left out.
    sources={"backup:ListTags": ("tags",)},
    from_terraform=_plan_from_terraform,
    drift_ignore=("version",),
)

RECOVERY_POINT = ResourceType(
    "aws_backup_recovery_point",
    RECOVERY_POINT_ATTRIBUTES,
    observed_only=RECOVERY_POINT_ATTRIBUTES,
    name_path="recovery_point_arn",
    # Backup jobs make recovery points; no configuration is expected to manage them.
    made_by_aws=tuple(
        ("status", status)
        for status in ("CREATING", "AVAILABLE", "COMPLETED", "PARTIAL", "STOPPED", "DELETING", "EXPIRED")
    ),
)

COLLECTORS = (
    Collector(
        name="backup.vaults",
        service="backup",
        resource_types=(VAULT,),
        calls=("backup:ListBackupVaults", "backup:ListTags"),
        # AWS marks ListTags' map sensitive; it is the resource's tags, which lose secret-looking values in
        # the redaction every type's tags go through (unify/observe/redaction.py).
        keeps_sensitive={"ListTags": ("Tags",)},
        collect=_vaults,
        description="Every AWS Backup vault in the region, with its Vault Lock.",
        notes=(
            "ListBackupVaults carries everything but tags (ListTags, one call per vault). `kms_key_arn` is the "
            "vault's encryption key; `lock_configuration` {min_retention_days, max_retention_days} is absent unless "
            "Vault Lock applies (`locked`). Terraform's aws_backup_vault_lock_configuration folds into the vault. "
            "moto serves vaults, their tags and Vault Lock."
        ),
    ),
    Collector(
        name="backup.plans",
        service="backup",
        resource_types=(PLAN,),
        calls=("backup:ListBackupPlans", "backup:GetBackupPlan", "backup:ListTags"),
        # AWS marks ListTags' map sensitive; it is the resource's tags, which lose secret-looking values in
        # the redaction every type's tags go through (unify/observe/redaction.py).
        keeps_sensitive={"ListTags": ("Tags",)},
        collect=_plans,
        description="Every AWS Backup plan in the region, with its rules.",
        notes=(
            "ListBackupPlans, then GetBackupPlan and ListTags per plan. `rule` blocks are sorted by `rule_name`, "
            "with `lifecycle` {delete_after, cold_storage_after} and `copy_action` only where set. Backup "
            "selections (which resources a plan covers) are not read: moto does not implement them."
        ),
    ),
    Collector(
        name="backup.recovery_points",
        service="backup",
        resource_types=(RECOVERY_POINT,),
        calls=("backup:ListBackupVaults", "backup:ListRecoveryPointsByBackupVault"),
        collect=_recovery_points,
        description="Every recovery point in every AWS Backup vault of the region.",
        notes=(
            "ListRecoveryPointsByBackupVault for each vault; a vault whose points cannot be listed makes the "
            "listing fail (error coverage), never a vault that seems empty. Recovery points exist only in "
            "observations. moto (5.x) answers 404 for ListRecoveryPointsByBackupVault, so the tests and the demo "
            "serve recorded answers (botocore's Stubber, shaped as the AWS Backup API reference documents them)."
        ),
    ),
)
