"""Drift between Terraform state (declared intent) and an observation (fact).

There is no second engine here. Each resource in the state becomes a desired-
state check on its own id (ARN), with one leaf per attribute both Terraform
and the collector know; the ordinary evaluator judges them against the
snapshot, so ``changed`` and ``missing`` come from the drift view of those
results. ``unmanaged`` is what is left: observed resources no state check
matched. Attributes the provider computes or defaults are ignored through a
per-type list users can extend.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from unify.checks.conditions import All, Leaf, Node, PathRef
from unify.checks.operators import Operator
from unify.checks.policy_set import Check, PolicySet, attribute_path, desired_leaves
from unify.engine import evaluate
from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType, ResourceTypes
from unify.model.snapshot import Snapshot
from unify.results import Gate, Results, decide
from unify.views.drift import drift_view

__all__ = ["COMPUTED", "DRIFT_FORMAT", "DriftReport", "StateDifference", "default_ignore", "drift", "state_checks"]

DRIFT_FORMAT: Final = "unify.drift/v1"

#: Attributes every provider resource computes: never drift, whatever the type. A type's own list is in its
#: declaration (``ResourceType.drift_ignore``).
COMPUTED: Final = (
    "arn",
    "id",
    "owner_id",
    "unique_id",
    "tags_all",
    "create_date",
    "creation_date",
    "create_time",
    "created_at",
    "last_modified",
    "terraform_address",
    "region",
)


def default_ignore(types: ResourceTypes) -> dict[str, tuple[str, ...]]:
    """What drift ignores by default: :data:`COMPUTED` for every type (``*``), then each type's own list."""
    ignore: dict[str, tuple[str, ...]] = {"*": COMPUTED}
    ignore.update({name: declared.drift_ignore for name, declared in types.items() if declared.drift_ignore})
    return ignore


@dataclass(frozen=True)
class StateDifference:
    """One difference: a resource missing, unmanaged, or changed at one path."""

    kind: str
    type: str
    resource: str
    path: str = ""
    expected: Any = None
    actual: Any = None
    address: str | None = None

    def as_json(self) -> dict[str, Any]:
        data = {
            "kind": self.kind,
            "type": self.type,
            "resource": self.resource,
            "path": self.path,
            "expected": self.expected,
            "actual": self.actual,
        }
        if self.address:
            data["address"] = self.address
        return data


@dataclass(frozen=True)
class DriftReport:
    """What a state says against what exists, with the results it was read from."""

    records: tuple[StateDifference, ...]
    managed: int
    observed: int
    matched: int
    undecided: tuple[str, ...]
    results: Results
    not_compared: tuple[str, ...] = field(default=())
    #: ``ADDRESS: PATH`` of values Terraform keeps as sensitive: never in a state reading, so never compared.
    sensitive: tuple[str, ...] = field(default=())
    #: The accounts, regions and types the unmanaged list is scoped to (empty: any).
    scope: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def summary(self) -> dict[str, int]:
        kinds = [r.kind for r in self.records]
        changed = len({r.resource for r in self.records if r.kind == "changed"})
        return {
            "managed": self.managed,
            "missing": kinds.count("missing"),
            "unmanaged": kinds.count("unmanaged"),
            "changed": changed,
        }

    @property
    def coverage(self) -> float:
        """The share of observed resources that Terraform manages."""
        return self.matched / self.observed if self.observed else 1.0

    def gate(self) -> Gate:
        """Exit 1 on any difference, else 3 when some resource could not be compared (or none was), else 0."""
        summary = self.summary
        drifted = summary["missing"] + summary["changed"] + summary["unmanaged"]
        unknown = None
        if self.managed == 0:
            kinds = f" (types: {', '.join(self.not_compared)})" if self.not_compared else ""
            unknown = f"nothing compared: the state has no resource of a type unify observes{kinds}"
        elif self.undecided:
            unknown = f"no drift found, but {len(self.undecided)} resource(s) could not be compared"
        return decide(
            failing=f"drift: {summary['missing']} missing, {summary['changed']} changed, {summary['unmanaged']} "
            "unmanaged"
            if drifted
            else None,
            unknown=unknown,
            clean="no drift",
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "format": DRIFT_FORMAT,
            "summary": self.summary,
            "coverage": {"managed": self.matched, "observed": self.observed, "ratio": round(self.coverage, 4)},
            "undecided": list(self.undecided),
            "not_compared": list(self.not_compared),
            "sensitive": list(self.sensitive),
            "scope": {key: list(values) for key, values in sorted(self.scope.items())},
            "snapshot": self.results.snapshot.as_json(),
            "records": [record.as_json() for record in self.records],
        }


def _ignored(type_: str, path: str, ignore: Mapping[str, Sequence[str]]) -> bool:
    for key in ("*", type_):
        for pattern in ignore.get(key, ()):
            if path == pattern or path.startswith(pattern + ".") or fnmatch.fnmatchcase(path, pattern):
                return True
    return False


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def _without_markers(value: Any, at: str, out: list[str]) -> Any:
    """``value`` without the values Terraform did not keep (sensitive ones), their paths noted in ``out``."""
    if is_unknown(value):
        out.append(at)
        return None
    if isinstance(value, dict):
        kept = {k: _without_markers(v, f"{at}.{k}" if at else str(k), out) for k, v in value.items()}
        return {k: v for k, v in kept.items() if not (v is None and is_unknown(value.get(k)))}
    if isinstance(value, list) and any(is_unknown(item) for item in value):
        out.append(at)
        return None  # a list with a value not kept cannot be compared as a multiset
    return value


def _singleton_id(
    declaration: ResourceType, resource: Resource, accounts: Sequence[str], observed: Snapshot | None
) -> str | None:
    """A setting's id in the observation: it has no ARN, it is its account's (and region's) one instance."""
    account = resource["account"] if resource["account"] != "unknown" else accounts[0] if len(accounts) == 1 else None
    if account is None:
        return None
    region = resource["region"]
    if declaration.regional and region in ("unknown", "global"):
        # A raw state does not say where a regional setting is: the one the observation holds in the account.
        held = [r for r in (observed.of_type(declaration.name) if observed else []) if r["account"] == account]
        return held[0]["id"] if len(held) == 1 else None
    return declaration.singleton_id(account, region)


def state_checks(
    declared: Iterable[Resource],
    types: ResourceTypes,
    same: Operator,
    *,
    ignore: Mapping[str, Sequence[str]] | None = None,
    accounts: Sequence[str] = (),
    file: str = "<state>",
    observed: Snapshot | None = None,
    sensitive: list[str] | None = None,
    undecided: list[str] | None = None,
) -> tuple[list[Check], list[str]]:
    """One desired-state check per declared resource of a type unify observes; and the types it cannot compare.

    ``same`` is the check language's ``same`` operator; ``ignore`` defaults to
    :func:`default_ignore` of ``types``. Values Terraform did not keep
    (sensitive ones) are not compared and, when ``sensitive`` is given, named
    there; settings whose place the state does not say are named in
    ``undecided``.
    """
    ignore = default_ignore(types) if ignore is None else ignore
    checks: list[Check] = []
    skipped: set[str] = set()
    for resource in declared:
        type_ = resource["type"]
        declaration = types.get(type_)
        if declaration is None:
            skipped.add(type_)
            continue
        address = resource["attributes"].get("terraform_address") or resource["id"]
        known = set(declaration.attributes)
        hidden: list[str] = []
        attributes = {k: _without_markers(v, k, hidden) for k, v in resource["attributes"].items() if k in known}
        leaves: list[Node] = []
        for path, value, _ in desired_leaves(attributes):
            if not _empty(value) and not _ignored(type_, path, ignore):
                leaves.append(Leaf(PathRef(attribute_path(path)), same, value, value, file, None))
        for key, value in sorted((resource.get("tags") or {}).items()):
            if is_unknown(value):
                hidden.append(f"tags.{key}")
            elif not _empty(value) and not _ignored(type_, f"tags.{key}", ignore):
                leaves.append(Leaf(PathRef(f"tags.{key}"), same, value, value, file, None))
        if sensitive is not None:
            sensitive += [f"{address}: {path}" for path in hidden]
        resource_id: str | None = resource["id"]
        account = resource["account"] if resource["account"] != "unknown" else None
        if declaration.singleton:
            resource_id = _singleton_id(declaration, resource, accounts, observed)
            if resource_id is None:
                if undecided is not None:
                    undecided.append(f"{address}: the state does not say which account and region it is in")
                continue
        checks.append(
            Check(
                id=f"state/{address}",
                title=f"{address} matches Terraform state",
                severity="medium",
                types=(type_,),
                kind="desired",
                file=file,
                line=None,
                assertion=All(leaves),
                name=resource.get("name"),
                resource_id=resource_id,
                account=account,
            )
        )
    checks.sort(key=lambda c: c.id)
    return checks, sorted(skipped)


def drift(
    declared: Sequence[Resource],
    snapshot: Snapshot,
    *,
    types: ResourceTypes,
    same: Operator,
    ignore: Mapping[str, Sequence[str]] | None = None,
    file: str = "<state>",
    accounts: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    scope_types: Sequence[str] | None = None,
) -> DriftReport:
    """Compare declared resources with an observation through the one evaluator.

    ``unmanaged`` lists observed resources no declared one matched, within a
    scope: ``accounts`` and ``regions`` (default: those the state manages)
    and ``scope_types`` (default: every type).
    """
    sensitive: list[str] = []
    unplaced: list[str] = []
    checks, not_compared = state_checks(
        declared,
        types,
        same,
        ignore=ignore,
        accounts=snapshot.accounts,
        file=file,
        observed=snapshot,
        sensitive=sensitive,
        undecided=unplaced,
    )
    results = evaluate(PolicySet(checks=tuple(checks), frameworks=MappingProxyType({})), snapshot)
    addresses = {check.id: check.id.removeprefix("state/") for check in checks}
    declared_ids = {check.id: check.resource_id or check.name or check.id for check in checks}
    matched: set[str] = set()
    undecided: list[str] = list(unplaced)
    for result in results:
        if result.verdict == "unknown":
            undecided.append(f"{addresses[result.check]}: {result.reason}")
        # A resource found but not fully compared is managed all the same: undecided, never unmanaged.
        if result.verdict in ("pass", "fail", "unknown") and not any(d.path == "" for d in result.details):
            matched.add(result.resource)
    records = [
        StateDifference(
            kind="missing" if record.kind == "missing" else "changed",
            type=record.type,
            resource=record.resource if record.kind != "missing" else declared_ids[record.check],
            path=record.path,
            expected=record.expected,
            actual=None if record.kind == "missing" else record.actual,
            address=addresses[record.check],
        )
        for record in drift_view(results)
    ]
    scope = {
        "accounts": tuple(sorted(accounts if accounts is not None else {r["account"] for r in declared} - {"unknown"})),
        "regions": tuple(sorted(regions if regions is not None else {r["region"] for r in declared} - {"unknown"})),
        "types": tuple(sorted(scope_types or ())),
    }
    comparable = set(types) - types.singletons
    observed = [
        r
        for r in snapshot.resources
        if r["type"] in comparable
        and not types[r["type"]].is_made_by_aws(r)
        and (not scope["accounts"] or r["account"] in scope["accounts"])
        and (not scope["regions"] or r["region"] in scope["regions"])
        and (not scope["types"] or r["type"] in scope["types"])
    ]
    if checks:  # a state that compared nothing says nothing about what it does not manage
        records += [
            StateDifference(kind="unmanaged", type=r["type"], resource=r["id"])
            for r in observed
            if r["id"] not in matched
        ]
    order = {"missing": 0, "changed": 1, "unmanaged": 2}
    records.sort(key=lambda r: (order[r.kind], r.type, r.resource, r.path))
    return DriftReport(
        records=tuple(records),
        managed=len(checks),
        observed=len(observed),
        matched=len(matched & {r["id"] for r in observed}),
        undecided=tuple(undecided),
        results=results,
        not_compared=tuple(not_compared),
        sensitive=tuple(sensitive),
        scope=MappingProxyType(scope),
    )
