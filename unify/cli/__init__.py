"""The ``unify`` command line: thin over :mod:`unify.run` and the library, strict about exit codes.

Exit codes (DESIGN.md): 0 clean, 1 findings at or above ``--fail-on``,
2 bad input or usage, 3 observation incomplete and nothing failed. Reports
go to stdout (or ``-o``); diagnostics and the final reason go to stderr.
Every :class:`unify.errors.UnifyError` becomes one line on stderr, never a
traceback. The commands live by what they do: :mod:`unify.cli.audit`
(audit, lint, schema), :mod:`unify.cli.observe` (observe, types, plugins),
:mod:`unify.cli.views` (drift, diff, stack), :mod:`unify.cli.watch` and
:mod:`unify.cli.evidence`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from unify._heap import unwalked_at_exit
from unify._version import __version__
from unify.cli.audit import audit_command, lint, packs_command, schema
from unify.cli.evidence import evidence
from unify.cli.export import export
from unify.cli.observe import checks_command, observe_command, plugins_command, types_command
from unify.cli.views import diff_command, drift_command, stack_command
from unify.cli.watch import watch_command
from unify.errors import EXIT_BAD_INPUT, Problem, UnifyError

__all__ = ["main", "run"]

#: 128 + SIGPIPE: what a shell reports for a writer whose pipe was closed.
_EXIT_PIPE = 141


class _Group(click.Group):
    """Turns unify's own errors into one stderr line and their exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UnifyError as exc:
            _fail(str(exc), exc.exit_code, getattr(exc, "problems", None))
        except KeyboardInterrupt:
            click.echo("unify: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # The reader of stdout went away (`unify types | head`): stop quietly, as a pipe's writer does.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(_EXIT_PIPE)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:
            if os.environ.get("UNIFY_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (set UNIFY_DEBUG=1 for a traceback)", EXIT_BAD_INPUT)


def _fail(message: str, code: int, problems: Sequence[Problem] | None = None) -> NoReturn:
    if problems and len(problems) > 1:
        for problem in problems:
            click.echo(f"unify: error: {problem}", err=True)
    else:
        click.echo(f"unify: error: {message}", err=True)
    sys.exit(code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="unify")
def main() -> None:
    """One observation, one set of checks: drift, policy and compliance from the same verdicts."""


for _command in (
    audit_command,
    lint,
    packs_command,
    schema,
    observe_command,
    types_command,
    checks_command,
    plugins_command,
    drift_command,
    diff_command,
    stack_command,
    watch_command,
    evidence,
    export,
):
    main.add_command(_command)


def run() -> None:
    """The ``unify`` console script and ``python -m unify``: :func:`main`, then an exit with no last collection."""
    try:
        main()
    finally:
        unwalked_at_exit()
