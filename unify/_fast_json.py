"""Fast JSON reading: orjson's parse, kept only when it is provably what the strict parser would return.

Reading was most of the time a large snapshot took to audit: the standard
library's parser, with the hooks unify's strictness needs (no duplicate
keys, no NaN, finite numbers), read a 100k-resource snapshot several times
slower than orjson. orjson already refuses NaN, Infinity, numbers that
overflow, bad UTF-8, a byte-order mark and lone surrogates, as unify must,
but it keeps the last of duplicate keys, reads integers past 64 bits as
floats and nests 1024 deep. Each of those leaves a trace that C-speed
passes over the bytes find (:func:`_faithful`); whenever orjson refuses a
text or the check doubts its reading, :class:`Doubtful` sends the text to
the strict parser, which decides and words every error. So the fast path
changes how quickly a document is read, never what is read or refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

import orjson

__all__ = ["Doubtful", "trusted_loads"]


class Doubtful(Exception):
    """orjson refused the text, or its reading may differ from the strict parser's: ask the strict parser."""


#: Every byte but the five that make JSON's structure, and the map that makes both kinds of bracket one.
_NOT_STRUCTURE: Final = bytes(range(256)).translate(None, b'"[]{}')
_ONE_BRACKET: Final = bytes.maketrans(b"[]{}", b"()()")
_QUOTED: Final = re.compile(rb'"[^"]*"')
#: Items of a long list dumped at once when a parse is checked: bounds the check's memory.
_SLICE: Final = 2048


def _height(compact: bytes, limit: int) -> int:
    """How deep the containers of one compact JSON text nest (counting stops past ``limit``), from its bytes.

    Escaped backslashes and quotes go first, so every quote left opens or
    closes a string; then everything but quotes and brackets, then the
    strings (with any brackets inside them). What is left is the bare
    bracket structure: each pass that removes the empty pairs removes
    exactly one level.
    """
    text = compact
    if b"\\" in text:
        text = text.replace(b"\\\\", b"")
    if b'\\"' in text:
        text = text.replace(b'\\"', b"")
    text = text.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    if b'"' in text:
        text = _QUOTED.sub(b"", text)
    text = text.translate(_ONE_BRACKET)
    height = 0
    while text and height <= limit:
        text = text.replace(b"()", b"")
        height += 1
    return height


def _pieces(document: Any) -> Iterator[tuple[bytes, int]]:
    """The document as compact JSON in pieces, each with how far below the top its outermost bracket is.

    A long list at the top (or as a value of the top-level object: a
    snapshot's resources) is dumped a slice at a time, so checking a parse
    never holds a second copy of a large file. Together the pieces hold
    every colon the whole document dumps: the key of a sliced list gives
    its own.
    """
    if type(document) is list and len(document) > _SLICE:
        for start in range(0, len(document), _SLICE):
            yield orjson.dumps(document[start : start + _SLICE]), 0
        return
    if type(document) is not dict:
        yield orjson.dumps(document), 0
        return
    rest: dict[str, Any] = {}
    for key, value in document.items():
        if type(value) is list and len(value) > _SLICE:
            yield b":", 0
            for start in range(0, len(value), _SLICE):
                yield orjson.dumps(value[start : start + _SLICE]), 1
        else:
            rest[key] = value
    yield orjson.dumps(rest), 0


def _faithful(raw: bytes, document: Any, max_depth: int) -> bool:
    """Whether orjson's reading of ``raw`` is the strict parser's.

    A duplicate key makes ``raw`` hold more colons than the parsed
    document dumps (a colon written as an escape could hide one, so such a
    text is doubted), an integer read as a float dumps in exponent form
    (so does a float of 1e16 or more: doubted too, and read strictly), and
    nesting shows in the brackets.
    """
    if b"\\u003a" in raw or b"\\u003A" in raw:
        return False
    colons = 0
    for piece, depth in _pieces(document):
        if b"e+" in piece or depth + _height(piece, max_depth - depth) > max_depth:
            return False
        colons += piece.count(b":")
    return colons == raw.count(b":")


def trusted_loads(raw: bytes, max_depth: int) -> Any:
    """``raw`` parsed by orjson when that is provably the strict reading, else :class:`Doubtful`."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise Doubtful from None
    if not _faithful(raw, document, max_depth):
        raise Doubtful
    return document
