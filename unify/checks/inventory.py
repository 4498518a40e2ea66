"""What the checks cover: the inventory behind ``unify checks`` and ``docs/coverage.md``.

A security team weighing unify against its current scanner asks how much
it looks at: how many types it observes, how many checks it runs, which
framework controls those checks decide, and which of them a pre-merge gate
can decide from a Terraform plan. Every answer here is read from the loaded
policy set and the collectors' declarations, never kept by hand, so the
figures in ``docs/coverage.md`` cannot drift from the code (a test
regenerates the page and compares).

A check *can be decided from a plan* when it judges resources one at a
time (a guardrail, or desired state), and none of the attributes it reads,
in ``where`` or ``assert``, is one only an observation sees (MFA devices,
access-key last use, a trail's logging status: unknown in every plan). An
aggregate check counts the estate, which a plan only holds part of; a
Python check's reads cannot be known before it runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from unify.checks.attributes import read_attributes
from unify.checks.frameworks import Framework
from unify.checks.policy_set import Check, PolicySet
from unify.model.resource_type import ResourceTypes

__all__ = [
    "CheckEntry",
    "FrameworkCoverage",
    "check_entries",
    "framework_coverage",
    "plan_decidable",
    "read_paths",
]

#: Kinds that judge one resource at a time, so a plan's resources are enough.
_PER_RESOURCE = frozenset({"guardrail", "desired"})


def read_paths(check: Check) -> list[str]:
    """The attribute paths a check reads (``where`` and ``assert``), each once, in order."""
    seen: dict[str, None] = {}
    for path, _line in read_attributes([check.where, check.assertion]):
        seen.setdefault(path, None)
    return list(seen)


def plan_decidable(check: Check, types: ResourceTypes) -> tuple[bool, str]:
    """Whether a Terraform plan can decide ``check``, and why not when it cannot."""
    if check.kind not in _PER_RESOURCE:
        why = {
            "aggregate": "counts resources across the estate, of which a plan holds only its own",
            "python": "a Python check's reads are known only when it runs",
        }
        return False, why.get(check.kind, f"a {check.kind} check")
    observed: set[str] = set()
    for name in check.types:
        if name in types:
            observed.update(types[name].observed_only)
    for path in read_paths(check):
        first = path.split(".", 1)[0]
        if first in observed:
            return False, f"reads {first}, which only an observation sees"
    return True, ""


@dataclass(frozen=True)
class CheckEntry:
    """One check as the inventory lists it."""

    check: Check
    plan: bool
    plan_note: str
    reads: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        check = self.check
        return {
            "id": check.id,
            "title": check.title,
            "severity": check.severity,
            "kind": check.kind,
            "types": list(check.types),
            "frameworks": sorted(check.controls),
            "controls": {framework: list(ids) for framework, ids in sorted(check.controls.items())},
            "reads": list(self.reads),
            "plan_decidable": self.plan,
            "plan_note": self.plan_note,
            "file": check.file,
            "line": check.line,
        }


def check_entries(policy: PolicySet, types: ResourceTypes) -> list[CheckEntry]:
    """Every check of the policy set, by id."""
    entries = []
    for check in sorted(policy.checks, key=lambda c: c.id):
        plan, note = plan_decidable(check, types)
        entries.append(CheckEntry(check, plan, note, tuple(read_paths(check))))
    return entries


@dataclass(frozen=True)
class FrameworkCoverage:
    """How much of one framework the checks decide."""

    framework: str
    title: str
    controls: int
    automated: int
    checks: int
    plan_checks: int
    has_catalog: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "title": self.title,
            "controls": self.controls,
            "automated": self.automated,
            "checks": self.checks,
            "plan_decidable_checks": self.plan_checks,
            "has_catalog": self.has_catalog,
        }


def framework_coverage(entries: Sequence[CheckEntry], frameworks: Iterable[Framework]) -> list[FrameworkCoverage]:
    """Per framework (catalogs and the ids checks name without one), by framework id.

    ``automated`` counts the catalog's controls at least one check maps to
    (a check may name several); ``controls`` is the catalog's size, or the
    count of the ids checks name when there is no catalog.
    """
    catalogs = {framework.id: framework for framework in frameworks}
    named: dict[str, set[str]] = {}
    checks: dict[str, list[CheckEntry]] = {}
    for entry in entries:
        for framework, ids in entry.check.controls.items():
            named.setdefault(framework, set()).update(ids)
            checks.setdefault(framework, []).append(entry)
    out = []
    for framework in sorted(set(catalogs) | set(named)):
        catalog = catalogs.get(framework)
        decided = named.get(framework, set())
        listed = {control.id for control in catalog.controls} if catalog else decided
        mapped = checks.get(framework, [])
        out.append(
            FrameworkCoverage(
                framework=framework,
                title=catalog.title if catalog else framework,
                controls=len(listed),
                automated=len(listed & decided),
                checks=len(mapped),
                plan_checks=sum(1 for entry in mapped if entry.plan),
                has_catalog=catalog is not None,
            )
        )
    return out
