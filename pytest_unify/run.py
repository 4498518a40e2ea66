"""One unify run inside a pytest session: settings, policy set, snapshot, results.

Everything is computed once per process and only when ``--unify`` is on. The
snapshot is produced once per session: by the controller (or the only
process) when pytest-xdist distributes the run, which passes the file to the
workers, so a live observation happens once however many workers there are.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from unify.checks.documents import Document
from unify.checks.packs import describe_packs, pack_paths, shipped_catalogs, shipped_packs
from unify.checks.policy_set import PolicySet, lint_paths, shipped_policies
from unify.checks.waivers import WaiverSet, load_waivers
from unify.errors import PolicyError, Problem, UnifyError
from unify.executors import LOCAL
from unify.model.snapshot import Snapshot, load_snapshot, write_snapshot
from unify.observe.accounts import DEFAULT_ORG_ROLE
from unify.plugins import Plugins
from unify.results import Results
from unify.run import Source, default_plugins, evaluate_snapshot, observe_source

__all__ = ["RUN_KEY", "Settings", "UnifyRun", "get_run"]


@dataclass(frozen=True)
class Settings:
    """The ``--unify-*`` options, or their ini keys, resolved to paths."""

    enabled: bool
    policies: tuple[Path, ...]
    snapshot: Path | None
    plan: Path | None
    live: bool
    regions: tuple[str, ...]
    profile: str | None
    waivers: tuple[Path, ...]
    framework: str | None
    unknown: str
    #: Many accounts, as ``unify --accounts`` / ``--org`` (live only).
    accounts_file: Path | None = None
    org: bool = False
    org_role: str = DEFAULT_ORG_ROLE
    org_ous: tuple[str, ...] = ()
    org_tags: tuple[tuple[str, str], ...] = ()
    executor: str = LOCAL
    workers: int = 2
    #: Said once, in the header and the summary, when the checks are the shipped packs.
    policy_note: str | None = None

    @property
    def source(self) -> str:
        if self.snapshot is not None:
            return f"file {self.snapshot}"
        if self.plan is not None:
            return f"plan {self.plan}"
        if self.accounts_file is not None or self.org:
            where = self.accounts_file or "the Organization"
            return f"live AWS, the accounts of {where} on {self.executor}"
        return f"live AWS ({', '.join(self.regions) or 'default region'})"


def _values(config: pytest.Config, option: str, ini: str) -> list[str]:
    given = config.getoption(option)
    if given:
        return list(given) if isinstance(given, (list, tuple)) else [given]
    value = config.getini(ini)
    if isinstance(value, list):
        return [str(v) for v in value if str(v).strip()]
    return [str(value)] if value else []


def _path(raw: str, base: Path) -> Path:
    path = Path(os.path.expanduser(raw))
    return path if path.is_absolute() else base / path


def settings_from(config: pytest.Config) -> Settings:
    """Command-line options win over ini keys; ini paths are relative to the rootdir."""
    root = config.rootpath
    here = config.invocation_params.dir
    enabled = bool(config.getoption("unify") or config.getini("unify"))

    def paths(option: str, ini: str) -> tuple[Path, ...]:
        base = here if config.getoption(option) else root
        return tuple(_path(v, base) for v in _values(config, option, ini))

    policies = paths("unify_policies", "unify_policies")
    packs = _values(config, "unify_packs", "unify_packs")
    try:
        from_packs = tuple(pack_paths(packs))
    except UnifyError as exc:
        raise pytest.UsageError(f"unify: {exc}") from None
    note = None
    if not policies:
        if (root / "policies").is_dir():
            policies = (root / "policies",)
        elif from_packs:
            named = [pack for pack in shipped_packs() if pack.path in from_packs]
            note = f"no policies/ folder under the rootdir: checking with {describe_packs(named)}"
        else:
            policies = (shipped_policies(),)
            note = (
                f"no policies/ folder under the rootdir: checking with the shipped packs "
                f"{describe_packs(shipped_packs())} (--unify-policies PATH or --unify-pack NAME to choose)"
            )
    policies = policies + tuple(p for p in from_packs if p not in policies)
    snapshots = paths("unify_snapshot", "unify_snapshot")
    plans = paths("unify_plan", "unify_plan")
    live = bool(config.getoption("unify_live") or config.getini("unify_live"))
    regions = tuple(
        r.strip() for v in _values(config, "unify_regions", "unify_regions") for r in v.split(",") if r.strip()
    )
    accounts = paths("unify_accounts", "unify_accounts")
    org = bool(config.getoption("unify_org") or config.getini("unify_org"))
    org_role = config.getoption("unify_org_role") or config.getini("unify_org_role") or DEFAULT_ORG_ROLE
    org_ous = tuple(
        o.strip() for v in _values(config, "unify_org_ous", "unify_org_ous") for o in v.split(",") if o.strip()
    )
    org_tags = _tags(_values(config, "unify_org_tags", "unify_org_tags"))
    if accounts and org:
        raise pytest.UsageError("unify: give --unify-accounts FILE or --unify-org, not both")
    if not org and (org_ous or org_tags or org_role != DEFAULT_ORG_ROLE):
        raise pytest.UsageError("unify: --unify-org-role, --unify-org-ou and --unify-org-tag go with --unify-org")
    if (accounts or org) and (snapshots or plans):
        raise pytest.UsageError("unify: --unify-accounts and --unify-org observe live AWS: not with a snapshot or plan")
    live = live or bool(accounts) or org
    executor = config.getoption("unify_executor") or config.getini("unify_executor") or LOCAL
    workers = config.getoption("unify_workers") or 2
    unknown = config.getoption("unify_unknown") or config.getini("unify_unknown") or "fail"
    if unknown not in ("fail", "skip"):
        raise pytest.UsageError(f"unify_unknown must be 'fail' or 'skip', not {unknown!r}")
    framework = config.getoption("unify_framework") or config.getini("unify_framework") or None
    return Settings(
        enabled=enabled,
        policies=policies,
        snapshot=snapshots[0] if snapshots else None,
        plan=plans[0] if plans else None,
        live=live,
        regions=regions,
        profile=config.getoption("unify_profile") or None,
        waivers=paths("unify_waivers", "unify_waivers"),
        framework=framework,
        unknown=unknown,
        accounts_file=accounts[0] if accounts else None,
        org=org,
        org_role=org_role,
        org_ous=org_ous,
        org_tags=org_tags,
        executor=executor,
        workers=workers,
        policy_note=note,
    )


def _tags(values: list[str]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        key, sep, wanted = value.partition("=")
        if not sep or not key:
            raise pytest.UsageError(f"unify: --unify-org-tag {value!r}: expected KEY=VALUE")
        pairs.append((key, wanted))
    return tuple(pairs)


@dataclass
class UnifyRun:
    """Lazily loaded state of unify for one pytest process."""

    config: pytest.Config
    settings: Settings
    _policy: PolicySet | None = None
    _problems: list[Problem] = field(default_factory=list)
    _snapshot_path: Path | None = None
    _snapshot: Snapshot | None = None
    _results: Results | None = None
    _tempdir: str | None = None
    observations: int = 0
    notes: list[str] = field(default_factory=list)

    # -- the policy set --------------------------------------------------------

    @property
    def plugins(self) -> Plugins:
        """The plugin set of the session: unify's built-ins and the installed plugins."""
        return default_plugins()

    def policy(self) -> PolicySet:
        """Every check that compiled; problems are kept per file for collection errors."""
        if self._policy is None:
            plugins = self.plugins
            problems, policy, waiver_docs = lint_paths(
                list(self.settings.policies),
                operators=plugins.operators,
                frameworks=plugins.frameworks,
                types=plugins.collectors.resource_types(),
                catalogs=shipped_catalogs(),
            )
            if waiver_docs:
                problems = problems + [_waiver_among_policies(doc) for doc in waiver_docs]
            self._problems = [p for p in problems if not p.warning]
            self._policy = policy
        return self._policy

    def problems_in(self, path: Path) -> list[Problem]:
        self.policy()
        target = path.resolve()
        return [p for p in self._problems if _same(p.file, target)]

    def stray_problems(self) -> list[Problem]:
        """Problems that no collected file will report (a missing path, say)."""
        self.policy()
        return [p for p in self._problems if not Path(p.file).is_file()]

    def selected_policy(self) -> PolicySet:
        policy = self.policy()
        try:
            return policy.select(self.settings.framework)
        except PolicyError as exc:  # an unknown framework
            raise pytest.UsageError(f"unify: {exc}") from None

    def is_policy_file(self, path: Path) -> bool:
        """Whether ``path`` is a YAML file under one of the policy paths (hidden folders skipped)."""
        if path.suffix not in (".yaml", ".yml"):
            return False
        resolved = path.resolve()
        for root in (p.resolve() for p in self.settings.policies):
            if resolved == root:
                return True
            if root in resolved.parents:
                return not any(part.startswith(".") for part in resolved.relative_to(root).parts)
        return False

    # -- the snapshot ------------------------------------------------------------

    def snapshot_path(self) -> Path:
        """The snapshot file of this session, producing it when this process is the one to."""
        if self._snapshot_path is not None:
            return self._snapshot_path
        handed = getattr(self.config, "workerinput", {}).get("unify_snapshot")
        if handed:
            self._snapshot_path = Path(handed)
        elif self.settings.snapshot is not None:
            self._snapshot_path = self.settings.snapshot
            self.snapshot()  # validate here, once, so errors are reported before the run
        elif self.settings.plan is not None:
            self._snapshot_path = self._import_plan()
        elif self.settings.live:
            self._snapshot_path = self._observe()
        else:
            raise pytest.UsageError(
                "--unify needs an observation: --unify-snapshot FILE, --unify-plan FILE or --unify-live "
                "(or the unify_snapshot / unify_plan / unify_live ini keys)"
            )
        return self._snapshot_path

    def _observe(self) -> Path:
        settings = self.settings
        source = Source(
            live=True,
            regions=settings.regions,
            profile=settings.profile,
            accounts_file=str(settings.accounts_file) if settings.accounts_file is not None else None,
            org=settings.org,
            org_role=settings.org_role,
            org_ous=settings.org_ous,
            org_tags=settings.org_tags,
            executor=settings.executor,
            workers=settings.workers,
        )
        snapshot = self._from(source)
        self.observations += 1
        return self._keep(snapshot, "snapshot.json")

    def _import_plan(self) -> Path:
        return self._keep(self._from(Source(plan=str(self.settings.plan))), "plan-snapshot.json")

    def _from(self, source: Source) -> Snapshot:
        """The snapshot of a source, through the same pipeline as ``unify audit``."""
        try:
            return observe_source(source, self.selected_policy(), self.plugins, framework=self.settings.framework)
        except UnifyError as exc:
            raise pytest.UsageError(f"unify: {exc}") from None

    def _keep(self, snapshot: Snapshot, name: str) -> Path:
        """Write the session's snapshot where the xdist workers can read it."""
        self._tempdir = tempfile.mkdtemp(prefix="pytest-unify-")
        path = Path(self._tempdir) / name
        write_snapshot(snapshot, path)
        self._snapshot = snapshot
        return path

    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            path = self.snapshot_path()
            try:
                self._snapshot = load_snapshot(path)
            except UnifyError as exc:
                raise pytest.UsageError(f"unify: {exc}") from None
        return self._snapshot

    # -- results -----------------------------------------------------------------

    def results(self) -> Results:
        if self._results is None:
            try:
                waivers = load_waivers(list(self.settings.waivers)) if self.settings.waivers else WaiverSet()
                # The same plan scope as `unify audit --plan`: a plan speaks only for what it plans.
                self._results, self.notes = evaluate_snapshot(
                    self.policy(), self.snapshot(), waivers, framework=self.settings.framework
                )
            except UnifyError as exc:
                raise pytest.UsageError(f"unify: {exc}") from None
        return self._results

    def cleanup(self) -> None:
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)


def _same(file: str, target: Path) -> bool:
    try:
        return Path(file).resolve() == target
    except OSError:
        return False


def _waiver_among_policies(doc: Document) -> Problem:
    return Problem(doc.file, doc.line(("waivers",)), "waivers", "this is a waivers file; pass it with --unify-waivers")


RUN_KEY = pytest.StashKey[UnifyRun]()


def get_run(config: pytest.Config) -> UnifyRun | None:
    return config.stash.get(RUN_KEY, None)
