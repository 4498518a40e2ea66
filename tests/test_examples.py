"""The example estate: the README's demo shows all three views, and the file is reproducible."""

from __future__ import annotations

import json
import runpy
import shutil
from pathlib import Path

from unify.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DEMO = [str(EXAMPLES / "policies"), "--snapshot", str(EXAMPLES / "estate.json"),
        "--waivers", str(EXAMPLES / "waivers.yaml")]


def test_demo_audit_shows_policy_compliance_and_drift(runner) -> None:
    result = runner.invoke(main, ["audit", *DEMO])
    assert result.exit_code == 1, result.stderr
    out = result.stdout
    for heading in ("Policy:", "Unknown (not decided", "Waived (accepted exceptions)", "Compliance", "Drift:"):
        assert heading in out
    assert "waiver expired 2026-06-30" in result.stderr


def test_demo_json_is_consistent_with_its_views(runner) -> None:
    result = runner.invoke(main, ["audit", *DEMO, "--format", "json"])
    document = json.loads(result.stdout)
    summary = document["summary"]
    assert summary["fail"] > 0 and summary["unknown"] > 0 and summary["waived"] == 1 and summary["error"] == 0
    assert len(document["results"]) == sum(summary.values())
    statuses = {s for fw in document["compliance"].values() for s in fw.values()}
    assert {"met", "not met", "unknown", "manual"} <= statuses
    kinds = {record["kind"] for record in document["drift"]}
    assert kinds == {"changed", "missing"}
    failing_desired = {r["check"] for r in document["results"] if r["kind"] == "desired" and r["verdict"] == "fail"}
    assert {record["check"] for record in document["drift"]} == failing_desired


def test_estate_file_is_what_the_script_builds(tmp_path, monkeypatch) -> None:
    copy = tmp_path / "examples"
    shutil.copytree(EXAMPLES, copy)
    (copy / "estate.json").unlink()
    runpy.run_path(str(copy / "build_estate.py"), run_name="__main__")
    assert (copy / "estate.json").read_bytes() == (EXAMPLES / "estate.json").read_bytes()


def test_estate_is_large_enough_to_be_realistic() -> None:
    document = json.loads((EXAMPLES / "estate.json").read_text())
    types = {r["type"] for r in document["resources"]}
    assert len(document["resources"]) >= 60
    assert {"aws_s3_bucket", "aws_iam_user", "aws_security_group", "aws_vpc", "aws_ebs_volume", "aws_kms_key",
            "aws_cloudtrail", "aws_db_instance", "aws_iam_account_password_policy"} <= types


def test_the_readme_demo_audits_the_embedded_estate(runner) -> None:
    """`unify audit --demo`: moto in-process, real collectors over HTTP, shipped policies, all three views."""
    result = runner.invoke(main, ["audit", "--demo", "--format", "json"])
    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    failing = {r["check"] for r in document["results"] if r["verdict"] == "fail"}
    for mistake in ("s3-bucket-public-access-block", "sg-no-world-admin-ports-ipv4", "iam-access-keys-rotated-90d",
                    "iam-user-console-mfa", "ebs-volume-encrypted", "cloudtrail-log-file-validation"):
        assert mistake in failing
    assert document["summary"]["error"] == 0
    assert set(document["compliance"]) == {"aws-fsbp", "cis-aws-v7.0", "nist-800-53-r5", "pci-dss-v4", "soc2", "stack"}
    assert {d["kind"] for d in document["drift"]} == {"changed", "missing"}
    assert "observed" in result.stderr and "API calls" in result.stderr
