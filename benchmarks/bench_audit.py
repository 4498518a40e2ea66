"""Evaluation benchmark: a full-pack audit of generated snapshots against the floor, ``json.load`` of the same file.

Run from the repository root (the snapshots are generated once, seeded, and
kept in ``--dir``)::

    python benchmarks/bench_audit.py --sizes 10000,100000,1000000 --dir /tmp/unify-estates

For each size it runs, each in a fresh process, ``json.load`` of the
snapshot (the floor: reading the file with the standard library, nothing
else) and ``unify audit --snapshot FILE`` with the shipped packs and each
output format, and prints a Markdown table: wall and CPU time, their ratio
to the floor's, peak RSS, and results per second. Compare ratios within one
run, not seconds across machines; on a shared machine the CPU ratio is the
steadier one.
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.estate import write  # noqa: E402

FLOOR = "import json, sys\nwith open(sys.argv[1], 'rb') as f:\n    json.load(f)\n"


@dataclass(frozen=True)
class Run:
    """One measured process: wall and CPU seconds, peak RSS in bytes, exit code."""

    wall: float
    cpu: float
    rss: int
    code: int


def measure(argv: list[str], cwd: Path) -> Run:
    """Run ``argv`` once and read its own resource usage (wait4: this child's, not every child's)."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as null:
        child = subprocess.Popen(argv, cwd=cwd, stdout=null, stderr=subprocess.PIPE)  # noqa: S603
        assert child.stderr is not None
        err = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {child.returncode}:\n{err.decode(errors='replace')}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, child.returncode)


def estate(folder: Path, size: int) -> Path:
    """The seeded snapshot of ``size`` resources, generated on first use."""
    path = folder / f"estate-{size}.json"
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr)
        write(path, size)
    return path


def results_in(output: Path) -> int:
    """How many results a unify.results/v1 file holds, from its summary (the last one in the file, read from its
    tail: parsing a million results back would take more memory than the audit did)."""
    with open(output, "rb") as handle:
        handle.seek(max(0, output.stat().st_size - (1 << 20)))
        tail = handle.read()
    summary = orjson.loads(re.findall(rb'"summary":\s*(\{[^{}]*\})', tail)[-1])
    return sum(value for value in summary.values() if isinstance(value, int))


def row(size: str, megabytes: str, label: str, run: Run, floor: Run, count: int | None) -> None:
    """One line of the table, printed as soon as it is measured."""
    rate = f"{count / run.cpu:,.0f}" if count else ""
    print(
        f"| {size} | {megabytes} | {label} | {run.wall:.1f} | {run.cpu:.1f} | {run.wall / floor.wall:.2f} | "
        f"{run.cpu / floor.cpu:.2f} | {_gib(run.rss)} | {rate} |",
        flush=True,
    )


def _gib(n: int) -> str:
    return f"{n / 1024**3:.2f} GiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="resources per snapshot, comma-separated")
    parser.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "unify-estates"), help="snapshot cache")
    parser.add_argument("--formats", default="json,table", help="output formats to audit with at every size")
    parser.add_argument(
        "--more", default="json --pretty,sarif,markdown", help="formats audited only up to --more-up-to"
    )
    parser.add_argument("--more-up-to", type=int, default=100_000, help="largest size the --more formats run at")
    args = parser.parse_args()
    # unify's modules as bytecode first, as pip writes it when it installs a package: in a checkout where
    # PYTHONDONTWRITEBYTECODE is set, every measured process would compile each module from source again.
    compileall.compile_dir(ROOT / "unify", quiet=1)
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="unify-bench-"))  # no policies/ here: the shipped packs
    print("| resources | file | run | wall s | CPU s | wall / floor | CPU / floor | peak RSS | results/s (CPU) |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|", flush=True)
    for size in (int(s) for s in args.sizes.split(",")):
        snapshot = estate(folder, size)
        megabytes = snapshot.stat().st_size / 1e6
        floor = measure([sys.executable, "-c", FLOOR, str(snapshot)], work)
        row(f"{size:,}", f"{megabytes:,.0f} MB", "`json.load` (floor)", floor, floor, None)
        chosen = args.formats.split(",") + (args.more.split(",") if size <= args.more_up_to else [])
        variants = [(label, label.split()) for label in chosen if label]
        for label, spec in variants:
            out = work / f"out-{size}.{spec[0]}"
            argv = [sys.executable, "-m", "unify", "audit", "--snapshot", str(snapshot), "--format", spec[0]]
            run = measure([*argv, "-o", str(out), *spec[1:]], work)
            count = results_in(out) if spec[0] == "json" else None
            row(f"{size:,}", f"{megabytes:,.0f} MB", f"audit, {label}", run, floor, count)
            out.unlink()


if __name__ == "__main__":
    main()
