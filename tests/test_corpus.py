"""The hostile corpus: every file refused with exit 2 and one line naming it (and its line), nothing written, no hang.

``tests/corpus/`` holds hand-written near misses of real policies, waivers,
snapshots, plans and states; ``tests/corpus/generate.py`` writes the ones
too big to commit (deep nesting, huge numbers, gzip bombs) into a temporary
folder. Each file runs through the real CLI with the command for its kind
and a report requested with ``-o``: in process (CliRunner, a timer as the
hang guard) for the hand-written files, in a subprocess with a timeout for
the generated ones and a sample of the rest, so the process boundary (exit
status, stderr, no traceback printed by the interpreter) is held too.

``accepted/`` files are hostile but valid (ReDoS patterns RE2 runs in
linear time, byte-order marks, the deepest nesting allowed): each must be
read within the same bound and give a report (exit 0 or 1).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from unify.cli import main

CORPUS = Path(__file__).resolve().parent / "corpus"
GOOD = CORPUS / "good"
sys.path.insert(0, str(CORPUS))
from generate import Case, generate  # noqa: E402

#: The hang guard: far above what any file takes (the slowest, a gzip bomb, takes about a second).
BOUND_SECONDS = 60
#: Every how-many-th hand-written file also runs in a subprocess.
SUBPROCESS_SAMPLE = 16


def manifest() -> list[Case]:
    """The hand-written hostile files and what each must say (``tests/corpus/expected.txt``)."""
    cases = []
    for raw in (CORPUS / "expected.txt").read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        path, line, says = raw.split("\t")
        cases.append(Case(path, None if line == "-" else int(line), says))
    return cases


def accepted() -> list[str]:
    return sorted(p.relative_to(CORPUS).as_posix() for p in (CORPUS / "accepted").iterdir())


def generated_cases() -> list[Case]:
    # Written for real by the `generated` fixture; here only to name the parameters.
    return [case for case in generate(Path(os.devnull), write=False)]


HAND = manifest()
GENERATED = generated_cases()


def kind_of(path: str) -> str:
    """policy, waiver, snapshot, plan or state: from the folder, or an accepted file's prefix."""
    folder, name = path.split("/", 1)
    return name.split("-", 1)[0] if folder == "accepted" else folder


def command(kind: str, file: Path, out: Path) -> list[str]:
    """The CLI arguments that read ``file`` as its kind, with the good inputs for everything else."""
    report = ["--format", "json", "-o", str(out / "report.json")]
    snapshot, policy = str(GOOD / "snapshot.json"), str(GOOD / "policy.yaml")
    if kind == "policy":
        return ["audit", str(file), "--snapshot", snapshot, *report]
    if kind == "waiver":
        return ["audit", policy, "--snapshot", snapshot, "--waivers", str(file), *report]
    if kind == "snapshot":
        return ["audit", policy, "--snapshot", str(file), *report]
    if kind == "plan":
        return ["audit", policy, "--plan", str(file), *report]
    assert kind == "state", kind
    return ["drift", "--state", str(file), "--snapshot", snapshot, *report]


def assert_refused(case: Case, file: Path, code: int, stderr: str, out: Path) -> None:
    """Exit 2; one line that names the file, and its line where the input has one; no report, no temp file."""
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr[:2000]
    assert code == 2, stderr[:2000]
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].strip(), lines[:5]
    where = f"{file}:" if case.line is None else f"{file}:{case.line}:"
    assert lines[0].startswith(f"unify: error: {where} "), (where, lines[0][:300])
    assert case.says in lines[0], (case.says, lines[0][:300])
    assert sorted(p.name for p in out.iterdir()) == [], "a report (or its temporary file) was left behind"


def assert_read(file: Path, code: int, stderr: str, out: Path) -> None:
    """Exit 0 or 1 (clean or findings), a complete JSON report, nothing else in the output folder."""
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr[:2000]
    assert code in (0, 1), stderr[:2000]
    assert [p.name for p in out.iterdir()] == ["report.json"]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["format"] in ("unify.results/v1", "unify.drift/v1"), file


class Hung(BaseException):
    """Raised by the timer in the test's own thread; a BaseException, so nothing in unify can swallow it."""


@contextmanager
def bounded(seconds: int) -> Iterator[None]:
    """Fail a call that runs longer than ``seconds`` (where the test runs in the main thread, which it does
    under pytest and pytest-xdist; elsewhere the subprocess runs keep their timeout)."""
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def in_process(args: list[str], env: dict[str, str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(cwd)
    with bounded(BOUND_SECONDS):
        result = CliRunner().invoke(main, args, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # an exception the CLI let through is a failure with its traceback
    return result.exit_code, result.stderr


def in_subprocess(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    environment = {**os.environ, "UNIFY_DISABLE_PLUGIN_AUTOLOAD": "1", **env}
    environment.pop("UNIFY_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-m", "unify", *args],
        cwd=cwd, env=environment, capture_output=True, text=True, timeout=BOUND_SECONDS, check=False,
    )
    return done.returncode, done.stderr


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    generate(folder)
    return folder


def _dirs(tmp_path: Path) -> tuple[Path, Path]:
    out, cwd = tmp_path / "out", tmp_path / "cwd"
    out.mkdir()
    cwd.mkdir()
    return out, cwd


# -- the corpus as a whole ----------------------------------------------------------------------------------


def test_the_corpus_is_large_and_covers_every_kind() -> None:
    kinds = [kind_of(case.path) for case in HAND + GENERATED]
    assert len(kinds) >= 220
    assert {kind: kinds.count(kind) >= 30 for kind in ("policy", "waiver", "snapshot", "plan", "state")} == {
        "policy": True, "waiver": True, "snapshot": True, "plan": True, "state": True,
    }


def test_every_committed_file_is_in_the_manifest_and_small() -> None:
    listed = {case.path for case in HAND}
    committed = {
        p.relative_to(CORPUS).as_posix()
        for p in CORPUS.rglob("*")
        if p.is_file() and p.parent.name in ("policy", "waiver", "snapshot", "plan", "state")
    }
    assert committed == listed
    assert max((CORPUS / path).stat().st_size for path in committed | set(accepted())) < 64 * 1024


def test_generated_files_are_not_committed() -> None:
    assert not {case.path for case in GENERATED} & {case.path for case in HAND}
    assert not any((CORPUS / case.path).exists() for case in GENERATED)


@pytest.mark.parametrize("kind", ["policy", "waiver", "snapshot", "plan", "state"])
def test_the_good_inputs_are_read(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: with the good file in place of the hostile one the same command gives a report."""
    good = {"policy": "policy.yaml", "waiver": "waivers.yaml", "snapshot": "snapshot.json", "plan": "plan.json",
            "state": "state.tfstate"}[kind]
    out, cwd = _dirs(tmp_path)
    code, stderr = in_process(command(kind, GOOD / good, out), {}, cwd, monkeypatch)
    assert_read(GOOD / good, code, stderr, out)
    assert code == 1  # the good estate has findings, so a refusal cannot pass for a clean run


# -- hostile files ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", HAND, ids=[case.path for case in HAND])
def test_hand_written_file_is_refused_in_one_line(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, cwd = _dirs(tmp_path)
    file = CORPUS / case.path
    code, stderr = in_process(command(case.kind, file, out), case.env, cwd, monkeypatch)
    assert_refused(case, file, code, stderr, out)


SAMPLE = HAND[::SUBPROCESS_SAMPLE]


@pytest.mark.parametrize("case", SAMPLE, ids=[case.path for case in SAMPLE])
def test_sample_is_refused_by_the_real_process(case: Case, tmp_path: Path) -> None:
    out, cwd = _dirs(tmp_path)
    file = CORPUS / case.path
    code, stderr = in_subprocess(command(case.kind, file, out), case.env, cwd)
    assert_refused(case, file, code, stderr, out)


@pytest.mark.parametrize("case", GENERATED, ids=[case.path for case in GENERATED])
def test_generated_file_is_handled_by_the_real_process(case: Case, generated: Path, tmp_path: Path) -> None:
    out, cwd = _dirs(tmp_path)
    file = generated / case.path
    code, stderr = in_subprocess(command(kind_of(case.path), file, out), case.env, cwd)
    if case.kind == "accepted":
        assert_read(file, code, stderr, out)
    else:
        assert_refused(case, file, code, stderr, out)


#: Lint reads a waivers file among its paths, and takes an empty file as a warning: those two are the audit's.
POLICIES = [case for case in HAND if case.kind == "policy" and case.says not in ("no checks found", "this is a waivers file; pass it with --waivers")]


@pytest.mark.parametrize("case", POLICIES, ids=[case.path for case in POLICIES])
def test_lint_reports_the_same_problem(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``unify lint`` finds what the audit refuses, at the same line; its summary line follows."""
    file = CORPUS / case.path
    code, stderr = in_process(["lint", str(file)], {}, tmp_path, monkeypatch)
    assert code == 2 and "Traceback" not in stderr and "internal error" not in stderr, stderr[:2000]
    where = f"{file}:" if case.line is None else f"{file}:{case.line}:"
    assert any(line.startswith(where) and case.says in line for line in stderr.splitlines()), stderr[:2000]
    assert stderr.splitlines()[-1].startswith("unify lint: ")


# -- hostile but valid --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", accepted())
def test_accepted_file_is_read_within_the_bound(path: str, tmp_path: Path) -> None:
    out, cwd = _dirs(tmp_path)
    file = CORPUS / path
    code, stderr = in_subprocess(command(kind_of(path), file, out), {}, cwd)
    assert_read(file, code, stderr, out)


def test_redos_patterns_are_evaluated_not_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """RE2 decides ``^(a+)+$`` on the 49-character tag at once: a verdict for every pattern, no error."""
    out, cwd = _dirs(tmp_path)
    for name in ("policy-redos-nested-plus.yaml", "policy-redos-words.yaml"):
        (out / "report.json").unlink(missing_ok=True)
        code, stderr = in_process(command("policy", CORPUS / "accepted" / name, out), {}, cwd, monkeypatch)
        assert code == 1, stderr
        results = json.loads((out / "report.json").read_text())["results"]
        scratch = {r["check"]: r["verdict"] for r in results if r["resource"].endswith("corpus-scratch-1")}
        assert scratch and set(scratch.values()) == {"fail"}, scratch
