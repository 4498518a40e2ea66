"""Terraform's resource instances before they are unify resources: what they are and where they are.

Plans and states list resource instances; this module holds one instance
(:class:`Entry`), places it in an account and region (from its ARN, its
provider's configuration, or the document as a whole), tells AWS resources
from other providers' and recognises what kind of document it came from.
:mod:`unify.terraform.folding` turns the instances into resources.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from unify._files import json_line
from unify.errors import InputError, Problem
from unify.model.resource_type import ResourceTypes
from unify.terraform.shapes import region_like

__all__ = [
    "PLAN_FORMATS",
    "PLAN_KEYS",
    "Entry",
    "Locator",
    "caller_accounts",
    "check_format",
    "is_aws",
    "is_plan_document",
    "looks_like",
    "module_resource_paths",
    "module_resources",
]

#: Major versions of Terraform's JSON output format (plan and ``show -json`` state) that unify reads.
PLAN_FORMATS: Final = ("0", "1")
_ACCOUNT: Final = re.compile(r"^[0-9]{12}$")
#: Keys a plan has and a state has not: a document with a format_version and one of these is a plan,
#: even one that changes nothing (Terraform then writes no ``resource_changes``).
PLAN_KEYS: Final = (
    "planned_values",
    "resource_changes",
    "output_changes",
    "prior_state",
    "resource_drift",
    "configuration",
    "relevant_attributes",
    "applyable",
    "complete",
    "errored",
)


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
    #: What the plan does to it (``create``, ``update``, ``no-op``, ``replace``, ``delete``); ``state`` in a state.
    action: str = "state"
    #: The arguments its configuration sets; None when the document does not say.
    configured: frozenset[str] | None = None
    source: list[str | int] = field(default_factory=list)  # where in the document it is, for errors


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


def is_aws(type_: str, provider: Any) -> bool:
    """Whether a resource belongs to the AWS provider (``registry.terraform.io/hashicorp/aws``, ``provider.aws``,
    ``provider["registry.terraform.io/hashicorp/aws"].west``); by its type's prefix when no provider is named."""
    if isinstance(provider, str) and provider:
        text = provider
        if "[" in text and "]" in text:
            text = text[text.index("[") + 1 : text.rindex("]")].strip('"')
        elif "provider." in text:
            text = text.rsplit("provider.", 1)[1]
        return text.rsplit("/", 1)[-1].split(".", 1)[0] == "aws"
    return type_.startswith("aws_")


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


# -- documents --------------------------------------------------------------------------------


def is_plan_document(document: Any) -> bool:
    """A Terraform plan's JSON: a format_version and a section only plans have (even one that changes nothing)."""
    return (
        isinstance(document, dict)
        and "format_version" in document
        and "values" not in document
        and any(key in document for key in PLAN_KEYS)
    )


def looks_like(document: Any) -> str:
    if not isinstance(document, dict):
        return f"a JSON {type(document).__name__}, not an object"
    if isinstance(document.get("format"), str) and document["format"].startswith("unify."):
        return f"a unify document ({document['format']})"
    if "version" in document and "resources" in document and ("lineage" in document or "serial" in document):
        return "a raw Terraform state (terraform.tfstate)"
    if "values" in document and "format_version" in document:
        return "the JSON of a Terraform state (`terraform show -json` without a plan file)"
    if is_plan_document(document):
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
                json_line(file, ["format_version"]),
                "format_version",
                f"Terraform JSON format_version {version!r} is not one unify reads (it reads 0.x and 1.x)",
            )
        )
    return version


def module_resources(module: Any, address: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(module address, resource) for every resource of a ``root_module`` tree, child modules included."""
    for module_address, resource, _ in module_resource_paths(module, address, []):
        yield module_address, resource


def module_resource_paths(
    module: Any, address: str, path: list[str | int]
) -> Iterator[tuple[str, dict[str, Any], list[str | int]]]:
    """(module address, resource, its path in the document) for every resource of a ``root_module`` tree."""
    if not isinstance(module, dict):
        return
    for index, resource in enumerate(module.get("resources") or []):
        if isinstance(resource, dict):
            yield address, resource, [*path, "resources", index]
    for index, child in enumerate(module.get("child_modules") or []):
        if isinstance(child, dict):
            yield from module_resource_paths(child, str(child.get("address") or ""), [*path, "child_modules", index])
