"""Reading and writing files: atomic writes, and JSON reads whose errors name the file.

A written file appears under its name only once complete.

Used for every file unify writes (snapshots, reports), so an interrupted
run never leaves half a file where a good one was, and the new file gets the
same permissions a plain ``open(..., "w")`` would give it.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from unify.errors import Problem

__all__ = ["atomic_write", "read_json"]


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write(path: str | os.PathLike[str], fill: Callable[[BinaryIO], None]) -> Path:
    """Write through ``fill(handle)`` to a temporary file, then rename it over ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        # mkstemp creates 0600; give the file the mode the umask allows.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def read_json(path: str | os.PathLike[str], error: type[Exception], what: str = "file") -> Any:
    """A JSON file, gzip detected by content; every failure is ``error`` with the file (and line).

    ``error`` is an :class:`unify.errors.InputError` subclass, so the CLI
    prints one line and exits 2.
    """

    name = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise error(Problem(name, None, None, f"cannot read {what}: {exc.strerror or exc}")) from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise error(Problem(name, None, None, f"broken gzip data: {exc}")) from None
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        raise error(Problem(name, None, None, f"not UTF-8 JSON (byte {exc.start})")) from None
    except json.JSONDecodeError as exc:
        raise error(Problem(name, exc.lineno, None, f"invalid JSON: {exc.msg} (column {exc.colno})")) from None
