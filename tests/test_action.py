"""The GitHub composite action: its shape, and its steps run here as the runner would run them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from factories import moto_server

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
PLAN = ROOT / "tests" / "data" / "terraform" / "plan-create-public-bucket.json"


def test_action_has_the_required_keys() -> None:
    assert {"name", "description", "inputs", "outputs", "runs"} <= set(ACTION)
    assert ACTION["runs"]["using"] == "composite"
    for step in ACTION["runs"]["steps"]:
        assert step.get("shell") == "bash" and "run" in step and "name" in step
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description"), name
        assert "default" in spec, name
    for name, spec in ACTION["outputs"].items():
        assert spec.get("description") and spec.get("value"), name


def test_every_input_is_used_and_every_output_is_written() -> None:
    text = json.dumps(ACTION["runs"]["steps"])
    for name in ACTION["inputs"]:
        assert f"inputs.{name} " in text or f"inputs.{name}}}" in text, f"input {name!r} is never used"
    audit = next(step for step in ACTION["runs"]["steps"] if step.get("id") == "audit")
    for name, spec in ACTION["outputs"].items():
        match = re.fullmatch(r"\$\{\{ steps\.audit\.outputs\.([\w-]+) \}\}", spec["value"])
        assert match, name
        assert re.search(rf"{re.escape(match.group(1))}=", audit["run"]), f"output {name!r} is never written"


def _expand(value: str, inputs: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression.startswith("inputs."):
            return inputs[expression.removeprefix("inputs.")]
        if expression == "github.action_path":
            return str(ROOT)
        raise AssertionError(f"unexpected expression {expression}")

    return re.sub(r"\$\{\{ ([\w.-]+) \}\}", replace, value)


class Runner:
    """Runs the action's steps the way GitHub's runner does: env files, step outputs, inputs via env."""

    def __init__(self, tmp: Path, extra_env: dict[str, str] | None = None) -> None:
        self.tmp = tmp
        self.files = {name: tmp / name for name in ("env", "output", "summary")}
        for path in self.files.values():
            path.write_text("")
        self.env = {
            **os.environ,
            **(extra_env or {}),
            "RUNNER_TEMP": str(tmp / "runner-temp"),
            "GITHUB_ENV": str(self.files["env"]),
            "GITHUB_OUTPUT": str(self.files["output"]),
            "GITHUB_STEP_SUMMARY": str(self.files["summary"]),
            "GITHUB_ACTION_PATH": str(ROOT),
        }
        (tmp / "runner-temp").mkdir(exist_ok=True)

    def run(self, step: dict, inputs: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
        merged = {name: spec["default"] for name, spec in ACTION["inputs"].items()} | inputs
        env = dict(self.env)
        for line in self.files["env"].read_text().splitlines():
            key, _, value = line.partition("=")
            env[key] = value
        for key, value in (step.get("env") or {}).items():
            env[key] = _expand(str(value), merged)
        # GitHub runs `shell: bash` steps as `bash --noprofile --norc -eo pipefail {0}`.
        return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                              env=env, cwd=cwd, capture_output=True, text=True, timeout=600)

    def outputs(self) -> dict[str, str]:
        return dict(line.split("=", 1) for line in self.files["output"].read_text().splitlines() if "=" in line)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The install step, run once: a venv with unify installed from the action's own checkout."""
    tmp = tmp_path_factory.mktemp("action")
    runner = Runner(tmp)
    install = ACTION["runs"]["steps"][0]
    done = runner.run(install, {"python": sys.executable}, tmp)
    assert done.returncode == 0, done.stderr
    env_lines = runner.files["env"].read_text()
    assert "UNIFY_BIN=" in env_lines
    return env_lines


def _audit(tmp: Path, installed: str, inputs: dict[str, str], extra_env: dict[str, str] | None = None):
    runner = Runner(tmp, extra_env)
    runner.files["env"].write_text(installed)
    audit = next(step for step in ACTION["runs"]["steps"] if step.get("id") == "audit")
    done = runner.run(audit, inputs, tmp)
    return done, runner.outputs(), runner.files["summary"].read_text()


def test_action_gates_a_plan(installed, tmp_path) -> None:
    from unify.checks.policy_set import shipped_policies

    source = tmp_path / "infra"
    source.mkdir()
    (source / "main.tf").write_text('resource "aws_s3_bucket" "public" {\n  bucket_prefix = "site-"\n}\n')
    done, outputs, summary = _audit(tmp_path, installed, {
        "policies": str(shipped_policies()), "plan": str(PLAN), "source-root": str(source),
        "sarif-file": str(tmp_path / "unify.sarif"), "extra-formats": f"junit={tmp_path / 'unify.xml'}",
    })
    assert done.returncode == 1, done.stderr
    assert outputs["exit-code"] == "1" and int(outputs["failed"]) > 0 and outputs["new"] == ""
    assert outputs["sarif-file"] == str(tmp_path / "unify.sarif")
    sarif = json.loads((tmp_path / "unify.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert (tmp_path / "unify.xml").read_text().startswith("<?xml")
    assert "unify" in summary and "<details>" in summary
    assert "::error" in done.stdout  # annotations go to the log, where the runner reads them
    assert "unify: exit 1" in done.stderr.splitlines()[-1]


def test_action_soft_fail_and_bad_input(installed, tmp_path) -> None:
    from unify.checks.policy_set import shipped_policies

    done, outputs, _ = _audit(tmp_path, installed, {"policies": str(shipped_policies()), "plan": str(PLAN),
                                                    "soft-fail": "true", "sarif-file": str(tmp_path / "s.sarif")})
    assert done.returncode == 0 and outputs["exit-code"] == "0" and int(outputs["failed"]) > 0
    done, outputs, _ = _audit(tmp_path, installed, {"policies": str(shipped_policies()),
                                                    "sarif-file": str(tmp_path / "t.sarif")})
    assert done.returncode == 2 and outputs["exit-code"] == "2"
    assert "give exactly one observation" in done.stderr


def test_action_audits_a_live_moto_estate_with_a_baseline(installed, tmp_path) -> None:
    from unify.checks.policy_set import shipped_policies
    from unify.observe.demo import _reset, seed_estate

    with moto_server() as endpoint:
        _reset(endpoint)
        seed_estate(endpoint)
        aws = {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1", "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}
        first, outputs, _ = _audit(tmp_path, installed, {
            "policies": str(shipped_policies()), "live": "true", "regions": "us-east-1,eu-west-1",
            "framework": "cis-aws-v7.0", "sarif-file": str(tmp_path / "live.sarif"),
            "extra-formats": f"json={tmp_path / 'baseline.json'}"}, aws)
        assert first.returncode == 1, first.stderr
        assert int(outputs["failed"]) > 0
        again, outputs, summary = _audit(tmp_path, installed, {
            "policies": str(shipped_policies()), "live": "true", "regions": "us-east-1,eu-west-1",
            "framework": "cis-aws-v7.0", "baseline": str(tmp_path / "baseline.json"), "fail-on-new": "true",
            "sarif-file": str(tmp_path / "live2.sarif")}, aws)
        assert again.returncode == 0, again.stderr  # nothing new since the baseline
        assert outputs["new"] == "0" and int(outputs["failed"]) > 0
        assert "existing failure(s) tolerated" in again.stderr


def test_the_installed_package_ships_the_policy_packs(installed, tmp_path) -> None:
    """Installed from the checkout (not editable), unify finds its packs from any folder."""
    binary = next(line.split("=", 1)[1] for line in installed.splitlines() if line.startswith("UNIFY_BIN="))
    python = str(Path(binary).with_name("python"))
    probe = ("from unify.checks.policy_set import shipped_policies, load_policies; "
             "from unify.plugins import build_plugins; p = shipped_policies(); "
             "print(p.is_dir(), 'site-packages' in str(p), len(load_policies([p], operators=build_plugins().operators)))")
    done = subprocess.run([python, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    is_dir, installed_copy, checks = done.stdout.split()
    assert is_dir == "True" and installed_copy == "True" and int(checks) >= 50


def test_action_evaluates_a_plan_over_a_live_snapshot(installed, tmp_path) -> None:
    """``live-snapshot`` with ``plan``: the estate as it will be after apply, each result marked by origin."""
    from unify.checks.policy_set import shipped_policies

    data = ROOT / "tests" / "data" / "terraform"
    done, outputs, summary = _audit(tmp_path, installed, {
        "policies": str(shipped_policies()), "plan": str(data / "plan-overlay.json"),
        "live-snapshot": str(data / "live-estate.json"), "sarif-file": str(tmp_path / "overlay.sarif")})
    assert done.returncode == 1, done.stderr
    assert "overlaid" in done.stderr and outputs["exit-code"] == "1"
    document = json.loads((tmp_path / "runner-temp" / "unify-results.json").read_text())
    origins = {r["origin"] for r in document["results"]}
    assert origins == {"plan", "live", "both"}
    trail = next(r for r in document["results"] if r["check"] == "cloudtrail-multi-region-logging")
    assert (trail["verdict"], trail["origin"]) == ("fail", "both")
