"""pytest --unify, driven through pytester: collection, outcomes, selection, JUnit, xdist."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from factories import moto_server, ok, resource, snapshot
from unify.model.resource import unknown
from unify.model.snapshot import write_snapshot

POLICY = """
framework: {id: demo, title: Demo baseline, version: "1"}
controls:
  - {id: D-1, title: Volumes are encrypted}
  - {id: D-2, title: Buckets keep versions}
  - {id: D-3, title: Keys rotate}
  - {id: D-4, title: Reviewed by hand}
  - {id: D-5, title: Proven by a Python test}
checks:
  - id: ebs-encrypted
    title: EBS volumes are encrypted
    severity: high
    resource: aws_ebs_volume
    assert: {encrypted: {eq: true}}
    controls: {demo: [D-1]}
  - id: s3-versioning
    title: Buckets keep versions
    severity: low
    resource: aws_s3_bucket
    assert: {versioning.status: {eq: Enabled}}
    controls: {demo: [D-2]}
  - id: kms-rotation
    title: Keys rotate
    severity: medium
    resource: aws_kms_key
    assert: {enable_key_rotation: {eq: true}}
    controls: {demo: [D-3]}
  - id: rds-encrypted
    title: Databases are encrypted
    severity: critical
    resource: aws_db_instance
    assert: {storage_encrypted: {eq: true}}
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".yaml", **{"policies/baseline": POLICY})
    snap = snapshot(
        [
            resource("aws_ebs_volume", "vol-good", {"encrypted": True}),
            resource("aws_s3_bucket", "arn:aws:s3:::logs", {"versioning": {"status": "Suspended"}}),
            resource("aws_s3_bucket", "arn:aws:s3:::scratch", {}),
            resource("aws_kms_key", "key-1", {"enable_key_rotation": unknown("AccessDenied: kms:GetKeyRotationStatus")}),
            resource("aws_db_instance", "db-legacy", {"storage_encrypted": False}),
        ],
        [ok("aws_ebs_volume"), ok("aws_s3_bucket"), ok("aws_kms_key"), ok("aws_db_instance")],
    )
    write_snapshot(snap, pytester.path / "snapshot.json")
    pytester.makefile(".yaml", waivers=textwrap.dedent("""
        waivers:
          - check: rds-encrypted
            resources: [db-legacy]
            reason: migrating in Q1
            expires: 2027-03-31
        """))
    pytester.makepyfile(test_app="def test_app_works():\n    assert 1 + 1 == 2\n")
    return pytester


def run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    return project.runpytest("-p", "no:cacheprovider", *args)


def test_without_unify_nothing_is_collected(project) -> None:
    result = run(project)
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*unify:*")
    result.stdout.no_fnmatch_line("*baseline.yaml*")


def test_outcomes_pass_fail_unknown_waived(project) -> None:
    result = run(project, "--unify", "--unify-snapshot", "snapshot.json", "--unify-waivers", "waivers.yaml", "-rA")
    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines([
        "PASSED policies/baseline.yaml::ebs-encrypted",
        "PASSED policies/baseline.yaml::rds-encrypted",  # its only failure is waived
        "FAILED policies/baseline.yaml::kms-rotation*",  # unknown never passes
        "FAILED policies/baseline.yaml::s3-versioning*",
    ])
    # failing resources with path, expected, actual, remediation-free check and the unknown reason
    result.stdout.fnmatch_lines([
        "*UNKNOWN key-1 (aws_kms_key, 111122223333/us-east-1)",
        "*enable_key_rotation: unknown: AccessDenied: kms:GetKeyRotationStatus",
    ])
    result.stdout.fnmatch_lines([
        "*FAIL arn:aws:s3:::logs (aws_s3_bucket, 111122223333/us-east-1)",
        '*versioning.status: expected eq "Enabled", actual "Suspended"',
        "*FAIL arn:aws:s3:::scratch*",
        "*versioning.status: expected eq \"Enabled\", actual absent",
    ])


def test_unknown_can_skip(project) -> None:
    result = run(project, "--unify", "--unify-snapshot", "snapshot.json", "--unify-unknown=skip", "-rs")
    result.assert_outcomes(passed=2, failed=2, skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED*unknown (not observed) on 1 resource(s): key-1: enable key rotation is unknown*"])


def test_report_header_and_compliance_summary(project) -> None:
    result = run(project, "--unify", "--unify-snapshot", "snapshot.json", "--unify-framework", "demo")
    digest = json.loads((project.path / "snapshot.json").read_text())["digest"]
    result.stdout.fnmatch_lines([
        f"unify: snapshot from file *snapshot.json: {digest}",
        "unify: taken 2026-11-20T09:00:00Z, 5 resources, coverage 4 ok, 0 error; unknown results fail",
    ])
    result.stdout.fnmatch_lines([
        "*unify compliance*",
        "Demo baseline (demo): 1 met, 1 not met, 1 unknown, 2 manual; automated 3/5",
        "  not met  D-2 Buckets keep versions (s3-versioning)",
    ])
    # without --unify-framework too: every framework, with the controls not met and unknown
    every = run(project, "--unify", "--unify-snapshot", "snapshot.json", "-q")
    every.stdout.fnmatch_lines([
        "*unify compliance*",
        "Demo baseline (demo): 1 met, 1 not met, 1 unknown, 2 manual; automated 3/5",
        "  not met  D-2 Buckets keep versions (s3-versioning)",
        "  unknown  D-3 Keys rotate (kms-rotation)",
    ])


def test_k_and_m_selection(project) -> None:
    base = ("--unify", "--unify-snapshot", "snapshot.json", "--collect-only", "-q")
    result = run(project, *base, "-k", "versions")  # a title
    result.stdout.fnmatch_lines(["policies/baseline.yaml::s3-versioning", "1/5 tests collected (4 deselected)*"])
    result = run(project, *base, "-k", "D-3")  # a control id
    result.stdout.fnmatch_lines(["policies/baseline.yaml::kms-rotation", "1/5 tests collected (4 deselected)*"])
    result = run(project, *base, "-m", "unify(severity='critical')")
    result.stdout.fnmatch_lines(["policies/baseline.yaml::rds-encrypted", "1/5 tests collected (4 deselected)*"])
    result = run(project, *base, "-m", "unify(framework='demo', control='D-1')")
    result.stdout.fnmatch_lines(["policies/baseline.yaml::ebs-encrypted", "1/5 tests collected (4 deselected)*"])
    result = run(project, *base, "-m", "not unify")
    result.stdout.fnmatch_lines(["test_app.py::test_app_works", "1/5 tests collected (4 deselected)*"])


def test_item_location_is_the_yaml_line(project) -> None:
    inline = project.inline_run("--unify", "--unify-snapshot", "snapshot.json", "-p", "no:cacheprovider",
                                "--collect-only")
    session = inline.getcalls("pytest_collection_finish")[0].session
    located = {item.name: item.location for item in session.items if "baseline" in item.nodeid}
    text = (project.path / "policies" / "baseline.yaml").read_text().splitlines()
    assert set(located) == {"ebs-encrypted", "s3-versioning", "kms-rotation", "rds-encrypted"}
    for name, (path, line, label) in located.items():
        assert path == "policies/baseline.yaml" and label == f"unify check {name}"
        assert text[line].strip() == f"- id: {name}"


def test_junit_properties(project) -> None:
    run(project, "--unify", "--unify-snapshot", "snapshot.json", "--junitxml=report.xml")
    tree = ET.parse(project.path / "report.xml")
    cases = {case.get("name"): case for case in tree.iter("testcase")}
    props = {p.get("name"): p.get("value") for p in cases["ebs-encrypted"].iter("property")}
    digest = json.loads((project.path / "snapshot.json").read_text())["digest"]
    assert props == {"unify_check": "ebs-encrypted", "unify_severity": "high", "unify_kind": "guardrail",
                     "unify_controls": "demo:D-1", "unify_snapshot_digest": digest}


def test_python_check_with_control_marker_joins_compliance(project) -> None:
    project.makepyfile(test_python_checks="""
        import pytest

        @pytest.mark.unify_control("demo", "D-5")
        def test_every_bucket_is_named(unify_snapshot):
            buckets = unify_snapshot.resources("aws_s3_bucket", where={"versioning.status": {"eq": "Suspended"}})
            assert [b["id"] for b in buckets] == ["arn:aws:s3:::logs"]
            assert unify_snapshot.complete("aws_s3_bucket")
    """)
    result = run(project, "--unify", "--unify-snapshot", "snapshot.json", "--unify-framework", "demo")
    result.assert_outcomes(passed=3, failed=2)  # rds-encrypted maps to no demo control: not collected
    result.stdout.fnmatch_lines(["Demo baseline (demo): 2 met, 1 not met, 1 unknown, 1 manual; automated 4/5"])


def test_python_checks_query_through_the_engine_and_keep_what_is_undecided(project) -> None:
    """A key whose rotation could not be read is undecided: the query never drops it, so the test cannot pass."""
    project.makepyfile(test_python_checks="""
        def test_rotating_keys(unify_snapshot):
            found = unify_snapshot.select("aws_kms_key", where={"enable_key_rotation": {"eq": True}})
            assert found.holds == []
            assert found.undecided == [("key-1", "enable key rotation is unknown (AccessDenied: kms:GetKeyRotationStatus)")]

        def test_uses_resources(unify_snapshot):
            unify_snapshot.resources("aws_kms_key", where={"enable_key_rotation": {"eq": True}})

        def test_unobserved_type(unify_snapshot):
            unify_snapshot.resources("aws_lambda_function")
    """)
    result = run(project, "--unify", "--unify-snapshot", "snapshot.json", "-k", "rotating or uses or unobserved")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*unify: 1 aws_kms_key result(s) undecided (not observed): key-1:*",
                                 "*unify: 1 aws_lambda_function result(s) undecided (not observed): */*/aws_lambda_function*"])
    skipped = run(project, "--unify", "--unify-snapshot", "snapshot.json", "--unify-unknown", "skip",
                  "-k", "uses or unobserved")
    skipped.assert_outcomes(skipped=2)


def test_unify_snapshot_fixture_skips_without_unify(project) -> None:
    project.makepyfile(test_python_checks="def test_uses(unify_snapshot):\n    assert False\n")
    result = run(project, "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*unify_snapshot needs --unify*"])


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_malformed_policy_is_one_collection_error_and_the_other_checks_still_run(project, workers) -> None:
    project.makefile(".yaml", **{"policies/broken": "checks:\n  - id: bad\n    severity: high\n    resource: aws_vpc\n    assert: {cidr_block: {equals: x}}\n"})
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "--unify", "--unify-snapshot", "snapshot.json",
                                          *workers)
    result.stdout.fnmatch_lines([
        "*ERROR collecting policies/broken.yaml*",
        "unify policy error:",
        "*policies/broken.yaml:5: ?equals? unknown operator 'equals' (did you mean 'eq'?)",
    ])
    assert result.parseoutcomes() == {"passed": 2, "failed": 3, "errors": 1}
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    # a Python file that does not import still stops the session, as pytest always does
    project.makepyfile(test_broken="import not_a_module\n")
    stopped = project.runpytest_subprocess("-p", "no:cacheprovider", "--unify", "--unify-snapshot", "snapshot.json")
    assert stopped.ret == pytest.ExitCode.INTERRUPTED


def test_needs_a_snapshot_source(project) -> None:
    result = run(project, "--unify")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--unify needs an observation: --unify-snapshot FILE, --unify-plan FILE or --unify-live*"])


@pytest.mark.parametrize(("args", "snapshot_file", "message"), [
    ((), "missing.json", "missing.json: cannot read snapshot"),
    (("-q",), "missing.json", "missing.json: cannot read snapshot"),
    (("-n", "2"), "broken.json.gz", "broken.json.gz"),
    (("-q", "-n", "2"), "missing.json", "missing.json: cannot read snapshot"),
], ids=["plain", "q", "xdist", "q-xdist"])
def test_a_missing_or_unreadable_snapshot_is_one_usage_error(project, args, snapshot_file, message) -> None:
    (project.path / "broken.json.gz").write_bytes(b"{not gzip at all")
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "--unify", "--unify-snapshot", snapshot_file,
                                          *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("ERROR: unify: ") and message in errors[0], errors
    assert "Traceback" not in result.stdout.str() and len(result.stdout.lines) < 5


def test_a_policy_path_that_does_not_exist_is_a_usage_error(project) -> None:
    result = run(project, "--unify", "--unify-snapshot", "snapshot.json", "--unify-policies", "nowhere", "-q")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: unify: *nowhere: no such file or folder"])


def test_ini_keys(project) -> None:
    project.makeini("[pytest]\nunify = true\nunify_snapshot = snapshot.json\nunify_unknown = skip\nunify_waivers = waivers.yaml\n")
    result = run(project)
    result.assert_outcomes(passed=3, failed=1, skipped=1)


def test_same_outcomes_under_xdist(project) -> None:
    serial = project.runpytest_subprocess("--unify", "--unify-snapshot", "snapshot.json", "-p", "no:cacheprovider")
    parallel = project.runpytest_subprocess("--unify", "--unify-snapshot", "snapshot.json", "-p", "no:cacheprovider",
                                            "-n", "2")
    assert serial.parseoutcomes() == parallel.parseoutcomes() == {"passed": 2, "failed": 3}


def test_live_observation_happens_once_under_xdist(project, monkeypatch) -> None:
    """Two workers, one observation: the controller observes and hands the snapshot down."""
    import boto3

    from unify.observe.demo import _reset

    with moto_server() as endpoint:
        for name, value in (("AWS_ENDPOINT_URL", endpoint), ("AWS_ACCESS_KEY_ID", "testing"),
                            ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_DEFAULT_REGION", "us-east-1")):
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        _reset(endpoint)
        kms = boto3.client("kms", region_name="us-east-1")
        kms.enable_key_rotation(KeyId=kms.create_key()["KeyMetadata"]["KeyId"])
        log = project.path / "observations.log"
        project.makeconftest(f"""
            import unify.run

            _real = unify.run.observe

            def counted(*args, **kwargs):
                with open({str(log)!r}, "a") as handle:
                    handle.write("observed\\n")
                return _real(*args, **kwargs)

            unify.run.observe = counted
        """)
        result = project.runpytest_subprocess("--unify", "--unify-live", "--unify-regions", "us-east-1",
                                              "-p", "no:cacheprovider", "-n", "2", "-k", "kms or ebs")
        result.stdout.fnmatch_lines(["*unify: observed once for this session*"])
        outcomes = result.parseoutcomes()
        # kms passes; ebs was observed (coverage ok) and has no volumes: not applicable, a skip
        assert outcomes == {"passed": 1, "skipped": 1}
        assert log.read_text().splitlines() == ["observed"]


def test_plan_as_the_observation(pytester) -> None:
    """--unify-plan: a Terraform plan's findings as items; checks over types it does not plan are skipped."""
    source = Path(__file__).parent / "data" / "terraform" / "plan-create-public-bucket.json"
    (pytester.path / "plan.json").write_bytes(source.read_bytes())
    pytester.makefile(".yaml", **{"policies/s3": """
        checks:
          - id: s3-public-access-block
            severity: high
            resource: aws_s3_bucket
            assert:
              public_access_block.block_public_acls: {eq: true}
          - id: ebs-encrypted
            severity: high
            resource: aws_ebs_volume
            assert: {encrypted: {eq: true}}
        """})
    result = pytester.runpytest("-p", "no:cacheprovider", "--unify", "--unify-plan", "plan.json", "-rA")
    result.stdout.fnmatch_lines(["unify: snapshot from plan *plan.json: sha256:*"])
    result.stdout.fnmatch_lines(["*FAIL aws_s3_bucket.public (aws_s3_bucket*"])
    result.assert_outcomes(failed=1, skipped=1)  # ebs-encrypted: the plan has no volumes


def test_without_a_policies_folder_the_shipped_packs_are_the_checks(pytester) -> None:
    """Outside a project with policies/, pytest --unify checks with the installed packs and says so."""
    from unify.checks.packs import shipped_packs

    snap = snapshot([resource("aws_ebs_volume", "vol-1", {"encrypted": False})], [ok("aws_ebs_volume")])
    write_snapshot(snap, pytester.path / "snapshot.json")
    result = pytester.runpytest("-p", "no:cacheprovider", "--unify", "--unify-snapshot", "snapshot.json", "-q",
                                "-k", "ebs-volume-encrypted")
    result.stdout.fnmatch_lines(["*unify: no policies/ folder under the rootdir: checking with the shipped packs*"])
    result.assert_outcomes(failed=1, deselected=sum(p.checks for p in shipped_packs()) - 1)
    only = pytester.runpytest("-p", "no:cacheprovider", "--unify", "--unify-snapshot", "snapshot.json",
                              "--unify-pack", "stack", "--collect-only", "-q")
    stack = next(p for p in shipped_packs() if p.id == "stack")
    only.stdout.fnmatch_lines([f"{stack.checks} tests collected*"])
    bad = pytester.runpytest("-p", "no:cacheprovider", "--unify", "--unify-snapshot", "snapshot.json",
                             "--unify-pack", "nope")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*no shipped pack is named 'nope'*"])
