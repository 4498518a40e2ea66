"""Reasons in plain English: every operator, the branches of any:, absent blocks, list items, aggregates."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import ACCOUNT, PLUGINS, ok, resource, snapshot
from unify.checks.default_operators import BUILTIN_OPERATORS
from unify.checks.policy_set import load_policies
from unify.checks.reasons import duration_words, humanize
from unify.engine import evaluate
from unify.model.resource import unknown


def reasons(write, checks: str, resources: list[dict[str, Any]], types: tuple[str, ...]) -> dict[str, str]:
    policy = load_policies([write("p.yaml", "checks:\n" + checks)], operators=PLUGINS.operators)
    results = evaluate(policy, snapshot(resources, [ok(t) for t in types]))
    return {f"{r.check} {r.resource}": r.reason for r in results if r.verdict != "pass"}


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("mfa_devices", "MFA devices"),
        ("metadata_options.http_tokens", "metadata options > HTTP tokens"),
        ("is_multi_region_trail", "multi region trail"),
        ("ingress.0.from_port", "ingress item 1 > from port"),
        ("tags.owner", "tag owner"),
        ("attributes.type", "type"),
        ("ipv6_cidr_blocks", "IPv6 CIDR blocks"),
        ("", "the value"),
    ],
)
def test_paths_read_as_people_say_them(path: str, said: str) -> None:
    assert humanize(path) == said


@settings(deadline=None, max_examples=200)
@given(st.lists(st.from_regex(r"[a-z]{1,6}(_[a-z]{1,6}){0,3}|[0-9]{1,2}", fullmatch=True), min_size=1, max_size=5))
def test_a_humanized_path_keeps_every_segment_and_no_underscore(segments: list[str]) -> None:
    if segments[0].isdigit() or segments[0] in ("tags", "attributes", "id", "type", "name", "account", "region"):
        segments = ["block", *segments]
    said = humanize(".".join(segments))
    assert "_" not in said and said
    named = [s for s in segments if not s.isdigit()]
    assert said.count(" > ") == len(named) - 1  # items join the segment before them, blocks are separated
    for segment in segments:
        if segment.isdigit():
            assert f"item {int(segment) + 1}" in said


# Each built-in operator, a condition that fails, and words the reason must hold.
FAILING = {
    "eq": ("{x: {eq: true}}", {"x": False}, "x is false, must be true"),
    "ne": ("{x: {ne: a}}", {"x": "a"}, 'x is "a", must be something else'),
    "same": ("{x: {same: [1, 2]}}", {"x": [1]}, "x is [1], declared [1, 2]"),
    "in": ("{x: {in: [a, b]}}", {"x": "c"}, 'x is "c", must be "a" or "b"'),
    "not_in": ("{x: {not_in: [a]}}", {"x": "a"}, 'x is "a", which is not allowed'),
    "lt": ("{x: {lt: 3}}", {"x": 5}, "x is 5, must be less than 3"),
    "le": ("{x: {le: 3}}", {"x": 5}, "x is 5, must be at most 3"),
    "gt": ("{x: {gt: 3}}", {"x": 1}, "x is 1, must be more than 3"),
    "ge": ("{x: {ge: 14}}", {}, "x is not set (must be at least 14)"),
    "matches": ("{x: {matches: '^prod-'}}", {"x": "dev-1"}, 'x is "dev-1", which does not match "^prod-"'),
    "contains": ("{x: {contains: a}}", {"x": ["b"]}, 'x does not contain "a" (["b"])'),
    "exists": ("{kms_key_id: {exists: true}}", {}, "KMS key ID is not set"),
    "empty": ("{mfa_devices: {empty: false}}", {"mfa_devices": []}, "has no MFA devices"),
    "older_than": ("{x: {older_than: 1d}}", {"x": "2026-11-20T08:00:00Z"}, "not more than 1 day before the snapshot"),
    "newer_than": ("{x: {newer_than: 45d}}", {"x": "2026-01-01T00:00:00Z"}, "more than 45 days before the snapshot"),
    "expires_within": ("{x: {expires_within: 30d}}", {"x": "2027-06-01T00:00:00Z"},
                       "more than 30 days after the snapshot"),
    "world_open": ("{cidr: {world_open: false}}", {"cidr": "0.0.0.0/0"}, 'CIDR "0.0.0.0/0" is open to the internet'),
}


def test_every_builtin_operator_has_a_plain_reason(write) -> None:
    assert set(FAILING) == {op.name for op in BUILTIN_OPERATORS}
    checks = "".join(
        f"  - {{id: c-{op}, severity: low, resource: aws_vpc, assert: {spec}}}\n" for op, (spec, _, _) in FAILING.items()
    )
    policy = load_policies([write("p.yaml", "checks:\n" + checks)], operators=PLUGINS.operators)
    for op, (_, attributes, words) in FAILING.items():
        one = snapshot([resource("aws_vpc", "vpc-1", attributes)], [ok("aws_vpc")])
        [result] = evaluate(policy, one).of_check(f"c-{op}")
        assert result.verdict == "fail", op
        assert words in result.reason, (op, result.reason)
        # no check-language syntax: neither "expected eq" nor "got"
        assert not re.search(r"expected (not )?[a-z_]+ |, got ", result.reason), (op, result.reason)


IMDS = """  - id: imds
    severity: high
    resource: aws_instance
    assert:
      any:
        - metadata_options.http_endpoint: {eq: disabled}
        - metadata_options.http_tokens: {eq: required}
"""


def test_a_failed_any_names_each_branch_that_could_have_held(write) -> None:
    found = reasons(write, IMDS, [resource("aws_instance", "i-1", {"metadata_options": {
        "http_endpoint": "enabled", "http_tokens": "optional"}})], ("aws_instance",))
    assert found["imds i-1"] == (
        'neither holds: metadata options > HTTP endpoint is "enabled", must be "disabled"; '
        'or metadata options > HTTP tokens is "optional", must be "required"')


def test_an_any_with_an_unobserved_branch_is_unknown_for_that_branch_only(write) -> None:
    policy = load_policies([write("p.yaml", "checks:\n" + IMDS)], operators=PLUGINS.operators)
    snap = snapshot([resource("aws_instance", "i-1", {"metadata_options": {
        "http_endpoint": "enabled", "http_tokens": unknown("AccessDenied")}})], [ok("aws_instance")])
    [result] = evaluate(policy, snap).results
    assert result.verdict == "unknown"
    assert result.reason == "metadata options > HTTP tokens is unknown (AccessDenied)"
    document = result.as_json()
    assert document["details"][0]["path"] == "metadata_options.http_tokens"


def test_any_inside_list_items_reads_relative_to_the_item_and_keeps_its_branches_in_json(write) -> None:
    checks = """  - id: keys
    severity: medium
    resource: aws_iam_user
    assert:
      access_keys:
        all_items:
          any:
            - status: {eq: Inactive}
            - create_date: {newer_than: 90d}
"""
    policy = load_policies([write("p.yaml", "checks:\n" + checks)], operators=PLUGINS.operators)
    snap = snapshot([resource("aws_iam_user", "u", {"access_keys": [
        {"status": "Active", "create_date": "2026-11-01T00:00:00Z"},
        {"status": "Active", "create_date": "2025-01-01T00:00:00Z"}]})], [ok("aws_iam_user")])
    [result] = evaluate(policy, snap).results
    assert result.reason == (
        'access keys item 2: neither holds: status is "Active", must be "Inactive"; '
        'or create date is "2025-01-01T00:00:00Z", more than 90 days before the snapshot')
    [detail] = result.as_json()["details"]
    assert detail["operator"] == "any" and detail["path"] == "access_keys.1"
    assert [[d["path"] for d in branch] for branch in detail["alternatives"]] == [
        ["access_keys.1.status"], ["access_keys.1.create_date"]]


def test_a_forbidden_item_says_which_branch_of_an_any_made_it_forbidden(write) -> None:
    checks = """  - id: ssh
    severity: high
    resource: aws_security_group
    assert:
      ingress:
        no_item:
          all:
            - cidr_blocks: {world_open: true}
            - any:
                - protocol: {eq: "-1"}
                - all: [{from_port: {le: 22}}, {to_port: {ge: 22}}]
"""
    found = reasons(write, checks, [resource("aws_security_group", "sg-1", {"ingress": [
        {"cidr_blocks": ["10.0.0.0/8"], "protocol": "tcp", "from_port": 22, "to_port": 22},
        {"cidr_blocks": ["0.0.0.0/0"], "protocol": "tcp", "from_port": 22, "to_port": 22}]})],
        ("aws_security_group",))
    assert found["ssh sg-1"] == (
        'ingress item 2 is not allowed: CIDR blocks ["0.0.0.0/0"] is open to the internet, from port is 22, '
        "to port is 22")


def test_leaves_under_an_absent_block_are_said_once(write) -> None:
    checks = """  - id: pab
    severity: high
    resource: aws_s3_bucket
    assert:
      public_access_block.block_public_acls: {eq: true}
      public_access_block.restrict_public_buckets: {eq: true}
"""
    found = reasons(write, checks, [resource("aws_s3_bucket", "b", {}),
                                    resource("aws_s3_bucket", "c", {"public_access_block": {"block_public_acls": True}})],
                    ("aws_s3_bucket",))
    assert found["pab b"] == ("has no public access block (needed: block public ACLs is true, "
                              "restrict public buckets is true)")
    assert found["pab c"] == "public access block > restrict public buckets is not set (must be true)"


TRAILS = """  - id: trail
    severity: high
    resource: aws_cloudtrail
    where:
      is_multi_region_trail: {eq: true}
      enable_logging: {eq: true}
    expect: {count: {ge: 1}}
  - id: few-keys
    severity: low
    resource: aws_kms_key
    where: {key_manager: {eq: CUSTOMER}}
    expect: {count: {le: 1}}
"""


def test_aggregate_reasons_say_how_many_match_and_why_the_nearest_do_not(write) -> None:
    policy = load_policies([write("p.yaml", "checks:\n" + TRAILS)], operators=PLUGINS.operators)
    trails = [resource("aws_cloudtrail", "audit", {"is_multi_region_trail": False, "enable_logging": True}),
              resource("aws_cloudtrail", "org", {"is_multi_region_trail": True, "enable_logging": False})]
    keys = [resource("aws_kms_key", f"k{i}", {"key_manager": "CUSTOMER"}) for i in range(3)]
    results = evaluate(policy, snapshot(trails + keys, [ok("aws_cloudtrail"), ok("aws_kms_key")]))
    by_check = {r.check: r for r in results}
    assert by_check["trail"].reason == (
        f"none of the 2 aws_cloudtrail in account {ACCOUNT} matches (audit: multi region trail is false, must be "
        "true; org: enable logging is false, must be true); at least 1 needed")
    assert by_check["few-keys"].reason == f"3 aws_kms_key in account {ACCOUNT} match; at most 1 allowed"
    nothing = evaluate(policy, snapshot([], [ok("aws_cloudtrail"), ok("aws_kms_key")]))
    assert nothing.of_check("trail")[0].reason == f"there is no aws_cloudtrail in account {ACCOUNT}; at least 1 needed"
    partial = evaluate(policy, snapshot(trails[:1], [ok("aws_cloudtrail", region="us-east-1")],
                                        regions=["us-east-1", "eu-west-1"]))
    [undecided] = partial.of_check("trail")
    assert undecided.verdict == "unknown"
    assert undecided.reason.startswith(
        f"between 0 and unbounded aws_cloudtrail in account {ACCOUNT} match, so it is unknown whether at least 1 "
        "needed; aws_cloudtrail was not observed in")


def test_durations_in_words() -> None:
    assert [duration_words(d) for d in ("1d", "45d", "2w", "90m", "soon")] == [
        "1 day", "45 days", "2 weeks", "90 minutes", "soon"]
