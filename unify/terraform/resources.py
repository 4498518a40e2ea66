"""Terraform's resource instances as unify resources: where each one is, and what folds into what.

Plans and states list resource instances; this module turns them into
resources in the collectors' shapes (through each type's declaration),
places them in an account and region (from their ARN, their provider's
configuration, or the document as a whole), and folds the side resources
Terraform splits an AWS object into back into that object.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from unify.errors import InputError, Problem
from unify.model.resource import Resource
from unify.model.resource_type import REMOVE, Fold, ResourceType, ResourceTypes
from unify.terraform.configuration import Configuration
from unify.terraform.shapes import mark_observed_only, name_of, region_like, shape, tags_of

__all__ = [
    "PLAN_FORMATS",
    "Entry",
    "Locator",
    "build",
    "caller_accounts",
    "check_format",
    "looks_like",
    "module_resources",
]

#: Major versions of Terraform's JSON output format (plan and ``show -json`` state) that unify reads.
PLAN_FORMATS: Final = ("0", "1")
_ACCOUNT: Final = re.compile(r"^[0-9]{12}$")


@dataclass
class Entry:
    """One resource instance as Terraform has it, before it becomes a unify resource."""

    address: str
    module: str  # module instance address, "" for the root module
    type: str
    name: str
    index: Any
    values: dict[str, Any]
    group: str  # resources sharing a provider configuration, hence an account
    region: str | None = None  # the provider's configured region, when the plan says


# -- where a resource is ----------------------------------------------------------------------


def _arn_parts(value: Any) -> list[str] | None:
    if isinstance(value, str) and value.startswith("arn:"):
        parts = value.split(":", 5)
        if len(parts) == 6:
            return parts
    return None


def _own_arn(values: dict[str, Any]) -> list[str] | None:
    return _arn_parts(values.get("arn")) or _arn_parts(values.get("id"))


def _own_account(values: dict[str, Any]) -> str | None:
    parts = _own_arn(values)
    if parts and _ACCOUNT.match(parts[4]):
        return parts[4]
    owner = values.get("owner_id")
    return owner if isinstance(owner, str) and _ACCOUNT.match(owner) else None


class Locator:
    """Account and region of each resource, from its ARN, its provider, or the document as a whole."""

    def __init__(self, entries: list[Entry], extra_accounts: set[str], types: ResourceTypes) -> None:
        self.types = types
        self.accounts: dict[str, set[str]] = {}
        self.regions: dict[str, set[str]] = {}
        everywhere = set(extra_accounts)
        for entry in entries:
            account = _own_account(entry.values)
            if account:
                self.accounts.setdefault(entry.group, set()).add(account)
                everywhere.add(account)
            parts = _own_arn(entry.values)
            if parts and region_like(parts[3]) and types.is_regional(entry.type):
                self.regions.setdefault(entry.group, set()).add(parts[3])
        self.everywhere = everywhere

    def account(self, entry: Entry) -> str:
        own = _own_account(entry.values)
        if own:
            return own
        for candidates in (self.accounts.get(entry.group, set()), self.everywhere):
            if len(candidates) == 1:
                return next(iter(candidates))
        return "unknown"

    def region(self, entry: Entry) -> str:
        if not self.types.is_regional(entry.type):
            return "global"
        own = entry.values.get("region")
        if region_like(own):
            return str(own)
        if entry.region:
            return entry.region
        parts = _own_arn(entry.values)
        if parts and region_like(parts[3]):
            return parts[3]
        candidates = self.regions.get(entry.group, set())
        return next(iter(candidates)) if len(candidates) == 1 else "unknown"


def caller_accounts(module: Any) -> Iterator[str]:
    """Accounts named by data sources (``aws_caller_identity``) and ARNs anywhere in a module tree."""
    if not isinstance(module, dict):
        return
    for resource in module.get("resources") or []:
        values = resource.get("values") if isinstance(resource, dict) else None
        if isinstance(values, dict):
            account = values.get("account_id") if resource.get("type") == "aws_caller_identity" else None
            found = account if isinstance(account, str) and _ACCOUNT.match(account) else _own_account(values)
            if found:
                yield found
    for child in module.get("child_modules") or []:
        yield from caller_accounts(child)


# -- building resources ----------------------------------------------------------------------


def build(
    entries: list[Entry],
    locator: Locator,
    types: ResourceTypes,
    config: Configuration | None,
    *,
    plan: bool,
    snapshot: bool,
) -> tuple[list[Resource], list[str]]:
    """Resources in the collectors' shapes, with side resources folded into the resources they configure.

    For a snapshot (``snapshot``), attributes only an observation reads are
    marked unknown; bare state resources (for drift) leave them out instead.
    """
    resources: dict[str, Resource] = {}
    sides: list[tuple[Entry, ResourceType, Fold]] = []
    by_name: dict[tuple[str, str], Resource] = {}
    for entry in entries:
        folding = types.fold(entry.type)
        if folding is not None:
            sides.append((entry, *folding))
            continue
        declared = types.get(entry.type)
        attributes = shape(declared, entry.values)
        attributes["terraform_address"] = entry.address
        resource: Resource = {
            "type": entry.type,
            "id": entry.address if plan else _state_id(entry),
            "name": name_of(declared, entry.values),
            "account": locator.account(entry),
            "region": locator.region(entry),
            "tags": tags_of(entry.values),
            "attributes": attributes,
        }
        resources[entry.address] = resource
        if declared is not None and declared.folds:
            # A side resource names its target by the target's own name or its id.
            for key in (declared.name_path, "id"):
                if isinstance(entry.values.get(key), str):
                    by_name.setdefault((entry.type, entry.values[key]), resource)
    unresolved: list[str] = []
    for side, target_type, fold in sorted(sides, key=lambda item: item[0].address):
        target = _target_of(side, target_type, fold, resources, by_name, config)
        if target is None:
            unresolved.append(_unresolved(side, fold, config, plan))
            continue
        block = fold.convert(side.values)
        if block is REMOVE:
            target["attributes"].pop(fold.attribute, None)
        else:
            target["attributes"][fold.attribute] = block
    if snapshot:
        for resource in resources.values():
            mark_observed_only(types.get(resource["type"]), resource["attributes"])
    return list(resources.values()), unresolved


def _target_of(
    side: Entry,
    target_type: ResourceType,
    fold: Fold,
    resources: dict[str, Resource],
    by_name: dict[tuple[str, str], Resource],
    config: Configuration | None,
) -> Resource | None:
    name = side.values.get(fold.reference)
    if isinstance(name, str) and (target_type.name, name) in by_name:
        return by_name[(target_type.name, name)]
    if config is None:
        return None
    refs = config.references(side.module, side.type, side.name, fold.reference)
    for address in config.targets(side.module, refs, side.index, target_type.name):
        found = resources.get(address)
        if found is not None and found["type"] == target_type.name:
            return found
    return None


def _unresolved(side: Entry, fold: Fold, config: Configuration | None, plan: bool) -> str:
    where = "plan" if plan else "state"
    what = fold.reference
    name = side.values.get(what)
    if isinstance(name, str):
        why = f"its {what} {name!r} is not in this {where}"
    elif config is not None and config.present:
        why = f"its {what} is known only after apply and its `{what}` reference names no {what} in the plan"
    else:
        why = f"its {what} is known only after apply and the plan has no configuration section to follow"
    return f"{side.address}: {why}; left out"


def _state_id(entry: Entry) -> str:
    for key in ("arn", "id"):
        value = entry.values.get(key)
        if isinstance(value, str) and value:
            return value
    return entry.address


# -- documents --------------------------------------------------------------------------------


def looks_like(document: Any) -> str:
    if not isinstance(document, dict):
        return f"a JSON {type(document).__name__}, not an object"
    if isinstance(document.get("format"), str) and document["format"].startswith("unify."):
        return f"a unify document ({document['format']})"
    if "version" in document and "resources" in document and ("lineage" in document or "serial" in document):
        return "a raw Terraform state (terraform.tfstate)"
    if "values" in document and "format_version" in document:
        return "the JSON of a Terraform state (`terraform show -json` without a plan file)"
    if "format_version" in document and ("planned_values" in document or "resource_changes" in document):
        return "a Terraform plan"
    if "format_version" in document and len(document) <= 2:
        return "an empty Terraform state (`terraform show -json` of no state)"
    return "a JSON object without planned_values or resource_changes"


def check_format(document: dict[str, Any], file: str, error: type[InputError]) -> str:
    version = document.get("format_version")
    if not isinstance(version, str) or version.split(".")[0] not in PLAN_FORMATS:
        raise error(
            Problem(
                file,
                None,
                "format_version",
                f"Terraform JSON format_version {version!r} is not one unify reads (it reads 0.x and 1.x)",
            )
        )
    return version


def module_resources(module: Any, address: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(module address, resource) for every resource of a ``root_module`` tree, child modules included."""
    if not isinstance(module, dict):
        return
    for resource in module.get("resources") or []:
        if isinstance(resource, dict):
            yield address, resource
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            yield from module_resources(child, str(child.get("address") or ""))
