"""unify's own output formats, registered through ``unify_register_renderers`` as a plugin's would be.

Each format lives in its own module of :mod:`unify.render`; this module only
plugs them in. Every renderer reads :class:`unify.results.Results` and its
views and nothing else, so the same results give the same bytes.
"""

from __future__ import annotations

from unify.hookspecs import hookimpl
from unify.render.asff import render_asff
from unify.render.github import render_github
from unify.render.html import render_html
from unify.render.json import render_json
from unify.render.junit import render_junit
from unify.render.markdown import render_markdown
from unify.render.ocsf import render_ocsf
from unify.render.renderer import Renderer, RendererRegistry
from unify.render.sarif import render_sarif
from unify.render.spreadsheet import render_csv
from unify.render.table import render_table

__all__: list[str] = []


@hookimpl
def unify_register_renderers(registry: RendererRegistry) -> None:
    registry.add(Renderer("table", render_table, "human-readable tables (rich on a terminal, ASCII otherwise)"))
    registry.add(Renderer("json", render_json, "the unify.results/v1 document", binary=True, extension=".json"))
    registry.add(
        Renderer("markdown", render_markdown, "a GitHub job summary (under 1 MiB, cut with a note)", extension=".md")
    )
    registry.add(
        Renderer(
            "html",
            render_html,
            "one self-contained interactive HTML report (search, filters, drill-down; no network)",
            extension=".html",
        )
    )
    registry.add(
        Renderer("sarif", render_sarif, "SARIF 2.1.0 for GitHub code scanning (one rule per check)", extension=".sarif")
    )
    registry.add(
        Renderer(
            "junit", render_junit, "JUnit XML: one test case per check (Jenkins, GitLab, GitHub)", extension=".xml"
        )
    )
    registry.add(
        Renderer(
            "github",
            render_github,
            "GitHub Actions annotations (::error file=...), within the per-step limits",
            extension=".txt",
        )
    )
    registry.add(
        Renderer(
            "ocsf", render_ocsf, "OCSF 1.8.0 Compliance Finding events (class 2003), one per result", extension=".json"
        )
    )
    registry.add(
        Renderer(
            "asff",
            render_asff,
            "AWS Security Finding Format, as Security Hub BatchImportFindings requests of up to 100 findings",
            extension=".json",
        )
    )
    registry.add(Renderer("csv", render_csv, "one row per result, for spreadsheets (RFC 4180)", extension=".csv"))
