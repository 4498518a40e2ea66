"""The Terraform importer: plans and states become resources in the live collectors' shapes."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import PLUGINS, TYPES
from unify.terraform.values import AFTER_APPLY, SENSITIVE, with_markers
from unify.terraform.shapes import OBSERVED_ONLY_REASON, name_of, shape
from unify.checks.policy_set import load_policies
from unify.terraform.plan import is_terraform_plan
from unify.errors import InputError
from unify.engine import evaluate
from unify.errors import PlanError
from unify.terraform.importer import load_plan, read_json_document
from unify.plugins import get_plugins
from unify.model.snapshot import Snapshot, load_snapshot, write_snapshot
from unify.model.resource import unknown
from unify.errors import StateError
from unify.terraform.plan import plan_snapshot
from unify.terraform.state import read_state, state_resources, state_snapshot
from unify.terraform.configuration import resource_address

DATA = Path(__file__).parent / "data" / "terraform"
LATER = unknown(AFTER_APPLY)
SECRET = unknown(SENSITIVE)


def plan(name: str) -> Snapshot:
    return load_plan(DATA / name, PLUGINS.plan_importers, TYPES)


def by_id(resources: Any) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in resources}


def state(name: str, unresolved: list[str] | None = None) -> dict[str, Any]:
    document, display = read_state(str(DATA / name))
    return {r["attributes"]["terraform_address"]: r for r in state_resources(document, display, TYPES, unresolved=unresolved)}


# -- the importer plugin ------------------------------------------------------------------------


def test_the_terraform_plan_importer_is_registered_and_detects_plans_only() -> None:
    importer = get_plugins().plan_importers.get("terraform-plan")
    assert importer is not None and importer.plugin == "unify.terraform.plan"
    assert is_terraform_plan(read_json_document(DATA / "plan-create-public-bucket.json"))
    assert is_terraform_plan({"format_version": "1.2", "resource_changes": []})
    assert not is_terraform_plan(read_json_document(DATA / "state-show.json"))
    assert not is_terraform_plan(read_json_document(DATA / "terraform.tfstate"))
    assert not is_terraform_plan({"planned_values": {}})
    assert not is_terraform_plan([])


# -- a plan that creates ----------------------------------------------------------------------


def test_create_plan_lists_buckets_and_group_with_side_resources_folded() -> None:
    snap = plan("plan-create-public-bucket.json")
    assert snap.source == "terraform-plan"
    assert snap.coverage == []
    assert snap.taken_at == "2025-03-04T10:15:30Z"
    assert snap.scope == {"accounts": ["123456789012"], "regions": ["eu-west-1"]}
    assert sorted((r["type"], r["id"]) for r in snap) == [
        ("aws_s3_bucket", "aws_s3_bucket.private"),
        ("aws_s3_bucket", "aws_s3_bucket.public"),
        ("aws_security_group", "aws_security_group.ssh"),
    ]
    assert snap.stats["unresolved"] == [] and snap.stats["actions"] == {"create": 5}


def test_public_bucket_has_its_parsed_policy_and_no_public_access_block() -> None:
    public = by_id(plan("plan-create-public-bucket.json"))["aws_s3_bucket.public"]
    assert public["name"] == "acme-public-assets"
    assert (public["account"], public["region"]) == ("123456789012", "eu-west-1")
    assert public["tags"] == {"Name": "public-assets", "environment": "production"}  # tags, not tags_all
    attributes = public["attributes"]
    assert attributes["policy"] == {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"],
                       "Resource": ["arn:aws:s3:::acme-public-assets/*"]}],
    }
    assert "public_access_block" not in attributes
    assert attributes["terraform_address"] == "aws_s3_bucket.public"
    assert attributes["versioning"] == LATER and attributes["arn"] == LATER
    assert "tags" not in attributes and "tags_all" not in attributes and "timeouts" not in attributes


def test_public_access_block_reaches_a_bucket_whose_name_is_known_only_after_apply() -> None:
    private = by_id(plan("plan-create-public-bucket.json"))["aws_s3_bucket.private"]
    assert private["name"] is None
    assert private["attributes"]["bucket"] == LATER
    assert private["attributes"]["public_access_block"] == {
        "block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True,
        "restrict_public_buckets": True,
    }


def test_security_group_keeps_terraform_rule_blocks() -> None:
    group = by_id(plan("plan-create-public-bucket.json"))["aws_security_group.ssh"]
    assert group["name"] == "bastion-ssh"
    assert group["attributes"]["ingress"] == [{
        "cidr_blocks": ["0.0.0.0/0"], "description": "ssh from anywhere", "from_port": 22, "ipv6_cidr_blocks": [],
        "prefix_list_ids": [], "protocol": "tcp", "security_groups": [], "self": False, "to_port": 22,
    }]
    assert group["attributes"]["id"] == LATER and group["attributes"]["owner_id"] == LATER


def test_importing_leaves_the_document_untouched() -> None:
    document = read_json_document(DATA / "plan-child-modules.json")
    before = copy.deepcopy(document)
    plan_snapshot(document, "plan.json", TYPES)
    assert document == before


# -- update, replace, delete, no-op ---------------------------------------------------------------


def test_updates_replaces_and_no_ops_are_present_and_deletes_absent() -> None:
    snap = plan("plan-update-replace-delete.json")
    assert sorted(r["id"] for r in snap) == [
        "aws_iam_user.deploy", "aws_instance.web", "aws_kms_key.data", "aws_lambda_function.api"]
    assert snap.stats["deleted"] == ["aws_ebs_volume.scratch", "aws_s3_bucket_versioning.scratch"]
    assert snap.stats["unresolved"] == []  # a side resource being deleted is ignored, not unresolved
    assert snap.stats["actions"] == {"delete": 2, "no-op": 1, "replace": 2, "update": 1}
    assert snap.scope == {"accounts": ["210987654321"], "regions": ["global", "us-east-1"]}


def test_replace_keeps_the_new_object() -> None:
    resources = by_id(plan("plan-update-replace-delete.json"))
    web = resources["aws_instance.web"]
    assert web["name"] == "web-1" and web["region"] == "us-east-1"  # var.region resolved from the plan's variables
    assert web["attributes"]["ami"] == "ami-0c7217cdde317cfec"
    assert web["attributes"]["metadata_options"] == {
        "http_endpoint": "enabled", "http_protocol_ipv6": "disabled", "http_put_response_hop_limit": 1,
        "http_tokens": "required", "instance_metadata_tags": "disabled",
    }
    assert web["attributes"]["id"] == LATER
    api = resources["aws_lambda_function.api"]  # create-before-destroy; the deposed object is not a resource
    assert api["attributes"]["architectures"] == ["arm64"]
    assert api["attributes"]["tracing_config"] == {"mode": "Active"}
    assert api["attributes"]["environment_variable_names"] == ["DB_PASSWORD_PARAM", "STAGE"]
    assert "environment" not in api["attributes"] and "vpc_config" not in api["attributes"]
    assert "/prod/db/password" not in json.dumps(api)


def test_update_and_no_op_take_account_from_their_arns() -> None:
    resources = by_id(plan("plan-update-replace-delete.json"))
    user = resources["aws_iam_user.deploy"]
    assert (user["name"], user["account"], user["region"]) == ("deploy", "210987654321", "global")
    assert user["tags"] == {"owner": "platform", "rotation": "90d"}
    key = resources["aws_kms_key.data"]
    assert key["name"] == "1234abcd-12ab-34cd-56ef-1234567890ab"
    assert key["attributes"]["key_manager"] == "CUSTOMER" and key["attributes"]["key_state"] == "Enabled"
    assert key["attributes"]["policy"]["Statement"][0]["Principal"] == {"AWS": ["arn:aws:iam::210987654321:root"]}


# -- child modules, count and for_each ------------------------------------------------------------


def test_child_module_addresses_with_count_and_for_each() -> None:
    snap = plan("plan-child-modules.json")
    assert sorted(r["id"] for r in snap) == [
        'aws_s3_bucket.team["data"]',
        'aws_s3_bucket.team["ml"]',
        "module.network.aws_network_acl.tier[0]",
        "module.network.aws_network_acl.tier[1]",
        "module.network.aws_vpc.main",
        "module.network.module.sg[0].aws_security_group.this",
        "module.network.module.sg[1].aws_security_group.this",
        'module.storage["assets"].aws_s3_bucket.this',
        'module.storage["logs"].aws_s3_bucket.this',
    ]
    assert all(r["attributes"]["terraform_address"] == r["id"] for r in snap)
    assert snap.stats["unresolved"] == []


def test_child_modules_take_the_region_of_their_provider() -> None:
    resources = by_id(plan("plan-child-modules.json"))
    regions = {address: r["region"] for address, r in resources.items()}
    assert regions['module.storage["logs"].aws_s3_bucket.this'] == "us-east-1"  # providers = {aws = aws.us}
    assert regions["module.network.module.sg[1].aws_security_group.this"] == "eu-central-1"  # inherited twice
    assert regions['aws_s3_bucket.team["ml"]'] == "eu-central-1"
    assert {r["account"] for r in resources.values()} == {"unknown"}  # no ARN anywhere in the plan


def test_side_resources_fold_into_the_instance_with_the_same_key() -> None:
    resources = by_id(plan("plan-child-modules.json"))
    logs = resources['module.storage["logs"].aws_s3_bucket.this']["attributes"]
    assets = resources['module.storage["assets"].aws_s3_bucket.this']["attributes"]
    assert logs["versioning"] == {"status": "Enabled", "mfa_delete": LATER}
    assert assets["versioning"] == {"status": "Suspended", "mfa_delete": LATER}
    assert resources['aws_s3_bucket.team["data"]']["attributes"]["server_side_encryption_configuration"] == {
        "rule": [{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms",
                                                              "kms_master_key_id": "alias/team-data"},
                  "bucket_key_enabled": True}]}
    assert resources['aws_s3_bucket.team["ml"]']["attributes"]["server_side_encryption_configuration"] == {
        "rule": [{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}, "bucket_key_enabled": False}]}


def test_a_policy_reaches_its_bucket_through_a_module_output() -> None:
    logs = by_id(plan("plan-child-modules.json"))['module.storage["logs"].aws_s3_bucket.this']["attributes"]
    assert logs["policy"]["Statement"] == [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": {"AWS": ["*"]}, "Action": ["s3:*"],
        "Resource": ["arn:aws:s3:::acme-logs", "arn:aws:s3:::acme-logs/*"],
        "Condition": {"Bool": {"aws:SecureTransport": ["false"]}},
    }]


def test_network_acl_rules_are_sorted_by_rule_number_and_named_by_tag() -> None:
    resources = by_id(plan("plan-child-modules.json"))
    public = resources["module.network.aws_network_acl.tier[0]"]
    assert public["name"] == "public"
    assert [rule["rule_no"] for rule in public["attributes"]["ingress"]] == [100, 200]
    assert resources["module.network.aws_network_acl.tier[1]"]["attributes"]["ingress"] == []
    # A new group's egress is only what it configures: Terraform revokes the allow-all rule AWS adds.
    assert resources["module.network.module.sg[0].aws_security_group.this"]["attributes"]["egress"] == []


# -- unknown values -------------------------------------------------------------------------------


def test_unknown_leaves_and_blocks_become_markers_at_their_path() -> None:
    resources = by_id(plan("plan-unknown-values.json"))
    db = resources["aws_db_instance.orders"]["attributes"]
    assert db["kms_key_id"] == LATER  # absent from `after`, marked in after_unknown
    assert db["storage_encrypted"] is True
    assert db["password"] == SECRET
    app = resources["aws_instance.app"]["attributes"]
    assert app["metadata_options"] == {
        "http_endpoint": "enabled", "http_tokens": "required", "http_protocol_ipv6": LATER,
        "http_put_response_hop_limit": LATER, "instance_metadata_tags": LATER,
    }
    ecr = resources["aws_ecr_repository.images"]["attributes"]
    assert ecr["encryption_configuration"] == LATER
    assert ecr["image_scanning_configuration"] == {"scan_on_push": True}


def test_environment_names_are_known_even_when_a_value_is_not() -> None:
    resources = by_id(plan("plan-unknown-values.json"))
    worker = resources["aws_lambda_function.worker"]
    assert worker["attributes"]["environment_variable_names"] == ["DB_HOST", "LOG_LEVEL"]
    assert worker["attributes"]["role"] == LATER and worker["account"] == "unknown"
    assert worker["region"] == "ap-southeast-2"


def test_container_definitions_are_parsed_without_environment_values() -> None:
    task = by_id(plan("plan-unknown-values.json"))["aws_ecs_task_definition.app"]
    assert task["name"] == "orders"
    assert task["attributes"]["container_definitions"] == [{
        "name": "orders", "image": "123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/orders:1.4.2",
        "essential": True, "readonlyRootFilesystem": True,
        "logConfiguration": {"logDriver": "awslogs",
                             "options": {"awslogs-group": "/ecs/orders", "awslogs-region": "ap-southeast-2"}},
        "environment": ["API_TOKEN", "STAGE"], "secrets": ["DB_PASSWORD"],
    }]
    assert "tok-not-real" not in json.dumps(task)


def test_markers_follow_the_after_unknown_mirror() -> None:
    after = {"a": 1, "block": [{"x": 1}], "m": {"k": "v"}, "items": [None, 2]}
    spec = {"block": [{"y": True}], "m": {"z": True}, "items": [True, False], "whole": True, "none": {"deep": [{}]}}
    assert with_markers(after, spec, AFTER_APPLY) == {
        "a": 1, "block": [{"x": 1, "y": LATER}], "m": {"k": "v", "z": LATER}, "items": [LATER, 2], "whole": LATER}
    assert with_markers(after, True, AFTER_APPLY) == LATER
    assert with_markers({"p": None, "q": "s"}, {"p": True, "q": True}, SENSITIVE) == {"p": None, "q": SECRET}


def test_facts_only_an_observation_reads_are_unknown_in_a_plan() -> None:
    observed_only = unknown(OBSERVED_ONLY_REASON)
    vpc = by_id(plan("plan-child-modules.json"))["module.network.aws_vpc.main"]
    assert vpc["attributes"]["flow_logs"] == []  # a new VPC has no flow log but those the plan folds into it
    resources = by_id(plan("plan-update-replace-delete.json"))
    assert resources["aws_iam_user.deploy"]["attributes"]["mfa_devices"] == observed_only
    assert resources["aws_lambda_function.api"]["attributes"]["policy"] == observed_only
    assert resources["aws_kms_key.data"]["attributes"]["aliases"] == observed_only


@pytest.mark.parametrize(("type_", "values", "expected"), [
    ("aws_codebuild_project",
     {"name": "build", "environment": [{"compute_type": "BUILD_GENERAL1_SMALL", "privileged_mode": True,
                                        "environment_variable": [{"name": "TOKEN", "value": "s3cr3t"}]}],
      "logs_config": [{"cloudwatch_logs": [{"status": "ENABLED", "group_name": "", "stream_name": ""}],
                       "s3_logs": [{"status": "DISABLED", "encryption_disabled": False, "location": ""}]}],
      "vpc_config": [], "source": [{"type": "GITHUB", "location": "https://github.com/acme/app"}]},
     {"name": "build", "environment": {"compute_type": "BUILD_GENERAL1_SMALL", "privileged_mode": True,
                                       "environment_variable": [{"name": "TOKEN", "type": "PLAINTEXT"}]},
      "logs_config": {"cloudwatch_logs": {"status": "ENABLED"}, "s3_logs": {"status": "DISABLED",
                                                                             "encryption_disabled": False}},
      "source": {"type": "GITHUB", "location": "https://github.com/acme/app"}}),
    ("aws_sfn_state_machine",
     {"name": "flow", "logging_configuration": [{"level": "ALL", "include_execution_data": True,
                                                 "log_destination": "arn:aws:logs:eu-west-1:1:log-group:x:*"}],
      "tracing_configuration": [{"enabled": False}], "encryption_configuration": LATER},
     {"name": "flow", "logging_configuration": {"level": "ALL", "include_execution_data": True,
                                                "log_destination": "arn:aws:logs:eu-west-1:1:log-group:x:*"},
      "tracing_configuration": {"enabled": False}, "encryption_configuration": LATER}),
    ("aws_ecs_service",
     {"name": "api", "network_configuration": [{"subnets": ["subnet-1"], "security_groups": ["sg-1"],
                                                "assign_public_ip": False}]},
     {"name": "api", "network_configuration": {"subnets": ["subnet-1"], "security_groups": ["sg-1"],
                                               "assign_public_ip": False}}),
    ("aws_config_configuration_recorder",
     {"name": "default", "role_arn": "arn:aws:iam::1:role/config",
      "recording_group": [{"all_supported": True, "include_global_resource_types": True, "resource_types": []}]},
     {"name": "default", "role_arn": "arn:aws:iam::1:role/config", "configured": True,
      "recording_group": {"all_supported": True, "include_global_resource_types": True, "resource_types": []}}),
    ("aws_batch_compute_environment",
     {"compute_environment_name": "gpu", "type": "MANAGED",
      "compute_resources": [{"type": "EC2", "max_vcpus": 16, "launch_template": [{"launch_template_id": "lt-1",
                                                                                 "version": "$Latest"}]}]},
     {"compute_environment_name": "gpu", "name": "gpu", "type": "MANAGED",
      "compute_resources": {"type": "EC2", "max_vcpus": 16, "launch_template": {"launch_template_id": "lt-1",
                                                                                "version": "$Latest"}}}),
    ("aws_efs_file_system", {"encrypted": True, "size_in_bytes": [{"value": 6144, "value_in_ia": 0}]},
     {"encrypted": True, "size_in_bytes": 6144}),
])
def test_shape_tables(type_: str, values: dict[str, Any], expected: dict[str, Any]) -> None:
    assert shape(TYPES[type_], copy.deepcopy(values)) == expected


def test_names_per_type() -> None:
    assert name_of(TYPES["aws_vpc"], {"id": "vpc-1", "tags": {}}) == "vpc-1"  # untagged: its id, as the collector
    assert name_of(TYPES["aws_vpc"], {"id": LATER, "tags": {"Name": LATER}}) is None
    assert name_of(TYPES["aws_batch_compute_environment"], {"name": "gpu"}) == "gpu"  # provider v6
    assert name_of(TYPES["aws_iam_account_password_policy"], {"id": "iam-account-password-policy"}) is None


# -- format versions and other documents -----------------------------------------------------------


def test_format_0_1_plan_without_configuration_is_read() -> None:
    snap = plan("plan-format-0.1.json")
    resources = by_id(snap)
    assert sorted(resources) == ["aws_cloudtrail.main", "aws_iam_role.app", "aws_s3_bucket.legacy"]
    legacy = resources["aws_s3_bucket.legacy"]
    assert legacy["region"] == "eu-west-2" and legacy["account"] == "345678901234"
    assert legacy["attributes"]["versioning"] == {"status": "Enabled", "mfa_delete": "Disabled"}
    assert legacy["attributes"]["logging"] == {"target_bucket": "acme-audit-logs", "target_prefix": "legacy/"}
    assert legacy["attributes"]["server_side_encryption_configuration"] == {
        "rule": [{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}, "bucket_key_enabled": False}]}
    assert "policy" not in legacy["attributes"]
    assert snap.stats["unresolved"] == [
        "aws_s3_bucket_public_access_block.legacy: its bucket is known only after apply and the plan has no "
        "configuration section to follow; public_access_block of aws_s3_bucket.legacy is unknown"]
    assert legacy["attributes"]["public_access_block"]["$unknown"].startswith(
        "aws_s3_bucket_public_access_block.legacy may configure it")


def test_a_resource_only_in_planned_values_is_kept() -> None:
    snap = plan("plan-format-0.1.json")
    trail = by_id(snap)["aws_cloudtrail.main"]
    assert snap.stats["actions"]["planned_values only"] == 1
    assert trail["name"] == "org-trail" and trail["region"] == "eu-west-2"
    assert "kms_key_id" not in trail["attributes"]  # "" is Terraform's unset string: absent, so `exists` is false
    assert trail["attributes"]["event_selectors"] == trail["attributes"]["event_selector"]
    role = by_id(snap)["aws_iam_role.app"]
    assert role["attributes"]["assume_role_policy"]["Statement"][0]["Action"] == ["sts:AssumeRole"]


def test_format_2_0_is_refused_with_one_line_naming_file_and_key() -> None:
    path = DATA / "plan-format-2.0.json"
    with pytest.raises(PlanError) as caught:
        load_plan(path, PLUGINS.plan_importers, TYPES)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:2: [format_version]")
    assert "'2.0'" in message and "0.x and 1.x" in message


@pytest.mark.parametrize(("name", "looks_like"), [
    ("state-show.json", "the JSON of a Terraform state"),
    ("terraform.tfstate", "a raw Terraform state"),
])
def test_a_state_given_as_a_plan_is_refused_saying_what_it_is(name: str, looks_like: str) -> None:
    with pytest.raises(PlanError, match=looks_like):
        plan_snapshot(read_json_document(DATA / name), name, TYPES)
    with pytest.raises(PlanError, match="not a plan any importer reads"):
        load_plan(DATA / name, PLUGINS.plan_importers, TYPES)


def test_a_snapshot_given_as_a_plan_is_refused(tmp_path: Path) -> None:
    path = write_snapshot(plan("plan-create-public-bucket.json"), tmp_path / "snap.json")
    with pytest.raises(PlanError, match=r"unify document \(unify.snapshot/v1\)"):
        plan_snapshot(read_json_document(path), str(path), TYPES)


@pytest.mark.parametrize("document", [
    {"format_version": "1.0", "resource_changes": []},
    {"format_version": "1.0", "planned_values": {}},
    {"format_version": "1.2", "planned_values": {"root_module": {}}, "configuration": {}, "resource_changes": None},
    {"format_version": "1.1", "resource_changes": [{"address": "aws_vpc.a", "type": "aws_vpc", "name": "a",
                                                    "change": {"actions": ["create"], "after": {"cidr_block": "10.0.0.0/16"}}}]},
])
def test_missing_sections_do_not_crash(document: dict[str, Any]) -> None:
    snap = plan_snapshot(document, "plan.json", TYPES)
    assert snap.coverage == []
    assert all(r["region"] == "unknown" and r["account"] == "unknown" for r in snap)


def test_a_plan_snapshot_round_trips_through_a_file(tmp_path: Path) -> None:
    snap = plan("plan-child-modules.json")
    again = load_snapshot(write_snapshot(snap, tmp_path / "plan.json.gz"))
    assert again.digest == snap.digest and again.source == "terraform-plan"


# -- states -------------------------------------------------------------------------------------------


def test_show_json_state_with_a_child_module() -> None:
    resources = state("state-show.json")
    assert sorted(resources) == [
        "aws_db_instance.main", "aws_s3_bucket.logs", "module.iam.aws_iam_policy.ci", "module.iam.aws_iam_role.ci"]
    bucket = resources["aws_s3_bucket.logs"]
    assert (bucket["id"], bucket["name"], bucket["account"], bucket["region"]) == (
        "arn:aws:s3:::acme-logs-eu", "acme-logs-eu", "123456789012", "eu-west-1")
    assert bucket["attributes"]["versioning"] == {"status": "Enabled"}  # the side resource replaces the computed block
    assert bucket["attributes"]["policy"]["Statement"][0]["Principal"] == {"Service": ["logging.s3.amazonaws.com"]}
    assert bucket["attributes"]["server_side_encryption_configuration"] == {
        "rule": [{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}, "bucket_key_enabled": False}]}
    assert "logging" not in bucket["attributes"]
    role = resources["module.iam.aws_iam_role.ci"]
    assert (role["id"], role["region"]) == ("arn:aws:iam::123456789012:role/ci", "global")
    assert role["attributes"]["inline_policy_names"] == ["ecr-push"]
    assert role["attributes"]["inline_policies"][0]["policy"]["Statement"][0]["Action"] == ["ecr:PutImage"]
    assert role["attributes"]["attached_policy_arns"] == ["arn:aws:iam::123456789012:policy/ci-deploy"]
    assert resources["aws_db_instance.main"]["attributes"]["password"] == SECRET


def test_raw_tfstate_with_count_and_for_each_keys() -> None:
    unresolved: list[str] = []
    resources = state("terraform.tfstate", unresolved)
    assert sorted(resources) == [
        "aws_db_instance.main", "aws_iam_user.alice", "aws_kms_key.main", 'aws_s3_bucket.b["assets"]',
        'aws_s3_bucket.b["logs"]', "module.net.aws_security_group.web[0]", "module.net.aws_security_group.web[1]",
    ]
    assert unresolved == ["aws_s3_bucket_logging.external: its bucket 'acme-external-bucket' is not in this state; "
                          "left out"]
    group = resources["module.net.aws_security_group.web[0]"]
    assert group["id"] == "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0"
    assert [rule["from_port"] for rule in group["attributes"]["ingress"]] == [80, 443]
    user = resources["aws_iam_user.alice"]
    assert (user["name"], user["account"], user["region"], user["tags"]) == (
        "alice", "123456789012", "global", {"team": "data"})
    key = resources["aws_kms_key.main"]
    assert key["attributes"]["enable_key_rotation"] is False and key["attributes"]["key_state"] == "Enabled"
    assert resources["aws_db_instance.main"]["attributes"]["password"] == SECRET
    assert "not-a-real-password" not in json.dumps(list(resources.values()))


def test_raw_tfstate_folds_side_resources_by_bucket_name() -> None:
    resources = state("terraform.tfstate")
    logs = resources['aws_s3_bucket.b["logs"]']["attributes"]
    assert logs["public_access_block"] == {
        "block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True,
        "restrict_public_buckets": True}
    assert logs["server_side_encryption_configuration"]["rule"][0]["apply_server_side_encryption_by_default"] == {
        "sse_algorithm": "aws:kms",
        "kms_master_key_id": "arn:aws:kms:eu-west-1:123456789012:key/6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"}
    assets = resources['aws_s3_bucket.b["assets"]']["attributes"]
    assert "versioning" not in assets  # the provider's "never configured" legacy block, absent as in AWS
    assert "public_access_block" not in assets
    assert assets["policy"]["Statement"][0]["Action"] == ["s3:GetObject"]


def test_state_snapshot_is_a_terraform_state_snapshot() -> None:
    document, name = read_state(str(DATA / "terraform.tfstate"))
    snap = state_snapshot(document, name, TYPES)
    assert snap.source == "terraform-state" and snap.coverage == [] and len(snap) == 7
    assert snap.stats["unresolved"] and snap.scope["accounts"] == ["123456789012"]


def test_observed_only_attributes_are_unknown_in_a_state_snapshot_and_absent_from_state_resources() -> None:
    document, name = read_state(str(DATA / "state-show.json"))
    role = next(r for r in state_snapshot(document, name, TYPES) if r["type"] == "aws_iam_role")
    assert role["attributes"]["role_last_used"] == unknown(OBSERVED_ONLY_REASON)
    assert role["attributes"]["attached_policy_arns"] == ["arn:aws:iam::123456789012:policy/ci-deploy"]
    assert "role_last_used" not in state("state-show.json")["module.iam.aws_iam_role.ci"]["attributes"]


def test_other_tfstate_versions_are_refused_naming_the_key(tmp_path: Path) -> None:
    document = read_json_document(DATA / "terraform.tfstate")
    document["version"] = 3
    with pytest.raises(StateError, match=r"^old\.tfstate: \[version\] terraform.tfstate version 3 is not one") as caught:
        state_resources(document, "old.tfstate", TYPES)
    assert isinstance(caught.value, InputError)


def test_a_plan_given_as_a_state_is_refused() -> None:
    with pytest.raises(StateError, match="this looks like a Terraform plan"):
        state_resources(read_json_document(DATA / "plan-child-modules.json"), "plan.json", TYPES)
    with pytest.raises(StateError, match=r"\[format_version\]"):
        state_resources({"format_version": "2.0", "values": {}}, "state.json", TYPES)


def test_an_empty_state_has_no_resources() -> None:
    assert state_resources({"format_version": "1.0", "terraform_version": "1.7.0"}, "state.json", TYPES) == []


def test_resource_addresses_quote_string_keys() -> None:
    assert resource_address("", "aws_s3_bucket", "b", "logs") == 'aws_s3_bucket.b["logs"]'
    assert resource_address("module.net", "aws_security_group", "web", 0) == "module.net.aws_security_group.web[0]"
    assert resource_address("module.a[1]", "aws_vpc", "main") == "module.a[1].aws_vpc.main"


def test_read_state_errors_name_the_location(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="missing.tfstate"):
        read_state(str(tmp_path / "missing.tfstate"))
    with pytest.raises(StateError, match="s3://bucket/key"):
        read_state("s3://only-a-bucket")


def test_read_state_from_s3(monkeypatch: pytest.MonkeyPatch) -> None:
    moto = pytest.importorskip("moto")
    boto3 = pytest.importorskip("boto3")
    for variable, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                            "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(variable, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with moto.mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="acme-tfstate")
        raw = (DATA / "terraform.tfstate").read_bytes()
        s3.put_object(Bucket="acme-tfstate", Key="prod/terraform.tfstate", Body=gzip.compress(raw))
        document, name = read_state("s3://acme-tfstate/prod/terraform.tfstate")
        assert name == "s3://acme-tfstate/prod/terraform.tfstate" and document["serial"] == 42
        with pytest.raises(StateError, match=r"s3://acme-tfstate/nothing: cannot read state: NoSuchKey"):
            read_state("s3://acme-tfstate/nothing")


# -- the same checks on a plan ------------------------------------------------------------------------

CHECKS = """
checks:
  - id: s3-public-access-block
    severity: high
    resource: aws_s3_bucket
    assert:
      public_access_block.block_public_acls: {eq: true}
      public_access_block.block_public_policy: {eq: true}
      public_access_block.ignore_public_acls: {eq: true}
      public_access_block.restrict_public_buckets: {eq: true}
    controls: {demo: [S3-1]}
  - id: s3-versioning
    severity: medium
    resource: aws_s3_bucket
    assert:
      versioning.status: {eq: Enabled}
    controls: {demo: [S3-2]}
  - id: sg-no-world-ssh
    severity: high
    resource: aws_security_group
    assert:
      ingress:
        no_item:
          all:
            - from_port: {le: 22}
            - to_port: {ge: 22}
            - any:
                - cidr_blocks: {world_open: true}
                - ipv6_cidr_blocks: {world_open: true}
    controls: {demo: [NET-1]}
  - id: vpc-flow-logs
    severity: medium
    resource: aws_vpc
    assert:
      flow_logs:
        any_item:
          status: {eq: ACTIVE}
    controls: {demo: [NET-2]}
  - id: ecr-kms
    severity: low
    resource: aws_ecr_repository
    assert:
      encryption_configuration.encryption_type: {eq: KMS}
    controls: {demo: [ECR-1]}
  - id: imds-hop-limit
    severity: low
    resource: aws_instance
    assert:
      metadata_options.http_tokens: {eq: required}
      metadata_options.http_put_response_hop_limit: {le: 1}
    controls: {demo: [EC2-1]}
"""


def verdicts(write: Any, name: str) -> dict[tuple[str, str], str]:
    policy = load_policies([write("checks.yaml", CHECKS)], operators=PLUGINS.operators)
    return {(r.check, r.resource): r.verdict for r in evaluate(policy, plan(name))}


def test_checks_on_the_plan_fail_the_public_bucket_and_pass_the_blocked_one(write: Any) -> None:
    found = verdicts(write, "plan-create-public-bucket.json")
    assert found[("s3-public-access-block", "aws_s3_bucket.public")] == "fail"
    assert found[("s3-public-access-block", "aws_s3_bucket.private")] == "pass"
    assert found[("sg-no-world-ssh", "aws_security_group.ssh")] == "fail"
    # versioning is computed by the provider: known only after apply, so never a pass or a fail
    assert found[("s3-versioning", "aws_s3_bucket.public")] == "unknown"
    assert found[("s3-versioning", "aws_s3_bucket.private")] == "unknown"


def test_checks_on_values_known_after_apply_are_unknown(write: Any) -> None:
    found = verdicts(write, "plan-unknown-values.json")
    assert found[("ecr-kms", "aws_ecr_repository.images")] == "unknown"
    assert found[("imds-hop-limit", "aws_instance.app")] == "unknown"
    policy = load_policies([write("checks.yaml", CHECKS)], operators=PLUGINS.operators)
    result = next(r for r in evaluate(policy, plan("plan-unknown-values.json")) if r.check == "imds-hop-limit")
    assert result.address == "aws_instance.app"


def test_a_check_on_a_fact_only_an_observation_reads_is_unknown_on_a_plan(write: Any) -> None:
    found = verdicts(write, "plan-child-modules.json")
    assert found[("vpc-flow-logs", "module.network.aws_vpc.main")] == "fail"  # new, and no flow log planned
    assert found[("s3-versioning", 'module.storage["logs"].aws_s3_bucket.this')] == "pass"
    assert found[("s3-versioning", 'module.storage["assets"].aws_s3_bucket.this')] == "fail"


def test_types_absent_from_a_plan_are_not_observed(write: Any) -> None:
    found = verdicts(write, "plan-create-public-bucket.json")
    absent = {key: verdict for key, verdict in found.items() if key[0] in ("ecr-kms", "imds-hop-limit")}
    assert absent and set(absent.values()) == {"unknown"}


def test_aggregate_counts_on_a_plan_are_lower_bounds(write: Any) -> None:
    policy = load_policies([write("aggregate.yaml", """
        checks:
          - id: some-groups
            severity: low
            resource: aws_security_group
            expect: {count: {ge: 1}}
            controls: {demo: [A-1]}
          - id: many-groups
            severity: low
            resource: aws_security_group
            expect: {count: {ge: 5}}
            controls: {demo: [A-2]}
        """)], operators=PLUGINS.operators)
    found = {(r.check, r.resource): r.verdict for r in evaluate(policy, plan("plan-create-public-bucket.json"))}
    assert found == {("some-groups", "123456789012"): "pass", ("many-groups", "123456789012"): "unknown"}


def test_the_same_check_fails_a_public_bucket_in_a_plan_and_in_moto(write: Any) -> None:
    """One check file, two sources: a plan creating a public bucket and a live bucket made public."""
    import boto3
    from moto import mock_aws

    from factories import observe_moto

    policy = load_policies([write("checks.yaml", CHECKS)], operators=PLUGINS.operators)
    planned = {(r.check, r.resource): r.verdict for r in evaluate(policy, plan("plan-create-public-bucket.json"))}
    assert planned[("s3-public-access-block", "aws_s3_bucket.public")] == "fail"
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="made-public")
        s3.put_bucket_policy(Bucket="made-public", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::made-public/*"}]}))
        observed = observe_moto("aws_s3_bucket")
    live = {(r.check, r.name): r.verdict for r in evaluate(policy, observed)}
    assert live[("s3-public-access-block", "made-public")] == "fail"


# -- side resources fold into what they configure (one test per finding) --------------------------

SHIPPED = None


def shipped(write: Any = None) -> Any:
    global SHIPPED
    if SHIPPED is None:
        from unify.checks.policy_set import shipped_policies

        SHIPPED = load_policies([shipped_policies()], operators=PLUGINS.operators)
    return SHIPPED


def judged(name: str) -> dict[tuple[str, str], Any]:
    from unify.run import evaluate_snapshot

    results, _ = evaluate_snapshot(shipped(), plan(name))
    return {(r.check, r.resource): r for r in results}


def test_a_rule_resource_reached_through_a_module_output_opens_its_group() -> None:
    """SSH to 0.0.0.0/0 through aws_security_group_rule, its group named by ``module.mysg.sg_id``: a failure."""
    found = judged("plan-rule-resources.json")
    bastion = found[("sg-no-world-admin-ports-ipv4", "module.mysg.aws_security_group.this")]
    assert bastion.verdict == "fail" and "0.0.0.0/0" in bastion.reason
    group = by_id(plan("plan-rule-resources.json"))["module.mysg.aws_security_group.this"]
    assert group["attributes"]["ingress"] == [{
        "from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": [],
        "prefix_list_ids": [], "security_groups": [], "self": False, "description": "ssh from anywhere"}]


def test_a_group_without_inline_rules_is_decided_when_its_rule_resources_are_known() -> None:
    found = judged("plan-rule-resources.json")
    assert found[("sg-no-world-admin-ports-ipv4", "aws_security_group.web")].verdict == "pass"
    web = by_id(plan("plan-rule-resources.json"))["aws_security_group.web"]["attributes"]
    assert [r["cidr_blocks"] for r in web["ingress"]] == [["10.0.0.0/8"], ["172.16.0.0/12"]]  # for_each instances
    assert web["egress"] == [{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"],
                              "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": False,
                              "description": "all out"}]


def test_the_default_security_group_is_the_default_group() -> None:
    resources = by_id(plan("plan-rule-resources.json"))
    default = resources["aws_default_security_group.default"]
    assert (default["type"], default["name"]) == ("aws_security_group", "default")
    assert default["attributes"]["ingress"] == [] and default["attributes"]["egress"] == []
    assert judged("plan-rule-resources.json")[("sg-default-restricts-all", "aws_default_security_group.default")].verdict == "pass"


def test_a_flow_log_reaches_its_vpc() -> None:
    vpc = by_id(plan("plan-rule-resources.json"))["aws_vpc.main"]
    assert vpc["attributes"]["flow_logs"] == [{"status": "ACTIVE", "id": LATER, "traffic_type": "REJECT",
                                               "log_destination_type": "cloud-watch-logs", "log_destination": LATER}]
    assert judged("plan-rule-resources.json")[("vpc-flow-logs", "aws_vpc.main")].verdict == "pass"
    assert "aws_flow_log.main" in by_id(plan("plan-rule-resources.json"))  # and stays a resource of its own


def test_resources_of_other_providers_stay_out() -> None:
    snap = plan("plan-rule-resources.json")
    assert {r["type"] for r in snap} <= set(TYPES) | {"aws_flow_log"}
    assert not [r for r in snap if r["type"].startswith(("null_", "google_"))]
    assert snap.stats["other_providers"] == {"google": 1, "null": 1}


def test_a_public_access_block_attached_through_a_local_reaches_its_bucket() -> None:
    bucket = by_id(plan("plan-rule-resources.json"))["module.storage.aws_s3_bucket.this"]
    assert bucket["attributes"]["public_access_block"] == {
        "block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True, "restrict_public_buckets": True}
    assert judged("plan-rule-resources.json")[
        ("s3-bucket-public-access-block", "module.storage.aws_s3_bucket.this")].verdict == "pass"


def test_buckets_of_one_name_in_two_modules_each_get_their_own_side_resource() -> None:
    resources = by_id(plan("plan-rule-resources.json"))
    assert resources["module.team_a.aws_s3_bucket.this"]["attributes"]["versioning"]["status"] == "Enabled"
    assert resources["module.team_b.aws_s3_bucket.this"]["attributes"]["versioning"]["status"] == "Suspended"
    assert resources["module.team_b.aws_s3_bucket.this"]["region"] == "us-east-1"


def test_inline_policies_and_attachments_reach_their_entities() -> None:
    resources = by_id(plan("plan-iam-side-resources.json"))
    role = resources["aws_iam_role.app"]["attributes"]
    assert role["inline_policy_names"] == ["admin-everything"]
    assert role["inline_policies"][0]["policy"]["Statement"] == [{"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}]
    # The attached admin policy's ARN is computed at apply: an unknown item beside the known one.
    assert role["attached_policy_arns"] == ["arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", LATER]
    user = resources["aws_iam_user.ci"]["attributes"]
    assert (user["attached_policy_arns"], user["inline_policy_names"]) == (["arn:aws:iam::aws:policy/ReadOnlyAccess"], ["deploy"])
    group = resources["aws_iam_group.ops"]["attributes"]
    assert group["attached_policy_arns"] == ["arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"]
    assert group["inline_policy_names"] == ["read-logs"]
    assert resources["aws_iam_policy.admin"]["attributes"]["attachment_count"] == 1


def test_a_plan_granting_everything_through_side_resources_fails(write: Any) -> None:
    found = judged("plan-iam-side-resources.json")
    assert found[("iam-user-no-direct-policies", "aws_iam_user.ci")].verdict == "fail"
    assert found[("iam-no-full-admin-policies", "aws_iam_policy.admin")].verdict == "fail"
    policy = load_policies([write("inline.yaml", """
        checks:
          - id: no-inline-admin
            severity: critical
            resource: aws_iam_role
            assert:
              inline_policies:
                no_item:
                  policy.Statement:
                    any_item:
                      all:
                        - Effect: {eq: Allow}
                        - Action: {contains: "*"}
                        - Resource: {contains: "*"}
            controls: {demo: [IAM-1]}
        """)], operators=PLUGINS.operators)
    results = evaluate(policy, plan("plan-iam-side-resources.json"))
    assert [(r.resource, r.verdict) for r in results] == [("aws_iam_role.app", "fail")]


def test_a_key_from_an_older_provider_gets_the_documented_key_spec() -> None:
    key = by_id(plan("plan-iam-side-resources.json"))["aws_kms_key.legacy"]
    assert key["attributes"]["customer_master_key_spec"] == "SYMMETRIC_DEFAULT"
    assert judged("plan-iam-side-resources.json")[("kms-key-rotation", "aws_kms_key.legacy")].verdict == "fail"


#: The provider defaults unify fills in, as the Terraform AWS provider documents them (docs/terraform.md).
DOCUMENTED_DEFAULTS = {
    "aws_kms_key": {"customer_master_key_spec": "SYMMETRIC_DEFAULT", "key_usage": "ENCRYPT_DECRYPT", "is_enabled": True,
                    "enable_key_rotation": False, "multi_region": False, "key_manager": "CUSTOMER"},
    "aws_cloudtrail": {"enable_logging": True, "include_global_service_events": True, "is_multi_region_trail": False,
                       "is_organization_trail": False, "enable_log_file_validation": False},
    "aws_db_instance": {"storage_encrypted": False, "publicly_accessible": False, "monitoring_interval": 0},
    "aws_rds_cluster": {"deletion_protection": False, "backup_retention_period": 1, "backtrack_window": 0,
                        "copy_tags_to_snapshot": False},
    "aws_docdb_cluster": {"engine": "docdb", "storage_encrypted": False, "backup_retention_period": 1},
    "aws_neptune_cluster": {"engine": "neptune", "port": 8182, "storage_encrypted": False, "deletion_protection": False,
                            "backup_retention_period": 1, "copy_tags_to_snapshot": False},
    "aws_db_event_subscription": {"enabled": True},
    "aws_vpc": {"enable_dns_support": True, "enable_dns_hostnames": False, "instance_tenancy": "default"},
    "aws_ecr_repository": {"image_tag_mutability": "MUTABLE"},
    "aws_cloudwatch_log_group": {"retention_in_days": 0},
    "aws_cloudwatch_metric_alarm": {"actions_enabled": True, "alarm_actions": [], "ok_actions": [],
                                    "insufficient_data_actions": [], "treat_missing_data": "missing"},
    "aws_sns_topic": {"fifo_topic": False},
    "aws_sns_topic_subscription": {"raw_message_delivery": False},
    "aws_sqs_queue": {"fifo_queue": False, "delay_seconds": 0, "max_message_size": 262144,
                      "message_retention_seconds": 345600, "receive_wait_time_seconds": 0,
                      "visibility_timeout_seconds": 30},
    "aws_cloudwatch_event_rule": {"event_bus_name": "default"},
    "aws_guardduty_detector": {"enable": True},
    "aws_securityhub_account": {"auto_enable_controls": True, "control_finding_generator": "SECURITY_CONTROL"},
    "aws_macie2_account": {"status": "ENABLED", "finding_publishing_frequency": "FIFTEEN_MINUTES"},
    "aws_subnet": {"map_public_ip_on_launch": False, "assign_ipv6_address_on_creation": False},
    "aws_vpc_endpoint": {"vpc_endpoint_type": "Gateway", "private_dns_enabled": False},
    "aws_nat_gateway": {"connectivity_type": "public"},
    "aws_ec2_transit_gateway": {"auto_accept_shared_attachments": "disable", "default_route_table_association": "enable",
                                "default_route_table_propagation": "enable", "dns_support": "enable",
                                "vpn_ecmp_support": "enable", "multicast_support": "disable", "amazon_side_asn": 64512},
    "aws_ec2_transit_gateway_vpc_attachment": {"dns_support": "enable", "ipv6_support": "disable",
                                               "appliance_mode_support": "disable"},
    "aws_vpn_connection": {"static_routes_only": False},
    "aws_network_interface": {"source_dest_check": True, "interface_type": "interface"},
    "aws_lb": {"load_balancer_type": "application", "internal": False, "enable_deletion_protection": False,
               "drop_invalid_header_fields": False, "desync_mitigation_mode": "defensive"},
    "aws_elb": {"internal": False, "cross_zone_load_balancing": True, "connection_draining": False,
                "connection_draining_timeout": 300, "idle_timeout": 60, "desync_mitigation_mode": "defensive"},
    "aws_autoscaling_group": {"health_check_type": "EC2", "health_check_grace_period": 300},
    "aws_launch_configuration": {"enable_monitoring": True},
    "aws_networkfirewall_firewall": {"delete_protection": False, "subnet_change_protection": False,
                                     "firewall_policy_change_protection": False},
    "aws_lambda_function_url": {"invoke_mode": "BUFFERED"},
    "aws_api_gateway_stage": {"xray_tracing_enabled": False, "cache_cluster_enabled": False},
    "aws_apigatewayv2_stage": {"auto_deploy": False},
    "aws_apigatewayv2_route": {"authorization_type": "NONE", "api_key_required": False},
    "aws_dynamodb_table": {"billing_mode": "PROVISIONED", "deletion_protection_enabled": False, "table_class": "STANDARD"},
    "aws_dax_cluster": {"cluster_endpoint_encryption_type": "NONE", "server_side_encryption": {"enabled": False}},
    "aws_kinesis_stream": {"retention_period": 24, "encryption_type": "NONE"},
    "aws_athena_workgroup": {"state": "ENABLED"},
    "aws_emr_cluster": {"visible_to_all_users": True, "termination_protection": False},
    "aws_codepipeline": {"pipeline_type": "V1", "execution_mode": "SUPERSEDED"},
    "aws_apprunner_auto_scaling_configuration_version": {"max_concurrency": 100, "max_size": 25, "min_size": 1},
    "aws_batch_job_definition": {"platform_capabilities": ["EC2"], "propagate_tags": False},
    "aws_mwaa_environment": {"webserver_access_mode": "PRIVATE_ONLY"},
    "aws_sagemaker_model": {"enable_network_isolation": False},
    "aws_sagemaker_notebook_instance": {"direct_internet_access": "Enabled", "root_access": "Enabled", "volume_size": 5},
    "aws_accessanalyzer_analyzer": {"type": "ACCOUNT"},
    "aws_acm_certificate": {"key_algorithm": "RSA_2048"},
    "aws_organizations_organization": {"feature_set": "ALL"},
    "aws_organizations_policy": {"type": "SERVICE_CONTROL_POLICY"},
    "aws_ssm_document": {"document_format": "JSON"},
    "aws_ssm_parameter": {"tier": "Standard", "data_type": "text"},
    "aws_elasticache_replication_group": {"engine": "redis", "automatic_failover_enabled": False,
                                          "multi_az_enabled": False, "snapshot_retention_limit": 0,
                                          "auto_minor_version_upgrade": True},
    "aws_elasticache_cluster": {"snapshot_retention_limit": 0, "auto_minor_version_upgrade": True},
}


def test_the_declared_defaults_are_the_documented_ones() -> None:
    assert {name: dict(t.defaults) for name, t in TYPES.items() if t.defaults} == DOCUMENTED_DEFAULTS


@pytest.mark.parametrize(("type_", "key", "value"), [
    (type_, key, value) for type_, defaults in DOCUMENTED_DEFAULTS.items() for key, value in defaults.items()])
def test_each_default_fills_a_value_the_plan_leaves_out(type_: str, key: str, value: Any) -> None:
    assert shape(TYPES[type_], {})[key] == value
    other = "something-else" if isinstance(value, str) else not value
    assert shape(TYPES[type_], {key: other})[key] == other  # the plan's own value wins
    assert shape(TYPES[type_], {key: LATER})[key] == LATER  # and an unknown stays unknown


def test_a_side_resource_that_cannot_be_placed_makes_its_candidates_unknown_and_is_a_warning(runner: Any) -> None:
    from unify.cli import main

    result = runner.invoke(main, ["audit", "--plan", str(DATA / "plan-format-0.1.json"), "--format", "json"])
    document = json.loads(result.stdout)
    assert document["snapshot"]["warnings"] == [
        "aws_s3_bucket_public_access_block.legacy: its bucket is known only after apply and the plan has no "
        "configuration section to follow; public_access_block of aws_s3_bucket.legacy is unknown"]
    assert "unify: warning: aws_s3_bucket_public_access_block.legacy" in result.stderr
    verdicts = {(r["check"], r["resource"]): r["verdict"] for r in document["results"]}
    assert verdicts[("s3-bucket-public-access-block", "aws_s3_bucket.legacy")] == "unknown"  # not a false "absent"


def test_a_deleted_rule_resource_leaves_its_group() -> None:
    rule = {"cidr_blocks": ["0.0.0.0/0"], "description": "", "from_port": 22, "ipv6_cidr_blocks": [], "prefix_list_ids": [],
            "protocol": "tcp", "security_groups": [], "self": False, "to_port": 22}
    group = {"arn": "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1", "id": "sg-1", "name": "app",
             "description": "app", "ingress": [rule], "egress": [], "vpc_id": "vpc-1", "owner_id": "123456789012"}
    document = {"format_version": "1.2", "resource_changes": [
        {"address": "aws_security_group.app", "mode": "managed", "type": "aws_security_group", "name": "app",
         "change": {"actions": ["no-op"], "before": group, "after": group, "after_unknown": {}}},
        {"address": "aws_security_group_rule.ssh", "mode": "managed", "type": "aws_security_group_rule", "name": "ssh",
         "change": {"actions": ["delete"], "after": None, "after_unknown": {}, "before": {
             "cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "to_port": 22, "protocol": "tcp", "type": "ingress",
             "security_group_id": "sg-1", "self": False, "description": None}}}]}
    app = by_id(plan_snapshot(document, "plan.json", TYPES))["aws_security_group.app"]
    assert app["attributes"]["ingress"] == []


def test_a_rule_resource_a_state_group_already_lists_is_not_listed_twice() -> None:
    rule = {"cidr_blocks": ["10.0.0.0/8"], "description": "https", "from_port": 443, "ipv6_cidr_blocks": [],
            "prefix_list_ids": [], "protocol": "tcp", "security_groups": [], "self": False, "to_port": 443}
    state = {"format_version": "1.0", "values": {"root_module": {"resources": [
        {"address": "aws_security_group.api", "mode": "managed", "type": "aws_security_group", "name": "api",
         "values": {"arn": "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-2", "id": "sg-2", "name": "api",
                    "ingress": [rule], "egress": []}},
        {"address": "aws_security_group_rule.https", "mode": "managed", "type": "aws_security_group_rule", "name": "https",
         "values": {"cidr_blocks": ["10.0.0.0/8"], "from_port": 443, "to_port": 443, "protocol": "tcp", "type": "ingress",
                    "security_group_id": "sg-2", "self": False, "description": "https"}}]}}}
    group = state_resources(state, "state.json", TYPES)[0]
    assert group["attributes"]["ingress"] == [rule]


# -- plans with nothing to check, and documents that are not plans ---------------------------------


@pytest.mark.parametrize("name", ["plan-no-changes.json", "plan-unchecked-types.json"])
@pytest.mark.parametrize("soft", [False, True])
def test_a_plan_with_nothing_to_check_is_clean(runner: Any, name: str, soft: bool) -> None:
    from unify.cli import main

    result = runner.invoke(main, ["audit", "--plan", str(DATA / name), *(["--soft-fail"] if soft else [])])
    assert result.exit_code == 0, result.stderr
    assert "the plan contains no resource type any of the" in result.stderr


def test_a_raw_state_given_as_a_plan_says_what_it_is(runner: Any) -> None:
    from unify.cli import main

    result = runner.invoke(main, ["audit", "--plan", str(DATA / "terraform.tfstate")])
    assert result.exit_code == 2
    assert "this looks like a raw Terraform state (terraform.tfstate)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_utf16_plan_with_a_byte_order_mark_reads_as_its_utf8_twin() -> None:
    raw = (DATA / "plan-utf16-bom.json").read_bytes()
    assert raw[:2] == b"\xff\xfe"
    assert [r["id"] for r in plan("plan-utf16-bom.json")] == [r["id"] for r in plan("plan-create-public-bucket.json")]


def test_a_utf8_plan_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + (DATA / "plan-create-public-bucket.json").read_bytes())
    assert len(load_plan(path, PLUGINS.plan_importers, TYPES)) == 3


def test_format_0_1_rule_resources_decide_their_group_and_leave_the_others_unknown() -> None:
    resources = by_id(plan("plan-format-0.1-rules.json"))
    db = resources["aws_security_group.db"]["attributes"]
    assert db["ingress"][0]["protocol"] == "tcp" and db["ingress"][0]["from_port"] == 3389  # "6" as AWS answers
    assert db["egress"] == LATER  # Terraform 0.14 does not say whether egress rules are written inline
    assert resources["aws_security_group.spare"]["attributes"]["ingress"] == LATER
    found = judged("plan-format-0.1-rules.json")
    assert found[("sg-no-world-admin-ports-ipv4", "aws_security_group.db")].verdict == "fail"
    assert found[("sg-no-world-admin-ports-ipv4", "aws_security_group.spare")].verdict == "unknown"


def test_an_aggregate_on_a_plan_says_why_its_count_is_a_lower_bound(write: Any) -> None:
    policy = load_policies([write("trail.yaml", """
        checks:
          - id: a-big-instance
            severity: high
            resource: aws_instance
            where: {instance_type: {eq: x1e.32xlarge}}
            expect: {count: {ge: 1}}
            controls: {demo: [EC2-9]}
        """)], operators=PLUGINS.operators)
    result = next(iter(evaluate(policy, plan("plan-unknown-values.json"))))  # no ARN: the account is unknown
    assert (result.resource, result.verdict) == ("unknown", "unknown")
    assert "was not observed in unknown" not in result.reason
    assert "lists only what a plan or state manages, and other aws_instance may exist in an account it does not name" in result.reason


# -- wrongly typed values anywhere are bad input naming file and key --------------------------------


@pytest.mark.parametrize(("mutate", "key"), [
    (lambda d: d.update(resource_changes="create"), "resource_changes"),
    (lambda d: d["resource_changes"][0]["change"].update(actions="create"), "resource_changes[0].change.actions"),
    (lambda d: d["resource_changes"][1].update(change=[]), "resource_changes[1].change"),
    (lambda d: d["resource_changes"][0]["change"].update(after=["bucket"]), "resource_changes[0].change.after"),
    (lambda d: d["configuration"].update(root_module=7), "configuration.root_module"),
    (lambda d: d["configuration"]["root_module"]["resources"][0].update(expressions="x"),
     "configuration.root_module.resources[0].expressions"),
    (lambda d: d["planned_values"]["root_module"].update(resources={"a": 1}), "planned_values.root_module.resources"),
    (lambda d: d.update(variables=[]), "variables"),
    (lambda d: d["resource_changes"][0].update(address=["x"]), "resource_changes[0].address"),
])
def test_a_wrongly_typed_section_is_refused_naming_the_key(mutate: Any, key: str) -> None:
    document = read_json_document(DATA / "plan-create-public-bucket.json")
    mutate(document)
    with pytest.raises(PlanError) as caught:
        plan_snapshot(document, "plan.json", TYPES)
    assert str(caught.value).startswith(f"plan.json: [{key}] ")


@pytest.mark.parametrize(("mutate", "key"), [
    (lambda d: d.update(resources={"x": 1}), "resources"),
    (lambda d: d["resources"][0].update(instances="none"), "resources[0].instances"),
    (lambda d: d["resources"][0]["instances"][0].update(attributes=[1, 2]), "resources[0].instances[0].attributes"),
])
def test_a_wrongly_typed_state_section_is_refused_naming_the_key(mutate: Any, key: str) -> None:
    document = read_json_document(DATA / "terraform.tfstate")
    mutate(document)
    with pytest.raises(StateError) as caught:
        state_resources(document, "terraform.tfstate", TYPES)
    assert str(caught.value).startswith(f"terraform.tfstate: [{key}] ")


def test_a_value_no_conversion_can_read_names_its_resource() -> None:
    document = read_json_document(DATA / "state-show.json")
    versioning = next(r for r in document["values"]["root_module"]["resources"] if r["type"] == "aws_s3_bucket_versioning")
    versioning["values"]["versioning_configuration"] = [7]
    with pytest.raises(StateError, match=r"^state.json: \[aws_s3_bucket_versioning\.logs\] a value of a type"):
        state_resources(document, "state.json", TYPES)


def _nodes(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(value, dict):
        for key, sub in value.items():
            found += _nodes(sub, (*at, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            found += _nodes(sub, (*at, index))
    return found


_FIXTURES = {name: read_json_document(DATA / name) for name in (
    "plan-create-public-bucket.json", "plan-child-modules.json", "plan-rule-resources.json",
    "plan-iam-side-resources.json", "plan-overlay.json", "plan-format-0.1.json", "state-show.json",
    "terraform.tfstate", "state-drift.tfstate")}
_WRONG = ["x", 5, 1.5, True, None, [], {}, ["a", 1], {"a": "b"}, [{"x": 1}], {"$unknown": "u"}, [[1, 2]]]


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(sorted(_FIXTURES)), picks=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(_WRONG)),
                                                               min_size=1, max_size=3))
def test_wrongly_typed_values_anywhere_are_read_or_refused_never_a_crash(name: str, picks: list[Any]) -> None:
    document = copy.deepcopy(_FIXTURES[name])
    for position, wrong in picks:
        paths = [p for p in _nodes(document) if p]
        path = paths[position % len(paths)]
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = copy.deepcopy(wrong)
    try:
        if name.endswith(".tfstate") or name.startswith("state"):
            state_resources(document, name, TYPES)
            state_snapshot(document, name, TYPES)
        else:
            plan_snapshot(document, name, TYPES)
    except (PlanError, StateError) as refused:
        assert str(refused).startswith(f"{name}:") and "\n" not in str(refused)


def test_a_kept_resource_the_plan_gives_no_values_for_is_unknown_not_absent() -> None:
    document = {"format_version": "1.1", "resource_changes": [
        {"address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket", "name": "b",
         "change": {"actions": ["create"], "before": None, "after": None, "after_unknown": {}}}]}
    bucket = by_id(plan_snapshot(document, "plan.json", TYPES))["aws_s3_bucket.b"]
    assert bucket["attributes"]["public_access_block"] == {"$unknown": "the plan gives no values for it"}


def test_a_plan_with_only_sections_plans_have_is_a_plan() -> None:
    document = {"format_version": "1.2", "terraform_version": "1.9.5", "configuration": {"root_module": {}},
                "applyable": False, "complete": True, "errored": False}
    assert is_terraform_plan(document)
    assert len(plan_snapshot(document, "plan.json", TYPES)) == 0
    with pytest.raises(StateError, match="looks like a Terraform plan"):
        state_resources(document, "plan.json", TYPES)
