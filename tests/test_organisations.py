"""Organisations: many accounts reached by assuming roles, observed in units, merged into one snapshot.

One moto server holds an Organization of three member accounts (moto keeps
accounts apart by the account id of the assumed role's ARN), each seeded with
its own bucket and user. The same estate serves the accounts file, ``--org``,
a role that cannot be assumed, the worker-count and order independence of the
digest, evaluation by account, and the Dask executor with worker processes.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from hypothesis import given
from hypothesis import strategies as st

from factories import PLUGINS, moto_server
from unify.cli import main
from unify.engine import evaluate
from unify.errors import AwsError, InputError, ObservationError, OutputError
from unify.executors import DaskExecutor, LocalExecutor, open_executor
from unify.model.snapshot import Snapshot
from unify.observe.collector import CollectorRegistry
from unify.observe.demo import _reset
from unify.observe.accounts import Account, load_accounts, organisation_accounts
from unify.observe.organisation import observe_organisation
from unify.observe.progress import LineProgress
from unify.observe.session import ObserveOptions
from unify.observe.resume import ResumeDir
from unify.observe.shards import Base, Connections, Shared, Unit, UnitOutcome
from unify.partitions import evaluate_partitioned
from unify.render.renderer import RenderOptions, render
from unify.run import load_policy

TYPES = ["aws_s3_bucket", "aws_iam_user", "aws_security_group"]
REGIONS = ["us-east-1", "eu-west-1"]

POLICY = """
checks:
  - id: bucket-versioning
    title: Buckets keep their versions
    severity: medium
    resource: aws_s3_bucket
    assert:
      versioning.status: {eq: Enabled}
  - id: break-glass-user
    title: Every account has a break-glass user
    severity: low
    resource: aws_iam_user
    where:
      name: {eq: breakglass}
    expect: {count: {ge: 1}}
  - id: keys-rotate
    title: Keys rotate (never observed here)
    severity: low
    resource: aws_kms_key
    assert:
      enable_key_rotation: {eq: true}
desired:
  - resource: aws_s3_bucket
    name: logs-0
    severity: high
    attributes:
      versioning: {status: Enabled}
"""


def _as(account: str, endpoint: str) -> boto3.Session:
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=endpoint)
    found = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/seed", RoleSessionName="seed")["Credentials"]
    return boto3.Session(
        aws_access_key_id=found["AccessKeyId"],
        aws_secret_access_key=found["SecretAccessKey"],
        aws_session_token=found["SessionToken"],
        region_name="us-east-1",
    )


@pytest.fixture(scope="module")
def estate() -> Iterator[dict[str, Any]]:
    """An Organization of three member accounts behind moto's server; base credentials in the environment."""
    with pytest.MonkeyPatch.context() as env, moto_server() as endpoint:
        for key, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": endpoint,
        }.items():
            env.setenv(key, value)
        env.delenv("AWS_PROFILE", raising=False)
        _reset(endpoint)  # moto's backends are per process: another test's Organization may still be there
        org = boto3.client("organizations", region_name="us-east-1")
        root = org.create_organization(FeatureSet="ALL")["Organization"]
        root_id = org.list_roots()["Roots"][0]["Id"]
        prod = org.create_organizational_unit(ParentId=root_id, Name="prod")["OrganizationalUnit"]["Id"]
        team = org.create_organizational_unit(ParentId=prod, Name="team")["OrganizationalUnit"]["Id"]
        members = []
        for index in range(3):
            status = org.create_account(AccountName=f"member-{index}", Email=f"m{index}@example.com")
            members.append(status["CreateAccountStatus"]["AccountId"])
        org.move_account(AccountId=members[0], SourceParentId=root_id, DestinationParentId=team)
        org.tag_resource(ResourceId=members[1], Tags=[{"Key": "env", "Value": "prod"}])
        for index, account in enumerate(members):
            session = _as(account, endpoint)
            s3 = session.client("s3")
            s3.create_bucket(Bucket=f"logs-{index}")
            if index == 0:
                s3.put_bucket_versioning(Bucket="logs-0", VersioningConfiguration={"Status": "Enabled"})
            iam = session.client("iam")
            iam.create_user(UserName="breakglass" if index != 2 else "someone")
        yield {
            "endpoint": endpoint,
            "members": members,
            "management": root["MasterAccountId"],
            "ous": {"prod": prod, "team": team},
        }


def _accounts(members: list[str]) -> list[Account]:
    return [Account(a, f"arn:aws:iam::{a}:role/audit", external_id="ext-1", session_name="unify-test") for a in members]


def _observe(estate: dict[str, Any], executor: Any, **options: Any) -> Snapshot:
    return observe_organisation(
        _accounts(estate["members"]),
        TYPES,
        collectors=PLUGINS.collectors,
        executor=executor,
        options=ObserveOptions(regions=REGIONS),
        **options,
    )


def _without_time(snapshot: Snapshot) -> bytes:
    """The document as written, except ``taken_at`` and ``stats`` (wall-clock facts, outside the digest)."""
    data = {k: v for k, v in snapshot.to_dict().items() if k not in ("taken_at", "stats")}
    return json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")


def _results_json(results: Any) -> bytes:
    return render(PLUGINS.renderers["json"], results, RenderOptions())


@pytest.fixture(scope="module")
def policy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("organisation-policy")
    (folder / "checks.yaml").write_text(POLICY, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def one_worker(estate: dict[str, Any]) -> Snapshot:
    return _observe(estate, LocalExecutor(1))


# -- the accounts file -----------------------------------------------------------------------------


def test_an_accounts_file_gives_each_account_its_role_regions_and_session(tmp_path: Path) -> None:
    path = tmp_path / "accounts.yaml"
    path.write_text(
        "accounts:\n"
        "  - id: 012345678901\n"
        "    role_arn: arn:aws:iam::012345678901:role/audit\n"
        "    regions: [us-east-1, eu-west-1]\n"
        "    external_id: audit-7f3c\n"
        "  - id: '111122223333'\n"
        "    role_arn: arn:aws-us-gov:iam::111122223333:role/path/audit\n"
        "    session_name: ci-run\n"
        "    regions: all\n",
        encoding="utf-8",
    )
    first, second = load_accounts(str(path))
    assert first == Account("012345678901", "arn:aws:iam::012345678901:role/audit", ("eu-west-1", "us-east-1"),
                            "audit-7f3c", "unify")
    assert second.regions == ("all",)
    assert second.session_name == "ci-run"
    assert second.partition == "aws-us-gov"


@pytest.mark.parametrize(
    ("entry", "line", "key", "words"),
    [
        ("  - id: '1234'\n    role_arn: arn:aws:iam::1234:role/a\n", 2, "id", "12-digit"),
        ("  - id: '111122223333'\n", 2, "role_arn", "needs role_arn"),
        ("  - id: '111122223333'\n    role_arn: arn:aws:iam::444455556666:role/a\n", 3, "role_arn", "not in account"),
        ("  - id: '111122223333'\n    role_arn: arn:aws:iam::111122223333:role/a\n    region: [x]\n", 4, "region",
         "unknown key"),
        ("  - id: '111122223333'\n    role_arn: arn:aws:iam::111122223333:role/a\n    session_name: x\n", 4,
         "session_name", "not valid"),
        ("  - id: '111122223333'\n    role_arn: arn:aws:iam::111122223333:role/a\n"
         "  - id: '111122223333'\n    role_arn: arn:aws:iam::111122223333:role/b\n", 4, "id", "listed twice"),
    ],
)
def test_a_mistake_in_the_accounts_file_names_its_line_and_key(
    tmp_path: Path, entry: str, line: int, key: str, words: str
) -> None:
    path = tmp_path / "accounts.yaml"
    path.write_text("accounts:\n" + entry, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_accounts(str(path))
    problem = caught.value.problems[0]
    assert (problem.file, problem.line, problem.key) == (str(path), line, key)
    assert words in problem.message


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_an_unquoted_account_id_keeps_its_digits(account: str) -> None:
    text = f"accounts:\n  - id: {account}\n    role_arn: arn:aws:iam::{account}:role/audit\n"
    path = Path(f"/tmp/unify-accounts-{account}.yaml")  # noqa: S108 - a file per example, removed below
    path.write_text(text, encoding="utf-8")
    try:
        assert [a.id for a in load_accounts(str(path))] == [account]
    finally:
        path.unlink()


# -- the Organization ------------------------------------------------------------------------------


def test_the_organization_lists_its_accounts_filtered_by_ou_at_any_depth_and_by_tag(estate: dict[str, Any]) -> None:
    base = boto3.Session(region_name="us-east-1")
    members = estate["members"]
    everyone = organisation_accounts(base, "audit")
    assert [a.id for a in everyone] == sorted([*members, estate["management"]])
    assert everyone[0].role_arn == f"arn:aws:iam::{everyone[0].id}:role/audit"
    assert [a.id for a in organisation_accounts(base, "audit", ous=[estate["ous"]["prod"]])] == [members[0]]
    assert [a.id for a in organisation_accounts(base, "audit", tags={"env": "prod"})] == [members[1]]
    with pytest.raises(ObservationError, match="no active account"):
        organisation_accounts(base, "audit", ous=[estate["ous"]["prod"]], tags={"env": "prod"})


# -- observing ---------------------------------------------------------------------------------------


def test_each_accounts_resources_land_under_it_with_coverage_per_account_and_region(
    estate: dict[str, Any], one_worker: Snapshot
) -> None:
    members = estate["members"]
    buckets = {r["name"]: r["account"] for r in one_worker.of_type("aws_s3_bucket")}
    assert buckets == {f"logs-{i}": account for i, account in enumerate(members)}
    users = {(r["account"], r["name"]) for r in one_worker.of_type("aws_iam_user")}
    assert users == {(members[0], "breakglass"), (members[1], "breakglass"), (members[2], "someone")}
    assert one_worker.scope == {"accounts": sorted(members), "regions": sorted(REGIONS)}
    groups = {(c["account"], c["region"]) for c in one_worker.coverage_of("aws_security_group")}
    assert groups == {(a, r) for a in members for r in REGIONS}
    assert {c["status"] for c in one_worker.coverage} == {"ok"}
    assert one_worker.stats["units"] == len(members) * (len(REGIONS) + 2)  # security groups by region, S3 and IAM once


def test_the_digest_does_not_depend_on_worker_count_or_unit_order(estate: dict[str, Any], one_worker: Snapshot) -> None:
    def shuffled(units: list[Unit]) -> list[Unit]:
        random.Random(7).shuffle(units)
        return units

    many = _observe(estate, LocalExecutor(12), order=shuffled)
    assert many.digest == one_worker.digest == many.compute_digest()
    assert _without_time(many) == _without_time(one_worker)


def test_a_role_that_cannot_be_assumed_is_coverage_error_for_that_account_only(
    estate: dict[str, Any], policy_dir: Path
) -> None:
    members = estate["members"]
    refused = f"arn:aws:iam::{members[1]}:role/audit"
    base = boto3.Session(region_name="us-east-1")

    def deny(params: dict[str, Any], **kwargs: Any) -> tuple[Any, dict[str, Any]] | None:
        if (params.get("body") or {}).get("RoleArn") != refused:  # the query-protocol request's form
            return None
        answer = {"Error": {"Code": "AccessDenied", "Message": f"not authorized to perform sts:AssumeRole on {refused}"},
                  "ResponseMetadata": {"HTTPStatusCode": 403}}
        return AWSResponse("https://sts.invalid/", 403, {}, None), answer

    base.events.register("before-call.sts.AssumeRole", deny)
    warnings: list[str] = []
    snapshot = _observe(estate, LocalExecutor(4), boto_session=base, warn=warnings.append)
    errors = [c for c in snapshot.coverage if c["status"] == "error"]
    assert {c["account"] for c in errors} == {members[1]}
    assert {(c["type"], c["region"]) for c in errors} == {
        ("aws_s3_bucket", "global"), ("aws_iam_user", "global"),
        ("aws_security_group", "eu-west-1"), ("aws_security_group", "us-east-1"),
    }
    assert all(c["error"]["code"] == "AssumeRoleFailed" for c in errors)
    assert all(refused in c["error"]["message"] and "AccessDenied" in c["error"]["message"] for c in errors)
    assert members[1] in snapshot.scope["accounts"]
    assert {r["account"] for r in snapshot} == {members[0], members[2]}
    assert any(members[1] in line for line in warnings)
    policy = load_policy([policy_dir], PLUGINS)
    results = evaluate_partitioned(policy, snapshot, executor=LocalExecutor(2))
    verdict = {r.resource: r.verdict for r in results if r.check == "break-glass-user"}
    assert verdict == {members[0]: "pass", members[1]: "unknown", members[2]: "fail"}


def test_a_failed_unit_is_retried_then_recorded_as_coverage_error(estate: dict[str, Any]) -> None:
    vpcs = PLUGINS.collectors["ec2.security_groups"]
    seen: dict[str, int] = {}

    def flaky(ctx: Any) -> Any:
        seen[ctx.region] = seen.get(ctx.region, 0) + 1
        if ctx.region == "eu-west-1" or seen[ctx.region] == 1:
            raise AwsError("Throttling", "Rate exceeded", "ec2:DescribeSecurityGroups")
        return vpcs.collect(ctx)

    registry = CollectorRegistry()
    registry.add(replace(vpcs, collect=flaky))
    snapshot = observe_organisation(
        _accounts(estate["members"][:1]), None, collectors=registry, executor=LocalExecutor(2),
        options=ObserveOptions(regions=REGIONS), attempts=2,
    )
    status = {c["region"]: c["status"] for c in snapshot.coverage}
    assert status == {"us-east-1": "ok", "eu-west-1": "error"}
    assert seen == {"us-east-1": 2, "eu-west-1": 2}
    assert snapshot.stats["retried_units"] == 2
    assert [c["error"]["code"] for c in snapshot.coverage if c["status"] == "error"] == ["Throttling"]


# -- evaluation by account -----------------------------------------------------------------------------


def test_evaluation_by_account_gives_the_results_of_one_evaluation(one_worker: Snapshot, policy_dir: Path) -> None:
    policy = load_policy([policy_dir], PLUGINS)
    whole = evaluate(policy, one_worker)
    parted = evaluate_partitioned(policy, one_worker, executor=LocalExecutor(3))
    assert _results_json(parted) == _results_json(whole)
    verdicts = {(r.check, r.verdict) for r in parted}
    assert ("keys-rotate", "unknown") in verdicts  # never observed: said once, not once per account
    assert sum(1 for r in parted if r.check == "keys-rotate") == 1
    assert {r.verdict for r in parted if r.check == "desired/aws_s3_bucket/logs-0"} == {"pass"}


# -- Dask ------------------------------------------------------------------------------------------


def test_dask_worker_processes_give_the_same_digest_and_byte_identical_results(
    estate: dict[str, Any], one_worker: Snapshot, policy_dir: Path
) -> None:
    policy = load_policy([policy_dir], PLUGINS)
    executor = DaskExecutor(workers=2, threads=4)
    try:
        assert executor.workers == 2
        lines = io.StringIO()
        on_dask = _observe(estate, executor, base=Base(region="us-east-1"), progress=LineProgress(lines))
        assert on_dask.stats["executor"] == "dask-local"
        # Each account's line as its last unit comes back from a worker process.
        assert sum(" done: " in line for line in lines.getvalue().splitlines()) == len(estate["members"])
        assert on_dask.digest == one_worker.digest
        assert _without_time(on_dask) == _without_time(one_worker)
        local = evaluate_partitioned(policy, on_dask, executor=LocalExecutor(1))
        remote = evaluate_partitioned(policy, on_dask, executor=executor)
        assert _results_json(remote) == _results_json(local)
    finally:
        executor.close()


def test_an_executor_spec_that_is_not_one_is_refused() -> None:
    with pytest.raises(InputError, match="dask://HOST:PORT"):
        open_executor("dask://nowhere")
    with pytest.raises(InputError, match="unknown executor"):
        open_executor("spark")
    assert isinstance(open_executor("local"), LocalExecutor)


# -- the command line --------------------------------------------------------------------------------


def test_unify_audit_with_an_accounts_file_judges_every_account(
    estate: dict[str, Any], runner: Any, tmp_path: Path, policy_dir: Path
) -> None:
    accounts = tmp_path / "accounts.yaml"
    accounts.write_text(
        "accounts:\n" + "".join(f"  - id: '{a}'\n    role_arn: arn:aws:iam::{a}:role/audit\n" for a in estate["members"]),
        encoding="utf-8",
    )
    report = tmp_path / "results.json"
    result = runner.invoke(main, ["audit", str(policy_dir), "--accounts", str(accounts), "--regions", "us-east-1",
                                  "--format", f"json={report}"])
    assert result.exit_code == 1, result.output
    document = json.loads(report.read_text(encoding="utf-8"))
    counts = {r["resource"]: r["verdict"] for r in document["results"] if r["check"] == "break-glass-user"}
    members = estate["members"]
    assert counts == {members[0]: "pass", members[1]: "pass", members[2]: "fail"}
    assert "3 account(s) on local" in result.output


def test_unify_observe_with_org_filters_by_tag(estate: dict[str, Any], runner: Any, tmp_path: Path) -> None:
    out = tmp_path / "org.json"
    result = runner.invoke(main, ["observe", "--org", "--org-role", "audit", "--org-tag", "env=prod",
                                  "--types", "aws_iam_user", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["scope"]["accounts"] == [estate["members"][1]]
    assert [(r["account"], r["name"]) for r in data["resources"]] == [(estate["members"][1], "breakglass")]


def test_bad_accounts_options_exit_2_with_one_line(runner: Any, tmp_path: Path) -> None:
    bad = tmp_path / "accounts.yaml"
    bad.write_text("accounts:\n  - id: '111122223333'\n", encoding="utf-8")
    result = runner.invoke(main, ["observe", "--accounts", str(bad), "--types", "aws_iam_user"])
    assert result.exit_code == 2
    assert f"{bad}:2: [role_arn]" in result.output
    both = runner.invoke(main, ["observe", "--accounts", str(bad), "--org"])
    assert both.exit_code == 2
    assert "not both" in both.output


def test_regions_all_means_the_regions_enabled_in_each_account(estate: dict[str, Any]) -> None:
    account = estate["members"][2]
    enabled = boto3.client("ec2", region_name="us-east-1").describe_regions(AllRegions=False)["Regions"]
    snapshot = observe_organisation(
        [Account(account, f"arn:aws:iam::{account}:role/audit", regions=("all",))],
        ["aws_iam_user"],
        collectors=PLUGINS.collectors,
        executor=LocalExecutor(2),
    )
    assert snapshot.scope["regions"] == sorted(r["RegionName"] for r in enabled)
    assert len(snapshot.scope["regions"]) > 2
    assert [(c["account"], c["region"], c["status"]) for c in snapshot.coverage] == [(account, "global", "ok")]


# -- a resumable run -----------------------------------------------------------------------------------


def test_a_resumed_run_skips_finished_units_and_gives_the_digest_of_an_uninterrupted_one(
    estate: dict[str, Any], one_worker: Snapshot, tmp_path: Path
) -> None:
    folder = tmp_path / "resume"
    ran: list[tuple[str, str, str]] = []

    def registry(interrupt_at: int | None) -> CollectorRegistry:
        made = CollectorRegistry()
        for name in sorted({PLUGINS.collectors.collector_for(t).name for t in TYPES}):  # type: ignore[union-attr]
            real = PLUGINS.collectors[name]

            def collect(ctx: Any, real: Any = real) -> Any:
                ran.append((ctx.account, ctx.region, real.name))
                if interrupt_at is not None and len(ran) > interrupt_at:
                    raise KeyboardInterrupt  # the user pressed Ctrl-C
                return real.collect(ctx)

            made.add(replace(real, collect=collect))
        return made

    def run(interrupt_at: int | None) -> Snapshot:
        return observe_organisation(
            _accounts(estate["members"]), TYPES, collectors=registry(interrupt_at), executor=LocalExecutor(1),
            options=ObserveOptions(regions=REGIONS), resume=ResumeDir(folder, PLUGINS.collectors.resource_types()),
        )

    with pytest.raises(KeyboardInterrupt):
        run(interrupt_at=5)
    written = sorted(p.name for p in folder.iterdir())
    assert len(written) == 5 and all(name.endswith(".unit.json") for name in written)
    assert all(p.stat().st_mode & 0o077 == 0 for p in folder.iterdir())  # the estate's data, for its owner only
    first = set(ran[:5])
    ran.clear()
    resumed = run(interrupt_at=None)
    assert not first & set(ran)  # no finished unit ran again
    assert len(ran) == one_worker.stats["units"] - 5
    assert resumed.stats["resumed_units"] == 5
    assert resumed.digest == one_worker.digest
    assert _without_time(resumed) == _without_time(one_worker)
    ran.clear()
    again = run(interrupt_at=None)  # everything is in the folder now: nothing runs
    assert ran == [] and again.digest == one_worker.digest


def test_a_resumed_unit_that_collected_less_than_the_run_needs_is_observed_again(
    estate: dict[str, Any], tmp_path: Path
) -> None:
    folder = tmp_path / "resume"
    accounts = _accounts(estate["members"])

    def run(attributes: Any) -> Snapshot:
        return observe_organisation(
            accounts, ["aws_s3_bucket"], collectors=PLUGINS.collectors, executor=LocalExecutor(1),
            attributes=attributes, options=ObserveOptions(regions=REGIONS),
            resume=ResumeDir(folder, PLUGINS.collectors.resource_types()),
        )

    narrow = run({"aws_s3_bucket": frozenset({"versioning"})})
    assert narrow.stats["resumed_units"] == 0 and "s3:get_bucket_logging" not in narrow.stats["calls"]
    assert all("logging" in c["not_collected"] for c in narrow.coverage)
    same = run({"aws_s3_bucket": frozenset({"versioning"})})
    assert same.stats["resumed_units"] == len(accounts) and same.digest == narrow.digest
    wider = run({"aws_s3_bucket": frozenset({"versioning", "logging"})})
    # The saved units lack logging: they are observed again, not read back with logging unknown.
    assert wider.stats["resumed_units"] == 0 and wider.stats["calls"].get("s3:get_bucket_logging")
    assert all("logging" not in c["not_collected"] for c in wider.coverage)


def test_a_unit_file_is_never_written_over(tmp_path: Path) -> None:
    folder = ResumeDir(tmp_path / "r", PLUGINS.collectors.resource_types())
    coverage = [{"type": "aws_iam_user", "account": "111122223333", "region": "global", "status": "ok"}]
    outcome = UnitOutcome(Unit("111122223333", "global", "iam.users"), [], coverage, {"calls": {}})  # type: ignore[list-item]
    folder.save(outcome)
    (path,) = (tmp_path / "r").iterdir()
    before = path.read_bytes()
    with pytest.raises(OutputError, match="exists and is not overwritten"):
        folder.save(outcome)
    assert path.read_bytes() == before
    assert list(folder.load()) == [("111122223333", "global", "iam.users")]


def test_bad_resume_folders_exit_2_naming_the_file_and_key(estate: dict[str, Any], runner: Any, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.yaml"
    account = estate["members"][0]
    accounts.write_text(f"accounts:\n  - id: '{account}'\n    role_arn: arn:aws:iam::{account}:role/audit\n",
                        encoding="utf-8")
    folder = tmp_path / "resume"
    args = ["observe", "--accounts", str(accounts), "--types", "aws_iam_user", "--resume", str(folder)]
    good = runner.invoke(main, [*args, "-o", str(tmp_path / "a.json")])
    assert good.exit_code == 0, good.output
    again = runner.invoke(main, [*args, "-o", str(tmp_path / "b.json")])
    assert again.exit_code == 0, again.output
    first, second = (json.loads((tmp_path / n).read_text(encoding="utf-8")) for n in ("a.json", "b.json"))
    assert second["stats"]["resumed_units"] == 1 and first["stats"]["resumed_units"] == 0
    assert second["resources"] == first["resources"] and second["coverage"] == first["coverage"]

    (unit,) = folder.iterdir()
    document = json.loads(unit.read_text(encoding="utf-8"))
    unit.chmod(0o600)
    unit.write_text(json.dumps({**document, "resources": "none"}), encoding="utf-8")
    broken = runner.invoke(main, [*args, "-o", str(tmp_path / "c.json")])
    assert broken.exit_code == 2
    assert f"{unit}: [resources]" in broken.output and "Traceback" not in broken.output
    assert len(broken.output.strip().splitlines()) == 1

    unit.write_text(json.dumps({**document, "unit": {**document["unit"], "region": "eu-west-1"}}), encoding="utf-8")
    moved = runner.invoke(main, [*args, "-o", str(tmp_path / "c.json")])
    assert moved.exit_code == 2 and f"{unit}: [unit]" in moved.output

    link = tmp_path / "link"
    link.symlink_to(folder)
    linked = runner.invoke(main, [*args[:-1], str(link), "-o", str(tmp_path / "c.json")])
    assert linked.exit_code == 2 and "symlink" in linked.output
    unit.unlink()
    (folder / unit.name).symlink_to(tmp_path / "a.json")
    linked_unit = runner.invoke(main, [*args, "-o", str(tmp_path / "c.json")])
    assert linked_unit.exit_code == 2 and "plain file" in linked_unit.output

    alone = runner.invoke(main, ["observe", "--types", "aws_iam_user", "--resume", str(folder)])
    assert alone.exit_code == 2 and "--resume DIR goes with --accounts" in alone.output


def test_an_accounts_caps_are_shared_by_all_its_units_and_retries_in_one_process(estate: dict[str, Any]) -> None:
    options = ObserveOptions(regions=REGIONS, service_limits={"ec2": 3})
    connections = Connections(Base(endpoint_url=estate["endpoint"]))
    shared = Shared(tuple(PLUGINS.collectors), options, connections.base, connections)
    account = _accounts(estate["members"][:2])
    try:
        first = connections.session(Unit(account[0].id, "us-east-1", "ec2.vpcs", account[0].role_arn), shared)
        retry = connections.session(
            Unit(account[0].id, "us-east-1", "ec2.vpcs", account[0].role_arn, attempt=2), shared
        )
        other = connections.session(Unit(account[1].id, "us-east-1", "ec2.vpcs", account[1].role_arn), shared)
    finally:
        connections.close()
    assert first is not retry  # fresh credentials for the retry...
    assert first.limits is retry.limits  # ...under the same caps
    assert first.limits.cap("ec2", "us-east-1") is retry.limits.cap("ec2", "us-east-1")
    assert other.limits is not first.limits  # another account has caps of its own
    assert first.limits.limit("ec2") == 3


def test_on_several_workers_each_gets_its_share_of_every_cap(estate: dict[str, Any]) -> None:
    class FourWorkers:
        """Stands in for a Dask cluster of four workers (they would each hold their own caps)."""

        name = "four-workers"
        workers = 4

        def __init__(self) -> None:
            self.options: list[ObserveOptions] = []

        def map(self, work: Any, items: Any, shared: Any, *, on_done: Any = None) -> Any:
            self.options.append(shared.options)
            return LocalExecutor(2).map(work, items, shared, on_done=on_done)

        def close(self) -> None:
            pass

    executor = FourWorkers()
    options = ObserveOptions(regions=["us-east-1"], service_limits={"iam": 4, "s3": 16}, default_limit=8,
                             max_requests_per_second=100)
    snapshot = observe_organisation(_accounts(estate["members"][:1]), ["aws_iam_user"], collectors=PLUGINS.collectors,
                                    executor=executor, options=options)
    assert len(snapshot.of_type("aws_iam_user")) == 1
    seen = executor.options[-1]
    assert dict(seen.service_limits) == {"iam": 1, "s3": 4}
    assert (seen.default_limit, seen.max_requests_per_second) == (2, 25)
