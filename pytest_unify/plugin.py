"""``pytest --unify``: the checks of a policy set as pytest items.

Registered under the ``pytest11`` entry point. Without ``--unify`` (or the
``unify`` ini key) the plugin only adds its options: nothing is collected,
loaded or observed, so installing unify changes no existing test run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from pytest_unify.items import CheckItem, PolicyFile
from pytest_unify.run import RUN_KEY, UnifyRun, get_run, settings_from
from unify.checks.conditions import All, Compiler
from unify.checks.operators import OperatorRegistry
from unify.checks.policy_set import Check, PolicySet
from unify.engine import evaluate
from unify.errors import PolicyError, Problem
from unify.model.resource import Coverage, Resource
from unify.model.snapshot import Snapshot
from unify.observe.accounts import DEFAULT_ORG_ROLE
from unify.results import Result, Results
from unify.views.compliance import compliance_view

__all__ = ["Selection", "SnapshotQuery", "unify_snapshot"]

#: Controls not met (or unknown) the summary lists per framework when no framework is chosen.
_LISTED_CONTROLS = 10


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("unify", "unify: policy, compliance and drift checks as tests")
    group.addoption(
        "--unify", action="store_true", default=False, help="collect unify's checks as test items (ini: unify = true)"
    )
    group.addoption(
        "--unify-policies",
        dest="unify_policies",
        action="append",
        default=[],
        metavar="PATH",
        help="policy file or folder; repeatable (ini: unify_policies; default: policies/, else the shipped packs)",
    )
    group.addoption(
        "--unify-pack",
        dest="unify_packs",
        action="append",
        default=[],
        metavar="NAME",
        help="a shipped check pack to add (unify packs lists them); repeatable (ini: unify_packs)",
    )
    group.addoption(
        "--unify-snapshot", dest="unify_snapshot", metavar="FILE", help="evaluate this snapshot (ini: unify_snapshot)"
    )
    group.addoption(
        "--unify-plan",
        dest="unify_plan",
        metavar="FILE",
        help="evaluate a Terraform plan (terraform show -json plan.out) (ini: unify_plan)",
    )
    group.addoption(
        "--unify-live",
        dest="unify_live",
        action="store_true",
        default=False,
        help="observe AWS with the configured credentials, once per session (ini: unify_live)",
    )
    group.addoption(
        "--unify-regions",
        dest="unify_regions",
        action="append",
        default=[],
        metavar="LIST",
        help="regions for --unify-live, comma-separated or 'all' (ini: unify_regions)",
    )
    group.addoption("--unify-profile", dest="unify_profile", metavar="NAME", help="AWS profile for --unify-live")
    group.addoption(
        "--unify-accounts",
        dest="unify_accounts",
        metavar="FILE",
        help="observe the accounts of this YAML file, assuming each role, as unify --accounts (ini: unify_accounts)",
    )
    group.addoption(
        "--unify-org",
        dest="unify_org",
        action="store_true",
        default=False,
        help="observe the accounts of the AWS Organization, as unify --org (ini: unify_org)",
    )
    group.addoption(
        "--unify-org-role",
        dest="unify_org_role",
        metavar="NAME",
        help=f"with --unify-org: the role to assume in each account (default {DEFAULT_ORG_ROLE}; ini: unify_org_role)",
    )
    group.addoption(
        "--unify-org-ou",
        dest="unify_org_ous",
        action="append",
        default=[],
        metavar="OU_ID",
        help="with --unify-org: only accounts under this OU, at any depth; repeatable (ini: unify_org_ous)",
    )
    group.addoption(
        "--unify-org-tag",
        dest="unify_org_tags",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="with --unify-org: only accounts with this tag; repeatable, all must match (ini: unify_org_tags)",
    )
    group.addoption(
        "--unify-executor",
        dest="unify_executor",
        metavar="local|dask-local|dask://HOST:PORT",
        help="where the observation's units run, as unify --executor (ini: unify_executor)",
    )
    group.addoption(
        "--unify-workers",
        dest="unify_workers",
        type=int,
        default=None,
        metavar="N",
        help="with --unify-executor dask-local: worker processes (default 2)",
    )
    group.addoption(
        "--unify-waivers",
        dest="unify_waivers",
        action="append",
        default=[],
        metavar="FILE",
        help="waivers file; repeatable (ini: unify_waivers)",
    )
    group.addoption(
        "--unify-framework",
        dest="unify_framework",
        metavar="ID",
        help="keep only checks mapped to this framework (ini: unify_framework)",
    )
    group.addoption(
        "--unify-unknown",
        dest="unify_unknown",
        choices=("fail", "skip"),
        default=None,
        help="what an unknown (unobserved) result does to its item: fail (default) or skip",
    )
    parser.addini("unify", type="bool", default=False, help="collect unify's checks as test items")
    parser.addini(
        "unify_policies",
        type="linelist",
        default=[],
        help="policy files or folders (default: policies/, else the shipped packs)",
    )
    parser.addini("unify_packs", type="linelist", default=[], help="shipped check packs to add")
    parser.addini("unify_snapshot", type="string", default="", help="snapshot file to evaluate")
    parser.addini("unify_plan", type="string", default="", help="Terraform plan JSON to evaluate")
    parser.addini("unify_live", type="bool", default=False, help="observe AWS once per session")
    parser.addini("unify_regions", type="linelist", default=[], help="regions for the live observation")
    parser.addini("unify_accounts", type="string", default="", help="accounts file to observe")
    parser.addini("unify_org", type="bool", default=False, help="observe the accounts of the Organization")
    parser.addini("unify_org_role", type="string", default="", help="the role to assume in each account")
    parser.addini("unify_org_ous", type="linelist", default=[], help="only accounts under these OUs")
    parser.addini("unify_org_tags", type="linelist", default=[], help="only accounts with these tags (KEY=VALUE)")
    parser.addini("unify_executor", type="string", default="", help="local, dask-local or dask://HOST:PORT")
    parser.addini("unify_waivers", type="linelist", default=[], help="waivers files")
    parser.addini("unify_framework", type="string", default="", help="keep only checks mapped to this framework")
    parser.addini("unify_unknown", type="string", default="", help="fail (default) or skip for unknown results")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "unify(check, severity, kind, framework, control): a unify check; select with "
        "-m \"unify(severity='high')\" or -m \"unify(framework='cis-aws-v7.0', control='2.4')\"",
    )
    config.addinivalue_line(
        "markers",
        "unify_control(framework, *control_ids): this Python test gives evidence for these framework controls; "
        "its outcome joins unify's compliance summary",
    )
    settings = settings_from(config)
    if not settings.enabled:
        return
    run = UnifyRun(config, settings)
    config.stash[RUN_KEY] = run
    if not hasattr(config, "workerinput"):
        # One clear usage error, before collection and before any xdist worker starts, for a missing or
        # unreadable observation or a policy path that does not exist (whatever -q hides of the header).
        run.snapshot_path()
        stray = run.stray_problems()
        if stray:
            raise pytest.UsageError("unify: " + "; ".join(str(p) for p in stray))
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistHooks(run), "unify-xdist")
    # The policy paths are collected like test paths, wherever they are.
    for path in settings.policies:
        if str(path) not in config.args:
            config.args.append(str(path))
    config.pluginmanager.register(_Reporter(run), "unify-reporter")


def pytest_unconfigure(config: pytest.Config) -> None:
    run = get_run(config)
    if run is not None:
        run.cleanup()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    run = get_run(parent.config)
    if run is not None and run.is_policy_file(file_path):
        return PolicyFile.from_parent(parent, path=file_path)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for marker in item.iter_markers("unify_control"):
            if len(marker.args) < 2:
                raise pytest.UsageError(
                    f"{item.nodeid}: unify_control needs a framework id and at least one control id"
                )
            framework, *controls = (str(a) for a in marker.args)
            item.user_properties.append(("unify_python_controls", " ".join(f"{framework}:{c}" for c in controls)))


class _XdistHooks:
    """The controller produces the snapshot once and hands its path to every worker."""

    def __init__(self, run: UnifyRun) -> None:
        self.run = run

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["unify_snapshot"] = str(self.run.snapshot_path())


class _Reporter:
    """The report header (where the observation came from) and the compliance summary."""

    def __init__(self, run: UnifyRun) -> None:
        self.run = run
        self.ran: set[str] = set()
        self.python: list[tuple[str, str, str]] = []
        self.policy_errors = 0

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """Count the collection errors that are policy files: they must not stop the other checks."""
        if report.failed and self.run.is_policy_file(self.run.config.rootpath / report.nodeid.split("::")[0]):
            self.policy_errors += 1

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Any:
        """A malformed policy file is one collection error; the other files' checks still run.

        pytest stops a session at collection errors; when every one of them
        is a policy file's (each already reported with its file, line and
        key), the session carries on, and still exits non-zero.
        """
        option = session.config.option
        keep = option.continue_on_collection_errors
        if session.testsfailed and session.testsfailed == self.policy_errors:
            option.continue_on_collection_errors = True
        try:
            return (yield)
        finally:
            option.continue_on_collection_errors = keep

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        snapshot = self.run.snapshot()
        coverage = Counter(c["status"] for c in snapshot.coverage)
        lines = [] if self.run.settings.policy_note is None else [f"unify: {self.run.settings.policy_note}"]
        lines += [
            f"unify: snapshot from {self.run.settings.source}: {snapshot.digest}",
            (
                f"unify: taken {snapshot.taken_at}, {len(snapshot)} resources, coverage {coverage.get('ok', 0)} ok, "
                f"{coverage.get('error', 0)} error; unknown results {self.run.settings.unknown}"
            ),
        ]
        if self.run.observations:
            stats = snapshot.stats
            lines.append(
                f"unify: observed once for this session: {stats.get('api_calls')} API calls in "
                f"{stats.get('duration_seconds')}s"
            )
        return lines

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        properties = dict(report.user_properties)
        if ("unify_check" in properties and report.when == "call") or ("unify_check" in properties and report.skipped):
            self.ran.add(str(properties["unify_check"]))
        controls = properties.get("unify_python_controls")
        if controls and (report.when == "call" or (report.when == "setup" and not report.passed)):
            verdict = "pass" if report.passed else "fail" if report.failed else "unknown"
            self.python.append((report.nodeid, str(controls), verdict))

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.ran and not self.python:
            return
        results = _combined(self.run, self.ran, self.python)
        chosen = self.run.settings.framework
        frameworks = [chosen] if chosen else results.framework_ids
        terminalreporter.section("unify compliance")
        if self.run.settings.policy_note is not None:
            terminalreporter.write_line(f"unify: {self.run.settings.policy_note}")
        for framework in frameworks:
            view = compliance_view(results, framework)
            counts = view.summary()
            shown = ", ".join(
                f"{counts[s]} {s}"
                for s in ("met", "not met", "unknown", "waived", "manual", "not applicable")
                if counts[s]
            )
            terminalreporter.write_line(
                f"{view.title} ({framework}): {shown}; automated {counts['automated']}/{counts['total']}"
            )
            open_controls = [c for c in view.controls if c.status in ("not met", "unknown")]
            # Every control not met is listed for the framework chosen; a screenful for each otherwise.
            limit = len(open_controls) if chosen else _LISTED_CONTROLS
            for control in open_controls[:limit]:
                terminalreporter.write_line(
                    f"  {control.status:<8} {control.id} {control.title} ({', '.join(control.checks)})"
                )
            if len(open_controls) > limit:
                terminalreporter.write_line(
                    f"  ... and {len(open_controls) - limit} more (--unify-framework {framework} lists them all)"
                )


def _combined(run: UnifyRun, ran: set[str], python: list[tuple[str, str, str]]) -> Results:
    """The results of the checks that ran, plus Python tests mapped to controls, as one result set."""
    results = run.results()
    kept = tuple(r for r in results if r.check in ran)
    checks = [c for c in results.policy.checks if c.id in ran]
    extra: list[Result] = []
    for nodeid, controls, verdict in python:
        mapping: dict[str, list[str]] = {}
        for pair in controls.split():
            framework, _, control = pair.partition(":")
            mapping.setdefault(framework, []).append(control)
        frozen = MappingProxyType({fw: tuple(ids) for fw, ids in mapping.items()})
        checks.append(
            Check(
                id=nodeid,
                title=nodeid,
                severity="info",
                types=(),
                kind="python",
                file=nodeid,
                line=None,
                controls=frozen,
            )
        )
        extra.append(
            Result(
                check=nodeid,
                resource=nodeid,
                type="pytest",
                verdict=verdict,  # type: ignore[arg-type]
                reason=f"Python test {verdict}",
                severity="info",
                controls=frozen,
                kind="python",
            )
        )
    policy = replace(results.policy, checks=tuple(sorted(checks, key=lambda c: c.id)))
    return replace(
        results, results=tuple(sorted(kept + tuple(extra), key=lambda r: r.sort_key)), policy=policy, _cache={}
    )


@dataclass(frozen=True)
class Selection:
    """What a query over the snapshot found: resources the condition holds for, and those it cannot decide."""

    holds: list[Resource]
    #: (resource id, or ``ACCOUNT/REGION/TYPE`` for a scope not listed, and why it is undecided).
    undecided: list[tuple[str, str]]


class SnapshotQuery:
    """The session's snapshot, for checks written in Python.

    Conditions are judged by the one evaluator, in three-valued logic: a
    resource whose condition depends on data that was not observed, or a
    type that could not be listed somewhere, is undecided, never dropped.
    """

    def __init__(self, snapshot: Snapshot, operators: OperatorRegistry, unknown: str = "fail") -> None:
        self.snapshot = snapshot
        self.operators = operators
        self.unknown = unknown

    def select(self, type_: str, where: dict[str, Any] | None = None) -> Selection:
        """The resources of a type the condition definitely holds for, and the undecided ones with why."""
        problems: list[Problem] = []
        node = (
            Compiler(self.operators, "<where>", lambda path: None, problems).condition(where, ()) if where else All([])
        )
        if node is None:
            raise PolicyError(problems)
        check = Check(
            id="python/query",
            title=f"query over {type_}",
            severity="info",
            types=(type_,),
            kind="guardrail",
            file="<where>",
            line=None,
            assertion=node,
        )
        results = evaluate(PolicySet(checks=(check,), frameworks=MappingProxyType({})), self.snapshot)
        by_id = {resource["id"]: resource for resource in self.snapshot.of_type(type_)}
        holds = [by_id[r.resource] for r in results if r.verdict == "pass" and r.resource in by_id]
        undecided = [(r.resource, r.reason) for r in results if r.verdict in ("unknown", "error")]
        return Selection(holds, undecided)

    def resources(self, type_: str, where: dict[str, Any] | None = None) -> list[Resource]:
        """Resources of a type, optionally those a check-language condition definitely holds for.

        When some cannot be decided (not observed), the test fails, or skips
        with ``--unify-unknown skip``, as a check item would: a Python check
        never passes on data that was not observed.
        """
        found = self.select(type_, where)
        if found.undecided:
            shown = "; ".join(f"{resource}: {reason}" for resource, reason in found.undecided[:5])
            message = f"unify: {len(found.undecided)} {type_} result(s) undecided (not observed): {shown}"
            if self.unknown == "skip":
                pytest.skip(message)
            pytest.fail(message, pytrace=False)
        return found.holds

    def coverage(self, type_: str) -> list[Coverage]:
        return list(self.snapshot.coverage_of(type_))

    def complete(self, type_: str) -> bool:
        """Whether every coverage entry of the type is ok (and there is at least one)."""
        entries = self.snapshot.coverage_of(type_)
        return bool(entries) and all(e["status"] == "ok" for e in entries)


@pytest.fixture(scope="session")
def unify_snapshot(request: pytest.FixtureRequest) -> SnapshotQuery:
    """The snapshot of this session (the one the checks read), for Python checks."""
    run = get_run(request.config)
    if run is None:
        pytest.skip("unify_snapshot needs --unify with --unify-snapshot FILE or --unify-live")
    return SnapshotQuery(run.snapshot(), run.plugins.operators, run.settings.unknown)


__all__ += ["CheckItem", "PolicyFile"]
