"""Deployment-stack collectors against moto: CodeBuild, ECS, Step Functions, SageMaker and Batch, denied calls included."""

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
                        "type": "LINUX_CONTAINER", "privileged_mode": False, "image_pull_credentials_type": "SERVICE_ROLE"},
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
