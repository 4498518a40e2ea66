"""One audit pipeline for every front door: sources -> snapshot -> checks -> evaluate -> results -> gate.

``unify audit``, ``unify stack``, ``unify watch``, ``pytest --unify`` and the
GitHub action (which runs the CLI) all reach their verdicts through these
functions, so they agree on where the snapshot comes from, what a plan is
allowed to speak for, which checks are evaluated and which exit code the
results mean. This module and the front doors are the only places that build
the plugin set; everything they call takes the registries it needs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Final

from unify.checks.packs import describe_packs, pack_paths, shipped_catalogs, shipped_packs
from unify.checks.policy_set import PolicySet, load_policies, shipped_policies
from unify.checks.waivers import WaiverSet, load_waivers
from unify.engine import evaluate
from unify.errors import InputError, Problem
from unify.executors import LOCAL, Executor, LocalExecutor, open_executor
from unify.model.snapshot import Snapshot, load_snapshot, write_snapshot
from unify.observe.accounts import DEFAULT_ORG_ROLE, Account, load_accounts, organisation_accounts
from unify.observe.collector import Wanted
from unify.observe.observation import observe
from unify.observe.organisation import observe_organisation
from unify.observe.progress import Progress
from unify.observe.resume import ResumeDir
from unify.observe.session import ObserveOptions, profile_session
from unify.observe.shards import Base
from unify.partitions import evaluate_partitioned
from unify.plugins import Plugins, get_plugins
from unify.results import Gate, Results
from unify.store.store import EvidenceStore, Run
from unify.terraform.importer import load_plan
from unify.terraform.overlay import Overlay, overlay
from unify.views.baseline import compare, load_baseline

__all__ = [
    "DEFAULT_POLICIES",
    "Audit",
    "Gating",
    "Source",
    "audit",
    "default_paths",
    "default_plugins",
    "evaluate_snapshot",
    "executor_for",
    "judge",
    "load_policy",
    "observe_overlay",
    "observe_source",
    "plan_scope",
    "policy_paths",
    "record",
    "targets",
]

#: The policy folder of the working directory, read when no paths are given.
DEFAULT_POLICIES: Final = "policies"

Warn = Callable[[str], None]


def _quiet(message: str) -> None:
    """The ``warn`` of a caller that wants no diagnostics."""


def default_plugins() -> Plugins:
    """The process's plugin set: unify's built-ins and the installed plugins (a front door's choice)."""
    return get_plugins()


@dataclass(frozen=True)
class Source:
    """Where the one observation of a run comes from: a file, a plan, live AWS or the demo.

    A plan with a file, live AWS or the demo is the overlay: the estate as it
    will be after the plan is applied (:mod:`unify.terraform.overlay`).
    """

    snapshot: str | None = None
    plan: str | None = None
    live: bool = False
    demo: bool = False
    #: Live and demo observation: regions, profile, types to observe (default: what the checks read).
    regions: tuple[str, ...] = ()
    profile: str | None = None
    types: tuple[str, ...] = ()
    max_workers: int = 16
    retry_mode: str = "standard"
    #: Many accounts (live only): an accounts file, or the Organization's accounts (filtered by OU and tag).
    accounts_file: str | None = None
    org: bool = False
    org_role: str = DEFAULT_ORG_ROLE
    org_ous: tuple[str, ...] = ()
    org_tags: tuple[tuple[str, str], ...] = ()
    #: Where units run: ``local``, ``dask-local`` or ``dask://HOST:PORT`` (:mod:`unify.executors`).
    executor: str = LOCAL
    #: Worker processes of ``dask-local``.
    workers: int = 2
    #: At most this many requests per second to each account; None: no limit.
    max_requests_per_second: int | None = None
    #: The oldest IAM credential report read (None: any IAM serves; see ObserveOptions).
    credential_report_max_age: timedelta | None = None
    #: Many accounts: the folder of a resumable run (:mod:`unify.observe.resume`).
    resume: str | None = None

    @property
    def organisation(self) -> bool:
        """Several accounts reached by assuming a role in each."""
        return self.accounts_file is not None or self.org

    def check(self) -> None:
        """Refuse anything but one observation, or a plan over one (a usage error, exit 2)."""
        if self.organisation and not self.live:
            raise InputError(
                Problem("<source>", None, None, "--accounts and --org observe live AWS: they go with --live only")
            )
        given = [
            name for name, value in (("snapshot", self.snapshot), ("live", self.live), ("demo", self.demo)) if value
        ]
        if len(given) > 1 or not (given or self.plan):
            raise InputError(
                Problem(
                    "<source>",
                    None,
                    None,
                    "give exactly one observation to evaluate: a snapshot file, a plan file, a live observation "
                    "or the demo (a plan with one of the others evaluates the estate after apply)",
                )
            )

    @property
    def overlay(self) -> bool:
        """A plan over an observation: the estate as it will be after apply."""
        return self.plan is not None and bool(self.snapshot or self.live or self.demo)

    @property
    def observation(self) -> Source:
        """The observation a plan is overlaid on (this source without its plan)."""
        return replace(self, plan=None)

    @property
    def inputs(self) -> list[str]:
        """The files this source reads (reports must never overwrite them)."""
        return [path for path in (self.snapshot, self.plan) if path]

    def describe(self) -> str:
        if self.overlay:
            return f"plan {self.plan} over {self.observation.describe()}"
        if self.snapshot is not None:
            return f"file {self.snapshot}"
        if self.plan is not None:
            return f"plan {self.plan}"
        if self.demo:
            return "the embedded demo estate"
        if self.organisation:
            return f"live AWS, the accounts of {self.accounts_file or 'the Organization'}"
        return f"live AWS ({', '.join(self.regions) or 'default region'})"


@dataclass(frozen=True)
class Gating:
    """How results become an exit code: the ``--fail-on``, ``--fail-on-new`` and ``--soft-fail`` settings."""

    fail_on: str = "info"
    new_only: bool = False
    soft: bool = False

    def gate(self, results: Results) -> Gate:
        return results.gate(self.fail_on, new_only=self.new_only and results.baseline is not None, soft=self.soft)


@dataclass(frozen=True)
class Audit:
    """What one run of the pipeline made: the checks, the snapshot, the results, the gate, and what to say."""

    policy: PolicySet
    snapshot: Snapshot
    results: Results
    gate: Gate
    notes: tuple[str, ...] = ()
    recorded: Run | None = None
    #: With a plan over an observation: where each resource comes from.
    overlay: Overlay | None = None


# -- policies -------------------------------------------------------------------------------------


_DEMO_DESIRED: Final = "demo-desired-state.yaml"


def default_paths(paths: Sequence[str | Path], packs: Sequence[str] = ()) -> tuple[list[str | Path], str | None]:
    """The policy paths of a run, and the one line that says so when they are not the user's own.

    ``paths`` and the folders of the ``packs`` named; with no paths, the
    ``policies/`` folder of the working directory when there is one, else
    every shipped pack (or only the packs named), which is what the line
    says.
    """
    chosen: list[str | Path] = [*paths, *pack_paths(list(packs))]
    if paths:
        return chosen, None
    if Path(DEFAULT_POLICIES).is_dir():
        return [DEFAULT_POLICIES, *chosen], None
    if packs:
        named = [pack for pack in shipped_packs() if pack.path in chosen]
        return (
            chosen,
            f"no PATHS and no {DEFAULT_POLICIES}/ folder here: checking with the shipped {describe_packs(named)}",
        )
    return [shipped_policies()], (
        f"no PATHS and no {DEFAULT_POLICIES}/ folder here: checking with the shipped packs "
        f"{describe_packs(shipped_packs())} (unify packs lists them; --pack NAME adds one to your own folders)"
    )


@contextmanager
def policy_paths(
    paths: Sequence[str | Path], *, demo: bool = False, packs: Sequence[str] = (), warn: Warn = _quiet
) -> Iterator[list[str | Path]]:
    """The policy paths of a run (see :func:`default_paths`); the demo adds its declared state.

    The demo's declared state is written to a temporary folder for as long
    as the caller needs the paths.
    """
    chosen, note = default_paths(paths, packs)
    if note is not None:
        warn(note)
    if not demo or paths:
        yield chosen
        return
    with tempfile.TemporaryDirectory(prefix="unify-demo-") as folder:
        desired = resources.files("unify.observe").joinpath(_DEMO_DESIRED).read_text(encoding="utf-8")
        (Path(folder) / _DEMO_DESIRED).write_text(desired, encoding="utf-8")
        yield [*chosen, folder]


def load_policy(
    paths: Sequence[str | Path],
    plugins: Plugins,
    *,
    demo: bool = False,
    packs: Sequence[str] = (),
    warn: Warn = _quiet,
) -> PolicySet:
    """The policy set of a run (see :func:`policy_paths`), compiled with the plugins' registries.

    The shipped framework catalogs are always known, and the collectors'
    declarations let unknown resource types and attributes be warned about.
    """
    with policy_paths(paths, demo=demo, packs=packs, warn=warn) as chosen:
        return load_policies(
            chosen,
            operators=plugins.operators,
            frameworks=plugins.frameworks,
            types=plugins.collectors.resource_types(),
            catalogs=shipped_catalogs(),
        )


# -- the observation ------------------------------------------------------------------------------


def observe_source(
    source: Source,
    policy: PolicySet | None,
    plugins: Plugins,
    *,
    framework: str | None = None,
    warn: Warn = _quiet,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> Snapshot:
    """The one snapshot of a run, from its source.

    Live and demo observation collect only what the checks of ``policy``
    read, down to the attribute (``source.types``, whole, when given;
    everything when there is no policy).
    Many accounts are observed on ``executor`` (default: this process's threads).
    """
    source.check()
    if source.overlay:
        return observe_overlay(source, policy, plugins, framework=framework, warn=warn, progress=progress).snapshot
    if source.snapshot is not None:
        return load_snapshot(source.snapshot)
    if source.plan is not None:
        return load_plan(source.plan, plugins.plan_importers, plugins.collectors.resource_types())
    types: list[str] | None = list(source.types) or (policy.select(framework).types if policy is not None else None)
    attributes = None if source.types or policy is None else targets(policy.select(framework))
    known = plugins.collectors.types()
    unknown = [t for t in source.types if t not in known]
    if unknown:
        raise InputError(Problem("<types>", None, unknown[0], f"no collector yields {unknown[0]!r}"))
    if source.demo:
        from unify.observe.demo import DemoEstate  # moto and the seeded estate: only for the demo

        with DemoEstate() as estate:
            for line in estate.notes():
                warn(line)
            return _observe(
                types,
                attributes,
                source,
                plugins,
                warn,
                progress,
                regions=source.regions or estate.regions,
                endpoint_url=estate.endpoint,
                boto_session=estate.session(),
            )
    if source.organisation:
        with executor_for(source, executor) as chosen:
            return _observe_accounts(types, attributes, source, plugins, warn, progress, chosen)
    return _observe(types, attributes, source, plugins, warn, progress, regions=source.regions)


#: Attributes every observation collects whatever the checks read: how a planned resource finds its live one.
_IDENTITY: Final = frozenset({"arn", "id"})


def targets(policy: PolicySet) -> Wanted:
    """What an observation for ``policy`` collects of each type: what its checks read, and the identity."""
    return {type_: None if names is None else names | _IDENTITY for type_, names in policy.reads.items()}


@contextmanager
def executor_for(source: Source, given: Executor | None = None) -> Iterator[Executor]:
    """``given``, or the executor ``source`` names, opened for the run and closed after it."""
    if given is not None:
        yield given
        return
    opened = open_executor(source.executor, max_workers=source.max_workers, workers=source.workers)
    try:
        yield opened
    finally:
        opened.close()


def _accounts(source: Source, warn: Warn) -> list[Account]:
    if source.accounts_file is not None:
        return load_accounts(source.accounts_file)
    base = profile_session(source.profile)
    found = organisation_accounts(base, source.org_role, ous=source.org_ous, tags=dict(source.org_tags), regions=())
    warn(f"the Organization lists {len(found)} active account(s) to observe with role {source.org_role}")
    return found


def _observe_accounts(
    types: list[str] | None,
    attributes: Wanted | None,
    source: Source,
    plugins: Plugins,
    warn: Warn,
    progress: Progress | None,
    executor: Executor,
) -> Snapshot:
    options = ObserveOptions(
        regions=list(source.regions) or None,
        max_workers=source.max_workers,
        retry_mode=source.retry_mode,
        max_requests_per_second=source.max_requests_per_second,
        credential_report_max_age=source.credential_report_max_age,
    )
    region = profile_session(source.profile).region_name or "us-east-1"
    snapshot = observe_organisation(
        _accounts(source, warn),
        types,
        collectors=plugins.collectors,
        attributes=attributes,
        executor=executor,
        options=options,
        base=Base(profile=source.profile, region=region),
        progress=progress,
        warn=warn,
        resume=ResumeDir(source.resume, plugins.collectors.resource_types()) if source.resume else None,
    )
    gaps = sum(1 for c in snapshot.coverage if c["status"] == "error")
    stats = snapshot.stats
    warn(
        f"observed {len(snapshot)} resources in {len(snapshot.accounts)} account(s) on {executor.name} in "
        f"{stats.get('duration_seconds')}s with {stats.get('api_calls')} API calls; {gaps} of "
        f"{len(snapshot.coverage)} coverage entries in error{_skipped(stats)}"
    )
    return snapshot


def observe_overlay(
    source: Source,
    policy: PolicySet | None,
    plugins: Plugins,
    *,
    framework: str | None = None,
    warn: Warn = _quiet,
    progress: Progress | None = None,
) -> Overlay:
    """The estate after apply: the plan of ``source`` applied to its observation (live, the demo or a file)."""
    assert source.plan is not None
    live = observe_source(source.observation, policy, plugins, framework=framework, warn=warn, progress=progress)
    planned = load_plan(source.plan, plugins.plan_importers, plugins.collectors.resource_types())
    found = overlay(planned, live, plugins.collectors.resource_types())
    info = found.snapshot.stats.get("overlay") or {}
    warn(
        f"overlaid {source.plan} on {source.observation.describe()}: {info.get('matched', 0)} planned resource(s) "
        f"matched live, {info.get('created', 0)} new, {info.get('deleted', 0)} deleted or replaced"
    )
    for line in found.notes:
        warn(f"warning: {line}")
    return found


def _observe(
    types: list[str] | None,
    attributes: Wanted | None,
    source: Source,
    plugins: Plugins,
    warn: Warn,
    progress: Progress | None,
    *,
    regions: Sequence[str],
    endpoint_url: str | None = None,
    boto_session: Any = None,
) -> Snapshot:
    options = ObserveOptions(
        regions=list(regions) or None,
        max_workers=source.max_workers,
        retry_mode=source.retry_mode,
        endpoint_url=endpoint_url,
        max_requests_per_second=source.max_requests_per_second,
        credential_report_max_age=source.credential_report_max_age,
    )
    snapshot = observe(
        types,
        collectors=plugins.collectors,
        attributes=attributes,
        options=options,
        profile=source.profile,
        boto_session=boto_session,
        progress=progress,
        warn=warn,
    )
    gaps = sum(1 for c in snapshot.coverage if c["status"] == "error")
    stats = snapshot.stats
    warn(
        f"observed {len(snapshot)} resources in {stats.get('duration_seconds')}s with {stats.get('api_calls')} "
        f"API calls; {gaps} of {len(snapshot.coverage)} coverage entries in error{_skipped(stats)}"
    )
    return snapshot


def _skipped(stats: dict[str, Any]) -> str:
    """The note on per-resource calls not made because no loaded check reads what they fill."""
    skipped = stats.get("skipped_calls") or []
    if not skipped:
        return ""
    return f"; {len(skipped)} kind(s) of per-resource call not made, as no loaded check reads what they fill"


def plan_scope(policy: PolicySet, snapshot: Snapshot, framework: str | None) -> tuple[list[str] | None, list[str]]:
    """The resource types whose checks a snapshot may be judged by, and a note on what was left out.

    A plan says nothing about what else exists: only the checks over the
    types it plans are evaluated (None, every check, for any other source).
    A plan with nothing any check reads is clean, not bad input.
    """
    if snapshot.source != "terraform-plan":
        return None, []
    # The plan speaks for what it plans, and for what it deletes (a trail it removes).
    changes = snapshot.stats.get("changes")
    entries = changes.values() if isinstance(changes, dict) else ()
    deleted = {str(c.get("type")) for c in entries if isinstance(c, dict) and c.get("action") == "delete"}
    planned = set(snapshot.types) | deleted
    selected = policy.select(framework).checks
    kept = [check for check in selected if planned & set(check.types)]
    notes = []
    if not kept:
        notes.append(
            f"the plan contains no resource type any of the {len(selected)} check(s) reads: nothing to evaluate"
        )
    elif len(kept) < len(selected):
        notes.append(f"{len(selected) - len(kept)} check(s) not evaluated: the plan has no resources of their types")
    return sorted(planned), notes


def evaluate_snapshot(
    policy: PolicySet,
    snapshot: Snapshot,
    waivers: WaiverSet | None = None,
    *,
    framework: str | None = None,
    overlay: Overlay | None = None,
    executor: Executor | None = None,
) -> tuple[Results, list[str]]:
    """The results of the checks on one snapshot, plan scope applied, and the notes to show with them.

    Side resources a plan or state reading could not place are kept with the
    results (``snapshot.warnings`` in the JSON report) and among the notes;
    on an overlay each result says where it comes from. On a Dask
    ``executor`` the snapshot is evaluated by account, with the same results.
    """
    types, notes = plan_scope(policy, snapshot, framework)
    if executor is not None and not isinstance(executor, LocalExecutor):
        results = evaluate_partitioned(policy, snapshot, waivers, executor=executor, framework=framework, types=types)
    else:
        results = evaluate(policy, snapshot, waivers, framework=framework, types=types)
    warnings = tuple(str(line) for line in snapshot.stats.get("unresolved") or ())
    info = replace(
        results.snapshot,
        warnings=warnings,
        overlay=snapshot.stats.get("overlay") if overlay is not None else None,
    )
    results = replace(results, snapshot=info)
    if overlay is not None:
        results = overlay.annotate(results)
    notes += [f"warning: {line}" for line in warnings]
    return results, notes


# -- the whole run --------------------------------------------------------------------------------


def judge(
    policy: PolicySet,
    snapshot: Snapshot,
    *,
    waivers: WaiverSet | None = None,
    framework: str | None = None,
    baseline: str | None = None,
    store: EvidenceStore | None = None,
    gating: Gating = Gating(),
    overlay: Overlay | None = None,
    executor: Executor | None = None,
) -> Audit:
    """Evaluate one snapshot, compare with a baseline and decide the gate, once."""
    results, notes = evaluate_snapshot(
        policy, snapshot, waivers, framework=framework, overlay=overlay, executor=executor
    )
    if baseline:
        results = compare(results, *load_baseline(baseline, store))
    elif gating.new_only:
        raise InputError(Problem("<baseline>", None, None, "failing only on new findings needs a baseline"))
    return Audit(policy, snapshot, results, gating.gate(results), tuple(notes), overlay=overlay)


def record(store: EvidenceStore, audit: Audit, waiver_files: Sequence[str] = ()) -> Audit:
    """Record an audit in the evidence store with the gate it exits with."""
    run = store.record(audit.results, audit.snapshot, audit.policy, waiver_files, gate=audit.gate)
    return replace(audit, recorded=run)


def audit(
    policy: PolicySet,
    source: Source,
    plugins: Plugins,
    *,
    waiver_files: Sequence[str] = (),
    framework: str | None = None,
    baseline: str | None = None,
    store: EvidenceStore | None = None,
    gating: Gating = Gating(),
    save_snapshot: str | None = None,
    warn: Warn = _quiet,
    progress: Progress | None = None,
) -> Audit:
    """Observe (or read), evaluate, compare with a baseline, gate and record: one audit.

    The gate is decided once, in :func:`judge`, and the evidence store
    records that gate, the one the run exits with.
    """
    waivers = load_waivers(waiver_files) if waiver_files else WaiverSet()
    waivers.check_ids(policy.ids)  # a waiver for an unknown check is bad input before anything is observed
    found: Overlay | None = None
    with executor_for(source) as executor:
        if source.overlay:
            found = observe_overlay(source, policy, plugins, framework=framework, warn=warn, progress=progress)
            snapshot, observed = found.snapshot, found.live
        else:
            snapshot = observed = observe_source(
                source, policy, plugins, framework=framework, warn=warn, progress=progress, executor=executor
            )
        if save_snapshot:
            write_snapshot(observed, save_snapshot)  # the observation, to evaluate again with --snapshot
        done = judge(
            policy,
            snapshot,
            waivers=waivers,
            framework=framework,
            baseline=baseline,
            store=store,
            gating=gating,
            overlay=found,
            executor=executor,
        )
    return record(store, done, waiver_files) if store is not None else done
