"""The ``asff`` format: the AWS Security Finding Format, batched as Security Hub's ``BatchImportFindings`` takes them.

One finding per result that has an AWS account (passes too, so a finding
imported as failed is updated to passed once fixed), with every attribute
AWS documents as required for all findings: ``SchemaVersion``, ``Id``,
``ProductArn``, ``GeneratorId``, ``AwsAccountId``, ``Types``, ``CreatedAt``,
``UpdatedAt``, ``Severity``, ``Title``, ``Description`` and ``Resources``.
``Compliance`` carries the status and the controls; ``Id`` is the finding's
fingerprint, so importing again updates the same finding.

Findings use the default product ARN of a custom integration,
``arn:PARTITION:securityhub:REGION:ACCOUNT:product/ACCOUNT/default``, which
only the account itself may import, into the region of the ARN: so findings
are grouped by account and region, and cut into batches of at most 100
findings and 6 MB, as ``BatchImportFindings`` allows. The document is a JSON
list of batches, each one a ``BatchImportFindings`` request
(``{"Findings": [...]}``). Strings are cut to the lengths the API allows.
Resources get the ASFF type ``Other`` with unify's type in ``Details``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Final

from unify._version import __version__
from unify.checks.policy_set import Check
from unify.render.placement import aws_account, filed_region, home_region, partition_of
from unify.render.renderer import RenderOptions
from unify.render.sarif import fingerprint
from unify.render.text import justification
from unify.results import Result, Results

__all__ = ["BATCH_BYTES", "BATCH_FINDINGS", "SCHEMA_VERSION", "Batch", "asff_batches", "asff_finding", "render_asff"]

SCHEMA_VERSION: Final = "2018-10-08"
#: What one BatchImportFindings call accepts: 100 findings, 6 MB (a margin is kept below it).
BATCH_FINDINGS: Final = 100
BATCH_BYTES: Final = 6_000_000 - 64_000

_LABEL: Final = {"critical": "CRITICAL", "high": "HIGH", "medium": "MEDIUM", "low": "LOW", "info": "INFORMATIONAL"}
_COMPLIANCE: Final = {
    "pass": "PASSED",
    "fail": "FAILED",
    "waived": "FAILED",
    "unknown": "NOT_AVAILABLE",  # not observed: the call failed or the value is not known yet
    "error": "WARNING",  # the check could not apply to the data
}
#: Lengths the API documents for the strings of a finding.
_TITLE, _DESCRIPTION, _RECOMMENDATION, _ID, _FIELD, _REQUIREMENTS = 256, 1024, 512, 512, 2000, 32


def _fit(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters; a cut one ends with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Batch:
    """Findings one ``BatchImportFindings`` call sends: one account, one region."""

    account: str
    region: str
    findings: tuple[dict[str, Any], ...]

    def request(self) -> dict[str, Any]:
        return {"Findings": list(self.findings)}


def _types(check: Check, results: Results) -> list[str]:
    titles = []
    for framework in check.controls:
        catalog = results.policy.frameworks.get(framework)
        titles.append(catalog.title if catalog else framework)
    names = [f"Software and Configuration Checks/Industry and Regulatory Standards/{t}" for t in titles]
    return [_fit(n, 256) for n in names[:50]] or ["Software and Configuration Checks"]


def _requirements(result: Result) -> list[str]:
    """``framework control`` pairs, taken a framework at a time so each shows before the 32 allowed run out."""
    queues = [[f"{fw} {cid}" for cid in ids] for fw, ids in result.controls.items()]
    out: list[str] = []
    while any(queues) and len(out) < _REQUIREMENTS:
        for queue in queues:
            if queue and len(out) < _REQUIREMENTS:
                out.append(queue.pop(0))
    return out


def asff_finding(result: Result, results: Results, account: str, region: str) -> dict[str, Any]:
    """One result as an ASFF finding filed in ``account`` and ``region``."""
    check = results.check(result.check)
    partition = partition_of(region)
    taken = results.snapshot.taken_at
    reason = justification(result) if result.verdict == "waived" else result.reason
    description = check.description or check.title
    if reason:
        description = f"{description} {result.verdict.upper()}: {reason}"
    severity = "INFORMATIONAL" if result.verdict == "pass" else _LABEL.get(result.severity, "MEDIUM")
    requirements = _requirements(result)
    details = {"unify_type": result.type}
    if result.name:
        details["name"] = _fit(result.name, _FIELD)
    if result.address:
        details["terraform_address"] = _fit(result.address, _FIELD)
    finding: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": _fit(f"unify/{fingerprint(result.check, result.resource)}", _ID),
        "ProductArn": f"arn:{partition}:securityhub:{region}:{account}:product/{account}/default",
        "ProductName": "unify",
        "CompanyName": "unify",
        "GeneratorId": _fit(f"unify/{check.id}", _ID),
        "AwsAccountId": account,
        "Types": _types(check, results),
        "FirstObservedAt": taken,
        "LastObservedAt": taken,
        "CreatedAt": taken,
        "UpdatedAt": taken,
        "Severity": {"Label": severity, "Original": check.severity},
        "Title": _fit(check.title or check.id, _TITLE),
        "Description": _fit(description, _DESCRIPTION),
        "ProductFields": {
            "unify/check": _fit(check.id, _FIELD),
            "unify/verdict": result.verdict,
            "unify/kind": result.kind,
            "unify/snapshot": results.snapshot.digest,
            "unify/version": __version__,
        },
        "Resources": [
            {
                "Type": "Other",
                "Id": _fit(result.resource, _FIELD),
                "Partition": partition,
                "Region": region,
                "Details": {"Other": details},
            }
        ],
        "Compliance": {"Status": _COMPLIANCE[result.verdict]},
        "RecordState": "ACTIVE",
    }
    if requirements:
        finding["Compliance"]["RelatedRequirements"] = [_fit(r, 256) for r in requirements]
    if check.remediation and result.verdict != "pass":
        finding["Remediation"] = {"Recommendation": {"Text": _fit(check.remediation, _RECOMMENDATION)}}
    if result.verdict == "waived":
        finding["Workflow"] = {"Status": "SUPPRESSED"}  # taken when the finding is first imported
    return finding


def asff_batches(results: Results, options: RenderOptions) -> list[Batch]:
    """Every result with an AWS account as a finding, in batches ``BatchImportFindings`` accepts.

    Batches are ordered by account and region, findings by check and resource.
    """
    home = home_region(results, options.region)
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for result in results.results:
        account = aws_account(result)
        if account is None:
            continue
        region = filed_region(result, home)
        grouped.setdefault((account, region), []).append(asff_finding(result, results, account, region))
    batches: list[Batch] = []
    for (account, region), findings in sorted(grouped.items()):
        batches.extend(Batch(account, region, chunk) for chunk in _chunks(findings))
    return batches


def _chunks(findings: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], ...]]:
    chunk: list[dict[str, Any]] = []
    size = 0
    for finding in findings:
        cost = len(json.dumps(finding, ensure_ascii=False).encode("utf-8")) + 2
        if chunk and (len(chunk) == BATCH_FINDINGS or size + cost > BATCH_BYTES):
            yield tuple(chunk)
            chunk, size = [], 0
        chunk.append(finding)
        size += cost
    if chunk:
        yield tuple(chunk)


def render_asff(results: Results, stream: IO[str], options: RenderOptions) -> None:
    document = [batch.request() for batch in asff_batches(results, options)]
    stream.write(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
