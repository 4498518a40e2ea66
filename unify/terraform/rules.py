"""Security-group rules written as their own Terraform resources, as the rule blocks of their group.

A group's rules can be inline (``ingress``/``egress`` blocks), one resource
per rule set (``aws_security_group_rule``: ``type``, ports, ``cidr_blocks``,
...), or one resource per source (``aws_vpc_security_group_ingress_rule``:
``ip_protocol``, ``cidr_ipv4``, ...). An observation sees one group with
every rule in its ``ingress`` and ``egress`` lists, in the block shape of
Terraform's inline rules. These functions give a rule resource that shape,
say whether a group's list already holds it (a state's group lists the rules
its rule resources made) and take it out again (the plan deletes it).
Markers stay where they are: an unknown CIDR is an unknown item of the list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from unify.model.resource import is_unknown, known

__all__ = ["rule_block", "rule_covered", "rule_without", "source_rule_block"]

#: Protocol numbers AWS answers with a name, and Terraform's ``all``.
_PROTOCOL_NAMES: Final = {"6": "tcp", "17": "udp", "1": "icmp", "all": "-1"}
_SOURCES: Final = ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups")


def _protocol(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        return _PROTOCOL_NAMES.get(lowered, lowered)
    return value


def _port(value: Any) -> Any:
    return 0 if value is None else value


def _texts(value: Any) -> Any:
    """A list of strings, sorted and without repeats, as the collector gives them; a marker stays."""
    if value is None:
        return []
    if isinstance(value, list) and known(value):
        return sorted({str(v) for v in value})
    return value


def _block(protocol: Any, from_port: Any, to_port: Any, description: Any) -> dict[str, Any]:
    everything = protocol == "-1"
    return {
        "from_port": 0 if everything else _port(from_port),
        "to_port": 0 if everything else _port(to_port),
        "protocol": protocol,
        "cidr_blocks": [],
        "ipv6_cidr_blocks": [],
        "prefix_list_ids": [],
        "security_groups": [],
        "self": False,
        "description": description if description is not None else "",
    }


def rule_block(values: Mapping[str, Any]) -> dict[str, Any]:
    """An ``aws_security_group_rule`` as one rule block (``source_security_group_id`` in ``security_groups``)."""
    block = _block(
        _protocol(values.get("protocol")), values.get("from_port"), values.get("to_port"), values.get("description")
    )
    for key in ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids"):
        block[key] = _texts(values.get(key))
    flag = values.get("self")
    block["self"] = flag if is_unknown(flag) else flag is True
    source = values.get("source_security_group_id")
    # The provider computes source_security_group_id even when CIDRs or self are the source, which exclude it.
    excluded = block["self"] is True or any(
        isinstance(block[k], list) and block[k] for k in ("cidr_blocks", "ipv6_cidr_blocks")
    )
    if source not in (None, "") and not (is_unknown(source) and excluded):
        block["security_groups"] = [source]
    return block


def source_rule_block(values: Mapping[str, Any]) -> dict[str, Any]:
    """An ``aws_vpc_security_group_{ingress,egress}_rule`` (one source each) as one rule block."""
    block = _block(
        _protocol(values.get("ip_protocol")), values.get("from_port"), values.get("to_port"), values.get("description")
    )
    for source, key in (
        ("cidr_ipv4", "cidr_blocks"),
        ("cidr_ipv6", "ipv6_cidr_blocks"),
        ("prefix_list_id", "prefix_list_ids"),
    ):
        if values.get(source) not in (None, ""):
            block[key] = [values[source]]
    group = values.get("referenced_security_group_id")
    if group not in (None, ""):
        own = values.get("security_group_id")
        if isinstance(group, str) and group == own:
            block["self"] = True
        else:
            block["security_groups"] = [group]
    return block


def _same_rule(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return all(a.get(key) == b.get(key) for key in ("protocol", "from_port", "to_port", "description"))


def _sources(block: Mapping[str, Any]) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for key in _SOURCES:
        values = block.get(key)
        found += [(key, value) for value in values] if isinstance(values, list) else []
    if block.get("self") is True:
        found.append(("self", True))
    return found


def rule_covered(blocks: list[Any], item: Any) -> bool:
    """Whether every source of ``item`` is already in a block of the same protocol, ports and description."""
    if not isinstance(item, dict) or not known(item):
        return False
    sources = _sources(item)
    if not sources:
        return False
    for key, value in sources:
        if not any(
            isinstance(block, dict)
            and _same_rule(block, item)
            and (block.get("self") is True if key == "self" else value in (block.get(key) or []))
            for block in blocks
        ):
            return False
    return True


def rule_without(blocks: list[Any], item: Any) -> list[Any]:
    """The blocks without ``item``'s sources; a block left with no source is gone."""
    if not isinstance(item, dict):
        return blocks
    out: list[Any] = []
    for block in blocks:
        if not isinstance(block, dict) or not _same_rule(block, item):
            out.append(block)
            continue
        kept = dict(block)
        for key in _SOURCES:
            if isinstance(kept.get(key), list) and isinstance(item.get(key), list):
                kept[key] = [value for value in kept[key] if value not in item[key]]
        if item.get("self") is True:
            kept["self"] = False
        if _sources(kept):
            out.append(kept)
    return out
