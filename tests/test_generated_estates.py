"""A generated estate audited the fast way (orjson, canonical order, compact streamed JSON) gives the same results.

The benchmark's generator (benchmarks/estate) makes the snapshot; the
shipped packs judge it. The fast path reads the file unify-style (orjson,
resources already in canonical order, digest from orjson's bytes); the
reference path parses the same text with the standard library's strict
parser, with the resources in reverse, so every shortcut is bypassed.
"""

from __future__ import annotations

import json
from collections import Counter

import orjson
import pytest

from benchmarks.estate import generate, write
from factories import PLUGINS
from unify._files import parse_json
from unify.checks.policy_set import shipped_policies
from unify.engine import evaluate
from unify.errors import SnapshotError
from unify.model.snapshot import Snapshot, load_snapshot
from unify.render.json import results_chunks, results_document, results_json
from unify.run import load_policy

SIZE = 3000


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    path = write(tmp_path_factory.mktemp("estate") / "estate.json", SIZE)
    policy = load_policy([shipped_policies()], PLUGINS)
    fast = evaluate(policy, load_snapshot(path))
    data = parse_json(path.read_text(encoding="utf-8"), str(path), SnapshotError)
    data["resources"].reverse()
    slow = evaluate(policy, Snapshot(data, file=str(path)))
    return path, fast, slow


def test_the_generator_is_seeded_and_its_file_is_the_snapshot_it_builds(audited) -> None:
    path, fast, _ = audited
    assert fast.snapshot.digest == generate(SIZE).digest
    assert fast.snapshot.resources == SIZE


def test_every_verdict_occurs_and_both_paths_agree(audited) -> None:
    _, fast, slow = audited
    assert results_document(fast) == results_document(slow)
    verdicts = Counter(result.verdict for result in fast.results)
    assert {"pass", "fail", "unknown"} <= set(verdicts), verdicts
    assert fast.snapshot.coverage_errors


def test_compact_streamed_json_is_the_pretty_document(audited) -> None:
    _, fast, _ = audited
    compact = b"".join(results_chunks(fast))
    pretty = results_json(fast, pretty=True)
    assert b"\n" not in compact.rstrip(b"\n") and "\n  " in pretty
    assert orjson.loads(compact) == json.loads(pretty) == json.loads(json.dumps(results_document(fast)))
    assert results_json(fast) == compact.decode("utf-8")


def test_an_evaluation_leaves_no_cycle_for_the_collector_to_find(audited) -> None:
    """Evaluating the estate makes only acyclic garbage: what the evaluator built (each type's resources in id
    order, the recalled columns) is freed when it returns, not kept until the next full collection."""
    import gc

    path = audited[0]
    policy = load_policy([shipped_policies()], PLUGINS)
    snapshot = load_snapshot(path)
    gc.collect()
    gc.disable()
    try:
        results = evaluate(policy, snapshot)
        assert len(results.results) > SIZE
        del results
        assert gc.collect() == 0
    finally:
        gc.enable()
