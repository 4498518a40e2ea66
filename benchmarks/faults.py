"""Fault benchmark: many seeded audits through a proxy that breaks answers, each judged against a clean one.

Run from the repository root (needs the test extras)::

    python benchmarks/faults.py --audits 40 --rate 0.12

moto's server is seeded with the demo estate; one fault-free observation
and evaluation with the shipped packs is the baseline. Then every audit
observes the same estate through ``tests/fault_proxy.py`` with its own seed,
which throttles, fails, resets, holds, truncates, empties and garbles
answers (and denies a few chosen actions every time), and its results are
compared with the baseline. The three figures that must be 0: passes where
the baseline does not pass, resources lost while coverage says ``ok``, and
failures that vanished with no ``unknown`` in their place.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from factories import moto_server  # noqa: E402
from fault_proxy import compare, fault_proxy, observe_through  # noqa: E402

from unify.checks.policy_set import load_policies, shipped_policies  # noqa: E402
from unify.engine import evaluate  # noqa: E402
from unify.errors import IncompleteObservation  # noqa: E402
from unify.observe.demo import DEMO_REGIONS, _reset, seed_estate  # noqa: E402
from unify.plugins import build_plugins  # noqa: E402

#: Actions denied on every request, as an audit role missing two permissions would be.
DENIED = ("kms:GetKeyRotationStatus", "s3:GetBucketLogging")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--audits", type=int, default=40)
    parser.add_argument("--rate", type=float, default=0.12, help="share of requests that meet a fault")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    plugins = build_plugins(autoload=False)
    policy = load_policies([shipped_policies()], operators=plugins.operators, frameworks=plugins.frameworks)
    totals: Counter[str] = Counter()
    injected: Counter[str] = Counter()
    started = time.perf_counter()
    with moto_server() as endpoint:
        _reset(endpoint)
        seed_estate(endpoint, regions=DEMO_REGIONS)
        base_snapshot = observe_through(endpoint, policy.types, plugins.collectors, DEMO_REGIONS)
        baseline = evaluate(policy, base_snapshot)
        for audit in range(args.audits):
            with fault_proxy(endpoint, seed=args.seed + audit, rate=args.rate, denied=DENIED, hold=1.5) as proxy:
                try:
                    snapshot = observe_through(proxy.endpoint, policy.types, plugins.collectors, DEMO_REGIONS)
                except IncompleteObservation:
                    snapshot = None  # the account could not be identified: the audit exits 3, claiming nothing
                totals["requests"] += proxy.requests
                injected.update(proxy.injected)
            if snapshot is None:
                totals["observations refused (exit 3)"] += 1
                continue
            results = evaluate(policy, snapshot)
            totals.update(compare(baseline, base_snapshot, results, snapshot))
            totals["retried_successes"] += int(snapshot.stats.get("retried_successes", 0))
            totals["broken_answers"] += sum(snapshot.stats.get("broken_answers", {}).values())
    seconds = time.perf_counter() - started
    rows = [
        ("audits", args.audits), ("requests through the proxy", totals["requests"]),
        ("faults injected", sum(injected.values())),
        *((f"  {kind}", injected[kind]) for kind in sorted(injected)),
        ("retries that succeeded", totals["retried_successes"]),
        ("broken 2xx answers caught", totals["broken_answers"]),
        ("coverage errors", totals["coverage_errors"]), ("$unknown markers", totals["unknown_markers"]),
        ("unknown results", totals["results_unknown"]),
        ("**false passes**", totals["false_passes"]), ("**resources lost under ok coverage**", totals["lost_under_ok"]),
        ("**failures vanished without an unknown**", totals["vanished_failures"]),
        ("observations refused (exit 3)", totals["observations refused (exit 3)"]),
        ("seconds", round(seconds, 1)),
    ]
    print("| figure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value:,} |" if isinstance(value, int) else f"| {name} | {value} |")
    if totals["false_passes"] or totals["lost_under_ok"] or totals["vanished_failures"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
