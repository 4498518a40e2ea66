"""The resources' proof of the snapshot schema (C-speed passes) says yes only when the compiled schema does."""

from __future__ import annotations

from typing import Any

import fastjsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import resource
from unify.errors import SnapshotError
from unify.model import snapshot_schema as schema
from unify.model.snapshot import Snapshot
from unify.model.resource import unknown

VALIDATE = fastjsonschema.compile(schema.snapshot_schema())
REST = {"format": "unify.snapshot/v1", "taken_at": "2026-11-20T09:00:00Z", "source": "file",
        "scope": {"accounts": [], "regions": []}, "coverage": []}

ABSENT = object()
#: Values each field may take, right and wrong for it (ABSENT: the key is left out).
ANY = st.sampled_from([ABSENT, None, "", "x", 0, 1.5, True, [], ["x"], {}, {"k": "v"}])
FIELDS = {
    "type": st.sampled_from(["aws_s3_bucket", "x"]) | ANY,
    "id": st.sampled_from(["b-1", "é"]) | ANY,
    "account": st.just("123456789012") | ANY,
    "region": st.just("us-east-1") | ANY,
    "name": st.sampled_from(["n", None]) | ANY,
    "attributes": st.fixed_dictionaries({}, optional={"a": st.integers()}) | ANY,
    "tags": st.dictionaries(
        st.sampled_from(["Owner", "Env"]),
        st.sampled_from(["team", "", None, 3, [], {"$unknown": "not collected"}, {"$unknown": 1}, {}]),
        max_size=2,
    ) | ANY,
    "extra": ANY,
}


@st.composite
def resources(draw: st.DrawFn) -> list[Any]:
    out: list[Any] = []
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.integers(0, 20)) == 0:
            out.append(draw(st.sampled_from([None, "r", [], 1])))  # not an object at all
            continue
        item = {key: draw(values) for key, values in FIELDS.items()}
        out.append({key: value for key, value in item.items() if value is not ABSENT})
    return out


def _valid(items: list[Any]) -> bool:
    try:
        VALIDATE({**REST, "resources": items})
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def _left_to_the_validator(items: list[Any]) -> bool:
    """Whether some tag's value is a mapping, or an account or region is empty: the proof leaves those alone."""
    return any(
        type(item) is dict
        and (
            (type(item.get("tags")) is dict and any(type(v) is dict for v in item["tags"].values()))
            or item.get("account") == ""
            or item.get("region") == ""
        )
        for item in items
    )


@settings(max_examples=400, deadline=None)
@given(resources())
def test_the_proof_says_yes_exactly_when_the_schema_does(items: list[Any]) -> None:
    proven = schema.resources_conform(items)
    valid = _valid(items)
    if proven:
        assert valid
    elif not _left_to_the_validator(items):
        assert not valid
    raised = False
    try:
        schema.check_snapshot_schema({**REST, "resources": items})
    except fastjsonschema.JsonSchemaException:
        raised = True
    assert raised is not valid


def test_a_tag_not_observed_is_left_to_the_validator_and_accepted() -> None:
    items = [resource("aws_s3_bucket", "b", tags={"Owner": unknown("not collected")})]
    assert not schema.resources_conform(items)
    schema.check_snapshot_schema({**REST, "resources": items})


def test_the_rest_of_the_document_is_still_validated_when_the_resources_are_proven() -> None:
    items = [resource("aws_s3_bucket", "b")]
    assert schema.resources_conform(items)
    with pytest.raises(fastjsonschema.JsonSchemaException):
        schema.check_snapshot_schema({**REST, "source": "guess", "resources": items})


def test_a_resource_the_proof_refuses_gets_the_schema_s_own_words() -> None:
    data = {**REST, "resources": [resource("aws_s3_bucket", "b"), {**resource("aws_s3_bucket", "c"), "id": ""}]}
    with pytest.raises(SnapshotError) as refused:
        Snapshot(data, file="estate.json")
    assert "resources[1].id" in str(refused.value) or "resources.1.id" in str(refused.value), str(refused.value)
