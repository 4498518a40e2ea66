"""The GitHub composite action: its shape, and its steps run here as the runner would run them."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

from factories import moto_server

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
PLAN = ROOT / "tests" / "data" / "terraform" / "plan-create-public-bucket.json"
SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
LOCK = ROOT / "action" / "requirements.lock"


def test_action_has_the_required_keys() -> None:
    assert {"name", "description", "inputs", "outputs", "runs"} <= set(ACTION)
    assert ACTION["runs"]["using"] == "composite"
    for step in ACTION["runs"]["steps"]:
        assert "name" in step
        if "uses" in step:
            assert re.fullmatch(r"actions/cache@v\d+", step["uses"]), step["uses"]
        else:
            assert step.get("shell") == "bash" and "run" in step
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description"), name
        assert "default" in spec, name
    for name, spec in ACTION["outputs"].items():
        assert spec.get("description") and spec.get("value"), name


def test_every_input_is_used_and_every_output_is_written() -> None:
    text = json.dumps(ACTION["runs"]["steps"])
    for name in ACTION["inputs"]:
        assert f"inputs.{name} " in text or f"inputs.{name}}}" in text, f"input {name!r} is never used"
    steps = {step.get("id"): step for step in ACTION["runs"]["steps"]}
    for name, spec in ACTION["outputs"].items():
        sources = re.findall(r"steps\.([\w-]+)\.outputs\.([\w-]+)", spec["value"])
        assert sources, name
        for step, output in sources:
            run = steps[step]["run"] + (Path(ROOT / "action" / "outputs.py").read_text() if step == "audit" else "")
            if step == "check":
                run += (ROOT / "action" / "check_inputs.py").read_text()
            assert re.search(rf"{re.escape(output)}=", run), f"output {name!r} is never written by {step}"


def test_the_lock_pins_every_runtime_dependency_and_what_it_needs() -> None:
    pinned = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pinned[name.lower()] = version
    assert all(pinned.values()), "every line pins one version"
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    todo = [re.split(r"[ <>=!~\[;]", spec)[0].lower() for spec in declared]
    seen = set()
    while todo:
        name = todo.pop().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        assert name in pinned, f"{name} is needed and not pinned in {LOCK.name}"
        for requirement in importlib.metadata.requires(name) or []:
            if "extra ==" not in requirement and "python_version" not in requirement:
                todo.append(re.split(r"[ <>=!~\[;(]", requirement)[0].lower())


def _expand(value: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    def replace(match: re.Match[str]) -> str:
        alternatives = [part.strip() for part in match.group(1).split("||")]
        for expression in alternatives:
            if expression.startswith("inputs."):
                found = inputs[expression.removeprefix("inputs.")]
            elif expression == "github.action_path":
                found = str(ROOT)
            elif expression.startswith("steps."):
                step, _, output = expression.removeprefix("steps.").partition(".outputs.")
                found = outputs.get(step, {}).get(output, "")
            else:
                raise AssertionError(f"unexpected expression {expression}")
            if found:
                return found
        return ""

    return re.sub(r"\$\{\{ (.+?) \}\}", replace, value)


class Job:
    """One job of a GitHub runner: RUNNER_TEMP and GITHUB_ENV shared by its steps; per step, its own
    GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, and its outputs kept by step id, as the runner does."""

    def __init__(self, tmp: Path, extra_env: dict[str, str] | None = None) -> None:
        self.tmp = tmp
        self.temp = tmp / "runner-temp"
        self.temp.mkdir(exist_ok=True)
        self.env_file = tmp / "env"
        self.env_file.touch()
        self.extra_env = extra_env or {}
        self.uses = 0

    def use(self, inputs: dict[str, str], cwd: Path, *, install: dict[str, str] | None = None) -> Use:
        """One use of the action in this job (``install``: the install step's outputs, to skip installing)."""
        self.uses += 1
        return Use(self, {name: spec["default"] for name, spec in ACTION["inputs"].items()} | inputs, cwd, install)


class Use:
    def __init__(self, job: Job, inputs: dict[str, str], cwd: Path, install: dict[str, str] | None) -> None:
        self.job, self.inputs, self.cwd = job, inputs, cwd
        self.outputs: dict[str, dict[str, str]] = {"install": install} if install else {}
        self.summary = ""
        self.log: list[subprocess.CompletedProcess[str]] = []

    def run(self) -> subprocess.CompletedProcess[str] | None:
        """The steps in order until one fails (uses: steps are the runner's own actions, not run here)."""
        last = None
        for index, step in enumerate(ACTION["runs"]["steps"]):
            if "uses" in step or (step.get("id") == "install" and "install" in self.outputs):
                continue
            files = {name: self.job.tmp / f"use{self.job.uses}-step{index}-{name}" for name in ("output", "summary")}
            for path in files.values():
                path.write_text("")
            env = {**os.environ, **self.job.extra_env, "RUNNER_TEMP": str(self.job.temp),
                   "GITHUB_ENV": str(self.job.env_file), "GITHUB_OUTPUT": str(files["output"]),
                   "GITHUB_STEP_SUMMARY": str(files["summary"]), "GITHUB_ACTION_PATH": str(ROOT)}
            for line in self.job.env_file.read_text().splitlines():
                key, _, value = line.partition("=")
                env[key] = value
            for key, value in (step.get("env") or {}).items():
                env[key] = _expand(str(value), self.inputs, self.outputs)
            # GitHub runs `shell: bash` steps as `bash --noprofile --norc -eo pipefail {0}`.
            last = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                                  env=env, cwd=self.cwd, capture_output=True, text=True, timeout=600)
            self.log.append(last)
            self.outputs[step["id"]] = dict(
                line.split("=", 1) for line in files["output"].read_text().splitlines() if "=" in line)
            self.summary += files["summary"].read_text()
            if last.returncode != 0:
                break
        return last

    def action_outputs(self) -> dict[str, str]:
        return {name: _expand(spec["value"], self.inputs, self.outputs) for name, spec in ACTION["outputs"].items()}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, str]:
    """The check and install steps, run once: a virtual environment with unify from the lock and the checkout."""
    tmp = tmp_path_factory.mktemp("action")
    use = Job(tmp).use({"python": sys.executable, "plan": str(PLAN)}, tmp)
    steps = [step for step in ACTION["runs"]["steps"] if step.get("id") in ("check", "install")]
    assert [step["id"] for step in steps] == ["check", "install"]
    done = use.run()  # runs the audit too; what matters here is the environment it installed
    assert use.outputs["install"]["bin"].endswith("/bin/unify"), [r.stderr for r in use.log]
    assert use.outputs["check"]["cache-key"].startswith("unify-pip-")
    return use.outputs["install"]


def test_action_gates_a_plan(installed, tmp_path) -> None:
    from unify.checks.policy_set import shipped_policies

    source = tmp_path / "infra"
    source.mkdir()
    (source / "main.tf").write_text('resource "aws_s3_bucket" "public" {\n  bucket_prefix = "site-"\n}\n')
    use = Job(tmp_path).use({
        "python": sys.executable, "policies": str(shipped_policies()), "plan": str(PLAN), "source-root": str(source),
        "sarif-file": str(tmp_path / "unify.sarif"), "extra-formats": f"junit={tmp_path / 'unify.xml'}",
    }, tmp_path, install=installed)
    done = use.run()
    outputs = use.action_outputs()
    assert done.returncode == 1, done.stderr
    assert outputs["exit-code"] == "1" and int(outputs["failed"]) > 0 and outputs["new"] == ""
    assert outputs["sarif-file"] == str(tmp_path / "unify.sarif")
    sarif = json.loads((tmp_path / "unify.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert (tmp_path / "unify.xml").read_text().startswith("<?xml")
    assert "unify" in use.summary and "<details>" in use.summary
    assert "::error" in done.stdout  # annotations go to the log, where the runner reads them
    assert "unify: exit 1" in done.stderr.splitlines()[-1]


def test_two_uses_in_one_job_each_report_only_themselves(installed, tmp_path) -> None:
    """The second use fails on bad input: its summary, outputs and SARIF are its own, nothing of the first's."""
    job = Job(tmp_path)
    first = job.use({"python": sys.executable, "plan": str(PLAN)}, tmp_path, install=installed)
    assert first.run().returncode == 1
    assert "<details>" in first.summary and int(first.action_outputs()["failed"]) > 0
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "p.yaml").write_text("checks:\n  - {id: x, severity: high, resource: aws_s3_bucket, "
                                   "assert: {acl: {equals: private}}}\n")
    second = job.use({"python": sys.executable, "plan": str(PLAN), "policies": str(broken)}, tmp_path,
                     install=installed)
    done = second.run()
    outputs = second.action_outputs()
    assert done.returncode == 2 and outputs["exit-code"] == "2"
    assert outputs["failed"] == outputs["passed"] == outputs["unknown"] == outputs["waived"] == outputs["new"] == ""
    assert "<details>" not in second.summary and "exit 1" not in second.summary
    assert second.summary.startswith("## unify: exit 2") and "unknown operator 'equals'" in second.summary
    sarif = json.loads((tmp_path / "unify.sarif").read_text())  # the same path as the first's: overwritten
    jsonschema.validate(sarif, SARIF_SCHEMA)
    run = sarif["runs"][0]
    assert run["results"] == [] and run["invocations"][0]["executionSuccessful"] is False
    assert "unknown operator 'equals'" in run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
    assert "::error title=unify::" in done.stdout


def test_bad_inputs_are_refused_before_anything_is_installed(tmp_path) -> None:
    use = Job(tmp_path).use({"python": sys.executable, "fail-on": "severe", "live": "yes",
                             "sarif-file": str(tmp_path / "out.sarif")}, tmp_path)
    done = use.run()
    assert done.returncode == 2 and [r.returncode for r in use.log] == [2]  # the check step, and nothing after
    assert "install" not in use.outputs
    outputs = use.action_outputs()
    assert outputs["exit-code"] == "2" and outputs["sarif-file"] == str(tmp_path / "out.sarif")
    assert "live: must be true or false, not 'yes'" in done.stderr
    assert "give exactly one of plan, snapshot or live" in done.stderr
    assert "fail-on: must be one of info, low, medium, high, critical, not 'severe'" in done.stderr
    assert done.stdout.startswith("::error title=unify action inputs::")
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    jsonschema.validate(sarif, SARIF_SCHEMA)
    assert "fail-on" in sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]


def test_action_soft_fail(installed, tmp_path) -> None:
    use = Job(tmp_path).use({"python": sys.executable, "plan": str(PLAN), "soft-fail": "true",
                             "sarif-file": str(tmp_path / "s.sarif")}, tmp_path, install=installed)
    done = use.run()
    outputs = use.action_outputs()
    assert done.returncode == 0 and outputs["exit-code"] == "0" and int(outputs["failed"]) > 0


def test_action_audits_a_live_moto_estate_with_a_baseline(installed, tmp_path) -> None:
    from unify.observe.demo import _reset, seed_estate

    with moto_server() as endpoint:
        _reset(endpoint)
        seed_estate(endpoint)
        aws = {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1", "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}
        job = Job(tmp_path, aws)
        first = job.use({"python": sys.executable, "live": "true", "regions": "us-east-1,eu-west-1",
                         "framework": "cis-aws-v7.0", "sarif-file": str(tmp_path / "live.sarif"),
                         "extra-formats": f"json={tmp_path / 'baseline.json'}"}, tmp_path, install=installed)
        done = first.run()
        assert done.returncode == 1, done.stderr
        assert "checking with the shipped packs" in done.stderr  # no policies/ folder here: the shipped packs
        assert int(first.action_outputs()["failed"]) > 0
        again = job.use({"python": sys.executable, "live": "true", "regions": "us-east-1,eu-west-1",
                         "framework": "cis-aws-v7.0", "baseline": str(tmp_path / "baseline.json"),
                         "fail-on-new": "true", "sarif-file": str(tmp_path / "live2.sarif")}, tmp_path,
                        install=installed)
        done = again.run()
        outputs = again.action_outputs()
        # Nothing new since the baseline; but moto has no Access Analyzer and lacks a few IAM, Organizations and
        # SSM calls, so the checks reading those are unknown: the observation is incomplete (3), never a pass.
        assert done.returncode == 3, done.stderr
        assert "none failed" in done.stderr
        assert outputs["new"] == "0" and int(outputs["failed"]) > 0
        assert "0 new" in done.stderr


def test_the_installed_package_ships_the_policy_packs_and_the_report_assets(installed, tmp_path) -> None:
    """Installed from the checkout (not editable), unify finds its packs and its HTML report's script anywhere."""
    python = installed["python"]
    probe = ("from unify.checks.policy_set import shipped_policies, load_policies; "
             "from unify.plugins import build_plugins; import unify.render.html as h; p = shipped_policies(); "
             "print(p.is_dir(), 'site-packages' in str(p), len(load_policies([p], operators=build_plugins().operators)),"
             " len(h.SCRIPT) > 1000)")
    done = subprocess.run([python, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    is_dir, installed_copy, checks, script = done.stdout.split()
    assert is_dir == "True" and installed_copy == "True" and int(checks) >= 50 and script == "True"


def test_action_evaluates_a_plan_over_a_live_snapshot(installed, tmp_path) -> None:
    """``live-snapshot`` with ``plan``: the estate as it will be after apply, each result marked by origin."""
    from unify.checks.policy_set import shipped_policies

    data = ROOT / "tests" / "data" / "terraform"
    results = tmp_path / "results.json"
    use = Job(tmp_path).use({
        "python": sys.executable, "policies": str(shipped_policies()), "plan": str(data / "plan-overlay.json"),
        "live-snapshot": str(data / "live-estate.json"), "sarif-file": str(tmp_path / "overlay.sarif"),
        "extra-formats": f"json={results}"}, tmp_path, install=installed)
    done = use.run()
    assert done.returncode == 1, done.stderr
    assert "overlaid" in done.stderr and use.action_outputs()["exit-code"] == "1"
    document = json.loads(results.read_text())
    origins = {r["origin"] for r in document["results"]}
    assert origins == {"plan", "live", "both"}
    trail = next(r for r in document["results"] if r["check"] == "cloudtrail-multi-region-logging")
    assert (trail["verdict"], trail["origin"]) == ("fail", "both")


def test_a_live_snapshot_without_a_plan_is_refused_before_the_install(tmp_path) -> None:
    data = ROOT / "tests" / "data" / "terraform"
    use = Job(tmp_path).use({"python": sys.executable, "snapshot": str(data / "live-estate.json"),
                             "live-snapshot": str(data / "live-estate.json")}, tmp_path)
    done = use.run()
    assert done.returncode == 2 and "live-snapshot: goes with plan" in done.stderr


def test_the_accounts_inputs_are_checked_before_the_install(tmp_path) -> None:
    accounts = tmp_path / "accounts.yaml"
    accounts.write_text("accounts: []\n")
    use = Job(tmp_path).use({"python": sys.executable, "accounts": str(accounts), "live": "true",
                             "org-tag": "env", "executor": "spark", "sarif-file": str(tmp_path / "a.sarif")}, tmp_path)
    done = use.run()
    assert done.returncode == 2 and [r.returncode for r in use.log] == [2]
    assert "give exactly one of plan, snapshot or live" in done.stderr and "(given: live, accounts)" in done.stderr
    assert "org-role, org-ou and org-tag go with org" in done.stderr
    assert "org-tag: 'env' is not KEY=VALUE" in done.stderr
    assert "executor: must be local, dask-local or dask://HOST:PORT, not 'spark'" in done.stderr


def test_action_audits_three_accounts_through_assumed_roles(installed, tmp_path) -> None:
    import boto3

    with moto_server() as endpoint:
        aws = {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1"}
        members = ["111111111111", "222222222222", "333333333333"]
        sts = boto3.client("sts", region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id="testing",
                           aws_secret_access_key="testing")
        for index, account in enumerate(members):
            found = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/seed", RoleSessionName="seed")["Credentials"]
            iam = boto3.client("iam", region_name="us-east-1", endpoint_url=endpoint,
                               aws_access_key_id=found["AccessKeyId"], aws_secret_access_key=found["SecretAccessKey"],
                               aws_session_token=found["SessionToken"])
            iam.create_user(UserName="breakglass" if index != 1 else "someone")
        accounts = tmp_path / "accounts.yaml"
        accounts.write_text("accounts:\n" + "".join(
            f"  - id: '{a}'\n    role_arn: arn:aws:iam::{a}:role/audit\n" for a in members))
        policies = tmp_path / "policies"
        policies.mkdir()
        (policies / "p.yaml").write_text(
            "checks:\n  - id: break-glass-user\n    title: Every account has a break-glass user\n"
            "    severity: low\n    resource: aws_iam_user\n    where: {name: {eq: breakglass}}\n"
            "    expect: {count: {ge: 1}}\n")
        results = tmp_path / "results.json"
        use = Job(tmp_path, aws).use({"python": sys.executable, "policies": str(policies), "accounts": str(accounts),
                                      "regions": "us-east-1", "sarif-file": str(tmp_path / "org.sarif"),
                                      "extra-formats": f"json={results}"}, tmp_path, install=installed)
        done = use.run()
    assert done.returncode == 1, done.stderr
    document = json.loads(results.read_text())
    assert {r["resource"]: r["verdict"] for r in document["results"]} == {
        members[0]: "pass", members[1]: "fail", members[2]: "pass"}
    assert [g["key"] for g in document["by_account"]] == members
    assert "### By account: 3" in use.summary
    assert use.action_outputs()["failed"] == "1"
