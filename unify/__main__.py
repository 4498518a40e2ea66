"""``python -m unify``: the same as the ``unify`` command."""

from unify.cli import run

run()
