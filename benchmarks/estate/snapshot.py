"""A generated estate as a snapshot: in memory for the tests, or streamed to a file for the benchmark's million."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from benchmarks.estate.maker import REGIONS, TAKEN_AT, dump
from benchmarks.estate.shape import coverage, plan, resources
from unify.model.snapshot import SNAPSHOT_FORMAT, Snapshot


def generate(size: int, seed: int = 15) -> Snapshot:
    """A ``size``-resource snapshot in memory, with its digest."""
    shape = plan(size, seed)
    return Snapshot.build(
        resources=list(resources(shape)),
        coverage=coverage(shape),
        scope={"accounts": list(shape.accounts), "regions": list(REGIONS)},
        source="aws",
        taken_at=TAKEN_AT,
        stats={"generator": {"size": size, "seed": seed}},
    )


def write(path: str | Path, size: int, seed: int = 15) -> Path:
    """Stream a ``size``-resource snapshot to ``path`` in unify's canonical form (what write_snapshot writes).

    The resources go to a temporary file as they are made, hashed on the
    way, so even a million never sit in memory at once; the digest, which
    comes before them in the file's sorted keys, is then known.
    """
    target = Path(path)
    shape = plan(size, seed)
    entries = coverage(shape)
    scope = {"accounts": list(shape.accounts), "regions": list(REGIONS)}
    digest = hashlib.sha256()
    digest.update(b'{"coverage":' + dump(entries) + b',"resources":[')
    with tempfile.TemporaryFile(dir=target.parent) as body:
        for index, resource in enumerate(resources(shape)):
            line = dump(resource)
            if index:
                digest.update(b",")
                body.write(b",\n")
            digest.update(line)
            body.write(line)
        digest.update(b'],"scope":' + dump(scope) + b"}")
        body.seek(0)
        with open(target, "wb") as out:
            out.write(b'{\n"coverage":[\n' + b",\n".join(dump(e) for e in entries) + b"\n],\n")
            out.write(b'"digest":' + dump("sha256:" + digest.hexdigest()) + b",\n")
            out.write(b'"format":' + dump(SNAPSHOT_FORMAT) + b",\n")
            out.write(b'"resources":[\n')
            shutil.copyfileobj(body, out, 1 << 20)
            out.write(b"\n],\n")
            out.write(b'"scope":' + dump(scope) + b",\n")
            out.write(b'"source":' + dump("aws") + b",\n")
            out.write(b'"stats":' + dump({"generator": {"size": size, "seed": seed}}) + b",\n")
            out.write(b'"taken_at":' + dump(TAKEN_AT) + b"\n}\n")
    return target
