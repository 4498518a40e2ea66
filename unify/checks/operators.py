"""Operators: the comparisons a check may make, and the registry plugins fill.

An operator decides one fact about one value. It gets the actual value
(:data:`MISSING` when the attribute is absent), its argument as prepared at
load time, and the evaluation context. It returns ``True`` or ``False``,
raises :class:`Undetermined` when the answer depends on a value that was not
observed, and raises :class:`CheckDefect` when the check itself is wrong for
the data (an ordering comparison between a string and a number, say).
Unknown values at the top level never reach an operator: the evaluator
answers ``unknown`` for them first.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from json.encoder import encode_basestring as _encode_text
from typing import Any, Final, final

from unify._registry import Registry
from unify.errors import PluginError
from unify.model.resource import UNKNOWN_KEY

__all__ = [
    "MISSING",
    "RESERVED_KEYS",
    "CheckDefect",
    "EvalContext",
    "Operator",
    "OperatorRegistry",
    "Undetermined",
    "describe_value",
    "strict_equal",
    "suggest",
]


@final
class _Missing:
    """An attribute that is absent: a fact about an observed resource."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()

#: Condition keys that are not paths and not operators.
RESERVED_KEYS: Final = frozenset({"all", "any", "not", "any_item", "all_items", "no_item"})


class Undetermined(Exception):
    """The answer depends on a value that was not observed."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class CheckDefect(Exception):
    """The check cannot apply to this data; reported as verdict ``error``."""


@dataclass(frozen=True)
class EvalContext:
    """What an operator may know besides the value: the snapshot's time."""

    now: datetime


@dataclass(frozen=True)
class Operator:
    """One comparison operator.

    ``prepare`` checks and converts the argument once, when the policy is
    loaded; it raises ``ValueError`` with a message for the user. ``schema``
    is the JSON Schema of the argument, used in the shipped policy schema.
    """

    name: str
    test: Callable[[Any, Any, EvalContext], bool]
    description: str
    schema: dict[str, Any] = field(default_factory=dict)
    prepare: Callable[[Any], Any] | None = None
    plugin: str = "unify"

    def prepared(self, argument: Any) -> Any:
        return argument if self.prepare is None else self.prepare(argument)


class OperatorRegistry(Registry[Operator]):
    """Operators by name; filled through the ``unify_register_operators`` hook."""

    kind = "operator"

    def _check(self, item: Operator) -> None:
        if not item.name.isidentifier() or item.name in RESERVED_KEYS:
            raise PluginError(self.plugin, f"operator name {item.name!r} is not allowed")


def _unknown_reason(value: Any) -> str | None:
    if type(value) is dict and len(value) == 1 and UNKNOWN_KEY in value:
        return str(value[UNKNOWN_KEY])
    return None


def strict_equal(actual: Any, expected: Any) -> bool:
    """Equality without Python's coercions: ``true`` is not ``1``.

    Raises :class:`Undetermined` when an unobserved part of ``actual``
    decides the answer; a definite difference elsewhere still gives False.
    """
    if type(actual) is str and type(expected) is str:  # most comparisons: settle them first
        return actual == expected
    reason = _unknown_reason(actual)
    if reason is not None:
        raise Undetermined(reason)
    if actual is MISSING:
        actual = None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return actual == expected
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or set(actual) != set(expected):
            return False
        pending: str | None = None
        for key, value in expected.items():
            try:
                if not strict_equal(actual[key], value):
                    return False
            except Undetermined as exc:
                pending = pending or exc.reason
        if pending is not None:
            raise Undetermined(pending)
        return True
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return False
        pending = None
        for item, value in zip(actual, expected, strict=True):
            try:
                if not strict_equal(item, value):
                    return False
            except Undetermined as exc:
                pending = pending or exc.reason
        if pending is not None:
            raise Undetermined(pending)
        return True
    return type(actual) is type(expected) and actual == expected


_SYNONYMS: Final = {
    "equals": "eq",
    "equal": "eq",
    "is": "eq",
    "not_equals": "ne",
    "not_equal": "ne",
    "neq": "ne",
    "regex": "matches",
    "match": "matches",
    "includes": "contains",
    "include": "contains",
    "greater_than": "gt",
    "less_than": "lt",
    "gte": "ge",
    "lte": "le",
    "one_of": "in",
    "not_one_of": "not_in",
    "present": "exists",
    "is_empty": "empty",
    "older": "older_than",
    "newer": "newer_than",
    "any_of": "any",
    "all_of": "all",
    "some_item": "any_item",
    "every_item": "all_items",
    "none_item": "no_item",
}


def suggest(word: str, options: list[str]) -> str:
    """`` (did you mean 'eq'?)`` for a likely typo or synonym, else ``""``."""
    guess = _SYNONYMS.get(word.lower())
    if guess is None or guess not in options:
        close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
        guess = close[0] if close else None
    return f" (did you mean {guess!r}?)" if guess else ""


def describe_value(value: Any, limit: int = 80) -> str:
    """A short, JSON-like rendering of a value for reasons and tables."""
    if value is MISSING:
        return "absent"
    kind = type(value)
    if kind is str:
        text = _encode_text(value)
    elif value is None or kind is bool:
        text = "null" if value is None else ("true" if value else "false")
    elif kind is int or kind is float:
        text = repr(value)
    else:
        reason = _unknown_reason(value)
        if reason is not None:
            return f"unknown ({reason})"
        try:
            text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text
