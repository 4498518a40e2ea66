"""Built-in operators: absent is a fact, unknown is undecided, wrong types are check defects."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unify.checks.default_operators import BUILTIN_OPERATORS
from unify.errors import PluginError
from unify.checks.operators import MISSING, CheckDefect, EvalContext, Operator, OperatorRegistry, Undetermined, strict_equal

CTX = EvalContext(now=datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc))
OPS = {op.name: op for op in BUILTIN_OPERATORS}
U = {"$unknown": "AccessDenied"}


def run(name: str, actual, argument):
    op = OPS[name]
    return op.test(actual, op.prepared(argument), CTX)


@pytest.mark.parametrize(
    ("name", "actual", "argument", "expected"),
    [
        ("eq", True, True, True),
        ("eq", 1, True, False),  # no coercion: true is not 1
        ("eq", 1, 1.0, True),
        ("eq", MISSING, None, True),
        ("eq", MISSING, "Enabled", False),
        ("eq", {"a": [1, 2]}, {"a": [1, 2]}, True),
        ("eq", {"a": [1, 2]}, {"a": [2, 1]}, False),
        ("ne", MISSING, "x", True),
        ("same", ["b", "a"], ["a", "b"], True),
        ("same", [{"p": 22, "c": ["x", "y"]}, {"p": 80}], [{"p": 80}, {"p": 22, "c": ["y", "x"]}], True),
        ("same", ["a", "a"], ["a", "b"], False),
        ("same", ["a"], ["a", "a"], False),
        ("same", {"a": [1, 2]}, {"a": [2, 1]}, True),
        ("same", 1, True, False),
        ("same", MISSING, "x", False),
        ("ne", "x", "x", False),
        ("in", "tcp", ["tcp", "udp"], True),
        ("in", MISSING, ["tcp"], False),
        ("not_in", "icmp", ["tcp", "udp"], True),
        ("lt", 3, 5, True),
        ("le", 5, 5, True),
        ("gt", 14, 14, False),
        ("ge", 14, 14, True),
        ("ge", MISSING, 14, False),
        ("lt", "2026-01-01", "2026-06-01", True),
        ("matches", "prod-db-1", "^prod-", True),
        ("matches", "dev-prod", "^prod-", False),
        ("matches", MISSING, ".*", False),
        ("contains", ["a", "b"], "b", True),
        ("contains", "hello world", "lo w", True),
        ("contains", {"Name": "x"}, "Name", True),
        ("contains", MISSING, "x", False),
        ("exists", None, True, False),
        ("exists", MISSING, False, True),
        ("exists", 0, True, True),
        ("empty", [], True, True),
        ("empty", {}, True, True),
        ("empty", "", True, True),
        ("empty", MISSING, True, True),
        ("empty", [0], True, False),
        ("empty", [0], False, True),
        ("older_than", "2026-08-01T00:00:00Z", "90d", True),
        ("older_than", "2026-11-01T00:00:00Z", "90d", False),
        ("older_than", MISSING, "90d", False),
        ("newer_than", "2026-11-19T10:00:00Z", "1d", True),
        ("newer_than", "2026-11-19T08:00:00Z", "1d", False),
        ("newer_than", "2026-11-20T08:30:00+00:00", "60m", True),
        ("older_than", "2026-11-06T09:00:00Z", "1w", True),
        ("expires_within", "2026-12-10T09:00:00Z", "30d", True),  # due in 20 days
        ("expires_within", "2027-02-01T09:00:00Z", "30d", False),
        ("expires_within", "2026-01-01T00:00:00Z", "30d", True),  # already past
        ("expires_within", MISSING, "30d", False),
        ("world_open", "0.0.0.0/0", True, True),
        ("world_open", ["10.0.0.0/8", "::/0"], True, True),
        ("world_open", ["10.0.0.0/8"], True, False),
        ("world_open", ["10.0.0.0/8"], False, True),
        ("world_open", MISSING, True, False),
        ("world_open", [], True, False),
        ("world_open", "0.0.0.0/1", True, False),
        ("world_open", "", True, False),
        ("world_open", ["", "10.0.0.0/8"], True, False),
    ],
)
def test_operator_semantics(name: str, actual, argument, expected: bool) -> None:
    assert run(name, actual, argument) is expected


@pytest.mark.parametrize(
    ("name", "actual", "argument"),
    [
        ("lt", "5", 10),
        ("gt", True, 1),
        ("in", ["a"], ["a"]),
        ("matches", {"a": 1}, "x"),
        ("contains", 5, 5),
        ("contains", "text", 5),
        ("older_than", 12345, "1d"),
        ("older_than", "last tuesday", "1d"),
        ("world_open", "not-a-cidr", True),
    ],
)
def test_wrong_types_are_check_defects(name: str, actual, argument) -> None:
    with pytest.raises(CheckDefect):
        run(name, actual, argument)


@pytest.mark.parametrize(
    ("name", "actual", "argument"),
    [
        ("eq", [1, U], [1, 2]),
        ("eq", {"a": U}, {"a": 1}),
        ("contains", ["x", U], "y"),
        ("in", U, ["x"]),
        ("world_open", ["10.0.0.0/8", U], True),
    ],
)
def test_nested_unknowns_leave_the_answer_open(name: str, actual, argument) -> None:
    with pytest.raises(Undetermined, match="AccessDenied"):
        run(name, actual, argument)


@pytest.mark.parametrize(
    ("name", "actual", "argument", "expected"),
    [
        ("eq", [3, U], [1, 2], False),  # a known difference decides
        ("contains", ["y", U], "y", True),
        ("world_open", ["0.0.0.0/0", U], True, True),
    ],
)
def test_known_parts_still_decide(name: str, actual, argument, expected: bool) -> None:
    assert run(name, actual, argument) is expected


@pytest.mark.parametrize(
    ("name", "argument", "message"),
    [
        ("matches", "([", "invalid regular expression"),
        ("older_than", "90 days", "not a duration"),
        ("in", "tcp", "list"),
        ("lt", True, "number or a string"),
        ("exists", "yes", "true or false"),
    ],
)
def test_bad_arguments_fail_at_load_time(name: str, argument, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OPS[name].prepared(argument)


def test_registry_refuses_clashes_and_reserved_names() -> None:
    registry = OperatorRegistry()
    registry.plugin = "first"
    registry.add(Operator("shiny", lambda a, b, c: True, "x"))
    registry.plugin = "second"
    with pytest.raises(PluginError) as info:
        registry.add(Operator("shiny", lambda a, b, c: True, "x"))
    assert "second" in str(info.value) and "first" in str(info.value)
    with pytest.raises(PluginError, match="not allowed"):
        registry.add(Operator("any_item", lambda a, b, c: True, "x"))
    assert registry.owner("shiny") == "first"
    assert registry["shiny"].plugin == "first"


_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=3)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)),
    max_leaves=10,
)


@settings(max_examples=100, deadline=None)
@given(_json, _json)
def test_strict_equal_is_symmetric_and_reflexive(a, b) -> None:
    assert strict_equal(a, a)
    assert strict_equal(a, b) == strict_equal(b, a)
    if strict_equal(a, b):
        import json

        assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) or a == b
