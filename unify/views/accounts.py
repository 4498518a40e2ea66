"""Results by account, organisational unit and region: the filter and the groups the views and reports use.

An organisation's audit is one result set; this module cuts it into the
part one account, OU or region is answerable for, as new result sets, so the
policy and compliance views (and every renderer over them) work on a part
exactly as on the whole. It never evaluates: a part holds the results the
evaluation made, nothing else.

A result that names no account (a type not observed anywhere, ``*/*/TYPE``)
speaks for every account, so it belongs to every account's part and every
OU's; a result that names no region (an aggregate counted per account, a
type not observed anywhere) belongs to every region's part. That is what
keeps a part from calling a control ``met`` or ``not applicable`` when the
evidence behind it was never observed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from operator import attrgetter
from typing import Any, Final, Literal

from unify.results import VERDICTS, Result, Results
from unify.views.compliance import posture

__all__ = [
    "GROUPINGS",
    "NO_OU",
    "AccountFilter",
    "Group",
    "Grouping",
    "Tally",
    "group_results",
    "grouped_json",
    "narrow",
    "spans_accounts",
]

Grouping = Literal["account", "ou", "region"]
GROUPINGS: Final[tuple[Grouping, ...]] = ("account", "ou", "region")
#: A result's fields at C speed, for the passes over every result.
_ACCOUNT_OF: Final = attrgetter("account")
_REGION_OF: Final = attrgetter("region")

#: The OU group of accounts whose place in the Organization the snapshot does not record.
NO_OU: Final = ""


@dataclass(frozen=True)
class AccountFilter:
    """Which accounts, OUs and regions to keep (each empty: all); an OU matches accounts at any depth under it."""

    accounts: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.accounts or self.ous or self.regions)

    def keeps_account(self, results: Results, account: str | None) -> bool:
        if account is None:
            return True
        if self.accounts and account not in self.accounts:
            return False
        return not self.ous or bool(set(self.ous) & set(results.snapshot.ou_ids(account)))

    def keeps(self, results: Results, result: Result) -> bool:
        if not self.keeps_account(results, result.account):
            return False
        return not self.regions or result.region is None or result.region in self.regions

    def as_json(self) -> dict[str, list[str]]:
        return {"accounts": list(self.accounts), "ous": list(self.ous), "regions": list(self.regions)}


def narrow(results: Results, only: AccountFilter, kept: tuple[Result, ...] | None = None) -> Results:
    """The results the filter keeps, as a result set of their own (views computed afresh); all when it keeps all.

    ``kept``: the results the filter keeps, when the caller already sorted them out (:func:`_buckets`).
    """
    if not only:
        return results
    accounts = tuple(a for a in results.snapshot.accounts if only.keeps_account(results, a))
    regions = tuple(r for r in results.snapshot.regions if not only.regions or r in only.regions)
    if kept is None:
        kept = tuple(r for r in results if only.keeps(results, r))
    snapshot = replace(results.snapshot, accounts=accounts, regions=regions)
    return replace(results, results=kept, snapshot=snapshot, _cache={})


def _buckets(
    results: Results, keys: Sequence[str], key_of: Callable[[Result], str | None]
) -> dict[str, tuple[Result, ...]]:
    """The results of each key, in their order, in one pass; a result whose key is None belongs to every key.

    Filtering the whole result set once per account and per region made
    the grouped views the largest part of a many-account audit (25 passes
    over 467k results at 100k resources).
    """
    parts: dict[str, list[Result]] = {key: [] for key in keys}
    for result in results:
        key = key_of(result)
        if key is None:
            for part in parts.values():
                part.append(result)
        elif key in parts:
            parts[key].append(result)
    return {key: tuple(part) for key, part in parts.items()}


@dataclass(frozen=True)
class Tally:
    """One group's counts: each check's results by verdict, and the failures by severity."""

    checks: dict[str, dict[str, int]]
    failing_by_severity: Counter[str]


#: What one count over the results is made of: each result's account, region, check, verdict and severity.
_COUNTED: Final = attrgetter("account", "region", "check", "verdict", "severity")


def _counted(results: Results) -> Counter[tuple[str | None, str | None, str, str, str]]:
    """How many results there are of each account, region, check, verdict and severity: one pass, in C.

    The groups' summaries and postures were made from each group's own
    result set: 0.5 CPU s of the JSON of a 100k, 20-account audit, in
    passes over the results that cost as much in C as in Python. One count
    for every grouping leaves a few thousand entries to add up.
    """
    return results.memo("counted", lambda: Counter(map(_COUNTED, results)))


def _tallies(
    results: Results, keys: Sequence[str], key_of: Callable[[str | None, str | None], str | None]
) -> dict[str, Tally]:
    """Each key's :class:`Tally`; ``key_of(account, region)`` is a result's key, None for one counted for every key."""
    tallies = {key: Tally({}, Counter()) for key in keys}
    for (account, region, check, verdict, severity), count in _counted(results).items():
        key = key_of(account, region)
        for tally in tallies.values() if key is None else [tallies[key]] if key in tallies else []:
            verdicts = tally.checks.setdefault(check, {})
            verdicts[verdict] = verdicts.get(verdict, 0) + count
            if verdict == "fail":
                tally.failing_by_severity[severity] += count
    return tallies


def _part(
    results: Results, by: Grouping, keys: Sequence[str], key_of: Callable[[Result], str | None], key: str
) -> tuple[Result, ...]:
    """The results of one group, the grouping's results sorted out once (:func:`_buckets`) for all its groups."""
    buckets: dict[str, tuple[Result, ...]] = results.memo(f"buckets:{by}", lambda: _buckets(results, keys, key_of))
    return buckets[key]


@dataclass(frozen=True)
class Group:
    """One account's, OU's or region's part of the results.

    Its counts (summary, failures by severity, each framework's posture)
    come from its :class:`Tally`; its own result set is made when a report
    first asks for it, since the JSON document never does.
    """

    by: Grouping
    key: str
    #: What a reader knows it by: the account's name, the OU's path by name; empty when there is none.
    label: str
    tally: Tally = field(repr=False)
    #: The whole result set, and the filter that keeps this group's part of it.
    whole: Results = field(repr=False, compare=False)
    only: AccountFilter
    #: This group's results of the whole set, sorted out when first asked for.
    kept: Callable[[], tuple[Result, ...]] = field(repr=False, compare=False)
    accounts: tuple[str, ...] = field(default=())

    @cached_property
    def results(self) -> Results:
        return narrow(self.whole, self.only, self.kept())

    def summary(self) -> dict[str, int]:
        return {verdict: sum(n.get(verdict, 0) for n in self.tally.checks.values()) for verdict in VERDICTS}

    def failing_checks(self) -> int:
        return sum(1 for verdicts in self.tally.checks.values() if verdicts.get("fail"))

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "accounts": list(self.accounts),
            "summary": self.summary(),
            "failing_by_severity": dict(sorted(self.tally.failing_by_severity.items())),
            "compliance": {fw: self.compliance(fw) for fw in self.whole.framework_ids},
        }

    def compliance(self, framework: str) -> dict[str, Any]:
        """The framework's posture in this part: counts by status, and the controls not met or unknown."""
        view = posture(self.whole, framework, self.tally.checks)
        return {
            "summary": view.summary(),
            "not_met": [c.id for c in view.controls if c.status == "not met"],
            "unknown": [c.id for c in view.controls if c.status == "unknown"],
        }


def _group(
    results: Results,
    by: Grouping,
    keys: Sequence[str],
    key_of: Callable[[Result], str | None],
    tallies: dict[str, Tally],
    key: str,
    label: str,
    only: AccountFilter,
    accounts: tuple[str, ...],
) -> Group:
    kept = partial(_part, results, by, keys, key_of, key)
    return Group(by, key, label, tallies[key], results, only, kept, accounts)


def _account_groups(results: Results) -> list[Group]:
    accounts = sorted({*results.snapshot.accounts, *map(_ACCOUNT_OF, results)} - {None})
    tallies = _tallies(results, accounts, lambda account, region: account)
    return [
        _group(
            results,
            "account",
            accounts,
            _ACCOUNT_OF,
            tallies,
            account,
            results.snapshot.account_name(account),
            AccountFilter((account,)),
            (account,),
        )
        for account in accounts
    ]


def _ou_groups(results: Results) -> list[Group]:
    accounts = sorted({*results.snapshot.accounts, *map(_ACCOUNT_OF, results)} - {None})
    by_ou: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for account in accounts:
        ids = results.snapshot.ou_ids(account)
        key = ids[-1] if ids else NO_OU
        by_ou.setdefault(key, []).append(account)
        labels[key] = results.snapshot.ou_path(account)
    ou_of = {account: key for key, members in by_ou.items() for account in members}

    def key_of(result: Result) -> str | None:
        return None if result.account is None else ou_of.get(result.account, "\0")

    keys = sorted(by_ou)
    tallies = _tallies(results, keys, lambda account, region: None if account is None else ou_of.get(account, "\0"))
    return [
        _group(results, "ou", keys, key_of, tallies, key, labels[key], AccountFilter(tuple(members)), tuple(members))
        for key, members in sorted(by_ou.items(), key=lambda item: (labels[item[0]], item[0]))
    ]


def _region_groups(results: Results) -> list[Group]:
    regions = sorted({*results.snapshot.regions, *map(_REGION_OF, results)} - {None})
    tallies = _tallies(results, regions, lambda account, region: region)
    groups = []
    for region in regions:
        only = AccountFilter(regions=(region,))
        accounts = tuple(a for a in results.snapshot.accounts if only.keeps_account(results, a))
        groups.append(_group(results, "region", regions, _REGION_OF, tallies, region, "", only, accounts))
    return groups


def group_results(results: Results, by: Grouping) -> tuple[Group, ...]:
    """The results by account (id order), by OU (the account's nearest OU, by path) or by region (name order).

    By OU, accounts whose place the snapshot does not record (not observed
    with ``--org``) form one group with key :data:`NO_OU`. Computed once per
    result set.
    """
    build = {"account": _account_groups, "ou": _ou_groups, "region": _region_groups}[by]
    return results.memo(f"groups:{by}", lambda: tuple(build(results)))


def spans_accounts(results: Results) -> bool:
    """Whether a report should show the results by account: more than one account in scope."""
    return len(results.snapshot.accounts) > 1


def grouped_json(results: Results, groupings: Sequence[Grouping] = GROUPINGS) -> dict[str, Any]:
    """The groups as the ``unify.results/v1`` document carries them (``by_account``, ``by_ou``, ``by_region``)."""
    out: dict[str, Any] = {}
    for by in groupings:
        if by == "ou" and not results.snapshot.organisation:
            continue
        out[f"by_{by}"] = [group.as_json() for group in group_results(results, by)]
    return out
