"""The built-in operators, registered through ``unify_register_operators``.

Absent attributes are facts: comparisons against an absent value are false
(``eq: null`` and ``ne`` aside, where absent reads as null), ``exists`` is
false and ``empty`` is true. Wrong types are check defects, not failures,
so a typo in a policy never shows up as a finding against a resource.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from functools import lru_cache
from typing import Any

import re2

from unify.checks.operators import (
    MISSING,
    CheckDefect,
    EvalContext,
    Operator,
    OperatorRegistry,
    Undetermined,
    strict_equal,
)
from unify.hookspecs import hookimpl
from unify.model.resource import UNKNOWN_KEY
from unify.model.time import parse_duration, parse_timestamp

_ANY: dict[str, Any] = {}
_ORDERED = {"type": ["number", "string"]}
_DURATION = {"type": "string", "pattern": r"^\s*\d+\s*[mhdw]\s*$"}
_BOOL = {"type": "boolean"}


def _unknown(value: Any) -> str | None:
    if type(value) is dict and len(value) == 1 and UNKNOWN_KEY in value:
        return str(value[UNKNOWN_KEY])
    return None


def _absent(value: Any) -> bool:
    return value is MISSING or value is None


def _eq(actual: Any, expected: Any, ctx: EvalContext) -> bool:
    # ``eq: true`` is the commonest leaf of the shipped packs: only the singleton equals it strictly.
    if type(expected) is bool and type(actual) is not dict:
        return actual is expected
    return strict_equal(actual, expected)


def _ne(actual: Any, expected: Any, ctx: EvalContext) -> bool:
    if type(expected) is bool and type(actual) is not dict:
        return actual is not expected
    return not strict_equal(actual, expected)


def _member(actual: Any, options: list[Any]) -> bool:
    if isinstance(actual, (list, dict)) and _unknown(actual) is None:
        raise CheckDefect(f"value is a {type(actual).__name__}; use any_item or all_items to test list items")
    pending: str | None = None
    for option in options:
        try:
            if strict_equal(actual, option):
                return True
        except Undetermined as exc:
            pending = exc.reason
    if pending is not None:
        raise Undetermined(pending)
    return False


def _same(actual: Any, expected: Any, ctx: EvalContext) -> bool:
    return _equivalent(actual, expected)


def _equivalent(actual: Any, expected: Any) -> bool:
    """Equality where lists are compared regardless of order (AWS returns most sets unordered)."""
    if isinstance(expected, list) and isinstance(actual, list) and _unknown(actual) is None:
        if len(actual) != len(expected):
            return False
        remaining = list(actual)
        pending: str | None = None
        for want in expected:
            for index, have in enumerate(remaining):
                try:
                    if _equivalent(have, want):
                        del remaining[index]
                        break
                except Undetermined as exc:
                    pending = pending or exc.reason
            else:
                if pending is not None:
                    raise Undetermined(pending)
                return False
        return True
    if isinstance(expected, dict) and isinstance(actual, dict) and _unknown(actual) is None:
        if set(actual) != set(expected):
            return False
        return all(_equivalent(actual[key], value) for key, value in expected.items())
    return strict_equal(actual, expected)


def _in(actual: Any, options: list[Any], ctx: EvalContext) -> bool:
    return _member(actual, options)


def _not_in(actual: Any, options: list[Any], ctx: EvalContext) -> bool:
    return not _member(actual, options)


def _prepare_list(argument: Any) -> list[Any]:
    if not isinstance(argument, list):
        raise ValueError("expects a list of values")
    return argument


def _comparable(actual: Any, bound: Any) -> bool:
    """Whether ``actual`` can be ordered against ``bound``; absent cannot."""
    if _absent(actual):
        return False
    number = (int, float)
    if isinstance(bound, number) and isinstance(actual, number) and not isinstance(actual, bool):
        return True
    if isinstance(bound, str) and isinstance(actual, str):
        return True
    raise CheckDefect(f"cannot order {type(actual).__name__} {actual!r} against {type(bound).__name__} {bound!r}")


def _prepare_bound(argument: Any) -> Any:
    if isinstance(argument, bool) or not isinstance(argument, (int, float, str)):
        raise ValueError("expects a number or a string")
    return argument


def _lt(actual: Any, bound: Any, ctx: EvalContext) -> bool:
    return _comparable(actual, bound) and actual < bound


def _le(actual: Any, bound: Any, ctx: EvalContext) -> bool:
    return _comparable(actual, bound) and actual <= bound


def _gt(actual: Any, bound: Any, ctx: EvalContext) -> bool:
    return _comparable(actual, bound) and actual > bound


def _ge(actual: Any, bound: Any, ctx: EvalContext) -> bool:
    return _comparable(actual, bound) and actual >= bound


#: Longest pattern ``matches`` takes: a check's pattern is a line of text, not a program.
MAX_PATTERN = 1000


def _regex_options() -> Any:
    options = re2.Options()
    options.log_errors = False  # errors are reported with the policy file's line, not on stderr
    options.max_mem = 8 << 20  # a compiled pattern's memory is bounded too
    return options


def _prepare_regex(argument: Any) -> Any:
    """A pattern compiled by RE2, whose matching time is linear in the text: no pattern can hang an audit.

    RE2 refuses what cannot run in linear time (backreferences, lookaround);
    such a pattern is a policy error with its line, found by ``unify lint``.
    """
    if not isinstance(argument, str):
        raise ValueError("expects a regular expression string")
    if len(argument) > MAX_PATTERN:
        raise ValueError(f"a pattern of {len(argument):,} characters is longer than the {MAX_PATTERN} allowed")
    try:
        return re2.compile(argument, options=_regex_options())
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else exc
        raise ValueError(
            f"invalid regular expression: {reason} (patterns run in linear time: no backreferences or lookaround)"
        ) from None


def _matches(actual: Any, pattern: Any, ctx: EvalContext) -> bool:
    if _absent(actual):
        return False
    if isinstance(actual, bool) or not isinstance(actual, (str, int, float)):
        raise CheckDefect(f"matches needs text, got {type(actual).__name__}")
    return pattern.search(str(actual)) is not None


def _contains(actual: Any, needle: Any, ctx: EvalContext) -> bool:
    if _absent(actual):
        return False
    if isinstance(actual, str):
        if not isinstance(needle, str):
            raise CheckDefect(f"contains on text needs a text argument, got {needle!r}")
        return needle in actual
    if isinstance(actual, list):
        pending: str | None = None
        for item in actual:
            try:
                if strict_equal(item, needle):
                    return True
            except Undetermined as exc:
                pending = exc.reason
        if pending is not None:
            raise Undetermined(pending)
        return False
    if isinstance(actual, dict):
        return needle in actual
    raise CheckDefect(f"contains needs a list, text or mapping, got {type(actual).__name__}")


def _exists(actual: Any, wanted: bool, ctx: EvalContext) -> bool:
    return (not _absent(actual)) is wanted


def _empty(actual: Any, wanted: bool, ctx: EvalContext) -> bool:
    is_empty = _absent(actual) or (isinstance(actual, (str, list, dict)) and len(actual) == 0)
    return is_empty is wanted


def _prepare_bool(argument: Any) -> bool:
    if not isinstance(argument, bool):
        raise ValueError("expects true or false")
    return argument


def _age(actual: Any, ctx: EvalContext) -> timedelta | None:
    if _absent(actual):
        return None
    if not isinstance(actual, str):
        raise CheckDefect(f"expected an ISO 8601 timestamp, got {type(actual).__name__}")
    try:
        return ctx.now - parse_timestamp(actual)
    except ValueError:
        raise CheckDefect(f"not an ISO 8601 timestamp: {actual!r}") from None


def _prepare_duration(argument: Any) -> timedelta:
    return parse_duration(argument)


def _older_than(actual: Any, limit: timedelta, ctx: EvalContext) -> bool:
    age = _age(actual, ctx)
    return age is not None and age > limit


def _newer_than(actual: Any, limit: timedelta, ctx: EvalContext) -> bool:
    age = _age(actual, ctx)
    return age is not None and age < limit


def _expires_within(actual: Any, limit: timedelta, ctx: EvalContext) -> bool:
    # A deadline in the past is within any window: an expired certificate is due for renewal too.
    age = _age(actual, ctx)
    return age is not None and age > -limit


def _cidr_is_world(cidr: Any) -> bool:
    if not isinstance(cidr, str):
        raise CheckDefect(f"expected a CIDR string, got {type(cidr).__name__}")
    world = _world_cidr(cidr)
    if world is None:
        raise CheckDefect(f"not a CIDR: {cidr!r}")
    return world


@lru_cache(maxsize=4096)
def _world_cidr(cidr: str) -> bool | None:
    """Whether a CIDR covers every address (prefix length 0); None when it is not a CIDR."""
    # Cached: an estate repeats a few hundred CIDRs across many thousand rules.
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return None


def _world_open(actual: Any, wanted: bool, ctx: EvalContext) -> bool:
    # "" is how Terraform state (and NACL entries) spell "no CIDR here".
    if _absent(actual) or actual == "":
        return not wanted
    cidrs = actual if isinstance(actual, list) else [actual]
    pending: str | None = None
    found = False
    for cidr in cidrs:
        reason = _unknown(cidr)
        if reason is not None:
            pending = reason
        elif cidr not in (None, "") and _cidr_is_world(cidr):
            found = True
            break
    if not found and pending is not None:
        raise Undetermined(pending)
    return found is wanted


BUILTIN_OPERATORS: tuple[Operator, ...] = (
    Operator("eq", _eq, "equal, without coercions (true is not 1); absent equals null", _ANY),
    Operator("ne", _ne, "not equal; absent is null", _ANY),
    Operator("same", _same, "equal, with lists compared regardless of order (desired state and drift use it)", _ANY),
    Operator("in", _in, "the value is one of the listed values", {"type": "array"}, _prepare_list),
    Operator("not_in", _not_in, "the value is none of the listed values", {"type": "array"}, _prepare_list),
    Operator("lt", _lt, "less than (numbers, or text in text order)", _ORDERED, _prepare_bound),
    Operator("le", _le, "less than or equal", _ORDERED, _prepare_bound),
    Operator("gt", _gt, "greater than", _ORDERED, _prepare_bound),
    Operator("ge", _ge, "greater than or equal", _ORDERED, _prepare_bound),
    Operator(
        "matches",
        _matches,
        "a regular expression found in the text (anchor with ^ and $)",
        {"type": "string"},
        _prepare_regex,
    ),
    Operator("contains", _contains, "list membership, substring, or mapping key", _ANY),
    Operator("exists", _exists, "present and not null (false: absent or null)", _BOOL, _prepare_bool),
    Operator("empty", _empty, "absent, null, empty text, list or mapping", _BOOL, _prepare_bool),
    Operator(
        "older_than",
        _older_than,
        "a timestamp more than the duration before the snapshot was taken",
        _DURATION,
        _prepare_duration,
    ),
    Operator(
        "newer_than",
        _newer_than,
        "a timestamp less than the duration before the snapshot was taken",
        _DURATION,
        _prepare_duration,
    ),
    Operator(
        "expires_within",
        _expires_within,
        "a timestamp (an expiry, a deadline) before the snapshot was taken plus the duration, past ones included",
        _DURATION,
        _prepare_duration,
    ),
    Operator("world_open", _world_open, "a CIDR, or a list of them, includes 0.0.0.0/0 or ::/0", _BOOL, _prepare_bool),
)


@hookimpl
def unify_register_operators(registry: OperatorRegistry) -> None:
    for operator in BUILTIN_OPERATORS:
        registry.add(operator)
