"""Terraform's resource instances as unify resources, with the side resources folded into what they configure.

Terraform spreads one AWS object over several resources: a bucket and its
``aws_s3_bucket_versioning``, a security group and its
``aws_security_group_rule``s, a role and its ``aws_iam_role_policy``s and
attachments, a VPC and its ``aws_flow_log``s. An observation sees one object
with all of it; so does a snapshot made here. Each side resource folds into
its target through the attribute the collector fills (the folds are declared
with the target's type, :class:`unify.model.resource_type.Fold`).

A side resource names its target by a value (``security_group_id``) that a
plan often knows only after apply. The target is then found through the
plan's ``configuration`` section (module calls, outputs, variables,
``count``/``for_each`` keys). A side resource whose target still cannot be
decided is never dropped: every resource it might configure gets the
affected attribute as ``$unknown`` with the reason, and the reason is
listed among the snapshot's warnings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from unify._files import json_line
from unify.errors import InputError, Problem
from unify.model.resource import Resource, is_unknown, known, unknown
from unify.model.resource_type import REMOVE, Fold, ResourceType, ResourceTypes
from unify.terraform.configuration import Configuration
from unify.terraform.resources import Entry, Locator
from unify.terraform.shapes import block_order, mark_observed_only, name_of, shape, tags_of

__all__ = ["Built", "build", "ordered"]

#: Plan actions after which a resource is a new AWS object (nothing else can have configured it yet).
_NEW: Final = frozenset({"create", "replace"})


@dataclass
class Built:
    """What the readers made of a document's resource instances."""

    resources: list[Resource]
    #: One line per side resource whose target could not be decided (or is not in the document).
    unresolved: list[str] = field(default_factory=list)
    #: Folds that joined a list or count whose base was unknown, for the overlay to replay on live values.
    pending: list[dict[str, Any]] = field(default_factory=list)
    #: ``{target, attribute}`` a deleted side resource takes away (the overlay must not keep live's value).
    removed: list[dict[str, str]] = field(default_factory=list)
    #: Side resources whose target is named but not in the document (a live role an attachment names):
    #: ``{side, side_type, attribute, names, value, removing}``, for the overlay to fold into live objects.
    outside: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Target:
    resource: Resource
    entry: Entry
    declared: ResourceType


def _read(values: Any, path: str) -> Any:
    node = values
    for segment in path.split("."):
        node = node.get(segment) if isinstance(node, dict) and not is_unknown(node) else None
    return node


def _state_id(entry: Entry) -> str:
    for key in ("arn", "id"):
        value = entry.values.get(key)
        if isinstance(value, str) and value:
            return value
    return entry.address


def _resource(entry: Entry, declared: ResourceType | None, type_: str, locator: Locator, *, plan: bool) -> Resource:
    values = entry.values
    alias = None if declared is None or declared.name == entry.type else declared.terraform_aliases.get(entry.type)
    if alias:
        # Another name of the type (``aws_default_security_group``): its fixed values win over markers.
        values = {**values, **{k: v for k, v in alias.items() if not known(values.get(k))}}
    attributes = shape(declared, values)
    attributes["terraform_address"] = entry.address
    return {
        "type": type_,
        "id": entry.address if plan else _state_id(entry),
        "name": name_of(declared, values),
        "account": locator.account(entry),
        "region": locator.region(entry),
        "tags": tags_of(values),
        "attributes": attributes,
    }


def _start_empty(target: _Target, folded: set[str]) -> None:
    """Attributes of a new object that only side resources fill start empty rather than unknown."""
    if target.entry.action not in _NEW:
        return
    attributes = target.resource["attributes"]
    for attribute, argument, empty in target.declared.created_empty:
        value = attributes.get(attribute)
        if value is not None and not is_unknown(value):
            continue
        configured = target.entry.configured
        # The provider documents inline rules and rule resources as exclusive, so a folded attribute
        # has no inline part; otherwise the configuration must say the argument is not set.
        if argument is None or attribute in folded or (configured is not None and argument not in configured):
            attributes[attribute] = json.loads(json.dumps(empty))


def ordered(items: list[Any], fold: Fold, declared: ResourceType) -> list[Any]:
    """A folded list in the collector's order: the fold's, the type's rule order, or by content."""
    if fold.order is not None:
        return sorted(items, key=fold.order)
    if fold.attribute in declared.sorted_blocks:
        return sorted(items, key=block_order)
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, default=str))


def _partial(value: Any) -> bool:
    return is_unknown(value) or (isinstance(value, list) and any(is_unknown(item) for item in value))


def _join(target: _Target, fold: Fold, value: Any, *, removing: bool) -> bool:
    """Join one side resource's value to its target; False when part of the base is unknown.

    A list whose base is unknown keeps the unknown as its last item after the
    known ones (``[rule, {"$unknown": ...}]``): at least these items, and
    whatever the rest holds. A known bad item still fails ``no_item``; nothing
    passes on the unknown rest.
    """
    attributes = target.resource["attributes"]
    current = attributes.get(fold.attribute)
    if fold.merge == "set":
        if removing or value is REMOVE:
            attributes.pop(fold.attribute, None)
        else:
            attributes[fold.attribute] = value
        return True
    partial = _partial(current)
    if fold.merge == "count":
        if not partial:
            base = current if isinstance(current, int) and not isinstance(current, bool) else 0
            attributes[fold.attribute] = max(0, base + (-1 if removing else 1))
        return not partial
    items = (
        [current] if is_unknown(current) else current if isinstance(current, list) else [] if current is None else None
    )
    if items is None:
        return True  # not a list: a value Terraform did not write; leave it as it is
    rest = [item for item in items if is_unknown(item)]
    whole = [item for item in items if not is_unknown(item)]
    if removing:
        whole = fold.without(whole, value)
    elif not fold.covered(whole, value):
        whole.append(value)
    attributes[fold.attribute] = ordered(whole, fold, target.declared) + rest[:1] if whole or not rest else rest[0]
    return not partial


def _mark(target: _Target, fold: Fold, reason: str, folded: bool) -> None:
    """The attribute a side resource may configure, unknown (a list keeps its known items)."""
    attributes = target.resource["attributes"]
    current = attributes.get(fold.attribute)
    if fold.merge == "set":
        if not folded:
            attributes[fold.attribute] = unknown(reason)
    elif fold.merge == "append" and isinstance(current, list) and current and not _partial(current):
        attributes[fold.attribute] = [*current, unknown(reason)]
    elif not _partial(current):
        attributes[fold.attribute] = unknown(reason)


class _Index:
    """Resources by address and by the values side resources name them with (name, id, ARN)."""

    def __init__(self, targets: Iterable[_Target]) -> None:
        self.by_address: dict[str, _Target] = {}
        self.by_value: dict[tuple[str, str, str], list[_Target]] = {}
        for target in targets:
            self.by_address[target.entry.address] = target
            keys = {target.declared.name_path, "id", "name", "arn"}
            for key in sorted(keys):
                value = _read(target.entry.values, key)
                if isinstance(value, str) and value:
                    self.by_value.setdefault((target.declared.name, key, value), []).append(target)

    def named(self, type_: str, keys: Iterable[str], value: str, module: str) -> list[_Target]:
        found: dict[str, _Target] = {}
        for key in keys:
            for target in self.by_value.get((type_, key, value), []):
                found[target.entry.address] = target
        hits = list(found.values())
        if len(hits) > 1:
            # Two modules with buckets of one name: the side resource means the one beside it.
            here = [t for t in hits if t.entry.module == module]
            hits = here if len(here) == 1 else hits
        return hits

    def of_type(self, type_: str) -> list[_Target]:
        return [t for t in self.by_address.values() if t.declared.name == type_]


def _match_keys(fold: Fold, declared: ResourceType) -> tuple[str, ...]:
    return fold.match or (declared.name_path, "id")


def _resolve(
    side: Entry, declared: ResourceType, fold: Fold, index: _Index, config: Configuration | None, where: str
) -> tuple[list[_Target], list[_Target], str]:
    """The targets a side resource configures; else none, the resources it may configure, and why."""
    reference = side.values.get(fold.reference)
    if reference in (None, "", []):
        return [], [], ""  # not set: it configures nothing
    several = isinstance(reference, list)
    names = reference if several else [reference]
    found: list[_Target] = []
    ambiguous: list[_Target] = []
    outside: list[str] = []
    pending = False
    for name in names:
        if isinstance(name, str) and name:
            hits = index.named(declared.name, _match_keys(fold, declared), name, side.module)
            if len(hits) == 1:
                found.append(hits[0])
            elif hits:
                ambiguous += hits
            else:
                outside.append(name)
        elif name not in (None, ""):
            pending = True
    if not pending and not ambiguous and not outside and (found or several):
        return found, [], ""
    wanted = {declared.name, *declared.terraform_aliases}
    if config is not None and config.present:
        refs = config.references(side.module, side.type, side.name, fold.reference)
        via: list[_Target] = []
        for address in config.targets(side.module, refs, side.index, wanted):
            target = index.by_address.get(address)
            if target is not None and target.declared.name == declared.name and target not in via:
                via.append(target)
        if via and (several or len(via) == 1):
            return list(dict.fromkeys([*found, *via]).keys()) if several else via, [], ""
        if len(via) > 1:
            return [], via, f"its {fold.reference} may name any of {len(via)} {declared.name} resources"
        if not via and config.elsewhere(refs, wanted):
            return found, [], f"its {fold.reference} comes from {refs[-1]}, not from a {declared.name} of this {where}"
        if not via and pending and (not refs or any(ref.startswith("local.") for ref in refs)):
            # A local: the resources that can reach this module instance, or are in it.
            reach = [index.by_address[a] for a in config.reachable(side.module, wanted) if a in index.by_address]
            reach += [t for t in index.of_type(declared.name) if t.entry.module == side.module and t not in reach]
            reach = [t for t in reach if t.declared.name == declared.name]
            if len(reach) == 1 and not several:
                return reach, [], ""
            if reach:
                why = f"its {fold.reference} comes from a local, which Terraform's JSON does not describe"
                return found, reach, why
    if ambiguous:
        return [], ambiguous, f"{len(ambiguous)} {declared.name} resources are named {outside or names!r}"
    if outside and not pending:
        return found, [], f"its {fold.reference} {outside[0]!r} is not in this {where}"
    if config is not None and config.present:
        why = f"its {fold.reference} is known only after apply and its reference names no {declared.name} here"
    else:
        why = f"its {fold.reference} is known only after apply and the {where} has no configuration section to follow"
    here = [t for t in index.of_type(declared.name) if t.entry.module == side.module]
    return found, here or index.of_type(declared.name), why


_MALFORMED: Final = (AttributeError, TypeError, KeyError, ValueError, IndexError)


def build(
    entries: list[Entry],
    locator: Locator,
    types: ResourceTypes,
    config: Configuration | None,
    *,
    plan: bool,
    snapshot: bool,
    file: str = "<terraform>",
    error: type[InputError] = InputError,
) -> Built:
    """Resources in the collectors' shapes, with side resources folded into the resources they configure.

    For a snapshot (``snapshot``), attributes only an observation reads are
    marked unknown; bare state resources (for drift) leave them out instead.
    A value no conversion can read (a number where Terraform writes a list of
    blocks) is bad input naming the file and the resource (``error``).
    """
    at: list[Entry] = []  # the entry being read, for the message
    try:
        return _build(entries, locator, types, config, plan=plan, snapshot=snapshot, at=at)
    except _MALFORMED as exc:
        message = f"a value of a type Terraform does not write there ({type(exc).__name__}: {exc})"
        entry = at[-1] if at else None
        line = json_line(file, entry.source) if entry is not None and entry.source else None
        raise error(Problem(file, line, entry.address if entry else None, message)) from None


def _build(
    entries: list[Entry],
    locator: Locator,
    types: ResourceTypes,
    config: Configuration | None,
    *,
    plan: bool,
    snapshot: bool,
    at: list[Entry],
) -> Built:
    targets: list[_Target] = []
    sides: list[tuple[Entry, ResourceType, Fold]] = []
    for entry in entries:
        at.append(entry)
        folds = types.folds(entry.type)
        sides += [(entry, declared, fold) for declared, fold in folds if fold.applies(entry.values)]
        if entry.action == "delete" or (folds and not any(fold.keep for _, fold in folds)):
            continue
        alias = types.alias(entry.type)
        declared = alias[0] if alias is not None else types.get(entry.type)
        resource = _resource(entry, declared, declared.name if declared else entry.type, locator, plan=plan)
        if declared is not None:
            targets.append(_Target(resource, entry, declared))
        else:
            targets.append(_Target(resource, entry, ResourceType(entry.type, ())))
    index = _Index(targets)
    if snapshot:
        for target in targets:
            if target.entry.action not in _NEW or not plan:
                mark_observed_only(types.get(target.declared.name), target.resource["attributes"])
    built = Built([t.resource for t in targets])
    placed: list[tuple[Entry, Fold, list[_Target]]] = []
    marked: dict[tuple[str, str], tuple[Fold, list[str]]] = {}
    left_out: dict[str, str] = {}
    # Deleted side resources first, so a new one that replaces a block wins.
    for side, declared, fold in sorted(sides, key=lambda s: (s[0].action != "delete", s[0].address, s[2].attribute)):
        at.append(side)
        chosen, candidates, why = _resolve(side, declared, fold, index, config, "plan" if plan else "state")
        if chosen:
            placed.append((side, fold, chosen))
        reference = side.values.get(fold.reference)
        named = [n for n in (reference if isinstance(reference, list) else [reference]) if isinstance(n, str) and n]
        placed_names = {str(_read(t.entry.values, k)) for t in chosen for k in _match_keys(fold, declared)}
        outside = [n for n in named if n not in placed_names]
        if plan and why and not candidates and outside and side.action in ("create", "replace", "update", "delete"):
            value = fold.convert(side.values)
            built.outside.append(
                {
                    "side": side.address,
                    "side_type": side.type,
                    "attribute": fold.attribute,
                    "names": outside,
                    "value": None if value is REMOVE else value,
                    "removing": side.action == "delete" or value is REMOVE,
                }
            )
        if side.action == "delete" or not why:
            continue  # a deleted side resource whose target is gone with it, or was never here, says nothing
        if not candidates:
            left_out.setdefault(side.address, f"{side.address}: {why}; left out")
            continue
        for target in candidates:
            marked.setdefault((target.entry.address, fold.attribute), (fold, []))[1].append(side.address)
        names = ", ".join(t.entry.address for t in candidates)
        line = f"{side.address}: {why}; {fold.attribute} of {names} is unknown"
        if line not in built.unresolved:
            built.unresolved.append(line)
    # A side resource one of whose folds found its target is not left out (an AWS managed policy is never
    # in a plan, the role it is attached to is).
    placed_sides = {side.address for side, _, _ in placed}
    built.unresolved += [line for address, line in sorted(left_out.items()) if address not in placed_sides]
    folded = {(t.entry.address, fold.attribute) for _, fold, chosen in placed for t in chosen}
    if plan:
        for target in targets:
            _start_empty(target, {attribute for address, attribute in folded if address == target.entry.address})
    for side, fold, chosen in placed:
        at.append(side)
        value = fold.convert(side.values)
        for target in chosen:
            if plan and side.action == "delete" and fold.merge == "set":
                built.removed.append({"target": target.entry.address, "attribute": fold.attribute})
            joined = _join(target, fold, value, removing=side.action == "delete")
            if not joined and plan and side.action in ("create", "replace", "delete"):
                built.pending.append(
                    {
                        "target": target.entry.address,
                        "side": side.address,
                        "side_type": side.type,
                        "attribute": fold.attribute,
                        "removing": side.action == "delete",
                        "value": value,
                    }
                )
    for (address, attribute), (fold, by) in sorted(marked.items(), key=lambda item: item[0]):
        reason = f"{', '.join(sorted(set(by)))} may configure it, but which resource it configures is not known"
        _mark(index.by_address[address], fold, reason, (address, attribute) in folded)
    if snapshot and plan:
        for target in targets:
            mark_observed_only(types.get(target.declared.name), target.resource["attributes"])
    return built
