"""Baselines: new, existing and fixed findings; gating on new findings only; soft fail."""

from __future__ import annotations

import json

import pytest

from factories import ok, resource, snapshot
from factories import PLUGINS
from unify.render.json import results_document, results_json
from unify.views.baseline import compare, load_baseline
from unify.checks.policy_set import load_policies
from unify.cli import main
from unify.errors import InputError
from unify.engine import evaluate
from unify.model.snapshot import write_snapshot

POLICY = """
checks:
  - {id: ebs-encrypted, severity: high, resource: aws_ebs_volume, assert: {encrypted: {eq: true}}}
  - {id: ebs-small, severity: low, resource: aws_ebs_volume, assert: {size: {le: 100}}}
"""


def estate(**volumes):
    return snapshot([resource("aws_ebs_volume", vid, attrs) for vid, attrs in volumes.items()], [ok("aws_ebs_volume")])


@pytest.fixture
def policy(write):
    return load_policies([write("p.yaml", POLICY)], operators=PLUGINS.operators)


def test_new_existing_fixed_and_vanished(policy) -> None:
    before = evaluate(policy, estate(a={"encrypted": False, "size": 10}, b={"encrypted": False, "size": 10},
                                     gone={"encrypted": False, "size": 10}))
    after = evaluate(policy, estate(a={"encrypted": False, "size": 10}, b={"encrypted": True, "size": 10},
                                    c={"encrypted": False, "size": 500}))
    marked = compare(after, json.loads(results_json(before)), "before.json")
    by_key = {(r.check, r.resource): r.baseline for r in marked}
    assert by_key[("ebs-encrypted", "a")] == "existing"
    assert by_key[("ebs-encrypted", "b")] == "fixed"
    assert by_key[("ebs-encrypted", "c")] == "new"
    assert by_key[("ebs-small", "c")] == "new"
    assert by_key[("ebs-small", "a")] is None  # passed before and now
    info = marked.baseline
    assert (info.new, info.existing, info.fixed) == (2, 1, 2)
    assert info.vanished == (("ebs-encrypted", "gone"),)
    document = results_document(marked)
    assert document["baseline"]["new"] == 2
    assert {r["resource"]: r.get("baseline") for r in document["results"] if r["check"] == "ebs-encrypted"} == \
        {"a": "existing", "b": "fixed", "c": "new"}


def test_gate_on_new_findings_only(policy) -> None:
    before = evaluate(policy, estate(a={"encrypted": False, "size": 10}))
    same = compare(evaluate(policy, estate(a={"encrypted": False, "size": 10})), json.loads(results_json(before)), "b")
    assert same.gate("info").code == 1
    assert same.gate("info", new_only=True).code == 0
    assert "1 existing failure(s) tolerated" in same.gate("info", new_only=True).reason
    worse = compare(evaluate(policy, estate(a={"encrypted": False, "size": 10}, z={"encrypted": False, "size": 1})),
                    json.loads(results_json(before)), "b")
    gate = worse.gate("info", new_only=True)
    assert gate.code == 1 and "1 new failing result(s)" in gate.reason and "1 existing ones not counted" in gate.reason
    with pytest.raises(ValueError):
        evaluate(policy, estate()).gate("info", new_only=True)


def test_soft_fail_reports_but_exits_zero(policy) -> None:
    results = evaluate(policy, estate(a={"encrypted": False, "size": 10}))
    gate = results.gate("info", soft=True)
    assert gate.code == 0 and gate.reason.startswith("soft fail (would exit 1)")


def test_bad_baseline_files(tmp_path) -> None:
    with pytest.raises(InputError, match="cannot read baseline"):
        load_baseline(str(tmp_path / "nope.json"))
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": "unify.snapshot/v1"}))
    with pytest.raises(InputError, match="a baseline is a unify.results/v1 document"):
        load_baseline(str(other))


def test_cli_baseline_from_file_and_store(runner, write, tmp_path) -> None:
    policy = write("p.yaml", POLICY)
    old = write_snapshot(estate(a={"encrypted": False, "size": 10}), tmp_path / "old.json")
    new = write_snapshot(estate(a={"encrypted": False, "size": 10}, b={"encrypted": False, "size": 10}),
                         tmp_path / "new.json")
    store = str(tmp_path / "store")
    first = runner.invoke(main, ["audit", str(policy), "--snapshot", str(old), "--format", "json", "--store", store])
    (tmp_path / "base.json").write_text(first.stdout)
    result = runner.invoke(main, ["audit", str(policy), "--snapshot", str(new), "--baseline", str(tmp_path / "base.json"),
                                  "--fail-on-new"])
    assert result.exit_code == 1 and "1 new failing result(s)" in result.stderr.splitlines()[-1]
    assert "(new)" in result.stdout and "(existing)" in result.stdout
    result = runner.invoke(main, ["audit", str(policy), "--snapshot", str(old), "--baseline", "store:latest",
                                  "--store", store, "--fail-on-new"])
    assert result.exit_code == 0, result.stderr
    assert f"against {store} run 1: 0 new, 1 existing, 0 fixed" in result.stderr
    assert "recorded run 2" in result.stderr  # the baseline was read before this run was recorded
    result = runner.invoke(main, ["audit", str(policy), "--snapshot", str(new), "--fail-on-new"])
    assert result.exit_code == 2 and "--fail-on-new needs --baseline" in result.stderr
    result = runner.invoke(main, ["audit", str(policy), "--snapshot", str(new), "--soft-fail"])
    assert result.exit_code == 0 and "soft fail (would exit 1)" in result.stderr
