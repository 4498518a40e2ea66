"""The CLI: every exit code, JSON on stdout, one-line errors on stderr, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factories import THREE_MISTAKES, denied, ok, resource, snapshot
from unify.cli import main
from unify.model.snapshot import write_snapshot

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
"""


def estate(tmp_path: Path, volumes, coverage=None) -> str:
    snap = snapshot([resource("aws_ebs_volume", vid, attrs) for vid, attrs in volumes],
                    coverage if coverage is not None else [ok("aws_ebs_volume")])
    return str(write_snapshot(snap, tmp_path / "snap.json"))


def audit(runner, *args: str):
    return runner.invoke(main, ["audit", *args], catch_exceptions=False)


def test_exit_0_clean(runner, write, tmp_path) -> None:
    policy = write("p.yaml", POLICY)
    snap = estate(tmp_path, [("v1", {"encrypted": True, "size": 10})])
    result = audit(runner, str(policy), "--snapshot", snap)
    assert result.exit_code == 0, result.output
    assert "unify: exit 0: clean" in result.stderr


def test_exit_1_findings_and_fail_on_threshold(runner, write, tmp_path) -> None:
    policy = write("p.yaml", POLICY)
    snap = estate(tmp_path, [("v1", {"encrypted": True, "size": 500})])
    result = audit(runner, str(policy), "--snapshot", snap)
    assert result.exit_code == 1
    assert "1 failing result(s) in 1 check(s) at or above severity info" in result.stderr
    assert "ebs-small" in result.stdout
    # the only failure is low: gating at high passes
    assert audit(runner, str(policy), "--snapshot", snap, "--fail-on", "high").exit_code == 0


def test_exit_3_when_unknowns_and_nothing_failed(runner, write, tmp_path) -> None:
    policy = write("p.yaml", POLICY)
    snap = estate(tmp_path, [("v1", {"encrypted": True, "size": 10})],
                  [ok("aws_ebs_volume"), denied("aws_ebs_volume", "eu-west-1")])
    result = audit(runner, str(policy), "--snapshot", snap)
    assert result.exit_code == 3
    assert "observation incomplete" in result.stderr.splitlines()[-1]


def test_json_goes_to_stdout_and_parses(runner, write, tmp_path) -> None:
    policy = write("p.yaml", POLICY)
    snap = estate(tmp_path, [("v1", {"encrypted": False, "size": 10})])
    result = audit(runner, str(policy), "--snapshot", snap, "--format", "json")
    document = json.loads(result.stdout)
    assert document["format"] == "unify.results/v1"
    assert document["results"][0]["reason"] == "encrypted is false, must be true"
    assert document["compliance"] == {"demo": {"D-1": "not met"}}
    assert "unify: exit 1" in result.stderr and "unify: exit" not in result.stdout


def test_json_is_compact_for_tools_and_indented_with_pretty(runner, write, tmp_path) -> None:
    policy = write("p.yaml", POLICY)
    snap = estate(tmp_path, [("v1", {"encrypted": False, "size": 10}), ("v2", {"encrypted": True, "size": 500})])
    compact = audit(runner, str(policy), "--snapshot", snap, "--format", "json").stdout
    pretty = audit(runner, str(policy), "--snapshot", snap, "--format", "json", "--pretty").stdout
    assert compact.count("\n") == 1 and compact.endswith("}\n")
    assert pretty.startswith('{\n  "checks": [') and pretty.count("\n") > 50
    assert json.loads(compact) == json.loads(pretty)
    assert [r["verdict"] for r in json.loads(compact)["results"]] == ["fail", "pass", "pass", "fail"]


def test_several_formats_and_output_files(runner, write, tmp_path) -> None:
    policy = write("p.yaml", POLICY)
    snap = estate(tmp_path, [("v1", {"encrypted": True, "size": 10})])
    out_json, out_table = tmp_path / "out" / "r.json", tmp_path / "r.txt"
    result = audit(runner, str(policy), "--snapshot", snap, "--format", f"json={out_json}", "--format", f"table={out_table}")
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out_json.read_text())["summary"]["pass"] == 2
    assert "Policy: no failing resources" in out_table.read_text()
    single = tmp_path / "single.json"
    assert audit(runner, str(policy), "--snapshot", snap, "--format", "json", "-o", str(single)).exit_code == 0
    assert json.loads(single.read_text())["format"] == "unify.results/v1"


def test_refuses_to_overwrite_an_input(runner, write, tmp_path) -> None:
    policy = write("p.yaml", POLICY)
    snap = estate(tmp_path, [("v1", {"encrypted": True, "size": 10})])
    before = Path(snap).read_bytes()
    result = audit(runner, str(policy), "--snapshot", snap, "--format", "json", "-o", snap)
    assert result.exit_code == 2
    assert "refusing to overwrite" in result.stderr
    assert Path(snap).read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--snapshot", "missing.json"], "cannot read snapshot"),
        (["--format", "yaml"], "unknown format 'yaml'"),
        ([], "give exactly one observation to evaluate"),
        (["--framework", "nope"], "unknown framework 'nope'"),
        (["--waivers", "absent.yaml"], "cannot read file"),
        (["--fail-on", "severe"], "Invalid value for '--fail-on'"),
    ],
)
def test_exit_2_bad_input_is_one_line(runner, write, tmp_path, args, message) -> None:
    policy = write("p.yaml", POLICY)
    snap = estate(tmp_path, [("v1", {"encrypted": True, "size": 10})])
    full = [str(policy), *(["--snapshot", snap] if "--snapshot" not in args and args != [] else []), *args]
    result = runner.invoke(main, ["audit", *full])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_bad_policy_file_exit_2_with_file_and_line(runner, write, tmp_path) -> None:
    policy = write("p.yaml", "checks:\n  - id: a\n    severity: high\n    resource: aws_ebs_volume\n    assert: {encrypted: {eqq: true}}\n")
    snap = estate(tmp_path, [("v1", {"encrypted": True})])
    result = runner.invoke(main, ["audit", str(policy), "--snapshot", snap])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"unify: error: {policy}:5: [eqq] unknown operator 'eqq' (did you mean 'eq'?)"


def test_default_policy_folder(runner, write, tmp_path, monkeypatch) -> None:
    write("policies/ebs.yaml", POLICY)
    snap = estate(tmp_path, [("v1", {"encrypted": True, "size": 10})])
    monkeypatch.chdir(tmp_path)
    assert audit(runner, "--snapshot", snap).exit_code == 0
    (tmp_path / "policies" / "ebs.yaml").unlink()
    result = runner.invoke(main, ["audit", "--snapshot", snap])
    assert result.exit_code == 2 and "no .yaml or .yml files" in result.stderr


def test_table_on_a_pipe_is_plain_text(runner, write, tmp_path) -> None:
    policy = write("p.yaml", POLICY)
    snap = estate(tmp_path, [("[bold]v1", {"encrypted": False, "size": 10})])
    result = audit(runner, str(policy), "--snapshot", snap)
    assert "\x1b[" not in result.stdout
    assert "[bold]v1" in result.stdout  # estate values are never markup
    assert result.stdout.isascii()


def test_lint_reports_all_problems_and_exit_codes(runner, write) -> None:
    bad = write("bad.yaml", THREE_MISTAKES)
    result = runner.invoke(main, ["lint", str(bad)])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(bad))]
    assert [line.split(":")[1] for line in lines] == ["3", "6", "10"]
    assert "3 errors, 0 warnings in 1 file" in result.stderr
    good = write("good.yaml", POLICY)
    waivers = write("w.yaml", "waivers:\n  - {check: ebs-small, resources: ['*'], reason: ok, expires: 2030-01-01}\n")
    result = runner.invoke(main, ["lint", str(good), str(waivers)])
    assert result.exit_code == 0, result.stderr
    assert "ok: 2 checks" in result.stderr and "1 waiver in" in result.stderr
    typo = write("typo.yaml", "waivers:\n  - {check: ebs-smal, resources: ['*'], reason: ok}\n")
    result = runner.invoke(main, ["lint", str(good), "--waivers", str(typo)])
    assert result.exit_code == 2
    assert f"{typo}:2: [ebs-smal] waiver names unknown check id 'ebs-smal'" in result.stderr
    assert "warning: waiver has no expiry date" in result.stderr


def test_schema_command_prints_each_schema(runner) -> None:
    for kind, marker in (("policy", "urn:unify:schema:policy:v1"), ("waivers", "urn:unify:schema:waivers:v1"),
                         ("snapshot", "urn:unify:schema:snapshot:v1")):
        result = runner.invoke(main, ["schema", "--kind", kind])
        assert result.exit_code == 0
        assert json.loads(result.stdout)["$id"] == marker


def test_plugins_command_lists_builtins(runner) -> None:
    result = runner.invoke(main, ["plugins"])
    assert result.exit_code == 0
    assert "unify.checks.default_operators: operator contains" in result.stdout
    assert "renderer json" in result.stdout


def test_version(runner) -> None:
    import unify

    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and unify.__version__ in result.stdout


def test_internal_errors_have_no_traceback(runner, write, tmp_path, monkeypatch) -> None:
    import unify.run

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(unify.run, "evaluate", broken)
    policy = write("p.yaml", POLICY)
    snap = estate(tmp_path, [("v1", {"encrypted": True})])
    result = runner.invoke(main, ["audit", str(policy), "--snapshot", snap])
    assert result.exit_code == 2
    assert result.stderr.strip() == "unify: error: internal error: RuntimeError: boom (set UNIFY_DEBUG=1 for a traceback)"


def test_diff_command(runner, tmp_path) -> None:
    base = write_snapshot(snapshot([resource("aws_ebs_volume", "v1", {"encrypted": False}),
                                    resource("aws_ebs_volume", "v2", {"encrypted": True})], [ok("aws_ebs_volume")]),
                          tmp_path / "base.json")
    current = write_snapshot(snapshot([resource("aws_ebs_volume", "v1", {"encrypted": True}),
                                       resource("aws_ebs_volume", "v3", {"encrypted": True})], [ok("aws_ebs_volume")]),
                             tmp_path / "current.json.gz")
    result = runner.invoke(main, ["diff", str(base), str(current), "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["summary"] == {"added": 1, "removed": 1, "changed": 1}
    assert document["changed"][0]["paths"] == [{"path": "encrypted", "before": False, "after": True, "kind": "changed"}]
    same = runner.invoke(main, ["diff", str(base), str(base)])
    assert same.exit_code == 0
    table = runner.invoke(main, ["diff", str(base), str(current)])
    assert "encrypted" in table.stdout and "v3" in table.stdout


def test_watch_command_stops_after_iterations(runner, write, tmp_path, monkeypatch) -> None:
    import unify.cli.watch

    policy = write("p.yaml", POLICY)
    snaps = iter([snapshot([resource("aws_ebs_volume", "v1", {"encrypted": False, "size": 10})], [ok("aws_ebs_volume")]),
                  snapshot([resource("aws_ebs_volume", "v1", {"encrypted": True, "size": 10})], [ok("aws_ebs_volume")])])
    monkeypatch.setattr(unify.cli.watch, "observe_source", lambda *args, **kwargs: next(snaps))
    events = tmp_path / "events.jsonl"
    store = tmp_path / "store"
    result = runner.invoke(main, ["watch", str(policy), "--interval", "1s", "--iterations", "2",
                                  "--jsonl", str(events), "--store", str(store)])
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in events.read_text().splitlines()]
    assert [e["event"] for e in lines] == ["observed", "observed"]
    assert lines[1]["flips"][0]["check"] == "ebs-encrypted" and lines[1]["flips"][0]["after"] == "pass"
    assert lines[1]["changes"]["changed"][0]["paths"][0]["path"] == "encrypted"
    assert "stopped after 2 iteration(s)" in result.stderr
    # stdout holds the events alone, one JSON line each, for a pipe; the diagnostics are on stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == lines
    assert "#1 " not in result.stderr
    snaps = iter([snapshot([resource("aws_ebs_volume", "v1", {"encrypted": False, "size": 10})], [ok("aws_ebs_volume")])])
    text = runner.invoke(main, ["watch", str(policy), "--interval", "1s", "--iterations", "1", "--format", "table"])
    assert text.exit_code == 0, text.stderr
    assert text.stdout.startswith("#1 2026-11-20T09:00:00Z: 1 resource, 1 pass, 1 fail")
    from unify.store.store import open_store

    assert open_store(str(store)).verify() == (2, None)
    bad = runner.invoke(main, ["watch", str(policy), "--interval", "soon"])
    assert bad.exit_code == 2 and "--interval" in bad.stderr


def test_stack_command_on_a_snapshot(runner, tmp_path) -> None:
    from unify.checks.policy_set import shipped_policies

    snap = write_snapshot(snapshot(
        [resource("aws_ecr_repository", "arn:aws:ecr:us-east-1:111122223333:repository/app", name="app",
                  attributes={"image_tag_mutability": "IMMUTABLE", "image_scanning_configuration": {"scan_on_push": True}}),
         resource("aws_ecr_repository", "arn:aws:ecr:us-east-1:111122223333:repository/tools", name="tools",
                  attributes={"image_tag_mutability": "MUTABLE", "image_scanning_configuration": {"scan_on_push": False}})],
        [ok("aws_ecr_repository")]), tmp_path / "s.json")
    result = runner.invoke(main, ["stack", str(shipped_policies()), "--snapshot", str(snap)])
    assert result.exit_code == 1
    assert "components not met: container-registry" in result.stderr
    assert "tools" in result.stdout and "stack-container-registry-immutable-tags" in result.stdout


def test_stack_command_writes_json_and_markdown_and_refuses_a_bad_stack_file(runner, tmp_path, write) -> None:
    from unify.checks.policy_set import shipped_policies

    snap = write_snapshot(snapshot(
        [resource("aws_ecr_repository", "arn:aws:ecr:us-east-1:111122223333:repository/app", name="app",
                  attributes={"image_tag_mutability": "IMMUTABLE", "image_scanning_configuration": {"scan_on_push": True},
                              "lifecycle_policy": {"rules": [{"rulePriority": 1}]}})],
        [ok("aws_ecr_repository"), ok("aws_ecr_registry_scanning_configuration")]), tmp_path / "s.json")
    pack = str(shipped_policies() / "stack")
    result = runner.invoke(main, ["stack", pack, "--snapshot", str(snap), "--format", "json"])
    document = json.loads(result.stdout)
    assert document["format"] == "unify.stack/v1"
    statuses = {c["component"]: c["status"] for c in document["components"]}
    assert statuses["container-registry"] == "met" and statuses["deployer"] == "unknown"  # App Runner not observed
    assert result.exit_code == 3
    markdown = tmp_path / "stack.md"
    result = runner.invoke(main, ["stack", pack, "--snapshot", str(snap), "--format", "markdown", "-o", str(markdown)])
    assert result.exit_code == 3 and result.stdout == ""
    assert markdown.read_text(encoding="utf-8").startswith("## Deployment stack")
    bad = write("stack.yaml", "stack_name: x\ncomponents:\n  artifact_store: {flavor: s3, path: 'gs://b'}\n")
    result = runner.invoke(main, ["stack", pack, "--snapshot", str(snap), "--zenml", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:3: [artifact_store]" in result.stderr and "Traceback" not in result.stderr


def test_stack_demo_with_the_example_zenml_stack_shows_all_six_components(runner) -> None:
    """`unify stack --demo --zenml examples/zenml-stack.yaml`: App Runner and MWAA are recorded, and said so."""
    example = Path(__file__).resolve().parent.parent / "examples" / "zenml-stack.yaml"
    result = runner.invoke(main, ["stack", "--demo", "--zenml", str(example), "--format", "json"])
    assert result.exit_code == 1, result.stderr
    assert "App Runner and MWAA are recorded answers" in result.stderr
    document = json.loads(result.stdout)
    assert document["source"] == {"kind": "zenml", "stack": "aws-production", "file": str(example)}
    components = {c["component"]: c for c in document["components"]}
    assert list(components) == ["image-builder", "container-registry", "deployer", "artifact-store",
                                "orchestrator", "step-operator"]
    assert {c: components[c]["service"] for c in components} == {
        "image-builder": "CodeBuild", "container-registry": "ECR", "deployer": "App Runner",
        "artifact-store": "S3", "orchestrator": "SageMaker Pipelines", "step-operator": "SageMaker training"}
    assert components["image-builder"]["status"] == "met" and components["deployer"]["status"] == "not met"
    assert components["artifact-store"]["cost_unit"] == "per GB-month stored"
    assert [r["name"] for r in components["artifact-store"]["resources"]] == ["acme-ml-artifacts-0"]
    assert {r["name"] for r in components["deployer"]["resources"]} == {"zenml-api", "zenml-internal"}
    [lineage] = document["lineage"]
    assert (lineage["bucket"], lineage["missing"]) == ("acme-ml-artifacts-0", ["data-events"])
    assert "experiment_tracker is not a deployment-stack component" in document["notes"][0]
    assert "AKIA" not in result.stdout and "never-read" not in result.stdout


# -- the shipped packs anywhere ----------------------------------------------------------------------------

def test_without_paths_or_policies_folder_the_shipped_packs_are_used(runner, tmp_path, monkeypatch) -> None:
    from unify.checks.packs import shipped_packs

    monkeypatch.chdir(tmp_path)
    snap = estate(tmp_path, [("v1", {"encrypted": False, "size": 10})])
    result = runner.invoke(main, ["audit", "--snapshot", snap, "--format", "json"])
    assert result.exit_code == 1, result.stderr
    notes = [line for line in result.stderr.splitlines() if "shipped packs" in line]
    assert len(notes) == 1 and "no PATHS and no policies/ folder here" in notes[0]
    for pack in shipped_packs():
        assert f"{pack.id} {pack.version} ({pack.checks} checks)" in notes[0]
    failing = {r["check"] for r in json.loads(result.stdout)["results"] if r["verdict"] == "fail"}
    assert "ebs-volume-encrypted" in failing
    lint = runner.invoke(main, ["lint"])
    assert lint.exit_code == 0 and "shipped packs" in lint.stderr and "0 warnings" in lint.stderr


def test_pack_adds_a_shipped_pack_to_ones_own_checks(runner, write, tmp_path) -> None:
    mine = write("mine/soc.yaml", """
        checks:
          - id: my-volumes-tagged
            severity: low
            resource: aws_ebs_volume
            assert: {tags.owner: {exists: true}}
            controls: {soc2: [CC6.1]}
        """)
    snap = estate(tmp_path, [("v1", {"encrypted": True, "size": 10})])
    result = runner.invoke(main, ["audit", str(mine.parent), "--pack", "stack", "--snapshot", snap, "--format", "json"])
    document = json.loads(result.stdout)
    checks = {c["id"] for c in document["checks"]}
    assert "my-volumes-tagged" in checks and any(c.startswith("stack-") for c in checks)
    assert not any(c.startswith(("iam-", "s3-")) for c in checks)  # only the pack named
    # the shipped SOC 2 catalog is known wherever the check lives: no "has no catalog" warning
    assert "has no catalog" not in result.stderr
    assert document["frameworks"]["soc2"]["has_catalog"] is True
    assert "cis-aws-v7.0" not in document["frameworks"]  # a catalog no check maps to stays out
    unknown = runner.invoke(main, ["audit", str(mine.parent), "--pack", "cis", "--snapshot", snap])
    assert unknown.exit_code == 2
    assert "no shipped pack is named 'cis'; shipped packs: aws-fsbp, cis-aws-v7.0, stack (unify packs)" in unknown.stderr


def test_packs_lists_versions_and_check_counts(runner) -> None:
    from unify.checks.packs import shipped_catalogs, shipped_packs

    result = runner.invoke(main, ["packs"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["PACK", "VERSION", "CHECKS", "TITLE"]
    for pack in shipped_packs():
        assert any(line.split()[:3] == [pack.id, pack.version, str(pack.checks)] for line in lines)
    shipped = runner.invoke(main, ["lint", str(shipped_packs()[0].path.parent)]).stderr
    assert f"ok: {sum(pack.checks for pack in shipped_packs())} checks" in shipped
    for catalog in shipped_catalogs():
        assert any(line.startswith(catalog.id + " ") and str(len(catalog.controls)) in line for line in lines)


def test_lint_warns_on_unknown_types_and_attributes_and_strict_makes_them_errors(runner, write) -> None:
    path = write("c.yaml", """
        checks:
          - id: ebs
            severity: high
            resource: aws_ebs_volumes
            assert: {encrypted: {eq: true}}
          - id: ebs2
            severity: high
            resource: aws_ebs_volume
            assert: {encrytped: {eq: true}}
        """)
    result = runner.invoke(main, ["lint", str(path)])
    assert result.exit_code == 0, result.stderr
    assert "warning: check 'ebs' reads resource type 'aws_ebs_volumes', which no collector declares " \
           "(did you mean 'aws_ebs_volume'?)" in result.stderr
    assert "warning: check 'ebs2' reads attribute 'encrytped', which aws_ebs_volume does not have " \
           "(did you mean 'encrypted'?)" in result.stderr
    assert "ok: 2 checks" in result.stderr and "2 warnings" in result.stderr
    strict = runner.invoke(main, ["lint", str(path), "--strict"])
    assert strict.exit_code == 2 and "2 errors, 0 warnings" in strict.stderr
    assert "warning:" not in strict.stderr
    # audit says the same, once, and still runs
    snap = estate(path.parent, [("v1", {"encrypted": True, "size": 10})])
    audited = runner.invoke(main, ["audit", str(path), "--snapshot", snap])
    assert audited.stderr.count("did you mean 'encrypted'?") == 1


def test_a_gz_file_that_is_not_gzip_says_so(runner, write, tmp_path) -> None:
    fake = tmp_path / "s.json.gz"
    fake.write_text('{"format": "unify.snapshot/v1"}')
    result = runner.invoke(main, ["audit", str(write("p.yaml", POLICY)), "--snapshot", str(fake)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"unify: error: {fake}: the snapshot is named .gz but is not gzip data"


def test_types_all_names_every_type_a_collector_observes() -> None:
    from factories import PLUGINS
    from unify.cli.options import source_from

    source = source_from(live=True, types=("all",))
    assert sorted(source.types) == sorted(PLUGINS.collectors.types()) and len(source.types) > 20


def test_the_console_script_is_main_then_an_exit_that_leaves_the_heap_unwalked(monkeypatch: pytest.MonkeyPatch) -> None:
    """``unify`` and ``python -m unify`` run :func:`unify.cli.run`: main's own exit code, and every object then
    frozen, so the interpreter's last collection does not walk an audit's snapshot and results once more."""
    import gc
    import subprocess
    import sys
    from importlib.metadata import entry_points

    from unify.cli import run

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "unify"]
    assert script.value == "unify.cli:run"
    monkeypatch.setattr(sys, "argv", ["unify", "schema", "--no-such-option"])
    before = gc.get_freeze_count()
    try:
        with pytest.raises(SystemExit) as exited:
            run()
        assert exited.value.code == 2
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
    module = subprocess.run([sys.executable, "-m", "unify", "--version"], capture_output=True, text=True, check=False)
    assert (module.returncode, module.stdout.split()[0]) == (0, "unify,")
