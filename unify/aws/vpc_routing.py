"""VPC routing: route tables, peering connections, internet and NAT gateways, Elastic IPs.

Every type here is regional. Routes are kept in the block shape of the
Terraform AWS provider's ``aws_route_table.route`` (every target key
present, ``""`` where unset), so a check over routes reads a plan and an
observation alike; routes written as ``aws_route`` resources fold in. A
peering connection carries the routes of this account's route tables that
send traffic through it, each saying whether it opens a whole VPC to the
peer (CIS AWS Foundations 6.6 asks for routes no wider than needed).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

from unify.aws._ec2_shared import blank, ec2_arn, name_tag, present, texts
from unify.model.resource import Resource
from unify.model.resource_type import Fold, ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent
from unify.terraform.shapes import block_order

ROUTE_TABLE_ATTRIBUTES = (
    "id",
    "arn",
    "vpc_id",
    "owner_id",
    "route",
    "propagating_vgws",
    # extras only observation can see
    "main",
    "associations",
)
PEERING_ATTRIBUTES = (
    "id",
    "arn",
    "vpc_id",
    "peer_vpc_id",
    "peer_owner_id",
    "peer_region",
    "accept_status",
    "requester",
    "accepter",
    # extras only observation can see
    "requester_cidr_blocks",
    "accepter_cidr_blocks",
    "routes",
)
INTERNET_GATEWAY_ATTRIBUTES = ("id", "arn", "vpc_id", "owner_id")
NAT_GATEWAY_ATTRIBUTES = (
    "id",
    "arn",
    "subnet_id",
    "connectivity_type",
    "allocation_id",
    "public_ip",
    "private_ip",
    "network_interface_id",
    # extras only observation can see
    "vpc_id",
    "state",
)
EIP_ATTRIBUTES = (
    "id",
    "arn",
    "allocation_id",
    "association_id",
    "domain",
    "instance",
    "network_interface",
    "private_ip",
    "public_ip",
    "public_ipv4_pool",
)

#: The target keys of a route block, as Terraform's ``aws_route_table.route`` writes them (``""`` when unset).
ROUTE_TARGETS: Final = {
    "carrier_gateway_id": "CarrierGatewayId",
    "core_network_arn": "CoreNetworkArn",
    "egress_only_gateway_id": "EgressOnlyInternetGatewayId",
    "gateway_id": "GatewayId",
    "local_gateway_id": "LocalGatewayId",
    "nat_gateway_id": "NatGatewayId",
    "network_interface_id": "NetworkInterfaceId",
    "transit_gateway_id": "TransitGatewayId",
    "vpc_endpoint_id": "VpcEndpointId",
    "vpc_peering_connection_id": "VpcPeeringConnectionId",
}
_DESTINATIONS: Final = {
    "cidr_block": "DestinationCidrBlock",
    "ipv6_cidr_block": "DestinationIpv6CidrBlock",
    "destination_prefix_list_id": "DestinationPrefixListId",
}
#: Peering connections in these states carry no traffic and linger in the listing for a while.
_GONE_PEERINGS: Final = frozenset({"deleted", "rejected", "expired", "failed"})
_GONE_NAT_GATEWAYS: Final = frozenset({"deleted", "deleting", "failed"})


# -- route tables ----------------------------------------------------------------------------


def _kept_route(route: Mapping[str, Any]) -> bool:
    """Whether Terraform's ``route`` would hold it: not the VPC's local route, not propagated from a VPN
    gateway, not a gateway endpoint's route (their own resources manage those)."""
    gateway = str(route.get("GatewayId") or "")
    return gateway != "local" and not gateway.startswith("vpce-") and route.get("Origin") != "EnableVgwRoutePropagation"


def _route_block(route: Mapping[str, Any]) -> dict[str, Any]:
    block = {key: blank(route, aws) for key, aws in _DESTINATIONS.items()}
    block.update({key: blank(route, aws) for key, aws in ROUTE_TARGETS.items()})
    return block


def _route_tables(ctx: CollectContext, tables: Iterable[Mapping[str, Any]]) -> Iterator[Resource]:
    for table in tables:
        table_id = table["RouteTableId"]
        arn = ec2_arn(ctx, "route-table", table_id)
        associations = sorted(
            (
                {
                    "subnet_id": blank(a, "SubnetId"),
                    "gateway_id": blank(a, "GatewayId"),
                    "main": bool(a.get("Main")),
                }
                for a in table.get("Associations") or []
                if (a.get("AssociationState") or {}).get("State", "associated") == "associated"
            ),
            key=lambda a: (a["subnet_id"], a["gateway_id"], a["main"]),
        )
        routes = [_route_block(r) for r in table.get("Routes") or [] if _kept_route(r)]
        yield ctx.resource(
            "aws_route_table",
            arn,
            name=name_tag(table.get("Tags"), table_id),
            tags=table.get("Tags") or [],
            attributes={
                "id": table_id,
                "arn": arn,
                "vpc_id": table.get("VpcId"),
                "owner_id": table.get("OwnerId", ctx.account),
                "route": sorted(routes, key=block_order),
                "propagating_vgws": texts(table.get("PropagatingVgws"), "GatewayId"),
                "main": any(a["main"] for a in associations),
                "associations": associations,
            },
        )


def _fold_route(values: Mapping[str, Any]) -> dict[str, Any]:
    """An ``aws_route`` resource as one block of its table's ``route``."""
    block = {
        "cidr_block": values.get("destination_cidr_block") or "",
        "ipv6_cidr_block": values.get("destination_ipv6_cidr_block") or "",
        "destination_prefix_list_id": values.get("destination_prefix_list_id") or "",
    }
    block.update({key: values.get(key) or "" for key in ROUTE_TARGETS})
    return block


# -- peering connections ----------------------------------------------------------------------


def _cidrs(info: Mapping[str, Any]) -> list[str]:
    blocks = [b.get("CidrBlock") for b in info.get("CidrBlockSet") or []]
    blocks += [b.get("Ipv6CidrBlock") for b in info.get("Ipv6CidrBlockSet") or []]
    blocks.append(info.get("CidrBlock"))
    return sorted({str(b) for b in blocks if b})


def _covers(destination: str, blocks: Iterable[str]) -> bool:
    """Whether a route's destination holds a whole VPC address block (or is the whole internet)."""
    try:
        network = ipaddress.ip_network(destination, strict=False)
    except ValueError:
        return False
    if network.prefixlen == 0:
        return True
    for block in blocks:
        try:
            vpc = ipaddress.ip_network(block, strict=False)
        except ValueError:
            continue
        if vpc.version == network.version and vpc.subnet_of(network):  # type: ignore[arg-type]
            return True
    return False


def _peering_options(info: Mapping[str, Any]) -> Any:
    options = info.get("PeeringOptions")
    if not isinstance(options, Mapping) or "AllowDnsResolutionFromRemoteVpc" not in options:
        return ABSENT  # options are only reported for the side of the connection this account owns
    return {"allow_remote_vpc_dns_resolution": bool(options["AllowDnsResolutionFromRemoteVpc"])}


def _peerings(
    ctx: CollectContext, peerings: Iterable[Mapping[str, Any]], tables: list[Mapping[str, Any]]
) -> Iterator[Resource]:
    for peering in peerings:
        peering_id = peering["VpcPeeringConnectionId"]
        requester = peering.get("RequesterVpcInfo") or {}
        accepter = peering.get("AccepterVpcInfo") or {}
        requester_blocks, accepter_blocks = _cidrs(requester), _cidrs(accepter)
        routes = []
        for table in tables:
            for route in table.get("Routes") or []:
                if route.get("VpcPeeringConnectionId") != peering_id:
                    continue
                destination = route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock") or ""
                routes.append(
                    {
                        "route_table_id": table["RouteTableId"],
                        "destination": destination,
                        "covers_a_whole_vpc": _covers(destination, [*requester_blocks, *accepter_blocks]),
                    }
                )
        arn = ec2_arn(ctx, "vpc-peering-connection", peering_id)
        status = peering.get("Status") or {}
        yield ctx.resource(
            "aws_vpc_peering_connection",
            arn,
            name=name_tag(peering.get("Tags"), peering_id),
            tags=peering.get("Tags") or [],
            attributes={
                "id": peering_id,
                "arn": arn,
                "vpc_id": requester.get("VpcId"),
                "peer_vpc_id": accepter.get("VpcId"),
                "peer_owner_id": accepter.get("OwnerId", ABSENT),
                "peer_region": accepter.get("Region", ABSENT),
                "accept_status": sent(status, "Code"),
                "requester": _peering_options(requester),
                "accepter": _peering_options(accepter),
                "requester_cidr_blocks": requester_blocks,
                "accepter_cidr_blocks": accepter_blocks,
                "routes": sorted(routes, key=lambda r: (r["route_table_id"], r["destination"])),
            },
        )


def _routing(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    tables = sorted(
        ctx.items(ec2, "describe_route_tables", "RouteTables", each=("RouteTableId",)),
        key=lambda t: t["RouteTableId"],
    )
    peerings = [
        p
        for p in ctx.items(
            ec2, "describe_vpc_peering_connections", "VpcPeeringConnections", each=("VpcPeeringConnectionId",)
        )
        if (p.get("Status") or {}).get("Code") not in _GONE_PEERINGS
    ]
    yield from _route_tables(ctx, tables)
    yield from _peerings(ctx, peerings, tables)


# -- gateways and addresses ------------------------------------------------------------------


def _internet_gateways(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    for gateway in ctx.items(ec2, "describe_internet_gateways", "InternetGateways", each=("InternetGatewayId",)):
        gateway_id = gateway["InternetGatewayId"]
        attached = [a["VpcId"] for a in gateway.get("Attachments") or [] if a.get("VpcId")]
        arn = ec2_arn(ctx, "internet-gateway", gateway_id)
        yield ctx.resource(
            "aws_internet_gateway",
            arn,
            name=name_tag(gateway.get("Tags"), gateway_id),
            tags=gateway.get("Tags") or [],
            attributes={
                "id": gateway_id,
                "arn": arn,
                "vpc_id": attached[0] if attached else ABSENT,
                "owner_id": gateway.get("OwnerId", ctx.account),
            },
        )


def _nat_gateways(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    for gateway in ctx.items(ec2, "describe_nat_gateways", "NatGateways", each=("NatGatewayId",)):
        if gateway.get("State") in _GONE_NAT_GATEWAYS:
            continue  # deleted gateways stay in the listing for about an hour
        gateway_id = gateway["NatGatewayId"]
        addresses = gateway.get("NatGatewayAddresses") or []
        primary: Mapping[str, Any] = next((a for a in addresses if a.get("IsPrimary", True)), {})
        arn = ec2_arn(ctx, "natgateway", gateway_id)
        yield ctx.resource(
            "aws_nat_gateway",
            arn,
            name=name_tag(gateway.get("Tags"), gateway_id),
            tags=gateway.get("Tags") or [],
            attributes={
                "id": gateway_id,
                "arn": arn,
                "subnet_id": gateway.get("SubnetId"),
                # "public" is the type of a gateway created without one (EC2 API reference, CreateNatGateway).
                "connectivity_type": gateway.get("ConnectivityType", "public"),
                "allocation_id": present(primary, "AllocationId"),
                "public_ip": present(primary, "PublicIp"),
                "private_ip": present(primary, "PrivateIp"),
                "network_interface_id": present(primary, "NetworkInterfaceId"),
                "vpc_id": gateway.get("VpcId", ABSENT),
                "state": sent(gateway, "State"),
            },
        )


def _addresses(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    for address in ctx.call(ec2, "describe_addresses", expect=("Addresses",))["Addresses"]:
        allocation = address.get("AllocationId") or address.get("PublicIp")
        if not allocation:
            continue
        arn = ec2_arn(ctx, "elastic-ip", allocation)
        yield ctx.resource(
            "aws_eip",
            arn,
            name=name_tag(address.get("Tags"), allocation),
            tags=address.get("Tags") or [],
            attributes={
                "id": allocation,
                "arn": arn,
                "allocation_id": present(address, "AllocationId"),
                "association_id": present(address, "AssociationId"),
                "domain": address.get("Domain", "vpc"),
                "instance": present(address, "InstanceId"),
                "network_interface": present(address, "NetworkInterfaceId"),
                "private_ip": present(address, "PrivateIpAddress"),
                "public_ip": present(address, "PublicIp"),
                "public_ipv4_pool": present(address, "PublicIpv4Pool"),
            },
        )


ROUTE_TABLE = ResourceType(
    "aws_route_table",
    ROUTE_TABLE_ATTRIBUTES,
    observed_only=("main", "associations"),
    name_path="tags.Name",
    sorted_blocks=("route",),
    folds=(Fold("aws_route", "route", _fold_route, reference="route_table_id", merge="append", match=("id",)),),
    # A new table holds no route but those configured (or folded in from aws_route resources).
    created_empty=(("route", "route", []), ("propagating_vgws", "propagating_vgws", [])),
    made_by_aws=(("main", True),),
)

PEERING = ResourceType(
    "aws_vpc_peering_connection",
    PEERING_ATTRIBUTES,
    observed_only=("requester_cidr_blocks", "accepter_cidr_blocks", "routes"),
    name_path="tags.Name",
    single_blocks=("requester", "accepter"),
    drift_ignore=("accept_status", "routes"),
)

INTERNET_GATEWAY = ResourceType("aws_internet_gateway", INTERNET_GATEWAY_ATTRIBUTES, name_path="tags.Name")

NAT_GATEWAY = ResourceType(
    "aws_nat_gateway",
    NAT_GATEWAY_ATTRIBUTES,
    observed_only=("vpc_id", "state"),
    name_path="tags.Name",
    # Provider default (Terraform AWS provider, aws_nat_gateway): a public gateway.
    defaults={"connectivity_type": "public"},
    drift_ignore=("state",),
)

EIP = ResourceType(
    "aws_eip",
    EIP_ATTRIBUTES,
    name_path="tags.Name",
    drift_ignore=("association_id", "private_ip"),
)

COLLECTORS = (
    Collector(
        name="ec2.routing",
        service="ec2",
        resource_types=(ROUTE_TABLE, PEERING),
        calls=("ec2:DescribeRouteTables", "ec2:DescribeVpcPeeringConnections"),
        collect=_routing,
        description="Every route table in the region, and every VPC peering connection with the routes through it.",
        notes=(
            "`route` holds the table's routes as Terraform's route blocks: every destination and target key, "
            '`""` where unset, sorted. As in the provider, the VPC\'s local route, routes propagated from a '
            "VPN gateway and gateway-endpoint routes are left out. `main` says the table is its VPC's main "
            "table (made by AWS, never unmanaged); `associations` is `[{subnet_id, gateway_id, main}]`. "
            "A peering connection's `routes` lists the routes of this account's tables whose target is the "
            "connection, `[{route_table_id, destination, covers_a_whole_vpc}]`: `covers_a_whole_vpc` is true "
            "when the destination holds a whole CIDR block of either VPC, or is 0.0.0.0/0 or ::/0. Deleted, "
            "rejected, expired and failed connections are left out. `requester` and `accepter` hold the "
            "DNS option only for the sides this account owns."
        ),
    ),
    Collector(
        name="ec2.internet_gateways",
        service="ec2",
        resource_types=(INTERNET_GATEWAY,),
        calls=("ec2:DescribeInternetGateways",),
        collect=_internet_gateways,
        description="Every internet gateway in the region and the VPC it is attached to.",
        notes="`vpc_id` is the attached VPC, absent for a detached gateway.",
    ),
    Collector(
        name="ec2.nat_gateways",
        service="ec2",
        resource_types=(NAT_GATEWAY,),
        calls=("ec2:DescribeNatGateways",),
        collect=_nat_gateways,
        description="Every NAT gateway in the region that is not deleted.",
        notes=(
            "`allocation_id`, `public_ip`, `private_ip` and `network_interface_id` are the primary address's; "
            "`connectivity_type` is `public` when AWS sends none (CreateNatGateway's documented default). "
            "Deleted and failed gateways, which linger in the listing, are left out."
        ),
    ),
    Collector(
        name="ec2.addresses",
        service="ec2",
        resource_types=(EIP,),
        calls=("ec2:DescribeAddresses",),
        collect=_addresses,
        description="Every Elastic IP address of the region.",
        notes=(
            "`id` is the allocation id. `instance`, `network_interface` and `association_id` are absent for an "
            "address associated with nothing. DescribeAddresses is not paginated: one call per region."
        ),
    ),
)
