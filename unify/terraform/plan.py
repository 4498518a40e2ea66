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

from unify.errors import PlanError, Problem
from unify.hookspecs import hookimpl
from unify.model.resource_type import ResourceTypes
from unify.model.snapshot import Snapshot
from unify.model.time import format_timestamp, parse_timestamp
from unify.terraform.configuration import Configuration
from unify.terraform.importer import PlanImporter, PlanImporterRegistry
from unify.terraform.resources import Entry, Locator, build, caller_accounts, check_format, looks_like, module_resources
from unify.terraform.values import AFTER_APPLY, SENSITIVE, with_markers

__all__ = ["is_terraform_plan", "plan_snapshot"]

#: Plan actions whose ``after`` is what exists once the plan is applied.
_KEPT_ACTIONS: Final = {("create",), ("update",), ("no-op",), ("delete", "create"), ("create", "delete")}


def is_terraform_plan(document: Any) -> bool:
    """``terraform show -json plan.out``: a format_version and planned values or resource changes."""
    return (
        isinstance(document, dict)
        and "format_version" in document
        and ("planned_values" in document or "resource_changes" in document)
    )


def _plan_entries(document: dict[str, Any], config: Configuration) -> tuple[list[Entry], dict[str, Any]]:
    entries: list[Entry] = []
    seen: set[str] = set()
    actions: Counter[str] = Counter()
    deleted: list[str] = []
    left_out: list[str] = []
    for change in document.get("resource_changes") or []:
        if not isinstance(change, dict) or change.get("mode", "managed") != "managed" or change.get("deposed"):
            continue
        address, type_, name = str(change.get("address")), str(change.get("type")), str(change.get("name"))
        detail = change.get("change") or {}
        planned = tuple(detail.get("actions") or ())
        seen.add(address)
        actions["replace" if set(planned) == {"create", "delete"} else "+".join(planned) or "none"] += 1
        if planned == ("delete",):
            deleted.append(address)
            continue
        after = detail.get("after")
        if planned not in _KEPT_ACTIONS or not isinstance(after, dict):
            left_out.append(f"{address}: action {'+'.join(planned) or 'none'}")
            continue
        values = with_markers(copy.deepcopy(after), detail.get("after_unknown"), AFTER_APPLY)
        values = with_markers(values, detail.get("after_sensitive"), SENSITIVE)
        module = change.get("module_address")
        if not isinstance(module, str):
            module = address.rsplit(f"{type_}.{name}", 1)[0].rstrip(".")
        entries.append(_plan_entry(config, address, module, type_, name, change.get("index"), values))
    for module, resource in module_resources((document.get("planned_values") or {}).get("root_module"), ""):
        address = str(resource.get("address"))
        if resource.get("mode", "managed") != "managed" or address in seen:
            continue
        values = with_markers(copy.deepcopy(resource.get("values") or {}), resource.get("sensitive_values"), SENSITIVE)
        entries.append(
            _plan_entry(
                config,
                address,
                module,
                str(resource.get("type")),
                str(resource.get("name")),
                resource.get("index"),
                values,
            )
        )
        actions["planned_values only"] += 1
    stats = {"actions": dict(sorted(actions.items())), "deleted": sorted(deleted), "left_out": sorted(left_out)}
    return entries, stats


def _plan_entry(
    config: Configuration, address: str, module: str, type_: str, name: str, index: Any, values: dict[str, Any]
) -> Entry:
    key = config.provider_key(module, type_, name)
    return Entry(address, module, type_, name, index, values, key, config.region(key))


def _taken_at(document: dict[str, Any]) -> str | None:
    try:
        return format_timestamp(parse_timestamp(document["timestamp"]))
    except (KeyError, ValueError, TypeError):
        return None


def plan_snapshot(document: Any, file: str, types: ResourceTypes) -> Snapshot:
    """The snapshot of what a plan says will exist after apply (``terraform show -json plan.out``).

    Resources come from ``resource_changes`` (deletes left out, replaces and
    updates as planned), else from ``planned_values``; ids are addresses.
    Coverage is empty: a plan says nothing about what else exists.
    """
    if not isinstance(document, dict) or not ("planned_values" in document or "resource_changes" in document):
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
    config = Configuration(document)
    entries, stats = _plan_entries(document, config)
    prior = ((document.get("prior_state") or {}).get("values") or {}).get("root_module")
    extra = set(caller_accounts(prior))
    resources, unresolved = build(entries, Locator(entries, extra, types), types, config, plan=True, snapshot=True)
    stats = {
        "file": file,
        "format_version": version,
        "terraform_version": document.get("terraform_version"),
        **stats,
        "unresolved": unresolved,
        "coverage": "none: a plan lists the resources its configuration manages, not everything that exists",
    }
    return Snapshot.build(
        resources=resources, coverage=[], source="terraform-plan", taken_at=_taken_at(document), stats=stats
    )


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
