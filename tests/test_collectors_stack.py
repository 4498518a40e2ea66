"""Deployment-stack collectors against moto: CodeBuild, ECR, ECS, EKS, Step Functions, SageMaker, Batch and the
artifact store's S3 settings, denied calls included. App Runner and MWAA (no moto backend) are in
test_collectors_recorded.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto import mock_aws

from factories import by_name, deny, moto_client, moto_session, observe_moto, observe_shared
from unify.model.snapshot import Snapshot

MOTO_ACCOUNT = "123456789012"
REGION = "us-east-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{MOTO_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SECRET_VALUES = ("hunter2-database-password", "splunk-hec-token-0b7c", "hyper-secret-api-key")


def observe_denied(service: str, operation: str, *types: str) -> Snapshot:
    session = moto_session()
    deny(session, service, operation)
    return observe_moto(*types, session=session)


@pytest.fixture
def aws() -> Any:
    with mock_aws():
        yield


def role(name: str) -> str:
    return f"arn:aws:iam::{MOTO_ACCOUNT}:role/{name}"


def network() -> dict[str, str]:
    ec2 = moto_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="stack", Description="stack", VpcId=vpc)["GroupId"]
    return {"vpc": vpc, "subnet": subnet, "group": group}


def unknown(operation: str) -> dict[str, str]:
    return {"$unknown": f"AccessDenied: {operation}"}


# -- CodeBuild -------------------------------------------------------------------------------


def make_projects() -> None:
    codebuild = moto_client("codebuild")
    codebuild.create_project(
        name="builder", description="builds the api image",
        source={"type": "CODECOMMIT", "location": "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/api"},
        artifacts={"type": "NO_ARTIFACTS"}, serviceRole=role("codebuild"),
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL",
                     "privilegedMode": False, "imagePullCredentialsType": "SERVICE_ROLE",
                     "environmentVariables": [{"name": "DB_PASSWORD", "value": SECRET_VALUES[0], "type": "PLAINTEXT"}]},
        logsConfig={"cloudWatchLogs": {"status": "ENABLED", "groupName": "/builds/api", "streamName": "builder"},
                    "s3Logs": {"status": "DISABLED"}},
        vpcConfig={"vpcId": "vpc-0b1", "subnets": ["subnet-b", "subnet-a"], "securityGroupIds": ["sg-2", "sg-1"]},
        tags=[{"key": "team", "value": "platform"}])
    codebuild.create_project(
        name="dind", source={"type": "S3", "location": "acme-sources/dind.zip"}, artifacts={"type": "NO_ARTIFACTS"},
        serviceRole=role("codebuild"),
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_LARGE",
                     "privilegedMode": True},
        logsConfig={"cloudWatchLogs": {"status": "DISABLED"},
                    "s3Logs": {"status": "ENABLED", "location": "acme-build-logs/dind", "encryptionDisabled": True}})


def test_codebuild_unprivileged_logged_project_vs_privileged_one(aws: None) -> None:
    make_projects()

    snapshot = observe_shared("aws_codebuild_project")
    projects = by_name(snapshot, "aws_codebuild_project")

    builder = projects["builder"]
    arn = f"arn:aws:codebuild:{REGION}:{MOTO_ACCOUNT}:project/builder"
    assert (builder["id"], builder["tags"]) == (arn, {"team": "platform"})
    assert builder["attributes"] == {
        "arn": arn, "name": "builder", "description": "builds the api image", "service_role": role("codebuild"),
        "environment": {"compute_type": "BUILD_GENERAL1_SMALL", "image": "aws/codebuild/standard:7.0",
                        "type": "LINUX_CONTAINER", "privileged_mode": False, "image_pull_credentials_type": "SERVICE_ROLE",
                        # the variable's name and type only: its value is never kept
                        "environment_variable": [{"name": "DB_PASSWORD", "type": "PLAINTEXT"}]},
        "logs_config": {"cloudwatch_logs": {"status": "ENABLED", "group_name": "/builds/api", "stream_name": "builder"},
                        "s3_logs": {"status": "DISABLED", "encryption_disabled": False}},
        # moto reports the AWS managed S3 key whatever the project sets, and no badge
        "encryption_key": f"arn:aws:kms:{REGION}:{MOTO_ACCOUNT}:alias/aws/s3",
        "source": {"type": "CODECOMMIT", "location": "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/api"},
        "badge_enabled": False,
        "vpc_config": {"vpc_id": "vpc-0b1", "subnets": ["subnet-a", "subnet-b"], "security_group_ids": ["sg-1", "sg-2"]},
    }

    dind = projects["dind"]["attributes"]
    assert dind["environment"]["privileged_mode"] is True
    assert dind["environment"]["environment_variable"] == []
    assert "image_pull_credentials_type" not in dind["environment"]
    assert dind["logs_config"] == {
        "cloudwatch_logs": {"status": "DISABLED"},
        "s3_logs": {"status": "ENABLED", "location": "acme-build-logs/dind", "encryption_disabled": True}}
    assert "vpc_config" not in dind and "description" not in dind
    assert SECRET_VALUES[0] not in json.dumps(snapshot.data)


def test_codebuild_reads_projects_a_hundred_at_a_time(aws: None) -> None:
    codebuild = moto_client("codebuild")
    for index in range(101):
        codebuild.create_project(name=f"p{index:03}", source={"type": "S3", "location": "acme-sources/p.zip"},
                                 artifacts={"type": "NO_ARTIFACTS"}, serviceRole=role("codebuild"),
                                 environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                                              "computeType": "BUILD_GENERAL1_SMALL"})

    snapshot = observe_shared("aws_codebuild_project")

    assert len(snapshot.of_type("aws_codebuild_project")) == 101
    assert snapshot.stats["calls"]["codebuild:batch_get_projects"] == 2


def test_codebuild_denied_batch_get_keeps_the_projects_unknown(aws: None) -> None:
    make_projects()

    snapshot = observe_denied("codebuild", "BatchGetProjects", "aws_codebuild_project")

    projects = by_name(snapshot, "aws_codebuild_project")
    assert set(projects) == {"builder", "dind"}
    marker = unknown("codebuild:batch_get_projects")
    builder = projects["builder"]
    assert builder["id"] == f"arn:aws:codebuild:{REGION}:{MOTO_ACCOUNT}:project/builder"
    assert builder["tags"] == marker
    assert builder["attributes"]["environment"] == marker
    assert builder["attributes"]["logs_config"] == marker
    assert builder["attributes"]["name"] == "builder"
    assert [c["status"] for c in snapshot.coverage_of("aws_codebuild_project")] == ["ok"]


# -- ECS -------------------------------------------------------------------------------------


def container(name: str, **settings: Any) -> dict[str, Any]:
    return {"name": name, "image": f"{MOTO_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{name}:1", "memory": 256, **settings}


def make_task_definitions() -> None:
    ecs = moto_client("ecs")
    logged = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web", "awslogs-region": REGION}}
    for revision in (1, 2, 3):
        ecs.register_task_definition(
            family="web", networkMode="awsvpc", requiresCompatibilities=["FARGATE", "EC2"], cpu="256", memory="512",
            taskRoleArn=role("web-task"), executionRoleArn=role("web-exec"),
            containerDefinitions=[container(
                "web", privileged=revision == 3, readonlyRootFilesystem=True, user="1000",
                logConfiguration=logged,
                environment=[{"name": "DB_PASSWORD", "value": SECRET_VALUES[0]}, {"name": "APP_ENV", "value": "prod"}],
                secrets=[{"name": "API_KEY", "valueFrom": f"arn:aws:ssm:{REGION}:{MOTO_ACCOUNT}:parameter/api-key"}])],
            tags=[{"key": "team", "value": "web"}])
    # The newest revision is withdrawn: the latest ACTIVE one is revision 2.
    ecs.deregister_task_definition(taskDefinition="web:3")
    ecs.register_task_definition(
        family="legacy", pidMode="host", ipcMode="host",
        containerDefinitions=[
            container("agent", privileged=True),
            container("shipper", logConfiguration={"logDriver": "splunk", "options": {
                "splunk-url": "https://splunk.example:8088", "splunk-token": SECRET_VALUES[1]}}),
        ])
    ecs.register_task_definition(family="retired", containerDefinitions=[container("old")])
    ecs.deregister_task_definition(taskDefinition="retired:1")


def test_ecs_latest_active_revision_unprivileged_and_logged_vs_privileged_unlogged(aws: None) -> None:
    make_task_definitions()

    snapshot = observe_shared("aws_ecs_task_definition")
    definitions = by_name(snapshot, "aws_ecs_task_definition")

    assert set(definitions) == {"web", "legacy"}  # every revision of "retired" is INACTIVE
    web = definitions["web"]
    arn = f"arn:aws:ecs:{REGION}:{MOTO_ACCOUNT}:task-definition/web:2"
    assert (web["id"], web["tags"]) == (arn, {"team": "web"})
    assert web["attributes"] == {
        "arn": arn, "family": "web", "revision": 2, "network_mode": "awsvpc",
        "requires_compatibilities": ["EC2", "FARGATE"], "task_role_arn": role("web-task"),
        "execution_role_arn": role("web-exec"), "cpu": "256", "memory": "512",
        "container_definitions": [{
            "name": "web", "image": f"{MOTO_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:1", "essential": True,
            "privileged": False, "readonlyRootFilesystem": True, "user": "1000",
            "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web", "awslogs-region": REGION}},
            "environment": ["APP_ENV", "DB_PASSWORD"], "secrets": ["API_KEY"],
        }],
    }

    legacy = definitions["legacy"]["attributes"]
    assert (legacy["revision"], legacy["pid_mode"], legacy["ipc_mode"]) == (1, "host", "host")
    agent, shipper = legacy["container_definitions"]
    assert agent["privileged"] is True and "logConfiguration" not in agent
    assert shipper["logConfiguration"] == {"logDriver": "splunk", "options": {
        "splunk-url": "https://splunk.example:8088",
        "splunk-token": {"$unknown": "redacted: the key looks like a secret"}}}
    assert (shipper["environment"], shipper["secrets"]) == ([], [])
    serialised = json.dumps(snapshot.data)
    for value in SECRET_VALUES[:2]:
        assert value not in serialised
    assert "parameter/api-key" not in serialised


def test_ecs_denied_task_definition_describe_keeps_the_revision_unknown(aws: None) -> None:
    make_task_definitions()

    snapshot = observe_denied("ecs", "DescribeTaskDefinition", "aws_ecs_task_definition")

    definitions = by_name(snapshot, "aws_ecs_task_definition")
    assert set(definitions) == {"web", "legacy"}
    web = definitions["web"]
    assert web["id"] == f"arn:aws:ecs:{REGION}:{MOTO_ACCOUNT}:task-definition/web:2"  # named by ListTaskDefinitions
    marker = unknown("ecs:describe_task_definition")
    assert (web["attributes"]["family"], web["attributes"]["revision"]) == ("web", 2)
    assert web["attributes"]["container_definitions"] == marker
    assert web["tags"] == marker


def test_ecs_denied_describe_and_listing_of_revisions_names_the_family(aws: None) -> None:
    make_task_definitions()
    session = moto_session()
    deny(session, "ecs", "DescribeTaskDefinition")
    deny(session, "ecs", "ListTaskDefinitions")

    snapshot = observe_moto("aws_ecs_task_definition", session=session)

    definitions = by_name(snapshot, "aws_ecs_task_definition")
    assert definitions["web"]["id"] == f"arn:aws:ecs:{REGION}:{MOTO_ACCOUNT}:task-definition/web"
    assert definitions["web"]["attributes"]["revision"] == unknown("ecs:describe_task_definition")


def make_services() -> dict[str, str]:
    made = network()
    ecs = moto_client("ecs")
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(family="api", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256",
                                 memory="512", containerDefinitions=[container("api")])
    ecs.create_service(cluster="prod", serviceName="api-private", taskDefinition="api:1", desiredCount=2,
                       launchType="FARGATE", platformVersion="1.4.0", propagateTags="SERVICE",
                       networkConfiguration={"awsvpcConfiguration": {
                           "subnets": [made["subnet"]], "securityGroups": [made["group"]], "assignPublicIp": "DISABLED"}},
                       tags=[{"key": "team", "value": "api"}])
    ecs.create_service(cluster="prod", serviceName="api-public", taskDefinition="api:1", desiredCount=1,
                       launchType="FARGATE",
                       networkConfiguration={"awsvpcConfiguration": {
                           "subnets": [made["subnet"]], "securityGroups": [made["group"]], "assignPublicIp": "ENABLED"}})
    ecs.create_cluster(clusterName="batch")
    ecs.create_service(cluster="batch", serviceName="worker", taskDefinition="api:1", desiredCount=0)
    return made


def test_ecs_services_private_vs_public_and_without_awsvpc(aws: None) -> None:
    made = make_services()

    services = by_name(observe_shared("aws_ecs_service"), "aws_ecs_service")

    assert set(services) == {"api-private", "api-public", "worker"}
    private = services["api-private"]
    arn = f"arn:aws:ecs:{REGION}:{MOTO_ACCOUNT}:service/prod/api-private"
    assert (private["id"], private["tags"]) == (arn, {"team": "api"})
    assert private["attributes"] == {
        "arn": arn, "name": "api-private", "cluster": f"arn:aws:ecs:{REGION}:{MOTO_ACCOUNT}:cluster/prod",
        "task_definition": f"arn:aws:ecs:{REGION}:{MOTO_ACCOUNT}:task-definition/api:1", "launch_type": "FARGATE",
        "desired_count": 2, "platform_version": "1.4.0",
        "network_configuration": {"subnets": [made["subnet"]], "security_groups": [made["group"]],
                                  "assign_public_ip": False},
        "propagate_tags": "SERVICE",
        # moto does not keep enableExecuteCommand: absent here, always reported by AWS
    }
    assert services["api-public"]["attributes"]["network_configuration"]["assign_public_ip"] is True
    worker = services["worker"]["attributes"]
    assert worker["cluster"] == f"arn:aws:ecs:{REGION}:{MOTO_ACCOUNT}:cluster/batch"
    assert "network_configuration" not in worker and worker["launch_type"] == "EC2"


def test_ecs_denied_describe_services_keeps_them_unknown(aws: None) -> None:
    make_services()

    snapshot = observe_denied("ecs", "DescribeServices", "aws_ecs_service", "aws_ecs_task_definition")

    services = by_name(snapshot, "aws_ecs_service")
    assert set(services) == {"api-private", "api-public", "worker"}
    marker = unknown("ecs:describe_services")
    attributes = services["api-public"]["attributes"]
    assert attributes["cluster"] == f"arn:aws:ecs:{REGION}:{MOTO_ACCOUNT}:cluster/prod"
    assert attributes["network_configuration"] == marker
    assert services["api-public"]["tags"] == marker
    # the task definitions are another collector: unaffected
    assert by_name(snapshot, "aws_ecs_task_definition")["api"]["attributes"]["revision"] == 1


# -- Step Functions --------------------------------------------------------------------------

DEFINITION = json.dumps({"StartAt": "Train", "States": {"Train": {"Type": "Pass", "Result": {"token": SECRET_VALUES[2]},
                                                                  "End": True}}})
LOG_GROUP = f"arn:aws:logs:{REGION}:{MOTO_ACCOUNT}:log-group:/sfn/pipeline:*"


def make_state_machines() -> None:
    sfn = moto_client("stepfunctions")
    sfn.create_state_machine(
        name="pipeline", definition=DEFINITION, roleArn=role("sfn"), type="STANDARD",
        loggingConfiguration={"level": "ERROR", "includeExecutionData": True,
                              "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": LOG_GROUP}}]},
        tracingConfiguration={"enabled": True},
        encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": KEY_ARN,
                                 "kmsDataKeyReusePeriodSeconds": 300},
        tags=[{"key": "team", "value": "ml"}])
    sfn.create_state_machine(name="quick", definition=DEFINITION, roleArn=role("sfn"), type="EXPRESS")


def test_sfn_logged_customer_key_machine_vs_silent_default(aws: None) -> None:
    make_state_machines()

    snapshot = observe_shared("aws_sfn_state_machine")
    machines = by_name(snapshot, "aws_sfn_state_machine")

    pipeline = machines["pipeline"]
    arn = f"arn:aws:states:{REGION}:{MOTO_ACCOUNT}:stateMachine:pipeline"
    assert (pipeline["id"], pipeline["tags"]) == (arn, {"team": "ml"})
    assert pipeline["attributes"].pop("creation_date").endswith("Z")
    assert pipeline["attributes"] == {
        "arn": arn, "name": "pipeline", "role_arn": role("sfn"), "type": "STANDARD", "status": "ACTIVE",
        "logging_configuration": {"level": "ERROR", "include_execution_data": True, "log_destination": LOG_GROUP},
        "tracing_configuration": {"enabled": True},
        "encryption_configuration": {"type": "CUSTOMER_MANAGED_KMS_KEY", "kms_key_id": KEY_ARN,
                                     "kms_data_key_reuse_period_seconds": 300},
    }
    quick = machines["quick"]["attributes"]
    assert quick["type"] == "EXPRESS"
    # moto leaves includeExecutionData out when it was not set, and no documented default stands in for it.
    assert quick["logging_configuration"] == {"level": "OFF",
                                              "include_execution_data": {"$unknown": "MalformedResponse: includeExecutionData not sent"}}
    assert quick["encryption_configuration"] == {"type": "AWS_OWNED_KEY"}
    assert quick["tracing_configuration"] == {"enabled": False}
    assert SECRET_VALUES[2] not in json.dumps(snapshot.data)


def test_sfn_denied_describe_keeps_the_machine_unknown(aws: None) -> None:
    make_state_machines()

    machines = by_name(observe_denied("sfn", "DescribeStateMachine", "aws_sfn_state_machine"), "aws_sfn_state_machine")

    marker = unknown("stepfunctions:describe_state_machine")
    pipeline = machines["pipeline"]
    assert pipeline["attributes"]["logging_configuration"] == marker
    assert pipeline["attributes"]["encryption_configuration"] == marker
    assert (pipeline["attributes"]["type"], pipeline["tags"]) == ("STANDARD", {"team": "ml"})


def test_sfn_denied_tags_are_unknown(aws: None) -> None:
    make_state_machines()

    machines = by_name(observe_denied("sfn", "ListTagsForResource", "aws_sfn_state_machine"), "aws_sfn_state_machine")

    assert machines["pipeline"]["tags"] == unknown("stepfunctions:list_tags_for_resource")
    assert machines["pipeline"]["attributes"]["logging_configuration"]["level"] == "ERROR"


# -- SageMaker -------------------------------------------------------------------------------


def make_training_jobs() -> None:
    sagemaker = moto_client("sagemaker")
    common: dict[str, Any] = {"AlgorithmSpecification": {"TrainingImage": "acme/train:1", "TrainingInputMode": "File"},
                              "RoleArn": role("sagemaker"), "StoppingCondition": {"MaxRuntimeInSeconds": 3600}}
    sagemaker.create_training_job(
        TrainingJobName="isolated", **common,
        OutputDataConfig={"S3OutputPath": "s3://acme-artifacts/models", "KmsKeyId": KEY_ARN},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 2, "VolumeSizeInGB": 50, "VolumeKmsKeyId": KEY_ARN},
        VpcConfig={"SecurityGroupIds": ["sg-2", "sg-1"], "Subnets": ["subnet-b", "subnet-a"]},
        EnableNetworkIsolation=True, EnableInterContainerTrafficEncryption=True,
        HyperParameters={"api_key": SECRET_VALUES[2]})
    sagemaker.create_training_job(
        TrainingJobName="open", **common, OutputDataConfig={"S3OutputPath": "s3://acme-artifacts/scratch"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10})


def test_sagemaker_isolated_encrypted_job_vs_open_unencrypted(aws: None) -> None:
    make_training_jobs()

    snapshot = observe_shared("aws_sagemaker_training_job")
    jobs = by_name(snapshot, "aws_sagemaker_training_job")

    isolated = jobs["isolated"]
    arn = f"arn:aws:sagemaker:{REGION}:{MOTO_ACCOUNT}:training-job/isolated"
    assert (isolated["id"], isolated["tags"]) == (arn, {})
    assert isolated["attributes"].pop("creation_time").endswith("Z")
    assert isolated["attributes"] == {
        "arn": arn, "name": "isolated", "training_job_status": "Completed", "role_arn": role("sagemaker"),
        "enable_network_isolation": True, "enable_inter_container_traffic_encryption": True,
        "resource_config": {"instance_type": "ml.m5.xlarge", "instance_count": 2, "volume_size_in_gb": 50,
                            "volume_kms_key_id": KEY_ARN},
        "output_data_config": {"s3_output_path": "s3://acme-artifacts/models", "kms_key_id": KEY_ARN},
        "vpc_config": {"security_group_ids": ["sg-1", "sg-2"], "subnets": ["subnet-a", "subnet-b"]},
    }
    open_job = jobs["open"]["attributes"]
    assert (open_job["enable_network_isolation"], open_job["enable_inter_container_traffic_encryption"]) == (False, False)
    assert open_job["resource_config"] == {"instance_type": "ml.m5.large", "instance_count": 1, "volume_size_in_gb": 10}
    assert open_job["output_data_config"] == {"s3_output_path": "s3://acme-artifacts/scratch"}
    assert "vpc_config" not in open_job
    assert SECRET_VALUES[2] not in json.dumps(snapshot.data)


def test_sagemaker_denied_describe_keeps_the_job_unknown(aws: None) -> None:
    make_training_jobs()

    snapshot = observe_denied("sagemaker", "DescribeTrainingJob", "aws_sagemaker_training_job")

    jobs = by_name(snapshot, "aws_sagemaker_training_job")
    marker = unknown("sagemaker:describe_training_job")
    attributes = jobs["isolated"]["attributes"]
    assert attributes["enable_network_isolation"] == marker
    assert attributes["resource_config"] == marker
    assert attributes["training_job_status"] == "Completed"
    assert attributes["creation_time"].endswith("Z")


# -- Batch -----------------------------------------------------------------------------------


def make_compute_environments() -> dict[str, str]:
    made = network()
    iam = moto_client("iam")
    service_role = iam.create_role(RoleName="batch-service", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    profile = iam.create_instance_profile(InstanceProfileName="batch-instance")["InstanceProfile"]["Arn"]
    batch = moto_client("batch")
    batch.create_compute_environment(
        computeEnvironmentName="gpu", type="MANAGED", state="ENABLED", serviceRole=service_role,
        computeResources={"type": "EC2", "minvCpus": 0, "maxvCpus": 64, "desiredvCpus": 0,
                          "instanceTypes": ["m5.large", "c5.xlarge"], "subnets": [made["subnet"]],
                          "securityGroupIds": [made["group"]], "instanceRole": profile, "ec2KeyPair": "ops-ssh",
                          "launchTemplate": {"launchTemplateName": "batch-gpu", "version": "$Latest"},
                          "ec2Configuration": [{"imageType": "ECS_AL2_NVIDIA"}]},
        tags={"team": "ml"})
    batch.create_compute_environment(
        computeEnvironmentName="fargate", type="MANAGED", state="ENABLED", serviceRole=service_role,
        computeResources={"type": "FARGATE", "maxvCpus": 16, "subnets": [made["subnet"]],
                          "securityGroupIds": [made["group"]]})
    batch.create_compute_environment(computeEnvironmentName="own-fleet", type="UNMANAGED", serviceRole=service_role)
    return {**made, "service_role": service_role, "profile": profile}


def test_batch_managed_with_ssh_key_vs_fargate_and_unmanaged(aws: None) -> None:
    made = make_compute_environments()

    environments = by_name(observe_shared("aws_batch_compute_environment"), "aws_batch_compute_environment")

    gpu = environments["gpu"]
    arn = f"arn:aws:batch:{REGION}:{MOTO_ACCOUNT}:compute-environment/gpu"
    assert (gpu["id"], gpu["tags"]) == (arn, {"team": "ml"})
    assert gpu["attributes"].pop("ecs_cluster_arn").startswith(f"arn:aws:ecs:{REGION}:{MOTO_ACCOUNT}:cluster/")
    assert gpu["attributes"] == {
        "arn": arn, "compute_environment_name": "gpu", "name": "gpu", "type": "MANAGED", "state": "ENABLED",
        "status": "VALID", "status_reason": "Compute environment is available", "service_role": made["service_role"],
        "compute_resources": {
            "type": "EC2", "instance_role": made["profile"], "max_vcpus": 64, "min_vcpus": 0, "desired_vcpus": 0,
            "ec2_key_pair": "ops-ssh", "instance_type": ["c5.xlarge", "m5.large"], "subnets": [made["subnet"]],
            "security_group_ids": [made["group"]],
            "launch_template": {"launch_template_name": "batch-gpu", "version": "$Latest"},
            "ec2_configuration": [{"image_type": "ECS_AL2_NVIDIA"}],
        },
    }
    assert environments["fargate"]["attributes"]["compute_resources"] == {
        "type": "FARGATE", "max_vcpus": 16, "subnets": [made["subnet"]], "security_group_ids": [made["group"]]}
    own = environments["own-fleet"]["attributes"]
    assert own["type"] == "UNMANAGED" and "compute_resources" not in own


# -- denied listings -------------------------------------------------------------------------

LISTINGS = {
    "aws_codebuild_project": ("codebuild", "ListProjects"),
    "aws_ecr_repository": ("ecr", "DescribeRepositories"),
    "aws_eks_cluster": ("eks", "ListClusters"),
    "aws_ecs_task_definition": ("ecs", "ListTaskDefinitionFamilies"),
    "aws_ecs_service": ("ecs", "ListClusters"),
    "aws_sfn_state_machine": ("sfn", "ListStateMachines"),
    "aws_sagemaker_training_job": ("sagemaker", "ListTrainingJobs"),
    "aws_batch_compute_environment": ("batch", "DescribeComputeEnvironments"),
}


def test_a_denied_listing_is_error_coverage_while_the_other_types_are_ok(aws: None) -> None:
    make_projects()
    make_task_definitions()
    make_services()
    make_state_machines()
    make_training_jobs()
    make_repositories()
    make_clusters()
    moto_client("batch").create_compute_environment(
        computeEnvironmentName="own-fleet", type="UNMANAGED",
        serviceRole=moto_client("iam").create_role(RoleName="batch", AssumeRolePolicyDocument="{}")["Role"]["Arn"])

    for denied_type, (service, operation) in sorted(LISTINGS.items()):
        snapshot = observe_denied(service, operation, *LISTINGS)

        assert snapshot.of_type(denied_type) == [], denied_type
        [coverage] = snapshot.coverage_of(denied_type)
        assert (coverage["status"], coverage["error"]["code"]) == ("error", "AccessDenied"), denied_type
        for other in set(LISTINGS) - {denied_type}:
            assert snapshot.of_type(other), (denied_type, other)
            assert [c["status"] for c in snapshot.coverage_of(other)] == ["ok"], (denied_type, other)


def test_a_denied_service_listing_of_one_cluster_fails_the_whole_type(aws: None) -> None:
    make_services()

    snapshot = observe_denied("ecs", "ListServices", "aws_ecs_service")

    assert snapshot.of_type("aws_ecs_service") == []
    [coverage] = snapshot.coverage_of("aws_ecs_service")
    assert (coverage["status"], coverage["error"]["code"]) == ("error", "AccessDenied")


def test_every_region_is_observed_on_its_own(aws: None) -> None:
    make_state_machines()
    moto_client("stepfunctions", "eu-west-1").create_state_machine(name="eu", definition=DEFINITION, roleArn=role("sfn"))

    snapshot = observe_shared("aws_sfn_state_machine", regions=[REGION, "eu-west-1"])

    where: dict[str, str] = {r["name"]: r["region"] for r in snapshot.of_type("aws_sfn_state_machine")}
    assert where == {"pipeline": REGION, "quick": REGION, "eu": "eu-west-1"}
    assert {c["region"]: c["status"] for c in snapshot.coverage_of("aws_sfn_state_machine")} == {
        REGION: "ok", "eu-west-1": "ok"}


def test_codebuild_variable_types_default_to_plaintext_and_source_credentials_stay_visible_as_redacted(aws: None) -> None:
    moto_client("codebuild").create_project(
        name="legacy", artifacts={"type": "NO_ARTIFACTS"}, serviceRole=role("codebuild"),
        source={"type": "BITBUCKET", "location": f"https://ci-bot:{SECRET_VALUES[2]}@bitbucket.org/acme/legacy.git"},
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL",
                     "environmentVariables": [{"name": "STAGE", "value": "prod"},
                                              {"name": "TOKEN", "value": "/ci/token", "type": "PARAMETER_STORE"}]})

    snapshot = observe_shared("aws_codebuild_project")

    legacy = by_name(snapshot, "aws_codebuild_project")["legacy"]["attributes"]
    assert legacy["environment"]["environment_variable"] == [
        {"name": "STAGE", "type": "PLAINTEXT"}, {"name": "TOKEN", "type": "PARAMETER_STORE"}]
    # moto sends no privilegedMode for a project created without one: not observed, never read as false
    assert legacy["environment"]["privileged_mode"] == {"$unknown": "MalformedResponse: privilegedMode not sent"}
    assert legacy["source"] == {"type": "BITBUCKET", "location": "https://<redacted>@bitbucket.org/acme/legacy.git"}
    assert SECRET_VALUES[2] not in json.dumps(snapshot.data) and "prod" not in json.dumps(legacy)


# -- ECR ---------------------------------------------------------------------------------------

LIFECYCLE = {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                                         "countUnit": "days", "countNumber": 14},
                        "action": {"type": "expire"}}]}


def make_repositories() -> None:
    ecr = moto_client("ecr")
    ecr.create_repository(repositoryName="app", imageTagMutability="IMMUTABLE", imageScanningConfiguration={"scanOnPush": True},
                          tags=[{"Key": "team", "Value": "ml"}])
    ecr.create_repository(repositoryName="tools")
    ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=json.dumps(LIFECYCLE))
    ecr.set_repository_policy(repositoryName="tools", policyText=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}]}))
    ecr.put_registry_scanning_configuration(scanType="ENHANCED", rules=[
        {"scanFrequency": "CONTINUOUS_SCAN", "repositoryFilters": [{"filter": "prod-*", "filterType": "WILDCARD"}]},
        {"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}])


def test_ecr_lifecycle_and_repository_policies_and_the_registry_scanning_rules(aws: None) -> None:
    make_repositories()

    snapshot = observe_shared("aws_ecr_repository", "aws_ecr_registry_scanning_configuration", regions=[REGION, "eu-west-1"])

    repositories = by_name(snapshot, "aws_ecr_repository")
    app, tools = repositories["app"]["attributes"], repositories["tools"]["attributes"]
    assert app["lifecycle_policy"] == LIFECYCLE and "policy" not in app
    assert "lifecycle_policy" not in tools  # LifecyclePolicyNotFoundException: a fact, none set
    assert tools["policy"]["Statement"][0]["Principal"] == "*"
    assert repositories["app"]["tags"] == {"team": "ml"}
    scanning = {r["region"]: r for r in snapshot.of_type("aws_ecr_registry_scanning_configuration")}
    assert scanning[REGION]["id"] == f"{MOTO_ACCOUNT}/{REGION}/aws_ecr_registry_scanning_configuration"
    assert scanning[REGION]["attributes"] == {
        "configured": True, "registry_id": MOTO_ACCOUNT, "scan_type": "ENHANCED", "rule": [  # sorted by content
            {"scan_frequency": "SCAN_ON_PUSH", "repository_filter": [{"filter": "*", "filter_type": "WILDCARD"}]},
            {"scan_frequency": "CONTINUOUS_SCAN", "repository_filter": [{"filter": "prod-*", "filter_type": "WILDCARD"}]}]}
    # a registry nobody configured answers BASIC with no rules: the setting was never made
    assert scanning["eu-west-1"]["attributes"] == {"configured": False}


def test_ecr_denied_lifecycle_policy_is_unknown_not_absent(aws: None) -> None:
    make_repositories()

    snapshot = observe_denied("ecr", "GetLifecyclePolicy", "aws_ecr_repository")

    for repository in by_name(snapshot, "aws_ecr_repository").values():
        assert repository["attributes"]["lifecycle_policy"] == unknown("ecr:get_lifecycle_policy")


# -- EKS ---------------------------------------------------------------------------------------


def make_clusters() -> None:
    eks = moto_client("eks")
    eks.create_cluster(
        name="kubeflow", roleArn=role("eks"), tags={"unify:component": "orchestrator"},
        resourcesVpcConfig={"subnetIds": ["subnet-b", "subnet-a"], "endpointPublicAccess": False,
                            "endpointPrivateAccess": True},
        logging={"clusterLogging": [{"types": ["api", "audit", "authenticator"], "enabled": True},
                                    {"types": ["scheduler"], "enabled": False}]},
        encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": KEY_ARN}}])
    eks.create_cluster(name="sandbox", roleArn=role("eks"),
                       resourcesVpcConfig={"subnetIds": ["subnet-a"], "endpointPublicAccess": True,
                                           "endpointPrivateAccess": False, "publicAccessCidrs": ["0.0.0.0/0"]})


def test_eks_private_encrypted_logged_cluster_vs_public_sandbox(aws: None) -> None:
    make_clusters()

    clusters = by_name(observe_shared("aws_eks_cluster"), "aws_eks_cluster")

    kubeflow = clusters["kubeflow"]
    assert kubeflow["tags"] == {"unify:component": "orchestrator"}
    attributes = kubeflow["attributes"]
    assert attributes["vpc_config"] == {"endpoint_public_access": False, "endpoint_private_access": True,
                                        "subnet_ids": ["subnet-a", "subnet-b"], "security_group_ids": []}
    assert attributes["enabled_cluster_log_types"] == ["api", "audit", "authenticator"]
    assert attributes["encryption_config"] == {"resources": ["secrets"], "provider": {"key_arn": KEY_ARN}}
    sandbox = clusters["sandbox"]["attributes"]
    assert sandbox["vpc_config"]["endpoint_public_access"] is True
    assert sandbox["vpc_config"]["public_access_cidrs"] == ["0.0.0.0/0"]
    assert sandbox["enabled_cluster_log_types"] == [] and "encryption_config" not in sandbox


def test_eks_denied_describe_keeps_the_cluster_unknown(aws: None) -> None:
    make_clusters()

    clusters = by_name(observe_denied("eks", "DescribeCluster", "aws_eks_cluster"), "aws_eks_cluster")

    marker = unknown("eks:describe_cluster")
    assert set(clusters) == {"kubeflow", "sandbox"}
    assert clusters["kubeflow"]["attributes"]["vpc_config"] == marker and clusters["kubeflow"]["tags"] == marker


# -- SageMaker pipelines, processing jobs, notebooks, hosting ----------------------------------


def pipeline_definition(isolated: Any, *, key: bool) -> str:
    kms = {"VolumeKmsKeyId": KEY_ARN} if key else {}
    return json.dumps({"Version": "2020-12-01", "Steps": [
        {"Name": "prepare", "Type": "Processing", "Arguments": {
            "RoleArn": role("sagemaker"), "Environment": {"DB_PASSWORD": SECRET_VALUES[0]},
            "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1,
                                                      "VolumeSizeInGB": 30, **kms}},
            "ProcessingOutputConfig": {"Outputs": [], **({"KmsKeyId": KEY_ARN} if key else {})},
            "NetworkConfig": {"EnableNetworkIsolation": isolated, "EnableInterContainerTrafficEncryption": True,
                              "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-a"]}}}},
        {"Name": "gate", "Type": "Condition", "Arguments": {"Conditions": [], "IfSteps": [
            {"Name": "train", "Type": "Training", "Arguments": {
                "RoleArn": role("sagemaker"), "HyperParameters": {"api_key": SECRET_VALUES[2]},
                "ResourceConfig": {"InstanceType": "ml.g5.xlarge", "InstanceCount": 2, "VolumeSizeInGB": 50, **kms},
                "OutputDataConfig": {"S3OutputPath": "s3://acme-artifacts/models"}, "EnableNetworkIsolation": isolated}}],
            "ElseSteps": [{"Name": "stop", "Type": "Fail", "Arguments": {"ErrorMessage": "no"}}]}}]})


def test_sagemaker_pipeline_definition_is_read_step_by_step_and_never_kept(aws: None) -> None:
    sagemaker = moto_client("sagemaker")
    sagemaker.create_pipeline(PipelineName="train", RoleArn=role("sagemaker"), Tags=[{"Key": "team", "Value": "ml"}],
                              PipelineDefinition=pipeline_definition(True, key=True))
    sagemaker.create_pipeline(PipelineName="tunable", RoleArn=role("sagemaker"),
                              PipelineDefinition=pipeline_definition({"Get": "Parameters.Isolate"}, key=False))

    snapshot = observe_shared("aws_sagemaker_pipeline")
    pipelines = by_name(snapshot, "aws_sagemaker_pipeline")

    train = pipelines["train"]
    assert train["tags"] == {"team": "ml"}
    assert train["attributes"]["steps"] == [
        {"name": "prepare", "type": "Processing", "role_arn": role("sagemaker"), "enable_network_isolation": True,
         "enable_inter_container_traffic_encryption": True,
         "vpc_config": {"security_group_ids": ["sg-1"], "subnets": ["subnet-a"]},
         "volume_kms_key_id": KEY_ARN, "output_kms_key_id": KEY_ARN},
        # a condition step's branches are read too; the Fail step launches nothing
        {"name": "train", "type": "Training", "role_arn": role("sagemaker"), "enable_network_isolation": True,
         # not asked for in the request: off, its documented default
         "enable_inter_container_traffic_encryption": False, "volume_kms_key_id": KEY_ARN},
    ]
    tunable = {s["name"]: s for s in pipelines["tunable"]["attributes"]["steps"]}
    run_time = {"$unknown": "set when the pipeline runs: Parameters.Isolate"}
    assert tunable["prepare"]["enable_network_isolation"] == run_time == tunable["train"]["enable_network_isolation"]
    assert "volume_kms_key_id" not in tunable["train"]
    text = json.dumps(snapshot.data)
    assert SECRET_VALUES[0] not in text and SECRET_VALUES[2] not in text and "HyperParameters" not in text


def test_sagemaker_processing_jobs_notebooks_models_endpoint_configurations_and_endpoints(aws: None) -> None:
    sagemaker = moto_client("sagemaker")
    sagemaker.create_processing_job(
        ProcessingJobName="prepare", RoleArn=role("sagemaker"), AppSpecification={"ImageUri": "acme/prep:1"},
        ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 10,
                                               "VolumeKmsKeyId": KEY_ARN}},
        NetworkConfig={"EnableNetworkIsolation": True, "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-a"]}},
        ProcessingOutputConfig={"Outputs": [{"OutputName": "train", "S3Output": {
            "S3Uri": "s3://acme-artifacts/train", "LocalPath": "/opt/ml/processing/train", "S3UploadMode": "EndOfJob"}}]},
        Environment={"DB_PASSWORD": SECRET_VALUES[0]}, StoppingCondition={"MaxRuntimeInSeconds": 60})
    sagemaker.create_processing_job(ProcessingJobName="bare", RoleArn=role("sagemaker"),
                                    AppSpecification={"ImageUri": "acme/prep:1"},
                                    ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large",
                                                                           "VolumeSizeInGB": 10}})
    sagemaker.create_notebook_instance(NotebookInstanceName="research", InstanceType="ml.t3.medium", RoleArn=role("sagemaker"),
                                       DirectInternetAccess="Enabled", RootAccess="Enabled",
                                       Tags=[{"Key": "team", "Value": "research"}])
    sagemaker.create_notebook_instance(NotebookInstanceName="locked", InstanceType="ml.t3.medium", RoleArn=role("sagemaker"),
                                       SubnetId="subnet-a", SecurityGroupIds=["sg-1"], KmsKeyId=KEY_ARN,
                                       DirectInternetAccess="Disabled", RootAccess="Disabled")
    sagemaker.create_model(ModelName="churn", ExecutionRoleArn=role("sagemaker"),
                           PrimaryContainer={"Image": "acme/serve:1", "Environment": {"API_KEY": SECRET_VALUES[2]}})
    sagemaker.create_endpoint_config(EndpointConfigName="churn", ProductionVariants=[
        {"VariantName": "b", "ModelName": "churn", "InitialInstanceCount": 2, "InstanceType": "ml.m5.large"},
        {"VariantName": "a", "ModelName": "churn", "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}}])
    sagemaker.create_endpoint(EndpointName="churn", EndpointConfigName="churn")

    snapshot = observe_shared("aws_sagemaker_processing_job", "aws_sagemaker_notebook_instance", "aws_sagemaker_model",
                              "aws_sagemaker_endpoint_configuration", "aws_sagemaker_endpoint")

    jobs = by_name(snapshot, "aws_sagemaker_processing_job")
    prepare = jobs["prepare"]["attributes"]
    assert prepare["network_config"] == {"enable_network_isolation": True, "enable_inter_container_traffic_encryption": False,
                                         "vpc_config": {"security_group_ids": ["sg-1"], "subnets": ["subnet-a"]}}
    # moto leaves ProcessingResources out of DescribeProcessingJob: not observed, never read as "no key"
    assert prepare["processing_resources"] == {"$unknown": "MalformedResponse: ProcessingResources not sent"}
    assert prepare["processing_output_config"] == {"outputs": ["train"]}
    # no NetworkConfig at all: neither isolation nor encryption, their documented defaults
    assert jobs["bare"]["attributes"]["network_config"] == {"enable_network_isolation": False,
                                                            "enable_inter_container_traffic_encryption": False}
    notebooks = by_name(snapshot, "aws_sagemaker_notebook_instance")
    research, locked = notebooks["research"]["attributes"], notebooks["locked"]["attributes"]
    assert (research["direct_internet_access"], research["root_access"]) == ("Enabled", "Enabled")
    assert "subnet_id" not in research and notebooks["research"]["tags"] == {"team": "research"}
    assert (locked["subnet_id"], locked["kms_key_id"], locked["security_groups"]) == ("subnet-a", KEY_ARN, ["sg-1"])
    model = by_name(snapshot, "aws_sagemaker_model")["churn"]["attributes"]
    assert model["primary_container"] == {"image": "acme/serve:1", "environment": ["API_KEY"]}
    assert model["enable_network_isolation"] is False and "vpc_config" not in model
    config = by_name(snapshot, "aws_sagemaker_endpoint_configuration")["churn"]["attributes"]
    assert config["production_variants"] == [
        {"variant_name": "a", "model_name": "churn", "serverless_config": {"max_concurrency": 5, "memory_size_in_mb": 2048}},
        {"variant_name": "b", "model_name": "churn", "initial_instance_count": 2, "instance_type": "ml.m5.large"}]
    endpoint = by_name(snapshot, "aws_sagemaker_endpoint")["churn"]["attributes"]
    assert (endpoint["endpoint_config_name"], endpoint["endpoint_status"]) == ("churn", "InService")
    text = json.dumps(snapshot.data)
    assert SECRET_VALUES[0] not in text and SECRET_VALUES[2] not in text


def test_sagemaker_denied_describes_keep_the_resources_unknown(aws: None) -> None:
    sagemaker = moto_client("sagemaker")
    sagemaker.create_model(ModelName="churn", ExecutionRoleArn=role("sagemaker"), PrimaryContainer={"Image": "acme/serve:1"})
    sagemaker.create_pipeline(PipelineName="train", RoleArn=role("sagemaker"), PipelineDefinition=pipeline_definition(True, key=True))
    session = moto_session()
    deny(session, "sagemaker", "DescribeModel")
    deny(session, "sagemaker", "DescribePipeline")

    snapshot = observe_moto("aws_sagemaker_model", "aws_sagemaker_pipeline", session=session)

    model = by_name(snapshot, "aws_sagemaker_model")["churn"]["attributes"]
    assert model["enable_network_isolation"] == unknown("sagemaker:describe_model") and model["name"] == "churn"
    pipeline = by_name(snapshot, "aws_sagemaker_pipeline")["train"]["attributes"]
    assert pipeline["steps"] == unknown("sagemaker:describe_pipeline") and pipeline["pipeline_name"] == "train"


# -- Batch job queues and job definitions --------------------------------------------------------


def test_batch_job_queues_and_the_latest_active_job_definition_revision(aws: None) -> None:
    service_role = moto_client("iam").create_role(RoleName="batch", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    batch = moto_client("batch")
    environment = batch.create_compute_environment(computeEnvironmentName="own-fleet", type="UNMANAGED",
                                                   serviceRole=service_role)["computeEnvironmentArn"]
    batch.create_job_queue(jobQueueName="steps", state="ENABLED", priority=1, tags={"team": "ml"},
                           computeEnvironmentOrder=[{"order": 1, "computeEnvironment": environment}])
    for privileged in (False, True):
        batch.register_job_definition(
            jobDefinitionName="train", type="container", tags={"team": "ml"},
            containerProperties={"image": "acme/train:1", "vcpus": 4, "memory": 8192, "privileged": privileged,
                                 "environment": [{"name": "DB_PASSWORD", "value": SECRET_VALUES[0]}],
                                 "logConfiguration": {"logDriver": "splunk", "options": {"splunk-token": SECRET_VALUES[1]}}})

    snapshot = observe_shared("aws_batch_job_queue", "aws_batch_job_definition")

    queue = by_name(snapshot, "aws_batch_job_queue")["steps"]
    assert queue["tags"] == {"team": "ml"}
    assert queue["attributes"]["compute_environment_order"] == [{"order": 1, "compute_environment": environment}]
    assert (queue["attributes"]["state"], queue["attributes"]["priority"]) == ("ENABLED", 1)
    [definition] = snapshot.of_type("aws_batch_job_definition")
    assert definition["id"].endswith(":job-definition/train:2")
    assert definition["attributes"]["revision"] == 2
    assert definition["attributes"]["platform_capabilities"] == ["EC2"]  # none sent: the documented default
    assert definition["attributes"]["container_properties"] == {
        "image": "acme/train:1", "vcpus": 4, "memory": 8192, "privileged": True,
        "logConfiguration": {"logDriver": "splunk"}, "environment": ["DB_PASSWORD"], "secrets": []}
    text = json.dumps(snapshot.data)
    assert SECRET_VALUES[0] not in text and SECRET_VALUES[1] not in text


# -- the artifact store's S3 settings ------------------------------------------------------------


def test_s3_object_lock_and_lifecycle_rules_of_an_artifact_store(aws: None) -> None:
    s3 = moto_client("s3")
    s3.create_bucket(Bucket="acme-artifacts", ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(Bucket="acme-artifacts", ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 30}}})
    s3.create_bucket(Bucket="acme-scratch")
    s3.put_bucket_lifecycle_configuration(Bucket="acme-scratch", LifecycleConfiguration={"Rules": [
        {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 7}},
        {"ID": "archive", "Status": "Disabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 365}}]})

    buckets = by_name(observe_shared("aws_s3_bucket"), "aws_s3_bucket")

    artifacts, scratch = buckets["acme-artifacts"]["attributes"], buckets["acme-scratch"]["attributes"]
    # moto answers Years: 0 beside Days; an unset retention period is not a zero
    assert artifacts["object_lock_configuration"] == {
        "object_lock_enabled": "Enabled", "rule": {"default_retention": {"mode": "GOVERNANCE", "days": 30}}}
    assert "lifecycle_rule" not in artifacts and "object_lock_configuration" not in scratch
    assert [(rule["id"], rule["status"], rule["expiration"]) for rule in scratch["lifecycle_rule"]] == [
        ("archive", "Disabled", {"days": 365}), ("tmp", "Enabled", {"days": 7})]
