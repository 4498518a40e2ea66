"""The stack view for people and for tools: the console tables, the ``unify.stack/v1`` document and Markdown.

All three print one :class:`unify.views.stack.StackView` and decide
nothing. The console tables are rich on a terminal and plain ASCII
otherwise, every value from the estate passed as :class:`rich.text.Text`
(never markup); the Markdown (for a GitHub job summary) escapes every value
with :func:`unify.render.markdown.escape_markdown`.
"""

from __future__ import annotations

import io
from typing import IO, Any, Final

from rich.text import Text

from unify.render.console import console, finish, table, text
from unify.render.markdown import escape_markdown
from unify.render.renderer import RenderOptions
from unify.views.stack import COMPONENT_STATUSES, LINEAGE, StackComponent, StackRow, StackView

__all__ = ["STACK_FORMAT", "render_stack_markdown", "render_stack_table", "stack_document"]

#: The format of ``unify stack --format json`` (DESIGN.md, views).
STACK_FORMAT: Final = "unify.stack/v1"

_STYLE: Final = {
    "met": "green",
    "not met": "red",
    "unknown": "yellow",
    "waived": "magenta",
    "not observed": "yellow",
    "manual": "cyan",
    "not used": "dim",
    "on": "green",
    "off": "red",
    "not checked": "dim",
}
_MARK: Final = {"met": "✅", "not met": "❌", "unknown": "⚠️", "waived": "💤", "manual": "✋", "not used": "⬜"}
_ASPECT: Final = {
    "versioning": "versioning",
    "object-lock": "object lock",
    "access-logging": "access logging",
    "data-events": "S3 data events",
}


def _service(component: StackComponent) -> str:
    return ", ".join(component.services) or "-"


def _resource_cell(row: StackRow) -> Text:
    where = "/".join(part for part in (row.account, row.region) if part)
    if not row.resource:
        return Text("-")
    if row.scope:
        return Text(f"(not listed in {where})" if where else "(no data for the type)")
    cell = Text(row.name or row.resource)
    if where:
        cell.append(f"\n{where}", style="dim")
    return cell


def render_stack_table(
    view: StackView, stream: IO[str], terminal: bool, *, color: bool | None = None, width: int | None = None
) -> None:
    """The translation table, the resources behind it and the artifact store's lineage."""
    color = terminal if color is None else color
    options = RenderOptions(terminal=terminal, color=color, width=width)
    buffer = io.StringIO()
    out = console(buffer, options)

    def styled(status: str) -> Text:
        return text(status, _STYLE.get(status, "") if color else "")

    if view.source == "zenml":
        out.print(Text(f"ZenML stack {view.stack_name!r} ({view.stack_file})"))
    if not view.components:
        out.print(Text("Deployment stack: no check of the policy set is labelled with a component"))
    else:
        summary = table(
            options,
            title="Deployment stack: what each component replaces, and what runs it now",
            columns=("Component", "Replaces", "Service", "Status", "Resources", "Cost unit"),
        )
        for component in view.components:
            flavor = f"\n(ZenML flavor {component.flavor})" if component.flavor else ""
            summary.add_row(
                text(component.component),
                text(component.replaces),
                text(_service(component) + flavor),
                styled(component.status),
                text(len(component.resources)),
                text(component.cost_unit),
            )
        out.print(summary)
        detail = table(
            options,
            title="Deployment stack: resources",
            columns=("Component", "Type", "Resource", "Status", "Size", "Failing checks / why"),
        )
        for component in view.components:
            previous = None
            for row in component.rows:
                why = "\n".join(row.failing) if row.failing else (row.detail or component.note)
                detail.add_row(
                    text(component.component if component.component != previous else ""),
                    text(row.type.replace(", ", "\n") or "-"),
                    _resource_cell(row),
                    styled(row.status),
                    text(row.size),
                    text(why),
                )
                previous = component.component
        # A check id split mid-word cannot be searched for: the column is at least as wide as the longest id.
        failing = [name for component in view.components for row in component.rows for name in row.failing]
        detail.columns[-1].min_width = max((len(name) for name in failing), default=None)
        types = [name for component in view.components for row in component.rows for name in row.type.split(", ")]
        detail.columns[1].min_width = max((len(name) for name in types), default=None)
        out.print(detail)
    if view.lineage:
        lineage = table(
            options,
            title="Artifact store lineage: can AWS's own records say which run wrote an artifact?",
            columns=("Bucket", *(_ASPECT[a] for a in LINEAGE), "Missing"),
        )
        for bucket in view.lineage:
            lineage.add_row(
                text(bucket.bucket),
                *(styled(bucket.aspects[a]) for a in LINEAGE),
                text(", ".join(_ASPECT[a] for a in bucket.missing) or "nothing"),
            )
        out.print(lineage)
    for note in view.notes:
        out.print(Text(f"note: {note}"))
    counts = {status: sum(1 for c in view.components if c.status == status) for status in COMPONENT_STATUSES}
    line = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    out.print(Text(f"Components: {line or 'none'}", style="bold" if color else ""))
    stream.write(finish(buffer, terminal))


def _row_json(row: StackRow) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": row.type,
        "id": row.resource,
        "name": row.name,
        "account": row.account,
        "region": row.region,
        "service": row.service or None,
        "status": row.status,
        "failing": list(row.failing),
    }
    if row.size:
        data["size"] = row.size
    if row.detail:
        data["detail"] = row.detail
    if row.scope:
        data["scope"] = True
    return data


def stack_document(view: StackView) -> dict[str, Any]:
    """The ``unify.stack/v1`` document: ``format`` and ``components``, each with the keys DESIGN.md names."""
    return {
        "format": STACK_FORMAT,
        "source": {"kind": view.source, "stack": view.stack_name, "file": view.stack_file},
        "components": [
            {
                "component": c.component,
                "replaces": c.replaces,
                "service": ", ".join(c.services) or None,
                "resources": [_row_json(r) for r in c.rows if r.resource],
                "checks": [
                    {"id": k.id, "title": k.title, "severity": k.severity, "service": k.service, "status": k.status}
                    for k in c.checks
                ],
                "status": c.status,
                "cost_unit": c.cost_unit,
                "flavor": c.flavor,
                "note": c.note or None,
            }
            for c in view.components
        ],
        "lineage": [
            {
                "bucket": row.bucket,
                "resource": row.resource,
                "account": row.account,
                "region": row.region,
                **{aspect.replace("-", "_"): row.aspects[aspect] for aspect in LINEAGE},
                "missing": list(row.missing),
            }
            for row in view.lineage
        ],
        "notes": list(view.notes),
    }


def render_stack_markdown(view: StackView) -> str:
    """The translation table and lineage as Markdown, for a CI job summary."""
    lines = ["## Deployment stack", ""]
    if view.source == "zenml":
        lines += [f"ZenML stack **{escape_markdown(view.stack_name)}** ({escape_markdown(view.stack_file)})", ""]
    lines += [
        "| Component | Replaces | Service | Status | Resources | Cost unit |",
        "|---|---|---|---|---|---|",
    ]
    for c in view.components:
        mark = _MARK.get(c.status, "")
        lines.append(
            f"| {escape_markdown(c.component)} | {escape_markdown(c.replaces)} | {escape_markdown(_service(c))} "
            f"| {mark} {escape_markdown(c.status)} | {len(c.resources)} | {escape_markdown(c.cost_unit)} |"
        )
    failing = [(c, r) for c in view.components for r in c.rows if r.failing]
    if failing:
        lines += ["", "### Not met", "", "| Component | Resource | Failing checks |", "|---|---|---|"]
        for c, r in failing:
            lines.append(
                f"| {escape_markdown(c.component)} | {escape_markdown(r.name or r.resource)} "
                f"| {escape_markdown(', '.join(r.failing))} |"
            )
    if view.lineage:
        lines += [
            "",
            "### Artifact store lineage",
            "",
            "| Bucket | " + " | ".join(_ASPECT[a] for a in LINEAGE) + " | Missing |",
            "|---|" + "---|" * len(LINEAGE) + "---|",
        ]
        for row in view.lineage:
            missing = ", ".join(_ASPECT[a] for a in row.missing) or "nothing"
            lines.append(
                f"| {escape_markdown(row.bucket)} | "
                + " | ".join(escape_markdown(row.aspects[a]) for a in LINEAGE)
                + f" | {escape_markdown(missing)} |"
            )
    for note in view.notes:
        lines += ["", f"_note: {escape_markdown(note)}_"]
    return "\n".join(lines) + "\n"
