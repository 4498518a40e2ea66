"""Side by side with Cloud Custodian: the same seeded estate, the same 24 checks, requests, time, memory, verdicts.

Run from the repository root (needs the test extra, for moto)::

    python benchmarks/custodian.py --scales 1 3

For each scale, moto's server runs in its own process, seeded with the demo
estate (as benchmarks/bench_observe.py does); an oracle reads the seeding back
with boto3 and records which resources each rule should fail. A loopback proxy,
in its own process, counts every HTTP request and holds it 0 or 50 ms before
passing it on. Through it, unify (``unify audit --live`` over a policy folder
with the shipped definitions of the 24 checks in benchmarks/custodian_policies.py,
then 48 = the same 24 twice under new ids) and Cloud Custodian (``custodian run
--dryrun`` with the 24/48 equivalent policies) run alternately, each as a child
process whose CPU time comes from ``os.wait4`` and peak RSS from its own ``VmHWM``.

Cloud Custodian is installed by this script into its own virtual environment
(``--c7n-venv``, default ~/.cache/unify-bench/c7n-0.9.53); it is never a
dependency of unify. Prints Markdown tables for docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_observe import _free_port, _start_moto, _wait  # noqa: E402
from custodian_policies import REGIONS, RULES, Rule, write_c7n_policies, write_unify_policies  # noqa: E402

from unify.observe.demo import seed_estate  # noqa: E402

C7N_VERSION = "0.9.53"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGIONS[0]}


# ---- the counting, delaying proxy ----------------------------------------------------------------------------


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    """One HTTP/1.1 request from the client: the head, then its body by Content-Length or chunks."""
    head = await reader.readuntil(b"\r\n\r\n")
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = b""
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            body += size_line + chunk
            if size == 0:
                return head + body
    return head + await reader.readexactly(int(headers.get(b"content-length", b"0")))


def _proxy_main(listen: int, target: int, delay: Synchronized, requests: Synchronized) -> None:  # type: ignore[type-arg]
    """Count each request from the client and hold it ``delay`` seconds; pass answers straight back."""

    async def upstream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_request(reader)
                with requests.get_lock():
                    requests.value += 1
                if delay.value:
                    await asyncio.sleep(delay.value)
                writer.write(request)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def downstream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target)
        await asyncio.gather(upstream(client_reader, server_writer), downstream(server_reader, client_writer))

    async def serve() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", listen, limit=1 << 24)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


# ---- the two tools -------------------------------------------------------------------------------------------


def ensure_c7n(venv: Path) -> Path:
    """Cloud Custodian in its own virtual environment, installed on first use; returns its ``custodian``."""
    custodian = venv / "bin" / "custodian"
    if not custodian.exists():
        print(f"installing c7n=={C7N_VERSION} into {venv}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", f"c7n=={C7N_VERSION}"], check=True)
    return custodian


@dataclass
class Run:
    tool: str
    requests: int
    wall: float
    cpu: float
    rss_mib: float
    failing: dict[str, set[str]]  # check or policy id -> keys


def _high_water(pid: int) -> int:
    """The child's peak resident set so far (``VmHWM``, kB), 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _child(command: list[str], env: dict[str, str], log: Path) -> tuple[float, float, float, int]:
    """Run ``command``; wall seconds, CPU seconds and peak RSS (MiB) of that child alone, and its exit code.

    The peak is the child's own ``VmHWM``, sampled every 20 ms: ``ru_maxrss``
    from ``wait4`` keeps the high-water mark of the process it was forked
    from across ``exec``, so once this script's own memory (moto's seeding)
    passes a tool's, every tool reads the same figure.
    """
    started = time.perf_counter()
    peak = 0
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=log.parent)
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _high_water(process.pid))
            time.sleep(0.02)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    return wall, usage.ru_utime + usage.ru_stime, peak / 1024, process.returncode


def _environment(endpoint: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**keep, **CREDENTIALS, "AWS_ENDPOINT_URL": endpoint}


def run_unify(work: Path, copies: int, endpoint: str, requests: Synchronized) -> Run:  # type: ignore[type-arg]
    policies, output = work / f"unify-{copies}", work / f"unify-{copies}.json"
    write_unify_policies(policies, copies)
    command = [
        str(Path(sys.executable).parent / "unify"),
        "audit",
        "--live",
        "--regions",
        ",".join(REGIONS),
        "--format",
        "json",
        "-o",
        str(output),
        str(policies),
    ]
    requests.value = 0
    wall, cpu, rss, code = _child(command, _environment(endpoint), work / "unify.log")
    if code not in (0, 1):
        raise RuntimeError(f"unify exited {code}: {(work / 'unify.log').read_text()[-2000:]}")
    failing: dict[str, set[str]] = {}
    for result in json.loads(output.read_text())["results"]:
        failing.setdefault(result["check"], set())
        if result["verdict"] != "pass":  # fail, and unknown or error: anything but a pass is not a pass
            failing[result["check"]].add(
                result["resource"] if result["verdict"] == "fail" else f"?{result['resource']}"
            )
    return Run("unify", requests.value, wall, cpu, rss, failing)


def run_c7n(custodian: Path, work: Path, copies: int, endpoint: str, requests: Synchronized, cache: bool) -> Run:  # type: ignore[type-arg]
    policies, output = work / f"c7n-{copies}.yml", work / f"c7n-{copies}"
    write_c7n_policies(policies, copies)
    # c7n's resource cache, in a fresh file per run: policies over the same resource type share one
    # listing, as on a user's first run, and no run reads another's. Without it, each policy lists again.
    caching = ["--cache", str(work / "c7n.cache")] if cache else ["--cache-period", "0"]
    command = [str(custodian), "run", "--dryrun", *caching, "-s", str(output)]
    command += [arg for region in REGIONS for arg in ("-r", region)] + [str(policies)]
    requests.value = 0
    wall, cpu, rss, code = _child(command, _environment(endpoint), work / "c7n.log")
    if code != 0:
        raise RuntimeError(f"custodian exited {code}: {(work / 'c7n.log').read_text()[-2000:]}")
    failing: dict[str, set[str]] = {}
    for found in sorted(output.glob("*/*/resources.json")):
        region, policy = found.parent.parent.name, found.parent.name
        failing.setdefault(policy, set()).update(f"{region}\t{json.dumps(r)}" for r in json.loads(found.read_text()))
    return Run("c7n", requests.value, wall, cpu, rss, failing)


def verdicts(run: Run, rule: Rule, check: str) -> set[str]:
    """The keys ``run`` failed for ``check`` (a copy of ``rule``), in the oracle's terms."""
    if run.tool == "unify":
        return {key if key.startswith("?") else rule.unify_key(key) for key in run.failing.get(check, set())}
    keys = set()
    for line in run.failing.get(check, set()):
        region, _, resource = line.partition("\t")
        keys.add(rule.c7n_key(json.loads(resource), region))
    return keys


# ---- the benchmark -------------------------------------------------------------------------------------------


def _truth(endpoint: str) -> dict[str, set[str]]:
    session = boto3.Session(**{k.lower(): v for k, v in CREDENTIALS.items() if k != "AWS_DEFAULT_REGION"})

    def clients(service: str, region: str) -> Any:
        return session.client(service, region_name=region, endpoint_url=endpoint)

    return {rule.name: rule.truth(clients) for rule in RULES}


@dataclass
class Row:
    scale: int
    latency_ms: float
    checks: int
    unify: Run
    c7n: Run
    unify_correct: bool
    c7n_correct: bool


def _correct(run: Run, copies: int, truth: dict[str, set[str]], misses: list[str]) -> bool:
    right = True
    for n in range(copies):
        for rule in RULES:
            check = rule.name if n == 0 else f"{rule.name}-copy{n}"
            got = verdicts(run, rule, check)
            if got != truth[rule.name]:
                right = False
                misses.append(
                    f"{run.tool} {check}: extra {sorted(got - truth[rule.name])}, "
                    f"missed {sorted(truth[rule.name] - got)}"
                )
    return right


def benchmark(
    scale: int, latencies: list[float], custodian: Path, work: Path, c7n_cache: bool, copies_list: tuple[int, ...] = (1, 2)
) -> tuple[list[Row], dict[str, set[str]], list[str]]:
    moto, port = _start_moto()
    delay = multiprocessing.Value("d", 0.0)
    requests = multiprocessing.Value("l", 0)
    proxy_port = _free_port()
    proxy = multiprocessing.Process(target=_proxy_main, args=(proxy_port, port, delay, requests), daemon=True)
    proxy.start()
    rows: list[Row] = []
    misses: list[str] = []
    try:
        _wait(proxy_port)
        seed_estate(f"http://127.0.0.1:{port}", scale=scale)
        truth = _truth(f"http://127.0.0.1:{port}")
        endpoint = f"http://127.0.0.1:{proxy_port}"
        turn = 0
        for latency in latencies:
            delay.value = latency / 1000
            for copies in copies_list:
                # Alternate which tool goes first, so neither always meets a warm or a cold machine.
                order = ("unify", "c7n") if turn % 2 == 0 else ("c7n", "unify")
                turn += 1
                runs = {}
                for tool in order:
                    folder = work / f"s{scale}-{latency:.0f}ms-{copies * len(RULES)}-{tool}"
                    folder.mkdir(parents=True)
                    runs[tool] = (
                        run_unify(folder, copies, endpoint, requests)
                        if tool == "unify"
                        else run_c7n(custodian, folder, copies, endpoint, requests, c7n_cache)
                    )
                    r = runs[tool]
                    print(
                        f"scale {scale} +{latency:.0f} ms {copies * len(RULES)} checks {tool}: {r.requests} requests, "
                        f"{r.wall:.1f} s wall, {r.cpu:.1f} s CPU, {r.rss_mib:.0f} MiB",
                        file=sys.stderr,
                    )
                rows.append(
                    Row(
                        scale,
                        latency,
                        copies * len(RULES),
                        runs["unify"],
                        runs["c7n"],
                        _correct(runs["unify"], copies, truth, misses),
                        _correct(runs["c7n"], copies, truth, misses),
                    )
                )
    finally:
        proxy.terminate()
        moto.terminate()
        moto.wait()
    return rows, truth, misses


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


def report(rows: list[Row], truths: dict[int, dict[str, set[str]]], c7n_cache: bool) -> str:
    yes = {True: "yes", False: "**no**"}
    lines = [
        (
            f"Cloud Custodian {C7N_VERSION}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; "
            f"regions {', '.join(REGIONS)}; dry run; "
            + ("c7n's resource cache in a fresh file per run." if c7n_cache else "c7n's resource cache off.")
        ),
        "",
        "| scale | latency | checks | tool | requests | wall s | CPU s | peak RSS MiB | correct |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        for run, right in ((row.unify, row.unify_correct), (row.c7n, row.c7n_correct)):
            lines.append(
                f"| {row.scale} | {row.latency_ms:.0f} ms | {row.checks} | {run.tool} | {run.requests:,} | "
                f"{run.wall:.1f} | {run.cpu:.1f} | {run.rss_mib:.0f} | {yes[right]} |"
            )
    lines += [
        "",
        "unify / c7n, from the same runs:",
        "",
        "| scale | latency | checks | requests | wall | CPU | peak RSS |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        u, c = row.unify, row.c7n
        lines.append(
            f"| {row.scale} | {row.latency_ms:.0f} ms | {row.checks} | {_ratio(u.requests, c.requests)} | "
            f"{_ratio(u.wall, c.wall)} | {_ratio(u.cpu, c.cpu)} | {_ratio(u.rss_mib, c.rss_mib)} |"
        )
    scales = sorted(truths)
    lines += [
        "",
        "Seeded non-compliant resources per rule (what both tools are scored against):",
        "",
        "| rule | c7n resource | " + " | ".join(f"scale {s}" for s in scales) + " |",
        "|---|---|" + "---:|" * len(scales),
    ]
    for rule in RULES:
        counts = " | ".join(str(len(truths[s][rule.name])) for s in scales)
        lines.append(f"| `{rule.name}` | `{rule.c7n_resource}` | {counts} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0.0, 50.0])
    parser.add_argument("--c7n-venv", type=Path, default=Path.home() / ".cache" / "unify-bench" / f"c7n-{C7N_VERSION}")
    parser.add_argument("--c7n-no-cache", action="store_true", help="--cache-period 0: every policy lists again")
    parser.add_argument("--keep", type=Path, help="keep each run's policies, output and log under this folder")
    parser.add_argument(
        "--copies", type=int, nargs="+", default=[1, 2], help="copies of the 24 checks (2: 48 checks, 4: 96)"
    )
    args = parser.parse_args()
    custodian = ensure_c7n(args.c7n_venv)
    rows: list[Row] = []
    truths: dict[int, dict[str, set[str]]] = {}
    misses: list[str] = []
    with tempfile.TemporaryDirectory(prefix="unify-c7n-") as temporary:
        work = args.keep or Path(temporary)
        for scale in args.scales:
            scale_rows, truths[scale], scale_misses = benchmark(
                scale, args.latency_ms, custodian, work, not args.c7n_no_cache, tuple(args.copies)
            )
            rows += scale_rows
            misses += [f"scale {scale}: {miss}" for miss in scale_misses]
    for miss in misses:
        print(miss, file=sys.stderr)
    print(report(rows, truths, not args.c7n_no_cache))


if __name__ == "__main__":
    main()
