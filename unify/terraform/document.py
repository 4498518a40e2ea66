"""The parts of Terraform's JSON that unify reads, as JSON Schemas: a wrongly typed plan or state is refused.

A plan whose ``resource_changes`` is a mapping, or whose ``actions`` is a
string, is not a plan with nothing in it: read leniently it would give a
clean verdict on data nobody planned. So before a plan or a state is turned
into resources, the keys unify reads are checked for their types here, and
a wrong one is a :class:`unify.errors.PlanError` or
:class:`unify.errors.StateError` naming the file, the line and the path.

Only what unify reads is constrained. Terraform promises to add properties
within a major format version ("ignore any object properties with
unrecognized names"), so unknown keys are allowed everywhere, and values
unify passes through (``before``, attribute values) may be anything. The
shapes follow Terraform's "JSON Output Format" (``terraform show -json``)
and the raw ``terraform.tfstate`` version 4 that Terraform 0.12 and later
write.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, Final

import fastjsonschema

from unify._files import json_line
from unify._schema_errors import json_path, schema_message
from unify.errors import InputError, Problem

__all__ = [
    "PLAN_SCHEMA",
    "SHOW_STATE_SCHEMA",
    "TFSTATE_SCHEMA",
    "check_plan_skeleton",
    "check_shape",
    "check_state_skeleton",
    "duplicate_address",
]

_STRING: Final = {"type": "string"}
_STRINGS: Final = {"type": ["array", "null"], "items": _STRING}
_MIRROR: Final = {"type": ["object", "boolean", "null"]}  # after_unknown, after_sensitive, sensitive_values
_VALUES: Final = {"type": ["object", "null"]}
_INDEX: Final = {"type": ["integer", "string"]}
_MODE: Final = {"enum": ["managed", "data"]}
#: The words of ``change.actions`` (Terraform 1.7 added ``forget``).
_ACTIONS: Final = ["no-op", "create", "read", "update", "delete", "forget"]

_DEFINITIONS: Final[dict[str, Any]] = {
    "module": {
        "type": ["object", "null"],
        "properties": {
            "address": _STRING,
            "resources": {"type": ["array", "null"], "items": {"$ref": "#/definitions/resource"}},
            "child_modules": {"type": ["array", "null"], "items": {"$ref": "#/definitions/module"}},
        },
    },
    "resource": {
        "type": "object",
        "properties": {
            "address": _STRING,
            "mode": _MODE,
            "type": _STRING,
            "name": _STRING,
            "index": _INDEX,
            "provider_name": _STRING,
            "values": _VALUES,
            "sensitive_values": _MIRROR,
        },
    },
    "state": {
        "type": ["object", "null"],
        "properties": {
            "format_version": _STRING,
            "values": {"type": ["object", "null"], "properties": {"root_module": {"$ref": "#/definitions/module"}}},
        },
    },
    "expression": {"type": "object", "properties": {"references": _STRINGS}},
    # An attribute's expression, or a list of them for a nested block: where it is an object, references are text.
    "expressions": {"type": ["object", "null"], "additionalProperties": {"properties": {"references": _STRINGS}}},
    "config_module": {
        "type": "object",
        "properties": {
            "resources": {
                "type": ["array", "null"],
                "items": {
                    "type": "object",
                    "properties": {
                        "address": _STRING,
                        "provider_config_key": _STRING,
                        "expressions": {"$ref": "#/definitions/expressions"},
                    },
                },
            },
            "module_calls": {
                "type": ["object", "null"],
                "additionalProperties": {
                    "type": "object",
                    "properties": {
                        "module": {"$ref": "#/definitions/config_module"},
                        "expressions": {"$ref": "#/definitions/expressions"},
                    },
                },
            },
            "outputs": {
                "type": ["object", "null"],
                "additionalProperties": {
                    "type": "object",
                    "properties": {"expression": {"$ref": "#/definitions/expression"}},
                },
            },
        },
    },
}

#: ``terraform show -json plan.out``.
PLAN_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "format_version": _STRING,
        "terraform_version": _STRING,
        "timestamp": _STRING,
        "planned_values": {"type": ["object", "null"], "properties": {"root_module": {"$ref": "#/definitions/module"}}},
        "resource_changes": {
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "required": ["address", "type", "name", "change"],
                "properties": {
                    "address": _STRING,
                    "module_address": _STRING,
                    "mode": _MODE,
                    "type": _STRING,
                    "name": _STRING,
                    "index": _INDEX,
                    "deposed": _STRING,
                    "provider_name": _STRING,
                    "change": {
                        "type": "object",
                        "required": ["actions"],
                        "properties": {
                            "actions": {"type": ["array", "null"], "items": {"type": "string", "enum": _ACTIONS}},
                            "after": _VALUES,
                            "after_unknown": _MIRROR,
                            "after_sensitive": _MIRROR,
                            "before_sensitive": _MIRROR,
                        },
                    },
                },
            },
        },
        "prior_state": {"$ref": "#/definitions/state"},
        "configuration": {
            "type": ["object", "null"],
            "properties": {
                "provider_config": {
                    "type": ["object", "null"],
                    "additionalProperties": {
                        "type": "object",
                        "properties": {"expressions": {"$ref": "#/definitions/expressions"}},
                    },
                },
                "root_module": {"$ref": "#/definitions/config_module"},
            },
        },
        "variables": {"type": ["object", "null"], "additionalProperties": {"type": "object"}},
    },
    "definitions": _DEFINITIONS,
}

#: ``terraform show -json`` of a state (no plan file).
SHOW_STATE_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$ref": "#/definitions/state",
    "definitions": _DEFINITIONS,
}

#: A raw ``terraform.tfstate``, version 4.
TFSTATE_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "version": {"type": "integer"},
        "terraform_version": _STRING,
        "resources": {
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "required": ["mode", "type", "name"],
                "properties": {
                    "module": _STRING,
                    "mode": _MODE,
                    "type": _STRING,
                    "name": _STRING,
                    "provider": _STRING,
                    "instances": {
                        "type": ["array", "null"],
                        "items": {
                            "type": "object",
                            "properties": {
                                "index_key": _INDEX,
                                "deposed": _STRING,
                                "attributes": _VALUES,
                                "sensitive_attributes": {"type": ["array", "null"]},
                            },
                        },
                    },
                },
            },
        },
    },
}


@cache
def _compiled(which: str) -> Any:
    # Compiled once: a plan of thousands of resources is checked in a fraction of its parse time.
    return fastjsonschema.compile({"plan": PLAN_SCHEMA, "show": SHOW_STATE_SCHEMA, "tfstate": TFSTATE_SCHEMA}[which])


def check_shape(document: Any, which: str, file: str, error: type[InputError]) -> None:
    """Refuse ``document`` when a key unify reads has the wrong type: ``which`` is plan, show or tfstate."""
    try:
        _compiled(which)(document)
    except fastjsonschema.JsonSchemaException:
        pass
    else:
        return
    schema = {"plan": PLAN_SCHEMA, "show": SHOW_STATE_SCHEMA, "tfstate": TFSTATE_SCHEMA}[which]
    # The compiled validator says that something is wrong; jsonschema says where, on the failure path only.
    import jsonschema

    found = jsonschema.exceptions.best_match(jsonschema.Draft7Validator(schema).iter_errors(document))
    if found is None:  # pragma: no cover - both validators agree in practice
        raise error(Problem(file, json_line(file, []), None, "does not have the shape Terraform writes"))
    path = list(found.absolute_path)
    raise error(Problem(file, json_line(file, path), json_path(path) or None, schema_message(found)))


def duplicate_address(addresses: Sequence[tuple[str, Sequence[str | int]]], file: str, error: type[InputError]) -> None:
    """Refuse a resource address listed twice (Terraform never writes one): the second would silently win."""
    seen: set[str] = set()
    for address, path in addresses:
        if address in seen:
            raise error(
                Problem(file, json_line(file, path), json_path(path), f"duplicate resource address {address!r}")
            )
        seen.add(address)


def check_plan_skeleton(document: Any, file: str, error: type[InputError]) -> None:
    """Refuse a plan whose sections unify reads have the wrong JSON types, naming the first such key and its line."""
    check_shape(document, "plan", file, error)


def check_state_skeleton(document: Any, file: str, error: type[InputError]) -> None:
    """The same for a state: ``terraform show -json`` (``format_version``) or a raw ``terraform.tfstate``."""
    check_shape(
        document, "show" if isinstance(document, dict) and "format_version" in document else "tfstate", file, error
    )
