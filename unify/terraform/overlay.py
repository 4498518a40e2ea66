"""The estate as it will be after apply: a plan's creates, updates and deletes applied to a live snapshot.

A plan alone speaks only for what it manages (its snapshot has no coverage),
and a live observation knows nothing of the change. Overlaid, the live
snapshot with the plan applied is one snapshot with live's coverage, so the
checks are evaluated once on it: an account-level aggregate ("at least one
multi-region trail") is decided, and a delete that leaves an account without
its only trail fails before merge.

Each planned resource is matched to its live object by ARN, then id, then
name (recorded with the result). A matched object keeps live's values where
the plan does not know them (computed at apply, or facts only an
observation reads) and takes the plan's everywhere else; side resources the
plan adds to a list whose base only live knew are added again on live's
list. Results say where they come from: ``plan`` (a resource only the plan
has), ``live`` (one the plan does not touch) or ``both``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import Fold, ResourceType, ResourceTypes
from unify.model.snapshot import Snapshot
from unify.results import Result, Results
from unify.terraform.folding import ordered
from unify.terraform.shapes import OBSERVED_ONLY_REASON
from unify.terraform.values import AFTER_APPLY

__all__ = ["ORIGINS", "Match", "Overlay", "overlay"]

Origin = Literal["plan", "live", "both"]
ORIGINS: Final = ("plan", "live", "both")
_MISSING: Final = object()


@dataclass(frozen=True)
class Match:
    """How one planned resource was found live."""

    address: str
    live: str
    by: Literal["arn", "id", "name"]


@dataclass(frozen=True)
class Overlay:
    """The overlaid snapshot, where each of its resources comes from, and what the plan did to live."""

    snapshot: Snapshot
    #: The observation the plan was overlaid on.
    live: Snapshot
    origins: Mapping[str, Origin]
    matches: Mapping[str, Match]
    #: Live ids the plan deletes or replaces.
    removed: tuple[str, ...] = ()
    #: ``(account, type)`` pairs the plan touches: aggregate results over them come from both.
    touched: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    notes: tuple[str, ...] = ()

    def origin(self, result: Result) -> Origin:
        """Where a result's resource comes from; an account's aggregate is ``both`` when the plan touches it."""
        found = self.origins.get(result.resource)
        if found is not None:
            return found
        if result.kind == "aggregate":
            types = [t.strip() for t in result.type.split(",")]
            return "both" if any((result.resource, t) in self.touched for t in types) else "live"
        return "live"

    def annotate(self, results: Results) -> Results:
        """The results, each with its origin (and, for ``both``, how its planned resource was found live)."""
        marked = []
        for result in results:
            match = self.matches.get(result.resource)
            marked.append(
                result.changed(
                    origin=self.origin(result),
                    matched_by=match.by if match is not None else None,
                    address=result.address or (match.address if match is not None else None),
                )
            )
        return replace(results, results=tuple(marked))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class _Live:
    """Live resources by the ids, ARNs and names a planned resource may be found by."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self.by_key: dict[tuple[str, str, str], list[Resource]] = {}
        for resource in resources:
            attributes = resource.get("attributes") or {}
            keys = {("id", resource["id"])}
            for key in ("arn", "id"):
                if _text(attributes.get(key)):
                    keys.add(("arn" if str(attributes[key]).startswith("arn:") else "id", attributes[key]))
            if resource["id"].startswith("arn:"):
                keys.add(("arn", resource["id"]))
            if _text(resource.get("name")):
                keys.add(("name", str(resource.get("name"))))
            for kind, value in keys:
                self.by_key.setdefault((resource["type"], kind, value), []).append(resource)

    def find(
        self, type_: str, account: str, region: str, identity: Mapping[str, Any]
    ) -> tuple[Resource, Literal["arn", "id", "name"]] | None:
        """The one live object of the type an identity names, by ARN, then id, then name."""
        kinds: tuple[Literal["arn", "id", "name"], ...] = ("arn", "id", "name")
        for kind in kinds:
            value = _text(identity.get(kind))
            if value is None:
                continue
            hits = [
                r
                for r in self.by_key.get((type_, kind, value), [])
                if account in ("unknown", r["account"]) and region in ("unknown", "global", r["region"])
            ]
            if len(hits) == 1:
                return hits[0], kind
        return None

    def singleton(self, type_: str, account: str, region: str, regional: bool, live: Snapshot) -> Resource | None:
        hits = [
            r
            for r in live.of_type(type_)
            if account in ("unknown", r["account"]) and (not regional or region in ("unknown", r["region"]))
        ]
        return hits[0] if len(hits) == 1 else None


def _fillable(value: Any, key: str, recomputed: frozenset[str]) -> bool:
    """A marker live can fill: a fact only observation reads, or a value computed once that the plan keeps."""
    if not is_unknown(value):
        return False
    reason = value["$unknown"]
    return reason == OBSERVED_ONLY_REASON or (reason == AFTER_APPLY and key not in recomputed)


def _fill(planned: Any, live: Any, key: str, recomputed: frozenset[str]) -> Any:
    if _fillable(planned, key, recomputed):
        return _MISSING if live is _MISSING else copy.deepcopy(live)
    if isinstance(planned, list) and planned and _fillable(planned[-1], key, recomputed) and live is not _MISSING:
        # Side resources folded onto a base only live knows: live's list, and the plan's items join it again.
        return copy.deepcopy(live)
    if isinstance(planned, dict) and not is_unknown(planned) and isinstance(live, dict) and not is_unknown(live):
        out = {}
        for name, value in planned.items():
            filled = _fill(value, live.get(name, _MISSING), key, recomputed)
            if filled is not _MISSING:
                out[name] = filled
        return out
    return planned


def _merge(
    planned: Resource,
    live: Resource,
    recomputed: frozenset[str],
    removed: set[str],
    observed_only: Iterable[str],
) -> Resource:
    """The live object after the plan: the plan's values, live's where the plan cannot know them."""
    live_attributes = live.get("attributes") or {}
    attributes: dict[str, Any] = {
        k: copy.deepcopy(v) for k, v in live_attributes.items() if k not in removed and k not in observed_only
    }
    for key, value in planned["attributes"].items():
        filled = _fill(value, live_attributes.get(key, _MISSING), key, recomputed)
        if filled is _MISSING:
            attributes.pop(key, None)
        else:
            attributes[key] = filled
    for key in observed_only:
        if key in live_attributes and key not in planned["attributes"]:
            attributes[key] = copy.deepcopy(live_attributes[key])
    tags = planned.get("tags")
    return {
        "type": live["type"],
        "id": live["id"],
        "name": planned.get("name") or live.get("name"),
        "account": live["account"],
        "region": live["region"],
        "tags": copy.deepcopy(live.get("tags") or {}) if tags is None or is_unknown(tags) else tags,
        "attributes": attributes,
    }


def _replay(resource: Resource, pending: Iterable[Mapping[str, Any]], types: ResourceTypes) -> None:
    """Join again the side resources the plan adds to (or takes from) what only live knew."""
    attributes = resource["attributes"]
    declared = types.get(resource["type"]) or ResourceType(resource["type"], ())
    for fold_record in pending:
        fold = _fold(types, str(fold_record.get("side_type")), str(fold_record.get("attribute")))
        if fold is None:
            continue
        current = attributes.get(fold.attribute)
        value, removing = fold_record.get("value"), bool(fold_record.get("removing"))
        if fold.merge == "set":
            if removing:
                attributes.pop(fold.attribute, None)
            else:
                attributes[fold.attribute] = copy.deepcopy(value)
            continue
        if is_unknown(current) or (isinstance(current, list) and any(is_unknown(i) for i in current)):
            continue
        if fold.merge == "count":
            base = current if isinstance(current, int) and not isinstance(current, bool) else 0
            attributes[fold.attribute] = max(0, base + (-1 if removing else 1))
        elif fold.merge == "append":
            items = list(current) if isinstance(current, list) else []
            if removing:
                items = fold.without(items, value)
            elif not fold.covered(items, value):
                items.append(value)
            attributes[fold.attribute] = ordered(items, fold, declared)


def _fold(types: ResourceTypes, side_type: str, attribute: str) -> Fold | None:
    for _, fold in types.folds(side_type):
        if fold.attribute == attribute:
            return fold
    return None


def _placed(resource: Resource, live: Snapshot) -> Resource:
    """A resource only the plan has, placed in live's one account (and region) when it names none."""
    accounts = [a for a in live.accounts if a != "unknown"]
    regions = [r for r in live.scope.get("regions") or [] if r not in ("global", "unknown")]
    placed = dict(resource)
    if placed["account"] == "unknown" and len(accounts) == 1:
        placed["account"] = accounts[0]
    if placed["region"] == "unknown" and len(regions) == 1:
        placed["region"] = regions[0]
    return placed  # type: ignore[return-value]


def overlay(plan: Snapshot, live: Snapshot, types: ResourceTypes) -> Overlay:
    """The live snapshot with the plan's creates, updates and deletes applied."""
    stats = plan.stats
    changes: Mapping[str, Any] = stats.get("changes") or {}
    pending: dict[str, list[Mapping[str, Any]]] = {}
    for record in stats.get("pending_folds") or []:
        pending.setdefault(str(record.get("target")), []).append(record)
    removed_attributes: dict[str, set[str]] = {}
    for record in stats.get("removed_attributes") or []:
        removed_attributes.setdefault(str(record.get("target")), set()).add(str(record.get("attribute")))
    index = _Live(live.resources)
    gone: set[str] = set()
    merged: dict[str, Resource] = {}
    added: list[Resource] = []
    origins: dict[str, Origin] = {}
    matches: dict[str, Match] = {}
    touched: set[tuple[str, str]] = set()
    notes: list[str] = []

    def find(
        type_: str, account: str, region: str, identity: Mapping[str, Any]
    ) -> tuple[Resource, Literal["arn", "id", "name"]] | None:
        declared = types.get(type_)
        if declared is not None and declared.singleton:
            hit = index.singleton(type_, account, region, declared.regional, live)
            return (hit, "id") if hit is not None else None
        return index.find(type_, account, region, identity)

    # Deletes: the plan takes these objects away.
    for address, change in sorted(changes.items()):
        if change.get("action") not in ("delete", "replace"):
            continue
        type_ = str(change.get("type"))
        alias = types.alias(type_)
        type_ = alias[0].name if alias is not None else type_
        found = find(type_, "unknown", "unknown", change.get("before") or {})
        if found is None:
            if change.get("action") == "delete":
                notes.append(f"{address}: the plan deletes it, but no live {type_} matches it")
            continue
        live_resource, by = found
        gone.add(live_resource["id"])
        touched.add((live_resource["account"], type_))
        if change.get("action") == "delete":
            matches[live_resource["id"]] = Match(address, live_resource["id"], by)

    for planned in plan.resources:
        address = str(planned["attributes"].get("terraform_address") or planned["id"])
        change = changes.get(address) or {}
        action = change.get("action", "planned")
        declared = types.get(planned["type"])
        identity = {
            "arn": planned["attributes"].get("arn"),
            "id": planned["attributes"].get("id"),
            "name": planned.get("name"),
        }
        before = change.get("before") or {}
        found = None if action == "replace" else find(planned["type"], planned["account"], planned["region"], identity)
        if found is None and action not in ("create", "replace"):
            found = find(planned["type"], planned["account"], planned["region"], before)
        if found is None or found[0]["id"] in gone or found[0]["id"] in merged:
            resource = _placed(planned, live)
            added.append(resource)
            origins[resource["id"]] = "plan"
            touched.add((resource["account"], resource["type"]))
            continue
        live_resource, by = found
        recomputed = frozenset(str(k) for k in change.get("recomputed") or ())
        observed_only = declared.observed_only if declared is not None else ()
        resource = _merge(planned, live_resource, recomputed, removed_attributes.get(address, set()), observed_only)
        _replay(resource, pending.get(address, ()), types)
        merged[live_resource["id"]] = resource
        origins[live_resource["id"]] = "both"
        matches[live_resource["id"]] = Match(address, live_resource["id"], by)
        touched.add((live_resource["account"], live_resource["type"]))

    # Side resources the plan adds to live objects it does not otherwise change (an attachment to a live role).
    placed_live: set[str] = set()
    for record in stats.get("outside_folds") or []:
        for declared, fold in types.folds(str(record.get("side_type"))):
            if fold.attribute != record.get("attribute"):
                continue
            for name in record.get("names") or []:
                found = index.find(declared.name, "unknown", "unknown", {"arn": name, "id": name, "name": name})
                if found is None or found[0]["id"] in gone:
                    continue
                live_resource, by = found
                target = merged.setdefault(live_resource["id"], copy.deepcopy(live_resource))
                _replay(target, [record], types)
                placed_live.add(str(record.get("side")))
                origins[live_resource["id"]] = "both"
                if live_resource["id"] not in matches:
                    matches[live_resource["id"]] = Match(str(record.get("side")), live_resource["id"], by)
                touched.add((live_resource["account"], live_resource["type"]))

    resources: list[Resource] = []
    for live_resource in live.resources:
        if live_resource["id"] in gone:
            continue
        if live_resource["id"] in merged:
            resources.append(merged[live_resource["id"]])
        else:
            resources.append(live_resource)
            origins.setdefault(live_resource["id"], "live")
    resources += added
    scope = {
        "accounts": sorted(
            {*live.scope.get("accounts", []), *(r["account"] for r in added if r["account"] != "unknown")}
        ),
        "regions": sorted(
            {*live.scope.get("regions", []), *(r["region"] for r in added if r["region"] not in ("unknown", "global"))}
        ),
    }
    info = {
        "plan": stats.get("file"),
        "live": {"digest": live.digest, "source": live.source, "taken_at": live.taken_at},
        "created": sum(1 for origin in origins.values() if origin == "plan"),
        "matched": len([m for m in matches.values() if m.live not in gone]),
        "deleted": len(gone),
        "matches": [
            {"address": m.address, "live": m.live, "by": m.by}
            for m in sorted(matches.values(), key=lambda m: m.address)
        ],
        "notes": notes,
    }
    snapshot = Snapshot.build(
        resources=resources,
        coverage=list(live.coverage),
        scope=scope,
        source=live.source,
        taken_at=live.taken_at,
        # A side resource the plan could not place but live could is no longer a warning.
        stats={
            "overlay": info,
            "unresolved": [
                line for line in stats.get("unresolved") or [] if str(line).split(":", 1)[0] not in placed_live
            ],
        },
    )
    snapshot.file = plan.file
    return Overlay(snapshot, live, origins, matches, tuple(sorted(gone)), frozenset(touched), tuple(notes))
