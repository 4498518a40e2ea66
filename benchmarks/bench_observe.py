"""Observation benchmark: seeded moto estates at several scales, with and without 50 ms latency.

Run from the repository root (needs the demo extra, ``pip install -e '.[demo]'``)::

    python benchmarks/bench_observe.py --scales 1 10 50

moto's server runs in its own process (as AWS would be remote), seeded with
the demo estate at each scale factor (about 60 resources per unit). The
observation runs here, directly against the server and then through a
loopback proxy, also in its own process, that holds every request 50 ms
before passing it on: roughly the round trip to a real AWS endpoint. It prints
a Markdown table for docs/performance.md.

With ``--timeline`` it also prints, for the latency runs, the requests per
second of each service over the observation (which services overlap, and
when each one finishes), and the snapshot's digest. ``--before PATH`` runs the
same observation first with the unify package found at PATH (a checkout of
an earlier commit, say ``git archive main | tar -x -C /tmp/before``) in a
process of its own, so one run compares two schedules of the same requests::

    python benchmarks/bench_observe.py --scales 10 --timeline --before /tmp/before
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def _proxy_main(listen: int, target: int, delay: float) -> None:
    """A TCP proxy that holds each chunk from the client ``delay`` seconds."""

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, wait: float) -> None:
        try:
            while data := await reader.read(65536):
                if wait:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target)
        await asyncio.gather(pipe(client_reader, server_writer, delay), pipe(server_reader, client_writer, 0.0))

    async def serve() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", listen)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


def _start_moto() -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false", "MOTO_ACCOUNT_ID": "123456789012"}
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _wait(port)
    return process, port


def _observe(endpoint: str, sent: list[tuple[float, str]] | None = None) -> tuple[Any, float]:
    import boto3

    from unify.observe.session import ObserveOptions
    from unify.observe.observation import observe
    from unify.plugins import get_plugins

    session = boto3.Session(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    started = time.perf_counter()
    if sent is not None:
        # before-send.<service>.<Operation>: every HTTP request, retries included, as it leaves.
        session.events.register(
            "before-send", lambda event_name, **kw: sent.append((time.perf_counter() - started, event_name.split(".")[1]))
        )
    snapshot = observe(None, boto_session=session, collectors=get_plugins().collectors,
                       options=ObserveOptions(regions=["us-east-1", "eu-west-1"], endpoint_url=endpoint))
    return snapshot, time.perf_counter() - started


#: Attributes moto fills from its own clock when asked: GetTrailStatus answers "delivered just now", and a
#: certificate goes from PENDING_VALIDATION to ISSUED after a while. Two observations of one unchanged estate
#: differ there, so the digests compared leave them out.
CLOCK_ATTRIBUTES = {("aws_cloudtrail", "latest_delivery_time"), ("aws_acm_certificate", "status")}


def _steady_digest(snapshot: Any) -> str:
    """The digest of the snapshot with moto's clock-made attributes taken out of every resource."""
    from unify.model.snapshot import snapshot_digest

    resources = [
        {**r, "attributes": {k: v for k, v in r["attributes"].items() if (r["type"], k) not in CLOCK_ATTRIBUTES}}
        for r in snapshot.resources
    ]
    return snapshot_digest(snapshot.scope, snapshot.coverage, resources)


def _observe_elsewhere(root: str, endpoint: str) -> dict[str, Any]:
    """The same observation with the unify package under ``root``, in a fresh process; its figures as JSON."""
    code = f"""
import json, sys, time
sys.path.insert(0, {root!r})
sys.path.insert(1, {str(ROOT / "benchmarks")!r})
import unify
assert unify.__file__.startswith({root!r}), unify.__file__
from bench_observe import _observe
sent = []
snapshot, seconds = _observe({endpoint!r}, sent)
from bench_observe import _steady_digest
print(json.dumps({{"seconds": seconds, "sent": sent, "digest": _steady_digest(snapshot), "resources": len(snapshot),
                  "requests": snapshot.stats["http_requests"],
                  "errors": sum(1 for c in snapshot.coverage if c["status"] == "error")}}))
"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env,
                          cwd=root)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _timeline(label: str, sent: list[tuple[float, str]], seconds: float) -> None:
    """Requests per second per service, a row per second; then when each service was busy."""
    counts: dict[str, Counter[int]] = {}
    for at, service in sent:
        counts.setdefault(service, Counter())[int(at)] += 1
    services = sorted(counts, key=lambda s: (-sum(counts[s].values()), s))
    shown = services[:8]
    print(f"\n{label}: requests per second per service ({len(sent)} requests, {seconds:.1f} s)\n")
    print("| second | " + " | ".join(shown) + " | other | services busy |")
    print("|---:|" + "---:|" * (len(shown) + 2))
    for second in range(int(seconds) + 1):
        row = [counts[s][second] for s in shown]
        other = sum(counts[s][second] for s in services[len(shown):])
        busy = sum(1 for s in services if counts[s][second])
        print(f"| {second} | " + " | ".join(str(n) if n else "." for n in row) + f" | {other or '.'} | {busy} |")
    print("\n| service | requests | first (s) | last (s) |")
    print("|---|---:|---:|---:|")
    for service in services:
        times = [at for at, s in sent if s == service]
        print(f"| {service} | {len(times)} | {min(times):.1f} | {max(times):.1f} |")


def _busy_per_second(sent: list[tuple[float, str]], seconds: float) -> float:
    """Services with at least one request in a second, averaged over the seconds of the observation."""
    per: dict[int, set[str]] = {}
    for at, service in sent:
        per.setdefault(int(at), set()).add(service)
    return sum(len(s) for s in per.values()) / max(1, int(seconds) + 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--timeline", action="store_true", help="print requests per second per service")
    parser.add_argument("--before", metavar="PATH", help="also run the unify package under PATH (latency runs)")
    args = parser.parse_args()

    from unify.observe.demo import seed_estate

    rows = []
    compared = []
    for scale in args.scales:
        moto, port = _start_moto()
        proxy_port = _free_port()
        proxy = multiprocessing.Process(target=_proxy_main, args=(proxy_port, port, args.latency_ms / 1000), daemon=True)
        proxy.start()
        try:
            _wait(proxy_port)
            seeded = time.perf_counter()
            seed_estate(f"http://127.0.0.1:{port}", scale=scale)
            seed_seconds = time.perf_counter() - seeded
            slow = f"http://127.0.0.1:{proxy_port}"
            for label, endpoint in (("direct", f"http://127.0.0.1:{port}"), (f"+{args.latency_ms:.0f} ms", slow)):
                sent: list[tuple[float, str]] = []
                snapshot, seconds = _observe(endpoint, sent)
                if endpoint == slow and args.before:
                    # Alternating (before, now, now, before), so neither side always meets a warmer server.
                    befores = [_observe_elsewhere(args.before, slow)]
                    nows = [(snapshot, seconds, sent)]
                    more: list[tuple[float, str]] = []
                    nows.append((*_observe(slow, more), more))
                    befores.append(_observe_elsewhere(args.before, slow))
                    snapshot, seconds, sent = nows[-1]
                    compared.append((scale, befores, nows))
                    print(f"scale {scale} before: {[round(b['seconds'], 1) for b in befores]} s", file=sys.stderr)
                if endpoint == slow and args.timeline:
                    if args.before:
                        last = compared[-1][1][-1]
                        _timeline(f"scale {scale}, +{args.latency_ms:.0f} ms, before", last["sent"], last["seconds"])
                    _timeline(f"scale {scale}, +{args.latency_ms:.0f} ms, now", sent, seconds)
                errors = sum(1 for c in snapshot.coverage if c["status"] == "error")
                rows.append((scale, label, len(snapshot), snapshot.stats["http_requests"], seconds, errors, seed_seconds))
                print(f"scale {scale} {label}: {len(snapshot)} resources, {snapshot.stats['http_requests']} requests, "
                      f"{seconds:.1f}s", file=sys.stderr)
        finally:
            proxy.terminate()
            moto.terminate()
            moto.wait()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; default options (16 collector tasks, 48 "
          "sub-call threads, per-service caps taken before a worker)\n")
    print("| scale | latency | resources | requests | wall seconds | coverage errors |")
    print("|---:|---|---:|---:|---:|---:|")
    for scale, label, resources, requests, seconds, errors, _ in rows:
        print(f"| {scale} | {label} | {resources:,} | {requests:,} | {seconds:.1f} | {errors} |")
    if compared:
        print(f"\nAt +{args.latency_ms:.0f} ms, before ({args.before}) against now, alternating in one run "
              "(before, now, now, before; means of two each):\n")
        print("| scale | requests before | requests now | wall before (s) | wall now (s) | now / before "
              "| services busy per second before | now | same digest |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for scale, befores, nows in compared:
            wall_before = sum(b["seconds"] for b in befores) / len(befores)
            wall_now = sum(n[1] for n in nows) / len(nows)
            busy_before = sum(_busy_per_second(b["sent"], b["seconds"]) for b in befores) / len(befores)
            busy_now = sum(_busy_per_second(n[2], n[1]) for n in nows) / len(nows)
            digests = {b["digest"] for b in befores} | {_steady_digest(n[0]) for n in nows}
            requests_before = "/".join(f"{b['requests']:,}" for b in befores)
            requests_now = "/".join(f"{n[0].stats['http_requests']:,}" for n in nows)
            walls_before = " / ".join(f"{b['seconds']:.1f}" for b in befores)
            walls_now = " / ".join(f"{n[1]:.1f}" for n in nows)
            print(f"| {scale} | {requests_before} | {requests_now} | {walls_before} | {walls_now} | "
                  f"{wall_now / wall_before:.2f} | "
                  f"{busy_before:.1f} | {busy_now:.1f} | {'yes' if len(digests) == 1 else 'NO'} |")

if __name__ == "__main__":
    main()
