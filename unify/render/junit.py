"""JUnit XML as Jenkins, GitLab and the GitHub test reporters read it.

One test case per evaluated check, failing when any resource fails (or is
unknown: unknown never passes), skipped when the check had nothing in scope.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence
from typing import IO, Any, Final

from unify._version import __version__
from unify.checks.policy_set import Check
from unify.render.locations import Locator
from unify.render.renderer import RenderOptions
from unify.render.text import control_pairs, detail_lines, finding_subject, justification
from unify.results import Result, Results

__all__ = ["junit_tree", "render_junit"]

_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(value: Any) -> str:
    return _NOT_XML.sub("\ufffd", "" if value is None else str(value))


def _classname(locator: Locator, file: str) -> str:
    return locator.relative(file).lstrip("/").replace("/", ".")


def _junit_lines(check: Check, found: Sequence[Result], results: Results) -> list[str]:
    failing = [r for r in found if r.verdict in ("fail", "error")]
    unknown = [r for r in found if r.verdict == "unknown"]
    waived = [r for r in found if r.verdict == "waived"]
    lines = [
        f"unify check {check.id} ({check.severity}): {check.title}",
        (
            f"  {len(failing)} failing, {len(unknown)} unknown and {len(waived)} waived of {len(found)} result(s); "
            f"defined at {check.location}"
        ),
    ]
    for result in failing + unknown:
        where = "/".join(part for part in (result.account, result.region) if part)
        lines.append(
            f"  {result.verdict.upper()} {finding_subject(result)} ({result.type}{', ' + where if where else ''})"
        )
        details = detail_lines(result)
        lines.extend(f"      {line}" for line in details)
        if not details and result.reason:
            lines.append(f"      {result.reason}")
    if check.remediation:
        lines.append(f"  remediation: {check.remediation}")
    lines.append(f"  snapshot: {results.snapshot.digest} taken {results.snapshot.taken_at}")
    return lines


def _property(parent: ET.Element, name: str, value: Any) -> None:
    ET.SubElement(parent, "property", name=name, value=_x(value))


def junit_tree(results: Results, options: RenderOptions, cwd: str | os.PathLike[str] | None = None) -> ET.Element:
    """The ``<testsuites>`` element: one test case per evaluated check."""
    locator = Locator(results, options, cwd)
    by_check: dict[str, list[Result]] = defaultdict(list)
    for result in results.results:
        by_check[result.check].append(result)
    info = results.snapshot
    gate = options.gate(results)
    suites = ET.Element("testsuites", name="unify")
    suite = ET.SubElement(suites, "testsuite", name="unify")
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("unify_version", __version__),
        ("unify_snapshot_digest", info.digest),
        ("unify_snapshot_taken_at", info.taken_at),
        ("unify_snapshot_source", info.source),
        ("unify_gate", f"exit {gate.code}: {gate.reason}"),
    ):
        _property(props, name, value)
    counts = {"tests": 0, "failures": 0, "skipped": 0}
    for check in sorted(results.policy.checks, key=lambda c: c.id):
        found = by_check.get(check.id, [])
        attributes = {
            "classname": _x(_classname(locator, check.file)),
            "name": _x(check.id),
            "file": _x(locator.relative(check.file)),
        }
        if check.line is not None:
            attributes["line"] = str(check.line)
        case = ET.SubElement(suite, "testcase", attributes, time="0")
        case_props = ET.SubElement(case, "properties")
        for name, value in (
            ("unify_check", check.id),
            ("unify_severity", check.severity),
            ("unify_kind", check.kind),
            ("unify_controls", " ".join(control_pairs(check))),
            ("unify_snapshot_digest", info.digest),
        ):
            _property(case_props, name, value)
        counts["tests"] += 1
        failing = [r for r in found if r.verdict in ("fail", "error")]
        unknown = [r for r in found if r.verdict == "unknown"]
        waived = [r for r in found if r.verdict == "waived"]
        if failing:
            failure = ET.SubElement(
                case,
                "failure",
                type="unify.fail",
                message=_x(
                    f"{len(failing)} of {len(found)} resource(s) fail {check.id} ({check.severity}): {check.title}"
                ),
            )
            failure.text = _x("\n".join(_junit_lines(check, found, results)))
            counts["failures"] += 1
        elif unknown:
            failure = ET.SubElement(
                case,
                "failure",
                type="unify.unknown",
                message=_x(
                    f"{len(unknown)} of {len(found)} result(s) unknown (not observed) for {check.id}: {check.title}"
                ),
            )
            failure.text = _x("\n".join(_junit_lines(check, found, results)))
            counts["failures"] += 1
        elif not found:
            ET.SubElement(case, "skipped", message="not applicable")
            counts["skipped"] += 1
        if waived:
            out = ET.SubElement(case, "system-out")
            out.text = _x("\n".join(f"waived: {finding_subject(r)}: {justification(r)}" for r in waived))
    for element in (suites, suite):
        element.set("tests", str(counts["tests"]))
        element.set("failures", str(counts["failures"]))
        element.set("errors", "0")
        element.set("skipped", str(counts["skipped"]))
        element.set("time", "0")
    return suites


def render_junit(results: Results, stream: IO[str], options: RenderOptions) -> None:
    tree = junit_tree(results, options)
    ET.indent(tree)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(tree, encoding="unicode") + "\n")
