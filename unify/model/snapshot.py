"""The observation snapshot (``unify.snapshot/v1``): the one fact every check reads.

A snapshot is plain JSON data. :class:`Snapshot` wraps the parsed document
without copying it: resources stay the dictionaries ``json`` built, so a
100k-resource file costs one in-memory copy, and the digest is hashed
resource by resource instead of dumping the whole canonical form at once.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import operator
import os
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import IO, Any, Final, Protocol

import fastjsonschema
import orjson

from unify._files import atomic_write, json_line, read_json
from unify._heap import collector_paused
from unify._schema_errors import json_kind, json_path, schema_message
from unify.errors import Problem, SnapshotError
from unify.model.resource import Coverage, Resource
from unify.model.snapshot_schema import check_snapshot_schema, snapshot_schema
from unify.model.time import format_timestamp, parse_timestamp, utcnow

__all__ = [
    "SNAPSHOT_FORMAT",
    "Snapshot",
    "coverage_key",
    "dump_snapshot",
    "load_snapshot",
    "resource_key",
    "snapshot_digest",
    "snapshot_schema",
    "write_snapshot",
]

SNAPSHOT_FORMAT: Final = "unify.snapshot/v1"
SOURCES: Final = ("aws", "terraform-plan", "terraform-state", "file")


def resource_key(resource: Resource) -> tuple[str, str, str, str]:
    """``(type, account, region, id)``: what identifies a resource, and the canonical order."""
    return (resource["type"], resource["account"], resource["region"], resource["id"])


def coverage_key(entry: Coverage) -> tuple[str, str, str]:
    """``(type, account, region)``: the canonical order of coverage entries."""
    return (entry["type"], entry["account"], entry["region"])


def _dump(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


#: ``resource_key`` at C speed, for the passes over every resource.
_KEY: Final = operator.itemgetter("type", "account", "region", "id")
#: Resources dumped at once by the fast digest.
_SLICE: Final = 2048


def _fast_digest(scope: dict[str, Any], coverage: list[Coverage], ordered: list[Resource]) -> str | None:
    """The digest from orjson's canonical bytes; None when orjson cannot dump a value (an integer past 64 bits).

    The bytes equal the standard library's except in rare cases (floats
    written in exponent form, for one), where the two digests differ and
    the caller asks :func:`snapshot_digest`: equal digests mean equal bytes.
    """
    option = orjson.OPT_SORT_KEYS
    digest = hashlib.sha256()
    try:
        digest.update(b'{"coverage":' + orjson.dumps(sorted(coverage, key=coverage_key), option=option))
        digest.update(b',"resources":[')
        for start in range(0, len(ordered), _SLICE):
            if start:
                digest.update(b",")
            digest.update(orjson.dumps(ordered[start : start + _SLICE], option=option)[1:-1])
        digest.update(b'],"scope":' + orjson.dumps(scope, option=option) + b"}")
    except orjson.JSONEncodeError:
        return None
    return "sha256:" + digest.hexdigest()


def snapshot_digest(scope: dict[str, Any], coverage: Iterable[Coverage], resources: Iterable[Resource]) -> str:
    """``sha256:`` of the canonical form, hashed piecewise to stay in memory budget.

    The bytes fed to the hash are exactly ``json.dumps({"coverage", "resources",
    "scope"}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` with
    resources and coverage sorted, as DESIGN.md defines the canonical form.
    """
    digest = hashlib.sha256()
    digest.update(b'{"coverage":')
    digest.update(_dump(sorted(coverage, key=coverage_key)))
    digest.update(b',"resources":[')
    for index, resource in enumerate(sorted(resources, key=resource_key)):
        if index:
            digest.update(b",")
        digest.update(_dump(resource))
    digest.update(b'],"scope":')
    digest.update(_dump(scope))
    digest.update(b"}")
    return "sha256:" + digest.hexdigest()


class Snapshot:
    """A validated observation, indexed by resource type for the evaluator."""

    def __init__(self, data: dict[str, Any], *, file: str = "<snapshot>", validate: bool = True) -> None:
        self.data = data
        self.file = file
        if validate:
            self._validate()

    # -- construction -------------------------------------------------------

    @classmethod
    def build(
        cls,
        *,
        resources: list[Resource],
        coverage: list[Coverage],
        scope: dict[str, list[str]] | None = None,
        source: str = "file",
        taken_at: datetime | str | None = None,
        stats: dict[str, Any] | None = None,
    ) -> Snapshot:
        """A new snapshot from parts, with its digest; ``scope`` defaults to what is listed."""
        if scope is None:
            accounts = {r["account"] for r in resources} | {c["account"] for c in coverage}
            regions = {r["region"] for r in resources} | {c["region"] for c in coverage}
            scope = {"accounts": sorted(accounts), "regions": sorted(regions)}
        if taken_at is None:
            taken_at = utcnow()
        if isinstance(taken_at, datetime):
            taken_at = format_timestamp(taken_at)
        data: dict[str, Any] = {
            "format": SNAPSHOT_FORMAT,
            "taken_at": taken_at,
            "source": source,
            "scope": scope,
            "coverage": sorted(coverage, key=coverage_key),
            "stats": stats or {},
            "resources": sorted(resources, key=resource_key),
        }
        data["digest"] = snapshot_digest(scope, data["coverage"], data["resources"])
        return cls(data)

    def _validate(self) -> None:
        try:
            check_snapshot_schema(self.data)
        except fastjsonschema.JsonSchemaException:
            raise self._explain() from None
        resources = self.data["resources"]
        keys = list(map(_KEY, resources))
        # Files unify writes list their resources in canonical order: then nothing needs sorting, and keys
        # that strictly increase hold no two alike, so only another order needs the set of them.
        self._ordered = all(map(operator.lt, keys, itertools.islice(keys, 1, None)))
        if not self._ordered and len(set(keys)) != len(keys):
            seen: set[tuple[str, str, str, str]] = set()
            for index, key in enumerate(keys):
                if key in seen:
                    raise self._error(["resources", index], f"duplicate resource {key[3]!r} of type {key[0]}")
                seen.add(key)
        del keys
        try:
            self.taken_at_time  # noqa: B018 - parse once, fail early
        except ValueError:
            raise self._error(["taken_at"], f"not a UTC timestamp: {self.data['taken_at']!r}") from None
        declared = self.data.get("digest")
        if declared is not None:
            # orjson's canonical bytes are the standard library's for nearly every snapshot, and four
            # times faster to make; the exact digest decides whenever the two differ.
            actual = _fast_digest(self.scope, self.coverage, self._canonical())
            if actual != declared:
                actual = self.compute_digest()
            if actual != declared:
                raise self._error(
                    ["digest"],
                    f"digest mismatch: file says {declared}, content hashes to {actual}; refusing an altered snapshot",
                )

    def _error(self, path: list[str | int], message: str) -> SnapshotError:
        """A refusal at ``path`` of the document, with the line it has in the file the snapshot came from."""
        return SnapshotError(Problem(self.file, json_line(self.file, path), json_path(path) or None, message))

    def _canonical(self) -> list[Resource]:
        """The resources in canonical order: as they are when the file was written so."""
        ordered = getattr(self, "_ordered", None)
        if ordered is None:
            keys = list(map(_KEY, self.resources))
            ordered = self._ordered = all(map(operator.lt, keys, itertools.islice(keys, 1, None)))
        return self.resources if ordered else sorted(self.resources, key=resource_key)

    def _explain(self) -> SnapshotError:
        # The compiled validator says that something is wrong; jsonschema says
        # precisely where, which is worth its cost (and its import's) only on the failure path.
        import jsonschema

        error = jsonschema.exceptions.best_match(jsonschema.Draft7Validator(snapshot_schema()).iter_errors(self.data))
        if error is None:  # pragma: no cover - both validators agree in practice
            return SnapshotError(Problem(self.file, None, None, "does not match the snapshot schema"))
        return self._error(list(error.absolute_path), schema_message(error))

    # -- accessors ----------------------------------------------------------

    @property
    def taken_at(self) -> str:
        value: str = self.data["taken_at"]
        return value

    @cached_property
    def taken_at_time(self) -> datetime:
        return parse_timestamp(self.data["taken_at"])

    @property
    def source(self) -> str:
        value: str = self.data["source"]
        return value

    @property
    def scope(self) -> dict[str, list[str]]:
        value: dict[str, list[str]] = self.data["scope"]
        return value

    @property
    def coverage(self) -> list[Coverage]:
        value: list[Coverage] = self.data["coverage"]
        return value

    @property
    def resources(self) -> list[Resource]:
        value: list[Resource] = self.data["resources"]
        return value

    @property
    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = self.data.setdefault("stats", {})
        return stats

    @property
    def digest(self) -> str:
        """The declared digest, computed once when the file had none."""
        if "digest" not in self.data:
            self.data["digest"] = self.compute_digest()
        digest: str = self.data["digest"]
        return digest

    def compute_digest(self) -> str:
        return snapshot_digest(self.scope, self.coverage, self.resources)

    @cached_property
    def _by_type(self) -> dict[str, list[Resource]]:
        index: dict[str, list[Resource]] = {}
        for resource in self._canonical():
            index.setdefault(resource["type"], []).append(resource)
        return index

    @cached_property
    def _coverage_by_type(self) -> dict[str, list[Coverage]]:
        index: dict[str, list[Coverage]] = {}
        for entry in sorted(self.coverage, key=coverage_key):
            index.setdefault(entry["type"], []).append(entry)
        return index

    def of_type(self, type_: str) -> list[Resource]:
        """Resources of one type, in canonical order."""
        return self._by_type.get(type_, [])

    def coverage_of(self, type_: str) -> list[Coverage]:
        """Coverage entries of one type, in canonical order."""
        return self._coverage_by_type.get(type_, [])

    @property
    def types(self) -> list[str]:
        return sorted(set(self._by_type) | set(self._coverage_by_type))

    @property
    def accounts(self) -> list[str]:
        """Accounts in scope; those listed anywhere when the scope names none."""
        accounts = list(self.scope.get("accounts") or [])
        if not accounts:
            found = {r["account"] for r in self.resources} | {c["account"] for c in self.coverage}
            accounts = sorted(found)
        return accounts

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def __repr__(self) -> str:
        return f"<Snapshot {self.source} {self.taken_at} {len(self)} resources {self.digest[:19]}>"

    def to_dict(self) -> dict[str, Any]:
        """The document, sorted canonically and with its digest."""
        data = dict(self.data)
        data["resources"] = sorted(self.resources, key=resource_key)
        data["coverage"] = sorted(self.coverage, key=coverage_key)
        data["digest"] = self.digest
        return data


def load_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """Read, validate and digest-check a ``.json`` or ``.json.gz`` snapshot."""
    name = str(path)
    with collector_paused():  # millions of containers, no cycle among them
        data = read_json(path, SnapshotError, "snapshot")
        if not isinstance(data, dict):
            raise SnapshotError(Problem(name, 1, None, f"a snapshot is a JSON object, not {json_kind(data)}"))
        if data.get("format") != SNAPSHOT_FORMAT:
            found = data.get("format")
            raise SnapshotError(
                Problem(
                    name,
                    json_line(name, ["format"]),
                    "format",
                    f"not a unify snapshot: format is {found!r}, expected {SNAPSHOT_FORMAT!r}",
                )
            )
        return Snapshot(data, file=name)


def write_snapshot(snapshot: Snapshot, path: str | os.PathLike[str]) -> Path:
    """Write canonically (gzip when the name ends in ``.gz``), atomically.

    The file appears under its name only once complete, so an interrupted
    write never leaves a half snapshot where a good one was.
    """

    def fill(raw: IO[bytes]) -> None:
        if Path(path).name.endswith(".gz"):
            with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
                dump_snapshot(snapshot, handle)
        else:
            dump_snapshot(snapshot, raw)

    return atomic_write(path, fill)


class Sink(Protocol):
    """Where a snapshot is written: a binary file, a gzip stream, a buffer."""

    def write(self, data: bytes, /) -> object: ...


def dump_snapshot(snapshot: Snapshot, handle: Sink) -> None:
    """The canonical file form, streamed: sorted keys, one resource per line."""
    _write_document(snapshot.to_dict(), handle)


def _write_document(document: dict[str, Any], handle: Sink) -> None:
    # One resource per line: diffable, and each line goes through the C encoder.
    handle.write(b"{")
    for index, key in enumerate(sorted(document)):
        handle.write(b",\n" if index else b"\n")
        handle.write(_dump(key) + b":")
        value = document[key]
        if key in ("resources", "coverage") and value:
            for position, item in enumerate(value):
                handle.write(b",\n" if position else b"[\n")
                handle.write(_dump(item))
            handle.write(b"\n]")
        else:
            handle.write(_dump(value))
    handle.write(b"\n}\n")
