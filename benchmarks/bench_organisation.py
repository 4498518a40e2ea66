"""Organisation benchmark: N accounts x 2 regions on moto's server, observed locally and on dask-local.

Run from the repository root (needs the test extras, or ``pip install -e '.[demo,dask]'``)::

    python benchmarks/bench_organisation.py --accounts 50

moto's server runs in its own process. An Organization of N member accounts
is created there and each account is seeded, through its own assumed role,
with two buckets, two users and a security group. Each mode then observes
every account (assuming a role in each) in a fresh process of its own, so
its peak RSS is its own: ``local`` (the thread pool) and ``dask-local`` (a
LocalCluster of worker processes, whose peak RSS is read on each worker).
It prints a Markdown table for docs/organisations.md. Timings are wall-clock
on whatever machine runs it: compare the rows with each other.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_observe import _proxy_main  # noqa: E402 - the 50 ms latency proxy of the observation benchmark

TYPES = ["aws_s3_bucket", "aws_iam_user", "aws_security_group", "aws_vpc", "aws_ebs_volume"]
REGIONS = ["us-east-1", "eu-west-1"]


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


def _env(endpoint: str) -> dict[str, str]:
    return {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
    }


def _seed(count: int) -> list[str]:
    import boto3

    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    members = []
    for index in range(count):
        status = org.create_account(AccountName=f"member-{index}", Email=f"m{index}@example.com")
        account = status["CreateAccountStatus"]["AccountId"]
        members.append(account)
        found = boto3.client("sts", region_name="us-east-1").assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/seed", RoleSessionName="seed"
        )["Credentials"]
        session = boto3.Session(
            aws_access_key_id=found["AccessKeyId"],
            aws_secret_access_key=found["SecretAccessKey"],
            aws_session_token=found["SessionToken"],
            region_name="us-east-1",
        )
        for n in range(2):
            session.client("s3").create_bucket(Bucket=f"bench-{index}-{n}")
            session.client("iam").create_user(UserName=f"user-{n}")
        for region in REGIONS:
            ec2 = session.client("ec2", region_name=region)
            vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
            ec2.create_security_group(GroupName="web", Description="bench", VpcId=vpc)
    return members


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(mode: str, members: list[str], workers: int) -> dict[str, Any]:
    from unify.executors import open_executor
    from unify.observe.accounts import Account
    from unify.observe.organisation import observe_organisation
    from unify.observe.session import ObserveOptions
    from unify.observe.shards import Base
    from unify.plugins import build_plugins

    plugins = build_plugins(autoload=False)
    accounts = [Account(a, f"arn:aws:iam::{a}:role/audit") for a in members]
    started = time.perf_counter()
    executor = open_executor(mode, workers=workers)
    ready = time.perf_counter() - started
    try:
        snapshot = observe_organisation(
            accounts,
            TYPES,
            collectors=plugins.collectors,
            executor=executor,
            options=ObserveOptions(regions=REGIONS),
            base=Base(region="us-east-1"),
        )
        worker_rss: list[float] = []
        client = getattr(executor, "_client", None)
        if client is not None:
            worker_rss = sorted(client.run(_peak_rss_mb).values())
    finally:
        executor.close()
    return {
        "mode": mode,
        "wall": round(time.perf_counter() - started, 2),
        "start": round(ready, 2),
        "resources": len(snapshot),
        "units": snapshot.stats["units"],
        "api_calls": snapshot.stats["api_calls"],
        "coordinator_rss": round(_peak_rss_mb(), 1),
        "worker_rss": [round(v, 1) for v in worker_rss],
        "digest": snapshot.digest,
        "errors": sum(1 for c in snapshot.coverage if c["status"] == "error"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency-ms", type=int, default=0, help="observe through a proxy holding each request")
    parser.add_argument("--run", help=argparse.SUPPRESS)  # one mode, in a child process
    parser.add_argument("--members", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(_run(args.run, args.members.split(","), args.workers)))  # noqa: T201
        return
    port = _free_port()
    env = {**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}
    server = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        _wait(port)
        endpoint = f"http://127.0.0.1:{port}"
        os.environ.update(_env(endpoint))
        members = _seed(args.accounts)
        if args.latency_ms:
            proxy_port = _free_port()
            proxy = multiprocessing.Process(
                target=_proxy_main, args=(proxy_port, port, args.latency_ms / 1000), daemon=True
            )
            proxy.start()
            _wait(proxy_port)
            endpoint = f"http://127.0.0.1:{proxy_port}"
        rows = []
        for mode in ("local", "dask-local"):
            out = subprocess.run(  # noqa: S603 - this interpreter, this script
                [sys.executable, __file__, "--run", mode, "--members", ",".join(members), "--workers",
                 str(args.workers)],
                env=_env(endpoint), capture_output=True, text=True, check=True,
            )
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    finally:
        server.terminate()
        server.wait()
    base = rows[0]["wall"]
    latency = f", {args.latency_ms} ms latency per request" if args.latency_ms else ""
    print(f"{args.accounts} accounts x {len(REGIONS)} regions, types {', '.join(TYPES)}{latency}\n")  # noqa: T201
    print("| executor | wall (s) | of which starting it (s) | vs local | units | API calls | resources "  # noqa: T201
          "| peak RSS coordinator (MB) | peak RSS per worker (MB) | digest |")
    print("|---|---|---|---|---|---|---|---|---|---|")  # noqa: T201
    for row in rows:
        workers = ", ".join(str(v) for v in row["worker_rss"]) or "-"
        print(f"| {row['mode']} | {row['wall']} | {row['start']} | {row['wall'] / base:.2f} | {row['units']} | {row['api_calls']} "  # noqa: T201
              f"| {row['resources']} | {row['coordinator_rss']} | {workers} | `{row['digest'][:19]}...` |")
    same = len({row["digest"] for row in rows}) == 1
    print(f"\nsame digest: {same}; coverage errors: {[row['errors'] for row in rows]}")  # noqa: T201


if __name__ == "__main__":
    main()
