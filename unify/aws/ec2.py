"""EC2 and VPC: security groups, network ACLs, VPCs and flow logs, instances, EBS volumes and EBS defaults.

Every type here is regional. Rules are normalised into the block shapes the
Terraform AWS provider keeps in its state (``ingress``/``egress`` lists of
mappings), so one check reads a live observation and a plan alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

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
VPC_ATTRIBUTES = (
    "id",
    "arn",
    "cidr_block",
    "instance_tenancy",
    "owner_id",
    "dhcp_options_id",
    "ipv6_cidr_block",
    "default",
    "enable_dns_support",
    "enable_dns_hostnames",
    # extras only observation can see
    "flow_logs",
)
FLOW_LOG_ATTRIBUTES = (
    "id",
    "arn",
    "traffic_type",
    "log_destination_type",
    "log_destination",
    "log_group_name",
    "iam_role_arn",
    "max_aggregation_interval",
    "log_format",
    "vpc_id",
    "subnet_id",
    "eni_id",
    "transit_gateway_id",
    "transit_gateway_attachment_id",
    # extras only observation can see
    "resource_id",
    "flow_log_status",
    "deliver_logs_status",
)
INSTANCE_ATTRIBUTES = (
    "id",
    "arn",
    "ami",
    "instance_type",
    "instance_state",
    "availability_zone",
    "subnet_id",
    "vpc_security_group_ids",
    "public_ip",
    "private_ip",
    "key_name",
    "iam_instance_profile",
    "metadata_options",
    "monitoring",
    "ebs_optimized",
    # extras only observation can see
    "iam_instance_profile_arn",
    "launch_time",
)
VOLUME_ATTRIBUTES = (
    "id",
    "arn",
    "availability_zone",
    "encrypted",
    "kms_key_id",
    "size",
    "type",
    "iops",
    "throughput",
    "snapshot_id",
    "multi_attach_enabled",
    # extras only observation can see
    "create_time",
    "state",
    "attachments",
)
ENCRYPTION_BY_DEFAULT_ATTRIBUTES = ("configured", "enabled", "default_kms_key_id")

#: NACL rule numbers AWS adds to every ACL and nobody can change: the IPv4 and IPv6 catch-all denies.
_IMPLICIT_NACL_RULES = frozenset({32767, 32768})


# The EC2 protocol leaves an empty list out of its answers (an untagged group has no Tags, a group without
# rules no IpPermissions): here an absent list is an empty one, unlike in the JSON protocols.


def _name_tag(tags: Any, fallback: str) -> str:
    """The ``Name`` tag, the only name EC2 networking resources have, else their id."""
    for tag in tags or []:
        if tag.get("Key") == "Name" and tag.get("Value"):
            return str(tag["Value"])
    return fallback


def _ec2_arn(ctx: CollectContext, kind: str, id_: str) -> str:
    return ctx.arn("ec2", f"{kind}/{id_}")


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
        arn = _ec2_arn(ctx, "security-group", group_id)
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
        arn = _ec2_arn(ctx, "network-acl", acl_id)
        entries = acl.get("Entries")
        yield ctx.resource(
            "aws_network_acl",
            arn,
            name=_name_tag(acl.get("Tags"), acl_id),
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


# -- VPCs and flow logs ---------------------------------------------------------------

#: Which Terraform attribute names the resource a flow log watches, by id prefix (longest first).
_FLOW_LOG_TARGETS = (
    ("tgw-attach-", "transit_gateway_attachment_id"),
    ("tgw-", "transit_gateway_id"),
    ("vpc-", "vpc_id"),
    ("subnet-", "subnet_id"),
    ("eni-", "eni_id"),
)


def _flow_log(ctx: CollectContext, flow: Mapping[str, Any]) -> Resource:
    flow_id = flow["FlowLogId"]
    resource_id = str(flow.get("ResourceId", ""))
    arn = _ec2_arn(ctx, "vpc-flow-log", flow_id)
    attributes: dict[str, Any] = {
        "id": flow_id,
        "arn": arn,
        "traffic_type": flow.get("TrafficType", ABSENT),
        "log_destination_type": flow.get("LogDestinationType", ABSENT),
        "log_destination": flow.get("LogDestination") or ABSENT,
        "log_group_name": flow.get("LogGroupName") or ABSENT,
        "iam_role_arn": flow.get("DeliverLogsPermissionArn") or ABSENT,
        "max_aggregation_interval": flow.get("MaxAggregationInterval", ABSENT),
        "log_format": flow.get("LogFormat", ABSENT),
    }
    for prefix, attribute in _FLOW_LOG_TARGETS:
        if resource_id.startswith(prefix):
            attributes[attribute] = resource_id
            break
    attributes.update(
        {
            "resource_id": resource_id,
            "flow_log_status": flow.get("FlowLogStatus", ABSENT),
            "deliver_logs_status": flow.get("DeliverLogsStatus", ABSENT),
        }
    )
    return ctx.resource(
        "aws_flow_log",
        arn,
        name=_name_tag(flow.get("Tags"), flow_id),
        tags=flow.get("Tags") or [],
        attributes=attributes,
    )


def _flow_log_summary(flow: Mapping[str, Any]) -> dict[str, Any]:
    """A flow log as the VPC's ``flow_logs`` item; keys AWS does not give are left out."""
    summary = {
        "id": flow["FlowLogId"],
        "status": flow.get("FlowLogStatus"),
        "traffic_type": flow.get("TrafficType"),
        "log_destination_type": flow.get("LogDestinationType"),
        "log_destination": flow.get("LogDestination"),
    }
    return {k: v for k, v in summary.items() if v is not None}


def _ipv6_cidr(vpc: Mapping[str, Any]) -> Any:
    for association in vpc.get("Ipv6CidrBlockAssociationSet") or []:
        state = (association.get("Ipv6CidrBlockState") or {}).get("State")
        if state == "associated" and association.get("Ipv6CidrBlock"):
            return association["Ipv6CidrBlock"]
    return ABSENT


def _vpcs(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    vpcs = list(ctx.items(ec2, "describe_vpcs", "Vpcs", each=("VpcId",)))
    # One listing for the whole region, rather than one filtered call per VPC.
    flows = sorted(ctx.items(ec2, "describe_flow_logs", "FlowLogs", each=("FlowLogId",)), key=lambda f: f["FlowLogId"])
    by_resource: dict[str, list[dict[str, Any]]] = {}
    for flow in flows:
        by_resource.setdefault(str(flow.get("ResourceId", "")), []).append(_flow_log_summary(flow))

    def dns(vpc_id: str) -> tuple[Any, Any]:
        """The two DNS settings, which DescribeVpcs does not return: one DescribeVpcAttribute each."""

        def attribute(name: str, key: str) -> Any:
            return ctx.detail(
                lambda: bool(
                    ctx.call(ec2, "describe_vpc_attribute", VpcId=vpc_id, Attribute=name, expect=(f"{key}.Value",))[
                        key
                    ]["Value"]
                ),
                absent=("InvalidVpcID.NotFound",),
            )

        return attribute("enableDnsSupport", "EnableDnsSupport"), attribute("enableDnsHostnames", "EnableDnsHostnames")

    settings = ctx.map(dns, [vpc["VpcId"] for vpc in vpcs])
    for vpc, (dns_support, dns_hostnames) in zip(vpcs, settings, strict=True):
        if dns_support is ABSENT or dns_hostnames is ABSENT:
            continue  # deleted between the listing and now
        vpc_id = vpc["VpcId"]
        arn = _ec2_arn(ctx, "vpc", vpc_id)
        yield ctx.resource(
            "aws_vpc",
            arn,
            name=_name_tag(vpc.get("Tags"), vpc_id),
            tags=vpc.get("Tags") or [],
            attributes={
                "id": vpc_id,
                "arn": arn,
                "cidr_block": vpc.get("CidrBlock"),
                "instance_tenancy": vpc.get("InstanceTenancy"),
                "owner_id": vpc.get("OwnerId", ctx.account),
                "dhcp_options_id": vpc.get("DhcpOptionsId", ABSENT),
                "ipv6_cidr_block": _ipv6_cidr(vpc),
                "default": sent(vpc, "IsDefault", bool),
                "enable_dns_support": dns_support,
                "enable_dns_hostnames": dns_hostnames,
                "flow_logs": by_resource.get(vpc_id, []),
            },
        )
    for flow in flows:
        yield _flow_log(ctx, flow)


# -- instances --------------------------------------------------------------------------


def _instance_security_groups(instance: Mapping[str, Any]) -> list[str]:
    """The instance's groups; moto leaves ``SecurityGroups`` empty for a subnet launch without
    explicit groups, so fall back to the primary network interface's groups (the same set on AWS)."""
    groups = instance.get("SecurityGroups") or []
    if not groups:
        for interface in instance.get("NetworkInterfaces") or []:
            if (interface.get("Attachment") or {}).get("DeviceIndex", 0) == 0:
                groups = interface.get("Groups") or []
                break
    return sorted({g["GroupId"] for g in groups if g.get("GroupId")})


def _metadata_options(options: Mapping[str, Any] | None) -> Any:
    if not options:
        return ABSENT
    block = {
        "http_endpoint": options.get("HttpEndpoint"),
        "http_tokens": options.get("HttpTokens"),
        "http_put_response_hop_limit": options.get("HttpPutResponseHopLimit"),
        "http_protocol_ipv6": options.get("HttpProtocolIpv6"),
        "instance_metadata_tags": options.get("InstanceMetadataTags"),
    }
    return {k: v for k, v in block.items() if v is not None}


def _instance(ctx: CollectContext, instance: Mapping[str, Any]) -> Resource:
    instance_id = instance["InstanceId"]
    arn = _ec2_arn(ctx, "instance", instance_id)
    profile_arn = (instance.get("IamInstanceProfile") or {}).get("Arn")
    return ctx.resource(
        "aws_instance",
        arn,
        name=_name_tag(instance.get("Tags"), instance_id),
        tags=instance.get("Tags") or [],
        attributes={
            "id": instance_id,
            "arn": arn,
            "ami": instance.get("ImageId"),
            "instance_type": instance.get("InstanceType"),
            "instance_state": (instance.get("State") or {}).get("Name"),
            "availability_zone": (instance.get("Placement") or {}).get("AvailabilityZone"),
            "subnet_id": instance.get("SubnetId") or ABSENT,
            "vpc_security_group_ids": _instance_security_groups(instance),
            "public_ip": instance.get("PublicIpAddress") or ABSENT,
            "private_ip": instance.get("PrivateIpAddress") or ABSENT,
            "key_name": instance.get("KeyName") or ABSENT,
            # Terraform keeps the profile's name; the ARN's last segment is it (paths come before).
            "iam_instance_profile": profile_arn.rsplit("/", 1)[-1] if profile_arn else ABSENT,
            "metadata_options": _metadata_options(instance.get("MetadataOptions")),
            "monitoring": (instance.get("Monitoring") or {}).get("State") == "enabled",
            "ebs_optimized": sent(instance, "EbsOptimized", bool),
            "iam_instance_profile_arn": profile_arn or ABSENT,
            "launch_time": instance.get("LaunchTime", ABSENT),
        },
    )


def _instances(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    for reservation in ctx.items(ec2, "describe_instances", "Reservations"):
        for instance in reservation.get("Instances") or []:
            # Terminated instances linger in the listing for about an hour; they are gone.
            if (instance.get("State") or {}).get("Name") == "terminated":
                continue
            yield _instance(ctx, instance)


# -- EBS ------------------------------------------------------------------------------------


def _volumes(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    for volume in ctx.items(ec2, "describe_volumes", "Volumes", each=("VolumeId",)):
        volume_id = volume["VolumeId"]
        arn = _ec2_arn(ctx, "volume", volume_id)
        attachments = sorted(
            (
                {"instance_id": a.get("InstanceId"), "device": a.get("Device"), "state": a.get("State")}
                for a in volume.get("Attachments") or []
            ),
            key=lambda a: (str(a["instance_id"]), str(a["device"]), str(a["state"])),
        )
        yield ctx.resource(
            "aws_ebs_volume",
            arn,
            name=_name_tag(volume.get("Tags"), volume_id),
            tags=volume.get("Tags") or [],
            attributes={
                "id": volume_id,
                "arn": arn,
                "availability_zone": volume.get("AvailabilityZone"),
                "encrypted": sent(volume, "Encrypted", bool),
                "kms_key_id": volume.get("KmsKeyId") or ABSENT,
                "size": volume.get("Size"),
                "type": volume.get("VolumeType"),
                "iops": volume.get("Iops", ABSENT),
                "throughput": volume.get("Throughput", ABSENT),
                "snapshot_id": volume.get("SnapshotId") or ABSENT,
                "multi_attach_enabled": sent(volume, "MultiAttachEnabled", bool),
                "create_time": volume.get("CreateTime", ABSENT),
                "state": volume.get("State"),
                "attachments": attachments,
            },
        )


def _encryption_by_default(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    enabled = bool(
        ctx.call(ec2, "get_ebs_encryption_by_default", expect=("EbsEncryptionByDefault",))["EbsEncryptionByDefault"]
    )
    key_id = ctx.detail(lambda: ctx.call(ec2, "get_ebs_default_kms_key_id", expect=("KmsKeyId",))["KmsKeyId"])
    yield ctx.resource(
        "aws_ebs_encryption_by_default",
        f"{ctx.account}/{ctx.region}/aws_ebs_encryption_by_default",
        name=None,
        attributes={"configured": True, "enabled": enabled, "default_kms_key_id": key_id},
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


def _flow_log_item(values: Mapping[str, Any]) -> dict[str, Any]:
    """A flow log as its VPC's ``flow_logs`` item (the collector's keys); AWS makes every flow log ``ACTIVE``."""
    keys = ("id", "traffic_type", "log_destination_type", "log_destination")
    item = {"status": "ACTIVE", **{k: values.get(k) for k in keys}}
    return {k: v for k, v in item.items() if v not in (None, "")}


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

VPC = ResourceType(
    "aws_vpc",
    VPC_ATTRIBUTES,
    observed_only=("flow_logs",),
    name_path="tags.Name",
    defaults={"enable_dns_support": True, "enable_dns_hostnames": False, "instance_tenancy": "default"},
    folds=(
        Fold(
            "aws_flow_log",
            "flow_logs",
            _flow_log_item,
            reference="vpc_id",
            merge="append",
            match=("id",),
            when=lambda values: values.get("vpc_id") is not None,
            keep=True,
            order=lambda item: str(item.get("id")),
        ),
    ),
    created_empty=(("flow_logs", None, []),),
    drift_ignore=("flow_logs", "dhcp_options_id"),
    made_by_aws=(("default", True),),
)

FLOW_LOG = ResourceType(
    "aws_flow_log",
    FLOW_LOG_ATTRIBUTES,
    name_path="tags.Name",
)

INSTANCE = ResourceType(
    "aws_instance",
    INSTANCE_ATTRIBUTES,
    name_path="tags.Name",
    single_blocks=("metadata_options",),
    drift_ignore=("instance_state", "launch_time", "public_ip", "private_ip"),
)

VOLUME = ResourceType(
    "aws_ebs_volume",
    VOLUME_ATTRIBUTES,
    observed_only=("attachments",),
    name_path="tags.Name",
    drift_ignore=("state", "attachments"),
)

ENCRYPTION_BY_DEFAULT = ResourceType(
    "aws_ebs_encryption_by_default",
    ENCRYPTION_BY_DEFAULT_ATTRIBUTES,
    singleton=True,
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
    Collector(
        name="ec2.vpcs",
        service="ec2",
        resource_types=(
            VPC,
            FLOW_LOG,
        ),
        calls=("ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:DescribeFlowLogs"),
        collect=_vpcs,
        description="Every VPC in the region with its DNS settings and flow logs, and every flow log.",
        notes=(
            "One DescribeFlowLogs per region feeds both types. `aws_vpc.flow_logs` lists the flow logs "
            "whose resource is the VPC itself (`[{id, status, traffic_type, log_destination_type, "
            "log_destination}]`, sorted by id, `[]` when none; subnet and interface flow logs are not "
            "counted). `default` is IsDefault (the provider's data source name). `enable_dns_support` and "
            "`enable_dns_hostnames` come from one DescribeVpcAttribute each. `ipv6_cidr_block` is the "
            "associated Amazon or BYOIP IPv6 block, absent when none. An `aws_flow_log` has exactly one of "
            "`vpc_id`, `subnet_id`, `eni_id`, `transit_gateway_id`, `transit_gateway_attachment_id`, from "
            "the watched resource's id; `resource_id` always holds it. Flow logs delivering to CloudWatch "
            "Logs by group name have `log_group_name` and may have no `log_destination`."
        ),
    ),
    Collector(
        name="ec2.instances",
        service="ec2",
        resource_types=(INSTANCE,),
        calls=("ec2:DescribeInstances",),
        collect=_instances,
        description="Every EC2 instance in the region that is not terminated.",
        notes=(
            "`iam_instance_profile` is the profile name (Terraform's value), `iam_instance_profile_arn` "
            "its ARN. `metadata_options.http_tokens` is `required` when IMDSv2 is enforced. `monitoring` "
            "is true for detailed monitoring. `public_ip` and `key_name` are absent when the instance "
            "has none. moto leaves `SecurityGroups` empty for an instance launched into a subnet without "
            "explicit groups; `vpc_security_group_ids` then comes from the primary network interface."
        ),
    ),
    Collector(
        name="ec2.volumes",
        service="ec2",
        resource_types=(VOLUME,),
        calls=("ec2:DescribeVolumes",),
        collect=_volumes,
        description="Every EBS volume in the region.",
        notes=(
            "`kms_key_id`, `iops`, `throughput` and `snapshot_id` are absent when AWS gives none (or an "
            "empty snapshot id). `attachments` is `[{instance_id, device, state}]`, sorted. moto creates "
            "the `alias/aws/ebs` key for volumes encrypted without a key and reports it with "
            "`key_manager: CUSTOMER` (AWS: `AWS`), and does not apply encryption by default to new "
            "volumes."
        ),
    ),
    Collector(
        name="ec2.ebs_encryption_by_default",
        service="ec2",
        resource_types=(ENCRYPTION_BY_DEFAULT,),
        calls=("ec2:GetEbsEncryptionByDefault", "ec2:GetEbsDefaultKmsKeyId"),
        collect=_encryption_by_default,
        description="The region's EBS encryption-by-default setting (one singleton per account and region).",
        notes=(
            "Always present once observed, with `configured: true` (the setting always has a value); "
            "`enabled` is GetEbsEncryptionByDefault. `default_kms_key_id` is the key new volumes get "
            "(GetEbsDefaultKmsKeyId). moto does not implement GetEbsDefaultKmsKeyId, so there "
            '`default_kms_key_id` is `{"$unknown": ...}`.'
        ),
    ),
)
