"""The evaluator: DESIGN.md's verdict table, coverage, aggregates, desired state, determinism."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import ACCOUNT, denied, ok, resource, snapshot
from factories import PLUGINS
from unify.render.json import results_json
from unify.views.compliance import compliance_view
from unify.views.drift import drift_view
from unify.checks.conditions import FALSE, TRUE, UNKNOWN
from unify.checks.policy_set import load_policies
from unify.engine import count_verdict, evaluate
from unify.model.resource import unknown

EBS = """
checks:
  - id: ebs-encrypted
    severity: high
    resource: aws_ebs_volume
    assert:
      encrypted: {eq: true}
    controls: {demo: [E-1]}
"""


@pytest.fixture
def ebs_policy(write):
    return load_policies([write("ebs.yaml", EBS)], operators=PLUGINS.operators)


def verdicts(results) -> dict[str, str]:
    return {r.resource: r.verdict for r in results}


def test_the_design_table(ebs_policy) -> None:
    snap = snapshot(
        [
            resource("aws_ebs_volume", "vol-true", {"encrypted": True}),
            resource("aws_ebs_volume", "vol-false", {"encrypted": False}),
            resource("aws_ebs_volume", "vol-absent", {}),
            resource("aws_ebs_volume", "vol-unknown", {"encrypted": unknown("computed at apply")}),
        ],
        [ok("aws_ebs_volume"), denied("aws_ebs_volume", "eu-west-1")],
        regions=["us-east-1", "eu-west-1"],
    )
    results = evaluate(ebs_policy, snap)
    assert verdicts(results) == {
        "vol-true": "pass",
        "vol-false": "fail",
        "vol-absent": "fail",
        "vol-unknown": "unknown",
        f"{ACCOUNT}/eu-west-1/aws_ebs_volume": "unknown",
    }
    scope = [r for r in results if r.resource.endswith("/aws_ebs_volume")][0]
    assert "AccessDenied" in scope.reason and scope.account == ACCOUNT and scope.region == "eu-west-1"
    assert [r for r in results if r.resource == "vol-unknown"][0].reason == "encrypted is unknown (computed at apply)"


def test_no_resources_and_no_coverage_is_one_unknown(ebs_policy) -> None:
    results = evaluate(ebs_policy, snapshot([resource("aws_vpc", "vpc-1")], [ok("aws_vpc")]))
    assert [(r.resource, r.verdict) for r in results] == [("*/*/aws_ebs_volume", "unknown")]
    assert "not observed" in results.results[0].reason
    assert compliance_view(results, "demo").statuses() == {"E-1": "unknown"}


def test_no_resources_with_complete_coverage_is_not_applicable(ebs_policy) -> None:
    results = evaluate(ebs_policy, snapshot([], [ok("aws_ebs_volume")]))
    assert results.results == ()
    assert compliance_view(results, "demo").statuses() == {"E-1": "not applicable"}
    assert results.gate("info").code == 0


def test_resources_without_coverage_are_still_evaluated(ebs_policy) -> None:
    results = evaluate(ebs_policy, snapshot([resource("aws_ebs_volume", "vol-1", {"encrypted": True})]))
    assert verdicts(results) == {"vol-1": "pass"}


def test_unknown_where_makes_the_verdict_unknown(write) -> None:
    policy = load_policies([write("p.yaml", """
        checks:
          - id: prod-versioned
            severity: low
            resource: aws_s3_bucket
            where: {tags.env: {eq: prod}}
            assert: {versioning.status: {eq: Enabled}}
        """)], operators=PLUGINS.operators)
    snap = snapshot([
        resource("aws_s3_bucket", "a", {"versioning": {"status": "Enabled"}}, tags={"env": unknown("tags not read")}),
        resource("aws_s3_bucket", "b", {"versioning": {"status": "Suspended"}}, tags={"env": "dev"}),
        resource("aws_s3_bucket", "c", {"versioning": {"status": "Suspended"}}, tags={"env": "prod"}),
    ], [ok("aws_s3_bucket")])
    results = evaluate(policy, snap)
    assert verdicts(results) == {"a": "unknown", "c": "fail"}
    assert results.results[0].reason.startswith("cannot tell whether it is in scope: tag env is unknown (tags not read)")


def test_check_defect_is_an_error_with_file_and_line(write) -> None:
    path = write("p.yaml", """
        checks:
          - id: size
            severity: low
            resource: aws_ebs_volume
            assert:
              size: {gt: 100}
        """)
    results = evaluate(load_policies([path], operators=PLUGINS.operators), snapshot([
        resource("aws_ebs_volume", "v1", {"size": "large"}), resource("aws_ebs_volume", "v2", {"size": 200})
    ], [ok("aws_ebs_volume")]))
    assert verdicts(results) == {"v1": "error", "v2": "pass"}
    assert f"{path}:6" in results.results[0].reason
    assert results.gate("info").code == 2


TRAILS = """
checks:
  - id: multi-region-trail
    severity: high
    resource: aws_cloudtrail
    where:
      is_multi_region_trail: {eq: true}
      enable_logging: {eq: true}
    expect:
      count: {ge: 1}
"""


def trail(id_: str, multi: object, logging: object, account: str = ACCOUNT, region: str = "us-east-1"):
    return resource("aws_cloudtrail", id_, {"is_multi_region_trail": multi, "enable_logging": logging},
                    account=account, region=region)


@pytest.mark.parametrize(
    ("resources", "coverage", "expected"),
    [
        ([trail("t1", True, True)], [ok("aws_cloudtrail")], "pass"),
        ([trail("t1", True, False)], [ok("aws_cloudtrail")], "fail"),
        ([], [ok("aws_cloudtrail")], "fail"),
        # one trail whose logging status was not read: the count is 0..1
        ([trail("t1", True, unknown("AccessDenied"))], [ok("aws_cloudtrail")], "unknown"),
        # a found trail decides, even with the rest unobserved
        ([trail("t1", True, True)], [], "pass"),
        # nothing found and no coverage: the count is only a lower bound
        ([], [], "unknown"),
        ([], [denied("aws_cloudtrail")], "unknown"),
    ],
)
def test_aggregate_counts_are_ranges(write, resources, coverage, expected) -> None:
    policy = load_policies([write("t.yaml", TRAILS)], operators=PLUGINS.operators)
    results = evaluate(policy, snapshot(resources, coverage))
    assert [(r.resource, r.verdict) for r in results] == [(ACCOUNT, expected)]


def test_aggregate_gives_one_result_per_account(write) -> None:
    policy = load_policies([write("t.yaml", TRAILS)], operators=PLUGINS.operators)
    other = "444455556666"
    snap = snapshot(
        [trail("t1", True, True), trail("t2", True, False, account=other)],
        [ok("aws_cloudtrail"), ok("aws_cloudtrail", account=other), ok("aws_cloudtrail", "eu-west-1")],
        accounts=[ACCOUNT, other], regions=["us-east-1", "eu-west-1"],
    )
    results = evaluate(policy, snap)
    assert verdicts(results) == {ACCOUNT: "pass", other: "unknown"}  # other/eu-west-1 was not observed
    assert "not observed in 444455556666/eu-west-1" in results.results[1].reason


@pytest.mark.parametrize(
    ("op", "bound", "low", "high", "expected"),
    [
        ("ge", 1, 1, 1, TRUE), ("ge", 1, 0, 0, FALSE), ("ge", 1, 0, math.inf, UNKNOWN),
        ("le", 0, 0, 0, TRUE), ("le", 0, 0, 2, UNKNOWN), ("le", 0, 1, 3, FALSE),
        ("eq", 2, 2, 2, TRUE), ("eq", 2, 3, 4, FALSE), ("eq", 2, 1, 3, UNKNOWN),
        ("ne", 2, 3, 3, TRUE), ("ne", 2, 2, 2, FALSE), ("ne", 2, 2, 5, UNKNOWN),
        ("lt", 3, 0, 2, TRUE), ("lt", 3, 3, 5, FALSE), ("gt", 0, 1, 9, TRUE), ("gt", 0, 0, 0, FALSE),
    ],
)
def test_count_verdict(op, bound, low, high, expected) -> None:
    assert count_verdict(op, bound, low, high) == expected


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"]), st.integers(0, 6), st.integers(0, 6), st.integers(0, 6))
def test_count_verdict_is_sound_for_every_count_in_the_range(op, bound, a, b) -> None:
    low, high = min(a, b), max(a, b)
    verdict = count_verdict(op, bound, low, high)
    compare = {"eq": int.__eq__, "ne": int.__ne__, "lt": int.__lt__, "le": int.__le__, "gt": int.__gt__, "ge": int.__ge__}[op]
    outcomes = {compare(n, bound) for n in range(low, high + 1)}
    if verdict == TRUE:
        assert outcomes == {True}
    elif verdict == FALSE:
        assert outcomes == {False}
    else:
        assert outcomes == {True, False}


DESIRED = """
desired:
  - resource: aws_s3_bucket
    name: acme-logs
    severity: high
    attributes:
      versioning: {status: Enabled}
      tags: {owner: data-platform}
"""


def test_desired_state_gives_drift_per_path(write) -> None:
    policy = load_policies([write("d.yaml", DESIRED)], operators=PLUGINS.operators)
    snap = snapshot([resource("aws_s3_bucket", "arn:aws:s3:::acme-logs", {"versioning": {"status": "Suspended"}},
                              name="acme-logs", tags={"owner": "data-platform"})], [ok("aws_s3_bucket", "global")])
    results = evaluate(policy, snap)
    assert [(r.check, r.verdict) for r in results] == [("desired/aws_s3_bucket/acme-logs", "fail")]
    drift = [record.as_json() for record in drift_view(results)]
    assert drift == [{"resource": "arn:aws:s3:::acme-logs", "type": "aws_s3_bucket", "name": "acme-logs",
                      "path": "versioning.status", "expected": "Enabled", "actual": "Suspended",
                      "check": "desired/aws_s3_bucket/acme-logs", "kind": "changed"}]


def test_desired_attribute_named_type_reads_the_attribute(write) -> None:
    policy = load_policies([write("d.yaml", """
        desired:
          - resource: aws_ebs_volume
            name: data
            attributes: {type: gp3, tags: {owner: data-platform}}
        """)], operators=PLUGINS.operators)
    snap = snapshot([resource("aws_ebs_volume", "vol-1", {"type": "gp2"}, name="data", tags={"owner": "data-platform"})],
                    [ok("aws_ebs_volume")])
    results = evaluate(policy, snap)
    assert [(d.path, d.expected, d.actual) for d in drift_view(results)] == [("attributes.type", "gp3", "gp2")]


def test_desired_resource_missing(write) -> None:
    policy = load_policies([write("d.yaml", DESIRED)], operators=PLUGINS.operators)
    results = evaluate(policy, snapshot([], [ok("aws_s3_bucket", "global")]))
    assert [(r.resource, r.verdict) for r in results] == [("acme-logs", "fail")]
    (record,) = drift_view(results)
    assert (record.path, record.actual, record.kind) == ("", None, "missing")
    assert record.expected == {"versioning.status": "Enabled", "tags.owner": "data-platform"}


def test_desired_resource_missing_from_an_incomplete_observation_is_unknown(write) -> None:
    policy = load_policies([write("d.yaml", DESIRED)], operators=PLUGINS.operators)
    for coverage in ([], [denied("aws_s3_bucket", "global")]):
        results = evaluate(policy, snapshot([], coverage))
        assert [(r.resource, r.verdict) for r in results] == [("acme-logs", "unknown")]
        assert drift_view(results) == []


def test_desired_unknown_attribute_is_not_drift(write) -> None:
    policy = load_policies([write("d.yaml", DESIRED)], operators=PLUGINS.operators)
    snap = snapshot([resource("aws_s3_bucket", "arn:aws:s3:::acme-logs", {"versioning": unknown("AccessDenied")},
                              name="acme-logs", tags={"owner": "data-platform"})], [ok("aws_s3_bucket", "global")])
    results = evaluate(policy, snap)
    assert [r.verdict for r in results] == ["unknown"]
    assert drift_view(results) == []


def test_framework_selection(write, ebs_policy) -> None:
    from unify.errors import PolicyError

    snap = snapshot([resource("aws_ebs_volume", "v", {"encrypted": True})], [ok("aws_ebs_volume")])
    assert len(evaluate(ebs_policy, snap, framework="demo")) == 1
    with pytest.raises(PolicyError, match="unknown framework 'cis'"):
        evaluate(ebs_policy, snap, framework="cis")


def test_results_are_byte_identical_across_runs(write) -> None:
    policy = load_policies([write("a.yaml", EBS), write("b.yaml", TRAILS), write("c.yaml", DESIRED)], operators=PLUGINS.operators)
    resources = [resource("aws_ebs_volume", f"vol-{i}", {"encrypted": i % 3 == 0}) for i in range(30)]
    resources.append(trail("t1", True, unknown("x")))
    first = results_json(evaluate(policy, snapshot(resources, [ok("aws_ebs_volume")])))
    second = results_json(evaluate(policy, snapshot(list(reversed(resources)), [ok("aws_ebs_volume")])))
    assert first == second
    import json

    document = json.loads(first)
    keys = [(r["check"], r["resource"]) for r in document["results"]]
    assert keys == sorted(keys)
    assert document["format"] == "unify.results/v1"
    assert set(document["summary"]) == {"pass", "fail", "unknown", "waived", "error"}
