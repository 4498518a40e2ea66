"""A resource and a coverage entry as the snapshot holds them, and the marker for a value not observed.

A resource is plain JSON data, ``{type, id, name, account, region, tags,
attributes}``, named as the Terraform AWS provider names it, so the same
check reads a live observation, a plan and a state alike. A value that was
not observed is ``{"$unknown": "<reason>"}`` at exactly its place: checks
that read it are unknown, never a pass.
"""

from __future__ import annotations

from typing import Any, Final, Literal, NotRequired, TypedDict

__all__ = ["UNKNOWN_KEY", "Coverage", "CoverageError", "Resource", "is_unknown", "known", "unknown"]

UNKNOWN_KEY: Final = "$unknown"


class Resource(TypedDict):
    """One observed thing, named as the Terraform AWS provider names it."""

    type: str
    id: str
    name: NotRequired[str | None]
    account: str
    region: str
    tags: NotRequired[dict[str, Any]]
    attributes: dict[str, Any]


class CoverageError(TypedDict):
    code: str
    message: str


class Coverage(TypedDict):
    """The snapshot's claim about one type x account x region."""

    type: str
    account: str
    region: str
    status: Literal["ok", "error"]
    error: NotRequired[CoverageError]
    #: Attributes of the type this observation did not collect (attribute-level targeting): unknown.
    not_collected: NotRequired[list[str]]


def unknown(reason: str) -> dict[str, Any]:
    """The marker for a value that was not observed, with the reason."""
    return {UNKNOWN_KEY: reason}


def is_unknown(value: Any) -> bool:
    """Whether ``value`` is the marker itself (not a value that merely holds one)."""
    return type(value) is dict and UNKNOWN_KEY in value and len(value) == 1


def known(value: Any) -> bool:
    """Not a marker, and holding no marker anywhere inside."""
    if is_unknown(value):
        return False
    if isinstance(value, dict):
        return all(known(v) for v in value.values())
    if isinstance(value, list):
        return all(known(v) for v in value)
    return True
