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


# -- drift on real states (one test per finding) ---------------------------------------------------

from pathlib import Path

from factories import ok, resource, snapshot
from unify.model.resource import unknown
from unify.terraform.state import read_state

DATA = Path(__file__).parent / "data" / "terraform"
SG = "sg-0f1e2d3c4b5a69788"


def _live(*extra: dict, user_path: object = "/service/") -> object:
    """An observation of what state-drift.tfstate declares, as the collectors shape it."""
    https = {"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"], "ipv6_cidr_blocks": [],
             "prefix_list_ids": [], "security_groups": [], "self": False, "description": "https from corp"}
    resources = [
        resource("aws_db_instance", f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:orders", {
            "identifier": "orders", "arn": f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:orders", "engine": "postgres",
            "engine_version": "16.3", "instance_class": "db.t4g.medium", "allocated_storage": 20, "storage_type": "gp3",
            "storage_encrypted": True, "kms_key_id": f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/99999999-0000-0000-0000-000000000000",
            "publicly_accessible": False, "multi_az": False, "auto_minor_version_upgrade": True, "backup_retention_period": 7,
            "deletion_protection": True, "iam_database_authentication_enabled": False, "vpc_security_group_ids": [SG],
            "db_subnet_group_name": "private", "ca_cert_identifier": "rds-ca-rsa2048-g1", "copy_tags_to_snapshot": True,
            "performance_insights_enabled": False, "status": "available", "username": "orders", "port": 5432,
            "monitoring_interval": 0, "enabled_cloudwatch_logs_exports": [], "parameter_group_name": "default.postgres16"},
            name="orders", account=ACCOUNT, region="eu-west-1", tags={"team": "orders"}),
        resource("aws_s3_bucket", "arn:aws:s3:::acme-assets-eu", {  # versioning never configured: absent
            "bucket": "acme-assets-eu", "arn": "arn:aws:s3:::acme-assets-eu",
            "server_side_encryption_configuration": {"rule": [{"bucket_key_enabled": False,
                "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}]},
            "grant": [{"type": "CanonicalUser", "id": "0123456789abcdef", "permissions": ["FULL_CONTROL"]}],
            "object_lock_enabled": False},
            name="acme-assets-eu", account=ACCOUNT, region="eu-west-1", tags={"team": "web"}),
        resource("aws_ebs_encryption_by_default", f"{ACCOUNT}/eu-west-1/aws_ebs_encryption_by_default",
                 {"configured": True, "enabled": True}, name=None, account=ACCOUNT, region="eu-west-1"),
        resource("aws_security_group", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/{SG}", {
            "id": SG, "arn": f"arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/{SG}", "name": "api", "description": "api",
            "vpc_id": "vpc-0a1b2c3d4e5f60789", "owner_id": ACCOUNT, "ingress": [https], "egress": []},
            name="api", account=ACCOUNT, region="eu-west-1"),
        resource("aws_iam_user", f"arn:aws:iam::{ACCOUNT}:user/svc", {
            "arn": f"arn:aws:iam::{ACCOUNT}:user/svc", "name": "svc", "path": user_path, "unique_id": "AIDAEXAMPLESVC"},
            name="svc", account=ACCOUNT, region="global", tags={"cost-centre": "cc-0815", "owner": "platform"}),
        *extra,
    ]
    coverage = [ok(t, "eu-west-1", ACCOUNT) for t in ("aws_db_instance", "aws_ebs_encryption_by_default", "aws_security_group")]
    coverage += [ok(t, "global", ACCOUNT) for t in ("aws_s3_bucket", "aws_iam_user")]
    coverage += [ok("aws_s3_bucket", "global", "999999999999")]
    return snapshot(resources, coverage, regions=["eu-west-1"], accounts=[ACCOUNT, "999999999999"])


def _report(observed: object, **scope: object) -> object:
    document, name = read_state(str(DATA / "state-drift.tfstate"))
    return drift(state_resources(document, name, TYPES), observed, types=TYPES, same=PLUGINS.operators["same"],
                 file=name, **scope)


def test_a_state_that_matches_what_exists_has_no_drift() -> None:
    report = _report(_live())
    assert report.records == () and report.undecided == ()
    assert report.summary == {"managed": 5, "missing": 0, "unmanaged": 0, "changed": 0}
    assert report.gate().code == 0 and report.not_compared == ("aws_route53_record",)


def test_sensitive_values_are_not_compared_and_are_named() -> None:
    """The live key and tag differ from what the state hides: no false "changed" at ``PATH.$unknown``."""
    report = _report(_live())
    assert not [r for r in report.records if "$unknown" in r.path]
    assert report.sensitive == ("aws_db_instance.orders: kms_key_id", "aws_iam_user.svc: tags.cost-centre")
    assert report.as_json()["sensitive"] == list(report.sensitive)


def test_a_bucket_that_never_had_versioning_does_not_drift() -> None:
    report = _report(_live())
    assert not [r for r in report.records if r.path.startswith("versioning")]


def test_a_regional_setting_from_a_raw_state_is_matched() -> None:
    report = _report(_live())
    assert not [r for r in report.records if r.type == "aws_ebs_encryption_by_default"]
    # Alone in its state, with no ARN to place it by, it is the one setting the observation holds.
    document, name = read_state(str(DATA / "state-drift.tfstate"))
    document["resources"] = [r for r in document["resources"] if r["type"] in ("aws_ebs_encryption_by_default",
                                                                                 "aws_caller_identity")]
    alone = drift(state_resources(document, name, TYPES), _live(), types=TYPES, same=PLUGINS.operators["same"])
    assert alone.summary["missing"] == 0 and alone.matched == 0 and alone.undecided == ()
    assert [r.verdict for r in alone.results] == ["pass"]


def test_an_undecided_resource_is_not_unmanaged() -> None:
    report = _report(_live(user_path=unknown("AccessDenied: iam:GetUser")))
    assert [r.kind for r in report.records] == []
    assert report.undecided and report.undecided[0].startswith("aws_iam_user.svc:")
    assert report.gate().code == 3


def test_unmanaged_is_scoped_to_the_accounts_and_regions_the_state_manages() -> None:
    other = resource("aws_s3_bucket", "arn:aws:s3:::someone-elses", {"bucket": "someone-elses"}, name="someone-elses",
                     account="999999999999", region="eu-west-1")
    here = resource("aws_s3_bucket", "arn:aws:s3:::shadow-eu", {"bucket": "shadow-eu"}, name="shadow-eu",
                    account=ACCOUNT, region="eu-west-1")
    report = _report(_live(other, here))
    assert [(r.kind, r.resource) for r in report.records] == [("unmanaged", "arn:aws:s3:::shadow-eu")]
    assert report.scope == {"accounts": (ACCOUNT,), "regions": ("eu-west-1", "global"), "types": ()}
    wider = _report(_live(other, here), accounts=["999999999999"])
    assert [r.resource for r in wider.records] == ["arn:aws:s3:::someone-elses"]
    narrower = _report(_live(other, here), scope_types=["aws_iam_user"])
    assert narrower.records == () and narrower.gate().code == 0


def test_a_comparison_that_compares_nothing_says_so_and_exits_3(runner, tmp_path) -> None:
    observed = write_snapshot(_live(), tmp_path / "observed.json")
    result = runner.invoke(main, ["drift", "--state", str(DATA / "state-uncompared.tfstate"), "--snapshot", str(observed)])
    assert result.exit_code == 3, result.stderr
    assert "nothing compared: the state has no resource of a type unify observes (types: aws_route53_record)" in result.stderr


def test_drift_cli_scopes_and_says_what_it_did_not_compare(runner, tmp_path) -> None:
    other = resource("aws_s3_bucket", "arn:aws:s3:::someone-elses", {"bucket": "someone-elses"}, name="someone-elses",
                     account="999999999999", region="eu-west-1")
    observed = write_snapshot(_live(other), tmp_path / "observed.json")
    state = str(DATA / "state-drift.tfstate")
    result = runner.invoke(main, ["drift", "--state", state, "--snapshot", str(observed), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert "not compared: 2 sensitive value(s) Terraform does not keep" in result.stderr
    wider = runner.invoke(main, ["drift", "--state", state, "--snapshot", str(observed), "--accounts", "999999999999",
                                 "--format", "json"])
    assert wider.exit_code == 1
    assert [r["resource"] for r in json.loads(wider.stdout)["records"]] == ["arn:aws:s3:::someone-elses"]
