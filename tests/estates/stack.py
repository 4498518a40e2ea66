"""The deployment stack: artifact store, registry, image builder, deployer, orchestrator and step operator.

Each estate puts a compliant and a non-compliant resource of a component side by side, seeded in moto (App
Runner and MWAA from recorded answers, moto has neither), and the same resources as Terraform plans them.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from both_ways import ACCOUNT, FAIL, HOME, OUT, PASS, Estate, Planned, Seeder
from unify.model.snapshot import Snapshot
from unify.observe.recorded import RecordedAnswers

KEY = f"arn:aws:kms:{HOME}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TAG = {"unify:component": "artifact-store"}
LOCKED = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def _answered(type_: str, facts: dict[str, dict[str, Any]]) -> Any:
    """An ``edit`` that gives resources of ``type_`` the attributes AWS answers and moto leaves out (by name)."""

    def edit(snapshot: Snapshot) -> Snapshot:
        resources = copy.deepcopy(snapshot.data["resources"])
        for resource in resources:
            if resource["type"] == type_ and resource["name"] in facts:
                resource["attributes"].update(copy.deepcopy(facts[resource["name"]]))
        return Snapshot.build(resources=resources, coverage=snapshot.coverage, scope=snapshot.scope,
                              source=snapshot.data["source"], taken_at=snapshot.data["taken_at"])

    return edit


def _role(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


# -- the artifact store and its lineage ----------------------------------------------------------


def artifact_store(seeder: Seeder) -> None:
    s3 = seeder.client("s3")
    s3.create_bucket(Bucket="acme-logs")
    s3.put_bucket_policy(Bucket="acme-logs", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::acme-logs/*"}]}))
    s3.create_bucket(Bucket="acme-artifacts", ObjectLockEnabledForBucket=True)
    s3.create_bucket(Bucket="acme-scratch")
    s3.create_bucket(Bucket="acme-website")  # no tag: not the stack's
    # No default encryption configured. AWS applies SSE-S3 to every new bucket since January 2023 and would
    # answer it; moto does not, which is the answer an account without that default (or a plan) gives.
    s3.create_bucket(Bucket="acme-staging")
    for bucket in ("acme-artifacts", "acme-scratch", "acme-staging"):
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in TAG.items()]})
    s3.put_bucket_versioning(Bucket="acme-artifacts", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(Bucket="acme-artifacts", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY}}]})
    s3.put_bucket_encryption(Bucket="acme-scratch", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.put_public_access_block(Bucket="acme-artifacts", PublicAccessBlockConfiguration=LOCKED)
    s3.put_bucket_logging(Bucket="acme-artifacts", BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": "acme-logs", "TargetPrefix": "artifacts/"}})
    s3.put_object_lock_configuration(Bucket="acme-artifacts", ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 30}}})
    s3.put_bucket_policy(Bucket="acme-scratch", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-scratch/*"}]}))
    trail_bucket = "acme-trail"
    s3.create_bucket(Bucket=trail_bucket)
    s3.put_bucket_policy(Bucket=trail_bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{trail_bucket}", f"arn:aws:s3:::{trail_bucket}/*"]}]}))
    cloudtrail = seeder.client("cloudtrail")
    cloudtrail.create_trail(Name="data-events", S3BucketName=trail_bucket)
    cloudtrail.put_event_selectors(TrailName="data-events", EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True,
         "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::acme-artifacts/"]}]}])
    cloudtrail.start_logging(Name="data-events")
    # the registry scans on push only the repositories named prod-*: the stack's other repositories are not
    seeder.client("ecr").put_registry_scanning_configuration(scanType="BASIC", rules=[
        {"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "prod-*", "filterType": "WILDCARD"}]}])
    seeder.ids["registry"] = f"{ACCOUNT}/{HOME}/aws_ecr_registry_scanning_configuration"


def _artifact_plan() -> list[Planned]:
    tagged = {"force_destroy": False, "tags": TAG}
    return [
        Planned("aws_s3_bucket", "logs", {"bucket": "acme-logs", "force_destroy": False, "tags": {}}, unknown=("arn",)),
        Planned("aws_s3_bucket", "artifacts", {"bucket": "acme-artifacts", "object_lock_enabled": True, **tagged},
                unknown=("arn",)),
        Planned("aws_s3_bucket", "scratch", {"bucket": "acme-scratch", **tagged}, unknown=("arn",)),
        Planned("aws_s3_bucket", "website", {"bucket": "acme-website", "force_destroy": False, "tags": {}},
                unknown=("arn",)),
        Planned("aws_s3_bucket", "staging", {"bucket": "acme-staging", **tagged}, unknown=("arn",)),
        Planned("aws_s3_bucket_versioning", "artifacts", {"bucket": "acme-artifacts", "versioning_configuration": [
            {"status": "Enabled", "mfa_delete": None}]}),
        Planned("aws_s3_bucket_server_side_encryption_configuration", "artifacts", {"bucket": "acme-artifacts", "rule": [
            {"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms", "kms_master_key_id": KEY}],
             "bucket_key_enabled": None}]}),
        Planned("aws_s3_bucket_server_side_encryption_configuration", "scratch", {"bucket": "acme-scratch", "rule": [
            {"apply_server_side_encryption_by_default": [{"sse_algorithm": "AES256", "kms_master_key_id": None}],
             "bucket_key_enabled": None}]}),
        Planned("aws_s3_bucket_public_access_block", "artifacts", {
            "bucket": "acme-artifacts", "block_public_acls": True, "block_public_policy": True,
            "ignore_public_acls": True, "restrict_public_buckets": True}),
        Planned("aws_s3_bucket_logging", "artifacts", {"bucket": "acme-artifacts", "target_bucket": "acme-logs",
                                                       "target_prefix": "artifacts/"}),
        Planned("aws_s3_bucket_object_lock_configuration", "artifacts", {
            "bucket": "acme-artifacts", "object_lock_enabled": "Enabled",
            "rule": [{"default_retention": [{"mode": "GOVERNANCE", "days": 30, "years": None}]}]}),
        Planned("aws_ecr_registry_scanning_configuration", "registry", {"scan_type": "BASIC", "rule": [
            {"scan_frequency": "SCAN_ON_PUSH", "repository_filter": [{"filter": "prod-*", "filter_type": "WILDCARD"}]}]},
            unknown=("registry_id",)),
        Planned("aws_s3_bucket_policy", "scratch", {"bucket": "acme-scratch", "policy": json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                    "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-scratch/*"}]})}),
    ]


ALL_TRAILS = "a count over the account's trails: a plan cannot say which other trails exist"


def _store(wrong: str = FAIL) -> dict[str, str | None]:
    return {"acme-artifacts": PASS, "acme-scratch": wrong, "acme-website": OUT}


# -- the container registry and the image builder ------------------------------------------------

LIFECYCLE = {"rules": [{"rulePriority": 1, "description": "untagged", "selection": {
    "tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
    "action": {"type": "expire"}}]}
OPEN = {"Version": "2012-10-17", "Statement": [{"Sid": "all", "Effect": "Allow", "Principal": "*",
                                               "Action": ["ecr:BatchGetImage"]}]}


def registry_and_builder(seeder: Seeder) -> None:
    ecr = seeder.client("ecr")
    ecr.create_repository(repositoryName="api", imageTagMutability="IMMUTABLE",
                          imageScanningConfiguration={"scanOnPush": True})
    ecr.create_repository(repositoryName="tools")
    ecr.put_lifecycle_policy(repositoryName="api", lifecyclePolicyText=json.dumps(LIFECYCLE))
    ecr.set_repository_policy(repositoryName="tools", policyText=json.dumps(OPEN))
    ecr.put_registry_scanning_configuration(scanType="ENHANCED", rules=[
        {"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}])
    seeder.ids["registry"] = f"{ACCOUNT}/{HOME}/aws_ecr_registry_scanning_configuration"
    codebuild = seeder.client("codebuild")
    base = {"artifacts": {"type": "NO_ARTIFACTS"}, "serviceRole": _role("codebuild")}
    codebuild.create_project(
        name="builder", **base,
        source={"type": "CODECOMMIT", "location": "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/api"},
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                     "computeType": "BUILD_GENERAL1_SMALL", "privilegedMode": False, "environmentVariables": [
                         {"name": "REGISTRY_TOKEN", "value": "/ci/registry-token", "type": "PARAMETER_STORE"},
                         {"name": "STAGE", "value": "prod", "type": "PLAINTEXT"}]},
        logsConfig={"cloudWatchLogs": {"status": "ENABLED", "groupName": "/builds/api"},
                    "s3Logs": {"status": "ENABLED", "location": "acme-logs/builds", "encryptionDisabled": False}})
    codebuild.create_project(
        name="legacy", **base,
        source={"type": "GITHUB", "location": "https://ci-bot:ghp_notarealtoken000@github.com/acme/legacy.git"},
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                     "computeType": "BUILD_GENERAL1_LARGE", "privilegedMode": True, "environmentVariables": [
                         {"name": "DB_PASSWORD", "value": "hunter2", "type": "PLAINTEXT"}]},
        logsConfig={"cloudWatchLogs": {"status": "DISABLED"},
                    "s3Logs": {"status": "ENABLED", "location": "acme-logs/legacy", "encryptionDisabled": True}})
    codebuild.create_project(  # privileged on purpose: it runs docker build, and says so
        name="images", **base, tags=[{"key": "unify:builds-images", "value": "true"}],
        source={"type": "CODECOMMIT", "location": "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/images"},
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                     "computeType": "BUILD_GENERAL1_SMALL", "privilegedMode": True},
        logsConfig={"cloudWatchLogs": {"status": "DISABLED"}, "s3Logs": {"status": "DISABLED"}})


def _project_plan(name: str, location: str, compute: str, privileged: bool, variables: list[dict[str, Any]],
                  cloudwatch: str, s3: dict[str, Any], tags: dict[str, str] | None = None) -> Planned:
    return Planned("aws_codebuild_project", name, {
        "name": name, "service_role": _role("codebuild"), "tags": tags or {},
        "artifacts": [{"type": "NO_ARTIFACTS"}],
        "source": [{"type": "CODECOMMIT" if "codecommit" in location else "GITHUB", "location": location}],
        "environment": [{"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "compute_type": compute,
                         "privileged_mode": privileged, "environment_variable": variables}],
        "logs_config": [{"cloudwatch_logs": [{"status": cloudwatch, "group_name": "", "stream_name": ""}],
                         "s3_logs": [s3]}],
        "vpc_config": [], "secondary_sources": []}, unknown=("arn", "id"))


def _registry_plan() -> list[Planned]:
    commit = "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/"
    return [
        Planned("aws_ecr_repository", "api", {"name": "api", "image_tag_mutability": "IMMUTABLE",
                                              "image_scanning_configuration": [{"scan_on_push": True}], "tags": {}},
                unknown=("arn", "registry_id", "repository_url")),
        Planned("aws_ecr_repository", "tools", {"name": "tools", "image_tag_mutability": "MUTABLE",
                                                "image_scanning_configuration": [{"scan_on_push": False}], "tags": {}},
                unknown=("arn", "registry_id", "repository_url")),
        Planned("aws_ecr_lifecycle_policy", "api_lifecycle", {"repository": "api", "policy": json.dumps(LIFECYCLE)}),
        Planned("aws_ecr_repository_policy", "tools_policy", {"repository": "tools", "policy": json.dumps(OPEN)}),
        Planned("aws_ecr_registry_scanning_configuration", "registry", {"scan_type": "ENHANCED", "rule": [
            {"scan_frequency": "SCAN_ON_PUSH", "repository_filter": [{"filter": "*", "filter_type": "WILDCARD"}]}]},
            unknown=("registry_id",)),
        _project_plan("builder", commit + "api", "BUILD_GENERAL1_SMALL", False, [
            {"name": "REGISTRY_TOKEN", "value": "/ci/registry-token", "type": "PARAMETER_STORE"},
            {"name": "STAGE", "value": "prod", "type": "PLAINTEXT"}], "ENABLED",
            {"status": "ENABLED", "location": "acme-logs/builds", "encryption_disabled": False}),
        _project_plan("legacy", "https://ci-bot:ghp_notarealtoken000@github.com/acme/legacy.git",
                      "BUILD_GENERAL1_LARGE", True, [{"name": "DB_PASSWORD", "value": "hunter2", "type": "PLAINTEXT"}],
                      "DISABLED", {"status": "ENABLED", "location": "acme-logs/legacy", "encryption_disabled": True}),
        _project_plan("images", commit + "images", "BUILD_GENERAL1_SMALL", True, [], "DISABLED",
                      {"status": "DISABLED", "location": "", "encryption_disabled": False},
                      tags={"unify:builds-images": "true"}),
    ]


def _builder(**verdicts: str) -> dict[str, str | None]:
    return {"builder": PASS, "legacy": FAIL, "images": PASS} | verdicts



# -- SageMaker: pipelines, notebooks and hosting (Terraform has them), jobs (it has not) ----------

VPC = {"SecurityGroupIds": ["sg-0stack"], "Subnets": ["subnet-0private"]}


def _definition(good: bool) -> str:
    """A pipeline definition with a processing step and a training step inside a condition's branch."""
    kms = {"VolumeKmsKeyId": KEY} if good else {}
    network = {"EnableNetworkIsolation": good, "EnableInterContainerTrafficEncryption": good,
               **({"VpcConfig": VPC} if good else {})}
    train: dict[str, Any] = {
        "RoleArn": _role("sagemaker"), "EnableNetworkIsolation": good, "EnableInterContainerTrafficEncryption": good,
        "ResourceConfig": {"InstanceType": "ml.g5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 50, **kms},
        "OutputDataConfig": {"S3OutputPath": "s3://acme-artifacts/models", **({"KmsKeyId": KEY} if good else {})}}
    if good:
        train["VpcConfig"] = VPC
    return json.dumps({"Version": "2020-12-01", "Steps": [
        {"Name": "prepare", "Type": "Processing", "Arguments": {
            "RoleArn": _role("sagemaker"), "NetworkConfig": network,
            "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1,
                                                      "VolumeSizeInGB": 30, **kms}},
            "ProcessingOutputConfig": {"Outputs": [], **({"KmsKeyId": KEY} if good else {})}}},
        {"Name": "gate", "Type": "Condition", "Arguments": {"Conditions": [], "IfSteps": [
            {"Name": "train", "Type": "Training", "Arguments": train}], "ElseSteps": []}}]})


NOTEBOOKS = {"locked": {"SubnetId": "subnet-0private", "SecurityGroupIds": ["sg-0stack"], "KmsKeyId": KEY,
                        "DirectInternetAccess": "Disabled", "RootAccess": "Disabled"},
             "research": {"DirectInternetAccess": "Enabled", "RootAccess": "Enabled"}}


def sagemaker_resources(seeder: Seeder) -> None:
    sagemaker = seeder.client("sagemaker")
    for name, good in (("train", True), ("legacy-etl", False)):
        sagemaker.create_pipeline(PipelineName=name, RoleArn=_role("sagemaker"), PipelineDefinition=_definition(good))
    for name, settings in NOTEBOOKS.items():
        sagemaker.create_notebook_instance(NotebookInstanceName=name, InstanceType="ml.t3.medium",
                                           RoleArn=_role("sagemaker"), **settings)
    for name, isolated in (("churn", True), ("open-model", False)):
        sagemaker.create_model(ModelName=name, ExecutionRoleArn=_role("sagemaker"), EnableNetworkIsolation=isolated,
                               PrimaryContainer={"Image": f"{ACCOUNT}.dkr.ecr.{HOME}.amazonaws.com/serve:1"})
    for name, count in (("churn-ha", 2), ("churn-single", 1)):
        sagemaker.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[
            {"VariantName": "main", "ModelName": "churn", "InitialInstanceCount": count,
             "InstanceType": "ml.m5.large"}])


def _sagemaker_plan() -> list[Planned]:
    out = [Planned("aws_sagemaker_pipeline", name.replace("-", "_"), {
        "pipeline_name": name, "pipeline_display_name": name, "role_arn": _role("sagemaker"),
        "pipeline_definition": _definition(good), "tags": {}}, unknown=("arn", "id"))
        for name, good in (("train", True), ("legacy-etl", False))]
    for name, settings in NOTEBOOKS.items():
        out.append(Planned("aws_sagemaker_notebook_instance", name, {
            "name": name, "instance_type": "ml.t3.medium", "role_arn": _role("sagemaker"), "tags": {},
            "direct_internet_access": settings["DirectInternetAccess"], "root_access": settings["RootAccess"],
            **({"subnet_id": settings["SubnetId"], "security_groups": settings["SecurityGroupIds"],
                "kms_key_id": KEY} if "SubnetId" in settings else {})}, unknown=("arn", "id", "url")))
    for name, isolated in (("churn", True), ("open-model", False)):
        out.append(Planned("aws_sagemaker_model", name.replace("-", "_"), {
            "name": name, "execution_role_arn": _role("sagemaker"), "enable_network_isolation": isolated,
            "primary_container": [{"image": f"{ACCOUNT}.dkr.ecr.{HOME}.amazonaws.com/serve:1", "environment": {}}],
            "vpc_config": [], "tags": {}}, unknown=("arn", "id")))
    for name, count in (("churn-ha", 2), ("churn-single", 1)):
        out.append(Planned("aws_sagemaker_endpoint_configuration", name.replace("-", "_"), {
            "name": name, "tags": {}, "production_variants": [
                {"variant_name": "main", "model_name": "churn", "initial_instance_count": count,
                 "instance_type": "ml.m5.large"}]}, unknown=("arn", "id")))
    return out


def _pipelines() -> dict[str, str | None]:
    return {"train": PASS, "legacy-etl": FAIL}


def sagemaker_jobs(seeder: Seeder) -> None:
    sagemaker = seeder.client("sagemaker")
    for name, good in (("zenml-step", True), ("adhoc-train", False)):
        sagemaker.create_training_job(
            TrainingJobName=name, RoleArn=_role("sagemaker"),
            AlgorithmSpecification={"TrainingImage": f"{ACCOUNT}.dkr.ecr.{HOME}.amazonaws.com/train:1",
                                    "TrainingInputMode": "File"},
            ResourceConfig={"InstanceType": "ml.g5.xlarge", "InstanceCount": 2, "VolumeSizeInGB": 50,
                            **({"VolumeKmsKeyId": KEY} if good else {})},
            OutputDataConfig={"S3OutputPath": "s3://acme-artifacts/models", **({"KmsKeyId": KEY} if good else {})},
            StoppingCondition={"MaxRuntimeInSeconds": 3600}, EnableNetworkIsolation=good,
            EnableInterContainerTrafficEncryption=good, **({"VpcConfig": VPC} if good else {}))
    for name, good in (("prepare", True), ("bare", False)):
        sagemaker.create_processing_job(
            ProcessingJobName=name, RoleArn=_role("sagemaker"), AppSpecification={"ImageUri": "acme/prep:1"},
            ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large",
                                                   "VolumeSizeInGB": 10, **({"VolumeKmsKeyId": KEY} if good else {})}},
            StoppingCondition={"MaxRuntimeInSeconds": 600},
            **({"NetworkConfig": {"EnableNetworkIsolation": True, "EnableInterContainerTrafficEncryption": True,
                                  "VpcConfig": VPC},
                "ProcessingOutputConfig": {"KmsKeyId": KEY, "Outputs": [{"OutputName": "train", "S3Output": {
                    "S3Uri": "s3://acme-artifacts/train", "LocalPath": "/opt/ml/processing/train",
                    "S3UploadMode": "EndOfJob"}}]}} if good else {}))


def _jobs(good: str, bad: str) -> dict[str, str | None]:
    return {good: PASS, bad: FAIL}


NO_JOB_RESOURCE = "SageMaker jobs are runs, not Terraform resources: only an observation sees them"


# -- EKS, AWS Batch, and the tagged ECS and Step Functions resources ------------------------------

ORCHESTRATOR = {"unify:component": "orchestrator"}
DEPLOYER = {"unify:component": "deployer"}
LOGGED = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web", "awslogs-region": HOME,
                                              "awslogs-stream-prefix": "web"}}
CONTAINERS = {"web": [{"name": "web", "image": "web:1", "memory": 512, "essential": True, "logConfiguration": LOGGED}],
              "legacy": [{"name": "agent", "image": "agent:1", "memory": 512, "essential": True, "privileged": True}]}


def clusters_and_queues(seeder: Seeder) -> None:
    eks = seeder.client("eks")
    eks.create_cluster(
        name="kubeflow", roleArn=_role("eks"), tags=ORCHESTRATOR,
        resourcesVpcConfig={"subnetIds": ["subnet-a", "subnet-b"], "endpointPublicAccess": False,
                            "endpointPrivateAccess": True},
        logging={"clusterLogging": [{"types": ["api", "audit", "authenticator"], "enabled": True}]},
        encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": KEY}}])
    eks.create_cluster(name="sandbox", roleArn=_role("eks"), tags=ORCHESTRATOR,
                       resourcesVpcConfig={"subnetIds": ["subnet-a"], "endpointPublicAccess": True,
                                           "endpointPrivateAccess": False})
    iam = seeder.client("iam")
    service_role = iam.create_role(RoleName="batch", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "batch.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    ec2 = seeder.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="batch", Description="batch", VpcId=vpc)["GroupId"]
    instance_role = iam.create_instance_profile(InstanceProfileName="batch-instance")["InstanceProfile"]["Arn"]
    ec2.create_key_pair(KeyName="ops-ssh")
    batch = seeder.client("batch")
    for name, key in (("no-key", None), ("ssh", "ops-ssh")):
        batch.create_compute_environment(
            computeEnvironmentName=name, type="MANAGED", state="ENABLED", serviceRole=service_role,
            computeResources={"type": "EC2", "minvCpus": 0, "maxvCpus": 16, "instanceTypes": ["m5.large"],
                              "subnets": [subnet], "securityGroupIds": [group], "instanceRole": instance_role,
                              **({"ec2KeyPair": key} if key else {})})
    for name, privileged, variables in (("step", False, [{"name": "STAGE", "value": "prod"}]),
                                        ("root-step", True, [{"name": "DB_PASSWORD", "value": "hunter2"}])):
        batch.register_job_definition(jobDefinitionName=name, type="container", containerProperties={
            "image": "acme/step:1", "vcpus": 2, "memory": 4096, "privileged": privileged, "environment": variables})
    ecs = seeder.client("ecs")
    for family, containers in CONTAINERS.items():
        ecs.register_task_definition(family=family, containerDefinitions=containers,
                                     tags=[{"key": k, "value": v} for k, v in DEPLOYER.items()])
    ecs.create_cluster(clusterName="prod")
    for name, public in (("api", "DISABLED"), ("public-api", "ENABLED")):
        ecs.create_service(cluster="prod", serviceName=name, taskDefinition="web", desiredCount=1,
                           launchType="FARGATE", tags=[{"key": k, "value": v} for k, v in DEPLOYER.items()],
                           networkConfiguration={"awsvpcConfiguration": {
                               "subnets": [subnet], "securityGroups": [group], "assignPublicIp": public}})
    sfn = seeder.client("stepfunctions")
    group_arn = f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:/sfn/pipeline:*"
    definition = json.dumps({"StartAt": "done", "States": {"done": {"Type": "Succeed"}}})
    sfn.create_state_machine(
        name="pipeline", definition=definition, roleArn=_role("sfn"), tags=[{"key": k, "value": v}
                                                                              for k, v in ORCHESTRATOR.items()],
        loggingConfiguration={"level": "ERROR", "includeExecutionData": False,
                              "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group_arn}}]},
        encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": KEY,
                                 "kmsDataKeyReusePeriodSeconds": 300})
    sfn.create_state_machine(name="quick", definition=definition, roleArn=_role("sfn"),
                             tags=[{"key": k, "value": v} for k, v in ORCHESTRATOR.items()])


def _clusters_plan() -> list[Planned]:
    out = [
        Planned("aws_eks_cluster", "kubeflow", {
            "name": "kubeflow", "role_arn": _role("eks"), "tags": ORCHESTRATOR,
            "vpc_config": [{"subnet_ids": ["subnet-a", "subnet-b"], "endpoint_public_access": False,
                            "endpoint_private_access": True, "security_group_ids": []}],
            "enabled_cluster_log_types": ["api", "audit", "authenticator"],
            "encryption_config": [{"resources": ["secrets"], "provider": [{"key_arn": KEY}]}]},
            unknown=("arn", "id", "endpoint")),
        Planned("aws_eks_cluster", "sandbox", {
            "name": "sandbox", "role_arn": _role("eks"), "tags": ORCHESTRATOR,
            "vpc_config": [{"subnet_ids": ["subnet-a"], "endpoint_public_access": True,
                            "endpoint_private_access": False, "security_group_ids": []}],
            "enabled_cluster_log_types": [], "encryption_config": []}, unknown=("arn", "id", "endpoint")),
    ]
    for name, key in (("no-key", None), ("ssh", "ops-ssh")):
        out.append(Planned("aws_batch_compute_environment", name.replace("-", "_"), {
            "compute_environment_name": name, "type": "MANAGED", "state": "ENABLED", "tags": {},
            "compute_resources": [{"type": "EC2", "min_vcpus": 0, "max_vcpus": 16, "instance_type": ["m5.large"],
                                   "subnets": ["subnet-1"], "security_group_ids": ["sg-1"],
                                   "ec2_key_pair": key, "launch_template": []}]}, unknown=("arn", "id")))
    for name, privileged, variables in (("step", False, [{"name": "STAGE", "value": "prod"}]),
                                        ("root-step", True, [{"name": "DB_PASSWORD", "value": "hunter2"}])):
        out.append(Planned("aws_batch_job_definition", name.replace("-", "_"), {
            "name": name, "type": "container", "tags": {}, "container_properties": json.dumps({
                "image": "acme/step:1", "vcpus": 2, "memory": 4096, "privileged": privileged,
                "environment": variables})}, unknown=("arn", "id", "revision")))
    for family, containers in CONTAINERS.items():
        out.append(Planned("aws_ecs_task_definition", family, {
            "family": family, "container_definitions": json.dumps(containers), "tags": DEPLOYER},
            unknown=("arn", "revision")))
    for name, public in (("api", False), ("public-api", True)):
        out.append(Planned("aws_ecs_service", name.replace("-", "_"), {
            "name": name, "cluster": "prod", "task_definition": "web", "desired_count": 1, "launch_type": "FARGATE",
            "tags": DEPLOYER, "network_configuration": [{"subnets": ["subnet-1"], "security_groups": ["sg-1"],
                                                         "assign_public_ip": public}]}, unknown=("id",)))
    group_arn = f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:/sfn/pipeline:*"
    out += [
        Planned("aws_sfn_state_machine", "pipeline", {
            "name": "pipeline", "role_arn": _role("sfn"), "tags": ORCHESTRATOR,
            "logging_configuration": [{"level": "ERROR", "include_execution_data": False,
                                       "log_destination": group_arn}],
            "encryption_configuration": [{"type": "CUSTOMER_MANAGED_KMS_KEY", "kms_key_id": KEY,
                                          "kms_data_key_reuse_period_seconds": 300}]}, unknown=("arn", "id")),
        Planned("aws_sfn_state_machine", "quick", {
            "name": "quick", "role_arn": _role("sfn"), "tags": ORCHESTRATOR,
            "logging_configuration": [{"level": "OFF", "include_execution_data": False, "log_destination": ""}],
            "encryption_configuration": [{"type": "AWS_OWNED_KEY", "kms_key_id": "",
                                          "kms_data_key_reuse_period_seconds": 0}]}, unknown=("arn", "id")),
    ]
    return out


# -- App Runner and MWAA: recorded answers in the API references' shapes (moto has neither) --------

WHEN = "2026-11-02T09:00:00Z"
REGISTRY = f"{ACCOUNT}.dkr.ecr.{HOME}.amazonaws.com"
CONNECTOR = f"arn:aws:apprunner:{HOME}:{ACCOUNT}:vpcconnector/stack-vpc/1/4ab3c2d1e0f94e8d"
#: service -> (public, egress through the connector, customer key, traced, plain variables, image type, auto deploy, tags)
SERVICES: dict[str, dict[str, Any]] = {
    "zenml-private": {"public": False, "vpc": True, "key": True, "traced": True, "variables": {"MODEL_NAME": "churn"},
                      "image": "ECR", "auto": False, "tags": {}},
    "zenml-api": {"public": True, "vpc": False, "key": False, "traced": False,
                  "variables": {"MODEL_NAME": "churn", "DB_PASSWORD": "hunter2"}, "image": "ECR_PUBLIC",
                  "auto": True, "tags": {}},
    "zenml-site": {"public": True, "vpc": True, "key": True, "traced": True, "variables": {}, "image": "ECR",
                   "auto": False, "tags": {"unify:public": "true"}},
}


def _service_arn(name: str) -> str:
    return f"arn:aws:apprunner:{HOME}:{ACCOUNT}:service/{name}/{hashlib.sha256(name.encode()).hexdigest()[:32]}"


def _image(spec: dict[str, Any]) -> str:
    return f"{REGISTRY}/serve:1" if spec["image"] == "ECR" else "public.ecr.aws/acme/serve:1"


def _apprunner_service(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    service: dict[str, Any] = {
        "ServiceName": name, "ServiceId": _service_arn(name).rsplit("/", 1)[1], "ServiceArn": _service_arn(name),
        "ServiceUrl": f"{name}.{HOME}.awsapprunner.com", "CreatedAt": WHEN, "UpdatedAt": WHEN, "Status": "RUNNING",
        "SourceConfiguration": {
            "ImageRepository": {"ImageIdentifier": _image(spec), "ImageRepositoryType": spec["image"],
                                "ImageConfiguration": {"Port": "8080",
                                                       "RuntimeEnvironmentVariables": spec["variables"]}},
            "AutoDeploymentsEnabled": spec["auto"]},
        "InstanceConfiguration": {"Cpu": "1024", "Memory": "2048", "InstanceRoleArn": _role("deployer")},
        "AutoScalingConfigurationSummary": {
            "AutoScalingConfigurationArn": f"arn:aws:apprunner:{HOME}:{ACCOUNT}:autoscalingconfiguration/"
                                           "DefaultConfiguration/1/0000000000000001",
            "AutoScalingConfigurationName": "DefaultConfiguration", "AutoScalingConfigurationRevision": 1},
        "NetworkConfiguration": {
            "EgressConfiguration": {"EgressType": "VPC", "VpcConnectorArn": CONNECTOR} if spec["vpc"]
            else {"EgressType": "DEFAULT"},
            "IngressConfiguration": {"IsPubliclyAccessible": spec["public"]}, "IpAddressType": "IPV4"},
        "ObservabilityConfiguration": {"ObservabilityEnabled": spec["traced"]},
    }
    if spec["traced"]:
        service["ObservabilityConfiguration"]["ObservabilityConfigurationArn"] = (
            f"arn:aws:apprunner:{HOME}:{ACCOUNT}:observabilityconfiguration/xray/1/7c1d")
    if spec["key"]:
        service["EncryptionConfiguration"] = {"KmsKey": KEY}
    return service


def record_apprunner(answers: RecordedAnswers, region: str) -> None:
    answers.answer("list_services", {"ServiceSummaryList": [
        {"ServiceName": name, "ServiceId": _service_arn(name).rsplit("/", 1)[1], "ServiceArn": _service_arn(name),
         "Status": "RUNNING"} for name in SERVICES] if region == HOME else []})
    for name, spec in SERVICES.items():
        answers.answer("describe_service", {"Service": _apprunner_service(name, spec)},
                       params={"ServiceArn": _service_arn(name)})
        answers.answer("list_tags_for_resource", {"Tags": [{"Key": k, "Value": v} for k, v in spec["tags"].items()]},
                       params={"ResourceArn": _service_arn(name)})


LOGS = ("dag_processing_logs", "scheduler_logs", "task_logs", "webserver_logs", "worker_logs")
#: environment -> (private web server, customer key, every log on)
AIRFLOW = {"private-airflow": True, "open-airflow": False}


def _camel(snake: str) -> str:
    return "".join(part.title() for part in snake.split("_"))


def record_mwaa(answers: RecordedAnswers, region: str) -> None:
    answers.answer("list_environments", {"Environments": sorted(AIRFLOW) if region == HOME else []})
    for name, good in AIRFLOW.items():
        environment: dict[str, Any] = {
            "Name": name, "Status": "AVAILABLE", "Arn": f"arn:aws:airflow:{HOME}:{ACCOUNT}:environment/{name}",
            "CreatedAt": WHEN, "ExecutionRoleArn": _role("airflow"), "AirflowVersion": "2.10.3",
            "SourceBucketArn": "arn:aws:s3:::acme-airflow-dags", "DagS3Path": "dags/",
            "EnvironmentClass": "mw1.small", "MaxWorkers": 4, "MinWorkers": 1,
            "NetworkConfiguration": {"SubnetIds": ["subnet-a", "subnet-b"], "SecurityGroupIds": ["sg-airflow"]},
            "LoggingConfiguration": {_camel(log): {"Enabled": good, "LogLevel": "INFO"} for log in LOGS},
            "WebserverAccessMode": "PRIVATE_ONLY" if good else "PUBLIC_ONLY", "Tags": {},
        }
        if good:
            environment["KmsKey"] = KEY
        answers.answer("get_environment", {"Environment": environment}, params={"Name": name})


def _deployer_plan() -> list[Planned]:
    out = []
    for name, spec in SERVICES.items():
        out.append(Planned("aws_apprunner_service", name.replace("-", "_"), {
            "service_name": name, "tags": spec["tags"],
            "source_configuration": [{
                "auto_deployments_enabled": spec["auto"], "authentication_configuration": [],
                "code_repository": [],
                "image_repository": [{"image_identifier": _image(spec), "image_repository_type": spec["image"],
                                      "image_configuration": [{"port": "8080", "start_command": None,
                                                               "runtime_environment_variables": spec["variables"],
                                                               "runtime_environment_secrets": {}}]}]}],
            "instance_configuration": [{"cpu": "1024", "memory": "2048", "instance_role_arn": _role("deployer")}],
            "network_configuration": [{
                "egress_configuration": [{"egress_type": "VPC", "vpc_connector_arn": CONNECTOR} if spec["vpc"]
                                         else {"egress_type": "DEFAULT", "vpc_connector_arn": None}],
                "ingress_configuration": [{"is_publicly_accessible": spec["public"]}], "ip_address_type": "IPV4"}],
            "encryption_configuration": [{"kms_key": KEY}] if spec["key"] else [],
            "observability_configuration": [{"observability_enabled": spec["traced"],
                                             "observability_configuration_arn": None}],
            "health_check_configuration": []}, unknown=("arn", "service_id", "service_url", "status")))
    for name, good in AIRFLOW.items():
        out.append(Planned("aws_mwaa_environment", name.replace("-", "_"), {
            "name": name, "execution_role_arn": _role("airflow"), "source_bucket_arn": "arn:aws:s3:::acme-airflow-dags",
            "dag_s3_path": "dags/", "environment_class": "mw1.small", "max_workers": 4, "min_workers": 1,
            "airflow_version": "2.10.3", "kms_key": KEY if good else None, "tags": {},
            "webserver_access_mode": "PRIVATE_ONLY" if good else "PUBLIC_ONLY",
            "network_configuration": [{"subnet_ids": ["subnet-a", "subnet-b"], "security_group_ids": ["sg-airflow"]}],
            "logging_configuration": [{log: [{"enabled": good, "log_level": "INFO"}] for log in LOGS}]},
            unknown=("arn", "webserver_url", "status")))
    return out


def _services(**verdicts: str) -> dict[str, str | None]:
    return {"zenml-private": PASS, "zenml-api": FAIL, "zenml-site": PASS} | verdicts

ESTATES = [
    Estate(
        "stack-artifact-store",
        artifact_store,
        expect={
            "stack-artifact-store-versioned": _store(),
            "stack-artifact-store-encrypted": _store(PASS) | {"acme-staging": FAIL},
            "stack-artifact-store-not-public": _store(),
            "stack-artifact-store-access-logged": _store(),
            "stack-artifact-store-retention": _store(),
            "stack-lineage-object-lock": _store(),
            "stack-lineage-data-events": {ACCOUNT: PASS},
            "stack-container-registry-registry-scanning": {"registry": FAIL},
        },
        plan=_artifact_plan(),
        live_only={"stack-lineage-data-events": ALL_TRAILS},
    ),
    Estate(
        "stack-registry-and-image-builder",
        registry_and_builder,
        expect={
            "stack-container-registry-scan-on-push": {"api": PASS, "tools": FAIL},
            "stack-container-registry-immutable-tags": {"api": PASS, "tools": FAIL},
            "stack-container-registry-lifecycle-policy": {"api": PASS, "tools": FAIL},
            "stack-container-registry-not-public": {"api": PASS, "tools": FAIL},
            "stack-container-registry-registry-scanning": {"registry": PASS},
            "stack-image-builder-not-privileged": _builder(),
            "stack-image-builder-logging": _builder(legacy=PASS, images=FAIL),  # legacy logs to S3 only
            "stack-image-builder-no-plaintext-secrets": _builder(),
            "stack-image-builder-no-source-credentials": _builder(),
            "stack-image-builder-s3-logs-encrypted": _builder(),
            "stack-lineage-data-events": {ACCOUNT: FAIL},  # no trail records S3 object events here
        },
        plan=_registry_plan(),
        live_only={"stack-lineage-data-events": ALL_TRAILS},
    ),
    Estate(
        "stack-sagemaker-pipelines-notebooks-hosting",
        sagemaker_resources,
        expect={
            "stack-orchestrator-pipeline-network-isolation": _pipelines(),
            "stack-orchestrator-pipeline-traffic-encryption": _pipelines(),
            "stack-orchestrator-pipeline-customer-keys": _pipelines(),
            "stack-orchestrator-pipeline-in-vpc": _pipelines(),
            "sagemaker-notebook-no-direct-internet": {"locked": PASS, "research": FAIL},
            "sagemaker-notebook-in-vpc": {"locked": PASS, "research": FAIL},
            "sagemaker-notebook-no-root": {"locked": PASS, "research": FAIL},
            "sagemaker-model-network-isolation": {"churn": PASS, "open-model": FAIL},
            "sagemaker-endpoint-config-multiple-instances": {"churn-ha": PASS, "churn-single": FAIL},
        },
        plan=_sagemaker_plan(),
        # moto's DescribeModel answers EnableNetworkIsolation false whatever was asked: AWS answers what was set
        edit=_answered("aws_sagemaker_model", {"churn": {"enable_network_isolation": True}}),
    ),
    Estate(
        "stack-sagemaker-jobs",
        sagemaker_jobs,
        expect={
            "stack-step-operator-training-network-isolation": _jobs("zenml-step", "adhoc-train"),
            "stack-step-operator-training-volume-encrypted": _jobs("zenml-step", "adhoc-train"),
            "stack-step-operator-training-output-encrypted": _jobs("zenml-step", "adhoc-train"),
            "stack-step-operator-training-traffic-encryption": _jobs("zenml-step", "adhoc-train"),
            "stack-step-operator-training-in-vpc": _jobs("zenml-step", "adhoc-train"),
            "stack-orchestrator-processing-network-isolation": _jobs("prepare", "bare"),
            "stack-orchestrator-processing-traffic-encryption": _jobs("prepare", "bare"),
            "stack-orchestrator-processing-customer-keys": _jobs("prepare", "bare"),
        },
        live_only={check: NO_JOB_RESOURCE for check in (
            "stack-step-operator-training-network-isolation", "stack-step-operator-training-volume-encrypted",
            "stack-step-operator-training-output-encrypted", "stack-step-operator-training-traffic-encryption",
            "stack-step-operator-training-in-vpc", "stack-orchestrator-processing-network-isolation",
            "stack-orchestrator-processing-traffic-encryption", "stack-orchestrator-processing-customer-keys")},
        # moto's DescribeProcessingJob leaves ProcessingResources out; AWS sends the cluster configuration it was given
        edit=_answered("aws_sagemaker_processing_job", {
            name: {"processing_resources": {"cluster_config": {
                "instance_count": 1, "instance_type": "ml.m5.large", "volume_size_in_gb": 10,
                **({"volume_kms_key_id": KEY} if name == "prepare" else {})}}} for name in ("prepare", "bare")}),
    ),
    Estate(
        "stack-eks-batch-ecs-sfn",
        clusters_and_queues,
        expect={
            "stack-orchestrator-eks-private-endpoint": {"kubeflow": PASS, "sandbox": FAIL},
            "stack-orchestrator-eks-secrets-encrypted": {"kubeflow": PASS, "sandbox": FAIL},
            "stack-orchestrator-eks-control-plane-logs": {"kubeflow": PASS, "sandbox": FAIL},
            "eks-endpoint-not-public": {"kubeflow": PASS, "sandbox": FAIL},
            "eks-secrets-encrypted": {"kubeflow": PASS, "sandbox": FAIL},
            "eks-audit-logging": {"kubeflow": PASS, "sandbox": FAIL},
            "stack-step-operator-batch-no-ssh-key": {"no-key": PASS, "ssh": FAIL},
            "stack-step-operator-batch-job-not-privileged": {"step": PASS, "root-step": FAIL},
            "stack-step-operator-batch-job-no-plaintext-secrets": {"step": PASS, "root-step": FAIL},
            "stack-deployer-not-privileged": {"web": PASS, "legacy": FAIL},
            "stack-deployer-container-logging": {"web": PASS, "legacy": FAIL},
            "stack-deployer-no-public-ip": {"api": PASS, "public-api": FAIL},
            "stack-orchestrator-sfn-logging": {"pipeline": PASS, "quick": FAIL},
            "stack-orchestrator-sfn-customer-key": {"pipeline": PASS, "quick": FAIL},
        },
        plan=_clusters_plan(),
    ),
    Estate(
        "stack-apprunner-and-mwaa",
        lambda seeder: None,  # everything is in the recordings
        expect={
            "stack-deployer-apprunner-not-public": _services(),
            "stack-deployer-apprunner-vpc-egress": _services(),
            "stack-deployer-apprunner-customer-key": _services(),
            "stack-deployer-apprunner-observability": _services(),
            "stack-deployer-apprunner-no-plaintext-secrets": _services(),
            "stack-deployer-apprunner-private-image": _services(),
            "stack-orchestrator-mwaa-private-webserver": {"private-airflow": PASS, "open-airflow": FAIL},
            "stack-orchestrator-mwaa-customer-key": {"private-airflow": PASS, "open-airflow": FAIL},
            "stack-orchestrator-mwaa-logging": {"private-airflow": PASS, "open-airflow": FAIL},
        },
        plan=_deployer_plan(),
        recordings={"apprunner": record_apprunner, "mwaa": record_mwaa},
    ),
]
