"""The ``csv`` format: one row per result, for spreadsheets.

RFC 4180 CSV (comma-separated, quoted where needed, CRLF line ends) with a
header row, in the results' order. Controls are ``framework:control`` pairs
separated by spaces. A spreadsheet runs a cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return as a formula, and values come
from the estate (a tag value of ``=HYPERLINK(...)`` is a valid tag value), so
such cells are prefixed with ``'``; and no cell is longer than a spreadsheet
cell can be.
"""

from __future__ import annotations

import csv
from typing import IO, Any, Final

from unify.render.renderer import RenderOptions
from unify.render.text import control_pairs, justification, shorten
from unify.results import Result, Results

__all__ = ["CSV_COLUMNS", "csv_cell", "render_csv"]

CSV_COLUMNS: Final = (
    "check",
    "title",
    "severity",
    "verdict",
    "resource",
    "name",
    "type",
    "service",
    "account",
    "region",
    "reason",
    "remediation",
    "controls",
    "terraform_address",
    "baseline",
    "waiver_expires",
    "check_file",
    "snapshot_digest",
)
#: Characters a cell holds at most: under the 32,767 a spreadsheet cell can take, with room for the marker.
_CELL: Final = 32_000
_FORMULA: Final = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A value as a cell a spreadsheet shows as text, never runs."""
    text = shorten(value, _CELL)
    return "'" + text if text.startswith(_FORMULA) else text


def _row(result: Result, results: Results, services: dict[str, str]) -> list[str]:
    check = results.check(result.check)
    waiver = result.waiver
    values: list[Any] = [
        result.check,
        check.title,
        result.severity,
        result.verdict,
        result.resource,
        result.name,
        result.type,
        services.get(result.type, ""),
        result.account,
        result.region,
        justification(result) if result.verdict == "waived" else result.reason,
        check.remediation,
        " ".join(control_pairs(result)),
        result.address,
        result.baseline,
        waiver.expires.isoformat() if waiver is not None and waiver.expires else "",
        check.location,
        results.snapshot.digest,
    ]
    return [csv_cell(value) for value in values]


def render_csv(results: Results, stream: IO[str], options: RenderOptions) -> None:
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    services = dict(options.services)
    for result in results.results:
        writer.writerow(_row(result, results, services))
