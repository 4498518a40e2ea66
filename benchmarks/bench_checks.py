"""Cost against checks: 10, 50 and all shipped checks, in observation requests and in evaluation time.

Run from the repository root::

    python benchmarks/bench_checks.py --counts 10,50,all --size 100000 --dir /tmp/unify-estates

The checks are a seeded sample of the shipped packs, nested (the 10 are
among the 50), so the rows differ only in how many checks there are. For
each count it prints, in one run:

- **observation** of the embedded demo estate (moto's server over HTTP,
  recorded answers where moto has none) for those checks: the API calls made,
  the kinds of per-resource call skipped because no check reads what they
  fill (attribute-level targeting), the types observed, and wall time;
- **evaluation** of a generated snapshot of ``--size`` resources
  (``benchmarks/estate``), loaded once: CPU seconds of ``evaluate``, the
  results, and microseconds per result.

CPU time is the process's own (steadier than wall time on a shared
machine); compare rows of one run.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.estate import write  # noqa: E402
from unify._heap import collector_paused  # noqa: E402
from unify.checks.policy_set import PolicySet, shipped_policies  # noqa: E402
from unify.engine import evaluate  # noqa: E402
from unify.model.snapshot import Snapshot, load_snapshot  # noqa: E402
from unify.observe.demo import DEMO_REGIONS, DemoEstate  # noqa: E402
from unify.observe.observation import observe  # noqa: E402
from unify.observe.session import ObserveOptions  # noqa: E402
from unify.run import default_plugins, load_policy, targets  # noqa: E402


def samples(policy: PolicySet, counts: list[int | None], seed: int) -> list[PolicySet]:
    """Nested seeded samples of the policy's checks (None: all of them), each sorted by id."""
    order = list(policy.checks)
    random.Random(seed).shuffle(order)
    chosen = []
    for count in counts:
        picked = order if count is None else order[:count]
        chosen.append(replace(policy, checks=tuple(sorted(picked, key=lambda check: check.id))))
    return chosen


def observation(estate: DemoEstate, policy: PolicySet, *, targeted: bool = True) -> tuple[int, int, int, float]:
    """API calls, kinds of call skipped, types observed and wall seconds of one demo observation for ``policy``.

    ``targeted``: only the calls whose attributes the checks read; else every call of their types.
    """
    plugins = default_plugins()
    started = time.perf_counter()
    snapshot = observe(
        policy.types,
        collectors=plugins.collectors,
        attributes=targets(policy) if targeted else None,
        boto_session=estate.session(),
        options=ObserveOptions(regions=list(DEMO_REGIONS), endpoint_url=estate.endpoint),
    )
    wall = time.perf_counter() - started
    return snapshot.stats["api_calls"], len(snapshot.stats["skipped_calls"]), len(policy.types), wall


def evaluation(policy: PolicySet, snapshot: Snapshot) -> tuple[float, int]:
    """CPU seconds of evaluating ``policy`` on ``snapshot``, and the results."""
    with collector_paused():
        started = time.process_time()
        results = evaluate(policy, snapshot)
        return time.process_time() - started, len(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="10,50,all", help="checks per row, comma-separated ('all': every one)")
    parser.add_argument("--size", type=int, default=100_000, help="resources in the evaluated snapshot")
    parser.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "unify-estates"), help="snapshot cache")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    counts = [None if c == "all" else int(c) for c in args.counts.split(",")]
    policy = load_policy([shipped_policies()], default_plugins())
    sets = samples(policy, counts, args.seed)
    path = Path(args.dir) / f"estate-{args.size}.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"generating {path} ...", file=sys.stderr)
        write(path, args.size)
    with collector_paused():
        snapshot = load_snapshot(path)
    print(f"shipped checks: {len(policy)}; evaluated snapshot: {len(snapshot):,} resources ({path.name})\n")
    print(
        "| checks | types | API calls | calls, whole types | call kinds skipped | observe wall s "
        "| evaluate CPU s | results | µs/result |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|", flush=True)
    with DemoEstate() as estate:
        for chosen in sets:
            calls, skipped, types, wall = observation(estate, chosen)
            whole, _, _, _ = observation(estate, chosen, targeted=False)
            cpu, results = evaluation(chosen, snapshot)
            per = f"{cpu / results * 1e6:.1f}" if results else ""
            print(
                f"| {len(chosen)} | {types} | {calls:,} | {whole:,} | {skipped} | {wall:.1f} | {cpu:.2f} "
                f"| {results:,} | {per} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
