"""The evidence store: every audit recorded, content-addressed and hash-chained.

Layout (the same in a local folder and under an S3 prefix)::

    objects/sha256/ab/cdef...   blobs, named by the SHA-256 of their bytes
    runs/00000001.json          run manifests, numbered; each names the
                                SHA-256 of the one before it

Nothing is ever overwritten. Objects and runs are created exclusively: locally
by writing a temporary file and hard-linking it into place (the link fails if
the name exists), on S3 with a conditional put (``If-None-Match: *``). Two
audits recording at once race for the next run number; the loser reads the new
head and takes the number after it, so the chain never forks.
"""

from __future__ import annotations

import getpass
import gzip
import io
import json
import os
import platform
import re
import socket
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from unify._version import __version__
from unify.checks.policy_set import PolicySet
from unify.errors import EvidenceError
from unify.model.snapshot import Snapshot, dump_snapshot
from unify.model.time import format_timestamp, utcnow
from unify.render.json import results_json
from unify.results import Gate, Results
from unify.store.backends import Backend, LocalBackend, S3Backend, canonical, object_key, sha256_digest

__all__ = ["DEFAULT_STORE", "RUN_FORMAT", "Break", "EvidenceStore", "Run", "open_store"]

RUN_FORMAT: Final = "unify.run/v1"
DEFAULT_STORE: Final = ".unify"
_RUN_KEY = re.compile(r"^runs/(\d{8})\.json$")
_CI_VARIABLES = (
    "CI",
    "GITHUB_ACTIONS",
    "GITHUB_REPOSITORY",
    "GITHUB_RUN_ID",
    "GITHUB_RUN_ATTEMPT",
    "GITHUB_SHA",
    "GITHUB_REF",
    "GITHUB_ACTOR",
    "GITHUB_WORKFLOW",
    "GITLAB_CI",
    "CI_PIPELINE_ID",
    "BUILD_ID",
)


def open_store(location: str | None = None, *, s3_client: Any = None) -> EvidenceStore:
    """``.unify/`` by default, a folder, or ``s3://bucket/prefix``."""
    location = location or DEFAULT_STORE
    if location.startswith("s3://"):
        bucket, _, prefix = location[5:].partition("/")
        if not bucket:
            raise EvidenceError(f"not an S3 location: {location!r} (expected s3://bucket/prefix)")
        return EvidenceStore(S3Backend(bucket, prefix, s3_client))
    return EvidenceStore(LocalBackend(location))


@dataclass(frozen=True)
class Run:
    """One recorded audit: its number, the hash of its manifest, the manifest."""

    number: int
    hash: str
    manifest: dict[str, Any]


@dataclass(frozen=True)
class Break:
    """The first place where the store does not verify."""

    run: int | None
    message: str

    def __str__(self) -> str:
        return f"run {self.run}: {self.message}" if self.run is not None else self.message


def _git_output(folder: Path, *arguments: str) -> str | None:
    """What ``git -C folder ARGUMENTS`` prints, or None when it fails (not a repository, no git)."""
    # git from PATH, with arguments unify makes: nothing the user wrote reaches a shell.
    command = ["git", "-C", str(folder), *arguments]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _git(paths: Sequence[str]) -> dict[str, Any] | None:
    """The commit of the repository holding the policy files, when there is one."""
    for raw in paths:
        folder = Path(raw)
        folder = folder if folder.is_dir() else folder.parent
        commit = _git_output(folder, "rev-parse", "HEAD")
        if commit is not None:
            status = _git_output(folder, "status", "--porcelain", "--", ".") or ""
            return {"commit": commit.strip(), "dirty": bool(status.strip())}
    return None


def _actor() -> dict[str, Any]:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return {
        "user": user,
        "host": socket.gethostname(),
        "platform": platform.platform(terse=True),
        "ci": {name: os.environ[name] for name in _CI_VARIABLES if os.environ.get(name)},
    }


class EvidenceStore:
    """Records audits and verifies the chain of everything recorded."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    @property
    def location(self) -> str:
        return self.backend.location

    # -- writing -------------------------------------------------------------

    def put(self, data: bytes) -> str:
        """Store a blob (once) and return its digest."""
        digest = sha256_digest(data)
        self.backend.create(object_key(digest), data)
        return digest

    def record(
        self,
        results: Results,
        snapshot: Snapshot,
        policy: PolicySet,
        waiver_files: Sequence[str] = (),
        *,
        gate: Gate,
        attempts: int = 50,
    ) -> Run:
        """Record one audit and append it to the chain.

        ``gate`` is the exit code and reason the run exits with (its
        ``--fail-on``, baseline and soft-fail settings applied), so the record
        says what the run did, not what the defaults would have done.
        """
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as handle:
            dump_snapshot(snapshot, handle)
        snapshot_object = self.put(buffer.getvalue())
        policies = []
        for policy_file in policy.files:
            data = Path(policy_file.path).read_bytes()
            policies.append({"path": policy_file.path, "object": self.put(data)})
        waivers = [{"path": str(path), "object": self.put(Path(path).read_bytes())} for path in waiver_files]
        results_object = self.put(results_json(results).encode("utf-8"))
        base = {
            "format": RUN_FORMAT,
            "tool": {"name": "unify", "version": __version__},
            "recorded_at": format_timestamp(utcnow()),
            "actor": _actor(),
            "policy_repository": _git([f.path for f in policy.files]),
            "snapshot": {
                "object": snapshot_object,
                "digest": snapshot.digest,
                "taken_at": snapshot.taken_at,
                "source": snapshot.source,
                "resources": len(snapshot),
            },
            "policies": policies,
            "waivers": waivers,
            "results": {
                "object": results_object,
                "summary": results.summary(),
                "framework": results.framework,
                "gate": {"code": gate.code, "reason": gate.reason},
            },
        }
        for _ in range(attempts):
            runs = self._run_keys()
            number = runs[-1][0] + 1 if runs else 1
            previous = sha256_digest(self.read_run_bytes(runs[-1][1])) if runs else None
            manifest = {**base, "run": number, "previous": previous}
            data = canonical(manifest)
            if self.backend.create(f"runs/{number:08d}.json", data):
                return Run(number, sha256_digest(data), manifest)
        raise EvidenceError(f"{self.location}: could not append a run after {attempts} attempts (busy store)")

    # -- reading -------------------------------------------------------------

    def _run_keys(self) -> list[tuple[int, str]]:
        found = []
        for key in self.backend.list("runs/"):
            match = _RUN_KEY.match(key)
            if match:
                found.append((int(match.group(1)), key))
        return sorted(found)

    def read_run_bytes(self, key: str) -> bytes:
        data = self.backend.read(key)
        if data is None:
            raise EvidenceError(f"{self.location}/{key}: disappeared while reading")
        return data

    def _recorded_run_keys(self) -> list[tuple[int, str]]:
        """The run keys, or an error saying why there are none: a wrong path must not verify as a clean chain."""
        keys = self._run_keys()
        if keys:
            return keys
        if self.backend.list("objects/"):
            raise EvidenceError(
                f"{self.location}: an evidence store with objects but no runs: its runs/ folder was emptied or removed"
            )
        raise EvidenceError(
            f"{self.location}: not an evidence store, or one with no runs recorded (an audit records one with --store)"
        )

    def runs(self) -> list[Run]:
        """Every recorded run, oldest first; a location with none is an error."""
        out = []
        for number, key in self._recorded_run_keys():
            data = self.read_run_bytes(key)
            try:
                manifest = json.loads(data)
            except ValueError:
                manifest = {"format": "corrupt"}
            out.append(Run(number, sha256_digest(data), manifest))
        return out

    def run(self, ref: str) -> Run:
        """A run by number, ``latest``, or a prefix of its manifest hash."""
        runs = self.runs()
        if ref in ("latest", "head"):
            return runs[-1]
        if ref.isdigit():
            for run in runs:
                if run.number == int(ref):
                    return run
            raise EvidenceError(f"{self.location}: no run {ref} (runs 1 to {runs[-1].number})")
        wanted = ref if ref.startswith("sha256:") else f"sha256:{ref}"
        matches = [run for run in runs if run.hash.startswith(wanted)]
        if len(matches) != 1:
            raise EvidenceError(f"{self.location}: {'no' if not matches else 'several'} run(s) match {ref!r}")
        return matches[0]

    def object(self, digest: str) -> bytes:
        data = self.backend.read(object_key(digest))
        if data is None:
            raise EvidenceError(f"{self.location}: object {digest} is missing")
        if sha256_digest(data) != digest:
            raise EvidenceError(
                f"{self.location}: object {digest} is corrupt (content hashes to {sha256_digest(data)})"
            )
        return data

    def results_document(self, ref: str) -> dict[str, Any]:
        """The unify.results/v1 document a run recorded."""
        document: dict[str, Any] = json.loads(self.object(self.run(ref).manifest["results"]["object"]))
        return document

    # -- verifying -------------------------------------------------------------

    def verify(self, head: str | None = None) -> tuple[int, Break | None]:
        """Recompute every digest and the chain; the number of runs and the first break, if any.

        A chain cannot show that its newest runs were removed; ``head`` (a run
        hash printed when it was recorded, kept in a CI log say) closes that
        gap: the chain must still contain it.
        """
        keys = self._recorded_run_keys()
        previous: str | None = None
        hashes: list[str] = []
        manifests: list[tuple[int, dict[str, Any]]] = []
        # First the chain itself, so an altered manifest is named as such...
        for expected, (number, key) in enumerate(keys, start=1):
            if number != expected:
                return expected, Break(expected, f"missing (runs {expected - 1} and {number} exist)")
            data = self.read_run_bytes(key)
            try:
                manifest = json.loads(data)
            except ValueError:
                return number, Break(number, "manifest is not valid JSON")
            if not isinstance(manifest, dict) or manifest.get("run") != number:
                return number, Break(
                    number,
                    f"manifest says run {manifest.get('run') if isinstance(manifest, dict) else '?'}, "
                    f"stored as run {number}",
                )
            if manifest.get("previous") != previous:
                return number, Break(
                    number,
                    f"previous is {manifest.get('previous')}, but run {number - 1} hashes to "
                    f"{previous} (run {number - 1} was altered, replaced or removed)",
                )
            previous = sha256_digest(data)
            hashes.append(previous)
            manifests.append((number, manifest))
        # ...then every object each run names.
        for number, manifest in manifests:
            try:
                for label, digest in _objects_of(manifest):
                    stored = self.backend.read(object_key(digest))
                    if stored is None:
                        return number, Break(number, f"{label} object {digest} is missing")
                    actual = sha256_digest(stored)
                    if actual != digest:
                        return number, Break(number, f"{label} object {digest} is corrupt (content hashes to {actual})")
                snapshot_doc = json.loads(
                    gzip.decompress(self.backend.read(object_key(manifest["snapshot"]["object"])) or b"")
                )
            except (KeyError, TypeError, IndexError, ValueError, OSError) as exc:
                return number, Break(number, f"manifest or snapshot is malformed: {type(exc).__name__}: {exc}")
            recomputed = Snapshot(snapshot_doc, validate=False).compute_digest()
            if recomputed != manifest["snapshot"]["digest"]:
                return number, Break(
                    number,
                    f"snapshot digest is {manifest['snapshot']['digest']} in the manifest, {recomputed} recomputed",
                )
        if head is not None:
            wanted = head if head.startswith("sha256:") else f"sha256:{head}"
            if not any(h.startswith(wanted) for h in hashes):
                return len(keys), Break(
                    None,
                    f"no run hashes to {wanted}: the run was removed (with every run "
                    f"after it), or this is another store; the chain ends at {previous}",
                )
        return len(keys), None


def _objects_of(manifest: dict[str, Any]) -> Iterator[tuple[str, str]]:
    yield "snapshot", manifest["snapshot"]["object"]
    yield "results", manifest["results"]["object"]
    for entry in manifest.get("policies", []):
        yield f"policy file {entry['path']}", entry["object"]
    for entry in manifest.get("waivers", []):
        yield f"waivers file {entry['path']}", entry["object"]
