"""The observation's progress display: a rich bar on stderr, silent when stderr is not a terminal."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["progress_for_stderr"]


class _Bar:
    def __init__(self) -> None:
        from rich.console import Console  # noqa: PLC0415
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: PLC0415

        self._errors = 0
        self._resources = 0
        self._progress = Progress(
            TextColumn("observing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        )
        self._task: Any = None

    def start(self, total: int) -> None:
        self._progress.start()
        self._task = self._progress.add_task("observe", total=total, status="")

    def done(self, collector: str, region: str, status: str, resources: int) -> None:
        self._resources += resources
        self._errors += status != "ok"
        errors = f", {self._errors} with errors" if self._errors else ""
        self._progress.update(self._task, advance=1, status=f"{self._resources} resources{errors} (last: {collector} {region})")

    def finish(self) -> None:
        self._progress.stop()


def progress_for_stderr() -> Any:
    """A progress display when a person is watching stderr, else None (quiet)."""
    try:
        interactive = sys.stderr.isatty()
    except (AttributeError, ValueError):
        interactive = False
    return _Bar() if interactive else None
