"""The S3 bucket settings beyond the basics, read from AWS and from Terraform into one shape.

A bucket's lifecycle rules, replication, Object Lock, event notifications
and ACL grants are each a sub-resource in AWS's API and a side resource in
Terraform (``aws_s3_bucket_lifecycle_configuration`` and its kin, or the
provider v3 inline blocks). Both sides end as the same attribute of the
bucket, in the provider's snake_case names:

- ``lifecycle_rule``: ``[{id, status, expiration, transition, ...}]`` sorted by id;
- ``replication_configuration``: ``{role, rules: [{id, status, destination: {bucket}}]}``;
- ``object_lock_enabled`` (a boolean) and ``object_lock_configuration``:
  ``{object_lock_enabled, rule: {default_retention: {mode, days, years}}}``;
- ``notification``: ``{eventbridge, topic, queue, lambda_function}`` (only targets there are);
- ``grant``: ``[{type, id, uri, permissions}]``, one entry per grantee, the
  shape of the provider's ``grant`` blocks.

Unset values are left out on both sides (the provider writes ``0``,
``false`` and ``""`` for arguments nobody set), so drift compares only what
someone chose. This module names no type: ``s3.py`` declares the bucket and
wires these readers and folds in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from unify.model.resource import is_unknown, known, unknown
from unify.model.resource_type import REMOVE
from unify.observe.collector import ABSENT
from unify.terraform.values import AFTER_APPLY, single

__all__ = [
    "CANNED_GRANTS",
    "fold_acl",
    "fold_lifecycle",
    "fold_notification",
    "fold_object_lock",
    "fold_object_lock_enabled",
    "fold_replication",
    "grants",
    "legacy_blocks",
    "lifecycle_rules",
    "notification",
    "object_lock",
    "replication",
]

ALL_USERS: Final = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS: Final = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY: Final = "http://acs.amazonaws.com/groups/s3/LogDelivery"


def _chosen(block: Any) -> Any:
    """A mapping without the values nobody set (None, "", 0, false, empty lists); markers are kept."""
    if not isinstance(block, Mapping) or is_unknown(block):
        return block
    return {k: v for k, v in block.items() if is_unknown(v) or v not in (None, "", 0, False, [], {})}


# -- lifecycle ---------------------------------------------------------------------------------------

#: AWS's action blocks of a lifecycle rule and their keys -> the provider's names.
_LIFECYCLE_ACTIONS: Final = {
    "Expiration": (
        "expiration",
        {"Days": "days", "Date": "date", "ExpiredObjectDeleteMarker": "expired_object_delete_marker"},
    ),
    "NoncurrentVersionExpiration": (
        "noncurrent_version_expiration",
        {"NoncurrentDays": "noncurrent_days", "NewerNoncurrentVersions": "newer_noncurrent_versions"},
    ),
    "AbortIncompleteMultipartUpload": (
        "abort_incomplete_multipart_upload",
        {"DaysAfterInitiation": "days_after_initiation"},
    ),
}
_LIFECYCLE_LISTS: Final = {
    "Transitions": ("transition", {"Days": "days", "Date": "date", "StorageClass": "storage_class"}),
    "NoncurrentVersionTransitions": (
        "noncurrent_version_transition",
        {"NoncurrentDays": "noncurrent_days", "StorageClass": "storage_class"},
    ),
}


def _renamed(block: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    return dict(_chosen({names[k]: v for k, v in block.items() if k in names}))


def lifecycle_rules(answer: Mapping[str, Any]) -> list[dict[str, Any]]:
    """GetBucketLifecycleConfiguration's ``Rules`` in the provider's shape."""
    out = []
    for rule in answer["Rules"]:
        shaped: dict[str, Any] = {"id": rule.get("ID", ""), "status": rule["Status"]}
        for key, (name, names) in _LIFECYCLE_ACTIONS.items():
            if isinstance(rule.get(key), Mapping) and _renamed(rule[key], names):
                shaped[name] = _renamed(rule[key], names)
        for key, (name, names) in _LIFECYCLE_LISTS.items():
            items = [_renamed(item, names) for item in rule.get(key) or [] if isinstance(item, Mapping)]
            if items:
                shaped[name] = items
        out.append(shaped)
    return sorted(out, key=lambda r: str(r["id"]))


def _terraform_rule(rule: Any) -> Any:
    if not isinstance(rule, Mapping) or is_unknown(rule):
        return rule
    shaped: dict[str, Any] = {"id": rule.get("id") or "", "status": rule.get("status")}
    for name, _ in list(_LIFECYCLE_ACTIONS.values()):
        block = _chosen(single(rule.get(name)))
        if block:
            shaped[name] = block
    for name, _ in list(_LIFECYCLE_LISTS.values()):
        items = rule.get(name)
        if isinstance(items, list):
            kept = [_chosen(item) for item in items if _chosen(item)]
            if kept:
                shaped[name] = kept
        elif is_unknown(items):
            shaped[name] = items
    return shaped


def fold_lifecycle(values: Mapping[str, Any]) -> Any:
    rules = values.get("rule")
    if is_unknown(rules):
        return rules
    if not isinstance(rules, list) or not rules:
        return REMOVE
    shaped = [_terraform_rule(rule) for rule in rules]
    return sorted(shaped, key=lambda r: str(r.get("id")) if isinstance(r, Mapping) and known(r.get("id")) else "")


# -- replication -------------------------------------------------------------------------------------


def replication(answer: Mapping[str, Any]) -> dict[str, Any]:
    config = answer["ReplicationConfiguration"]
    rules = []
    for rule in config["Rules"]:
        destination = rule.get("Destination") or {}
        rules.append(
            {
                "id": rule.get("ID", ""),
                "status": rule["Status"],
                "destination": _chosen(
                    {"bucket": destination.get("Bucket"), "storage_class": destination.get("StorageClass")}
                ),
            }
        )
    return {"role": config.get("Role", ""), "rules": sorted(rules, key=lambda r: str(r["id"]))}


def _terraform_replication_rule(rule: Any) -> Any:
    if not isinstance(rule, Mapping) or is_unknown(rule):
        return rule
    destination = single(rule.get("destination"))
    if isinstance(destination, Mapping) and not is_unknown(destination):
        destination = _chosen({"bucket": destination.get("bucket"), "storage_class": destination.get("storage_class")})
    return {"id": rule.get("id") or "", "status": rule.get("status"), "destination": destination}


def _terraform_replication(role: Any, rules: Any) -> Any:
    if is_unknown(rules):
        return {"role": role, "rules": rules}
    if not isinstance(rules, list) or not rules:
        return None
    shaped = [_terraform_replication_rule(rule) for rule in rules]
    ordered = sorted(shaped, key=lambda r: str(r.get("id")) if isinstance(r, Mapping) and known(r.get("id")) else "")
    return {"role": role, "rules": ordered}


def fold_replication(values: Mapping[str, Any]) -> Any:
    shaped = _terraform_replication(values.get("role"), values.get("rule"))
    return REMOVE if shaped is None else shaped


# -- Object Lock -------------------------------------------------------------------------------------


def object_lock(answer: Mapping[str, Any]) -> tuple[bool, dict[str, Any]]:
    """(Object Lock on, its configuration) from GetObjectLockConfiguration."""
    config = answer["ObjectLockConfiguration"]
    enabled = config.get("ObjectLockEnabled")
    shaped: dict[str, Any] = {"object_lock_enabled": enabled} if enabled else {}
    retention = ((config.get("Rule") or {}).get("DefaultRetention")) or {}
    default = _chosen({"mode": retention.get("Mode"), "days": retention.get("Days"), "years": retention.get("Years")})
    if default:
        shaped["rule"] = {"default_retention": default}
    return enabled == "Enabled", shaped


def _terraform_object_lock(values: Mapping[str, Any]) -> Any:
    shaped: dict[str, Any] = {}
    if values.get("object_lock_enabled") not in (None, ""):
        shaped["object_lock_enabled"] = values["object_lock_enabled"]
    rule = single(values.get("rule"))
    if is_unknown(rule):
        shaped["rule"] = rule
    elif isinstance(rule, Mapping):
        retention = single(rule.get("default_retention"))
        retention = _chosen(retention) if isinstance(retention, Mapping) else retention
        if retention:
            shaped["rule"] = {"default_retention": retention}
    return shaped


def fold_object_lock(values: Mapping[str, Any]) -> Any:
    shaped = _terraform_object_lock(values)
    return shaped or REMOVE


def fold_object_lock_enabled(values: Mapping[str, Any]) -> Any:
    """PutObjectLockConfiguration with ``ObjectLockEnabled: Enabled`` turns Object Lock on (S3 API reference)."""
    enabled = values.get("object_lock_enabled")
    return enabled if is_unknown(enabled) else enabled == "Enabled"


# -- event notifications -----------------------------------------------------------------------------

_TARGETS: Final = (
    ("TopicConfigurations", "topic", "TopicArn", "topic_arn"),
    ("QueueConfigurations", "queue", "QueueArn", "queue_arn"),
    ("LambdaFunctionConfigurations", "lambda_function", "LambdaFunctionArn", "lambda_function_arn"),
)


def _target_order(item: Mapping[str, Any]) -> str:
    return "|".join(str(v) for v in item.values())


def notification(answer: Mapping[str, Any]) -> Any:
    """GetBucketNotificationConfiguration: ABSENT when nothing is configured (its documented empty answer)."""
    shaped: dict[str, Any] = {"eventbridge": "EventBridgeConfiguration" in answer}
    for key, name, arn_key, arn_name in _TARGETS:
        items = [
            {arn_name: item[arn_key], "events": sorted(item.get("Events") or [])}
            for item in answer.get(key) or []
            if isinstance(item, Mapping) and arn_key in item
        ]
        if items:
            shaped[name] = sorted(items, key=_target_order)
    return shaped if len(shaped) > 1 or shaped["eventbridge"] else ABSENT


def fold_notification(values: Mapping[str, Any]) -> Any:
    eventbridge = values.get("eventbridge")
    shaped: dict[str, Any] = {"eventbridge": eventbridge if is_unknown(eventbridge) else bool(eventbridge)}
    for _, name, _, arn_name in _TARGETS:
        items = values.get(name)
        if is_unknown(items):
            shaped[name] = items
        elif isinstance(items, list) and items:
            kept = []
            for item in items:
                if isinstance(item, Mapping) and not is_unknown(item):
                    events = item.get("events")
                    kept.append(
                        {arn_name: item.get(arn_name), "events": sorted(events) if isinstance(events, list) else events}
                    )
                else:
                    kept.append(item)
            shaped[name] = sorted(kept, key=lambda i: _target_order(i) if isinstance(i, Mapping) else "")
    return shaped if len(shaped) > 1 or shaped["eventbridge"] is not False else REMOVE


# -- ACL grants --------------------------------------------------------------------------------------


def _grant_order(grant: Mapping[str, Any]) -> tuple[str, str, str]:
    return (str(grant.get("type")), str(grant.get("uri", "")), str(grant.get("id", "")))


def _grouped(entries: list[tuple[str, Any, Any, str]]) -> list[dict[str, Any]]:
    """(type, id, uri, permission) rows as one grant per grantee with its permissions, sorted."""
    by_grantee: dict[tuple[str, str, str], dict[str, Any]] = {}
    for type_, id_, uri, permission in entries:
        key = (type_, "" if is_unknown(id_) else str(id_ or ""), str(uri or ""))
        grant = by_grantee.setdefault(key, {"type": type_, "permissions": []})
        if id_:
            grant["id"] = id_
        if uri:
            grant["uri"] = uri
        if permission not in grant["permissions"]:
            grant["permissions"].append(permission)
    for grant in by_grantee.values():
        grant["permissions"].sort()
    return sorted(by_grantee.values(), key=_grant_order)


def grants(answer: Mapping[str, Any]) -> list[dict[str, Any]]:
    """GetBucketAcl's grants, one per grantee (an email grantee is kept by its type only)."""
    rows = []
    for grant in answer["Grants"]:
        grantee = grant.get("Grantee") or {}
        rows.append((str(grantee.get("Type")), grantee.get("ID"), grantee.get("URI"), str(grant.get("Permission"))))
    return _grouped(rows)


_OWNER: Final = unknown(f"the bucket owner's canonical id, {AFTER_APPLY}")

#: The grants each canned ACL stands for (S3 User Guide, "Canned ACL"), besides the owner's FULL_CONTROL.
CANNED_GRANTS: Final[Mapping[str, tuple[tuple[str, str], ...]]] = {
    "private": (),
    "public-read": ((ALL_USERS, "READ"),),
    "public-read-write": ((ALL_USERS, "READ"), (ALL_USERS, "WRITE")),
    "authenticated-read": ((AUTHENTICATED_USERS, "READ"),),
    "log-delivery-write": ((LOG_DELIVERY, "READ_ACP"), (LOG_DELIVERY, "WRITE")),
}


def fold_acl(values: Mapping[str, Any]) -> Any:
    """``aws_s3_bucket_acl``: its access control policy's grants, or the grants its canned ACL stands for."""
    policy = single(values.get("access_control_policy"))
    if is_unknown(policy):
        return policy
    if isinstance(policy, Mapping) and isinstance(policy.get("grant"), list):
        rows = []
        for grant in policy["grant"]:
            if not isinstance(grant, Mapping) or is_unknown(grant):
                return unknown(f"a grant of the bucket's ACL is {AFTER_APPLY}")
            grantee = single(grant.get("grantee"))
            if not isinstance(grantee, Mapping) or is_unknown(grantee):
                return unknown(f"a grantee of the bucket's ACL is {AFTER_APPLY}")
            rows.append((str(grantee.get("type")), grantee.get("id"), grantee.get("uri"), str(grant.get("permission"))))
        return _grouped(rows)
    acl = values.get("acl")
    if is_unknown(acl):
        return acl
    canned = CANNED_GRANTS.get(str(acl)) if acl else ()
    if canned is None:
        return unknown(f"the canned ACL {acl!r} grants what only an observation can see")
    rows = [("CanonicalUser", _OWNER, None, "FULL_CONTROL")] + [("Group", None, uri, p) for uri, p in canned]
    return _grouped(rows)


# -- provider v3 inline blocks -----------------------------------------------------------------------


def legacy_blocks(values: dict[str, Any]) -> None:
    """The v3 inline blocks of a bucket (computed since v4) in the shapes above, in place."""
    rules = values.get("lifecycle_rule")
    if isinstance(rules, list):
        shaped = []
        for legacy in rules:
            rule = legacy
            if isinstance(legacy, Mapping) and not is_unknown(legacy) and "enabled" in legacy:
                rule = {**legacy, "status": "Enabled" if legacy.get("enabled") else "Disabled"}
            shaped.append(_terraform_rule(rule))
        if shaped:
            values["lifecycle_rule"] = sorted(
                shaped, key=lambda r: str(r.get("id")) if isinstance(r, Mapping) and known(r.get("id")) else ""
            )
        else:
            del values["lifecycle_rule"]
    if "replication_configuration" in values:
        block = single(values["replication_configuration"])
        if block is None:
            del values["replication_configuration"]
        elif isinstance(block, Mapping) and not is_unknown(block):
            shaped_replication = _terraform_replication(block.get("role"), block.get("rules"))
            if shaped_replication is None:
                del values["replication_configuration"]
            else:
                values["replication_configuration"] = shaped_replication
    if "object_lock_configuration" in values:
        block = single(values["object_lock_configuration"])
        if block is None:
            del values["object_lock_configuration"]
        elif isinstance(block, Mapping) and not is_unknown(block):
            shaped_lock = _terraform_object_lock(block)
            if shaped_lock:
                values["object_lock_configuration"] = shaped_lock
            else:
                del values["object_lock_configuration"]
    grant = values.get("grant")
    if isinstance(grant, list):
        rows: list[tuple[str, Any, Any, str]] = []
        for item in grant:
            if not isinstance(item, Mapping) or is_unknown(item):
                values["grant"] = unknown(f"a grant of the bucket is {AFTER_APPLY}")
                return
            rows.extend(
                (str(item.get("type")), item.get("id") or None, item.get("uri") or None, str(permission))
                for permission in item.get("permissions") or []
            )
        values["grant"] = _grouped(rows)
