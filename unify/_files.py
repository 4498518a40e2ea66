"""Reading and writing files: atomic writes, and JSON reads whose errors name the file.

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

import gzip
import io
import json
import math
import os
import stat
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, Final

from unify.errors import OutputError, Problem

__all__ = ["MAX_DEPTH", "MAX_INPUT_BYTES", "atomic_write", "inflate", "input_limit", "parse_json", "read_json"]


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


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"the number {text[:40]} is out of range")
    return number


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key[:80]!r}")
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


def parse_json(raw: bytes | str, name: str, error: type[Exception]) -> Any:
    """Strict JSON: no NaN or Infinity, no out-of-range numbers, no duplicate keys, at most MAX_DEPTH deep."""
    try:
        document = json.loads(raw, parse_constant=_no_constant, parse_float=_finite, object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError as exc:
        raise error(Problem(name, None, None, f"not UTF-8 JSON (byte {exc.start})")) from None
    except json.JSONDecodeError as exc:
        raise error(Problem(name, exc.lineno, None, f"invalid JSON: {exc.msg} (column {exc.colno})")) from None
    except RecursionError:
        raise error(Problem(name, None, None, f"JSON nested deeper than {MAX_DEPTH} levels")) from None
    except ValueError as exc:  # an integer of thousands of digits, NaN, a duplicate key
        raise error(Problem(name, None, None, f"invalid JSON: {str(exc)[:200]}")) from None
    if type(document) in (dict, list) and _too_deep(document):
        raise error(Problem(name, None, None, f"JSON nested deeper than {MAX_DEPTH} levels"))
    return document


def read_json(path: str | os.PathLike[str], error: type[Exception], what: str = "file") -> Any:
    """A JSON file, gzip detected by content; every failure is ``error`` with the file (and line).

    ``error`` is an :class:`unify.errors.InputError` subclass, so the CLI
    prints one line and exits 2. Reading is bounded: size, inflation, depth.
    """
    name = str(path)
    return parse_json(_read_bounded(path, name, error, what), name, error)
