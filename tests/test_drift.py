"""Drift: Terraform state against a moto estate, through the one evaluator."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from factories import moto_session, observe_moto
from factories import PLUGINS, TYPES
from unify.cli import main
from unify.views.state_drift import drift
from unify.model.snapshot import write_snapshot
from unify.terraform.state import state_resources

ACCOUNT = "123456789012"


def _state(group_id: str) -> dict:
    """A raw terraform.tfstate (version 4) as Terraform writes it for three resources."""
    def instance(attributes: dict) -> dict:
        return {"schema_version": 0, "attributes": attributes, "sensitive_attributes": [], "dependencies": []}

    return {
        "version": 4, "terraform_version": "1.9.5", "serial": 7, "lineage": "4d1e0a5c-1111-2222-3333-444455556666",
        "outputs": {},
        "resources": [
            {"mode": "managed", "type": "aws_s3_bucket", "name": "logs", "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
             "instances": [instance({"id": "acme-logs", "bucket": "acme-logs", "arn": "arn:aws:s3:::acme-logs",
                                     "region": "us-east-1", "force_destroy": False,
                                     "tags": {"owner": "data-platform"}, "tags_all": {"owner": "data-platform"}})]},
            {"mode": "managed", "type": "aws_s3_bucket_versioning", "name": "logs", "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
             "instances": [instance({"id": "acme-logs", "bucket": "acme-logs", "expected_bucket_owner": "",
                                     "versioning_configuration": [{"status": "Enabled", "mfa_delete": ""}]})]},
            {"mode": "managed", "type": "aws_iam_user", "name": "deploy", "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
             "instances": [instance({"id": "deploy", "name": "deploy", "path": "/", "arn": f"arn:aws:iam::{ACCOUNT}:user/deploy",
                                     "unique_id": "AIDAEXAMPLE", "force_destroy": False, "tags": {}, "tags_all": {}})]},
            {"mode": "managed", "type": "aws_security_group", "name": "web", "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
             "instances": [instance({"id": group_id, "name": "web", "description": "web tier",
                                     "arn": f"arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/{group_id}",
                                     "vpc_id": "vpc-x", "owner_id": ACCOUNT, "revoke_rules_on_delete": False,
                                     "ingress": [{"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"],
                                                  "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [],
                                                  "self": False, "description": "https"}],
                                     "egress": [], "tags": {}, "tags_all": {}})]},
        ],
    }


@pytest.fixture
def estate():
    """Apply what the state declares to moto, then change it outside Terraform."""
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="acme-logs")
        s3.put_bucket_tagging(Bucket="acme-logs", Tagging={"TagSet": [{"Key": "owner", "Value": "data-platform"}]})
        # changed by hand: Terraform enabled versioning, someone suspended it
        s3.put_bucket_versioning(Bucket="acme-logs", VersioningConfiguration={"Status": "Suspended"})
        s3.create_bucket(Bucket="shadow-it")  # created outside Terraform
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
        group = ec2.create_security_group(GroupName="web", Description="web tier", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "https"}]}])
        ec2.revoke_security_group_egress(GroupId=group, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        # the IAM user "deploy" was deleted by hand: never created here
        state = _state(group)
        for resource in state["resources"]:
            if resource["type"] == "aws_security_group":
                resource["instances"][0]["attributes"]["vpc_id"] = vpc
        snapshot = observe_moto("aws_s3_bucket", "aws_iam_user", "aws_security_group", session=moto_session())
        yield state, snapshot


def test_missing_changed_and_unmanaged(estate) -> None:
    state, snapshot = estate
    report = drift(state_resources(state, "terraform.tfstate", TYPES), snapshot, types=TYPES, same=PLUGINS.operators["same"])
    records = [(r.kind, r.type, r.resource, r.path, r.expected, r.actual) for r in report.records]
    missing = [r for r in report.records if r.kind == "missing"]
    assert [(r.type, r.resource, r.path, r.actual) for r in missing] == \
        [("aws_iam_user", f"arn:aws:iam::{ACCOUNT}:user/deploy", "", None)]
    assert missing[0].expected["path"] == "/" and missing[0].address == "aws_iam_user.deploy"
    assert ("changed", "aws_s3_bucket", "arn:aws:s3:::acme-logs", "versioning.status", "Enabled", "Suspended") in records
    assert ("unmanaged", "aws_s3_bucket", "arn:aws:s3:::shadow-it", "", None, None) in records
    assert not [r for r in report.records if r.type == "aws_security_group"]  # the group matches its state
    assert report.summary == {"managed": 3, "missing": 1, "unmanaged": 1, "changed": 1}  # versioning folds into its bucket
    # the default VPC's default group is AWS's, never "unmanaged"
    assert not [r for r in report.records if r.kind == "unmanaged" and r.type == "aws_security_group"]
    assert report.matched == 2 and report.observed == 3
    document = report.as_json()
    assert document["format"] == "unify.drift/v1"
    assert set(document["summary"]) == {"managed", "missing", "unmanaged", "changed"}
    assert {"kind", "type", "resource", "path", "expected", "actual"} <= set(document["records"][0])
    changed = [r for r in document["records"] if r["kind"] == "changed"][0]
    assert changed["address"] == "aws_s3_bucket.logs"


def test_user_ignores_remove_a_path(estate) -> None:
    from unify.views.state_drift import default_ignore

    state, snapshot = estate
    defaults = default_ignore(TYPES)
    ignore = {**defaults, "aws_s3_bucket": (*defaults["aws_s3_bucket"], "versioning")}
    report = drift(state_resources(state, "terraform.tfstate", TYPES), snapshot, ignore=ignore, types=TYPES, same=PLUGINS.operators["same"])
    assert not [r for r in report.records if r.kind == "changed"]


def test_drift_cli_json_and_table(estate, runner, tmp_path) -> None:
    state, snapshot = estate
    state_file = tmp_path / "terraform.tfstate"
    state_file.write_text(json.dumps(state))
    snap_file = write_snapshot(snapshot, tmp_path / "observed.json")
    result = runner.invoke(main, ["drift", "--state", str(state_file), "--snapshot", str(snap_file), "--format", "json"])
    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["summary"] == {"managed": 3, "missing": 1, "unmanaged": 1, "changed": 1}
    assert "drift: 1 missing, 1 changed, 1 unmanaged" in result.stderr
    table = runner.invoke(main, ["drift", "--state", str(state_file), "--snapshot", str(snap_file),
                                 "--ignore", "aws_s3_bucket.versioning"])
    assert "Terraform manages 2 of 3 observed resources (67%)" in table.stdout
    assert "versioning.status" not in table.stdout and "shadow-it" in table.stdout
    bad = runner.invoke(main, ["drift", "--state", str(state_file), "--snapshot", str(snap_file), "--ignore", "versioning"])
    assert bad.exit_code == 2 and "--ignore takes TYPE.PATH" in bad.stderr
    neither = runner.invoke(main, ["drift", "--state", str(state_file)])
    assert neither.exit_code == 2 and "--snapshot FILE or --live" in neither.stderr


def test_an_attribute_named_like_a_resource_field_is_compared_as_the_attribute() -> None:
    """An EBS volume's ``type`` is its volume type, not the resource type (``attributes.type`` in the language)."""
    from factories import ok, resource, snapshot

    arn = "arn:aws:ec2:us-east-1:111122223333:volume/vol-1"
    state = {"format_version": "1.0", "values": {"root_module": {"resources": [{
        "address": "aws_ebs_volume.data", "mode": "managed", "type": "aws_ebs_volume", "name": "data",
        "values": {"id": "vol-1", "arn": arn, "type": "gp3", "encrypted": True, "tags": {"Name": "data"}}}]}}}
    observed = snapshot([resource("aws_ebs_volume", arn, {"type": "gp2", "encrypted": True}, name="data",
                                  tags={"Name": "data"})],
                        [ok("aws_ebs_volume")])
    report = drift(state_resources(state, "state.json", TYPES), observed, types=TYPES, same=PLUGINS.operators["same"])
    changed = [(r.path, r.expected, r.actual) for r in report.records if r.kind == "changed"]
    assert changed == [("attributes.type", "gp3", "gp2")]
