"""Results: every verdict of one evaluation, and the ``unify.results/v1`` document.

:class:`Results` is the single result set the views (policy, compliance,
drift) and every renderer read. It is built once by :func:`unify.evaluate`;
nothing downstream evaluates again.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final, Literal

from unify._conditions import Detail
from unify.checks import Check, PolicySet, severity_rank
from unify.waivers import Waiver

if TYPE_CHECKING:
    from unify.views import ComplianceView, DriftRecord, PolicyView

__all__ = ["RESULTS_FORMAT", "VERDICTS", "Verdict", "BaselineInfo", "Gate", "Result", "WaiverUse", "SnapshotInfo", "Results"]

RESULTS_FORMAT: Final = "unify.results/v1"
VERDICTS: Final = ("pass", "fail", "unknown", "waived", "error")
Verdict = Literal["pass", "fail", "unknown", "waived", "error"]


@dataclass(frozen=True)
class Result:
    """The verdict of one check on one resource (or one account, or one unobserved scope)."""

    check: str
    resource: str
    type: str
    verdict: Verdict
    reason: str
    severity: str
    controls: Mapping[str, tuple[str, ...]]
    kind: str
    account: str | None = None
    region: str | None = None
    name: str | None = None
    address: str | None = None
    details: tuple[Detail, ...] = ()
    waiver: Waiver | None = None
    expired_waiver: Waiver | None = None
    original: Verdict | None = None
    #: Against a baseline: "new" or "existing" for a failure, "fixed" for a pass that failed before.
    baseline: str | None = None

    @property
    def sort_key(self) -> tuple[str, str, str]:
        return (self.check, self.resource, self.type)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "check": self.check,
            "resource": self.resource,
            "type": self.type,
            "verdict": self.verdict,
            "reason": self.reason,
            "severity": self.severity,
            "controls": {fw: list(ids) for fw, ids in self.controls.items()},
            "kind": self.kind,
            "account": self.account,
            "region": self.region,
            "name": self.name,
        }
        if self.address:
            data["address"] = self.address
        if self.details:
            data["details"] = [detail.as_json() for detail in self.details]
        if self.waiver is not None:
            data["waived_verdict"] = self.original
            data["waiver"] = {"reason": self.waiver.reason, "expires": _date(self.waiver), "file": self.waiver.location}
        if self.baseline is not None:
            data["baseline"] = self.baseline
        if self.expired_waiver is not None:
            data["expired_waiver"] = {
                "reason": self.expired_waiver.reason,
                "expires": _date(self.expired_waiver),
                "file": self.expired_waiver.location,
            }
        return data


def _date(waiver: Waiver) -> str | None:
    return waiver.expires.isoformat() if waiver.expires else None


@dataclass(frozen=True)
class BaselineInfo:
    """What a baseline comparison found: counts, and findings that vanished with their resources."""

    source: str
    new: int
    existing: int
    fixed: int
    vanished: tuple[tuple[str, str], ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"source": self.source, "new": self.new, "existing": self.existing, "fixed": self.fixed,
                "vanished": [{"check": c, "resource": r} for c, r in self.vanished]}


@dataclass(frozen=True)
class Gate:
    """What an audit's exit code is, and why."""

    code: int
    reason: str


@dataclass(frozen=True)
class WaiverUse:
    """How one waiver fared in this run."""

    waiver: Waiver
    status: Literal["active", "expired"]
    applied: int
    matched_while_expired: int = 0
    #: False when its check was not part of this evaluation (``--framework``).
    evaluated: bool = True

    @property
    def unused(self) -> bool:
        return self.evaluated and self.status == "active" and self.applied == 0

    def as_json(self) -> dict[str, Any]:
        return {**self.waiver.as_json(), "status": self.status, "applied": self.applied,
                "matched_while_expired": self.matched_while_expired, "evaluated": self.evaluated}


@dataclass(frozen=True)
class SnapshotInfo:
    """What the results were computed from, as reports cite it."""

    digest: str
    taken_at: str
    source: str
    resources: int
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    coverage_errors: tuple[dict[str, Any], ...] = ()
    file: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"digest": self.digest, "taken_at": self.taken_at, "source": self.source,
                "resources": self.resources, "accounts": list(self.accounts), "regions": list(self.regions)}


@dataclass(frozen=True)
class Results:
    """All verdicts of one evaluation, sorted by check then resource."""

    results: tuple[Result, ...]
    policy: PolicySet
    snapshot: SnapshotInfo
    waivers: tuple[WaiverUse, ...] = ()
    framework: str | None = None
    baseline: BaselineInfo | None = None
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __iter__(self) -> Iterator[Result]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    @property
    def checks(self) -> tuple[Check, ...]:
        return self.policy.checks

    @cached_property
    def _checks_by_id(self) -> dict[str, Check]:
        return {check.id: check for check in self.policy.checks}

    def check(self, check_id: str) -> Check:
        return self._checks_by_id[check_id]

    def of_check(self, check_id: str) -> list[Result]:
        return [r for r in self.results if r.check == check_id]

    def summary(self) -> dict[str, int]:
        counts = Counter(r.verdict for r in self.results)
        return {verdict: counts.get(verdict, 0) for verdict in VERDICTS}

    def at_or_above(self, severity: str, verdicts: tuple[str, ...] = ("fail",)) -> list[Result]:
        """Results with one of ``verdicts`` whose check is at least ``severity``."""
        floor = severity_rank(severity)
        return [r for r in self.results if r.verdict in verdicts and severity_rank(r.severity) >= floor]

    def gate(self, fail_on: str = "info", *, new_only: bool = False, soft: bool = False) -> Gate:
        """The exit code and its reason, as DESIGN.md orders them.

        1 when a result fails at or above ``fail_on`` (with ``new_only``, only
        failures a baseline did not have); else 2 when a check is defective;
        else 3 when a result at or above ``fail_on`` is unknown (the
        observation was incomplete); else 0. ``soft`` reports 1 and 3 but
        exits 0, for teams that want the report without the gate.
        """
        gate = self._gate(fail_on, new_only)
        if soft and gate.code in (1, 3):
            return Gate(0, f"soft fail (would exit {gate.code}): {gate.reason}")
        return gate

    def _gate(self, fail_on: str, new_only: bool) -> Gate:
        failing = self.at_or_above(fail_on, ("fail",))
        if new_only:
            if self.baseline is None:
                raise ValueError("failing only on new findings needs a baseline")
            existing = sum(1 for r in failing if r.baseline == "existing")
            failing = [r for r in failing if r.baseline == "new"]
            if failing:
                checks = len({r.check for r in failing})
                return Gate(1, f"{len(failing)} new failing result(s) in {checks} check(s) at or above severity "
                               f"{fail_on} ({existing} existing ones not counted)")
        elif failing:
            checks = len({r.check for r in failing})
            return Gate(1, f"{len(failing)} failing result(s) in {checks} check(s) at or above severity {fail_on}")
        errors = [r for r in self.results if r.verdict == "error"]
        if errors:
            return Gate(2, f"{len(errors)} result(s) could not be evaluated: {errors[0].reason}")
        unknown = self.at_or_above(fail_on, ("unknown",))
        if unknown:
            return Gate(3, f"observation incomplete: {len(unknown)} result(s) at or above severity {fail_on} are unknown, none failed")
        if new_only and self.baseline is not None:
            return Gate(0, f"clean: no new failing or unknown results at or above severity {fail_on} "
                           f"({self.baseline.existing} existing failure(s) tolerated)")
        return Gate(0, f"clean: no failing or unknown results at or above severity {fail_on}")

    # -- views, computed once each from these results ----------------------

    def policy_view(self) -> PolicyView:
        from unify.views import policy_view  # noqa: PLC0415

        return self._cached("policy", lambda: policy_view(self))

    def compliance_view(self, framework: str) -> ComplianceView:
        from unify.views import compliance_view  # noqa: PLC0415

        return self._cached(f"compliance:{framework}", lambda: compliance_view(self, framework))

    def drift_view(self) -> list[DriftRecord]:
        from unify.views import drift_view  # noqa: PLC0415

        return self._cached("drift", lambda: drift_view(self))

    @property
    def framework_ids(self) -> list[str]:
        if self.framework is not None:
            return [self.framework]
        return self.policy.framework_ids

    def _cached(self, key: str, build: Any) -> Any:
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    # -- the unify.results/v1 document --------------------------------------

    def as_json(self) -> dict[str, Any]:
        compliance = {fw: self.compliance_view(fw).statuses() for fw in self.framework_ids}
        return {
            "format": RESULTS_FORMAT,
            "snapshot": self.snapshot.as_json(),
            "results": [result.as_json() for result in self.results],
            "summary": self.summary(),
            "compliance": compliance,
            "frameworks": {fw: self.compliance_view(fw).as_json() for fw in self.framework_ids},
            "drift": [record.as_json() for record in self.drift_view()],
            "checks": [_check_json(check) for check in self.policy.checks],
            "waivers": [use.as_json() for use in self.waivers],
            "coverage_errors": list(self.snapshot.coverage_errors),
            **({"baseline": self.baseline.as_json()} if self.baseline is not None else {}),
        }

    def to_json(self) -> str:
        """The document as text: sorted keys, so equal inputs give equal bytes."""
        return json.dumps(self.as_json(), sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n"


def _check_json(check: Check) -> dict[str, Any]:
    return {
        "id": check.id,
        "title": check.title,
        "severity": check.severity,
        "kind": check.kind,
        "resource_types": list(check.types),
        "controls": {fw: list(ids) for fw, ids in check.controls.items()},
        "remediation": check.remediation,
        "description": check.description,
        "labels": dict(check.labels),
        "file": check.file,
        "line": check.line,
    }
