"""Renderers: how one result set is written out (table, JSON, and plugins' formats).

A renderer is a function of :class:`unify.Results` and a stream; it reads
the views and never evaluates. Built-ins live in ``unify.default_renderers``
and register through the ``unify_register_renderers`` hook.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO

from unify._files import atomic_write
from unify._registry import Registry
from unify.errors import PluginError
from unify.results import Results

__all__ = ["RenderOptions", "Renderer", "RendererRegistry", "render", "stream_output", "write_output"]


@dataclass(frozen=True)
class RenderOptions:
    """What a renderer may take into account besides the results."""

    fail_on: str = "info"
    terminal: bool = False
    color: bool = False
    width: int | None = None
    verbose: bool = False
    new_only: bool = False
    soft: bool = False
    #: Where the Terraform configuration lives, to point plan findings at .tf files and lines.
    source_root: str | None = None
    #: The table's one-screen summary instead of every finding.
    summary: bool = False
    #: The AWS service of each resource type (from the collectors), for reports that group by service.
    services: Mapping[str, str] = field(default_factory=dict)
    #: Where findings without a region of their own (IAM, account-wide) are filed (ASFF); default: the snapshot's.
    region: str | None = None
    #: JSON indented for people rather than compact.
    pretty: bool = False
    #: ``--by-account``: the table also shows the results and each framework's posture by account, OU and region.
    by_account: bool = False

    def gate(self, results: Results) -> Any:
        """The gate this run applies (``--fail-on``, ``--fail-on-new``, ``--soft-fail``)."""
        return results.gate(self.fail_on, new_only=self.new_only and results.baseline is not None, soft=self.soft)


@dataclass(frozen=True)
class Renderer:
    """One output format. ``binary`` renderers get a bytes stream."""

    name: str
    render: Callable[[Results, IO[Any], RenderOptions], None]
    description: str
    binary: bool = False
    extension: str = ".txt"
    plugin: str = "unify"


class RendererRegistry(Registry[Renderer]):
    """Output formats by name; filled through ``unify_register_renderers``."""

    kind = "renderer"

    def _check(self, item: Renderer) -> None:
        if not item.name or not item.name.replace("-", "").replace("_", "").isalnum():
            raise PluginError(self.plugin, f"renderer name {item.name!r} is not allowed")


def _run(renderer: Renderer, results: Results, stream: IO[Any], options: RenderOptions) -> None:
    """Run a renderer; errors inside a plugin's renderer name the plugin."""
    try:
        renderer.render(results, stream, options)
    except PluginError:
        raise
    except Exception as exc:
        if renderer.plugin.startswith("unify."):
            raise
        raise PluginError(renderer.plugin, f"renderer {renderer.name!r} failed: {type(exc).__name__}: {exc}") from exc


def render(renderer: Renderer, results: Results, options: RenderOptions) -> bytes:
    """Render to bytes; errors inside a plugin's renderer name the plugin."""
    if renderer.binary:
        buffer = io.BytesIO()
        _run(renderer, results, buffer, options)
        return buffer.getvalue()
    text = io.StringIO()
    _run(renderer, results, text, options)
    return text.getvalue().encode("utf-8")


def stream_output(renderer: Renderer, results: Results, options: RenderOptions, path: str | None) -> None:
    """Render a binary format straight into ``path`` (atomically) or stdout, without holding its bytes.

    A file appears only once complete, as with :func:`write_output`; on
    stdout a renderer that fails part-way leaves what it wrote.
    """
    if path is None or path == "-":
        _run(renderer, results, sys.stdout.buffer, options)
        sys.stdout.flush()
        return

    def fill(handle: BinaryIO) -> None:
        _run(renderer, results, handle, options)

    atomic_write(path, fill)


def write_output(data: bytes, path: str | None) -> None:
    """Write to ``path`` atomically, or to stdout when ``path`` is None or ``-``."""
    if path is None or path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return

    def fill(handle: BinaryIO) -> None:
        handle.write(data)

    atomic_write(path, fill)
