"""What the EC2 service modules share: names from the ``Name`` tag, EC2 ARNs, and AWS's absent lists.

EC2's resources are split over several modules by noun (``ec2``, ``vpc``,
``vpc_security``, ``vpc_routing``, ``vpc_transit``); they read one query
protocol, which leaves an empty list out of its answers (an untagged group
has no ``Tags``, a group without rules no ``IpPermissions``): there an absent
list is an empty one, unlike in the JSON protocols.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unify.observe.collector import ABSENT, CollectContext

__all__ = ["blank", "ec2_arn", "name_tag", "present", "texts"]


def name_tag(tags: Any, fallback: str) -> str:
    """The ``Name`` tag, the only name most EC2 resources have, else their id."""
    for tag in tags or []:
        if tag.get("Key") == "Name" and tag.get("Value"):
            return str(tag["Value"])
    return fallback


def ec2_arn(ctx: CollectContext, kind: str, id_: str) -> str:
    return ctx.arn("ec2", f"{kind}/{id_}")


def texts(items: Any, key: str | None = None) -> list[str]:
    """A sorted list of strings without repeats, from a list of strings or of mappings (``key``)."""
    found = {str(item[key] if key else item) for item in items or [] if (item.get(key) if key else item)}
    return sorted(found)


def blank(answer: Mapping[str, Any], key: str) -> Any:
    """``answer[key]``, or ``""`` where Terraform's state writes an unset string (a route's unused targets)."""
    value = answer.get(key)
    return "" if value is None else value


def present(answer: Mapping[str, Any], key: str) -> Any:
    """``answer[key]`` when AWS sent a value, else :data:`ABSENT` (an optional setting never made)."""
    value = answer.get(key)
    return ABSENT if value in (None, "") else value
