"""The evaluator: checks x snapshot -> results, in three-valued logic.

This is the only place verdicts are made. It is pure (no I/O, no clock:
time comes from the snapshot's ``taken_at``) and deterministic (checks by
id, resources in canonical order), so the same inputs give byte-identical
results. Policy, compliance and drift are all views of what it returns.

Where data is missing, the snapshot's coverage decides what can be said:

* an attribute holding ``{"$unknown": reason}`` makes the conditions that read
  it unknown (Kleene logic decides whether that decides the check);
* a coverage ``error`` for a type, account and region gives each check over
  the type one ``unknown`` result for that scope;
* a type with neither resources nor coverage gives one ``unknown``, "not
  observed", never a vacuous pass;
* an aggregate count is a range: resources whose ``where`` is unknown and
  scopes without complete coverage widen it, and the verdict is unknown when
  the range straddles the bound.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from operator import attrgetter, itemgetter
from typing import Any, Final

from unify._heap import collector_paused
from unify.checks.conditions import FALSE, TRUE, UNKNOWN, DefectAt, Detail
from unify.checks.operators import EvalContext
from unify.checks.policy_set import Check, PolicySet
from unify.checks.reasons import humanize
from unify.checks.waivers import Waiver, WaiverSet
from unify.model.resource import Coverage, Resource
from unify.model.snapshot import Snapshot
from unify.recall import RECALLED, Columns, Plan, reads_plan
from unify.results import NO_NOTES, Result, Results, SnapshotInfo, Verdict, WaiverUse

__all__ = ["apply_waivers", "count_verdict", "evaluate", "scope_id"]

_VERDICT = {TRUE: "pass", FALSE: "fail", UNKNOWN: "unknown"}
#: A :class:`Result` from the tuple of all its fields, without the named tuple's __new__ in Python.
_RESULT: Final[Callable[[tuple[Any, ...]], Result]] = partial(tuple.__new__, Result)
_MAX_REASONS = 3
#: Resources an aggregate's reason names as near misses.
_MAX_MISSES = 3
#: What an aggregate's count must be, in words.
_COUNT_WORDS = {
    "ge": "at least {n} needed",
    "gt": "more than {n} needed",
    "le": "at most {n} allowed",
    "lt": "fewer than {n} allowed",
    "eq": "exactly {n} needed",
    "ne": "any number but {n} needed",
}


def scope_id(account: str, region: str, type_: str) -> str:
    """The resource id of a result about a whole scope rather than one resource."""
    return f"{account}/{region}/{type_}"


def count_verdict(op: str, bound: int, low: float, high: float) -> int:
    """Kleene truth of ``count <op> bound`` when the count lies in ``[low, high]``."""
    if op == "ge":
        return TRUE if low >= bound else FALSE if high < bound else UNKNOWN
    if op == "gt":
        return TRUE if low > bound else FALSE if high <= bound else UNKNOWN
    if op == "le":
        return TRUE if high <= bound else FALSE if low > bound else UNKNOWN
    if op == "lt":
        return TRUE if high < bound else FALSE if low >= bound else UNKNOWN
    if op == "eq":
        return TRUE if low == high == bound else FALSE if not low <= bound <= high else UNKNOWN
    if op == "ne":
        return TRUE if not low <= bound <= high else FALSE if low == high == bound else UNKNOWN
    raise ValueError(f"unknown count operator {op!r}")


def _listing_error(entry: Coverage) -> str:
    """``code: message`` of a coverage error."""
    error = entry.get("error")
    if error is None:
        return "error"
    return f"{error.get('code', 'error')}: {error.get('message', '')}".rstrip(": ")


def _reason(details: Sequence[Detail]) -> str:
    """The details in words, at most a few; leaves under one absent block are said once."""
    if not details:
        return ""
    messages: list[str] = []
    blocks: dict[str, list[str]] = {}
    for detail in details:
        if detail.absent_at and detail.verdict == "fail" and not detail.alternatives:
            needed = blocks.get(detail.absent_at)
            if needed is None:
                blocks[detail.absent_at] = needed = []
                messages.append(detail.absent_at)  # a place holder, filled below
            needed.append(detail.requirement_below())
        else:
            messages.append(detail.message)
    messages = [
        f"has no {humanize(m)} (needed: {', '.join(dict.fromkeys(blocks[m]))})" if m in blocks else m
        for m in dict.fromkeys(messages)
    ]
    text = "; ".join(messages[:_MAX_REASONS])
    if len(messages) > _MAX_REASONS:
        text += f"; and {len(messages) - _MAX_REASONS} more"
    return text


#: What a recalled judgement is: a result's verdict, reason and details, or out of scope (None).
_Judgement = tuple[Verdict, str, tuple[Detail, ...]] | None
#: What a result takes from its resource: id, type, account, region, name and Terraform address.
_Head = tuple[str, str, str, str, str | None, str | None]


def _from_head(check: Check, head: _Head, verdict: Verdict, reason: str, details: tuple[Detail, ...]) -> Result:
    """The result of ``check`` on the resource ``head`` is of: every field, in order, straight into the tuple.

    One result per check and resource: the named tuple's generated __new__
    (a Python frame) was 6% of evaluation; keywords cost a third more again.
    """
    id_, type_, account, region, name, address = head
    return _RESULT(
        (
            check.id,
            id_,
            type_,
            verdict,
            reason,
            check.severity,
            check.controls,
            check.kind,
            account,
            region,
            name,
            address,
            details,
            NO_NOTES,
        )
    )


def _head(resource: Resource) -> _Head:
    attributes = resource.get("attributes") or {}
    address = attributes.get("terraform_address") if isinstance(attributes, dict) else None
    return (
        resource["id"],
        resource["type"],
        resource["account"],
        resource["region"],
        resource.get("name"),
        address if isinstance(address, str) else None,
    )


class _IdOrder:
    """The resources of a type by id, equal ids in snapshot order: the order a check's results are kept in.

    A guardrail over one type that judges them so makes its results in the
    order sorting them by (resource, type) gives, and sorting each check's
    results was 7% of evaluation. Its own object, not a method of the
    evaluator: the evaluator's columns hold it, and a bound method would
    make evaluator and columns a cycle that keeps the snapshot's columns
    alive until the next full collection.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.ordered: dict[str, list[Resource]] = {}

    def __call__(self, type_: str) -> list[Resource]:
        ordered = self.ordered.get(type_)
        if ordered is None:
            ordered = self.ordered[type_] = sorted(self.snapshot.of_type(type_), key=_ID)
        return ordered


class _Evaluator:
    def __init__(self, snapshot: Snapshot, checks: Sequence[Check]) -> None:
        self.snapshot = snapshot
        self.ctx = EvalContext(now=snapshot.taken_at_time)
        self.regions = set(snapshot.scope.get("regions") or [])
        self.reasons: dict[str, str] = {}
        # Every guardrail's plan first, so each column is made once and dropped after the last check reading it.
        self.in_id_order = _IdOrder(snapshot)
        self.columns = Columns(self.in_id_order)
        self.plans: dict[str, Plan] = {}
        for check in checks:
            if check.kind == "guardrail":
                nodes = (check.where, check.assertion)
                self.plans[check.id] = plan = reads_plan(r for node in nodes if node is not None for r in node.reads())
                self.columns.expect(check.types, plan)
        self._heads: dict[str, list[_Head]] = {}

    # -- coverage ------------------------------------------------------------

    def completeness(self, type_: str, account: str, region: str | None = None) -> str | None:
        """None when coverage says every resource of the type there is listed; else why not."""
        entries = [c for c in self.snapshot.coverage_of(type_) if c["account"] == account]
        if region is not None:
            entries = [c for c in entries if c["region"] in (region, "global")]
        if not entries:
            where = account if region is None else f"{account}/{region}"
            if not self.snapshot.coverage:
                # A plan or a state: it lists what it manages, and may not even know the account.
                place = "an account it does not name" if account == "unknown" else where
                return f"the snapshot lists only what a plan or state manages, and other {type_} may exist in {place}"
            return f"{type_} was not observed in {where}"
        for entry in entries:
            if entry["status"] == "error":
                return f"{type_} in {entry['account']}/{entry['region']} could not be listed: {_listing_error(entry)}"
        covered = {c["region"] for c in entries}
        if "global" in covered or region is not None:
            return None
        missing = sorted(self.regions - covered)
        if missing:
            return f"{type_} was not observed in {account}/{', '.join(missing)}"
        return None

    # -- one resource ----------------------------------------------------------

    def judge(self, check: Check, resource: Resource, head: _Head | None = None) -> Result | None:
        """The result of ``check`` on ``resource``, None out of scope; ``head``: its :func:`_head`, if made."""
        details: list[Detail] = []
        try:
            if check.where is not None:
                scope = check.where.evaluate(resource, self.ctx)
                if scope == FALSE:
                    return None
                if scope == UNKNOWN:
                    check.where.unmet(resource, self.ctx, TRUE, UNKNOWN, "", details)
                    reason = "cannot tell whether it is in scope: " + _reason(details)
                    return self.result(check, resource, "unknown", reason, details, head)
            assert check.assertion is not None
            truth = check.assertion.evaluate(resource, self.ctx)
            if truth != TRUE:
                check.assertion.unmet(resource, self.ctx, TRUE, truth, "", details)
        except DefectAt as defect:
            return self.result(check, resource, "error", f"check defect at {defect}", (), head)
        return self.result(check, resource, _VERDICT[truth], _reason(details), details, head)  # type: ignore[arg-type]

    def result(
        self,
        check: Check,
        resource: Resource,
        verdict: Verdict,
        reason: str,
        details: Iterable[Detail],
        head: _Head | None = None,
    ) -> Result:
        # Many resources fail for the same words: one string for each (150,563 reasons, 6,469 distinct, at 100k).
        reason = self.reasons.setdefault(reason, reason)
        return _from_head(check, _head(resource) if head is None else head, verdict, reason, tuple(details))

    def scope_result(
        self,
        check: Check,
        account: str,
        region: str,
        type_: str,
        verdict: Verdict,
        reason: str,
        details: Iterable[Detail] = (),
        resource: str | None = None,
    ) -> Result:
        return Result(
            check=check.id,
            resource=resource or scope_id(account, region, type_),
            type=type_,
            verdict=verdict,
            reason=reason,
            severity=check.severity,
            controls=check.controls,
            kind=check.kind,
            account=None if account == "*" else account,
            region=None if region == "*" else region,
            details=tuple(details),
        )

    # -- the three kinds of check ------------------------------------------

    def heads(self, type_: str) -> list[_Head]:
        """What each result about a resource of ``type_`` takes from it, in id order: made once per type."""
        heads = self._heads.get(type_)
        if heads is None:
            heads = self._heads[type_] = [_head(resource) for resource in self.in_id_order(type_)]
        return heads

    def guardrail(self, check: Check) -> Iterator[Result]:
        plan = self.plans[check.id]
        for type_ in check.types:
            resources = self.in_id_order(type_)
            coverage = self.snapshot.coverage_of(type_)
            keys = self.columns.keys(type_, plan)
            if keys is None:  # values rarely alike: judged afresh
                for resource, head in zip(resources, self.heads(type_), strict=True):
                    result = self.judge(check, resource, head)
                    if result is not None:
                        yield result
            else:
                judgements: dict[Any, _Judgement] = {}
                for resource, head, key in zip(resources, self.heads(type_), keys, strict=True):
                    if key in judgements:
                        judgement = judgements[key]
                        if judgement is not None:
                            yield _from_head(check, head, *judgement)
                        continue
                    result = self.judge(check, resource, head)
                    if len(judgements) < RECALLED:
                        judgements[key] = None if result is None else (result.verdict, result.reason, result.details)
                    if result is not None:
                        yield result
            for entry in coverage:
                if entry["status"] == "error":
                    yield self.scope_result(
                        check,
                        entry["account"],
                        entry["region"],
                        type_,
                        "unknown",
                        f"not observed: listing {type_} failed: {_listing_error(entry)}",
                    )
            if not resources and not coverage:
                yield self.scope_result(
                    check,
                    "*",
                    "*",
                    type_,
                    "unknown",
                    f"not observed: the snapshot has no {type_} resources and no coverage entry for the type",
                )

    def aggregate(self, check: Check) -> Iterator[Result]:
        accounts = self.snapshot.accounts
        label = ", ".join(check.types)
        if not accounts:
            yield self.scope_result(check, "*", "*", label, "unknown", "not observed: the snapshot names no account")
            return
        by_account: dict[str, list[Resource]] = defaultdict(list)
        for type_ in check.types:
            for resource in self.snapshot.of_type(type_):
                by_account[resource["account"]].append(resource)
        for account in accounts:
            low = high = 0.0
            gaps: list[str] = []
            misses: list[Resource] = []
            try:
                for resource in by_account.get(account, []):
                    scope = TRUE if check.where is None else check.where.evaluate(resource, self.ctx)
                    low += scope == TRUE
                    high += scope != FALSE
                    if scope == FALSE:
                        misses.append(resource)
            except DefectAt as defect:
                yield self.scope_result(
                    check, account, "*", label, "error", f"check defect at {defect}", resource=account
                )
                continue
            for type_ in check.types:
                gap = self.completeness(type_, account)
                if gap is not None:
                    gaps.append(gap)
                    high = math.inf
            truth = TRUE
            details: list[Detail] = []
            shown = (
                f"{int(low)}"
                if low == high
                else f"between {int(low)} and {'unbounded' if high == math.inf else int(high)}"
            )
            wanted = " and ".join(_COUNT_WORDS[op].format(n=bound) for op, bound in check.count)
            listed = len(by_account.get(account, []))
            for op, bound in check.count:
                value = count_verdict(op, bound, low, high)
                truth = min(truth, value)
                note = f"{shown} of {listed} {label} in account {account} match; {_COUNT_WORDS[op].format(n=bound)}"
                if value == FALSE:
                    details.append(Detail("count", op, bound, shown, "fail", note=note))
                elif value == UNKNOWN:
                    marker = {"$unknown": "; ".join(gaps) or f"count is {shown}"}
                    details.append(Detail("count", op, bound, marker, "unknown", note=note))
            if truth == TRUE:
                reason = ""
            elif truth == UNKNOWN:
                reason = f"{shown} {label} in account {account} match, so it is unknown whether {wanted}"
                if gaps:
                    reason += "; " + "; ".join(gaps)
            else:
                reason = self.count_reason(check, account, label, int(low), listed, misses, wanted)
            yield self.scope_result(check, account, "*", label, _VERDICT[truth], reason, details, resource=account)  # type: ignore[arg-type]

    def count_reason(
        self, check: Check, account: str, label: str, matching: int, listed: int, misses: list[Resource], wanted: str
    ) -> str:
        """Why an aggregate check fails in one account: how many match, and why the nearest ones do not."""
        if not listed:
            return f"there is no {label} in account {account}; {wanted}"
        if matching and not misses:
            return f"{matching} {label} in account {account} match; {wanted}"
        why = []
        for resource in misses[:_MAX_MISSES]:
            details: list[Detail] = []
            if check.where is not None:
                check.where.explain(resource, self.ctx, TRUE, "", details)
            if details:
                why.append(f"{resource.get('name') or resource['id']}: {details[0].message}")
        more = f"; and {len(misses) - _MAX_MISSES} more" if len(misses) > _MAX_MISSES else ""
        shown = f" ({'; '.join(why)}{more})" if why else ""
        lead = f"none of the {listed}" if not matching else f"only {matching} of the {listed}"
        return f"{lead} {label} in account {account} {'matches' if not matching else 'match'}{shown}; {wanted}"

    def desired(self, check: Check) -> Iterator[Result]:
        type_ = check.types[0]
        matches = [
            r
            for r in self.snapshot.of_type(type_)
            if (r["id"] == check.resource_id if check.resource_id is not None else r.get("name") == check.name)
            and (check.account is None or r["account"] == check.account)
            and (check.region is None or r["region"] == check.region)
        ]
        if len(matches) == 1:
            result = self.judge(check, matches[0])
            if result is not None:
                yield result
            return
        if len(matches) > 1:
            ids = ", ".join(r["id"] for r in matches)
            first = matches[0]
            yield self.result(
                check,
                first,
                "fail",
                f"{len(matches)} {type_} resources are named {check.name!r} ({ids}); "
                "give account or region to pick one",
                (),
            )
            return
        accounts = [check.account] if check.account else self.snapshot.accounts
        gaps = (
            [g for a in accounts if (g := self.completeness(type_, a, check.region)) is not None]
            if accounts
            else [f"{type_} was not observed"]
        )
        expected = _expected_of(check)
        account = check.account or "*"
        region = check.region or "*"
        label = check.resource_id or check.name or "?"
        if gaps:
            detail = Detail("", "exists", expected, {"$unknown": "; ".join(gaps)}, "unknown")
            yield self.scope_result(
                check,
                account,
                region,
                type_,
                "unknown",
                f"{type_} {label!r} not found, and the observation is incomplete: " + "; ".join(gaps),
                (detail,),
                resource=label,
            )
            return
        detail = Detail("", "exists", expected, None, "fail")
        yield self.scope_result(
            check, account, region, type_, "fail", f"{type_} {label!r} does not exist", (detail,), resource=label
        )

    def run(self, check: Check) -> list[Result]:
        """The check's results, sorted by (resource, type)."""
        if check.kind == "aggregate":
            return sorted(self.aggregate(check), key=_WITHIN_CHECK)
        if check.kind == "desired":
            return sorted(self.desired(check), key=_WITHIN_CHECK)
        results = list(self.guardrail(check))
        if len(check.types) != 1 or self.speaks_for_scopes(check.types[0]):
            results.sort(key=_WITHIN_CHECK)  # else judged in id order (in_id_order): already sorted
        return results

    def speaks_for_scopes(self, type_: str) -> bool:
        """Whether a guardrail over ``type_`` gives results about whole scopes: a listing failed, or none was made."""
        coverage = self.snapshot.coverage_of(type_)
        return any(entry["status"] == "error" for entry in coverage) or not (coverage or self.snapshot.of_type(type_))


def _expected_of(check: Check) -> dict[str, object]:
    leaves = getattr(check.assertion, "children", ())
    return {leaf.path.text: leaf.raw for leaf in leaves}


_CHECK_ID: Final = attrgetter("id")
#: The verdicts a waiver changes.
_WAIVABLE: Final = frozenset({"fail", "unknown"})
_WITHIN_CHECK: Final = attrgetter("resource", "type")
_ID: Final = itemgetter("id")


def apply_waivers(
    results: list[Result], waivers: WaiverSet, snapshot: Snapshot, evaluated: set[str]
) -> tuple[list[Result], list[WaiverUse]]:
    """Waive the failing and unknown results a waiver matches, and say how each waiver fared.

    Public for evaluation partitioned by account, which waives the merged
    results once, exactly as :func:`evaluate` does.
    """
    today = snapshot.taken_at_time.date()
    applied: dict[int, int] = defaultdict(int)
    expired_hits: dict[int, int] = defaultdict(int)
    # A waiver names its check: the results of other checks are kept as they are, without a look at each
    # (with no waivers, the pass over a 100k audit's 466,707 results cost 0.1 CPU s).
    named = {waiver.check for waiver in waivers}
    out: list[Result] = [] if named else list(results)
    for result in results if named else ():
        waiver = _matching(waivers, result) if result.check in named and result.verdict in _WAIVABLE else None
        if waiver is None:
            out.append(result)
        elif waiver.active_on(today):
            applied[id(waiver)] += 1
            note = f"waived until {waiver.expires.isoformat()}" if waiver.expires else "waived"
            out.append(
                result.changed(
                    verdict="waived",
                    original=result.verdict,
                    waiver=waiver,
                    reason=f"{note}: {waiver.reason} (was {result.verdict}: {result.reason})",
                )
            )
        else:
            expired_hits[id(waiver)] += 1
            out.append(
                result.changed(
                    expired_waiver=waiver,
                    reason=f"{result.reason} (waiver expired {waiver.expires}: {waiver.reason})",
                )
            )
    uses = [
        WaiverUse(
            w, "active" if w.active_on(today) else "expired", applied[id(w)], expired_hits[id(w)], w.check in evaluated
        )
        for w in waivers
    ]
    return out, uses


def _matching(waivers: WaiverSet, result: Result) -> Waiver | None:
    waiver = waivers.find(result.check, result.resource)
    if waiver is None and result.address:
        waiver = waivers.find(result.check, result.address)
    return waiver


def evaluate(
    policy: PolicySet,
    snapshot: Snapshot,
    waivers: WaiverSet | None = None,
    *,
    framework: str | None = None,
    types: Iterable[str] | None = None,
) -> Results:
    """Evaluate every check of ``policy`` against ``snapshot``; the one place verdicts are made.

    ``framework`` keeps the checks mapped to it; ``types`` keeps the checks
    that read at least one of these resource types (a plan speaks only for
    what it plans). Waivers are validated against the whole policy set.
    """
    selected = policy.select(framework)
    if types is not None:
        wanted = set(types)
        selected = replace(selected, checks=tuple(c for c in selected.checks if wanted & set(c.types)))
    waivers = waivers or WaiverSet()
    waivers.check_ids(policy.ids)
    evaluator = _Evaluator(snapshot, selected.checks)
    results: list[Result] = []
    # Results and their details point at checks and resources, never back: no cycle for the collector to find,
    # which would otherwise walk the growing heap again and again while they are made.
    with collector_paused():
        # In check order, each check's results sorted by resource: the order of sorting them all by
        # (check, resource, type), with the sort keys of one check alive at a time, not of all of them
        # (0.3 GB of key tuples for a million resources). Check ids are unique.
        for check in sorted(selected.checks, key=_CHECK_ID):
            results.extend(evaluator.run(check))
        results, uses = apply_waivers(results, waivers, snapshot, set(selected.ids))
    info = SnapshotInfo(
        digest=snapshot.digest,
        taken_at=snapshot.taken_at,
        source=snapshot.source,
        resources=len(snapshot),
        accounts=tuple(snapshot.accounts),
        regions=tuple(snapshot.scope.get("regions") or ()),
        coverage_errors=tuple(dict(c) for c in snapshot.coverage if c["status"] == "error"),
        file=snapshot.file,
        organisation=_organisation(snapshot),
    )
    return Results(tuple(results), selected, info, tuple(uses), framework)


def _organisation(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    """Each account's place in the Organization, as the observation recorded it in ``stats`` (else empty)."""
    recorded = (snapshot.stats.get("organisation") or {}).get("accounts") if isinstance(snapshot.stats, dict) else None
    if not isinstance(recorded, dict):
        return {}
    return {str(k): dict(v) for k, v in sorted(recorded.items()) if isinstance(v, dict)}
