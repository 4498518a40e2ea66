"""The side-by-side benchmark compares like with like: the same rules on both sides, unify's as shipped.

benchmarks/custodian.py scores unify and Cloud Custodian against one seeded
truth per rule; a rule missing on one side, or a unify check that drifted
from its shipped definition, would make its figures meaningless. Cloud
Custodian itself is not installed here (the benchmark installs it in its own
environment), so its side is checked as the policy file it is given.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from factories import PLUGINS, TYPES
from unify.checks.packs import shipped_catalogs
from unify.checks.policy_set import load_policies, shipped_policies

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from custodian_policies import RULES, write_c7n_policies, write_unify_policies

SHIPPED = load_policies([shipped_policies()], operators=PLUGINS.operators)


@pytest.mark.parametrize("copies", [1, 2])
def test_both_sides_run_the_same_named_rules_and_unify_runs_them_as_shipped(tmp_path: Path, copies: int) -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names)) == 24
    write_unify_policies(tmp_path / "unify", copies)
    write_c7n_policies(tmp_path / "c7n.yml", copies)

    loaded = load_policies([tmp_path / "unify"], operators=PLUGINS.operators, types=TYPES, catalogs=shipped_catalogs())
    c7n = yaml.safe_load((tmp_path / "c7n.yml").read_text())["policies"]
    assert sorted(loaded.ids) == sorted(p["name"] for p in c7n)
    assert len(loaded) == 24 * copies
    assert loaded.warnings == ()  # every attribute read is declared, every framework known

    for check in loaded:
        name = check.id.split("-copy")[0]
        shipped = SHIPPED.get(name)
        assert shipped is not None, f"{name} is not a shipped check"
        assert (check.types, check.kind, check.severity, check.title) == (
            shipped.types,
            shipped.kind,
            shipped.severity,
            shipped.title,
        )
