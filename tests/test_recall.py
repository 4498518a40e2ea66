"""The evaluator recalls a judgement for a resource whose values at a check's paths equal another's.

Recalling must never change a result: every test here compares an
evaluation with recall against one where every resource is judged afresh,
on values chosen to look alike to Python and not to a check (``1``, ``1.0``
and ``True``; ``0.0`` and ``-0.0``; an absent block and an absent leaf; an
unobserved value; lists whose order or items differ).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import PLUGINS, denied, ok, resource, snapshot
from unify import engine, recall
from unify.checks.policy_set import load_policies
from unify.engine import evaluate
from unify.model.resource import unknown
from unify.render.json import results_document

POLICY = """
checks:
  - id: scalar
    severity: high
    resource: aws_s3_bucket
    assert:
      flag: {eq: true}
  - id: numeric
    severity: low
    resource: aws_s3_bucket
    where:
      kind: {in: [a, b]}
    assert:
      size: {ge: 1}
  - id: block
    severity: medium
    resource: aws_s3_bucket
    assert:
      all:
        - public_access_block.block_public_acls: {eq: true}
        - public_access_block.ignore_public_acls: {eq: true}
  - id: listed
    severity: medium
    resource: aws_s3_bucket
    assert:
      rules:
        all_items:
          port: {ne: 22}
  - id: forbidden
    severity: low
    resource: aws_s3_bucket
    assert:
      rules:
        no_item:
          port: {eq: 22}
  - id: either
    severity: low
    resource: aws_s3_bucket
    assert:
      any:
        - flag: {eq: false}
        - rules: {empty: true}
        - not: {size: {exists: true}}
"""

SCALARS = st.sampled_from([True, False, 1, 0, 1.0, 0.0, -0.0, 2, "1", "true", "a", "b", None])
VALUES = st.one_of(
    SCALARS,
    st.just(unknown("not collected")),
    st.lists(
        st.fixed_dictionaries(
            {"port": st.sampled_from([22, 22.0, 80, "22"])}, optional={"note": st.sampled_from(["a", "b"])}
        )
        | SCALARS,
        max_size=3,
    ),
    st.dictionaries(st.sampled_from(["block_public_acls", "ignore_public_acls"]), SCALARS, max_size=2),
)
KEYS = ["flag", "size", "kind", "public_access_block", "rules"]
ATTRIBUTES = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=5)


@pytest.fixture(scope="module")
def policy(tmp_path_factory: Any) -> Any:
    path = tmp_path_factory.mktemp("recall") / "recall.yaml"
    path.write_text(POLICY, encoding="utf-8")
    return load_policies([path], operators=PLUGINS.operators)


def _estate(attributes: list[dict[str, Any]]) -> Any:
    return snapshot(
        [resource("aws_s3_bucket", f"bucket-{i:03d}", attrs) for i, attrs in enumerate(attributes)],
        [ok("aws_s3_bucket")],
    )


def _judged_afresh(monkeypatch: pytest.MonkeyPatch, policy: Any, estate: Any) -> dict[str, Any]:
    with monkeypatch.context() as patch:
        patch.setattr(recall.Columns, "keys", lambda self, type_, plan: None)
        return results_document(evaluate(policy, estate))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(ATTRIBUTES, min_size=1, max_size=12))
def test_recalled_results_are_the_results_of_judging_every_resource(
    policy: Any, monkeypatch: pytest.MonkeyPatch, attributes: list[dict[str, Any]]
) -> None:
    # Each drawn resource twice, so every one of them is recalled at least once.
    estate = _estate(attributes + attributes)
    assert results_document(evaluate(policy, estate)) == _judged_afresh(monkeypatch, policy, estate)


def test_values_equal_in_python_are_not_equal_to_a_check(policy: Any) -> None:
    shapes = [{"flag": True}, {"flag": 1}, {"flag": 1.0}, {"kind": "a", "size": 0.0}, {"kind": "a", "size": -0.0}]
    results = evaluate(policy, _estate(shapes))
    scalar = {r.resource: r.verdict for r in results if r.check == "scalar"}
    assert scalar == {"bucket-000": "pass", "bucket-001": "fail", "bucket-002": "fail", "bucket-003": "fail",
                      "bucket-004": "fail"}
    numeric = {r.resource: r.reason for r in results if r.check == "numeric"}
    assert "-0.0" in numeric["bucket-004"] and "-0.0" not in numeric["bucket-003"], numeric


def test_an_absent_block_and_an_absent_leaf_keep_their_own_reasons(policy: Any) -> None:
    results = evaluate(policy, _estate([{}, {"public_access_block": {}}, {}, {"public_access_block": {}}]))
    block = [r.reason for r in results if r.check == "block"]
    assert block[0] == block[2] and block[1] == block[3]
    assert "has no public access block" in block[0]
    assert "has no public access block" not in block[1]


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The id of the check of every judgement the evaluator makes (not recalls)."""
    made: list[str] = []
    judge = engine._Evaluator.judge

    def counting(self: Any, check: Any, resource: Any, head: Any = None) -> Any:
        made.append(check.id)
        return judge(self, check, resource, head)

    monkeypatch.setattr(engine._Evaluator, "judge", counting)
    return made


def test_resources_with_equal_values_are_judged_once(policy: Any, judged: list[str]) -> None:
    shapes = [{"flag": True, "size": 3, "kind": "a"}, {"flag": False, "rules": [{"port": 22}]}]
    results = evaluate(policy, _estate(shapes * 50))
    # Six checks, two shapes: one judgement each, but "block" reads only a block both shapes lack, so eleven
    # for a hundred resources; and each resource still has its own result.
    assert sorted(judged) == sorted(["block", "either", "either", "forbidden", "forbidden", "listed", "listed",
                                     "numeric", "numeric", "scalar", "scalar"])
    assert len([r for r in results if r.check == "scalar"]) == 100
    assert {r.resource for r in results if r.check == "listed" and r.verdict == "fail"} == {
        f"bucket-{i:03d}" for i in range(1, 100, 2)
    }


def test_a_path_whose_values_never_repeat_is_given_up_after_its_trial(
    policy: Any, monkeypatch: pytest.MonkeyPatch, judged: list[str]
) -> None:
    columns: list[str] = []
    column = recall.Columns._column

    def counting(self: Any, type_: str, path: Any, items: Any) -> Any:
        made = column(self, type_, path, items)
        columns.append(f"{path.text}:{'kept' if made is not None else 'given up'}")
        return made

    monkeypatch.setattr(recall.Columns, "_column", counting)
    monkeypatch.setattr(recall, "TRIAL", 20)
    estate = _estate([{"size": n, "flag": n % 2 == 0, "kind": "a"} for n in range(60)])
    results = evaluate(policy, estate)
    # Each path of the type is read once for all six checks; size is unique to each resource, so it is given up.
    assert sorted(columns) == ["flag:kept", "kind:kept", "public_access_block.block_public_acls:kept",
                               "public_access_block.ignore_public_acls:kept", "rules:kept", "rules:kept",
                               "size:given up"]
    # "numeric" and "either" read size: every resource judged afresh; the four others judge each shape once.
    assert judged.count("numeric") == 60 and judged.count("either") == 60
    assert judged.count("scalar") == 2 and judged.count("block") == 1
    assert [r.verdict for r in results if r.check == "numeric"] == ["fail"] + ["pass"] * 59


def test_a_column_is_dropped_after_the_last_check_that_reads_it(policy: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    kept: list[int] = []
    keys = recall.Columns.keys

    def watching(self: Any, type_: str, plan: Any) -> Any:
        found = keys(self, type_, plan)
        kept.append(len(self.made))
        return found

    monkeypatch.setattr(recall.Columns, "keys", watching)
    evaluate(policy, _estate([{"flag": True, "size": 1, "kind": "a"}] * 3))
    # Six checks, one after another: after the last, no column is held.
    assert len(kept) == 6 and kept[-1] == 0 and max(kept) > 0


def test_what_a_walked_list_holds_beyond_what_its_items_are_asked_counts_for_nothing(
    policy: Any, judged: list[str]
) -> None:
    # Each rule has its own description, which "listed" does not read; "forbidden" (no_item) shows the
    # whole item in its reason, and "either" asks whether the list is empty: both read the whole list.
    shapes = [{"flag": True, "rules": [{"port": 22, "note": f"rule {n}"}, {"port": 80}]} for n in range(30)]
    results = evaluate(policy, _estate(shapes))
    assert judged.count("listed") == 1 and judged.count("forbidden") == 30 and judged.count("either") == 30
    listed = [r for r in results if r.check == "listed"]
    assert {r.verdict for r in listed} == {"fail"} and len({r.reason for r in listed}) == 1
    assert all(r.details[0].path == "rules.0.port" for r in listed)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.sampled_from(["b-2", "b-10", "a", "B"]), st.sampled_from(["111111111111", "222222222222"]),
                  st.sampled_from(["us-east-1", "eu-west-1"]), ATTRIBUTES),
        max_size=10, unique_by=lambda drawn: drawn[:3],
    ),
    st.booleans(),
)
def test_each_check_s_results_are_in_resource_order_with_equal_ids_in_snapshot_order(
    policy: Any, drawn: list[tuple[str, str, str, dict[str, Any]]], listing_failed: bool
) -> None:
    # Judged in id order, a guardrail's results are not sorted afterwards: they must come out as sorting gives.
    estate = snapshot(
        [resource("aws_s3_bucket", id_, attrs, account=account, region=region) for id_, account, region, attrs in drawn],
        [ok("aws_s3_bucket", "us-east-1", "111111111111"),
         denied("aws_s3_bucket", "eu-west-1", "222222222222") if listing_failed else ok("aws_s3_bucket", "eu-west-1")],
        accounts=["111111111111", "222222222222"], regions=["us-east-1", "eu-west-1"],
    )
    results = list(evaluate(policy, estate))
    checks = [r.check for r in results]
    assert checks == sorted(checks)
    for check in set(checks):
        mine = [r for r in results if r.check == check]
        assert mine == sorted(mine, key=lambda r: (r.resource, r.type, r.account or "", r.region or ""))
