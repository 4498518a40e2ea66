"""The policy view: which guardrails are broken, by which resources, how badly.

A projection of :class:`unify.results.Results`: failing results grouped by
check, most severe first, with the unknown, defective and waived results
beside them. It never evaluates a check and never reads the snapshot.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from unify.checks.policy_set import SEVERITIES, Check
from unify.results import Result, Results

__all__ = ["PolicyGroup", "PolicyView", "policy_view"]


@dataclass(frozen=True)
class PolicyGroup:
    """One check's failing resources."""

    check: Check
    failures: tuple[Result, ...]


@dataclass(frozen=True)
class PolicyView:
    """Failing resources by severity (most severe first), then by check."""

    groups: tuple[PolicyGroup, ...]
    unknown: tuple[Result, ...]
    errors: tuple[Result, ...]
    waived: tuple[Result, ...]

    def by_severity(self) -> dict[str, list[PolicyGroup]]:
        out: dict[str, list[PolicyGroup]] = {}
        for group in self.groups:
            out.setdefault(group.check.severity, []).append(group)
        return out

    def failure_counts(self) -> dict[str, int]:
        counts = Counter(group.check.severity for group in self.groups for _ in group.failures)
        return {severity: counts.get(severity, 0) for severity in reversed(SEVERITIES)}


def policy_view(results: Results) -> PolicyView:
    """Failing resources grouped by check and severity; computed once per result set."""
    return results.memo("policy", lambda: _policy_view(results))


def _policy_view(results: Results) -> PolicyView:
    failing: dict[str, list[Result]] = {}
    for result in results:
        if result.verdict == "fail":
            failing.setdefault(result.check, []).append(result)
    groups = [PolicyGroup(results.check(check_id), tuple(found)) for check_id, found in failing.items()]
    groups.sort(key=lambda g: (-SEVERITIES.index(g.check.severity), g.check.id))
    return PolicyView(
        groups=tuple(groups),
        unknown=tuple(r for r in results if r.verdict == "unknown"),
        errors=tuple(r for r in results if r.verdict == "error"),
        waived=tuple(r for r in results if r.verdict == "waived"),
    )
