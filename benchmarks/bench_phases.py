"""Where a full-pack audit of one snapshot spends its CPU: each phase in one process, beside the floor.

Run from the repository root on a snapshot bench_audit.py generated::

    python benchmarks/bench_phases.py /tmp/unify-estates/estate-100000.json

It prints a Markdown table of CPU seconds (process time, steadier than wall
time on a shared machine): ``json.loads`` of the file with the cycle
collector on (the floor bench_audit.py measures) and paused, then the
audit's phases as ``unify audit --snapshot FILE --format json`` runs them.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

START = time.process_time()

from unify._heap import collector_paused  # noqa: E402
from unify.checks.policy_set import shipped_policies  # noqa: E402
from unify.engine import evaluate  # noqa: E402
from unify.model.snapshot import load_snapshot  # noqa: E402
from unify.render.json import results_chunks  # noqa: E402
from unify.run import default_plugins, load_policy  # noqa: E402

IMPORTS = time.process_time() - START


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.process_time()
    value = work()
    return time.process_time() - start, value


def floor(raw: bytes) -> list[tuple[str, float, str]]:
    """``json.loads`` of the file with the cycle collector on, then paused."""
    on, _ = timed(lambda: json.loads(raw))
    gc.collect()
    with collector_paused():
        paused, _ = timed(lambda: json.loads(raw))
    return [("`json.loads`, collector on (the floor)", on, ""), ("`json.loads`, collector paused", paused, "")]


def main() -> None:
    path = Path(sys.argv[1])
    rows: list[tuple[str, float, str]] = [*floor(path.read_bytes())]
    gc.collect()
    rows.append(("imports", IMPORTS, ""))
    seconds, policy = timed(lambda: load_policy([shipped_policies()], default_plugins()))
    rows.append(("load the shipped packs", seconds, f"{len(policy.checks)} checks"))
    seconds, snapshot = timed(lambda: load_snapshot(path))
    rows.append(("load_snapshot: parse, validate, digest", seconds, f"{len(snapshot):,} resources"))
    seconds, results = timed(lambda: evaluate(policy, snapshot))
    rows.append(("evaluate", seconds, f"{len(results.results):,} results"))
    with collector_paused():
        seconds, size = timed(lambda: sum(len(chunk) for chunk in results_chunks(results)))
    rows.append(("results as compact JSON", seconds, f"{size / 1e6:,.0f} MB"))
    print("| phase | CPU s | |")
    print("|---|---:|---|")
    for label, cpu, note in rows:
        print(f"| {label} | {cpu:.2f} | {note} |")


if __name__ == "__main__":
    main()
