"""An organisation's results by account, OU and region: the snapshot's OU record, the views, the reports, the CLI.

The Organization of :mod:`test_organisations` (three member accounts and the
management account on moto's server, one member two OUs deep) is observed
once with ``--org`` semantics; that one snapshot serves the OU record, the
groups and filters of the views, the JSON, Markdown and HTML reports, the
``--only-*`` and ``--by-account`` options and the per-account progress.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import PLUGINS
from test_organisations import REGIONS, TYPES, estate  # noqa: F401 - the shared moto Organization
from unify.cli import main
from unify.engine import evaluate
from unify.errors import ObservationError
from unify.executors import Failure, LocalExecutor
from unify.model.snapshot import Snapshot, load_snapshot, write_snapshot
from unify.observe.accounts import organisation_accounts
from unify.observe.organisation import observe_organisation
from unify.observe.progress import AccountTally, LineProgress, progress_for_stderr
from unify.observe.session import ObserveOptions
from unify.render.renderer import RenderOptions, render
from unify.results import Results
from unify.run import load_policy
from unify.views.accounts import NO_OU, AccountFilter, group_results, narrow
from unify.views.compliance import compliance_view

POLICY = """
checks:
  - id: bucket-versioning
    title: Buckets keep their versions
    severity: medium
    resource: aws_s3_bucket
    controls: {org-fw: ["2"]}
    assert:
      versioning.status: {eq: Enabled}
  - id: break-glass-user
    title: Every account has a break-glass user
    severity: low
    resource: aws_iam_user
    controls: {org-fw: ["1"]}
    where:
      name: {eq: breakglass}
    expect: {count: {ge: 1}}
  - id: keys-rotate
    title: Keys rotate (never observed here)
    severity: low
    resource: aws_kms_key
    controls: {org-fw: ["3"]}
    assert:
      enable_key_rotation: {eq: true}
  - id: open-ingress
    title: Default groups have no ingress from anywhere
    severity: high
    resource: aws_security_group
    controls: {org-fw: ["4"]}
    where:
      name: {eq: default}
    assert:
      ingress: {empty: true}
"""


@pytest.fixture(scope="module")
def org(estate: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:  # noqa: F811
    """The Organization observed as ``--org`` does (every active account, OUs recorded), evaluated once."""
    lines = io.StringIO()
    accounts = organisation_accounts(boto3.Session(region_name="us-east-1"), "audit", regions=REGIONS)
    snapshot = observe_organisation(
        accounts, TYPES, collectors=PLUGINS.collectors, executor=LocalExecutor(4),
        options=ObserveOptions(regions=REGIONS), progress=LineProgress(lines),
    )
    folder = tmp_path_factory.mktemp("org-views")
    (folder / "checks.yaml").write_text(POLICY, encoding="utf-8")
    path = folder / "org.json"
    write_snapshot(snapshot, str(path))
    results = evaluate(load_policy([folder], PLUGINS), snapshot)
    return {**estate, "snapshot": snapshot, "results": results, "policy": folder, "path": path,
            "progress": lines.getvalue(), "accounts": [a.id for a in accounts]}


def _verdicts(results: Results, check: str) -> dict[str, str]:
    return {r.resource: r.verdict for r in results if r.check == check}


def test_org_records_each_accounts_name_and_ou_path_outside_the_digest(org: dict[str, Any]) -> None:
    snapshot: Snapshot = org["snapshot"]
    members = org["members"]
    places = snapshot.stats["organisation"]["accounts"]
    assert sorted(places) == sorted(org["accounts"])
    assert places[members[0]]["name"] == "member-0"
    assert places[members[0]]["ou_path"] == "Root/prod/team"
    assert [ou["id"] for ou in places[members[0]]["ou"]][1:] == [org["ous"]["prod"], org["ous"]["team"]]
    assert places[members[1]]["ou_path"] == "Root"
    assert "organisation" not in snapshot.scope
    assert snapshot.digest == snapshot.compute_digest()
    reread = load_snapshot(org["path"])
    assert reread.stats["organisation"] == snapshot.stats["organisation"]
    assert evaluate(load_policy([org["policy"]], PLUGINS), reread).snapshot.ou_path(members[0]) == "Root/prod/team"


def _denied(operation: str) -> boto3.Session:
    base = boto3.Session(region_name="us-east-1")

    def deny(**kwargs: Any) -> tuple[Any, dict[str, Any]]:
        answer = {"Error": {"Code": "AccessDeniedException", "Message": f"not authorized to perform {operation}"},
                  "ResponseMetadata": {"HTTPStatusCode": 400}}
        return AWSResponse("https://organizations.invalid/", 400, {}, None), answer

    base.events.register(f"before-call.organizations.{operation}", deny)
    return base


def test_the_ou_record_is_best_effort_unless_a_filter_needs_it(org: dict[str, Any]) -> None:
    members, team = org["members"], org["ous"]["team"]
    unnamed = {a.id: a for a in organisation_accounts(_denied("DescribeOrganizationalUnit"), "audit")}
    assert unnamed[members[0]].organisation()["ou_path"] == f"Root/{org['ous']['prod']}/{team}"
    unplaced = {a.id: a for a in organisation_accounts(_denied("ListParents"), "audit")}
    assert sorted(unplaced) == sorted(org["accounts"])
    assert unplaced[members[0]].ou_path == () and unplaced[members[0]].name == "member-0"
    with pytest.raises(ObservationError, match="ListParents"):
        organisation_accounts(_denied("ListParents"), "audit", ous=[team])


def test_results_by_account_hold_each_accounts_verdicts_and_what_no_account_observed(org: dict[str, Any]) -> None:
    results: Results = org["results"]
    members = org["members"]
    groups = {g.key: g for g in group_results(results, "account")}
    assert sorted(groups) == sorted(org["accounts"])
    assert groups[members[0]].label == "member-0"
    for account, group in groups.items():
        # Its own resources and aggregate only, plus the type nobody observed (unknown, never dropped).
        assert {r.account for r in group.results} <= {account, None}
        assert _verdicts(group.results, "keys-rotate") == {"*/*/aws_kms_key": "unknown"}
    assert _verdicts(groups[members[2]].results, "break-glass-user") == {members[2]: "fail"}
    posture = {
        account: compliance_view(group.results, "org-fw").statuses() for account, group in groups.items()
    }
    assert posture[members[0]] == {"1": "met", "2": "met", "3": "unknown", "4": "met"}
    assert posture[members[1]]["2"] == "not met"  # logs-1 is not versioned
    assert posture[members[2]]["1"] == "not met"
    whole = compliance_view(results, "org-fw").statuses()
    assert whole["1"] == whole["2"] == "not met"


def test_results_by_ou_and_region(org: dict[str, Any]) -> None:
    results: Results = org["results"]
    members = org["members"]
    by_ou = {g.key: g for g in group_results(results, "ou")}
    assert by_ou[org["ous"]["team"]].accounts == (members[0],)
    assert by_ou[org["ous"]["team"]].label == "Root/prod/team"
    root = next(g for g in by_ou.values() if g.label == "Root")
    assert set(root.accounts) == set(org["accounts"]) - {members[0]}
    assert NO_OU not in by_ou
    by_region = {g.key: g for g in group_results(results, "region")}
    assert sorted(by_region) == sorted(REGIONS)  # IAM is read only by an aggregate here: no "global" result
    assert {r.region for r in by_region["eu-west-1"].results} <= {"eu-west-1", None}
    groups_in_eu = {r.resource for r in by_region["eu-west-1"].results if r.check == "open-ingress"}
    assert groups_in_eu and all(":eu-west-1:" in g or "/eu-west-1/" in g for g in groups_in_eu)
    # An aggregate counted per account has no region: every region's part keeps it.
    assert _verdicts(by_region["us-east-1"].results, "break-glass-user") == _verdicts(results, "break-glass-user")


def test_a_filter_by_ou_keeps_the_accounts_under_it_at_any_depth(org: dict[str, Any]) -> None:
    results: Results = org["results"]
    members = org["members"]
    prod = narrow(results, AccountFilter(ous=(org["ous"]["prod"],)))
    assert prod.snapshot.accounts == (members[0],)
    assert {r.account for r in prod} == {members[0], None}
    assert narrow(results, AccountFilter()) is results


@settings(deadline=None, max_examples=40)
@given(st.data())
def test_a_filter_keeps_exactly_the_results_of_what_it_names(org: dict[str, Any], data: st.DataObject) -> None:
    results: Results = org["results"]
    accounts = tuple(data.draw(st.lists(st.sampled_from(org["accounts"]), unique=True, max_size=3)))
    regions = tuple(data.draw(st.lists(st.sampled_from([*REGIONS, "global"]), unique=True, max_size=2)))
    kept = narrow(results, AccountFilter(accounts, (), regions))
    expected = [
        r for r in results
        if (not accounts or r.account is None or r.account in accounts)
        and (not regions or r.region is None or r.region in regions)
    ]
    assert list(kept) == expected


def test_the_reports_carry_the_results_by_account_ou_and_region(org: dict[str, Any]) -> None:
    results: Results = org["results"]
    members = org["members"]
    document = json.loads(render(PLUGINS.renderers["json"], results, RenderOptions()))
    by_account = {g["key"]: g for g in document["by_account"]}
    assert by_account[members[2]]["compliance"]["org-fw"]["not_met"] == ["1", "2"]
    assert by_account[members[0]]["compliance"]["org-fw"]["unknown"] == ["3"]
    assert by_account[members[0]]["label"] == "member-0"
    assert [g["label"] for g in document["by_ou"]][-1] == "Root/prod/team"
    assert {g["key"] for g in document["by_region"]} == set(REGIONS)
    assert document["snapshot"]["organisation"][members[0]]["ou_path"] == "Root/prod/team"
    markdown = render(PLUGINS.renderers["markdown"], results, RenderOptions()).decode()
    assert "### By account: 4" in markdown
    assert f"| {members[2]} | member-2 | 2 | 1 | 2 | 0 | 0 | 2/1 |" in markdown  # fail, unknown, pass, ...
    assert "### By organisational unit" in markdown and "Root/prod/team" in markdown
    html = render(PLUGINS.renderers["html"], results, RenderOptions()).decode()
    assert '<section id="accounts">' in html
    assert f'href="#filter=account:{members[2]}"' in html


def test_unify_audit_reports_and_gates_on_the_accounts_it_is_asked_about(org: dict[str, Any], runner: Any,
                                                                          tmp_path: Path) -> None:
    members = org["members"]
    base = ["audit", str(org["policy"]), "--snapshot", str(org["path"])]
    out = tmp_path / "one.json"
    one = runner.invoke(main, [*base, "--only-account", members[0], "--format", f"json={out}"])
    assert one.exit_code == 3, one.output  # nothing fails there; the keys were never observed
    document = json.loads(out.read_text(encoding="utf-8"))
    assert {r["account"] for r in document["results"]} == {members[0], None}
    assert document["snapshot"]["accounts"] == [members[0]]
    assert runner.invoke(main, [*base, "--only-account", members[2]]).exit_code == 1
    team = runner.invoke(main, [*base, "--only-ou", org["ous"]["team"], "--format", f"json={out}"])
    assert team.exit_code == 3, team.output
    assert json.loads(out.read_text(encoding="utf-8"))["snapshot"]["accounts"] == [members[0]]
    table = runner.invoke(main, [*base, "--by-account"])
    assert "By account: 4 groups" in table.output
    assert "By organisational unit" in table.output
    wrong = runner.invoke(main, [*base, "--only-account", "999999999999"])
    assert wrong.exit_code == 2
    assert "not in the snapshot's accounts" in wrong.output


def test_only_ou_needs_a_snapshot_from_org(runner: Any, tmp_path: Path, org: dict[str, Any]) -> None:
    data = json.loads(org["path"].read_text(encoding="utf-8"))
    del data["stats"]["organisation"]
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(main, ["audit", str(org["policy"]), "--snapshot", str(plain), "--only-ou", "ou-x"])
    assert result.exit_code == 2
    assert "--only-ou needs a snapshot observed with --org" in result.output


def test_progress_says_each_account_done_with_its_units_and_errors(org: dict[str, Any]) -> None:
    lines = [line for line in org["progress"].splitlines() if " done: " in line]
    assert len(lines) == len(org["accounts"])
    assert lines[-1].endswith(f"{len(org['accounts'])}/{len(org['accounts'])} accounts, "
                              f"{org['snapshot'].stats['units']}/{org['snapshot'].stats['units']} units, "
                              f"{len(org['snapshot'])} resources, 0 unit(s) in error")
    assert org["progress"].splitlines()[-1].startswith("unify: observed 4/4 accounts")


def test_an_account_not_made_ready_counts_as_done_in_error() -> None:
    tally = AccountTally()
    assert tally.start(3, {"111122223333": 2, "444455556666": 0}) == ["444455556666"]
    assert not tally.done("ok", 2, "111122223333")
    assert tally.done("error", 0, "111122223333")
    assert tally.line() == "2/2 accounts, 2/3 units, 2 resources, 1 unit(s) in error, 2 account(s) with errors"


def test_the_local_executor_reports_each_outcome_as_it_finishes() -> None:
    seen: dict[int, Any] = {}

    def work(shared: int, item: int) -> int:
        if item == 2:
            raise ValueError("unit two is broken")
        return shared * item

    outcomes = LocalExecutor(2).map(work, [1, 2, 3], 10, on_done=seen.__setitem__)
    assert outcomes[0] == 10 and outcomes[2] == 30
    assert isinstance(outcomes[1], Failure) and "unit two is broken" in outcomes[1].message
    assert seen == dict(enumerate(outcomes))


def test_progress_is_quiet_off_a_terminal_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert progress_for_stderr() is None
    assert isinstance(progress_for_stderr(True), LineProgress)
    assert progress_for_stderr(False) is None



# -- the front doors ------------------------------------------------------------------------------------


def test_pytest_unify_observes_an_organisation_with_the_accounts_options(org: dict[str, Any],
                                                                        pytester: pytest.Pytester) -> None:
    members = org["members"]
    (pytester.path / "policies").mkdir()
    (pytester.path / "policies" / "checks.yaml").write_text(POLICY, encoding="utf-8")
    accounts = pytester.path / "accounts.yaml"
    accounts.write_text(
        "accounts:\n" + "".join(f"  - id: '{a}'\n    role_arn: arn:aws:iam::{a}:role/audit\n" for a in members),
        encoding="utf-8",
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--unify", "--unify-accounts", str(accounts),
                                "--unify-regions", "us-east-1", "-k", "break-glass", "-rA")
    result.stdout.fnmatch_lines(["*live AWS, the accounts of*accounts.yaml on local*"])
    # One item for the check, judged in each account: two have their break-glass user, one does not.
    assert result.parseoutcomes() == {"failed": 1, "deselected": 3}
    result.stdout.fnmatch_lines(["*1 failing and 0 unknown of 3 result(s)*", f"*FAIL {members[2]} *"])
    tagged = pytester.runpytest("-p", "no:cacheprovider", "--unify", "--unify-org", "--unify-org-role", "audit",
                                "--unify-org-tag", "env=prod", "--unify-regions", "us-east-1", "-k", "break-glass")
    assert tagged.parseoutcomes() == {"passed": 1, "deselected": 3}
    both = pytester.runpytest("-p", "no:cacheprovider", "--unify", "--unify-accounts", str(accounts), "--unify-org")
    both.stderr.fnmatch_lines(["*give --unify-accounts FILE or --unify-org, not both*"])
    assert both.ret == pytest.ExitCode.USAGE_ERROR
