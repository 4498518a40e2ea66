"""Console output: the shared rich helpers, and the tables ``unify drift`` and ``unify diff`` print.

Every table is rich on a terminal and plain ASCII otherwise (CI logs,
files, pipes), and every value from the estate, a policy file or a state is
passed as :class:`rich.text.Text`, never parsed as markup, so a bucket named
``[bold]x`` prints as it is. These functions print views; they decide
nothing.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import IO, Any, Final

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from unify.checks.operators import describe_value
from unify.model.resource import Resource
from unify.model.snapshot import resource_key
from unify.render.renderer import RenderOptions
from unify.views.diff import SnapshotDiff
from unify.views.state_drift import DriftReport

__all__ = [
    "MAX_ROWS",
    "console",
    "finish",
    "render_diff_table",
    "render_drift_table",
    "table",
    "text",
]

#: Rows a table shows before "... and N more".
MAX_ROWS: Final = 200
_KIND_STYLE: Final = {"added": "green", "removed": "red", "changed": "yellow"}


def console(stream: IO[str], options: RenderOptions) -> Console:
    """A rich console that writes ``stream``: coloured only when asked, 160 columns when not a terminal."""
    return Console(
        file=stream,
        force_terminal=options.terminal,
        no_color=not options.color,
        color_system="auto" if options.color else None,
        width=options.width or (None if options.terminal else 160),
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=True,
    )


def table(options: RenderOptions, *names: str, title: str | None = None, columns: Sequence[str] = ()) -> Table:
    """A table with light rules on a terminal and ASCII ones elsewhere; long cells fold."""
    grid = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD if options.terminal else box.ASCII,
        show_edge=not options.terminal,
        header_style="bold" if options.color else "",
        title_style="bold" if options.color else "",
        expand=False,
    )
    for column in (*names, *columns):
        grid.add_column(column, overflow="fold")
    return grid


def text(value: Any, style: str = "") -> Text:
    """A value as literal text (never markup); None as empty."""
    return Text("" if value is None else str(value), style=style)


def finish(buffer: io.StringIO, terminal: bool) -> str:
    """What was printed, without the trailing blanks rich pads plain output with."""
    printed = buffer.getvalue()
    return printed if terminal else "\n".join(line.rstrip() for line in printed.split("\n"))


# -- unify drift ------------------------------------------------------------------------------------


def render_drift_table(report: DriftReport, stream: Any, *, terminal: bool = False) -> None:
    """The drift report for people: a summary line, then one row per difference."""
    options = RenderOptions(terminal=terminal, color=terminal)
    buffer = io.StringIO()
    out = console(buffer, options)
    summary = report.summary
    out.print(
        Text(
            f"Drift: {summary['managed']} managed by Terraform, {summary['missing']} missing, "
            f"{summary['changed']} changed, "
            f"{summary['unmanaged']} unmanaged; Terraform manages {report.matched} of {report.observed} observed "
            f"resources ({report.coverage:.0%})"
        )
    )
    if report.not_compared:
        out.print(Text(f"Not compared (no collector observes these types): {', '.join(report.not_compared)}"))
    for line in report.undecided[:20]:
        out.print(Text(f"Undecided (not fully observed): {line}"))
    if report.records:
        grid = table(options, "Kind", "Type", "Resource", "Path", "Expected (state)", "Actual")
        for record in report.records[:500]:
            grid.add_row(
                Text(record.kind),
                Text(record.type),
                Text(record.address or record.resource),
                Text(record.path or ""),
                Text("" if record.kind == "unmanaged" else describe_value(record.expected)),
                Text(
                    "missing"
                    if record.kind == "missing"
                    else ""
                    if record.kind == "unmanaged"
                    else describe_value(record.actual)
                ),
            )
        out.print(grid)
        if len(report.records) > 500:
            out.print(Text(f"... and {len(report.records) - 500} more (use --format json for all)"))
    stream.write(finish(buffer, terminal))


# -- unify diff ------------------------------------------------------------------------------------


def render_diff_table(
    diff: SnapshotDiff, stream: IO[str], terminal: bool, *, color: bool | None = None, width: int | None = None
) -> None:
    """The diff for people: rich on a terminal, plain ASCII otherwise; estate values are never markup."""
    options = RenderOptions(terminal=terminal, color=terminal if color is None else color, width=width)
    buffer = io.StringIO()
    out = console(buffer, options)

    def t(value: Any, style: str = "") -> Text:
        return Text(str(value) if value is not None else "", style=style if options.color else "")

    def more(shown: int, total: int) -> None:
        if total > shown:
            out.print(Text(f"... and {total - shown} more (use --format json for all)"))

    def where(resource: Resource) -> str:
        return f"{resource['account']}/{resource['region']}"

    summary = diff.summary()
    out.print(
        Text(
            f"unify diff: {diff.base.source} snapshot {diff.base.taken_at} ({diff.base.digest[:19]}...) -> "
            f"{diff.current.source} snapshot {diff.current.taken_at} ({diff.current.digest[:19]}...)"
        )
    )
    if diff.is_empty:
        out.print(Text(f"No differences in {diff.current.resources} resource(s)."))
    unlisted = {resource_key(r) for r in diff.unconfirmed_removals()}
    for label, found, style in (("Added", diff.added, "green"), ("Removed", diff.removed, "red")):
        if not found:
            continue
        out.print()
        grid = table(options, "Type", "Resource", "Name", "Account/region", title=f"{label}: {len(found)}")
        for resource in found[:MAX_ROWS]:
            ident = t(resource["id"], style)
            if resource_key(resource) in unlisted:
                ident.append("\n(not listed now: coverage error)", style="dim" if options.color else "")
            grid.add_row(t(resource["type"]), ident, t(resource.get("name")), t(where(resource)))
        out.print(grid)
        more(min(len(found), MAX_ROWS), len(found))
    if diff.changed:
        out.print()
        total = sum(len(change.paths) for change in diff.changed)
        grid = table(
            options,
            "Resource",
            "Path",
            "Change",
            "Before",
            "After",
            title=f"Changed: {len(diff.changed)} resource(s), {total} path(s)",
        )
        rows = 0
        for change in diff.changed:
            for index, path in enumerate(change.paths):
                if rows < MAX_ROWS:
                    cell = t("")
                    if index == 0:
                        cell = t(change.name or change.id)
                        cell.append(
                            f"\n{change.type} {change.account}/{change.region}", style="dim" if options.color else ""
                        )
                    before = "absent" if path.kind == "added" else describe_value(path.before)
                    after = "absent" if path.kind == "removed" else describe_value(path.after)
                    grid.add_row(cell, t(path.path), t(path.kind, _KIND_STYLE[path.kind]), t(before), t(after))
                rows += 1
        out.print(grid)
        more(min(rows, MAX_ROWS), rows)
    if diff.coverage:
        out.print()
        grid = table(
            options,
            "Type",
            "Account/region",
            "Before",
            "After",
            "Error",
            title=f"Coverage changes: {len(diff.coverage)}",
        )
        for entry in diff.coverage[:MAX_ROWS]:
            error = f"{entry.error.get('code')}: {entry.error.get('message')}" if entry.error else ""
            grid.add_row(
                t(entry.type),
                t(f"{entry.account}/{entry.region}"),
                t(entry.before or "not observed"),
                t(entry.after or "not observed", "yellow" if entry.after != "ok" else ""),
                t(error),
            )
        out.print(grid)
        more(min(len(diff.coverage), MAX_ROWS), len(diff.coverage))
    out.print()
    out.print(
        Text(
            "Summary: " + ", ".join(f"{n} {label}" for label, n in summary.items()),
            style="bold" if options.color else "",
        )
    )
    stream.write(finish(buffer, terminal))
