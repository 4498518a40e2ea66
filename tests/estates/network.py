"""The network group: VPCs and what is in them, instances, load balancers, Auto Scaling, Network Firewall.

Each estate puts compliant and non-compliant resources side by side, seeded
in moto (recorded answers for what moto does not serve: VPN tunnel options
and telemetry, Network Firewall policies) and written again as the plan that
makes them. Resources are named by a Name tag, so one key names a resource
live and planned alike.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from both_ways import ACCOUNT, AWAY, FAIL, HOME, OUT, PASS, Estate, Planned, Seeder
from unify.observe.recorded import RecordedAnswers


def named(kind: str, name: str) -> list[dict[str, Any]]:
    """The TagSpecifications that give a new EC2 resource its Name."""
    return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]


def ref(address: str) -> list[str]:
    """How a plan's configuration writes a reference to another resource's id."""
    return [f"{address}.id", address]


def by_name(seeder: Seeder, key: str, value: str) -> None:
    seeder.ids[key] = value


# =============================================================================================
# VPCs: flow logs, endpoints, subnets and network ACLs
# =============================================================================================

INTERFACE_SERVICES = ("ec2", "ecr.api", "ecr.dkr", "ssm", "ssm-contacts", "ssm-incidents")
ENDPOINT_CHECKS = ("vpc-endpoint-ec2", "vpc-endpoint-ecr-api", "vpc-endpoint-ecr-dkr", "vpc-endpoint-ssm",
                   "vpc-endpoint-ssm-contacts", "vpc-endpoint-ssm-incidents")
#: VPC -> (flow log traffic type or None, interface endpoints, gateway endpoints)
VPCS: dict[str, tuple[str | None, tuple[str, ...], tuple[str, ...]]] = {
    "vpc-private-link": ("ALL", INTERFACE_SERVICES, ("s3",)),
    "vpc-rejects-logged": ("REJECT", (), ("s3",)),
    "vpc-accepts-only": ("ACCEPT", ("ec2",), ()),
    "vpc-unlogged": (None, (), ()),
}
#: network ACL -> (inbound entries as (rule, action, protocol, ports, cidr, ipv6), associated with a subnet)
ACLS: dict[str, tuple[list[tuple[int, str, str, tuple[int, int] | None, str, str]], bool]] = {
    "acl-web-only": ([(100, "allow", "6", (443, 443), "0.0.0.0/0", ""),
                      (200, "allow", "6", (22, 22), "10.0.0.0/8", "")], True),
    "acl-denies-ssh": ([(100, "deny", "6", (22, 22), "0.0.0.0/0", ""),
                        (200, "allow", "6", (80, 443), "0.0.0.0/0", "")], False),
    "acl-ssh-world": ([(100, "allow", "6", (22, 22), "0.0.0.0/0", "")], True),
    "acl-rdp-world-v6": ([(100, "allow", "6", (3389, 3389), "", "::/0")], False),
    "acl-all-world": ([(100, "allow", "-1", None, "0.0.0.0/0", "")], True),
}
#: subnet -> (maps public IPv4 addresses, assigns IPv6 addresses)
SUBNETS = {"subnet-private": (False, False), "subnet-public": (True, False), "subnet-ipv6-auto": (False, True)}


def vpcs(seeder: Seeder) -> None:
    ec2 = seeder.client("ec2")
    seeder.client("s3").create_bucket(Bucket="acme-flow-logs")
    for n, (name, (traffic, interfaces, gateways)) in enumerate(VPCS.items()):
        vpc_id = ec2.create_vpc(CidrBlock=f"10.{n}.0.0/16", TagSpecifications=named("vpc", name))["Vpc"]["VpcId"]
        if traffic:
            ec2.create_flow_logs(ResourceIds=[vpc_id], ResourceType="VPC", TrafficType=traffic,
                                 LogDestinationType="s3", LogDestination="arn:aws:s3:::acme-flow-logs")
        for service in interfaces:
            ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=f"com.amazonaws.{HOME}.{service}",
                                    VpcEndpointType="Interface")
        for service in gateways:
            ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=f"com.amazonaws.{HOME}.{service}")
    apps = ec2.create_vpc(CidrBlock="10.50.0.0/16", AmazonProvidedIpv6CidrBlock=True,
                          TagSpecifications=named("vpc", "vpc-apps"))["Vpc"]
    ipv6 = ec2.describe_vpcs(VpcIds=[apps["VpcId"]])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    subnets = []
    for n, (name, (public, v6)) in enumerate(SUBNETS.items()):
        extra = {"Ipv6CidrBlock": ipv6.replace("::/56", f"{n:02x}::/64")} if v6 else {}
        subnet = ec2.create_subnet(VpcId=apps["VpcId"], CidrBlock=f"10.50.{n}.0/24",
                                   TagSpecifications=named("subnet", name), **extra)["Subnet"]["SubnetId"]
        if public:
            ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
        if v6:
            ec2.modify_subnet_attribute(SubnetId=subnet, AssignIpv6AddressOnCreation={"Value": True})
        subnets.append(subnet)
    free = list(subnets)
    for name, (entries, attached) in ACLS.items():
        acl = ec2.create_network_acl(VpcId=apps["VpcId"], TagSpecifications=named("network-acl", name))
        acl_id = acl["NetworkAcl"]["NetworkAclId"]
        for rule, action, protocol, ports, cidr, v6 in entries:
            entry: dict[str, Any] = {"RuleNumber": rule, "RuleAction": action, "Protocol": protocol, "Egress": False}
            entry |= {"CidrBlock": cidr} if cidr else {"Ipv6CidrBlock": v6}
            if ports:
                entry["PortRange"] = {"From": ports[0], "To": ports[1]}
            ec2.create_network_acl_entry(NetworkAclId=acl_id, **entry)
        if attached:
            subnet = free.pop()
            [current] = [a for acl in ec2.describe_network_acls(Filters=[
                {"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"]
                for a in acl["Associations"] if a["SubnetId"] == subnet]
            ec2.replace_network_acl_association(AssociationId=current["NetworkAclAssociationId"], NetworkAclId=acl_id)


def _vpc_plan() -> list[Planned]:
    plan = [Planned("aws_s3_bucket", "flow_logs", {"bucket": "acme-flow-logs", "tags": {}}, unknown=("arn", "id"))]
    for n, (name, (traffic, interfaces, gateways)) in enumerate(VPCS.items()):
        plan.append(Planned("aws_vpc", name, {"cidr_block": f"10.{n}.0.0/16", "tags": {"Name": name}},
                            unknown=("id", "arn", "default_security_group_id")))
        if traffic:
            plan.append(Planned("aws_flow_log", f"{name}-flow", {
                "traffic_type": traffic, "log_destination_type": "s3", "log_destination": "arn:aws:s3:::acme-flow-logs",
                "max_aggregation_interval": 600, "tags": {}}, unknown=("id", "arn", "vpc_id"),
                references={"vpc_id": ref(f"aws_vpc.{name}")}))
        for kind, services in (("Interface", interfaces), ("Gateway", gateways)):
            for service in services:
                plan.append(Planned("aws_vpc_endpoint", f"{name}-{service.replace('.', '-')}", {
                    "service_name": f"com.amazonaws.{HOME}.{service}", "vpc_endpoint_type": kind, "tags": {}},
                    unknown=("id", "arn", "vpc_id", "policy", "state"), references={"vpc_id": ref(f"aws_vpc.{name}")}))
    plan.append(Planned("aws_vpc", "vpc-apps", {"cidr_block": "10.50.0.0/16", "assign_generated_ipv6_cidr_block": True,
                                                "tags": {"Name": "vpc-apps"}}, unknown=("id", "arn", "ipv6_cidr_block")))
    for n, (name, (public, v6)) in enumerate(SUBNETS.items()):
        plan.append(Planned("aws_subnet", name, {
            "cidr_block": f"10.50.{n}.0/24", "map_public_ip_on_launch": public,
            "assign_ipv6_address_on_creation": v6, "tags": {"Name": name}},
            unknown=("id", "arn", "vpc_id", "ipv6_cidr_block"), references={"vpc_id": ref("aws_vpc.vpc-apps")}))
    for n, (name, (entries, attached)) in enumerate(ACLS.items()):
        blocks = [{"rule_no": rule, "action": action, "protocol": protocol, "from_port": ports[0] if ports else 0,
                   "to_port": ports[1] if ports else 0, "cidr_block": cidr, "ipv6_cidr_block": v6, "icmp_type": 0,
                   "icmp_code": 0} for rule, action, protocol, ports, cidr, v6 in entries]
        # An ACL joins subnets that already exist (their ids are known to the plan).
        subnets = [f"subnet-0a0b0c0d0e0f0{n:03d}"] if attached else []
        plan.append(Planned("aws_network_acl", name, {
            "ingress": blocks, "egress": [], "subnet_ids": subnets, "tags": {"Name": name}},
            unknown=("id", "arn", "vpc_id", "owner_id"), references={"vpc_id": ref("aws_vpc.vpc-apps")}))
    return plan


def _endpoints(check_id: str) -> dict[str, str]:
    service = INTERFACE_SERVICES[ENDPOINT_CHECKS.index(check_id)]
    return {name: PASS if service in interfaces else FAIL for name, (_, interfaces, _) in VPCS.items()}


def _acls(check: str) -> dict[str, str]:
    if check == "nacl-attached-to-subnet":
        return {name: PASS if attached else FAIL for name, (_, attached) in ACLS.items()}
    return {"acl-web-only": PASS, "acl-denies-ssh": PASS, "acl-ssh-world": FAIL, "acl-rdp-world-v6": FAIL,
            "acl-all-world": FAIL}


# =============================================================================================
# security groups
# =============================================================================================


def permission(protocol: str, from_port: int | None = None, to_port: int | None = None, *,
               cidr: str | None = None, ipv6: str | None = None) -> dict[str, Any]:
    rule: dict[str, Any] = {"IpProtocol": protocol}
    if from_port is not None:
        rule |= {"FromPort": from_port, "ToPort": from_port if to_port is None else to_port}
    if cidr:
        rule["IpRanges"] = [{"CidrIp": cidr}]
    if ipv6:
        rule["Ipv6Ranges"] = [{"CidrIpv6": ipv6}]
    return rule


#: security group -> its ingress rules
GROUPS: dict[str, list[dict[str, Any]]] = {
    "https-world": [permission("tcp", 443, cidr="0.0.0.0/0", ipv6="::/0")],
    "http-world": [permission("tcp", 80, cidr="0.0.0.0/0")],
    "ssh-office": [permission("tcp", 22, cidr="203.0.113.0/24"), permission("tcp", 3389, ipv6="2001:db8::/32")],
    "ssh-world-v4": [permission("tcp", 22, cidr="0.0.0.0/0")],
    "rdp-range-world-v4": [permission("tcp", 3000, 4000, cidr="0.0.0.0/0")],
    "ssh-world-v6": [permission("tcp", 22, ipv6="::/0")],
    "rdp-world-v6": [permission("tcp", 3389, ipv6="::/0")],
    "cifs-world-v4": [permission("tcp", 445, cidr="0.0.0.0/0")],
    "cifs-world-v6": [permission("tcp", 445, ipv6="::/0")],
    "cifs-udp-world": [permission("udp", 445, cidr="0.0.0.0/0")],
    "postgres-world": [permission("tcp", 5432, cidr="0.0.0.0/0")],
    "custom-port-world": [permission("tcp", 9443, ipv6="::/0")],
    "all-traffic-world": [permission("-1", cidr="0.0.0.0/0")],
}


def _groups_failing(*names: str) -> dict[str, str]:
    return {name: FAIL if name in names else PASS for name in GROUPS}


def security_groups(seeder: Seeder) -> None:
    ec2 = seeder.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16", TagSpecifications=named("vpc", "apps"))["Vpc"]["VpcId"]
    for name, rules in GROUPS.items():
        group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=rules)
    locked = ec2.create_vpc(CidrBlock="10.40.0.0/16", TagSpecifications=named("vpc", "locked"))["Vpc"]["VpcId"]
    arn = f"arn:aws:ec2:{HOME}:{ACCOUNT}:security-group/"
    for key, vpc in (("default-of-locked", locked), ("default-of-apps", vpc_id)):
        [group] = ec2.describe_security_groups(Filters=[
            {"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
        if key == "default-of-locked":
            # moto's default group has only the allow-all egress rule (AWS also adds a self-referencing ingress rule)
            ec2.revoke_security_group_egress(GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"])
        seeder.ids[key] = arn + group["GroupId"]


def _block(rule: Mapping[str, Any]) -> dict[str, Any]:
    """An ingress permission as the provider's inline rule block."""
    everything = rule["IpProtocol"] == "-1"
    return {"protocol": rule["IpProtocol"], "from_port": 0 if everything else rule["FromPort"],
            "to_port": 0 if everything else rule["ToPort"],
            "cidr_blocks": [r["CidrIp"] for r in rule.get("IpRanges", [])],
            "ipv6_cidr_blocks": [r["CidrIpv6"] for r in rule.get("Ipv6Ranges", [])],
            "prefix_list_ids": [], "security_groups": [], "self": False, "description": ""}


ALL_OUT = {"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": [],
           "prefix_list_ids": [], "security_groups": [], "self": False, "description": ""}


def _group_plan() -> list[Planned]:
    plan = [Planned("aws_vpc", "apps", {"cidr_block": "10.20.0.0/16", "tags": {"Name": "apps"}}, unknown=("id", "arn")),
            Planned("aws_vpc", "locked", {"cidr_block": "10.40.0.0/16", "tags": {"Name": "locked"}},
                    unknown=("id", "arn"))]
    for name, rules in GROUPS.items():
        plan.append(Planned("aws_security_group", name, {
            "name": name, "description": name, "ingress": [_block(r) for r in rules], "egress": [ALL_OUT], "tags": {}},
            unknown=("id", "arn", "vpc_id", "owner_id"), references={"vpc_id": ref("aws_vpc.apps")}))
    plan.append(Planned("aws_default_security_group", "default-of-locked", {"ingress": [], "egress": [], "tags": {}},
                        unknown=("id", "arn", "vpc_id", "name"), references={"vpc_id": ref("aws_vpc.locked")}))
    plan.append(Planned("aws_default_security_group", "default-of-apps", {"ingress": [], "egress": [ALL_OUT],
                                                                         "tags": {}},
                        unknown=("id", "arn", "vpc_id", "name"), references={"vpc_id": ref("aws_vpc.apps")}))
    return plan


# =============================================================================================
# instances, interfaces, volumes and launch templates (planned); their lifecycle (observed only)
# =============================================================================================

#: instance -> (http_tokens, http_endpoint, instance profile, public address)
INSTANCES = {
    "web-hardened": ("required", "enabled", True, False),
    "legacy-public": ("optional", "enabled", False, True),
    "imds-off": ("optional", "disabled", True, False),
}
#: launch template -> its data
TEMPLATES: dict[str, dict[str, Any]] = {
    "lt-hardened": {"MetadataOptions": {"HttpTokens": "required"},
                    "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": False}],
                    "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True, "VolumeSize": 8}}]},
    "lt-public": {"MetadataOptions": {"HttpTokens": "optional"},
                  "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": True}],
                  "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": False, "VolumeSize": 8}}]},
    "lt-defaults": {},
}


def instances(seeder: Seeder) -> None:
    ec2, iam = seeder.client("ec2"), seeder.client("iam")
    iam.create_role(RoleName="web", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    iam.create_instance_profile(InstanceProfileName="web")
    iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="web")
    vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16", TagSpecifications=named("vpc", "compute"))["Vpc"]["VpcId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.60.1.0/24")["Subnet"]["SubnetId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.60.2.0/24")["Subnet"]["SubnetId"]
    for name, (tokens, endpoint, profile, public_ip) in INSTANCES.items():
        extra: dict[str, Any] = {"IamInstanceProfile": {"Name": "web"}} if profile else {}
        interface = {"DeviceIndex": 0, "SubnetId": public if public_ip else private,
                     "AssociatePublicIpAddress": public_ip}
        ec2.run_instances(ImageId="ami-0abcdef1234567890", MinCount=1, MaxCount=1, InstanceType="t3.micro",
                          NetworkInterfaces=[interface], TagSpecifications=named("instance", name),
                          MetadataOptions={"HttpTokens": tokens, "HttpEndpoint": endpoint}, **extra)
    # A stopped instance is still in scope of the metadata check; a terminated one is gone.
    for name, state in (("stopped-imdsv1", "stopped"), ("terminated-imdsv1", "terminated")):
        instance = ec2.run_instances(
            ImageId="ami-0abcdef1234567890", MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=private,
            MetadataOptions={"HttpTokens": "optional"}, TagSpecifications=named("instance", name))
        instance_id = instance["Instances"][0]["InstanceId"]
        if state == "stopped":
            ec2.stop_instances(InstanceIds=[instance_id])
        else:
            ec2.terminate_instances(InstanceIds=[instance_id])
    for name, checked in (("eni-checked", True), ("eni-unchecked", False)):
        eni = ec2.create_network_interface(SubnetId=private, TagSpecifications=named("network-interface", name))
        if not checked:
            ec2.modify_network_interface_attribute(NetworkInterfaceId=eni["NetworkInterface"]["NetworkInterfaceId"],
                                                   SourceDestCheck={"Value": False})
    for name, encrypted in (("data-encrypted", True), ("scratch-plain", False)):
        ec2.create_volume(AvailabilityZone=f"{HOME}a", Size=10, Encrypted=encrypted,
                          TagSpecifications=named("volume", name))
    for name, data in TEMPLATES.items():
        ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData={"ImageId": "ami-0abcdef1234567890",
                                                                                **data})


def _template_plan(name: str, data: Mapping[str, Any]) -> Planned:
    values: dict[str, Any] = {"name": name, "image_id": "ami-0abcdef1234567890", "tags": {}}
    if "MetadataOptions" in data:
        values["metadata_options"] = [{"http_tokens": data["MetadataOptions"]["HttpTokens"], "http_endpoint": "enabled",
                                       "http_put_response_hop_limit": 1, "http_protocol_ipv6": "",
                                       "instance_metadata_tags": ""}]
    for interface in data.get("NetworkInterfaces", []):
        # The provider's nullable booleans are strings in its plan and state.
        values["network_interfaces"] = [{
            "device_index": 0, "associate_public_ip_address": str(interface["AssociatePublicIpAddress"]).lower(),
            "delete_on_termination": "", "security_groups": [], "subnet_id": "", "description": ""}]
    for device in data.get("BlockDeviceMappings", []):
        values["block_device_mappings"] = [{"device_name": device["DeviceName"], "no_device": "", "virtual_name": "",
                                            "ebs": [{"encrypted": str(device["Ebs"]["Encrypted"]).lower(),
                                                     "volume_size": 8, "delete_on_termination": "", "kms_key_id": ""}]}]
    return Planned("aws_launch_template", name, values, unknown=("id", "arn", "latest_version", "default_version"))


def _instance_plan() -> list[Planned]:
    plan = []
    for name, (tokens, endpoint, profile, public_ip) in INSTANCES.items():
        values: dict[str, Any] = {
            "ami": "ami-0abcdef1234567890", "instance_type": "t3.micro", "associate_public_ip_address": public_ip,
            "metadata_options": [{"http_tokens": tokens, "http_endpoint": endpoint, "http_put_response_hop_limit": 1}],
            "tags": {"Name": name}}
        if profile:
            values["iam_instance_profile"] = "web"
        plan.append(Planned("aws_instance", name, values, unknown=(
            "id", "arn", "instance_state", "public_ip", "private_ip", "subnet_id", "vpc_security_group_ids")))
    # An instance stopped earlier, which the plan leaves as it is: its state is known.
    plan.append(Planned("aws_instance", "stopped-imdsv1", {
        "id": "i-0a1b2c3d4e5f60718", "ami": "ami-0abcdef1234567890", "instance_type": "t3.micro",
        "instance_state": "stopped", "associate_public_ip_address": False,
        "metadata_options": [{"http_tokens": "optional", "http_endpoint": "enabled", "http_put_response_hop_limit": 1}],
        "tags": {"Name": "stopped-imdsv1"}}, actions=("no-op",)))
    for name, checked in (("eni-checked", True), ("eni-unchecked", False)):
        plan.append(Planned("aws_network_interface", name, {"source_dest_check": checked, "tags": {"Name": name}},
                            unknown=("id", "arn", "subnet_id", "private_ip", "mac_address")))
    for name, encrypted in (("data-encrypted", True), ("scratch-plain", False)):
        plan.append(Planned("aws_ebs_volume", name, {"availability_zone": f"{HOME}a", "size": 10, "encrypted": encrypted,
                                                     "type": "gp3", "tags": {"Name": name}}, unknown=("id", "arn")))
    plan += [_template_plan(name, data) for name, data in TEMPLATES.items()]
    return plan


def lifecycle(seeder: Seeder) -> None:
    """Stopped, dual-homed and paravirtual instances, attached volumes and shared snapshots."""
    from moto.ec2.models import ec2_backends

    ec2 = seeder.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.70.1.0/24", AvailabilityZone=f"{HOME}a")["Subnet"]["SubnetId"]
    ids = {}
    for name in ("long-stopped", "recently-stopped", "dual-homed", "hvm-single"):
        ids[name] = ec2.run_instances(ImageId="ami-0abcdef1234567890", MinCount=1, MaxCount=1, SubnetId=subnet,
                                      TagSpecifications=named("instance", name))["Instances"][0]["InstanceId"]
    ec2.stop_instances(InstanceIds=[ids["long-stopped"], ids["recently-stopped"]])
    backend = ec2_backends[ACCOUNT][HOME]
    # No API backdates a stop: the transition time AWS reports is set in moto's backend, in its own words.
    stopped = (datetime.now(timezone.utc) - timedelta(days=45)).strftime("%Y-%m-%d %H:%M:%S")
    backend.get_instance(ids["long-stopped"])._reason = f"User initiated ({stopped} GMT)"
    # moto makes instances of an image it does not know paravirtual; this one runs an HVM image.
    backend.get_instance(ids["hvm-single"]).virtualization_type = "hvm"
    extra = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.attach_network_interface(NetworkInterfaceId=extra, InstanceId=ids["dual-homed"], DeviceIndex=1)
    for name, encrypted, device in (("attached-plain", False, "/dev/sdf"), ("attached-encrypted", True, "/dev/sdg"),
                                    ("loose-plain", False, None)):
        volume = ec2.create_volume(AvailabilityZone=f"{HOME}a", Size=1, Encrypted=encrypted,
                                   TagSpecifications=named("volume", name))["VolumeId"]
        if device:
            ec2.attach_volume(VolumeId=volume, InstanceId=ids["hvm-single"], Device=device)
        if name == "loose-plain":
            for snapshot, public in (("snap-private", False), ("snap-public", True)):
                snap = ec2.create_snapshot(VolumeId=volume, TagSpecifications=named("snapshot", snapshot))
                if public:
                    ec2.modify_snapshot_attribute(SnapshotId=snap["SnapshotId"], Attribute="createVolumePermission",
                                                  OperationType="add", GroupNames=["all"])


# =============================================================================================
# routing: peering connections and transit gateways
# =============================================================================================


def routing(seeder: Seeder) -> None:
    ec2 = seeder.client("ec2")
    home = ec2.create_vpc(CidrBlock="10.80.0.0/16")["Vpc"]["VpcId"]
    table = ec2.create_route_table(VpcId=home, TagSpecifications=named("route-table", "rt-peering"))
    table_id = table["RouteTable"]["RouteTableId"]
    for n, (name, destinations) in enumerate((("pcx-narrow", [f"10.{81}.5.0/24"]),
                                             ("pcx-whole-vpc", [f"10.{82}.0.0/16"]),
                                             ("pcx-unrouted", []))):
        peer = ec2.create_vpc(CidrBlock=f"10.{81 + n}.0.0/16")["Vpc"]["VpcId"]
        pcx = ec2.create_vpc_peering_connection(VpcId=home, PeerVpcId=peer,
                                                TagSpecifications=named("vpc-peering-connection", name))
        pcx_id = pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
        for destination in destinations:
            ec2.create_route(RouteTableId=table_id, DestinationCidrBlock=destination, VpcPeeringConnectionId=pcx_id)
    for name, accept in (("tgw-manual", "disable"), ("tgw-auto", "enable")):
        ec2.create_transit_gateway(Options={"AutoAcceptSharedAttachments": accept},
                                   TagSpecifications=named("transit-gateway", name))


def _routing_plan() -> list[Planned]:
    plan = [Planned("aws_vpc", "home", {"cidr_block": "10.80.0.0/16", "tags": {"Name": "home"}}, unknown=("id", "arn"))]
    for n, name in enumerate(("pcx-narrow", "pcx-whole-vpc", "pcx-unrouted")):
        plan.append(Planned("aws_vpc", f"peer-{n}", {"cidr_block": f"10.{81 + n}.0.0/16", "tags": {}},
                            unknown=("id", "arn")))
        plan.append(Planned("aws_vpc_peering_connection", name, {"auto_accept": True, "tags": {"Name": name}},
                            unknown=("id", "vpc_id", "peer_vpc_id", "accept_status"),
                            references={"vpc_id": ref("aws_vpc.home"), "peer_vpc_id": ref(f"aws_vpc.peer-{n}")}))
    for name, accept in (("tgw-manual", "disable"), ("tgw-auto", "enable")):
        plan.append(Planned("aws_ec2_transit_gateway", name, {"auto_accept_shared_attachments": accept,
                                                              "tags": {"Name": name}},
                            unknown=("id", "arn", "association_default_route_table_id",
                                     "propagation_default_route_table_id", "owner_id")))
    return plan


# =============================================================================================
# Site-to-Site VPN connections: recorded answers (moto answers no tunnel options or telemetry)
# =============================================================================================

#: connection -> (tunnel statuses, tunnel logs)
VPNS = {"vpn-healthy": (("UP", "UP"), (True, True)), "vpn-degraded": (("UP", "DOWN"), (True, False))}


def _vpn_answers(answers: RecordedAnswers, region: str) -> None:
    """DescribeVpnConnections as the EC2 API reference documents it (VpnConnection, TunnelOption, VgwTelemetry)."""
    connections = []
    for n, (name, (statuses, logs)) in enumerate(VPNS.items()):
        outside = [f"198.51.100.{10 * n + t}" for t in (1, 2)]
        connections.append({
            "VpnConnectionId": f"vpn-0{n}1234567890abcd", "State": "available", "Type": "ipsec.1",
            "CustomerGatewayId": f"cgw-0{n}1234567890abcd", "VpnGatewayId": f"vgw-0{n}1234567890abcd",
            "Category": "VPN", "Tags": [{"Key": "Name", "Value": name}],
            "Options": {"StaticRoutesOnly": False, "TunnelInsideIpVersion": "ipv4", "TunnelOptions": [
                {"OutsideIpAddress": outside[t], "LogOptions": {"CloudWatchLogOptions": {
                    "LogEnabled": logs[t], **({"LogGroupArn": f"arn:aws:logs:{region}:{ACCOUNT}:log-group:vpn"}
                                              if logs[t] else {}), "LogOutputFormat": "json"}}}
                for t in (0, 1)]},
            "VgwTelemetry": [{"OutsideIpAddress": outside[t], "Status": statuses[t], "StatusMessage": "",
                              "AcceptedRouteCount": 2, "LastStatusChange": datetime(2026, 11, 30, tzinfo=timezone.utc)}
                             for t in (0, 1)],
        })
    answers.answer("describe_vpn_connections", {"VpnConnections": connections})


def _vpn_plan() -> list[Planned]:
    def logs(enabled: bool) -> list[dict[str, Any]]:
        return [{"cloudwatch_log_options": [{"log_enabled": enabled, "log_group_arn": "", "log_output_format": "json"}]}]

    return [Planned("aws_vpn_connection", name, {
        "type": "ipsec.1", "tunnel1_log_options": logs(tunnel_logs[0]), "tunnel2_log_options": logs(tunnel_logs[1]),
        "tags": {"Name": name}}, unknown=("id", "arn", "customer_gateway_id", "vpn_gateway_id", "vgw_telemetry"))
        for name, (_, tunnel_logs) in VPNS.items()]


# =============================================================================================
# Application and Network Load Balancers, their listeners
# =============================================================================================

TLS13 = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
#: ALB -> (deletion protection, drop invalid headers, desync mode, access logs)
ALBS = {"alb-hardened": (True, True, "strictest", True), "alb-loose": (False, False, "monitor", False)}
#: listener -> (balancer, protocol, port, security policy, default action)
REDIRECT = {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
LISTENERS: dict[str, tuple[str, str, int, str | None, str]] = {
    "http-redirect": ("alb-hardened", "HTTP", 80, None, "redirect"),
    "https-tls13": ("alb-hardened", "HTTPS", 443, TLS13, "forward"),
    "http-forward": ("alb-loose", "HTTP", 80, None, "forward"),
    "https-old-policy": ("alb-loose", "HTTPS", 443, "ELBSecurityPolicy-2016-08", "forward"),
    "tls-nlb": ("nlb-single-az", "TLS", 443, TLS13, "forward"),
}


def load_balancers(seeder: Seeder) -> None:
    ec2, elbv2 = seeder.client("ec2"), seeder.client("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.90.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.90.{n}.0/24", AvailabilityZone=f"{HOME}{zone}")
               ["Subnet"]["SubnetId"] for n, zone in enumerate("ab")]
    seeder.client("s3").create_bucket(Bucket="acme-lb-logs")
    certificate = seeder.client("acm").request_certificate(DomainName="shop.example.com")["CertificateArn"]
    balancers = {}
    for name, (protected, drop, desync, logs) in ALBS.items():
        lb = elbv2.create_load_balancer(Name=name, Subnets=subnets, Type="application", Scheme="internet-facing")
        balancers[name] = lb["LoadBalancers"][0]["LoadBalancerArn"]
        # moto answers only the attributes that were set; AWS answers all of them.
        elbv2.modify_load_balancer_attributes(LoadBalancerArn=balancers[name], Attributes=[
            {"Key": "deletion_protection.enabled", "Value": str(protected).lower()},
            {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": str(drop).lower()},
            {"Key": "routing.http.desync_mitigation_mode", "Value": desync},
            {"Key": "access_logs.s3.enabled", "Value": str(logs).lower()},
            *([{"Key": "access_logs.s3.bucket", "Value": "acme-lb-logs"}] if logs else [])])
    nlb = elbv2.create_load_balancer(Name="nlb-single-az", Subnets=subnets[:1], Type="network", Scheme="internal")
    balancers["nlb-single-az"] = nlb["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.modify_load_balancer_attributes(LoadBalancerArn=balancers["nlb-single-az"], Attributes=[
        {"Key": "deletion_protection.enabled", "Value": "false"}, {"Key": "access_logs.s3.enabled", "Value": "false"}])
    group = elbv2.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]
    tcp = elbv2.create_target_group(Name="tcp", Protocol="TCP", Port=443, VpcId=vpc)["TargetGroups"][0]
    for name, (balancer, protocol, port, policy, action) in LISTENERS.items():
        forward = {"Type": "forward", "TargetGroupArn": (tcp if protocol == "TLS" else group)["TargetGroupArn"]}
        secure = {"SslPolicy": policy, "Certificates": [{"CertificateArn": certificate}]} if policy else {}
        listener = elbv2.create_listener(LoadBalancerArn=balancers[balancer], Protocol=protocol, Port=port,
                                         DefaultActions=[REDIRECT if action == "redirect" else forward], **secure)
        seeder.ids[name] = listener["Listeners"][0]["ListenerArn"]


def _balancer_plan() -> list[Planned]:
    plan = []
    subnets = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]  # existing subnets: their ids are known
    for name, (protected, drop, desync, logs) in ALBS.items():
        plan.append(Planned("aws_lb", name, {
            "name": name, "load_balancer_type": "application", "internal": False, "subnets": subnets,
            "enable_deletion_protection": protected, "drop_invalid_header_fields": drop, "desync_mitigation_mode": desync,
            "access_logs": [{"enabled": logs, "bucket": "acme-lb-logs" if logs else "", "prefix": ""}], "tags": {}},
            unknown=("arn", "id", "dns_name", "vpc_id", "security_groups")))
    plan.append(Planned("aws_lb", "nlb-single-az", {
        "name": "nlb-single-az", "load_balancer_type": "network", "internal": True, "subnets": subnets[:1],
        "enable_deletion_protection": False, "access_logs": [], "tags": {}}, unknown=("arn", "id", "dns_name")))
    for name, (balancer, protocol, port, policy, action) in LISTENERS.items():
        redirect = [{"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301", "host": "#{host}",
                     "path": "/#{path}", "query": "#{query}"}]
        default = {"type": action, "redirect": redirect if action == "redirect" else [], "fixed_response": [],
                   "forward": []}
        values: dict[str, Any] = {"port": port, "protocol": protocol, "default_action": [default], "tags": {}}
        if policy:
            values["ssl_policy"] = policy
        plan.append(Planned("aws_lb_listener", name, values,
                            unknown=("arn", "id", "load_balancer_arn", "certificate_arn"),
                            references={"load_balancer_arn": [f"aws_lb.{balancer}.arn", f"aws_lb.{balancer}"]}))
    return plan


# =============================================================================================
# Classic Load Balancers
# =============================================================================================

#: balancer -> (listeners as (protocol, port, certificate kind), zones, access logs, draining, cross-zone, desync)
CLASSIC = {
    "clb-hardened": ((("HTTPS", 443, "acm"),), ("a", "b"), True, True, True, "defensive"),
    "clb-legacy": ((("HTTP", 80, None), ("HTTPS", 443, "iam")), ("a",), False, False, False, "monitor"),
}


def classic_balancers(seeder: Seeder) -> None:
    elb = seeder.client("elb")
    seeder.client("s3").create_bucket(Bucket="acme-clb-logs")
    acm = seeder.client("acm").request_certificate(DomainName="legacy.example.com")["CertificateArn"]
    iam = seeder.client("iam").upload_server_certificate(
        ServerCertificateName="legacy", CertificateBody="body", PrivateKey="key")["ServerCertificateMetadata"]["Arn"]
    for name, (listeners, zones, logs, draining, cross_zone, desync) in CLASSIC.items():
        elb.create_load_balancer(LoadBalancerName=name, AvailabilityZones=[f"{HOME}{z}" for z in zones], Listeners=[
            {"Protocol": protocol, "LoadBalancerPort": port, "InstanceProtocol": "HTTP", "InstancePort": 8080,
             **({"SSLCertificateId": acm if kind == "acm" else iam} if kind else {})}
            for protocol, port, kind in listeners])
        elb.modify_load_balancer_attributes(LoadBalancerName=name, LoadBalancerAttributes={
            "CrossZoneLoadBalancing": {"Enabled": cross_zone},
            "AccessLog": {"Enabled": logs, "S3BucketName": "acme-clb-logs", "EmitInterval": 60},
            "ConnectionDraining": {"Enabled": draining, "Timeout": 300},
            "AdditionalAttributes": [{"Key": "elb.http.desyncmitigationmode", "Value": desync}]})
        if name == "clb-hardened":
            elb.create_load_balancer_policy(
                LoadBalancerName=name, PolicyName="tls-1-2", PolicyTypeName="SSLNegotiationPolicyType",
                PolicyAttributes=[{"AttributeName": "Reference-Security-Policy",
                                   "AttributeValue": "ELBSecurityPolicy-TLS-1-2-2017-01"}])
            elb.set_load_balancer_policies_of_listener(LoadBalancerName=name, LoadBalancerPort=443,
                                                       PolicyNames=["tls-1-2"])


def _classic_plan() -> list[Planned]:
    acm = f"arn:aws:acm:{HOME}:{ACCOUNT}:certificate/0c0ffee0-1111-2222-3333-444455556666"
    iam = f"arn:aws:iam::{ACCOUNT}:server-certificate/legacy"
    return [Planned("aws_elb", name, {
        "name": name, "availability_zones": [f"{HOME}{z}" for z in zones],
        "listener": [{"lb_protocol": protocol.lower(), "lb_port": port, "instance_protocol": "http",
                      "instance_port": 8080, "ssl_certificate_id": {"acm": acm, "iam": iam}.get(kind or "", "")}
                     for protocol, port, kind in listeners],
        "access_logs": [{"bucket": "acme-clb-logs", "enabled": logs, "interval": 60, "bucket_prefix": ""}],
        "connection_draining": draining, "connection_draining_timeout": 300, "cross_zone_load_balancing": cross_zone,
        "desync_mitigation_mode": desync, "tags": {}}, unknown=("arn", "id", "dns_name", "instances"))
        for name, (listeners, zones, logs, draining, cross_zone, desync) in CLASSIC.items()]


# =============================================================================================
# Auto Scaling groups and launch configurations
# =============================================================================================


def autoscaling(seeder: Seeder) -> None:
    ec2, autoscaling = seeder.client("ec2"), seeder.client("autoscaling")
    ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={"ImageId": "ami-0abcdef1234567890"})
    seeder.client("elb").create_load_balancer(LoadBalancerName="classic", AvailabilityZones=[f"{HOME}a"], Listeners=[
        {"Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP", "InstancePort": 80}])
    for name, public, tokens in (("lc-hardened", False, "required"), ("lc-public", True, "optional")):
        autoscaling.create_launch_configuration(LaunchConfigurationName=name, ImageId="ami-0abcdef1234567890",
                                                InstanceType="t3.micro", AssociatePublicIpAddress=public,
                                                MetadataOptions={"HttpTokens": tokens})
    zones = [f"{HOME}a", f"{HOME}b"]
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="asg-templated", MinSize=0, MaxSize=2, AvailabilityZones=zones, HealthCheckType="ELB",
        LoadBalancerNames=["classic"], MixedInstancesPolicy={"LaunchTemplate": {
            "LaunchTemplateSpecification": {"LaunchTemplateName": "web", "Version": "$Default"},
            "Overrides": [{"InstanceType": "t3.micro"}, {"InstanceType": "t3a.micro"}]}})
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="asg-legacy", MinSize=0, MaxSize=2, AvailabilityZones=zones[:1],
        LaunchConfigurationName="lc-public", LoadBalancerNames=["classic"])
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="asg-plain", MinSize=0, MaxSize=2, AvailabilityZones=zones,
        LaunchTemplate={"LaunchTemplateName": "web", "Version": "$Default"})


def _autoscaling_plan() -> list[Planned]:
    zones = [f"{HOME}a", f"{HOME}b"]
    spec = [{"launch_template_name": "web", "launch_template_id": "", "version": "$Default"}]
    plan = [Planned("aws_launch_configuration", name, {
        "name": name, "image_id": "ami-0abcdef1234567890", "instance_type": "t3.micro",
        "associate_public_ip_address": public, "metadata_options": [{"http_tokens": tokens, "http_endpoint": "enabled",
                                                                     "http_put_response_hop_limit": 1}]},
        unknown=("arn", "id")) for name, public, tokens in (("lc-hardened", False, "required"),
                                                            ("lc-public", True, "optional"))]
    groups = {
        "asg-templated": {"availability_zones": zones, "health_check_type": "ELB", "load_balancers": ["classic"],
                          "mixed_instances_policy": [{"launch_template": [{
                              "launch_template_specification": spec,
                              "override": [{"instance_type": "t3.micro", "weighted_capacity": ""},
                                           {"instance_type": "t3a.micro", "weighted_capacity": ""}]}],
                              "instances_distribution": []}]},
        "asg-legacy": {"availability_zones": zones[:1], "launch_configuration": "lc-public",
                       "load_balancers": ["classic"]},
        "asg-plain": {"availability_zones": zones, "launch_template": [{"name": "web", "version": "$Default", "id": ""}]},
    }
    plan += [Planned("aws_autoscaling_group", name, {"name": name, "min_size": 0, "max_size": 2, "target_group_arns": [],
                                                     "load_balancers": [], **values},
                     unknown=("arn", "id", "desired_capacity", "vpc_zone_identifier"))
             for name, values in groups.items()]
    return plan


# =============================================================================================
# Network Firewall: recorded answers (moto serves firewalls but not the policies they enforce)
# =============================================================================================

FIREWALL_POLICY = f"arn:aws:network-firewall:{HOME}:{ACCOUNT}:firewall-policy/"
#: firewall -> (protected, logs, policy default actions, fragment actions, rule groups)
FIREWALLS = {
    "fw-hardened": (True, True, ["aws:forward_to_sfe"], ["aws:drop"], True),
    "fw-open": (False, False, ["aws:pass"], ["aws:pass"], False),
}


def _firewall_answers(answers: RecordedAnswers, region: str) -> None:
    """The Network Firewall answers as its API reference documents them (Firewall, LoggingConfiguration, policy)."""
    arn = f"arn:aws:network-firewall:{region}:{ACCOUNT}:firewall/"
    answers.answer("list_firewalls", {"Firewalls": [{"FirewallName": n, "FirewallArn": arn + n} for n in FIREWALLS]})
    for name, (protected, logs, actions, fragments, groups) in FIREWALLS.items():
        answers.answer("describe_firewall", {"UpdateToken": "token-1", "Firewall": {
            "FirewallName": name, "FirewallArn": arn + name, "FirewallPolicyArn": FIREWALL_POLICY + name,
            "VpcId": "vpc-0f1e2d3c4b5a69788", "SubnetMappings": [{"SubnetId": "subnet-0f1e2d3c4b5a69701"}],
            "DeleteProtection": protected, "SubnetChangeProtection": protected, "FirewallPolicyChangeProtection": False,
            "FirewallId": f"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f{len(name) % 10}",
            "Tags": [{"Key": "Name", "Value": name}]}, "FirewallStatus": {
                "Status": "READY", "ConfigurationSyncStateSummary": "IN_SYNC"}}, params={"FirewallArn": arn + name})
        answers.answer("describe_logging_configuration", {"FirewallArn": arn + name, "LoggingConfiguration": {
            "LogDestinationConfigs": [{"LogType": "FLOW", "LogDestinationType": "S3",
                                       "LogDestination": {"bucketName": "acme-firewall-logs"}}] if logs else []}},
            params={"FirewallArn": arn + name})
        references = {
            "StatelessRuleGroupReferences": [{"ResourceArn": f"{FIREWALL_POLICY[:-16]}stateless-rulegroup/edge",
                                              "Priority": 10}],
            "StatefulRuleGroupReferences": [{"ResourceArn": f"{FIREWALL_POLICY[:-16]}stateful-rulegroup/domains"}],
        } if groups else {}
        answers.answer("describe_firewall_policy", {"UpdateToken": "token-1", "FirewallPolicyResponse": {
            "FirewallPolicyName": name, "FirewallPolicyArn": FIREWALL_POLICY + name,
            "FirewallPolicyId": f"1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6{len(name) % 10}"},
            "FirewallPolicy": {"StatelessDefaultActions": actions, "StatelessFragmentDefaultActions": fragments,
                               **references}}, params={"FirewallPolicyArn": FIREWALL_POLICY + name})


def _firewall_plan() -> list[Planned]:
    plan = []
    for name, (protected, logs, _, _, _) in FIREWALLS.items():
        plan.append(Planned("aws_networkfirewall_firewall", name, {
            "name": name, "firewall_policy_arn": FIREWALL_POLICY + name, "vpc_id": "vpc-0f1e2d3c4b5a69788",
            "subnet_mapping": [{"subnet_id": "subnet-0f1e2d3c4b5a69701", "ip_address_type": "IPV4"}],
            "delete_protection": protected, "subnet_change_protection": protected, "tags": {}},
            unknown=("arn", "id", "firewall_status", "update_token")))
        if logs:
            plan.append(Planned("aws_networkfirewall_logging_configuration", f"{name}-logs", {"logging_configuration": [{
                "log_destination_config": [{"log_destination": {"bucketName": "acme-firewall-logs"},
                                            "log_destination_type": "S3", "log_type": "FLOW"}]}]},
                unknown=("firewall_arn", "id"),
                references={"firewall_arn": [f"aws_networkfirewall_firewall.{name}.arn",
                                             f"aws_networkfirewall_firewall.{name}"]}))
    return plan


# =============================================================================================
# the estates
# =============================================================================================

EBS_DEFAULT = f"{ACCOUNT}/{HOME}/aws_ebs_encryption_by_default"


def ebs_default(enabled: bool) -> Any:
    def seed(seeder: Seeder) -> None:
        if enabled:
            seeder.client("ec2").enable_ebs_encryption_by_default()
        seeder.ids["ebs-default"] = EBS_DEFAULT

    return seed


ESTATES = [
    Estate(
        "network-vpcs-subnets-acls",
        vpcs,
        expect={
            "vpc-flow-logs": {"vpc-private-link": PASS, "vpc-rejects-logged": PASS, "vpc-accepts-only": FAIL,
                              "vpc-unlogged": FAIL},
            **{check: _endpoints(check) for check in ENDPOINT_CHECKS},
            "vpc-uses-endpoints": {"vpc-private-link": PASS, "vpc-rejects-logged": PASS, "vpc-accepts-only": PASS,
                                   "vpc-unlogged": FAIL},
            "vpc-subnet-no-auto-public-ip": {"subnet-private": PASS, "subnet-public": FAIL, "subnet-ipv6-auto": FAIL},
            "nacl-no-world-admin-ports": _acls("nacl-no-world-admin-ports"),
            "nacl-attached-to-subnet": _acls("nacl-attached-to-subnet"),
        },
        plan=_vpc_plan(),
    ),
    Estate(
        "network-security-groups",
        security_groups,
        expect={
            "sg-no-world-cifs": _groups_failing("cifs-world-v4", "cifs-world-v6", "all-traffic-world"),
            "sg-no-world-admin-ports-ipv4": _groups_failing("ssh-world-v4", "rdp-range-world-v4", "all-traffic-world"),
            "sg-no-world-admin-ports-ipv6": _groups_failing("ssh-world-v6", "rdp-world-v6"),
            "sg-world-open-only-http-https": _groups_failing(
                "ssh-world-v4", "rdp-range-world-v4", "ssh-world-v6", "rdp-world-v6", "cifs-world-v4", "cifs-world-v6",
                "cifs-udp-world", "postgres-world", "custom-port-world", "all-traffic-world"),
            "sg-no-world-high-risk-ports": _groups_failing(
                "ssh-world-v4", "rdp-range-world-v4", "ssh-world-v6", "rdp-world-v6", "cifs-world-v4", "cifs-world-v6",
                "cifs-udp-world", "postgres-world", "all-traffic-world"),
            "sg-default-restricts-all": {"default-of-locked": PASS, "default-of-apps": FAIL, "https-world": OUT},
        },
        plan=_group_plan(),
    ),
    Estate(
        "network-instances-templates",
        instances,
        expect={
            "ec2-imdsv2-required": {"web-hardened": PASS, "imds-off": PASS, "legacy-public": FAIL,
                                    "stopped-imdsv1": FAIL, "terminated-imdsv1": OUT},
            "ec2-instance-profile": {"web-hardened": PASS, "imds-off": PASS, "legacy-public": FAIL,
                                     "stopped-imdsv1": OUT},
            "ec2-instance-no-public-ip": {"web-hardened": PASS, "imds-off": PASS, "legacy-public": FAIL},
            "eni-source-dest-check": {"eni-checked": PASS, "eni-unchecked": FAIL},
            "ebs-volume-encrypted": {"data-encrypted": PASS, "scratch-plain": FAIL},
            "ec2-launch-template-no-public-ip": {"lt-hardened": PASS, "lt-defaults": PASS, "lt-public": FAIL},
            "ec2-launch-template-imdsv2": {"lt-hardened": PASS, "lt-defaults": FAIL, "lt-public": FAIL},
            "ec2-launch-template-ebs-encrypted": {"lt-hardened": PASS, "lt-defaults": PASS, "lt-public": FAIL},
        },
        plan=_instance_plan(),
    ),
    Estate(
        "network-instance-lifecycle",
        lifecycle,
        expect={
            "ec2-stopped-instance-removed": {"recently-stopped": PASS, "long-stopped": FAIL, "dual-homed": OUT},
            "ec2-instance-single-interface": {"hvm-single": PASS, "dual-homed": FAIL},
            "ec2-instance-not-paravirtual": {"hvm-single": PASS, "dual-homed": FAIL},
            "ec2-attached-volume-encrypted": {"attached-encrypted": PASS, "attached-plain": FAIL, "loose-plain": OUT},
            "ec2-snapshot-not-public": {"snap-private": PASS, "snap-public": FAIL},
        },
        live_only={
            "ec2-stopped-instance-removed": "when an instance stopped is only in its observed transition reason",
            "ec2-instance-single-interface": "the interfaces attached to an instance are observed, not planned",
            "ec2-instance-not-paravirtual": "the virtualization type comes from the image, known once running",
            "ec2-attached-volume-encrypted": "whether a volume is attached is observed, not planned",
            "ec2-snapshot-not-public": "who may create volumes from a snapshot is observed (DescribeSnapshotAttribute)",
        },
    ),
    Estate(
        "network-ebs-default-on", ebs_default(True), expect={"ebs-encryption-by-default": {"ebs-default": PASS}},
        plan=[Planned("aws_ebs_encryption_by_default", "ebs-default", {"enabled": True}, unknown=("id",))],
    ),
    Estate(
        "network-ebs-default-off", ebs_default(False), expect={"ebs-encryption-by-default": {"ebs-default": FAIL}},
        plan=[Planned("aws_ebs_encryption_by_default", "ebs-default", {"enabled": False}, unknown=("id",))],
    ),
    Estate(
        "network-peering-transit",
        routing,
        expect={
            "vpc-peering-routes-least-access": {"pcx-narrow": PASS, "pcx-unrouted": PASS, "pcx-whole-vpc": FAIL},
            "tgw-no-auto-accept-attachments": {"tgw-manual": PASS, "tgw-auto": FAIL},
        },
        plan=_routing_plan(),
        live_only={"vpc-peering-routes-least-access": "the routes through a peering and the peer VPC's ranges are "
                                                      "observed (route tables, DescribeVpcPeeringConnections)"},
    ),
    Estate(
        "network-vpn-connections",
        lambda seeder: None,
        expect={
            "vpn-both-tunnels-up": {"vpn-healthy": PASS, "vpn-degraded": FAIL},
            "vpn-tunnel-logging": {"vpn-healthy": PASS, "vpn-degraded": FAIL},
        },
        plan=_vpn_plan(),
        live_only={"vpn-both-tunnels-up": "tunnel status is telemetry AWS reports for a running connection"},
        recordings={"ec2": _vpn_answers},
    ),
    Estate(
        "network-load-balancers",
        load_balancers,
        expect={
            "elb-alb-http-redirects-to-https": {"http-redirect": PASS, "http-forward": FAIL, "https-tls13": OUT},
            "elb-listener-recommended-tls-policy": {"https-tls13": PASS, "tls-nlb": PASS, "https-old-policy": FAIL,
                                                    "http-redirect": OUT},
            "elb-listener-secure-protocol": {"https-tls13": PASS, "tls-nlb": PASS, "http-redirect": FAIL,
                                             "http-forward": FAIL},
            "elb-alb-drops-invalid-headers": {"alb-hardened": PASS, "alb-loose": FAIL, "nlb-single-az": OUT},
            "elb-alb-access-logs": {"alb-hardened": PASS, "alb-loose": FAIL, "nlb-single-az": OUT},
            "elb-alb-desync-mitigation": {"alb-hardened": PASS, "alb-loose": FAIL, "nlb-single-az": OUT},
            "elb-deletion-protection": {"alb-hardened": PASS, "alb-loose": FAIL, "nlb-single-az": FAIL},
            "elb-multi-az": {"alb-hardened": PASS, "alb-loose": PASS, "nlb-single-az": FAIL},
        },
        plan=_balancer_plan(),
    ),
    Estate(
        "network-classic-load-balancers",
        classic_balancers,
        expect={
            check: {"clb-hardened": PASS, "clb-legacy": FAIL}
            for check in ("elb-classic-acm-certificate", "elb-classic-listeners-encrypted", "elb-classic-access-logs",
                          "elb-classic-connection-draining", "elb-classic-predefined-tls-policy",
                          "elb-classic-cross-zone", "elb-classic-multi-az", "elb-classic-desync-mitigation")
        },
        plan=_classic_plan(),
        live_only={"elb-classic-predefined-tls-policy": "a listener's negotiation policy is its own Terraform resource "
                                                        "(aws_load_balancer_listener_policy); the policy is observed"},
    ),
    Estate(
        "network-autoscaling",
        autoscaling,
        expect={
            "autoscaling-elb-health-checks": {"asg-templated": PASS, "asg-legacy": FAIL, "asg-plain": OUT},
            "autoscaling-multi-az": {"asg-templated": PASS, "asg-plain": PASS, "asg-legacy": FAIL},
            "autoscaling-multiple-instance-types": {"asg-templated": PASS, "asg-legacy": FAIL, "asg-plain": FAIL},
            "autoscaling-launch-template": {"asg-templated": PASS, "asg-plain": PASS, "asg-legacy": FAIL},
            "autoscaling-launch-config-imdsv2": {"lc-hardened": PASS, "lc-public": FAIL},
            "autoscaling-launch-config-no-public-ip": {"lc-hardened": PASS, "lc-public": FAIL},
        },
        plan=_autoscaling_plan(),
    ),
    Estate(
        "network-firewalls",
        lambda seeder: None,
        expect={check: {"fw-hardened": PASS, "fw-open": FAIL} for check in (
            "networkfirewall-logging", "networkfirewall-policy-has-rule-groups",
            "networkfirewall-policy-full-packets-not-passed", "networkfirewall-policy-fragments-not-passed",
            "networkfirewall-deletion-protection", "networkfirewall-subnet-change-protection")},
        plan=_firewall_plan(),
        live_only={check: "the policy a firewall enforces is read through the firewall, not planned with it"
                   for check in ("networkfirewall-policy-has-rule-groups",
                                 "networkfirewall-policy-full-packets-not-passed",
                                 "networkfirewall-policy-fragments-not-passed")},
        recordings={"network-firewall": _firewall_answers},
    ),
]
