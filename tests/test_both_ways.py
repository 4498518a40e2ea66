"""Every shipped check, both ways: passing and failing, on a live estate and on the plan that makes it.

The estates are in ``tests/estates/`` and the harness in ``tests/both_ways.py``.
One observation and one plan per estate serve all of its checks.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from moto import mock_aws

import estates
from both_ways import FAIL, PASS, Estate, expected, judged, observe_live, planned, policy, reasons, verdicts


def _estates() -> list[Estate]:
    found = []
    for module in pkgutil.iter_modules(estates.__path__):
        found += importlib.import_module(f"estates.{module.name}").ESTATES
    return found


ESTATES = _estates()


def test_estate_names_are_unique() -> None:
    names = [e.name for e in ESTATES]
    assert len(names) == len(set(names))


@pytest.fixture(autouse=True)
def _no_default_amis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # run_instances takes any image id


@pytest.mark.parametrize("estate", ESTATES, ids=[e.name for e in ESTATES])
def test_live_and_planned_verdicts(estate: Estate, tmp_path: Path) -> None:
    config = {"config": dict(estate.moto_config)} if estate.moto_config else {}
    with mock_aws(**config):
        snapshot, seeder = observe_live(estate)
    live = judged(snapshot)
    # Observed as an audit of just these checks would be (attribute-level targeting): nothing they read is missing.
    assert [r.check for r in live if "NotCollected" in r.reason and r.check in estate.checks] == []
    for check_id, expect in sorted(estate.expect.items()):
        assert [(r.resource, r.reason) for r in live.of_check(check_id) if r.verdict == "error"] == []
        got = verdicts(live, check_id, list(expect), seeder.ids)
        assert got == expected(expect), f"live {check_id}: {reasons(live, check_id)}"
    if not estate.plan:
        assert set(estate.live_only) == set(estate.checks), f"{estate.name}: no plan, so every check is live only"
        return
    plan = judged(planned(estate, tmp_path))
    addresses = {p.name: f"{p.type}.{p.name}" for p in estate.plan}
    for check_id, expect in sorted(estate.expect.items()):
        got = verdicts(plan, check_id, list(expect), addresses)
        if check_id in estate.live_only:
            decided = {k: v for k, v in got.items() if set(v) & {PASS, FAIL}}
            assert decided == {}, f"plan decides live-only {check_id}: {reasons(plan, check_id)}"
        else:
            assert got == expected(expect), f"plan {check_id}: {reasons(plan, check_id)}"


def test_every_shipped_check_has_a_passing_and_a_failing_estate() -> None:
    """A shipped check nobody has seen pass and fail, live and from a plan, is not tested: this fails for it."""
    seen: dict[str, set[str]] = {}
    for estate in ESTATES:
        for check_id, expect in estate.expect.items():
            seen.setdefault(check_id, set()).update(v for v in expect.values() if v is not None)
    shipped = sorted(check.id for check in policy().checks)
    missing = [check_id for check_id in shipped if not {PASS, FAIL} <= seen.get(check_id, set())]
    assert missing == [], f"{len(missing)} shipped checks lack a passing and a failing resource: {missing[:20]}"
    assert set(seen) <= set(shipped), f"estates expect checks that are not shipped: {sorted(set(seen) - set(shipped))}"
