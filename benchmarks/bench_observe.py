"""Observation benchmark: seeded moto estates at several scales, with and without 50 ms latency.

Run from the repository root (needs the demo extra, ``pip install -e '.[demo]'``)::

    python benchmarks/bench_observe.py --scales 1 10 50

moto's server runs in its own process (as AWS would be remote), seeded with
the demo estate at each scale factor (about 60 resources per unit). The
observation runs here, directly against the server and then through a
loopback proxy, also in its own process, that holds every request 50 ms
before passing it on: roughly the round trip to a real AWS endpoint. It prints
a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import subprocess
import sys
import time
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


def _observe(endpoint: str) -> tuple[Any, float]:
    import boto3

    from unify.observe.session import ObserveOptions
    from unify.observe.observation import observe

    session = boto3.Session(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    started = time.perf_counter()
    snapshot = observe(None, boto_session=session,
                       options=ObserveOptions(regions=["us-east-1", "eu-west-1"], endpoint_url=endpoint))
    return snapshot, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()

    from unify.observe.demo import seed_estate

    rows = []
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
            for label, endpoint in (("direct", f"http://127.0.0.1:{port}"),
                                    (f"+{args.latency_ms:.0f} ms", f"http://127.0.0.1:{proxy_port}")):
                snapshot, seconds = _observe(endpoint)
                errors = sum(1 for c in snapshot.coverage if c["status"] == "error")
                rows.append((scale, label, len(snapshot), snapshot.stats["http_requests"], seconds, errors, seed_seconds))
                print(f"scale {scale} {label}: {len(snapshot)} resources, {snapshot.stats['http_requests']} requests, "
                      f"{seconds:.1f}s", file=sys.stderr)
        finally:
            proxy.terminate()
            moto.terminate()
            moto.wait()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; default options (16 collector tasks, "
          "24 sub-call threads, per-service caps)\n")
    print("| scale | latency | resources | requests | wall seconds | coverage errors |")
    print("|---:|---|---:|---:|---:|---:|")
    for scale, label, resources, requests, seconds, errors, _ in rows:
        print(f"| {scale} | {label} | {resources:,} | {requests:,} | {seconds:.1f} | {errors} |")


if __name__ == "__main__":
    main()
