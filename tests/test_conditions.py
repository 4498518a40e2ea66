"""Compiled conditions: Kleene logic laws, quantifiers, paths and explanations."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unify.checks.conditions import FALSE, TRUE, UNKNOWN, Compiler, DefectAt, Detail, Node, PathRef
from unify.errors import Problem
from unify.checks.operators import MISSING, EvalContext
from unify.plugins import build_plugins

CTX = EvalContext(now=datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc))
OPERATORS = build_plugins(autoload=False).operators
U = {"$unknown": "not observed"}
ATOMS = ("a", "b", "c", "d")
TRUTH = {True: TRUE, False: FALSE, None: UNKNOWN}


def compile_(spec: dict[str, Any]) -> Node:
    problems: list[Problem] = []
    node = Compiler(OPERATORS, "test.yaml", lambda path: None, problems).condition(spec, ())
    assert not problems, problems
    assert node is not None
    return node


def target(attributes: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"type": "t", "id": "r", "name": "r", "account": "1", "region": "r", "tags": {}, "attributes": attributes, **fields}


# -- a reference Kleene logic, written as truth tables -------------------------

def ref_and(values: list[int]) -> int:
    if FALSE in values:
        return FALSE
    return UNKNOWN if UNKNOWN in values else TRUE


def ref_or(values: list[int]) -> int:
    if TRUE in values:
        return TRUE
    return UNKNOWN if UNKNOWN in values else FALSE


def ref_not(value: int) -> int:
    return {TRUE: FALSE, FALSE: TRUE, UNKNOWN: UNKNOWN}[value]


def reference(spec: Any, env: dict[str, int]) -> int:
    (key, value), = spec.items()
    if key == "all":
        return ref_and([reference(s, env) for s in value])
    if key == "any":
        return ref_or([reference(s, env) for s in value])
    if key == "not":
        return ref_not(reference(value, env))
    return env[key]


_leaves = st.sampled_from(ATOMS).map(lambda atom: {atom: {"eq": True}})
_conditions = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"all": xs}),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"any": xs}),
        inner.map(lambda x: {"not": x}),
    ),
    max_leaves=10,
)
_values = st.sampled_from([True, False, None])
_envs = st.fixed_dictionaries({atom: _values for atom in ATOMS})


def attributes_of(env: dict[str, bool | None]) -> dict[str, Any]:
    return {atom: (U if value is None else value) for atom, value in env.items()}


def leaf_env(env: dict[str, bool | None]) -> dict[str, int]:
    return {atom: TRUTH[value] for atom, value in env.items()}


def evaluate(spec: dict[str, Any], env: dict[str, bool | None]) -> int:
    return compile_(spec).evaluate(target(attributes_of(env)), CTX)


@settings(max_examples=300, deadline=None)
@given(_conditions, _envs)
def test_matches_the_kleene_truth_tables(spec, env) -> None:
    wrapped = spec if len(spec) == 1 else {"all": [spec]}
    assert evaluate(spec, env) == reference(wrapped, leaf_env(env))


@settings(max_examples=200, deadline=None)
@given(_conditions, _envs)
def test_not_is_an_involution(spec, env) -> None:
    assert evaluate({"not": {"not": spec}}, env) == evaluate(spec, env)
    assert evaluate({"not": spec}, env) == TRUE - evaluate(spec, env)


@settings(max_examples=200, deadline=None)
@given(st.lists(_conditions, min_size=1, max_size=4), _envs)
def test_all_any_duality(specs, env) -> None:
    negated = [{"not": s} for s in specs]
    assert evaluate({"not": {"all": specs}}, env) == evaluate({"any": negated}, env)
    assert evaluate({"not": {"any": specs}}, env) == evaluate({"all": negated}, env)


@settings(max_examples=200, deadline=None)
@given(_conditions, _envs)
def test_a_definite_answer_holds_for_every_completion_of_the_unknowns(spec, env) -> None:
    """Unknown is never turned into a pass: whatever was not observed, the verdict stands."""
    result = evaluate(spec, env)
    if result == UNKNOWN:
        return
    open_atoms = [atom for atom, value in env.items() if value is None]
    for completion in itertools.product([True, False], repeat=len(open_atoms)):
        filled = {**env, **dict(zip(open_atoms, completion))}
        assert evaluate(spec, filled) == result


@settings(max_examples=100, deadline=None)
@given(_conditions, _envs)
def test_unknown_propagates_when_it_matters(spec, env) -> None:
    """If completions disagree, the partial answer must be unknown."""
    open_atoms = [atom for atom, value in env.items() if value is None]
    outcomes = {
        evaluate(spec, {**env, **dict(zip(open_atoms, completion))})
        for completion in itertools.product([True, False], repeat=len(open_atoms))
    }
    if len(outcomes) > 1:
        assert evaluate(spec, env) == UNKNOWN


# -- quantifiers ------------------------------------------------------------------

INGRESS = {
    "ingress": [
        {"from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]},
        {"from_port": 22, "to_port": 22, "cidr_blocks": ["10.0.0.0/8"]},
    ]
}


@pytest.mark.parametrize(
    ("spec", "attributes", "expected"),
    [
        ({"ingress": {"any_item": {"from_port": {"eq": 22}}}}, INGRESS, TRUE),
        ({"ingress": {"all_items": {"from_port": {"eq": 22}}}}, INGRESS, FALSE),
        ({"ingress": {"no_item": {"all": [{"from_port": {"le": 22}}, {"to_port": {"ge": 22}}, {"cidr_blocks": {"world_open": True}}]}}}, INGRESS, TRUE),
        ({"ingress": {"no_item": {"cidr_blocks": {"world_open": True}}}}, INGRESS, FALSE),
        # empty and absent lists
        ({"ingress": {"any_item": {"from_port": {"eq": 22}}}}, {"ingress": []}, FALSE),
        ({"ingress": {"all_items": {"from_port": {"eq": 22}}}}, {"ingress": []}, TRUE),
        ({"ingress": {"no_item": {"from_port": {"eq": 22}}}}, {}, TRUE),
        ({"ingress": {"any_item": {"from_port": {"eq": 22}}}}, {}, FALSE),
        # lists of scalars take an operator spec on the item itself
        ({"groups": {"any_item": {"eq": "admins"}}}, {"groups": ["dev", "admins"]}, TRUE),
        ({"groups": {"all_items": {"matches": "^team-"}}}, {"groups": ["team-a", "admins"]}, FALSE),
        # unknown list, unknown item
        ({"ingress": {"any_item": {"from_port": {"eq": 22}}}}, {"ingress": U}, UNKNOWN),
        ({"ingress": {"any_item": {"from_port": {"eq": 22}}}}, {"ingress": [{"from_port": 80}, U]}, UNKNOWN),
        ({"ingress": {"any_item": {"from_port": {"eq": 22}}}}, {"ingress": [{"from_port": 22}, U]}, TRUE),
        ({"ingress": {"all_items": {"from_port": {"eq": 22}}}}, {"ingress": [{"from_port": 80}, U]}, FALSE),
        ({"ingress": {"no_item": {"from_port": {"eq": 22}}}}, {"ingress": [{"from_port": 80}, U]}, UNKNOWN),
        # nested quantifiers
        ({"statements": {"any_item": {"actions": {"any_item": {"eq": "*"}}}}}, {"statements": [{"actions": ["s3:Get"]}, {"actions": ["*"]}]}, TRUE),
    ],
)
def test_quantifiers(spec, attributes, expected) -> None:
    assert compile_(spec).evaluate(target(attributes), CTX) == expected


# -- paths ------------------------------------------------------------------------

def test_paths_address_resource_fields_tags_and_attributes() -> None:
    resource = target({"name": "attr-name", "versioning": {"status": "Enabled"}, "ingress": [{"from_port": 22}]},
                      name="real-name", tags={"env": "prod"})
    assert PathRef("name").get(resource) == "real-name"
    assert PathRef("attributes.name").get(resource) == "attr-name"
    assert PathRef("tags.env").get(resource) == "prod"
    assert PathRef("versioning.status").get(resource) == "Enabled"
    assert PathRef("ingress.0.from_port").get(resource) == 22
    assert PathRef("ingress.-1.from_port").get(resource) == 22
    assert PathRef("ingress.5.from_port").get(resource) is MISSING
    assert PathRef("logging.target_bucket").get(resource) is MISSING
    assert PathRef("versioning.status").get(target({"versioning": U})) == U


def test_path_into_a_list_without_index_is_a_defect_with_the_line() -> None:
    problems: list[Problem] = []
    node = Compiler(OPERATORS, "p.yaml", lambda path: 7, problems).condition({"ingress.from_port": {"eq": 22}}, ())
    with pytest.raises(DefectAt) as info:
        node.evaluate(target(INGRESS), CTX)
    assert str(info.value).startswith("p.yaml:7: ")
    assert "any_item" in str(info.value)


def test_operator_on_wrong_type_is_a_defect() -> None:
    node = compile_({"size": {"gt": 100}})
    with pytest.raises(DefectAt, match="cannot order"):
        node.evaluate(target({"size": "big"}), CTX)


# -- explanations ------------------------------------------------------------------

def explain(spec: dict[str, Any], attributes: dict[str, Any]) -> list[Detail]:
    node = compile_(spec)
    out: list[Detail] = []
    node.explain(target(attributes), CTX, TRUE, "", out)
    return out


def test_explain_names_path_expected_and_actual() -> None:
    details = explain({"public_access_block.block_public_acls": {"eq": True}}, {"public_access_block": {"block_public_acls": False}})
    assert [d.message for d in details] == ["public access block > block public ACLs is false, must be true"]
    assert details[0].verdict == "fail"


def test_explain_lists_only_the_leaves_that_failed() -> None:
    details = explain({"a": {"eq": 1}, "b": {"eq": 2}, "c": {"eq": 3}}, {"a": 1, "b": 5, "c": U})
    assert [(d.path, d.verdict) for d in details] == [("b", "fail"), ("c", "unknown")]
    assert details[1].message == "c is unknown (not observed)"


def test_explain_under_not_says_not() -> None:
    details = explain({"not": {"status": {"eq": "Active"}}}, {"status": "Active"})
    assert details[0].message == 'status is "Active", must not be'


def test_explain_points_into_list_items() -> None:
    details = explain({"ingress": {"no_item": {"cidr_blocks": {"world_open": True}}}}, INGRESS)
    assert [d.message for d in details] == ['ingress item 1 is not allowed: CIDR blocks ["0.0.0.0/0"] is open to the internet']
    details = explain({"ingress": {"all_items": {"from_port": {"eq": 22}}}}, INGRESS)
    assert [d.path for d in details] == ["ingress.0.from_port"]
    details = explain({"ingress": {"any_item": {"from_port": {"eq": 22}}}}, {"ingress": []})
    assert details[0].path == "ingress" and details[0].message == "has no ingress"


def test_explain_absent_value() -> None:
    details = explain({"encrypted": {"eq": True}}, {})
    assert details[0].actual is MISSING
    assert details[0].message == "encrypted is not set (must be true)"
    assert details[0].as_json()["absent"] is True


def test_compiler_reports_every_problem_with_lines() -> None:
    problems: list[Problem] = []
    lines = {("assert", "a", "equals"): 3, ("assert", "b", "matches"): 4, ("assert", "c", "older_than"): 5}
    Compiler(OPERATORS, "p.yaml", lambda path: lines.get(path), problems).condition(
        {"a": {"equals": 1}, "b": {"matches": "(["}, "c": {"older_than": "soon"}}, ("assert",)
    )
    assert [(p.line, p.key) for p in problems] == [(3, "equals"), (4, "matches"), (5, "older_than")]
    assert "did you mean 'eq'" in problems[0].message


def test_a_path_through_a_scalar_is_absent() -> None:
    node = compile_({"any": [{"Principal": {"eq": "*"}}, {"Principal.AWS": {"contains": "*"}}]})
    assert node.evaluate(target({"Principal": "*"}), CTX) == TRUE
    assert node.evaluate(target({"Principal": {"AWS": ["*"]}}), CTX) == TRUE
    assert node.evaluate(target({"Principal": {"Service": ["s3.amazonaws.com"]}}), CTX) == FALSE
    assert PathRef("Principal.AWS").get(target({"Principal": "*"})) is MISSING


_SHAPES = st.recursive(
    st.sampled_from([None, True, 0, "x", {"$unknown": "not collected"}]),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from(["a", "b", "$unknown"]), inner,
                                                                 max_size=3),
    max_leaves=8,
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "0", "attributes", "tags", "name"]), max_size=3).map(".".join),
    st.booleans(),
    st.dictionaries(st.sampled_from(["attributes", "tags", "name"]), _SHAPES, max_size=3),
)
def test_a_path_s_written_out_reader_reads_what_walking_it_reads(text: str, item: bool, target: dict[str, Any]) -> None:
    import pickle

    from unify.checks.operators import CheckDefect

    path = PathRef(text, item=item)
    copy = pickle.loads(pickle.dumps(path))  # a Dask worker's copy has its own reader
    outcomes = []
    for read in (path.get, path.walk, copy.get):
        try:
            outcomes.append(("value", read(target)))
        except CheckDefect as defect:
            outcomes.append(("defect", str(defect)))
    assert outcomes[0] == outcomes[1] == outcomes[2]
    assert (outcomes[0][1] is MISSING) == (outcomes[1][1] is MISSING) == (outcomes[2][1] is MISSING)
