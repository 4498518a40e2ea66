"""CodePipeline pipelines: observed in moto and read from a plan, the same attributes either way; no secret kept.

No shipped check reads ``aws_codepipeline`` yet (neither CIS nor FSBP has a CodePipeline control), so
the both-ways estates do not cover it: this test holds the type to the same rule, attribute by attribute.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from moto import mock_aws

from both_ways import Estate, Planned, planned
from factories import by_name, deny, moto_client, moto_session, observe_moto, observe_shared

REGION = "us-east-1"
ACCOUNT = "123456789012"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
BUILD_VARIABLES = json.dumps([{"name": "DB_PASSWORD", "value": "hunter2-pipeline", "type": "PLAINTEXT"}])


def _role() -> str:
    return moto_client("iam").create_role(RoleName="pipelines", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]


def _stages(api: dict[str, Any]) -> list[dict[str, Any]]:
    source = {"name": "checkout", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
              "configuration": {"S3Bucket": "acme-src", "S3ObjectKey": "app.zip"}, "outputArtifacts": [{"name": "src"}]}
    build = {"name": "build", "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild",
                                                "version": "1"},
             "configuration": {"ProjectName": "app", **api}, "inputArtifacts": [{"name": "src"}], "runOrder": 2}
    return [{"name": "Source", "actions": [source]}, {"name": "Build", "actions": [build]}]


def _tf_stages(api: dict[str, Any]) -> list[dict[str, Any]]:
    def action(name: str, category: str, provider: str, configuration: dict[str, str], run_order: int,
               inputs: list[str], outputs: list[str]) -> dict[str, Any]:
        return {"name": name, "category": category, "owner": "AWS", "provider": provider, "version": "1",
                "configuration": configuration, "input_artifacts": inputs, "output_artifacts": outputs,
                "run_order": run_order, "role_arn": "", "region": "", "namespace": ""}
    return [
        {"name": "Source", "action": [action("checkout", "Source", "S3",
                                             {"S3Bucket": "acme-src", "S3ObjectKey": "app.zip"}, 1, [], ["src"])]},
        {"name": "Build", "action": [action("build", "Build", "CodeBuild", {"ProjectName": "app", **api}, 2,
                                            ["src"], [])]},
    ]


def test_a_pipeline_observed_and_planned_alike_without_its_secrets(tmp_path: Path) -> None:
    with mock_aws():
        role = _role()
        client = moto_client("codepipeline")
        client.create_pipeline(pipeline={
            "name": "release", "roleArn": role, "pipelineType": "V2", "executionMode": "QUEUED",
            "artifactStore": {"type": "S3", "location": "acme-artifacts",
                              "encryptionKey": {"id": KEY_ARN, "type": "KMS"}},
            "stages": _stages({"EnvironmentVariables": BUILD_VARIABLES, "OAuthToken": TOKEN})},
            tags=[{"key": "team", "value": "platform"}])
        client.create_pipeline(pipeline={
            "name": "legacy", "roleArn": role,
            "artifactStore": {"type": "S3", "location": "acme-artifacts"}, "stages": _stages({})})
        snapshot = observe_shared("aws_codepipeline")
    assert [c["status"] for c in snapshot.coverage_of("aws_codepipeline")] == ["ok"]
    observed = by_name(snapshot, "aws_codepipeline")
    release = observed["release"]
    assert release["tags"] == {"team": "platform"}
    assert release["attributes"]["arn"] == f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:release"
    assert release["attributes"]["artifact_store"] == [
        {"location": "acme-artifacts", "type": "S3", "encryption_key": {"id": KEY_ARN, "type": "KMS"}}]
    assert release["attributes"]["stage"][1]["action"][0]["configuration"] == {"ProjectName": "app"}
    # moto leaves out pipelineType and executionMode when they were not set: not observed, never a default.
    legacy = observed["legacy"]["attributes"]
    assert legacy["pipeline_type"]["$unknown"] and legacy["execution_mode"]["$unknown"]
    assert "encryption_key" not in legacy["artifact_store"][0]
    serialised = json.dumps(snapshot.data)
    assert "hunter2-pipeline" not in serialised and TOKEN not in serialised

    plan = planned(Estate("codepipeline", lambda seeder: None, expect={}, plan=[Planned("aws_codepipeline", "release", {
        "name": "release", "role_arn": role, "pipeline_type": "V2", "execution_mode": "QUEUED",
        "artifact_store": [{"location": "acme-artifacts", "type": "S3", "region": "",
                            "encryption_key": [{"id": KEY_ARN, "type": "KMS"}]}],
        "stage": _tf_stages({"EnvironmentVariables": BUILD_VARIABLES}), "variable": [], "trigger": [], "tags": {}},
        unknown=("arn", "id"))]), tmp_path)
    [from_plan] = plan.of_type("aws_codepipeline")
    live = {k: v for k, v in release["attributes"].items() if k != "arn"}
    assert {k: v for k, v in from_plan["attributes"].items() if k in live} == live


def test_a_pipeline_whose_details_are_denied_stays_with_every_setting_unknown() -> None:
    with mock_aws():
        moto_client("codepipeline").create_pipeline(pipeline={
            "name": "release", "roleArn": _role(), "artifactStore": {"type": "S3", "location": "acme-artifacts"},
            "stages": _stages({})})
        session = moto_session()
        deny(session, "codepipeline", "GetPipeline")
        snapshot = observe_moto("aws_codepipeline", session=session)
    attributes = by_name(snapshot, "aws_codepipeline")["release"]["attributes"]
    assert attributes.pop("name") == "release"
    assert attributes.pop("arn") == f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:release"
    assert attributes == dict.fromkeys(
        ("role_arn", "pipeline_type", "execution_mode", "artifact_store", "stage"),
        {"$unknown": "AccessDenied: codepipeline:get_pipeline"})
