"""Shards of an observation: units of (account, region, collector), how one runs, and how they merge.

A unit runs wherever its executor puts it: in a thread of this process or in
a Dask worker on another machine. It reaches its account by assuming the
account's role with the base credentials of the process it runs in
(:class:`Connections`, one per process and base), so a task carries a role
ARN, an external id and a session name, never a secret. Each unit returns
its resources, its coverage (``ok``, or ``error`` with the reason) and its
stats; :func:`merge` sorts the outcomes by unit before it combines them, so
the snapshot and its digest are the same whichever worker ran which unit,
in whatever order they finished.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from unify.errors import AwsError, ObservationError
from unify.model.resource import Coverage, Resource
from unify.model.resource_type import ResourceTypes
from unify.model.snapshot import Snapshot
from unify.observe.accounts import Account
from unify.observe.collector import CollectContext, Collector, aws_error
from unify.observe.limits import AccountLimits
from unify.observe.observation import run_collector
from unify.observe.redaction import redact_resource, redact_text
from unify.observe.session import ObserveOptions, Session, models_of, profile_session, session_with_models

__all__ = [
    "ASSUME_ROLE_FAILED",
    "AccountPlan",
    "Base",
    "Connections",
    "Shared",
    "Unit",
    "UnitOutcome",
    "account_error_coverage",
    "merge",
    "plan_account",
    "retryable",
    "run_unit",
]

T = TypeVar("T")
R = TypeVar("R")

#: The coverage code of every type of an account whose role could not be assumed (the STS code follows).
ASSUME_ROLE_FAILED = "AssumeRoleFailed"
#: Error codes a second attempt cannot change: the audit role lacks a permission, or the endpoint lacks the call.
_PERMANENT = ("AccessDenied", "Unauthorized", "AuthFailure", "OptInRequired", "UnsupportedOperation", "NotSubscribed")


@dataclass(frozen=True)
class Base:
    """Where a process finds its own base credentials: a profile name (or the default chain), never a key."""

    profile: str | None = None
    region: str = "us-east-1"
    endpoint_url: str | None = None


@dataclass(frozen=True)
class Shared:
    """What every unit of one observation shares; sent once to each worker."""

    collectors: tuple[Collector, ...]
    options: ObserveOptions
    base: Base
    #: The connections of this process (the local executor); None on a worker, which makes its own.
    connections: Connections | None = field(default=None, compare=False)

    def collector(self, name: str) -> Collector:
        for collector in self.collectors:
            if collector.name == name:
                return collector
        raise KeyError(name)


@dataclass(frozen=True, order=True)
class Unit:
    """One collector in one account and region (``global`` for global services)."""

    account: str
    region: str
    collector: str
    role_arn: str | None = field(default=None, compare=False)
    external_id: str | None = field(default=None, compare=False)
    session_name: str = field(default="unify", compare=False)
    partition: str = field(default="aws", compare=False)
    #: Every region observed in the account (global collectors filter by it).
    regions: tuple[str, ...] = field(default=(), compare=False)
    attempt: int = field(default=1, compare=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.account, self.region, self.collector)


@dataclass
class UnitOutcome:
    """What a unit found: resources, coverage and its own stats."""

    unit: Unit
    resources: list[Resource]
    coverage: list[Coverage]
    stats: dict[str, Any]
    failure: str | None = None

    @property
    def ok(self) -> bool:
        return all(entry["status"] == "ok" for entry in self.coverage)


@dataclass(frozen=True)
class AccountPlan:
    """An account made ready: its partition and regions, or why it cannot be observed."""

    account: Account
    partition: str
    regions: tuple[str, ...]
    error: dict[str, str] | None = None


# -- credentials, per process ---------------------------------------------------------------------


def _setups(collectors: Iterable[Collector]) -> tuple[dict[str, Any], dict[str, Any], dict[str, frozenset[str]]]:
    setups = {c.service: c.prepare_client for c in collectors if c.prepare_client is not None}
    roots = {f"{c.service}:{op}": root for c in collectors for op, root in c.answer_roots.items()}
    kept: dict[str, set[str]] = {}
    for c in collectors:
        for op, paths in c.keeps_sensitive.items():
            kept.setdefault(f"{c.service}:{op}", set()).update(paths)
    return setups, roots, {call: frozenset(paths) for call, paths in sorted(kept.items())}


class Connections:
    """The base session of one process and one observation session per account role it assumed.

    Role credentials are made here, from this process's base credentials,
    and stay here: nothing in a unit or an outcome carries them.
    """

    def __init__(self, base: Base, boto_session: Any = None) -> None:
        self.base = base
        self._boto = boto_session
        self._sessions: dict[tuple[str | None, str | None, str, int], Session] = {}
        #: The caps of each account (by role, and the limits asked for), shared by all its sessions in this
        #: process, retries included. A worker that serves several runs keeps each run's limits apart.
        self._limits: dict[tuple[Any, ...], AccountLimits] = {}
        self._making: dict[tuple[str | None, str | None, str, int], threading.Lock] = {}
        self._lock = threading.Lock()
        self._base_lock = threading.Lock()
        self._sts: Any = None

    def _base_session(self) -> Any:
        with self._base_lock:
            if self._boto is None:
                self._boto = profile_session(self.base.profile, self.base.region)
            return self._boto

    def _assume(self, role_arn: str, external_id: str | None, session_name: str) -> Any:
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError

        base = self._base_session()
        with self._base_lock:  # creating clients from one session is not thread-safe; using one is
            if self._sts is None:
                self._sts = base.client(
                    "sts",
                    region_name=self.base.region,
                    endpoint_url=self.base.endpoint_url,
                    config=Config(retries={"mode": "standard", "total_max_attempts": 5}),
                )
            sts = self._sts
        kwargs: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": session_name}
        if external_id is not None:
            kwargs["ExternalId"] = external_id
        try:
            credentials = sts.assume_role(**kwargs)["Credentials"]
        except Exception as exc:
            error = aws_error(exc, "sts:AssumeRole")
            if error is None:
                if isinstance(exc, (BotoCoreError, KeyError)):  # no base credentials, a parameter STS refuses
                    raise AwsError(type(exc).__name__, str(exc), "sts:AssumeRole") from None
                raise
            raise error from None
        # The role's session reads botocore's service models through the base session's loader: loading
        # them again for every account would cost more than observing a small one.
        return session_with_models(
            models_of(base),
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=self.base.region,
        )

    def session(self, unit: Unit | AccountPlan, shared: Shared) -> Session:
        """The observation session of the unit's account (assuming its role the first time)."""
        if isinstance(unit, AccountPlan):
            role_arn, external_id, name, attempt = (
                unit.account.role_arn,
                unit.account.external_id,
                unit.account.session_name,
                1,
            )
        else:
            role_arn, external_id, name, attempt = unit.role_arn, unit.external_id, unit.session_name, unit.attempt
        # A retried unit gets fresh credentials: the first ones may be what failed it.
        key = (role_arn, external_id, name, attempt)
        with self._lock:
            found = self._sessions.get(key)
            if found is not None:
                return found
            making = self._making.setdefault(key, threading.Lock())
        # One account's role is assumed once, while other accounts' are assumed alongside.
        with making:
            with self._lock:
                found = self._sessions.get(key)
            if found is None:
                boto = self._base_session() if role_arn is None else self._assume(role_arn, external_id, name)
                setups, roots, kept = _setups(shared.collectors)
                found = Session(boto, shared.options, setups, roots, kept, self.limits(role_arn, shared.options))
                with self._lock:
                    self._sessions[key] = found
        return found

    def limits(self, role_arn: str | None, options: ObserveOptions) -> AccountLimits:
        """The caps of the account ``role_arn`` reaches, in this process (made on first use)."""
        key = (
            role_arn,
            tuple(sorted(options.service_limits.items())),
            options.default_limit,
            options.max_requests_per_second,
        )
        with self._lock:
            found = self._limits.get(key)
            if found is None:
                found = self._limits[key] = AccountLimits(
                    options.service_limits, options.default_limit, options.max_requests_per_second
                )
            return found

    def close(self) -> None:
        with self._lock:
            for session in self._sessions.values():
                session.close()
            self._sessions.clear()


_PROCESS: dict[Base, Connections] = {}
_PROCESS_LOCK = threading.Lock()


def _connections(shared: Shared) -> Connections:
    """This process's connections for the shared base: the local executor's own, or a worker's."""
    if shared.connections is not None:
        return shared.connections
    with _PROCESS_LOCK:
        found = _PROCESS.get(shared.base)
        if found is None:
            found = _PROCESS[shared.base] = Connections(shared.base)
        return found


# -- one account, one unit ------------------------------------------------------------------------


def _assume_failure(account: Account, error: AwsError | ObservationError) -> dict[str, str]:
    code = error.code if isinstance(error, AwsError) else "NoCredentials"
    detail = error.message if isinstance(error, AwsError) else str(error)
    return {
        "code": ASSUME_ROLE_FAILED,
        "message": f"cannot assume {account.role_arn} in account {account.id}: {code}: {detail}",
    }


def plan_account(shared: Shared, account: Account) -> AccountPlan:
    """Assume the account's role and find its regions (``all``: those enabled in it); an error says why not."""
    regions = account.regions or tuple(shared.options.regions or (shared.base.region,))
    plan = AccountPlan(account, account.partition, tuple(r for r in regions if r != "all"))
    try:
        session = _connections(shared).session(plan, shared)
    except (AwsError, ObservationError) as exc:
        return AccountPlan(account, account.partition, plan.regions, _assume_failure(account, exc))
    if list(regions) != ["all"]:
        return plan
    try:
        enabled = session.resolve_regions(["all"])
    except ObservationError as exc:
        return AccountPlan(account, account.partition, (), {"code": "RegionsNotListed", "message": str(exc)})
    return AccountPlan(account, account.partition, tuple(enabled))


class _Counting:
    """The account's session as one unit sees it: the same clients and caps, the unit's own call counts."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self.home_region = session.home_region
        self.credential_report_max_age = session.credential_report_max_age
        self.calls: Counter[str] = Counter()
        self.detail_errors: Counter[str] = Counter()
        self._lock = threading.Lock()

    def client(self, service: str, region: str) -> Any:
        return self._session.client(service, region)

    def _count(self, client: Any, operation: str) -> None:
        with self._lock:
            self.calls[f"{client.meta.service_model.service_name}:{operation}"] += 1

    def call(self, client: Any, operation: str, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        self._count(client, operation)
        return self._session.call(client, operation, kwargs)

    def pages(self, client: Any, operation: str, kwargs: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        for page in self._session.pages(client, operation, kwargs):
            self._count(client, operation)
            yield page

    def map(self, work: Callable[[T], R], items: list[T], lane: tuple[str, str] | None = None) -> list[R]:
        return self._session.map(work, items, lane)

    def once(self, key: str, make: Callable[[], T]) -> T:
        return self._session.once(key, make)

    def note_detail_error(self, ctx: CollectContext, error: AwsError) -> None:
        with self._lock:
            self.detail_errors[f"{error.operation or ctx.collector.service}: {error.code}"] += 1
        self._session.note_detail_error(ctx, error)


def _error_coverage(collector: Collector, unit: Unit, error: dict[str, str]) -> list[Coverage]:
    return [
        {"type": type_, "account": unit.account, "region": unit.region, "status": "error", "error": dict(error)}  # type: ignore[typeddict-item]
        for type_ in collector.types
    ]


def run_unit(shared: Shared, unit: Unit) -> UnitOutcome:
    """Run one unit where it lands; whatever goes wrong becomes its coverage error, with the reason."""
    started = time.perf_counter()
    collector = shared.collector(unit.collector)
    try:
        session = _connections(shared).session(unit, shared)
    except (AwsError, ObservationError) as exc:
        account = Account(unit.account, unit.role_arn, (), unit.external_id, unit.session_name)
        coverage = _error_coverage(collector, unit, _assume_failure(account, exc))
        return UnitOutcome(unit, [], coverage, {"calls": {}, "duration_seconds": 0.0})
    counting = _Counting(session)
    outcome = run_collector(counting, collector, unit.account, unit.partition, unit.region, unit.regions)
    stats = {
        "calls": dict(sorted(counting.calls.items())),
        "detail_errors": dict(sorted(counting.detail_errors.items())),
        "duration_seconds": round(time.perf_counter() - started, 3),
    }
    return UnitOutcome(unit, outcome.resources, outcome.coverage, stats, outcome.failure)


def retryable(outcome: UnitOutcome) -> bool:
    """A unit in error is worth a second attempt unless its code says a permission or an API is missing."""
    for entry in outcome.coverage:
        if entry["status"] == "error":
            code = entry.get("error", {}).get("code", "")
            return not any(word in code for word in _PERMANENT)
    return False


def account_error_coverage(
    plan: AccountPlan, collectors: Sequence[Collector], regions: Sequence[str]
) -> list[Coverage]:
    """``error`` coverage for every type an account could not be observed for, in each region it would have been."""
    assert plan.error is not None
    coverage: list[Coverage] = []
    for collector in collectors:
        for region in ["global"] if collector.scope == "global" else (plan.regions or regions):
            unit = Unit(plan.account.id, region, collector.name)
            coverage.extend(_error_coverage(collector, unit, plan.error))
    return coverage


# -- the merge ----------------------------------------------------------------------------------


def merge(
    outcomes: Iterable[UnitOutcome],
    extra_coverage: Iterable[Coverage],
    *,
    declared: ResourceTypes,
    scope: dict[str, list[str]],
    taken_at: datetime | str,
    stats: dict[str, Any],
) -> Snapshot:
    """One snapshot from the units' outcomes: the same outcomes in any order give the same snapshot.

    Outcomes are taken in unit order (account, region, collector), a
    resource two units both report is kept once (the first unit's), and the
    snapshot sorts resources and coverage canonically.
    """
    ordered = sorted(outcomes, key=lambda outcome: outcome.unit.key)
    resources: dict[tuple[str, str, str, str], Resource] = {}
    coverage: list[Coverage] = list(extra_coverage)
    for outcome in ordered:
        for resource in outcome.resources:
            key = (resource["type"], resource["account"], resource["region"], resource["id"])
            if key not in resources:
                resources[key] = redact_resource(resource, declared)
        coverage.extend(outcome.coverage)
    for entry in coverage:
        if "error" in entry:
            entry["error"]["message"] = redact_text(entry["error"]["message"])
    return Snapshot.build(
        resources=list(resources.values()), coverage=coverage, scope=scope, source="aws", taken_at=taken_at, stats=stats
    )
