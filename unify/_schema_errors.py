"""A JSON Schema error in words: what was expected and what kind of value came, never the value whole.

jsonschema's own message starts with the ``repr`` of the offending value,
which for a hostile file is a megabyte string or the whole resource list.
Snapshots, plans and states are validated against schemas; their errors go
through :func:`schema_message` so the one error line stays short.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:  # loaded only where a document is refused: valid input never pays for it
    import jsonschema

__all__ = ["json_kind", "json_path", "schema_message"]

#: Longest value quoted in a message: past it the value is cut with a note.
_QUOTED: Final = 60


def json_kind(value: Any) -> str:
    """The kind of a JSON value in words: ``a list``, ``an object``, ``null``..."""
    kinds = {list: "a list", dict: "an object", str: "a string", bool: "a boolean", type(None): "null"}
    return kinds.get(type(value), "a number")


def json_path(path: Sequence[str | int]) -> str:
    """``resources[3].attributes.tags``: the path a problem names as its key."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def schema_message(error: jsonschema.ValidationError) -> str:
    """The error in words: a wrong type says what it got; a long value is quoted only in part."""
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return f"expected {' or '.join(str(e) for e in expected)}, got {json_kind(error.instance)}"
    message = error.message
    if isinstance(error.instance, str) and len(error.instance) > _QUOTED:
        cut = f"{error.instance[:_QUOTED]!r}... ({len(error.instance):,} characters)"
        message = message.replace(repr(error.instance), cut, 1)
    return message
