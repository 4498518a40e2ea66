"""The deployment-stack view: the translation table from a traditional deployment to the stack, with evidence.

A deployment stack has six components (image builder, container registry,
deployer, artifact store, orchestrator, step operator). For each, the view
says what it replaces in a traditional deployment (a Dockerfile and
``docker build``, ``docker push``, the container host, hand-named S3
folders, cron scripts, a dedicated EC2 box), which AWS service and
resources are behind it, its checks and their status, and what it costs
by (the unit, and the size where the snapshot knows it).

Checks say which component they judge with ``labels: {component: <id>}``,
which service with ``service``, and what it costs by with ``cost-unit``
(and ``cost-size``, the attributes that size a resource). Like the other
views this is a projection of :class:`unify.results.Results`: statuses
come from the results only, through :func:`unify.views.compliance.control_status`,
the rule the compliance view uses, so the stack view and the compliance
view of the ``stack`` framework cannot disagree: where compliance says
``not applicable`` (nothing in scope) the stack says ``not used``. The
only thing read from the snapshot is the size of each resource, which no
verdict depends on (:func:`resource_sizes`).

A component's rows tell three situations apart:

* resources were judged: one row per resource, ``met``, ``not met``,
  ``unknown`` or ``waived``;
* its types were not (all) listed: a coverage error, or no data at all for a
  type, gave the checks a result about a whole scope rather than a resource;
  such a scope is one row, ``not observed``, and makes the component
  ``unknown``;
* its checks produced no result at all: coverage was complete and no
  resource is in scope, so the stack does not use that component: ``not used``.

The artifact store's lineage (whether versioning, object lock, access
logging and a trail's S3 data events are on, so "which run produced this
output" can be answered from AWS's own records) comes from the checks
labelled ``lineage``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from unify.checks.policy_set import Check
from unify.checks.stack_description import StackScope, component_of
from unify.engine import scope_id
from unify.model.resource import is_unknown
from unify.model.snapshot import Snapshot
from unify.results import Gate, Result, Results, decide
from unify.views.compliance import control_status

__all__ = [
    "COMPONENTS",
    "COMPONENT_STATUSES",
    "LINEAGE",
    "REPLACES",
    "LineageRow",
    "StackComponent",
    "StackRow",
    "StackView",
    "resource_sizes",
    "stack_gate",
    "stack_rows",
    "stack_view",
]

#: The stack's components, in the order a build flows through them; other labelled components follow, sorted.
COMPONENTS: Final = (
    "image-builder",
    "container-registry",
    "deployer",
    "artifact-store",
    "orchestrator",
    "step-operator",
)

#: What each component replaces in a traditional "FastAPI + Docker + a container host" deployment.
REPLACES: Final[Mapping[str, str]] = {
    "image-builder": "a Dockerfile and `docker build` on a laptop or CI runner",
    "container-registry": "`docker push` to Docker Hub or a registry someone runs",
    "deployer": "the container host: `docker run` on a VM behind a reverse proxy",
    "artifact-store": "hand-named S3 folders (s3://bucket/model-v2-final/)",
    "orchestrator": "cron scripts that run the steps in order",
    "step-operator": "a dedicated EC2 box (a GPU instance) for the heavy steps",
}

#: The cost unit of a component whose checks name none (a component of a plugin's pack).
_UNIT: Final = "see the service's pricing"

#: The statuses a component can have: the compliance statuses, with "not used" for "not applicable".
COMPONENT_STATUSES: Final = ("met", "not met", "unknown", "waived", "manual", "not used")

#: The label key that ties a check to a component.
LABEL: Final = "component"
#: The lineage aspects of the artifact store, in the order the view shows them.
LINEAGE: Final = ("versioning", "object-lock", "access-logging", "data-events")


@dataclass(frozen=True)
class StackRow:
    """One resource of one component (or one unobserved scope, or a component with nothing in scope)."""

    component: str
    type: str
    resource: str
    name: str | None
    status: str
    #: The checks that failed on it, sorted.
    failing: tuple[str, ...] = ()
    account: str | None = None
    region: str | None = None
    #: Why, where the failing checks do not say: what was unknown, the waiver, the coverage error.
    detail: str = ""
    #: True for a row about a whole scope (a type not listed in an account and region) rather than a resource.
    scope: bool = False
    #: The service the resource belongs to (the checks' ``service`` label).
    service: str = ""
    #: What sizes its cost, where the snapshot knows it (``ml.m5.xlarge x 2``).
    size: str = ""


@dataclass(frozen=True)
class StackCheck:
    """One check of a component and the status of its results alone."""

    id: str
    title: str
    severity: str
    service: str
    status: str


@dataclass(frozen=True)
class StackComponent:
    """One line of the translation table."""

    component: str
    replaces: str
    services: tuple[str, ...]
    status: str
    cost_unit: str
    rows: tuple[StackRow, ...]
    checks: tuple[StackCheck, ...]
    #: The ZenML flavor of the component, when a stack file was given.
    flavor: str | None = None
    note: str = ""

    @property
    def resources(self) -> tuple[StackRow, ...]:
        """The rows about real resources (not unobserved scopes, not the "not used" placeholder)."""
        return tuple(row for row in self.rows if row.resource and not row.scope)


@dataclass(frozen=True)
class LineageRow:
    """Whether one artifact-store bucket's history can be reconstructed from AWS's own records."""

    bucket: str
    resource: str
    account: str | None
    region: str | None
    #: aspect -> "on", "off", "unknown" or "not checked".
    aspects: Mapping[str, str]

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(aspect for aspect in LINEAGE if self.aspects.get(aspect) == "off")


@dataclass(frozen=True)
class StackView:
    """The translation table, the artifact store's lineage, and where the stack's definition came from."""

    components: tuple[StackComponent, ...]
    lineage: tuple[LineageRow, ...] = ()
    #: "zenml" (a stack file) or "tags" (the tag convention and the pack's scopes).
    source: str = "tags"
    stack_name: str | None = None
    stack_file: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def statuses(self) -> dict[str, str]:
        return {c.component: c.status for c in self.components}


#: How the engine's results about an unlisted scope begin (a singleton setting's id has the same shape).
_NOT_OBSERVED: Final = "not observed"


def _is_scope(result: Result) -> bool:
    """A result about a whole scope (type not listed there) rather than about one resource."""
    if result.name is not None or result.resource != scope_id(result.account or "*", result.region or "*", result.type):
        return False
    return result.reason.startswith(_NOT_OBSERVED) or f"(was unknown: {_NOT_OBSERVED}" in result.reason


def _order(components: Iterable[str]) -> list[str]:
    found = set(components)
    return [c for c in COMPONENTS if c in found] + sorted(found - set(COMPONENTS))


def _component_checks(results: Results) -> dict[str, list[Check]]:
    found: dict[str, list[Check]] = {}
    for check in results.checks:
        component = check.labels.get(LABEL)
        if component:
            found.setdefault(component, []).append(check)
    return found


def stack_rows(results: Results, sizes: Mapping[str, str] | None = None) -> list[StackRow]:
    """The stack view's rows: by component, then type, then resource.

    Only checks labelled with a component count. Components come from those
    checks' labels, so a policy set without the stack pack gives no rows.
    ``sizes`` (resource id -> size, from :func:`resource_sizes`) fills each
    row's ``size``.
    """
    sizes = sizes or {}
    checks = _component_checks(results)
    check_component = {c.id: component for component, found in checks.items() for c in found}
    service = {c.id: c.labels.get("service", "") for found in checks.values() for c in found}
    resources: dict[tuple[str, str, str], list[Result]] = {}
    scopes: dict[tuple[str, str, str], list[Result]] = {}
    for result in results:
        component = check_component.get(result.check)
        if component is None:
            continue
        key = (component, result.type, result.resource)
        (scopes if _is_scope(result) else resources).setdefault(key, []).append(result)
    rows: list[StackRow] = []
    for component in _order(checks):
        mine: list[StackRow] = []
        for (owner, type_, resource), found in resources.items():
            if owner != component:
                continue
            first = found[0]
            failing = sorted({r.check for r in found if r.verdict == "fail"})
            status = control_status(r.verdict for r in found)
            # What decided an unknown or waived row: the compliance rule counts a defective check as unknown.
            deciding = {"unknown": ("unknown", "error"), "waived": ("waived",)}.get(status, ())
            detail = next((f"{r.check}: {r.reason}" for r in found if r.verdict in deciding), "")
            mine.append(
                StackRow(
                    component,
                    type_,
                    resource,
                    first.name,
                    status,
                    tuple(failing),
                    first.account,
                    first.region,
                    detail=detail,
                    service=service.get(first.check, ""),
                    size=sizes.get(resource, ""),
                )
            )
        for (owner, type_, resource), found in scopes.items():
            if owner != component:
                continue
            first = found[0]
            # An accepted gap (every result of the scope waived) shows as waived, with the waiver's reason.
            status = "waived" if all(r.verdict == "waived" for r in found) else "not observed"
            mine.append(
                StackRow(
                    component,
                    type_,
                    resource,
                    None,
                    status,
                    (),
                    first.account,
                    first.region,
                    detail=first.reason,
                    scope=True,
                    service=service.get(first.check, ""),
                )
            )
        if not mine:
            types = ", ".join(sorted({t for c in checks[component] for t in c.types}))
            mine.append(
                StackRow(component, types, "", None, "not used", detail="observed, and nothing in scope of its checks")
            )
        mine.sort(key=lambda row: (row.type, row.scope, row.name or row.resource, row.resource))
        rows.extend(mine)
    return rows


def stack_gate(statuses: Mapping[str, str]) -> Gate:
    """Exit 1 when a component is not met, else 3 when one could not be decided, else 0 (by ``decide``).

    ``statuses`` are component -> status, from :meth:`StackView.statuses`.
    """
    failing = sorted(c for c, status in statuses.items() if status == "not met")
    unobserved = any(status == "unknown" for status in statuses.values())
    return decide(
        failing=f"components not met: {', '.join(failing)}" if failing else None,
        unknown="some components could not be observed" if unobserved else None,
        clean="every component the stack uses meets its checks",
    )


def _lineage(results: Results) -> tuple[LineageRow, ...]:
    """Per artifact-store bucket, each lineage aspect from the results of the check labelled with it."""
    aspect_of = {c.id: c.labels["lineage"] for c in results.checks if c.labels.get("lineage") in LINEAGE}
    if not aspect_of:
        return ()
    per_resource: dict[str, dict[str, list[str]]] = {}
    where: dict[str, tuple[str, str | None, str | None]] = {}
    account_level: dict[str, dict[str, list[str]]] = {}
    for result in results:
        aspect = aspect_of.get(result.check)
        if aspect is None or _is_scope(result):
            continue
        if result.kind == "aggregate":
            account_level.setdefault(result.resource, {}).setdefault(aspect, []).append(result.verdict)
            continue
        per_resource.setdefault(result.resource, {}).setdefault(aspect, []).append(result.verdict)
        where[result.resource] = (result.name or result.resource, result.account, result.region)
    rows = []
    for resource in sorted(per_resource, key=lambda r: where[r][0]):
        name, account, region = where[resource]
        verdicts = {**account_level.get(account or "", {}), **per_resource[resource]}
        aspects = {aspect: _aspect(verdicts.get(aspect)) for aspect in LINEAGE}
        rows.append(LineageRow(name, resource, account, region, aspects))
    return tuple(rows)


def _aspect(verdicts: list[str] | None) -> str:
    if not verdicts:
        return "not checked"
    status = control_status(verdicts)
    return {"met": "on", "not met": "off", "waived": "off"}.get(status, "unknown")


def stack_view(
    results: Results, *, sizes: Mapping[str, str] | None = None, scope: StackScope | None = None
) -> StackView:
    """The translation table of ``results``: every component of the stack, its evidence and its cost unit.

    Without a ZenML stack (``scope``), the components are those the checks
    name. With one, all six are listed: one the stack file does not have is
    ``not used`` (and no control of the narrowed ``stack`` framework, so the
    compliance view does not call it ``manual``); one it has with a flavor no
    check observes is ``manual``, as its control is.
    """
    rows = stack_rows(results, sizes)
    checks = _component_checks(results)
    by_check: dict[str, list[Result]] = {}
    for result in results:
        by_check.setdefault(result.check, []).append(result)
    names = set(checks) | (set(COMPONENTS) if scope is not None else set())
    components: list[StackComponent] = []
    for component in _order(names):
        mine = checks.get(component, [])
        verdicts = [r.verdict for c in mine for r in by_check.get(c.id, [])]
        status = control_status(verdicts)
        status = "not used" if status == "not applicable" else status
        spec = scope.stack.components.get(component) if scope is not None else None
        note = ""
        if scope is not None and spec is None:
            status, note = "not used", f"not in the ZenML stack {scope.stack.name!r}"
        elif scope is not None and component in scope.unchecked:
            status, note = "manual", scope.unchecked[component]
        elif status == "not used":
            note = "observed, and nothing in scope of its checks"
        component_rows = tuple(row for row in rows if row.component == component)
        in_use = [r for r in component_rows if r.resource and not r.scope and r.service]
        services = tuple(dict.fromkeys(r.service for r in in_use)) or tuple(
            dict.fromkeys(c.labels.get("service", "") for c in mine if c.labels.get("service"))
        )
        units = [c.labels.get("cost-unit", "") for c in mine if c.labels.get("service") in services]
        components.append(
            StackComponent(
                component=component,
                replaces=REPLACES.get(component, "nothing: a new capability"),
                services=services,
                status=status,
                cost_unit="; ".join(dict.fromkeys(u for u in units if u)) or _UNIT,
                rows=component_rows
                or (StackRow(component, "", "", None, status, detail=note or "no check of the policy set"),),
                checks=tuple(
                    StackCheck(
                        c.id,
                        c.title,
                        c.severity,
                        c.labels.get("service", ""),
                        _check_status([r.verdict for r in by_check.get(c.id, [])]),
                    )
                    for c in sorted(mine, key=lambda c: c.id)
                ),
                flavor=spec.flavor if spec is not None else None,
                note=note,
            )
        )
    return StackView(
        components=tuple(components),
        lineage=_lineage(results),
        source="zenml" if scope is not None else "tags",
        stack_name=scope.stack.name if scope is not None else None,
        stack_file=scope.stack.file if scope is not None else None,
        notes=scope.notes if scope is not None else (),
    )


def _check_status(verdicts: list[str]) -> str:
    status = control_status(verdicts)
    return "not used" if status == "not applicable" else status


# -- sizes: the one thing read from the snapshot (no verdict depends on it) --------------------------


def _value(attributes: Any, path: str) -> Any:
    node = attributes
    for segment in path.split("."):
        if not isinstance(node, Mapping) or segment not in node:
            return None
        node = node[segment]
    return None if is_unknown(node) else node


def resource_sizes(snapshot: Snapshot, results: Results) -> dict[str, str]:
    """Resource id -> what sizes its cost (``BUILD_GENERAL1_SMALL``, ``ml.m5.xlarge x 2``), by the checks' labels.

    Reads the attribute paths the stack checks name in their ``cost-size``
    label, for the resources those checks judged; a value the snapshot does
    not know is left out, never guessed.
    """
    paths: dict[str, tuple[str, ...]] = {}
    for check in results.checks:
        if component_of(check) and check.labels.get("cost-size"):
            paths[check.id] = tuple(p.strip() for p in check.labels["cost-size"].split(",") if p.strip())
    wanted: dict[str, tuple[str, ...]] = {}
    for result in results:
        if result.check in paths and not _is_scope(result):
            wanted.setdefault(result.resource, paths[result.check])
    out: dict[str, str] = {}
    for resource in snapshot.resources:
        found = wanted.get(resource["id"])
        if not found:
            continue
        values = [_value(resource.get("attributes") or {}, path) for path in found]
        shown = [str(v) for v in values if v is not None and not isinstance(v, (dict, list))]
        if shown:
            out[resource["id"]] = " x ".join(shown)
    return out
