"""Live observation: one concurrent boto3 pass over the estate that yields a snapshot.

Collectors run on a bounded thread pool, one task per collector and region
(once per account for global services), through one shared
:class:`unify.observe.session.Session`. Every task ends with a coverage
entry per type: ``ok``, or ``error`` with the AWS error code and message; a
collector that raises something other than an AWS error is a bug reported as
``CollectorError`` coverage, never a crash of the whole observation.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from unify.errors import AwsError
from unify.model.resource import Coverage, Resource
from unify.model.snapshot import Snapshot
from unify.model.time import utcnow
from unify.observe.collector import CallSession, CollectContext, Collector, CollectorRegistry, Wanted
from unify.observe.progress import Progress, QuietProgress
from unify.observe.redaction import redact_resource, redact_text
from unify.observe.session import ObserveOptions, Session, profile_session

__all__ = ["Outcome", "observe", "run_collector"]


@dataclass
class Outcome:
    """What one collector found in one account and region: resources, coverage, and a collector bug's message."""

    resources: list[Resource]
    coverage: list[Coverage]
    failure: str | None = None


def run_collector(
    session: CallSession, collector: Collector, account: str, partition: str, region: str, regions: tuple[str, ...]
) -> Outcome:
    """Run one collector in one account and region; its coverage says ``ok`` or why not (it never raises)."""
    ctx = CollectContext(
        session=session, collector=collector, account=account, region=region, partition=partition, regions=regions
    )
    resources: list[Resource] = []
    error: dict[str, str] | None = None
    failure: str | None = None
    try:
        resources.extend(collector.collect(ctx))
    except AwsError as exc:
        error = exc.as_coverage()
    except Exception as exc:  # noqa: BLE001 - a collector bug must not sink the whole observation
        error = {
            "code": "CollectorError",
            "message": f"collector {collector.name!r} (plugin {collector.plugin}) failed: {type(exc).__name__}: {exc}",
        }
        failure = error["message"]
    coverage: list[Coverage] = []
    for type_ in collector.types:
        entry: Coverage = {
            "type": type_,
            "account": account,
            "region": region,
            "status": "ok" if error is None else "error",
        }
        gap = error or ctx.unlisted.get(type_)
        if gap is not None:
            entry["status"] = "error"
            entry["error"] = {"code": gap["code"], "message": gap["message"]}
        if type_ in ctx.not_collected:
            entry["not_collected"] = list(ctx.not_collected[type_])
        coverage.append(entry)
    return Outcome(resources, coverage, failure)


def observe(
    types: Sequence[str] | None = None,
    *,
    collectors: CollectorRegistry,
    attributes: Wanted | None = None,
    options: ObserveOptions | None = None,
    profile: str | None = None,
    boto_session: Any = None,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
) -> Snapshot:
    """Observe the estate the credentials reach and return a snapshot.

    ``types`` limits collection to what the checks need (None: everything),
    ``attributes`` the per-resource calls to those whose attributes they read
    (None: every call; see :meth:`Collector.targeted`); ``collectors`` says
    how each type is observed.
    """
    options = options or ObserveOptions()
    progress = progress or QuietProgress()
    warn = warn or (lambda message: None)
    chosen, orphans = collectors.for_types(types, attributes)
    for type_ in orphans:
        warn(f"no collector yields {type_}; checks over it will be unknown (not observed)")
    if boto_session is None:
        boto_session = profile_session(profile)
    started = time.perf_counter()
    taken_at = utcnow()
    session = Session(
        boto_session, options, collectors.client_setups(), collectors.answer_roots(), collectors.kept_sensitive()
    )
    try:
        account, partition = session.account()
        regions = session.resolve_regions(options.regions)
        tasks = [
            (c, "global") if c.scope == "global" else (c, r)
            for c in chosen
            for r in (["global"] if c.scope == "global" else regions)
        ]
        progress.start(len(tasks))
        outcomes: list[Outcome] = []
        with ThreadPoolExecutor(max_workers=options.max_workers, thread_name_prefix="unify-collect") as pool:
            futures = [
                (c, r, pool.submit(run_collector, session, c, account, partition, r, tuple(regions))) for c, r in tasks
            ]
            for collector, region, future in futures:
                outcome = future.result()
                outcomes.append(outcome)
                status = "ok" if all(e["status"] == "ok" for e in outcome.coverage) else "error"
                progress.done(collector.name, region, status, len(outcome.resources))
                if outcome.failure:
                    warn(outcome.failure)
    finally:
        progress.finish()
        session.close()
    declared = collectors.resource_types()
    resources: dict[tuple[str, str, str, str], Resource] = {}
    for outcome in outcomes:
        for resource in outcome.resources:
            key = (resource["type"], resource["account"], resource["region"], resource["id"])
            if key not in resources:
                # No secret is kept, whichever collector made the resource (redaction.py says what counts).
                resources[key] = redact_resource(resource, declared)
    coverage = [entry for outcome in outcomes for entry in outcome.coverage]
    for entry in coverage:
        if "error" in entry:
            entry["error"]["message"] = redact_text(entry["error"]["message"])
    stats = {
        "api_calls": sum(session.calls.values()),
        "http_requests": session.requests,
        "calls": dict(sorted(session.calls.items())),
        "detail_errors": dict(sorted(session.detail_errors.items())),
        "broken_answers": dict(sorted(session.broken_answers.items())),
        "retried_successes": session.retried_successes,
        "collectors": sorted({c.name for c, _ in tasks}),
        "skipped_calls": sorted({call for c in chosen for call in c.skipped}),
        "tasks": len(tasks),
        "duration_seconds": round(time.perf_counter() - started, 3),
        "retry_mode": options.retry_mode,
    }
    return Snapshot.build(
        resources=list(resources.values()),
        coverage=coverage,
        scope={"accounts": [account], "regions": regions},
        source="aws",
        taken_at=taken_at,
        stats=stats,
    )
