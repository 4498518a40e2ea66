"""Results: every verdict of one evaluation, and the exit gate they decide.

:class:`Results` is the single result set the views (policy, compliance,
drift) and every renderer read. It is built once by
:func:`unify.engine.evaluate`; nothing downstream evaluates again. The views
live in :mod:`unify.views` and the ``unify.results/v1`` document in
:mod:`unify.render.json`; this module imports neither.

:func:`decide` is the exit-code rule of DESIGN.md, written once: the audit
gate (:func:`results_gate`), drift, the stack view and snapshot diffs all
reach their exit code through it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby
from operator import attrgetter
from typing import Any, Final, Literal, NamedTuple, TypeVar

from unify.checks.conditions import Detail
from unify.checks.policy_set import Check, PolicySet, severity_rank
from unify.checks.waivers import Waiver
from unify.errors import EXIT_BAD_INPUT, EXIT_CLEAN, EXIT_FINDINGS, EXIT_INCOMPLETE

__all__ = [
    "NO_NOTES",
    "VERDICTS",
    "BaselineInfo",
    "CheckResults",
    "Gate",
    "Notes",
    "Result",
    "Results",
    "SnapshotInfo",
    "Verdict",
    "WaiverUse",
    "decide",
    "results_gate",
]

T = TypeVar("T")

VERDICTS: Final = ("pass", "fail", "unknown", "waived", "error")
Verdict = Literal["pass", "fail", "unknown", "waived", "error"]


class Notes(NamedTuple):
    """What later steps add to a result: a waiver, a baseline's mark, the overlay's origin.

    Most results have none of them, so they share one empty instance
    (:data:`NO_NOTES`) instead of each carrying six empty fields: 40 bytes
    a result, 186 MB of a million-resource audit.
    """

    waiver: Waiver | None = None
    expired_waiver: Waiver | None = None
    original: Verdict | None = None
    #: Against a baseline: "new" or "existing" for a failure, "fixed" for a pass that failed before.
    baseline: str | None = None
    #: On a plan overlaid on live: "plan", "live" or "both" (where the resource's data comes from).
    origin: str | None = None
    #: With origin "both": how the planned resource was found live ("arn", "id" or "name").
    matched_by: str | None = None


NO_NOTES: Final = Notes()


class Result(NamedTuple):
    """The verdict of one check on one resource (or one account, or one unobserved scope).

    A named tuple rather than a frozen dataclass: both are immutable, which
    is what lets every view share the same results, but a frozen
    dataclass sets each of its fields through ``object.__setattr__``, and a
    full-pack audit makes one result per check and resource (466,707 at
    100k resources). Building them took 0.79 s that way and 0.24 s as a
    tuple. A changed result is ``result.changed(...)``, which takes the
    fields of :class:`Notes` too.
    """

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
    notes: Notes = NO_NOTES

    @property
    def waiver(self) -> Waiver | None:
        return self.notes.waiver

    @property
    def expired_waiver(self) -> Waiver | None:
        return self.notes.expired_waiver

    @property
    def original(self) -> Verdict | None:
        return self.notes.original

    @property
    def baseline(self) -> str | None:
        return self.notes.baseline

    @property
    def origin(self) -> str | None:
        return self.notes.origin

    @property
    def matched_by(self) -> str | None:
        return self.notes.matched_by

    def changed(self, **changes: Any) -> Result:
        """This result with ``changes``, to its own fields or to its :class:`Notes`."""
        notes = {key: changes.pop(key) for key in list(changes) if key in Notes._fields}
        if notes:
            changes["notes"] = self.notes._replace(**notes)
        return self._replace(**changes)

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
        notes = self.notes
        if notes is NO_NOTES:  # most results: nothing added after evaluation
            return data
        if notes.waiver is not None:
            data["waived_verdict"] = notes.original
            data["waiver"] = {
                "reason": notes.waiver.reason,
                "expires": _date(notes.waiver),
                "file": notes.waiver.location,
            }
        if notes.baseline is not None:
            data["baseline"] = notes.baseline
        if notes.origin is not None:
            data["origin"] = notes.origin
        if notes.matched_by is not None:
            data["matched_by"] = notes.matched_by
        if notes.expired_waiver is not None:
            data["expired_waiver"] = {
                "reason": notes.expired_waiver.reason,
                "expires": _date(notes.expired_waiver),
                "file": notes.expired_waiver.location,
            }
        return data


_CHECK_OF: Final = attrgetter("check")
_VERDICT_OF: Final = attrgetter("verdict")


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
        return {
            "source": self.source,
            "new": self.new,
            "existing": self.existing,
            "fixed": self.fixed,
            "vanished": [{"check": c, "resource": r} for c, r in self.vanished],
        }


@dataclass(frozen=True)
class Gate:
    """What an audit's exit code is, and why."""

    code: int
    reason: str


def decide(
    *,
    failing: str | None = None,
    defective: str | None = None,
    unknown: str | None = None,
    clean: str = "clean",
    soft: bool = False,
) -> Gate:
    """The exit code of DESIGN.md from what a run found, each given as the reason it would exit with.

    1 when something fails at or above the threshold (``failing``); else 2
    when a check is defective (``defective``); else 3 when something at or
    above the threshold could not be decided (``unknown``); else 0.
    ``soft`` reports 1 and 3 but exits 0, never hiding a 2.
    """
    if failing is not None:
        gate = Gate(EXIT_FINDINGS, failing)
    elif defective is not None:
        gate = Gate(EXIT_BAD_INPUT, defective)
    elif unknown is not None:
        gate = Gate(EXIT_INCOMPLETE, unknown)
    else:
        gate = Gate(EXIT_CLEAN, clean)
    if soft and gate.code in (EXIT_FINDINGS, EXIT_INCOMPLETE):
        return Gate(EXIT_CLEAN, f"soft fail (would exit {gate.code}): {gate.reason}")
    return gate


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
        return {
            **self.waiver.as_json(),
            "status": self.status,
            "applied": self.applied,
            "matched_while_expired": self.matched_while_expired,
            "evaluated": self.evaluated,
        }


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
    #: What the reading of a plan or state could not place (a side resource whose target is unknown).
    warnings: tuple[str, ...] = ()
    #: For a plan overlaid on live: the plan, the live snapshot, and what was matched, created and deleted.
    overlay: Mapping[str, Any] | None = None
    #: Where each account sits in the AWS Organization (``--org``): ``{id: {name, ou, ou_path}}``, else empty.
    organisation: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def account_name(self, account: str) -> str:
        return str((self.organisation.get(account) or {}).get("name") or "")

    def ou_path(self, account: str) -> str:
        """The account's OU path by name (``Root/prod/team``), empty when the snapshot does not say."""
        return str((self.organisation.get(account) or {}).get("ou_path") or "")

    def ou_ids(self, account: str) -> tuple[str, ...]:
        """The ids of the organisational units (and root) above the account, root first."""
        return tuple(str(ou["id"]) for ou in (self.organisation.get(account) or {}).get("ou") or ())

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "digest": self.digest,
            "taken_at": self.taken_at,
            "source": self.source,
            "resources": self.resources,
            "accounts": list(self.accounts),
            "regions": list(self.regions),
        }
        if self.warnings:
            data["warnings"] = list(self.warnings)
        if self.overlay is not None:
            data["overlay"] = dict(self.overlay)
        if self.organisation:
            data["organisation"] = {key: dict(value) for key, value in sorted(self.organisation.items())}
        return data


@dataclass(frozen=True, slots=True)
class CheckResults:
    """One check's results in order, and how many there are of each verdict.

    Every framework's view groups results by check, for the whole set and
    for each account, OU and region: grouped once per result set, a view
    adds up counts instead of walking every result again.
    """

    #: The result set's own results, of which this check's are ``source[start:stop]``: a run of the
    #: sorted set, pointed at rather than copied (a copy per check, per group, held every result
    #: once more for each way of grouping).
    source: tuple[Result, ...]
    start: int
    stop: int
    counts: Mapping[str, int]

    @property
    def results(self) -> Iterator[Result]:
        """The check's results, in order."""
        # By index: islice would walk the set from its start to reach the run.
        return map(self.source.__getitem__, range(self.start, self.stop))


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
        found = self.by_check().get(check_id)
        return list(found.results) if found is not None else []

    def by_check(self) -> Mapping[str, CheckResults]:
        """Each check's results and verdict counts, keyed by check id; built once per result set."""
        return self.memo("by_check", self._by_check)

    def _by_check(self) -> dict[str, CheckResults]:
        # The results are sorted by check, so each check's are one run (groupby, in C). A set not
        # sorted so (a check in two runs) has its checks' results gathered into their own tuples.
        runs: dict[str, list[tuple[int, int]]] = {}
        start = 0
        for check, run in groupby(self.results, _CHECK_OF):
            stop = start + sum(1 for _ in run)
            runs.setdefault(check, []).append((start, stop))
            start = stop
        grouped: dict[str, CheckResults] = {}
        for check, spans in runs.items():
            if len(spans) == 1:
                (first, last), source = spans[0], self.results
            else:
                source = tuple(r for first, last in spans for r in self.results[first:last])
                first, last = 0, len(source)
            counts = Counter(map(_VERDICT_OF, map(source.__getitem__, range(first, last))))
            grouped[check] = CheckResults(source, first, last, dict(counts))
        return grouped

    def summary(self) -> dict[str, int]:
        counts = Counter(r.verdict for r in self.results)
        return {verdict: counts.get(verdict, 0) for verdict in VERDICTS}

    def at_or_above(self, severity: str, verdicts: tuple[str, ...] = ("fail",)) -> list[Result]:
        """Results with one of ``verdicts`` whose check is at least ``severity``."""
        floor = severity_rank(severity)
        return [r for r in self.results if r.verdict in verdicts and severity_rank(r.severity) >= floor]

    def gate(self, fail_on: str = "info", *, new_only: bool = False, soft: bool = False) -> Gate:
        """The exit gate of these results (:func:`results_gate`)."""
        return results_gate(self, fail_on, new_only=new_only, soft=soft)

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """``build()`` once per result set: how the views keep what they computed."""
        if key not in self._cache:
            self._cache[key] = build()
        value: T = self._cache[key]
        return value

    @property
    def framework_ids(self) -> list[str]:
        if self.framework is not None:
            return [self.framework]
        return self.policy.framework_ids


def results_gate(results: Results, fail_on: str = "info", *, new_only: bool = False, soft: bool = False) -> Gate:
    """An audit's exit code and its reason, by :func:`decide`.

    Failing means a result fails at or above ``fail_on`` (with ``new_only``,
    only failures a baseline did not have); defective, a result with verdict
    ``error``; unknown, a result at or above ``fail_on`` that is unknown (the
    observation was incomplete).
    """
    failing_results = results.at_or_above(fail_on, ("fail",))
    failing = None
    clean = f"clean: no failing or unknown results at or above severity {fail_on}"
    if new_only:
        if results.baseline is None:
            raise ValueError("failing only on new findings needs a baseline")
        existing = sum(1 for r in failing_results if r.baseline == "existing")
        failing_results = [r for r in failing_results if r.baseline == "new"]
        if failing_results:
            checks = len({r.check for r in failing_results})
            failing = (
                f"{len(failing_results)} new failing result(s) in {checks} check(s) at or above severity "
                f"{fail_on} ({existing} existing ones not counted)"
            )
        clean = (
            f"clean: no new failing or unknown results at or above severity {fail_on} "
            f"({results.baseline.existing} existing failure(s) tolerated)"
        )
    elif failing_results:
        checks = len({r.check for r in failing_results})
        failing = f"{len(failing_results)} failing result(s) in {checks} check(s) at or above severity {fail_on}"
    errors = [r for r in results if r.verdict == "error"]
    defective = f"{len(errors)} result(s) could not be evaluated: {errors[0].reason}" if errors else None
    unknown_results = results.at_or_above(fail_on, ("unknown",))
    unknown = (
        (
            f"observation incomplete: {len(unknown_results)} result(s) at or above severity {fail_on} are "
            "unknown, none failed"
        )
        if unknown_results
        else None
    )
    return decide(failing=failing, defective=defective, unknown=unknown, clean=clean, soft=soft)
