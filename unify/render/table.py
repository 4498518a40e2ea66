"""The ``table`` format: what ``unify audit`` prints for people.

The table is for people: failing resources by severity, what could not be
decided and why, the compliance posture, drift, and a one-line summary. It
uses rich on a terminal and plain ASCII otherwise (CI logs, files). Every
value from the estate is passed as :class:`rich.text.Text`, never as markup,
so a bucket named ``[bold]x`` prints as it is.
"""

from __future__ import annotations

import io
from typing import IO, Any

from rich.console import Console
from rich.text import Text

from unify.checks.operators import describe_value
from unify.render.console import console, table, text
from unify.render.renderer import RenderOptions
from unify.results import Result, Results
from unify.views.compliance import CONTROL_STATUSES, compliance_view
from unify.views.drift import drift_view
from unify.views.policy import policy_view

_SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
_STATUS_STYLE = {
    "met": "green",
    "not met": "red",
    "unknown": "yellow",
    "waived": "magenta",
    "manual": "dim",
    "not applicable": "dim",
}
_MAX_ROWS = 200

__all__ = ["render_table"]


def _label(result: Result) -> Text:
    """A resource as people name it: its name (or address, or id) and where it lives."""
    label = result.address or result.name or result.resource
    where = "/".join(part for part in (result.account, result.region) if part)
    text = Text(label)
    if where and label != result.account:
        text.append(f"\n{where}", style="dim")
    return text


def _more(console: Console, shown: int, total: int) -> None:
    if total > shown:
        console.print(Text(f"... and {total - shown} more (use --format json for all)"))


def render_table(results: Results, stream: IO[str], options: RenderOptions) -> None:
    buffer = io.StringIO()
    _render_table(results, console(buffer, options), options)
    text = buffer.getvalue()
    if not options.terminal:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    stream.write(text)


def _render_table(results: Results, console: Console, options: RenderOptions) -> None:
    info = results.snapshot
    console.print(
        Text(
            f"unify audit: {info.source} snapshot taken {info.taken_at}, {info.resources} resources, "
            f"{len(info.accounts)} account(s), {len(info.regions)} region(s), {info.digest[:19]}..."
        )
    )
    if info.coverage_errors:
        console.print(
            Text(f"Coverage gaps ({len(info.coverage_errors)}): checks over these are unknown", style="yellow")
        )
        for entry in info.coverage_errors[:20]:
            error = entry.get("error") or {}
            console.print(
                Text(
                    f"  {entry['type']} in {entry['account']}/{entry['region']}: "
                    f"{error.get('code')}: {error.get('message')}"
                )
            )
    _policy(console, results, options)
    _compliance(console, results, options)
    _drift(console, results, options)
    _waivers(console, results)
    if results.baseline is not None:
        against = results.baseline
        console.print(
            Text(
                f"Against {against.source}: {against.new} new, {against.existing} existing, "
                f"{against.fixed} fixed finding(s)"
            )
        )
    summary = results.summary()
    console.print(
        Text("Summary: " + ", ".join(f"{summary[v]} {v}" for v in summary), style="bold" if options.color else "")
    )


def _policy(console: Console, results: Results, options: RenderOptions) -> None:
    view = policy_view(results)
    failing = sum(len(g.failures) for g in view.groups)
    console.print()
    if not failing:
        console.print(Text(f"Policy: no failing resources in {len(results.checks)} checks"))
    else:
        counts = ", ".join(f"{n} {s}" for s, n in view.failure_counts().items() if n)
        grid = table(
            options,
            "Severity",
            "Check",
            "Resource",
            "Reason",
            title=f"Policy: {failing} failing result(s) in {len(view.groups)} check(s) ({counts})",
        )
        rows = 0
        for group in view.groups:
            for result in group.failures:
                if rows < _MAX_ROWS:
                    severity = group.check.severity + (f" ({result.baseline})" if result.baseline else "")
                    grid.add_row(
                        text(severity, _SEVERITY_STYLE[group.check.severity] if options.color else ""),
                        text(group.check.id),
                        _label(result),
                        text(result.reason),
                    )
                rows += 1
        console.print(grid)
        _more(console, min(rows, _MAX_ROWS), rows)
    for label, found in (
        ("Unknown (not decided: data not observed)", view.unknown),
        ("Errors (defects in checks)", view.errors),
        ("Waived (accepted exceptions)", view.waived),
    ):
        if not found:
            continue
        grid = table(options, "Check", "Resource", "Reason", title=f"{label}: {len(found)}")
        for result in found[:_MAX_ROWS]:
            grid.add_row(text(result.check), _label(result), text(result.reason))
        console.print(grid)
        _more(console, min(len(found), _MAX_ROWS), len(found))


def _compliance(console: Console, results: Results, options: RenderOptions) -> None:
    frameworks = results.framework_ids
    if not frameworks:
        return
    console.print()
    summary = table(options, "Framework", *[s.title() for s in CONTROL_STATUSES], "Automated", title="Compliance")
    for fw in frameworks:
        view = compliance_view(results, fw)
        counts = view.summary()
        label = f"{view.title} ({fw})" if view.title != fw else fw
        summary.add_row(
            text(label), *[text(counts[s]) for s in CONTROL_STATUSES], text(f"{counts['automated']}/{counts['total']}")
        )
    console.print(summary)
    if results.framework is not None:
        view = compliance_view(results, results.framework)
        grid = table(options, "Control", "Title", "Status", "Checks", "Decided by", title=f"{view.title}: controls")
        for control in view.controls:
            style = _STATUS_STYLE[control.status] if options.color else ""
            grid.add_row(
                text(control.id),
                text(control.title),
                text(control.status, style),
                text(", ".join(control.checks)),
                text(_deciding(control)),
            )
        console.print(grid)
        counts = view.summary()
        console.print(
            Text(
                f"{counts['automated']} of {counts['total']} controls automated, {counts['met']} met, "
                f"{counts['not met']} not met, {counts['unknown']} unknown, {counts['manual']} manual"
            )
        )


def _deciding(control: Any) -> str:
    """The resources behind a control's status, as many as fit in a cell."""
    if control.status in ("manual", "not applicable"):
        return ""
    deciding = control.deciding()
    names = list(dict.fromkeys(r.name or r.resource for r in deciding))
    shown = ", ".join(names[:3])
    return f"{shown} (+{len(names) - 3})" if len(names) > 3 else shown


def _drift(console: Console, results: Results, options: RenderOptions) -> None:
    records = drift_view(results)
    desired = sum(1 for check in results.checks if check.kind == "desired")
    console.print()
    if not records:
        console.print(
            Text(
                f"Drift: no differences from the declared state of {desired} resource(s)"
                if desired
                else "Drift: no desired state declared (add desired: entries to compare)"
            )
        )
        return
    grid = table(
        options,
        "Resource",
        "Path",
        "Expected",
        "Actual",
        title=f"Drift: {len(records)} difference(s) from declared state",
    )
    for record in records[:_MAX_ROWS]:
        path = record.path or "(resource)"
        actual = "missing" if record.kind == "missing" else describe_value(record.actual)
        grid.add_row(
            text(record.name or record.resource), text(path), text(describe_value(record.expected)), text(actual)
        )
    console.print(grid)
    _more(console, min(len(records), _MAX_ROWS), len(records))


def _waivers(console: Console, results: Results) -> None:
    expired = [use for use in results.waivers if use.status == "expired"]
    unused = [use for use in results.waivers if use.unused]
    applied = sum(use.applied for use in results.waivers)
    if not results.waivers:
        return
    console.print()
    console.print(Text(f"Waivers: {len(results.waivers)} loaded, {applied} result(s) waived"))
    for use in expired:
        console.print(
            Text(f"  expired {use.waiver.expires}: {use.waiver.check} ({use.waiver.location}): {use.waiver.reason}")
        )
    for use in unused:
        console.print(Text(f"  unused: {use.waiver.check} ({use.waiver.location}) matched no failing result"))
