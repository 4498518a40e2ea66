"""Answers that arrive broken are errors, never facts: the strict reading of AWS answers, through real HTTP.

moto's server sits behind ``tests/fault_proxy.py``, which breaks chosen
answers (or, from a seed, any answer) the way networks and a busy AWS do.
The collectors must turn every such answer into ``error`` coverage or an
``$unknown`` attribute, and a seeded run over the whole demo estate must
give no pass the fault-free run does not give, lose no resource under ``ok``
coverage and let no failure vanish without an unknown in its place.
"""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from factories import PLUGINS, moto_server, ok, resource, snapshot
from fault_proxy import FAULTS, LOST, compare, fault_proxy, label, observe_through
from unify.checks.policy_set import load_policies, shipped_policies
from unify.engine import evaluate
from unify.errors import AwsError
from unify.model.resource import is_unknown
from unify.observe.answers import MALFORMED, broken_body, require
from unify.observe.demo import DEMO_REGIONS, _reset, seed_estate

REGIONS = ("us-east-1",)


def _operation(service: str, name: str) -> Any:
    return botocore.session.get_session().get_service_model(service).operation_model(name)


@pytest.mark.parametrize(("service", "operation", "body", "roots", "broken"), [
    ("kms", "ListKeys", b'{"Keys": []}', (), None),
    ("kms", "ListKeys", b"", (), "empty body"),
    ("kms", "ListKeys", b'{"Keys": [{"KeyId": "a"', (), "not JSON"),
    ("kms", "ListKeys", b"[]", (), "not a JSON object"),
    ("iam", "ListUsers", b"<ListUsersResponse><ListUsersResult><Users/></ListUsersResult></ListUsersResponse>", (), None),
    ("iam", "ListUsers", b"<html><body>502 Bad Gateway</body></html>", (), "not <ListUsersResponse>"),
    ("ec2", "DescribeVpcs", b"<DescribeVpcsResponse><vpcSet", (), "not whole XML"),
    ("s3", "GetBucketVersioning", b"<VersioningConfiguration/>", ("VersioningConfiguration",), None),
    ("s3", "GetBucketVersioning", b"<html/>", ("VersioningConfiguration",), "not <VersioningConfiguration>"),
    ("s3", "GetBucketPolicy", b"", (), None),  # a string payload: the model gives no body shape to check
])
def test_a_broken_2xx_body_is_named(service: str, operation: str, body: bytes, roots: tuple[str, ...],
                                    broken: str | None) -> None:
    found = broken_body(_operation(service, operation), 200, body, roots)
    assert (found is None) if broken is None else (found is not None and broken in found)
    assert broken_body(_operation(service, operation), 500, b"", roots) is None  # errors are botocore's to read


def test_require_reads_dotted_paths_through_mappings_only() -> None:
    require({"KeyMetadata": {"KeyId": "a", "KeyState": None}}, ("KeyMetadata.KeyId", "KeyMetadata.KeyState"), "x")
    with pytest.raises(AwsError) as missing:
        require({"KeyMetadata": {"KeyId": "a"}}, ("KeyMetadata.Arn",), "kms:DescribeKey")
    assert missing.value.code == MALFORMED and "'KeyMetadata.Arn'" in missing.value.message
    with pytest.raises(AwsError):
        require({"KeyMetadata": "text"}, ("KeyMetadata.KeyId",), "kms:DescribeKey")


def test_the_proxy_names_requests_as_iam_does() -> None:
    headers = {"Authorization": "AWS4-HMAC-SHA256 Credential=testing/20261201/us-east-1/kms/aws4_request, ...",
               "X-Amz-Target": "TrentService.DescribeKey"}
    assert label("POST", "/", headers, b"{}") == "kms:DescribeKey"
    query = {"Authorization": "... Credential=t/20261201/us-east-1/iam/aws4_request",
             "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    assert label("POST", "/", query, b"Action=ListUsers&Version=2010-05-08") == "iam:ListUsers"
    s3 = {"Authorization": "... Credential=t/20261201/us-east-1/s3/aws4_request"}
    assert label("GET", "/acme-logs?versioning", s3, b"") == "s3:GetBucketVersioning"
    assert label("GET", "/", s3, b"") == "s3:ListAllMyBuckets"


# -- one seeded estate, broken in chosen places ----------------------------------------------------


@pytest.fixture(scope="module")
def estate() -> Any:
    with moto_server() as endpoint:
        _reset(endpoint)
        seed_estate(endpoint, regions=DEMO_REGIONS)
        yield endpoint


def _observe(endpoint: str, forced: dict[str, str], *types: str) -> Any:
    with fault_proxy(endpoint, forced=forced, hold=1.5) as proxy:
        return observe_through(proxy.endpoint, list(types), PLUGINS.collectors, REGIONS)


@pytest.mark.parametrize("fault", ["empty", "malformed", "truncated"])
def test_a_broken_listing_is_error_coverage_not_an_empty_region(estate: str, fault: str) -> None:
    snap = _observe(estate, {"kms:ListKeys": fault}, "aws_kms_key")
    assert [r for r in snap.resources if r["type"] == "aws_kms_key"] == []
    (entry,) = snap.coverage
    assert entry["status"] == "error" and entry["error"]["code"] == MALFORMED
    assert snap.stats["broken_answers"] == {"ListKeys": 4}  # every attempt botocore made was broken


def test_a_broken_describe_leaves_no_attribute_absent(estate: str) -> None:
    """An unreadable DescribeKey: every attribute unknown, so a `where` on one of them is unknown, not false."""
    snap = _observe(estate, {"kms:DescribeKey": "malformed"}, "aws_kms_key")
    keys = [r for r in snap.resources if r["type"] == "aws_kms_key"]
    assert keys and all(snap.coverage_of("aws_kms_key")[0]["status"] == "ok" for _ in keys)
    for key in keys:
        attributes = key["attributes"]
        assert is_unknown(attributes["key_state"]) and is_unknown(attributes["customer_master_key_spec"])
        assert MALFORMED in attributes["key_state"]["$unknown"]
    policy = load_policies([shipped_policies() / "cis-aws-v7.0"], operators=PLUGINS.operators)
    rotation = [r for r in evaluate(policy, snap) if r.check == "kms-key-rotation"]
    assert len(rotation) == len(keys) and {r.verdict for r in rotation} == {"unknown"}


def test_a_reset_connection_is_one_unknown_attribute_not_a_collector_bug(estate: str) -> None:
    snap = _observe(estate, {"kms:GetKeyPolicy": "reset"}, "aws_kms_key")
    assert snap.coverage_of("aws_kms_key")[0]["status"] == "ok"
    keys = [r for r in snap.resources if r["type"] == "aws_kms_key"]
    assert keys and all(r["attributes"]["policy"] == {"$unknown": "ConnectionError: kms:get_key_policy"} for r in keys)
    assert all(not is_unknown(r["attributes"]["key_state"]) for r in keys)


@pytest.mark.parametrize("fault", ["empty", "malformed"])
def test_an_s3_answer_that_is_not_the_document_is_unknown_not_never_configured(estate: str, fault: str) -> None:
    snap = _observe(estate, {"s3:GetBucketVersioning": fault, "s3:GetBucketLocation": fault}, "aws_s3_bucket")
    buckets = [r for r in snap.resources if r["type"] == "aws_s3_bucket"]
    assert buckets
    for bucket in buckets:
        assert is_unknown(bucket["attributes"]["versioning"]), bucket["name"]
        # A location that could not be read leaves the bucket in no region, never in us-east-1 by default.
        assert bucket["region"] in ("global", "us-east-1") and (bucket["region"] == "global" or
                                                                 "LocationConstraint" not in str(bucket))


def test_a_missing_public_access_block_flag_is_unknown_not_false(estate: str) -> None:
    snap = _observe(estate, {}, "aws_s3_bucket")
    guarded = [r for r in snap.resources if isinstance(r["attributes"].get("public_access_block"), dict)]
    assert guarded and all(set(r["attributes"]["public_access_block"]) == {
        "block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} for r in guarded)


def test_a_seeded_run_gives_no_false_pass_loses_nothing_and_hides_no_failure(estate: str) -> None:
    policy = load_policies([shipped_policies()], operators=PLUGINS.operators, frameworks=PLUGINS.frameworks)
    base = observe_through(estate, policy.types, PLUGINS.collectors, DEMO_REGIONS)
    baseline = evaluate(policy, base)
    injected: dict[str, int] = {}
    figures = {"false_passes": 0, "lost_under_ok": 0, "vanished_failures": 0, "unknown_markers": 0}
    LOST.clear()
    retried = 0
    for seed in (11, 12, 13):
        with fault_proxy(estate, seed=seed, rate=0.3, denied=("s3:GetBucketLogging",), hold=1.5) as proxy:
            faulty = observe_through(proxy.endpoint, policy.types, PLUGINS.collectors, DEMO_REGIONS)
            for kind, count in proxy.injected.items():
                injected[kind] = injected.get(kind, 0) + count
        retried += faulty.stats["retried_successes"]
        for key, value in compare(baseline, base, evaluate(policy, faulty), faulty).items():
            if key in figures:
                figures[key] += value
    assert set(FAULTS) | {"denied"} <= set(injected), injected  # every kind of fault was met
    assert retried > 0 and figures["unknown_markers"] > 0  # faults were absorbed by retries, or left unknowns
    assert (figures["false_passes"], figures["lost_under_ok"], figures["vanished_failures"]) == (0, 0, 0), LOST


def test_the_judge_of_a_faulty_run_counts_each_kind_of_harm() -> None:
    """The figures above could not be zero by construction: each harm, staged, is counted once."""
    policy = load_policies([shipped_policies() / "cis-aws-v7.0"], operators=PLUGINS.operators)
    volume = "arn:aws:ec2:us-east-1:111122223333:volume/vol-1"
    other = "arn:aws:ec2:us-east-1:111122223333:volume/vol-2"
    base = snapshot([resource("aws_ebs_volume", volume, {"encrypted": False}),
                     resource("aws_ebs_volume", other, {"encrypted": False})], [ok("aws_ebs_volume")])
    passing = snapshot([resource("aws_ebs_volume", volume, {"encrypted": True})], [ok("aws_ebs_volume")])
    figures = compare(evaluate(policy, base), base, evaluate(policy, passing), passing)
    assert (figures["false_passes"], figures["lost_under_ok"], figures["vanished_failures"]) == (1, 1, 1)
