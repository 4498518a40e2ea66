"""GitHub Actions workflow commands: one annotation per finding, within GitHub's per-step limits.

``::error file=...::...`` lines, pointing at the ``.tf`` line of a planned
resource when it can be found and at the check otherwise, and a last notice
with the gate. Names and reasons come from the estate: each is shortened past
a sane length, and ``@mentions`` in them are broken so an annotation pages
no one.
"""

from __future__ import annotations

import os
from typing import IO, Any, Final

from unify.checks.policy_set import Check, severity_rank
from unify.render.locations import Locator
from unify.render.renderer import RenderOptions
from unify.render.text import finding_subject, neutralise_mentions, shorten
from unify.results import Result, Results

__all__ = ["ANNOTATIONS_PER_LEVEL", "escape_data", "escape_property", "github_commands", "render_github"]

#: GitHub shows this many annotations of each level (error, warning, notice) per step.
ANNOTATIONS_PER_LEVEL: Final = 10
_BASELINE_RANK: Final = {"new": 0, "existing": 1}


def escape_data(value: Any) -> str:
    """A workflow command's message: ``%``, CR and LF escaped."""
    return str(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: Any) -> str:
    """A workflow command's property value: as a message, plus ``:`` and ``,``."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, message: str, **properties: Any) -> str:
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items() if value is not None)
    return f"::{level}{' ' + props if props else ''}::{escape_data(message)}"


def _annotation_level(result: Result) -> str | None:
    if result.verdict == "unknown":
        return "notice"
    if result.verdict == "error":
        return "error"  # a defect of the check: the gate exits 2 whatever its severity
    if result.verdict == "fail":
        return {"critical": "error", "high": "error", "medium": "warning", "low": "warning"}.get(
            result.severity, "notice"
        )
    return None


_MORE: Final = {"error": "failing results", "warning": "failing results", "notice": "info failures and unknown results"}


def github_commands(results: Results, options: RenderOptions, cwd: str | os.PathLike[str] | None = None) -> list[str]:
    """The workflow commands: annotations within GitHub's per-step limits, then the gate."""
    locator = Locator(results, options, cwd)
    checks = {check.id: check for check in results.policy.checks}
    levels: dict[str, list[tuple[int, Result]]] = {"error": [], "warning": [], "notice": []}
    for position, result in enumerate(results.results):
        level = _annotation_level(result)
        if level is not None:
            levels[level].append((position, result))
    lines = []
    for level, found in levels.items():
        found.sort(
            key=lambda item: (
                _BASELINE_RANK.get(item[1].baseline or "", 2),
                -severity_rank(item[1].severity),
                item[1].verdict == "unknown",
                item[0],
            )
        )
        # The gate is a notice too: it gets one of the ten.
        room = ANNOTATIONS_PER_LEVEL - (1 if level == "notice" else 0)
        shown = found if len(found) <= room else found[: room - 1]
        for _, result in shown:
            lines.append(_annotation(level, result, checks[result.check], locator))
        if len(shown) < len(found):
            lines.append(
                _command(
                    level,
                    f"... and {len(found) - len(shown)} more {_MORE[level]}; see the job summary or the SARIF report",
                    title="unify",
                )
            )
    gate = options.gate(results)
    lines.append(_command("notice", f"exit {gate.code}: {gate.reason}", title="unify"))
    return lines


def _annotation(level: str, result: Result, check: Check, locator: Locator) -> str:
    place = locator.annotation(result, check)
    marks = [
        m
        for m in (
            result.baseline if result.baseline == "new" else None,
            {"unknown": "unknown", "error": "check error"}.get(result.verdict),
        )
        if m
    ]
    prefix = "".join(f"[{m}] " for m in marks)
    message = f"{prefix}{shorten(finding_subject(result))}: {shorten(result.reason)}"
    if result.verdict == "fail" and check.remediation:
        message += f"\nRemediation: {shorten(check.remediation)}"
    return _command(
        level,
        neutralise_mentions(message),
        file=locator.relative(place.path),
        line=place.line,
        title=neutralise_mentions(f"{check.id} ({check.severity}): {shorten(check.title, 200)}"),
    )


def render_github(results: Results, stream: IO[str], options: RenderOptions) -> None:
    stream.write("".join(line + "\n" for line in github_commands(results, options)))
