"""Identity: IAM users, groups, roles, managed policies and server certificates.

Each builder makes one resource as its collector would, from the maker's
seeded stream: the same stream gives the same resource.
"""

from __future__ import annotations

from typing import Any

from benchmarks.estate.maker import REGIONS, Maker, Resource, document, resource, statement


def _inline(m: Maker) -> list[dict[str, Any]]:
    if not m.chance(0.15):
        return []
    return [{"name": "inline-extra", "policy": document(statement("Allow", ["ec2:Describe*"], ["*"]))}]


def user(m: Maker, region: str, n: int) -> Resource:
    name = f"{m.pick('alice', 'bob', 'carol', 'dave', 'erin', 'svc', 'ci')}-{m.hex(6)}-{n}"
    arn = f"arn:aws:iam::{m.account}:user/{name}"
    person = m.chance(0.6)
    password: Any = person
    if m.chance(0.005):
        password = {"$unknown": "AccessDenied: iam:GetLoginProfile"}
    keys = []
    for _ in range(m.pick(0, 1, 1, 2) if not person or m.chance(0.3) else 0):
        used = m.chance(0.7)
        keys.append(
            {
                "create_date": m.ago(1, 400),
                "id": f"AKIA{m.hex(16).upper()}",
                "last_used_date": m.ago(0, 120) if used else None,
                "last_used_service": "s3" if used else None,
                "status": "Active" if m.chance(0.85) else "Inactive",
            }
        )
    inline = _inline(m)
    attributes: dict[str, Any] = {
        "access_keys": keys,
        "arn": arn,
        "attached_policy_arns": ([f"arn:aws:iam::{m.account}:policy/reports-{m.hex(4)}"] if m.chance(0.1) else []),
        "create_date": m.ago(1, 1500),
        "groups": [f"{m.pick('admins', 'developers', 'analysts')}"] if person else [],
        "inline_policies": inline,
        "inline_policy_names": [p["name"] for p in inline],
        "mfa_devices": (
            [{"enable_date": m.ago(1, 800), "serial_number": f"arn:aws:iam::{m.account}:mfa/{name}"}]
            if person and m.chance(0.85)
            else []
        ),
        "name": name,
        "password_enabled": password,
        "path": "/",
        "unique_id": f"AIDA{m.hex(16).upper()}",
    }
    attributes["mfa_active"] = bool(attributes["mfa_devices"])
    if person and m.chance(0.9):
        attributes["password_last_used"] = m.ago(0, 120)
    return resource("aws_iam_user", arn, name, m.account, "global", attributes, m.tags())


def group(m: Maker, region: str, n: int) -> Resource:
    name = f"{m.pick('admins', 'developers', 'analysts', 'auditors')}-{m.hex(4)}-{n}"
    arn = f"arn:aws:iam::{m.account}:group/{name}"
    inline = _inline(m)
    attributes = {
        "arn": arn,
        "attached_policy_arns": sorted(
            {m.pick("arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/PowerUserAccess")}
        ),
        "create_date": m.ago(30, 2000),
        "inline_policies": inline,
        "inline_policy_names": [p["name"] for p in inline],
        "name": name,
        "path": "/",
        "unique_id": f"AGPA{m.hex(16).upper()}",
        "users": sorted(f"user-{m.hex(4)}" for _ in range(m.rng.randrange(0, 6))),
    }
    return resource("aws_iam_group", arn, name, m.account, "global", attributes, {})


def role(m: Maker, region: str, n: int) -> Resource:
    service = m.pick("ec2", "lambda", "ecs-tasks", "codebuild", "states", "sagemaker")
    name = f"{service}-{m.hex(8)}-{n}"
    arn = f"arn:aws:iam::{m.account}:role/{name}"
    attached = [f"arn:aws:iam::{m.account}:policy/{service}-access-{m.hex(4)}"]
    if n % 40 == 0:
        attached.append("arn:aws:iam::aws:policy/AWSSupportAccess")
    trust = document(
        {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"Service": [f"{service}.amazonaws.com"]}}
    )
    inline = _inline(m)
    attributes: dict[str, Any] = {
        "arn": arn,
        "assume_role_policy": trust,
        "attached_policy_arns": sorted(attached),
        "create_date": m.ago(1, 1500),
        "description": "",
        "inline_policies": inline,
        "inline_policy_names": [p["name"] for p in inline],
        "instance_profile_arns": [f"arn:aws:iam::{m.account}:instance-profile/{name}"] if service == "ec2" else [],
        "max_session_duration": 3600,
        "name": name,
        "path": "/",
        "unique_id": f"AROA{m.hex(16).upper()}",
    }
    if m.chance(0.8):
        attributes["role_last_used"] = {"last_used_date": m.ago(0, 60), "region": m.pick(*REGIONS)}
    return resource("aws_iam_role", arn, name, m.account, "global", attributes, m.tags())


def policy(m: Maker, region: str, n: int) -> Resource:
    name = f"{m.pick('reports', 'deploy', 'data', 'ops')}-access-{m.hex(4)}-{n}"
    arn = f"arn:aws:iam::{m.account}:policy/{name}"
    if m.chance(0.03):
        statements = [statement("Allow", ["*"], ["*"])]
    else:
        bucket = f"arn:aws:s3:::data-{m.hex(6)}"
        statements = [
            statement("Allow", ["s3:GetObject", "s3:ListBucket"], [bucket, bucket + "/*"]),
            statement("Allow", ["logs:CreateLogStream", "logs:PutLogEvents"], ["*"]),
        ]
    attributes = {
        "arn": arn,
        "attachment_count": m.pick(0, 1, 1, 2, 3),
        "create_date": m.ago(30, 1500),
        "default_version_id": f"v{m.rng.randrange(1, 5)}",
        "description": "",
        "is_attachable": True,
        "name": name,
        "path": "/",
        "policy": document(*statements),
        "policy_id": f"ANPA{m.hex(16).upper()}",
        "update_date": m.ago(0, 30),
    }
    return resource("aws_iam_policy", arn, name, m.account, "global", attributes, {})


def server_certificate(m: Maker, region: str, n: int) -> Resource:
    name = f"legacy-{m.hex(6)}-{n}"
    arn = f"arn:aws:iam::{m.account}:server-certificate/{name}"
    cert_id = f"ASCA{m.hex(16).upper()}"
    expired = m.chance(0.3)
    attributes = {
        "arn": arn,
        "expiration": m.ago(1, 400) if expired else m.ago(-365, -1),
        "id": cert_id,
        "name": name,
        "path": "/",
        "server_certificate_id": cert_id,
        "upload_date": m.ago(400, 1200),
    }
    return resource("aws_iam_server_certificate", arn, name, m.account, "global", attributes, {})
