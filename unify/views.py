"""The three views of one result set: policy, compliance and drift.

Each view is a projection of :class:`unify.Results`; none evaluates a check
or reads the snapshot, so the three can never disagree.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from unify.checks import SEVERITIES, Check
from unify.operators import MISSING
from unify.results import Result, Results

__all__ = [
    "CONTROL_STATUSES",
    "PolicyGroup",
    "PolicyView",
    "ControlStatus",
    "ComplianceView",
    "DriftRecord",
    "policy_view",
    "compliance_view",
    "drift_view",
    "natural_key",
]

CONTROL_STATUSES: Final = ("met", "not met", "unknown", "waived", "manual", "not applicable")


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort ``2.9`` before ``2.10`` and ``AC-2`` before ``AC-10``."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


# -- policy ------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyGroup:
    """One check's failing resources."""

    check: Check
    failures: tuple[Result, ...]


@dataclass(frozen=True)
class PolicyView:
    """Failing resources by severity (most severe first), then by check."""

    groups: tuple[PolicyGroup, ...]
    unknown: tuple[Result, ...]
    errors: tuple[Result, ...]
    waived: tuple[Result, ...]

    def by_severity(self) -> dict[str, list[PolicyGroup]]:
        out: dict[str, list[PolicyGroup]] = {}
        for group in self.groups:
            out.setdefault(group.check.severity, []).append(group)
        return out

    def failure_counts(self) -> dict[str, int]:
        counts = Counter(group.check.severity for group in self.groups for _ in group.failures)
        return {severity: counts.get(severity, 0) for severity in reversed(SEVERITIES)}


def policy_view(results: Results) -> PolicyView:
    failing: dict[str, list[Result]] = {}
    for result in results:
        if result.verdict == "fail":
            failing.setdefault(result.check, []).append(result)
    groups = [PolicyGroup(results.check(check_id), tuple(found)) for check_id, found in failing.items()]
    groups.sort(key=lambda g: (-SEVERITIES.index(g.check.severity), g.check.id))
    return PolicyView(
        groups=tuple(groups),
        unknown=tuple(r for r in results if r.verdict == "unknown"),
        errors=tuple(r for r in results if r.verdict == "error"),
        waived=tuple(r for r in results if r.verdict == "waived"),
    )


# -- compliance --------------------------------------------------------------


@dataclass(frozen=True)
class ControlStatus:
    """One control's status and the checks and results that decided it."""

    id: str
    title: str
    status: str
    checks: tuple[str, ...]
    results: tuple[Result, ...] = ()
    in_catalog: bool = True

    def deciding(self) -> tuple[Result, ...]:
        """The results that made the status what it is."""
        wanted = {
            "not met": ("fail",),
            "unknown": ("unknown", "error"),
            "waived": ("waived",),
            "met": ("pass",),
        }.get(self.status, ())
        return tuple(r for r in self.results if r.verdict in wanted)

    def as_json(self) -> dict[str, Any]:
        counts = Counter(r.verdict for r in self.results)
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "checks": list(self.checks),
            "results": dict(sorted(counts.items())),
            "deciding": [{"check": r.check, "resource": r.resource, "verdict": r.verdict} for r in self.deciding()],
            "in_catalog": self.in_catalog,
        }


@dataclass(frozen=True)
class ComplianceView:
    """A framework's controls with statuses, in catalog order."""

    framework: str
    title: str
    version: str
    controls: tuple[ControlStatus, ...]
    has_catalog: bool

    def statuses(self) -> dict[str, str]:
        return {control.id: control.status for control in self.controls}

    def summary(self) -> dict[str, int]:
        counts = Counter(control.status for control in self.controls)
        out = {status: counts.get(status, 0) for status in CONTROL_STATUSES}
        out["total"] = len(self.controls)
        out["automated"] = sum(1 for control in self.controls if control.checks)
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.framework,
            "title": self.title,
            "version": self.version,
            "has_catalog": self.has_catalog,
            "summary": self.summary(),
            "controls": [control.as_json() for control in self.controls],
        }


def _status(results: list[Result]) -> str:
    verdicts = {r.verdict for r in results}
    if not results:
        return "not applicable"
    if "fail" in verdicts:
        return "not met"
    if verdicts & {"unknown", "error"}:
        return "unknown"
    if "waived" in verdicts:
        return "waived"
    return "met"


def compliance_view(results: Results, framework: str) -> ComplianceView:
    catalog = results.policy.frameworks.get(framework)
    checks_by_control: dict[str, list[str]] = {}
    for check in results.checks:
        for control_id in check.control_ids(framework):
            checks_by_control.setdefault(control_id, []).append(check.id)
    by_check: dict[str, list[Result]] = {}
    for result in results:
        by_check.setdefault(result.check, []).append(result)
    order: list[tuple[str, str, bool]] = []
    if catalog is not None:
        order.extend((c.id, c.title, True) for c in catalog.controls)
    listed = {control_id for control_id, _, _ in order}
    extra = sorted((c for c in checks_by_control if c not in listed), key=natural_key)
    order.extend((control_id, "", False) for control_id in extra)
    controls = []
    for control_id, title, in_catalog in order:
        check_ids = tuple(sorted(checks_by_control.get(control_id, ())))
        if not check_ids:
            controls.append(ControlStatus(control_id, title, "manual", (), (), in_catalog))
            continue
        found = [r for check_id in check_ids for r in by_check.get(check_id, [])]
        controls.append(ControlStatus(control_id, title, _status(found), check_ids, tuple(found), in_catalog))
    return ComplianceView(
        framework=framework,
        title=catalog.title if catalog else framework,
        version=catalog.version if catalog else "",
        controls=tuple(controls),
        has_catalog=catalog is not None,
    )


# -- drift -----------------------------------------------------------------------


@dataclass(frozen=True)
class DriftRecord:
    """Expected vs actual at one property path of one resource."""

    resource: str
    type: str
    name: str | None
    path: str
    expected: Any
    actual: Any
    check: str
    kind: str = "changed"
    waived: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "resource": self.resource,
            "type": self.type,
            "name": self.name,
            "path": self.path,
            "expected": self.expected,
            "actual": None if self.actual is MISSING else self.actual,
            "check": self.check,
            "kind": self.kind,
        }
        if self.actual is MISSING:
            data["absent"] = True
        if self.waived:
            data["waived"] = True
        return data


def drift_view(results: Results) -> list[DriftRecord]:
    """Per resource, every declared leaf that differs from what was observed."""
    records: list[DriftRecord] = []
    for result in results:
        if result.kind != "desired":
            continue
        failed = result.verdict == "fail" or (result.verdict == "waived" and result.original == "fail")
        if not failed:
            continue
        for detail in result.details:
            if detail.verdict != "fail":
                continue
            records.append(
                DriftRecord(
                    resource=result.resource,
                    type=result.type,
                    name=result.name,
                    path=detail.path,
                    expected=detail.expected,
                    actual=detail.actual,
                    check=result.check,
                    kind="missing" if detail.path == "" else "changed",
                    waived=result.verdict == "waived",
                )
            )
    return records
