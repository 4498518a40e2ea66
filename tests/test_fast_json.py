"""orjson's fast reading is kept only when it is the strict reading: same values, same refusals, same errors."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
