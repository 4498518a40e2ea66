"""End to end over real HTTP: moto's server (port 0), AWS_ENDPOINT_URL, the real collectors and CLI."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import boto3
import pytest

from factories import answer_recorded_services, deny, moto_server
from factories import PLUGINS
from unify.checks.policy_set import load_policies, shipped_policies
from unify.cli import main
from unify.observe.demo import DEMO_REGIONS, DemoEstate, seed_estate
from unify.engine import evaluate
from unify.observe.session import ObserveOptions
from unify.observe.observation import observe
from unify.model.snapshot import load_snapshot


@pytest.fixture(scope="module")
def estate():
    """moto's server on 127.0.0.1 with a free port, seeded once with the demo estate."""
    from unify.observe.demo import _reset

    with moto_server() as endpoint:
        _reset(endpoint)
        seed_estate(endpoint, scale=1, regions=DEMO_REGIONS)
        yield endpoint


@pytest.fixture
def aws(estate, monkeypatch):
    """The process environment a user would have: credentials, a region, AWS_ENDPOINT_URL."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", estate)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    answer_recorded_services(monkeypatch)  # App Runner and MWAA: moto has no backend, the demo records them
    return estate


def _observe(session: boto3.Session | None = None, types=None):
    # The demo's own session: what moto lacks is answered from the demo parts' recordings.
    session = session or DemoEstate().session()
    return observe(types, boto_session=session, options=ObserveOptions(regions=list(DEMO_REGIONS)), collectors=PLUGINS.collectors)


def test_full_observation_of_the_seeded_estate(aws) -> None:
    snapshot = _observe()
    counts = Counter(r["type"] for r in snapshot.resources)
    assert counts["aws_s3_bucket"] == 7
    assert counts["aws_iam_user"] == 5 and counts["aws_iam_group"] == 2 and counts["aws_iam_policy"] == 2
    assert counts["aws_ebs_encryption_by_default"] == 2 and counts["aws_config_configuration_recorder"] == 2
    assert counts["aws_db_instance"] == 2 and counts["aws_efs_file_system"] == 2
    assert counts["aws_lambda_function"] == 4  # two of the base estate, two of the serverless part
    assert counts["aws_iam_account_password_policy"] == 1 and counts["aws_s3_account_public_access_block"] == 1
    assert counts["aws_cloudtrail"] == 2 and counts["aws_ecr_repository"] == 4 and counts["aws_flow_log"] == 2
    assert len(snapshot) >= 60
    errors = [c for c in snapshot.coverage if c["status"] == "error"]
    assert errors == [], errors
    buckets = {r["name"]: r for r in snapshot.of_type("aws_s3_bucket")}
    assert buckets["acme-data-0"]["region"] == "eu-west-1"
    assert buckets["acme-logs-0"]["attributes"]["versioning"]["status"] == "Enabled"
    assert "public_access_block" not in buckets["acme-website-0"]["attributes"]
    account_block = snapshot.of_type("aws_s3_account_public_access_block")[0]["attributes"]
    assert account_block["configured"] is True and account_block["block_public_policy"] is False
    lambda_text = json.dumps(snapshot.of_type("aws_lambda_function"))
    assert "DB_PASSWORD" in lambda_text and "not-stored" not in lambda_text
    assert snapshot.stats["api_calls"] > 50


def test_access_denied_gives_error_coverage_and_unknown_never_pass(aws) -> None:
    session = boto3.Session(region_name="us-east-1")
    deny(session, "rds", "DescribeDBInstances")
    deny(session, "s3", "GetBucketPolicy")
    snapshot = _observe(session)
    rds = [c for c in snapshot.coverage if c["type"] == "aws_db_instance"]
    assert {(c["region"], c["status"], c["error"]["code"]) for c in rds} == {
        ("eu-west-1", "error", "AccessDenied"), ("us-east-1", "error", "AccessDenied")}
    assert snapshot.of_type("aws_db_instance") == []
    assert all(r["attributes"]["policy"].get("$unknown") for r in snapshot.of_type("aws_s3_bucket"))
    results = evaluate(load_policies([shipped_policies()], operators=PLUGINS.operators), snapshot)
    rds_results = [r for r in results if r.type == "aws_db_instance"]
    assert rds_results and {r.verdict for r in rds_results} == {"unknown"}
    tls = [r for r in results if r.check == "s3-bucket-tls-only"]
    assert len(tls) == 7 and {r.verdict for r in tls} == {"unknown"}
    assert all("AccessDenied" in r.reason for r in rds_results + tls)


def _policy_file(path: Path, copies: int) -> Path:
    checks = []
    specs = [
        ("aws_s3_bucket", {"versioning.status": {"eq": "Enabled"}}),
        ("aws_iam_user", {"mfa_devices": {"empty": False}}),
        ("aws_security_group", {"ingress": {"no_item": {"cidr_blocks": {"world_open": True}}}}),
        ("aws_ebs_volume", {"encrypted": {"eq": True}}),
        ("aws_kms_key", {"enable_key_rotation": {"eq": True}}),
    ]
    for copy in range(copies):
        for index, (type_, assertion) in enumerate(specs):
            checks.append({"id": f"c{copy}-{index}", "severity": "low", "resource": type_, "assert": assertion})
    path.write_text(json.dumps({"checks": checks}), encoding="utf-8")
    return path


def test_api_calls_do_not_grow_with_checks(aws, runner, tmp_path) -> None:
    calls = {}
    for copies in (1, 10):
        policy = _policy_file(tmp_path / f"p{copies}.yaml", copies)
        saved = tmp_path / f"s{copies}.json"
        result = runner.invoke(main, ["audit", str(policy), "--live", "--regions", ",".join(DEMO_REGIONS),
                                      "--save-snapshot", str(saved), "--format", "json"])
        assert result.exit_code == 1, result.stderr
        assert len(load_policies([policy], operators=PLUGINS.operators)) == 5 * copies
        calls[copies] = load_snapshot(saved).stats
    assert calls[1]["api_calls"] == calls[10]["api_calls"]
    assert calls[1]["calls"] == calls[10]["calls"]
    assert set(calls[1]["collectors"]) == {"s3.buckets", "iam.users", "ec2.security_groups", "ec2.volumes", "kms.keys"}


def test_cli_observe_over_http_then_audit_the_file(aws, runner, tmp_path) -> None:
    out = tmp_path / "estate.json.gz"
    result = runner.invoke(main, ["observe", "--regions", ",".join(DEMO_REGIONS), "-o", str(out)])
    # Complete (0): what moto lacks is answered from the demo parts' recordings (the `aws` fixture); without
    # them those types are error coverage (tests/test_secrets.py holds that).
    assert result.exit_code == 0, result.stderr
    assert [c for c in load_snapshot(out).coverage if c["status"] == "error"] == []
    result = runner.invoke(main, ["audit", str(shipped_policies()), "--snapshot", str(out), "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    failing = {r["check"] for r in document["results"] if r["verdict"] == "fail"}
    for expected in ("s3-bucket-public-access-block", "sg-no-world-admin-ports-ipv4", "iam-user-console-mfa",
                     "ebs-volume-encrypted", "rds-not-public", "iam-password-min-length"):
        assert expected in failing
    passing = {r["check"] for r in document["results"] if r["verdict"] == "pass"}
    assert "efs-encrypted" in passing or "rds-storage-encrypted" in passing
