"""Terraform plans and states as unify resources, in the live collectors' shapes.

A plan (``terraform show -json plan.out``) is intent: :func:`plan_snapshot`
turns what the plan says will exist after apply into a snapshot with
``source: terraform-plan``, so the checks that read a live observation
read the plan too. Values Terraform knows only after apply become
``{"$unknown": "known after apply"}`` at exactly their path, so a check
on them is unknown, never a pass. A plan lists only the resources its
configuration manages: the snapshot has no coverage entries, which the
evaluator reads as "nothing says these are all" (aggregate counts are lower
bounds, a type with no resource is "not observed").

A state (``terraform show -json`` or a raw ``terraform.tfstate``) is what
Terraform last applied: :func:`state_resources` gives its resources in the
same shapes, for drift against an observation. See docs/terraform.md.
"""

from __future__ import annotations

import copy
import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from unify._terraform_shapes import (
    ABSENT_BLOCK,
    AFTER_APPLY,
    S3_SIDE_RESOURCES,
    SENSITIVE,
    is_global,
    mark_observed_only,
    name_of,
    redact_path,
    region_like,
    shape,
    tags_of,
    with_markers,
)
from unify._time import format_timestamp, parse_timestamp
from unify.errors import InputError, Problem
from unify.importers import PlanError, read_json_document
from unify.snapshot import Resource, Snapshot

__all__ = [
    "PLAN_FORMATS",
    "STATE_VERSIONS",
    "StateError",
    "plan_snapshot",
    "state_resources",
    "state_snapshot",
    "read_state",
    "resource_address",
]

#: Major versions of Terraform's JSON output format (plan and ``show -json`` state) that unify reads.
PLAN_FORMATS: Final = ("0", "1")
#: Raw ``terraform.tfstate`` versions unify reads (Terraform 0.12 and later write version 4).
STATE_VERSIONS: Final = (4,)

#: Plan actions whose ``after`` is what exists once the plan is applied.
_KEPT_ACTIONS: Final = {("create",), ("update",), ("no-op",), ("delete", "create"), ("create", "delete")}

_KEY = r'\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]'
_MODULE_STEP: Final = re.compile(rf'module\.([A-Za-z0-9_-]+)({_KEY})?')
_RESOURCE_REF: Final = re.compile(rf'^(aws_[A-Za-z0-9_]+)\.([A-Za-z0-9_-]+)({_KEY})?(?:\.|$)')
_MODULE_REF: Final = re.compile(rf'^module\.([A-Za-z0-9_-]+)({_KEY})?\.([A-Za-z0-9_-]+)')
_VARIABLE_REF: Final = re.compile(r'^var\.([A-Za-z0-9_-]+)')
_ACCOUNT: Final = re.compile(r'^[0-9]{12}$')


class StateError(InputError):
    """A Terraform state that cannot be read, or is in a version unify does not read."""


@dataclass
class _Entry:
    """One resource instance as Terraform has it, before it becomes a unify resource."""

    address: str
    module: str  # module instance address, "" for the root module
    type: str
    name: str
    index: Any
    values: dict[str, Any]
    group: str  # resources sharing a provider configuration, hence an account
    region: str | None = None  # the provider's configured region, when the plan says


# -- addresses --------------------------------------------------------------------------------


def _index_text(index: Any) -> str:
    if index is None:
        return ""
    if isinstance(index, int) and not isinstance(index, bool):
        return f"[{index}]"
    return f"[{json.dumps(str(index), ensure_ascii=False)}]"


def _key_value(text: str | None) -> Any:
    """``[0]`` -> 0, ``["a"]`` -> "a"."""
    if not text:
        return None
    return json.loads(text[1:-1])


def resource_address(module: str, type_: str, name: str, index: Any = None) -> str:
    """The address Terraform prints: ``module.net.aws_security_group.web[0]``, ``aws_s3_bucket.b["logs"]``."""
    return f"{module + '.' if module else ''}{type_}.{name}{_index_text(index)}"


def _config_path(module_instance: str) -> str:
    """``module.a[0].module.b["x"]`` -> ``module.a.module.b`` (the configuration has no instance keys)."""
    return ".".join(f"module.{name}" for name, _ in _MODULE_STEP.findall(module_instance))


# -- the configuration section ----------------------------------------------------------------


class _Configuration:
    """The plan's ``configuration``: provider regions and the references a side resource makes."""

    def __init__(self, document: dict[str, Any]) -> None:
        section = document.get("configuration")
        self.present = isinstance(section, dict) and isinstance(section.get("root_module"), dict)
        section = section if isinstance(section, dict) else {}
        self.providers: dict[str, Any] = section.get("provider_config") or {}
        self.variables: dict[str, Any] = document.get("variables") or {}
        self.modules: dict[str, dict[str, Any]] = {}
        self.resources: dict[tuple[str, str], dict[str, Any]] = {}
        self._walk(section.get("root_module") or {}, "")

    def _walk(self, module: dict[str, Any], path: str) -> None:
        self.modules[path] = module
        for resource in module.get("resources") or []:
            if isinstance(resource, dict) and isinstance(resource.get("address"), str):
                self.resources[(path, resource["address"])] = resource
        for name, call in (module.get("module_calls") or {}).items():
            if isinstance(call, dict) and isinstance(call.get("module"), dict):
                self._walk(call["module"], f"{path}.module.{name}" if path else f"module.{name}")

    def resource(self, module_instance: str, type_: str, name: str) -> dict[str, Any]:
        return self.resources.get((_config_path(module_instance), f"{type_}.{name}")) or {}

    def provider_key(self, module_instance: str, type_: str, name: str) -> str:
        key = self.resource(module_instance, type_, name).get("provider_config_key")
        if isinstance(key, str) and key:
            return key
        path = _config_path(module_instance)
        return f"{path}:aws" if path else "aws"

    def region(self, key: str) -> str | None:
        """The ``region`` a provider configuration sets, walking up to the one a module inherits."""
        current: str | None = key
        while current is not None:
            config = self.providers.get(current)
            expression = ((config or {}).get("expressions") or {}).get("region")
            if isinstance(expression, dict):
                value = expression.get("constant_value")
                refs = expression.get("references") or []
                # region = var.region in the root module: the plan records the variable's value.
                variable = _VARIABLE_REF.match(str(refs[0])) if refs and ":" not in current else None
                if value is None and variable:
                    value = (self.variables.get(variable.group(1)) or {}).get("value")
                return value if region_like(value) else None
            current = _parent_provider(current)
        return None

    def references(self, module_instance: str, type_: str, name: str, attribute: str) -> list[str]:
        expression = (self.resource(module_instance, type_, name).get("expressions") or {}).get(attribute)
        refs = expression.get("references") if isinstance(expression, dict) else None
        return [str(r) for r in refs or []]

    def targets(self, module_instance: str, refs: list[str], index: Any, want: str, depth: int = 0) -> list[str]:
        """The addresses ``refs`` may name for a resource of type ``want``, most specific first.

        ``aws_s3_bucket.logs.id`` inside ``module.a[0]`` names
        ``module.a[0].aws_s3_bucket.logs``; without a literal key, an instance
        of a counted resource names the instance with its own key. Module
        outputs and input variables are followed through the configuration.
        """
        found: list[str] = []
        if depth > 8:
            return found
        prefix = f"{module_instance}." if module_instance else ""
        for ref in refs:
            match = _RESOURCE_REF.match(ref)
            if match and match.group(1) == want:
                base = f"{prefix}{want}.{match.group(2)}"
                if match.group(3):
                    found.append(base + _index_text(_key_value(match.group(3))))
                else:
                    found += [base + _index_text(index)] if index is not None else []
                    found.append(base)
                continue
            match = _MODULE_REF.match(ref)
            if match:
                path = _config_path(module_instance)
                child = f"{path}.module.{match.group(1)}" if path else f"module.{match.group(1)}"
                output = ((self.modules.get(child) or {}).get("outputs") or {}).get(match.group(3)) or {}
                inner = [str(r) for r in (output.get("expression") or {}).get("references") or []]
                found += self.targets(f"{prefix}module.{match.group(1)}{match.group(2) or ''}", inner, None, want,
                                      depth + 1)
                continue
            match = _VARIABLE_REF.match(ref)
            steps = _MODULE_STEP.findall(module_instance)
            if match and steps:
                call_name, call_key = steps[-1]
                parent = ".".join(f"module.{n}{k}" for n, k in steps[:-1])
                call = ((self.modules.get(_config_path(parent)) or {}).get("module_calls") or {}).get(call_name) or {}
                expression = (call.get("expressions") or {}).get(match.group(1)) or {}
                inner = [str(r) for r in expression.get("references") or []]
                found += self.targets(parent, inner, _key_value(call_key), want, depth + 1)
        return list(dict.fromkeys(found))


def _parent_provider(key: str) -> str | None:
    """``module.a.module.b:aws`` -> ``module.a:aws`` -> ``aws`` -> None (implicit provider inheritance)."""
    if ":" not in key:
        return None
    module, provider = key.rsplit(":", 1)
    parent = module.rsplit(".module.", 1)[0] if ".module." in module else ""
    return f"{parent}:{provider}" if parent else provider


# -- where a resource is ------------------------------------------------------------------------


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


class _Locator:
    """Account and region of each resource, from its ARN, its provider, or the document as a whole."""

    def __init__(self, entries: list[_Entry], extra_accounts: set[str]) -> None:
        self.accounts: dict[str, set[str]] = {}
        self.regions: dict[str, set[str]] = {}
        everywhere = set(extra_accounts)
        for entry in entries:
            account = _own_account(entry.values)
            if account:
                self.accounts.setdefault(entry.group, set()).add(account)
                everywhere.add(account)
            parts = _own_arn(entry.values)
            if parts and region_like(parts[3]) and not is_global(entry.type):
                self.regions.setdefault(entry.group, set()).add(parts[3])
        self.everywhere = everywhere

    def account(self, entry: _Entry) -> str:
        own = _own_account(entry.values)
        if own:
            return own
        for candidates in (self.accounts.get(entry.group, set()), self.everywhere):
            if len(candidates) == 1:
                return next(iter(candidates))
        return "unknown"

    def region(self, entry: _Entry) -> str:
        if is_global(entry.type):
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


def _caller_accounts(module: Any) -> Iterator[str]:
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
        yield from _caller_accounts(child)


# -- building resources (shared by plan and state) --------------------------------------------


def _build(entries: list[_Entry], locator: _Locator, config: _Configuration | None, *, plan: bool,
           snapshot: bool) -> tuple[list[Resource], list[str]]:
    """Resources in the collectors' shapes, with S3 side resources folded into their buckets.

    For a snapshot (``snapshot``), attributes only an observation reads are
    marked unknown; bare state resources (for drift) leave them out instead.
    """
    resources: dict[str, Resource] = {}
    sides: list[_Entry] = []
    by_name: dict[str, Resource] = {}
    for entry in entries:
        if entry.type in S3_SIDE_RESOURCES:
            sides.append(entry)
            continue
        attributes = shape(entry.type, entry.values)
        attributes["terraform_address"] = entry.address
        resource: Resource = {
            "type": entry.type,
            "id": entry.address if plan else _state_id(entry),
            "name": name_of(entry.type, entry.values),
            "account": locator.account(entry),
            "region": locator.region(entry),
            "tags": tags_of(entry.values),
            "attributes": attributes,
        }
        resources[entry.address] = resource
        if entry.type == "aws_s3_bucket":
            for key in ("bucket", "id"):
                if isinstance(entry.values.get(key), str):
                    by_name.setdefault(entry.values[key], resource)
    unresolved: list[str] = []
    for side in sorted(sides, key=lambda e: e.address):
        bucket = _bucket_of(side, resources, by_name, config)
        if bucket is None:
            unresolved.append(_unresolved(side, config, plan))
            continue
        attribute, fold = S3_SIDE_RESOURCES[side.type]
        block = fold(side.values)
        if block is ABSENT_BLOCK:
            bucket["attributes"].pop(attribute, None)
        else:
            bucket["attributes"][attribute] = block
    if snapshot:
        for resource in resources.values():
            mark_observed_only(resource["type"], resource["attributes"])
    return list(resources.values()), unresolved


def _bucket_of(side: _Entry, resources: dict[str, Resource], by_name: dict[str, Resource],
               config: _Configuration | None) -> Resource | None:
    name = side.values.get("bucket")
    if isinstance(name, str) and name in by_name:
        return by_name[name]
    if config is None:
        return None
    refs = config.references(side.module, side.type, side.name, "bucket")
    for address in config.targets(side.module, refs, side.index, "aws_s3_bucket"):
        found = resources.get(address)
        if found is not None and found["type"] == "aws_s3_bucket":
            return found
    return None


def _unresolved(side: _Entry, config: _Configuration | None, plan: bool) -> str:
    where = "plan" if plan else "state"
    name = side.values.get("bucket")
    if isinstance(name, str):
        why = f"its bucket {name!r} is not in this {where}"
    elif config is not None and config.present:
        why = "its bucket is known only after apply and its `bucket` reference names no bucket in the plan"
    else:
        why = "its bucket is known only after apply and the plan has no configuration section to follow"
    return f"{side.address}: {why}; left out"


def _state_id(entry: _Entry) -> str:
    for key in ("arn", "id"):
        value = entry.values.get(key)
        if isinstance(value, str) and value:
            return value
    return entry.address


# -- plans --------------------------------------------------------------------------------------


def _looks_like(document: Any) -> str:
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


def _check_format(document: dict[str, Any], file: str, error: type[InputError]) -> str:
    version = document.get("format_version")
    if not isinstance(version, str) or version.split(".")[0] not in PLAN_FORMATS:
        raise error(Problem(file, None, "format_version",
                            f"Terraform JSON format_version {version!r} is not one unify reads (it reads 0.x and 1.x)"))
    return version


def _plan_entries(document: dict[str, Any], config: _Configuration) -> tuple[list[_Entry], dict[str, Any]]:
    entries: list[_Entry] = []
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
    for module, resource in _module_resources((document.get("planned_values") or {}).get("root_module"), ""):
        address = str(resource.get("address"))
        if resource.get("mode", "managed") != "managed" or address in seen:
            continue
        values = with_markers(copy.deepcopy(resource.get("values") or {}), resource.get("sensitive_values"), SENSITIVE)
        entries.append(_plan_entry(config, address, module, str(resource.get("type")), str(resource.get("name")),
                                   resource.get("index"), values))
        actions["planned_values only"] += 1
    stats = {"actions": dict(sorted(actions.items())), "deleted": sorted(deleted), "left_out": sorted(left_out)}
    return entries, stats


def _plan_entry(config: _Configuration, address: str, module: str, type_: str, name: str, index: Any,
                values: dict[str, Any]) -> _Entry:
    key = config.provider_key(module, type_, name)
    return _Entry(address, module, type_, name, index, values, key, config.region(key))


def _module_resources(module: Any, address: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(module address, resource) for every resource of a ``root_module`` tree, child modules included."""
    if not isinstance(module, dict):
        return
    for resource in module.get("resources") or []:
        if isinstance(resource, dict):
            yield address, resource
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            yield from _module_resources(child, str(child.get("address") or ""))


def _taken_at(document: dict[str, Any]) -> str | None:
    try:
        return format_timestamp(parse_timestamp(document["timestamp"]))
    except (KeyError, ValueError, TypeError):
        return None


def plan_snapshot(document: Any, file: str) -> Snapshot:
    """The snapshot of what a plan says will exist after apply (``terraform show -json plan.out``).

    Resources come from ``resource_changes`` (deletes left out, replaces and
    updates as planned), else from ``planned_values``; ids are addresses.
    Coverage is empty: a plan says nothing about what else exists.
    """
    if not isinstance(document, dict) or not ("planned_values" in document or "resource_changes" in document):
        raise PlanError(Problem(file, None, None, f"not a Terraform plan: this looks like {_looks_like(document)}; "
                                                  "give the output of `terraform show -json plan.out`"))
    version = _check_format(document, file, PlanError)
    config = _Configuration(document)
    entries, stats = _plan_entries(document, config)
    prior = ((document.get("prior_state") or {}).get("values") or {}).get("root_module")
    extra = set(_caller_accounts(prior))
    resources, unresolved = _build(entries, _Locator(entries, extra), config, plan=True, snapshot=True)
    stats = {
        "file": file,
        "format_version": version,
        "terraform_version": document.get("terraform_version"),
        **stats,
        "unresolved": unresolved,
        "coverage": "none: a plan lists the resources its configuration manages, not everything that exists",
    }
    return Snapshot.build(resources=resources, coverage=[], source="terraform-plan", taken_at=_taken_at(document),
                          stats=stats)


# -- states -------------------------------------------------------------------------------------


def _state_entries(document: Any, file: str) -> list[_Entry]:
    if not isinstance(document, dict) or "planned_values" in document or "resource_changes" in document \
            or (isinstance(document.get("format"), str) and document["format"].startswith("unify.")):
        raise StateError(Problem(file, None, None, f"not a Terraform state: this looks like {_looks_like(document)}; "
                                                   "give `terraform show -json` (no plan file) or a terraform.tfstate"))
    if "version" in document and "format_version" not in document:
        return list(_raw_entries(document, file))
    if "format_version" in document:
        _check_format(document, file, StateError)
        entries = []
        for module, resource in _module_resources((document.get("values") or {}).get("root_module"), ""):
            if resource.get("mode", "managed") != "managed":
                continue
            values = with_markers(copy.deepcopy(resource.get("values") or {}), resource.get("sensitive_values"),
                                  SENSITIVE)
            entries.append(_Entry(str(resource.get("address")), module, str(resource.get("type")),
                                  str(resource.get("name")), resource.get("index"), values,
                                  str(resource.get("provider_name") or "aws")))
        return entries
    raise StateError(Problem(file, None, None, f"not a Terraform state: this looks like {_looks_like(document)}"))


def _raw_entries(document: dict[str, Any], file: str) -> Iterator[_Entry]:
    version = document.get("version")
    if version not in STATE_VERSIONS:
        raise StateError(Problem(file, None, "version", f"terraform.tfstate version {version!r} is not one unify "
                                                        "reads (it reads version 4, written by Terraform 0.12 and later)"))
    for resource in document.get("resources") or []:
        if not isinstance(resource, dict) or resource.get("mode", "managed") != "managed":
            continue
        module, type_, name = str(resource.get("module") or ""), str(resource.get("type")), str(resource.get("name"))
        for instance in resource.get("instances") or []:
            if not isinstance(instance, dict) or instance.get("deposed"):
                continue
            values = copy.deepcopy(instance.get("attributes") or {})
            for path in instance.get("sensitive_attributes") or []:
                if isinstance(path, list):
                    redact_path(values, path)
            index = instance.get("index_key")
            yield _Entry(resource_address(module, type_, name, index), module, type_, name, index, values,
                         str(resource.get("provider") or "aws"))


def _state_accounts(document: dict[str, Any]) -> Iterator[str]:
    """Accounts a state names outside resource ARNs (``data.aws_caller_identity``), either form."""
    if "values" in document:
        yield from _caller_accounts(document["values"].get("root_module") if isinstance(document["values"], dict) else None)
    for resource in document.get("resources") or []:
        if isinstance(resource, dict) and resource.get("type") == "aws_caller_identity":
            instances = [{"type": "aws_caller_identity", "values": i.get("attributes")}
                         for i in resource.get("instances") or [] if isinstance(i, dict)]
            yield from _caller_accounts({"resources": instances})


def state_resources(document: Any, file: str, *, unresolved: list[str] | None = None) -> list[Resource]:
    """The managed resources of a state, either form, in the collectors' shapes; ids are ARNs where known.

    S3 side resources are folded into their buckets (by bucket name); those
    whose bucket is not in the state are left out and, when ``unresolved``
    is given, reported there.
    """
    resources, warnings = _state(document, file, snapshot=False)
    if unresolved is not None:
        unresolved.extend(warnings)
    return resources


def _state(document: Any, file: str, *, snapshot: bool) -> tuple[list[Resource], list[str]]:
    entries = _state_entries(document, file)
    locator = _Locator(entries, set(_state_accounts(document)))
    return _build(entries, locator, None, plan=False, snapshot=snapshot)


def state_snapshot(document: Any, file: str) -> Snapshot:
    """A state as a snapshot (``source: terraform-state``) to evaluate checks on: no coverage, like a plan,
    and attributes only an observation reads are unknown."""
    resources, unresolved = _state(document, file, snapshot=True)
    stats = {"file": file, "terraform_version": document.get("terraform_version"), "unresolved": unresolved}
    return Snapshot.build(resources=resources, coverage=[], source="terraform-state", stats=stats)


def read_state(location: str) -> tuple[Any, str]:
    """A state document from a path or an ``s3://bucket/key`` object (a remote backend's file)."""
    if not location.startswith("s3://"):
        try:
            return read_json_document(location), location
        except PlanError as exc:
            raise StateError(exc.problems) from None
    bucket, _, key = location[len("s3://"):].partition("/")
    if not bucket or not key:
        raise StateError(Problem(location, None, None, "an S3 state location is s3://bucket/key"))
    import boto3  # noqa: PLC0415 - only S3 locations need it
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    try:
        raw = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise StateError(Problem(location, None, None, f"cannot read state: {error.get('Code')}: "
                                                       f"{error.get('Message') or exc}")) from None
    except BotoCoreError as exc:
        raise StateError(Problem(location, None, None, f"cannot read state: {exc}")) from None
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return json.loads(raw), location
    except (OSError, EOFError, ValueError) as exc:
        raise StateError(Problem(location, None, None, f"not a JSON state: {exc}")) from None
