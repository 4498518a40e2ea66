"""The snapshot format: schema, canonical digest, gzip, and refusal of altered files."""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import unify._files as files
from factories import ACCOUNT, ok, resource, snapshot
from unify.errors import SnapshotError
from unify.model.snapshot import Snapshot, load_snapshot, snapshot_digest, write_snapshot
from unify.model.resource import unknown, is_unknown


def _reference_digest(doc: dict) -> str:
    """DESIGN.md's definition, computed the obvious way."""
    key = lambda r: (r["type"], r["account"], r["region"], r["id"])  # noqa: E731
    canonical = {
        "scope": doc["scope"],
        "coverage": sorted(doc["coverage"], key=lambda c: (c["type"], c["account"], c["region"])),
        "resources": sorted(doc["resources"], key=key),
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sample() -> Snapshot:
    return snapshot(
        [
            resource("aws_s3_bucket", "arn:aws:s3:::zeta", {"versioning": {"status": "Enabled"}}, name="zeta"),
            resource("aws_s3_bucket", "arn:aws:s3:::alpha", {"policy": {"Statement": []}, "note": "façade"}, name="alpha"),
            resource("aws_ebs_volume", "vol-1", {"encrypted": unknown("computed at apply")}),
        ],
        [ok("aws_s3_bucket", "global"), ok("aws_ebs_volume")],
    )


def test_digest_matches_the_design_definition() -> None:
    snap = _sample()
    assert snap.digest == _reference_digest(snap.data)
    assert snap.digest.startswith("sha256:") and len(snap.digest) == 71


@pytest.mark.parametrize("name", ["s.json", "s.json.gz"])
def test_write_and_load_round_trip(tmp_path, name: str) -> None:
    snap = _sample()
    path = write_snapshot(snap, tmp_path / name)
    if name.endswith(".gz"):
        assert path.read_bytes()[:2] == b"\x1f\x8b"
    loaded = load_snapshot(path)
    assert loaded.digest == snap.digest
    assert {r["id"] for r in loaded.resources} == {"arn:aws:s3:::zeta", "arn:aws:s3:::alpha", "vol-1"}
    assert loaded.taken_at == "2026-11-20T09:00:00Z"


def test_written_file_is_canonically_ordered_and_stable(tmp_path) -> None:
    snap = _sample()
    first = write_snapshot(snap, tmp_path / "a.json").read_bytes()
    shuffled = copy.deepcopy(snap.data)
    shuffled["resources"].reverse()
    second = write_snapshot(Snapshot(shuffled), tmp_path / "b.json").read_bytes()
    assert first == second
    ids = [r["id"] for r in json.loads(first)["resources"]]
    assert ids == ["vol-1", "arn:aws:s3:::alpha", "arn:aws:s3:::zeta"]  # by (type, account, region, id)


def test_altered_snapshot_is_refused(tmp_path) -> None:
    path = write_snapshot(_sample(), tmp_path / "s.json")
    doc = json.loads(path.read_text())
    doc["resources"][0]["attributes"]["encrypted"] = True
    path.write_text(json.dumps(doc))
    with pytest.raises(SnapshotError) as info:
        load_snapshot(path)
    assert "digest mismatch" in str(info.value)
    assert str(info.value).startswith(str(path))


def test_hand_written_snapshot_may_omit_the_digest(tmp_path) -> None:
    doc = _sample().to_dict()
    del doc["digest"]
    path = tmp_path / "hand.json"
    path.write_text(json.dumps(doc))
    loaded = load_snapshot(path)
    assert loaded.digest == _reference_digest(doc)


@pytest.mark.parametrize(
    ("mutate", "key", "message"),
    [
        (lambda d: d["resources"][0].pop("type"), "resources[0]", "'type' is a required property"),
        (lambda d: d["resources"][1].__setitem__("id", 5), "resources[1].id", "expected string, got a number"),
        (lambda d: d.__setitem__("source", "terraform"), "source", "is not one of"),
        (lambda d: d["coverage"][0].pop("error", None) or d["coverage"][0].__setitem__("status", "error"), "coverage[0]", "'error' is a required property"),
        (lambda d: d.__setitem__("taken_at", "yesterday"), "taken_at", "does not match"),
    ],
)
def test_schema_errors_name_the_path(tmp_path, mutate, key: str, message: str) -> None:
    doc = _sample().to_dict()
    del doc["digest"]
    mutate(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(SnapshotError) as info:
        load_snapshot(path)
    problem = info.value.problems[0]
    assert problem.key == key
    assert message in problem.message


def test_unreadable_inputs_are_clear_errors(tmp_path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "unify.snapshot/v1",\n "taken_at": }')
    with pytest.raises(SnapshotError) as info:
        load_snapshot(broken)
    assert info.value.problems[0].line == 2
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format_version": "1.2", "planned_values": {}}))
    with pytest.raises(SnapshotError, match="not a unify snapshot"):
        load_snapshot(other)
    truncated = tmp_path / "t.json.gz"
    truncated.write_bytes(gzip.compress(b'{"a": 1}')[:-6])
    with pytest.raises(SnapshotError, match="broken gzip"):
        load_snapshot(truncated)
    with pytest.raises(SnapshotError, match="cannot read"):
        load_snapshot(tmp_path / "missing.json")


def _written(tmp_path, name: str = "s.json") -> tuple[str, object]:
    path = write_snapshot(_sample(), tmp_path / name)
    return path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace('"format"', '"format": "unify.snapshot/v0", "format"', 1), "duplicate key 'format'"),
        (lambda t: t.replace('"note":"façade"', '"note":NaN'), "NaN is not a JSON number"),
        (lambda t: t.replace('"note":"façade"', '"note":-Infinity'), "-Infinity is not a JSON number"),
        (lambda t: t.replace('"note":"façade"', '"note":1e999'), "out of range"),
        (lambda t: t.replace('"note":"façade"', '"note":' + "9" * 100_000), "invalid JSON"),
        (lambda t: t.replace('"note":"façade"', '"note":' + "[" * 5000 + "]" * 5000), "nested deeper than 100"),
        (lambda t: t.replace('"note":"façade"', '"note":' + '{"a":' * 150 + "1" + "}" * 150), "nested deeper"),
    ],
    ids=["duplicate-key", "nan", "infinity", "overflow", "100k-digits", "5000-deep-list", "150-deep-object"],
)
def test_a_snapshot_json_cannot_hold_is_refused_with_its_file(tmp_path, change, message) -> None:
    """JSON parsers disagree on these (last key wins, NaN accepted): unify refuses them rather than guess."""
    text, path = _written(tmp_path)
    changed = change(text)
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(SnapshotError) as info:
        load_snapshot(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_a_gzip_bomb_is_refused_before_it_is_inflated_whole(tmp_path, monkeypatch) -> None:
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b'{"format": "' + b" " * (8 << 20) + b'"}', 9))
    monkeypatch.setattr(files, "_RATIO_FLOOR", 1 << 20)  # the ratio rule, from 1 MiB instead of 64 MiB
    with pytest.raises(SnapshotError, match="refusing a possible gzip bomb"):
        load_snapshot(bomb)
    monkeypatch.setattr(files, "_RATIO_FLOOR", 1 << 30)
    monkeypatch.setenv("UNIFY_MAX_INPUT_BYTES", str(2 << 20))  # the size limit, which the variable overrides
    with pytest.raises(SnapshotError, match="inflates past 3,145,728 bytes") as info:
        load_snapshot(bomb)
    assert "UNIFY_MAX_INPUT_BYTES" in str(info.value)
    monkeypatch.setenv("UNIFY_MAX_INPUT_BYTES", str(64 << 20))
    with pytest.raises(SnapshotError, match="not a unify snapshot"):  # under the limit it is read, then judged
        load_snapshot(bomb)


def test_a_file_past_the_input_limit_is_refused_unread(tmp_path, monkeypatch) -> None:
    text, path = _written(tmp_path)
    monkeypatch.setenv("UNIFY_MAX_INPUT_BYTES", "100")
    with pytest.raises(SnapshotError, match=f"is {len(text.encode()):,} bytes, more than the 100"):
        load_snapshot(path)


def test_duplicate_resources_are_refused() -> None:
    doc = _sample().to_dict()
    del doc["digest"]
    doc["resources"].append(copy.deepcopy(doc["resources"][0]))
    with pytest.raises(SnapshotError, match="duplicate resource"):
        Snapshot(doc)
    # Side by side, the copies leave the canonical order in place but no longer strictly increasing.
    doc["resources"].pop()
    doc["resources"].insert(1, copy.deepcopy(doc["resources"][0]))
    with pytest.raises(SnapshotError, match="duplicate resource"):
        Snapshot(doc)


def test_loading_keeps_one_copy_of_the_resources(tmp_path) -> None:
    path = write_snapshot(_sample(), tmp_path / "s.json")
    loaded = load_snapshot(path)
    # The index hands out the very dictionaries json built: no copies.
    by_id = {id(r) for r in loaded.data["resources"]}
    assert all(id(r) in by_id for t in loaded.types for r in loaded.of_type(t))
    assert loaded.resources is loaded.data["resources"]


def test_unknown_marker() -> None:
    assert is_unknown(unknown("AccessDenied"))
    assert not is_unknown({"$unknown": "x", "other": 1})
    assert not is_unknown("$unknown")


def test_scope_accounts_default_to_what_is_listed() -> None:
    doc = _sample().to_dict()
    doc["scope"] = {"accounts": [], "regions": []}
    del doc["digest"]
    assert Snapshot(doc).accounts == [ACCOUNT]


_attr_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=8,
)
_resources = st.lists(
    st.builds(
        lambda t, i, region, attrs: resource(t, i, attrs, region=region),
        st.sampled_from(["aws_s3_bucket", "aws_vpc", "aws_kms_key"]),
        st.text(alphabet="abcdef0123", min_size=1, max_size=6),
        st.sampled_from(["us-east-1", "eu-west-1", "global"]),
        st.dictionaries(st.text(alphabet="abcxyz_", min_size=1, max_size=5), _attr_values, max_size=4),
    ),
    max_size=8,
    unique_by=lambda r: (r["type"], r["region"], r["id"]),
)


def _reorder_keys(value, rng: random.Random):
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _reorder_keys(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_reorder_keys(v, rng) for v in value]
    return value


@settings(max_examples=60, deadline=None)
@given(_resources, st.randoms(use_true_random=False))
def test_digest_is_stable_under_key_and_resource_order(resources, rng) -> None:
    coverage = [ok("aws_s3_bucket", "global"), ok("aws_vpc", "eu-west-1"), ok("aws_vpc")]
    scope = {"accounts": [ACCOUNT], "regions": ["eu-west-1", "us-east-1"]}
    base = snapshot_digest(scope, coverage, resources)
    shuffled = [_reorder_keys(r, rng) for r in resources]
    rng.shuffle(shuffled)
    cov = [_reorder_keys(c, rng) for c in coverage]
    rng.shuffle(cov)
    assert snapshot_digest(_reorder_keys(scope, rng), cov, shuffled) == base
    assert base == _reference_digest({"scope": scope, "coverage": coverage, "resources": resources})


@settings(max_examples=40, deadline=None)
@given(_resources)
def test_digest_changes_when_any_attribute_changes(resources) -> None:
    assume(resources)
    scope = {"accounts": [ACCOUNT], "regions": []}
    before = snapshot_digest(scope, [], resources)
    changed = copy.deepcopy(resources)
    changed[0]["attributes"]["__changed__"] = True
    assert snapshot_digest(scope, [], changed) != before
