"""The ``html`` report: one self-contained file to archive or attach to a CI run.

No scripts, no external styles, fonts or images, a strict
Content-Security-Policy, and an inline SVG chart of the compliance posture.
It lists everything, unlike the Markdown summary that a byte budget cuts.

Every value from the estate or from policy and waiver files is HTML-escaped,
quotes too, so a bucket named ``<script>`` prints as it is. The time of
rendering is never shown: the same results give the same bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any, Final

from unify import __version__
from unify.render.renderer import RenderOptions
from unify.render.text import (
    SEVERITY_ORDER,
    baseline_of,
    baseline_order,
    drift_actual,
    fixed_findings,
    framework_label,
    result_label,
    result_location,
    shown_value,
    waiver_state,
)
from unify.results import VERDICTS, Result, Results, WaiverUse
from unify.views.compliance import CONTROL_STATUSES, compliance_view
from unify.views.drift import DriftRecord, drift_view
from unify.views.policy import PolicyGroup, policy_view

__all__ = ["CSP", "html_report", "render_html"]

CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

#: Colours of the control statuses, in CONTROL_STATUSES order: (fill, text on it).
_STATUS_COLOURS: Final = {
    "met": ("#2e7d32", "#ffffff"),
    "not met": ("#c62828", "#ffffff"),
    "unknown": ("#f9a825", "#000000"),
    "waived": ("#7b1fa2", "#ffffff"),
    "manual": ("#78909c", "#ffffff"),
    "not applicable": ("#cfd8dc", "#000000"),
}

_CSS: Final = """
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#ffffff;--muted:#57606a;--line:#d0d7de;--head:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#8d96a0;--line:#30363d;--head:#161b22}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1280px;padding:24px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:24px;margin:0 0 8px}h2{font-size:20px;margin:32px 0 8px;padding-bottom:4px;border-bottom:1px solid
var(--line)}h3{font-size:16px;margin:20px 0 6px}
a{color:inherit}
nav{margin:12px 0;display:flex;flex-wrap:wrap;gap:12px}
dl.info{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}dl.info dt{color:var(--muted)}
dl.info dd{margin:0;word-break:break-all}
table{border-collapse:collapse;width:100%;margin:8px 0 16px}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--head)}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
td.text{white-space:pre-wrap;word-break:break-word}
.id,.loc,.where{color:var(--muted);font-size:12px;word-break:break-all}
.gate{padding:8px 12px;border-radius:6px;border:1px solid var(--line);font-weight:600}
.gate-0{border-color:#2e7d32}.gate-1{border-color:#c62828}.gate-2{border-color:#6a1b9a}.gate-3{border-color:#f9a825}
.badge{display:inline-block;padding:0 6px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}
.sev-critical{background:#7f0000;color:#fff}.sev-high{background:#c62828;color:#fff}
.sev-medium{background:#f9a825;color:#000}.sev-low{background:#1565c0;color:#fff}.sev-info{background:#78909c;color:#fff}
.st-met{background:#2e7d32;color:#fff}.st-not-met{background:#c62828;color:#fff}.st-unknown{background:#f9a825;color:#000}
.st-waived{background:#7b1fa2;color:#fff}.st-manual{background:#78909c;color:#fff}
.st-not-applicable{background:#cfd8dc;color:#000}
.w-active{background:#2e7d32;color:#fff}.w-expired{background:#c62828;color:#fff}.w-unused{background:#f9a825;color:#000}
.w-not-evaluated{background:#78909c;color:#fff}
.b-new{background:#c62828;color:#fff}.b-existing{background:#78909c;color:#fff}.b-fixed{background:#2e7d32;color:#fff}
.none{color:var(--muted);font-style:italic}
svg.chart{max-width:100%;height:auto}svg.chart text{fill:var(--fg);font:12px system-ui,sans-serif}
svg.chart text.in{font-weight:600}
details>summary{cursor:pointer;margin:6px 0}h3.inline{display:inline}
footer{margin-top:32px;color:var(--muted);font-size:12px}
@media print{nav{display:none}}
"""


def _h(value: Any) -> str:
    """HTML-escape anything (quotes too, so the result is safe inside attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _badge(kind: str, value: str) -> str:
    return f'<span class="badge {kind}-{_slug(value)}">{_h(value)}</span>'


def _none(text: str) -> str:
    return f'<p class="none">{_h(text)}</p>\n'


def _html_resource(result: Result) -> str:
    label = result_label(result)
    parts = [f"<b>{_h(label)}</b>"]
    if result.resource != label:
        parts.append(f'<span class="id">{_h(result.resource)}</span>')
    where = result_location(result)
    if where:
        parts.append(f'<span class="where">{_h(where)}</span>')
    if result.address and result.address != label:
        parts.append(f'<span class="loc">Terraform: {_h(result.address)}</span>')
    return "<br>".join(parts)


def _table(header: Sequence[str], rows: Iterable[str], numeric: Sequence[int] = ()) -> str:
    cells = "".join(
        f'<th class="n">{_h(h)}</th>' if i in numeric else f"<th>{_h(h)}</th>" for i, h in enumerate(header)
    )
    return f"<table>\n<thead><tr>{cells}</tr></thead>\n<tbody>\n{''.join(rows)}</tbody>\n</table>\n"


def render_html(results: Results, stream: IO[str], options: RenderOptions) -> None:
    stream.write(html_report(results, options))


def html_report(results: Results, options: RenderOptions) -> str:
    """One self-contained HTML document; the same results give the same text."""
    info = results.snapshot
    gate = options.gate(results)
    view = policy_view(results)
    check_anchor = {group.check.id: f"check-{i}" for i, group in enumerate(view.groups, 1)}
    sections: list[tuple[str, str, Callable[[], str]]] = [
        ("posture", "Compliance posture", lambda: _html_posture(results)),
        ("controls", "Controls", lambda: _html_controls(results, check_anchor)),
        ("failing", "Failing resources", lambda: _html_failing(view.groups, check_anchor) + _html_fixed(results)),
        ("unknown", "Unknown results", lambda: _html_unknown(view.unknown)),
        ("errors", "Check errors", lambda: _html_errors(results, view.errors)),
        ("waivers", "Waivers", lambda: _html_waivers(results.waivers, view.waived)),
        ("drift", "Drift", lambda: _html_drift(drift_view(results))),
        ("coverage", "Coverage gaps", lambda: _html_coverage(info.coverage_errors)),
    ]
    summary = results.summary()
    counts = view.failure_counts()
    out = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n',  # a constant: no double quote
        '<meta name="referrer" content="no-referrer">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>unify audit: {_h(info.source)} snapshot {_h(info.taken_at)}</title>\n",
        f"<style>{_CSS}</style>\n</head>\n<body>\n<header>\n<h1>unify audit report</h1>\n",
        '<dl class="info">\n',
        *(
            f"<dt>{_h(k)}</dt><dd>{_h(v)}</dd>\n"
            for k, v in (
                ("Snapshot source", info.source),
                ("Taken at", info.taken_at),
                ("Digest", info.digest),
                ("Resources", f"{info.resources:,}"),
                ("Accounts", ", ".join(info.accounts) or "none"),
                ("Regions", ", ".join(info.regions) or "none"),
                ("Checks", f"{len(results.checks):,}"),
                ("Framework", results.framework or "all"),
                *_baseline_info(results),
            )
        ),
        "</dl>\n",
        f'<p class="gate gate-{gate.code}">Exit {gate.code} (--fail-on {_h(options.fail_on)}): {_h(gate.reason)}</p>\n',
        _table(
            [v.title() for v in VERDICTS],
            ["<tr>" + "".join(f'<td class="n">{summary[v]:,}</td>' for v in VERDICTS) + "</tr>\n"],
            numeric=range(len(VERDICTS)),
        ),
        _table(
            [f"Failing: {s}" for s in SEVERITY_ORDER],
            ["<tr>" + "".join(f'<td class="n">{counts.get(s, 0):,}</td>' for s in SEVERITY_ORDER) + "</tr>\n"],
            numeric=range(len(SEVERITY_ORDER)),
        ),
        "<nav>" + "".join(f'<a href="#{anchor}">{_h(title)}</a>' for anchor, title, _ in sections) + "</nav>\n",
        "</header>\n<main>\n",
    ]
    for anchor, title, build in sections:
        out.append(f'<section id="{anchor}">\n<h2>{_h(title)}</h2>\n{build()}</section>\n')
    out.append(
        f"</main>\n<footer>Rendered by unify {_h(__version__)} from snapshot {_h(info.digest)}. "
        "Self-contained: no scripts, no network.</footer>\n</body>\n</html>\n"
    )
    return "".join(out)


def _baseline_info(results: Results) -> list[tuple[str, str]]:
    info = getattr(results, "baseline", None)
    if info is None:
        return []
    return [("Baseline", f"{info.source}: {info.new:,} new, {info.existing:,} existing, {info.fixed:,} fixed")]


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text.removesuffix(".0")


def _html_posture(results: Results) -> str:
    frameworks = results.framework_ids
    if not frameworks:
        return _none("No check maps to a compliance framework.")
    views = [compliance_view(results, fw) for fw in frameworks]
    label_w, bar_x, bar_w, total_w = 300, 310, 540, 1000
    row_h, gap, top = 24, 14, 40
    height = top + len(views) * (row_h + gap) + 4
    parts = [
        (
            f'<svg class="chart" role="img" aria-labelledby="posture-title" viewBox="0 0 {total_w} {height}" '
            f'width="{total_w}" height="{height}">\n'
            '<title id="posture-title">Controls by status per framework</title>\n'
        )
    ]
    x = 0
    for status in CONTROL_STATUSES:  # legend
        fill, _ = _STATUS_COLOURS[status]
        parts.append(
            f'<rect x="{x}" y="6" width="12" height="12" fill="{fill}"/><text x="{x + 16}" y="16">{_h(status)}</text>\n'
        )
        x += 24 + 8 * len(status) + 12
    for i, view in enumerate(views):
        y = top + i * (row_h + gap)
        counts = view.summary()
        total = counts["total"]
        label = framework_label(view)
        short = label if len(label) <= 40 else label[:39] + "…"
        parts.append(
            f"<g><title>{_h(label)}: {total} control(s)</title>"
            f'<text x="{label_w}" y="{y + row_h / 2 + 4:g}" text-anchor="end">{_h(short)}</text></g>\n'
        )
        parts.append(f'<rect x="{bar_x}" y="{y}" width="{bar_w}" height="{row_h}" fill="none" stroke="#8c959f"/>\n')
        done = 0
        for status in CONTROL_STATUSES:
            n = counts[status]
            if not n:
                continue
            x0 = bar_x + bar_w * done / total
            done += n
            x1 = bar_x + bar_w * done / total
            fill, ink = _STATUS_COLOURS[status]
            parts.append(
                f"<g><title>{_h(label)}: {n} {_h(status)} of {total}</title>"
                f'<rect x="{_num(x0)}" y="{y}" width="{_num(x1 - x0)}" height="{row_h}" fill="{fill}"/>'
            )
            if x1 - x0 >= 8 * len(str(n)) + 6:
                parts.append(
                    f'<text class="in" x="{_num((x0 + x1) / 2)}" y="{y + row_h / 2 + 4:g}" '
                    f'text-anchor="middle" style="fill:{ink}">{n}</text>'
                )
            parts.append("</g>\n")
        met = counts["met"]
        parts.append(
            f'<text x="{bar_x + bar_w + 10}" y="{y + row_h / 2 + 4:g}">'
            f"{met}/{total} met{'' if total else ' (no controls)'}</text>\n"
        )
    parts.append("</svg>\n")
    rows = []
    for view in views:
        counts = view.summary()
        rows.append(
            f"<tr><td>{_h(framework_label(view))}</td>"
            + "".join(f'<td class="n">{counts[s]}</td>' for s in CONTROL_STATUSES)
            + f'<td class="n">{counts["automated"]}/{counts["total"]}</td></tr>\n'
        )
    numeric = range(1, len(CONTROL_STATUSES) + 2)
    return "".join(parts) + _table(["Framework", *(s.title() for s in CONTROL_STATUSES), "Automated"], rows, numeric)


def _html_controls(results: Results, check_anchor: dict[str, str]) -> str:
    frameworks = results.framework_ids
    if not frameworks:
        return _none("No check maps to a compliance framework.")
    out = []
    for fw in frameworks:
        view = compliance_view(results, fw)
        counts = view.summary()
        status_line = ", ".join(f"{counts[s]} {s}" for s in CONTROL_STATUSES if counts[s])
        version = f" {view.version}" if view.version else ""
        catalog = "" if view.has_catalog else " (no catalog: controls are those the checks name)"
        open_ = " open" if len(frameworks) == 1 else ""
        out.append(
            f'<details{open_}><summary><h3 class="inline">{_h(framework_label(view))}{_h(version)}'
            f"</h3> {_h(status_line)}{_h(catalog)}</summary>\n"
        )
        rows = []
        for control in view.controls:
            checks = ", ".join(
                f'<a href="#{check_anchor[c]}">{_h(c)}</a>' if c in check_anchor else _h(c) for c in control.checks
            )
            rows.append(
                f"<tr><td>{_h(control.id)}</td><td>{_h(control.title)}</td>"
                f"<td>{_badge('st', control.status)}</td><td>{checks}</td></tr>\n"
            )
        out.append(_table(["Control", "Title", "Status", "Checks"], rows) if rows else _none("No controls."))
        out.append("</details>\n")
    return "".join(out)


def _html_failing(groups: Sequence[PolicyGroup], check_anchor: dict[str, str]) -> str:
    if not groups:
        return _none("No failing resources.")
    with_baseline = any(baseline_of(r) is not None for g in groups for r in g.failures)
    rows = []
    for group in groups:
        check = group.check
        ordered = baseline_order(group.failures)
        span = len(ordered)
        for i, result in enumerate(ordered):
            cells = []
            if i == 0:
                rs = f' rowspan="{span}"' if span > 1 else ""
                title = f"<br>{_h(check.title)}" if check.title and check.title != check.id else ""
                cells.append(f"<td{rs}>{_badge('sev', check.severity)}</td>")
                cells.append(
                    f'<td{rs}><b>{_h(check.id)}</b>{title}<br><span class="loc">{_h(check.location)}'
                    f"</span><br>{span:,} resource(s)</td>"
                )
            if with_baseline:
                status = baseline_of(result)
                cells.append(f"<td>{_badge('b', status) if status else ''}</td>")
            cells.append(f"<td>{_html_resource(result)}</td>")
            cells.append(f'<td class="text">{_h(result.reason)}</td>')
            if i == 0:
                cells.append(f'<td{rs} class="text">{_h(check.remediation)}</td>')
            anchor = f' id="{check_anchor[check.id]}"' if i == 0 else ""
            rows.append(f"<tr{anchor}>{''.join(cells)}</tr>\n")
    total = sum(len(g.failures) for g in groups)
    header = ["Severity", "Check", *(["Baseline"] if with_baseline else []), "Resource", "Reason", "Remediation"]
    return f"<p>{total:,} failing result(s) in {len(groups):,} check(s), most severe first.</p>\n" + _table(
        header, rows
    )


def _html_fixed(results: Results) -> str:
    fixed, vanished = fixed_findings(results)
    if not fixed and not vanished:
        return ""
    rows = [
        *(f"<tr><td>{_h(r.check)}</td><td>{_html_resource(r)}</td><td>{_h(r.verdict)}</td></tr>\n" for r in fixed),
        *(
            f"<tr><td>{_h(check)}</td><td><b>{_h(resource)}</b></td><td>resource gone</td></tr>\n"
            for check, resource in vanished
        ),
    ]
    return f"<h3>Fixed since the baseline: {len(rows):,}</h3>\n" + _table(["Check", "Resource", "Now"], rows)


def _html_unknown(found: Sequence[Result]) -> str:
    if not found:
        return _none("Every result was decided.")
    rows = [
        f"<tr><td>{_badge('sev', r.severity)}</td><td>{_h(r.check)}</td><td>{_html_resource(r)}</td>"
        f'<td class="text">{_h(r.reason)}</td></tr>\n'
        for r in baseline_order(found)
    ]
    return (
        f"<p>{len(found):,} result(s) could not be decided: the data was not observed. "
        "They are never counted as passing.</p>\n" + _table(["Severity", "Check", "Resource", "Reason"], rows)
    )


def _html_errors(results: Results, found: Sequence[Result]) -> str:
    if not found:
        return _none("No check errors.")
    rows = [
        f'<tr><td>{_h(r.check)}</td><td class="loc">{_h(results.check(r.check).location)}</td>'
        f'<td>{_html_resource(r)}</td><td class="text">{_h(r.reason)}</td></tr>\n'
        for r in found
    ]
    return f"<p>{len(found):,} result(s) could not be evaluated: defects in checks.</p>\n" + _table(
        ["Check", "File", "Resource", "Reason"], rows
    )


def _html_waivers(uses: Sequence[WaiverUse], waived: Sequence[Result]) -> str:
    if not uses:
        return _none("No waivers loaded.")
    rows = []
    for use in uses:
        waiver = use.waiver
        rows.append(
            f"<tr><td>{_badge('w', waiver_state(use))}</td><td>{_h(waiver.check)}</td>"
            f"<td>{'<br>'.join(_h(p) for p in waiver.resources)}</td>"
            f"<td>{_h(waiver.expires.isoformat() if waiver.expires else 'never')}</td>"
            f'<td class="text">{_h(waiver.reason)}</td><td>{_h(waiver.owner)}</td><td>{_h(waiver.ticket)}</td>'
            f'<td class="n">{use.applied:,}</td><td class="n">{use.matched_while_expired:,}</td>'
            f'<td class="loc">{_h(waiver.location)}</td></tr>\n'
        )
    out = _table(
        [
            "Status",
            "Check",
            "Resources",
            "Expires",
            "Reason",
            "Owner",
            "Ticket",
            "Applied",
            "Matched while expired",
            "File",
        ],
        rows,
        numeric=(7, 8),
    )
    if waived:
        waived_rows = [
            f"<tr><td>{_h(r.check)}</td><td>{_html_resource(r)}</td>"
            f'<td class="text">{_h(r.waiver.reason if r.waiver else r.reason)}</td>'
            f"<td>{_h(r.waiver.expires.isoformat() if r.waiver and r.waiver.expires else 'never')}</td>"
            f"<td>{_h(r.original or '')}</td></tr>\n"
            for r in waived
        ]
        out += f"<h3>Waived results: {len(waived):,}</h3>\n" + _table(
            ["Check", "Resource", "Waiver reason", "Expires", "Was"], waived_rows
        )
    return out


def _html_drift(records: Sequence[DriftRecord]) -> str:
    if not records:
        return _none("No differences from the declared state.")
    rows = [
        f"<tr><td><b>{_h(r.name or r.resource)}</b>{_drift_id(r)}</td><td>{_h(r.type)}</td>"
        f"<td>{_h(r.path or '(resource)')}</td>"
        f'<td class="text">{_h(shown_value(r.expected, 2000))}</td><td class="text">{_h(drift_actual(r, 2000))}</td>'
        f"<td>{_h(r.check)}{' (waived)' if r.waived else ''}</td></tr>\n"
        for r in records
    ]
    return f"<p>{len(records):,} difference(s) from the declared state.</p>\n" + _table(
        ["Resource", "Type", "Path", "Expected", "Actual", "Check"], rows
    )


def _drift_id(record: DriftRecord) -> str:
    if record.name and record.name != record.resource:
        return f'<br><span class="id">{_h(record.resource)}</span>'
    return ""


def _html_coverage(gaps: Sequence[dict[str, Any]]) -> str:
    if not gaps:
        return _none("No coverage gaps: every type, account and region observed was listed completely.")
    rows = [
        f"<tr><td>{_h(g.get('type'))}</td><td>{_h(g.get('account'))}</td><td>{_h(g.get('region'))}</td>"
        f"<td>{_h((g.get('error') or {}).get('code'))}</td>"
        f'<td class="text">{_h((g.get("error") or {}).get("message"))}</td></tr>\n'
        for g in gaps
    ]
    return (
        f"<p>{len(gaps):,} type(s) x account x region could not be listed; checks over them are unknown.</p>\n"
        + _table(["Type", "Account", "Region", "Error code", "Message"], rows)
    )
