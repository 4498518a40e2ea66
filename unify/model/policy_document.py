"""Policy documents in one shape, whichever shape AWS or Terraform wrote them in.

Bucket, key, trust and IAM policies reach unify as JSON strings (sometimes
URL-encoded, as IAM returns them) or as mappings, with ``Statement``,
``Action`` and the rest either single values or lists. Collectors and
Terraform readers both pass them through :func:`parse_policy`, so one check
reads every form AWS and Terraform allow (DESIGN.md, check language).
"""

from __future__ import annotations

import json
from typing import Any, Final
from urllib.parse import unquote

from unify.model.resource import unknown

__all__ = ["parse_policy"]

_LISTY: Final = ("Action", "NotAction", "Resource", "NotResource")


def parse_policy(document: Any) -> Any:
    """A policy document as data, in one shape whatever shape AWS returned.

    Accepts a JSON string (URL-encoded, as IAM returns some, or not) or a
    mapping. ``Statement`` is always a list; ``Action``, ``NotAction``,
    ``Resource`` and ``NotResource`` are always lists; every ``Principal``
    map value and every condition value is a list. Checks can then use
    ``any_item`` and ``contains`` without caring how the author wrote the
    policy. Text that is not JSON becomes the ``$unknown`` marker.
    """
    if isinstance(document, str):
        text = document if document.lstrip().startswith("{") else unquote(document)
        try:
            document = json.loads(text)
        except ValueError:
            return unknown("policy document is not valid JSON")
    if not isinstance(document, dict):
        return document
    out = dict(document)
    statements = out.get("Statement")
    if statements is not None:
        statements = statements if isinstance(statements, list) else [statements]
        out["Statement"] = [_statement(s) for s in statements]
    return out


def _statement(statement: Any) -> Any:
    if not isinstance(statement, dict):
        return statement
    out = dict(statement)
    for key in _LISTY:
        if key in out and not isinstance(out[key], list):
            out[key] = [out[key]]
    principal = out.get("Principal")
    if isinstance(principal, dict):
        out["Principal"] = {k: v if isinstance(v, list) else [v] for k, v in principal.items()}
    condition = out.get("Condition")
    if isinstance(condition, dict):
        out["Condition"] = {
            op: {k: v if isinstance(v, list) else [v] for k, v in values.items()}
            if isinstance(values, dict)
            else values
            for op, values in condition.items()
        }
    return out
