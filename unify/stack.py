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

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Final

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from unify.evaluation import scope_id
from unify.results import Result, Results

__all__ = [
    "COMPONENTS",
    "ROW_STATUSES",
    "StackRow",
    "component_statuses",
    "render_stack_table",
    "stack_rows",
]

#: The stack's components, in the order a build flows through them; other labelled components follow, sorted.
COMPONENTS: Final = ("image-builder", "container-registry", "deployer", "artifact-store", "orchestrator",
                     "step-operator")

ROW_STATUSES: Final = ("met", "not met", "unknown", "waived", "not observed", "none deployed")

#: The label key that ties a check to a component.
LABEL: Final = "component"

_STYLE = {"met": "green", "not met": "red", "unknown": "yellow", "waived": "magenta", "not observed": "yellow",
          "none deployed": "dim"}


@dataclass(frozen=True)
class StackRow:
    """One resource of one component (or one unobserved scope, or a component with nothing deployed)."""

    component: str
    type: str
    resource: str
    name: str | None
    status: str
    #: The checks that failed on it (or could not be judged, verdict error), sorted.
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


def _status(verdicts: set[str]) -> str:
    if verdicts & {"fail", "error"}:
        return "not met"
    if "unknown" in verdicts:
        return "unknown"
    if "waived" in verdicts:
        return "waived"
    return "met"


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
            failing = sorted({r.check for r in found if r.verdict in ("fail", "error")})
            status = _status({r.verdict for r in found})
            deciding = {"unknown": "unknown", "waived": "waived"}.get(status)
            detail = next((f"{r.check}: {r.reason}" for r in found if r.verdict == deciding), "")
            mine.append(StackRow(component, type_, resource, first.name, status, tuple(failing), first.account,
                                 first.region, detail=detail))
        for (owner, type_, resource), found in scopes.items():
            if owner != component:
                continue
            first = found[0]
            # An accepted gap (every result of the scope waived) shows as waived, with the waiver's reason.
            status = "waived" if all(r.verdict == "waived" for r in found) else "not observed"
            mine.append(StackRow(component, type_, resource, None, status, (), first.account, first.region,
                                 detail=first.reason, scope=True))
        if not mine:
            types = ", ".join(sorted(components[component]))
            mine.append(StackRow(component, types, "", None, "none deployed",
                                 detail="observed, and nothing in scope of its checks"))
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


def _t(value: object, style: str = "") -> Text:
    return Text("" if value is None else str(value), style=style)


def _resource(row: StackRow) -> Text:
    where = "/".join(part for part in (row.account, row.region) if part)
    if not row.resource:
        return Text("-")
    if row.scope:
        return Text(f"(not listed in {where})" if where else "(no data for the type)")
    text = Text(row.name or row.resource)
    if where:
        text.append(f"\n{where}", style="dim")
    return text


def _table(terminal: bool, color: bool, title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD if terminal else box.ASCII,
                  show_edge=not terminal, header_style="bold" if color else "", title_style="bold" if color else "",
                  expand=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def render_stack_table(rows: Iterable[StackRow], stream: IO[str], terminal: bool, *, color: bool | None = None,
                       width: int | None = None) -> None:
    """The stack view as two tables, components then resources: rich on a terminal, plain ASCII otherwise.

    Every value from the estate (names, ids, reasons) is printed as
    :class:`rich.text.Text`, never parsed as markup.
    """
    rows = list(rows)
    color = terminal if color is None else color
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=terminal, no_color=not color, color_system="auto" if color else None,
                      width=width or (None if terminal else 160), highlight=False, emoji=False, markup=False,
                      soft_wrap=True)

    def styled(status: str) -> Text:
        return _t(status, _STYLE.get(status, "") if color else "")

    statuses = component_statuses(rows)
    if not rows:
        console.print(Text("Deployment stack: no check of the policy set is labelled with a component"))
    else:
        summary = _table(terminal, color, "Deployment stack: components", "Component", "Status", "Resources", "Not met")
        for component, status in statuses.items():
            mine = [row for row in rows if row.component == component and row.resource and not row.scope]
            summary.add_row(_t(component), styled(status), _t(len(mine)),
                            _t(sum(1 for row in mine if row.status == "not met")))
        console.print(summary)
        detail = _table(terminal, color, "Deployment stack: resources", "Component", "Type", "Resource", "Status",
                        "Failing checks / why")
        previous = None
        for row in rows:
            why = "\n".join(row.failing) if row.failing else row.detail
            detail.add_row(_t(row.component if row.component != previous else ""), _t(row.type.replace(", ", "\n")),
                           _resource(row),
                           styled(row.status), _t(why))
            previous = row.component
        console.print(detail)
    counts = {status: sum(1 for s in statuses.values() if s == status) for status in ROW_STATUSES}
    line = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    console.print(Text(f"Components: {line or 'none'}", style="bold" if color else ""))
    text = buffer.getvalue()
    if not terminal:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    stream.write(text)
