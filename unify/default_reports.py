"""Reports for people, registered through ``unify_register_renderers``: markdown and html.

``markdown`` is made for GitHub's job summary (``$GITHUB_STEP_SUMMARY``):
counts, the gate, failing results by severity and check in collapsible
blocks, what could not be decided, waivers, compliance, drift and coverage
gaps. GitHub refuses a step summary over 1 MiB, so the document is built
section by section against a byte budget; when the next row would pass it,
no more rows are added and the document says how many were left out.

``html`` is one self-contained file: no scripts, no external styles, fonts or
images, a strict Content-Security-Policy, and an inline SVG chart of the
compliance posture. It lists everything; it is the report to archive or to
attach to a CI run.

Both read only :class:`unify.Results` and its views. Every value that comes
from the estate or from policy and waiver files is escaped (HTML entities, and
in Markdown the characters that would start emphasis, links, code or a table
cell too), so a bucket named ``<script>`` or a tag value with ``|`` prints as
it is. Neither report holds the time it was rendered: the same results give
the same bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any, Final

from unify import __version__
from unify.checks import SEVERITIES
from unify.hookspecs import hookimpl
from unify.operators import MISSING, describe_value
from unify.renderers import Renderer, RendererRegistry, RenderOptions
from unify.results import VERDICTS, Result, Results, WaiverUse
from unify.views import CONTROL_STATUSES, ComplianceView, DriftRecord, PolicyGroup

__all__ = ["MARKDOWN_BUDGET", "CSP", "render_markdown", "render_html", "markdown_report", "html_report", "escape_markdown",
           "baseline_of", "baseline_order"]

#: Bytes (UTF-8) a Markdown report may take: under GitHub's 1 MiB step-summary limit.
MARKDOWN_BUDGET: Final = 1_000_000
#: Part of the budget kept for headings, closing tags and the notes on what was left out.
_RESERVE: Final = 16_384
#: Longest value (in characters) one Markdown cell shows.
_CELL_LIMIT: Final = 1_000

_SEVERITY_ORDER: Final = tuple(reversed(SEVERITIES))  # critical first
_SEVERITY_MARK: Final = {"critical": "🔴", "high": "🟠", "medium": "🟡", "low": "🔵", "info": "⚪"}
_GATE_MARK: Final = {0: "✅", 1: "❌", 2: "⛔", 3: "⚠️"}
_BASELINE_RANK: Final = {"new": 0, "existing": 1, "fixed": 2}


# -- shared helpers --------------------------------------------------------------


def baseline_of(result: Result) -> str | None:
    """A result's baseline status (``new``, ``existing``, ``fixed``) when it carries one."""
    value = getattr(result, "baseline", None)
    return None if value is None else str(value)


def baseline_order(found: Iterable[Result]) -> list[Result]:
    """New findings first, then existing, then fixed, then the rest; stable otherwise."""
    return sorted(found, key=lambda r: _BASELINE_RANK.get(baseline_of(r) or "", len(_BASELINE_RANK)))


def _where(account: str | None, region: str | None) -> str:
    return " / ".join(part for part in (account, region) if part)


def _label(result: Result) -> str:
    return result.name or result.resource


def _located(result: Result) -> str:
    """Where a result's resource lives; nothing for an account-wide result (its label is the account)."""
    return "" if _label(result) == result.account else _where(result.account, result.region)


def _value(value: Any, limit: int) -> str:
    if value is MISSING:
        return "absent"
    return describe_value(value, limit)


def _drift_actual(record: DriftRecord, limit: int) -> str:
    return "missing" if record.kind == "missing" else _value(record.actual, limit)


def _framework_label(view: ComplianceView) -> str:
    return f"{view.title} ({view.framework})" if view.title != view.framework else view.framework


def _waiver_state(use: WaiverUse) -> str:
    if use.status == "expired":
        return "expired"
    if not use.evaluated:
        return "not evaluated"
    return "unused" if use.unused else "active"


# -- markdown --------------------------------------------------------------------

_MD_ESCAPES: Final = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "|": "&#124;",
        "`": "&#96;",
        "\\": "&#92;",
        "*": "&#42;",
        "[": "&#91;",
        "]": "&#93;",
        "~": "&#126;",
        "$": "&#36;",
        "\u2028": " ",
        "\u2029": " ",
    }
)
_NEWLINES: Final = re.compile(r"\r\n|\r|\n")
#: ``_`` between two letters or digits can neither open nor close emphasis; elsewhere it is escaped.
_UNDERSCORE: Final = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_CONTROLS: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape_markdown(value: Any, limit: int = _CELL_LIMIT) -> str:
    """Text that GitHub Markdown shows as it is, on one line, safe in a table cell or inside HTML.

    ``&``, ``<`` and ``>`` become entities (so no markup survives), as do the
    characters that start Markdown code, emphasis, links, strikethrough, math
    or a table cell (``_`` only where it could start emphasis, so
    ``aws_s3_bucket`` stays readable); line breaks become ``<br>`` and other
    control characters U+FFFD. Quotes are left: no value goes into an
    attribute.
    """
    text = "" if value is None else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = _UNDERSCORE.sub("&#95;", _CONTROLS.sub("\ufffd", text).translate(_MD_ESCAPES))
    return _NEWLINES.sub("<br>", text)


_e = escape_markdown


def _nbytes(text: str) -> int:
    return len(text.encode("utf-8"))


class _Document:
    """Markdown built part by part against a byte budget.

    ``put`` adds structure (headings, closing tags, notes): small and bounded
    in number, paid from the reserve. ``fits`` asks whether rows may still be
    added; once one does not fit, none after it does (``full``), so each
    section lists a prefix of its rows and the sections after a cut list none.
    """

    def __init__(self, budget: int) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = budget - _RESERVE
        self.full = False
        self.left_out: dict[str, int] = {}

    def put(self, *texts: str) -> None:
        for text in texts:
            self.parts.append(text)
            self.size += _nbytes(text)

    def fits(self, *texts: str) -> bool:
        if self.full:
            return False
        if self.size + sum(_nbytes(t) for t in texts) > self.limit:
            self.full = True
            return False
        return True

    def skip(self, what: str, count: int) -> None:
        if count:
            self.left_out[what] = self.left_out.get(what, 0) + count

    def table(self, header: Sequence[str], rows: Iterable[str], total: int, what: str) -> int:
        """A table whose rows are added while they fit; returns how many were listed."""
        head = "| " + " | ".join(header) + " |\n|" + "|".join("---" for _ in header) + "|\n"
        listed = 0
        for row in rows:
            if not self.fits(*((head,) if listed == 0 else ()), row):
                break
            if listed == 0:
                self.put(head)
            self.put(row)
            listed += 1
        self.put("\n")
        self.more(total - listed, what)
        return listed

    def more(self, count: int, what: str) -> None:
        if count > 0:
            self.skip(what, count)
            self.put(_more_note(count, what))


def _more_note(count: int, what: str) -> str:
    return f"_… {count:,} more {what} left out (1 MiB limit; `--format json` or `--format html` has all)._\n\n"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |\n"


def _resource_cell(result: Result) -> str:
    label = _label(result)
    cell = f"**{_e(label)}**" if label else ""
    if result.resource != label:
        cell += f"<br><sub>{_e(result.resource)}</sub>"
    return cell


def _baseline_cell(result: Result) -> str:
    status = baseline_of(result)
    if status is None:
        return ""
    return "**🆕 new**" if status == "new" else _e(status)


def render_markdown(results: Results, stream: IO[str], options: RenderOptions) -> None:
    stream.write(markdown_report(results, options))


def markdown_report(results: Results, options: RenderOptions, budget: int = MARKDOWN_BUDGET) -> str:
    """The Markdown document, at most ``budget`` bytes in UTF-8."""
    doc = _Document(budget)
    info = results.snapshot
    doc.put(
        f"## unify audit: {_e(info.source)} snapshot taken {_e(info.taken_at)}, {_e(info.digest)}\n\n",
        f"{info.resources:,} resources in {len(info.accounts)} account(s) and {len(info.regions)} region(s); "
        f"{len(results.checks)} check(s), {len(results):,} result(s).\n\n",
    )
    summary = results.summary()
    doc.put(_row(*(v.title() for v in VERDICTS)), "|" + "---:|" * len(VERDICTS) + "\n",
            _row(*(f"{summary[v]:,}" for v in VERDICTS)), "\n")
    view = results.policy_view()
    counts = view.failure_counts()
    doc.put(_row("Failing by severity", *(f"{_SEVERITY_MARK[s]} {s.title()}" for s in _SEVERITY_ORDER)),
            "|---|" + "---:|" * len(_SEVERITY_ORDER) + "\n",
            _row("results", *(f"{counts.get(s, 0):,}" for s in _SEVERITY_ORDER)), "\n")
    gate = options.gate(results)
    doc.put(f"**Gate** (`--fail-on {_e(options.fail_on)}`): {_GATE_MARK.get(gate.code, '')} exit {gate.code}: "
            f"{_e(gate.reason)}\n\n")
    info_b = getattr(results, "baseline", None)
    if info_b is not None:
        doc.put(f"**Against the baseline** {_e(info_b.source)}: {info_b.new:,} new, {info_b.existing:,} existing, "
                f"{info_b.fixed:,} fixed finding(s); new ones are listed first in each check.\n\n")
    note_at = len(doc.parts)
    # The compliance summary (a row per framework) is always shown: its bytes are set aside now.
    compliance = _md_compliance_summary(results)
    doc.limit -= _nbytes(compliance)

    _md_failing(doc, view.groups)
    _md_fixed(doc, results)
    _md_results(doc, "Unknown", "result(s) not decided: data not observed", view.unknown, "unknown results")
    _md_results(doc, "Errors", "result(s) not evaluated: defects in checks", view.errors, "error results")
    _md_waived(doc, view.waived)
    _md_waivers(doc, results.waivers)
    doc.put(compliance)
    _md_controls(doc, results)
    _md_drift(doc, results.drift_view())
    _md_coverage(doc, info.coverage_errors)
    doc.put(f"<sub>unify {_e(__version__)}: `--format json` for the full results, `--format html` for a "
            f"self-contained report.</sub>\n")

    if doc.left_out:
        fixed, vanished = _fixed(results)
        totals = {"failing results": summary["fail"], "unknown results": summary["unknown"],
                  "error results": summary["error"], "waived results": summary["waived"],
                  "fixed findings": len(fixed) + len(vanished), "waivers": len(results.waivers),
                  "drift records": len(results.drift_view()), "coverage gaps": len(info.coverage_errors),
                  "controls": len(results.compliance_view(results.framework).controls) if results.framework else 0}
        kinds = ", ".join(f"{n:,} of {totals.get(what, n):,} {what}" for what, n in doc.left_out.items())
        left = sum(n for what, n in doc.left_out.items() if what.endswith(("results", "findings")))
        doc.parts.insert(
            note_at,
            f"> [!WARNING]\n> This summary was cut to stay under GitHub's 1 MiB step-summary limit: "
            f"{left:,} result(s) were left out ({kinds}). "
            f"Use `--format json` or `--format html` for all of them.\n\n",
        )
    return "".join(doc.parts)


class _CheckBlock:
    """One check's failing resources as a ``<details>`` block, its rows made as they are needed."""

    closing: Final = "\n</details>\n\n"

    def __init__(self, group: PolicyGroup) -> None:
        check = group.check
        self.results = baseline_order(group.failures)
        fresh = sum(1 for r in self.results if baseline_of(r) == "new")
        self.with_baseline = any(baseline_of(r) is not None for r in self.results)
        self.with_address = any(r.address for r in self.results)
        title = f": {_e(check.title)}" if check.title and check.title != check.id else ""
        extra = f", {fresh:,} new" if self.with_baseline else ""
        self.opening = (f"<details><summary><b>{_e(check.id)}</b>{title} "
                        f"({len(self.results):,} resource(s){extra})</summary>\n\n")
        if check.remediation:
            self.opening += f"Remediation: {_e(check.remediation)}\n\n"
        header = [*(["Status"] if self.with_baseline else []), "Resource", "Account / region", "Reason",
                  *(["Terraform address"] if self.with_address else [])]
        self.head = "| " + " | ".join(header) + " |\n|" + "|".join("---" for _ in header) + "|\n"
        self.rows: list[str] = []
        self.listed = 0

    def row(self, index: int) -> str:
        while len(self.rows) <= index:
            result = self.results[len(self.rows)]
            self.rows.append(_row(*([_baseline_cell(result)] if self.with_baseline else []), _resource_cell(result),
                                  _e(_located(result)), _e(result.reason),
                                  *([_e(result.address or "")] if self.with_address else [])))
        return self.rows[index]

    def cost(self) -> int:
        """Bytes the next row adds; for the first, with the block around it and a note on what is left out."""
        line = _nbytes(self.row(self.listed))
        if self.listed:
            return line
        note = _more_note(len(self.results), "failing results")
        return line + _nbytes(self.opening + self.head + self.closing + note)


def _all_fit(blocks: Sequence[_CheckBlock], room: int) -> bool:
    spent = sum(_nbytes(b.opening + b.head + b.closing) for b in blocks)
    for block in blocks:
        for index in range(len(block.results)):
            spent += _nbytes(block.row(index))
            if spent > room:
                return False
    return spent <= room


def _md_failing(doc: _Document, groups: Sequence[PolicyGroup]) -> None:
    """Failing results by severity, then check; when not all fit, rows are dealt out in turns.

    Each turn gives every check that has rows left one more (most severe
    check first), until the next row would pass the budget: so every failing
    check is listed before any check's second row, and each check shows a
    prefix of its results (new findings first).
    """
    total = sum(len(g.failures) for g in groups)
    doc.put(f"### Failing results: {total:,}\n\n")
    if not total:
        doc.put("No failing results.\n\n")
        return
    blocks = [_CheckBlock(group) for group in groups]
    room = doc.limit - doc.size
    if doc.full:
        room = 0
    if _all_fit(blocks, room):
        for block in blocks:
            block.listed = len(block.results)
    else:
        active = list(blocks)
        while active and not doc.full:
            for block in active:
                cost = block.cost()
                if cost > room:
                    doc.full = True
                    break
                room -= cost
                block.listed += 1
            active = [b for b in active if b.listed < len(b.results)]
    by_severity: dict[str, list[_CheckBlock]] = {}
    for group, block in zip(groups, blocks):
        by_severity.setdefault(group.check.severity, []).append(block)
    for severity in _SEVERITY_ORDER:
        found = by_severity.get(severity)
        if not found:
            continue
        count = sum(len(b.results) for b in found)
        doc.put(f"#### {_SEVERITY_MARK[severity]} {severity.title()}: {count:,} result(s) in {len(found)} check(s)\n\n")
        skipped_results = skipped_checks = 0
        for block in found:
            if not block.listed:
                skipped_results += len(block.results)
                skipped_checks += 1
                continue
            doc.put(block.opening, block.head, *block.rows[: block.listed], block.closing)
            doc.more(len(block.results) - block.listed, "failing results")
        if skipped_results:
            doc.skip("failing results", skipped_results)
            doc.put(_more_note(skipped_results, f"failing results in {skipped_checks} check(s)"))


def _fixed(results: Results) -> tuple[list[Result], tuple[tuple[str, str], ...]]:
    """Findings of the baseline that no longer fail: results marked fixed, and pairs that vanished."""
    info = getattr(results, "baseline", None)
    fixed = [r for r in results if baseline_of(r) == "fixed"]
    return fixed, tuple(getattr(info, "vanished", ()) or ())


def _md_fixed(doc: _Document, results: Results) -> None:
    fixed, vanished = _fixed(results)
    total = len(fixed) + len(vanished)
    if not total:
        return
    doc.put(f"### Fixed since the baseline: {total:,}\n\n",
            f"<details><summary>{total:,} finding(s) of the baseline no longer fail</summary>\n\n")
    rows = [*(_row(_e(r.check), _resource_cell(r), _e(r.verdict)) for r in fixed),
            *(_row(_e(check), f"**{_e(resource)}**", "resource gone") for check, resource in vanished)]
    _details_table(doc, ["Check", "Resource", "Now"], rows, total, "fixed findings")


def _md_results(doc: _Document, label: str, what: str, found: Sequence[Result], kind: str) -> None:
    if not found:
        return
    doc.put(f"### {label}: {len(found):,}\n\n", f"<details><summary>{len(found):,} {what}</summary>\n\n")
    ordered = baseline_order(found)
    with_baseline = any(baseline_of(r) is not None for r in ordered)
    header = [*(["Status"] if with_baseline else []), "Check", "Resource", "Account / region", "Reason"]
    rows = (_row(*([_baseline_cell(r)] if with_baseline else []), _e(r.check), _resource_cell(r),
                 _e(_located(r)), _e(r.reason)) for r in ordered)
    _details_table(doc, header, rows, len(ordered), kind)


def _details_table(doc: _Document, header: Sequence[str], rows: Iterable[str], total: int, what: str) -> None:
    head = "| " + " | ".join(header) + " |\n|" + "|".join("---" for _ in header) + "|\n"
    listed = 0
    for row in rows:
        if not doc.fits(*((head,) if listed == 0 else ()), row):
            break
        if listed == 0:
            doc.put(head)
        doc.put(row)
        listed += 1
    doc.put("\n</details>\n\n")
    doc.more(total - listed, what)


def _md_waived(doc: _Document, found: Sequence[Result]) -> None:
    if not found:
        return
    doc.put(f"### Waived: {len(found):,}\n\n",
            f"<details><summary>{len(found):,} result(s) waived: accepted exceptions</summary>\n\n")
    header = ["Check", "Resource", "Waiver reason", "Expires", "Was"]

    def row(r: Result) -> str:
        waiver = r.waiver
        reason = waiver.reason if waiver else r.reason
        expires = (waiver.expires.isoformat() if waiver.expires else "never") if waiver else ""
        return _row(_e(r.check), _resource_cell(r), _e(reason), _e(expires), _e(r.original or ""))

    _details_table(doc, header, (row(r) for r in found), len(found), "waived results")


def _md_waivers(doc: _Document, uses: Sequence[WaiverUse]) -> None:
    attention = [u for u in uses if u.status == "expired"] + [u for u in uses if u.unused]
    if not attention:
        return
    applied = sum(u.applied for u in uses)
    doc.put(f"### Waivers: {len(uses):,} loaded, {applied:,} result(s) waived, "
            f"{sum(1 for u in uses if u.status == 'expired')} expired, {sum(1 for u in uses if u.unused)} unused\n\n")

    def row(use: WaiverUse) -> str:
        waiver = use.waiver
        state = _waiver_state(use)
        if state == "expired" and use.matched_while_expired:
            state += f" (would cover {use.matched_while_expired:,})"
        elif state == "unused":
            state += " (matched no failing or unknown result)"
        return _row(_e(state), _e(waiver.check), _e(", ".join(waiver.resources)),
                    _e(waiver.expires.isoformat() if waiver.expires else "never"), _e(waiver.reason),
                    _e(waiver.location))

    doc.table(["Status", "Check", "Resources", "Expires", "Reason", "File"], (row(u) for u in attention),
              len(attention), "waivers")


def _md_compliance_summary(results: Results) -> str:
    frameworks = results.framework_ids
    if not frameworks:
        return ""
    header = ["Framework", *(s.title() for s in CONTROL_STATUSES), "Automated"]
    lines = ["### Compliance\n\n", _row(*header), "|---|" + "---:|" * (len(header) - 1) + "\n"]
    for fw in frameworks:
        view = results.compliance_view(fw)
        counts = view.summary()
        lines.append(_row(_e(_framework_label(view), 200), *(f"{counts[s]:,}" for s in CONTROL_STATUSES),
                          f"{counts['automated']:,}/{counts['total']:,}"))
    return "".join(lines) + "\n"


def _md_controls(doc: _Document, results: Results) -> None:
    if results.framework is None:
        return
    view = results.compliance_view(results.framework)
    doc.put(f"#### {_e(_framework_label(view), 200)}: controls\n\n")
    rows = (_row(_e(c.id), _e(c.title), f"**{_e(c.status)}**" if c.status == "not met" else _e(c.status),
                 _e(", ".join(c.checks))) for c in view.controls)
    doc.table(["Control", "Title", "Status", "Checks"], rows, len(view.controls), "controls")


def _md_drift(doc: _Document, records: Sequence[DriftRecord]) -> None:
    if not records:
        return
    doc.put(f"### Drift: {len(records):,} difference(s) from the declared state\n\n")
    rows = (_row(_e(r.name or r.resource), _e(r.type), _e(r.path or "(resource)"), _e(_value(r.expected, 200)),
                 _e(_drift_actual(r, 200)), _e(r.check + (" (waived)" if r.waived else "")))
            for r in records)
    doc.table(["Resource", "Type", "Path", "Expected", "Actual", "Check"], rows, len(records), "drift records")


def _md_coverage(doc: _Document, gaps: Sequence[dict[str, Any]]) -> None:
    if not gaps:
        return
    doc.put(f"### Coverage gaps: {len(gaps):,}\n\nThese were not observed; checks over them are unknown.\n\n")
    rows = (_row(_e(g.get("type")), _e(g.get("account")), _e(g.get("region")),
                 _e((g.get("error") or {}).get("code")), _e((g.get("error") or {}).get("message"))) for g in gaps)
    doc.table(["Type", "Account", "Region", "Error code", "Message"], rows, len(gaps), "coverage gaps")


# -- html --------------------------------------------------------------------------

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
    label = _label(result)
    parts = [f"<b>{_h(label)}</b>"]
    if result.resource != label:
        parts.append(f'<span class="id">{_h(result.resource)}</span>')
    where = _located(result)
    if where:
        parts.append(f'<span class="where">{_h(where)}</span>')
    if result.address and result.address != label:
        parts.append(f'<span class="loc">Terraform: {_h(result.address)}</span>')
    return "<br>".join(parts)


def _table(header: Sequence[str], rows: Iterable[str], numeric: Sequence[int] = ()) -> str:
    cells = "".join(f'<th class="n">{_h(h)}</th>' if i in numeric else f"<th>{_h(h)}</th>"
                    for i, h in enumerate(header))
    return f"<table>\n<thead><tr>{cells}</tr></thead>\n<tbody>\n{''.join(rows)}</tbody>\n</table>\n"


def render_html(results: Results, stream: IO[str], options: RenderOptions) -> None:
    stream.write(html_report(results, options))


def html_report(results: Results, options: RenderOptions) -> str:
    """One self-contained HTML document; the same results give the same text."""
    info = results.snapshot
    gate = options.gate(results)
    view = results.policy_view()
    check_anchor = {group.check.id: f"check-{i}" for i, group in enumerate(view.groups, 1)}
    sections: list[tuple[str, str, Callable[[], str]]] = [
        ("posture", "Compliance posture", lambda: _html_posture(results)),
        ("controls", "Controls", lambda: _html_controls(results, check_anchor)),
        ("failing", "Failing resources", lambda: _html_failing(view.groups, check_anchor) + _html_fixed(results)),
        ("unknown", "Unknown results", lambda: _html_unknown(view.unknown)),
        ("errors", "Check errors", lambda: _html_errors(results, view.errors)),
        ("waivers", "Waivers", lambda: _html_waivers(results.waivers, view.waived)),
        ("drift", "Drift", lambda: _html_drift(results.drift_view())),
        ("coverage", "Coverage gaps", lambda: _html_coverage(info.coverage_errors)),
    ]
    summary = results.summary()
    counts = view.failure_counts()
    out = [
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n',  # a constant: no double quote
        '<meta name="referrer" content="no-referrer">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>unify audit: {_h(info.source)} snapshot {_h(info.taken_at)}</title>\n",
        f"<style>{_CSS}</style>\n</head>\n<body>\n<header>\n<h1>unify audit report</h1>\n",
        '<dl class="info">\n',
        *(f"<dt>{_h(k)}</dt><dd>{_h(v)}</dd>\n" for k, v in (
            ("Snapshot source", info.source),
            ("Taken at", info.taken_at),
            ("Digest", info.digest),
            ("Resources", f"{info.resources:,}"),
            ("Accounts", ", ".join(info.accounts) or "none"),
            ("Regions", ", ".join(info.regions) or "none"),
            ("Checks", f"{len(results.checks):,}"),
            ("Framework", results.framework or "all"),
            *_baseline_info(results),
        )),
        "</dl>\n",
        f'<p class="gate gate-{gate.code}">Exit {gate.code} (--fail-on {_h(options.fail_on)}): {_h(gate.reason)}</p>\n',
        _table([v.title() for v in VERDICTS], [
            "<tr>" + "".join(f'<td class="n">{summary[v]:,}</td>' for v in VERDICTS) + "</tr>\n"
        ], numeric=range(len(VERDICTS))),
        _table([f"Failing: {s}" for s in _SEVERITY_ORDER], [
            "<tr>" + "".join(f'<td class="n">{counts.get(s, 0):,}</td>' for s in _SEVERITY_ORDER) + "</tr>\n"
        ], numeric=range(len(_SEVERITY_ORDER))),
        "<nav>" + "".join(f'<a href="#{anchor}">{_h(title)}</a>' for anchor, title, _ in sections) + "</nav>\n",
        "</header>\n<main>\n",
    ]
    for anchor, title, build in sections:
        out.append(f'<section id="{anchor}">\n<h2>{_h(title)}</h2>\n{build()}</section>\n')
    out.append(f"</main>\n<footer>Rendered by unify {_h(__version__)} from snapshot {_h(info.digest)}. "
               "Self-contained: no scripts, no network.</footer>\n</body>\n</html>\n")
    return "".join(out)


def _baseline_info(results: Results) -> list[tuple[str, str]]:
    info = getattr(results, "baseline", None)
    if info is None:
        return []
    return [("Baseline", f"{info.source}: {info.new:,} new, {info.existing:,} existing, {info.fixed:,} fixed")]


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _html_posture(results: Results) -> str:
    frameworks = results.framework_ids
    if not frameworks:
        return _none("No check maps to a compliance framework.")
    views = [results.compliance_view(fw) for fw in frameworks]
    label_w, bar_x, bar_w, total_w = 300, 310, 540, 1000
    row_h, gap, top = 24, 14, 40
    height = top + len(views) * (row_h + gap) + 4
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="posture-title" viewBox="0 0 {total_w} {height}" '
        f'width="{total_w}" height="{height}">\n<title id="posture-title">Controls by status per framework</title>\n'
    ]
    x = 0
    for status in CONTROL_STATUSES:  # legend
        fill, _ = _STATUS_COLOURS[status]
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{fill}"/>'
                     f'<text x="{x + 16}" y="16">{_h(status)}</text>\n')
        x += 24 + 8 * len(status) + 12
    for i, view in enumerate(views):
        y = top + i * (row_h + gap)
        counts = view.summary()
        total = counts["total"]
        label = _framework_label(view)
        short = label if len(label) <= 40 else label[:39] + "…"
        parts.append(f'<g><title>{_h(label)}: {total} control(s)</title>'
                     f'<text x="{label_w}" y="{y + row_h / 2 + 4:g}" text-anchor="end">{_h(short)}</text></g>\n')
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
            parts.append(f'<g><title>{_h(label)}: {n} {_h(status)} of {total}</title>'
                         f'<rect x="{_num(x0)}" y="{y}" width="{_num(x1 - x0)}" height="{row_h}" fill="{fill}"/>')
            if x1 - x0 >= 8 * len(str(n)) + 6:
                parts.append(f'<text class="in" x="{_num((x0 + x1) / 2)}" y="{y + row_h / 2 + 4:g}" '
                             f'text-anchor="middle" style="fill:{ink}">{n}</text>')
            parts.append("</g>\n")
        met = counts["met"]
        parts.append(f'<text x="{bar_x + bar_w + 10}" y="{y + row_h / 2 + 4:g}">'
                     f'{met}/{total} met{"" if total else " (no controls)"}</text>\n')
    parts.append("</svg>\n")
    rows = []
    for view in views:
        counts = view.summary()
        rows.append(f"<tr><td>{_h(_framework_label(view))}</td>"
                    + "".join(f'<td class="n">{counts[s]}</td>' for s in CONTROL_STATUSES)
                    + f'<td class="n">{counts["automated"]}/{counts["total"]}</td></tr>\n')
    numeric = range(1, len(CONTROL_STATUSES) + 2)
    return "".join(parts) + _table(["Framework", *(s.title() for s in CONTROL_STATUSES), "Automated"], rows, numeric)


def _html_controls(results: Results, check_anchor: dict[str, str]) -> str:
    frameworks = results.framework_ids
    if not frameworks:
        return _none("No check maps to a compliance framework.")
    out = []
    for fw in frameworks:
        view = results.compliance_view(fw)
        counts = view.summary()
        status_line = ", ".join(f"{counts[s]} {s}" for s in CONTROL_STATUSES if counts[s])
        version = f" {view.version}" if view.version else ""
        catalog = "" if view.has_catalog else " (no catalog: controls are those the checks name)"
        open_ = " open" if len(frameworks) == 1 else ""
        out.append(f"<details{open_}><summary><h3 class=\"inline\">{_h(_framework_label(view))}{_h(version)}"
                   f"</h3> {_h(status_line)}{_h(catalog)}</summary>\n")
        rows = []
        for control in view.controls:
            checks = ", ".join(
                f'<a href="#{check_anchor[c]}">{_h(c)}</a>' if c in check_anchor else _h(c) for c in control.checks
            )
            rows.append(f"<tr><td>{_h(control.id)}</td><td>{_h(control.title)}</td>"
                        f"<td>{_badge('st', control.status)}</td><td>{checks}</td></tr>\n")
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
                cells.append(f'<td{rs}><b>{_h(check.id)}</b>{title}<br><span class="loc">{_h(check.location)}'
                             f"</span><br>{span:,} resource(s)</td>")
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
    return f"<p>{total:,} failing result(s) in {len(groups):,} check(s), most severe first.</p>\n" + _table(header, rows)


def _html_fixed(results: Results) -> str:
    fixed, vanished = _fixed(results)
    if not fixed and not vanished:
        return ""
    rows = [*(f"<tr><td>{_h(r.check)}</td><td>{_html_resource(r)}</td><td>{_h(r.verdict)}</td></tr>\n"
              for r in fixed),
            *(f"<tr><td>{_h(check)}</td><td><b>{_h(resource)}</b></td><td>resource gone</td></tr>\n"
              for check, resource in vanished)]
    return (f"<h3>Fixed since the baseline: {len(rows):,}</h3>\n"
            + _table(["Check", "Resource", "Now"], rows))


def _html_unknown(found: Sequence[Result]) -> str:
    if not found:
        return _none("Every result was decided.")
    rows = [f"<tr><td>{_badge('sev', r.severity)}</td><td>{_h(r.check)}</td><td>{_html_resource(r)}</td>"
            f'<td class="text">{_h(r.reason)}</td></tr>\n' for r in baseline_order(found)]
    return (f"<p>{len(found):,} result(s) could not be decided: the data was not observed. "
            "They are never counted as passing.</p>\n" + _table(["Severity", "Check", "Resource", "Reason"], rows))


def _html_errors(results: Results, found: Sequence[Result]) -> str:
    if not found:
        return _none("No check errors.")
    rows = [f"<tr><td>{_h(r.check)}</td><td class=\"loc\">{_h(results.check(r.check).location)}</td>"
            f"<td>{_html_resource(r)}</td><td class=\"text\">{_h(r.reason)}</td></tr>\n" for r in found]
    return (f"<p>{len(found):,} result(s) could not be evaluated: defects in checks.</p>\n"
            + _table(["Check", "File", "Resource", "Reason"], rows))


def _html_waivers(uses: Sequence[WaiverUse], waived: Sequence[Result]) -> str:
    if not uses:
        return _none("No waivers loaded.")
    rows = []
    for use in uses:
        waiver = use.waiver
        rows.append(
            f"<tr><td>{_badge('w', _waiver_state(use))}</td><td>{_h(waiver.check)}</td>"
            f"<td>{'<br>'.join(_h(p) for p in waiver.resources)}</td>"
            f"<td>{_h(waiver.expires.isoformat() if waiver.expires else 'never')}</td>"
            f'<td class="text">{_h(waiver.reason)}</td><td>{_h(waiver.owner)}</td><td>{_h(waiver.ticket)}</td>'
            f'<td class="n">{use.applied:,}</td><td class="n">{use.matched_while_expired:,}</td>'
            f'<td class="loc">{_h(waiver.location)}</td></tr>\n'
        )
    out = _table(["Status", "Check", "Resources", "Expires", "Reason", "Owner", "Ticket", "Applied",
                  "Matched while expired", "File"], rows, numeric=(7, 8))
    if waived:
        waived_rows = [
            f"<tr><td>{_h(r.check)}</td><td>{_html_resource(r)}</td>"
            f'<td class="text">{_h(r.waiver.reason if r.waiver else r.reason)}</td>'
            f"<td>{_h(r.waiver.expires.isoformat() if r.waiver and r.waiver.expires else 'never')}</td>"
            f"<td>{_h(r.original or '')}</td></tr>\n"
            for r in waived
        ]
        out += (f"<h3>Waived results: {len(waived):,}</h3>\n"
                + _table(["Check", "Resource", "Waiver reason", "Expires", "Was"], waived_rows))
    return out


def _html_drift(records: Sequence[DriftRecord]) -> str:
    if not records:
        return _none("No differences from the declared state.")
    rows = [f"<tr><td><b>{_h(r.name or r.resource)}</b>{_drift_id(r)}</td><td>{_h(r.type)}</td><td>{_h(r.path or '(resource)')}</td>"
            f'<td class="text">{_h(_value(r.expected, 2000))}</td><td class="text">{_h(_drift_actual(r, 2000))}</td>'
            f"<td>{_h(r.check)}{' (waived)' if r.waived else ''}</td></tr>\n" for r in records]
    return (f"<p>{len(records):,} difference(s) from the declared state.</p>\n"
            + _table(["Resource", "Type", "Path", "Expected", "Actual", "Check"], rows))


def _drift_id(record: DriftRecord) -> str:
    if record.name and record.name != record.resource:
        return f'<br><span class="id">{_h(record.resource)}</span>'
    return ""


def _html_coverage(gaps: Sequence[dict[str, Any]]) -> str:
    if not gaps:
        return _none("No coverage gaps: every type, account and region observed was listed completely.")
    rows = [f"<tr><td>{_h(g.get('type'))}</td><td>{_h(g.get('account'))}</td><td>{_h(g.get('region'))}</td>"
            f"<td>{_h((g.get('error') or {}).get('code'))}</td>"
            f"<td class=\"text\">{_h((g.get('error') or {}).get('message'))}</td></tr>\n" for g in gaps]
    return (f"<p>{len(gaps):,} type(s) x account x region could not be listed; checks over them are unknown.</p>\n"
            + _table(["Type", "Account", "Region", "Error code", "Message"], rows))


@hookimpl
def unify_register_renderers(registry: RendererRegistry) -> None:
    registry.add(Renderer("markdown", render_markdown, "a GitHub job summary (under 1 MiB, cut with a note)",
                          extension=".md"))
    registry.add(Renderer("html", render_html, "one self-contained HTML report (no scripts, no network)",
                          extension=".html"))
