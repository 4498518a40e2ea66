"""Where in a JSON text something is: the line of a path, of a value JSON must not hold, of nesting too deep.

Every input error names its file and line. Python's ``json`` gives the
line of a syntax error only; a schema error has a path, and a value refused
by a parse hook (``NaN``, a 100,000-digit number, a duplicate key) has
neither. These functions find the line afterwards, on the failure path only,
so reading a good file costs nothing extra: skipping over a value is done by
the C decoder (``raw_decode``), and the Python loops run once per string or
bracket of a file that is already known to be wrong.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Final

__all__ = [
    "depth_position",
    "duplicate_position",
    "line_at",
    "lone_surrogate_position",
    "path_position",
    "token_position",
]

_WS: Final = re.compile(r"[ \t\n\r]*")
#: A plain decoder, only ever used to skip over a value whose end we need.
_SKIPPER: Final = json.JSONDecoder()
_STRING: Final = r'"(?:[^"\\]|\\.)*"'
_KEY: Final = re.compile(_STRING, re.DOTALL)
_STRUCTURE: Final = re.compile(rf"{_STRING}|[\[\]{{}}]", re.DOTALL)
#: Tokens a strict read refuses: the constants, integers past Python's 4,300 digits, floats that overflow.
_SUSPECT: Final = re.compile(
    rf"{_STRING}|(?P<bad>-?Infinity|NaN|-?\d+(?:\.\d+)?[eE][-+]?\d+|-?\d{{309,}}(?:\.\d+)?)", re.DOTALL
)
_HIGH: Final = r"\\u[dD][89abAB][0-9a-fA-F]{2}"
_LOW: Final = r"\\u[dD][c-fC-F][0-9a-fA-F]{2}"
_LONE_SURROGATE: Final = re.compile(rf"{_HIGH}(?!{_LOW})|(?<!{_HIGH}){_LOW}")
#: Longest integer Python converts from text by default (``sys.get_int_max_str_digits``).
MAX_INT_DIGITS: Final = 4300


def line_at(text: str, position: int) -> int:
    """The 1-based line of a character position."""
    return text.count("\n", 0, max(0, position)) + 1


def _skip_ws(text: str, index: int) -> int:
    match = _WS.match(text, index)
    return match.end() if match else index


def _after_value(text: str, index: int) -> int:
    """The index past the value that starts at ``index``, and past the whitespace after it."""
    _, end = _SKIPPER.raw_decode(text, index)
    return _skip_ws(text, end)


def path_position(text: str, path: Sequence[str | int], occurrence: int = 1) -> int:
    """Where the value at ``path`` is: its key when the last step is a key, else the value itself.

    When the path leaves the document (a required key that is missing, an
    index past the end), the position of the deepest step that exists.
    ``occurrence`` picks the second (third...) of a key written twice.
    """
    index = _skip_ws(text, 0)
    best = index
    try:
        for number, step in enumerate(path):
            wanted = occurrence if number == len(path) - 1 else 1
            if text[index] == "{" and isinstance(step, str):
                found = _key_position(text, _skip_ws(text, index + 1), step, wanted)
                if found is None:
                    return best
                best, index = found
            elif text[index] == "[" and isinstance(step, int) and step >= 0:
                found_item = _item_position(text, _skip_ws(text, index + 1), step)
                if found_item is None:
                    return best
                best = index = found_item
            else:
                return best
    except (ValueError, IndexError, RecursionError):  # a text broken further on: the deepest place reached
        return best
    return best


def _key_position(text: str, index: int, key: str, wanted: int) -> tuple[int, int] | None:
    """(position of the key, position of its value) for the ``wanted``-th ``key`` of the object at ``index``."""
    seen = 0
    while text[index] == '"':
        at = index
        match = _KEY.match(text, index)
        if match is None:
            return None
        name, index = json.loads(match.group()), match.end()
        index = _skip_ws(text, index)
        if text[index] != ":":
            return None
        index = _skip_ws(text, index + 1)
        if name == key:
            seen += 1
            if seen == wanted:
                return at, index
        index = _after_value(text, index)
        if text[index] != ",":
            return None
        index = _skip_ws(text, index + 1)
    return None


def _item_position(text: str, index: int, wanted: int) -> int | None:
    for _ in range(wanted):
        if text[index] == "]":
            return None
        index = _after_value(text, index)
        if text[index] != ",":
            return None
        index = _skip_ws(text, index + 1)
    return None if text[index] == "]" else index


def depth_position(text: str, limit: int) -> int | None:
    """Where nesting first goes deeper than ``limit`` (brackets inside strings do not count)."""
    depth = 0
    for match in _STRUCTURE.finditer(text):
        bracket = match.group()
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return match.start()
        elif bracket in "]}":
            depth -= 1
    return None


def token_position(text: str) -> tuple[int, str] | None:
    """The first value a strict read refuses (NaN, Infinity, an overflowing or overlong number) and its text."""
    for match in _SUSPECT.finditer(text):
        token = match.group("bad")
        if token is None:
            continue
        if token.lstrip("-") in ("NaN", "Infinity"):
            return match.start(), token
        digits = token.lstrip("-")
        if digits.isdigit() and len(digits) > MAX_INT_DIGITS:
            return match.start(), token
        if not digits.isdigit() and float(token) in (float("inf"), float("-inf")):
            return match.start(), token
    return None


def lone_surrogate_position(text: str) -> int | None:
    """Where a ``\\uD800``-style escape stands alone: JSON allows it, but it is no character and has no UTF-8."""
    match = _LONE_SURROGATE.search(text)
    return match.start() if match else None


class _Pairs(list[tuple[str, Any]]):
    """An object as the list of its pairs, duplicates kept, to find which key was written twice."""


def duplicate_position(text: str) -> int | None:
    """Where the first key written twice in one object is (its second occurrence)."""
    first: list[tuple[_Pairs, str]] = []

    def pairs(items: list[tuple[str, Any]]) -> _Pairs:
        kept = _Pairs(items)
        if not first:
            keys = [key for key, _ in items]
            repeated = next((key for number, key in enumerate(keys) if key in keys[:number]), None)
            if repeated is not None:
                first.append((kept, repeated))
        return kept

    try:
        document = json.loads(text, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return None
    if not first:
        return None
    target, key = first[0]
    path = _path_to(document, target)
    return None if path is None else path_position(text, [*path, key], occurrence=2)


def _path_to(document: Any, target: _Pairs) -> list[str | int] | None:
    """The path of ``target`` inside ``document`` (walked without recursion)."""
    stack: list[tuple[Any, list[str | int]]] = [(document, [])]
    while stack:
        value, path = stack.pop()
        if value is target:
            return path
        if isinstance(value, _Pairs):
            # The position of a repeated key's value: the first value under that key is enough to walk.
            stack.extend((child, [*path, key]) for key, child in value if isinstance(child, list))
        elif isinstance(value, list):
            stack.extend((child, [*path, number]) for number, child in enumerate(value) if isinstance(child, list))
    return None
