"""What both human reports (``_markdown`` and ``_html``) read from results, in one place.

The two documents must agree on order (critical first, new findings first),
on how a resource, a value or a waiver's state is named and on what counts as
fixed, so the choices are made here once rather than in each renderer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from unify.checks import SEVERITIES
from unify.operators import MISSING, describe_value
from unify.results import Result, Results, WaiverUse
from unify.views import ComplianceView, DriftRecord

__all__ = ["SEVERITY_ORDER", "baseline_of", "baseline_order", "result_label", "result_location", "shown_value",
           "drift_actual", "framework_label", "waiver_state", "fixed_findings"]

SEVERITY_ORDER: Final = tuple(reversed(SEVERITIES))  # critical first
_BASELINE_RANK: Final = {"new": 0, "existing": 1, "fixed": 2}


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
