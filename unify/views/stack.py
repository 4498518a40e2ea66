"""The deployment-stack view: each stack component's resources and whether they meet the stack pack.

A deployment stack has six components (image builder, container registry,
deployer, artifact store, orchestrator, step operator). Checks say which
component they judge with ``labels: {component: <id>}``; this view groups
their verdicts by component and resource. Like the other views it is a
projection of :class:`unify.results.Results`: it never evaluates a check and
never reads the snapshot, so it cannot disagree with ``unify audit``.

A component's rows tell three situations apart:

* resources were judged: one row per resource, ``met``, ``not met``,
  ``unknown`` or ``waived``, the way a compliance control's status is made;
* its types were not (all) listed: a coverage error, or no data at all for a
  type, gave the checks a result about a whole scope rather than a resource;
  such a scope is one row, ``not observed``;
* its checks produced no result at all: coverage was complete and no
  resource is in scope, so nothing of that component is deployed,
  ``none deployed``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from unify.engine import scope_id
from unify.results import Gate, Result, Results, decide
from unify.views.compliance import control_status

__all__ = [
    "COMPONENTS",
    "ROW_STATUSES",
    "StackRow",
    "component_statuses",
    "stack_gate",
    "stack_rows",
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

ROW_STATUSES: Final = ("met", "not met", "unknown", "waived", "not observed", "none deployed")

#: The label key that ties a check to a component.
LABEL: Final = "component"


@dataclass(frozen=True)
class StackRow:
    """One resource of one component (or one unobserved scope, or a component with nothing deployed)."""

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


def _is_scope(result: Result) -> bool:
    """A result about a whole scope (type not listed there) rather than about one resource."""
    return result.name is None and result.resource == scope_id(result.account or "*", result.region or "*", result.type)


def _order(components: Iterable[str]) -> list[str]:
    found = set(components)
    return [c for c in COMPONENTS if c in found] + sorted(found - set(COMPONENTS))


def stack_rows(results: Results) -> list[StackRow]:
    """The stack view of ``results``: rows by component, then type, then resource.

    Only checks labelled with a component count. Components come from those
    checks' labels, so a policy set without the stack pack gives no rows.
    """
    components: dict[str, set[str]] = {}  # component -> types its checks read
    check_component: dict[str, str] = {}
    for check in results.checks:
        component = check.labels.get(LABEL)
        if component:
            components.setdefault(component, set()).update(check.types)
            check_component[check.id] = component
    resources: dict[tuple[str, str, str], list[Result]] = {}
    scopes: dict[tuple[str, str, str], list[Result]] = {}
    for result in results:
        component = check_component.get(result.check)
        if component is None:
            continue
        key = (component, result.type, result.resource)
        (scopes if _is_scope(result) else resources).setdefault(key, []).append(result)
    rows: list[StackRow] = []
    for component in _order(components):
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
                )
            )
        if not mine:
            types = ", ".join(sorted(components[component]))
            mine.append(
                StackRow(
                    component, types, "", None, "none deployed", detail="observed, and nothing in scope of its checks"
                )
            )
        mine.sort(key=lambda row: (row.type, row.scope, row.name or row.resource, row.resource))
        rows.extend(mine)
    return rows


def component_statuses(rows: Iterable[StackRow]) -> dict[str, str]:
    """Each component's status from its rows: the worst of them, as a compliance control's.

    ``not met`` when a resource fails; else ``unknown`` when one is unknown or
    part of the component was not observed; else ``waived``, else ``met``. A
    component with only unobserved scopes is ``not observed``; one with
    nothing in scope is ``none deployed``.
    """
    by_component: dict[str, list[str]] = {}
    for row in rows:
        by_component.setdefault(row.component, []).append(row.status)
    out: dict[str, str] = {}
    for component in _order(by_component):
        statuses = set(by_component[component])
        if statuses <= {"none deployed"}:
            out[component] = "none deployed"
        elif statuses <= {"not observed"}:
            out[component] = "not observed"
        elif "not met" in statuses:
            out[component] = "not met"
        elif statuses & {"unknown", "not observed"}:
            out[component] = "unknown"
        elif "waived" in statuses:
            out[component] = "waived"
        else:
            out[component] = "met"
    return out


def stack_gate(rows: Iterable[StackRow]) -> Gate:
    """Exit 1 when a component is not met, else 3 when one could not be observed, else 0 (by ``decide``)."""
    statuses = component_statuses(rows)
    failing = sorted(c for c, status in statuses.items() if status == "not met")
    unobserved = any(status in ("unknown", "not observed") for status in statuses.values())
    return decide(
        failing=f"components not met: {', '.join(failing)}" if failing else None,
        unknown="some components could not be observed" if unobserved else None,
        clean="every deployed component meets its checks",
    )
