"""orjson's fast reading is kept only when it is the strict reading: same values, same refusals, same errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unify import _fast_json as fast_json
from unify._fast_json import Doubtful, trusted_loads
from unify._files import MAX_DEPTH, parse_json


class Bad(Exception):
    pass


def _outcome(raw: bytes | str) -> tuple[str, str]:
    """What parse_json makes of ``raw``: the value's repr (types, order, -0.0 all show) or the error's text."""
    try:
        return "ok", repr(parse_json(raw, "f.json", Bad))
    except Bad as exc:
        return "error", str(exc)


# Keys from a small alphabet, so objects often repeat one (in other spellings too: escapes, a colon inside).
_KEYS = st.sampled_from(['"a"', '"b"', '"\\u0061"', '"a:b"', '":"', '"\\""', '"\\\\"', '"{["', '"\\u003a"'])
_SCALARS = st.one_of(
    st.sampled_from(["true", "false", "null", "1e400", "-1e400", "1e16", "1E5", "-0", "-0.0", "0.1e-400"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(max_size=8).map(lambda s: json.dumps(s, ensure_ascii=False)),
    st.text(max_size=8).map(json.dumps),
    st.sampled_from(['"\\ud800"', '"\\udc00\\ud800"', '"\\ud83d\\ude00"', '"a\\/b"', '"[{"']),
)


def _texts(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    lists = st.lists(children, max_size=4).map(lambda items: "[" + ",".join(items) + "]")
    pairs = st.lists(st.tuples(_KEYS, children), max_size=4)
    objects = pairs.map(lambda items: "{" + ",".join(f"{k}:{v}" for k, v in items) + "}")
    return lists | objects


JSON_TEXTS = st.recursive(_SCALARS, _texts, max_leaves=30)


@settings(deadline=None, max_examples=400)
@given(JSON_TEXTS, st.sampled_from(["", " ", "\n  "]))
def test_the_fast_reading_is_the_strict_reading(text: str, space: str) -> None:
    # A str goes straight to the strict parser: the reference for the bytes, which orjson reads first.
    spaced = text.replace(",", "," + space)
    assert _outcome(spaced.encode("utf-8")) == _outcome(spaced)


@settings(deadline=None, max_examples=50)
@given(st.integers(min_value=MAX_DEPTH - 3, max_value=MAX_DEPTH + 3), st.sampled_from(["[", '{"k":']))
def test_nesting_at_the_limit_reads_the_same(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    text = "[" + opener * (depth - 1) + "1" + closer * (depth - 1) + "]"
    assert _outcome(text.encode()) == _outcome(text)
    assert (_outcome(text)[0] == "ok") is (depth <= MAX_DEPTH)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


# Strings full of brackets, quotes and backslashes: the height is counted from the bytes, outside strings only.
_BRACKETY = st.text(alphabet='[]{}"\\a:,', max_size=6).map(lambda s: json.dumps(s))


@settings(deadline=None, max_examples=300)
@given(st.recursive(_SCALARS | _BRACKETY, _texts, max_leaves=30))
def test_the_height_counted_from_the_bytes_is_the_parsed_document_s(text: str) -> None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return  # not JSON the check is asked about: orjson has refused it first
    compact = json.dumps(value, separators=(",", ":")).encode()
    assert fast_json._height(compact, MAX_DEPTH) == min(_depth(value), MAX_DEPTH + 1)


def test_an_ordinary_document_is_read_by_orjson() -> None:
    raw = json.dumps({"resources": [{"id": f"r{i}", "tags": {"a": "b:c"}, "n": i} for i in range(5000)]}).encode()
    assert trusted_loads(raw, MAX_DEPTH) == json.loads(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a":1,"a":2}',  # orjson keeps the last; unify refuses
        b'{"x":[{"a":1,"b":{"c":2,"c":3}}]}',
        b'{"a":1,"\\u0061":2}',
        b'{"k:":1,"\\u003a":2}',  # a colon as an escape could hide a duplicate
        b"123456789012345678901234567890",  # orjson reads it as a float
        b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
        b'{"a":NaN}',
        b"\xef\xbb\xbf{}",
    ],
)
def test_what_orjson_would_read_differently_goes_to_the_strict_parser(raw: bytes) -> None:
    with pytest.raises(Doubtful):
        trusted_loads(raw, MAX_DEPTH)


def test_a_duplicate_key_is_still_refused_with_its_name() -> None:
    with pytest.raises(Bad, match=r"f\.json.*duplicate key 'c'"):
        parse_json(b'{"x":[{"a":1,"b":{"c":2,"c":3}}]}', "f.json", Bad)


# -- long lists read a slice of lines at a time ----------------------------------------------


def _laid_out(document: dict[str, str], lists: dict[str, list[str]], order: list[str]) -> str:
    """A top-level object as dump_snapshot lays it out: each long list one item per line (items are JSON texts)."""
    lines = []
    for key in order:
        if key in lists:
            lines.append(f'"{key}":[\n' + ",\n".join(lists[key]) + "\n]")
        else:
            lines.append(f'"{key}":{document[key]}')
    return "{\n" + ",\n".join(lines) + "\n}\n"


@pytest.fixture
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slices of a few bytes, from texts of any length: every cut between lines is tried."""
    monkeypatch.setattr(fast_json, "BY_LINES_FROM", 0)
    monkeypatch.setattr(fast_json, "LINES_AT_ONCE", 7)
    monkeypatch.setattr(fast_json, "SHARE_STRINGS_FROM", 0)


@pytest.mark.usefixtures("small_slices")
@settings(deadline=None, max_examples=300)
@given(
    st.lists(JSON_TEXTS, max_size=12),
    st.lists(JSON_TEXTS, max_size=3),
    st.sampled_from(["resources", "coverage", "a"]),
    st.booleans(),
)
def test_a_long_list_read_by_slices_is_the_strict_reading(
    items: list[str], others: list[str], name: str, first: bool
) -> None:
    scalars = {f"k{i}": text for i, text in enumerate(others)}
    order = [name, *scalars] if first else [*scalars, name]
    text = _laid_out(scalars, {name: items}, order)
    assert _outcome(text.encode("utf-8")) == _outcome(text)


@pytest.mark.usefixtures("small_slices")
@pytest.mark.parametrize(
    "text",
    [
        # An item spanning lines: the slices do not read as whole items, so the text is read at once.
        '{\n"resources":[\n{"a":[1,\n2]},\n{"b":3}\n]\n}',
        # The same list nested in another object is not the top-level list.
        '{\n"resources":[],\n"scope":{\n"resources":[\n{"a":1},\n{"b":2}\n]\n}\n}',
        # A duplicate key inside one item, and the long list's own key twice.
        '{\n"resources":[\n{"a":1},\n{"b":2,"b":3}\n]\n}',
        '{\n"resources":[\n{"a":1}\n],\n"resources":[\n{"b":2}\n]\n}',
        # A line holding more than the key, a missing comma, a comma too many, nesting past the limit.
        '{\n"x":1,"resources":[\n{"a":1}\n]\n}',
        '{\n"resources":[\n{"a":1}\n{"b":2}\n]\n}',
        '{\n"resources":[\n{"a":1},,\n{"b":2}\n]\n}',
        '{\n"resources":[\n' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n]\n}",
        '{\n"resources":[\n{"a":1},\n{"b":NaN}\n]\n}',
    ],
)
def test_lists_not_laid_out_one_item_per_line_read_as_the_strict_parser_reads_them(text: str) -> None:
    assert _outcome(text.encode("utf-8")) == _outcome(text)


def test_a_snapshot_is_read_by_slices_and_each_slice_checked(
    small_slices: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    resources = [{"id": f"r{i}", "tags": {"a": "b:c"}, "n": i} for i in range(50)]
    text = _laid_out(
        {"format": '"unify.snapshot/v1"'}, {"resources": [json.dumps(r) for r in resources]}, ["format", "resources"]
    )
    checked: list[bytes] = []
    faithful = fast_json._faithful

    def spy(raw: bytes, document: Any, max_depth: int) -> bool:
        checked.append(raw)
        return faithful(raw, document, max_depth)

    monkeypatch.setattr(fast_json, "_faithful", spy)
    assert trusted_loads(text.encode(), MAX_DEPTH) == {"format": "unify.snapshot/v1", "resources": resources}
    # The rest of the text once, then the list a few lines at a time: never the whole text at once.
    assert len(checked) > 10
    assert all(len(piece) < len(text) // 4 for piece in checked)
    assert b"".join(checked).count(b'"id"') == 50


def test_equal_string_values_of_a_slice_become_one_object(small_slices: None, monkeypatch: pytest.MonkeyPatch) -> None:
    resources = [
        {"id": f"r{i}", "region": "eu-west-1", "tags": [{"Key": "team", "Value": "payments"}]} for i in range(6)
    ]
    text = _laid_out({}, {"resources": [json.dumps(r) for r in resources]}, ["resources"])
    # One slice holds all six: each equal value is one object there, and the values are unchanged.
    monkeypatch.setattr(fast_json, "LINES_AT_ONCE", len(text))
    read = trusted_loads(text.encode(), MAX_DEPTH)["resources"]
    assert read == resources
    assert len({id(r["region"]) for r in read}) == 1
    assert len({id(r["tags"][0]["Value"]) for r in read}) == 1
    assert len({id(r["id"]) for r in read}) == 6
