"""The one audit pipeline: every front door reaches the same snapshot, the same checks and the same gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factories import PLUGINS, denied, ok, resource, snapshot
from unify.checks.policy_set import load_policies
from unify.cli import main
from unify.errors import InputError, PolicyError
from unify.model.snapshot import write_snapshot
from unify.results import decide
from unify.run import Gating, Source, audit, judge
from unify.store.store import open_store
from unify.views.baseline import load_baseline

POLICY = """
checks:
  - id: ebs-encrypted
    title: EBS volumes are encrypted
    severity: high
    resource: aws_ebs_volume
    assert: {encrypted: {eq: true}}
    controls: {demo: [D-1]}
  - id: ebs-small
    title: EBS volumes are small
    severity: low
    resource: aws_ebs_volume
    assert: {size: {le: 100}}
  - id: ebs-type-odd
    title: a defective check (orders a number against text)
    severity: info
    resource: aws_ebs_volume
    where: {iops: {exists: true}}
    assert: {size: {gt: "big"}}
  - id: trail
    title: CloudTrail is on
    severity: high
    resource: aws_cloudtrail
    assert: {enable_logging: {eq: true}}
"""

#: Estates and how DESIGN.md's exit rule reads them, one case per code.
ESTATES = {
    "clean": ([("v1", {"encrypted": True, "size": 10})], [ok("aws_ebs_volume"), ok("aws_cloudtrail")]),
    "low-failure": ([("v1", {"encrypted": True, "size": 500})], [ok("aws_ebs_volume"), ok("aws_cloudtrail")]),
    "high-failure": ([("v1", {"encrypted": False, "size": 10})], [ok("aws_ebs_volume"), ok("aws_cloudtrail")]),
    "unknown": ([("v1", {"encrypted": True, "size": 10})], [ok("aws_ebs_volume"), denied("aws_cloudtrail")]),
    "defect": ([("v1", {"encrypted": True, "size": 10, "iops": 3000})], [ok("aws_ebs_volume"), ok("aws_cloudtrail")]),
}


def _write_estate(tmp_path: Path, name: str) -> str:
    volumes, coverage = ESTATES[name]
    snap = snapshot([resource("aws_ebs_volume", vid, attrs) for vid, attrs in volumes], coverage)
    return str(write_snapshot(snap, tmp_path / f"{name}.json"))


def test_decide_is_the_exit_rule_of_design_md() -> None:
    assert decide().code == 0
    assert decide(failing="f", defective="d", unknown="u").code == 1
    assert decide(defective="d", unknown="u").code == 2
    assert decide(unknown="u").code == 3
    assert decide(failing="f", soft=True).code == 0 and "would exit 1" in decide(failing="f", soft=True).reason
    assert decide(unknown="u", soft=True).code == 0
    assert decide(defective="d", soft=True).code == 2  # soft never hides bad input


@pytest.mark.parametrize("name", sorted(ESTATES))
@pytest.mark.parametrize("gating", [Gating(), Gating(fail_on="high"), Gating(soft=True)],
                         ids=["info", "high", "soft"])
def test_the_cli_exits_with_the_gate_the_pipeline_decides_and_the_store_records_it(
        runner, write, tmp_path, name: str, gating: Gating) -> None:
    policy_file = write("p.yaml", POLICY)
    path = _write_estate(tmp_path, name)
    policy = load_policies([policy_file], operators=PLUGINS.operators)
    expected = audit(policy, Source(snapshot=path), PLUGINS, gating=gating).gate
    store = tmp_path / "store"
    flags = [*(["--fail-on", gating.fail_on]), *(["--soft-fail"] if gating.soft else [])]
    result = runner.invoke(main, ["audit", str(policy_file), "--snapshot", path, "--store", str(store), *flags])
    assert result.exit_code == expected.code, result.stderr
    assert f"unify: exit {expected.code}: {expected.reason}" in result.stderr
    recorded = open_store(str(store)).run("latest").manifest["results"]["gate"]
    assert recorded == {"code": expected.code, "reason": expected.reason}


@pytest.mark.parametrize(("name", "code"), [("clean", 0), ("low-failure", 1), ("high-failure", 1), ("unknown", 3),
                                            ("defect", 2)])
def test_each_estate_exits_as_design_md_says(write, tmp_path, name: str, code: int) -> None:
    """The comparison above is not vacuous: each estate gives its own code."""
    policy = load_policies([write("p.yaml", POLICY)], operators=PLUGINS.operators)
    done = audit(policy, Source(snapshot=_write_estate(tmp_path, name)), PLUGINS)
    assert done.gate.code == code, done.gate.reason


def test_a_store_records_the_threshold_the_run_exits_with(runner, write, tmp_path) -> None:
    """The defect this guards: the store recorded results.gate() with its defaults (exit 1), the run exited 0."""
    policy_file = write("p.yaml", POLICY)
    path = _write_estate(tmp_path, "low-failure")
    store = tmp_path / "store"
    result = runner.invoke(main, ["audit", str(policy_file), "--snapshot", path, "--store", str(store),
                                  "--fail-on", "high"])
    assert result.exit_code == 0
    assert open_store(str(store)).run("latest").manifest["results"]["gate"]["code"] == 0
    soft = runner.invoke(main, ["audit", str(policy_file), "--snapshot", path, "--store", str(store), "--soft-fail"])
    assert soft.exit_code == 0
    gate = open_store(str(store)).run("latest").manifest["results"]["gate"]
    assert gate["code"] == 0 and gate["reason"].startswith("soft fail (would exit 1)")


def test_library_errors_name_no_command_line_flag(write, tmp_path) -> None:
    policy = load_policies([write("p.yaml", POLICY)], operators=PLUGINS.operators)
    with pytest.raises(PolicyError) as framework:
        policy.select("nope")
    assert "unknown framework 'nope'" in str(framework.value) and "--" not in str(framework.value)
    with pytest.raises(InputError) as baseline:
        load_baseline(str(tmp_path / "missing.json"))
    assert "cannot read baseline" in str(baseline.value) and "--baseline" not in str(baseline.value)


def test_fail_on_new_without_a_baseline_is_bad_input_in_the_library_too(write, tmp_path) -> None:
    policy = load_policies([write("p.yaml", POLICY)], operators=PLUGINS.operators)
    snap = snapshot([resource("aws_ebs_volume", "v1", {"encrypted": True, "size": 10})], [ok("aws_ebs_volume")])
    with pytest.raises(InputError, match="needs a baseline"):
        judge(policy, snap, gating=Gating(new_only=True))


PLAN_POLICY = """
checks:
  - id: bucket-versioned
    severity: high
    resource: aws_s3_bucket
    assert: {versioning.status: {eq: Enabled}}
  - id: ebs-encrypted
    severity: high
    resource: aws_ebs_volume
    assert: {encrypted: {eq: true}}
"""


def _plan(tmp_path: Path, type_: str, values: dict[str, object]) -> Path:
    address = f"{type_}.one"
    document = {
        "format_version": "1.2", "terraform_version": "1.9.0",
        "resource_changes": [{"address": address, "mode": "managed", "type": type_, "name": "one",
                              "change": {"actions": ["create"], "after": values, "after_unknown": {}}}],
    }
    path = tmp_path / f"{type_}.plan.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_a_plan_with_nothing_any_check_reads_is_clean_with_a_note(runner, write, tmp_path) -> None:
    policy = write("p.yaml", PLAN_POLICY)
    plan = _plan(tmp_path, "aws_sqs_queue", {"name": "jobs"})
    result = runner.invoke(main, ["audit", str(policy), "--plan", str(plan), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["results"] == []
    assert "the plan contains no resource type any of the 2 check(s) reads: nothing to evaluate" in result.stderr


def test_the_cli_and_pytest_evaluate_the_same_checks_on_a_plan(runner, write, tmp_path, pytester) -> None:
    policy = write("policies/p.yaml", PLAN_POLICY)
    plan = _plan(tmp_path, "aws_ebs_volume", {"encrypted": False, "size": 10})
    cli = runner.invoke(main, ["audit", str(policy), "--plan", str(plan), "--format", "json"])
    assert cli.exit_code == 1
    assert {r["check"] for r in json.loads(cli.stdout)["results"]} == {"ebs-encrypted"}
    assert "1 check(s) not evaluated: the plan has no resources of their types" in cli.stderr
    pytester.makeini("[pytest]\n")
    result = pytester.runpytest("--unify", "--unify-policies", str(policy.parent), "--unify-plan", str(plan),
                                "-p", "no:cacheprovider", "-v")
    # The same single check is judged (and fails); the check over a type the plan lacks is not an item that runs.
    result.assert_outcomes(failed=1, skipped=1)
    result.stdout.fnmatch_lines(["*ebs-encrypted FAILED*"])
