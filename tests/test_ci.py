"""CI formats: SARIF 2.1.0 for code scanning, JUnit XML, and GitHub Actions annotations."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from factories import ok, resource, snapshot
from factories import PLUGINS, TYPES
from unify import __version__
from unify.render.locations import _scan_resources
from unify.views.baseline import compare
from unify.checks.policy_set import load_policies
from unify.cli import main
from unify.render.github import ANNOTATIONS_PER_LEVEL, escape_data, escape_property
from unify.render.locations import TerraformSource, parse_address
from unify.render.sarif import FINGERPRINT, SECURITY_SEVERITY
from unify.engine import evaluate
from unify.terraform.importer import load_plan
from unify.plugins import get_plugins
from unify.render.renderer import RenderOptions, render
from unify.model.resource import unknown
from unify.model.snapshot import write_snapshot
from unify.checks.waivers import load_waivers

DATA = Path(__file__).parent / "data"
SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

POLICY = """
checks:
  - id: ebs-encrypted
    title: EBS volumes are encrypted
    severity: critical
    resource: aws_ebs_volume
    assert: {encrypted: {eq: true}}
    controls: {demo: [D-1], nist: [SC-28]}
    remediation: Copy the volume's snapshot with encryption on.
  - id: ebs-small
    title: EBS volumes are small
    severity: low
    description: Large volumes cost money and hide data.
    resource: aws_ebs_volume
    assert: {size: {le: 100}}
    controls: {demo: [D-2]}
  - id: bucket-owner
    title: Buckets name their owner
    severity: medium
    resource: aws_s3_bucket
    assert: {tags.owner: {eq: platform}}
  - id: sg-closed
    title: Security groups are closed
    severity: high
    resource: aws_security_group
    assert: {ingress: {empty: true}}
  - id: kms-rotated
    title: KMS keys rotate
    severity: info
    resource: aws_kms_key
    assert: {enable_key_rotation: {eq: true}}
"""

WAIVERS = """
waivers:
  - check: ebs-small
    resources: ["vol-big"]
    reason: the build cache needs room
    expires: 2027-01-31
"""


def estate():
    return snapshot(
        [
            resource("aws_ebs_volume", "vol-ok", {"encrypted": True, "size": 10}),
            resource("aws_ebs_volume", "vol-plain", {"encrypted": False, "size": 10}),
            resource("aws_ebs_volume", "vol-big", {"encrypted": True, "size": 500}),
            resource("aws_ebs_volume", "vol-unseen", {"encrypted": unknown("AccessDenied: DescribeVolumes"),
                                                      "size": 10}),
            resource("aws_s3_bucket", "arn:aws:s3:::logs", {}, name="logs", tags={"owner": "<data>&team"}),
            resource("aws_security_group", "sg-1", {"ingress": []}),
        ],
        [ok("aws_ebs_volume"), ok("aws_s3_bucket"), ok("aws_security_group"), ok("aws_kms_key")],
    )


@pytest.fixture
def results(write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    policy = load_policies([write("policies/p.yaml", POLICY)], operators=PLUGINS.operators)
    return evaluate(policy, estate(), load_waivers([write("waivers.yaml", WAIVERS)]))


def out(name: str, results, **options) -> str:
    return render(get_plugins().renderers[name], results, RenderOptions(**options)).decode("utf-8")


def sarif(results, **options) -> dict:
    return json.loads(out("sarif", results, **options))


def assert_valid_sarif(document: dict) -> None:
    validator = jsonschema.Draft7Validator(SCHEMA)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def by_verdict(document: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for entry in document["runs"][0]["results"]:
        found.setdefault(entry["properties"]["verdict"], []).append(entry)
    return found


def test_the_three_formats_register_through_the_hook() -> None:
    renderers = get_plugins().renderers
    assert {renderers.owner(n) for n in ("sarif", "junit", "github")} == {"unify.render.default_renderers"}
    assert [renderers[n].extension for n in ("sarif", "junit", "github")] == [".sarif", ".xml", ".txt"]


# -- sarif ------------------------------------------------------------------------------


def test_sarif_validates_against_the_oasis_schema(results) -> None:
    document = sarif(results)
    assert_valid_sarif(document)
    assert document["version"] == "2.1.0" and len(document["runs"]) == 1
    driver = document["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["semanticVersion"]) == ("unify", __version__, __version__)
    assert "informationUri" not in driver
    # every kind of finding is there: fail, unknown, waived
    assert set(by_verdict(document)) == {"fail", "unknown", "waived"}


def test_sarif_has_one_rule_per_check_with_security_severity(results) -> None:
    rules = sarif(results)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(c.id for c in results.policy.checks)
    for rule in rules:
        check = results.check(rule["id"])
        props = rule["properties"]
        assert props["security-severity"] == SECURITY_SEVERITY[check.severity]
        assert float(props["security-severity"]) > 0
        assert props["precision"] == "very-high"
        assert props["tags"][:2] == ["security", check.kind]
        assert rule["shortDescription"]["text"] == check.title
        assert check.remediation in rule["help"]["text"] and check.remediation in rule["help"]["markdown"]
        assert check.location in rule["help"]["text"]
    small = next(r for r in rules if r["id"] == "ebs-small")
    assert small["name"] == "EbsSmall"
    assert small["fullDescription"]["text"] == "Large volumes cost money and hide data."
    assert small["defaultConfiguration"]["level"] == "warning"
    encrypted = next(r for r in rules if r["id"] == "ebs-encrypted")
    assert encrypted["defaultConfiguration"]["level"] == "error"
    assert encrypted["properties"]["tags"] == ["security", "guardrail", "demo:D-1", "nist:SC-28"]
    assert "`demo:D-1`" in encrypted["help"]["markdown"]
    kms = next(r for r in rules if r["id"] == "kms-rotated")
    assert kms["defaultConfiguration"]["level"] == "note"


def test_sarif_results_point_at_the_check_and_name_the_resource(results) -> None:
    document = sarif(results)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    entries = run["results"]
    assert all(e["properties"]["verdict"] != "pass" for e in entries)
    assert len(entries) == sum(1 for r in results if r.verdict != "pass")
    for entry in entries:
        assert rules[entry["ruleIndex"]]["id"] == entry["ruleId"]
        assert entry["partialFingerprints"][FINGERPRINT] == hashlib.sha256(
            f"{entry['ruleId']}\n{entry['properties']['resource']}".encode()).hexdigest()
    plain = next(e for e in entries if e["properties"]["resource"] == "vol-plain")
    assert (plain["kind"], plain["level"]) == ("fail", "error")
    assert plain["message"]["text"] == "vol-plain: encrypted is false, must be true"
    location = plain["locations"][0]
    check = results.check("ebs-encrypted")
    assert location["physicalLocation"] == {"artifactLocation": {"uri": "policies/p.yaml", "uriBaseId": "%SRCROOT%"},
                                            "region": {"startLine": check.line}}
    assert location["logicalLocations"] == [{"name": "vol-plain", "fullyQualifiedName": "vol-plain",
                                             "kind": "resource"}]
    assert plain["properties"] == {"resource": "vol-plain", "type": "aws_ebs_volume", "verdict": "fail",
                                   "severity": "critical", "account": "111122223333", "region": "us-east-1",
                                   "controls": {"demo": ["D-1"], "nist": ["SC-28"]}, "name": "vol-plain"}
    assert "suppressions" not in plain
    bucket = next(e for e in entries if e["ruleId"] == "bucket-owner")
    assert bucket["message"]["text"] == 'logs (arn:aws:s3:::logs): tag owner is "<data>&team", must be "platform"'
    assert '"<data>&team"' in bucket["message"]["text"]  # JSON carries it as it is
    assert bucket["level"] == "warning"
    srcroot = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert srcroot.startswith("file://") and srcroot.endswith("/")


def test_sarif_unknowns_need_review_and_waivers_are_accepted_suppressions(results) -> None:
    found = by_verdict(sarif(results))
    [unseen] = found["unknown"]
    assert unseen["properties"]["resource"] == "vol-unseen"
    # SARIF 3.27.10: only kind "fail" carries a level other than "none"
    assert (unseen["kind"], unseen["level"]) == ("review", "none")
    assert "AccessDenied: DescribeVolumes" in unseen["message"]["text"]
    [big] = found["waived"]
    assert big["properties"]["resource"] == "vol-big" and big["properties"]["waived_verdict"] == "fail"
    assert (big["kind"], big["level"]) == ("fail", "warning")
    [suppression] = big["suppressions"]
    assert suppression["kind"] == "external" and suppression["status"] == "accepted"
    assert suppression["justification"].startswith("the build cache needs room (expires 2027-01-31")


def test_sarif_is_deterministic_and_carries_the_snapshot(results) -> None:
    text = out("sarif", results)
    assert text == out("sarif", results)
    run = json.loads(text)["runs"][0]
    info = results.snapshot
    assert run["properties"]["snapshot"] == {"digest": info.digest, "taken_at": info.taken_at, "source": "file"}
    assert run["properties"]["summary"] == results.summary()


def test_sarif_error_results_and_baselines(write, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    policy = load_policies([write("p.yaml", """
        checks:
          - id: size-bad
            title: Sizes compare with a number
            severity: low
            resource: aws_ebs_volume
            assert: {size: {gt: 10}}
          - id: encrypted
            title: Encrypted
            severity: medium
            resource: aws_ebs_volume
            assert: {encrypted: {eq: true}}
        """)], operators=PLUGINS.operators)
    snap = snapshot([resource("aws_ebs_volume", "vol-a", {"size": "big", "encrypted": False}),
                     resource("aws_ebs_volume", "vol-b", {"size": 20, "encrypted": False})],
                    [ok("aws_ebs_volume")])
    results = evaluate(policy, snap)
    assert any(r.verdict == "error" for r in results)
    before = {"results": [{"check": "encrypted", "resource": "vol-a", "verdict": "fail"}]}
    results = compare(results, before, "before.json")
    document = sarif(results)
    assert_valid_sarif(document)
    entries = document["runs"][0]["results"]
    error = next(e for e in entries if e["properties"]["verdict"] == "error")
    assert (error["kind"], error["level"]) == ("fail", "error")
    states = {e["properties"]["resource"]: (e.get("baselineState"), e["properties"].get("baseline"))
              for e in entries if e["ruleId"] == "encrypted"}
    assert states == {"vol-a": ("unchanged", "existing"), "vol-b": ("new", "new")}


def test_sarif_caps_rule_tags_at_githubs_limit(write, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    controls = ", ".join(f'"C-{i}"' for i in range(30))
    policy = load_policies([write("p.yaml", f"""
        checks:
          - id: many
            title: Maps to many controls
            severity: high
            resource: aws_ebs_volume
            assert: {{encrypted: {{eq: true}}}}
            controls: {{fw: [{controls}]}}
        """)], operators=PLUGINS.operators)
    results = evaluate(policy, snapshot([], [ok("aws_ebs_volume")]))
    [rule] = sarif(results)["runs"][0]["tool"]["driver"]["rules"]
    assert len(rule["properties"]["tags"]) == 20
    assert len(rule["properties"]["controls"]) == 30  # all of them, outside the tags


# -- plan findings point at the Terraform code ------------------------------------------

PLAN_POLICY = """
checks:
  - id: bucket-owner
    title: Buckets name their owner
    severity: high
    resource: aws_s3_bucket
    assert: {tags.owner: {exists: true}}
  - id: sg-named
    title: Security groups are named web
    severity: medium
    resource: aws_security_group
    assert: {name: {eq: web}}
"""


@pytest.fixture
def plan_results(write, tmp_path, monkeypatch):
    """The child-modules plan (copied under the working folder) against two checks."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(DATA / "terraform" / "plan-child-modules.json", tmp_path / "plan.json")
    policy = load_policies([write("policies/plan.yaml", PLAN_POLICY)], operators=PLUGINS.operators)
    return evaluate(policy, load_plan("plan.json", PLUGINS.plan_importers, TYPES))


@pytest.fixture
def tf_root(write, tmp_path) -> Path:
    """A configuration like the plan's: root, ./modules/storage, ./modules/network calling ./modules/sg."""
    write("infra/main.tf", """
        # resource "aws_s3_bucket" "team" {  <- a comment, not the block
        locals {
          deny = "arn:aws:s3:::acme-*/*"
        }

        resource "aws_s3_bucket" "team" {
          for_each = toset(["data", "ml"])
          bucket   = "acme-team-${each.key}"
        }

        module "storage" {
          source   = "./modules/storage"
          for_each = toset(["assets", "logs"])
          name     = each.key
        }
        """)
    write("infra/modules/storage/main.tf", """
        variable "name" {}

        resource aws_s3_bucket this {
          bucket = "acme-${var.name}"
        }
        """)
    # the same type and name in another module: only the plan's module calls tell them apart
    write("infra/modules/archive/main.tf", """
        resource "aws_s3_bucket" "this" {
        }
        """)
    write("infra/modules/network/main.tf", """
        module "sg" {
          source = "./modules/sg"
          count  = 2
        }
        """)
    write("infra/modules/network/modules/sg/main.tf", """
        /*
        resource "aws_security_group" "this" {
        */
        resource "aws_security_group" "this" {
          name = "app-${var.index}"
        }
        """)
    return tmp_path / "infra"


def _locations(document: dict) -> dict[str, tuple[str, int]]:
    return {e["properties"]["address"]: (e["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                                         e["locations"][0]["physicalLocation"]["region"]["startLine"])
            for e in document["runs"][0]["results"]}


def test_plan_findings_point_at_the_tf_block_under_the_source_root(plan_results, tf_root) -> None:
    document = sarif(plan_results, source_root=str(tf_root))
    assert_valid_sarif(document)
    assert _locations(document) == {
        'aws_s3_bucket.team["data"]': ("infra/main.tf", 6),
        'aws_s3_bucket.team["ml"]': ("infra/main.tf", 6),
        'module.storage["assets"].aws_s3_bucket.this': ("infra/modules/storage/main.tf", 3),
        'module.storage["logs"].aws_s3_bucket.this': ("infra/modules/storage/main.tf", 3),
        "module.network.module.sg[0].aws_security_group.this": ("infra/modules/network/modules/sg/main.tf", 4),
        "module.network.module.sg[1].aws_security_group.this": ("infra/modules/network/modules/sg/main.tf", 4),
    }
    entry = document["runs"][0]["results"][0]
    assert entry["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == 'aws_s3_bucket.team["data"]'
    related = entry["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert related == "policies/plan.yaml"


def test_plan_findings_point_at_the_plan_file_without_a_source_root(plan_results, tf_root) -> None:
    document = sarif(plan_results)
    assert_valid_sarif(document)
    assert set(_locations(document).values()) == {("plan.json", 1)}


def test_without_the_plan_configuration_a_unique_or_module_named_block_is_taken(plan_results, tf_root) -> None:
    # No plan file to read module sources from: the blocks are searched for.
    results = dataclasses.replace(plan_results, snapshot=dataclasses.replace(plan_results.snapshot, file=None),
                                  _cache={})
    locations = _locations(sarif(results, source_root=str(tf_root)))
    assert locations['aws_s3_bucket.team["ml"]'] == ("infra/main.tf", 6)  # unique
    # two blocks named aws_s3_bucket.this: the one in a folder named like the module call
    assert locations['module.storage["logs"].aws_s3_bucket.this'] == ("infra/modules/storage/main.tf", 3)
    assert locations["module.network.module.sg[1].aws_security_group.this"] == (
        "infra/modules/network/modules/sg/main.tf", 4)


def test_a_block_that_cannot_be_told_apart_falls_back_to_the_plan_file(plan_results, write, tmp_path) -> None:
    write("infra/a/main.tf", 'resource "aws_security_group" "this" {\n}\n')
    write("infra/b/main.tf", 'resource "aws_security_group" "this" {\n}\n')
    locations = _locations(sarif(plan_results, source_root=str(tmp_path / "infra")))
    assert locations["module.network.module.sg[0].aws_security_group.this"] == ("plan.json", 1)


def test_hcl_scanner_skips_comments_heredocs_and_strings() -> None:
    text = "\n".join([
        'resource "aws_s3_bucket" "a" {',            # 1
        '  policy = "arn:aws:s3:::b/*"',             # 2: not a comment
        "}",                                         # 3
        "/* resource \"aws_s3_bucket\" \"b\" {",     # 4
        'resource "aws_s3_bucket" "c" {',            # 5: inside the comment
        "*/",                                        # 6
        "locals {",                                  # 7
        "  doc = <<-EOT",                            # 8
        '    resource "aws_s3_bucket" "d" {',        # 9: inside the heredoc
        "  EOT",                                     # 10
        '  x = "${jsonencode({a = "}"})} /*"',       # 11: braces and quotes inside interpolation
        "}",                                         # 12
        "resource aws_kms_key e {",                  # 13: unquoted labels
        "# resource \"aws_s3_bucket\" \"f\" {",      # 14
        'resource "aws_s3_bucket" "g" { # trailing',  # 15
    ])
    assert list(_scan_resources(text)) == [("aws_s3_bucket", "a", 1), ("aws_kms_key", "e", 13),
                                           ("aws_s3_bucket", "g", 15)]


def test_addresses_parse_with_modules_and_instance_keys() -> None:
    assert parse_address("aws_s3_bucket.b") == ((), "aws_s3_bucket", "b")
    assert parse_address('module.net["a.b"].module.sg[0].aws_security_group.web["x.y"]') == (
        ("net", "sg"), "aws_security_group", "web")
    assert parse_address("data.aws_caller_identity.me") is None
    assert parse_address("module.net") is None


def test_module_sources_that_are_not_local_fall_back_to_the_search(tmp_path) -> None:
    plan = {"configuration": {"root_module": {"module_calls": {
        "vpc": {"source": "terraform-aws-modules/vpc/aws", "module": {}},
        "app": {"source": "../shared/app", "module": {}},
    }}}}
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    root = tmp_path / "root"
    (root / "vendor" / "vpc").mkdir(parents=True)
    (root / "vendor" / "vpc" / "main.tf").write_text('resource "aws_vpc" "this" {\n}\n', encoding="utf-8")
    source = TerraformSource(root, str(tmp_path / "plan.json"))
    assert source.modules[("vpc",)] is None
    assert source.modules[("app",)] == tmp_path / "shared" / "app"  # relative to the calling module
    assert source.locate("module.vpc.aws_vpc.this[0]") == (root / "vendor" / "vpc" / "main.tf", 1)
    assert source.locate("module.vpc.aws_subnet.private") is None


# -- junit ------------------------------------------------------------------------------


def test_junit_has_one_case_per_check_and_counts_that_match(results) -> None:
    text = out("junit", results)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == sorted(c.id for c in results.policy.checks)
    failures = sum(1 for c in cases if c.find("failure") is not None)
    skipped = sum(1 for c in cases if c.find("skipped") is not None)
    for element in (root, suite):
        assert element.get("tests") == str(len(cases))
        assert element.get("failures") == str(failures)
        assert element.get("skipped") == str(skipped)
        assert element.get("errors") == "0"
    case = {c.get("name"): c for c in cases}
    check = results.check("ebs-encrypted")
    encrypted = case["ebs-encrypted"]
    assert encrypted.get("classname") == "policies.p.yaml"
    assert (encrypted.get("file"), encrypted.get("line")) == ("policies/p.yaml", str(check.line))
    props = {p.get("name"): p.get("value") for p in encrypted.find("properties")}
    assert props == {"unify_check": "ebs-encrypted", "unify_severity": "critical", "unify_kind": "guardrail",
                     "unify_controls": "demo:D-1 nist:SC-28", "unify_snapshot_digest": results.snapshot.digest}
    failure = encrypted.find("failure")
    assert failure.get("type") == "unify.fail"
    assert "FAIL vol-plain (aws_ebs_volume, 111122223333/us-east-1)" in failure.text
    assert "encrypted: expected eq true, actual false" in failure.text
    assert "UNKNOWN vol-unseen" in failure.text
    assert "remediation: Copy the volume's snapshot with encryption on." in failure.text
    # the estate's text survives escaping
    assert 'tags.owner: expected eq "platform", actual "<data>&team"' in case["bucket-owner"].find("failure").text
    # waived only: passes, and says so
    small = case["ebs-small"]
    assert small.find("failure") is None and small.find("skipped") is None
    assert "waived: vol-big: the build cache needs room (expires 2027-01-31" in small.find("system-out").text
    assert case["kms-rotated"].find("skipped").get("message") == "not applicable"
    assert case["sg-closed"].find("failure") is None and case["sg-closed"].find("skipped") is None


def test_junit_unknown_never_passes(write, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    policy = load_policies([write("p.yaml", POLICY)], operators=PLUGINS.operators)
    results = evaluate(policy, snapshot([resource("aws_ebs_volume", "vol-x", {"encrypted": unknown("denied"),
                                                                              "size": 1})],
                                        [ok("aws_ebs_volume")]))
    case = {c.get("name"): c for c in ET.fromstring(out("junit", results)).iter("testcase")}
    failure = case["ebs-encrypted"].find("failure")
    assert failure.get("type") == "unify.unknown" and "1 of 1 result(s) unknown" in failure.get("message")
    # a type with neither resources nor coverage is not observed: unknown too
    assert case["bucket-owner"].find("failure").get("type") == "unify.unknown"


def test_junit_escapes_what_xml_cannot_hold(write, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    policy = load_policies([write("p.yaml", POLICY)], operators=PLUGINS.operators)
    evil = 'x"]]></failure><script>\x01\x1b'
    results = evaluate(policy, snapshot([resource("aws_s3_bucket", evil, {}, tags={"owner": "a\nb"})],
                                        [ok("aws_s3_bucket")]))
    case = {c.get("name"): c for c in ET.fromstring(out("junit", results)).iter("testcase")}
    text = case["bucket-owner"].find("failure").text
    assert 'x"]]></failure><script>\ufffd\ufffd' in text


# -- github -----------------------------------------------------------------------------


def test_github_annotations_by_level_with_file_line_and_the_gate(results) -> None:
    lines = out("github", results).splitlines()
    check = results.check("ebs-encrypted")
    assert lines[0] == (f"::error file=policies/p.yaml,line={check.line},title=ebs-encrypted (critical)%3A EBS "
                        "volumes are encrypted::vol-plain: encrypted is false, must be true%0ARemediation: "
                        "Copy the volume's snapshot with encryption on.")
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::warning", "::notice", "::notice"]
    assert lines[1].startswith("::warning file=policies/p.yaml,") and "logs (arn%3Aaws%3As3%3A%3A%3Alogs)" not in lines[1]
    assert "logs (arn:aws:s3:::logs): tag owner is" in lines[1]  # the message keeps its colons
    assert "[unknown] vol-unseen" in lines[2]
    assert lines[-1] == f"::notice title=unify::exit 1: {results.gate().reason}"
    # waived results are not annotated
    assert not any("vol-big" in line for line in lines)


def _many(write, count: int, severity: str = "high"):
    policy = load_policies([write("p.yaml", f"""
        checks:
          - id: sg-closed
            title: Security groups are closed
            severity: {severity}
            resource: aws_security_group
            assert: {{ingress: {{empty: true}}}}
        """)], operators=PLUGINS.operators)
    groups = [resource("aws_security_group", f"sg-{i:02}", {"ingress": [{"from_port": 22}]}) for i in range(count)]
    return evaluate(policy, snapshot(groups, [ok("aws_security_group")]))


def test_github_respects_the_per_step_limits(write, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    lines = out("github", _many(write, 30)).splitlines()
    errors = [line for line in lines if line.startswith("::error")]
    # GitHub shows 10 errors per step, first come first served: 9 findings and the summary are the 10 shown.
    assert len(errors) == ANNOTATIONS_PER_LEVEL
    assert [e.split("::")[2].split(":")[0] for e in errors[:9]] == [f"sg-{i:02}" for i in range(9)]
    assert errors[-1] == ("::error title=unify::... and 21 more failing results; see the job summary or the SARIF "
                          "report")
    assert len(lines) == 11 and lines[-1].startswith("::notice title=unify::exit 1")
    # exactly ten fit without a summary
    lines = out("github", _many(write, 10)).splitlines()
    assert sum(1 for line in lines if line.startswith("::error")) == 10 and "more failing" not in "".join(lines)


def test_github_notices_keep_a_place_for_the_gate(write, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    lines = out("github", _many(write, 12, severity="info")).splitlines()
    assert len(lines) == ANNOTATIONS_PER_LEVEL and all(line.startswith("::notice") for line in lines)
    assert "... and 4 more info failures and unknown results" in lines[-2]


def test_github_puts_new_findings_first(write, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    results = _many(write, 15)
    before = {"results": [{"check": "sg-closed", "resource": f"sg-{i:02}", "verdict": "fail"} for i in range(12)]}
    lines = out("github", compare(results, before, "before.json")).splitlines()
    assert [line.split("::")[2].split(":")[0] for line in lines[:3]] == ["[new] sg-12", "[new] sg-13", "[new] sg-14"]


def test_github_escapes_messages_and_properties(write, tmp_path, monkeypatch) -> None:
    assert escape_data("100%\r\n:,") == "100%25%0D%0A:,"
    assert escape_property("100%\r\n:,") == "100%25%0D%0A%3A%2C"
    monkeypatch.chdir(tmp_path)
    policy = load_policies([write("a,b:c%.yaml", POLICY)], operators=PLUGINS.operators)
    name = "50%,a:b\n::error::injected"
    results = evaluate(policy, snapshot([resource("aws_security_group", name, {"ingress": [{"from_port": 22}]})],
                                        [ok("aws_security_group")]))
    lines = out("github", results).splitlines()
    [line] = [line for line in lines if line.startswith("::error")]
    assert line.startswith("::error file=a%2Cb%3Ac%25.yaml,line=")
    assert "::50%25,a:b%0A::error::injected: ingress is not empty" in line
    assert not any(line.startswith("::error::injected") for line in lines)


def test_github_points_plan_findings_at_the_tf_block(plan_results, tf_root) -> None:
    lines = out("github", plan_results, source_root=str(tf_root)).splitlines()
    assert lines[0].startswith("::error file=infra/main.tf,line=6,title=bucket-owner (high)")
    assert any(line.startswith("::warning file=infra/modules/network/modules/sg/main.tf,line=4,") for line in lines)
    # without a source root, at the check (not the plan file)
    lines = out("github", plan_results).splitlines()
    assert lines[0].startswith(f"::error file=policies/plan.yaml,line={plan_results.check('bucket-owner').line},")


# -- the CLI ----------------------------------------------------------------------------


def test_cli_writes_sarif_junit_and_github(runner, write, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write("p.yaml", POLICY)
    write_snapshot(estate(), tmp_path / "snap.json")
    result = runner.invoke(main, ["audit", "p.yaml", "--snapshot", "snap.json", "--format", "sarif=out.sarif",
                                  "--format", "junit=out.xml", "--format", "github"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert_valid_sarif(json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8")))
    assert ET.parse(tmp_path / "out.xml").getroot().tag == "testsuites"
    assert "::error file=p.yaml," in result.stdout and "::notice title=unify::exit 1" in result.stdout


def test_cli_plan_with_source_root(runner, plan_results, tf_root, tmp_path) -> None:
    result = runner.invoke(main, ["audit", "policies/plan.yaml", "--plan", "plan.json", "--source-root", "infra",
                                  "--format", "sarif=plan.sarif"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    document = json.loads((tmp_path / "plan.sarif").read_text(encoding="utf-8"))
    assert _locations(document)['module.storage["assets"].aws_s3_bucket.this'] == (
        "infra/modules/storage/main.tf", 3)
