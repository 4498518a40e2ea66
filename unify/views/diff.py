"""What changed between two snapshots, and which verdicts flipped between two evaluations.

:func:`diff_snapshots` compares two observations resource by resource,
keyed by ``(type, account, region, id)`` as the canonical order is: a
resource is ``added``, ``removed`` or ``changed``, and a changed resource
lists every differing leaf as a :class:`PathChange`. Paths are written as the
check language reads them (``name``, ``tags.owner``, ``versioning.status``,
``ingress.0.from_port``), so a path in a diff can be pasted into a check.

Comparison is exact, as the snapshot digest is: ``true`` differs from ``1``
and ``1`` from ``1.0``. An ``{"$unknown": reason}`` marker is compared as a
value, so a value that could not be read (or can be read again) is a change.
Mappings are walked key by key; lists of equal length item by item; a list
whose length changed, or a value whose type changed, is one change at its
own path.

:func:`apply` replays a diff on the base snapshot's resources and gives the
current ones: the diff holds everything that changed, nothing else.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from unify.checks.conditions import ROOT_FIELDS
from unify.model.resource import Resource, is_unknown
from unify.model.snapshot import Snapshot, coverage_key, resource_key
from unify.results import Gate, Results, decide

__all__ = [
    "DIFF_FORMAT",
    "CoverageChange",
    "Flip",
    "PathChange",
    "ResourceChange",
    "ResourceKey",
    "SnapshotDiff",
    "SnapshotRef",
    "apply",
    "diff_snapshots",
    "verdict_flips",
]

DIFF_FORMAT: Final = "unify.diff/v1"

#: ``(type, account, region, id)``: what identifies a resource across snapshots.
ResourceKey = tuple[str, str, str, str]
ChangeKind = Literal["added", "removed", "changed"]

_KEY_FIELDS: Final = ("type", "account", "region", "id")
_ABSENT: Final = object()


# -- the diff ------------------------------------------------------------------


@dataclass(frozen=True)
class PathChange:
    """One leaf that differs. ``before`` is None when ``kind`` is ``added``, ``after`` when ``removed``."""

    path: str
    before: Any
    after: Any
    kind: ChangeKind
    #: The same place as keys and list indexes into the resource document
    #: (``("attributes", "ingress", 0, "from_port")``): exact even when a key
    #: holds a dot, which the dotted ``path`` cannot say. :func:`apply` uses it.
    segments: tuple[str | int, ...] = field(default=(), compare=False, repr=False)

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after, "kind": self.kind}


@dataclass(frozen=True)
class ResourceChange:
    """A resource present in both snapshots whose content differs."""

    key: ResourceKey
    type: str
    id: str
    name: str | None
    paths: tuple[PathChange, ...]

    @property
    def account(self) -> str:
        return self.key[1]

    @property
    def region(self) -> str:
        return self.key[2]

    def as_json(self) -> dict[str, Any]:
        return {
            "resource": self.id,
            "type": self.type,
            "name": self.name,
            "account": self.account,
            "region": self.region,
            "paths": [change.as_json() for change in self.paths],
        }


@dataclass(frozen=True)
class CoverageChange:
    """A type x account x region whose coverage status differs (None: no entry)."""

    type: str
    account: str
    region: str
    before: str | None
    after: str | None
    error: dict[str, str] | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": self.type,
            "account": self.account,
            "region": self.region,
            "before": self.before,
            "after": self.after,
        }
        if self.error is not None:
            data["error"] = dict(self.error)
        return data


@dataclass(frozen=True)
class SnapshotRef:
    """Which snapshot one side of a diff is."""

    digest: str
    taken_at: str
    source: str
    resources: int

    @classmethod
    def of(cls, snapshot: Snapshot) -> SnapshotRef:
        return cls(snapshot.digest, snapshot.taken_at, snapshot.source, len(snapshot))

    def as_json(self) -> dict[str, Any]:
        return {"digest": self.digest, "taken_at": self.taken_at, "source": self.source}


@dataclass(frozen=True)
class SnapshotDiff:
    """Everything that differs between two snapshots, in canonical order.

    ``added`` and ``removed`` hold (copies of) the resources themselves;
    ``changed`` the resources in both whose content differs. ``coverage``
    lists the scopes whose coverage status changed: a resource ``removed``
    where the current snapshot could not list its type (coverage ``error``)
    may well still exist, and :meth:`unconfirmed_removals` names those.
    """

    base: SnapshotRef
    current: SnapshotRef
    added: tuple[Resource, ...]
    removed: tuple[Resource, ...]
    changed: tuple[ResourceChange, ...]
    coverage: tuple[CoverageChange, ...] = ()
    _unlisted: frozenset[tuple[str, str, str]] = field(default=frozenset(), compare=False, repr=False)

    @property
    def is_empty(self) -> bool:
        """True when no resource and no coverage status differs."""
        return not (self.added or self.removed or self.changed or self.coverage)

    def gate(self) -> Gate:
        """Exit 1 when anything changed, else 0 (by ``decide``)."""
        counts = ", ".join(f"{n} {label}" for label, n in self.summary().items() if n)
        return decide(failing=f"snapshots differ: {counts}" if not self.is_empty else None, clean="no differences")

    def summary(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed)}

    def unconfirmed_removals(self) -> list[Resource]:
        """Removed resources whose type, account and region the current snapshot failed to list."""
        return [r for r in self.removed if (r["type"], r["account"], r["region"]) in self._unlisted]

    def as_json(self) -> dict[str, Any]:
        """The ``unify.diff/v1`` document."""
        return {
            "format": DIFF_FORMAT,
            "base": self.base.as_json(),
            "current": self.current.as_json(),
            "summary": self.summary(),
            "added": [r["id"] for r in self.added],
            "removed": [r["id"] for r in self.removed],
            "changed": [change.as_json() for change in self.changed],
            "coverage": [change.as_json() for change in self.coverage],
            "unconfirmed_removals": [r["id"] for r in self.unconfirmed_removals()],
        }


def _same(a: Any, b: Any) -> bool:
    """Equality as JSON means it: ``true`` is not ``1``, ``1`` is not ``1.0``."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is dict:
        return len(a) == len(b) and all(k in b and _same(v, b[k]) for k, v in a.items())
    if kind is list:
        return len(a) == len(b) and all(map(_same, a, b))
    if kind is float and math.isnan(a):  # NaN (json.loads accepts it) equals itself here
        return math.isnan(b)
    return bool(a == b)


def _copy(value: Any) -> Any:
    return copy.deepcopy(value) if type(value) in (dict, list) else value


def _sort_key(path: str) -> tuple[Any, ...]:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in path.split("."))


def _walk(
    before: Any, after: Any, segments: tuple[str | int, ...], display: tuple[str, ...], out: list[PathChange]
) -> None:
    if before is _ABSENT or after is _ABSENT:
        kind: ChangeKind = "added" if before is _ABSENT else "removed"
        out.append(
            PathChange(
                ".".join(display),
                None if before is _ABSENT else _copy(before),
                None if after is _ABSENT else _copy(after),
                kind,
                segments,
            )
        )
        return
    kind_before, kind_after = type(before), type(after)
    if kind_before is dict and kind_after is dict and not is_unknown(before) and not is_unknown(after):
        for key in sorted(before.keys() | after.keys(), key=str):
            _walk(before.get(key, _ABSENT), after.get(key, _ABSENT), (*segments, key), (*display, str(key)), out)
        return
    if kind_before is list and kind_after is list and len(before) == len(after):
        for index, (item_before, item_after) in enumerate(zip(before, after, strict=True)):
            _walk(item_before, item_after, (*segments, index), (*display, str(index)), out)
        return
    if not _same(before, after):
        out.append(PathChange(".".join(display), _copy(before), _copy(after), "changed", segments))


def _resource_paths(before: Resource, after: Resource) -> list[PathChange]:
    out: list[PathChange] = []
    root_keys = (before.keys() | after.keys()) - set(_KEY_FIELDS)
    # Fields outside the resource model (none in a snapshot unify writes)
    # show under their own names; an attribute that shares a name with a
    # root field is written ``attributes.<key>``, as the check language reads it.
    extra = root_keys - {"name", "tags", "attributes"}
    for key in sorted(root_keys - {"attributes"}):
        _walk(before.get(key, _ABSENT), after.get(key, _ABSENT), (key,), (key,), out)
    attrs_before = before.get("attributes", _ABSENT)
    attrs_after = after.get("attributes", _ABSENT)
    if type(attrs_before) is dict and type(attrs_after) is dict:
        shadowed = ROOT_FIELDS | extra | {"attributes"}
        for key in sorted(attrs_before.keys() | attrs_after.keys(), key=str):
            display = ("attributes", str(key)) if key in shadowed else (str(key),)
            _walk(attrs_before.get(key, _ABSENT), attrs_after.get(key, _ABSENT), ("attributes", key), display, out)
    else:
        _walk(attrs_before, attrs_after, ("attributes",), ("attributes",), out)
    out.sort(key=lambda change: (_sort_key(change.path), repr(change.segments)))
    return out


def diff_snapshots(base: Snapshot, current: Snapshot) -> SnapshotDiff:
    """Every resource added, removed or changed from ``base`` to ``current``.

    Resources are compared by ``(type, account, region, id)``; the results
    are in that order, and a changed resource's paths in path order. The
    inputs are not modified, and the diff holds copies of what it reports.
    """
    before = {resource_key(r): r for r in base.resources}
    after = {resource_key(r): r for r in current.resources}
    added = tuple(_copy(after[k]) for k in sorted(after.keys() - before.keys()))
    removed = tuple(_copy(before[k]) for k in sorted(before.keys() - after.keys()))
    changed: list[ResourceChange] = []
    for key in sorted(before.keys() & after.keys()):
        old, new = before[key], after[key]
        if _same(old, new):
            continue
        paths = _resource_paths(old, new)
        name = new.get("name") if new.get("name") is not None else old.get("name")
        changed.append(ResourceChange(key, key[0], key[3], name, tuple(paths)))
    covered_before = {coverage_key(c): c for c in base.coverage}
    covered_after = {coverage_key(c): c for c in current.coverage}
    coverage: list[CoverageChange] = []
    for scope in sorted(covered_before.keys() | covered_after.keys()):
        old_entry, new_entry = covered_before.get(scope), covered_after.get(scope)
        old_status = old_entry["status"] if old_entry else None
        new_status = new_entry["status"] if new_entry else None
        if old_status != new_status:
            found = new_entry.get("error") if new_entry else None
            error = {"code": found["code"], "message": found["message"]} if found else None
            coverage.append(CoverageChange(*scope, old_status, new_status, error))
    unlisted = frozenset(scope for scope, entry in covered_after.items() if entry["status"] == "error")
    return SnapshotDiff(
        SnapshotRef.of(base), SnapshotRef.of(current), added, removed, tuple(changed), tuple(coverage), unlisted
    )


def apply(diff: SnapshotDiff, base_resources: Iterable[Resource]) -> list[Resource]:
    """The current snapshot's resources, rebuilt from the base's and the diff, in canonical order.

    Works on copies: neither the diff nor ``base_resources`` is modified.
    Raises ``ValueError`` when the diff was not made from these resources
    (a resource or a value it changes is not what the diff says it was).
    """
    resources = {resource_key(r): copy.deepcopy(r) for r in base_resources}
    for resource in diff.removed:
        key = resource_key(resource)
        if key not in resources:
            raise ValueError(f"the diff removes {key[3]!r} ({key[0]}), which the base does not have")
        del resources[key]
    for change in diff.changed:
        if change.key not in resources:
            raise ValueError(f"the diff changes {change.id!r} ({change.type}), which the base does not have")
        for path_change in change.paths:
            _patch(resources[change.key], path_change, change)
    for resource in diff.added:
        key = resource_key(resource)
        if key in resources:
            raise ValueError(f"the diff adds {key[3]!r} ({key[0]}), which the base already has")
        resources[key] = copy.deepcopy(resource)
    return [resources[k] for k in sorted(resources)]


def _patch(resource: Any, change: PathChange, owner: ResourceChange) -> None:
    segments = change.segments
    if not segments:
        raise ValueError(f"{owner.id}: path change {change.path!r} has no location")
    target = resource
    last = segments[-1]
    try:
        for segment in segments[:-1]:
            target = target[segment]
    except (KeyError, IndexError, TypeError):
        target = None
    if type(target) is dict:
        present = last in target
    elif type(target) is list and type(last) is int:
        present = 0 <= last < len(target)
    else:
        raise ValueError(f"{owner.id}: {change.path!r} does not exist in the base")
    if change.kind == "added":
        if present:
            raise ValueError(f"{owner.id}: the diff adds {change.path!r}, which the base already has")
    elif not present or not _same(target[last], change.before):
        raise ValueError(f"{owner.id}: {change.path!r} in the base is not what the diff was made from")
    if change.kind == "removed":
        del target[last]
    else:
        target[last] = _copy(change.after)


# -- verdict flips ---------------------------------------------------------------


@dataclass(frozen=True)
class Flip:
    """A (check, resource) whose verdict changed; ``before`` or ``after`` is None when it (dis)appeared."""

    check: str
    resource: str
    before: str | None
    after: str | None
    type: str | None = field(default=None, compare=False)
    severity: str | None = field(default=None, compare=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "resource": self.resource,
            "before": self.before,
            "after": self.after,
            "type": self.type,
            "severity": self.severity,
        }


def verdict_flips(previous: Results, current: Results) -> list[Flip]:
    """Pairs (check, resource) whose verdict differs between two :class:`unify.Results`, sorted.

    A pair that only one side has is a flip from or to None: a new resource
    or check, one that is gone, or a scope that became (or stopped being)
    unknown as a whole.
    """
    before = {(r.check, r.resource): r for r in previous}
    after = {(r.check, r.resource): r for r in current}
    flips = []
    for pair in sorted(before.keys() | after.keys()):
        old, new = before.get(pair), after.get(pair)
        old_verdict = old.verdict if old is not None else None
        new_verdict = new.verdict if new is not None else None
        if old_verdict != new_verdict:
            either = new if new is not None else old
            assert either is not None  # the pair came from one of the two
            flips.append(Flip(pair[0], pair[1], old_verdict, new_verdict, either.type, either.severity))
    return flips


# -- the table ---------------------------------------------------------------------
