"""What an observation tells a progress display, and the displays the CLI draws on stderr.

The observer reports each finished unit (a collector in one account and
region); an organisation's observation also says, at the start, how many
units each account has, so a display can count accounts done. On a terminal
:func:`progress_for_stderr` draws a rich bar; elsewhere it is quiet unless
asked (``--progress``), and then writes one plain line per finished account
(or per unit, for one account), so CI logs carry no control characters.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

__all__ = ["AccountTally", "LineProgress", "Progress", "QuietProgress", "progress_for_stderr"]


class Progress(Protocol):
    """What the observation tells a progress display (the CLI draws it on stderr).

    ``accounts`` (an organisation's observation only) maps each account to its
    number of units; an account with none could not be made ready (its role
    could not be assumed) and counts as done, in error. ``account`` names the
    account of a finished unit.
    """

    def start(self, total: int, accounts: Mapping[str, int] | None = None) -> None: ...

    def done(self, collector: str, region: str, status: str, resources: int, account: str | None = None) -> None: ...

    def finish(self) -> None: ...


class QuietProgress:
    """No display: what the library uses when nobody asked for one."""

    def start(self, total: int, accounts: Mapping[str, int] | None = None) -> None:
        pass

    def done(self, collector: str, region: str, status: str, resources: int, account: str | None = None) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass
class AccountTally:
    """Counts of an observation in progress: units and accounts done, resources, errors, per account."""

    units: int = 0
    units_done: int = 0
    resources: int = 0
    errors: int = 0
    #: Units still to finish, per account.
    left: dict[str, int] = field(default_factory=dict)
    #: Per account: (units, resources, units in error) so far.
    per_account: dict[str, list[int]] = field(default_factory=dict)
    accounts_done: int = 0
    accounts_in_error: int = 0

    def start(self, total: int, accounts: Mapping[str, int] | None) -> list[str]:
        """Begin; returns the accounts already done (those with no unit: not made ready)."""
        self.units = total
        failed = []
        for account, count in sorted((accounts or {}).items()):
            self.per_account[account] = [0, 0, 0]
            if count:
                self.left[account] = count
            else:
                failed.append(account)
        self.accounts_done += len(failed)
        self.accounts_in_error += len(failed)
        return failed

    @property
    def accounts(self) -> int:
        return len(self.per_account)

    def done(self, status: str, resources: int, account: str | None) -> bool:
        """Count one finished unit; True when it was the last of its account."""
        self.units_done += 1
        self.resources += resources
        self.errors += status != "ok"
        if account is None or account not in self.left:
            return False
        counts = self.per_account[account]
        counts[0] += 1
        counts[1] += resources
        counts[2] += status != "ok"
        self.left[account] -= 1
        if self.left[account]:
            return False
        del self.left[account]
        self.accounts_done += 1
        self.accounts_in_error += counts[2] > 0
        return True

    def line(self) -> str:
        """Where the observation stands, in one line."""
        parts = []
        if self.accounts:
            parts.append(f"{self.accounts_done}/{self.accounts} accounts")
        parts.append(f"{self.units_done}/{self.units} units")
        parts.append(f"{self.resources} resources")
        errors = f"{self.errors} unit(s) in error"
        if self.accounts_in_error:
            errors += f", {self.accounts_in_error} account(s) with errors"
        parts.append(errors)
        return ", ".join(parts)


class LineProgress:
    """Plain lines on a stream (stderr that is not a terminal, when asked): one per account done, then the total."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._tally = AccountTally()

    def _say(self, text: str) -> None:
        self._stream.write(f"unify: {text}\n")
        self._stream.flush()

    def start(self, total: int, accounts: Mapping[str, int] | None = None) -> None:
        for account in self._tally.start(total, accounts):
            self._say(f"account {account}: not observed (it could not be made ready); {self._tally.line()}")

    def done(self, collector: str, region: str, status: str, resources: int, account: str | None = None) -> None:
        finished = self._tally.done(status, resources, account)
        if account is not None and finished:
            units, found, errors = self._tally.per_account[account]
            self._say(
                f"account {account} done: {units} units, {found} resources, {errors} in error; {self._tally.line()}"
            )
        elif not self._tally.accounts:
            self._say(f"{collector} {region} {status}; {self._tally.line()}")

    def finish(self) -> None:
        self._say(f"observed {self._tally.line()}")


class _Bar:
    def __init__(self) -> None:
        # rich's progress bar is loaded when a terminal watches an observation, not with every command.
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        self._tally = AccountTally()
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

    def start(self, total: int, accounts: Mapping[str, int] | None = None) -> None:
        self._tally.start(total, accounts)
        self._progress.start()
        self._task = self._progress.add_task("observe", total=total, status="")

    def done(self, collector: str, region: str, status: str, resources: int, account: str | None = None) -> None:
        self._tally.done(status, resources, account)
        last = f"{account} {collector}" if account else collector
        self._progress.update(self._task, advance=1, status=f"{self._tally.line()} (last: {last} {region})")

    def finish(self) -> None:
        self._progress.stop()


def progress_for_stderr(asked: bool | None = None) -> Progress | None:
    """A progress display on stderr: a bar for a person watching, plain lines when asked, else None (quiet).

    ``asked`` is ``--progress`` (True), ``--no-progress`` (False) or neither (None: only on a terminal).
    """
    if asked is False:
        return None
    try:
        interactive = sys.stderr.isatty()
    except (AttributeError, ValueError):
        interactive = False
    if interactive:
        return _Bar()
    return LineProgress(sys.stderr) if asked else None
