"""The demo's deployment stack: a ZenML-style stack on AWS, with a realistic mix of good and bad settings.

All six components: CodeBuild builds the images, ECR keeps them, App Runner
runs the service, an S3 bucket is the artifact store, SageMaker Pipelines
orchestrate (with an Airflow environment on MWAA beside them) and SageMaker
training and AWS Batch run the heavy steps; plus the SageMaker notebooks,
models and endpoints, and an EKS cluster, that the AWS Foundational Security
Best Practices judge. Everything moto serves is seeded through moto's
server; App Runner and MWAA, which moto does not serve, are recorded
answers shaped as their API references document them, given through
botocore's Stubber, and the demo's output says so.
"""

from __future__ import annotations

import json
from typing import Any, Final

from unify.observe.demo_seeder import DEMO_ACCOUNT, DEMO_REGIONS, DemoPart, DemoSeeder, trust
from unify.observe.recorded import RecordedAnswers

__all__ = ["PART"]

_HOME: Final = DEMO_REGIONS[0]
_KEY: Final = f"arn:aws:kms:{_HOME}:{DEMO_ACCOUNT}:key/0f6c2d1e-5a4b-4c3d-9e8f-7a6b5c4d3e2f"
_ROLE: Final = f"arn:aws:iam::{DEMO_ACCOUNT}:role/zenml-sagemaker"
_REGISTRY: Final = f"{DEMO_ACCOUNT}.dkr.ecr.{_HOME}.amazonaws.com"


def _doc(value: Any) -> str:
    return json.dumps(value)


def _s3(seeder: DemoSeeder, n: int) -> None:
    s3 = seeder.client("s3")
    store, scratch = f"acme-ml-artifacts-{n}", f"acme-ml-scratch-{n}"
    s3.create_bucket(Bucket=store, ObjectLockEnabledForBucket=True)
    s3.create_bucket(Bucket=scratch)
    tag = {"TagSet": [{"Key": "unify:component", "Value": "artifact-store"}, {"Key": "team", "Value": "ml"}]}
    for bucket in (store, scratch):
        s3.put_bucket_tagging(Bucket=bucket, Tagging=tag)
        s3.put_public_access_block(
            Bucket=bucket,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
    s3.put_bucket_versioning(Bucket=store, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(
        Bucket=store,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": _KEY},
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    s3.put_bucket_logging(
        Bucket=store,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": f"acme-logs-{n}", "TargetPrefix": f"{store}/"}},
    )
    s3.put_object_lock_configuration(
        Bucket=store,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 90}},
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=store,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire-old-versions",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 180},
                }
            ]
        },
    )


def _ecr(seeder: DemoSeeder, n: int) -> None:
    ecr = seeder.client("ecr")
    ecr.create_repository(
        repositoryName=f"zenml-{n}",
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": _KEY},
    )
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "description": "drop untagged images after two weeks",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 14,
                },
                "action": {"type": "expire"},
            }
        ]
    }
    for repository in (f"zenml-{n}", f"app-{n}"):
        ecr.put_lifecycle_policy(repositoryName=repository, lifecyclePolicyText=_doc(policy))


def _codebuild(seeder: DemoSeeder, n: int) -> None:
    codebuild = seeder.client("codebuild")
    role = f"arn:aws:iam::{DEMO_ACCOUNT}:role/zenml-codebuild-{n}"
    seeder.client("iam").create_role(
        RoleName=f"zenml-codebuild-{n}", AssumeRolePolicyDocument=trust("codebuild.amazonaws.com")
    )
    codebuild.create_project(
        name=f"zenml-image-builder-{n}",
        description="builds the pipeline images",
        source={"type": "GITHUB", "location": "https://github.com/acme/zenml-pipelines.git", "auth": {"type": "OAUTH"}},
        artifacts={"type": "NO_ARTIFACTS"},
        serviceRole=role,
        environment={
            "type": "LINUX_CONTAINER",
            "image": "bentolor/docker-dind-awscli",
            "computeType": "BUILD_GENERAL1_SMALL",
            "privilegedMode": True,
            "environmentVariables": [
                {"name": "REGISTRY", "value": _REGISTRY, "type": "PLAINTEXT"},
                {"name": "REGISTRY_TOKEN", "value": "/zenml/registry-token", "type": "PARAMETER_STORE"},
            ],
        },
        logsConfig={
            "cloudWatchLogs": {"status": "ENABLED", "groupName": f"/zenml/builds-{n}"},
            "s3Logs": {"status": "DISABLED"},
        },
        tags=[{"key": "unify:builds-images", "value": "true"}, {"key": "team", "value": "ml"}],
    )
    codebuild.create_project(
        name=f"legacy-build-{n}",
        source={"type": "BITBUCKET", "location": f"https://ci-bot:demo-not-a-token-{n}@bitbucket.org/acme/legacy.git"},
        artifacts={"type": "NO_ARTIFACTS"},
        serviceRole=role,
        environment={
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_MEDIUM",
            "privilegedMode": True,
            "environmentVariables": [{"name": "GITHUB_TOKEN", "value": "not-stored", "type": "PLAINTEXT"}],
        },
        logsConfig={
            "cloudWatchLogs": {"status": "DISABLED"},
            "s3Logs": {"status": "ENABLED", "location": f"acme-logs-{n}/builds", "encryptionDisabled": True},
        },
    )


def _step(name: str, step_type: str, *, good: bool) -> dict[str, Any]:
    key = {"VolumeKmsKeyId": _KEY} if good else {}
    vpc = {"VpcConfig": {"SecurityGroupIds": ["sg-0zenml"], "Subnets": ["subnet-0private"]}} if good else {}
    if step_type == "Processing":
        arguments: dict[str, Any] = {
            "RoleArn": _ROLE,
            "AppSpecification": {"ImageUri": f"{_REGISTRY}/zenml-0:prep"},
            "ProcessingResources": {
                "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 30, **key}
            },
            "ProcessingOutputConfig": {"Outputs": [], **({"KmsKeyId": _KEY} if good else {})},
            "NetworkConfig": {"EnableNetworkIsolation": good, "EnableInterContainerTrafficEncryption": good, **vpc},
            "Environment": {"LOG_LEVEL": "info"},
        }
    else:
        arguments = {
            "RoleArn": _ROLE,
            "AlgorithmSpecification": {"TrainingImage": f"{_REGISTRY}/zenml-0:train", "TrainingInputMode": "File"},
            "ResourceConfig": {"InstanceCount": 2, "InstanceType": "ml.g5.xlarge", "VolumeSizeInGB": 50, **key},
            "OutputDataConfig": {
                "S3OutputPath": "s3://acme-ml-artifacts-0/models/",
                **({"KmsKeyId": _KEY} if good else {}),
            },
            "EnableNetworkIsolation": good,
            "EnableInterContainerTrafficEncryption": {"Get": "Parameters.EncryptTraffic"} if good else False,
            "HyperParameters": {"epochs": "10"},
            **vpc,
        }
    return {"Name": name, "Type": step_type, "Arguments": arguments}


def _sagemaker(seeder: DemoSeeder, n: int) -> None:
    sagemaker = seeder.client("sagemaker")
    for pipeline, good in ((f"zenml-training-{n}", True), (f"legacy-etl-{n}", False)):
        definition = {
            "Version": "2020-12-01",
            "Parameters": [{"Name": "EncryptTraffic", "Type": "Boolean", "DefaultValue": True}],
            "Steps": [_step("prepare", "Processing", good=good), _step("train", "Training", good=good)],
        }
        sagemaker.create_pipeline(
            PipelineName=pipeline,
            PipelineDefinition=_doc(definition),
            RoleArn=_ROLE,
            Tags=[{"Key": "team", "Value": "ml"}],
        )
    for job, good in ((f"zenml-step-{n}", True), (f"adhoc-train-{n}", False)):
        sagemaker.create_training_job(
            TrainingJobName=job,
            RoleArn=_ROLE,
            AlgorithmSpecification={"TrainingImage": f"{_REGISTRY}/zenml-{n}:train", "TrainingInputMode": "File"},
            OutputDataConfig={
                "S3OutputPath": f"s3://acme-ml-artifacts-{n}/models/",
                **({"KmsKeyId": _KEY} if good else {}),
            },
            ResourceConfig={
                "InstanceType": "ml.g5.xlarge" if good else "ml.p3.2xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 50,
                **({"VolumeKmsKeyId": _KEY} if good else {}),
            },
            StoppingCondition={"MaxRuntimeInSeconds": 3600},
            EnableNetworkIsolation=good,
            EnableInterContainerTrafficEncryption=good,
            **({"VpcConfig": {"SecurityGroupIds": ["sg-0zenml"], "Subnets": ["subnet-0private"]}} if good else {}),
        )
    sagemaker.create_processing_job(
        ProcessingJobName=f"zenml-training-{n}-prepare",
        RoleArn=_ROLE,
        AppSpecification={"ImageUri": f"{_REGISTRY}/zenml-{n}:prep"},
        ProcessingResources={
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 30,
                "VolumeKmsKeyId": _KEY,
            }
        },
        ProcessingOutputConfig={"Outputs": [], "KmsKeyId": _KEY},
        NetworkConfig={"EnableNetworkIsolation": True, "EnableInterContainerTrafficEncryption": False},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )
    sagemaker.create_notebook_instance(
        NotebookInstanceName=f"research-{n}",
        InstanceType="ml.t3.medium",
        RoleArn=_ROLE,
        DirectInternetAccess="Enabled",
        RootAccess="Enabled",
        Tags=[{"Key": "team", "Value": "research"}],
    )
    sagemaker.create_model(
        ModelName=f"churn-{n}",
        ExecutionRoleArn=_ROLE,
        PrimaryContainer={"Image": f"{_REGISTRY}/zenml-{n}:serve", "Environment": {"MODEL_NAME": "churn"}},
        EnableNetworkIsolation=True,
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName=f"churn-{n}",
        ProductionVariants=[
            {
                "VariantName": "primary",
                "ModelName": f"churn-{n}",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
        KmsKeyId=_KEY,
    )
    sagemaker.create_endpoint(EndpointName=f"churn-{n}", EndpointConfigName=f"churn-{n}")


def _eks_and_batch(seeder: DemoSeeder, n: int) -> None:
    seeder.client("eks").create_cluster(
        name=f"platform-{n}",
        roleArn=f"arn:aws:iam::{DEMO_ACCOUNT}:role/eks-cluster",
        resourcesVpcConfig={
            "subnetIds": ["subnet-0private"],
            "endpointPublicAccess": True,
            "endpointPrivateAccess": True,
        },
        logging={"clusterLogging": [{"types": ["api"], "enabled": True}]},
    )
    iam = seeder.client("iam")
    role = iam.create_role(RoleName=f"batch-service-{n}", AssumeRolePolicyDocument=trust("batch.amazonaws.com"))[
        "Role"
    ]["Arn"]
    batch = seeder.client("batch")
    environment = batch.create_compute_environment(
        computeEnvironmentName=f"zenml-steps-{n}", type="UNMANAGED", state="ENABLED", serviceRole=role
    )["computeEnvironmentArn"]
    batch.create_job_queue(
        jobQueueName=f"zenml-steps-{n}",
        state="ENABLED",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": environment}],
    )
    batch.register_job_definition(
        jobDefinitionName=f"zenml-step-{n}",
        type="container",
        containerProperties={
            "image": f"{_REGISTRY}/zenml-{n}:step",
            "resourceRequirements": [{"type": "VCPU", "value": "4"}, {"type": "MEMORY", "value": "16384"}],
            "environment": [{"name": "LOG_LEVEL", "value": "info"}],
            "privileged": False,
        },
    )


def _seed(seeder: DemoSeeder, n: int) -> None:
    _s3(seeder, n)
    _ecr(seeder, n)
    _codebuild(seeder, n)
    _sagemaker(seeder, n)
    _eks_and_batch(seeder, n)


def _baseline(seeder: DemoSeeder) -> None:
    seeder.client("ecr").put_registry_scanning_configuration(
        scanType="BASIC",
        rules=[{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}],
    )


# -- recorded answers: App Runner and MWAA, which moto does not serve ---------------------------------

_SERVICES: Final[dict[str, dict[str, Any]]] = {
    "zenml-api": {
        "id": "8fe1e10304f84fd2b0df550fe98a71fa",
        "public": True,
        "egress": {"EgressType": "DEFAULT"},
        "encryption": None,
        "variables": {"MODEL_NAME": "churn", "DB_PASSWORD": "not-stored"},
        "secrets": {"API_KEY": f"arn:aws:secretsmanager:{_HOME}:{DEMO_ACCOUNT}:secret:zenml-api-key"},
        "auto": True,
        "tags": [{"Key": "team", "Value": "ml"}],
    },
    "zenml-internal": {
        "id": "0fe1e10304f84fd2b0df550fe98a71fb",
        "public": False,
        "egress": {
            "EgressType": "VPC",
            "VpcConnectorArn": f"arn:aws:apprunner:{_HOME}:{DEMO_ACCOUNT}:vpcconnector/zenml-vpc/1/4ab3c2d1e0f94e8d",
        },
        "encryption": {"KmsKey": _KEY},
        "variables": {"MODEL_NAME": "churn"},
        "secrets": {"DB_PASSWORD": f"arn:aws:ssm:{_HOME}:{DEMO_ACCOUNT}:parameter/zenml/db"},
        "auto": False,
        "tags": [{"Key": "team", "Value": "ml"}],
    },
}
_APPRUNNER: Final = f"arn:aws:apprunner:{_HOME}:{DEMO_ACCOUNT}"
_SCALING: Final = {
    "DefaultConfiguration": f"{_APPRUNNER}:autoscalingconfiguration/DefaultConfiguration/1/0000000000000001",
    "zenml-scaling": f"{_APPRUNNER}:autoscalingconfiguration/zenml-scaling/1/5bd2e1f0a9c84b7e",
}
_WHEN: Final = "2026-11-02T09:00:00Z"


def _service_arn(name: str) -> str:
    return f"arn:aws:apprunner:{_HOME}:{DEMO_ACCOUNT}:service/{name}/{_SERVICES[name]['id']}"


def _service(name: str) -> dict[str, Any]:
    spec = _SERVICES[name]
    service: dict[str, Any] = {
        "ServiceName": name,
        "ServiceId": spec["id"],
        "ServiceArn": _service_arn(name),
        "ServiceUrl": f"{spec['id'][:10]}.{_HOME}.awsapprunner.com",
        "CreatedAt": _WHEN,
        "UpdatedAt": _WHEN,
        "Status": "RUNNING",
        "SourceConfiguration": {
            "ImageRepository": {
                "ImageIdentifier": f"{_REGISTRY}/zenml-0:serve",
                "ImageRepositoryType": "ECR",
                "ImageConfiguration": {
                    "Port": "8080",
                    "RuntimeEnvironmentVariables": spec["variables"],
                    "RuntimeEnvironmentSecrets": spec["secrets"],
                },
            },
            "AutoDeploymentsEnabled": spec["auto"],
            "AuthenticationConfiguration": {"AccessRoleArn": f"arn:aws:iam::{DEMO_ACCOUNT}:role/apprunner-ecr-access"},
        },
        "InstanceConfiguration": {
            "Cpu": "1024",
            "Memory": "2048",
            "InstanceRoleArn": f"arn:aws:iam::{DEMO_ACCOUNT}:role/zenml-deployer",
        },
        "HealthCheckConfiguration": {
            "Protocol": "HTTP",
            "Path": "/health",
            "Interval": 10,
            "Timeout": 2,
            "HealthyThreshold": 1,
            "UnhealthyThreshold": 5,
        },
        "AutoScalingConfigurationSummary": {
            "AutoScalingConfigurationArn": _SCALING["zenml-scaling"],
            "AutoScalingConfigurationName": "zenml-scaling",
            "AutoScalingConfigurationRevision": 1,
        },
        "NetworkConfiguration": {
            "EgressConfiguration": spec["egress"],
            "IngressConfiguration": {"IsPubliclyAccessible": spec["public"]},
            "IpAddressType": "IPV4",
        },
        "ObservabilityConfiguration": {
            "ObservabilityEnabled": True,
            "ObservabilityConfigurationArn": f"{_APPRUNNER}:observabilityconfiguration/xray/1/7c1d",
        },
    }
    if spec["encryption"]:
        service["EncryptionConfiguration"] = spec["encryption"]
    return service


def record_apprunner(answers: RecordedAnswers, region: str) -> None:
    """App Runner as the API reference documents its answers: two services, a VPC connector, scaling configurations."""
    home = region == _HOME
    answers.answer(
        "list_services",
        {
            "ServiceSummaryList": [
                {"ServiceName": name, "ServiceId": spec["id"], "ServiceArn": _service_arn(name), "Status": "RUNNING"}
                for name, spec in _SERVICES.items()
            ]
            if home
            else []
        },
    )
    for name, spec in _SERVICES.items():
        answers.answer("describe_service", {"Service": _service(name)}, params={"ServiceArn": _service_arn(name)})
        answers.answer("list_tags_for_resource", {"Tags": spec["tags"]}, params={"ResourceArn": _service_arn(name)})
    connector = f"arn:aws:apprunner:{_HOME}:{DEMO_ACCOUNT}:vpcconnector/zenml-vpc/1/4ab3c2d1e0f94e8d"
    answers.answer(
        "list_vpc_connectors",
        {
            "VpcConnectors": [
                {
                    "VpcConnectorName": "zenml-vpc",
                    "VpcConnectorArn": connector,
                    "VpcConnectorRevision": 1,
                    "Subnets": ["subnet-0private", "subnet-1private"],
                    "SecurityGroups": ["sg-0zenml"],
                    "Status": "ACTIVE",
                    "CreatedAt": _WHEN,
                }
            ]
            if home
            else []
        },
    )
    answers.answer(
        "list_tags_for_resource", {"Tags": [{"Key": "team", "Value": "ml"}]}, params={"ResourceArn": connector}
    )
    answers.answer(
        "list_auto_scaling_configurations",
        {
            "AutoScalingConfigurationSummaryList": [
                {
                    "AutoScalingConfigurationArn": arn,
                    "AutoScalingConfigurationName": name,
                    "AutoScalingConfigurationRevision": 1,
                    "Status": "ACTIVE",
                    "IsDefault": name == "DefaultConfiguration",
                    "HasAssociatedService": name == "zenml-scaling",
                }
                for name, arn in _SCALING.items()
            ]
            if home
            else []
        },
    )
    for name, arn in _SCALING.items():
        answers.answer(
            "describe_auto_scaling_configuration",
            {
                "AutoScalingConfiguration": {
                    "AutoScalingConfigurationArn": arn,
                    "AutoScalingConfigurationName": name,
                    "AutoScalingConfigurationRevision": 1,
                    "Latest": True,
                    "Status": "ACTIVE",
                    "MaxConcurrency": 100,
                    "MinSize": 1,
                    "MaxSize": 25 if name == "DefaultConfiguration" else 4,
                    "CreatedAt": _WHEN,
                    "HasAssociatedService": name == "zenml-scaling",
                    "IsDefault": name == "DefaultConfiguration",
                }
            },
            params={"AutoScalingConfigurationArn": arn},
        )
    answers.answer("list_tags_for_resource", {"Tags": []}, params={"ResourceArn": _SCALING["zenml-scaling"]})


def record_mwaa(answers: RecordedAnswers, region: str) -> None:
    """MWAA as the API reference documents its answers: one Airflow environment, its web server public."""
    home = region == _HOME
    answers.answer("list_environments", {"Environments": ["zenml-airflow"] if home else []})
    log = {
        "Enabled": True,
        "LogLevel": "INFO",
        "CloudWatchLogGroupArn": f"arn:aws:logs:{_HOME}:{DEMO_ACCOUNT}:log-group:airflow-zenml-airflow-Task",
    }
    answers.answer(
        "get_environment",
        {
            "Environment": {
                "Name": "zenml-airflow",
                "Status": "AVAILABLE",
                "Arn": f"arn:aws:airflow:{_HOME}:{DEMO_ACCOUNT}:environment/zenml-airflow",
                "CreatedAt": _WHEN,
                "WebserverUrl": "4fe3c2b1-a0d9-4e8f.c0.us-east-1.airflow.amazonaws.com",
                "ExecutionRoleArn": f"arn:aws:iam::{DEMO_ACCOUNT}:role/zenml-airflow",
                "AirflowVersion": "2.10.3",
                "SourceBucketArn": "arn:aws:s3:::acme-airflow-dags",
                "DagS3Path": "dags/",
                "EnvironmentClass": "mw1.small",
                "MaxWorkers": 10,
                "MinWorkers": 1,
                "Schedulers": 2,
                "NetworkConfiguration": {
                    "SubnetIds": ["subnet-0private", "subnet-1private"],
                    "SecurityGroupIds": ["sg-0airflow"],
                },
                "LoggingConfiguration": {
                    "DagProcessingLogs": {"Enabled": False, "LogLevel": "WARNING"},
                    "SchedulerLogs": {"Enabled": False, "LogLevel": "WARNING"},
                    "TaskLogs": log,
                    "WebserverLogs": {"Enabled": False, "LogLevel": "WARNING"},
                    "WorkerLogs": {"Enabled": False, "LogLevel": "WARNING"},
                },
                "WebserverAccessMode": "PUBLIC_ONLY",
                "Tags": {"team": "data"},
            }
        },
        params={"Name": "zenml-airflow"},
    )


PART = DemoPart(
    name="stack",
    seed=_seed,
    baseline=_baseline,
    recordings={"apprunner": record_apprunner, "mwaa": record_mwaa},
    note=(
        "demo: App Runner and MWAA are recorded answers shaped as their API references document them "
        "(moto has no backend for either), served through botocore's Stubber; everything else is moto"
    ),
)
