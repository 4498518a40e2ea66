"""VPCs and what shapes them: flow logs, subnets and VPC endpoints.

Every type here is regional. The VPC carries the flow logs and endpoints
that serve it (``flow_logs``, ``vpc_endpoints``), so one check reads "this
VPC logs rejected traffic" or "this VPC reaches ECR privately" on the VPC
itself; each flow log and endpoint is also a resource of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.aws._ec2_shared import ec2_arn, name_tag, texts
from unify.model.policy_document import parse_policy
from unify.model.resource import Resource
from unify.model.resource_type import Fold, ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

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
    "vpc_endpoints",
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

VPC_ENDPOINT_ATTRIBUTES = (
    "id",
    "arn",
    "vpc_id",
    "service_name",
    "vpc_endpoint_type",
    "state",
    "policy",
    "private_dns_enabled",
    "subnet_ids",
    "route_table_ids",
    "security_group_ids",
    "owner_id",
)
SUBNET_ATTRIBUTES = (
    "id",
    "arn",
    "vpc_id",
    "cidr_block",
    "ipv6_cidr_block",
    "availability_zone",
    "availability_zone_id",
    "map_public_ip_on_launch",
    "assign_ipv6_address_on_creation",
    "ipv6_native",
    "owner_id",
    # extras only observation can see
    "default_for_az",
)

#: Endpoint states after which the endpoint carries no traffic: not counted on its VPC.
_GONE_ENDPOINT_STATES = frozenset({"deleting", "deleted", "rejected", "failed", "expired"})


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
    arn = ec2_arn(ctx, "vpc-flow-log", flow_id)
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
        name=name_tag(flow.get("Tags"), flow_id),
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
    endpoints = sorted(
        ctx.items(ec2, "describe_vpc_endpoints", "VpcEndpoints", each=("VpcEndpointId", "VpcId", "ServiceName")),
        key=lambda e: e["VpcEndpointId"],
    )
    serving: dict[str, list[dict[str, Any]]] = {}
    for endpoint in endpoints:
        if endpoint.get("State") not in _GONE_ENDPOINT_STATES:
            serving.setdefault(endpoint["VpcId"], []).append(_endpoint_summary(endpoint))
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
            continue  # deleted between the listing and now (not seen when the attribute calls are skipped)
        vpc_id = vpc["VpcId"]
        arn = ec2_arn(ctx, "vpc", vpc_id)
        yield ctx.resource(
            "aws_vpc",
            arn,
            name=name_tag(vpc.get("Tags"), vpc_id),
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
                "vpc_endpoints": serving.get(vpc_id, []),
            },
        )
    for flow in flows:
        yield _flow_log(ctx, flow)
    for endpoint in endpoints:
        yield _endpoint(ctx, endpoint)


# -- VPC endpoints --------------------------------------------------------------------------


def _endpoint_summary(endpoint: Mapping[str, Any]) -> dict[str, Any]:
    """An endpoint as its VPC's ``vpc_endpoints`` item: which service, and how it is reached."""
    return {
        "id": endpoint["VpcEndpointId"],
        "service_name": endpoint["ServiceName"],
        "vpc_endpoint_type": endpoint.get("VpcEndpointType", "Gateway"),
    }


def _endpoint(ctx: CollectContext, endpoint: Mapping[str, Any]) -> Resource:
    endpoint_id = endpoint["VpcEndpointId"]
    arn = ec2_arn(ctx, "vpc-endpoint", endpoint_id)
    document = endpoint.get("PolicyDocument")
    return ctx.resource(
        "aws_vpc_endpoint",
        arn,
        name=name_tag(endpoint.get("Tags"), endpoint_id),
        tags=endpoint.get("Tags") or [],
        attributes={
            "id": endpoint_id,
            "arn": arn,
            "vpc_id": endpoint["VpcId"],
            "service_name": endpoint["ServiceName"],
            # "Gateway" is the type of an endpoint created without one (EC2 API reference, CreateVpcEndpoint).
            "vpc_endpoint_type": endpoint.get("VpcEndpointType", "Gateway"),
            "state": sent(endpoint, "State"),
            "policy": parse_policy(document) if document else ABSENT,
            "private_dns_enabled": sent(endpoint, "PrivateDnsEnabled", bool),
            "subnet_ids": texts(endpoint.get("SubnetIds")),
            "route_table_ids": texts(endpoint.get("RouteTableIds")),
            "security_group_ids": texts(endpoint.get("Groups"), "GroupId"),
            "owner_id": endpoint.get("OwnerId", ctx.account),
        },
    )


def _endpoint_item(values: Mapping[str, Any]) -> dict[str, Any]:
    """A planned endpoint as its VPC's ``vpc_endpoints`` item (the provider's default type is Gateway)."""
    item = {
        "id": values.get("id"),
        "service_name": values.get("service_name"),
        "vpc_endpoint_type": values.get("vpc_endpoint_type") or "Gateway",
    }
    return {k: v for k, v in item.items() if v not in (None, "")}


# -- subnets --------------------------------------------------------------------------------


def _subnets(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    for subnet in ctx.items(ec2, "describe_subnets", "Subnets", each=("SubnetId",)):
        subnet_id = subnet["SubnetId"]
        arn = subnet.get("SubnetArn") or ec2_arn(ctx, "subnet", subnet_id)
        ipv6 = [
            a["Ipv6CidrBlock"]
            for a in subnet.get("Ipv6CidrBlockAssociationSet") or []
            if (a.get("Ipv6CidrBlockState") or {}).get("State") == "associated" and a.get("Ipv6CidrBlock")
        ]
        yield ctx.resource(
            "aws_subnet",
            arn,
            name=name_tag(subnet.get("Tags"), subnet_id),
            tags=subnet.get("Tags") or [],
            attributes={
                "id": subnet_id,
                "arn": arn,
                "vpc_id": subnet.get("VpcId"),
                "cidr_block": subnet.get("CidrBlock"),
                "ipv6_cidr_block": ipv6[0] if ipv6 else ABSENT,
                "availability_zone": subnet.get("AvailabilityZone"),
                "availability_zone_id": subnet.get("AvailabilityZoneId", ABSENT),
                "map_public_ip_on_launch": sent(subnet, "MapPublicIpOnLaunch", bool),
                "assign_ipv6_address_on_creation": sent(subnet, "AssignIpv6AddressOnCreation", bool),
                "ipv6_native": subnet.get("Ipv6Native", ABSENT),
                "owner_id": subnet.get("OwnerId", ctx.account),
                "default_for_az": sent(subnet, "DefaultForAz", bool),
            },
        )


def _flow_log_item(values: Mapping[str, Any]) -> dict[str, Any]:
    """A flow log as its VPC's ``flow_logs`` item (the collector's keys); AWS makes every flow log ``ACTIVE``."""
    keys = ("id", "traffic_type", "log_destination_type", "log_destination")
    item = {"status": "ACTIVE", **{k: values.get(k) for k in keys}}
    return {k: v for k, v in item.items() if v not in (None, "")}


VPC = ResourceType(
    "aws_vpc",
    VPC_ATTRIBUTES,
    observed_only=("flow_logs", "vpc_endpoints"),
    name_path="tags.Name",
    defaults={"enable_dns_support": True, "enable_dns_hostnames": False, "instance_tenancy": "default"},
    # One DescribeVpcAttribute per setting; everything else comes from the region's listings.
    sources={"ec2:DescribeVpcAttribute": ("enable_dns_support", "enable_dns_hostnames")},
    folds=(
        Fold(
            "aws_vpc_endpoint",
            "vpc_endpoints",
            _endpoint_item,
            reference="vpc_id",
            merge="append",
            match=("id",),
            keep=True,
            order=lambda item: str(item.get("id")),
        ),
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
    created_empty=(("flow_logs", None, []), ("vpc_endpoints", None, [])),
    drift_ignore=("flow_logs", "vpc_endpoints", "dhcp_options_id"),
    made_by_aws=(("default", True),),
)

FLOW_LOG = ResourceType(
    "aws_flow_log",
    FLOW_LOG_ATTRIBUTES,
    name_path="tags.Name",
)

VPC_ENDPOINT = ResourceType(
    "aws_vpc_endpoint",
    VPC_ENDPOINT_ATTRIBUTES,
    name_path="tags.Name",
    # Provider defaults (Terraform AWS provider, aws_vpc_endpoint): a Gateway endpoint, private DNS off.
    defaults={"vpc_endpoint_type": "Gateway", "private_dns_enabled": False},
    drift_ignore=("state",),
)

SUBNET = ResourceType(
    "aws_subnet",
    SUBNET_ATTRIBUTES,
    observed_only=("default_for_az",),
    name_path="tags.Name",
    # Provider defaults (Terraform AWS provider, aws_subnet): no public IPv4 or IPv6 address on launch.
    defaults={"map_public_ip_on_launch": False, "assign_ipv6_address_on_creation": False},
    made_by_aws=(("default_for_az", True),),
)

COLLECTORS = (
    Collector(
        name="ec2.vpcs",
        service="ec2",
        resource_types=(VPC, FLOW_LOG, VPC_ENDPOINT),
        calls=("ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:DescribeFlowLogs", "ec2:DescribeVpcEndpoints"),
        collect=_vpcs,
        description="Every VPC in the region with its DNS settings, flow logs and endpoints; every flow log and "
        "every VPC endpoint.",
        notes=(
            "One DescribeFlowLogs and one DescribeVpcEndpoints per region feed all three types. "
            "`aws_vpc.flow_logs` lists the flow logs "
            "whose resource is the VPC itself (`[{id, status, traffic_type, log_destination_type, "
            "log_destination}]`, sorted by id, `[]` when none; subnet and interface flow logs are not "
            "counted). `default` is IsDefault (the provider's data source name). `enable_dns_support` and "
            "`enable_dns_hostnames` come from one DescribeVpcAttribute each. `ipv6_cidr_block` is the "
            "associated Amazon or BYOIP IPv6 block, absent when none. An `aws_flow_log` has exactly one of "
            "`vpc_id`, `subnet_id`, `eni_id`, `transit_gateway_id`, `transit_gateway_attachment_id`, from "
            "the watched resource's id; `resource_id` always holds it. Flow logs delivering to CloudWatch "
            "Logs by group name have `log_group_name` and may have no `log_destination`. "
            "`aws_vpc.vpc_endpoints` lists the endpoints in the VPC that still carry traffic "
            "(`[{id, service_name, vpc_endpoint_type}]`, sorted by id; deleted, rejected and failed ones are "
            "left out). An endpoint's `policy` is its parsed policy document; `vpc_endpoint_type` is "
            "`Gateway` when AWS sends none, as CreateVpcEndpoint documents."
        ),
    ),
    Collector(
        name="ec2.subnets",
        service="ec2",
        resource_types=(SUBNET,),
        calls=("ec2:DescribeSubnets",),
        collect=_subnets,
        description="Every subnet in the region, default subnets included.",
        notes=(
            "`map_public_ip_on_launch` and `assign_ipv6_address_on_creation` are AWS's MapPublicIpOnLaunch "
            "and AssignIpv6AddressOnCreation; `default_for_az` marks the default subnets AWS makes (never "
            "unmanaged in drift). `ipv6_cidr_block` is the associated IPv6 block, absent when none."
        ),
    ),
)
