"""The deployment stack: registries, tasks and services, builds, state machines, training jobs, batch, functions.

Each builder makes one resource as its collector would, from the maker's
seeded stream: the same stream gives the same resource.
"""

from __future__ import annotations

from typing import Any

from benchmarks.estate.maker import Maker, Resource, resource


def repository(m: Maker, region: str, n: int) -> Resource:
    name = f"{m.pick('app', 'worker', 'trainer', 'api')}-{m.hex(6)}-{n}"
    arn = m.arn("ecr", region, f"repository/{name}")
    attributes = {
        "arn": arn,
        "created_at": m.ago(1, 900),
        "encryption_configuration": {"encryption_type": "AES256"},
        "image_scanning_configuration": {"scan_on_push": m.chance(0.7)},
        "image_tag_mutability": "IMMUTABLE" if m.chance(0.5) else "MUTABLE",
        "name": name,
        "registry_id": m.account,
        "repository_url": f"{m.account}.dkr.ecr.{region}.amazonaws.com/{name}",
    }
    return resource("aws_ecr_repository", arn, name, m.account, region, attributes, m.tags())


def _container(m: Maker, name: str) -> dict[str, Any]:
    container: dict[str, Any] = {
        "environment": sorted({m.pick("LOG_LEVEL", "PORT", "DB_HOST", "QUEUE_URL") for _ in range(3)}),
        "essential": True,
        "image": f"{m.account}.dkr.ecr.us-east-1.amazonaws.com/{name}:{m.hex(7)}",
        "name": name,
        "secrets": ["DB_PASSWORD"] if m.chance(0.5) else [],
    }
    if m.chance(0.9):
        container["logConfiguration"] = {
            "logDriver": "awslogs",
            "options": {"awslogs-group": f"/ecs/{name}", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"},
        }
    if m.chance(0.05):
        container["privileged"] = True
    return container


def task_definition(m: Maker, region: str, n: int) -> Resource:
    family = f"{m.pick('web', 'worker', 'cron')}-{m.hex(6)}-{n}"
    revision = m.rng.randrange(1, 80)
    arn = m.arn("ecs", region, f"task-definition/{family}:{revision}")
    containers = [_container(m, family)] + ([_container(m, "sidecar")] if m.chance(0.3) else [])
    attributes = {
        "arn": arn,
        "container_definitions": containers,
        "cpu": "512",
        "execution_role_arn": f"arn:aws:iam::{m.account}:role/ecs-exec-{m.hex(4)}",
        "family": family,
        "memory": "1024",
        "network_mode": "awsvpc",
        "requires_compatibilities": ["FARGATE"],
        "revision": revision,
        "task_role_arn": f"arn:aws:iam::{m.account}:role/ecs-task-{m.hex(4)}",
    }
    return resource("aws_ecs_task_definition", arn, family, m.account, region, attributes, m.tags())


def service(m: Maker, region: str, n: int) -> Resource:
    name = f"{m.pick('web', 'api', 'worker')}-{m.hex(6)}-{n}"
    cluster = m.arn("ecs", region, f"cluster/{m.pick('prod', 'staging')}")
    arn = m.arn("ecs", region, f"service/{cluster.rsplit('/', 1)[-1]}/{name}")
    attributes = {
        "arn": arn,
        "cluster": cluster,
        "desired_count": m.pick(1, 2, 3, 6),
        "enable_execute_command": m.chance(0.2),
        "launch_type": "FARGATE",
        "name": name,
        "network_configuration": {
            "assign_public_ip": m.chance(0.08),
            "security_groups": [f"sg-{m.hex(17)}"],
            "subnets": sorted(f"subnet-{m.hex(17)}" for _ in range(2)),
        },
        "platform_version": "LATEST",
        "propagate_tags": "SERVICE",
        "task_definition": m.arn("ecs", region, f"task-definition/{name}:{m.rng.randrange(1, 40)}"),
    }
    return resource("aws_ecs_service", arn, name, m.account, region, attributes, m.tags())


def project(m: Maker, region: str, n: int) -> Resource:
    name = f"build-{m.hex(6)}-{n}"
    arn = m.arn("codebuild", region, f"project/{name}")
    logs: dict[str, Any] = {
        "cloudwatch_logs": {"status": "ENABLED" if m.chance(0.85) else "DISABLED"},
        "s3_logs": {"encryption_disabled": False, "status": "DISABLED"},
    }
    if logs["cloudwatch_logs"]["status"] == "ENABLED":
        logs["cloudwatch_logs"]["group_name"] = f"/codebuild/{name}"
    attributes: dict[str, Any] = {
        "arn": arn,
        "badge_enabled": False,
        "description": "",
        "encryption_key": m.arn("kms", region, "alias/aws/s3"),
        "environment": {
            "compute_type": "BUILD_GENERAL1_SMALL",
            "image": "aws/codebuild/standard:7.0",
            "image_pull_credentials_type": "CODEBUILD",
            "privileged_mode": m.chance(0.25),
            "type": "LINUX_CONTAINER",
        },
        "logs_config": logs,
        "name": name,
        "service_role": f"arn:aws:iam::{m.account}:role/codebuild-{m.hex(4)}",
        "source": {"location": f"https://github.com/acme/{name}.git", "type": "GITHUB"},
    }
    return resource("aws_codebuild_project", arn, name, m.account, region, attributes, m.tags())


def state_machine(m: Maker, region: str, n: int) -> Resource:
    name = f"pipeline-{m.hex(6)}-{n}"
    arn = m.arn("states", region, f"stateMachine:{name}")
    level = m.pick("ALL", "ERROR", "OFF")
    logging: dict[str, Any] = {"include_execution_data": m.chance(0.5), "level": level}
    if level != "OFF":
        logging["log_destination"] = m.arn("logs", region, f"log-group:/aws/states/{name}:*")
    encryption: dict[str, Any] = (
        {
            "kms_data_key_reuse_period_seconds": 300,
            "kms_key_id": m.arn("kms", region, f"key/{m.hex(8)}"),
            "type": "CUSTOMER_MANAGED_KMS_KEY",
        }
        if m.chance(0.3)
        else {"type": "AWS_OWNED_KEY"}
    )
    attributes = {
        "arn": arn,
        "creation_date": m.ago(1, 700),
        "encryption_configuration": encryption,
        "logging_configuration": logging,
        "name": name,
        "role_arn": f"arn:aws:iam::{m.account}:role/states-{m.hex(4)}",
        "status": "ACTIVE",
        "tracing_configuration": {"enabled": m.chance(0.3)},
        "type": "STANDARD",
    }
    return resource("aws_sfn_state_machine", arn, name, m.account, region, attributes, m.tags())


def training_job(m: Maker, region: str, n: int) -> Resource:
    name = f"train-{m.hex(10)}-{n}"
    arn = m.arn("sagemaker", region, f"training-job/{name}")
    resource_config: dict[str, Any] = {"instance_count": 1, "instance_type": "ml.m5.xlarge", "volume_size_in_gb": 50}
    if m.chance(0.6):
        resource_config["volume_kms_key_id"] = m.arn("kms", region, f"key/{m.hex(8)}")
    attributes = {
        "arn": arn,
        "creation_time": m.ago(1, 200),
        "enable_inter_container_traffic_encryption": m.chance(0.5),
        "enable_network_isolation": m.chance(0.6),
        "name": name,
        "output_data_config": {"s3_output_path": f"s3://models-{m.account}/{name}/"},
        "resource_config": resource_config,
        "role_arn": f"arn:aws:iam::{m.account}:role/sagemaker-{m.hex(4)}",
        "training_job_status": m.pick("Completed", "Completed", "Failed", "InProgress"),
    }
    return resource("aws_sagemaker_training_job", arn, name, m.account, region, attributes, {})


def compute_environment(m: Maker, region: str, n: int) -> Resource:
    name = f"batch-{m.hex(6)}-{n}"
    arn = m.arn("batch", region, f"compute-environment/{name}")
    resources: dict[str, Any] = {
        "instance_role": f"arn:aws:iam::{m.account}:instance-profile/ecsInstanceRole",
        "instance_type": ["optimal"],
        "max_vcpus": 256,
        "min_vcpus": 0,
        "security_group_ids": [f"sg-{m.hex(17)}"],
        "subnets": sorted(f"subnet-{m.hex(17)}" for _ in range(2)),
        "type": "EC2",
    }
    if m.chance(0.2):
        resources["ec2_key_pair"] = f"ops-{m.hex(4)}"
    attributes = {
        "arn": arn,
        "compute_environment_name": name,
        "compute_resources": resources,
        "ecs_cluster_arn": m.arn("ecs", region, f"cluster/{name}_Batch_{m.hex(8)}"),
        "name": name,
        "service_role": f"arn:aws:iam::{m.account}:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch",
        "state": "ENABLED",
        "status": "VALID",
        "status_reason": "ComputeEnvironment Healthy",
        "type": "MANAGED",
    }
    return resource("aws_batch_compute_environment", arn, name, m.account, region, attributes, m.tags())


def function(m: Maker, region: str, n: int) -> Resource:
    name = f"{m.pick('ingest', 'report', 'resize', 'notify')}-{m.hex(6)}-{n}"
    arn = m.arn("lambda", region, f"function:{name}")
    attributes: dict[str, Any] = {
        "architectures": [m.pick("x86_64", "arm64")],
        "arn": arn,
        "environment_variable_names": sorted({m.pick("TABLE", "BUCKET", "LOG_LEVEL") for _ in range(2)}),
        "function_name": name,
        "handler": "index.handler",
        "last_modified": m.ago(1, 500),
        "memory_size": m.pick(128, 256, 1024),
        "package_type": "Zip",
        "role": f"arn:aws:iam::{m.account}:role/lambda-{m.hex(4)}",
        "runtime": m.pick("python3.12", "nodejs20.x", "java21"),
        "timeout": m.pick(3, 30, 900),
        "tracing_config": {"mode": m.pick("PassThrough", "Active")},
    }
    if m.chance(0.4):
        statement: dict[str, Any] = {
            "Action": ["lambda:InvokeFunction"],
            "Effect": "Allow",
            "Principal": {"Service": ["s3.amazonaws.com"]},
            "Resource": [arn],
            "Sid": "s3-invoke",
        }
        if m.chance(0.9):
            statement["Condition"] = {"ArnLike": {"AWS:SourceArn": [f"arn:aws:s3:::data-{m.hex(6)}"]}}
        elif m.chance(0.5):
            statement["Principal"] = "*"
        attributes["policy"] = {"Id": "default", "Statement": [statement], "Version": "2012-10-17"}
    return resource("aws_lambda_function", arn, name, m.account, region, attributes, m.tags())
