"""Outputs cannot damage anything: devices and FIFOs written through, symlinks followed, folders refused.

Every report, snapshot and export goes through one writer; these tests hold it
to the promise that a run never replaces something the user had with a
regular file, and never leaves half a file or a temporary file behind.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from factories import ok, resource, snapshot
from unify._files import atomic_write
from unify.cli import main
from unify.errors import OutputError
from unify.model.snapshot import write_snapshot

POLICY = """
checks:
  - id: ebs-encrypted
    title: EBS volumes are encrypted
    severity: high
    resource: aws_ebs_volume
    assert: {encrypted: {eq: true}}
"""


@pytest.fixture
def audit(runner, write, tmp_path):
    """Run ``unify audit`` on a one-volume estate, with the given output arguments."""
    policy = write("p.yaml", POLICY)
    snap = write_snapshot(snapshot([resource("aws_ebs_volume", "v1", {"encrypted": True})], [ok("aws_ebs_volume")]),
                          tmp_path / "in" / "snap.json")

    def _audit(*args: str):
        return runner.invoke(main, ["audit", str(policy), "--snapshot", str(snap), *args], catch_exceptions=False)

    return _audit


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_terminal_device_is_written_through_not_replaced(audit) -> None:
    master, slave = os.openpty()
    try:
        device = os.ttyname(slave)
        result = audit("--format", "json", "-o", device)
        assert result.exit_code == 0, result.stderr
        assert stat.S_ISCHR(os.stat(device).st_mode)  # still the device, not a regular file
        received = b""
        while b'"format"' not in received:
            received += os.read(master, 65536)
        assert b"unify.results/v1" in received
    finally:
        os.close(slave)
        os.close(master)


def test_a_fifo_is_written_through_to_its_reader(audit, tmp_path) -> None:
    fifo = tmp_path / "reports.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = audit("--format", "json", "-o", str(fifo))
    reader.join(120)  # a guard against a hang, not a measure of speed
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(received[0])["format"] == "unify.results/v1"
    assert _leftovers(tmp_path) == []


def test_a_symlink_is_followed_and_kept(audit, tmp_path) -> None:
    real = tmp_path / "reports" / "latest.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    result = audit("--format", f"json={link}")
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert json.loads(real.read_text())["summary"]["pass"] == 1
    assert _leftovers(real.parent) == [] and _leftovers(tmp_path) == []


def test_a_dangling_symlink_creates_what_it_names(audit, tmp_path) -> None:
    (tmp_path / "reports").mkdir()
    link = tmp_path / "latest.json"
    link.symlink_to(tmp_path / "reports" / "new.json")
    assert audit("--format", "json", "-o", str(link)).exit_code == 0
    assert link.is_symlink() and (tmp_path / "reports" / "new.json").is_file()


@pytest.mark.parametrize("make", ["folder", "into-nowhere", "loop"])
def test_what_cannot_be_written_is_one_line_exit_2_and_nothing_changes(audit, tmp_path, make) -> None:
    target = tmp_path / "out"
    if make == "folder":
        target.mkdir()
        expected = "it is a folder"
    elif make == "into-nowhere":
        target.symlink_to(tmp_path / "missing" / "r.json")
        expected = "points into a missing folder"
    else:
        target.symlink_to(tmp_path / "other")
        (tmp_path / "other").symlink_to(target)
        expected = "cannot write"
    before = sorted(p.name for p in tmp_path.iterdir())
    result = audit("--format", "json", "-o", str(target))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "out" in lines[0] and expected in lines[0], lines
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert make != "folder" or list(target.iterdir()) == []


def test_stdout_dash_writes_to_stdout(audit) -> None:
    result = audit("--format", "json", "-o", "-")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["format"] == "unify.results/v1"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path) -> None:
    target = tmp_path / "snap.json"
    target.write_text("the good one")

    def fill(handle) -> None:
        handle.write(b"half of a new")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="No space left on device"):
        atomic_write(target, fill)
    assert target.read_text() == "the good one"
    assert _leftovers(tmp_path) == []


def test_a_snapshot_written_through_a_symlink_keeps_the_link(tmp_path) -> None:
    real = tmp_path / "store" / "snap.json"
    real.parent.mkdir()
    link = tmp_path / "snap.json"
    link.symlink_to(real)
    write_snapshot(snapshot([], [ok("aws_ebs_volume")]), link)
    assert link.is_symlink() and json.loads(real.read_text())["format"] == "unify.snapshot/v1"


def test_a_regular_file_keeps_the_modes_the_umask_gives(tmp_path) -> None:
    previous = os.umask(0o027)
    try:
        path = atomic_write(tmp_path / "r.json", lambda handle: handle.write(b"{}"))
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
