"""Formats for CI systems, registered through ``unify_register_renderers``: sarif, junit and github.

``sarif`` is SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer):
one rule per evaluated check, one result per finding (fail, unknown, error,
waived; passes are left out), each with a stable ``ruleId`` (the check id)
and a ``partialFingerprints`` entry so code scanning follows a finding from
run to run. Waived findings carry an accepted external suppression.

``junit`` is JUnit XML as Jenkins, GitLab and the GitHub test reporters read
it: one test case per evaluated check, failing when any resource fails (or
is unknown: unknown never passes), skipped when the check had nothing in
scope.

``github`` is GitHub Actions workflow commands (``::error file=...::...``),
one annotation per finding, within GitHub's per-step limits, and a last
notice with the gate.

Where a finding points (SARIF locations, annotation file and line) is
decided in :mod:`unify._locations`: the ``.tf`` line of a planned resource
when ``RenderOptions.source_root`` lets it be found, else the plan file for
SARIF and the check for annotations; the check's policy file and line for
every other finding.

Paths are relative to the current working folder (the repository root in CI)
when they lie under it. All three read only :class:`unify.Results`; nothing
in them depends on the time they were rendered.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, Final
from urllib.parse import quote

from unify import __version__
from unify._locations import Locator, Place, TerraformSource, parse_address
from unify.checks import Check, severity_rank
from unify.hookspecs import hookimpl
from unify.operators import describe_value
from unify.renderers import Renderer, RendererRegistry, RenderOptions
from unify.results import Result, Results

__all__ = [
    "SARIF_SCHEMA",
    "SECURITY_SEVERITY",
    "FINGERPRINT",
    "ANNOTATIONS_PER_LEVEL",
    "TerraformSource",
    "Place",
    "Locator",
    "parse_address",
    "fingerprint",
    "sarif_document",
    "render_sarif",
    "junit_tree",
    "render_junit",
    "github_commands",
    "render_github",
    "escape_data",
    "escape_property",
]

SARIF_SCHEMA: Final = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#: GitHub code scanning reads a rule's ``security-severity`` (a number as a string, 0.0 to 10.0).
SECURITY_SEVERITY: Final = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
_LEVEL: Final = {"critical": "error", "high": "error", "medium": "warning", "low": "warning", "info": "note"}
#: The key of the fingerprint that identifies one finding (check and resource) across runs.
FINGERPRINT: Final = "unifyFinding/v1"
#: GitHub rejects a SARIF upload with more than 20 tags on one rule (and shows 10).
_MAX_TAGS: Final = 20
_SRCROOT: Final = "%SRCROOT%"
#: GitHub shows this many annotations of each level (error, warning, notice) per step.
ANNOTATIONS_PER_LEVEL: Final = 10
_BASELINE_RANK: Final = {"new": 0, "existing": 1}
_FINDINGS: Final = ("fail", "error", "unknown", "waived")


def _subject(result: Result) -> str:
    """How a finding names its resource: the address for plan findings, else name and id."""
    if result.address:
        return result.address
    if result.name and result.name != result.resource:
        return f"{result.name} ({result.resource})"
    return result.resource


def _controls(check: Check | Result) -> list[str]:
    return [f"{framework}:{control}" for framework, ids in check.controls.items() for control in ids]


def _detail_lines(result: Result) -> list[str]:
    """One line per leaf that did not hold: path, expected and actual (as the pytest plugin writes them)."""
    lines = []
    for detail in result.details:
        if detail.verdict == "unknown":
            lines.append(f"{detail.path or '(resource)'}: unknown: {detail.unknown_reason}")
        elif detail.note or detail.operator in ("any_item", "all_items", "no_item", "count"):
            lines.append(detail.message)
        else:
            op = ("not " if detail.negated else "") + detail.operator
            lines.append(f"{detail.path or '(resource)'}: expected {op} {describe_value(detail.expected, 200)}, "
                         f"actual {describe_value(detail.actual, 200)}")
    return lines


# -- sarif -------------------------------------------------------------------------------


def _camel(check_id: str) -> str:
    words = [w for w in re.split(r"[^0-9A-Za-z]+", check_id) if w]
    return "".join(w[:1].upper() + w[1:] for w in words) or "Check"


def _semver(version: str) -> str:
    """A Semantic Versioning 2.0 form of a PEP 440 version (``0.1.0.dev3`` gives ``0.1.0-dev3``)."""
    match = re.match(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$", version)
    if not match:
        return "0.0.0"
    core = ".".join(str(int(part or 0)) for part in match.group(1, 2, 3))
    rest, _, local = match.group(4).partition("+")
    rest = re.sub(r"[^0-9A-Za-z.-]+", "-", rest).strip(".-")
    local = re.sub(r"[^0-9A-Za-z.-]+", "-", local).strip(".-")
    return core + (f"-{rest}" if rest else "") + (f"+{local}" if local else "")


def _rule(check: Check) -> dict[str, Any]:
    level = _LEVEL.get(check.severity, "warning")
    controls = _controls(check)
    tags = list(dict.fromkeys(["security", check.kind, *controls]))
    location = check.location
    text = [check.title, ""]
    markdown = [f"**{check.title}** (severity: {check.severity})", ""]
    if check.description:
        text += [check.description, ""]
        markdown += [check.description, ""]
    if check.remediation:
        text += [f"Remediation: {check.remediation}", ""]
        markdown += [f"**Remediation:** {check.remediation}", ""]
    text.append(f"Check {check.id}, defined at {location}.")
    markdown.append(f"Check `{check.id}`, defined at `{location}`.")
    if controls:
        text.append("Controls: " + ", ".join(controls) + ".")
        markdown += ["", "Controls: " + ", ".join(f"`{c}`" for c in controls) + "."]
    return {
        "id": check.id,
        "name": _camel(check.id),
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": check.description or check.title},
        "help": {"text": "\n".join(text), "markdown": "\n".join(markdown)},
        "defaultConfiguration": {"level": level},
        "properties": {
            "security-severity": SECURITY_SEVERITY.get(check.severity, "5.5"),
            "tags": tags[:_MAX_TAGS],
            "precision": "very-high",
            "severity": check.severity,
            "kind": check.kind,
            "controls": controls,
        },
    }


def _artifact(locator: Locator, path: str) -> dict[str, Any]:
    if locator.under_cwd(path):
        return {"uri": quote(locator.relative(path), safe="/"), "uriBaseId": _SRCROOT}
    return {"uri": Path(os.path.abspath(path)).as_uri()}


def _physical(locator: Locator, place: Place) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _artifact(locator, place.path)}
    physical["region"] = {"startLine": max(place.line or 1, 1)}
    return physical


def fingerprint(check_id: str, resource: str) -> str:
    """The ``unifyFinding/v1`` fingerprint: sha256 of the check id, a newline and the resource id."""
    return hashlib.sha256(f"{check_id}\n{resource}".encode()).hexdigest()


def _sarif_kind_level(result: Result, rule_level: str) -> tuple[str, str]:
    verdict = result.original if result.verdict == "waived" and result.original else result.verdict
    if verdict == "unknown":
        # Not decided: needs a look. SARIF 3.27.10: a result whose kind is not
        # "fail" has level "none".
        return "review", "none"
    if verdict == "error":
        return "fail", "error"
    return "fail", rule_level


def _justification(result: Result) -> str:
    waiver = result.waiver
    if waiver is None:
        return result.reason
    expiry = f"expires {waiver.expires.isoformat()}" if waiver.expires else "does not expire"
    extra = "".join(f"; {label} {value}" for label, value in (("owner", waiver.owner), ("ticket", waiver.ticket))
                    if value)
    return f"{waiver.reason} ({expiry}; waiver at {waiver.location}{extra})"


def _sarif_result(result: Result, check: Check, index: int, rule_level: str, locator: Locator) -> dict[str, Any]:
    kind, level = _sarif_kind_level(result, rule_level)
    place = locator.sarif(result, check)
    entry: dict[str, Any] = {
        "ruleId": check.id,
        "ruleIndex": index,
        "kind": kind,
        "level": level,
        "message": {"text": f"{_subject(result)}: {result.reason}" if result.reason else _subject(result)},
        "locations": [{
            "physicalLocation": _physical(locator, place),
            "logicalLocations": [{"name": result.resource, "fullyQualifiedName": result.address or result.resource,
                                  "kind": "resource"}],
        }],
        "partialFingerprints": {FINGERPRINT: fingerprint(result.check, result.resource)},
    }
    if place.kind != "check":
        # The finding points at the code; the check that found it is one click away.
        entry["relatedLocations"] = [{
            "id": 1,
            "physicalLocation": _physical(locator, locator.check(check)),
            "message": {"text": f"check {check.id} is defined here"},
        }]
    if result.baseline in ("new", "existing"):
        entry["baselineState"] = "new" if result.baseline == "new" else "unchanged"
    if result.verdict == "waived":
        entry["suppressions"] = [{"kind": "external", "status": "accepted", "justification": _justification(result)}]
    properties: dict[str, Any] = {
        "resource": result.resource,
        "type": result.type,
        "verdict": result.verdict,
        "severity": result.severity,
        "account": result.account,
        "region": result.region,
        "controls": {framework: list(ids) for framework, ids in result.controls.items()},
    }
    if result.name:
        properties["name"] = result.name
    if result.address:
        properties["address"] = result.address
    if result.original:
        properties["waived_verdict"] = result.original
    if result.baseline is not None:
        properties["baseline"] = result.baseline
    entry["properties"] = properties
    return entry


def sarif_document(results: Results, options: RenderOptions, cwd: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The SARIF 2.1.0 log of one evaluation, as a JSON-ready mapping."""
    locator = Locator(results, options, cwd)
    checks = sorted(results.policy.checks, key=lambda c: c.id)
    rules = [_rule(check) for check in checks]
    index = {check.id: i for i, check in enumerate(checks)}
    by_id = {check.id: check for check in checks}
    found = []
    for result in results.results:
        if result.verdict not in _FINDINGS:
            continue
        i = index[result.check]
        found.append(_sarif_result(result, by_id[result.check], i, rules[i]["defaultConfiguration"]["level"], locator))
    info = results.snapshot
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "unify",
            "version": __version__,
            "semanticVersion": _semver(__version__),
            "rules": rules,
        }},
        "originalUriBaseIds": {_SRCROOT: {
            "uri": locator.cwd.as_uri().rstrip("/") + "/",
            "description": {"text": "The folder unify ran in; result paths are relative to it."},
        }},
        "results": found,
        "properties": {
            "snapshot": {"digest": info.digest, "taken_at": info.taken_at, "source": info.source},
            "summary": results.summary(),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render_sarif(results: Results, stream: IO[str], options: RenderOptions) -> None:
    stream.write(json.dumps(sarif_document(results, options), indent=2, ensure_ascii=False) + "\n")


# -- junit -------------------------------------------------------------------------------

#: Characters XML 1.0 cannot hold, even escaped.
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
        f"  {len(failing)} failing, {len(unknown)} unknown and {len(waived)} waived of {len(found)} result(s); "
        f"defined at {check.location}",
    ]
    for result in failing + unknown:
        where = "/".join(part for part in (result.account, result.region) if part)
        lines.append(f"  {result.verdict.upper()} {_subject(result)} ({result.type}{', ' + where if where else ''})")
        details = _detail_lines(result)
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
    for name, value in (("unify_version", __version__), ("unify_snapshot_digest", info.digest),
                        ("unify_snapshot_taken_at", info.taken_at), ("unify_snapshot_source", info.source),
                        ("unify_gate", f"exit {gate.code}: {gate.reason}")):
        _property(props, name, value)
    counts = {"tests": 0, "failures": 0, "skipped": 0}
    for check in sorted(results.policy.checks, key=lambda c: c.id):
        found = by_check.get(check.id, [])
        attributes = {"classname": _x(_classname(locator, check.file)), "name": _x(check.id),
                      "file": _x(locator.relative(check.file))}
        if check.line is not None:
            attributes["line"] = str(check.line)
        case = ET.SubElement(suite, "testcase", attributes, time="0")
        case_props = ET.SubElement(case, "properties")
        for name, value in (("unify_check", check.id), ("unify_severity", check.severity), ("unify_kind", check.kind),
                            ("unify_controls", " ".join(_controls(check))), ("unify_snapshot_digest", info.digest)):
            _property(case_props, name, value)
        counts["tests"] += 1
        failing = [r for r in found if r.verdict in ("fail", "error")]
        unknown = [r for r in found if r.verdict == "unknown"]
        waived = [r for r in found if r.verdict == "waived"]
        if failing:
            failure = ET.SubElement(case, "failure", type="unify.fail", message=_x(
                f"{len(failing)} of {len(found)} resource(s) fail {check.id} ({check.severity}): {check.title}"))
            failure.text = _x("\n".join(_junit_lines(check, found, results)))
            counts["failures"] += 1
        elif unknown:
            failure = ET.SubElement(case, "failure", type="unify.unknown", message=_x(
                f"{len(unknown)} of {len(found)} result(s) unknown (not observed) for {check.id}: {check.title}"))
            failure.text = _x("\n".join(_junit_lines(check, found, results)))
            counts["failures"] += 1
        elif not found:
            ET.SubElement(case, "skipped", message="not applicable")
            counts["skipped"] += 1
        if waived:
            out = ET.SubElement(case, "system-out")
            out.text = _x("\n".join(f"waived: {_subject(r)}: {_justification(r)}" for r in waived))
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


# -- github ------------------------------------------------------------------------------


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
        return {"critical": "error", "high": "error", "medium": "warning", "low": "warning"}.get(result.severity,
                                                                                              "notice")
    return None


_MORE: Final = {"error": "failing results", "warning": "failing results",
                "notice": "info failures and unknown results"}


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
        found.sort(key=lambda item: (_BASELINE_RANK.get(item[1].baseline or "", 2), -severity_rank(item[1].severity),
                                     item[1].verdict == "unknown", item[0]))
        # The gate is a notice too: it gets one of the ten.
        room = ANNOTATIONS_PER_LEVEL - (1 if level == "notice" else 0)
        shown = found if len(found) <= room else found[: room - 1]
        for _, result in shown:
            lines.append(_annotation(level, result, checks[result.check], locator))
        if len(shown) < len(found):
            lines.append(_command(level, f"... and {len(found) - len(shown)} more {_MORE[level]}; "
                                         "see the job summary or the SARIF report", title="unify"))
    gate = options.gate(results)
    lines.append(_command("notice", f"exit {gate.code}: {gate.reason}", title="unify"))
    return lines


def _annotation(level: str, result: Result, check: Check, locator: Locator) -> str:
    place = locator.annotation(result, check)
    marks = [m for m in (result.baseline if result.baseline == "new" else None,
                         {"unknown": "unknown", "error": "check error"}.get(result.verdict)) if m]
    prefix = "".join(f"[{m}] " for m in marks)
    message = f"{prefix}{_subject(result)}: {result.reason}"
    if result.verdict == "fail" and check.remediation:
        message += f"\nRemediation: {check.remediation}"
    return _command(level, message, file=locator.relative(place.path), line=place.line,
                    title=f"{check.id} ({check.severity}): {check.title}")


def render_github(results: Results, stream: IO[str], options: RenderOptions) -> None:
    stream.write("".join(line + "\n" for line in github_commands(results, options)))


@hookimpl
def unify_register_renderers(registry: RendererRegistry) -> None:
    registry.add(Renderer("sarif", render_sarif, "SARIF 2.1.0 for GitHub code scanning (one rule per check)",
                          extension=".sarif"))
    registry.add(Renderer("junit", render_junit, "JUnit XML: one test case per check (Jenkins, GitLab, GitHub)",
                          extension=".xml"))
    registry.add(Renderer("github", render_github, "GitHub Actions annotations (::error file=...), within the "
                          "per-step limits", extension=".txt"))
