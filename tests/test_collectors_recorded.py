"""App Runner and MWAA collectors (moto has no backend for either): botocore's Stubber on answers shaped as the
App Runner and MWAA API references document them, through the real collectors and the real redaction."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto import mock_aws

from factories import by_name, observe_moto
from unify.observe.demo_estate.stack import record_apprunner, record_mwaa
from unify.observe.recorded import RecordedSession

ACCOUNT = "123456789012"
REGION = "us-east-1"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SECRET = "hunter2-app-runner-S3CRET"
APP = f"arn:aws:apprunner:{REGION}:{ACCOUNT}:service"


def session(**recordings: Any) -> RecordedSession:
    return RecordedSession(recordings, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(autouse=True)
def aws() -> Any:
    with mock_aws():  # sts:GetCallerIdentity from moto; App Runner and MWAA from the recordings
        yield


def service(name: str, sid: str, **overrides: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "ServiceName": name, "ServiceId": sid, "ServiceArn": f"{APP}/{name}/{sid}", "CreatedAt": "2026-11-01T00:00:00Z",
        "UpdatedAt": "2026-11-01T00:00:00Z", "Status": "RUNNING",
        "SourceConfiguration": {"ImageRepository": {
            "ImageIdentifier": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/api:1", "ImageRepositoryType": "ECR",
            "ImageConfiguration": {"Port": "8080", "StartCommand": f"serve --token {SECRET}",
                                   "RuntimeEnvironmentVariables": {"STAGE": "prod", "DB_PASSWORD": SECRET},
                                   "RuntimeEnvironmentSecrets": {"API_KEY": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/k"}}},
            "AutoDeploymentsEnabled": False},
        "InstanceConfiguration": {"Cpu": "1024", "Memory": "2048"},
        "AutoScalingConfigurationSummary": {"AutoScalingConfigurationArn": f"arn:aws:apprunner:{REGION}:{ACCOUNT}:x/y/1/z"},
        "NetworkConfiguration": {"EgressConfiguration": {"EgressType": "DEFAULT"},
                                 "IngressConfiguration": {"IsPubliclyAccessible": True}},
    }
    answer.update(overrides)
    return answer


def record_two_pages(answers: Any, region: str) -> None:
    first = service("api-1", "a1" * 16)
    second = service("worker-1", "b2" * 16, EncryptionConfiguration={"KmsKey": KEY},
                     ObservabilityConfiguration={"ObservabilityEnabled": True},
                     NetworkConfiguration={"EgressConfiguration": {"EgressType": "VPC", "VpcConnectorArn": "arn:vpc"},
                                           "IngressConfiguration": {"IsPubliclyAccessible": False}})
    summary = {k: v for k, v in first.items() if k in ("ServiceName", "ServiceId", "ServiceArn", "Status")}
    answers.answer("list_services", {"ServiceSummaryList": [summary], "NextToken": "page-2"}, params={})
    answers.answer("list_services", {"ServiceSummaryList": [
        {k: v for k, v in second.items() if k in ("ServiceName", "ServiceId", "ServiceArn", "Status")}]},
        params={"NextToken": "page-2"})
    for answer in (first, second):
        answers.answer("describe_service", {"Service": answer}, params={"ServiceArn": answer["ServiceArn"]})
    answers.answer("list_tags_for_resource", {"Tags": [{"Key": "team", "Value": "ml"}]},
                   params={"ResourceArn": first["ServiceArn"]})
    answers.error("list_tags_for_resource", "AccessDeniedException", "not authorized",
                  params={"ResourceArn": second["ServiceArn"]})


def test_services_across_pages_with_their_network_key_observability_and_variable_names() -> None:
    snapshot = observe_moto("aws_apprunner_service", session=session(apprunner=record_two_pages))

    services = by_name(snapshot, "aws_apprunner_service")
    api = services["api-1"]
    assert (api["id"], api["tags"]) == (f"{APP}/api-1/{'a1' * 16}", {"team": "ml"})
    attributes = api["attributes"]
    assert attributes["network_configuration"] == {"egress_configuration": {"egress_type": "DEFAULT"},
                                                   "ingress_configuration": {"is_publicly_accessible": True}}
    assert attributes["source_configuration"] == {
        "auto_deployments_enabled": False,
        "image_repository": {"image_identifier": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/api:1",
                             "image_repository_type": "ECR",
                             "image_configuration": {"port": "8080", "runtime_environment_variables": ["DB_PASSWORD", "STAGE"],
                                                     "runtime_environment_secrets": ["API_KEY"]}}}
    assert attributes["observability_configuration"] == {"observability_enabled": False}  # none configured
    assert "encryption_configuration" not in attributes  # an AWS owned key
    assert attributes["instance_configuration"] == {"cpu": "1024", "memory": "2048"}
    worker = services["worker-1"]
    assert worker["attributes"]["encryption_configuration"] == {"kms_key": KEY}
    assert worker["attributes"]["network_configuration"]["egress_configuration"] == {"egress_type": "VPC",
                                                                                    "vpc_connector_arn": "arn:vpc"}
    assert worker["tags"] == {"$unknown": "AccessDeniedException: apprunner:list_tags_for_resource"}
    assert snapshot.stats["calls"]["apprunner:list_services"] == 2
    assert SECRET not in json.dumps(snapshot.data) and "prod" not in json.dumps(snapshot.data)


def test_a_denied_describe_keeps_the_service_with_its_listing_and_a_broken_listing_is_error_coverage() -> None:
    def denied(answers: Any, region: str) -> None:
        answers.answer("list_services", {"ServiceSummaryList": [
            {"ServiceName": "api-1", "ServiceArn": f"{APP}/api-1/{'a1' * 16}", "Status": "RUNNING"}]})
        answers.error("describe_service", "AccessDeniedException", "not authorized")
        answers.answer("list_tags_for_resource", {"Tags": []})

    [api] = observe_moto("aws_apprunner_service", session=session(apprunner=denied)).of_type("aws_apprunner_service")
    marker = {"$unknown": "AccessDeniedException: apprunner:describe_service"}
    assert (api["attributes"]["status"], api["attributes"]["network_configuration"]) == ("RUNNING", marker)

    def broken(answers: Any, region: str) -> None:
        answers.error("list_services", "InternalServiceErrorException", "try again", status=500)

    snapshot = observe_moto("aws_apprunner_service", session=session(apprunner=broken), retry_mode="standard")
    [coverage] = snapshot.coverage_of("aws_apprunner_service")
    assert coverage["status"] == "error" and snapshot.of_type("aws_apprunner_service") == []


def test_the_demo_recordings_vpc_connector_and_scaling_configurations() -> None:
    snapshot = observe_moto("aws_apprunner_service", "aws_apprunner_vpc_connector",
                            "aws_apprunner_auto_scaling_configuration_version", regions=[REGION, "eu-west-1"],
                            session=session(apprunner=record_apprunner))

    assert {r["name"] for r in snapshot.of_type("aws_apprunner_service")} == {"zenml-api", "zenml-internal"}
    [connector] = snapshot.of_type("aws_apprunner_vpc_connector")
    assert connector["attributes"]["subnets"] == ["subnet-0private", "subnet-1private"]
    scaling = by_name(snapshot, "aws_apprunner_auto_scaling_configuration_version")
    assert scaling["zenml-scaling"]["attributes"]["max_size"] == 4
    assert scaling["DefaultConfiguration"]["attributes"]["is_default"] is True
    assert scaling["DefaultConfiguration"]["tags"] == {}  # App Runner's own: its tags are not read
    assert {c["region"]: c["status"] for c in snapshot.coverage_of("aws_apprunner_service")} == {
        REGION: "ok", "eu-west-1": "ok"}
    assert [r["region"] for r in snapshot.of_type("aws_apprunner_service")] == [REGION, REGION]


def test_mwaa_environment_logs_key_and_web_server_access_and_no_airflow_options() -> None:
    def environment(answers: Any, region: str) -> None:
        record_mwaa(answers, region)
        answers.answer("list_environments", {"Environments": ["zenml-airflow", "private"]}, params={})
        answers.answer("get_environment", {"Environment": {
            "Name": "private", "Arn": f"arn:aws:airflow:{REGION}:{ACCOUNT}:environment/private", "Status": "AVAILABLE",
            "AirflowVersion": "2.10.3", "EnvironmentClass": "mw1.medium", "ExecutionRoleArn": "arn:role",
            "KmsKey": KEY, "SourceBucketArn": "arn:aws:s3:::dags", "DagS3Path": "dags/",
            "WebserverAccessMode": "PRIVATE_ONLY", "AirflowConfigurationOptions": {"core.fernet_key": SECRET},
            "LoggingConfiguration": {name: {"Enabled": True, "LogLevel": "INFO"} for name in (
                "DagProcessingLogs", "SchedulerLogs", "TaskLogs", "WebserverLogs", "WorkerLogs")}}},
            params={"Name": "private"})

    snapshot = observe_moto("aws_mwaa_environment", session=session(mwaa=environment))

    environments = by_name(snapshot, "aws_mwaa_environment")
    demo = environments["zenml-airflow"]["attributes"]
    assert (demo["webserver_access_mode"], "kms_key" in demo) == ("PUBLIC_ONLY", False)
    assert demo["logging_configuration"]["task_logs"]["enabled"] is True
    assert demo["logging_configuration"]["worker_logs"] == {"enabled": False, "log_level": "WARNING"}
    assert environments["zenml-airflow"]["tags"] == {"team": "data"}
    private = environments["private"]["attributes"]
    assert private["kms_key"] == KEY and all(log["enabled"] for log in private["logging_configuration"].values())
    assert SECRET not in json.dumps(snapshot.data)
