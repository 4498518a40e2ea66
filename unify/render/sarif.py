"""SARIF 2.1.0 for GitHub code scanning and any SARIF viewer.

One rule per evaluated check, one result per finding (fail, unknown, error,
waived; passes are left out), each with a stable ``ruleId`` (the check id)
and a ``partialFingerprints`` entry so code scanning follows a finding from
run to run. Waived findings carry an accepted external suppression. Where a
finding points is decided in :mod:`unify.render.locations`: the ``.tf`` line
of a planned resource when ``RenderOptions.source_root`` lets it be found,
else the plan file; the check's policy file and line for every other
finding. Text from the estate or a policy file is shortened past a sane
length with a marker (the fingerprint still hashes the whole resource id).
Nothing here depends on the time it was rendered.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import IO, Any, Final
from urllib.parse import quote

from unify._version import __version__
from unify.checks.policy_set import Check
from unify.render.locations import Locator, Place
from unify.render.renderer import RenderOptions
from unify.render.text import control_pairs, finding_subject, justification, shorten
from unify.results import Result, Results

__all__ = ["FINGERPRINT", "SARIF_SCHEMA", "SECURITY_SEVERITY", "fingerprint", "render_sarif", "sarif_document"]

SARIF_SCHEMA: Final = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#: GitHub code scanning reads a rule's ``security-severity`` (a number as a string, 0.0 to 10.0).
SECURITY_SEVERITY: Final = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
_LEVEL: Final = {"critical": "error", "high": "error", "medium": "warning", "low": "warning", "info": "note"}
#: The key of the fingerprint that identifies one finding (check and resource) across runs.
FINGERPRINT: Final = "unifyFinding/v1"
#: GitHub rejects a SARIF upload with more than 20 tags on one rule (and shows 10).
_MAX_TAGS: Final = 20
_SRCROOT: Final = "%SRCROOT%"
_FINDINGS: Final = ("fail", "error", "unknown", "waived")


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
    controls = control_pairs(check)
    tags = list(dict.fromkeys(["security", check.kind, *controls]))
    location = check.location
    title, description, remediation = shorten(check.title), shorten(check.description), shorten(check.remediation)
    text = [title, ""]
    markdown = [f"**{title}** (severity: {check.severity})", ""]
    if description:
        text += [description, ""]
        markdown += [description, ""]
    if remediation:
        text += [f"Remediation: {remediation}", ""]
        markdown += [f"**Remediation:** {remediation}", ""]
    text.append(f"Check {check.id}, defined at {location}.")
    markdown.append(f"Check `{check.id}`, defined at `{location}`.")
    if controls:
        text.append("Controls: " + ", ".join(controls) + ".")
        markdown += ["", "Controls: " + ", ".join(f"`{c}`" for c in controls) + "."]
    return {
        "id": check.id,
        "name": _camel(check.id),
        "shortDescription": {"text": title},
        "fullDescription": {"text": description or title},
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


def _sarif_result(result: Result, check: Check, index: int, rule_level: str, locator: Locator) -> dict[str, Any]:
    kind, level = _sarif_kind_level(result, rule_level)
    place = locator.sarif(result, check)
    entry: dict[str, Any] = {
        "ruleId": check.id,
        "ruleIndex": index,
        "kind": kind,
        "level": level,
        "message": {
            "text": f"{shorten(finding_subject(result))}: {shorten(result.reason)}"
            if result.reason
            else shorten(finding_subject(result))
        },
        "locations": [
            {
                "physicalLocation": _physical(locator, place),
                "logicalLocations": [
                    {
                        "name": shorten(result.resource),
                        "fullyQualifiedName": shorten(result.address or result.resource),
                        "kind": "resource",
                    }
                ],
            }
        ],
        "partialFingerprints": {FINGERPRINT: fingerprint(result.check, result.resource)},
    }
    if place.kind != "check":
        # The finding points at the code; the check that found it is one click away.
        entry["relatedLocations"] = [
            {
                "id": 1,
                "physicalLocation": _physical(locator, locator.check(check)),
                "message": {"text": f"check {check.id} is defined here"},
            }
        ]
    if result.baseline in ("new", "existing"):
        entry["baselineState"] = "new" if result.baseline == "new" else "unchanged"
    if result.verdict == "waived":
        entry["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": shorten(justification(result))}
        ]
    properties: dict[str, Any] = {
        "resource": shorten(result.resource),
        "type": result.type,
        "verdict": result.verdict,
        "severity": result.severity,
        "account": result.account,
        "region": result.region,
        "controls": {framework: list(ids) for framework, ids in result.controls.items()},
    }
    if result.name:
        properties["name"] = shorten(result.name)
    if result.address:
        properties["address"] = shorten(result.address)
    if result.original:
        properties["waived_verdict"] = result.original
    if result.baseline is not None:
        properties["baseline"] = result.baseline
    entry["properties"] = properties
    return entry


def sarif_document(
    results: Results, options: RenderOptions, cwd: str | os.PathLike[str] | None = None
) -> dict[str, Any]:
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
        "tool": {
            "driver": {
                "name": "unify",
                "version": __version__,
                "semanticVersion": _semver(__version__),
                "rules": rules,
            }
        },
        "originalUriBaseIds": {
            _SRCROOT: {
                "uri": locator.cwd.as_uri().rstrip("/") + "/",
                "description": {"text": "The folder unify ran in; result paths are relative to it."},
            }
        },
        "results": found,
        "properties": {
            "snapshot": {"digest": info.digest, "taken_at": info.taken_at, "source": info.source},
            "summary": results.summary(),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render_sarif(results: Results, stream: IO[str], options: RenderOptions) -> None:
    stream.write(json.dumps(sarif_document(results, options), indent=2, ensure_ascii=False) + "\n")
