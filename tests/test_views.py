"""Views: policy by severity, compliance statuses per DESIGN.md, all from one result set."""

from __future__ import annotations

import dataclasses
import io

from factories import ok, resource, snapshot
from factories import PLUGINS
from unify.render.html import html_report
from unify.render.json import results_document
from unify.render.markdown import render_markdown
from unify.render.renderer import RenderOptions
from unify.render.table import render_table
from unify.views.compliance import compliance_view
from unify.views.policy import policy_view
from unify.checks.policy_set import load_policies
from unify.engine import evaluate
from unify.model.resource import unknown
from unify.views.compliance import natural_key

CATALOG = """
framework: {id: acme, title: ACME Baseline, version: "1.0"}
controls:
  - {id: A-1, title: Encrypted volumes}
  - {id: A-2, title: Versioned buckets}
  - {id: A-3, title: Unknown things}
  - {id: A-4, title: Waived things}
  - {id: A-5, title: Nothing in scope}
  - {id: A-6, title: Reviewed by a person}
  - {id: A-10, title: Mixed}
"""

CHECKS = """
checks:
  - id: ebs-encrypted
    severity: high
    resource: aws_ebs_volume
    assert: {encrypted: {eq: true}}
    controls: {acme: [A-1, A-10]}
  - id: s3-versioned
    severity: low
    resource: aws_s3_bucket
    assert: {versioning.status: {eq: Enabled}}
    controls: {acme: [A-2, A-10]}
  - id: kms-rotation
    severity: medium
    resource: aws_kms_key
    assert: {enable_key_rotation: {eq: true}}
    controls: {acme: [A-3]}
  - id: rds-encrypted
    severity: critical
    resource: aws_db_instance
    assert: {storage_encrypted: {eq: true}}
    controls: {acme: [A-4]}
  - id: efs-encrypted
    severity: high
    resource: aws_efs_file_system
    assert: {encrypted: {eq: true}}
    controls: {acme: [A-5], other: [Z-9, Z-10, Z-2]}
"""

WAIVERS = """
waivers:
  - check: rds-encrypted
    resources: ["db-legacy"]
    reason: migrating in Q1
    expires: 2027-03-31
"""


def results(write):
    policy = load_policies([write("p/catalog.yaml", CATALOG), write("p/checks.yaml", CHECKS)], operators=PLUGINS.operators)
    from unify.checks.waivers import load_waivers

    snap = snapshot(
        [
            resource("aws_ebs_volume", "vol-ok", {"encrypted": True}),
            resource("aws_s3_bucket", "bucket-ok", {"versioning": {"status": "Enabled"}}),
            resource("aws_s3_bucket", "bucket-bad", {"versioning": {"status": "Suspended"}}),
            resource("aws_kms_key", "key-1", {"enable_key_rotation": unknown("AccessDenied")}),
            resource("aws_db_instance", "db-legacy", {"storage_encrypted": False}),
        ],
        [ok(t) for t in ("aws_ebs_volume", "aws_s3_bucket", "aws_kms_key", "aws_db_instance", "aws_efs_file_system")],
    )
    return evaluate(policy, snap, load_waivers([write("w.yaml", WAIVERS)]))


def test_control_statuses(write) -> None:
    view = compliance_view(results(write), "acme")
    assert view.statuses() == {
        "A-1": "met",
        "A-2": "not met",
        "A-3": "unknown",
        "A-4": "waived",
        "A-5": "not applicable",
        "A-6": "manual",
        "A-10": "not met",
    }
    assert view.title == "ACME Baseline" and view.has_catalog
    summary = view.summary()
    assert (summary["total"], summary["automated"], summary["manual"], summary["met"]) == (7, 6, 1, 1)
    a2 = [c for c in view.controls if c.id == "A-2"][0]
    assert [(r.resource, r.verdict) for r in a2.deciding()] == [("bucket-bad", "fail")]
    assert a2.checks == ("s3-versioned",)


def test_framework_without_catalog_uses_the_ids_checks_name(write) -> None:
    view = compliance_view(results(write), "other")
    assert list(view.statuses()) == ["Z-2", "Z-9", "Z-10"]
    assert not view.has_catalog and all(not c.in_catalog for c in view.controls)


def test_policy_view_orders_by_severity_then_check(write) -> None:
    view = policy_view(results(write))
    assert [(g.check.id, [r.resource for r in g.failures]) for g in view.groups] == [("s3-versioned", ["bucket-bad"])]
    assert [r.resource for r in view.unknown] == ["key-1"]
    assert [r.resource for r in view.waived] == ["db-legacy"]
    assert view.failure_counts() == {"critical": 0, "high": 0, "medium": 0, "low": 1, "info": 0}


def test_json_document_carries_every_view(write) -> None:
    document = results_document(results(write))
    assert document["compliance"]["acme"]["A-6"] == "manual"
    assert document["frameworks"]["acme"]["summary"]["not met"] == 2
    assert document["summary"] == {"pass": 2, "fail": 1, "unknown": 1, "waived": 1, "error": 0}
    assert document["drift"] == []
    assert {c["id"] for c in document["checks"]} >= {"ebs-encrypted", "efs-encrypted"}


def test_natural_key() -> None:
    ids = ["2.10", "2.9", "AC-10", "AC-2", "3.1.4", "3.1.10"]
    assert sorted(ids, key=natural_key) == ["2.9", "2.10", "3.1.4", "3.1.10", "AC-2", "AC-10"]


PARTIAL_CATALOG = """
framework:
  id: broad
  title: Broad Controls
  evidence: partial
  families: {AC: Access Control, SC: System and Communications Protection}
controls:
  - {id: AC-2, title: Account management}
  - {id: AC-6, title: Least privilege}
  - {id: SC-28, title: Protection of information at rest}
  - {id: SC-7, title: Boundary protection}
"""

PARTIAL_CHECKS = """
checks:
  - id: ebs-encrypted
    severity: high
    resource: aws_ebs_volume
    assert: {encrypted: {eq: true}}
    controls: {broad: [SC-28, AC-6], acme: [A-1]}
  - id: s3-versioned
    severity: low
    resource: aws_s3_bucket
    assert: {versioning.status: {eq: Enabled}}
    controls: {broad: [SC-28]}
"""


def partial_results(write):
    policy = load_policies(
        [write("q/catalog.yaml", PARTIAL_CATALOG), write("q/acme.yaml", CATALOG), write("q/checks.yaml", PARTIAL_CHECKS)],
        operators=PLUGINS.operators,
    )
    snap = snapshot(
        [
            resource("aws_ebs_volume", "vol-bad", {"encrypted": False}),
            resource("aws_s3_bucket", "bucket-ok", {"versioning": {"status": "Enabled"}}),
        ],
        [ok("aws_ebs_volume"), ok("aws_s3_bucket")],
    )
    return evaluate(policy, snap)


def test_controls_carry_their_evidence_strength_and_roll_up_by_family(write) -> None:
    res = partial_results(write)
    view = compliance_view(res, "broad")
    by_id = {c.id: c for c in view.controls}
    assert by_id["SC-28"].evidence_text() == "2 checks, partial"
    assert by_id["AC-6"].evidence_text() == "1 check, partial"
    assert by_id["AC-2"].evidence_text() == "none" and by_id["AC-2"].status == "manual"
    assert view.summary()["partial_evidence"] == 2
    families = {f.id: f for f in view.families()}
    assert list(families) == ["AC", "SC"]
    assert families["AC"].title == "Access Control"
    assert (families["AC"].counts["not met"], families["AC"].counts["manual"], families["AC"].counts["total"]) == (1, 1, 2)
    assert (families["SC"].counts["not met"], families["SC"].counts["manual"]) == (1, 1)
    assert families["SC"].counts["partial_evidence"] == 1
    # A catalog that does not say partial gives full evidence.
    acme = {c.id: c for c in compliance_view(res, "acme").controls}
    assert acme["A-1"].evidence_text() == "1 check, full"
    document = results_document(res)
    assert document["frameworks"]["broad"]["families"][0] == {
        "id": "AC",
        "title": "Access Control",
        "summary": families["AC"].counts,
    }
    sc28 = [c for c in document["frameworks"]["broad"]["controls"] if c["id"] == "SC-28"][0]
    assert sc28["evidence"] == {"checks": 2, "coverage": "partial"}


def test_renderers_show_evidence_and_families(write) -> None:
    res = dataclasses.replace(partial_results(write), framework="broad")
    options = RenderOptions(width=200)  # wide enough that no cell wraps, whatever COLUMNS says
    out = io.StringIO()
    render_markdown(res, out, options)
    markdown = out.getvalue()
    assert "| Control | Title | Status | Evidence | Checks |" in markdown
    assert "| AC-6 | Least privilege | **not met** | 1 check, partial | ebs-encrypted |" in markdown
    assert "controls by family" in markdown and "| AC | Access Control | 0 | 1 | 0 | 1 | 1 |" in markdown
    assert "2 of the automated controls rest on partial evidence" in markdown
    html = html_report(res, options)
    assert "<td>1 check, partial</td>" in html and "controls by family" in html
    out = io.StringIO()
    render_table(res, out, options)
    text = out.getvalue()
    assert "controls by family" in text and "1 check, partial" in text and "partial evidence" in text


def test_a_control_lists_its_first_deciding_results_and_counts_them_all(write) -> None:
    from unify.views.compliance import DECIDING_SHOWN

    policy = load_policies([write("checks.yaml", CHECKS), write("catalog.yaml", CATALOG)], operators=PLUGINS.operators)
    many = DECIDING_SHOWN + 7
    volumes = [resource("aws_ebs_volume", f"vol-{n:03d}", {"encrypted": False}) for n in range(many)]
    done = evaluate(policy, snapshot(volumes, [ok("aws_ebs_volume")]))
    control = next(c for c in results_document(done)["frameworks"]["acme"]["controls"] if c["id"] == "A-1")
    assert control["status"] == "not met" and control["results"] == {"fail": many}
    assert control["deciding_total"] == many
    assert [d["resource"] for d in control["deciding"]] == [f"vol-{n:03d}" for n in range(DECIDING_SHOWN)]
