"""The snapshot schema: the shipped JSON Schema, its compiled validator, and a proof for the resources at C speed.

fastjsonschema's compiled validator is Python code run for each resource
and field: 0.36 CPU s for a 100k-resource snapshot, where these passes
take 0.2. Yet the resource schema is small
(five required fields, four of them strings, ``type`` and ``id`` not
empty, a string or null ``name``, a mapping of ``attributes``, ``tags``
mapping to strings, nulls or unknown markers), so whether every resource
meets it can be read off a few passes of ``map`` over the list, which run
in C: :func:`resources_conform`. It answers only "yes, all of them" or
"cannot tell"; on "cannot tell" (a resource with a missing field, an
empty account, a tag whose value is an unknown marker) the compiled validator reads the whole
document, and jsonschema words the error. So the proof changes how quickly
a snapshot is validated, never what is accepted.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources as _resources
from itertools import chain, repeat
from operator import itemgetter
from typing import Any, Final

import fastjsonschema

__all__ = ["check_snapshot_schema", "resources_conform", "snapshot_schema"]

#: The required fields of a resource: four strings, and the attributes.
_NAMES: Final = itemgetter("type", "id", "account", "region")
_ATTRIBUTES: Final = itemgetter("attributes")
_ABSENT: Final = object()


def snapshot_schema() -> dict[str, Any]:
    """The shipped JSON Schema of ``unify.snapshot/v1``."""
    text = _resources.files("unify").joinpath("schemas/snapshot.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _compiled_validator() -> Any:
    # Compiled once per process: fastjsonschema validates 100k resources in a
    # fraction of the time jsonschema's interpreter takes (see DESIGN.md).
    return fastjsonschema.compile(snapshot_schema())


def resources_conform(resources: list[Any]) -> bool:
    """Whether every item of ``resources`` provably meets the schema's ``resource``; False when it cannot tell.

    Every pass is a ``map`` of a C function; none calls Python per resource.
    """
    if set(map(type, resources)) - {dict}:
        return False
    try:
        names = list(map(_NAMES, resources))
        attributes = set(map(type, map(_ATTRIBUTES, resources)))
    except KeyError:
        return False
    if set(map(type, chain.from_iterable(names))) - {str} or attributes - {dict}:
        return False
    # type and id must not be empty; an empty account or region is allowed, and left to the validator.
    if not all(map(len, chain.from_iterable(names))):
        return False
    if set(map(type, map(dict.get, resources, repeat("name")))) - {str, type(None)}:
        return False
    tags = set(map(type, map(dict.get, resources, repeat("tags"), repeat(_ABSENT))))
    if tags - {dict, object}:
        return False
    if dict in tags:
        present = filter(None, map(dict.get, resources, repeat("tags")))  # absent, and {} with no values, left out
        values = set(map(type, chain.from_iterable(map(dict.values, present))))
        if values - {str, type(None)}:
            return False  # an unknown marker (or something else): the validator decides
    return True


def check_snapshot_schema(data: Any) -> None:
    """Raise ``fastjsonschema.JsonSchemaException`` when ``data`` does not meet the snapshot schema."""
    validate = _compiled_validator()
    resources = data.get("resources") if type(data) is dict else None
    if type(resources) is list and resources_conform(resources):
        validate({**data, "resources": []})  # the rest of the document: small
    else:
        validate(data)
