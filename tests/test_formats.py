"""Finding formats for other tools: OCSF Compliance Finding (class 2003), ASFF for Security Hub, CSV; the export."""

from __future__ import annotations

import csv
import io
import json
import re

import botocore.session
import pytest
from botocore.validate import ParamValidator
from moto import mock_aws

from factories import PLUGINS, ok, resource, snapshot
from unify.checks.policy_set import load_policies
from unify.checks.waivers import load_waivers
from unify.cli import main
from unify.engine import evaluate
from unify.model.resource import unknown
from unify.model.snapshot import write_snapshot
from unify.render.asff import BATCH_FINDINGS, asff_batches
from unify.render.renderer import RenderOptions, render
from unify.render.securityhub import RateLimit
from unify.render.spreadsheet import CSV_COLUMNS

MOTO_ACCOUNT = "123456789012"  # the account moto's STS answers with
OTHER = "444455556666"
POLICY = """
checks:
  - id: ebs-encrypted
    title: EBS volumes are encrypted
    severity: high
    resource: aws_ebs_volume
    assert: {encrypted: {eq: true}}
    controls: {demo: [D-1], nist: [SC-28]}
    remediation: Copy the volume's snapshot with encryption on.
  - id: users-mfa
    title: Users have MFA
    severity: critical
    resource: aws_iam_user
    assert: {mfa_devices: {empty: false}}
    controls: {demo: [D-2]}
  - id: rds-private
    title: Databases are private
    severity: medium
    resource: aws_db_instance
    assert: {publicly_accessible: {eq: false}}
  - id: broken
    title: A check that does not fit the data
    severity: low
    resource: aws_kms_key
    assert: {description: {gt: 3}}
framework: {id: demo, title: Demo baseline}
controls:
  - {id: D-1, title: Data is encrypted}
  - {id: D-2, title: People use MFA}
"""
WAIVERS = """
waivers:
  - {check: ebs-encrypted, resources: [vol-waived], reason: replaced next week, expires: 2027-01-31}
"""


def estate():
    return snapshot(
        [resource("aws_ebs_volume", f"vol-{i:03d}", {"encrypted": i % 2 == 0}, account=MOTO_ACCOUNT,
                  region="us-east-1" if i % 3 else "eu-west-1") for i in range(230)]
        + [resource("aws_ebs_volume", "vol-waived", {"encrypted": False}, account=MOTO_ACCOUNT),
           resource("aws_ebs_volume", "vol-unseen", {"encrypted": unknown("AccessDenied: ec2:DescribeVolumes")},
                    account=MOTO_ACCOUNT),
           resource("aws_ebs_volume", "vol-other", {"encrypted": False}, account=OTHER),
           resource("aws_iam_user", f"arn:aws:iam::{MOTO_ACCOUNT}:user/=HYPERLINK(\"x\")", {"mfa_devices": []},
                    name='=HYPERLINK("http://x")', account=MOTO_ACCOUNT, region="global"),
           resource("aws_kms_key", "key-1", {"description": "text"}, account=MOTO_ACCOUNT)],
        [ok("aws_ebs_volume", account=MOTO_ACCOUNT), ok("aws_ebs_volume", "eu-west-1", account=MOTO_ACCOUNT),
         ok("aws_ebs_volume", account=OTHER), ok("aws_iam_user", "global", account=MOTO_ACCOUNT),
         ok("aws_kms_key", account=MOTO_ACCOUNT)],
        regions=["us-east-1", "eu-west-1"], accounts=[MOTO_ACCOUNT, OTHER],
    )


@pytest.fixture
def results(write):
    policy = load_policies([write("p.yaml", POLICY)], operators=PLUGINS.operators)
    return evaluate(policy, estate(), load_waivers([write("w.yaml", WAIVERS)]))


def out(results, name: str, **options) -> str:
    services = {t: c.service for c in PLUGINS.collectors for t in c.types}
    return render(PLUGINS.renderers[name], results, RenderOptions(services=services, **options)).decode("utf-8")


# -- OCSF ------------------------------------------------------------------------------------------------------

#: OCSF 1.8.0, class Compliance Finding (2003): every attribute the class defines (base event, finding, its own,
#: and the profiles it includes) and those it requires; the cloud profile's `cloud` is required when applied.
OCSF_ATTRIBUTES = {
    "action", "action_id", "activity_id", "activity_name", "actor", "api", "assignee", "assignee_group", "attacks",
    "authorizations", "category_name", "category_uid", "class_name", "class_uid", "cloud", "comment", "compliance",
    "confidence", "confidence_id", "confidence_score", "count", "device", "disposition", "disposition_id", "duration",
    "end_time", "enrichments", "evidences", "finding_info", "firewall_rule", "impact", "impact_id", "impact_score",
    "is_alert", "is_suspected_breach", "malware", "malware_scan_info", "message", "metadata", "observables", "osint",
    "policy", "priority", "priority_id", "raw_data", "raw_data_hash", "raw_data_size", "remediation", "resource",
    "resources", "risk_details", "risk_level", "risk_level_id", "risk_score", "severity", "severity_id", "src_url",
    "start_time", "status", "status_code", "status_detail", "status_id", "ticket", "tickets", "time",
    "timezone_offset", "type_name", "type_uid", "unmapped", "vendor_attributes", "verdict", "verdict_id",
}
OCSF_REQUIRED = {"activity_id", "category_uid", "class_uid", "metadata", "severity_id", "time", "type_uid",
                 "finding_info", "compliance"}
OCSF_OBJECTS = {
    "finding_info": ({"uid"}, {"analytic", "attack_graph", "attacks", "created_time", "data_sources", "desc",
                               "first_seen_time", "kill_chain", "last_seen_time", "modified_time", "product",
                               "product_uid", "related_analytics", "related_events", "related_events_count",
                               "src_url", "tags", "title", "traits", "types", "uid", "uid_alt"}),
    "metadata": ({"product", "version"}, {"correlation_uid", "debug", "event_code", "extension", "extensions",
                                          "is_truncated", "labels", "log_format", "log_level", "log_name",
                                          "log_provider", "log_source", "log_version", "logged_time", "loggers",
                                          "modified_time", "original_event_uid", "original_time", "processed_time",
                                          "product", "profiles", "reporter", "sequence", "source", "tags",
                                          "tenant_uid", "total_queued_duration", "transformation_info_list",
                                          "transmit_time", "type", "uid", "untruncated_size", "version"}),
    "compliance": (set(), {"assessments", "category", "checks", "compliance_references", "compliance_standards",
                           "control", "control_parameters", "desc", "requirements", "standards", "status",
                           "status_code", "status_detail", "status_details", "status_id"}),
    "cloud": ({"provider"}, {"account", "cloud_partition", "org", "project_uid", "provider", "region", "zone"}),
    "remediation": ({"desc"}, {"cis_controls", "desc", "kb_article_list", "kb_articles", "references"}),
}
RESOURCE_DETAILS = {"agent_list", "cloud_partition", "created_time", "criticality", "data", "group", "hostname", "ip",
                    "is_backed_up", "labels", "modified_time", "name", "namespace", "owner", "provider", "region",
                    "resource_relationship", "role", "role_id", "tags", "type", "uid", "uid_alt", "version", "zone"}
PRODUCT = {"cpe_name", "feature", "lang", "name", "path", "uid", "url_string", "vendor_name", "version"}
ACCOUNT_OBJECT = {"is_disabled", "is_locked", "is_on_premises_sync_enabled", "labels", "name", "tags", "type",
                  "type_id", "uid"}


def test_ocsf_events_are_compliance_findings_with_every_required_attribute(results) -> None:
    events = json.loads(out(results, "ocsf"))
    assert len(events) == len(results)
    for event in events:
        assert OCSF_REQUIRED <= set(event) <= OCSF_ATTRIBUTES
        assert "cloud" in event and event["metadata"]["profiles"] == ["cloud"]  # the profile applied, its attribute
        assert (event["class_uid"], event["category_uid"], event["activity_id"], event["type_uid"]) == (2003, 2, 1, 200301)
        assert event["severity_id"] in range(1, 6) and event["status_id"] in (1, 3)
        assert isinstance(event["time"], int) and event["time"] == event["finding_info"]["created_time"]
        for name, (required, allowed) in OCSF_OBJECTS.items():
            if name in event:
                assert required <= set(event[name]) <= allowed, name
        assert event["metadata"]["version"] == "1.8.0" and set(event["metadata"]["product"]) <= PRODUCT
        assert event["metadata"]["product"]["name"] == "unify"
        for item in event["resources"]:
            assert set(item) <= RESOURCE_DETAILS and item["uid"]
        if "account" in event["cloud"]:
            assert set(event["cloud"]["account"]) <= ACCOUNT_OBJECT and event["cloud"]["account"]["type_id"] == 10
    by = {(e["compliance"]["control"], e["resources"][0]["uid"]): e for e in events}
    failing = by[("ebs-encrypted", "vol-001")]
    assert failing["compliance"]["status_id"] == 3 and failing["compliance"]["status"] == "Fail"
    assert failing["compliance"]["standards"] == ["Demo baseline (demo)", "nist"]
    assert failing["compliance"]["requirements"] == ["demo:D-1", "nist:SC-28"]
    assert failing["compliance"]["status_detail"] == "encrypted is false, must be true"
    assert failing["severity_id"] == 4 and failing["remediation"]["desc"].startswith("Copy the volume")
    assert failing["resources"][0]["group"] == {"name": "ec2"} and failing["cloud"]["account"]["uid"] == MOTO_ACCOUNT
    assert by[("ebs-encrypted", "vol-000")]["compliance"]["status_id"] == 1
    assert by[("ebs-encrypted", "vol-000")]["severity_id"] == 1  # a pass is informational
    unseen = by[("ebs-encrypted", "vol-unseen")]
    assert unseen["compliance"]["status"] == "Warning" and "AccessDenied" in unseen["compliance"]["status_detail"]
    waived = by[("ebs-encrypted", "vol-waived")]
    assert (waived["compliance"]["status_id"], waived["status"]) == (3, "Suppressed")
    assert by[("broken", "key-1")]["compliance"]["status_id"] == 99
    assert out(results, "ocsf") == out(results, "ocsf")  # the same results, the same bytes


# -- ASFF ------------------------------------------------------------------------------------------------------

#: The top-level attributes AWS documents as required for every finding (Security Hub user guide,
#: "Required top-level ASFF attributes").
ASFF_REQUIRED = {"AwsAccountId", "CreatedAt", "Description", "GeneratorId", "Id", "ProductArn", "Resources",
                 "SchemaVersion", "Severity", "Title", "Types", "UpdatedAt"}
TYPE_NAMESPACES = ("Software and Configuration Checks", "TTPs", "Effects", "Unusual Behaviors",
                   "Sensitive Data Identifications")


def test_asff_findings_have_every_documented_required_attribute_in_valid_batches(results) -> None:
    batches = json.loads(out(results, "asff"))
    model = botocore.session.get_session().get_service_model("securityhub")
    shape = model.operation_model("BatchImportFindings").input_shape
    ids = set()
    for batch in batches:
        report = ParamValidator().validate(batch, shape)
        assert not report.has_errors(), report.generate_report()
        findings = batch["Findings"]
        assert 1 <= len(findings) <= BATCH_FINDINGS and len(json.dumps(batch).encode()) < 6_000_000
        assert len({(f["AwsAccountId"], f["ProductArn"]) for f in findings}) == 1  # one account, one region
        for finding in findings:
            assert ASFF_REQUIRED <= set(finding)
            account, arn = finding["AwsAccountId"], finding["ProductArn"]
            assert re.fullmatch(r"\d{12}", account)
            assert re.fullmatch(rf"arn:aws:securityhub:[a-z0-9-]+:{account}:product/{account}/default", arn)
            assert finding["SchemaVersion"] == "2018-10-08"
            assert len(finding["Title"]) <= 256 and len(finding["Description"]) <= 1024 and len(finding["Id"]) <= 512
            assert finding["Types"] and all(t.split("/")[0] in TYPE_NAMESPACES for t in finding["Types"])
            assert finding["Severity"]["Label"] in ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")
            assert finding["Compliance"]["Status"] in ("PASSED", "WARNING", "FAILED", "NOT_AVAILABLE")
            assert len(finding["Compliance"].get("RelatedRequirements", [])) <= 32
            assert finding["Resources"][0]["Region"] == arn.split(":")[3]
            ids.add(finding["Id"])
    with_account = [r for r in results if r.account in (MOTO_ACCOUNT, OTHER)]
    assert len(ids) == len(with_account)  # one finding per result with an account, each its own Id
    counts = [len(b["Findings"]) for b in batches]
    assert max(counts) == BATCH_FINDINGS and sum(counts) == len(with_account)
    everything = {f["Id"]: f for b in batches for f in b["Findings"]}
    user = next(f for f in everything.values() if f["GeneratorId"] == "unify/users-mfa")
    # IAM is global: its finding goes to the home region, the snapshot's first
    assert user["ProductArn"].split(":")[3] == "us-east-1" and user["Severity"]["Label"] == "CRITICAL"
    waived = next(f for f in everything.values() if f["Resources"][0]["Id"] == "vol-waived")
    assert waived["Workflow"] == {"Status": "SUPPRESSED"} and waived["Compliance"]["Status"] == "FAILED"
    home = json.loads(out(results, "asff", region="eu-west-1"))
    assert all(f["ProductArn"].split(":")[3] == "eu-west-1" for b in home for f in b["Findings"]
               if f["GeneratorId"] == "unify/users-mfa")


# -- CSV -------------------------------------------------------------------------------------------------------

def test_csv_has_a_row_per_result_and_runs_no_formula(results) -> None:
    text = out(results, "csv")
    assert text.startswith(",".join(CSV_COLUMNS) + "\r\n")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(results)
    user = next(r for r in rows if r["check"] == "users-mfa")
    assert user["name"] == "'=HYPERLINK(\"http://x\")" and user["verdict"] == "fail"
    assert user["reason"] == "has no MFA devices" and user["service"] == "iam"
    volume = next(r for r in rows if r["resource"] == "vol-001")
    assert volume["controls"] == "demo:D-1 nist:SC-28" and volume["remediation"].startswith("Copy")
    assert next(r for r in rows if r["resource"] == "vol-waived")["waiver_expires"] == "2027-01-31"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())


# -- the export ------------------------------------------------------------------------------------------------

def test_the_rate_limit_keeps_every_second_within_ten_calls() -> None:
    now = [0.0]
    calls: list[float] = []
    limit = RateLimit(10, clock=lambda: now[0], sleep=lambda seconds: now.__setitem__(0, now[0] + seconds))
    for _ in range(35):
        limit.wait()
        calls.append(now[0])
        now[0] += 0.01  # each call takes 10 ms
    for start in calls:
        assert sum(1 for t in calls if start <= t < start + 1.0) <= 10
    assert calls[-1] >= 3.0  # 35 calls at 10 a second take at least three seconds


def _stored(client) -> dict[str, dict]:
    found, token = {}, None
    while True:
        page = client.get_findings(MaxResults=100, **({"NextToken": token} if token else {}))
        found.update({f["Id"]: f for f in page["Findings"]})
        token = page.get("NextToken")
        if not token:
            return found


def test_export_securityhub_imports_every_finding_of_the_account_in_batches(results, runner, tmp_path,
                                                                            monkeypatch) -> None:
    """Against moto's Security Hub: every finding of the credentials' account, per region, 100 per call."""
    import boto3

    import unify.render.securityhub as delivery

    for name, value in (("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    waits: list[float] = []
    original = delivery.RateLimit.wait
    monkeypatch.setattr(delivery.RateLimit, "wait", lambda self: (waits.append(1.0), original(self))[1])
    snap = write_snapshot(estate(), tmp_path / "estate.json")
    args = ["export", "securityhub", str(tmp_path / "p.yaml"), "--snapshot", str(snap),
            "--waivers", str(tmp_path / "w.yaml")]
    mine = [b for b in asff_batches(results, RenderOptions()) if b.account == MOTO_ACCOUNT]
    expected = {f["Id"]: f for b in mine for f in b.findings}
    by_region = {region: {i for b in mine if b.region == region for i in (f["Id"] for f in b.findings)}
                 for region in ("us-east-1", "eu-west-1")}
    with mock_aws():
        for region in by_region:
            boto3.client("securityhub", region_name=region).enable_security_hub()
        dry = runner.invoke(main, [*args, "--dry-run"])
        assert dry.exit_code == 0 and "nothing sent" in dry.stderr and waits == []
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.stderr
        assert (f"sent {len(expected)} finding(s) of account {MOTO_ACCOUNT} in {len(mine)} call(s) to Security Hub "
                f"in eu-west-1, us-east-1: {len(expected)} imported, 0 refused") in result.stderr
        assert f"1 finding(s) of account {OTHER} not sent: import them with that account's credentials" in result.stderr
        assert len(waits) == len(mine) >= 3  # every call went through the rate limit
        for region, ids in by_region.items():
            stored = _stored(boto3.client("securityhub", region_name=region))
            assert set(stored) == ids, region
            for finding_id in ids:
                assert stored[finding_id] == expected[finding_id]
        again = runner.invoke(main, args)  # the same Ids again: the findings are updated, not duplicated
        assert again.exit_code == 0
        assert sum(len(_stored(boto3.client("securityhub", region_name=r))) for r in by_region) == len(expected)
