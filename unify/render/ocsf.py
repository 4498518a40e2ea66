"""The ``ocsf`` format: one OCSF Compliance Finding (class 2003, schema 1.8.0) per result.

Data lakes and SIEMs (Amazon Security Lake among them) read the Open
Cybersecurity Schema Framework. Each result becomes one event of the
Compliance Finding class with its required attributes (``activity_id``,
``category_uid``, ``class_uid``, ``type_uid``, ``severity_id``, ``time``,
``metadata``, ``finding_info``, ``compliance`` and, for the cloud profile the
events declare, ``cloud``), the resource, and the remediation when the check
has one. ``compliance`` names the check as the control, the frameworks as
the standards and each ``framework:control`` as a requirement, with the
verdict as the status: pass, fail, warning for a result that could not be
decided (the data was not observed), other for a defective check. A waived
result is a failing one whose finding is suppressed.

``time`` is the snapshot's, never the clock's: the same results give the
same bytes. unify's own fields (verdict, check kind, snapshot digest,
waiver) are in ``unmapped``.
"""

from __future__ import annotations

import json
from typing import IO, Any, Final

from unify._version import __version__
from unify.render.placement import aws_account, epoch_millis, is_region, partition_of
from unify.render.renderer import RenderOptions
from unify.render.sarif import fingerprint
from unify.render.text import justification, shorten
from unify.results import Result, Results

__all__ = ["CLASS_UID", "OCSF_VERSION", "ocsf_event", "ocsf_events", "render_ocsf"]

OCSF_VERSION: Final = "1.8.0"
CLASS_UID: Final = 2003
_CATEGORY_UID: Final = 2
_ACTIVITY_CREATE: Final = 1
_SEVERITY: Final = {
    "info": (1, "Informational"),
    "low": (2, "Low"),
    "medium": (3, "Medium"),
    "high": (4, "High"),
    "critical": (5, "Critical"),
}
#: The compliance object's status: 1 pass, 2 warning (no result for want of information), 3 fail, 99 other.
_COMPLIANCE: Final = {
    "pass": (1, "Pass"),
    "fail": (3, "Fail"),
    "waived": (3, "Fail"),
    "unknown": (2, "Warning"),
    "error": (99, "Error"),
}
#: Text a field of an event holds at most: enough for any reason, bounded for any estate.
_LIMIT: Final = 4_000


def ocsf_event(result: Result, results: Results, services: dict[str, str] | None = None) -> dict[str, Any]:
    """One result as an OCSF 1.8.0 Compliance Finding event."""
    check = results.check(result.check)
    taken = epoch_millis(results.snapshot.taken_at)
    uid = fingerprint(result.check, result.resource)
    severity_id, severity = (1, "Informational") if result.verdict == "pass" else _SEVERITY[result.severity]
    status_id, status = _COMPLIANCE[result.verdict]
    waived = result.verdict == "waived"
    reason = justification(result) if waived else result.reason
    frameworks = results.policy.frameworks
    standards = [
        f"{frameworks[fw].title} ({fw})" if fw in frameworks and frameworks[fw].title != fw else fw
        for fw in result.controls
    ]
    resource: dict[str, Any] = {"uid": shorten(result.resource, _LIMIT), "type": result.type}
    if result.name:
        resource["name"] = shorten(result.name, _LIMIT)
    if result.region:
        resource["region"] = result.region
        if is_region(result.region):
            resource["cloud_partition"] = partition_of(result.region)
    service = (services or {}).get(result.type)
    if service:
        resource["group"] = {"name": service}
    if result.address:
        resource["data"] = {"terraform_address": shorten(result.address, _LIMIT)}
    cloud: dict[str, Any] = {"provider": "AWS"}
    account = aws_account(result)
    if account:
        cloud["account"] = {"uid": account, "type_id": 10, "type": "AWS Account"}
    if result.region:
        cloud["region"] = result.region
    event: dict[str, Any] = {
        "activity_id": _ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": _CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + _ACTIVITY_CREATE,
        "type_name": "Compliance Finding: Create",
        "severity_id": severity_id,
        "severity": severity,
        "status_id": 3 if waived else 1,
        "status": "Suppressed" if waived else "New",
        "time": taken,
        "message": shorten(reason or check.title, _LIMIT),
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "unify", "uid": "unify", "vendor_name": "unify", "version": __version__},
            "profiles": ["cloud"],
            "uid": uid,
            "event_code": check.id,
        },
        "finding_info": {
            "uid": uid,
            "title": shorten(check.title or check.id, _LIMIT),
            "desc": shorten(check.description or check.title or check.id, _LIMIT),
            "types": ["Compliance"],
            "created_time": taken,
            "first_seen_time": taken,
            "last_seen_time": taken,
            "product_uid": "unify",
        },
        "compliance": {
            "control": check.id,
            "standards": standards,
            "requirements": [f"{fw}:{cid}" for fw, ids in result.controls.items() for cid in ids],
            "status_id": status_id,
            "status": status,
            "status_code": result.verdict,
            "status_detail": shorten(reason, _LIMIT),
            "checks": [{"uid": check.id, "name": shorten(check.title or check.id, _LIMIT), "severity": check.severity}],
        },
        "resources": [resource],
        "cloud": cloud,
        "unmapped": {
            "unify": {
                "verdict": result.verdict,
                "kind": result.kind,
                "check_file": check.location,
                "snapshot_digest": results.snapshot.digest,
                **({"waived_verdict": result.original} if result.original else {}),
                **({"baseline": result.baseline} if result.baseline else {}),
            }
        },
    }
    if check.remediation:
        event["remediation"] = {"desc": shorten(check.remediation, _LIMIT)}
    return event


def ocsf_events(results: Results, options: RenderOptions) -> list[dict[str, Any]]:
    """Every result, in the results' order (check, then resource)."""
    services = dict(options.services)
    return [ocsf_event(result, results, services) for result in results.results]


def render_ocsf(results: Results, stream: IO[str], options: RenderOptions) -> None:
    stream.write(json.dumps(ocsf_events(results, options), indent=2, sort_keys=True, ensure_ascii=False) + "\n")
