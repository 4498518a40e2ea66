"""The network part of the demo: a shop's VPC with its subnets, routes, endpoints and peerings, load balancers,
Auto Scaling groups, launch templates, a transit gateway and a network firewall.

Each unit is one more shop VPC in the home region, with the mix of good and
bad settings real estates have: a private subnet and one that hands out
public addresses, a peering that routes a whole partner VPC, endpoints for
ECR but not for Systems Manager, an ALB that redirects to HTTPS but is not
protected from deletion, a Classic Load Balancer left over in clear text, a
launch configuration that gives out public IPs and IMDSv1, a build runner
stopped two months ago. Everything is served by moto; what moto cannot
answer (a firewall's policy, a VPN connection's tunnel options and status)
stays unknown in the audit, with the reason.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from unify.model.time import utcnow
from unify.observe.demo_seeder import DemoPart, DemoSeeder

__all__ = ["PART"]

_IMAGE = "ami-0abcdef1234567890"
_TLS13 = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
#: The name prefix of the build runners left stopped for months.
_FORGOTTEN = "build-runner-"


def _named(kind: str, name: str) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]


def _vpc(ec2: Any, name: str, cidr: str) -> str:
    vpc_id: str = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=_named("vpc", name))["Vpc"]["VpcId"]
    return vpc_id


def _subnet(ec2: Any, vpc: str, name: str, cidr: str, zone: str, *, public: bool = False) -> str:
    subnet: str = ec2.create_subnet(
        VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone, TagSpecifications=_named("subnet", name)
    )["Subnet"]["SubnetId"]
    if public:
        ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    return subnet


def _network(seeder: DemoSeeder, n: int) -> dict[str, Any]:
    """The shop VPC, its subnets, gateways, routes, endpoints, ACLs and peerings."""
    ec2, home = seeder.client("ec2"), seeder.home
    octet = 100 + n % 100
    vpc = _vpc(ec2, f"shop-{n}", f"10.{octet}.0.0/16")
    ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="REJECT",
        LogDestinationType="s3",
        LogDestination=f"arn:aws:s3:::acme-logs-{n}",
    )
    private_a = _subnet(ec2, vpc, f"shop-private-a-{n}", f"10.{octet}.1.0/24", f"{home}a")
    private_b = _subnet(ec2, vpc, f"shop-private-b-{n}", f"10.{octet}.2.0/24", f"{home}b")
    public = _subnet(ec2, vpc, f"shop-public-{n}", f"10.{octet}.10.0/24", f"{home}a", public=True)
    gateway = ec2.create_internet_gateway(TagSpecifications=_named("internet-gateway", f"shop-igw-{n}"))
    gateway_id = gateway["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc)
    address = ec2.allocate_address(Domain="vpc", TagSpecifications=_named("elastic-ip", f"shop-nat-{n}"))
    nat = ec2.create_nat_gateway(
        SubnetId=public, AllocationId=address["AllocationId"], TagSpecifications=_named("natgateway", f"shop-nat-{n}")
    )["NatGateway"]["NatGatewayId"]
    routes = ec2.create_route_table(VpcId=vpc, TagSpecifications=_named("route-table", f"shop-private-{n}"))
    table = routes["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    for subnet in (private_a, private_b):
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    # Two peerings: analytics is reached on one subnet, the partner's whole VPC is routed (CIS 6.6).
    for peer, cidr, destination in (
        (f"analytics-{n}", f"172.{16 + n % 16}.0.0/16", f"172.{16 + n % 16}.8.0/24"),
        (f"partner-{n}", f"192.168.{n % 250}.0/24", f"192.168.{n % 250}.0/24"),
    ):
        peer_vpc = _vpc(ec2, peer, cidr)
        peering = ec2.create_vpc_peering_connection(
            VpcId=vpc, PeerVpcId=peer_vpc, TagSpecifications=_named("vpc-peering-connection", f"pcx-{peer}")
        )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=peering)
        ec2.create_route(RouteTableId=table, DestinationCidrBlock=destination, VpcPeeringConnectionId=peering)
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{home}.s3", RouteTableIds=[table])
    for service in ("ecr.api", "ecr.dkr"):
        ec2.create_vpc_endpoint(
            VpcId=vpc,
            ServiceName=f"com.amazonaws.{home}.{service}",
            VpcEndpointType="Interface",
            SubnetIds=[private_a, private_b],
        )
    legacy_acl = ec2.create_network_acl(VpcId=vpc, TagSpecifications=_named("network-acl", f"shop-legacy-{n}"))
    ec2.create_network_acl_entry(
        NetworkAclId=legacy_acl["NetworkAcl"]["NetworkAclId"],
        RuleNumber=100,
        Protocol="6",
        RuleAction="allow",
        Egress=False,
        CidrBlock="0.0.0.0/0",
        PortRange={"From": 3389, "To": 3389},
    )
    proxy = ec2.create_network_interface(
        SubnetId=public, Description="egress proxy", TagSpecifications=_named("network-interface", f"proxy-{n}")
    )
    ec2.modify_network_interface_attribute(
        NetworkInterfaceId=proxy["NetworkInterface"]["NetworkInterfaceId"], SourceDestCheck={"Value": False}
    )
    tgw = ec2.create_transit_gateway(
        Description="shared network hub",
        Options={"AutoAcceptSharedAttachments": "enable"},
        TagSpecifications=_named("transit-gateway", f"core-tgw-{n}"),
    )["TransitGateway"]["TransitGatewayId"]
    ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[private_a, private_b])
    # The office's Site-to-Site VPN into the shop VPC.
    customer = ec2.create_customer_gateway(Type="ipsec.1", PublicIp=f"198.51.100.{1 + n % 250}", BgpAsn=65000)
    vpn_gateway = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpnGatewayId=vpn_gateway, VpcId=vpc)
    ec2.create_vpn_connection(
        Type="ipsec.1",
        CustomerGatewayId=customer["CustomerGateway"]["CustomerGatewayId"],
        VpnGatewayId=vpn_gateway,
        TagSpecifications=_named("vpn-connection", f"office-vpn-{n}"),
    )
    return {"vpc": vpc, "private": [private_a, private_b], "public": public}


def _compute(seeder: DemoSeeder, n: int, network: dict[str, Any]) -> None:
    """Launch templates, a launch configuration, Auto Scaling groups, an image and snapshots."""
    ec2, autoscaling, home = seeder.client("ec2"), seeder.client("autoscaling"), seeder.home
    ec2.create_launch_template(
        LaunchTemplateName=f"web-{n}",
        LaunchTemplateData={
            "ImageId": _IMAGE,
            "InstanceType": "t3.small",
            "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled"},
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True, "VolumeSize": 20}}],
        },
    )
    ec2.create_launch_template(
        LaunchTemplateName=f"bastion-{n}",
        LaunchTemplateData={
            "ImageId": _IMAGE,
            "InstanceType": "t3.micro",
            "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": True}],
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": False, "VolumeSize": 8}}],
        },
    )
    autoscaling.create_launch_configuration(
        LaunchConfigurationName=f"batch-{n}",
        ImageId=_IMAGE,
        InstanceType="c5.large",
        AssociatePublicIpAddress=True,
        MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "enabled"},
    )
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=f"shop-web-{n}",
        MinSize=0,
        MaxSize=4,
        VPCZoneIdentifier=",".join(network["private"]),
        HealthCheckType="ELB",
        TargetGroupARNs=[network["target_group"]],
        MixedInstancesPolicy={
            "LaunchTemplate": {
                "LaunchTemplateSpecification": {"LaunchTemplateName": f"web-{n}", "Version": "$Default"},
                "Overrides": [{"InstanceType": "t3.small"}, {"InstanceType": "t3a.small"}],
            }
        },
    )
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=f"batch-workers-{n}",
        MinSize=0,
        MaxSize=2,
        AvailabilityZones=[f"{home}a"],
        LaunchConfigurationName=f"batch-{n}",
        LoadBalancerNames=[f"legacy-{n}"],
    )
    # Two stopped instances: a build runner forgotten for months (the baseline backdates it), one stopped today.
    stopped = [
        ec2.run_instances(
            ImageId=_IMAGE,
            MinCount=1,
            MaxCount=1,
            InstanceType="t3.micro",
            SubnetId=network["private"][0],
            MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
            TagSpecifications=_named("instance", name),
        )["Instances"][0]["InstanceId"]
        for name in (f"{_FORGOTTEN}{n}", f"reporting-{n}")
    ]
    ec2.stop_instances(InstanceIds=stopped)
    volume = ec2.create_volume(AvailabilityZone=f"{home}a", Size=20, Encrypted=True)["VolumeId"]
    ec2.create_snapshot(
        VolumeId=volume, Description="nightly backup", TagSpecifications=_named("snapshot", f"nightly-{n}")
    )
    shared = ec2.create_snapshot(
        VolumeId=volume, Description="shared with a vendor", TagSpecifications=_named("snapshot", f"vendor-{n}")
    )["SnapshotId"]
    ec2.modify_snapshot_attribute(
        SnapshotId=shared, Attribute="createVolumePermission", OperationType="add", GroupNames=["all"]
    )


def _load_balancers(seeder: DemoSeeder, n: int, network: dict[str, Any]) -> None:
    elbv2, elb, home = seeder.client("elbv2"), seeder.client("elb"), seeder.home
    certificate = seeder.client("acm").request_certificate(DomainName=f"shop-{n}.example.com")["CertificateArn"]
    balancer = elbv2.create_load_balancer(
        Name=f"shop-{n}", Subnets=network["private"], Type="application", Scheme="internet-facing"
    )["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=balancer,
        Attributes=[
            {"Key": "deletion_protection.enabled", "Value": "false"},
            {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
            {"Key": "routing.http.desync_mitigation_mode", "Value": "defensive"},
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": f"acme-logs-{n}"},
        ],
    )
    group = elbv2.create_target_group(Name=f"shop-web-{n}", Protocol="HTTP", Port=80, VpcId=network["vpc"])
    network["target_group"] = group["TargetGroups"][0]["TargetGroupArn"]
    redirect = {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}
    elbv2.create_listener(
        LoadBalancerArn=balancer,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "redirect", "RedirectConfig": redirect}],
    )
    elbv2.create_listener(
        LoadBalancerArn=balancer,
        Protocol="HTTPS",
        Port=443,
        SslPolicy=_TLS13,
        Certificates=[{"CertificateArn": certificate}],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": network["target_group"]}],
    )
    elb.create_load_balancer(
        LoadBalancerName=f"legacy-{n}",
        AvailabilityZones=[f"{home}a"],
        Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP", "InstancePort": 8080}],
    )
    elb.modify_load_balancer_attributes(
        LoadBalancerName=f"legacy-{n}",
        LoadBalancerAttributes={
            "CrossZoneLoadBalancing": {"Enabled": True},
            "AccessLog": {"Enabled": False},
            "ConnectionDraining": {"Enabled": False},
            "AdditionalAttributes": [{"Key": "elb.http.desyncmitigationmode", "Value": "monitor"}],
        },
    )


def _firewall(seeder: DemoSeeder, n: int, network: dict[str, Any]) -> None:
    firewall = seeder.client("network-firewall")
    arn = firewall.create_firewall(
        FirewallName=f"edge-{n}",
        FirewallPolicyArn=f"arn:aws:network-firewall:{seeder.home}:{seeder.account}:firewall-policy/edge",
        VpcId=network["vpc"],
        SubnetMappings=[{"SubnetId": network["public"]}],
        DeleteProtection=True,
        SubnetChangeProtection=False,
        Description="inspects egress to the internet",
    )["Firewall"]["FirewallArn"]
    firewall.update_logging_configuration(
        FirewallArn=arn,
        LoggingConfiguration={
            "LogDestinationConfigs": [
                {"LogType": "ALERT", "LogDestinationType": "S3", "LogDestination": {"bucketName": f"acme-logs-{n}"}}
            ]
        },
    )


def _seed(seeder: DemoSeeder, n: int) -> None:
    network = _network(seeder, n)
    _load_balancers(seeder, n, network)
    _compute(seeder, n, network)
    _firewall(seeder, n, network)


def _instance_history(seeder: DemoSeeder) -> None:
    """Run the demo's instances on HVM images, except the legacy ones, and stop the build runners long ago.

    moto reports every instance of an image it does not know as paravirtual,
    and no API backdates a stop; the demo's embedded server runs in this
    process, so both are set in its backend, as the core demo ages access
    keys there. The stop time is written in the words AWS uses in
    ``StateTransitionReason``.
    """
    from moto.ec2.models import ec2_backends

    stopped = (utcnow() - timedelta(days=64)).strftime("%Y-%m-%d %H:%M:%S")
    for region in (seeder.home, seeder.other):
        for reservation in ec2_backends[seeder.account][region].reservations.values():
            for instance in reservation.instances:
                names = [str(tag["value"]) for tag in instance.get_tags() if tag["key"] == "Name"]
                if not any(name.startswith("legacy-") for name in names):
                    instance.virtualization_type = "hvm"
                if any(name.startswith(_FORGOTTEN) for name in names):
                    instance._reason = f"User initiated ({stopped} GMT)"


PART = DemoPart(name="network", seed=_seed, baseline=_instance_history)
