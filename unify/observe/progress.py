"""What an observation tells a progress display, and the display the CLI draws on stderr.

The observer reports each finished collector task; :func:`progress_for_stderr`
gives a rich bar when a person is watching stderr and nothing otherwise, so
CI logs and piped output carry no control characters.
"""

from __future__ import annotations

import sys
from typing import Any, Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

__all__ = ["Progress", "QuietProgress", "progress_for_stderr"]


class Progress(Protocol):
    """What the observation tells a progress display (the CLI draws it on stderr)."""

    def start(self, total: int) -> None: ...

    def done(self, collector: str, region: str, status: str, resources: int) -> None: ...

    def finish(self) -> None: ...


class QuietProgress:
    """No display: what the library uses when nobody asked for one."""

    def start(self, total: int) -> None:
        pass

    def done(self, collector: str, region: str, status: str, resources: int) -> None:
        pass

    def finish(self) -> None:
        pass


class _Bar:
    def __init__(self) -> None:
        self._errors = 0
        self._resources = 0
        self._progress = RichProgress(
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
        self._progress.update(
            self._task, advance=1, status=f"{self._resources} resources{errors} (last: {collector} {region})"
        )

    def finish(self) -> None:
        self._progress.stop()


def progress_for_stderr() -> Progress | None:
    """A progress display when a person is watching stderr, else None (quiet)."""
    try:
        interactive = sys.stderr.isatty()
    except (AttributeError, ValueError):
        interactive = False
    return _Bar() if interactive else None
