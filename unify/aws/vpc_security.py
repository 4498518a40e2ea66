"""VPC security: security groups and network ACLs, with their rules as Terraform's blocks.

Rules are normalised into the block shapes the Terraform AWS provider keeps
in its state (``ingress``/``egress`` lists of mappings), so one check reads a
live observation and a plan alike. Both types are regional.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from unify.aws._ec2_shared import ec2_arn, name_tag
from unify.model.resource import Resource
from unify.model.resource_type import Fold, ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent
from unify.terraform.rules import rule_block, rule_covered, rule_without, source_rule_block

SECURITY_GROUP_ATTRIBUTES = ("id", "arn", "name", "description", "vpc_id", "owner_id", "ingress", "egress")
NETWORK_ACL_ATTRIBUTES = (
    "id",
    "arn",
    "vpc_id",
    "owner_id",
    "subnet_ids",
    "ingress",
    "egress",
    # extras only observation can see
    "is_default",
)

#: NACL rule numbers AWS adds to every ACL and nobody can change: the IPv4 and IPv6 catch-all denies.
_IMPLICIT_NACL_RULES = frozenset({32767, 32768})


# -- security groups ---------------------------------------------------------------


def _rule_blocks(permission: Mapping[str, Any], group_id: str, owner_id: str) -> list[dict[str, Any]]:
    """One AWS IpPermission as Terraform rule blocks, one per distinct rule description.

    AWS keeps a description per CIDR, prefix list or group pair; Terraform
    keeps one per block. Grouping by description keeps every description.
    """
    protocol = str(permission.get("IpProtocol", "-1"))
    if protocol == "-1":
        from_port, to_port = 0, 0  # AWS omits ports for all traffic; Terraform writes 0
    else:
        from_port, to_port = int(permission.get("FromPort", 0)), int(permission.get("ToPort", 0))
    blocks: dict[str, dict[str, Any]] = {}

    def block(description: Any) -> dict[str, Any]:
        key = str(description or "")
        if key not in blocks:
            blocks[key] = {
                "from_port": from_port,
                "to_port": to_port,
                "protocol": protocol,
                "cidr_blocks": [],
                "ipv6_cidr_blocks": [],
                "prefix_list_ids": [],
                "security_groups": [],
                "self": False,
                "description": key,
            }
        return blocks[key]

    for entry in permission.get("IpRanges") or []:
        block(entry.get("Description"))["cidr_blocks"].append(entry["CidrIp"])
    for entry in permission.get("Ipv6Ranges") or []:
        block(entry.get("Description"))["ipv6_cidr_blocks"].append(entry["CidrIpv6"])
    for entry in permission.get("PrefixListIds") or []:
        block(entry.get("Description"))["prefix_list_ids"].append(entry["PrefixListId"])
    for pair in permission.get("UserIdGroupPairs") or []:
        target = block(pair.get("Description"))
        pair_group = pair.get("GroupId") or pair.get("GroupName") or ""
        pair_account = pair.get("UserId") or owner_id
        if pair_group == group_id and pair_account == owner_id:
            target["self"] = True
        elif pair_account != owner_id:
            target["security_groups"].append(f"{pair_account}/{pair_group}")
        else:
            target["security_groups"].append(pair_group)
    for found in blocks.values():
        for key in ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups"):
            found[key] = sorted(set(found[key]))
    return list(blocks.values())


def _rules(permissions: Any, group_id: str, owner_id: str) -> list[dict[str, Any]]:
    blocks = [b for permission in permissions or [] for b in _rule_blocks(permission, group_id, owner_id)]
    return sorted(
        blocks,
        key=lambda b: (b["protocol"], b["from_port"], b["to_port"], b["description"], json.dumps(b, sort_keys=True)),
    )


def _security_groups(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    for group in ctx.items(ec2, "describe_security_groups", "SecurityGroups", each=("GroupId",)):
        group_id = group["GroupId"]
        owner_id = str(group.get("OwnerId") or ctx.account)
        arn = ec2_arn(ctx, "security-group", group_id)
        yield ctx.resource(
            "aws_security_group",
            arn,
            name=group.get("GroupName"),
            tags=group.get("Tags") or [],
            attributes={
                "id": group_id,
                "arn": arn,
                "name": group.get("GroupName"),
                "description": group.get("Description", ""),
                "vpc_id": group.get("VpcId", ABSENT),
                "owner_id": owner_id,
                "ingress": _rules(group.get("IpPermissions"), group_id, owner_id),
                "egress": _rules(group.get("IpPermissionsEgress"), group_id, owner_id),
            },
        )


# -- network ACLs --------------------------------------------------------------------


def _nacl_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A NACL entry as Terraform's ``ingress``/``egress`` block (0 and "" where AWS gives nothing)."""
    ports = entry.get("PortRange") or {}
    icmp = entry.get("IcmpTypeCode") or {}
    return {
        "rule_no": int(entry["RuleNumber"]),
        "action": str(entry.get("RuleAction", "")).lower(),
        "protocol": str(entry.get("Protocol", "-1")),
        "from_port": int(ports.get("From", 0)),
        "to_port": int(ports.get("To", 0)),
        "cidr_block": entry.get("CidrBlock", ""),
        "ipv6_cidr_block": entry.get("Ipv6CidrBlock", ""),
        "icmp_type": int(icmp.get("Type", 0)),
        "icmp_code": int(icmp.get("Code", 0)),
    }


def _nacl_rules(entries: Any, *, egress: bool) -> list[dict[str, Any]]:
    chosen = [
        _nacl_entry(e)
        for e in entries or []
        if bool(e.get("Egress")) is egress and int(e.get("RuleNumber", 0)) not in _IMPLICIT_NACL_RULES
    ]
    return sorted(chosen, key=lambda r: r["rule_no"])


def _network_acls(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    for acl in ctx.items(ec2, "describe_network_acls", "NetworkAcls", each=("NetworkAclId",)):
        acl_id = acl["NetworkAclId"]
        arn = ec2_arn(ctx, "network-acl", acl_id)
        entries = acl.get("Entries")
        yield ctx.resource(
            "aws_network_acl",
            arn,
            name=name_tag(acl.get("Tags"), acl_id),
            tags=acl.get("Tags") or [],
            attributes={
                "id": acl_id,
                "arn": arn,
                "vpc_id": acl.get("VpcId"),
                "owner_id": acl.get("OwnerId", ctx.account),
                "subnet_ids": sorted({a["SubnetId"] for a in acl.get("Associations") or [] if a.get("SubnetId")}),
                "ingress": _nacl_rules(entries, egress=False),
                "egress": _nacl_rules(entries, egress=True),
                "is_default": sent(acl, "IsDefault", bool),
            },
        )


def _rule_fold(terraform_type: str, attribute: str, convert: Callable[[Mapping[str, Any]], Any]) -> Fold:
    """A rule resource folds into its group's ``ingress`` or ``egress``; ``type`` says which, when it has one."""

    def applies(values: Mapping[str, Any]) -> bool:
        kind = values.get("type")
        return not isinstance(kind, str) or kind == attribute

    return Fold(
        terraform_type,
        attribute,
        convert,
        reference="security_group_id",
        merge="append",
        match=("id",),
        when=applies,
        covered=rule_covered,
        without=rule_without,
    )


SECURITY_GROUP = ResourceType(
    "aws_security_group",
    SECURITY_GROUP_ATTRIBUTES,
    sorted_blocks=("ingress", "egress"),
    folds=(
        _rule_fold("aws_security_group_rule", "ingress", rule_block),
        _rule_fold("aws_security_group_rule", "egress", rule_block),
        _rule_fold("aws_vpc_security_group_ingress_rule", "ingress", source_rule_block),
        _rule_fold("aws_vpc_security_group_egress_rule", "egress", source_rule_block),
    ),
    terraform_aliases={"aws_default_security_group": {"name": "default"}},
    # A new group has no rule but those configured: Terraform revokes the default egress rule AWS adds.
    created_empty=(("ingress", "ingress", []), ("egress", "egress", [])),
    drift_ignore=("name",),
    made_by_aws=(("name", "default"),),
)

NETWORK_ACL = ResourceType(
    "aws_network_acl",
    NETWORK_ACL_ATTRIBUTES,
    name_path="tags.Name",
    sorted_blocks=("ingress", "egress"),
    made_by_aws=(("is_default", True),),
)

COLLECTORS = (
    Collector(
        name="ec2.security_groups",
        service="ec2",
        resource_types=(SECURITY_GROUP,),
        calls=("ec2:DescribeSecurityGroups",),
        collect=_security_groups,
        description="Every security group in the region, with its rules as Terraform ingress/egress blocks.",
        notes=(
            "`id` is the group id (`sg-...`), the resource's `id` its ARN. Each AWS IpPermission becomes one "
            "block per distinct rule description, so no description is lost; `protocol` is AWS's value "
            "(`tcp`, `udp`, `icmp`, `-1` or a protocol number), and all-traffic rules (`-1`) have "
            "`from_port` and `to_port` 0 as in Terraform. `security_groups` lists referenced group ids, "
            "`account/sg-id` for another account's group; a rule naming the group itself sets `self: true` "
            "instead. Lists are sorted; blocks by (protocol, from_port, to_port, description). moto's "
            "default security group has the allow-all egress rule but not the self-referencing ingress "
            "rule AWS creates, so a check that default groups are empty sees only the egress rule there."
        ),
    ),
    Collector(
        name="ec2.network_acls",
        service="ec2",
        resource_types=(NETWORK_ACL,),
        calls=("ec2:DescribeNetworkAcls",),
        collect=_network_acls,
        description="Every network ACL in the region, default ACLs included, with Terraform rule blocks.",
        notes=(
            "`name` is the Name tag, else the ACL id. `ingress` and `egress` are sorted by `rule_no`; "
            "`protocol` is AWS's value (`-1`, `6`, `17`, ...), ports and ICMP type/code are 0 and CIDRs "
            '`""` where AWS gives none, as in Terraform\'s state. The catch-all deny rules AWS adds to '
            "every ACL (rule 32767, and 32768 for IPv6) are left out, as Terraform does: they cannot be "
            "changed. `is_default` is the VPC's default ACL. moto adds the catch-all rules to default ACLs "
            "only; they are dropped either way."
        ),
    ),
)
