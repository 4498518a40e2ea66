"""Reasons in plain English, written from the compiled condition that decided a verdict.

A reason is read by the person who has to fix the resource, in a table,
an annotation or a ticket, so it says what is wrong in words rather than
in the check language: ``has no MFA devices`` rather than
``mfa_devices: expected empty false, got []``. Each operator has three
phrasings: what it requires (for descriptions of a condition), why it does
not hold (a failure) and what holds (a fact, for an item a ``no_item``
forbids). Operators from plugins get a generic phrasing.

Attribute paths are shown the way people say them: underscores become
spaces, the usual acronyms are capitalised, list indexes become ``item N``
(counted from 1) and nested blocks are joined by ``>``. The exact paths
stay in each result's details.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Final

from unify.checks.operators import MISSING, describe_value

__all__ = [
    "duration_words",
    "fact",
    "failure",
    "humanize",
    "join_alternatives",
    "one_of",
    "requirement",
    "unknown",
]

_ACRONYMS: Final = {
    word: word.upper()
    for word in (
        "acl",
        "api",
        "arn",
        "aws",
        "az",
        "cidr",
        "cmk",
        "db",
        "dns",
        "ebs",
        "ecr",
        "ecs",
        "efs",
        "http",
        "https",
        "iam",
        "id",
        "iops",
        "ip",
        "kms",
        "mfa",
        "rdp",
        "rds",
        "s3",
        "sns",
        "sqs",
        "ssh",
        "ssl",
        "sse",
        "tcp",
        "tls",
        "udp",
        "uri",
        "url",
        "vpc",
        "vpn",
    )
} | {
    "acls": "ACLs",
    "arns": "ARNs",
    "ids": "IDs",
    "ipv4": "IPv4",
    "ipv6": "IPv6",
    "imdsv2": "IMDSv2",
    "mibps": "MiBps",
}
_ROOT_NAMES: Final = {"id": "id", "type": "type", "name": "name", "account": "account", "region": "region"}
_UNITS: Final = {"m": "minute", "h": "hour", "d": "day", "w": "week"}
_DURATION: Final = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")


def _words(segment: str) -> str:
    words = [w for w in segment.replace("-", "_").split("_") if w]
    if len(words) > 1 and words[0] == "is":
        words = words[1:]  # is_multi_region_trail reads "multi region trail is ..."
    return " ".join(_ACRONYMS.get(w.lower(), w) for w in words) or segment


@lru_cache(maxsize=8192)
def humanize(path: str) -> str:
    """A dotted path as people say it: ``metadata_options.http_tokens`` is ``metadata options > HTTP tokens``."""
    if not path:
        return "the value"
    segments = path.split(".")
    if segments[0] == "attributes" and len(segments) > 1:
        segments = segments[1:]
    elif segments[0] == "tags":
        rest = ".".join(segments[1:])
        return f"tag {rest}" if rest else "tags"
    elif segments[0] in _ROOT_NAMES and len(segments) == 1:
        return _ROOT_NAMES[segments[0]]
    parts: list[str] = []
    for segment in segments:
        if segment.lstrip("-").isdigit():
            index = int(segment)
            parts.append(f"item {index + 1}" if index >= 0 else f"item {index}")
            continue
        parts.append(_words(segment))
    # "ingress > item 1 > from port" reads better as "ingress item 1 > from port".
    out: list[str] = []
    for part in parts:
        if part.startswith("item ") and out:
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return " > ".join(out)


def duration_words(text: Any) -> str:
    """``45d`` as ``45 days``; anything else as it is."""
    match = _DURATION.match(str(text))
    if not match:
        return str(text)
    amount, unit = int(match.group(1)), _UNITS[match.group(2)]
    return f"{amount} {unit}{'' if amount == 1 else 's'}"


def one_of(values: Any) -> str:
    """``"a", "b" or "c"`` for a list of allowed values."""
    if not isinstance(values, list):
        return describe_value(values)
    shown = [describe_value(v, 40) for v in values[:6]]
    if len(values) > 6:
        shown.append(f"{len(values) - 6} more")
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " or " + shown[-1]


def _absent(actual: Any) -> bool:
    return actual is MISSING or actual is None


def _v(value: Any) -> str:
    return describe_value(value)


_BOUNDS: Final = {"lt": "less than", "le": "at most", "gt": "more than", "ge": "at least"}


def failure(operator: str, path: str, expected: Any, actual: Any) -> str:
    """Why ``path`` does not satisfy ``operator expected``, given the value ``actual``."""
    label = humanize(path)
    unset = _absent(actual)
    if operator in ("eq", "same"):
        must = "declared" if operator == "same" else "must be"
        if unset and expected is not None:
            return f"{label} is not set ({must} {_v(expected)})"
        return f"{label} is {_v(actual)}, {must} {_v(expected)}"
    if operator == "ne":
        return f"{label} is {_v(actual)}, must be something else"
    if operator == "in":
        if unset:
            return f"{label} is not set (must be {one_of(expected)})"
        return f"{label} is {_v(actual)}, must be {one_of(expected)}"
    if operator == "not_in":
        return f"{label} is {_v(actual)}, which is not allowed ({one_of(expected)} are not)"
    if operator in _BOUNDS:
        if unset:
            return f"{label} is not set (must be {_BOUNDS[operator]} {_v(expected)})"
        return f"{label} is {_v(actual)}, must be {_BOUNDS[operator]} {_v(expected)}"
    if operator == "matches":
        if unset:
            return f"{label} is not set (must match {_v(expected)})"
        return f"{label} is {_v(actual)}, which does not match {_v(expected)}"
    if operator == "contains":
        if unset:
            return f"{label} is not set (must contain {_v(expected)})"
        return f"{label} does not contain {_v(expected)} ({_v(actual)})"
    if operator == "exists":
        return f"{label} is not set" if expected else f"{label} is set to {_v(actual)}, must not be set"
    if operator == "empty":
        return f"has no {label}" if not expected else f"{label} is not empty: {_v(actual)}"
    if operator == "older_than":
        if unset:
            return f"{label} is not set (must be more than {duration_words(expected)} old)"
        return f"{label} is {_v(actual)}, not more than {duration_words(expected)} before the snapshot"
    if operator == "newer_than":
        if unset:
            return f"{label} is not set (must be within {duration_words(expected)} of the snapshot)"
        return f"{label} is {_v(actual)}, more than {duration_words(expected)} before the snapshot"
    if operator == "expires_within":
        if unset:
            return f"{label} is not set (must fall within {duration_words(expected)} after the snapshot)"
        return f"{label} is {_v(actual)}, more than {duration_words(expected)} after the snapshot"
    if operator == "world_open":
        if expected:
            return f"{label} is not open to the internet ({_v(actual)})"
        return f"{label} {_v(actual)} is open to the internet"
    return f"{label} is {_v(actual)}, which fails {operator} {_v(expected)}"


def fact(operator: str, path: str, expected: Any, actual: Any) -> str:
    """What holds of ``path`` when ``operator expected`` is true of it (for what a condition forbids)."""
    label = humanize(path)
    if operator == "matches":
        return f"{label} {_v(actual)} matches {_v(expected)}"
    if operator == "contains":
        return f"{label} contains {_v(expected)}"
    if operator == "exists":
        return f"{label} is set" if expected else f"{label} is not set"
    if operator == "empty":
        return f"{label} is empty" if expected else f"{label} is {_v(actual)}"
    if operator == "expires_within" and not _absent(actual):
        return f"{label} {_v(actual)} falls within {duration_words(expected)} after the snapshot"
    if operator == "world_open":
        return f"{label} {_v(actual)} is open to the internet" if expected else f"{label} is not open to the internet"
    if _absent(actual):
        return f"{label} is not set"
    return f"{label} is {_v(actual)}"


def negated_failure(operator: str, path: str, expected: Any, actual: Any) -> str:
    """Why ``not (path operator expected)`` does not hold: the fact, which is forbidden."""
    if operator in ("eq", "same"):
        return f"{humanize(path)} is {_v(actual)}, must not be"
    return f"{fact(operator, path, expected, actual)}, which is not allowed"


def requirement(operator: str, path: str, expected: Any) -> str:
    """What ``path operator expected`` asks for, as a phrase: ``MFA devices is not empty``."""
    label = humanize(path)
    if operator in ("eq", "same"):
        return f"{label} is {_v(expected)}"
    if operator == "ne":
        return f"{label} is not {_v(expected)}"
    if operator == "in":
        return f"{label} is {one_of(expected)}"
    if operator == "not_in":
        return f"{label} is none of {one_of(expected)}"
    if operator in _BOUNDS:
        return f"{label} is {_BOUNDS[operator]} {_v(expected)}"
    if operator == "matches":
        return f"{label} matches {_v(expected)}"
    if operator == "contains":
        return f"{label} contains {_v(expected)}"
    if operator == "exists":
        return f"{label} is set" if expected else f"{label} is not set"
    if operator == "empty":
        return f"{label} is empty" if expected else f"{label} is not empty"
    if operator == "older_than":
        return f"{label} is more than {duration_words(expected)} old"
    if operator == "newer_than":
        return f"{label} is within {duration_words(expected)} of the snapshot"
    if operator == "expires_within":
        return f"{label} falls within {duration_words(expected)} after the snapshot"
    if operator == "world_open":
        return f"{label} is open to the internet" if expected else f"{label} is not open to the internet"
    return f"{label} {operator} {_v(expected)}"


def unknown(path: str, reason: str) -> str:
    """A value that was not observed: ``enable key rotation is unknown (AccessDenied ...)``."""
    return f"{humanize(path)} is unknown ({reason})"


def join_alternatives(branches: Sequence[str]) -> str:
    """Why no branch of an ``any`` holds, each branch named: ``none of these holds: A; or B``."""
    if len(branches) == 1:
        return branches[0]
    lead = "neither holds" if len(branches) == 2 else f"none of these {len(branches)} holds"
    return f"{lead}: " + "; ".join(("or " if i else "") + text for i, text in enumerate(branches))
