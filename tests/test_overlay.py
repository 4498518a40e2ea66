"""The estate as it will be after apply: a plan overlaid on a live snapshot, evaluated once, results by origin."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from factories import PLUGINS, TYPES
from unify.checks.policy_set import load_policies, shipped_policies
from unify.cli import main
from unify.engine import evaluate
from unify.errors import InputError
from unify.model.snapshot import load_snapshot, write_snapshot
from unify.run import Source, evaluate_snapshot, observe_source
from unify.terraform.importer import load_plan
from unify.terraform.overlay import overlay
from unify.terraform.plan import plan_snapshot

DATA = Path(__file__).parent / "data" / "terraform"
PLAN = DATA / "plan-overlay.json"
LIVE = DATA / "live-estate.json"
ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def after_apply() -> dict[str, Any]:
    """One overlay run of the shipped packs through the CLI's JSON report, shared by the tests below."""
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["audit", str(shipped_policies()), "--plan", str(PLAN), "--snapshot", str(LIVE),
                                       "--format", "json"])
    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    return {"document": document, "stderr": result.stderr,
            "by": {(r["check"], r["resource"]): r for r in document["results"]}}


def test_every_result_says_where_it_comes_from(after_apply: dict[str, Any]) -> None:
    results = after_apply["document"]["results"]
    assert {r["origin"] for r in results} == {"plan", "live", "both"}
    # A resource only the plan has keeps its address as id; one it does not touch is live's.
    assert after_apply["by"][("sg-no-world-admin-ports-ipv4", "aws_security_group.bastion")]["origin"] == "plan"
    legacy = f"arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/sg-0aaa1111bbbb2222c"
    assert after_apply["by"][("sg-no-world-admin-ports-ipv4", legacy)]["origin"] == "live"


def test_planned_resources_are_matched_to_live_by_arn_id_or_name(after_apply: dict[str, Any]) -> None:
    by = after_apply["by"]
    logs = by[("s3-bucket-public-access-block", "arn:aws:s3:::acme-logs")]
    assert (logs["origin"], logs["matched_by"], logs["address"]) == ("both", "arn", "aws_s3_bucket.logs")
    # A bucket the plan creates by a name that already exists: known by name only (its ARN is computed).
    rebuilt = by[("s3-bucket-public-access-block", "arn:aws:s3:::acme-rebuilt")]
    assert (rebuilt["matched_by"], rebuilt["verdict"]) == ("name", "fail")
    # The account's password policy is a setting: the one of its account, by id.
    policy = by[("iam-password-min-length", f"{ACCOUNT}/aws_iam_account_password_policy")]
    assert (policy["origin"], policy["matched_by"], policy["verdict"]) == ("both", "id", "pass")
    matches = after_apply["document"]["snapshot"]["overlay"]["matches"]
    assert {"address": "aws_iam_user.deploy", "live": f"arn:aws:iam::{ACCOUNT}:user/deploy", "by": "arn"} in matches


def test_a_delete_that_leaves_the_account_without_its_only_trail_fails(after_apply: dict[str, Any]) -> None:
    trail = after_apply["by"][("cloudtrail-multi-region-logging", ACCOUNT)]
    assert (trail["verdict"], trail["origin"]) == ("fail", "both")
    assert trail["reason"] == f"there is no aws_cloudtrail in account {ACCOUNT}; at least 1 needed"
    # The plan alone cannot say so: it lists what it manages, the count is only a lower bound.
    policy = load_policies([shipped_policies()], operators=PLUGINS.operators)
    planned = load_plan(PLAN, PLUGINS.plan_importers, TYPES)
    alone, _ = evaluate_snapshot(policy, planned)
    assert {r.verdict for r in alone if r.check == "cloudtrail-multi-region-logging"} == {"unknown"}


def test_what_only_an_observation_reads_comes_from_live(after_apply: dict[str, Any]) -> None:
    # The plan updates the user's tags; its MFA devices and console password are live's.
    mfa = after_apply["by"][("iam-user-console-mfa", f"arn:aws:iam::{ACCOUNT}:user/deploy")]
    assert (mfa["verdict"], mfa["origin"]) == ("fail", "both")
    assert mfa["reason"] == "MFA active is false, must be true"


def test_side_resources_join_what_live_holds(after_apply: dict[str, Any]) -> None:
    by = after_apply["by"]
    # An attachment to a user the plan updates joins the user's live (empty) list of attached policies.
    direct = by[("iam-user-no-direct-policies", f"arn:aws:iam::{ACCOUNT}:user/deploy")]
    assert direct["verdict"] == "fail" and "AdministratorAccess" in direct["reason"]
    # An attachment to a role the plan does not manage folds into the live role: the support role exists.
    assert by[("iam-support-role", ACCOUNT)]["verdict"] == "pass"
    assert "ops_support" not in after_apply["stderr"]  # placed live, so no longer a warning


def test_account_level_checks_are_decided_on_the_overlay(after_apply: dict[str, Any]) -> None:
    decided = {r["check"] for r in after_apply["document"]["results"]
               if r["resource"] == ACCOUNT and r["verdict"] in ("pass", "fail")}
    assert {"cloudtrail-multi-region-logging", "iam-support-role"} <= decided


def test_the_overlay_keeps_live_coverage_and_the_snapshot_schema() -> None:
    planned = load_plan(PLAN, PLUGINS.plan_importers, TYPES)
    live = load_snapshot(LIVE)
    found = overlay(planned, live, TYPES)
    assert found.snapshot.coverage == live.coverage
    assert found.snapshot.source == "aws" and found.snapshot.taken_at == live.taken_at
    assert all(set(r) == {"type", "id", "name", "account", "region", "tags", "attributes"} for r in found.snapshot)
    ids = {r["id"] for r in found.snapshot}
    assert f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/org-trail" not in ids  # deleted
    assert "aws_security_group.bastion" in ids and found.origins["aws_security_group.bastion"] == "plan"
    logs = next(r for r in found.snapshot if r["id"] == "arn:aws:s3:::acme-logs")
    assert logs["tags"] == {"owner": "platform", "cost-centre": "1234"}  # the plan's update
    assert logs["attributes"]["policy_is_public"] is False  # only live knows it
    assert logs["attributes"]["public_access_block"]["block_public_acls"] is True  # the plan does not manage it
    # Live is untouched: the overlay works on copies.
    assert load_snapshot(LIVE).digest == live.digest


def test_values_the_plan_recomputes_stay_unknown() -> None:
    """A value the plan changes to something known only after apply is not live's old value."""
    document = json.loads(PLAN.read_text())
    change = next(c for c in document["resource_changes"] if c["address"] == "aws_iam_user.deploy")
    change["change"]["after"].pop("path")
    change["change"]["after_unknown"]["path"] = True  # recomputed: before had "/"
    found = overlay(plan_snapshot(document, "plan.json", TYPES), load_snapshot(LIVE), TYPES)
    deploy = next(r for r in found.snapshot if r["id"] == f"arn:aws:iam::{ACCOUNT}:user/deploy")
    assert deploy["attributes"]["path"] == {"$unknown": "known after apply"}
    # A value computed once and kept (the user's unique id is in live, not recomputed) is live's.
    assert deploy["attributes"]["unique_id"] == "AIDAEXAMPLEDEPLOY"


def test_a_plan_over_live_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--plan PLAN --live``: the observation is live's (moto here), the plan applied to it."""
    import boto3
    from moto import mock_aws

    for variable, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                            "AWS_DEFAULT_REGION": "eu-west-1"}.items():
        monkeypatch.setenv(variable, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    policy = load_policies([shipped_policies()], operators=PLUGINS.operators).select("cis-aws-v7.0")
    with mock_aws():
        boto3.client("s3", region_name="eu-west-1").create_bucket(
            Bucket="acme-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        source = Source(plan=str(PLAN), live=True, regions=("eu-west-1",), types=("aws_s3_bucket", "aws_cloudtrail"))
        snapshot = observe_source(source, policy, PLUGINS)
    logs = next(r for r in snapshot if r["name"] == "acme-logs")
    assert logs["id"] == "arn:aws:s3:::acme-logs" and logs["tags"]["cost-centre"] == "1234"
    assert "aws_security_group.bastion" in {r["id"] for r in snapshot}
    results = evaluate(policy, snapshot, types=["aws_cloudtrail"])
    trail = [r for r in results if r.check == "cloudtrail-multi-region-logging"]
    assert [r.verdict for r in trail] == ["fail"]  # moto has no trail, and the plan deletes one nobody has


def test_only_a_plan_may_join_an_observation() -> None:
    with pytest.raises(InputError, match="give exactly one observation"):
        Source(snapshot=str(LIVE), live=True).check()
    Source(plan=str(PLAN), snapshot=str(LIVE)).check()
    assert Source(plan=str(PLAN), snapshot=str(LIVE)).overlay
    assert not Source(plan=str(PLAN)).overlay
    assert Source(plan="p.json", demo=True).describe() == "plan p.json over the embedded demo estate"


def test_the_cli_refuses_two_observations(runner: Any) -> None:
    result = runner.invoke(main, ["audit", "--plan", str(PLAN), "--snapshot", str(LIVE), "--live"])
    assert result.exit_code == 2 and "give exactly one observation" in result.stderr


def test_origins_survive_a_copy_of_the_results(after_apply: dict[str, Any]) -> None:
    results = copy.deepcopy(after_apply["document"]["results"])
    assert all(r["origin"] in ("plan", "live", "both") for r in results)
    assert all("matched_by" not in r for r in results if r["origin"] != "both")


def test_a_delete_with_nothing_live_to_delete_is_a_warning(tmp_path: Path) -> None:
    live = load_snapshot(LIVE)
    without_trail = live.to_dict()
    without_trail["resources"] = [r for r in without_trail["resources"] if r["type"] != "aws_cloudtrail"]
    without_trail.pop("digest")
    from unify.model.snapshot import Snapshot

    found = overlay(load_plan(PLAN, PLUGINS.plan_importers, TYPES), Snapshot(without_trail), TYPES)
    assert found.notes == ("aws_cloudtrail.main: the plan deletes it, but no live aws_cloudtrail matches it",)
    warned: list[str] = []
    from unify.run import observe_overlay

    path = write_snapshot(Snapshot(without_trail), tmp_path / "live.json")
    observe_overlay(Source(plan=str(PLAN), snapshot=str(path)), None, PLUGINS, warn=warned.append)
    assert "warning: aws_cloudtrail.main: the plan deletes it, but no live aws_cloudtrail matches it" in warned
