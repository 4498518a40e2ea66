"""The deployment stack: artifact store, registry, image builder, deployer, orchestrator and step operator.

Each estate puts a compliant and a non-compliant resource of a component side by side, seeded in moto (App
Runner and MWAA from recorded answers, moto has neither), and the same resources as Terraform plans them.
"""

from __future__ import annotations

import json
from typing import Any

from both_ways import ACCOUNT, FAIL, HOME, OUT, PASS, Estate, Planned, Seeder

KEY = f"arn:aws:kms:{HOME}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TAG = {"unify:component": "artifact-store"}
LOCKED = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


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
    for bucket in ("acme-artifacts", "acme-scratch"):
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


def _artifact_plan() -> list[Planned]:
    tagged = {"force_destroy": False, "tags": TAG}
    return [
        Planned("aws_s3_bucket", "logs", {"bucket": "acme-logs", "force_destroy": False, "tags": {}}, unknown=("arn",)),
        Planned("aws_s3_bucket", "artifacts", {"bucket": "acme-artifacts", "object_lock_enabled": True, **tagged},
                unknown=("arn",)),
        Planned("aws_s3_bucket", "scratch", {"bucket": "acme-scratch", **tagged}, unknown=("arn",)),
        Planned("aws_s3_bucket", "website", {"bucket": "acme-website", "force_destroy": False, "tags": {}},
                unknown=("arn",)),
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
        Planned("aws_s3_bucket_policy", "scratch", {"bucket": "acme-scratch", "policy": json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                    "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-scratch/*"}]})}),
    ]


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


ESTATES = [
    Estate(
        "stack-artifact-store",
        artifact_store,
        expect={
            "stack-artifact-store-versioned": _store(),
            # every bucket is encrypted on AWS today (SSE-S3 at least): the check fails only on a plan that says not
            "stack-artifact-store-encrypted": _store(PASS),
            "stack-artifact-store-not-public": _store(),
            "stack-artifact-store-access-logged": _store(),
            "stack-artifact-store-retention": _store(),
            "stack-lineage-object-lock": _store(),
            "stack-lineage-data-events": {ACCOUNT: PASS},
        },
        plan=_artifact_plan(),
        live_only={"stack-lineage-data-events": "a count over the account's trails: a plan cannot say what else exists"},
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
        },
        plan=_registry_plan(),
    ),
]
