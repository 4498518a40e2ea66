"""Waivers: globs, inclusive expiry against taken_at, expired ones reported, typos refused."""

from __future__ import annotations

import pytest

from factories import ok, resource, snapshot
from factories import PLUGINS
from unify.render.json import results_document
from unify.views.compliance import compliance_view
from unify.checks.policy_set import load_policies
from unify.errors import WaiverError
from unify.engine import evaluate
from unify.model.resource import unknown
from unify.checks.waivers import load_waivers

POLICY = """
checks:
  - id: s3-versioning
    severity: medium
    resource: aws_s3_bucket
    assert: {versioning.status: {eq: Enabled}}
    controls: {demo: [D-1]}
"""


def buckets():
    return snapshot(
        [
            resource("aws_s3_bucket", "arn:aws:s3:::scratch-1", {}),
            resource("aws_s3_bucket", "arn:aws:s3:::scratch-2", {"versioning": unknown("AccessDenied")}),
            resource("aws_s3_bucket", "arn:aws:s3:::Scratch-3", {}),
            resource("aws_s3_bucket", "arn:aws:s3:::logs", {"versioning": {"status": "Enabled"}}),
        ],
        [ok("aws_s3_bucket")],
        taken_at="2027-01-31T23:59:59Z",
    )


def run(write, waivers_text: str):
    policy = load_policies([write("p.yaml", POLICY)], operators=PLUGINS.operators)
    waivers = load_waivers([write("w.yaml", waivers_text)])
    return evaluate(policy, buckets(), waivers)


def test_active_waiver_covers_fail_and_unknown_by_glob(write) -> None:
    results = run(write, """
        waivers:
          - check: s3-versioning
            resources: ["arn:aws:s3:::scratch-*", "arn:aws:s3:::logs"]
            reason: scratch buckets are disposable
            expires: 2027-01-31
        """)
    by_resource = {r.resource: r for r in results}
    assert by_resource["arn:aws:s3:::scratch-1"].verdict == "waived"
    assert by_resource["arn:aws:s3:::scratch-1"].original == "fail"
    assert by_resource["arn:aws:s3:::scratch-2"].verdict == "waived"
    assert by_resource["arn:aws:s3:::scratch-2"].original == "unknown"
    assert by_resource["arn:aws:s3:::Scratch-3"].verdict == "fail"  # globs are case-sensitive
    assert by_resource["arn:aws:s3:::logs"].verdict == "pass"  # a pass is never waived
    assert "scratch buckets are disposable" in by_resource["arn:aws:s3:::scratch-1"].reason
    (use,) = results.waivers
    assert (use.status, use.applied) == ("active", 2)
    assert compliance_view(results, "demo").statuses() == {"D-1": "not met"}


def test_expiry_day_is_inclusive_and_the_day_after_is_expired(write) -> None:
    results = run(write, """
        waivers:
          - check: s3-versioning
            resources: ["arn:aws:s3:::scratch-1"]
            reason: r
            expires: 2027-01-30
        """)
    scratch = [r for r in results if r.resource == "arn:aws:s3:::scratch-1"][0]
    assert scratch.verdict == "fail"
    assert scratch.expired_waiver is not None and "waiver expired 2027-01-30" in scratch.reason
    (use,) = results.waivers
    assert (use.status, use.applied, use.matched_while_expired) == ("expired", 0, 1)
    assert results_document(results)["waivers"][0]["status"] == "expired"


def test_waiving_everything_makes_the_control_waived(write) -> None:
    results = run(write, """
        waivers:
          - check: s3-versioning
            resources: ["arn:aws:s3:::[sS]cratch-*"]
            reason: r
        """)
    assert results.summary() == {"pass": 1, "fail": 0, "unknown": 0, "waived": 3, "error": 0}
    assert compliance_view(results, "demo").statuses() == {"D-1": "waived"}
    assert results.gate("info").code == 0


def test_unknown_check_id_is_bad_input(write) -> None:
    policy = load_policies([write("p.yaml", POLICY)], operators=PLUGINS.operators)
    waivers = load_waivers([write("w.yaml", "waivers:\n  - check: s3-versioninq\n    resources: ['*']\n    reason: typo\n")])
    with pytest.raises(WaiverError) as info:
        evaluate(policy, buckets(), waivers)
    problem = info.value.problems[0]
    assert (problem.line, problem.key) == (2, "s3-versioninq")
    assert str(problem).startswith(str(write("x", "").parent / "w.yaml") + ":2:")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("waivers:\n  - check: a\n    resources: []\n    reason: r\n", 3, "must not be empty"),
        ("waivers:\n  - check: a\n    resources: ['*']\n", 2, "missing required key 'reason'"),
        ("waivers:\n  - check: a\n    resources: ['*']\n    reason: r\n    expires: next year\n", 5, "expires must be a date"),
        ("waivers:\n  - check: a\n    resources: ['*']\n    reason: r\n    expires: 2027-02-30\n", 5, "not a date"),
        ("waivers:\n  - check: a\n    resource: ['*']\n    reason: r\n", 3, "unknown key 'resource'"),
    ],
)
def test_bad_waiver_files(write, text: str, line: int, message: str) -> None:
    with pytest.raises(WaiverError) as info:
        load_waivers([write("w.yaml", text)])
    problem = info.value.problems[0]
    assert problem.line == line
    assert message in problem.message
