"""The inventory of checks and types: what ``unify checks`` and ``unify types --format json`` report."""

from __future__ import annotations

import json
from pathlib import Path

from factories import PLUGINS
from unify.checks.inventory import check_entries, framework_coverage, plan_decidable
from unify.checks.packs import shipped_catalogs
from unify.checks.policy_set import load_policies, shipped_policies
from unify.cli import main
from unify.render.reference import checks_json, coverage_markdown, types_json

ROOT = Path(__file__).resolve().parent.parent

CHECKS = """
framework: {id: acme, title: ACME}
controls:
  - {id: A-1, title: Users use MFA}
  - {id: A-2, title: Volumes are encrypted}
  - {id: A-3, title: Nobody checks this}
checks:
  - id: iam-user-mfa
    severity: high
    resource: aws_iam_user
    assert: {mfa_devices: {empty: false}}
    controls: {acme: [A-1]}
  - id: ebs-encrypted
    severity: medium
    resource: aws_ebs_volume
    where: {size: {gt: 0}}
    assert: {encrypted: {eq: true}}
    controls: {acme: [A-2], loose: [L-1]}
  - id: one-trail
    severity: low
    resource: aws_cloudtrail
    expect: {count: {ge: 1}}
"""


def policy(write):
    return load_policies(
        [write("p/checks.yaml", CHECKS)], operators=PLUGINS.operators, types=PLUGINS.collectors.resource_types()
    )


def test_plan_decidable_needs_one_resource_at_a_time_and_nothing_only_observed(write) -> None:
    types = PLUGINS.collectors.resource_types()
    by_id = {check.id: check for check in policy(write).checks}
    assert plan_decidable(by_id["ebs-encrypted"], types) == (True, "")
    assert plan_decidable(by_id["iam-user-mfa"], types) == (False, "reads mfa_devices, which only an observation sees")
    decided, why = plan_decidable(by_id["one-trail"], types)
    assert not decided and "counts resources" in why


def test_checks_json_lists_each_check_and_each_framework(write) -> None:
    entries = check_entries(policy(write), PLUGINS.collectors.resource_types())
    coverage = framework_coverage(entries, policy(write).frameworks.values())
    document = checks_json(entries, coverage)
    assert [c["id"] for c in document["checks"]] == ["ebs-encrypted", "iam-user-mfa", "one-trail"]
    ebs = document["checks"][0]
    assert ebs["reads"] == ["size", "encrypted"] and ebs["types"] == ["aws_ebs_volume"]
    assert ebs["controls"] == {"acme": ["A-2"], "loose": ["L-1"]} and ebs["frameworks"] == ["acme", "loose"]
    assert document["summary"] == {"checks": 3, "plan_decidable": 1, "types_read": 3}
    frameworks = {f["framework"]: f for f in document["frameworks"]}
    assert frameworks["acme"] == {
        "framework": "acme",
        "title": "ACME",
        "controls": 3,
        "automated": 2,
        "checks": 2,
        "plan_decidable_checks": 1,
        "has_catalog": True,
    }
    assert frameworks["loose"]["has_catalog"] is False and frameworks["loose"]["controls"] == 1


def test_cli_checks_and_types_json(runner, write) -> None:
    path = write("q/checks.yaml", CHECKS)
    result = runner.invoke(main, ["checks", str(path), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["checks"] == 3
    table = runner.invoke(main, ["checks", str(path)], catch_exceptions=False)
    assert "3 checks, 1 decidable from a Terraform plan" in table.stdout
    types = runner.invoke(main, ["types", "--format", "json"], catch_exceptions=False)
    listed = json.loads(types.stdout)["types"]
    assert [t["type"] for t in listed] == sorted(t["type"] for t in listed)
    names = {t["type"] for t in listed}
    assert names == set(PLUGINS.collectors.resource_types())
    user = next(t for t in listed if t["type"] == "aws_iam_user")
    assert "mfa_devices" in user["observed_only"] and user["calls"] and not user["singleton"]


def test_coverage_page_is_generated_from_the_shipped_packs() -> None:
    shipped = load_policies(
        [shipped_policies()],
        operators=PLUGINS.operators,
        types=PLUGINS.collectors.resource_types(),
        catalogs=shipped_catalogs(),
    )
    entries = check_entries(shipped, PLUGINS.collectors.resource_types())
    coverage = framework_coverage(entries, [*shipped_catalogs(), *shipped.frameworks.values()])
    generated = coverage_markdown(entries, coverage, types_json(PLUGINS.collectors))
    assert (ROOT / "docs" / "coverage.md").read_text(encoding="utf-8") == generated, (
        "regenerate with: unify checks --format markdown > docs/coverage.md (in a folder without policies/)"
    )
