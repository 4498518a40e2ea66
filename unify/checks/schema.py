"""The JSON Schemas of policy and waiver files, and their errors in plain words.

The policy schema is generated from the operator registry, so an operator a
plugin adds is known to validation and to editors alike; the copy shipped in
``unify/schemas/policy.schema.json`` is the schema with the built-ins only
(a test keeps the two in sync). Schema errors become :class:`Problem` lines
that name the file, the line and the key.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import fastjsonschema

if TYPE_CHECKING:
    import jsonschema

from unify.checks.documents import Document
from unify.checks.operators import Operator, suggest
from unify.errors import Problem

__all__ = ["CHECK_ID_PATTERN", "SEVERITIES", "policy_schema", "validate_document", "waivers_schema"]

SEVERITIES = ("info", "low", "medium", "high", "critical")
CHECK_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:/@+-]*$"
_QUANTIFIERS = ("any_item", "all_items", "no_item")
_COUNT_OPS = ("eq", "ne", "lt", "le", "gt", "ge")


def policy_schema(operators: Iterable[Operator]) -> dict[str, Any]:
    """The policy-file JSON Schema for the given operators (a registry, or the built-ins' list)."""
    ops = list(operators)
    schema: dict[str, Any] = json.loads(
        _policy_schema_text(tuple((op.name, json.dumps(op.schema, sort_keys=True), op.description) for op in ops))
    )
    return schema


@lru_cache(maxsize=8)
def _policy_schema_text(ops: tuple[tuple[str, str, str], ...]) -> str:
    op_props: dict[str, Any] = {}
    for name, argument, description in sorted(ops):
        op_props[name] = {**json.loads(argument), "description": description}
    quantifier = {
        q: {"$ref": "#/definitions/item_condition", "description": f"{q.replace('_', ' ')} of the list"}
        for q in _QUANTIFIERS
    }
    string_list = {"type": "array", "items": {"type": "string"}}
    controls = {
        "type": "object",
        "description": "Framework id -> control ids this check gives evidence for.",
        "additionalProperties": {"type": "array", "minItems": 1, "items": {"type": "string"}},
    }
    labels = {"type": "object", "additionalProperties": {"type": "string"}}
    schema: dict[str, Any] = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "urn:unify:schema:policy:v1",
        "title": "unify policy file",
        "description": "Checks, desired state and framework catalogs for unify.",
        "type": "object",
        "properties": {
            "checks": {"type": "array", "items": {"$ref": "#/definitions/check"}},
            "desired": {"type": "array", "items": {"$ref": "#/definitions/desired"}},
            "framework": {"$ref": "#/definitions/framework"},
            "controls": {"type": "array", "items": {"$ref": "#/definitions/control"}},
            "pack": {"$ref": "#/definitions/pack"},
        },
        "additionalProperties": False,
        "dependencies": {"controls": ["framework"], "framework": ["controls"]},
        "definitions": {
            "severity": {"enum": list(SEVERITIES)},
            "controls": controls,
            "condition": {
                "title": "condition",
                "type": "object",
                "minProperties": 1,
                "description": "path: {operator: value}, combined with all / any / not.",
                "properties": {
                    "all": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/condition"}},
                    "any": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/condition"}},
                    "not": {"$ref": "#/definitions/condition"},
                },
                "additionalProperties": {"$ref": "#/definitions/operators"},
            },
            "item_condition": {
                "title": "item condition",
                "type": "object",
                "minProperties": 1,
                "description": "A condition on one list item: paths relative to the item, "
                "or operators on the item itself.",
                "properties": {
                    "all": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/item_condition"}},
                    "any": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/item_condition"}},
                    "not": {"$ref": "#/definitions/item_condition"},
                    **op_props,
                    **quantifier,
                },
                "additionalProperties": {"$ref": "#/definitions/operators"},
            },
            "operators": {
                "title": "operators",
                "type": "object",
                "minProperties": 1,
                "properties": {**op_props, **quantifier},
                "additionalProperties": False,
            },
            "count": {
                "title": "count",
                "type": "object",
                "minProperties": 1,
                "properties": {op: {"type": "integer", "minimum": 0} for op in _COUNT_OPS},
                "additionalProperties": False,
            },
            "check": {
                "title": "check",
                "type": "object",
                "required": ["id", "severity", "resource"],
                "properties": {
                    "id": {"type": "string", "pattern": CHECK_ID_PATTERN},
                    "title": {"type": "string"},
                    "description": {"type": "string"},
                    "severity": {"$ref": "#/definitions/severity"},
                    "resource": {
                        "description": "Terraform AWS resource type, or a list of them.",
                        "anyOf": [
                            {"type": "string", "minLength": 1},
                            {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
                        ],
                    },
                    "where": {"$ref": "#/definitions/condition"},
                    "assert": {"$ref": "#/definitions/condition"},
                    "expect": {
                        "title": "expect",
                        "type": "object",
                        "required": ["count"],
                        "properties": {"count": {"$ref": "#/definitions/count"}},
                        "additionalProperties": False,
                    },
                    "controls": {"$ref": "#/definitions/controls"},
                    "remediation": {"type": "string"},
                    "labels": labels,
                    "references": string_list,
                },
                "additionalProperties": False,
                "oneOf": [{"required": ["assert"]}, {"required": ["expect"]}],
                "x-message": "a check needs exactly one of 'assert' (per resource) or 'expect' (per account)",
            },
            "desired": {
                "title": "desired",
                "type": "object",
                "required": ["resource", "name", "attributes"],
                "properties": {
                    "id": {"type": "string", "pattern": CHECK_ID_PATTERN},
                    "title": {"type": "string"},
                    "description": {"type": "string"},
                    "severity": {"$ref": "#/definitions/severity"},
                    "resource": {"type": "string", "minLength": 1},
                    "name": {"type": "string", "minLength": 1},
                    "account": {"type": "string"},
                    "region": {"type": "string"},
                    "attributes": {"type": "object", "minProperties": 1},
                    "controls": {"$ref": "#/definitions/controls"},
                    "remediation": {"type": "string"},
                    "labels": labels,
                },
                "additionalProperties": False,
            },
            "framework": {
                "title": "framework",
                "type": "object",
                "required": ["id", "title"],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "title": {"type": "string"},
                    "version": {"type": "string"},
                    "description": {"type": "string"},
                    "evidence": {
                        "enum": ["full", "partial"],
                        "description": "How fully a check mapped to one of these controls covers it: full for "
                        "configuration requirements a check is written for (CIS, FSBP), partial for broad controls "
                        "that checks only support (NIST 800-53, PCI DSS, SOC 2). Default full.",
                    },
                    "families": {
                        "type": "object",
                        "description": "Titles of the control families (the id up to its first - or .): AC, AU...",
                        "additionalProperties": {"type": "string"},
                    },
                },
                "additionalProperties": False,
            },
            "pack": {
                "title": "pack",
                "type": "object",
                "description": "What the folder of this file is as a check pack: its name, title and version.",
                "required": ["id", "title", "version"],
                "properties": {
                    "id": {"type": "string", "pattern": CHECK_ID_PATTERN},
                    "title": {"type": "string"},
                    "version": {"type": "string"},
                    "description": {"type": "string"},
                },
                "additionalProperties": False,
            },
            "control": {
                "title": "control",
                "type": "object",
                "required": ["id", "title"],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "title": {"type": "string"},
                    "description": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
    }
    return json.dumps(schema, sort_keys=True)


def waivers_schema() -> dict[str, Any]:
    """The waivers-file JSON Schema."""
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "urn:unify:schema:waivers:v1",
        "title": "unify waivers file",
        "type": "object",
        "required": ["waivers"],
        "properties": {"waivers": {"type": "array", "items": {"$ref": "#/definitions/waiver"}}},
        "additionalProperties": False,
        "definitions": {
            "waiver": {
                "title": "waiver",
                "type": "object",
                "required": ["check", "resources", "reason"],
                "properties": {
                    "check": {"type": "string", "minLength": 1, "description": "The id of the waived check."},
                    "resources": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "string", "minLength": 1},
                        "description": "Resource ids or globs (* ? [..]) the waiver covers.",
                    },
                    "reason": {"type": "string", "minLength": 1},
                    "expires": {
                        "type": "string",
                        "pattern": r"^\d{4}-\d{2}-\d{2}$",
                        "description": "Last day (UTC, inclusive) the waiver applies.",
                    },
                    "owner": {"type": "string"},
                    "ticket": {"type": "string"},
                },
                "additionalProperties": False,
            }
        },
    }


@lru_cache(maxsize=8)
def _validator(text: str) -> jsonschema.Draft7Validator:
    # jsonschema words the problems of a document the compiled validator refused; valid packs never load it.
    import jsonschema

    return jsonschema.Draft7Validator(json.loads(text))


@lru_cache(maxsize=8)
def _compiled(text: str) -> Callable[[Any], Any]:
    """The schema compiled by fastjsonschema: what decides that a document is valid, before any error is worded.

    jsonschema's interpreter took 0.16 CPU s to find the shipped packs and
    catalogs valid, most of loading them; compiling the schema takes 0.06
    and validating them all a few milliseconds. fastjsonschema is the
    stricter of the two where they differ (``$`` in a pattern is the end of
    the text, not before a last newline; enums hold strings only), so a
    document it accepts jsonschema accepts too; one it refuses goes to
    jsonschema, which finds every problem and words it.
    """
    validate: Callable[[Any], Any] = fastjsonschema.compile(json.loads(text))
    return validate


def _accepts(validate: Callable[[Any], Any], data: Any) -> bool:
    """Whether the compiled schema accepts ``data``; False when it refuses it or its generated code cannot read it."""
    try:
        validate(data)
    except Exception:  # noqa: BLE001 - refused, or input the generated code was not written for: jsonschema decides
        return False
    return True


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _hint(word: str, options: list[str]) -> str:
    return suggest(word, options)


def _misspelt(name: str, instance: Any, schema: Any) -> bool:
    """Whether an unknown key of ``instance`` is a likely misspelling of ``name``."""
    if not isinstance(instance, dict) or not isinstance(schema, dict):
        return False
    allowed = set(schema.get("properties", {}))
    unknown = [str(k) for k in instance if k not in allowed]
    return any(_hint(k, sorted(allowed)) == f" (did you mean {name!r}?)" for k in unknown)


def _name(path: tuple[Any, ...], schema: Any) -> str | None:
    """How a problem names its place: the key, or for a list item its kind and index (``check 2``)."""
    if not path:
        return None
    if isinstance(path[-1], int):
        title = schema.get("title") if isinstance(schema, Mapping) else None
        parent = str(path[-2]) if len(path) > 1 else "item"
        return f"{title or parent} {path[-1] + 1}"
    return str(path[-1])


def _problems(error: jsonschema.ValidationError, doc: Document) -> list[Problem]:
    path = tuple(error.absolute_path)
    key = _name(path, error.schema)
    where = doc.line(path)
    # jsonschema types these as unions with its own sentinels; each is JSON here.
    schema: dict[str, Any] = dict(error.schema) if isinstance(error.schema, Mapping) else {}
    instance: Any = error.instance
    expected_value: Any = error.validator_value
    what = schema.get("title", "mapping")
    validator = error.validator
    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        out = []
        for extra in instance:
            if extra in allowed:
                continue
            line = doc.line(path + (extra,))
            if what == "operators":
                message = f"unknown operator {extra!r}{_hint(str(extra), allowed)}"
            else:
                message = f"unknown key {extra!r} in {what}{_hint(str(extra), allowed)}"
            out.append(Problem(doc.file, line, str(extra), message))
        return out
    if validator == "required":
        missing = [name for name in expected_value if name not in (instance or {})]
        return [
            Problem(doc.file, where, name, f"{what} is missing required key {name!r}")
            for name in missing
            if not _misspelt(name, instance, schema)
        ]
    if validator == "oneOf" and "x-message" in schema:
        if not isinstance(instance, dict):
            return []  # the type problem already says it
        if any(_misspelt(name, instance, schema) for name in ("assert", "expect")):
            return []  # the unknown-key problem already says it
        return [Problem(doc.file, where, "assert", schema["x-message"])]
    if validator == "dependencies":
        present = next((k for k in ("controls", "framework") if k in (instance or {})), None)
        where = doc.line(path + (present,)) if present else where
        return [Problem(doc.file, where, present, "'controls' and 'framework' go together: a catalog needs both")]
    if validator == "enum":
        options = ", ".join(str(o) for o in expected_value)
        return [
            Problem(
                doc.file,
                where,
                key,
                f"{key} must be one of {options}; got {instance!r}"
                f"{_hint(str(instance), [str(o) for o in expected_value])}",
            )
        ]
    if validator == "type" and what == "operators":
        return [
            Problem(
                doc.file,
                where,
                key,
                f"{key}: expected a mapping of operator to value, such as {{eq: ...}}; got {_json_type(instance)}",
            )
        ]
    if validator == "type":
        expected = expected_value if isinstance(expected_value, str) else " or ".join(expected_value)
        expected = {"object": "a mapping", "array": "a list", "string": "text"}.get(expected, expected)
        return [Problem(doc.file, where, key, f"{key} must be {expected}; got {_json_type(instance)}")]
    if validator == "pattern" and key == "id":
        return [
            Problem(
                doc.file,
                where,
                key,
                f"id {instance!r} may hold only letters, digits and _ . : / @ + -, and starts with a letter or digit",
            )
        ]
    if validator == "pattern" and key == "expires":
        return [Problem(doc.file, where, key, f"expires must be a date YYYY-MM-DD; got {instance!r}")]
    if validator == "anyOf" and key == "resource":
        return [Problem(doc.file, where, key, "resource must be a resource type or a non-empty list of them")]
    if validator in ("minProperties", "minItems", "minLength"):
        return [Problem(doc.file, where, key, f"{key or what} must not be empty")]
    return [Problem(doc.file, where, key, error.message)]


def validate_document(
    doc: Document,
    operators: Iterable[Operator],
    *,
    waivers: bool = False,
) -> list[Problem]:
    """Every schema problem in one loaded policy (or waivers) document."""
    if not isinstance(doc.data, dict):
        kind = "waivers file" if waivers else "policy file"
        got = "empty" if doc.data is None else f"{_json_type(doc.data)}"
        return [Problem(doc.file, doc.line(()), None, f"a {kind} is a mapping at the top level; this one is {got}")]
    schema = waivers_schema() if waivers else policy_schema(operators)
    text = json.dumps(schema, sort_keys=True)
    if _accepts(_compiled(text), doc.data):
        return []
    validator = _validator(text)
    problems: list[Problem] = []
    for error in validator.iter_errors(doc.data):
        problems.extend(_problems(error, doc))
    return sorted(set(problems), key=lambda p: (p.line or 0, p.key or "", p.message))
