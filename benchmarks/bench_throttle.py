"""Throttling benchmark: an observation through a proxy that throttles each service as a token bucket would.

Run from the repository root (needs the test and demo extras)::

    python benchmarks/bench_throttle.py --scale 2 --rate 10

moto's server (in this process) is seeded with the demo estate. Every
observation then goes through ``tests/fault_proxy.py`` with one rule: each
service has a token bucket of ``--rate`` tokens refilled at ``--rate`` a
second, as EC2 documents for its APIs, and a request that finds it empty gets
the protocol's own throttling error. The same observation runs with
botocore's ``standard`` retries, with its ``adaptive`` mode (client-side rate
limiting that backs off on throttling), and with ``--max-requests-per-second``;
it prints requests, throttled answers, coverage errors, wall time, and
whether the snapshot matches an unthrottled one.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from bench_observe import _steady_digest  # noqa: E402
from factories import moto_server  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402

from unify.observe.demo import DEMO_REGIONS, seed_estate  # noqa: E402
from unify.observe.observation import observe  # noqa: E402
from unify.observe.session import ObserveOptions  # noqa: E402
from unify.plugins import build_plugins  # noqa: E402


class BucketProxy(FaultProxy):
    """Throttles a service's request when its token bucket is empty; forwards everything else."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self._rate: float | None = None
        self._tokens: dict[str, float] = {}
        self._stamp: dict[str, float] = {}
        self._bucket_lock = threading.Lock()
        self.throttled: Counter[str] = Counter()

    def reset(self, rate: float | None) -> None:
        """Full buckets of ``rate`` (None: throttle nothing), and counters at zero, for the next run."""
        with self._bucket_lock:
            self._rate, self.requests = rate, 0
            self._tokens.clear()
            self._stamp.clear()
            self.throttled = Counter()

    def decide(self, name: str, method: str, path: str, body: bytes) -> str | None:
        service = name.split(":")[0]
        now = time.monotonic()
        with self._bucket_lock:
            self.requests += 1
            if self._rate is None:
                return None
            tokens = self._tokens.get(service, self._rate)
            tokens = min(self._rate, tokens + (now - self._stamp.get(service, now)) * self._rate)
            self._stamp[service] = now
            if tokens < 1.0:
                self._tokens[service] = tokens
                self.throttled[service] += 1
                return "throttle"
            self._tokens[service] = tokens - 1.0
        return None


def _run(endpoint: str, collectors: Any, **options: Any) -> tuple[Any, float]:
    import boto3

    session = boto3.Session(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    started = time.perf_counter()
    snapshot = observe(None, collectors=collectors, boto_session=session,
                       options=ObserveOptions(regions=list(DEMO_REGIONS), endpoint_url=endpoint, **options))
    return snapshot, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=2)
    parser.add_argument("--rate", type=float, default=10.0, help="tokens per second (and bucket size) per service")
    args = parser.parse_args()
    collectors = build_plugins().collectors
    rows = []
    # moto's server prints a line for each service it lacks; the table goes to stdout alone.
    with moto_server() as endpoint, contextlib.redirect_stdout(sys.stderr):
        seed_estate(endpoint, scale=args.scale)
        # One proxy for every run: resources that carry their endpoint (a queue's URL) then compare equal.
        proxy = BucketProxy(endpoint).start()
        limit = max(1, int(args.rate))
        try:
            for label, rate, options in (
                ("no throttling", None, {}),
                ("standard retries", args.rate, {"retry_mode": "standard"}),
                ("adaptive retries", args.rate, {"retry_mode": "adaptive"}),
                (f"standard, --max-requests-per-second {limit}", args.rate,
                 {"retry_mode": "standard", "max_requests_per_second": limit}),
            ):
                proxy.reset(rate)
                snapshot, seconds = _run(proxy.endpoint, collectors, **options)
                rows.append((label, snapshot, seconds, proxy.throttled, proxy.requests))
                print(f"{label}: {seconds:.1f}s, {sum(proxy.throttled.values())} throttled", file=sys.stderr)
        finally:
            proxy.stop()
    clean, clean_seconds = rows[0][1], rows[0][2]
    print(f"Scale {args.scale}, each service throttled at {args.rate:g} requests per second (bucket of "
          f"{args.rate:g}), {len(clean)} resources\n")
    print("| run | HTTP requests | throttled answers | coverage errors | wall (s) | vs unthrottled | same snapshot |")
    print("|---|---:|---:|---:|---:|---:|---|")
    reference = _steady_digest(clean)
    for label, snapshot, seconds, throttled, requests in rows:
        errors = sum(1 for c in snapshot.coverage if c["status"] == "error")
        print(f"| {label} | {requests:,} | {sum(throttled.values()):,} | {errors} | {seconds:.1f} | "
              f"{seconds / clean_seconds:.2f} | {'yes' if _steady_digest(snapshot) == reference else 'no'} |")


if __name__ == "__main__":
    main()
