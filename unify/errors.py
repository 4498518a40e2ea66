"""Typed errors: each names where the problem is, so the CLI can print one line.

The CLI maps every :class:`UnifyError` to its ``exit_code`` and prints
``str(error)`` on stderr, never a traceback. ``InputError`` is bad input
(exit 2): a file, line and key the user can go and fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from unify.model.resource import unknown

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_CLEAN",
    "EXIT_FINDINGS",
    "EXIT_INCOMPLETE",
    "AwsError",
    "EvidenceError",
    "IncompleteObservation",
    "InputError",
    "ObservationError",
    "PlanError",
    "PluginError",
    "PolicyError",
    "Problem",
    "SnapshotError",
    "StateError",
    "UnifyError",
    "WaiverError",
]

EXIT_CLEAN: Final = 0
EXIT_FINDINGS: Final = 1
EXIT_BAD_INPUT: Final = 2
EXIT_INCOMPLETE: Final = 3

#: Longest message and key a problem prints: a hostile file's megabyte string must not become the error line.
MAX_MESSAGE: Final = 400
MAX_KEY: Final = 80


def one_line(text: str, limit: int) -> str:
    """``text`` on one line (line breaks and other control characters escaped), cut at ``limit`` with a note."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if len(text) > limit:
        return f"{text[:limit]}... ({len(text) - limit:,} more characters)"
    return text


class UnifyError(Exception):
    """Base of every error unify raises on purpose."""

    exit_code: int = EXIT_BAD_INPUT


@dataclass(frozen=True, order=True)
class Problem:
    """One located mistake in an input file: what lint reports, one per line."""

    file: str
    line: int | None
    key: str | None
    message: str
    warning: bool = False

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        key = f" [{one_line(self.key, MAX_KEY)}]" if self.key else ""
        kind = "warning: " if self.warning else ""
        return f"{where}:{key} {kind}{one_line(self.message, MAX_MESSAGE)}"


class InputError(UnifyError):
    """Bad input: carries every problem found, the first one is the message."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("<input>", None, None, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        first = str(self.problems[0]) if self.problems else "bad input"
        more = len(self.problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        super().__init__(first + suffix)

    @classmethod
    def at(cls, file: str, line: int | None, key: str | None, message: str) -> InputError:
        return cls(Problem(file, line, key, message))


class PolicyError(InputError):
    """A policy file (checks, desired state, framework catalog) is wrong."""


class WaiverError(InputError):
    """A waivers file is wrong, or names a check that does not exist."""


class SnapshotError(InputError):
    """A snapshot file cannot be read, fails its schema or its digest."""


class PlanError(InputError):
    """A plan file that cannot be read or is in a format no importer reads."""


class StateError(InputError):
    """A Terraform state that cannot be read, or is in a version unify does not read."""


class PluginError(UnifyError):
    """A plugin failed to load or broke a hook's contract; names the plugin."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, plugin: str, message: str) -> None:
        self.plugin = plugin
        super().__init__(f"plugin {plugin!r}: {message}")


class ObservationError(UnifyError):
    """The estate cannot be observed at all: no credentials, no such profile or region."""

    exit_code = EXIT_BAD_INPUT


class EvidenceError(UnifyError):
    """The evidence store cannot be read or written (exit 2), or a run does not exist."""


class OutputError(UnifyError):
    """An output path unify will not write: a folder, a socket, a symlink into nowhere, a full disk (exit 2)."""

    exit_code = EXIT_BAD_INPUT


class IncompleteObservation(ObservationError):
    """The estate was reached but could not be observed (the account could not be identified): exit 3."""

    exit_code = EXIT_INCOMPLETE


class AwsError(Exception):
    """An AWS call that failed for good (after botocore's retries), with its code."""

    def __init__(self, code: str, message: str, operation: str = "") -> None:
        self.code, self.message, self.operation = code, message, operation
        super().__init__(f"{code}: {message}")

    def as_coverage(self) -> dict[str, str]:
        where = f" ({self.operation})" if self.operation and self.operation not in self.message else ""
        return {"code": self.code, "message": f"{self.message}{where}"}

    def marker(self) -> dict[str, Any]:
        """The ``$unknown`` marker for an attribute this call should have filled."""
        return unknown(f"{self.code}: {self.operation or self.message}")
