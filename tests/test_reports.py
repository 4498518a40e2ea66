"""Reports for people: markdown (a GitHub job summary under 1 MiB) and self-contained HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from factories import ACCOUNT, denied, ok, resource, snapshot
from factories import PLUGINS
from unify.views.baseline import compare
from unify.checks.policy_set import load_policies
from unify.cli import main
from unify.render.html import CSP
from unify.render.markdown import MARKDOWN_BUDGET, escape_markdown, markdown_report
from unify.render.text import baseline_order
from unify.engine import evaluate
from unify.plugins import get_plugins
from unify.render.renderer import RenderOptions, render
from unify.model.resource import unknown
from unify.model.snapshot import write_snapshot
from unify.checks.waivers import load_waivers

POLICY = """
checks:
  - id: ebs-encrypted
    title: EBS volumes are encrypted
    severity: critical
    resource: aws_ebs_volume
    assert: {encrypted: {eq: true}}
    controls: {demo: [D-1]}
    remediation: Copy the volume's snapshot with encryption on.
  - id: ebs-small
    title: EBS volumes are small
    severity: low
    resource: aws_ebs_volume
    assert: {size: {le: 100}}
    controls: {demo: [D-2]}
  - id: bucket-owner
    title: Buckets name their owner
    severity: medium
    resource: aws_s3_bucket
    assert: {tags.owner: {eq: platform}}
    controls: {demo: [D-3]}
  - id: sg-closed
    title: Security groups are closed
    severity: high
    resource: aws_security_group
    assert: {ingress: {empty: true}}
    controls: {demo: [D-1]}

desired:
  - resource: aws_s3_bucket
    name: logs
    severity: high
    attributes:
      tags: {owner: platform}
"""

CATALOG = """
framework: {id: demo, title: Demo baseline, version: "1.0"}
controls:
  - {id: D-1, title: Data is encrypted}
  - {id: D-2, title: Volumes are right-sized}
  - {id: D-3, title: Owners are known}
  - {id: D-4, title: People are trained}
"""

WAIVERS = """
waivers:
  - check: ebs-small
    resources: ["vol-big"]
    reason: the build cache needs room
    expires: 2027-01-31
  - check: ebs-encrypted
    resources: ["vol-old"]
    reason: legacy volume, replaced in the migration
    expires: 2026-06-30
  - check: bucket-owner
    resources: ["nothing-*"]
    reason: matches nothing
    expires: 2027-12-31
"""

EVIL = "<script>alert(1)</script>|x"
EVIL_MD = "&lt;script&gt;alert(1)&lt;/script&gt;&#124;x"
EVIL_HTML = "&lt;script&gt;alert(1)&lt;/script&gt;|x"


def estate():
    return snapshot(
        [
            resource("aws_ebs_volume", "vol-ok", {"encrypted": True, "size": 10}),
            resource("aws_ebs_volume", "vol-plain", {"encrypted": False, "size": 10}),
            resource("aws_ebs_volume", "vol-big", {"encrypted": True, "size": 500}),
            resource("aws_ebs_volume", "vol-old", {"encrypted": False, "size": 10}),
            resource("aws_ebs_volume", "vol-unseen", {"encrypted": unknown("AccessDenied: DescribeVolumes"),
                                                      "size": 10}),
            resource("aws_s3_bucket", "arn:aws:s3:::logs", {}, name="logs", tags={"owner": EVIL}),
            resource("aws_s3_bucket", "arn:aws:s3:::evil", {}, name=EVIL, tags={"team": EVIL}),
        ],
        [ok("aws_ebs_volume"), ok("aws_s3_bucket"), denied("aws_security_group")],
        taken_at="2026-11-20T09:00:00Z",
    )


@pytest.fixture
def results(write):
    policy = load_policies([write("p.yaml", POLICY), write("catalog.yaml", CATALOG)], operators=PLUGINS.operators)
    return evaluate(policy, estate(), load_waivers([write("w.yaml", WAIVERS)]))


def md(results, **options) -> str:
    return render(get_plugins().renderers["markdown"], results, RenderOptions(**options)).decode("utf-8")


def html(results, **options) -> str:
    return render(get_plugins().renderers["html"], results, RenderOptions(**options)).decode("utf-8")


def gfm(text: str) -> str:
    """Render Markdown as GitHub does (CommonMark, tables, raw HTML allowed)."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


def test_both_register_through_the_hook() -> None:
    renderers = get_plugins().renderers
    assert renderers.owner("markdown") == renderers.owner("html") == "unify.render.default_renderers"
    assert (renderers["markdown"].extension, renderers["html"].extension) == (".md", ".html")


# -- markdown ------------------------------------------------------------------------


def test_markdown_title_counts_and_gate(results) -> None:
    text = md(results, fail_on="high")
    title = text.splitlines()[0]
    assert "file snapshot" in title and "2026-11-20T09:00:00Z" in title and results.snapshot.digest in title
    summary = results.summary()
    assert summary == {"pass": 6, "fail": 5, "unknown": 2, "waived": 1, "error": 0}
    assert "| Pass | Fail | Unknown | Waived | Error |" in text
    assert "| 6 | 5 | 2 | 1 | 0 |" in text
    # failing by severity: critical first
    assert re.search(r"\| Failing by severity \| \S+ Critical \| \S+ High \| \S+ Medium \| \S+ Low \| \S+ Info \|", text)
    assert "| results | 2 | 1 | 2 | 0 | 0 |" in text
    assert f"exit 1: {results.gate('high').reason}" in text


def test_markdown_failing_checks_are_collapsible_by_severity(results) -> None:
    text = md(results)
    failing = {r.check for r in results if r.verdict == "fail"}
    assert failing == {"ebs-encrypted", "bucket-owner", "desired/aws_s3_bucket/logs"}
    for check in failing:
        assert text.count(f"<details><summary><b>{escape_markdown(check)}</b>") == 1
    order = [text.index(f"<b>{escape_markdown(c)}</b>") for c in ("ebs-encrypted", "desired/aws_s3_bucket/logs",
                                                                   "bucket-owner")]
    assert order == sorted(order)  # critical, high, medium
    assert text.count("<details>") == text.count("</details>")
    assert "Remediation: Copy the volume's snapshot with encryption on." in text
    # vol-old still fails (its waiver expired) and says so
    assert "waiver expired 2026-06-30: legacy volume" in text


def test_markdown_unknown_waived_waivers_compliance_drift_coverage(results) -> None:
    text = md(results)
    assert "### Unknown: 2" in text
    assert "encrypted is unknown (AccessDenied: DescribeVolumes)" in text
    assert "listing aws_security_group failed: AccessDenied: not authorized to list aws_security_group" in text
    # the active waiver, with its reason and expiry
    assert "### Waived: 1" in text
    assert re.search(r"\| ebs-small \| \*\*vol-big\*\* \| the build cache needs room \| 2027-01-31 \| fail \|", text)
    # expired and unused waivers
    assert re.search(r"\| expired \(would cover 1\) \| ebs-encrypted \| vol-old \| 2026-06-30 \|", text)
    assert re.search(r"\| unused \(matched no failing or unknown result\) \| bucket-owner \| nothing-&#42; \|", text)
    # compliance summary per framework
    assert "| Framework | Met | Not Met | Unknown | Waived | Manual | Not Applicable | Automated |" in text
    assert "| Demo baseline (demo) | 0 | 2 | 0 | 1 | 1 | 0 | 3/4 |" in text
    assert "| Control |" not in text  # the control table only with --framework
    # drift and coverage
    assert "### Drift: 1 difference(s)" in text
    assert f'| logs | aws_s3_bucket | tags.owner | "platform" | "{EVIL_MD}" | desired/aws_s3_bucket/logs |' in text
    assert f"| aws_security_group | {ACCOUNT} | us-east-1 | AccessDenied |" in text


def test_markdown_control_table_with_a_framework(write) -> None:
    policy = load_policies([write("p.yaml", POLICY), write("catalog.yaml", CATALOG)], operators=PLUGINS.operators)
    results = evaluate(policy, estate(), framework="demo")
    text = md(results)
    assert "#### Demo baseline (demo): controls" in text
    assert "| D-1 | Data is encrypted | **not met** | 2 checks, full | ebs-encrypted, sg-closed |" in text
    assert "| D-4 | People are trained | manual | none |  |" in text


def test_markdown_tables_do_not_break_and_no_estate_html_survives(results) -> None:
    text = md(results)
    assert EVIL not in text and "<script" not in text and "alert(1)</script>" not in text
    assert f"| **{EVIL_MD}**<br><sub>arn:aws:s3:::evil</sub> |" in text  # the name
    assert f'is "{EVIL_MD}", must be' in text  # the tag value, in a reason
    rendered = gfm(text)
    assert "<script" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;|x" in rendered  # shown as text, | and all
    # every table row has as many cells as its header
    for table in re.findall(r"<table>.*?</table>", rendered, re.S):
        widths = {len(re.findall(r"<t[hd][ >]", row)) for row in re.findall(r"<tr>.*?</tr>", table, re.S)}
        assert len(widths) == 1, table


def test_markdown_escapes_markdown_too() -> None:
    assert escape_markdown("a|b`c`*d*[e](f)~g~$h$\\") == "a&#124;b&#96;c&#96;&#42;d&#42;&#91;e&#93;(f)&#126;g&#126;&#36;h&#36;&#92;"
    assert escape_markdown("line 1\nline 2\r\nline 3") == "line 1<br>line 2<br>line 3"
    assert escape_markdown("aws_s3_bucket _x_") == "aws_s3_bucket &#95;x&#95;"
    assert escape_markdown("a\x00b") == "a\ufffdb"
    assert escape_markdown("x" * 5000) == "x" * 1000 + "... &#91;4,000 more characters&#93;"


def test_markdown_stays_under_the_budget_and_says_what_was_left_out(write) -> None:
    policy = load_policies([write("p.yaml", POLICY.split("  - id: ebs-small")[0])], operators=PLUGINS.operators)
    volumes = [resource("aws_ebs_volume", f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-{i:05d}",
                        {"encrypted": False, "size": 10}, name=f"build-cache-{i:05d}")
               for i in range(10_000)]
    results = evaluate(policy, snapshot(volumes, [ok("aws_ebs_volume")]))
    assert results.summary()["fail"] == 10_000
    data = render(get_plugins().renderers["markdown"], results, RenderOptions())
    assert len(data) < MARKDOWN_BUDGET
    text = data.decode("utf-8")
    listed = len(re.findall(r"^\| \*\*build-cache-\d{5}\*\*", text, re.M))
    note = re.search(r"cut to stay under GitHub's 1 MiB step-summary limit: ([\d,]+) result\(s\) were left out "
                     r"\(([\d,]+) of 10,000 failing results\)", text)
    assert note, text[:2000]
    left = int(note.group(1).replace(",", ""))
    assert note.group(2) == note.group(1)
    assert 0 < listed < 10_000 and listed + left == 10_000
    assert f"_… {left:,} more failing results left out" in text
    assert "--format json" in text and "--format html" in text
    assert text.count("<details>") == text.count("</details>")


def test_when_cut_every_failing_check_is_listed_before_any_gets_more_rows(write) -> None:
    policy = load_policies([write("p.yaml", POLICY.split("desired:")[0])], operators=PLUGINS.operators)
    volumes = [resource("aws_ebs_volume", f"vol-{i:04d}", {"encrypted": False, "size": 500}) for i in range(300)]
    buckets = [resource("aws_s3_bucket", f"bucket-{i:04d}", {}) for i in range(300)]
    results = evaluate(policy, snapshot(volumes + buckets, [ok("aws_ebs_volume"), ok("aws_s3_bucket"),
                                                            ok("aws_security_group")]))
    text = markdown_report(results, RenderOptions(), budget=60_000)
    assert len(text.encode("utf-8")) <= 60_000
    blocks = re.findall(r"<details><summary><b>([\w-]+)</b>.*?</details>", text, re.S)
    assert blocks == ["ebs-encrypted", "bucket-owner", "ebs-small"]  # critical, medium, low
    rows = [len(re.findall(r"^\| \*\*", block, re.M))
            for block in re.findall(r"<details><summary><b>[\w-]+</b>.*?</details>", text, re.S)]
    assert 0 < max(rows) - min(rows) <= 1 and sum(rows) < 900
    assert f"{900 - sum(rows):,} result(s) were left out ({900 - sum(rows):,} of 900 failing results)" in text


def test_new_findings_come_first_and_are_marked(results) -> None:
    failing = [r for r in results if r.check == "ebs-encrypted" and r.verdict == "fail"]
    assert [r.resource for r in failing] == ["vol-old", "vol-plain"]
    before = {"results": [{"check": "ebs-encrypted", "resource": "vol-old", "verdict": "fail"},
                          {"check": "ebs-encrypted", "resource": "vol-ok", "verdict": "fail"},
                          {"check": "ebs-encrypted", "resource": "vol-gone", "verdict": "fail"}]}
    marked = compare(results, before, "before.json")
    assert [r.resource for r in baseline_order(r for r in marked if r.check == "ebs-encrypted" and r.verdict == "fail")
            ] == ["vol-plain", "vol-old"]
    text = md(marked)
    assert "**Against the baseline** before.json: 4 new, 1 existing, 2 fixed finding(s)" in text
    assert "(2 resource(s), 1 new)" in text
    assert text.index("| **🆕 new** | **vol-plain**") < text.index("| existing | **vol-old**")
    assert "### Fixed since the baseline: 2" in text
    assert "| ebs-encrypted | **vol-ok** | pass |" in text and "| ebs-encrypted | **vol-gone** | resource gone |" in text
    page = html(marked)
    rows = re.findall(r'<tr data-verdict="fail".*?</tr>', page)
    plain = next(i for i, row in enumerate(rows) if 'data-resource="vol-plain"' in row)
    old = next(i for i, row in enumerate(rows) if 'data-resource="vol-old"' in row)
    assert plain < old and '<span class="badge b-new">new</span>' in rows[plain]
    assert '<span class="badge b-existing">existing</span>' in rows[old]
    assert "<dt>Baseline</dt><dd>before.json: 4 new, 1 existing, 2 fixed</dd>" in page
    assert "<h3>Fixed since the baseline: 2</h3>" in page
    # without a baseline there is no status column at all
    assert "🆕" not in md(results) and "Baseline" not in html(results)


# -- html ------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.refs.extend(value or "" for name, value in attrs if name in ("src", "href", "action", "srcset"))


def test_html_is_self_contained(results) -> None:
    page = html(results)
    assert "http://" not in page and "https://" not in page
    parser = _Links()
    parser.feed(page)
    assert parser.refs and all(ref.startswith(("#", "data:")) for ref in parser.refs)
    assert not {"link", "img", "iframe", "object", "embed", "base", "form"} & set(parser.tags)
    assert parser.tags.count("script") == 1  # the report's own, inline, allowed by its hash
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page
    assert CSP.startswith("default-src 'none'; script-src 'sha256-") and "unsafe" not in CSP
    assert "@import" not in page and "url(" not in page and "fetch(" not in page and "XMLHttpRequest" not in page


def test_html_has_the_chart_and_every_section(results) -> None:
    page = html(results, fail_on="high")
    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    by_severity, posture = charts[0], charts[-1]
    assert "Failing results by severity" in by_severity and 'href="#filter=severity:critical"' in by_severity
    assert all(f"Failing results by {what}" in page for what in ("account", "region", "service"))
    for status in ("met", "not met", "unknown", "waived", "manual", "not applicable"):
        assert f">{status}</text>" in posture  # legend
    assert "Demo baseline (demo): 2 not met of 4" in posture
    assert "Demo baseline (demo): 1 waived of 4" in posture
    for heading in ("Posture", "Findings", "Controls", "Check errors", "Waivers", "Drift", "Coverage gaps"):
        assert f"<h2>{heading}</h2>" in page
    assert results.snapshot.digest in page and "Exit 1 (--fail-on high)" in page
    # control table with coloured statuses, each control's results one click away
    assert '<td>D-1</td><td>Data is encrypted</td><td><span class="badge st-not-met">not met</span>' in page
    assert '<td>D-4</td><td>People are trained</td><td><span class="badge st-manual">manual</span>' in page
    assert '<a class="drill" href="#control=demo:D-1">' in page
    assert "Automated: the controls at least one check gives evidence for" in page
    # every result in the findings table: severity, verdict, reason and fix; unknowns; waivers; drift; coverage
    assert page.count('<tr data-verdict="') == len(results)
    assert '<span class="badge sev-critical">critical</span>' in page
    assert "Copy the volume&#x27;s snapshot with encryption on." in page
    assert "encrypted is unknown (AccessDenied: DescribeVolumes)" in page
    for state in ("active", "expired", "unused"):
        assert f'<span class="badge w-{state}">{state}</span>' in page
    assert "2026-06-30" in page and "2027-01-31" in page
    assert "<td>tags.owner</td>" in page
    assert f"<td>aws_security_group</td><td>{ACCOUNT}</td><td>us-east-1</td><td>AccessDenied</td>" in page
    assert '<td class="loc">' in page  # the waiver file, kept on one line


def test_html_escapes_every_estate_value(results) -> None:
    page = html(results)
    assert EVIL not in page and page.count("<script") == 1
    assert f'<a class="res-link" href="#resource=arn:aws:s3:::evil">{EVIL_HTML}</a>' in page  # the bucket's name
    assert f'data-name="{EVIL_HTML}"' in page
    assert "&quot;&lt;script&gt;alert(1)&lt;/script&gt;|x&quot;" in page  # the tag value, in reason and drift


def test_html_escapes_attributes_and_policy_values(write) -> None:
    evil_policy = POLICY.replace("title: EBS volumes are encrypted", 'title: "\\"><img src=x onerror=alert(1)>"')
    evil_catalog = CATALOG.replace("title: Demo baseline", "title: '<b onmouseover=alert(1)>Demo'")
    policy = load_policies([write("p.yaml", evil_policy), write("catalog.yaml", evil_catalog)], operators=PLUGINS.operators)
    results = evaluate(policy, estate())
    for text in (html(results), md(results)):
        assert "<img" not in text and "<b onmouseover" not in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_same_results_same_bytes(results, write) -> None:
    for name in ("markdown", "html"):
        renderer = get_plugins().renderers[name]
        first = render(renderer, results, RenderOptions())
        assert render(renderer, results, RenderOptions()) == first
        policy = load_policies([write("p.yaml", POLICY), write("catalog.yaml", CATALOG)], operators=PLUGINS.operators)
        again = evaluate(policy, estate(), load_waivers([write("w.yaml", WAIVERS)]))
        assert render(renderer, again, RenderOptions()) == first


def test_reports_with_nothing_to_report(write) -> None:
    checks_only = POLICY.split("desired:")[0]
    results = evaluate(load_policies([write("p.yaml", checks_only)], operators=PLUGINS.operators), snapshot([], [
        ok("aws_ebs_volume"), ok("aws_s3_bucket"), ok("aws_security_group")]))
    text = md(results)
    assert "No failing results." in text and "✅ exit 0" in text
    page = html(results)
    assert "No results: no check had a resource in scope." in page and "No coverage gaps" in page
    assert "No failing resources." in page


# -- the CLI ------------------------------------------------------------------------------


def test_cli_writes_markdown_and_html(runner, write, tmp_path: Path) -> None:
    policy = write("p.yaml", POLICY)
    write("catalog.yaml", CATALOG)
    snap = str(write_snapshot(estate(), tmp_path / "snap.json"))
    summary, report = tmp_path / "summary.md", tmp_path / "report.html"
    result = runner.invoke(main, ["audit", str(policy), str(tmp_path / "catalog.yaml"), "--snapshot", snap,
                                  "--format", f"markdown={summary}", "--format", f"html={report}"],
                           catch_exceptions=False)
    assert result.exit_code == 1, result.output
    text, page = summary.read_text(encoding="utf-8"), report.read_text(encoding="utf-8")
    assert text.startswith("## unify audit: file snapshot") and "<details><summary><b>ebs-encrypted</b>" in text
    assert page.startswith("<!DOCTYPE html>") and "<h2>Findings</h2>" in page
    assert EVIL not in text and EVIL not in page
