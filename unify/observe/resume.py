"""A resumable observation (``--resume DIR``): each finished unit's outcome on disk, skipped on the next run.

A long organisation-wide run that is interrupted (Ctrl-C, a lost machine)
should not observe again what it already saw. Each unit that finished
``ok`` is written to DIR as one JSON file, as soon as it finishes, by the
coordinator; a rerun with the same DIR reads them back and runs only the
other units. The merge is by unit, so the snapshot (and its digest) is that
of an uninterrupted run. Units in error are not written: a rerun tries them
again.

A file appears under its name only once complete (written to a temporary
file, then linked into place), is never written over (a name already taken
is an error), and is readable by its owner only, since it holds what the
estate holds. DIR itself and the unit files must be plain: a symlink, a
device or a FIFO is refused, as is a unit file that is not what unify wrote
(one line naming the file and the key, exit 2).
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any, Final

from unify.errors import InputError, OutputError, Problem
from unify.model.resource import Coverage, Resource
from unify.model.resource_type import ResourceTypes
from unify.observe.redaction import redact_resource, redact_text
from unify.observe.shards import Unit, UnitOutcome

__all__ = ["UNIT_FORMAT", "ResumeDir"]

#: The ``format`` of a unit file.
UNIT_FORMAT: Final = "unify.unit/v1"
_SUFFIX: Final = ".unit.json"
_COVERAGE_KEYS: Final = ("type", "account", "region", "status")


def _names(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item for item in value)


def _name(key: tuple[str, str, str]) -> str:
    account, region, collector = key
    return f"{account}_{region}_{collector}{_SUFFIX}"


class ResumeDir:
    """The folder of one resumable run: what finished so far, and where the next outcome goes."""

    def __init__(self, path: str | os.PathLike[str], declared: ResourceTypes) -> None:
        self.path = Path(path)
        self._declared = declared
        #: The units :meth:`load` found: a run observes one again only when it needs more attributes than the
        #: saved one holds, and its file then stays as it was.
        self._on_disk: set[tuple[str, str, str]] = set()
        try:
            mode = os.lstat(self.path).st_mode
        except FileNotFoundError:
            try:
                self.path.mkdir(parents=True, mode=0o700)
            except OSError as exc:
                raise OutputError(f"{self.path}: cannot make the resume folder: {exc.strerror or exc}") from None
            return
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot use as the resume folder: {exc.strerror or exc}") from None
        if stat.S_ISLNK(mode):
            raise OutputError(f"{self.path}: the resume folder is a symlink; give the folder itself")
        if not stat.S_ISDIR(mode):
            raise OutputError(f"{self.path}: the resume folder is not a folder")

    def load(self) -> dict[tuple[str, str, str], UnitOutcome]:
        """Every unit outcome written so far, by unit key; a file that is not one is bad input."""
        found: dict[tuple[str, str, str], UnitOutcome] = {}
        for entry in sorted(self.path.iterdir()):
            if not entry.name.endswith(_SUFFIX):
                continue  # not ours: left alone
            mode = os.lstat(entry).st_mode
            if not stat.S_ISREG(mode):
                raise InputError(Problem(str(entry), None, None, "a unit file must be a plain file (not a symlink)"))
            outcome = self._read(entry)
            found[outcome.unit.key] = outcome
        self._on_disk |= set(found)
        return found

    def _read(self, path: Path) -> UnitOutcome:
        file = str(path)
        try:
            document = json.loads(path.read_bytes())
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(Problem(file, None, None, f"cannot read the unit file: {exc}")) from None
        except json.JSONDecodeError as exc:
            raise InputError(Problem(file, exc.lineno, None, f"not JSON: {exc.msg}")) from None

        def bad(key: str, message: str) -> InputError:
            return InputError(Problem(file, None, key, message))

        if not isinstance(document, dict):
            raise bad("format", "a unit file is a JSON object")
        if document.get("format") != UNIT_FORMAT:
            raise bad("format", f"expected {UNIT_FORMAT!r}, found {document.get('format')!r}")
        unit = document.get("unit")
        names = ("account", "region", "collector")
        if not isinstance(unit, dict) or not all(isinstance(unit.get(k), str) for k in names):
            raise bad("unit", "expected an object with account, region and collector (strings)")
        key = (unit["account"], unit["region"], unit["collector"])
        if path.name != _name(key):
            raise bad("unit", f"the file holds unit {'/'.join(key)}, whose file is {_name(key)}")
        resources = document.get("resources")
        if not isinstance(resources, list) or not all(
            isinstance(r, dict) and all(isinstance(r.get(k), str) for k in ("type", "id", "account", "region"))
            for r in resources
        ):
            raise bad("resources", "expected a list of resources with type, id, account and region")
        coverage = document.get("coverage")
        if not isinstance(coverage, list) or not all(
            isinstance(c, dict) and all(isinstance(c.get(k), str) for k in _COVERAGE_KEYS) for c in coverage
        ):
            raise bad("coverage", "expected a list of coverage entries with type, account, region and status")
        if any(c["status"] != "ok" for c in coverage):
            raise bad("coverage", "a unit file holds only units observed ok")
        if not all(_names(c.get("not_collected", [])) for c in coverage):
            raise bad("coverage", "not_collected must be a list of attribute names")
        stats = document.get("stats")
        if not isinstance(stats, dict):
            raise bad("stats", "expected an object")
        return UnitOutcome(Unit(*key), resources, coverage, stats)

    def save(self, outcome: UnitOutcome) -> None:
        """Write one finished unit (redacted, as the snapshot would hold it); never over an existing file.

        A unit :meth:`load` found already has its file (a narrower run's): that file stays as it was.
        """
        if outcome.unit.key in self._on_disk:
            return
        resources: list[Resource] = [redact_resource(r, self._declared) for r in outcome.resources]
        coverage: list[Coverage] = [dict(c) for c in outcome.coverage]  # type: ignore[misc]
        for entry in coverage:
            if "error" in entry:
                entry["error"] = {**entry["error"], "message": redact_text(entry["error"]["message"])}
        account, region, collector = outcome.unit.key
        document: dict[str, Any] = {
            "format": UNIT_FORMAT,
            "unit": {"account": account, "region": region, "collector": collector},
            "resources": resources,
            "coverage": coverage,
            "stats": outcome.stats,
        }
        target = self.path / _name(outcome.unit.key)
        try:
            fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=self.path)  # mode 0600
        except OSError as exc:
            raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(json.dumps(document, sort_keys=True, separators=(",", ":")).encode())
                handle.flush()
                os.fsync(handle.fileno())
            os.link(temp, target)  # fails if the name is taken: nothing is written over
        except FileExistsError:
            raise OutputError(f"{target}: cannot write: the file exists and is not overwritten") from None
        except OSError as exc:
            raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
        finally:
            Path(temp).unlink(missing_ok=True)
