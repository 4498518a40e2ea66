"""Observing many accounts as one snapshot: accounts made ready, units run on an executor, outcomes merged.

The coordinator (this module, in the process that runs ``unify``) never
holds an account's credentials: each account's role is assumed where its
units run (:mod:`unify.observe.shards`). First every account is made ready
(its role assumed, ``--regions all`` resolved to the regions enabled in it);
an account whose role cannot be assumed is ``error`` coverage for every type
and region it would have been observed in, with the reason, and the rest of
the organisation is observed all the same. Then each (account, region,
collector) unit runs; a unit in error is tried again (with fresh
credentials) unless its error is a missing permission, and its last outcome
is what the snapshot says. The merge is by unit, so the digest does not
depend on the executor, the number of workers, or the order units ran in.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from unify.errors import ObservationError
from unify.executors import Executor, Failure, LocalExecutor
from unify.model.resource import Coverage
from unify.model.snapshot import Snapshot
from unify.model.time import utcnow
from unify.observe.accounts import Account
from unify.observe.collector import CollectorRegistry, Wanted
from unify.observe.limits import divided
from unify.observe.progress import Progress, QuietProgress
from unify.observe.resume import ResumeDir
from unify.observe.session import ObserveOptions
from unify.observe.shards import (
    AccountPlan,
    Base,
    Connections,
    Shared,
    Unit,
    UnitOutcome,
    account_error_coverage,
    merge,
    plan_account,
    retryable,
    run_unit,
)

__all__ = ["UNIT_FAILED", "check_regions", "observe_organisation"]

#: The coverage code of a unit that raised or whose worker was lost, on its last attempt.
UNIT_FAILED = "UnitFailed"


def check_regions(names: Sequence[str]) -> None:
    """Refuse region names no partition has (bad input, before anything is observed)."""
    wanted = [name for name in names if name != "all"]
    if not wanted:
        return
    import boto3  # here, not with the module: a snapshot's audit never loads boto3

    session = boto3.session.Session()
    partitions = session.get_available_partitions()
    known = {region for partition in partitions for region in session.get_available_regions("ec2", partition)}
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise ObservationError(f"unknown region(s): {', '.join(unknown)}")


def _shared_among(options: ObserveOptions, workers: int) -> ObserveOptions:
    """The options each of ``workers`` processes gets, so that their caps add up to the account's."""
    limits, default = divided(options.service_limits, options.default_limit, workers)
    rate = options.max_requests_per_second
    return replace(
        options,
        service_limits=limits,
        default_limit=default,
        max_requests_per_second=None if rate is None else max(1, rate // workers),
    )


def _plans(executor: Executor, accounts: Sequence[Account], shared: Shared) -> list[AccountPlan]:
    plans: list[AccountPlan] = []
    for account, made in zip(accounts, executor.map(plan_account, accounts, shared), strict=True):
        if isinstance(made, Failure):
            error = {"code": UNIT_FAILED, "message": f"making account {account.id} ready failed: {made.message}"}
            made = AccountPlan(account, account.partition, (), error)  # noqa: PLW2901 - the failure's stand-in
        plans.append(made)
    return plans


def _units(plans: Sequence[AccountPlan], shared: Shared) -> list[Unit]:
    units: list[Unit] = []
    for plan in plans:
        if plan.error is not None:
            continue
        account = plan.account
        units.extend(
            Unit(
                account.id,
                region,
                collector.name,
                role_arn=account.role_arn,
                external_id=account.external_id,
                session_name=account.session_name,
                partition=plan.partition,
                regions=plan.regions,
            )
            for collector in shared.collectors
            for region in (["global"] if collector.scope == "global" else plan.regions)
        )
    return sorted(units)


def _failed(unit: Unit, shared: Shared, message: str) -> UnitOutcome:
    collector = shared.collector(unit.collector)
    error = {"code": UNIT_FAILED, "message": f"unit {unit.collector} in {unit.account}/{unit.region}: {message}"}
    coverage: list[Coverage] = [
        {"type": t, "account": unit.account, "region": unit.region, "status": "error", "error": dict(error)}  # type: ignore[typeddict-item]
        for t in collector.types
    ]
    return UnitOutcome(unit, [], coverage, {"calls": {}, "duration_seconds": 0.0}, None)


def _settled(unit: Unit, came: UnitOutcome | Failure, shared: Shared, last: bool) -> UnitOutcome | None:
    """The unit's final outcome, or None when it is to run again (an error worth a second attempt)."""
    if isinstance(came, Failure):
        return _failed(unit, shared, came.message) if last else None
    if not came.ok and not last and retryable(came):
        return None
    return came


def _run_all(
    executor: Executor,
    units: list[Unit],
    shared: Shared,
    attempts: int,
    progress: Progress,
    resume: ResumeDir | None = None,
) -> tuple[list[UnitOutcome], int]:
    final: list[UnitOutcome] = []
    retried = 0
    pending = units

    def finished(index: int, came: UnitOutcome | Failure) -> None:
        # Written as each unit finishes, so an interrupted run keeps what it saw; errors are tried again.
        if resume is not None and isinstance(came, UnitOutcome) and came.ok:
            resume.save(came)

    for attempt in range(1, attempts + 1):
        last = attempt == attempts
        current = pending

        def report(index: int, came: UnitOutcome | Failure, current: list[Unit] = current, last: bool = last) -> None:
            # As each unit finishes, so the display moves while the run does (units to retry are not done yet).
            unit = current[index]
            finished(index, came)
            outcome = _settled(unit, came, shared, last)
            if outcome is not None:
                status = "ok" if outcome.ok else "error"
                progress.done(unit.collector, unit.region, status, len(outcome.resources), unit.account)

        again: list[Unit] = []
        for unit, came in zip(current, executor.map(run_unit, current, shared, on_done=report), strict=True):
            outcome = _settled(unit, came, shared, last)
            if outcome is None:
                again.append(unit)
            else:
                final.append(outcome)
        if not again:
            break
        retried += len(again)
        pending = [
            Unit(
                u.account,
                u.region,
                u.collector,
                u.role_arn,
                u.external_id,
                u.session_name,
                u.partition,
                u.regions,
                attempt + 1,
            )
            for u in again
        ]
    return final, retried


def _collected_enough(outcome: UnitOutcome, shared: Shared) -> bool:
    """Whether a saved unit holds every attribute this run collects (it may hold more)."""
    try:
        collector = shared.collector(outcome.unit.collector)
    except KeyError:
        return False
    skipped = collector.not_collected
    return all(set(entry.get("not_collected", ())) <= set(skipped.get(entry["type"], ())) for entry in outcome.coverage)


def observe_organisation(
    accounts: Sequence[Account],
    types: Sequence[str] | None = None,
    *,
    collectors: CollectorRegistry,
    executor: Executor,
    attributes: Wanted | None = None,
    options: ObserveOptions | None = None,
    base: Base | None = None,
    boto_session: Any = None,
    attempts: int = 2,
    order: Callable[[list[Unit]], list[Unit]] | None = None,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
    resume: ResumeDir | None = None,
) -> Snapshot:
    """Observe every account (by assuming its role) into one snapshot with one coverage map.

    ``boto_session`` is this process's base session, for the local executor
    (a Dask worker uses its own, from ``base``). ``order`` is the order units
    are handed to the executor (default: account, region, collector); the
    snapshot does not depend on it. ``attempts`` is how often a unit in error
    is run in all. ``resume`` holds the units a previous run finished: they
    are not run again (unless they lack attributes this run reads), and each
    unit that finishes ``ok`` is added to it. ``attributes`` targets the
    per-resource calls as in :func:`unify.observe.observation.observe`.

    On a Dask executor each worker process keeps its own caps per account,
    so every cap (and ``max_requests_per_second``) is divided by the number
    of workers: together they hold the account's cap.
    """
    options = options or ObserveOptions()
    base = base or Base(endpoint_url=options.endpoint_url)
    progress = progress or QuietProgress()
    warn = warn or (lambda message: None)
    if not accounts:
        raise ObservationError("no account to observe")
    chosen, orphans = collectors.for_types(types, attributes)
    for type_ in orphans:
        warn(f"no collector yields {type_}; checks over it will be unknown (not observed)")
    check_regions([*(options.regions or ()), *(r for a in accounts for r in a.regions)])
    local = isinstance(executor, LocalExecutor)
    if not local:
        options = _shared_among(options, max(1, int(getattr(executor, "workers", 1) or 1)))
    if boto_session is not None and not local:
        raise ObservationError("a boto3 session of this process cannot be sent to workers: give a profile instead")
    connections = Connections(base, boto_session) if local else None
    shared = Shared(tuple(chosen), options, base, connections)
    started = time.perf_counter()
    taken_at = utcnow()
    try:
        plans = _plans(executor, accounts, shared)
        units = _units(plans, shared)
        saved = resume.load() if resume is not None else {}
        # A unit saved by a run that collected fewer attributes than this one needs is observed again.
        done = {key: outcome for key, outcome in saved.items() if _collected_enough(outcome, shared)}
        if len(done) < len(saved):
            warn(
                f"{len(saved) - len(done)} saved unit(s) collected fewer attributes than this run "
                "reads: observed again (their files are kept as they are)"
            )
        resumed = [done[unit.key] for unit in units if unit.key in done]
        todo = [unit for unit in units if unit.key not in done]
        per_account = {plan.account.id: 0 for plan in plans}
        for unit in todo:
            per_account[unit.account] += 1
        progress.start(len(todo), per_account)
        outcomes, retried = _run_all(executor, order(list(todo)) if order else todo, shared, attempts, progress, resume)
        outcomes.extend(resumed)
    finally:
        progress.finish()
        if connections is not None:
            connections.close()
    observed = sorted({r for plan in plans if plan.error is None for r in plan.regions})
    fallback = observed or [r for r in (options.regions or [base.region]) if r != "all"] or [base.region]
    extra: list[Coverage] = []
    for plan in plans:
        if plan.error is not None:
            warn(f"account {plan.account.id}: {plan.error['message']}")
            extra.extend(account_error_coverage(plan, chosen, fallback))
    for outcome in sorted(outcomes, key=lambda o: o.unit.key):
        if outcome.failure:
            warn(outcome.failure)
    calls: Counter[str] = Counter()
    for outcome in outcomes:
        calls.update(outcome.stats.get("calls") or {})
    failed = {r for plan in plans if plan.error is not None for r in (plan.regions or fallback)}
    regions = sorted(set(observed) | failed)
    stats = {
        "api_calls": sum(calls.values()),
        "calls": dict(sorted(calls.items())),
        "collectors": sorted(c.name for c in chosen),
        "skipped_calls": sorted({call for c in chosen for call in c.skipped}),
        "accounts": len(plans),
        "accounts_in_error": sorted(plan.account.id for plan in plans if plan.error is not None),
        "units": len(units),
        "retried_units": retried,
        "resumed_units": len(resumed),
        "executor": executor.name,
        "duration_seconds": round(time.perf_counter() - started, 3),
        "retry_mode": options.retry_mode,
    }
    places = {account.id: place for account in accounts if (place := account.organisation()) is not None}
    if places:
        # Where each account sits in the Organization, for views by OU; outside the digest, like all stats.
        stats["organisation"] = {"accounts": dict(sorted(places.items()))}
    return merge(
        outcomes,
        extra,
        declared=collectors.resource_types(),
        scope={"accounts": sorted(plan.account.id for plan in plans), "regions": regions},
        taken_at=taken_at,
        stats=stats,
    )
