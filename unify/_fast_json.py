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

A long text in the layout snapshots are written in (each long list one
item per line) is read a slice of lines at a time (:func:`_by_lines`), so
orjson's parse of the whole text is never held beside the objects it
makes; each slice passes the same check.
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


def _brackets(text: bytes) -> bytes:
    """The bare bracket structure of JSON text whose strings are whole: the brackets outside strings.

    Escaped backslashes and quotes go first, so every quote left opens or
    closes a string; then everything but quotes and brackets, then the
    strings (with any brackets inside them).
    """
    if b"\\" in text:
        text = text.replace(b"\\\\", b"")
    if b'\\"' in text:
        text = text.replace(b'\\"', b"")
    text = text.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    if b'"' in text:
        text = _QUOTED.sub(b"", text)
    return text


def _height(compact: bytes, limit: int) -> int:
    """How deep the containers of one compact JSON text nest (counting stops past ``limit``), from its bytes.

    Of the bare bracket structure (:func:`_brackets`), each pass that
    removes the empty pairs removes exactly one level.
    """
    text = _brackets(compact).translate(_ONE_BRACKET)
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
    # One-byte searches first: memchr's speed, where the two-byte and six-byte ones stop at every "e" and "\\".
    if b"\\" in raw and (b"\\u003a" in raw or b"\\u003A" in raw):
        return False
    colons = 0
    for piece, depth in _pieces(document):
        if (b"+" in piece and b"e+" in piece) or depth + _height(piece, max_depth - depth) > max_depth:
            return False
        colons += piece.count(b":")
    return colons == raw.count(b":")


#: A text this long is looked at for lists laid out one item per line, to read them a slice at a time.
BY_LINES_FROM: Final = 8 << 20
#: About how many bytes of such a list are parsed at once.
LINES_AT_ONCE: Final = 4 << 20
#: A text this long has its equal string values made one object (memory, at some CPU cost).
SHARE_STRINGS_FROM: Final = 256 << 20
#: Where a list laid out one item per line opens: a key ends its line with ``[``.
_OPENS: Final = b'":[\n'
_CLOSES: Final = b"\n]"


def _open_at(text: bytes, end: int) -> int:
    """How many containers are open at ``end`` in ``text``, a JSON text orjson has read (so its strings are whole)."""
    prefix = _brackets(text[:end])
    return prefix.count(b"[") + prefix.count(b"{") - prefix.count(b"]") - prefix.count(b"}")


def _long_lists(raw: bytes) -> list[tuple[int, int, int]] | None:
    """Each list of ``raw`` laid out one item per line: (where its key starts, where its items start and end).

    The layout :func:`unify.model.snapshot.dump_snapshot` writes: a key
    alone on its line with ``[``, one item per line, ``]`` on a line of its
    own. None when there is none, or one is not laid out so.
    """
    found: list[tuple[int, int, int]] = []
    at = raw.find(_OPENS)
    while at != -1:
        key = raw.rfind(b"\n", 0, at) + 1
        start, end = at + len(_OPENS), raw.find(_CLOSES, at)
        if raw[key : key + 1] != b'"' or end < start:
            return None
        found.append((key, start, end))
        at = raw.find(_OPENS, end)
    return found or None


def _items(raw: bytes, start: int, end: int, max_depth: int, *, intern: bool) -> list[Any] | None:
    """The items of one list of ``raw`` laid out one per line, read a slice of lines at a time.

    None when the slices do not read as whole items (an item spans lines):
    the text is then read at once. A slice read differently by orjson than
    by the strict parser is :class:`Doubtful`, as the whole text would be.
    """
    items: list[Any] = []
    at = start
    while at < end:
        cut = raw.find(b"\n", min(at + LINES_AT_ONCE, end), end)
        cut = end if cut == -1 else cut
        piece = raw[at:cut]
        if cut < end:
            if not piece.endswith(b","):
                return None
            piece = piece[:-1]
        text = b"[" + piece + b"]"
        try:
            part = orjson.loads(text)
        except orjson.JSONDecodeError:
            return None
        # The slice's own list stands for the one it is part of, one level below the top.
        if not _faithful(text, part, max_depth - 1):
            raise Doubtful
        if intern:
            _share_strings(part)
        items.extend(part)
        at = cut + 1
    return items


def _share_strings(items: list[Any]) -> None:
    """Make equal string values of ``items`` one object (orjson shares keys, not values).

    A snapshot repeats its values: account ids, regions, types, states.
    Shared within each slice (a few thousand resources, so the table of
    strings stays small), the copies are freed before the next slice is
    parsed, which reuses their memory. A million-resource snapshot took 2.5
    GB instead of 3.4, for 8 s more CPU: hence only for texts of 256 MB on.
    """
    seen: dict[str, str] = {}
    share = seen.setdefault
    stack: list[Any] = [items]
    while stack:
        container = stack.pop()
        pairs = container.items() if type(container) is dict else enumerate(container)
        for key, value in pairs:
            kind = type(value)
            if kind is str:
                container[key] = share(value, value)
            elif kind is dict or kind is list:
                stack.append(value)


def _by_lines(raw: bytes, max_depth: int) -> Any:
    """``raw`` read with its long lists a slice at a time; None when it is not laid out for that.

    Read at once, a million-resource snapshot held orjson's parse of the
    whole text beside the objects it makes: 5.9 GB at the peak for 3.3 GB
    of snapshot. A slice at a time, the parse of one slice is held. What is
    read is the same: the rest of the text (each long list emptied) is read
    and checked as a whole, each long list must be a value of the top-level
    object, and every slice passes the same check as a whole text.
    """
    lists = _long_lists(raw)
    if lists is None:
        return None
    parts: list[bytes] = []
    names: list[tuple[int, str]] = []
    taken = last = 0
    for key, start, end in lists:
        try:
            name = orjson.loads(raw[key : start - len(_OPENS) + 1])
        except orjson.JSONDecodeError:
            return None  # the line holds more than the key
        if type(name) is not str:
            return None
        parts.append(raw[last:start])
        names.append((key - taken, name))
        taken += end - start
        last = end
    parts.append(raw[last:])
    rest = b"".join(parts)
    try:
        document = orjson.loads(rest)
    except orjson.JSONDecodeError:
        return None
    if type(document) is not dict:
        return None
    if not _faithful(rest, document, max_depth):
        raise Doubtful
    for key_at, name in names:
        if _open_at(rest, key_at) != 1 or document.get(name) != []:
            return None
    for (_, name), (_, start, end) in zip(names, lists, strict=True):
        items = _items(raw, start, end, max_depth, intern=len(raw) >= SHARE_STRINGS_FROM)
        if items is None:
            return None
        document[name] = items
    return document


def trusted_loads(raw: bytes, max_depth: int) -> Any:
    """``raw`` parsed by orjson when that is provably the strict reading, else :class:`Doubtful`."""
    if len(raw) >= BY_LINES_FROM:
        document = _by_lines(raw, max_depth)
        if document is not None:
            return document
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise Doubtful from None
    if not _faithful(raw, document, max_depth):
        raise Doubtful
    return document
