"""The skeleton of Terraform's JSON documents: the sections unify reads must have the types Terraform writes.

Plans and states come from many Terraform versions, and from tools that
write them by hand. The readers walk ``resource_changes``, module trees and
the ``configuration`` section; a string where Terraform writes a list, or a
number where it writes a mapping, must be bad input naming the file and the
key (``plan.json: [resource_changes[3].change.actions] expected an array``),
never a crash deep in a reader. So each document's skeleton is checked once,
against a small JSON Schema of the sections read, before anything reads it.
Attribute values inside ``after``, ``values`` and ``attributes`` are data,
not skeleton: the conversions keep what they cannot shape.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, Final

import fastjsonschema
import jsonschema

from unify.errors import InputError, Problem

__all__ = ["check_plan_skeleton", "check_state_skeleton"]

_TEXT: Final = {"type": "string"}
_OBJECT: Final = {"type": "object"}
_OBJECT_OR_NULL: Final = {"type": ["object", "null"]}
_TEXTS: Final = {"type": "array", "items": _TEXT}
#: An expression: a mapping with ``references`` (and constants), or a list of nested block expressions.
_EXPRESSION: Final = {"type": ["object", "array"], "properties": {"references": _TEXTS}}

_DEFINITIONS: Final[dict[str, Any]] = {
    "module": {
        "type": "object",
        "properties": {
            "address": _TEXT,
            "resources": {"type": "array", "items": {"$ref": "#/definitions/resource"}},
            "child_modules": {"type": "array", "items": {"$ref": "#/definitions/module"}},
        },
    },
    "values": {"type": "object", "properties": {"root_module": {"$ref": "#/definitions/module"}}},
    "resource": {
        "type": "object",
        "properties": {
            "address": _TEXT,
            "mode": _TEXT,
            "type": _TEXT,
            "name": _TEXT,
            "provider_name": _TEXT,
            "index": {"type": ["string", "integer", "null"]},
            "values": _OBJECT_OR_NULL,
        },
    },
    "change": {
        "type": "object",
        "properties": {
            "address": _TEXT,
            "module_address": _TEXT,
            "mode": _TEXT,
            "type": _TEXT,
            "name": _TEXT,
            "provider_name": _TEXT,
            "index": {"type": ["string", "integer", "null"]},
            "deposed": _TEXT,
            "change": {
                "type": "object",
                "properties": {
                    "actions": _TEXTS,
                    "before": _OBJECT_OR_NULL,
                    "after": _OBJECT_OR_NULL,
                },
            },
        },
    },
    "module_config": {
        "type": "object",
        "properties": {
            "resources": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "address": _TEXT,
                        "provider_config_key": _TEXT,
                        "expressions": {"type": "object", "additionalProperties": _EXPRESSION},
                    },
                },
            },
            "module_calls": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "properties": {
                        "module": {"$ref": "#/definitions/module_config"},
                        "expressions": {"type": "object", "additionalProperties": _EXPRESSION},
                    },
                },
            },
            "outputs": {
                "type": "object",
                "additionalProperties": {"type": "object", "properties": {"expression": _EXPRESSION}},
            },
        },
    },
}

PLAN_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "definitions": _DEFINITIONS,
    "properties": {
        "format_version": _TEXT,
        "variables": {"type": "object", "additionalProperties": _OBJECT},
        "planned_values": {"$ref": "#/definitions/values"},
        "resource_changes": {"type": ["array", "null"], "items": {"$ref": "#/definitions/change"}},
        "prior_state": {"type": "object", "properties": {"values": {"$ref": "#/definitions/values"}}},
        "configuration": {
            "type": "object",
            "properties": {
                "provider_config": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "properties": {"expressions": {"type": "object", "additionalProperties": _EXPRESSION}},
                    },
                },
                "root_module": {"$ref": "#/definitions/module_config"},
            },
        },
    },
}

STATE_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "definitions": _DEFINITIONS,
    "properties": {
        "format_version": _TEXT,
        "values": {"$ref": "#/definitions/values"},
        "resources": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "mode": _TEXT,
                    "type": _TEXT,
                    "name": _TEXT,
                    "module": _TEXT,
                    "provider": _TEXT,
                    "instances": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "attributes": _OBJECT_OR_NULL,
                                "index_key": {"type": ["string", "integer", "null"]},
                                "deposed": _TEXT,
                                "sensitive_attributes": {"type": "array"},
                            },
                        },
                    },
                },
            },
        },
    },
}


@cache
def _compiled(kind: str) -> Callable[[Any], Any]:
    validator: Callable[[Any], Any] = fastjsonschema.compile(PLAN_SCHEMA if kind == "plan" else STATE_SCHEMA)
    return validator


def _key(path: Any) -> str:
    """``['resource_changes', 3, 'change']`` as ``resource_changes[3].change``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "(document)"


def _kind_of(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _check(document: Any, file: str, kind: str, error: type[InputError]) -> None:
    try:
        _compiled(kind)(document)
    except fastjsonschema.JsonSchemaException:
        # The compiled validator only says "invalid"; jsonschema says where, once, for the message.
        schema = PLAN_SCHEMA if kind == "plan" else STATE_SCHEMA
        found = jsonschema.exceptions.best_match(jsonschema.Draft7Validator(schema).iter_errors(document))
        if found is None:  # pragma: no cover - both validators read the same schema
            raise error(Problem(file, None, None, f"not a Terraform {kind} document")) from None
        wanted = found.validator_value if found.validator == "type" else None
        expected = " or ".join(wanted) if isinstance(wanted, list) else wanted
        message = (
            f"expected {expected} here, got {_kind_of(found.instance)}"
            if expected
            else f"not what Terraform writes here: {found.message}"
        )
        raise error(Problem(file, None, _key(found.absolute_path), message)) from None


def check_plan_skeleton(document: Any, file: str, error: type[InputError]) -> None:
    """Refuse a plan whose sections unify reads have the wrong JSON types, naming the first such key."""
    _check(document, file, "plan", error)


def check_state_skeleton(document: Any, file: str, error: type[InputError]) -> None:
    """Refuse a state whose sections unify reads have the wrong JSON types, naming the first such key."""
    _check(document, file, "state", error)
