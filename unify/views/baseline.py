"""Baselines: which findings are new, which existed before, which were fixed.

Teams adopting unify on an estate with debt gate on new findings only. A
baseline is an earlier ``unify.results/v1`` document (a file, or a run of the
evidence store); comparing is a projection of the current results, keyed by
(check, resource), never a second evaluation.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from unify._files import read_json
from unify.errors import InputError, Problem
from unify.render.json import RESULTS_FORMAT
from unify.results import BaselineInfo, Results
from unify.store.store import EvidenceStore, open_store

__all__ = ["compare", "load_baseline"]


def load_baseline(reference: str, store: EvidenceStore | str | None = None) -> tuple[dict[str, Any], str]:
    """A results document from a file, or ``store:RUN`` from the evidence store (``.unify/`` by default)."""
    if reference.startswith("store:"):
        run_ref = reference.split(":", 1)[1] or "latest"
        opened = store if isinstance(store, EvidenceStore) else open_store(store)
        run = opened.run(run_ref)
        return opened.results_document(str(run.number)), f"{opened.location} run {run.number}"
    document = read_json(reference, InputError, "baseline")
    if not isinstance(document, dict) or document.get("format") != RESULTS_FORMAT:
        raise InputError(
            Problem(reference, None, "format", f"a baseline is a {RESULTS_FORMAT} document (unify audit --format json)")
        )
    return document, reference


def compare(results: Results, document: dict[str, Any], source: str) -> Results:
    """The same results, each failure marked new or existing and each former failure now passing marked fixed."""
    before = {(r["check"], r["resource"]) for r in document.get("results", []) if r.get("verdict") == "fail"}
    marked = []
    seen: set[tuple[str, str]] = set()
    for result in results.results:
        key = (result.check, result.resource)
        seen.add(key)
        if result.verdict == "fail":
            marked.append(result.changed(baseline="existing" if key in before else "new"))
        elif key in before and result.verdict in ("pass", "waived"):
            marked.append(result.changed(baseline="fixed"))
        else:
            marked.append(result)
    evaluated = {check.id for check in results.policy.checks}
    vanished = tuple(sorted(key for key in before - seen if key[0] in evaluated))
    info = BaselineInfo(
        source=source,
        new=sum(1 for r in marked if r.baseline == "new"),
        existing=sum(1 for r in marked if r.baseline == "existing"),
        fixed=sum(1 for r in marked if r.baseline == "fixed") + len(vanished),
        vanished=vanished,
    )
    return replace(results, results=tuple(marked), baseline=info, _cache={})
