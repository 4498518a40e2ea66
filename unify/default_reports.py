"""Reports for people, registered through ``unify_register_renderers``: markdown and html.

``markdown`` (:mod:`unify._markdown`) is a GitHub job summary kept under
1 MiB; ``html`` (:mod:`unify._html`) is one self-contained file that lists
everything. Both read only :class:`unify.Results` and its views, escape every
value from the estate or from policy and waiver files, and hold no render
time: the same results give the same bytes. This module only plugs them in,
and keeps the names tests and plugins import from it.
"""

from __future__ import annotations

from unify._html import CSP, html_report, render_html
from unify._markdown import MARKDOWN_BUDGET, escape_markdown, markdown_report, render_markdown
from unify._report_text import baseline_of, baseline_order
from unify.hookspecs import hookimpl
from unify.renderers import Renderer, RendererRegistry

__all__ = ["MARKDOWN_BUDGET", "CSP", "render_markdown", "render_html", "markdown_report", "html_report", "escape_markdown",
           "baseline_of", "baseline_order"]


@hookimpl
def unify_register_renderers(registry: RendererRegistry) -> None:
    registry.add(Renderer("markdown", render_markdown, "a GitHub job summary (under 1 MiB, cut with a note)",
                          extension=".md"))
    registry.add(Renderer("html", render_html, "one self-contained HTML report (no scripts, no network)",
                          extension=".html"))
