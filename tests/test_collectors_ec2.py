"""EC2 and VPC collectors against moto: rule normalisation, flow logs, IMDS, EBS encryption, denied calls."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from factories import by_name, deny, moto_session, observe_moto
from unify.aws.vpc_security import _nacl_rules, _rules

MOTO_ACCOUNT = "123456789012"
REGION = "us-east-1"


def arn(kind: str, id_: str, region: str = REGION) -> str:
    return f"arn:aws:ec2:{region}:{MOTO_ACCOUNT}:{kind}/{id_}"


def rule(protocol: str, from_port: int, to_port: int, *, cidrs: list[str] | None = None,
         ipv6: list[str] | None = None, prefix_lists: list[str] | None = None, groups: list[str] | None = None,
         self_: bool = False, description: str = "") -> dict[str, Any]:
    """A security group rule block as the collector writes it."""
    return {"protocol": protocol, "from_port": from_port, "to_port": to_port, "cidr_blocks": cidrs or [],
            "ipv6_cidr_blocks": ipv6 or [], "prefix_list_ids": prefix_lists or [], "security_groups": groups or [],
            "self": self_, "description": description}


ALLOW_ALL_EGRESS = [rule("-1", 0, 0, cidrs=["0.0.0.0/0"])]


@pytest.fixture
def aws() -> Any:
    with mock_aws():
        yield boto3.client("ec2", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def vpc_id(aws: Any) -> str:
    return aws.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]


def by_id(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["attributes"]["id"]: r for r in resources}


# -- security groups ---------------------------------------------------------------------


def test_security_group_rules_become_terraform_blocks(aws: Any, vpc_id: str) -> None:
    def group(name: str) -> str:
        return aws.create_security_group(GroupName=name, Description=f"{name} group", VpcId=vpc_id,
                                         TagSpecifications=[{"ResourceType": "security-group",
                                                             "Tags": [{"Key": "team", "Value": "net"}]}])["GroupId"]

    ssh, rdp, internal = group("ssh-world"), group("rdp-world-v6"), group("internal")
    aws.authorize_security_group_ingress(GroupId=ssh, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "ssh from anywhere"}, {"CidrIp": "192.0.2.0/24"}]},
    ])
    aws.authorize_security_group_ingress(GroupId=rdp, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
    ])
    aws.authorize_security_group_ingress(GroupId=internal, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": internal, "Description": "peers"}]},
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": ssh}]},
    ])

    snapshot = observe_moto("aws_security_group")
    groups = by_id(snapshot.of_type("aws_security_group"))

    ssh_group = groups[ssh]
    assert ssh_group["id"] == arn("security-group", ssh)
    assert ssh_group["name"] == "ssh-world"
    assert ssh_group["tags"] == {"team": "net"}
    assert {k: v for k, v in ssh_group["attributes"].items() if k not in ("ingress", "egress")} == {
        "id": ssh, "arn": arn("security-group", ssh), "name": "ssh-world", "description": "ssh-world group",
        "vpc_id": vpc_id, "owner_id": MOTO_ACCOUNT,
    }
    # One IpPermission with two descriptions: two blocks, both descriptions kept.
    assert ssh_group["attributes"]["ingress"] == [
        rule("tcp", 22, 22, cidrs=["192.0.2.0/24"]),
        rule("tcp", 22, 22, cidrs=["0.0.0.0/0"], description="ssh from anywhere"),
    ]
    assert ssh_group["attributes"]["egress"] == ALLOW_ALL_EGRESS
    assert groups[rdp]["attributes"]["ingress"] == [rule("tcp", 3389, 3389, ipv6=["::/0"])]
    # All traffic has ports 0 and 0; the group itself is `self`, not a listed group.
    assert groups[internal]["attributes"]["ingress"] == [
        rule("-1", 0, 0, self_=True, description="peers"),
        rule("tcp", 443, 443, cidrs=["10.0.0.0/8"]),
        rule("tcp", 5432, 5432, groups=[ssh]),
    ]
    # moto quirk: the VPC's default group has the egress rule but not AWS's self-referencing ingress rule.
    default = [g for g in groups.values() if g["attributes"].get("vpc_id") == vpc_id and g["name"] == "default"]
    assert len(default) == 1
    assert default[0]["attributes"]["ingress"] == []
    assert default[0]["attributes"]["egress"] == ALLOW_ALL_EGRESS
    assert snapshot.coverage_of("aws_security_group")[0]["status"] == "ok"


def test_group_pairs_of_other_accounts_and_self() -> None:
    """Cross-account pairs (which moto cannot create) name "account/sg-id"; the group itself is `self`."""
    permissions = [{
        "IpProtocol": "udp", "FromPort": 53, "ToPort": 53,
        "UserIdGroupPairs": [
            {"GroupId": "sg-own", "UserId": "111122223333"},
            {"GroupId": "sg-peer", "UserId": "444455556666", "Description": "dns"},
            {"GroupId": "sg-sibling", "UserId": "111122223333", "Description": "dns"},
        ],
        "PrefixListIds": [{"PrefixListId": "pl-2"}, {"PrefixListId": "pl-1", "Description": "dns"}],
    }, {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]

    assert _rules(permissions, "sg-own", "111122223333") == [
        rule("icmp", 8, -1, cidrs=["10.0.0.0/8"]),
        rule("udp", 53, 53, prefix_lists=["pl-2"], self_=True),
        rule("udp", 53, 53, prefix_lists=["pl-1"], groups=["444455556666/sg-peer", "sg-sibling"], description="dns"),
    ]


def test_denied_security_group_listing_is_an_error_not_an_empty_estate(aws: Any, vpc_id: str) -> None:
    aws.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)
    session = moto_session()
    deny(session, "ec2", "DescribeSecurityGroups")

    snapshot = observe_moto("aws_security_group", "aws_network_acl", session=session)

    assert snapshot.of_type("aws_security_group") == []
    [coverage] = snapshot.coverage_of("aws_security_group")
    assert coverage["status"] == "error"
    assert coverage["error"]["code"] == "AccessDenied"
    # Other collectors of the service are unaffected.
    assert snapshot.coverage_of("aws_network_acl")[0]["status"] == "ok"
    assert snapshot.of_type("aws_network_acl")


# -- network ACLs --------------------------------------------------------------------------


def test_network_acl_entries(aws: Any, vpc_id: str) -> None:
    subnet = aws.create_subnet(VpcId=vpc_id, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    acl = aws.create_network_acl(VpcId=vpc_id, TagSpecifications=[
        {"ResourceType": "network-acl", "Tags": [{"Key": "Name", "Value": "private"}]}])["NetworkAcl"]["NetworkAclId"]
    entries = [
        {"RuleNumber": 200, "Protocol": "6", "RuleAction": "allow", "Egress": False, "CidrBlock": "10.0.0.0/8",
         "PortRange": {"From": 443, "To": 443}},
        {"RuleNumber": 100, "Protocol": "6", "RuleAction": "deny", "Egress": False, "CidrBlock": "0.0.0.0/0",
         "PortRange": {"From": 22, "To": 22}},
        {"RuleNumber": 100, "Protocol": "17", "RuleAction": "allow", "Egress": True, "Ipv6CidrBlock": "::/0",
         "PortRange": {"From": 53, "To": 53}},
    ]
    for entry in entries:
        aws.create_network_acl_entry(NetworkAclId=acl, **entry)
    by_subnet = [{"Name": "association.subnet-id", "Values": [subnet]}]
    [current] = aws.describe_network_acls(Filters=by_subnet)["NetworkAcls"]
    association = next(a for a in current["Associations"] if a["SubnetId"] == subnet)
    aws.replace_network_acl_association(AssociationId=association["NetworkAclAssociationId"], NetworkAclId=acl)

    snapshot = observe_moto("aws_network_acl")
    acls = by_id(snapshot.of_type("aws_network_acl"))

    private = acls[acl]
    assert private["id"] == arn("network-acl", acl)
    assert private["name"] == "private"
    assert private["attributes"] == {
        "id": acl, "arn": arn("network-acl", acl), "vpc_id": vpc_id, "owner_id": MOTO_ACCOUNT,
        "subnet_ids": [subnet], "is_default": False,
        "ingress": [
            {"rule_no": 100, "action": "deny", "protocol": "6", "from_port": 22, "to_port": 22,
             "cidr_block": "0.0.0.0/0", "ipv6_cidr_block": "", "icmp_type": 0, "icmp_code": 0},
            {"rule_no": 200, "action": "allow", "protocol": "6", "from_port": 443, "to_port": 443,
             "cidr_block": "10.0.0.0/8", "ipv6_cidr_block": "", "icmp_type": 0, "icmp_code": 0},
        ],
        "egress": [
            {"rule_no": 100, "action": "allow", "protocol": "17", "from_port": 53, "to_port": 53,
             "cidr_block": "", "ipv6_cidr_block": "::/0", "icmp_type": 0, "icmp_code": 0},
        ],
    }
    # The VPC's default ACL allows everything; the implicit catch-all deny (32767) is left out.
    [default] = [a for a in acls.values() if a["attributes"]["vpc_id"] == vpc_id and a["attributes"]["is_default"]]
    assert default["name"] == default["attributes"]["id"]
    allow_all = {"rule_no": 100, "action": "allow", "protocol": "-1", "from_port": 0, "to_port": 0,
                 "cidr_block": "0.0.0.0/0", "ipv6_cidr_block": "", "icmp_type": 0, "icmp_code": 0}
    assert default["attributes"]["ingress"] == [allow_all]
    assert default["attributes"]["egress"] == [allow_all]
    assert subnet not in default["attributes"]["subnet_ids"]


def test_network_acl_icmp_entry_and_implicit_rules() -> None:
    """ICMP type and code (moto drops IcmpTypeCode, so built by hand); both catch-all denies are left out."""
    entries = [
        {"RuleNumber": 32768, "Protocol": "-1", "RuleAction": "deny", "Egress": True, "Ipv6CidrBlock": "::/0"},
        {"RuleNumber": 110, "Protocol": "1", "RuleAction": "allow", "Egress": True, "CidrBlock": "10.0.0.0/8",
         "IcmpTypeCode": {"Type": 3, "Code": 4}},
        {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": True, "CidrBlock": "0.0.0.0/0"},
    ]
    assert _nacl_rules(entries, egress=True) == [
        {"rule_no": 110, "action": "allow", "protocol": "1", "from_port": 0, "to_port": 0,
         "cidr_block": "10.0.0.0/8", "ipv6_cidr_block": "", "icmp_type": 3, "icmp_code": 4},
    ]
    assert _nacl_rules(entries, egress=False) == []


# -- VPCs and flow logs ------------------------------------------------------------------------


def test_vpc_with_and_without_flow_log(aws: Any) -> None:
    logged = aws.create_vpc(CidrBlock="10.30.0.0/16", AmazonProvidedIpv6CidrBlock=True, TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "logged"}]}])["Vpc"]["VpcId"]
    bare = aws.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    aws.modify_vpc_attribute(VpcId=logged, EnableDnsHostnames={"Value": True})
    subnet = aws.create_subnet(VpcId=bare, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="flow-logs")
    boto3.client("logs", region_name=REGION).create_log_group(logGroupName="subnet-flows")
    [vpc_flow] = aws.create_flow_logs(
        ResourceIds=[logged], ResourceType="VPC", TrafficType="REJECT", LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-logs", MaxAggregationInterval=60,
        TagSpecifications=[{"ResourceType": "vpc-flow-log", "Tags": [{"Key": "Name", "Value": "central"}]}],
    )["FlowLogIds"]
    [subnet_flow] = aws.create_flow_logs(
        ResourceIds=[subnet], ResourceType="Subnet", TrafficType="ALL", LogGroupName="subnet-flows",
        DeliverLogsPermissionArn=f"arn:aws:iam::{MOTO_ACCOUNT}:role/flow-logs",
    )["FlowLogIds"]

    [described] = aws.describe_vpcs(VpcIds=[logged])["Vpcs"]
    dhcp_options = described["DhcpOptionsId"]

    snapshot = observe_moto("aws_vpc", "aws_flow_log")
    vpcs = by_id(snapshot.of_type("aws_vpc"))

    with_log = vpcs[logged]
    assert with_log["id"] == arn("vpc", logged)
    assert with_log["name"] == "logged"
    attributes = dict(with_log["attributes"])
    assert attributes.pop("ipv6_cidr_block").endswith("::/56")
    assert attributes == {
        "id": logged, "arn": arn("vpc", logged), "cidr_block": "10.30.0.0/16", "instance_tenancy": "default",
        "owner_id": MOTO_ACCOUNT, "dhcp_options_id": dhcp_options, "default": False,
        "enable_dns_support": True, "enable_dns_hostnames": True,
        "flow_logs": [{"id": vpc_flow, "status": "ACTIVE", "traffic_type": "REJECT", "log_destination_type": "s3",
                       "log_destination": "arn:aws:s3:::flow-logs"}],
        "vpc_endpoints": [],
    }
    # A subnet flow log does not count for the VPC.
    assert vpcs[bare]["name"] == bare
    assert vpcs[bare]["attributes"]["flow_logs"] == []
    assert vpcs[bare]["attributes"]["enable_dns_hostnames"] is False
    assert "ipv6_cidr_block" not in vpcs[bare]["attributes"]
    assert [v["attributes"]["default"] for v in vpcs.values()].count(True) == 1  # moto's default VPC

    flows = by_id(snapshot.of_type("aws_flow_log"))
    assert set(flows) == {vpc_flow, subnet_flow}
    assert flows[vpc_flow]["id"] == arn("vpc-flow-log", vpc_flow)
    assert flows[vpc_flow]["name"] == "central"
    central = dict(flows[vpc_flow]["attributes"])
    assert central.pop("log_format").startswith("${version}")
    assert central == {
        "id": vpc_flow, "arn": arn("vpc-flow-log", vpc_flow), "traffic_type": "REJECT", "log_destination_type": "s3",
        "log_destination": "arn:aws:s3:::flow-logs", "max_aggregation_interval": 60, "vpc_id": logged,
        "resource_id": logged, "flow_log_status": "ACTIVE", "deliver_logs_status": "SUCCESS",
    }
    on_subnet = flows[subnet_flow]
    assert on_subnet["name"] == subnet_flow
    assert on_subnet["attributes"]["subnet_id"] == subnet
    assert on_subnet["attributes"]["log_group_name"] == "subnet-flows"
    assert on_subnet["attributes"]["iam_role_arn"] == f"arn:aws:iam::{MOTO_ACCOUNT}:role/flow-logs"
    assert on_subnet["attributes"]["log_destination_type"] == "cloud-watch-logs"
    assert not {"vpc_id", "eni_id", "transit_gateway_id"} & set(on_subnet["attributes"])


def test_denied_vpc_attribute_is_unknown_and_the_vpc_stays(aws: Any, vpc_id: str) -> None:
    session = moto_session()
    deny(session, "ec2", "DescribeVpcAttribute")

    snapshot = observe_moto("aws_vpc", session=session)
    vpcs = by_id(snapshot.of_type("aws_vpc"))

    assert vpc_id in vpcs
    attributes = vpcs[vpc_id]["attributes"]
    assert set(attributes["enable_dns_support"]) == {"$unknown"}
    assert "AccessDenied" in attributes["enable_dns_support"]["$unknown"]
    assert set(attributes["enable_dns_hostnames"]) == {"$unknown"}
    assert attributes["cidr_block"] == "10.20.0.0/16"
    assert snapshot.coverage_of("aws_vpc")[0]["status"] == "ok"


# -- instances --------------------------------------------------------------------------------------


def test_instances_metadata_options_and_profile(aws: Any, vpc_id: str) -> None:
    iam = boto3.client("iam", region_name=REGION)
    iam.create_instance_profile(InstanceProfileName="app-profile", Path="/apps/")
    aws.create_key_pair(KeyName="ops")
    subnet = aws.create_subnet(VpcId=vpc_id, CidrBlock="10.20.2.0/24",
                               AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    web_sg = aws.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)["GroupId"]
    app_sg = aws.create_security_group(GroupName="app", Description="app", VpcId=vpc_id)["GroupId"]

    def launch(name: str, **kwargs: Any) -> str:
        return aws.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.micro",
                                 TagSpecifications=[{"ResourceType": "instance",
                                                     "Tags": [{"Key": "Name", "Value": name}]}],
                                 **kwargs)["Instances"][0]["InstanceId"]

    hardened = launch("hardened", SubnetId=subnet, SecurityGroupIds=[web_sg, app_sg], KeyName="ops",
                      IamInstanceProfile={"Name": "app-profile"}, Monitoring={"Enabled": True},
                      MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled",
                                       "HttpPutResponseHopLimit": 2})
    legacy = launch("legacy", MetadataOptions={"HttpTokens": "optional"})
    gone = launch("gone")
    aws.terminate_instances(InstanceIds=[gone])

    snapshot = observe_moto("aws_instance")
    instances = by_name(snapshot, "aws_instance")

    assert set(instances) == {"hardened", "legacy"}
    good = instances["hardened"]
    assert good["id"] == arn("instance", hardened)
    attributes = dict(good["attributes"])
    assert attributes.pop("launch_time").endswith("Z")
    assert attributes.pop("private_ip").startswith("10.20.2.")
    [interface] = attributes.pop("network_interfaces")
    assert interface["id"].startswith("eni-") and (interface["device_index"], interface["network_card_index"]) == (0, 0)
    assert attributes == {
        "id": hardened, "arn": arn("instance", hardened), "ami": "ami-12c6146b", "instance_type": "t3.micro",
        "instance_state": "running", "availability_zone": "us-east-1b", "subnet_id": subnet,
        "vpc_security_group_ids": sorted([web_sg, app_sg]), "key_name": "ops",
        "iam_instance_profile": "app-profile",
        "iam_instance_profile_arn": f"arn:aws:iam::{MOTO_ACCOUNT}:instance-profile/apps/app-profile",
        "metadata_options": {"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 2,
                             "http_protocol_ipv6": "disabled", "instance_metadata_tags": "disabled"},
        "monitoring": True, "ebs_optimized": False,  # no public_ip: the subnet does not map one
        "associate_public_ip_address": False, "virtualization_type": "hvm",  # moto's image ami-12c6146b is HVM
    }

    weak = instances["legacy"]["attributes"]
    assert weak["id"] == legacy
    assert weak["metadata_options"]["http_tokens"] == "optional"
    assert weak["monitoring"] is False
    assert "key_name" not in weak and "iam_instance_profile" not in weak and "iam_instance_profile_arn" not in weak
    assert len(weak["vpc_security_group_ids"]) == 1  # the default VPC's default group, via the interface
    assert weak["public_ip"]  # launched into the default VPC's public subnet
    assert weak["associate_public_ip_address"] is True


# -- EBS ---------------------------------------------------------------------------------------------


def test_volumes_encryption_and_attachments(aws: Any) -> None:
    instance = aws.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    root_volumes = {v["VolumeId"] for v in aws.describe_volumes()["Volumes"]}
    encrypted = aws.create_volume(AvailabilityZone="us-east-1a", Size=20, VolumeType="gp3", Iops=3000,
                                  Throughput=125, Encrypted=True, TagSpecifications=[
                                      {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "data"}]}])
    plain = aws.create_volume(AvailabilityZone="us-east-1b", Size=8)["VolumeId"]
    aws.attach_volume(VolumeId=plain, InstanceId=instance, Device="/dev/sdf")

    snapshot = observe_moto("aws_ebs_volume")
    volumes = by_id(snapshot.of_type("aws_ebs_volume"))

    assert set(volumes) == root_volumes | {encrypted["VolumeId"], plain}
    data = volumes[encrypted["VolumeId"]]
    assert data["name"] == "data"
    assert data["id"] == arn("volume", encrypted["VolumeId"])
    attributes = dict(data["attributes"])
    assert attributes.pop("create_time").endswith("Z")
    assert attributes == {
        "id": encrypted["VolumeId"], "arn": arn("volume", encrypted["VolumeId"]), "availability_zone": "us-east-1a",
        "encrypted": True, "kms_key_id": encrypted["KmsKeyId"], "size": 20, "type": "gp3", "iops": 3000,
        # moto leaves MultiAttachEnabled out; with no documented default, what is not sent is not observed.
        "throughput": 125, "multi_attach_enabled": {"$unknown": "MalformedResponse: MultiAttachEnabled not sent"},
        "state": "available", "attachments": [],
    }
    assert attributes["kms_key_id"].startswith(f"arn:aws:kms:{REGION}:{MOTO_ACCOUNT}:key/")

    unencrypted = volumes[plain]
    assert unencrypted["name"] == plain
    assert unencrypted["attributes"]["encrypted"] is False
    assert not {"kms_key_id", "snapshot_id", "throughput"} & set(unencrypted["attributes"])
    assert unencrypted["attributes"]["state"] == "in-use"
    assert unencrypted["attributes"]["attachments"] == [
        {"instance_id": instance, "device": "/dev/sdf", "state": "attached"}]


def test_encryption_by_default_per_region(aws: Any) -> None:
    boto3.client("ec2", region_name="eu-west-1").enable_ebs_encryption_by_default()

    snapshot = observe_moto("aws_ebs_encryption_by_default", regions=["us-east-1", "eu-west-1"])
    settings = {r["region"]: r for r in snapshot.of_type("aws_ebs_encryption_by_default")}

    assert set(settings) == {"us-east-1", "eu-west-1"}
    on, off = settings["eu-west-1"], settings["us-east-1"]
    assert on["id"] == f"{MOTO_ACCOUNT}/eu-west-1/aws_ebs_encryption_by_default"
    assert on["name"] is None
    assert on["attributes"]["configured"] is True and on["attributes"]["enabled"] is True
    assert off["attributes"]["configured"] is True and off["attributes"]["enabled"] is False
    # moto does not implement GetEbsDefaultKmsKeyId: the key is unknown, never guessed.
    unsupported = {"$unknown": "UnsupportedOperation: ec2:get_ebs_default_kms_key_id"}
    assert on["attributes"]["default_kms_key_id"] == unsupported
    assert off["attributes"]["default_kms_key_id"] == on["attributes"]["default_kms_key_id"]
    assert all(c["status"] == "ok" for c in snapshot.coverage_of("aws_ebs_encryption_by_default"))
