"""A Terraform plan as the snapshot of what will exist after apply.

A plan (``terraform show -json plan.out``) is intent: :func:`plan_snapshot`
turns what the plan says will exist after apply into a snapshot with
``source: terraform-plan``, so the checks that read a live observation read
the plan too. Values Terraform knows only after apply become
``{"$unknown": "known after apply"}`` at exactly their path, so a check on
them is unknown, never a pass. A plan lists only the resources its
configuration manages: the snapshot has no coverage entries, which the
evaluator reads as "nothing says these are all" (aggregate counts are lower
bounds, a type with no resource is "not observed"). See docs/terraform.md.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any, Final

from unify._files import json_line
from unify.errors import PlanError, Problem, SnapshotError
from unify.hookspecs import hookimpl
from unify.model.resource import unknown
from unify.model.resource_type import ResourceTypes
from unify.model.snapshot import Snapshot
from unify.model.time import format_timestamp, parse_timestamp
from unify.terraform.configuration import Configuration
from unify.terraform.document import check_plan_skeleton
from unify.terraform.folding import build
from unify.terraform.importer import PlanImporter, PlanImporterRegistry
from unify.terraform.resources import (
    Entry,
    Locator,
    caller_accounts,
    check_format,
    is_aws,
    is_plan_document,
    looks_like,
    module_resource_paths,
)
from unify.terraform.shapes import name_of
from unify.terraform.values import AFTER_APPLY, SENSITIVE, with_markers

__all__ = ["is_terraform_plan", "plan_snapshot"]

#: Plan actions whose ``after`` is what exists once the plan is applied.
_KEPT_ACTIONS: Final = {("create",), ("update",), ("no-op",), ("delete", "create"), ("create", "delete")}
_NO_VALUES: Final = "the plan gives no values for it"
#: What identifies the object a planned resource replaces or deletes, for the overlay to find it live
#: (with its own name, read as its type names it).
_IDENTITY: Final = ("arn", "id")


def is_terraform_plan(document: Any) -> bool:
    """``terraform show -json plan.out``: a format_version and a section only plans have."""
    return is_plan_document(document)


def _action(planned: tuple[str, ...]) -> str:
    if set(planned) == {"create", "delete"}:
        return "replace"
    return "+".join(planned) or "none"


def _identity(values: Any) -> dict[str, Any]:
    if not isinstance(values, dict):
        return {}
    return {key: values[key] for key in _IDENTITY if isinstance(values.get(key), str) and values[key]}


def _recomputed(before: Any, after_unknown: Any) -> list[str]:
    """Attributes the plan changes to a value known only after apply (live's value is the old one)."""
    if not isinstance(before, dict) or not isinstance(after_unknown, dict):
        return []
    return sorted(str(k) for k, marked in after_unknown.items() if marked is True and before.get(k) is not None)


class _Reader:
    """One plan's resource instances, their actions and what the overlay needs to find them live."""

    def __init__(self, document: dict[str, Any], config: Configuration, version: str, types: ResourceTypes) -> None:
        self.document, self.config, self.types = document, config, types
        # Terraform before 1.1 (format 0.x) leaves blocks out of the configuration's expressions.
        self.arguments_known = config.present and not version.startswith("0.")
        self.entries: list[Entry] = []
        self.actions: Counter[str] = Counter()
        self.deleted: list[str] = []
        self.left_out: list[str] = []
        self.other: Counter[str] = Counter()
        self.changes: dict[str, dict[str, Any]] = {}

    def entry(self, address: str, module: str, type_: str, name: str, index: Any, values: dict[str, Any]) -> Entry:
        key = self.config.provider_key(module, type_, name)
        configured = self.config.arguments(module, type_, name) if self.arguments_known else None
        return Entry(address, module, type_, name, index, values, key, self.config.region(key), configured=configured)

    def changed(self, change: dict[str, Any]) -> None:
        address, type_, name = str(change.get("address")), str(change.get("type")), str(change.get("name"))
        if not is_aws(type_, change.get("provider_name")):
            self.other[type_.split("_", 1)[0]] += 1
            return
        detail = change.get("change") or {}
        planned = tuple(detail.get("actions") or ())
        action = _action(planned)
        self.actions[action] += 1
        module = change.get("module_address")
        if not isinstance(module, str):
            module = address.rsplit(f"{type_}.{name}", 1)[0].rstrip(".")
        before = detail.get("before")
        identity = _identity(before)
        alias = self.types.alias(type_)
        name_before = (
            name_of(alias[0] if alias else self.types.get(type_), before) if isinstance(before, dict) else None
        )
        if name_before:
            identity["name"] = name_before
        self.changes[address] = {
            "type": type_,
            "action": action,
            "before": identity,
            "recomputed": _recomputed(before, detail.get("after_unknown")),
        }
        if planned == ("delete",):
            self.deleted.append(address)
            if isinstance(before, dict):
                values = with_markers(copy.deepcopy(before), detail.get("before_sensitive"), SENSITIVE)
                found = self.entry(address, module, type_, name, change.get("index"), values)
                found.action = "delete"
                self.entries.append(found)
            return
        after = detail.get("after")
        if planned not in _KEPT_ACTIONS:
            self.left_out.append(f"{address}: action {action}")
            return
        if after is None:
            # Kept, but the plan gives no values: every attribute is unknown, never an absent fact.
            alias = self.types.alias(type_)
            declared = alias[0] if alias else self.types.get(type_)
            after = {key: unknown(_NO_VALUES) for key in (declared.attributes if declared else ())}
            self.left_out.append(f"{address}: action {action} without values; its attributes are unknown")
        values = with_markers(copy.deepcopy(after), detail.get("after_unknown"), AFTER_APPLY)
        values = with_markers(values, detail.get("after_sensitive"), SENSITIVE)
        found = self.entry(address, module, type_, name, change.get("index"), values)
        found.action = action
        self.entries.append(found)

    def read(self, file: str) -> None:
        seen: set[str] = set()
        for position, change in enumerate(self.document.get("resource_changes") or []):
            if change.get("mode", "managed") != "managed" or change.get("deposed"):
                continue
            address = str(change.get("address"))
            if address in seen:
                key = f"resource_changes[{position}].address"
                raise PlanError(
                    Problem(
                        file,
                        json_line(file, ["resource_changes", position, "address"]),
                        key,
                        f"{address} is planned twice",
                    )
                )
            seen.add(address)
            before = len(self.entries)
            self.changed(change)
            for entry in self.entries[before:]:
                entry.source = ["resource_changes", position]
        planned = (self.document.get("planned_values") or {}).get("root_module")
        for module, resource, path in module_resource_paths(planned, "", ["planned_values", "root_module"]):
            address, type_ = str(resource.get("address")), str(resource.get("type"))
            if resource.get("mode", "managed") != "managed" or address in seen:
                continue
            if not is_aws(type_, resource.get("provider_name")):
                self.other[type_.split("_", 1)[0]] += 1
                continue
            values = with_markers(
                copy.deepcopy(resource.get("values") or {}), resource.get("sensitive_values"), SENSITIVE
            )
            found = self.entry(address, module, type_, str(resource.get("name")), resource.get("index"), values)
            found.action = "planned"
            found.source = path
            self.entries.append(found)
            self.actions["planned_values only"] += 1

    def stats(self) -> dict[str, Any]:
        return {
            "actions": dict(sorted(self.actions.items())),
            "deleted": sorted(self.deleted),
            "left_out": sorted(self.left_out),
            "other_providers": dict(sorted(self.other.items())),
            "changes": dict(sorted(self.changes.items())),
        }


def _taken_at(document: dict[str, Any]) -> str | None:
    try:
        return format_timestamp(parse_timestamp(document["timestamp"]))
    except (KeyError, ValueError, TypeError, AttributeError):
        return None


def plan_snapshot(document: Any, file: str, types: ResourceTypes) -> Snapshot:
    """The snapshot of what a plan says will exist after apply (``terraform show -json plan.out``).

    Resources come from ``resource_changes`` (deletes left out, replaces and
    updates as planned), else from ``planned_values``; ids are addresses.
    Coverage is empty: a plan says nothing about what else exists. The stats
    keep, per address, the action and what identified the object before
    (``changes``), and the folds whose base only a live observation knows
    (``pending_folds``): what :mod:`unify.terraform.overlay` needs.
    """
    if not is_terraform_plan(document):
        raise PlanError(
            Problem(
                file,
                None,
                None,
                f"not a Terraform plan: this looks like {looks_like(document)}; "
                "give the output of `terraform show -json plan.out`",
            )
        )
    version = check_format(document, file, PlanError)
    check_plan_skeleton(document, file, PlanError)
    config = Configuration(document)
    reader = _Reader(document, config, version, types)
    reader.read(file)
    prior = ((document.get("prior_state") or {}).get("values") or {}).get("root_module")
    extra = set(caller_accounts(prior))
    located = Locator([e for e in reader.entries if e.action != "delete"], extra, types)
    built = build(reader.entries, located, types, config, plan=True, snapshot=True, file=file, error=PlanError)
    stats = {
        "file": file,
        "format_version": version,
        "terraform_version": document.get("terraform_version"),
        **reader.stats(),
        "unresolved": built.unresolved,
        "pending_folds": built.pending,
        "removed_attributes": built.removed,
        "outside_folds": built.outside,
        "coverage": "none: a plan lists the resources its configuration manages, not everything that exists",
    }
    try:
        return Snapshot.build(
            resources=built.resources, coverage=[], source="terraform-plan", taken_at=_taken_at(document), stats=stats
        )
    except SnapshotError as exc:
        problem = exc.problems[0]
        raise PlanError(Problem(file, None, problem.key, f"cannot be a snapshot: {problem.message}")) from None


@hookimpl
def unify_register_plan_importers(registry: PlanImporterRegistry) -> None:
    registry.add(
        PlanImporter(
            "terraform-plan",
            is_terraform_plan,
            plan_snapshot,
            "Terraform's JSON plan (`terraform show -json plan.out`, format_version 0.x and 1.x)",
        )
    )
