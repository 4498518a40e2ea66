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
import hashlib
import io
import json
import os
import platform
import re
import socket
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

from unify.errors import UnifyError

__all__ = [
    "RUN_FORMAT",
    "EvidenceError",
    "Backend",
    "LocalBackend",
    "S3Backend",
    "EvidenceStore",
    "Run",
    "Break",
    "open_store",
]

RUN_FORMAT: Final = "unify.run/v1"
DEFAULT_STORE: Final = ".unify"
_RUN_KEY = re.compile(r"^runs/(\d{8})\.json$")
_CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITHUB_REPOSITORY", "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT", "GITHUB_SHA",
                 "GITHUB_REF", "GITHUB_ACTOR", "GITHUB_WORKFLOW", "GITLAB_CI", "CI_PIPELINE_ID", "BUILD_ID")


class EvidenceError(UnifyError):
    """The store cannot be read or written (exit 2), or a run does not exist."""


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _object_key(digest: str) -> str:
    hexdigest = digest.split(":", 1)[1]
    return f"objects/sha256/{hexdigest[:2]}/{hexdigest[2:]}"


def _canonical(document: Any) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class Backend(Protocol):
    """Where the bytes live: create-only writes, reads and sorted listing."""

    location: str

    def create(self, key: str, data: bytes) -> bool:
        """Store ``data`` under ``key`` unless the key exists; False when it did."""

    def read(self, key: str) -> bytes | None: ...

    def list(self, prefix: str) -> list[str]: ...

    def remove(self, key: str) -> None:
        """For tests and administrators only; unify itself never deletes."""


class LocalBackend:
    """A folder; writes go to a temporary file that is hard-linked into place."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.location = str(self.root)

    def create(self, key: str, data: bytes) -> bool:
        target = self.root / key
        if target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temp, target)  # atomic and exclusive: fails if the name exists
            except FileExistsError:
                return False
            except OSError:
                # A filesystem without hard links: exclusive create, then fill.
                try:
                    with open(target, "xb") as handle:
                        handle.write(data)
                except FileExistsError:
                    return False
            return True
        finally:
            Path(temp).unlink(missing_ok=True)

    def read(self, key: str) -> bytes | None:
        try:
            return (self.root / key).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise EvidenceError(f"{self.root / key}: cannot read: {exc.strerror or exc}") from None

    def list(self, prefix: str) -> list[str]:
        base = self.root / prefix
        if not base.exists():
            return []
        return sorted(p.relative_to(self.root).as_posix() for p in base.rglob("*")
                      if p.is_file() and not p.name.startswith(".tmp-"))

    def remove(self, key: str) -> None:
        (self.root / key).unlink(missing_ok=True)


class S3Backend:
    """An S3 prefix; creates are conditional puts, so an existing object is never replaced."""

    def __init__(self, bucket: str, prefix: str, client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.location = f"s3://{bucket}/{self.prefix}".rstrip("/")
        if client is None:
            import boto3  # noqa: PLC0415

            client = boto3.client("s3")
        self.client = client

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def create(self, key: str, data: bytes) -> bool:
        from botocore.exceptions import ClientError  # noqa: PLC0415

        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, IfNoneMatch="*")
            return True
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in ("PreconditionFailed", "ConditionalRequestConflict") or \
                    exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 412:
                return False
            raise EvidenceError(f"{self.location}/{key}: cannot write: {code}: {exc}") from None

    def read(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError  # noqa: PLC0415

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404"):
                return None
            raise EvidenceError(f"{self.location}/{key}: cannot read: {code}") from None

    def list(self, prefix: str) -> list[str]:
        from botocore.exceptions import ClientError  # noqa: PLC0415

        keys: list[str] = []
        strip = len(self.prefix) + 1 if self.prefix else 0
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self._key(prefix)):
                keys.extend(item["Key"][strip:] for item in page.get("Contents", []))
        except ClientError as exc:
            raise EvidenceError(f"{self.location}: cannot list: {exc.response.get('Error', {}).get('Code')}") from None
        return sorted(keys)

    def remove(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))


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


def _git(paths: Sequence[str]) -> dict[str, Any] | None:
    """The commit of the repository holding the policy files, when there is one."""
    for raw in paths:
        folder = Path(raw)
        folder = folder if folder.is_dir() else folder.parent
        try:
            commit = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True,
                                    text=True, timeout=10, check=False)
            if commit.returncode != 0:
                continue
            status = subprocess.run(["git", "-C", str(folder), "status", "--porcelain", "--", "."],
                                    capture_output=True, text=True, timeout=10, check=False)
            return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}
        except (OSError, subprocess.SubprocessError):
            return None
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
        digest = _sha256(data)
        self.backend.create(_object_key(digest), data)
        return digest

    def record(self, results: Any, snapshot: Any, policy: Any, waiver_files: Sequence[str] = (),
               *, attempts: int = 50) -> Run:
        """Record one audit and append it to the chain."""
        from unify import __version__  # noqa: PLC0415
        from unify._time import format_timestamp, utcnow  # noqa: PLC0415
        from unify.snapshot import dump_snapshot  # noqa: PLC0415

        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as handle:
            dump_snapshot(snapshot, handle)
        snapshot_object = self.put(buffer.getvalue())
        policies = []
        for policy_file in policy.files:
            data = Path(policy_file.path).read_bytes()
            policies.append({"path": policy_file.path, "object": self.put(data)})
        waivers = [{"path": str(path), "object": self.put(Path(path).read_bytes())} for path in waiver_files]
        results_object = self.put(results.to_json().encode("utf-8"))
        gate = results.gate()
        base = {
            "format": RUN_FORMAT,
            "tool": {"name": "unify", "version": __version__},
            "recorded_at": format_timestamp(utcnow()),
            "actor": _actor(),
            "policy_repository": _git([f.path for f in policy.files]),
            "snapshot": {"object": snapshot_object, "digest": snapshot.digest, "taken_at": snapshot.taken_at,
                         "source": snapshot.source, "resources": len(snapshot)},
            "policies": policies,
            "waivers": waivers,
            "results": {"object": results_object, "summary": results.summary(), "framework": results.framework,
                        "gate": {"code": gate.code, "reason": gate.reason}},
        }
        for _ in range(attempts):
            runs = self._run_keys()
            number = runs[-1][0] + 1 if runs else 1
            previous = _sha256(self._read_run_bytes(runs[-1][1])) if runs else None
            manifest = {**base, "run": number, "previous": previous}
            data = _canonical(manifest)
            if self.backend.create(f"runs/{number:08d}.json", data):
                return Run(number, _sha256(data), manifest)
        raise EvidenceError(f"{self.location}: could not append a run after {attempts} attempts (busy store)")

    # -- reading -------------------------------------------------------------

    def _run_keys(self) -> list[tuple[int, str]]:
        found = []
        for key in self.backend.list("runs/"):
            match = _RUN_KEY.match(key)
            if match:
                found.append((int(match.group(1)), key))
        return sorted(found)

    def _read_run_bytes(self, key: str) -> bytes:
        data = self.backend.read(key)
        if data is None:
            raise EvidenceError(f"{self.location}/{key}: disappeared while reading")
        return data

    def runs(self) -> list[Run]:
        out = []
        for number, key in self._run_keys():
            data = self._read_run_bytes(key)
            try:
                manifest = json.loads(data)
            except ValueError:
                manifest = {"format": "corrupt"}
            out.append(Run(number, _sha256(data), manifest))
        return out

    def run(self, ref: str) -> Run:
        """A run by number, ``latest``, or a prefix of its manifest hash."""
        runs = self.runs()
        if not runs:
            raise EvidenceError(f"{self.location}: no runs recorded")
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
        data = self.backend.read(_object_key(digest))
        if data is None:
            raise EvidenceError(f"{self.location}: object {digest} is missing")
        if _sha256(data) != digest:
            raise EvidenceError(f"{self.location}: object {digest} is corrupt (content hashes to {_sha256(data)})")
        return data

    def results_document(self, ref: str) -> dict[str, Any]:
        """The unify.results/v1 document a run recorded."""
        return json.loads(self.object(self.run(ref).manifest["results"]["object"]))

    # -- verifying -------------------------------------------------------------

    def verify(self, head: str | None = None) -> tuple[int, Break | None]:
        """Recompute every digest and the chain; the number of runs and the first break, if any.

        A chain cannot show that its newest runs were removed; ``head`` (a run
        hash printed when it was recorded, kept in a CI log say) closes that
        gap: the chain must still contain it.
        """
        from unify.snapshot import Snapshot  # noqa: PLC0415

        keys = self._run_keys()
        previous: str | None = None
        hashes: list[str] = []
        manifests: list[tuple[int, dict[str, Any]]] = []
        # First the chain itself, so an altered manifest is named as such...
        for expected, (number, key) in enumerate(keys, start=1):
            if number != expected:
                return expected, Break(expected, f"missing (runs {expected - 1} and {number} exist)")
            data = self._read_run_bytes(key)
            try:
                manifest = json.loads(data)
            except ValueError:
                return number, Break(number, "manifest is not valid JSON")
            if not isinstance(manifest, dict) or manifest.get("run") != number:
                return number, Break(number, f"manifest says run {manifest.get('run') if isinstance(manifest, dict) else '?'}, "
                                             f"stored as run {number}")
            if manifest.get("previous") != previous:
                return number, Break(number, f"previous is {manifest.get('previous')}, but run {number - 1} hashes to "
                                             f"{previous} (run {number - 1} was altered, replaced or removed)")
            previous = _sha256(data)
            hashes.append(previous)
            manifests.append((number, manifest))
        # ...then every object each run names.
        for number, manifest in manifests:
            try:
                for label, digest in _objects_of(manifest):
                    stored = self.backend.read(_object_key(digest))
                    if stored is None:
                        return number, Break(number, f"{label} object {digest} is missing")
                    actual = _sha256(stored)
                    if actual != digest:
                        return number, Break(number, f"{label} object {digest} is corrupt (content hashes to {actual})")
                snapshot_doc = json.loads(gzip.decompress(self.backend.read(_object_key(manifest["snapshot"]["object"])) or b""))
            except (KeyError, TypeError, IndexError, ValueError, OSError) as exc:
                return number, Break(number, f"manifest or snapshot is malformed: {type(exc).__name__}: {exc}")
            recomputed = Snapshot(snapshot_doc, validate=False).compute_digest()
            if recomputed != manifest["snapshot"]["digest"]:
                return number, Break(number, f"snapshot digest is {manifest['snapshot']['digest']} in the manifest, "
                                             f"{recomputed} recomputed")
        if head is not None:
            wanted = head if head.startswith("sha256:") else f"sha256:{head}"
            if not any(h.startswith(wanted) for h in hashes):
                return len(keys), Break(None, f"no run hashes to {wanted}: the run was removed (with every run "
                                              f"after it), or this is another store; the chain ends at {previous}")
        return len(keys), None

    # -- export ----------------------------------------------------------------

    def export(self, ref: str, framework: str, output: str | os.PathLike[str]) -> Path:
        """A zip an auditor can read offline: per-control evidence, the run's files and checksums."""
        from unify._files import atomic_write  # noqa: PLC0415

        run = self.run(ref)
        document = self.results_document(ref)
        frameworks = document.get("frameworks", {})
        if framework not in frameworks:
            known = ", ".join(sorted(frameworks)) or "none"
            raise EvidenceError(f"run {run.number} has no compliance results for {framework!r}; it has: {known}")
        files = _bundle(self, run, document, framework)
        checksums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items()))
        files["SHA256SUMS"] = checksums.encode("utf-8")

        def fill(handle: Any) -> None:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name in sorted(files):
                    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, files[name])

        return atomic_write(output, fill)


def _objects_of(manifest: dict[str, Any]) -> Iterator[tuple[str, str]]:
    yield "snapshot", manifest["snapshot"]["object"]
    yield "results", manifest["results"]["object"]
    for entry in manifest.get("policies", []):
        yield f"policy file {entry['path']}", entry["object"]
    for entry in manifest.get("waivers", []):
        yield f"waivers file {entry['path']}", entry["object"]


def _bundle(store: EvidenceStore, run: Run, document: dict[str, Any], framework: str) -> dict[str, bytes]:
    """The files of an export: readable Markdown per control, and the raw evidence."""
    from unify.operators import describe_value  # noqa: PLC0415

    view = document["frameworks"][framework]
    results_by_check: dict[str, list[dict[str, Any]]] = {}
    for result in document["results"]:
        results_by_check.setdefault(result["check"], []).append(result)
    checks = {check["id"]: check for check in document.get("checks", [])}
    files: dict[str, bytes] = {}
    index = [
        f"# {view['title']} ({framework}) evidence, run {run.number}",
        "",
        f"- run manifest: `manifest.json`, SHA-256 `{run.hash}`",
        f"- snapshot: `{run.manifest['snapshot']['digest']}`, taken {run.manifest['snapshot']['taken_at']} "
        f"({run.manifest['snapshot']['source']}, {run.manifest['snapshot']['resources']} resources)",
        f"- recorded {run.manifest['recorded_at']} by {run.manifest['actor']['user']} on {run.manifest['actor']['host']}",
        f"- unify {run.manifest['tool']['version']}; policy repository commit "
        f"{(run.manifest.get('policy_repository') or {}).get('commit', 'not in git')}",
        "",
        "| control | title | status | checks |",
        "|---|---|---|---|",
    ]
    for control in view["controls"]:
        name = f"controls/{_safe(control['id'])}.md"
        index.append(f"| [{control['id']}]({name}) | {_cell(control['title'])} | {control['status']} | "
                     f"{_cell(', '.join(control['checks'])) or 'none (manual)'} |")
        lines = [f"# {control['id']}: {control['title']}", "", f"Status: **{control['status']}**", ""]
        if not control["checks"]:
            lines.append("No automated check maps to this control: it needs evidence gathered by hand.")
        for check_id in control["checks"]:
            check = checks.get(check_id, {})
            lines += ["", f"## Check `{check_id}`: {check.get('title', '')}", "",
                      f"Severity {check.get('severity', '?')}, defined at {check.get('file')}:{check.get('line')}.", ""]
            found = results_by_check.get(check_id, [])
            if not found:
                lines.append("No resources in scope: not applicable.")
            for result in found:
                lines.append(f"- **{result['verdict']}** `{result['resource']}` ({result['type']}): {result['reason'] or 'ok'}")
                for detail in result.get("details", []):
                    lines.append(f"  - `{detail['path'] or '(resource)'}`: expected {detail['operator']} "
                                 f"{describe_value(detail['expected'], 200)}, actual {describe_value(detail['actual'], 200)}")
            if check.get("remediation"):
                lines += ["", f"Remediation: {check['remediation']}"]
        files[name] = ("\n".join(lines) + "\n").encode("utf-8")
    files["manifest.json"] = store._read_run_bytes(f"runs/{run.number:08d}.json")
    files["results.json"] = store.object(run.manifest["results"]["object"])
    files["snapshot.json.gz"] = store.object(run.manifest["snapshot"]["object"])
    for entry in run.manifest.get("policies", []):
        files[f"policies/{_safe_path(entry['path'])}"] = store.object(entry["object"])
    for entry in run.manifest.get("waivers", []):
        files[f"waivers/{_safe_path(entry['path'])}"] = store.object(entry["object"])
    index += [
        "",
        "## Verifying this bundle",
        "",
        "Every file's SHA-256 is in `SHA256SUMS`: `sha256sum -c SHA256SUMS` checks them without unify.",
        f"`manifest.json` hashes to `{run.hash}`; the results and snapshot objects it names are `results.json` and "
        "`snapshot.json.gz`. To check the whole chain of runs in the store this came from:",
        "",
        f"    unify evidence verify --store {store.location} --head {run.hash}",
        "",
        "(that checks every run up to this one; later runs are checked with the newest head).",
    ]
    files["README.md"] = ("\n".join(index) + "\n").encode("utf-8")
    return files


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.()-]", "_", name)


def _safe_path(path: str) -> str:
    parts = [p for p in Path(path).parts if p not in ("/", "..", ".")]
    return "/".join(_safe(p) for p in parts) or "file"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
