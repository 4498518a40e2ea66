"""The both-ways harness: every shipped check judged on a live estate and on the plan that makes it.

An :class:`Estate` is one small AWS estate written twice: as boto3 calls that
build it (against moto in-process, or recorded answers through botocore's
Stubber where moto has no backend), and as the Terraform plan that would
create it. One estate serves many checks: it is observed once, with every
type its checks read and only the per-resource calls their attributes need
(as an audit of just those checks would be), and planned once; the shipped policy set is evaluated
on both, through the same ``evaluate_snapshot`` the CLI uses. ``expect``
says, per check, which resource passes and which fails; the plan must give
the same verdict as the observation for every check it can decide, and a
check a plan cannot decide (``live_only``, with the reason) must not come
out pass or fail from the plan.

Estates live in ``tests/estates/`` (one module per service group, each with
a list ``ESTATES``); ``tests/test_both_ways.py`` runs them and fails when a
shipped check is not shown both passing and failing.

Resource keys in ``expect`` are resource names (or ids); a resource with no
recognisable name is registered by the seed in ``Seeder.ids`` under a key.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from factories import PLUGINS, TYPES, moto_session, observe_moto
from unify.checks.policy_set import PolicySet, load_policies, shipped_policies
from unify.model.snapshot import Snapshot
from unify.observe.recorded import RecordedSession, Recording
from unify.results import Results
from unify.run import evaluate_snapshot
from unify.terraform.importer import load_plan

ACCOUNT = "123456789012"  # moto's default account
HOME, AWAY = "us-east-1", "eu-west-1"
PASS, FAIL = "pass", "fail"
OUT = None  # in the snapshot, outside the check's `where`: no result


@cache
def policy() -> PolicySet:
    """The shipped packs, as users get them."""
    return load_policies([shipped_policies()], operators=PLUGINS.operators)


class Seeder:
    """boto3 clients for one estate (moto's, or recorded ones), and keys for resources with no usable name."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self._clients: dict[tuple[str, str], Any] = {}
        #: expectation key -> resource id, for resources named by id (a KMS key, a singleton)
        self.ids: dict[str, str] = {}

    def client(self, service: str, region: str = HOME) -> Any:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self.session.client(service, region_name=region)
        return self._clients[key]


@dataclass(frozen=True)
class Planned:
    """One resource as ``terraform show -json`` puts it in a plan that creates it.

    ``values`` are the provider's attribute values (``after``); ``unknown``
    lists top-level attributes known only after apply (``after_unknown``),
    ``sensitive`` the ones the provider marks sensitive. ``references`` are the
    configuration's expressions that name other resources (``vpc_id`` ->
    ``["aws_vpc.app.id", "aws_vpc.app"]``), as Terraform writes them for an
    argument whose value is known only after apply.
    """

    type: str
    name: str
    values: Mapping[str, Any]
    unknown: Sequence[str] = ()
    sensitive: Sequence[str] = ()
    actions: Sequence[str] = ("create",)
    references: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Estate:
    """One estate, live and planned, and what the checks must say about it."""

    name: str
    seed: Callable[[Seeder], None]
    expect: Mapping[str, Mapping[str, str | None]]
    plan: Sequence[Planned] = ()
    #: check id -> why a plan cannot decide it (a fact only an observation reads, an account aggregate)
    live_only: Mapping[str, str] = field(default_factory=dict)
    regions: tuple[str, ...] = (HOME,)
    #: services moto does not serve: boto3 service name -> what records their answers
    recordings: Mapping[str, Recording] = field(default_factory=dict)
    #: rebuilds the observed snapshot where moto cannot produce a fact (say which, where it is used)
    edit: Callable[[Snapshot], Snapshot] | None = None
    moto_config: Mapping[str, Any] | None = None
    region: str = HOME  # the provider's region in the plan

    @property
    def checks(self) -> list[str]:
        return sorted(set(self.expect) | set(self.live_only))

    def types(self) -> list[str]:
        """Every type the estate's checks read: the one observation serves them all."""
        found: set[str] = set()
        for check_id in self.checks:
            check = policy().get(check_id)
            assert check is not None, f"{self.name}: {check_id} is not a shipped check"
            found |= set(check.types)
        return sorted(found)

    def reads(self) -> Any:
        """What the estate's checks read: the observation is targeted as an audit of just them would be."""
        from dataclasses import replace

        from unify.run import targets

        chosen = tuple(c for c in policy().checks if c.id in set(self.checks))
        return targets(replace(policy(), checks=chosen))


def session_for(estate: Estate) -> Any:
    if not estate.recordings:
        return moto_session()
    return RecordedSession(
        estate.recordings, region_name=HOME, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def observe_live(estate: Estate) -> tuple[Snapshot, Seeder]:
    """Seed the estate in moto (inside ``mock_aws``, which the caller opens) and observe it once."""
    session = session_for(estate)
    seeder = Seeder(session)
    estate.seed(seeder)
    snapshot = observe_moto(*estate.types(), regions=list(estate.regions), session=session, attributes=estate.reads())
    errors = [c for c in snapshot.coverage if c["status"] != "ok"]
    assert errors == [], f"{estate.name}: coverage errors {errors}"
    if estate.edit is not None:
        snapshot = estate.edit(snapshot)
    return snapshot, seeder


def plan_document(estate: Estate) -> dict[str, Any]:
    """The estate's plan in the ``terraform show -json`` format (1.2), as Terraform writes a create plan."""
    changes, planned = [], []
    for item in estate.plan:
        address = f"{item.type}.{item.name}"
        after = dict(item.values)
        creating = list(item.actions) == ["create"]
        changes.append({
            "address": address, "mode": "managed", "type": item.type, "name": item.name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": list(item.actions), "before": None if creating else after, "after": after,
                "after_unknown": dict.fromkeys(item.unknown, True),
                "before_sensitive": False if creating else dict.fromkeys(item.sensitive, True),
                "after_sensitive": dict.fromkeys(item.sensitive, True),
            },
        })
        planned.append({
            "address": address, "mode": "managed", "type": item.type, "name": item.name,
            "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
            "values": after, "sensitive_values": dict.fromkeys(item.sensitive, True),
        })
    return {
        "format_version": "1.2", "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
                                        "expressions": {"region": {"constant_value": estate.region}}}},
            "root_module": {"resources": [
                {"address": f"{p.type}.{p.name}", "mode": "managed", "type": p.type, "name": p.name,
                 "provider_config_key": "aws", "schema_version": 0,
                 "expressions": {k: {"references": list(v)} for k, v in p.references.items()}} for p in estate.plan]},
        },
        "timestamp": "2026-12-01T09:00:00Z", "applyable": True, "complete": True, "errored": False,
    }


def planned(estate: Estate, folder: Path) -> Snapshot:
    """The estate's plan, written to a file and read by the real importer, as ``unify audit --plan`` does."""
    path = folder / f"{estate.name}.plan.json"
    path.write_text(json.dumps(plan_document(estate), indent=1), encoding="utf-8")
    return load_plan(path, PLUGINS.plan_importers, TYPES)


def judged(snapshot: Snapshot) -> Results:
    results, _ = evaluate_snapshot(policy(), snapshot)
    return results


def verdicts(results: Results, check_id: str, keys: Sequence[str], ids: Mapping[str, str]) -> dict[str, list[str]]:
    """Each expected key's verdicts for one check (a key is a name, an id, or a key the seed registered)."""
    found: dict[str, list[str]] = {}
    of_check = results.of_check(check_id)
    for key in keys:
        target = ids.get(key, key)
        found[key] = sorted(r.verdict for r in of_check if target in (r.resource, r.name))
    return found


def expected(expect: Mapping[str, str | None]) -> dict[str, list[str]]:
    return {key: [] if verdict is OUT else [verdict] for key, verdict in expect.items()}


def reasons(results: Results, check_id: str) -> dict[str, str]:
    return {f"{r.name or r.resource}": f"{r.verdict}: {r.reason}" for r in results.of_check(check_id)}
