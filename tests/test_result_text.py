"""Each result's compact JSON, written from shared pieces, is byte for byte its dict turned into JSON.

The streamed ``unify.results/v1`` document writes a result without building
its dict (unify/render/json.py, ``_ResultText``). These tests hold that
writer to ``Result.as_json`` with sorted keys, the form the document had
before and the indented document still has, for results that share
checks, reasons, regions and details and results that differ in each.
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from unify.checks.conditions import Detail
from unify.checks.operators import MISSING
from unify.checks.waivers import Waiver
from unify.render.json import _ResultText
from unify.results import Result

SORTED = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _reference(result: Result) -> bytes:
    return orjson.dumps(result.as_json(), default=str, option=SORTED)


TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(['a"b', "line\nbreak", "é€😀"])
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
DETAIL = st.builds(
    Detail,
    path=TEXT,
    operator=st.sampled_from(["eq", "ne", "any_item"]),
    expected=JSONISH,
    actual=JSONISH | st.just(MISSING),
    verdict=st.sampled_from(["fail", "unknown"]),
    negated=st.booleans(),
)
CONTROLS = st.sampled_from(
    [
        MappingProxyType({}),
        MappingProxyType({"cis-aws-v7.0": ("2.10", "1.1"), "aws-fsbp": ("IAM.19",)}),
        MappingProxyType({"b": ("1",), "a": ("2",)}),
    ]
)
BRANCHED = st.builds(
    Detail, path=TEXT, operator=st.just("any"), expected=st.none(), actual=st.none(), verdict=st.just("fail"),
    alternatives=st.lists(st.lists(DETAIL, max_size=2).map(tuple), max_size=2).map(tuple),
)
DETAILS = st.lists(DETAIL | BRANCHED, max_size=3).map(tuple)
WAIVER = Waiver(check="c", resources=("r",), reason="accepted", expires=dt.date(2027, 1, 1), file="waivers.yaml", line=3)


@st.composite
def results(draw: Any) -> Result:
    return Result(
        check=draw(st.sampled_from(["a", "b.c", 'q"uote'])),
        resource=draw(TEXT),
        type=draw(st.sampled_from(["aws_s3_bucket", "aws_iam_user"])),
        verdict=draw(st.sampled_from(["pass", "fail", "unknown", "error"])),
        reason=draw(st.sampled_from(["", "versioning is off", "naïve \\ reason"]) | TEXT),
        severity=draw(st.sampled_from(["low", "high"])),
        controls=draw(CONTROLS),
        kind=draw(st.sampled_from(["guardrail", "aggregate", "desired"])),
        account=draw(st.none() | st.sampled_from(["111111111111", "222222222222"])),
        region=draw(st.none() | st.sampled_from(["us-east-1", "global"])),
        name=draw(st.none() | TEXT),
        address=draw(st.none() | st.just("") | TEXT),
        details=draw(DETAILS),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(results(), min_size=1, max_size=20))
def test_each_result_is_its_dict_in_json(drawn: list[Result]) -> None:
    # One writer for the lot, as for one document: its pieces are shared between results that agree.
    write = _ResultText()
    assert write(drawn) == b",".join(map(_reference, drawn))
    assert [write.one(result) for result in drawn] == [_reference(result) for result in drawn]


def test_shared_details_and_a_changed_check_are_each_written_as_they_are() -> None:
    shared = (Detail("versioning.status", "eq", "Enabled", "Suspended", "fail"),)
    first = Result("c", "r1", "aws_s3_bucket", "fail", "why", "high", MappingProxyType({"f": ("1",)}), "guardrail",
                   details=shared)
    again = first._replace(resource="r2")
    other = first._replace(controls=MappingProxyType({"f": ("2",)}), details=(shared[0],) * 2)
    write = _ResultText()
    texts = [write.one(result) for result in (first, again, other)]
    assert texts == [_reference(result) for result in (first, again, other)]
    assert b'"f":["2"]' in texts[2] and texts[2].count(b"Suspended") == 2


def test_a_result_with_notes_keeps_them() -> None:
    result = Result("c", "r", "aws_s3_bucket", "fail", "why", "high", MappingProxyType({}), "guardrail")
    waived = result.changed(verdict="waived", original="fail", waiver=WAIVER, reason="waived: accepted")
    text = _ResultText().one(waived)
    assert text == _reference(waived)
    assert orjson.loads(text)["waiver"] == {"reason": "accepted", "expires": "2027-01-01", "file": "waivers.yaml:3"}


def test_each_result_gets_its_own_details_when_results_are_not_kept() -> None:
    # Results made and dropped one by one: the writer holds each details tuple it wrote (until its slice ends),
    # so no id of one is ever another's.
    write = _ResultText()
    for n in range(50):
        result = Result("c", f"r{n}", "aws_s3_bucket", "fail", "why", "high", MappingProxyType({}), "guardrail",
                        details=(Detail(f"path{n}", "eq", n, n + 1, "fail"),))
        assert write.one(result) == _reference(result)


def test_a_name_that_is_not_a_string_is_written_as_its_dict_writes_it() -> None:
    # Names and ids go through orjson's bare call; one it refuses sends its slice the careful way.
    plain = Result("c", "r1", "aws_s3_bucket", "fail", "why", "high", MappingProxyType({}), "guardrail", name="n")
    odd = plain._replace(resource="r2", name=PurePosixPath("a/b"))  # type: ignore[arg-type]
    assert _ResultText()([plain, odd]) == _reference(plain) + b"," + _reference(odd)
    assert b'"name":"a/b"' in _reference(odd)
