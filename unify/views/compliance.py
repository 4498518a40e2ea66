"""The compliance view: framework -> control -> status, with the results behind each status.

A projection of :class:`unify.results.Results`. :func:`control_status` is
the one rule that turns verdicts into a control's status; the stack view
uses it too, so the two can never disagree.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Final

from unify.checks.frameworks import family_of
from unify.results import CheckResults, Result, Results

__all__ = [
    "CONTROL_STATUSES",
    "DECIDING_SHOWN",
    "ComplianceView",
    "ControlStatus",
    "FamilyStatus",
    "compliance_view",
    "control_status",
    "natural_key",
    "posture",
]

CONTROL_STATUSES: Final = ("met", "not met", "unknown", "waived", "manual", "not applicable")
#: The deciding results a control lists in the results document (``deciding_total`` counts them all).
DECIDING_SHOWN: Final = 25


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort ``2.9`` before ``2.10`` and ``AC-2`` before ``AC-10``."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


#: The verdicts that decide each status: a control not met is decided by its failures, and so on.
_DECIDED_BY: Final[dict[str, tuple[str, ...]]] = {
    "not met": ("fail",),
    "unknown": ("unknown", "error"),
    "waived": ("waived",),
    "met": ("pass",),
}


@dataclass(frozen=True)
class ControlStatus:
    """One control's status and the checks and results that decided it.

    The results stay grouped by check, as the result set groups them once
    (:meth:`Results.by_check`): a NIST control an estate-wide check maps to
    is behind every result of it, for every framework and every group by
    account, OU and region, and copying them into one list per control was
    most of the time a large audit took to write its JSON.
    """

    id: str
    title: str
    status: str
    checks: tuple[str, ...]
    groups: tuple[CheckResults, ...] = ()
    in_catalog: bool = True
    #: How strong the evidence is: ``full`` or ``partial`` (the catalog says which), ``""`` with no checks.
    evidence: str = ""

    @property
    def results(self) -> tuple[Result, ...]:
        """Every result behind the status, check by check."""
        return tuple(result for group in self.groups for result in group.results)

    @property
    def counts(self) -> dict[str, int]:
        """How many results of each verdict are behind the status, in verdict order."""
        total: Counter[str] = Counter()
        for group in self.groups:
            total.update(group.counts)
        return dict(sorted(total.items()))

    def evidence_text(self) -> str:
        """``2 checks, partial``: what an auditor weighs a status by."""
        if not self.checks:
            return "none"
        count = len(self.checks)
        return f"{count} check{'s' if count != 1 else ''}, {self.evidence}"

    def deciding(self, limit: int | None = None) -> tuple[Result, ...]:
        """The results that made the status what it is (the first ``limit`` of them)."""
        wanted = _DECIDED_BY.get(self.status, ())
        found: list[Result] = []
        for group in self.groups:
            if limit is not None and len(found) >= limit:
                break
            if any(group.counts.get(verdict) for verdict in wanted):
                matching = (r for r in group.results if r.verdict in wanted)
                # A check with thousands of results need not be read past the limit.
                found.extend(matching if limit is None else islice(matching, limit - len(found)))
        return tuple(found)

    @property
    def deciding_total(self) -> int:
        """How many results decided the status."""
        wanted = _DECIDED_BY.get(self.status, ())
        return sum(group.counts.get(verdict, 0) for group in self.groups for verdict in wanted)

    def as_json(self) -> dict[str, Any]:
        """The control in the results document; ``deciding`` lists the first :data:`DECIDING_SHOWN` of them.

        A NIST control an estate-wide check maps to is decided by every
        resource that check judged, and a check maps to controls of several
        frameworks: listed whole, the lists outgrew the results themselves
        (25 of 50 MB at 10k resources). ``deciding_total`` says how many
        there are; each result's ``controls`` names the rest.
        """
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "checks": list(self.checks),
            "results": self.counts,
            "deciding": [
                {"check": r.check, "resource": r.resource, "verdict": r.verdict} for r in self.deciding(DECIDING_SHOWN)
            ],
            "deciding_total": self.deciding_total,
            "in_catalog": self.in_catalog,
            "evidence": {"checks": len(self.checks), "coverage": self.evidence or "none"},
        }


@dataclass(frozen=True)
class FamilyStatus:
    """The controls of one family (NIST's AC, CIS's section 2) by status: the roll-up an auditor reads first."""

    id: str
    title: str
    counts: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "summary": dict(self.counts)}


@dataclass(frozen=True)
class ComplianceView:
    """A framework's controls with statuses, in catalog order."""

    framework: str
    title: str
    version: str
    controls: tuple[ControlStatus, ...]
    has_catalog: bool
    family_titles: dict[str, str] = field(default_factory=dict, compare=False)

    def statuses(self) -> dict[str, str]:
        return {control.id: control.status for control in self.controls}

    def summary(self) -> dict[str, int]:
        counts = Counter(control.status for control in self.controls)
        out = {status: counts.get(status, 0) for status in CONTROL_STATUSES}
        out["total"] = len(self.controls)
        out["automated"] = sum(1 for control in self.controls if control.checks)
        out["partial_evidence"] = sum(1 for control in self.controls if control.evidence == "partial")
        return out

    def families(self) -> tuple[FamilyStatus, ...]:
        """Controls by family, in catalog order of each family's first control."""
        grouped: dict[str, Counter[str]] = {}
        for control in self.controls:
            counts = grouped.setdefault(family_of(control.id), Counter())
            counts[control.status] += 1
            counts["total"] += 1
            counts["partial_evidence"] += control.evidence == "partial"
        return tuple(
            FamilyStatus(
                family,
                self.family_titles.get(family, ""),
                {key: counts.get(key, 0) for key in (*CONTROL_STATUSES, "total", "partial_evidence")},
            )
            for family, counts in grouped.items()
        )

    def as_json(self, *, with_controls: bool = True) -> dict[str, Any]:
        """The framework and its controls; without ``with_controls``, for a caller that streams them."""
        out: dict[str, Any] = {
            "id": self.framework,
            "title": self.title,
            "version": self.version,
            "has_catalog": self.has_catalog,
            "summary": self.summary(),
            "families": [family.as_json() for family in self.families()],
        }
        if with_controls:
            out["controls"] = [control.as_json() for control in self.controls]
        return out


def control_status(verdicts: Iterable[str]) -> str:
    """A control's status from the verdicts of the results behind it: the one rule (DESIGN.md, views).

    ``not met`` when any fails; else ``unknown`` when any is unknown or an
    error (a defective check proves nothing); else ``waived`` when any is
    waived; else ``met``; ``not applicable`` when there are none.
    """
    verdicts = set(verdicts)
    if not verdicts:
        return "not applicable"
    if "fail" in verdicts:
        return "not met"
    if verdicts & {"unknown", "error"}:
        return "unknown"
    if "waived" in verdicts:
        return "waived"
    return "met"


def compliance_view(results: Results, framework: str) -> ComplianceView:
    """A framework's controls with their statuses and evidence; computed once per framework and result set."""
    return results.memo(f"compliance:{framework}", lambda: _compliance_view(results, framework))


def _compliance_view(results: Results, framework: str) -> ComplianceView:
    by_check = results.by_check()
    return _view(results, framework, {check: group.counts for check, group in by_check.items()}, by_check)


def posture(results: Results, framework: str, counts: Mapping[str, Mapping[str, int]]) -> ComplianceView:
    """The framework's controls and statuses where each check's results number ``counts`` (check -> verdict -> n).

    The same view as :func:`compliance_view` of a part of ``results`` with
    those counts, without the results behind each status: what a part of an
    organisation's results (:mod:`unify.views.accounts`) says of its
    posture, from counts made in one pass over the whole set.
    """
    return _view(results, framework, counts, {})


#: A framework's controls in order: id, title, whether its catalog lists it, and the checks mapped to it.
_Layout = tuple[tuple[str, str, bool, tuple[str, ...]], ...]


def _layout(results: Results, framework: str) -> _Layout:
    """The framework's controls and their checks: the same for every part of a result set, so made once for it."""
    catalog = results.policy.frameworks.get(framework)
    checks_by_control: dict[str, list[str]] = {}
    for check in results.checks:
        for control_id in check.control_ids(framework):
            checks_by_control.setdefault(control_id, []).append(check.id)
    order: list[tuple[str, str, bool]] = []
    if catalog is not None:
        order.extend((c.id, c.title, True) for c in catalog.controls)
    listed = {control_id for control_id, _, _ in order}
    extra = sorted((c for c in checks_by_control if c not in listed), key=natural_key)
    order.extend((control_id, "", False) for control_id in extra)
    return tuple(
        (control_id, title, in_catalog, tuple(sorted(checks_by_control.get(control_id, ()))))
        for control_id, title, in_catalog in order
    )


def _view(
    results: Results,
    framework: str,
    counts: Mapping[str, Mapping[str, int]],
    by_check: Mapping[str, CheckResults],
) -> ComplianceView:
    """The view from each check's verdict counts; ``by_check`` gives each control the results behind it."""
    catalog = results.policy.frameworks.get(framework)
    layout = results.memo(f"controls:{framework}", lambda: _layout(results, framework))
    strength = catalog.evidence if catalog is not None else "full"
    controls = []
    for control_id, title, in_catalog, check_ids in layout:
        if not check_ids:
            controls.append(ControlStatus(control_id, title, "manual", (), (), in_catalog))
            continue
        groups = tuple(by_check[check_id] for check_id in check_ids if check_id in by_check)
        status = control_status(
            verdict for check_id in check_ids if check_id in counts for verdict, n in counts[check_id].items() if n
        )
        controls.append(ControlStatus(control_id, title, status, check_ids, groups, in_catalog, strength))
    return ComplianceView(
        framework=framework,
        title=catalog.title if catalog else framework,
        version=catalog.version if catalog else "",
        controls=tuple(controls),
        has_catalog=catalog is not None,
        family_titles=dict(catalog.families) if catalog is not None else {},
    )
