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
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import IO, Any, Final

import click

from unify.checks.policy_set import PolicySet
from unify.checks.waivers import WaiverSet, load_waivers
from unify.cli.options import note, observe_options, pack_option, plugins, progress, source_from
from unify.errors import UnifyError
from unify.model.snapshot import Snapshot
from unify.model.time import format_timestamp, utcnow
from unify.run import Audit, judge, load_policy, observe_source, record
from unify.store.store import EvidenceStore, open_store
from unify.views.diff import diff_snapshots, verdict_flips

__all__ = [
    "MIN_INTERVAL",
    "describe_event",
    "install_signal_handlers",
    "jsonl_emitter",
    "observation_failures",
    "parse_interval",
    "watch",
    "watch_command",
]

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
    from botocore.exceptions import BotoCoreError, ClientError  # when watching starts, not with the CLI
    from urllib3.exceptions import HTTPError

    kinds: list[type[BaseException]] = [UnifyError, OSError, TimeoutError, BotoCoreError, ClientError, HTTPError]
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
    previous: tuple[int, Snapshot, Audit] | None = None
    done = 0
    while (iterations is None or done < iterations) and not stop.is_set():
        started = time.monotonic()
        iteration = done + 1
        try:
            snapshot = observe_once()
        except failures as exc:
            emit({"event": "observation-failed", "iteration": iteration, "time": _now(), "error": _error_text(exc)})
        else:
            done_now = judge(policy, snapshot, waivers=waivers)
            results = done_now.results
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
                    recorded = record(store, done_now, waiver_files).recorded
                    event["run"] = recorded.number if recorded is not None else None
                except failures as exc:  # the store's folder, disk or bucket: report it, keep watching
                    event["store_error"] = _error_text(exc)
            if previous is not None:
                since, last_snapshot, last = previous
                diff = diff_snapshots(last_snapshot, snapshot)
                changes = diff.as_json()
                changes.pop("format")
                changes.pop("current")
                changes["since_iteration"] = since
                event["changes"] = changes
                event["flips"] = [flip.as_json() for flip in verdict_flips(last.results, results)]
            emit(event)
            previous = (iteration, snapshot, done_now)
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
    resources = event.get("resources") or 0
    parts = [f"#{iteration} {event.get('taken_at')}: {resources} resource{'' if resources == 1 else 's'}, {verdicts}"]
    if event.get("coverage_errors"):
        parts.append(f"{event['coverage_errors']} coverage error(s)")
    changes = event.get("changes")
    if changes is not None:
        counts = changes["summary"]
        parts.append(f"changes: {counts['added']} added, {counts['removed']} removed, {counts['changed']} changed")
        flips = event.get("flips") or []
        if flips:
            shown = "; ".join(
                f"{f['check']} {f['resource']}: {f['before'] or 'none'} -> {f['after'] or 'none'}" for f in flips[:3]
            )
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


@click.command(name="watch")
@click.argument("paths", nargs=-1, type=click.Path())
@pack_option
@click.option(
    "--interval",
    default="15m",
    show_default=True,
    metavar="DURATION",
    help="Time between the starts of two observations: 90s, 15m, 1h, 2d.",
)
@observe_options
@click.option(
    "--waivers", "waiver_paths", multiple=True, type=click.Path(), metavar="FILE", help="Waivers file; repeatable."
)
@click.option("--store", metavar="DIR|s3://BUCKET/PREFIX", help="Record every iteration in an evidence store.")
@click.option(
    "--format",
    "format_",
    type=click.Choice(["jsonl", "table"]),
    default="jsonl",
    show_default=True,
    help="Events on stdout: one JSON line each (for pipes), or one line of text each (for people).",
)
@click.option("--jsonl", metavar="FILE", help="Also append one JSON line per iteration to FILE.")
@click.option(
    "--iterations", type=click.IntRange(1), metavar="N", help="Stop after N iterations (default: run until stopped)."
)
def watch_command(
    paths: tuple[str, ...],
    packs: tuple[str, ...],
    interval: str,
    regions: tuple[str, ...],
    profile: str | None,
    types: tuple[str, ...],
    max_workers: int,
    retry_mode: str,
    waiver_paths: tuple[str, ...],
    store: str | None,
    format_: str,
    jsonl: str | None,
    iterations: int | None,
) -> None:
    """Re-observe on an interval; report what changed and which verdicts flipped, until stopped.

    Events go to stdout (JSON lines, or text with --format table); notes and
    progress go to stderr.
    """
    try:
        seconds = parse_interval(interval)
    except ValueError as exc:
        raise click.UsageError(f"--interval: {exc}") from None
    loaded = plugins()
    policy = load_policy(paths, loaded, packs=packs, warn=note)
    waivers = load_waivers(waiver_paths) if waiver_paths else WaiverSet()
    source = source_from(
        live=True, regions=regions, profile=profile, types=types, max_workers=max_workers, retry_mode=retry_mode
    )
    opened = open_store(store) if store else None
    handle = open(jsonl, "a", encoding="utf-8") if jsonl else None  # noqa: SIM115 - closed below
    to_jsonl = jsonl_emitter(handle) if handle else None
    to_stdout = jsonl_emitter(sys.stdout) if format_ == "jsonl" else None

    def emit(event: dict[str, Any]) -> None:
        if to_stdout is not None:
            to_stdout(event)
        else:
            click.echo(describe_event(event))
            sys.stdout.flush()
        if to_jsonl is not None:
            to_jsonl(event)

    stop = threading.Event()
    restore = install_signal_handlers(stop)
    try:
        done = watch(
            policy=policy,
            waivers=waivers,
            waiver_files=list(waiver_paths),
            store=opened,
            observe_once=lambda: observe_source(source, policy, loaded, warn=note, progress=progress()),
            interval_seconds=seconds,
            iterations=iterations,
            emit=emit,
            stop=stop,
        )
    finally:
        restore()
        if handle is not None:
            handle.close()
    click.echo(f"unify watch: stopped after {done} iteration(s)", err=True)
