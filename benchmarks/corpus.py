"""Corpus benchmark: every hostile file through the real CLI, counted by what happened to it.

Run from the repository root (needs the test extras)::

    python benchmarks/corpus.py --workers 2

Each file of ``tests/corpus/`` (hand-written, and the big ones
``tests/corpus/generate.py`` writes into a temporary folder) runs in its own
``python -m unify`` process with the command for its kind, a JSON report
requested with ``-o`` into an empty folder, and a timeout. A hostile file
gives a *clean error* when the process exits 2 with one stderr line that
names the file (and the line the manifest says), and leaves the output
folder empty. ``accepted/`` files are hostile but valid and must be *read*:
exit 0 or 1 with a report. The figures that must be **0**: internal errors,
tracebacks, timeouts, and files refused or read any other way (wrong exit,
several lines, no file or line named, a report or temporary file left).

``--python PATH`` runs the ``unify`` another interpreter has installed (a
virtualenv of an older checkout) against the same corpus, to measure a
version before a fix.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "corpus")]

from generate import Case, generate  # noqa: E402
from test_corpus import CORPUS, accepted, command, kind_of, manifest  # noqa: E402

KINDS = ("policy", "waiver", "snapshot", "plan", "state")


def run(case: Case, file: Path, *, accept: bool, timeout: float, python: str) -> str:
    """What became of one file: clean error, read, timeout, traceback, internal error, or the way it failed."""
    with tempfile.TemporaryDirectory(prefix="unify-corpus-") as work:
        out, cwd = Path(work) / "out", Path(work) / "cwd"
        out.mkdir()
        cwd.mkdir()
        env = {**os.environ, "UNIFY_DISABLE_PLUGIN_AUTOLOAD": "1", **case.env}
        env.pop("UNIFY_DEBUG", None)
        try:
            done = subprocess.run(
                [python, "-m", "unify", *command(kind_of(case.path), file, out)],
                cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False,
            )
        except subprocess.TimeoutExpired:
            return "timeout"
        stderr, left = done.stderr, sorted(p.name for p in out.iterdir())
    if "Traceback" in stderr:
        return "traceback"
    if "internal error" in stderr:
        return "internal error"
    if accept:
        return "read" if done.returncode in (0, 1) and left == ["report.json"] else f"not read (exit {done.returncode})"
    lines = stderr.splitlines()
    where = f"{file}:" if case.line is None else f"{file}:{case.line}:"
    if done.returncode != 2:
        return f"accepted, exit {done.returncode}"
    if left:
        return "output left behind"
    if len(lines) != 1:
        return "more than one line"
    if not lines[0].startswith(f"unify: error: {file}:"):
        return "file not named"
    if not lines[0].startswith(f"unify: error: {where} "):
        return "line not named"
    return "clean error" if case.says in lines[0] else "clean error, other words"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2, help="processes at once (one per core)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a file counts as a hang")
    parser.add_argument("--python", default=sys.executable, help="the interpreter whose unify runs (default: this)")
    parser.add_argument("--show", action="store_true", help="list every file that was not a clean error or read")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="unify-corpus-generated-") as folder:
        generated = generate(Path(folder))
        jobs: list[tuple[Case, Path, bool]] = [(case, CORPUS / case.path, False) for case in manifest()]
        jobs += [(Case(path), CORPUS / path, True) for path in accepted()]
        jobs += [(case, Path(folder) / case.path, case.kind == "accepted") for case in generated]
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            outcomes = list(
                pool.map(
                    lambda job: run(job[0], job[1], accept=job[2], timeout=args.timeout, python=args.python),
                    jobs,
                )
            )
    seconds = time.perf_counter() - started
    hostile = [(job, outcome) for job, outcome in zip(jobs, outcomes, strict=True) if not job[2]]
    valid = [(job, outcome) for job, outcome in zip(jobs, outcomes, strict=True) if job[2]]
    tried = Counter(kind_of(job[0].path) for job, _ in hostile)
    counts = Counter(outcome for _, outcome in hostile)
    other = {o: n for o, n in counts.items() if o not in ("clean error", "internal error", "traceback", "timeout")}
    rows: list[tuple[str, object]] = [
        ("hostile files tried", len(hostile)),
        *((f"  {kind}", tried[kind]) for kind in KINDS),
        ("  of which generated at run time", sum(1 for job, _ in hostile if job[0] in generated)),
        ("clean errors (exit 2, one line naming file and line, nothing written)", counts["clean error"]),
        ("**internal errors**", counts["internal error"]),
        ("**tracebacks**", counts["traceback"]),
        ("**timeouts**", counts["timeout"]),
        ("**refused or accepted any other way**", sum(other.values())),
        *((f"  {outcome}", n) for outcome, n in sorted(other.items())),
        ("hostile but valid files read (exit 0 or 1, a report)", sum(1 for _, o in valid if o == "read")),
        ("**valid files not read**", sum(1 for _, o in valid if o != "read")),
        ("seconds (wall)", round(seconds, 1)),
    ]
    print("| figure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value:,} |" if isinstance(value, int) else f"| {name} | {value} |")
    if args.show:
        for job, outcome in hostile + valid:
            if outcome not in ("clean error", "read"):
                print(f"{outcome}: {job[0].path}", file=sys.stderr)
    failed = len(hostile) - counts["clean error"] + sum(1 for _, o in valid if o != "read")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
