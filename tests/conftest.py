"""Shared fixtures: policy files written per test, the CLI runner, built-in plugins only."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

pytest_plugins = ["pytester"]

# The suite must pass on a busy machine: no hypothesis test may fail because an example was slow,
# and the health check that times data generation is off for the same reason.
settings.register_profile("unify", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("unify")

@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a dedented text file under tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True)
def _builtin_plugins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see unify's built-ins only, whatever else is installed."""
    from unify.plugins import reset_plugins

    monkeypatch.setenv("UNIFY_DISABLE_PLUGIN_AUTOLOAD", "1")
    reset_plugins()
    yield
    reset_plugins()
