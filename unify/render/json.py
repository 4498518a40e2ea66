"""The ``unify.results/v1`` document: every result, the summary and each framework's posture, as JSON.

Other tools and the tests rely on this document (DESIGN.md, results), and
the evidence store keeps it for every recorded run. It is made from the
results and their views only, with sorted keys, so equal inputs give equal
bytes.
"""

from __future__ import annotations

import json
from typing import IO, Any, Final

from unify.checks.policy_set import Check
from unify.render.renderer import RenderOptions
from unify.results import Results
from unify.views.compliance import compliance_view
from unify.views.drift import drift_view

__all__ = ["RESULTS_FORMAT", "render_json", "results_document", "results_json"]

RESULTS_FORMAT: Final = "unify.results/v1"


def results_document(results: Results) -> dict[str, Any]:
    """The ``unify.results/v1`` document of one result set."""
    views = {fw: compliance_view(results, fw) for fw in results.framework_ids}
    return {
        "format": RESULTS_FORMAT,
        "snapshot": results.snapshot.as_json(),
        "results": [result.as_json() for result in results.results],
        "summary": results.summary(),
        "compliance": {fw: view.statuses() for fw, view in views.items()},
        "frameworks": {fw: view.as_json() for fw, view in views.items()},
        "drift": [record.as_json() for record in drift_view(results)],
        "checks": [_check_json(check) for check in results.policy.checks],
        "waivers": [use.as_json() for use in results.waivers],
        "coverage_errors": list(results.snapshot.coverage_errors),
        **({"baseline": results.baseline.as_json()} if results.baseline is not None else {}),
    }


def results_json(results: Results) -> str:
    """The document as text: sorted keys, so equal inputs give equal bytes."""
    return json.dumps(results_document(results), sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n"


def render_json(results: Results, stream: IO[str], options: RenderOptions) -> None:
    stream.write(results_json(results))


def _check_json(check: Check) -> dict[str, Any]:
    return {
        "id": check.id,
        "title": check.title,
        "severity": check.severity,
        "kind": check.kind,
        "resource_types": list(check.types),
        "controls": {fw: list(ids) for fw, ids in check.controls.items()},
        "remediation": check.remediation,
        "description": check.description,
        "labels": dict(check.labels),
        "file": check.file,
        "line": check.line,
    }
