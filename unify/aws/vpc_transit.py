"""Traffic between networks: transit gateways and their VPC attachments, Site-to-Site VPN connections, and the
network interfaces every workload sends through.

Every type here is regional. Settings are in the Terraform AWS provider's
words: a transit gateway's options are ``enable``/``disable`` strings as AWS
answers them, a VPN connection's tunnel log options are nested single blocks
(``tunnel1_log_options.cloudwatch_log_options.log_enabled``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from unify.aws._ec2_shared import ec2_arn, name_tag, present, texts
from unify.model.resource import Resource, is_unknown, unknown
from unify.model.resource_type import ResourceType
from unify.observe.answers import MALFORMED
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

TRANSIT_GATEWAY_ATTRIBUTES = (
    "id",
    "arn",
    "description",
    "amazon_side_asn",
    "auto_accept_shared_attachments",
    "default_route_table_association",
    "default_route_table_propagation",
    "dns_support",
    "vpn_ecmp_support",
    "multicast_support",
    "association_default_route_table_id",
    "propagation_default_route_table_id",
    "owner_id",
    # extras only observation can see
    "state",
)
TGW_ATTACHMENT_ATTRIBUTES = (
    "id",
    "transit_gateway_id",
    "vpc_id",
    "vpc_owner_id",
    "subnet_ids",
    "dns_support",
    "ipv6_support",
    "appliance_mode_support",
    # extras only observation can see
    "state",
)
VPN_CONNECTION_ATTRIBUTES = (
    "id",
    "arn",
    "type",
    "customer_gateway_id",
    "vpn_gateway_id",
    "transit_gateway_id",
    "static_routes_only",
    "tunnel1_log_options",
    "tunnel2_log_options",
    # extras only observation can see
    "vgw_telemetry",
    "state",
)
NETWORK_INTERFACE_ATTRIBUTES = (
    "id",
    "arn",
    "subnet_id",
    "description",
    "interface_type",
    "private_ip",
    "private_ips",
    "security_groups",
    "source_dest_check",
    "attachment",
    "mac_address",
    "owner_id",
    # extras only observation can see
    "requester_managed",
    "status",
)

#: Transit gateways and attachments in these states carry no traffic and linger in the listings.
_GONE: Final = frozenset({"deleted", "deleting", "failed", "rejected"})
_TGW_OPTIONS: Final = {
    "amazon_side_asn": "AmazonSideAsn",
    "auto_accept_shared_attachments": "AutoAcceptSharedAttachments",
    "default_route_table_association": "DefaultRouteTableAssociation",
    "default_route_table_propagation": "DefaultRouteTablePropagation",
    "dns_support": "DnsSupport",
    "vpn_ecmp_support": "VpnEcmpSupport",
    "multicast_support": "MulticastSupport",
    "association_default_route_table_id": "AssociationDefaultRouteTableId",
    "propagation_default_route_table_id": "PropagationDefaultRouteTableId",
}


# -- transit gateways --------------------------------------------------------------------------


def _transit_gateways(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    for gateway in ctx.items(ec2, "describe_transit_gateways", "TransitGateways", each=("TransitGatewayId",)):
        if gateway.get("State") in _GONE:
            continue
        gateway_id = gateway["TransitGatewayId"]
        arn = gateway.get("TransitGatewayArn") or ec2_arn(ctx, "transit-gateway", gateway_id)
        options = gateway.get("Options")
        settings: dict[str, Any] = {}
        for key, aws in _TGW_OPTIONS.items():
            if not isinstance(options, Mapping):
                settings[key] = unknown(f"{MALFORMED}: Options not sent")
            elif key.endswith("_route_table_id"):
                settings[key] = present(options, aws)  # absent when the default table option is off
            else:
                settings[key] = sent(options, aws)
        yield ctx.resource(
            "aws_ec2_transit_gateway",
            arn,
            name=name_tag(gateway.get("Tags"), gateway_id),
            tags=gateway.get("Tags") or [],
            attributes={
                "id": gateway_id,
                "arn": arn,
                "description": present(gateway, "Description"),
                **settings,
                "owner_id": gateway.get("OwnerId", ctx.account),
                "state": sent(gateway, "State"),
            },
        )


def _attachments(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    listing = ctx.items(
        ec2,
        "describe_transit_gateway_vpc_attachments",
        "TransitGatewayVpcAttachments",
        each=("TransitGatewayAttachmentId",),
    )
    for attachment in listing:
        if attachment.get("State") in _GONE:
            continue
        attachment_id = attachment["TransitGatewayAttachmentId"]
        options = attachment.get("Options") if isinstance(attachment.get("Options"), Mapping) else {}
        yield ctx.resource(
            "aws_ec2_transit_gateway_vpc_attachment",
            ec2_arn(ctx, "transit-gateway-attachment", attachment_id),
            name=name_tag(attachment.get("Tags"), attachment_id),
            tags=attachment.get("Tags") or [],
            attributes={
                "id": attachment_id,
                "transit_gateway_id": attachment.get("TransitGatewayId"),
                "vpc_id": attachment.get("VpcId"),
                "vpc_owner_id": attachment.get("VpcOwnerId", ABSENT),
                "subnet_ids": texts(attachment.get("SubnetIds")),
                "dns_support": sent(options, "DnsSupport"),
                "ipv6_support": sent(options, "Ipv6Support"),
                "appliance_mode_support": sent(options, "ApplianceModeSupport"),
                "state": sent(attachment, "State"),
            },
        )


# -- Site-to-Site VPN connections ---------------------------------------------------------------


def _tunnel_logs(tunnel: Any) -> Any:
    """One tunnel's ``LogOptions`` as Terraform's ``tunnelN_log_options`` block."""
    if is_unknown(tunnel):
        return tunnel
    logs = ((tunnel.get("LogOptions") or {}).get("CloudWatchLogOptions")) if isinstance(tunnel, Mapping) else None
    if not isinstance(logs, Mapping):
        # "LogEnabled ... Default value: False" (EC2 API reference, CloudWatchLogOptions): no options, no logs.
        return {"cloudwatch_log_options": {"log_enabled": False}}
    block = {"log_enabled": bool(logs.get("LogEnabled", False))}
    if logs.get("LogGroupArn"):
        block["log_group_arn"] = logs["LogGroupArn"]
    if logs.get("LogOutputFormat"):
        block["log_output_format"] = logs["LogOutputFormat"]
    return {"cloudwatch_log_options": block}


def _vpn_connections(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    answer = ctx.call(ec2, "describe_vpn_connections", expect=("VpnConnections",))
    for connection in answer["VpnConnections"]:
        if connection.get("State") in ("deleted", "deleting"):
            continue
        connection_id = connection["VpnConnectionId"]
        arn = ec2_arn(ctx, "vpn-connection", connection_id)
        options = connection.get("Options")
        tunnels: list[Any] = list((options or {}).get("TunnelOptions") or []) if isinstance(options, Mapping) else []
        missing = unknown(f"{MALFORMED}: Options.TunnelOptions not sent")
        while len(tunnels) < 2:
            tunnels.append(missing)  # every connection has two tunnels; one AWS did not describe is not observed
        telemetry = connection.get("VgwTelemetry")
        yield ctx.resource(
            "aws_vpn_connection",
            arn,
            name=name_tag(connection.get("Tags"), connection_id),
            tags=connection.get("Tags") or [],
            attributes={
                "id": connection_id,
                "arn": arn,
                "type": connection.get("Type"),
                "customer_gateway_id": connection.get("CustomerGatewayId"),
                "vpn_gateway_id": present(connection, "VpnGatewayId"),
                "transit_gateway_id": present(connection, "TransitGatewayId"),
                "static_routes_only": (
                    sent(options, "StaticRoutesOnly", bool)
                    if isinstance(options, Mapping)
                    else unknown(f"{MALFORMED}: Options not sent")
                ),
                "tunnel1_log_options": _tunnel_logs(tunnels[0]),
                "tunnel2_log_options": _tunnel_logs(tunnels[1]),
                "vgw_telemetry": (
                    sorted(
                        (
                            {
                                "outside_ip_address": t.get("OutsideIpAddress"),
                                "status": t.get("Status"),
                                "status_message": t.get("StatusMessage", ""),
                            }
                            for t in telemetry
                        ),
                        key=lambda t: str(t["outside_ip_address"]),
                    )
                    if isinstance(telemetry, list)
                    else unknown(f"{MALFORMED}: VgwTelemetry not sent")
                ),
                "state": sent(connection, "State"),
            },
        )


# -- network interfaces ---------------------------------------------------------------------------


def _network_interfaces(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    for interface in ctx.items(ec2, "describe_network_interfaces", "NetworkInterfaces", each=("NetworkInterfaceId",)):
        interface_id = interface["NetworkInterfaceId"]
        arn = ec2_arn(ctx, "network-interface", interface_id)
        attached = interface.get("Attachment") or {}
        attachment = (
            [
                {
                    "instance": attached.get("InstanceId", ""),
                    "device_index": int(attached.get("DeviceIndex", 0)),
                    "network_card_index": int(attached.get("NetworkCardIndex", 0)),
                    "attachment_id": attached.get("AttachmentId", ""),
                }
            ]
            if attached.get("AttachmentId")
            else []
        )
        yield ctx.resource(
            "aws_network_interface",
            arn,
            name=name_tag(interface.get("TagSet"), interface_id),
            tags=interface.get("TagSet") or [],
            attributes={
                "id": interface_id,
                "arn": arn,
                "subnet_id": interface.get("SubnetId"),
                "description": interface.get("Description", ""),
                "interface_type": sent(interface, "InterfaceType"),
                "private_ip": present(interface, "PrivateIpAddress"),
                "private_ips": texts(interface.get("PrivateIpAddresses"), "PrivateIpAddress"),
                "security_groups": texts(interface.get("Groups"), "GroupId"),
                "source_dest_check": sent(interface, "SourceDestCheck", bool),
                "attachment": attachment,
                "mac_address": present(interface, "MacAddress"),
                "owner_id": interface.get("OwnerId", ctx.account),
                "requester_managed": sent(interface, "RequesterManaged", bool),
                "status": sent(interface, "Status"),
            },
        )


def _interface_from_terraform(values: dict[str, Any]) -> None:
    """An interface Terraform makes is the account's own: never one a service manages for itself."""
    values.setdefault("requester_managed", False)


TRANSIT_GATEWAY = ResourceType(
    "aws_ec2_transit_gateway",
    TRANSIT_GATEWAY_ATTRIBUTES,
    observed_only=("state",),
    name_path="tags.Name",
    # Provider defaults (Terraform AWS provider, aws_ec2_transit_gateway).
    defaults={
        "auto_accept_shared_attachments": "disable",
        "default_route_table_association": "enable",
        "default_route_table_propagation": "enable",
        "dns_support": "enable",
        "vpn_ecmp_support": "enable",
        "multicast_support": "disable",
        "amazon_side_asn": 64512,
    },
    drift_ignore=("state", "association_default_route_table_id", "propagation_default_route_table_id"),
)

TGW_ATTACHMENT = ResourceType(
    "aws_ec2_transit_gateway_vpc_attachment",
    TGW_ATTACHMENT_ATTRIBUTES,
    observed_only=("state",),
    name_path="tags.Name",
    # Provider defaults (Terraform AWS provider, aws_ec2_transit_gateway_vpc_attachment).
    defaults={"dns_support": "enable", "ipv6_support": "disable", "appliance_mode_support": "disable"},
    drift_ignore=("state",),
)

VPN_CONNECTION = ResourceType(
    "aws_vpn_connection",
    VPN_CONNECTION_ATTRIBUTES,
    observed_only=("vgw_telemetry", "state"),
    name_path="tags.Name",
    single_blocks=(
        "tunnel1_log_options",
        "tunnel1_log_options.cloudwatch_log_options",
        "tunnel2_log_options",
        "tunnel2_log_options.cloudwatch_log_options",
    ),
    # Provider default (Terraform AWS provider, aws_vpn_connection): dynamic (BGP) routing.
    defaults={"static_routes_only": False},
    drift_ignore=("vgw_telemetry", "state"),
)

NETWORK_INTERFACE = ResourceType(
    "aws_network_interface",
    NETWORK_INTERFACE_ATTRIBUTES,
    observed_only=("status",),
    name_path="tags.Name",
    # Provider default (Terraform AWS provider, aws_network_interface): source/destination checks on; and
    # "The default is interface" for the type (EC2 API reference, CreateNetworkInterface), which the provider
    # leaves to AWS.
    defaults={"source_dest_check": True, "interface_type": "interface"},
    from_terraform=_interface_from_terraform,
    drift_ignore=("status", "attachment", "mac_address"),
    made_by_aws=(("requester_managed", True),),
)

COLLECTORS = (
    Collector(
        name="ec2.transit_gateways",
        service="ec2",
        resource_types=(TRANSIT_GATEWAY,),
        calls=("ec2:DescribeTransitGateways",),
        collect=_transit_gateways,
        description="Every transit gateway of the region that is not deleted, with its options.",
        notes=(
            "The options are AWS's `enable`/`disable` words, as Terraform keeps them; "
            "`auto_accept_shared_attachments` is the one a cross-account attachment request depends on."
        ),
    ),
    Collector(
        name="ec2.transit_gateway_vpc_attachments",
        service="ec2",
        resource_types=(TGW_ATTACHMENT,),
        calls=("ec2:DescribeTransitGatewayVpcAttachments",),
        collect=_attachments,
        description="Every VPC attachment of a transit gateway in the region that is not deleted.",
    ),
    Collector(
        name="ec2.vpn_connections",
        service="ec2",
        resource_types=(VPN_CONNECTION,),
        calls=("ec2:DescribeVpnConnections",),
        collect=_vpn_connections,
        description="Every Site-to-Site VPN connection of the region that is not deleted.",
        notes=(
            "`tunnel1_log_options` and `tunnel2_log_options` are the first and second entries of "
            "Options.TunnelOptions; a tunnel without CloudWatch log options has `log_enabled: false` (the "
            "documented default). `vgw_telemetry` is `[{outside_ip_address, status, status_message}]`, "
            "`status` UP or DOWN. The customer gateway configuration, which holds the pre-shared keys, is "
            "never read (AWS marks it sensitive and it is blanked before the collector sees it). moto "
            "answers neither Options nor VgwTelemetry: against moto they are unknown, and the tunnel "
            "checks are tested with recorded answers shaped as the EC2 API reference documents them."
        ),
    ),
    Collector(
        name="ec2.network_interfaces",
        service="ec2",
        resource_types=(NETWORK_INTERFACE,),
        calls=("ec2:DescribeNetworkInterfaces",),
        collect=_network_interfaces,
        description="Every elastic network interface in the region, those services manage included.",
        notes=(
            "`attachment` is `[{instance, device_index, network_card_index, attachment_id}]`, empty for a "
            "detached interface. `requester_managed` marks interfaces a service made for itself (a NAT "
            "gateway's, an endpoint's); they are never unmanaged in drift, and an interface Terraform "
            "makes has it false."
        ),
    ),
)
