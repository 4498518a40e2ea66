"""The ``markdown`` report: a GitHub job summary (``$GITHUB_STEP_SUMMARY``).

Counts, the gate, failing results by severity and check in collapsible
blocks, what could not be decided, waivers, compliance, drift and coverage
gaps. GitHub refuses a step summary over 1 MiB, so the document is built
section by section against a byte budget; when the next row would pass it,
no more rows are added and the document says how many were left out.

Every value from the estate or from policy and waiver files goes through
:func:`escape_markdown`, so a bucket named ``<script>`` or a tag value with
``|`` prints as it is. The time of rendering is never shown: the same results
give the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
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
    group_header,
    group_rows,
    relevant_gaps,
    report_groupings,
    result_label,
    result_location,
    shorten,
    shown_value,
    waiver_state,
)
from unify.results import VERDICTS, Result, Results, WaiverUse
from unify.views.compliance import CONTROL_STATUSES, compliance_view
from unify.views.drift import DriftRecord, drift_view
from unify.views.policy import PolicyGroup, policy_view

__all__ = ["MARKDOWN_BUDGET", "escape_markdown", "markdown_report", "render_markdown"]

#: Bytes (UTF-8) a Markdown report may take: under GitHub's 1 MiB step-summary limit.
MARKDOWN_BUDGET: Final = 1_000_000
#: Part of the budget kept for headings, closing tags and the notes on what was left out.
_RESERVE: Final = 16_384
#: Longest value (in characters) one Markdown cell shows.
_CELL_LIMIT: Final = 1_000

_SEVERITY_MARK: Final = {"critical": "🔴", "high": "🟠", "medium": "🟡", "low": "🔵", "info": "⚪"}
_GATE_MARK: Final = {0: "✅", 1: "❌", 2: "⛔", 3: "⚠️"}

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
        "@": "&#64;",
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
    ``aws_s3_bucket`` stays readable), and ``@``, so a resource named
    ``@everyone`` mentions no one; line breaks become ``<br>`` and other
    control characters U+FFFD. Past ``limit`` characters the value is cut
    with a marker that says how much was left out. Quotes are left: no value
    goes into an attribute.
    """
    text = shorten(value, limit)
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
    label = result_label(result)
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
    doc.put(
        _row(*(v.title() for v in VERDICTS)),
        "|" + "---:|" * len(VERDICTS) + "\n",
        _row(*(f"{summary[v]:,}" for v in VERDICTS)),
        "\n",
    )
    view = policy_view(results)
    counts = view.failure_counts()
    doc.put(
        _row("Failing by severity", *(f"{_SEVERITY_MARK[s]} {s.title()}" for s in SEVERITY_ORDER)),
        "|---|" + "---:|" * len(SEVERITY_ORDER) + "\n",
        _row("results", *(f"{counts.get(s, 0):,}" for s in SEVERITY_ORDER)),
        "\n",
    )
    gate = options.gate(results)
    doc.put(
        f"**Gate** (`--fail-on {_e(options.fail_on)}`): {_GATE_MARK.get(gate.code, '')} exit {gate.code}: "
        f"{_e(gate.reason)}\n\n"
    )
    info_b = getattr(results, "baseline", None)
    if info_b is not None:
        doc.put(
            f"**Against the baseline** {_e(info_b.source)}: {info_b.new:,} new, {info_b.existing:,} existing, "
            f"{info_b.fixed:,} fixed finding(s); new ones are listed first in each check.\n\n"
        )
    note_at = len(doc.parts)
    # The compliance summary (a row per framework) is always shown: its bytes are set aside now.
    compliance = _md_compliance_summary(results)
    doc.limit -= _nbytes(compliance)

    _md_groups(doc, results)
    _md_failing(doc, view.groups)
    _md_fixed(doc, results)
    _md_results(doc, "Unknown", "result(s) not decided: data not observed", view.unknown, "unknown results")
    _md_results(doc, "Errors", "result(s) not evaluated: defects in checks", view.errors, "error results")
    _md_waived(doc, view.waived)
    _md_waivers(doc, results.waivers)
    doc.put(compliance)
    _md_controls(doc, results)
    _md_drift(doc, drift_view(results))
    _md_coverage(doc, relevant_gaps(results))
    doc.put(
        f"<sub>unify {_e(__version__)}: `--format json` for the full results, `--format html` for a "
        f"self-contained report.</sub>\n"
    )

    if doc.left_out:
        fixed, vanished = fixed_findings(results)
        totals = {
            "failing results": summary["fail"],
            "unknown results": summary["unknown"],
            "error results": summary["error"],
            "waived results": summary["waived"],
            "fixed findings": len(fixed) + len(vanished),
            "waivers": len(results.waivers),
            "drift records": len(drift_view(results)),
            "coverage gaps": len(relevant_gaps(results)),
            "controls": len(compliance_view(results, results.framework).controls) if results.framework else 0,
        }
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
        self.opening = (
            f"<details><summary><b>{_e(check.id)}</b>{title} ({len(self.results):,} resource(s){extra})</summary>\n\n"
        )
        if check.remediation:
            self.opening += f"Remediation: {_e(check.remediation)}\n\n"
        header = [
            *(["Status"] if self.with_baseline else []),
            "Resource",
            "Account / region",
            "Reason",
            *(["Terraform address"] if self.with_address else []),
        ]
        self.head = "| " + " | ".join(header) + " |\n|" + "|".join("---" for _ in header) + "|\n"
        self.rows: list[str] = []
        self.listed = 0

    def row(self, index: int) -> str:
        while len(self.rows) <= index:
            result = self.results[len(self.rows)]
            self.rows.append(
                _row(
                    *([_baseline_cell(result)] if self.with_baseline else []),
                    _resource_cell(result),
                    _e(result_location(result)),
                    _e(result.reason),
                    *([_e(result.address or "")] if self.with_address else []),
                )
            )
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
    for group, block in zip(groups, blocks, strict=True):
        by_severity.setdefault(group.check.severity, []).append(block)
    for severity in SEVERITY_ORDER:
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


def _md_fixed(doc: _Document, results: Results) -> None:
    fixed, vanished = fixed_findings(results)
    total = len(fixed) + len(vanished)
    if not total:
        return
    doc.put(
        f"### Fixed since the baseline: {total:,}\n\n",
        f"<details><summary>{total:,} finding(s) of the baseline no longer fail</summary>\n\n",
    )
    rows = [
        *(_row(_e(r.check), _resource_cell(r), _e(r.verdict)) for r in fixed),
        *(_row(_e(check), f"**{_e(resource)}**", "resource gone") for check, resource in vanished),
    ]
    _details_table(doc, ["Check", "Resource", "Now"], rows, total, "fixed findings")


def _md_results(doc: _Document, label: str, what: str, found: Sequence[Result], kind: str) -> None:
    if not found:
        return
    doc.put(f"### {label}: {len(found):,}\n\n", f"<details><summary>{len(found):,} {what}</summary>\n\n")
    ordered = baseline_order(found)
    with_baseline = any(baseline_of(r) is not None for r in ordered)
    header = [*(["Status"] if with_baseline else []), "Check", "Resource", "Account / region", "Reason"]
    rows = (
        _row(
            *([_baseline_cell(r)] if with_baseline else []),
            _e(r.check),
            _resource_cell(r),
            _e(result_location(r)),
            _e(r.reason),
        )
        for r in ordered
    )
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
    doc.put(
        f"### Waived: {len(found):,}\n\n",
        f"<details><summary>{len(found):,} result(s) waived: accepted exceptions</summary>\n\n",
    )
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
    doc.put(
        f"### Waivers: {len(uses):,} loaded, {applied:,} result(s) waived, "
        f"{sum(1 for u in uses if u.status == 'expired')} expired, {sum(1 for u in uses if u.unused)} unused\n\n"
    )

    def row(use: WaiverUse) -> str:
        waiver = use.waiver
        state = waiver_state(use)
        if state == "expired" and use.matched_while_expired:
            state += f" (would cover {use.matched_while_expired:,})"
        elif state == "unused":
            state += " (matched no failing or unknown result)"
        return _row(
            _e(state),
            _e(waiver.check),
            _e(", ".join(waiver.resources)),
            _e(waiver.expires.isoformat() if waiver.expires else "never"),
            _e(waiver.reason),
            _e(waiver.location),
        )

    doc.table(
        ["Status", "Check", "Resources", "Expires", "Reason", "File"],
        (row(u) for u in attention),
        len(attention),
        "waivers",
    )


def _md_groups(doc: _Document, results: Results) -> None:
    """The results by account, OU and region, when there is more than one account."""
    for title, groups in report_groupings(results):
        doc.put(f"### {title}: {len(groups):,}\n\n")
        header = group_header(groups[0].by, results.framework_ids) if groups else []
        rows = (_row(*(_e(cell, 200) for cell in group_rows(group))) for group in groups)
        doc.table(header, rows, len(groups), "groups")


def _md_compliance_summary(results: Results) -> str:
    frameworks = results.framework_ids
    if not frameworks:
        return ""
    header = ["Framework", *(s.title() for s in CONTROL_STATUSES), "Automated"]
    lines = ["### Compliance\n\n", _row(*header), "|---|" + "---:|" * (len(header) - 1) + "\n"]
    for fw in frameworks:
        view = compliance_view(results, fw)
        counts = view.summary()
        lines.append(
            _row(
                _e(framework_label(view), 200),
                *(f"{counts[s]:,}" for s in CONTROL_STATUSES),
                f"{counts['automated']:,}/{counts['total']:,}",
            )
        )
    return "".join(lines) + "\n"


def _md_controls(doc: _Document, results: Results) -> None:
    if results.framework is None:
        return
    view = compliance_view(results, results.framework)
    families = view.families()
    if len(families) > 1:
        doc.put(f"#### {_e(framework_label(view), 200)}: controls by family\n\n")
        family_rows = (
            _row(
                _e(f.id),
                _e(f.title),
                *(f"{f.counts[s]:,}" for s in ("met", "not met", "unknown", "manual")),
                f"{f.counts['partial_evidence']:,}",
            )
            for f in families
        )
        doc.table(
            ["Family", "Title", "Met", "Not Met", "Unknown", "Manual", "Partial evidence"],
            family_rows,
            len(families),
            "families",
        )
    doc.put(f"#### {_e(framework_label(view), 200)}: controls\n\n")
    rows = (
        _row(
            _e(c.id),
            _e(c.title),
            f"**{_e(c.status)}**" if c.status == "not met" else _e(c.status),
            _e(c.evidence_text()),
            _e(", ".join(c.checks)),
        )
        for c in view.controls
    )
    doc.table(["Control", "Title", "Status", "Evidence", "Checks"], rows, len(view.controls), "controls")
    partial = view.summary()["partial_evidence"]
    if partial:
        doc.put(
            f"{partial:,} of the automated controls rest on partial evidence: the checks support the control "
            "but do not cover all of it.\n\n"
        )


def _md_drift(doc: _Document, records: Sequence[DriftRecord]) -> None:
    if not records:
        return
    doc.put(f"### Drift: {len(records):,} difference(s) from the declared state\n\n")
    rows = (
        _row(
            _e(r.name or r.resource),
            _e(r.type),
            _e(r.path or "(resource)"),
            _e(shown_value(r.expected, 200)),
            _e(drift_actual(r, 200)),
            _e(r.check + (" (waived)" if r.waived else "")),
        )
        for r in records
    )
    doc.table(["Resource", "Type", "Path", "Expected", "Actual", "Check"], rows, len(records), "drift records")


def _md_coverage(doc: _Document, gaps: Sequence[dict[str, Any]]) -> None:
    if not gaps:
        return
    doc.put(f"### Coverage gaps: {len(gaps):,}\n\nThese were not observed; checks over them are unknown.\n\n")
    rows = (
        _row(
            _e(g.get("type")),
            _e(g.get("account")),
            _e(g.get("region")),
            _e((g.get("error") or {}).get("code")),
            _e((g.get("error") or {}).get("message")),
        )
        for g in gaps
    )
    doc.table(["Type", "Account", "Region", "Error code", "Message"], rows, len(gaps), "coverage gaps")
