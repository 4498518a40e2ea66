"""The ``table`` format: what ``unify audit`` prints for people.

Two modes. The full report lists failing resources check by check, most
severe first, each check with its fix, then what could not be decided and
why, the compliance posture, drift and waivers. The summary
(``--summary``, and what ``unify audit --demo`` prints) fits one screen:
counts by verdict and severity, the worst checks, the posture per
framework, and how to see the rest.

Text wraps on word and id boundaries (:mod:`unify.render.layout`) to the
terminal's width, or to ``COLUMNS`` when piped (160 columns otherwise).
Every value from the estate or a policy file is printed as
:class:`rich.text.Text`, never as markup, so a bucket named ``[bold]x``
prints as it is, and is shortened past a sane length with a marker.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from typing import IO, Any, Final

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from unify.checks.operators import describe_value
from unify.checks.policy_set import severity_rank
from unify.render.console import console
from unify.render.layout import Cell, columns_from_env, fit_widths, grid, wrap
from unify.render.renderer import RenderOptions
from unify.render.text import (
    SEVERITY_ORDER,
    count_of,
    framework_label,
    group_header,
    group_rows,
    relevant_gaps,
    report_groupings,
    shorten,
)
from unify.results import VERDICTS, Result, Results
from unify.views.accounts import group_results
from unify.views.compliance import CONTROL_STATUSES, compliance_view
from unify.views.drift import drift_view
from unify.views.policy import PolicyGroup, policy_view

__all__ = ["render_table"]

_SEVERITY_STYLE: Final = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
_STATUS_STYLE: Final = {
    "met": "green",
    "not met": "red",
    "unknown": "yellow",
    "waived": "magenta",
    "manual": "dim",
    "not applicable": "dim",
}
#: Findings the full report lists before "... and N more".
_MAX_ROWS: Final = 200
#: Checks the summary names.
_WORST: Final = 6
#: A value in a table cell: enough to act on, bounded whatever the estate holds.
_CELL: Final = 300
_AUTOMATED_NOTE: Final = (
    "Automated: the controls at least one check gives evidence for, of all the controls in the framework's "
    "catalog; the others are manual, for people to assess."
)


class _Out:
    """The console, its width and whether styles are on: what every section writes through."""

    def __init__(self, out: Console, options: RenderOptions) -> None:
        self.console = out
        self.color = options.color
        self.width = max(40, out.width)

    def style(self, name: str) -> str:
        return name if self.color else ""

    def line(self, text: str = "", style: str = "", *, indent: int = 0) -> None:
        for part in wrap(text, self.width - indent) if text else [""]:
            self.console.print(Text(" " * indent + part, style=self.style(style)))

    def lines(self, lines: Sequence[Text]) -> None:
        for line in lines:
            self.console.print(line)

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        *,
        indent: int = 2,
        headed: bool = True,
        numeric: Sequence[int] = (),
        whole: Sequence[int] = (),
    ) -> None:
        """A grid whose widths fit the console, with a header underlined by dashes unless ``headed`` is off.

        Columns in ``numeric`` are right-aligned; columns in ``whole`` (ids) are never narrowed.
        """
        # A header may wrap between its words: a column needs its longest header word, or its content.
        floors = [max(cell_len(word) for word in h.split()) if headed else 4 for h in header]
        natural = [
            max([floors[i]] + [max((cell_len(t) for t, _ in row[i]), default=0) for row in rows])
            for i in range(len(header))
        ]
        floors = [natural[i] if i in whole else floor for i, floor in enumerate(floors)]
        gap = 2
        if sum(floors) + indent + gap * (len(header) - 1) > self.width:
            indent, gap = 0, 1  # a narrow terminal: give the columns what the margins took
        widths = fit_widths(natural, self.width - indent - gap * (len(header) - 1), floors)
        head: list[Cell] = [[(h, self.style("bold"))] for h in header]
        rule: list[Cell] = [[("-" * w, "")] for w in widths]
        self.lines(grid([head, rule, *rows] if headed else rows, widths, indent=indent, gap=gap, right=numeric))


def _plain(value: Any, limit: int = _CELL) -> str:
    return shorten(value, limit)


def _where(result: Result) -> str:
    where = "/".join(part for part in (result.account, result.region) if part)
    label = result.address or result.name or result.resource
    return "" if label == result.account else where


def _resource(result: Result, out: _Out) -> Cell:
    label = result.address or result.name or result.resource
    cell = [(_plain(label), "")]
    where = _where(result)
    if where:
        cell.append((where, out.style("dim")))
    return cell


def render_table(results: Results, stream: IO[str], options: RenderOptions) -> None:
    buffer = io.StringIO()
    if options.width is None and not options.terminal:
        # Piped or redirected: the width the shell says it has, else one that fits a CI log.
        options = replace(options, width=columns_from_env() or 160)
    out = _Out(console(buffer, options), options)
    if options.summary:
        _summary(results, out, options)
    else:
        _full(results, out, options)
    text = buffer.getvalue()
    if not options.terminal:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    stream.write(text)


def _heading(results: Results, out: _Out) -> None:
    info = results.snapshot
    out.line(f"unify audit: {info.source} snapshot {info.taken_at} ({info.digest[:19]}...)", "bold")
    out.line(
        f"{count_of(info.resources, 'resource')} in {count_of(len(info.accounts), 'account')} and "
        f"{count_of(len(info.regions), 'region')}; {count_of(len(results.checks), 'check')}"
    )


def _full(results: Results, out: _Out, options: RenderOptions) -> None:
    _heading(results, out)
    _gaps(results, out)
    _policy(results, out)
    _compliance(results, out)
    _groups(results, out, options)
    _drift(results, out)
    _waivers(results, out)
    if results.baseline is not None:
        against = results.baseline
        out.line()
        out.line(
            f"Against {against.source}: {against.new} new, {against.existing} existing, "
            f"{against.fixed} fixed finding(s)"
        )
    out.line()
    summary = results.summary()
    out.line("Summary: " + ", ".join(f"{summary[v]} {v}" for v in summary), "bold")


def _gaps(results: Results, out: _Out) -> None:
    gaps = relevant_gaps(results)
    if not gaps:
        return
    out.line()
    out.line(f"Coverage gaps ({len(gaps)}): the checks over these are unknown there", "yellow")
    for entry in gaps[:20]:
        error = entry.get("error") or {}
        out.line(
            f"{entry['type']} in {entry['account']}/{entry['region']}: "
            f"{_plain(error.get('code'))}: {_plain(error.get('message'))}",
            indent=2,
        )
    if len(gaps) > 20:
        out.line(f"... and {len(gaps) - 20} more (--format json lists them all)", indent=2)


def _policy(results: Results, out: _Out) -> None:
    view = policy_view(results)
    failing = sum(len(g.failures) for g in view.groups)
    out.line()
    if not failing:
        out.line(f"Policy: no failing resources in {count_of(len(results.checks), 'check')}", "bold")
    else:
        counts = ", ".join(f"{n} {s}" for s, n in view.failure_counts().items() if n)
        out.line(
            f"Policy: {count_of(failing, 'failing result')} in {count_of(len(view.groups), 'check')} ({counts}), "
            "most severe first",
            "bold",
        )
        shown = 0
        for group in view.groups:
            if shown >= _MAX_ROWS:
                break
            shown += _group(group, out, _MAX_ROWS - shown)
        if failing > shown:
            out.line(f"... and {failing - shown} more failing results (--format json or html lists them all)")
    for label, found in (
        ("Unknown (not decided: the data was not observed)", view.unknown),
        ("Errors (defects in checks)", view.errors),
        ("Waived (accepted exceptions)", view.waived),
    ):
        if not found:
            continue
        out.line()
        out.line(f"{label}: {len(found)}", "bold")
        rows = [[[(r.check, "")], _resource(r, out), [(_plain(r.reason), "")]] for r in found[:_MAX_ROWS]]
        out.table(["Check", "Resource", "Reason"], rows)
        if len(found) > _MAX_ROWS:
            out.line(f"... and {len(found) - _MAX_ROWS} more (--format json or html lists them all)", indent=2)


def _group(group: PolicyGroup, out: _Out, room: int) -> int:
    """One check's failing resources under a line naming it and a line with its fix; the rows shown."""
    check = group.check
    out.line()
    title = f": {_plain(check.title)}" if check.title and check.title != check.id else ""
    severity = check.severity.upper()
    text = f"{severity}  {check.id}{title} ({count_of(len(group.failures), 'resource')})"
    for index, part in enumerate(wrap(text, out.width)):
        line = Text(part, style=out.style("bold"))
        if index == 0:
            line.stylize(out.style(_SEVERITY_STYLE[check.severity]), 0, len(severity))
        out.console.print(line)
    if check.remediation:
        out.line(f"Fix: {_plain(check.remediation, 1_000)}", "italic", indent=2)
    rows = []
    for result in group.failures[:room]:
        mark = f"({result.baseline}) " if result.baseline else ""
        rows.append([_resource(result, out), [(mark + _plain(result.reason), "")]])
    out.table(["Resource", "Reason"], rows, headed=False)
    return len(rows)


def _compliance_rows(results: Results) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for fw in results.framework_ids:
        view = compliance_view(results, fw)
        counts = view.summary()
        rows.append(
            [
                [(framework_label(view), "")],
                *[[(str(counts[s]), "")] for s in CONTROL_STATUSES],
                [(f"{counts['automated']}/{counts['total']}", "")],
            ]
        )
    return rows


def _compliance(results: Results, out: _Out) -> None:
    if not results.framework_ids:
        return
    out.line()
    out.line("Compliance: controls by status", "bold")
    out.table(
        ["Framework", *[s.title() for s in CONTROL_STATUSES], "Automated"],
        _compliance_rows(results),
        numeric=range(1, len(CONTROL_STATUSES) + 2),
    )
    out.line(_AUTOMATED_NOTE, "dim", indent=2)
    if results.framework is None:
        return
    view = compliance_view(results, results.framework)
    families = view.families()
    if len(families) > 1:
        out.line()
        out.line(f"{view.title}: controls by family", "bold")
        family_rows = [
            [
                [(family.id, "")],
                [(_plain(family.title), "")],
                *[[(str(family.counts[s]), "")] for s in ("met", "not met", "unknown", "manual")],
                [(str(family.counts["partial_evidence"]), "")],
            ]
            for family in families
        ]
        out.table(
            ["Family", "Title", "Met", "Not Met", "Unknown", "Manual", "Partial evidence"],
            family_rows,
            numeric=range(2, 7),
        )
    out.line()
    out.line(f"{view.title}: controls", "bold")
    rows = [
        [
            [(control.id, "")],
            [(_plain(control.title), "")],
            [(control.status, out.style(_STATUS_STYLE[control.status]))],
            [(control.evidence_text(), "")],
            [(", ".join(control.checks), "")],
            [(_deciding(control), "")],
        ]
        for control in view.controls
    ]
    out.table(["Control", "Title", "Status", "Evidence", "Checks", "Decided by"], rows)
    counts = view.summary()
    out.line(
        f"{counts['automated']} of {counts['total']} controls automated, {counts['met']} met, "
        f"{counts['not met']} not met, {counts['unknown']} unknown, {counts['manual']} manual",
        indent=2,
    )
    if counts["partial_evidence"]:
        out.line(
            f"{counts['partial_evidence']} of the automated controls rest on partial evidence: the checks support "
            "the control but do not cover all of it; an auditor still assesses the rest.",
            "dim",
            indent=2,
        )


def _deciding(control: Any) -> str:
    """The resources behind a control's status, as many as fit in a cell."""
    if control.status in ("manual", "not applicable"):
        return ""
    deciding = control.deciding()
    names = list(dict.fromkeys(_plain(r.name or r.resource, 80) for r in deciding))
    shown = ", ".join(names[:3])
    return f"{shown} (+{len(names) - 3})" if len(names) > 3 else shown


def _drift(results: Results, out: _Out) -> None:
    records = drift_view(results)
    desired = sum(1 for check in results.checks if check.kind == "desired")
    out.line()
    if not records:
        out.line(
            f"Drift: no differences from the declared state of {count_of(desired, 'resource')}"
            if desired
            else "Drift: no desired state declared (add desired: entries to compare)",
            "bold",
        )
        return
    out.line(f"Drift: {count_of(len(records), 'difference')} from the declared state", "bold")
    rows = []
    for record in records[:_MAX_ROWS]:
        actual = "missing" if record.kind == "missing" else describe_value(record.actual)
        rows.append(
            [
                [(_plain(record.name or record.resource), "")],
                [(record.path or "(resource)", "")],
                [(describe_value(record.expected), "")],
                [(actual, "")],
            ]
        )
    out.table(["Resource", "Path", "Expected", "Actual"], rows)
    if len(records) > _MAX_ROWS:
        out.line(f"... and {len(records) - _MAX_ROWS} more (--format json lists them all)", indent=2)


def _waivers(results: Results, out: _Out) -> None:
    if not results.waivers:
        return
    expired = [use for use in results.waivers if use.status == "expired"]
    unused = [use for use in results.waivers if use.unused]
    applied = sum(use.applied for use in results.waivers)
    out.line()
    out.line(
        f"Waivers: {count_of(len(results.waivers), 'waiver')} loaded, {count_of(applied, 'result')} waived", "bold"
    )
    for use in expired:
        out.line(
            f"expired {use.waiver.expires}: {use.waiver.check} ({use.waiver.location}): {_plain(use.waiver.reason)}",
            indent=2,
        )
    for use in unused:
        out.line(f"unused: {use.waiver.check} ({use.waiver.location}) matched no failing result", indent=2)


# -- the summary ---------------------------------------------------------------------------------------


def _summary(results: Results, out: _Out, options: RenderOptions) -> None:
    _heading(results, out)
    gate = options.gate(results)
    out.line(f"Exit {gate.code}: {gate.reason}", _gate_style(gate.code))
    summary = results.summary()
    out.line("Results: " + ", ".join(f"{summary[v]:,} {v}" for v in VERDICTS))
    view = policy_view(results)
    counts = view.failure_counts()
    out.line("Failing by severity: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in SEVERITY_ORDER))
    gaps = relevant_gaps(results)
    if gaps:
        out.line(f"Coverage gaps: {count_of(len(gaps), 'type x account x region')} could not be listed", "yellow")
    worst = sorted(view.groups, key=lambda g: (-severity_rank(g.check.severity), -len(g.failures), g.check.id))
    if worst:
        out.line()
        out.line(f"Worst checks ({len(view.groups)} failing):", "bold")
        rows = [
            [
                [(g.check.severity.upper(), out.style(_SEVERITY_STYLE[g.check.severity]))],
                [(g.check.id, "")],
                [(count_of(len(g.failures), "resource"), "")],
                [(_plain(g.check.title, 120), "")],
            ]
            for g in worst[:_WORST]
        ]
        out.table(["Severity", "Check", "Failing", "Title"], rows, numeric=(2,), whole=(0, 1, 2))
        if len(worst) > _WORST:
            out.line(f"... and {count_of(len(worst) - _WORST, 'more failing check')}", indent=2)
    if results.framework_ids:
        out.line()
        out.line("Compliance: controls by status", "bold")
        out.table(
            ["Framework", *[s.title() for s in CONTROL_STATUSES], "Automated"],
            _compliance_rows(results),
            numeric=range(1, len(CONTROL_STATUSES) + 2),
        )
        out.line(_AUTOMATED_NOTE, "dim", indent=2)
    _groups(results, out, options)
    records = drift_view(results)
    if records:
        out.line()
        out.line(f"Drift: {count_of(len(records), 'difference')} from the declared state")
    out.line()
    out.line(
        "Every finding with its fix: --format table (or --full). An interactive report: --format html=report.html. "
        "For machines: --format json, sarif, ocsf, asff, csv.",
        "dim",
    )


def _groups(results: Results, out: _Out, options: RenderOptions) -> None:
    """With ``--by-account``: the results and the posture of each framework by account, OU and region."""
    if not options.by_account:
        return
    groupings = report_groupings(results) or [("By account", group_results(results, "account"))]
    for title, groups in groupings:
        if not groups:
            continue
        out.line()
        out.line(f"{title}: {count_of(len(groups), 'group')}", "bold")
        header = group_header(groups[0].by, results.framework_ids)
        rows = [[[(cell, "")] for cell in group_rows(group)] for group in groups]
        out.table(header, rows, numeric=range(2, len(header)))


def _gate_style(code: int) -> str:
    return {0: "green", 1: "bold red", 2: "magenta", 3: "yellow"}.get(code, "")
