"""The ``html`` report: one self-contained, interactive file to read, archive or attach to a CI run.

Everything is in the HTML itself: posture charts (failing results by
severity, account, region and service; controls by status per framework),
a findings table holding every result, the controls with their evidence,
check errors, waivers, drift and coverage gaps. A small inline script
(``report.js``) adds search, sorting, filters and drill-down (a control to
its results, a result to its resource); without it the page still shows
every row, and the print stylesheet prints what is shown. There is no
network: no external file of any kind, and a Content-Security-Policy that
allows only the page's own script and style, by their hashes.

Every value from the estate or from policy and waiver files is HTML-escaped,
quotes too, and shortened past a sane length with a marker, so a bucket
named ``<script>`` prints as it is. The time of rendering is never shown
and every list has a fixed order: the same results give the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import resources
from typing import IO, Any, Final
from urllib.parse import quote

from unify import __version__
from unify.checks.policy_set import severity_rank
from unify.render.renderer import RenderOptions
from unify.render.text import (
    SEVERITY_ORDER,
    baseline_of,
    drift_actual,
    fixed_findings,
    framework_label,
    group_header,
    group_rows,
    justification,
    relevant_gaps,
    report_groupings,
    result_label,
    result_location,
    shorten,
    shown_value,
    waiver_state,
)
from unify.results import VERDICTS, Result, Results, WaiverUse
from unify.views.compliance import CONTROL_STATUSES, ComplianceView, compliance_view
from unify.views.drift import DriftRecord, drift_view
from unify.views.policy import policy_view

__all__ = ["CSP", "SCRIPT", "STYLE", "html_report", "render_html"]


def _asset(name: str) -> str:
    return resources.files("unify.render").joinpath(name).read_text(encoding="utf-8")


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


#: The report's only script and only style sheet; the policy below allows exactly these.
SCRIPT: Final = _asset("report.js")
STYLE: Final = _asset("report.css")
CSP: Final = (
    f"default-src 'none'; script-src {_digest(SCRIPT)}; style-src {_digest(STYLE)}; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
#: Characters of one value the report shows: enough for any real name, reason or policy text.
_LIMIT: Final = 2_000
#: Bars a chart of accounts, regions or services shows before "others".
_BARS: Final = 12
#: Verdicts in the order the findings table lists them; new findings before existing ones.
_VERDICT_ORDER: Final = ("fail", "error", "unknown", "waived", "pass")
_BASELINE_RANK: Final = {"new": 0, "existing": 1, "fixed": 2}

#: Colours of the control statuses, in CONTROL_STATUSES order: (fill, text class on it).
_STATUS_COLOURS: Final = {
    "met": ("#2e7d32", "ink-light"),
    "not met": ("#c62828", "ink-light"),
    "unknown": ("#f9a825", "ink-dark"),
    "waived": ("#7b1fa2", "ink-light"),
    "manual": ("#78909c", "ink-light"),
    "not applicable": ("#cfd8dc", "ink-dark"),
}
_SEVERITY_FILL: Final = {
    "critical": "#7f0000",
    "high": "#c62828",
    "medium": "#f9a825",
    "low": "#1565c0",
    "info": "#78909c",
}


def _h(value: Any, limit: int = _LIMIT) -> str:
    """HTML-escape anything (quotes too, so it is safe inside attributes), cut past ``limit``."""
    return html.escape(shorten(value, limit), quote=True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _badge(kind: str, value: str) -> str:
    return f'<span class="badge {kind}-{_slug(value)}">{_h(value)}</span>'


def _none(text: str) -> str:
    return f'<p class="none">{_h(text)}</p>\n'


def _table(header: Sequence[str], rows: Iterable[str], numeric: Iterable[int] = ()) -> str:
    right = set(numeric)
    cells = "".join(f'<th class="n">{_h(h)}</th>' if i in right else f"<th>{_h(h)}</th>" for i, h in enumerate(header))
    body = "".join(rows)
    return f'<div class="scroll"><table>\n<thead><tr>{cells}</tr></thead>\n<tbody>\n{body}</tbody>\n</table></div>\n'


def _href(kind: str, value: str) -> str:
    """A fragment the script reads to filter the findings table (``#control=cis-aws-v7.0:2.10``)."""
    return _h(f"#{kind}={quote(value, safe=':/@')}", 10_000)


def render_html(results: Results, stream: IO[str], options: RenderOptions) -> None:
    stream.write(html_report(results, options))


def html_report(results: Results, options: RenderOptions) -> str:
    """One self-contained HTML document; the same results give the same text."""
    info = results.snapshot
    gate = options.gate(results)
    sections: list[tuple[str, str, Callable[[], str]]] = [
        ("posture", "Posture", lambda: _html_posture(results, options.services)),
        *(
            [("accounts", "By account, OU and region", lambda: _html_groups(results))]
            if report_groupings(results)
            else []
        ),
        ("findings", "Findings", lambda: _html_findings(results, options.services)),
        ("controls", "Controls", lambda: _html_controls(results)),
        ("errors", "Check errors", lambda: _html_errors(results)),
        ("waivers", "Waivers", lambda: _html_waivers(results.waivers)),
        ("drift", "Drift", lambda: _html_drift(drift_view(results))),
        ("coverage", "Coverage gaps", lambda: _html_coverage(relevant_gaps(results))),
    ]
    summary = results.summary()
    counts = policy_view(results).failure_counts()
    out = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n',  # a constant: no double quote
        '<meta name="referrer" content="no-referrer">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>unify audit: {_h(info.source)} snapshot {_h(info.taken_at)}</title>\n",
        f"<style>{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>unify audit report</h1>\n",
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
        "Self-contained: no network; one inline script, allowed by its hash.</footer>\n"
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )
    return "".join(out)


def _baseline_info(results: Results) -> list[tuple[str, str]]:
    info = results.baseline
    if info is None:
        return []
    return [("Baseline", f"{info.source}: {info.new:,} new, {info.existing:,} existing, {info.fixed:,} fixed")]


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


# -- posture ------------------------------------------------------------------------------------------------


def _service(result: Result, services: Mapping[str, str]) -> str:
    return services.get(result.type, "other")


def _bars(title: str, key: str, items: Sequence[tuple[str, str, int]], fills: Mapping[str, str] | None = None) -> str:
    """A horizontal bar chart, one linked bar per (label, filter value, count): a click filters the findings."""
    if not items:
        return ""
    label_w, bar_x, bar_w, row_h, gap = 150, 160, 240, 18, 6
    height = len(items) * (row_h + gap) + 4
    top = max(count for _, _, count in items) or 1
    parts = [
        (
            f'<figure><figcaption>{_h(title)}</figcaption>\n<svg class="chart" role="img" viewBox="0 0 460 {height}" '
            f'width="460" height="{height}"><title>{_h(title)}</title>\n'
        )
    ]
    for i, (label, value, count) in enumerate(items):
        y = i * (row_h + gap)
        short = label if len(label) <= 22 else label[:21] + "…"
        width = bar_w * count / top
        fill = (fills or {}).get(value)
        paint = f' fill="{fill}"' if fill else ' class="bar"'
        parts.append(
            f'<a href="{_href("filter", f"{key}:{value}")}"><g><title>{_h(label)}: {count:,}</title>'
            f'<text x="{label_w}" y="{y + 13}" text-anchor="end">{_h(short)}</text>'
            f'<rect x="{bar_x}" y="{y}" width="{_num(max(width, 1))}" height="{row_h}"{paint}/>'
            f'<text x="{_num(bar_x + max(width, 1) + 6)}" y="{y + 13}">{count:,}</text></g></a>\n'
        )
    parts.append("</svg></figure>\n")
    return "".join(parts)


def _top(counter: Counter[str]) -> list[tuple[str, str, int]]:
    ordered = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    items = [(name, name, n) for name, n in ordered[:_BARS]]
    rest = sum(n for _, n in ordered[_BARS:])
    if rest:
        items.append((f"{len(ordered) - _BARS} others", "", rest))
    return items


def _html_posture(results: Results, services: Mapping[str, str]) -> str:
    failing = [r for r in results if r.verdict == "fail"]
    counts = Counter(r.severity for r in failing)
    severity = [(s, s, counts.get(s, 0)) for s in SEVERITY_ORDER]
    charts = [_bars("Failing results by severity", "severity", severity, _SEVERITY_FILL)]
    if failing:
        charts.append(
            _bars("Failing results by account", "account", _top(Counter(r.account or "none" for r in failing)))
        )
        charts.append(_bars("Failing results by region", "region", _top(Counter(r.region or "none" for r in failing))))
        charts.append(
            _bars("Failing results by service", "service", _top(Counter(_service(r, services) for r in failing)))
        )
    out = '<div class="charts">\n' + "".join(charts) + "</div>\n"
    if not failing:
        out += _none("No failing resources.")
    return out + _html_frameworks(results)


def _html_frameworks(results: Results) -> str:
    frameworks = results.framework_ids
    if not frameworks:
        return _none("No check maps to a compliance framework.")
    views = [compliance_view(results, fw) for fw in frameworks]
    label_w, bar_x, bar_w, total_w = 300, 310, 540, 1000
    row_h, gap, top = 24, 14, 40
    height = top + len(views) * (row_h + gap) + 4
    parts = [
        (
            "<h3>Controls by status, per framework</h3>\n"
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
                    f'<text class="in {ink}" x="{_num((x0 + x1) / 2)}" y="{y + row_h / 2 + 4:g}" '
                    f'text-anchor="middle">{n}</text>'
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
    note = (
        '<p class="none">Automated: the controls at least one check gives evidence for, of all the controls in '
        "the framework's catalog; the others are manual, for people to assess.</p>\n"
    )
    return (
        "".join(parts)
        + _table(["Framework", *(s.title() for s in CONTROL_STATUSES), "Automated"], rows, numeric)
        + note
    )


# -- findings ---------------------------------------------------------------------------------------------


def _option(value: str, label: str, selected: bool = False) -> str:
    return f'<option value="{_h(value)}"{" selected" if selected else ""}>{_h(label)}</option>'


def _select(key: str, label: str, values: Iterable[str], default: str = "", first: str = "all") -> str:
    options = [_option("", first, not default)]
    if key == "verdict":
        options.append(_option("!pass", "all but pass", default == "!pass"))
    options.extend(_option(value, value) for value in values)
    return (
        f'<label>{_h(label)} <select data-filter="{key}" data-default="{_h(default)}">'
        + "".join(options)
        + "</select></label>\n"
    )


def _resource_cell(result: Result) -> str:
    rid = shorten(result.resource, _LIMIT)
    label = result_label(result)
    parts = [f'<a class="res-link" href="{_href("resource", rid)}">{_h(label)}</a>']
    if result.resource != label:
        parts.append(f'<span class="id">{_h(result.resource)}</span>')
    where = result_location(result)
    if where:
        parts.append(f'<span class="where">{_h(where)}</span>')
    if result.address and result.address != label:
        parts.append(f'<span class="where">Terraform: {_h(result.address)}</span>')
    return "".join(parts)


def _controls_cell(result: Result) -> str:
    pairs = [f"{fw}:{cid}" for fw, ids in result.controls.items() for cid in ids]
    if not pairs:
        return ""
    listed = "<br>".join(_h(pair) for pair in pairs)
    return f"<details><summary>{len(pairs)} control{'s' if len(pairs) != 1 else ''}</summary>{listed}</details>"


def _finding_row(result: Result, results: Results, services: Mapping[str, str]) -> str:
    check = results.check(result.check)
    data = {
        "verdict": result.verdict,
        "severity": result.severity,
        "rank": str(4 - severity_rank(result.severity)),
        "check": result.check,
        "resource": shorten(result.resource, _LIMIT),
        "name": shorten(result.name or "", _LIMIT),
        "type": result.type,
        "account": result.account or "",
        "region": result.region or "",
        "service": _service(result, services),
        "address": shorten(result.address or "", _LIMIT),
        "frameworks": " ".join(result.controls),
        "controls": " ".join(f"{fw}:{cid}" for fw, ids in result.controls.items() for cid in ids),
    }
    attributes = "".join(f' data-{key}="{html.escape(value, quote=True)}"' for key, value in data.items())
    baseline = baseline_of(result)
    verdict = _badge("v", result.verdict) + (f" {_badge('b', baseline)}" if baseline else "")
    title = f'<span class="title">{_h(check.title)}</span>' if check.title and check.title != check.id else ""
    reason = justification(result) if result.verdict == "waived" else result.reason
    fix = check.remediation if result.verdict in ("fail", "unknown") else ""
    return (
        f"<tr{attributes}><td>{_badge('sev', result.severity)}</td><td>{verdict}</td>"
        f'<td class="check"><b>{_h(check.id)}</b>{title}</td><td class="res">{_resource_cell(result)}</td>'
        f'<td class="reason">{_h(reason)}</td><td class="fix">{_h(fix)}</td><td>{_controls_cell(result)}</td></tr>\n'
    )


def _html_findings(results: Results, services: Mapping[str, str]) -> str:
    if not results.results:
        return _none("No results: no check had a resource in scope.") + _html_fixed(results)
    ordered = sorted(
        results.results,
        key=lambda r: (
            _VERDICT_ORDER.index(r.verdict),
            -severity_rank(r.severity),
            r.check,
            _BASELINE_RANK.get(baseline_of(r) or "", len(_BASELINE_RANK)),
            r.resource,
        ),
    )
    summary = results.summary()
    failing = summary["fail"]
    lead = (
        f"<p>{failing:,} failing result(s), {summary['unknown']:,} unknown, {summary['error']:,} error(s), "
        f"{summary['waived']:,} waived and {summary['pass']:,} passing, most severe first. "
        "Unknown results were not decided (the data was not observed) and never count as passing.</p>\n"
    )
    if not failing:
        lead = _none("No failing resources.") + lead
    accounts = sorted({r.account for r in results if r.account})
    regions = sorted({r.region for r in results if r.region})
    frameworks = sorted({fw for r in results for fw in r.controls})
    filters = (
        '<div id="filters" hidden>\n'
        '<label>Search <input id="search" type="search" placeholder="check, resource, reason..." '
        'autocomplete="off"></label>\n'
        + _select("verdict", "Verdict", _VERDICT_ORDER, "!pass")
        + _select("severity", "Severity", SEVERITY_ORDER)
        + _select("frameworks", "Framework", frameworks)
        + _select("account", "Account", accounts)
        + _select("region", "Region", regions)
        + _select("service", "Service", sorted({_service(r, services) for r in results}))
        + '<button type="button" id="reset">Show all</button><span id="shown" aria-live="polite"></span>\n'
        "</div>\n"
        '<p id="scope" hidden><span id="scope-text"></span> <a class="drill" href="#findings">Back to every '
        "result</a></p>\n"
        '<div id="resource-panel" hidden></div>\n'
    )
    header = [("rank", "Severity"), ("verdict", "Verdict"), ("check", "Check"), ("resource", "Resource")]
    head = "".join(f'<th><button type="button" data-sort="{key}">{_h(label)}</button></th>' for key, label in header)
    head += "<th>Reason</th><th>Fix</th><th>Controls</th>"
    rows = "".join(_finding_row(result, results, services) for result in ordered)
    table = (
        f'<div class="scroll"><table id="findings-table">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}'
        "</tbody>\n</table></div>\n"
    )
    return lead + filters + table + _html_fixed(results)


def _html_groups(results: Results) -> str:
    """The results by account, OU and region; an account or region links to the findings filtered to it."""
    parts = []
    for title, groups in report_groupings(results):
        if not groups:
            continue
        by = groups[0].by
        rows = []
        for group in groups:
            cells = group_rows(group)
            first = _h(cells[0])
            if by in ("account", "region") and group.key:
                first = f'<a href="{_href("filter", f"{by}:{group.key}")}">{first}</a>'
            rest = "".join(
                f'<td class="n">{_h(c)}</td>' if i >= 1 else f"<td>{_h(c)}</td>" for i, c in enumerate(cells[1:])
            )
            rows.append(f"<tr><td>{first}</td>{rest}</tr>\n")
        header = group_header(by, results.framework_ids)
        parts.append(f"<h3>{_h(title)}</h3>\n" + _table(header, rows, numeric=range(2, len(header))))
    return "".join(parts)


def _html_fixed(results: Results) -> str:
    fixed, vanished = fixed_findings(results)
    if not fixed and not vanished:
        return ""
    rows = [
        *(f"<tr><td>{_h(r.check)}</td><td>{_resource_cell(r)}</td><td>{_h(r.verdict)}</td></tr>\n" for r in fixed),
        *(
            f"<tr><td>{_h(check)}</td><td><b>{_h(resource)}</b></td><td>resource gone</td></tr>\n"
            for check, resource in vanished
        ),
    ]
    return f"<h3>Fixed since the baseline: {len(rows):,}</h3>\n" + _table(["Check", "Resource", "Now"], rows)


# -- controls, errors, waivers, drift, coverage ---------------------------------------------------------------


def _html_controls(results: Results) -> str:
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
        out.append(
            f'<details open><summary><h3 class="inline">{_h(framework_label(view))}{_h(version)}'
            f"</h3> {_h(status_line)}{_h(catalog)}</summary>\n"
        )
        rows = []
        for control in view.controls:
            verdicts = control.counts
            evidence = ", ".join(f"{verdicts[v]} {v}" for v in VERDICTS if verdicts.get(v))
            drill = (
                f'<a class="drill" href="{_href("control", f"{fw}:{control.id}")}">{_h(evidence)}</a>'
                if evidence
                else ""
            )
            rows.append(
                f"<tr><td>{_h(control.id)}</td><td>{_h(control.title)}</td>"
                f"<td>{_badge('st', control.status)}</td><td>{_h(control.evidence_text())}</td>"
                f"<td>{_h(', '.join(control.checks))}</td><td>{drill}</td></tr>\n"
            )
        out.append(_html_families(view))
        out.append(
            _table(["Control", "Title", "Status", "Evidence", "Checks", "Results"], rows)
            if rows
            else _none("No controls.")
        )
        if counts["partial_evidence"]:
            out.append(
                f'<p class="none">{counts["partial_evidence"]:,} of the automated controls rest on partial '
                "evidence: the checks support the control but do not cover all of it.</p>\n"
            )
        out.append("</details>\n")
    return "".join(out)


def _html_families(view: ComplianceView) -> str:
    """The roll-up by family (NIST's AC, AU...), shown when a framework has more than one."""
    families = view.families()
    if len(families) < 2:
        return ""
    statuses = ("met", "not met", "unknown", "manual")
    rows = [
        f"<tr><td>{_h(f.id)}</td><td>{_h(f.title)}</td>"
        + "".join(f'<td class="n">{f.counts[s]:,}</td>' for s in statuses)
        + f'<td class="n">{f.counts["partial_evidence"]:,}</td></tr>\n'
        for f in families
    ]
    head = ["Family", "Title", "Met", "Not met", "Unknown", "Manual", "Partial evidence"]
    return f"<h4>{_h(framework_label(view))}: controls by family</h4>\n{_table(head, rows, range(2, 7))}"


def _html_errors(results: Results) -> str:
    found = policy_view(results).errors
    if not found:
        return _none("No check errors.")
    rows = [
        f'<tr><td>{_h(r.check)}</td><td class="loc">{_h(results.check(r.check).location)}</td>'
        f'<td class="res">{_resource_cell(r)}</td><td class="reason">{_h(r.reason)}</td></tr>\n'
        for r in found
    ]
    return f"<p>{len(found):,} result(s) could not be evaluated: defects in checks.</p>\n" + _table(
        ["Check", "File", "Resource", "Reason"], rows
    )


def _html_waivers(uses: Sequence[WaiverUse]) -> str:
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
    header = [
        "Status",
        "Check",
        "Resources",
        "Expires",
        "Reason",
        "Owner",
        "Ticket",
        "Applied",
        "Matched while expired",
    ]
    return _table([*header, "File"], rows, numeric=(7, 8))


def _html_drift(records: Sequence[DriftRecord]) -> str:
    if not records:
        return _none("No differences from the declared state.")
    rows = [
        f"<tr><td><b>{_h(r.name or r.resource)}</b>{_drift_id(r)}</td><td>{_h(r.type)}</td>"
        f"<td>{_h(r.path or '(resource)')}</td>"
        f'<td class="text">{_h(shown_value(r.expected, _LIMIT))}</td>'
        f'<td class="text">{_h(drift_actual(r, _LIMIT))}</td>'
        f"<td>{_h(r.check)}{' (waived)' if r.waived else ''}</td></tr>\n"
        for r in records
    ]
    return f"<p>{len(records):,} difference(s) from the declared state.</p>\n" + _table(
        ["Resource", "Type", "Path", "Expected", "Actual", "Check"], rows
    )


def _drift_id(record: DriftRecord) -> str:
    if record.name and record.name != record.resource:
        return f'<span class="id">{_h(record.resource)}</span>'
    return ""


def _html_coverage(gaps: Sequence[Mapping[str, Any]]) -> str:
    if not gaps:
        return _none("No coverage gaps: every type, account and region the checks read was listed completely.")
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
