"""Watch: observe, evaluate and record on an interval, and say what changed each time.

:func:`watch` is the loop behind ``unify watch``. Each iteration observes
(through a callable, so the CLI and the tests choose how), evaluates, records
into the evidence store when there is one, compares with the previous
successful iteration and emits one event, a JSON-ready ``dict``:

``{"event": "observed", "iteration", "time", "taken_at", "digest", "resources",
"coverage_errors", "summary", "changes", "flips", "run"}``; ``changes`` (the
snapshot diff: summary, ids added and removed, changed paths, coverage
changes) and ``flips`` (verdicts that changed) are None on the first
successful iteration, which has nothing to compare with.

``{"event": "observation-failed", "iteration", "time", "error"}`` when the
observation could not be made (a :class:`unify.errors.UnifyError`, a botocore
error, a network error); the loop carries on at the next interval, and the
next success is compared with the last success before the failure.

Iterations start ``interval_seconds`` apart (start to start); one that runs
longer than the interval is followed at once by the next. The wait is
``stop.wait``, so setting the event ends the loop at once, between
iterations; an iteration under way is completed (and recorded) first.
"""

from __future__ import annotations

import json
import re
import signal
import threading
import time
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any, Final

from unify._time import format_timestamp, utcnow
from unify.changes import diff_snapshots, verdict_flips
from unify.errors import UnifyError
from unify.evaluation import evaluate

if TYPE_CHECKING:
    from unify.checks import PolicySet
    from unify.evidence import EvidenceStore
    from unify.snapshot import Snapshot
    from unify.waivers import WaiverSet

__all__ = ["watch", "parse_interval", "install_signal_handlers", "observation_failures", "describe_event",
           "jsonl_emitter", "MIN_INTERVAL"]

MIN_INTERVAL: Final = 1.0
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdSMHD])\s*$")
_SECONDS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """Seconds in ``90s``, ``15m``, ``1h``, ``2d`` (``1.5h`` too); at least one second.

    Raises ``ValueError`` with a message fit for the command line otherwise.
    """
    match = _INTERVAL.match(str(text))
    if not match:
        raise ValueError(f"not an interval: {text!r} (a number followed by s, m, h or d, e.g. 90s, 15m, 1h, 2d)")
    amount, unit = match.groups()
    seconds = float(amount) * _SECONDS[unit.lower()]
    if seconds < MIN_INTERVAL:
        raise ValueError(f"interval {text!r} is too short: the minimum is 1s")
    return seconds


def observation_failures() -> tuple[type[BaseException], ...]:
    """What counts as a failed observation rather than a defect: unify, botocore and network errors."""
    kinds: list[type[BaseException]] = [UnifyError, OSError, TimeoutError]
    try:
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

        kinds += [BotoCoreError, ClientError]
    except ImportError:  # pragma: no cover - boto3 is a dependency
        pass
    try:
        from urllib3.exceptions import HTTPError  # noqa: PLC0415

        kinds.append(HTTPError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(kinds)


def _now() -> str:
    return format_timestamp(utcnow())


def _error_text(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, UnifyError):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def watch(
    *,
    policy: PolicySet,
    waivers: WaiverSet | None,
    observe_once: Callable[[], Snapshot],
    interval_seconds: float,
    iterations: int | None = None,
    store: EvidenceStore | None = None,
    emit: Callable[[dict[str, Any]], None],
    stop: threading.Event | None = None,
    waiver_files: Sequence[str] | None = None,
) -> int:
    """Observe, evaluate, record and compare every ``interval_seconds``; the number of iterations done.

    Runs ``iterations`` times (None: until ``stop`` is set); failed
    observations count as iterations. ``waiver_files`` are the files the
    store records with each run (default ``waivers.files``; pass the paths
    given on the command line, as ``unify audit --store`` does).

    A store that cannot be written (a UnifyError, an OSError, a botocore
    error) is reported in the event as ``store_error``, with ``run`` None, and
    the loop carries on. Other errors are defects, not weather, and
    propagate: a waiver for an unknown check (raised before the first
    iteration), an ``emit`` that raises.
    """
    if interval_seconds < 0:
        raise ValueError("interval_seconds must not be negative")
    if iterations is not None and iterations < 0:
        raise ValueError("iterations must not be negative")
    stop = stop if stop is not None else threading.Event()
    if waivers is not None:
        waivers.check_ids(policy.ids)  # bad input fails now, not at the first successful observation
    failures = observation_failures()
    if waiver_files is None:
        waiver_files = list(waivers.files) if waivers is not None else []
    previous: tuple[int, Snapshot, Any] | None = None
    done = 0
    while (iterations is None or done < iterations) and not stop.is_set():
        started = time.monotonic()
        iteration = done + 1
        try:
            snapshot = observe_once()
        except failures as exc:
            emit({"event": "observation-failed", "iteration": iteration, "time": _now(), "error": _error_text(exc)})
        else:
            results = evaluate(policy, snapshot, waivers)
            event: dict[str, Any] = {
                "event": "observed",
                "iteration": iteration,
                "time": _now(),
                "taken_at": snapshot.taken_at,
                "digest": snapshot.digest,
                "resources": len(snapshot),
                "coverage_errors": sum(1 for c in snapshot.coverage if c["status"] == "error"),
                "summary": results.summary(),
                "changes": None,
                "flips": None,
                "run": None,
            }
            if store is not None:
                try:
                    event["run"] = store.record(results, snapshot, policy, waiver_files).number
                except failures as exc:  # the store's folder, disk or bucket: report it, keep watching
                    event["store_error"] = _error_text(exc)
            if previous is not None:
                since, last_snapshot, last_results = previous
                diff = diff_snapshots(last_snapshot, snapshot)
                changes = diff.as_json()
                changes.pop("format")
                changes.pop("current")
                changes["since_iteration"] = since
                event["changes"] = changes
                event["flips"] = [flip.as_json() for flip in verdict_flips(last_results, results)]
            emit(event)
            previous = (iteration, snapshot, results)
        done = iteration
        if iterations is not None and done >= iterations:
            break
        if _sleep(stop, interval_seconds - (time.monotonic() - started)):
            break
    return done


def _sleep(stop: threading.Event, seconds: float) -> bool:
    """Wait up to ``seconds``; True as soon as ``stop`` is set.

    Waits in slices of a second at most: a signal handler only runs when the
    main thread runs Python code, and a signal that the kernel hands to another
    thread would otherwise not interrupt one long wait in the main thread.
    """
    deadline = time.monotonic() + max(0.0, seconds)
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return stop.is_set()
        if stop.wait(min(remaining, 1.0)):
            return True


def install_signal_handlers(stop: threading.Event) -> Callable[[], None]:
    """Make SIGINT and SIGTERM set ``stop``; the callable puts the previous handlers back.

    A second signal while ``stop`` is already set raises ``KeyboardInterrupt``,
    so a user can abandon an observation under way with a second Ctrl-C.
    Signal handlers can only be set in the main thread; elsewhere nothing is
    installed and the callable does nothing (stop the loop through the event).
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    signals = [signal.SIGINT, signal.SIGTERM]
    previous = {signum: signal.getsignal(signum) for signum in signals}
    for signum in signals:
        signal.signal(signum, handler)

    def restore() -> None:
        for signum, old in previous.items():
            signal.signal(signum, old if old is not None else signal.SIG_DFL)

    return restore


def describe_event(event: dict[str, Any]) -> str:
    """One line about an event, for a console."""
    iteration = event.get("iteration")
    if event.get("event") == "observation-failed":
        return f"#{iteration} {event.get('time')}: observation failed: {event.get('error')}"
    summary = event.get("summary") or {}
    verdicts = ", ".join(f"{n} {v}" for v, n in summary.items() if n) or "no results"
    parts = [f"#{iteration} {event.get('taken_at')}: {event.get('resources')} resources, {verdicts}"]
    if event.get("coverage_errors"):
        parts.append(f"{event['coverage_errors']} coverage error(s)")
    changes = event.get("changes")
    if changes is not None:
        counts = changes["summary"]
        parts.append(f"changes: {counts['added']} added, {counts['removed']} removed, {counts['changed']} changed")
        flips = event.get("flips") or []
        if flips:
            shown = "; ".join(f"{f['check']} {f['resource']}: {f['before'] or 'none'} -> {f['after'] or 'none'}"
                              for f in flips[:3])
            more = f"; and {len(flips) - 3} more" if len(flips) > 3 else ""
            parts.append(f"{len(flips)} verdict(s) flipped ({shown}{more})")
        else:
            parts.append("no verdict flipped")
    if event.get("run") is not None:
        parts.append(f"recorded as run {event['run']}")
    if event.get("store_error"):
        parts.append(f"NOT recorded: {event['store_error']}")
    return "; ".join(parts)


def jsonl_emitter(stream: IO[str]) -> Callable[[dict[str, Any]], None]:
    """An ``emit`` that writes each event as one JSON line and flushes it."""

    def emit(event: dict[str, Any]) -> None:
        stream.write(json.dumps(event, sort_keys=True, ensure_ascii=False, default=str) + "\n")
        stream.flush()

    return emit
