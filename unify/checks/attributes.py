"""What a check refers to in the resource model: its resource types and the attribute paths it reads.

A typo in a resource type (``aws_ebs_volumes``) or in an attribute name
(``encrytped``) is not a syntax error, so the schema lets it through; at
audit time it reads as "not observed" or as a failure on every resource
("got absent"). The collectors' declarations (:class:`ResourceTypes`) say
which types exist and which attributes each one has, so load time can tell
such a check from a sound one and suggest what was meant. These are
warnings, since a plugin may observe a type or an attribute this plugin set
does not declare; ``unify lint --strict`` makes them errors.

Only the first segment of an attribute path is checked: the declarations
name top-level attributes, and what lies inside a block or a list item
(``versioning.status``, the paths under ``any_item``) is the provider's
shape, not declared here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final

from unify.checks.conditions import All, AnyOf, Leaf, Node, Not, PathRef, Quantifier
from unify.checks.operators import suggest
from unify.errors import Problem
from unify.model.resource_type import ResourceTypes

__all__ = [
    "GENERIC_ATTRIBUTES",
    "attribute_problems",
    "condition_paths",
    "read_attributes",
    "read_names",
    "type_problems",
]

#: Attributes every source may add, whatever the type: a plan's or a state's resource address.
GENERIC_ATTRIBUTES: Final = frozenset({"terraform_address"})


def condition_paths(node: Node | None) -> Iterator[tuple[PathRef, int | None]]:
    """Every path of a condition that reads the resource itself (not a list item), with its line."""
    if node is None:
        return
    if isinstance(node, Leaf):
        yield node.path, node.line
    elif isinstance(node, Quantifier):
        yield node.path, node.line  # the paths inside are relative to the items
    elif isinstance(node, (All, AnyOf)):
        for child in node.children:
            yield from condition_paths(child)
    elif isinstance(node, Not):
        yield from condition_paths(node.child)


def type_problems(
    file: str, line: int | None, named: Any, types: ResourceTypes, *, check: str | None = None
) -> list[Problem]:
    """A warning for each resource type a check names that no collector declares, with a suggestion."""
    names = named if isinstance(named, list) else [named]
    known = list(types)
    problems = []
    for name in names:
        if isinstance(name, str) and name and name not in types:
            subject = f"check {check!r} reads" if check else "reads"
            problems.append(
                Problem(
                    file,
                    line,
                    name,
                    f"{subject} resource type {name!r}, which no collector declares{suggest(name, known)}",
                    warning=True,
                )
            )
    return problems


def attribute_problems(
    file: str,
    check: str,
    read: Sequence[tuple[str, int | None]],
    type_names: Sequence[str],
    types: ResourceTypes,
) -> list[Problem]:
    """A warning for each attribute a check reads that none of its (declared) types has.

    ``read`` holds (attribute path, line) pairs; paths of the resource's own
    fields (``tags.env``, ``name``) are always sound. Types no collector
    declares are left to :func:`type_problems`.
    """
    declared = [types[name] for name in type_names if name in types]
    if not declared:
        return []
    known = set(GENERIC_ATTRIBUTES)
    for resource_type in declared:
        known.update(resource_type.attributes)
    options = sorted(known)
    on = " or ".join(resource_type.name for resource_type in declared)
    problems = []
    seen: set[tuple[str, int | None]] = set()
    for path, line in read:
        first = path.split(".", 1)[0]
        if not first or first in known or (first, line) in seen:
            continue
        seen.add((first, line))
        problems.append(
            Problem(
                file,
                line,
                path,
                f"check {check!r} reads attribute {first!r}, which {on} does not have{suggest(first, options)}",
                warning=True,
            )
        )
    return problems


def read_attributes(nodes: Sequence[Node | None]) -> list[tuple[str, int | None]]:
    """The attribute paths (without ``attributes.``) the conditions read, with their lines, in order."""
    out = []
    for node in nodes:
        for path, line in condition_paths(node):
            if path.field != "attributes":
                continue
            text = ".".join(segment for segment, _ in path.segments)
            out.append((text, line))
    return out


def read_names(nodes: Sequence[Node | None]) -> set[str] | None:
    """The top-level attribute names the conditions read (``tags`` for the tags), or None for all of them.

    What an observation must collect for them (attribute-level targeting):
    ``logging.target_bucket`` needs ``logging``, ``tags.env`` the tags; a
    path to the whole of ``attributes`` needs everything.
    """
    names: set[str] = set()
    for node in nodes:
        for path, _ in condition_paths(node):
            if path.field == "tags":
                names.add("tags")
            elif path.field == "attributes":
                if not path.segments:
                    return None
                names.add(path.segments[0][0])
    return names
