"""Core benchmark: load, validate, digest and evaluate a large synthetic snapshot.

Run from the repository root::

    python benchmarks/bench_core.py --resources 100000

It prints a Markdown table (paste it into docs/performance.md). Timings are
wall-clock on whatever machine runs it; compare the rows with each other
(ratios within one run), not with another machine's table.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from unify import evaluate, load_policies, load_snapshot, write_snapshot  # noqa: E402
from unify.model.snapshot import Snapshot, snapshot_schema  # noqa: E402

ACCOUNTS = ["111122223333", "444455556666", "777788889999"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]


def _volume(rng: random.Random, i: int, account: str, region: str) -> dict[str, Any]:
    return {
        "type": "aws_ebs_volume",
        "id": f"arn:aws:ec2:{region}:{account}:volume/vol-{i:017x}",
        "name": f"vol-{i:017x}",
        "account": account,
        "region": region,
        "tags": {"environment": rng.choice(["production", "staging", "dev"]), "team": f"team-{i % 40}"},
        "attributes": {
            "availability_zone": f"{region}a",
            "encrypted": rng.random() > 0.1,
            "kms_key_id": f"arn:aws:kms:{region}:{account}:key/{i:032x}",
            "size": rng.choice([8, 20, 100, 500]),
            "type": rng.choice(["gp3", "gp2", "io2"]),
            "iops": 3000,
            "create_time": "2025-06-01T12:00:00Z",
            "attachments": [{"instance_id": f"i-{i:017x}", "device": "/dev/xvda"}],
        },
    }


def _group(rng: random.Random, i: int, account: str, region: str) -> dict[str, Any]:
    cidr = rng.choice(["10.0.0.0/8", "0.0.0.0/0", "192.168.0.0/16"])
    return {
        "type": "aws_security_group",
        "id": f"arn:aws:ec2:{region}:{account}:security-group/sg-{i:017x}",
        "name": f"sg-{i}",
        "account": account,
        "region": region,
        "tags": {"team": f"team-{i % 40}"},
        "attributes": {
            "description": "synthetic",
            "vpc_id": f"vpc-{i % 50:08x}",
            "ingress": [
                {"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": [cidr], "ipv6_cidr_blocks": [],
                 "security_groups": [], "self": False, "description": "https", "prefix_list_ids": []},
                {"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"],
                 "ipv6_cidr_blocks": [], "security_groups": [], "self": False, "description": "ssh",
                 "prefix_list_ids": []},
            ],
            "egress": [{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"],
                        "ipv6_cidr_blocks": [], "security_groups": [], "self": False, "description": "",
                        "prefix_list_ids": []}],
        },
    }


def _bucket(rng: random.Random, i: int, account: str, region: str) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "bucket": f"bucket-{i}",
        "versioning": {"status": rng.choice(["Enabled", "Suspended"]), "mfa_delete": "Disabled"},
        "server_side_encryption_configuration": {
            "rule": [{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}, "bucket_key_enabled": True}]
        },
    }
    if rng.random() > 0.2:
        attributes["public_access_block"] = {k: True for k in ("block_public_acls", "block_public_policy",
                                                                 "ignore_public_acls", "restrict_public_buckets")}
    return {"type": "aws_s3_bucket", "id": f"arn:aws:s3:::bucket-{i}", "name": f"bucket-{i}", "account": account,
            "region": region, "tags": {}, "attributes": attributes}


def synthetic(count: int, seed: int = 7) -> Snapshot:
    """A deterministic estate of ``count`` resources over three types."""
    rng = random.Random(seed)
    makers = [_volume, _group, _bucket]
    resources = []
    for i in range(count):
        account = ACCOUNTS[i % len(ACCOUNTS)]
        region = REGIONS[(i // 3) % len(REGIONS)]
        resources.append(makers[i % 3](rng, i, account, region))
    coverage = [{"type": t, "account": a, "region": r, "status": "ok"}
                for t in ("aws_ebs_volume", "aws_security_group", "aws_s3_bucket") for a in ACCOUNTS for r in REGIONS]
    return Snapshot.build(resources=resources, coverage=coverage, source="aws", taken_at="2026-11-20T09:00:00Z",
                          scope={"accounts": ACCOUNTS, "regions": REGIONS})


POLICY = """
checks:
  - id: ebs-encrypted
    severity: high
    resource: aws_ebs_volume
    assert: {encrypted: {eq: true}}
  - id: ebs-prod-gp3
    severity: low
    resource: aws_ebs_volume
    where: {tags.environment: {eq: production}}
    assert: {type: {in: [gp3, io2]}, size: {le: 500}}
  - id: sg-no-world-ssh
    severity: critical
    resource: aws_security_group
    assert:
      ingress:
        no_item:
          all:
            - from_port: {le: 22}
            - to_port: {ge: 22}
            - any:
                - cidr_blocks: {world_open: true}
                - ipv6_cidr_blocks: {world_open: true}
  - id: sg-no-world-any
    severity: medium
    resource: aws_security_group
    assert:
      ingress: {no_item: {cidr_blocks: {world_open: true}}}
  - id: s3-versioning
    severity: medium
    resource: aws_s3_bucket
    assert: {versioning.status: {eq: Enabled}}
  - id: s3-pab
    severity: high
    resource: aws_s3_bucket
    assert:
      public_access_block.block_public_acls: {eq: true}
      public_access_block.restrict_public_buckets: {eq: true}
  - id: s3-sse
    severity: high
    resource: aws_s3_bucket
    assert:
      server_side_encryption_configuration.rule:
        any_item: {apply_server_side_encryption_by_default.sse_algorithm: {in: ["aws:kms", "AES256"]}}
  - id: volumes-exist
    severity: info
    resource: aws_ebs_volume
    where: {encrypted: {eq: false}}
    expect: {count: {le: 100000}}
"""


def _timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    best = float("inf")
    value = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def _peak(fn: Callable[[], Any]) -> tuple[int, Any]:
    gc.collect()
    tracemalloc.start()
    try:
        value = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--skip-jsonschema", action="store_true", help="skip the slow reference validator row")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "snapshot.json"
        policy_file = Path(tmp) / "policy.yaml"
        policy_file.write_text(POLICY, encoding="utf-8")
        snap = synthetic(args.resources)
        write_seconds, _ = _timed(lambda: write_snapshot(snap, path))
        size_mb = path.stat().st_size / 1e6
        del snap

        rows: list[tuple[str, float, str]] = []
        parse_seconds, data = _timed(lambda: json.loads(path.read_bytes()), args.repeat)
        rows.append(("json.loads of the file", parse_seconds, "reference: parsing alone"))
        compiled = fastjsonschema.compile(snapshot_schema())
        fast_seconds, _ = _timed(lambda: compiled(data), args.repeat)
        rows.append(("schema validation, fastjsonschema (used)", fast_seconds, ""))
        if not args.skip_jsonschema:
            slow_seconds, _ = _timed(lambda: jsonschema.Draft7Validator(snapshot_schema()).validate(data), 1)
            rows.append(("schema validation, jsonschema (not used)", slow_seconds,
                         f"{slow_seconds / fast_seconds:.0f}x the compiled validator"))
        del data
        load_seconds, snap = _timed(lambda: load_snapshot(path), args.repeat)
        rows.append(("load_snapshot: parse + validate + digest check", load_seconds,
                     f"{load_seconds / parse_seconds:.2f}x json.loads"))
        digest_seconds, _ = _timed(snap.compute_digest, args.repeat)
        rows.append(("digest (canonical form, hashed piecewise)", digest_seconds, ""))
        policy = load_policies([policy_file])
        eval_seconds, results = _timed(lambda: evaluate(policy, snap), args.repeat)
        per = eval_seconds / max(len(results), 1) * 1e6
        rows.append((f"evaluate {len(policy)} checks -> {len(results)} results", eval_seconds, f"{per:.1f} µs per result"))
        json_seconds, _ = _timed(results.to_json, 1)
        rows.append(("results to unify.results/v1 JSON", json_seconds, ""))
        rows.append(("write_snapshot (canonical, one resource per line)", write_seconds, ""))
        del snap, results
        gc.collect()

        parsed_peak, data = _peak(lambda: json.loads(path.read_bytes()))
        del data
        gc.collect()
        load_peak, snap = _peak(lambda: load_snapshot(path))

    print(f"Snapshot: {args.resources:,} resources, {size_mb:.1f} MB on disk; Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs\n")
    print("| step | seconds | note |")
    print("|---|---:|---|")
    for name, seconds, note in rows:
        print(f"| {name} | {seconds:.2f} | {note} |")
    print()
    print("| memory | peak MB | note |")
    print("|---|---:|---|")
    print(f"| json.loads alone | {parsed_peak / 1e6:.0f} | the parsed data, one copy |")
    print(f"| load_snapshot | {load_peak / 1e6:.0f} | {load_peak / parsed_peak:.2f}x json.loads: no second copy |")


if __name__ == "__main__":
    main()
