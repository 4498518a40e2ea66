"""Networking and compute: security groups, volumes, instances, network ACLs, VPCs and flow logs.

Each builder makes one resource as its collector would, from the maker's
seeded stream: the same stream gives the same resource.
"""

from __future__ import annotations

from typing import Any

from benchmarks.estate.maker import Maker, Resource, resource


def _rule(m: Maker, port: int, cidrs: list[str], ipv6: list[str], description: str) -> dict[str, Any]:
    return {
        "cidr_blocks": cidrs,
        "description": description,
        "from_port": port,
        "ipv6_cidr_blocks": ipv6,
        "prefix_list_ids": [],
        "protocol": "tcp",
        "security_groups": [],
        "self": False,
        "to_port": port,
    }


_ALL_OUT = {
    "cidr_blocks": ["0.0.0.0/0"],
    "description": "",
    "from_port": 0,
    "ipv6_cidr_blocks": [],
    "prefix_list_ids": [],
    "protocol": "-1",
    "security_groups": [],
    "self": False,
    "to_port": 0,
}


def security_group(m: Maker, region: str, n: int) -> Resource:
    sg = f"sg-{m.hex(17)}"
    vpc = f"vpc-{m.hex(17)}"
    ingress: list[dict[str, Any]]
    if n % 25 == 0:
        name, description = "default", "default VPC security group"
        ingress = [] if m.chance(0.6) else [dict(_ALL_OUT, description="", security_groups=[sg], cidr_blocks=[])]
        egress = [] if m.chance(0.3) else [dict(_ALL_OUT)]
    else:
        name = f"{m.pick('web', 'app', 'db', 'batch', 'bastion', 'cache', 'api')}-{m.hex(6)}-{n}"
        description = f"{name} tier"
        ingress = [_rule(m, 443, ["0.0.0.0/0"] if m.chance(0.3) else ["10.0.0.0/8"], [], "https")]
        if m.chance(0.05):
            ingress.append(_rule(m, 22, ["0.0.0.0/0"], [], "ssh from anywhere"))
        elif m.chance(0.3):
            ingress.append(_rule(m, 22, [f"10.{m.rng.randrange(256)}.0.0/16"], [], "ssh from the admin network"))
        if m.chance(0.02):
            ingress.append(_rule(m, 3389, [], ["::/0"], "rdp"))
        if m.chance(0.01):
            ingress.append(_rule(m, 445, ["0.0.0.0/0"], [], "smb"))
        if m.chance(0.2):
            ingress.append(dict(_rule(m, 5432, [], [], "app to db"), security_groups=[f"sg-{m.hex(17)}"]))
        egress = [dict(_ALL_OUT)]
    arn = m.arn("ec2", region, f"security-group/{sg}")
    attributes = {
        "arn": arn,
        "description": description,
        "egress": egress,
        "id": sg,
        "ingress": ingress,
        "name": name,
        "owner_id": m.account,
        "vpc_id": vpc,
    }
    return resource("aws_security_group", arn, name, m.account, region, attributes, m.tags())


def volume(m: Maker, region: str, n: int) -> Resource:
    vol = f"vol-{m.hex(17)}"
    arn = m.arn("ec2", region, f"volume/{vol}")
    encrypted = m.chance(0.86)
    kind = m.pick("gp3", "gp3", "gp2", "io2", "st1")
    attributes: dict[str, Any] = {
        "arn": arn,
        "attachments": (
            [{"device": "/dev/xvda", "instance_id": f"i-{m.hex(17)}", "state": "attached"}] if m.chance(0.8) else []
        ),
        "availability_zone": f"{region}{m.pick('a', 'b', 'c')}",
        "create_time": m.ago(1, 900),
        "encrypted": encrypted,
        "id": vol,
        "multi_attach_enabled": False,
        "size": m.pick(8, 20, 50, 100, 500),
        "state": m.pick("in-use", "in-use", "available"),
        "type": kind,
    }
    if encrypted:
        attributes["kms_key_id"] = m.arn("kms", region, f"key/{m.hex(8)}-{m.hex(4)}-{m.hex(4)}-{m.hex(4)}-{m.hex(12)}")
    if kind in ("gp3", "io2"):
        attributes["iops"] = 3000
    if kind == "gp3":
        attributes["throughput"] = 125
    return resource("aws_ebs_volume", arn, f"data-{m.hex(6)}", m.account, region, attributes, m.tags())


def instance(m: Maker, region: str, n: int) -> Resource:
    instance = f"i-{m.hex(17)}"
    arn = m.arn("ec2", region, f"instance/{instance}")
    state = m.pick("running", "running", "running", "stopped", "pending")
    attributes: dict[str, Any] = {
        "ami": f"ami-{m.hex(17)}",
        "arn": arn,
        "availability_zone": f"{region}{m.pick('a', 'b', 'c')}",
        "ebs_optimized": m.chance(0.7),
        "id": instance,
        "instance_state": state,
        "instance_type": m.pick("t3.micro", "m5.large", "c6i.xlarge", "r6g.2xlarge"),
        "launch_time": m.ago(1, 600),
        "metadata_options": {
            "http_endpoint": "enabled" if m.chance(0.97) else "disabled",
            "http_protocol_ipv6": "disabled",
            "http_put_response_hop_limit": m.pick(1, 2),
            "http_tokens": "required" if m.chance(0.75) else "optional",
            "instance_metadata_tags": "disabled",
        },
        "monitoring": m.chance(0.3),
        "private_ip": f"10.{m.rng.randrange(256)}.{m.rng.randrange(256)}.{m.rng.randrange(1, 255)}",
        "subnet_id": f"subnet-{m.hex(17)}",
        "vpc_security_group_ids": sorted(f"sg-{m.hex(17)}" for _ in range(m.rng.randrange(1, 3))),
    }
    if m.chance(0.85):
        profile = f"app-{m.hex(6)}"
        attributes["iam_instance_profile"] = profile
        attributes["iam_instance_profile_arn"] = f"arn:aws:iam::{m.account}:instance-profile/{profile}"
    if m.chance(0.2):
        attributes["public_ip"] = f"3.{m.rng.randrange(256)}.{m.rng.randrange(256)}.{m.rng.randrange(1, 255)}"
    if m.chance(0.3):
        attributes["key_name"] = f"ops-{m.hex(4)}"
    name = f"{m.pick('web', 'worker', 'api', 'legacy')}-{m.hex(6)}-{n}"
    return resource("aws_instance", arn, name, m.account, region, attributes, m.tags({"Name": name}))


def _acl_entry(action: str, cidr: str, port: int, rule: int, protocol: str = "6") -> dict[str, Any]:
    return {
        "action": action,
        "cidr_block": cidr,
        "from_port": port,
        "icmp_code": 0,
        "icmp_type": 0,
        "ipv6_cidr_block": "",
        "protocol": protocol,
        "rule_no": rule,
        "to_port": port,
    }


def network_acl(m: Maker, region: str, n: int) -> Resource:
    acl = f"acl-{m.hex(17)}"
    arn = m.arn("ec2", region, f"network-acl/{acl}")
    default = n % 3 == 0
    if default or m.chance(0.1):
        ingress = [_acl_entry("allow", "0.0.0.0/0", 0, 100, "-1")]
    else:
        ingress = [_acl_entry("allow", "0.0.0.0/0", 443, 100), _acl_entry("allow", "10.0.0.0/8", 22, 110)]
    attributes = {
        "arn": arn,
        "egress": [_acl_entry("allow", "0.0.0.0/0", 0, 100, "-1")],
        "id": acl,
        "ingress": ingress,
        "is_default": default,
        "owner_id": m.account,
        "subnet_ids": sorted(f"subnet-{m.hex(17)}" for _ in range(m.rng.randrange(0, 4))),
        "vpc_id": f"vpc-{m.hex(17)}",
    }
    return resource("aws_network_acl", arn, acl, m.account, region, attributes, {})


def vpc(m: Maker, region: str, n: int) -> Resource:
    vpc = f"vpc-{m.hex(17)}"
    arn = m.arn("ec2", region, f"vpc/{vpc}")
    flow_logs = []
    if m.chance(0.7):
        flow_logs.append(
            {
                "id": f"fl-{m.hex(17)}",
                "status": "ACTIVE",
                "traffic_type": m.pick("ALL", "ALL", "REJECT", "ACCEPT"),
            }
        )
    attributes = {
        "arn": arn,
        "cidr_block": f"10.{m.rng.randrange(256)}.0.0/16",
        "default": n % 4 == 0,
        "dhcp_options_id": f"dopt-{m.hex(17)}",
        "enable_dns_hostnames": True,
        "enable_dns_support": True,
        "flow_logs": flow_logs,
        "id": vpc,
        "instance_tenancy": "default",
        "owner_id": m.account,
    }
    return resource("aws_vpc", arn, vpc, m.account, region, attributes, m.tags())


def flow_log(m: Maker, region: str, n: int) -> Resource:
    log = f"fl-{m.hex(17)}"
    vpc = f"vpc-{m.hex(17)}"
    arn = m.arn("ec2", region, f"vpc-flow-log/{log}")
    attributes = {
        "arn": arn,
        "deliver_logs_status": "SUCCESS",
        "flow_log_status": "ACTIVE",
        "id": log,
        "log_destination": f"arn:aws:s3:::logs-{m.account}",
        "log_destination_type": "s3",
        "log_format": "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
        "${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}",
        "max_aggregation_interval": 600,
        "resource_id": vpc,
        "traffic_type": m.pick("ALL", "REJECT"),
        "vpc_id": vpc,
    }
    return resource("aws_flow_log", arn, log, m.account, region, attributes, {})
