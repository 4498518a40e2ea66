"""Values from the estate and from policy files, however long or however mentioned, stay bounded and inert."""

from __future__ import annotations

import json

import pytest

from factories import PLUGINS, ok, resource, snapshot
from unify.checks.policy_set import load_policies
from unify.engine import evaluate
from unify.render.renderer import RenderOptions, render
from unify.render.sarif import FINGERPRINT, fingerprint
from unify.render.text import neutralise_mentions, shorten

HUGE = "v" * 1_000_000
NAME = "@everyone please look at " + "n" * 200_000
POLICY = f"""
checks:
  - id: tagged
    title: "Owned by @security-team"
    severity: high
    resource: aws_instance
    assert: {{tags.owner: {{eq: platform}}}}
    remediation: "Ask @oncall to tag it. {"r" * 50_000}"
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "p.yaml"
    path.write_text(POLICY, encoding="utf-8")
    policy = load_policies([path], operators=PLUGINS.operators)
    snap = snapshot([resource("aws_instance", "i-" + "0" * 5_000, {}, name=NAME, tags={"owner": HUGE, "Name": NAME})],
                    [ok("aws_instance")])
    return evaluate(policy, snap)


def out(results, name: str) -> str:
    return render(PLUGINS.renderers[name], results, RenderOptions(width=120)).decode("utf-8")


def test_shorten_says_how_much_it_left_out() -> None:
    assert shorten("abc", 5) == "abc"
    assert shorten("x" * 12, 5) == "xxxxx... [7 more characters]"
    assert shorten(None) == ""


def test_mentions_are_broken_without_changing_what_is_read() -> None:
    text = neutralise_mentions("@everyone, mail a@b.c and @org/team")
    assert "@everyone" not in text and "@org" not in text
    assert text.replace("\u200b", "") == "@everyone, mail a@b.c and @org/team"


@pytest.mark.parametrize(("name", "limit"), [("table", 60_000), ("markdown", 60_000), ("html", 120_000),
                                             ("github", 20_000), ("sarif", 60_000)])
def test_every_human_report_and_sarif_stays_bounded_with_a_marker(results, name: str, limit: int) -> None:
    text = out(results, name)
    assert len(text) < limit, (name, len(text))
    assert "more characters]" in text.replace("&#91;", "[").replace("&#93;", "]").replace("%5D", "]")
    assert HUGE[:5_000] not in text and NAME not in text


def test_markdown_and_annotations_mention_no_one(results) -> None:
    for name in ("markdown", "github"):
        text = out(results, name)
        for mention in ("@everyone", "@security-team", "@oncall"):
            assert mention not in text, (name, mention)
    assert "&#64;everyone please look at" in out(results, "markdown")
    assert "@\u200beveryone please look at" in out(results, "github")


def test_sarif_keeps_the_whole_id_in_its_fingerprint(results) -> None:
    document = json.loads(out(results, "sarif"))
    [entry] = document["runs"][0]["results"]
    full = results.results[0].resource
    assert entry["partialFingerprints"][FINGERPRINT] == fingerprint("tagged", full)
    assert entry["locations"][0]["logicalLocations"][0]["name"] == shorten(full)
    assert len(entry["message"]["text"]) < 5_000
