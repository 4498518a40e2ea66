"""Fuzzing the loaders: any document, or a good one mutated, either loads or is refused with unify's typed error.

The corpus (tests/test_corpus.py) holds the mistakes people and hostile
files make; hypothesis looks for the ones nobody thought of. Each loader
gets three kinds of input: arbitrary JSON-like documents, the good corpus
file with one value somewhere replaced by an arbitrary one (a near miss,
which reaches far deeper than random text), and the good file's bytes
mutated. Whatever comes in, the result is a value or the loader's own
:class:`unify.errors.InputError` subclass with a one-line message naming the
file, never another exception.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastjsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import PLUGINS, TYPES
from unify.checks.policy_set import PolicySet, load_policies
from unify.checks.waivers import WaiverSet, load_waivers
from unify.errors import InputError, PlanError, PolicyError, SnapshotError, StateError, WaiverError
from unify.model.snapshot import Snapshot, load_snapshot
from unify.terraform.importer import load_plan
from unify.terraform.state import read_state, state_resources

GOOD = Path(__file__).resolve().parent / "corpus" / "good"
#: Examples per loader and kind of input; ``UNIFY_FUZZ_EXAMPLES=5000`` for a long hunt.
EXAMPLES = int(os.environ.get("UNIFY_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=24,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a document, the root included."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def _replace(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copied = copy.deepcopy(document)
    node = copied
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return copied


@st.composite
def near_misses(draw: st.DrawFn, good: Any) -> Any:
    """The good document with the value at one of its paths replaced (or a key removed)."""
    path = draw(st.sampled_from(_paths(good)))
    if path and draw(st.booleans()) and isinstance(_parent(good, path), dict):
        copied = copy.deepcopy(good)
        del _parent(copied, path)[path[-1]]
        return copied
    return _replace(good, path, draw(documents))


def _parent(document: Any, path: tuple[Any, ...]) -> Any:
    node = document
    for step in path[:-1]:
        node = node[step]
    return node


@st.composite
def mutated_bytes(draw: st.DrawFn, raw: bytes) -> bytes:
    """``raw`` with a few bytes flipped, cut out or inserted."""
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[at : at + draw(st.integers(1, 16))]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
    return bytes(data)


def _misbehaviour(name: str, data: bytes, load: Callable[[Path], object], error: type[InputError]) -> str | None:
    """None when the loader gives its own result, of its own type, or its own one-line error naming the file;
    else what it did instead.

    Any other exception (a RecursionError, a KeyError, another loader's error)
    escapes and fails the test.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            loaded = load(path)
        except error as exc:
            message = str(exc)
            if "\n" in message or not message.startswith(str(path)):
                return f"the refusal is not one line naming the file: {message[:300]!r}"
            return None
        if not isinstance(loaded, RESULTS[name]):
            return f"accepted as {type(loaded).__name__}, not {RESULTS[name].__name__}"
        return None


def _policy(path: Path) -> object:
    return load_policies([path], operators=PLUGINS.operators, frameworks=PLUGINS.frameworks)


def _waivers(path: Path) -> object:
    return load_waivers([path])


def _plan(path: Path) -> object:
    return load_plan(path, PLUGINS.plan_importers, TYPES)


def _state(path: Path) -> object:
    document, name = read_state(str(path))
    return state_resources(document, name, TYPES)


def _yaml(document: Any) -> bytes:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")


def _json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass")


LOADERS = [
    ("policy.yaml", _policy, PolicyError, _yaml),
    ("waivers.yaml", _waivers, WaiverError, _yaml),
    ("snapshot.json", load_snapshot, SnapshotError, _json),
    ("plan.json", _plan, PlanError, _json),
    ("state.tfstate", _state, StateError, _json),
]
IDS = [name for name, *_ in LOADERS]
#: What each loader gives back when it accepts a file.
RESULTS: dict[str, type] = {
    "policy.yaml": PolicySet,
    "waivers.yaml": WaiverSet,
    "snapshot.json": Snapshot,
    "plan.json": Snapshot,
    "state.tfstate": list,
}


def _good(name: str) -> Any:
    text = (GOOD / name).read_text(encoding="utf-8")
    return yaml.safe_load(text) if name.endswith(".yaml") else json.loads(text)


@pytest.mark.parametrize(("name", "load", "error", "dump"), LOADERS, ids=IDS)
@FUZZ
@given(data=st.data())
def test_any_document_loads_or_is_refused(name: str, load: Any, error: Any, dump: Any, data: st.DataObject) -> None:
    assert _misbehaviour(name, dump(data.draw(documents)), load, error) is None


@pytest.mark.parametrize(("name", "load", "error", "dump"), LOADERS, ids=IDS)
@FUZZ
@given(data=st.data())
def test_a_near_miss_loads_or_is_refused(name: str, load: Any, error: Any, dump: Any, data: st.DataObject) -> None:
    assert _misbehaviour(name, dump(data.draw(near_misses(_good(name)))), load, error) is None


@pytest.mark.parametrize(("name", "load", "error", "dump"), LOADERS, ids=IDS)
@FUZZ
@given(data=st.data())
def test_mutated_bytes_load_or_are_refused(name: str, load: Any, error: Any, dump: Any, data: st.DataObject) -> None:
    assert _misbehaviour(name, data.draw(mutated_bytes((GOOD / name).read_bytes())), load, error) is None


@pytest.mark.parametrize(("name", "load", "error", "dump"), LOADERS, ids=IDS)
def test_the_good_files_load(name: str, load: Any, error: Any, dump: Any) -> None:
    """The control: unmutated, every good file loads (so a refusal above is the mutation's doing)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(dump(_good(name)) if name == "policy.yaml" else (GOOD / name).read_bytes())
        assert load(path)


@pytest.mark.parametrize("name", ["policy.yaml", "waivers.yaml"])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_compiled_schema_accepts_only_what_jsonschema_accepts(name: str, data: st.DataObject) -> None:
    # validate_document trusts fastjsonschema's yes and asks jsonschema only on a no: a yes that jsonschema
    # would refuse would let a wrong document through unworded.
    from unify.checks import schema

    document = data.draw(near_misses(_good(name)) | documents)
    shape = schema.waivers_schema() if name == "waivers.yaml" else schema.policy_schema(PLUGINS.operators)
    text = json.dumps(shape, sort_keys=True)
    try:
        schema._compiled(text)(copy.deepcopy(document))
    except fastjsonschema.JsonSchemaException:  # refused: jsonschema decides, so nothing to compare
        return
    assert not list(schema._validator(text).iter_errors(document))
