"""How every report names what it shows: resources, values, waivers, findings, in one place.

The reports must agree on order (critical first, new findings first), on
how a resource, a value or a waiver's state is named, what counts as fixed,
and how a finding's failing leaves read, so the choices are made here once
rather than in each renderer (markdown, html, sarif, junit, github).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

from unify.checks.operators import MISSING, describe_value
from unify.checks.policy_set import SEVERITIES, Check
from unify.results import Result, Results, WaiverUse
from unify.views.accounts import GROUPINGS, Group, group_results, spans_accounts
from unify.views.compliance import ComplianceView
from unify.views.drift import DriftRecord

__all__ = [
    "SEVERITY_ORDER",
    "VALUE_LIMIT",
    "baseline_of",
    "baseline_order",
    "control_pairs",
    "count_of",
    "detail_lines",
    "drift_actual",
    "finding_subject",
    "fixed_findings",
    "framework_label",
    "group_header",
    "group_rows",
    "justification",
    "neutralise_mentions",
    "relevant_gaps",
    "report_groupings",
    "result_label",
    "result_location",
    "shorten",
    "shown_value",
    "waiver_state",
]

SEVERITY_ORDER: Final = tuple(reversed(SEVERITIES))  # critical first
_BASELINE_RANK: Final = {"new": 0, "existing": 1, "fixed": 2}
#: Characters of one value (a name, a tag, a reason, a policy text) a human report shows whole.
VALUE_LIMIT: Final = 1_000
#: ``@name`` and ``@org/team`` as GitHub reads them in Markdown and annotations.
_MENTION: Final = re.compile(r"@(?=[A-Za-z0-9_])")


def shorten(value: Any, limit: int = VALUE_LIMIT) -> str:
    """A value as text, cut past ``limit`` characters with a marker that says how much was left out.

    Values from the estate or from policy files can be any length (a
    1,000,000-character tag value is a valid tag value); a report shows the
    start and says the rest exists, so it stays readable and bounded.
    """
    text = "" if value is None else str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... [{len(text) - limit:,} more characters]"


def neutralise_mentions(text: str, joiner: str = "\u200b") -> str:
    """``@everyone`` and ``@org/team`` that will not notify anyone: ``joiner`` goes after each ``@``.

    Resource names and tags are chosen by whoever can create resources;
    pasted into a job summary or an annotation, ``@security-team`` would
    page a team on their behalf.
    """
    return _MENTION.sub("@" + joiner, text)


def count_of(count: int, noun: str, plural: str | None = None) -> str:
    """``1 check``, ``2 checks``: a count with its noun in the right number."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def relevant_gaps(results: Results) -> list[dict[str, Any]]:
    """The coverage errors of the types the evaluated checks read: the gaps that made results unknown."""
    read = {t for check in results.checks for t in check.types}
    return [entry for entry in results.snapshot.coverage_errors if entry.get("type") in read]


def baseline_of(result: Result) -> str | None:
    """A result's baseline status (``new``, ``existing``, ``fixed``) when it carries one."""
    value = getattr(result, "baseline", None)
    return None if value is None else str(value)


def baseline_order(found: Iterable[Result]) -> list[Result]:
    """New findings first, then existing, then fixed, then the rest; stable otherwise."""
    return sorted(found, key=lambda r: _BASELINE_RANK.get(baseline_of(r) or "", len(_BASELINE_RANK)))


def _where(account: str | None, region: str | None) -> str:
    return " / ".join(part for part in (account, region) if part)


def result_label(result: Result) -> str:
    """The name people know a resource by; its id when it has no name."""
    return result.name or result.resource


def result_location(result: Result) -> str:
    """Where a result's resource lives; nothing for an account-wide result (its label is the account)."""
    return "" if result_label(result) == result.account else _where(result.account, result.region)


def shown_value(value: Any, limit: int) -> str:
    """A value as a report shows it: an attribute the estate lacks reads ``absent``, not ``None``."""
    if value is MISSING:
        return "absent"
    return describe_value(value, limit)


def drift_actual(record: DriftRecord, limit: int) -> str:
    """The observed side of a drift record: a resource that is not there at all reads ``missing``."""
    return "missing" if record.kind == "missing" else shown_value(record.actual, limit)


def framework_label(view: ComplianceView) -> str:
    """A framework's title with its id, so a catalog's title never hides which framework it is."""
    return f"{view.title} ({view.framework})" if view.title != view.framework else view.framework


def waiver_state(use: WaiverUse) -> str:
    """One word for a waiver: ``expired`` first, since an expired waiver no longer applies at all."""
    if use.status == "expired":
        return "expired"
    if not use.evaluated:
        return "not evaluated"
    return "unused" if use.unused else "active"


def fixed_findings(results: Results) -> tuple[list[Result], tuple[tuple[str, str], ...]]:
    """Findings of the baseline that no longer fail: results marked fixed, and pairs that vanished."""
    info = getattr(results, "baseline", None)
    fixed = [r for r in results if baseline_of(r) == "fixed"]
    return fixed, tuple(getattr(info, "vanished", ()) or ())


def finding_subject(result: Result) -> str:
    """How a finding names its resource: the address for plan findings, else name and id."""
    if result.address:
        return result.address
    if result.name and result.name != result.resource:
        return f"{result.name} ({result.resource})"
    return result.resource


def control_pairs(check: Check | Result) -> list[str]:
    return [f"{framework}:{control}" for framework, ids in check.controls.items() for control in ids]


def detail_lines(result: Result) -> list[str]:
    """One line per leaf that did not hold: path, expected and actual (as the pytest plugin writes them)."""
    lines = []
    for detail in result.details:
        if detail.verdict == "unknown":
            lines.append(f"{detail.path or '(resource)'}: unknown: {detail.unknown_reason}")
        elif detail.note or detail.operator in ("any_item", "all_items", "no_item", "count"):
            lines.append(detail.message)
        else:
            op = ("not " if detail.negated else "") + detail.operator
            lines.append(
                f"{detail.path or '(resource)'}: expected {op} {describe_value(detail.expected, 200)}, "
                f"actual {describe_value(detail.actual, 200)}"
            )
    return lines


def justification(result: Result) -> str:
    waiver = result.waiver
    if waiver is None:
        return result.reason
    expiry = f"expires {waiver.expires.isoformat()}" if waiver.expires else "does not expire"
    extra = "".join(
        f"; {label} {value}" for label, value in (("owner", waiver.owner), ("ticket", waiver.ticket)) if value
    )
    return f"{waiver.reason} ({expiry}; waiver at {waiver.location}{extra})"


_GROUP_TITLES: Final = {"account": "Account", "ou": "OU", "region": "Region"}
_GROUP_NAMES: Final = {"account": "account", "ou": "organisational unit", "region": "region"}


def report_groupings(results: Results) -> list[tuple[str, tuple[Group, ...]]]:
    """The breakdowns a report shows (by account, OU, region) with their title; none for one account.

    By OU only when the snapshot records the Organization (``--org``).
    """
    if not spans_accounts(results):
        return []
    return [
        (f"By {_GROUP_NAMES[by]}", group_results(results, by))
        for by in GROUPINGS
        if by != "ou" or results.snapshot.organisation
    ]


def group_header(by: str, frameworks: Iterable[str]) -> list[str]:
    """The columns of a breakdown: what the group is, the verdict counts, controls not met per framework."""
    label = {"account": "Name", "ou": "Path", "region": "Accounts"}[by]
    return [
        _GROUP_TITLES[by],
        label,
        "Fail",
        "Unknown",
        "Pass",
        "Waived",
        "Error",
        *(f"{fw}: not met/unknown" for fw in frameworks),
    ]


def group_rows(group: Group) -> list[str]:
    """One group's cells, as plain text (each renderer escapes them)."""
    summary = group.summary()
    label = str(len(group.accounts)) if group.by == "region" else group.label
    key = group.key or "(not recorded)"
    cells = [key, label, *(f"{summary[v]:,}" for v in ("fail", "unknown", "pass", "waived", "error"))]
    for fw in group.results.framework_ids:
        posture = group.compliance(fw)
        cells.append(f"{len(posture['not_met']):,}/{len(posture['unknown']):,}")
    return cells
