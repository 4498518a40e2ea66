"""The drift view of desired state: per resource, expected vs actual at each property path.

A projection of the results of ``desired:`` checks (and of the state checks
``unify drift`` makes): one record per declared leaf that did not hold, with
what was expected and what was observed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from unify.checks.operators import MISSING
from unify.results import Results

__all__ = ["DriftRecord", "drift_view"]


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
    """Per resource, every declared leaf that differs from what was observed; computed once per result set."""
    return results.memo("drift", lambda: _drift_view(results))


def _drift_view(results: Results) -> list[DriftRecord]:
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
