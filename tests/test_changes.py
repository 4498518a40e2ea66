"""Snapshot diffs (added, removed, changed with paths), their replay, their JSON and table, and verdict flips."""

from __future__ import annotations

import copy
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import ACCOUNT, denied, ok, resource, snapshot
from factories import PLUGINS
from unify.views.diff import DIFF_FORMAT, Flip, PathChange, apply, diff_snapshots, verdict_flips
from unify.render.console import render_diff_table
from unify.checks.policy_set import load_policies
from unify.engine import evaluate
from unify.model.snapshot import Snapshot
from unify.model.resource import unknown

# -- strategies --------------------------------------------------------------------

_keys = st.sampled_from(["a", "b", "status", "name", "tags", "x.y", "0", "$unknown", "attributes"])
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.0, 1.0, 1.5]),
                     st.sampled_from(["", "on", "off", "[bold]x"]))
_values = st.recursive(
    st.one_of(_scalars, st.builds(unknown, st.sampled_from(["AccessDenied", "computed at apply"]))),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=3)),
    max_leaves=10,
)


@st.composite
def _variant(draw, value):
    """``value``, or a copy with some part replaced, added or dropped (near misses are what matter)."""
    choice = draw(st.integers(0, 4))
    if choice == 0:
        return copy.deepcopy(value)
    if choice == 1 or not isinstance(value, (dict, list)) or not value:
        return draw(_values)
    value = copy.deepcopy(value)
    if isinstance(value, list):
        index = draw(st.integers(0, len(value) - 1))
        if choice == 4:
            value.append(draw(_values))
        else:
            value[index] = draw(_variant(value[index]))
        return value
    key = draw(st.sampled_from(sorted(value)))
    if choice == 2:
        value[key] = draw(_variant(value[key]))
    elif choice == 3:
        del value[key]
    else:
        value[draw(_keys)] = draw(_values)
    return value


def _make(type_, id_, region, attributes, name, tags):
    item = {"type": type_, "id": id_, "account": ACCOUNT, "region": region, "attributes": attributes}
    if name is not _NO:
        item["name"] = name
    if tags is not _NO:
        item["tags"] = tags
    return item


_NO = object()
_tags = st.dictionaries(st.sampled_from(["env", "owner", "a.b"]),
                        st.one_of(st.none(), st.sampled_from(["x", "y"]), st.just(unknown("AccessDenied"))), max_size=2)
_resource = st.builds(
    _make,
    st.sampled_from(["aws_s3_bucket", "aws_vpc"]),
    st.sampled_from(["r1", "r2", "r3", "r4"]),
    st.sampled_from(["us-east-1", "global"]),
    st.dictionaries(_keys, _values, max_size=4),
    st.one_of(st.just(_NO), st.none(), st.sampled_from(["one", "two"])),
    st.one_of(st.just(_NO), _tags),
)
_resource_lists = st.lists(_resource, max_size=6, unique_by=lambda r: (r["type"], r["region"], r["id"]))


@st.composite
def _pairs(draw):
    """A base and a current snapshot that share most resources, some of them changed."""
    base = draw(_resource_lists)
    current = []
    for item in base:
        fate = draw(st.sampled_from(["keep", "drop", "change"]))
        if fate == "keep":
            current.append(copy.deepcopy(item))
        elif fate == "change":
            changed = copy.deepcopy(item)
            attributes = draw(_variant(item["attributes"]))
            changed["attributes"] = attributes if isinstance(attributes, dict) else {"replaced": attributes}
            if draw(st.booleans()):
                changed["tags"] = {**item.get("tags", {}), **draw(_tags)}
            if draw(st.booleans()):
                changed["name"] = draw(st.one_of(st.none(), st.sampled_from(["one", "three"])))
            current.append(changed)
    keys = {(r["type"], r["region"], r["id"]) for r in current}
    for extra in draw(_resource_lists):
        if (extra["type"], extra["region"], extra["id"]) not in keys:
            current.append(extra)
            keys.add((extra["type"], extra["region"], extra["id"]))
    return snapshot(base), snapshot(current, taken_at="2026-11-21T09:00:00Z")


def _key(r):
    return (r["type"], r["account"], r["region"], r["id"])


def _canonical(resources) -> str:
    return json.dumps(sorted(resources, key=_key), sort_keys=True)


# -- properties ---------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(_resource_lists)
def test_a_snapshot_does_not_differ_from_itself(resources) -> None:
    snap = snapshot(resources)
    again = Snapshot(copy.deepcopy(snap.data))
    diff = diff_snapshots(snap, again)
    assert diff.is_empty and diff.summary() == {"added": 0, "removed": 0, "changed": 0}
    assert diff.as_json()["changed"] == [] and diff.base.digest == diff.current.digest


@settings(max_examples=250, deadline=None)
@given(_pairs())
def test_applying_the_diff_to_the_base_gives_the_current_resources(pair) -> None:
    base, current = pair
    frozen_base, frozen_current = _canonical(base.resources), _canonical(current.resources)
    diff = diff_snapshots(base, current)
    rebuilt = apply(diff, base.resources)
    assert _canonical(rebuilt) == _canonical(current.resources)
    assert rebuilt == sorted(current.resources, key=_key)
    assert [_key(r) for r in rebuilt] == sorted(_key(r) for r in rebuilt)  # canonical order
    # nothing was mutated: inputs, nor the diff by applying it (apply twice gives the same)
    assert _canonical(base.resources) == frozen_base and _canonical(current.resources) == frozen_current
    assert _canonical(apply(diff, base.resources)) == _canonical(rebuilt)
    if rebuilt:  # the result is a copy: changing it changes neither the base nor the diff
        rebuilt[0]["attributes"].clear()
    assert _canonical(apply(diff, base.resources)) == _canonical(current.resources)


@settings(max_examples=200, deadline=None)
@given(_pairs())
def test_added_removed_and_changed_partition_the_keys(pair) -> None:
    base, current = pair
    diff = diff_snapshots(base, current)
    before = {_key(r): r for r in base.resources}
    after = {_key(r): r for r in current.resources}
    added = [_key(r) for r in diff.added]
    removed = [_key(r) for r in diff.removed]
    changed = [c.key for c in diff.changed]
    assert set(added) == after.keys() - before.keys()
    assert set(removed) == before.keys() - after.keys()
    differing = {k for k in before.keys() & after.keys()
                 if json.dumps(before[k], sort_keys=True) != json.dumps(after[k], sort_keys=True)}
    assert set(changed) == differing
    assert len(set(added) | set(removed) | set(changed)) == len(added) + len(removed) + len(changed)
    for found in (added, removed, changed):
        assert found == sorted(found)
    for change in diff.changed:
        assert change.paths, "a changed resource names at least one path"
        paths = [p.path for p in change.paths]
        assert len(paths) == len(set(zip(paths, (p.segments for p in change.paths))))
        for path in change.paths:
            assert path.kind in ("added", "removed", "changed")
            assert not path.path.startswith("attributes.") or path.path.split(".")[1] in (
                "id", "type", "name", "account", "region", "tags", "attributes")


# -- examples -----------------------------------------------------------------------


def _bucket(attributes, *, tags=None, name="logs"):
    return resource("aws_s3_bucket", f"arn:aws:s3:::{name}", attributes, name=name, tags=tags)


def _one_change(before, after, **kwargs):
    diff = diff_snapshots(snapshot([_bucket(before, **kwargs.get("b", {}))]),
                          snapshot([_bucket(after, **kwargs.get("a", {}))]))
    assert not diff.added and not diff.removed and len(diff.changed) == 1
    return diff.changed[0]


def test_nested_mapping_change_is_one_leaf_path() -> None:
    change = _one_change({"versioning": {"status": "Suspended", "mfa_delete": False}, "other": 1},
                         {"versioning": {"status": "Enabled", "mfa_delete": False}, "other": 1})
    assert change.paths == (PathChange("versioning.status", "Suspended", "Enabled", "changed"),)
    assert change.type == "aws_s3_bucket" and change.id == "arn:aws:s3:::logs" and change.name == "logs"
    assert change.key == ("aws_s3_bucket", ACCOUNT, "us-east-1", "arn:aws:s3:::logs")


def test_lists_of_equal_length_by_index_and_of_other_length_as_a_whole() -> None:
    same = _one_change({"ingress": [{"from_port": 22, "to_port": 22}, {"from_port": 443, "to_port": 443}]},
                       {"ingress": [{"from_port": 22, "to_port": 22}, {"from_port": 80, "to_port": 443}]})
    assert same.paths == (PathChange("ingress.1.from_port", 443, 80, "changed"),)
    longer = _one_change({"ingress": [{"from_port": 22}]}, {"ingress": [{"from_port": 22}, {"from_port": 3389}]})
    assert longer.paths == (PathChange("ingress", [{"from_port": 22}], [{"from_port": 22}, {"from_port": 3389}], "changed"),)
    retyped = _one_change({"policy": {"Statement": []}}, {"policy": []})
    assert retyped.paths == (PathChange("policy", {"Statement": []}, [], "changed"),)


def test_paths_sort_naturally_and_values_compare_as_json() -> None:
    change = _one_change({"rules": list(range(12)), "flag": 1, "ratio": 1},
                         {"rules": [*range(2), 20, *range(3, 10), 100, 11], "flag": True, "ratio": 1.0})
    assert [p.path for p in change.paths] == ["flag", "ratio", "rules.2", "rules.10"]
    assert change.paths[0] == PathChange("flag", 1, True, "changed")


def test_tag_and_name_changes_use_root_field_paths() -> None:
    change = _one_change({"acl": "private"}, {"acl": "private"},
                         b={"tags": {"env": "prod", "owner": "data"}}, a={"tags": {"env": "dev", "team": "x"}})
    assert change.paths == (
        PathChange("tags.env", "prod", "dev", "changed"),
        PathChange("tags.owner", "data", None, "removed"),
        PathChange("tags.team", None, "x", "added"),
    )
    renamed = dict(_bucket({}), name="logs-2")
    diff = diff_snapshots(snapshot([_bucket({})]), snapshot([renamed]))
    assert diff.changed[0].paths == (PathChange("name", "logs", "logs-2", "changed"),)
    assert diff.changed[0].name == "logs-2"


def test_an_attribute_named_like_a_root_field_keeps_its_prefix() -> None:
    change = _one_change({"name": "a", "tags": [{"Key": "k"}]}, {"name": "b", "tags": []})
    assert [p.path for p in change.paths] == ["attributes.name", "attributes.tags"]


def test_unknown_markers_are_compared_as_values() -> None:
    appeared = _one_change({"policy": {"Statement": [{"Effect": "Allow"}]}, "encrypted": True},
                           {"policy": unknown("AccessDenied"), "encrypted": True})
    assert appeared.paths == (PathChange("policy", {"Statement": [{"Effect": "Allow"}]}, unknown("AccessDenied"), "changed"),)
    reason = _one_change({"encrypted": unknown("computed at apply")}, {"encrypted": unknown("AccessDenied")})
    assert reason.paths == (PathChange("encrypted", unknown("computed at apply"), unknown("AccessDenied"), "changed"),)
    gone = _one_change({"encrypted": unknown("AccessDenied")}, {"encrypted": False})
    assert gone.paths == (PathChange("encrypted", unknown("AccessDenied"), False, "changed"),)
    nested = _one_change({"versioning": {"status": "Enabled"}}, {"versioning": {"status": unknown("Throttling")}})
    assert nested.paths == (PathChange("versioning.status", "Enabled", unknown("Throttling"), "changed"),)


def test_apply_refuses_a_diff_made_from_other_resources() -> None:
    base = snapshot([_bucket({"versioning": {"status": "Suspended"}})])
    current = snapshot([_bucket({"versioning": {"status": "Enabled"}})])
    diff = diff_snapshots(base, current)
    other = [_bucket({"versioning": {"status": "Enabled"}})]
    with pytest.raises(ValueError, match="not what the diff was made from"):
        apply(diff, other)
    with pytest.raises(ValueError, match="does not have"):
        apply(diff, [])


def _pair_for_documents():
    base = snapshot(
        [_bucket({"versioning": {"status": "Suspended"}}, tags={"env": "prod"}),
         resource("aws_ebs_volume", "vol-gone", {"encrypted": False}),
         resource("aws_ebs_volume", "vol-eu", {"encrypted": True}, region="eu-west-1")],
        [ok("aws_s3_bucket"), ok("aws_ebs_volume"), ok("aws_ebs_volume", "eu-west-1")],
        regions=["eu-west-1", "us-east-1"],
    )
    current = snapshot(
        [_bucket({"versioning": {"status": "Enabled"}}, tags={"env": "[bold]prod"}),
         resource("aws_ebs_volume", "vol-new", {"encrypted": True})],
        [ok("aws_s3_bucket"), ok("aws_ebs_volume"), denied("aws_ebs_volume", "eu-west-1")],
        regions=["eu-west-1", "us-east-1"], taken_at="2026-11-21T09:00:00Z",
    )
    return base, current


def test_json_document() -> None:
    base, current = _pair_for_documents()
    document = diff_snapshots(base, current).as_json()
    assert json.loads(json.dumps(document)) == document
    assert document["format"] == DIFF_FORMAT == "unify.diff/v1"
    assert document["base"] == {"digest": base.digest, "taken_at": "2026-11-20T09:00:00Z", "source": "file"}
    assert document["current"]["digest"] == current.digest and document["current"]["taken_at"] == "2026-11-21T09:00:00Z"
    assert document["summary"] == {"added": 1, "removed": 2, "changed": 1}
    assert document["added"] == ["vol-new"]
    assert document["removed"] == ["vol-eu", "vol-gone"]  # canonical order: eu-west-1 before us-east-1
    assert document["changed"] == [{
        "resource": "arn:aws:s3:::logs", "type": "aws_s3_bucket", "name": "logs", "account": ACCOUNT,
        "region": "us-east-1",
        "paths": [{"path": "tags.env", "before": "prod", "after": "[bold]prod", "kind": "changed"},
                  {"path": "versioning.status", "before": "Suspended", "after": "Enabled", "kind": "changed"}],
    }]
    assert document["coverage"] == [{"type": "aws_ebs_volume", "account": ACCOUNT, "region": "eu-west-1",
                                     "before": "ok", "after": "error",
                                     "error": {"code": "AccessDenied", "message": "not authorized to list aws_ebs_volume"}}]
    assert document["unconfirmed_removals"] == ["vol-eu"]


def test_table_is_ascii_off_a_terminal_and_never_reads_markup() -> None:
    base, current = _pair_for_documents()
    diff = diff_snapshots(base, current)
    out = io.StringIO()
    render_diff_table(diff, out, terminal=False)
    text = out.getvalue()
    assert text.isascii() and "\x1b[" not in text
    assert "[bold]prod" in text and "versioning.status" in text and "vol-new" in text
    assert "Summary: 1 added, 2 removed, 1 changed" in text and "coverage error" in text
    assert all(line == line.rstrip() for line in text.splitlines())
    styled = io.StringIO()
    render_diff_table(diff, styled, terminal=True, width=200)
    assert "\x1b[" in styled.getvalue() and "[bold]prod" in styled.getvalue()
    empty = io.StringIO()
    render_diff_table(diff_snapshots(base, base), empty, terminal=False)
    assert "No differences in 3 resource(s)" in empty.getvalue()


POLICY = """
checks:
  - id: ebs-encrypted
    severity: high
    resource: aws_ebs_volume
    assert: {encrypted: {eq: true}}
  - id: s3-versioning
    severity: medium
    resource: aws_s3_bucket
    assert: {versioning.status: {eq: Enabled}}
"""


def test_verdict_flips(write) -> None:
    policy = load_policies([write("p.yaml", POLICY)], operators=PLUGINS.operators)
    base, current = _pair_for_documents()
    flips = verdict_flips(evaluate(policy, base), evaluate(policy, current))
    assert flips == [
        Flip("ebs-encrypted", f"{ACCOUNT}/eu-west-1/aws_ebs_volume", None, "unknown"),
        Flip("ebs-encrypted", "vol-eu", "pass", None),
        Flip("ebs-encrypted", "vol-gone", "fail", None),
        Flip("ebs-encrypted", "vol-new", None, "pass"),
        Flip("s3-versioning", "arn:aws:s3:::logs", "fail", "pass"),
    ]
    assert flips[-1].severity == "medium" and flips[-1].type == "aws_s3_bucket"
    assert flips[-1].as_json() == {"check": "s3-versioning", "resource": "arn:aws:s3:::logs", "before": "fail",
                                   "after": "pass", "type": "aws_s3_bucket", "severity": "medium"}
    same = evaluate(policy, current)
    assert verdict_flips(same, evaluate(policy, current)) == []
