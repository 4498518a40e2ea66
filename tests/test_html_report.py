"""The interactive HTML report, in a real headless Chromium: search, filters, drill-down, the CSP that allows it."""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from browser import CHROMIUM, chromium, chromium_available
from factories import ACCOUNT, PLUGINS, denied, ok, resource, snapshot
from unify.checks.policy_set import load_policies
from unify.engine import evaluate
from unify.render.html import CSP, SCRIPT, STYLE
from unify.render.renderer import RenderOptions, render

POLICY = """
checks:
  - id: ebs-encrypted
    title: EBS volumes are encrypted
    severity: critical
    resource: aws_ebs_volume
    assert: {encrypted: {eq: true}}
    controls: {demo: [D-1]}
    remediation: Copy the volume's snapshot with encryption on.
  - id: bucket-owner
    title: Buckets name their owner
    severity: medium
    resource: aws_s3_bucket
    assert: {tags.owner: {exists: true}}
    controls: {demo: [D-2]}
  - id: sg-closed
    title: Security groups are closed
    severity: high
    resource: aws_security_group
    assert: {ingress: {empty: true}}
    controls: {demo: [D-1]}
framework: {id: demo, title: Demo baseline}
controls:
  - {id: D-1, title: Data is encrypted}
  - {id: D-2, title: Owners are known}
"""
EVIL = '<img src=x onerror="document.title=1">'


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    path = folder / "p.yaml"
    path.write_text(POLICY, encoding="utf-8")
    policy = load_policies([path], operators=PLUGINS.operators)
    snap = snapshot(
        [resource("aws_ebs_volume", f"vol-plain-{i}", {"encrypted": False}) for i in range(3)]
        + [resource("aws_ebs_volume", f"vol-safe-{i}", {"encrypted": True}) for i in range(2)]
        + [resource("aws_ebs_volume", "vol-eu", {"encrypted": False}, region="eu-west-1"),
           resource("aws_s3_bucket", "arn:aws:s3:::logs", {}, name="logs", tags={"owner": "data"}),
           resource("aws_s3_bucket", "arn:aws:s3:::evil", {}, name=EVIL)],
        [ok("aws_ebs_volume"), ok("aws_ebs_volume", "eu-west-1"), ok("aws_s3_bucket"), denied("aws_security_group")],
        regions=["us-east-1", "eu-west-1"],
    )
    results = evaluate(policy, snap)
    services = {t: c.service for c in PLUGINS.collectors for t in c.types}
    page = folder / "report.html"
    page.write_bytes(render(PLUGINS.renderers["html"], results, RenderOptions(services=services)))
    return page


class _Attributes(HTMLParser):
    """Every attribute name in a page: inline styles and event handlers would need a looser CSP."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.update(name for name, _ in attrs)


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_csp_allows_exactly_the_inline_script_and_style(report) -> None:
    page = report.read_text(encoding="utf-8")
    assert CSP == (f"default-src 'none'; script-src {_digest(SCRIPT)}; style-src {_digest(STYLE)}; img-src data:; "
                   "base-uri 'none'; form-action 'none'")
    assert page.count("<script") == 1 and f"<script>{SCRIPT}</script>" in page
    assert page.count("<style") == 1 and f"<style>{STYLE}</style>" in page
    attributes = _Attributes()
    attributes.feed(page)
    assert attributes.names and not {n for n in attributes.names if n == "style" or n.startswith("on")}
    assert "unsafe-inline" not in page and "unsafe-eval" not in page


def test_search_filters_and_drill_down_in_headless_chromium(report) -> None:
    if not chromium_available():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium chromium-driver (.ci/run does it)")
    with chromium() as page:
        page.call("Page.enable")
        page.call("Runtime.enable")
        page.call("Log.enable")
        page.call("Page.navigate", url=report.as_uri())
        page.wait_for("Page.loadEventFired")
        visible = "[...document.querySelectorAll('#findings-table tbody tr')].filter(r => !r.hidden)"

        def shown() -> list[str]:
            return page.evaluate(f"{visible}.map(r => r.dataset.resource)")

        # the script ran (the CSP let its hash through): filters appear, passes are hidden by default
        assert page.evaluate("document.getElementById('filters').hidden") is False
        assert page.evaluate("document.querySelectorAll('#findings-table tbody tr').length") == 9
        assert sorted(shown()) == sorted(["vol-plain-0", "vol-plain-1", "vol-plain-2", "vol-eu", "arn:aws:s3:::evil",
                                          f"{ACCOUNT}/us-east-1/aws_security_group"])
        assert page.evaluate("document.getElementById('shown').textContent") == "6 of 9 results shown"

        # typing into the search box keeps the rows that contain every word typed
        page.evaluate("document.getElementById('search').focus()")
        page.type("plain")
        assert sorted(shown()) == ["vol-plain-0", "vol-plain-1", "vol-plain-2"]
        page.type("-2")
        assert shown() == ["vol-plain-2"]
        page.type(" critical")  # every word must be there: the severity is in the row
        assert shown() == ["vol-plain-2"]
        page.evaluate("document.getElementById('search').value = ''; "
                      "document.getElementById('search').dispatchEvent(new Event('input'))")

        # a filter, as the region chart's bars set it
        page.evaluate("location.hash = '#filter=region:eu-west-1'")
        page.wait_for("Page.navigatedWithinDocument")
        assert shown() == ["vol-eu"]
        page.evaluate("document.getElementById('reset').click()")
        assert len(shown()) == 6

        # drill-down: a control to its results (passes too), then one result to its resource
        page.evaluate("document.querySelector('a.drill[href=\"#control=demo:D-2\"]').click()")
        assert sorted(shown()) == ["arn:aws:s3:::evil"]  # the verdict filter still hides the pass
        page.evaluate("const v = document.querySelector('select[data-filter=verdict]'); v.value = ''; "
                      "v.dispatchEvent(new Event('change'))")
        assert sorted(shown()) == ["arn:aws:s3:::evil", "arn:aws:s3:::logs"]
        assert "control demo:D-2" in page.evaluate("document.getElementById('scope-text').textContent")
        page.evaluate("document.querySelector('a.res-link[href=\"#resource=arn:aws:s3:::evil\"]').click()")
        assert shown() == ["arn:aws:s3:::evil"]
        panel = page.evaluate("document.getElementById('resource-panel').textContent")
        assert "arn:aws:s3:::evil" in panel and EVIL in panel and "aws_s3_bucket" in panel
        assert page.evaluate("document.title") != "1"  # the name was text, never markup

        # sorting by check, both ways
        page.evaluate("document.getElementById('reset').click()")
        page.evaluate("document.querySelector('button[data-sort=check]').click()")
        checks = page.evaluate(f"{visible}.map(r => r.dataset.check)")
        assert checks == sorted(checks)
        page.evaluate("document.querySelector('button[data-sort=check]').click()")
        assert page.evaluate(f"{visible}.map(r => r.dataset.check)") == sorted(checks, reverse=True)

        problems = [e for e in page.events if e.get("method") in ("Runtime.exceptionThrown", "Log.entryAdded")
                    and (e["method"] == "Runtime.exceptionThrown" or e["params"]["entry"]["level"] == "error")]
        assert problems == []
