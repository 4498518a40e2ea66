"""Reading and writing files: atomic writes, and bounded, strict reads whose errors name the file and line.

A written file appears under its name only once complete, and nothing the
user had is damaged: devices and FIFOs are written through, symlinks
followed, folders refused.

Used for every file unify writes (snapshots, reports), so an interrupted
run never leaves half a file where a good one was, and the new file gets the
same permissions a plain ``open(..., "w")`` would give it. Reads are bounded
(size, decompression ratio, nesting depth, number size) so no input can
exhaust memory or hang a run.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import math
import os
import stat
import tempfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Final

from unify._fast_json import Doubtful, trusted_loads
from unify._heap import collector_paused
from unify._json_source import (
    MAX_INT_DIGITS,
    depth_position,
    duplicate_position,
    line_at,
    lone_surrogate_position,
    path_position,
    token_position,
)
from unify.errors import OutputError, Problem

__all__ = [
    "MAX_DEPTH",
    "MAX_INPUT_BYTES",
    "atomic_write",
    "decode_text",
    "inflate",
    "input_limit",
    "json_line",
    "parse_json",
    "read_json",
]


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _destination(path: str | os.PathLike[str]) -> tuple[Path, bool]:
    """Where a write to ``path`` lands, and whether it must write through rather than replace.

    A symlink is followed to what it names (the link itself stays); a device,
    FIFO or terminal is written through, since replacing ``/dev/null`` with a
    regular file (as root) or a FIFO with a file breaks whatever relied on it.
    """
    target = Path(path)
    if target.is_symlink():
        try:
            resolved = target.resolve(strict=False)
        except (OSError, RuntimeError) as exc:  # a symlink loop
            raise OutputError(f"{target}: cannot write: the symlink cannot be followed: {exc}") from None
        if not resolved.parent.is_dir():
            raise OutputError(f"{target}: cannot write: the symlink points into a missing folder ({resolved.parent})")
        target = resolved
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{target}: cannot write: cannot make its folder: {exc.strerror or exc}") from None
        return target, False
    except OSError as exc:
        raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise OutputError(f"{target}: cannot write: it is a folder; give a file name")
    if stat.S_ISSOCK(mode):
        raise OutputError(f"{target}: cannot write: it is a socket")
    return target, not stat.S_ISREG(mode)


def atomic_write(path: str | os.PathLike[str], fill: Callable[[BinaryIO], None]) -> Path:
    """Write through ``fill(handle)`` to a temporary file, then rename it over the destination.

    A regular file appears only once complete (an interrupted run leaves the
    old file, never half a new one); a device or FIFO is written in place; a
    symlink is followed, so the link and the folder it lives in are kept.
    """
    target, through = _destination(path)
    try:
        if through:
            with open(target, "wb") as handle:
                fill(handle)
            return target
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
    try:
        # mkstemp creates 0600; give the file the mode the umask allows.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


#: Deepest nesting unify reads in a JSON document (snapshots nest policy documents about ten deep).
MAX_DEPTH: Final = 100
#: Largest input unify reads, compressed or not; ``UNIFY_MAX_INPUT_BYTES`` raises (or lowers) it.
MAX_INPUT_BYTES: Final = 4 * 1024**3
#: Past this much inflated data, a gzip file that inflates more than ``MAX_RATIO`` times is refused as a bomb.
_RATIO_FLOOR: Final = 64 * 1024**2
MAX_RATIO: Final = 100
_CHUNK: Final = 1024**2


def input_limit() -> int:
    """The largest input in bytes: ``UNIFY_MAX_INPUT_BYTES`` when set to a positive number, else the default."""
    raw = os.environ.get("UNIFY_MAX_INPUT_BYTES", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else MAX_INPUT_BYTES


def _read_bounded(path: str | os.PathLike[str], name: str, error: type[Exception], what: str) -> bytes:
    """The bytes of a file (inflated when gzip), refusing more than the input limit or a gzip bomb."""
    limit = input_limit()
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise error(
                    Problem(
                        name,
                        None,
                        None,
                        f"{what} is {size:,} bytes, more than the {limit:,} unify "
                        "reads (set UNIFY_MAX_INPUT_BYTES to raise the limit)",
                    )
                )
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise error(Problem(name, None, None, f"cannot read {what}: {exc.strerror or exc}")) from None
    if name.endswith(".gz") and raw[:2] != b"\x1f\x8b":
        raise error(Problem(name, None, None, f"the {what} is named .gz but is not gzip data"))
    return inflate(raw, name, error)


def inflate(raw: bytes, name: str, error: type[Exception]) -> bytes:
    """``raw`` inflated when it is gzip (by its magic bytes), as it is otherwise; a bomb is refused."""
    limit = input_limit()
    if raw[:2] != b"\x1f\x8b":
        return raw
    inflated = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
            while chunk := stream.read(_CHUNK):
                inflated += chunk
                if len(inflated) > limit or (len(inflated) > _RATIO_FLOOR and len(inflated) > MAX_RATIO * len(raw)):
                    raise error(
                        Problem(
                            name,
                            None,
                            None,
                            f"gzip data inflates past {len(inflated):,} bytes from "
                            f"{len(raw):,}: refusing a possible gzip bomb (set "
                            "UNIFY_MAX_INPUT_BYTES to raise the limit)",
                        )
                    )
    except (OSError, EOFError, zlib.error) as exc:
        raise error(Problem(name, None, None, f"broken gzip data: {exc}")) from None
    return bytes(inflated)


#: Byte-order marks of the encodings unify does not read, longest first (UTF-32 LE starts like UTF-16 LE).
_WIDE_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _wide_encoding(raw: bytes) -> str | None:
    """UTF-16 or UTF-32, by a byte-order mark or by the NUL bytes ASCII text has in them (RFC 4627 3)."""
    for bom, encoding in _WIDE_BOMS:
        if raw.startswith(bom):
            return f"{encoding} (byte-order mark {bom.hex(' ').upper()})"
    head = raw[:4]
    if len(head) == 4 and head[0] and not head[1] and not head[2] and not head[3]:
        return "UTF-32 (no byte-order mark)"
    if len(head) == 4 and not head[0] and not head[1] and not head[2] and head[3]:
        return "UTF-32 (no byte-order mark)"
    if len(head) >= 2 and (bool(head[0]) != bool(head[1])):
        return "UTF-16 (no byte-order mark)"
    return None


def decode_text(raw: bytes, name: str, error: type[Exception], what: str = "text") -> str:
    """``raw`` as text: UTF-8 (a byte-order mark dropped), or UTF-16/32 when a byte-order mark says so.

    YAML and JSON exchanged between systems are UTF-8 (RFC 8259 8.1), but
    PowerShell's ``>`` writes UTF-16 with a byte-order mark, and real plans
    arrive that way: with the mark the encoding is certain, so the file is
    read. Wide text without a mark is ambiguous and refused with what it
    looks like; bad bytes are refused with their line.
    """
    offset = 0
    if raw.startswith(codecs.BOM_UTF8):
        raw, offset = raw[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
    wide = _wide_encoding(raw)
    if wide is not None:
        marked = next(((bom, encoding) for bom, encoding in _WIDE_BOMS if raw.startswith(bom)), None)
        if marked is None:
            raise error(Problem(name, 1, None, f"the {what} is {wide}; unify reads UTF-8: save it as UTF-8"))
        encoding = marked[1]
        codec = {"UTF-16": "utf-16", "UTF-32": "utf-32"}[encoding.split()[0]]
        try:
            return raw.decode(codec)  # the codec drops the byte-order mark
        except UnicodeDecodeError as exc:
            message = f"broken {encoding} {what}: {exc.reason} at byte {exc.start:,}"
            raise error(Problem(name, None, None, message)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start : exc.start + 1].hex().upper()
        raise error(
            Problem(name, line, None, f"not UTF-8 {what}: byte {exc.start + offset:,} (0x{byte}) is not UTF-8")
        ) from None


class _Refused(ValueError):
    """A value strict JSON refuses; raised by the parse hooks, located afterwards."""


def _no_constant(text: str) -> Any:
    raise _Refused(f"{text} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise _Refused(f"the number {text[:40]}{'...' if len(text) > 40 else ''} is out of range")
    return number


class _Duplicate(ValueError):
    """A key written twice in one object."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Duplicate(f"duplicate key {key[:80]!r}")
            seen.add(key)
    return found


def _too_deep(document: Any) -> bool:
    """Whether ``document`` nests deeper than :data:`MAX_DEPTH` (walked without recursion)."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = value.values() if type(value) is dict else value
        stack.extend((child, depth + 1) for child in children if type(child) in (dict, list))
    return False


def _line(text: str, position: int | None) -> int | None:
    return None if position is None else line_at(text, position)


def _too_deep_error(text: str, name: str, error: type[Exception]) -> Exception:
    line = _line(text, depth_position(text, MAX_DEPTH))
    return error(Problem(name, line, None, f"JSON nested deeper than {MAX_DEPTH} levels"))


def _refused_error(exc: ValueError, text: str, name: str, error: type[Exception]) -> Exception:
    if isinstance(exc, _Duplicate):
        return error(Problem(name, _line(text, duplicate_position(text)), None, f"invalid JSON: {exc}"))
    found = token_position(text)
    line = None if found is None else line_at(text, found[0])
    if isinstance(exc, _Refused) or found is None:
        return error(Problem(name, line, None, f"invalid JSON: {str(exc)[:200]}"))
    digits = len(found[1].lstrip("-"))
    return error(
        Problem(
            name,
            line,
            None,
            f"invalid JSON: a number of {digits:,} digits is longer than the {MAX_INT_DIGITS:,} unify reads",
        )
    )


def parse_json(raw: bytes | str, name: str, error: type[Exception]) -> Any:
    """Strict JSON: no NaN or Infinity, no out-of-range numbers, no duplicate keys, at most MAX_DEPTH deep.

    UTF-8 only, and no lone surrogate escapes (``"\\ud800"`` is no
    character: it could not be written back as UTF-8). Every refusal names
    the line where the problem is.

    Bytes go to orjson first (:mod:`unify._fast_json`: several times
    faster, and kept only when its reading is provably this one); anything
    it refuses or doubts (a byte-order mark, UTF-16, a lone surrogate, a
    duplicate key) is read here, which decides and words every error. The
    cycle collector rests meanwhile: parsed JSON has no cycles to find.
    """
    if isinstance(raw, bytes):
        with collector_paused():
            try:
                return trusted_loads(raw, MAX_DEPTH)
            except Doubtful:
                pass
    text = decode_text(raw, name, error, "JSON") if isinstance(raw, bytes) else raw.removeprefix("\ufeff")
    try:
        document = json.loads(text, parse_constant=_no_constant, parse_float=_finite, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise error(Problem(name, exc.lineno, None, f"invalid JSON: {exc.msg} (column {exc.colno})")) from None
    except RecursionError:
        raise _too_deep_error(text, name, error) from None
    except ValueError as exc:  # an integer of thousands of digits, NaN, a duplicate key
        raise _refused_error(exc, text, name, error) from None
    if type(document) in (dict, list) and _too_deep(document):
        raise _too_deep_error(text, name, error)
    if "\\u" in text:
        lone = lone_surrogate_position(text)
        if lone is not None:
            raise error(
                Problem(
                    name,
                    line_at(text, lone),
                    None,
                    f"invalid JSON: {text[lone : lone + 6]} is a lone surrogate, not a character",
                )
            )
    return document


def read_json(path: str | os.PathLike[str], error: type[Exception], what: str = "file") -> Any:
    """A JSON file, gzip detected by content; every failure is ``error`` with the file (and line).

    ``error`` is an :class:`unify.errors.InputError` subclass, so the CLI
    prints one line and exits 2. Reading is bounded: size, inflation, depth.
    """
    name = str(path)
    return parse_json(_read_bounded(path, name, error, what), name, error)


def json_line(file: str, path: Sequence[str | int]) -> int | None:
    """The line of ``path`` in a JSON file already read (read again: only a failing load asks).

    None when the file cannot be read again (a remote object) or the path
    is not in it.
    """
    try:
        text = decode_text(_read_bounded(file, file, ValueError, "file"), file, ValueError)
    except ValueError:
        return None
    return line_at(text, path_position(text, path))
