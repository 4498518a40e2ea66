"""pytest nodes for policy files and checks: one item per check, located at its YAML line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_unify.run import UnifyRun, get_run
from unify.checks.policy_set import Check
from unify.errors import Problem
from unify.render.text import detail_lines
from unify.results import Result, Results

__all__ = ["MAX_LISTED", "CheckFailed", "CheckItem", "PolicyFile", "PolicyFileError"]

MAX_LISTED = 50


class PolicyFileError(Exception):
    """A policy file that does not load: reported as a collection error with file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class CheckFailed(Exception):
    """A check whose results include failures (or unknowns, by default)."""


class PolicyFile(pytest.File):
    """A YAML file among the policy paths; its checks become items."""

    def collect(self) -> Iterator[CheckItem]:
        run = _run(self.config)
        problems = run.problems_in(self.path)
        if problems:
            raise PolicyFileError(problems)
        resolved = self.path.resolve()
        for check in run.selected_policy().checks:
            if _resolve(check.file) == resolved:
                yield CheckItem.from_parent(self, name=check.id, check=check)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, PolicyFileError):
            return "unify policy error:\n" + "\n".join(f"  {p}" for p in excinfo.value.problems)
        return str(super().repr_failure(excinfo))


def _resolve(file: str) -> Path:
    return Path(file).resolve()


def _run(config: pytest.Config) -> UnifyRun:
    run = get_run(config)
    if run is None:  # pragma: no cover - only collected when the run exists
        raise RuntimeError("pytest-unify is not configured")
    return run


class CheckItem(pytest.Item):
    """One unify check as a test: it passes when every resource in scope passes."""

    def __init__(self, *, check: Check, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        controls = [(fw, cid) for fw, ids in check.controls.items() for cid in ids]
        base = {"check": check.id, "severity": check.severity, "kind": check.kind}
        if controls:
            for framework, control in controls:
                self.add_marker(pytest.mark.unify(**base, framework=framework, control=control))
        else:
            self.add_marker(pytest.mark.unify(**base))
        # -k matches check ids (the item name), titles and control ids.
        self.extra_keyword_matches.add(check.title)
        for framework, control in controls:
            self.extra_keyword_matches.add(control)
            self.extra_keyword_matches.add(f"{framework}:{control}")
        self.user_properties.extend(
            [
                ("unify_check", check.id),
                ("unify_severity", check.severity),
                ("unify_kind", check.kind),
                ("unify_controls", " ".join(f"{fw}:{cid}" for fw, cid in controls)),
            ]
        )

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, (self.check.line or 1) - 1, f"unify check {self.check.id}"

    def runtest(self) -> None:
        run = _run(self.config)
        results = run.results()
        self.user_properties.append(("unify_snapshot_digest", results.snapshot.digest))
        found = results.of_check(self.check.id)
        failing = [r for r in found if r.verdict in ("fail", "error")]
        unknown = [r for r in found if r.verdict == "unknown"]
        if failing or (unknown and run.settings.unknown == "fail"):
            raise CheckFailed(self._explain(failing, unknown, len(found), results))
        if unknown:
            pytest.skip(
                f"unknown (not observed) on {len(unknown)} resource(s): "
                + "; ".join(f"{r.resource}: {r.reason}" for r in unknown[:5])
            )
        if not found:
            pytest.skip(f"not applicable: no {', '.join(self.check.types)} in scope")

    def _explain(self, failing: list[Result], unknown: list[Result], total: int, results: Results) -> str:
        check = self.check
        lines = [
            f"unify check {check.id} ({check.severity}): {check.title}",
            f"  {len(failing)} failing and {len(unknown)} unknown of {total} result(s); defined at {check.location}",
        ]
        for result in (failing + unknown)[:MAX_LISTED]:
            where = "/".join(part for part in (result.account, result.region) if part)
            label = result.address or result.resource
            lines.append(f"  {result.verdict.upper()} {label} ({result.type}{', ' + where if where else ''})")
            details = detail_lines(result)
            lines.extend(f"      {line}" for line in details)
            if not details and result.reason:
                lines.append(f"      {result.reason}")
        if len(failing) + len(unknown) > MAX_LISTED:
            lines.append(f"  ... and {len(failing) + len(unknown) - MAX_LISTED} more")
        if check.remediation:
            lines.append(f"  remediation: {check.remediation}")
        lines.append(f"  snapshot: {results.snapshot.digest} taken {results.snapshot.taken_at}")
        return "\n".join(lines)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CheckFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))
