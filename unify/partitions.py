"""Evaluation of a large snapshot partitioned by account, on an executor, with the results of one evaluation.

Each account's resources and coverage form one partition, evaluated by the
one evaluator (:func:`unify.engine.evaluate`) wherever the executor runs it.
The partition keeps the snapshot's regions and ``taken_at``, so coverage
gaps and time conditions read the same. What a partition cannot decide
alone is decided here, on the whole snapshot:

* desired-state checks look for a named resource across every account, so
  they are evaluated on the whole snapshot, not by partition;
* "not observed" (``*/*/TYPE``) holds only where no partition observed the
  type, so it is kept once when every partition said it;
* an aggregate counts once per account of the snapshot's scope, so results
  for accounts outside the scope (resources listed there all the same) are
  dropped, as the whole evaluation never makes them;
* waivers are applied once, to the merged results, so their counts are
  those of one evaluation.

Aggregate checks count per account, which is why the partition is the
account: each count is made whole in one partition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from unify.checks.policy_set import PolicySet
from unify.checks.waivers import WaiverSet
from unify.engine import apply_waivers, evaluate, scope_id
from unify.executors import Executor, Failure
from unify.model.snapshot import Snapshot
from unify.results import Result, Results

__all__ = ["evaluate_partitioned", "partition"]


@dataclass(frozen=True)
class _Part:
    account: str
    data: dict[str, Any]


def partition(snapshot: Snapshot) -> list[tuple[str, dict[str, Any]]]:
    """The snapshot as one document per account (resources and coverage of that account), by account."""
    accounts = sorted(
        set(snapshot.accounts) | {r["account"] for r in snapshot.resources} | {c["account"] for c in snapshot.coverage}
    )
    resources: dict[str, list[Any]] = {a: [] for a in accounts}
    coverage: dict[str, list[Any]] = {a: [] for a in accounts}
    for resource in snapshot.resources:
        resources[resource["account"]].append(resource)
    for entry in snapshot.coverage:
        coverage[entry["account"]].append(entry)
    regions = list(snapshot.scope.get("regions") or [])
    return [
        (
            account,
            {
                "format": snapshot.data["format"],
                "taken_at": snapshot.taken_at,
                "source": snapshot.source,
                "scope": {"accounts": [account], "regions": regions},
                "coverage": coverage[account],
                "stats": {},
                "resources": resources[account],
                # Not this part's digest: parts are never written, and results cite the whole snapshot's.
                "digest": snapshot.digest,
            },
        )
        for account in accounts
    ]


def _evaluate_part(policy: PolicySet, part: _Part) -> list[Result]:
    return list(evaluate(policy, Snapshot(part.data, file=part.account, validate=False)).results)


def evaluate_partitioned(
    policy: PolicySet,
    snapshot: Snapshot,
    waivers: WaiverSet | None = None,
    *,
    executor: Executor,
    framework: str | None = None,
    types: Sequence[str] | None = None,
) -> Results:
    """What :func:`unify.engine.evaluate` gives, evaluated by account on ``executor``."""
    selected = policy.select(framework)
    if types is not None:
        wanted = set(types)
        selected = replace(selected, checks=tuple(c for c in selected.checks if wanted & set(c.types)))
    waivers = waivers or WaiverSet()
    waivers.check_ids(policy.ids)
    desired = replace(selected, checks=tuple(c for c in selected.checks if c.kind == "desired"))
    split = replace(selected, checks=tuple(c for c in selected.checks if c.kind != "desired"))
    whole = evaluate(desired, snapshot)
    parts = [_Part(account, data) for account, data in partition(snapshot)]
    if not parts:  # nothing names an account: one evaluation says what there is to say
        return evaluate(policy, snapshot, waivers, framework=framework, types=types)
    # A partition whose worker was lost is evaluated here: the same function, the same verdicts.
    found = [
        _evaluate_part(split, part) if isinstance(outcome, Failure) else outcome
        for part, outcome in zip(parts, executor.map(_evaluate_part, parts, split), strict=True)
    ]
    in_scope = set(snapshot.accounts)
    aggregates = {c.id for c in split.checks if c.kind == "aggregate"}
    unobserved: dict[tuple[str, str], list[Result]] = {}
    results: list[Result] = []
    for outcome in found:
        for result in outcome:
            if result.check in aggregates and result.resource not in in_scope:
                continue
            if result.resource == scope_id("*", "*", result.type):
                unobserved.setdefault((result.check, result.type), []).append(result)
                continue
            results.append(result)
    results.extend(first[0] for first in unobserved.values() if len(first) == len(parts))
    results.extend(whole.results)
    results.sort(key=lambda r: r.sort_key)
    results, uses = apply_waivers(results, waivers, snapshot, set(selected.ids))
    return Results(tuple(results), selected, whole.snapshot, tuple(uses), framework)
