"""How one Terraform resource's values become its unify attributes, from the type's declaration.

The steps are generic and the facts per type come from the
:class:`unify.model.resource_type.ResourceType` declared in the type's
service module: which nested blocks are one mapping, which rule lists are
sorted, which provider defaults apply, the type's own final conversion, and
which attributes only an observation can see (a plan or state snapshot marks
those unknown, so a check on them is never a vacuous pass or a false
failure). Nothing here names a resource type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final

from unify.model.resource import is_unknown, known, unknown
from unify.model.resource_type import ResourceType
from unify.terraform.values import policy_value, single

__all__ = [
    "OBSERVED_ONLY_REASON",
    "POLICY_ATTRIBUTES",
    "block_order",
    "mark_observed_only",
    "name_of",
    "region_like",
    "shape",
    "tags_of",
]

#: Attributes that hold a policy document as a JSON string, whatever the type.
POLICY_ATTRIBUTES: Final = ("policy", "assume_role_policy")
OBSERVED_ONLY_REASON: Final = "not in a Terraform plan or state: only an observation reads it"

_REGION: Final = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


def region_like(value: Any) -> bool:
    return isinstance(value, str) and bool(_REGION.match(value))


def _unwrap(container: dict[str, Any], segments: list[str], tables: frozenset[str], at: str = "") -> None:
    key = segments[0]
    if key not in container:
        return
    here = f"{at}.{key}" if at else key
    if len(segments) == 1:
        value = single(container[key]) if here in tables else container[key]
        if isinstance(value, dict) and not is_unknown(value):
            value = {k: v for k, v in value.items() if v is not None and v != ""}
        if value is None:
            del container[key]
        else:
            container[key] = value
        return
    inner = container[key]
    for item in inner if isinstance(inner, list) else [inner]:
        if isinstance(item, dict) and not is_unknown(item):
            _unwrap(item, segments[1:], tables, here)


def block_order(block: Any) -> tuple[str, ...]:
    """The order the collectors sort rule blocks in: NACL rules by number, group rules by protocol and ports."""
    # Numbers right-aligned sort numerically; a port that is absent or known only after apply (a marker) is
    # text too, so the key never formats a None or a mapping with a width.
    if not isinstance(block, dict):
        return ("", json.dumps(block, sort_keys=True, default=str))
    if "rule_no" in block:
        return (f"{block.get('rule_no')!s:>10}", json.dumps(block, sort_keys=True, default=str))
    return (
        str(block.get("protocol")),
        f"{block.get('from_port')!s:>10}",
        f"{block.get('to_port')!s:>10}",
        str(block.get("description")),
        json.dumps(block, sort_keys=True, default=str),
    )


def shape(declared: ResourceType | None, values: Mapping[str, Any]) -> dict[str, Any]:
    """A resource's Terraform values as its unify attributes (a new mapping; tags leave for the resource).

    ``declared`` is None for a type no collector declares: its values are
    kept as Terraform has them, policies parsed.
    """
    # Terraform writes null, and "" for an unset string (SDKv2 cannot tell them apart): the collectors leave
    # such settings out, and `exists` must not see a trail's `kms_key_id: ""` as a key.
    out = {k: v for k, v in values.items() if v is not None and v != "" and k not in ("tags", "tags_all")}
    if declared is not None:
        tables = frozenset(declared.single_blocks)
        for path in declared.single_blocks:
            _unwrap(out, path.split("."), tables)
    for key in POLICY_ATTRIBUTES:
        if key in out:
            parsed = policy_value(out[key])
            if parsed is None:
                del out[key]
            else:
                out[key] = parsed
    if declared is None:
        return out
    for key, value in declared.defaults.items():
        out.setdefault(key, value)
    if declared.from_terraform is not None:
        declared.from_terraform(out)
    for key, value in declared.never_configured:
        if out.get(key) == value:
            del out[key]  # the provider's way of writing "never configured": absent, as the collector has it
    for key in declared.sorted_blocks:
        blocks = out.get(key)
        if isinstance(blocks, list) and known(blocks):
            out[key] = sorted(blocks, key=block_order)
    if declared.singleton:
        out["configured"] = True
    return out


def mark_observed_only(declared: ResourceType | None, attributes: dict[str, Any]) -> None:
    """The marker for each observed-only attribute the resource does not already have."""
    for key in declared.observed_only if declared is not None else ():
        attributes.setdefault(key, unknown(OBSERVED_ONLY_REASON))


def tags_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """The ``tags`` attribute (not ``tags_all``) as the resource's tags; a marker when unknown."""
    tags = values.get("tags")
    if not isinstance(tags, dict):
        return {}
    if is_unknown(tags):
        return dict(tags)
    return {str(k): v if v is None or is_unknown(v) else str(v) for k, v in tags.items()}


def name_of(declared: ResourceType | None, values: Mapping[str, Any]) -> str | None:
    """The resource's own AWS name; None when the plan knows it only after apply, or it has none."""
    path = declared.name_path if declared is not None else "name"
    node: Any = values
    for segment in path.split("."):
        node = node.get(segment) if isinstance(node, dict) and not is_unknown(node) else None
    if isinstance(node, str) and node:
        return node
    fallback = "id" if path == "tags.Name" else "name"  # the collectors name untagged EC2 resources by their id
    if path != fallback and isinstance(values.get(fallback), str) and values[fallback]:
        return str(values[fallback])
    return None
