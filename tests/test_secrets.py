"""No secret is stored: markers seeded into every collected type are found in no snapshot, report or store.

The end-to-end test seeds moto's server (over real HTTP) with a resource of
every type moto can make, each carrying unique secret markers wherever AWS
lets a user put text: tags, environment variables, log options, source
URLs, connection strings, descriptions, policy conditions, definitions.
It then runs the CLI as a user would (``unify observe``, ``unify audit``
with every report format and ``--store``), and reads every byte written,
inflating gzip, for any marker. The unit tests hold each redaction rule.
"""

from __future__ import annotations

import gzip
import io
import itertools
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from factories import PLUGINS, TYPES, moto_server
from unify.aws.s3 import strip_account_host_prefix
from unify.cli import main
from unify.model.resource_type import ResourceType, ResourceTypes
from unify.observe.redaction import REDACTED, redact_resource, redact_sensitive_members, redact_text, secret_key

MOTO_ACCOUNT = "123456789012"
REGION = "us-east-1"

# -- the rules, one by one ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://ci-bot:ghs_abc123TOKEN@github.com/acme/api.git", f"https://{REDACTED}@github.com/acme/api.git"),
        ("https://x-token-auth:t0k3n@bitbucket.org/acme/api", f"https://{REDACTED}@bitbucket.org/acme/api"),
        ("postgres://app:hunter2@db.internal:5432/orders", f"postgres://{REDACTED}@db.internal:5432/orders"),
        ("https://bucket.s3.amazonaws.com/k?X-Amz-Signature=abcdef&X-Amz-Date=1",
         f"https://bucket.s3.amazonaws.com/k?X-Amz-Signature={REDACTED}&X-Amz-Date=1"),
        ("https://api.example.com/hook?access_token=abc&user=ops", f"https://api.example.com/hook?access_token={REDACTED}&user=ops"),
        ("Server=db;User Id=app;Password=hunter2;", f"Server=db;User Id=app;Password={REDACTED};"),
        ('{"api_key": "k-123", "region": "eu-west-1"}', f'{{"api_key": "{REDACTED}", "region": "eu-west-1"}}'),
        ("--db-password=hunter2 --verbose", f"--db-password={REDACTED} --verbose"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", REDACTED),
        ("slack: xoxb-1234567890-abcdefghij", f"slack: {REDACTED}"),
        ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz", f"Authorization: {REDACTED}"),
    ],
)
def test_secrets_inside_strings_are_replaced_and_the_rest_kept(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
        "secretsmanager:GetSecretValue",
        "sts:GetSessionToken",
        "https://github.com/acme/api.git",
        "required",  # an EC2 instance's http_tokens
        "alias/aws/s3",
        "s3://acme-logs/AWSLogs/123456789012/",
    ],
)
def test_what_holds_no_secret_is_left_alone(text: str) -> None:
    assert redact_text(text) == text


@pytest.mark.parametrize(("key", "secret"), [
    ("env-pass", True), ("splunk-token", True), ("DB_PASSWORD", True), ("api-key", True), ("ConnectionString", True),
    ("awslogs-group", False), ("awslogs-region", False), ("Owner", False), ("cost-center", False), ("mode", False),
])
def test_secret_looking_keys(key: str, secret: bool) -> None:
    assert secret_key(key) is secret


_SECRET = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", min_size=12, max_size=40)
_TEMPLATES = (
    "https://user:{s}@git.example.com/repo.git",
    "https://{s}@git.example.com/repo.git",
    "mongodb://admin:{s}@10.0.0.7:27017/admin",
    "https://hooks.example.com/x?token={s}",
    "https://example.com/a?b=1&signature={s}",
    "password={s}",
    "Data Source=db;Pwd={s};",
    '{{"client_secret": "{s}"}}',
    "-----BEGIN PRIVATE KEY-----\n{s}\n-----END PRIVATE KEY-----",
    "deploy with --api-key={s}",
)


@settings(max_examples=300, deadline=None)
@given(secret=_SECRET, template=st.sampled_from(_TEMPLATES), before=st.text(max_size=20), after=st.text(max_size=20))
def test_a_secret_in_any_known_shape_is_gone_and_redaction_is_idempotent(secret, template, before, after) -> None:
    assume(secret not in before and secret not in after)
    text = f"{before} {template.format(s=secret)} {after}"
    once = redact_text(text)
    assert secret not in once
    assert REDACTED in once
    assert redact_text(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_/. ", max_size=60))
def test_text_without_a_hint_of_a_secret_is_unchanged(text: str) -> None:
    assert redact_text(text) == text


def test_free_maps_and_tags_lose_secret_looking_values_only() -> None:
    declared = ResourceTypes([ResourceType("aws_widget", ("containers",), free_maps=("containers[].options",))])
    widget = {
        "type": "aws_widget", "id": "w-1", "name": "w", "account": MOTO_ACCOUNT, "region": REGION,
        "tags": {"Owner": "ops", "deploy-token": "t-1"},
        "attributes": {"containers": [{"options": {"env-pass": "p-1", "awslogs-group": "/w"}, "http_tokens": "required"}]},
    }
    kept = redact_resource(widget, declared)
    assert kept["tags"] == {"Owner": "ops", "deploy-token": {"$unknown": "redacted: the key looks like a secret"}}
    assert kept["attributes"]["containers"] == [{
        "options": {"env-pass": {"$unknown": "redacted: the key looks like a secret"}, "awslogs-group": "/w"},
        "http_tokens": "required",  # a key unify names, outside a free map: never redacted by its name
    }]
    assert widget["tags"]["deploy-token"] == "t-1"  # the input is not changed


def test_members_aws_marks_sensitive_are_blanked_names_kept_and_declared_ids_kept() -> None:
    import botocore.session

    model = botocore.session.get_session().get_service_model("ecs")
    shape = model.operation_model("DescribeTaskDefinition").output_shape
    answer = {"taskDefinition": {"family": "api", "containerDefinitions": [{
        "name": "web", "image": "nginx", "environment": [{"name": "DB_PASSWORD", "value": "hunter2"}],
        "repositoryCredentials": {"credentialsParameter": "arn:aws:secretsmanager:::secret:x"}}]}}
    redact_sensitive_members(answer, shape)
    container = answer["taskDefinition"]["containerDefinitions"][0]
    assert container["environment"][0]["name"] == "DB_PASSWORD"
    assert "hunter2" not in json.dumps(answer) and container["image"] == "nginx"
    s3 = botocore.session.get_session().get_service_model("s3").operation_model("GetBucketEncryption").output_shape
    key_path = "ServerSideEncryptionConfiguration.Rules[].ApplyServerSideEncryptionByDefault.KMSMasterKeyID"

    def encryption() -> dict[str, Any]:
        return {"ServerSideEncryptionConfiguration": {"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/data"}}]}}

    blanked, kept = redact_sensitive_members(encryption(), s3), redact_sensitive_members(encryption(), s3, frozenset({key_path}))
    assert "alias/data" not in json.dumps(blanked)
    assert kept == encryption()


# -- every collected type, end to end ---------------------------------------------------------------

_counter = itertools.count(1)


def marker() -> str:
    """A unique secret the test plants; any byte of it found later is a leak."""
    return f"S3CRET{next(_counter):04d}ZQ"


PLANTED: list[str] = []


def plant() -> str:
    value = marker()
    PLANTED.append(value)
    return value


def tags_list(key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: "deploy-token", value: plant()}, {key: "db_password", value: plant()},
            {key: "Notes", value: f"clone https://ci:{plant()}@git.example.com/acme/api.git"}]


def tags_map() -> dict[str, str]:
    return {"deploy-token": plant(), "Notes": f"password={plant()}"}


class Seeder:
    """One moto server seeded with a resource of every type moto can make, each carrying planted secrets."""

    def __init__(self, endpoint: str) -> None:
        self.session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
        self.endpoint = endpoint
        self.role = ""
        self.network: dict[str, str] = {}

    def client(self, service: str) -> Any:
        client = self.session.client(service, endpoint_url=self.endpoint, region_name=REGION)
        if service == "s3control":
            strip_account_host_prefix(client)  # moto's server does not answer at ACCOUNT.127.0.0.1
        return client

    def base(self) -> None:
        iam, ec2 = self.client("iam"), self.client("ec2")
        self.role = iam.create_role(
            RoleName="app", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": f"token={plant()}"}}}]}),
            Description=f"connects with password={plant()}", Tags=tags_list())["Role"]["Arn"]
        vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16", TagSpecifications=[
            {"ResourceType": "vpc", "Tags": tags_list()}])["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.1.0/24")["Subnet"]["SubnetId"]
        group = ec2.create_security_group(GroupName="app", Description=f"token={plant()}", VpcId=vpc,
                                          TagSpecifications=[{"ResourceType": "security-group", "Tags": tags_list()}])
        self.network = {"vpc": vpc, "subnet": subnet, "group": group["GroupId"]}
        self.client("s3").create_bucket(Bucket="acme-planted")  # trails and flow logs deliver to it

    def aws_redshift_cluster(self) -> None:
        self.client("redshift").create_cluster(
            ClusterIdentifier="planted", NodeType="dc2.large", ClusterType="single-node", MasterUsername="app",
            MasterUserPassword=f"Aa1{plant()}", Tags=tags_list())

    def aws_s3_bucket(self) -> None:
        s3 = self.client("s3")
        s3.put_bucket_tagging(Bucket="acme-planted", Tagging={"TagSet": tags_list()})
        s3.put_bucket_policy(Bucket="acme-planted", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-planted/*",
            "Condition": {"StringNotEquals": {"aws:Referer": f"https://u:{plant()}@cdn.example.com/"}}}]}))

    def aws_ebs_volume(self) -> None:
        self.client("ec2").create_volume(AvailabilityZone=f"{REGION}a", Size=1, TagSpecifications=[
            {"ResourceType": "volume", "Tags": tags_list()}])

    def aws_inspector2_enabler(self) -> None:
        # Nothing a user writes (account ids and scan types); moto answers no account until Inspector was
        # enabled once, which the collector rightly reads as a broken answer.
        self.client("inspector2").enable(resourceTypes=["EC2"], accountIds=[MOTO_ACCOUNT])

    def aws_instance(self) -> None:
        self.client("ec2").run_instances(
            ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=self.network["subnet"],
            UserData=f"#!/bin/sh\nexport DB_PASSWORD={plant()}\n",
            TagSpecifications=[{"ResourceType": "instance", "Tags": tags_list()}])

    def aws_network_acl(self) -> None:
        self.client("ec2").create_network_acl(VpcId=self.network["vpc"], TagSpecifications=[
            {"ResourceType": "network-acl", "Tags": tags_list()}])

    def aws_flow_log(self) -> None:
        answer = self.client("ec2").create_flow_logs(
            ResourceIds=[self.network["vpc"]], ResourceType="VPC", TrafficType="ALL", LogDestinationType="s3",
            LogDestination="arn:aws:s3:::acme-planted", TagSpecifications=[
                {"ResourceType": "vpc-flow-log", "Tags": tags_list()}])
        assert answer["Unsuccessful"] == []

    def aws_iam_user(self) -> None:
        iam = self.client("iam")
        iam.create_user(UserName="planted", Tags=tags_list())
        iam.create_login_profile(UserName="planted", Password=f"Aa1!{plant()}")
        iam.create_access_key(UserName="planted")

    def aws_iam_group(self) -> None:
        iam = self.client("iam")
        iam.create_group(GroupName="planted")
        iam.put_group_policy(GroupName="planted", PolicyName="inline", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
                                                   "Condition": {"StringEquals": {"aws:UserAgent": f"secret={plant()}"}}}]}))

    def aws_iam_policy(self) -> None:
        self.client("iam").create_policy(
            PolicyName="planted", Description=f"api_key={plant()}", Tags=tags_list(),
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                "Condition": {"StringLike": {"s3:prefix": f"https://bot:{plant()}@x.example.com/*"}}}]}))

    def aws_iam_server_certificate(self) -> None:
        self.client("iam").upload_server_certificate(
            ServerCertificateName="planted", CertificateBody=_CERTIFICATE,
            PrivateKey=f"-----BEGIN RSA PRIVATE KEY-----\n{plant()}\n-----END RSA PRIVATE KEY-----", Tags=tags_list())

    def aws_guardduty_detector(self) -> None:
        self.client("guardduty").create_detector(Enable=True, Tags=tags_map())
    def aws_elasticache_cluster(self) -> None:
        self.client("elasticache").create_cache_cluster(
            CacheClusterId="planted", Engine="memcached", CacheNodeType="cache.t3.small", NumCacheNodes=1,
            Tags=tags_list())

    def aws_elasticache_replication_group(self) -> None:
        self.client("elasticache").create_replication_group(
            ReplicationGroupId="planted", ReplicationGroupDescription=f"token={plant()}", Engine="redis",
            CacheNodeType="cache.t3.small", NumCacheClusters=1, TransitEncryptionEnabled=True,
            AuthToken=f"Aa1{plant()}-long-enough", Tags=tags_list())

    def aws_elasticsearch_domain(self) -> None:
        self.client("es").create_elasticsearch_domain(
            DomainName="planted-es", ElasticsearchVersion="7.10", AccessPolicies=self._domain_policy("planted-es"),
            TagList=tags_list())

    def aws_iam_account_password_policy(self) -> None:
        self.client("iam").update_account_password_policy(MinimumPasswordLength=14)

    def aws_kms_key(self) -> None:
        self.client("kms").create_key(Description=f"key for password={plant()}", Tags=tags_list("TagKey", "TagValue"))

    def aws_cloudtrail(self) -> None:
        self.client("cloudtrail").create_trail(Name="planted", S3BucketName="acme-planted", TagsList=tags_list())

    def aws_config_config_rule(self) -> None:
        self.client("config").put_config_rule(ConfigRule={
            "ConfigRuleName": "planted", "Description": f"api_key={plant()}",
            "InputParameters": json.dumps({"tag1Key": "CostCenter", "tag1Value": f"api_key={plant()}"}),
            "Source": {"Owner": "AWS", "SourceIdentifier": "REQUIRED_TAGS"}}, Tags=tags_list())

    def aws_config_configuration_recorder(self) -> None:
        self.client("config").put_configuration_recorder(ConfigurationRecorder={
            "name": "default", "roleARN": self.role})

    def aws_efs_access_point(self) -> None:
        efs = self.client("efs")
        fs = efs.create_file_system(CreationToken="planted-ap")["FileSystemId"]
        efs.create_access_point(FileSystemId=fs, Tags=tags_list(), RootDirectory={"Path": "/planted"})

    def aws_ebs_encryption_by_default(self) -> None:
        self.client("ec2").enable_ebs_encryption_by_default()

    def aws_s3_access_point(self) -> None:
        # An access point carries no tags; its policy is where a user writes text.
        s3control = self.client("s3control")
        s3control.create_access_point(AccountId=MOTO_ACCOUNT, Name="planted", Bucket="acme-planted")
        s3control.put_access_point_policy(AccountId=MOTO_ACCOUNT, Name="planted", Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MOTO_ACCOUNT}:root"}, "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:{REGION}:{MOTO_ACCOUNT}:accesspoint/planted/object/*",
                "Condition": {"StringEquals": {"aws:Referer": f"token={plant()}"}}}]}))

    def aws_s3_account_public_access_block(self) -> None:
        self.client("s3control").put_public_access_block(AccountId=MOTO_ACCOUNT, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})

    def aws_ecs_cluster(self) -> None:
        # Tags are where a user writes text; ECS Exec's log group and bucket names cannot take a secret's shape.
        self.client("ecs").create_cluster(clusterName="planted-cluster", tags=tags_list("key", "value"))

    def aws_db_cluster_snapshot(self) -> None:
        rds = self.client("rds")
        rds.create_db_cluster(DBClusterIdentifier="planted-source", Engine="aurora-postgresql", MasterUsername="app",
                              MasterUserPassword=plant())
        rds.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="planted", DBClusterIdentifier="planted-source",
                                       Tags=tags_list())

    def aws_db_event_subscription(self) -> None:
        self.client("rds").create_event_subscription(
            SubscriptionName="planted", SnsTopicArn=f"arn:aws:sns:{REGION}:{MOTO_ACCOUNT}:planted", Enabled=True,
            SourceType="db-instance", Tags=tags_list())

    def aws_db_instance(self) -> None:
        self.client("rds").create_db_instance(
            DBInstanceIdentifier="planted", Engine="postgres", DBInstanceClass="db.t3.micro", AllocatedStorage=20,
            MasterUsername="app", MasterUserPassword=plant(), Tags=tags_list())

    def aws_db_snapshot(self) -> None:
        rds = self.client("rds")
        rds.create_db_instance(DBInstanceIdentifier="planted-source", Engine="postgres", DBInstanceClass="db.t3.micro",
                               AllocatedStorage=20, MasterUsername="app", MasterUserPassword=plant())
        rds.create_db_snapshot(DBSnapshotIdentifier="planted", DBInstanceIdentifier="planted-source", Tags=tags_list())

    def aws_neptune_cluster(self) -> None:
        self.client("neptune").create_db_cluster(DBClusterIdentifier="planted-graph", Engine="neptune",
                                                 Tags=tags_list())

    def aws_neptune_cluster_snapshot(self) -> None:
        neptune = self.client("neptune")
        neptune.create_db_cluster(DBClusterIdentifier="planted-graph-source", Engine="neptune")
        neptune.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="planted-graph",
                                           DBClusterIdentifier="planted-graph-source", Tags=tags_list())

    def aws_opensearch_domain(self) -> None:
        self.client("opensearch").create_domain(
            DomainName="planted-os", EngineVersion="OpenSearch_2.11", AccessPolicies=self._domain_policy("planted-os"),
            AdvancedSecurityOptions={"Enabled": True, "InternalUserDatabaseEnabled": True, "MasterUserOptions": {
                "MasterUserName": "admin", "MasterUserPassword": f"Aa1!{plant()}"}},
            TagList=tags_list())

    def _domain_policy(self, domain: str) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:ESHttpGet",
            "Resource": f"arn:aws:es:{REGION}:{MOTO_ACCOUNT}:domain/{domain}/*",
            "Condition": {"StringEquals": {"aws:Referer": f"token={plant()}"}}}]})

    def aws_rds_cluster(self) -> None:
        self.client("rds").create_db_cluster(
            DBClusterIdentifier="planted", Engine="aurora-mysql", MasterUsername="app", MasterUserPassword=plant(),
            DatabaseName="planted", Tags=tags_list())

    def aws_efs_file_system(self) -> None:
        self.client("efs").create_file_system(CreationToken="planted", Tags=tags_list())

    def aws_ecr_repository(self) -> None:
        ecr = self.client("ecr")
        ecr.create_repository(repositoryName="planted", tags=tags_list())
        ecr.set_repository_policy(repositoryName="planted", policyText=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Sid": "pull", "Effect": "Allow", "Principal": "*",
                                                   "Action": "ecr:BatchGetImage",
                                                   "Condition": {"StringEquals": {"aws:Referer": f"token={plant()}"}}}]}))

    def aws_lambda_function(self) -> None:
        self.client("lambda").create_function(
            FunctionName="planted", Runtime="python3.12", Role=self.role, Handler="app.handler",
            Code={"ZipFile": _lambda_zip()}, Description=f"calls https://svc:{plant()}@api.example.com",
            Environment={"Variables": {"DB_PASSWORD": plant(), "PLAIN_LOOKING": plant()}}, Tags=tags_map())

    def aws_cloudwatch_event_bus(self) -> None:
        events = self.client("events")
        events.create_event_bus(Name="planted", Tags=tags_list())
        events.put_permission(EventBusName="planted", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Sid": "partner", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MOTO_ACCOUNT}:root"},
            "Action": "events:PutEvents", "Resource": f"arn:aws:events:{REGION}:{MOTO_ACCOUNT}:event-bus/planted",
            "Condition": {"StringEquals": {"aws:Referer": f"token={plant()}"}}}]}))

    def aws_cloudwatch_event_rule(self) -> None:
        self.client("events").put_rule(
            Name="planted", Description=f"calls https://bot:{plant()}@hooks.example.com/x", Tags=tags_list(),
            EventPattern=json.dumps({"source": ["acme.app"], "detail": {"note": [f"password={plant()}"]}}))

    def aws_cloudwatch_log_group(self) -> None:
        self.client("logs").create_log_group(logGroupName="planted", tags=tags_map())

    def aws_cloudwatch_log_metric_filter(self) -> None:
        self.client("logs").put_metric_filter(
            logGroupName="planted", filterName="planted", filterPattern=f'"password={plant()}"',
            metricTransformations=[{"metricName": "planted", "metricNamespace": "Planted", "metricValue": "1"}])

    def aws_cloudwatch_metric_alarm(self) -> None:
        self.client("cloudwatch").put_metric_alarm(
            AlarmName="planted", AlarmDescription=f"runbook https://ops:{plant()}@wiki.example.com/alarms",
            MetricName="planted", Namespace="Planted", Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1,
            ComparisonOperator="GreaterThanThreshold", Tags=tags_list())

    def aws_codebuild_project(self) -> None:
        self.client("codebuild").create_project(
            name="planted", description=f"token={plant()}",
            source={"type": "GITHUB", "location": f"https://ci-bot:{plant()}@github.com/acme/api.git"},
            artifacts={"type": "NO_ARTIFACTS"}, serviceRole=self.role, tags=tags_list("key", "value"),
            environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                         "computeType": "BUILD_GENERAL1_SMALL",
                         "environmentVariables": [{"name": "GITHUB_TOKEN", "value": plant(), "type": "PLAINTEXT"},
                                                  {"name": "PLAIN_LOOKING", "value": plant(), "type": "PLAINTEXT"}]})

    def aws_ecs_task_definition(self) -> None:
        self.client("ecs").register_task_definition(
            family="planted", tags=tags_list("key", "value"), containerDefinitions=[{
                "name": "web", "image": "nginx", "memory": 256,
                "environment": [{"name": "DB_PASSWORD", "value": plant()}, {"name": "PLAIN", "value": plant()}],
                "command": ["serve", f"--api-key={plant()}"],
                "repositoryCredentials": {"credentialsParameter": f"arn:aws:secretsmanager:{REGION}:{MOTO_ACCOUNT}:secret:{plant()}"},
                "logConfiguration": {"logDriver": "splunk", "options": {
                    "splunk-url": f"https://x:{plant()}@splunk.example:8088", "splunk-token": plant(), "env-pass": plant()}},
            }])

    def aws_ecs_service(self) -> None:
        ecs = self.client("ecs")
        ecs.create_cluster(clusterName="planted")
        ecs.register_task_definition(family="planted-service", containerDefinitions=[
            {"name": "app", "image": "nginx", "memory": 128, "environment": [{"name": "TOKEN", "value": plant()}]}])
        ecs.create_service(cluster="planted", serviceName="planted", taskDefinition="planted-service:1", desiredCount=0,
                           tags=tags_list("key", "value"))

    def aws_sfn_state_machine(self) -> None:
        self.client("stepfunctions").create_state_machine(
            name="planted", roleArn=self.role, tags=tags_list("key", "value"), definition=json.dumps({
                "StartAt": "call", "States": {"call": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                                                        "Parameters": {"Authentication": {"ApiKey": plant()}}, "End": True}}}))

    def aws_sagemaker_training_job(self) -> None:
        self.client("sagemaker").create_training_job(
            TrainingJobName="planted", RoleArn=self.role,
            AlgorithmSpecification={"TrainingImage": f"{MOTO_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/train:1",
                                    "TrainingInputMode": "File"},
            HyperParameters={"db_password": plant(), "epochs": "3"},
            Environment={"API_KEY": plant()},
            OutputDataConfig={"S3OutputPath": "s3://acme-planted/out/"},
            ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
            StoppingCondition={"MaxRuntimeInSeconds": 3600}, Tags=tags_list())

    def aws_backup_plan(self) -> None:
        self.client("backup").create_backup_plan(BackupPlan={"BackupPlanName": "planted", "Rules": [{
            "RuleName": "daily", "TargetBackupVaultName": "Default", "ScheduleExpression": "cron(0 5 * * ? *)"}]},
            BackupPlanTags=tags_map())

    def aws_batch_compute_environment(self) -> None:
        self.client("batch").create_compute_environment(
            computeEnvironmentName="planted", type="UNMANAGED", serviceRole=self.role, tags=tags_map())

    def aws_sns_topic(self) -> None:
        sns = self.client("sns")
        topic = sns.create_topic(Name="planted", Attributes={"DisplayName": f"token={plant()}"}, Tags=tags_list())
        sns.set_topic_attributes(TopicArn=topic["TopicArn"], AttributeName="Policy", AttributeValue=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                   "Action": "sns:Publish", "Resource": topic["TopicArn"],
                                                   "Condition": {"StringEquals": {"aws:Referer": f"secret={plant()}"}}}]}))

    def aws_sns_topic_subscription(self) -> None:
        sns = self.client("sns")
        topic = sns.create_topic(Name="planted-subscribed")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=f"https://hook:{plant()}@hooks.example.com/sns",
                      Attributes={"FilterPolicy": json.dumps({"note": [f"password={plant()}"]})})

    def aws_sqs_queue(self) -> None:
        queue = f"arn:aws:sqs:{REGION}:{MOTO_ACCOUNT}:planted"
        self.client("sqs").create_queue(QueueName="planted", tags=tags_map(), Attributes={"Policy": json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                   "Action": "sqs:SendMessage", "Resource": queue,
                                                   "Condition": {"StringEquals": {"aws:Referer": f"token={plant()}"}}}]})})

    def seed(self) -> list[str]:
        """Every seeder above, in the order the types are declared; the types seeded."""
        self.base()
        seeded = ["aws_iam_role", "aws_vpc", "aws_security_group"]  # made by base(), which the others build on
        for type_ in sorted(TYPES):
            make: Callable[[], None] | None = getattr(self, type_, None)
            if make is not None:
                make()
                seeded.append(type_)
        return seeded


#: Types with nothing a user can write text into (counts and switches): nothing to plant, nothing to leak.
NO_USER_TEXT = {
    "aws_iam_account_summary": "counts only",
    "aws_macie2_account": "a status, a publishing frequency and AWS's service role",
    "aws_securityhub_account": "switches and the hub's ARN",
    # moto refuses the docdb engine: no DocumentDB cluster or snapshot can be made to plant in (the collectors
    # are tested on recorded answers; their tags go through the same redaction as every type's).
    "aws_docdb_cluster": "moto serves no DocumentDB cluster",
    "aws_docdb_cluster_snapshot": "moto serves no DocumentDB cluster",
    "aws_backup_recovery_point": "ARNs, statuses, dates and flags only (a recovery point carries no tags here)",
    # moto's server answers 404 for ListRecoveryPointsByBackupVault: a vault in it would make the recovery-point
    # listing fail. A vault's tags come from ListTags, the call (and redaction) the plan seeded above goes through.
    "aws_backup_vault": "moto lists no recovery points of a vault (see above)",
}

_CERTIFICATE = """-----BEGIN CERTIFICATE-----
MIIBhTCCASugAwIBAgIQIRi6zePL6mKjOipn+dNuaTAKBggqhkjOPQQDAjASMRAw
DgYDVQQKEwdBY21lIENvMB4XDTE3MTAyMDE5NDMwNloXDTE4MTAyMDE5NDMwNlow
EjEQMA4GA1UEChMHQWNtZSBDbzBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABD0d
7VNhbWvZLWPuj/RtHFjvtJBEwOkhbN/BnnE8rnZR8+sbwnc/KhCk3FhnpHZnQz7B
5aETbbIgmuvewdjvSBSjYzBhMA4GA1UdDwEB/wQEAwICpDATBgNVHSUEDDAKBggr
BgEFBQcDATAPBgNVHRMBAf8EBTADAQH/MCkGA1UdEQQiMCCCDmxvY2FsaG9zdDo1
NDUzgg4xMjcuMC4wLjE6NTQ1MzAKBggqhkjOPQQDAgNIADBFAiEA2zpJEPQyz6/l
Wf86aX6PepsntZv2GYlA5UpabfT2EZICICpJ5h/iI+i341gBmLiAFQOyTDT+/wQc
6MF9+Yw1Yy0t
-----END CERTIFICATE-----
"""


def _lambda_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return 1\n")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def planted_estate() -> Iterator[tuple[str, list[str]]]:
    from unify.observe.demo import _reset

    with moto_server() as endpoint:
        _reset(endpoint)
        PLANTED.clear()
        seeded = Seeder(endpoint).seed()
        yield endpoint, seeded


def _every_byte(folder: Path) -> Iterator[tuple[Path, bytes]]:
    """Every file under ``folder``, gzip inflated and zip members read, so nothing is hidden by compression."""
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        yield path, data
        if data[:2] == b"\x1f\x8b":
            yield path, gzip.decompress(data)
        if data[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for name in archive.namelist():
                    yield path / name, archive.read(name)


def test_every_collected_type_is_seeded_with_secrets_or_holds_no_user_text(planted_estate) -> None:
    _, seeded = planted_estate
    assert set(seeded) | set(NO_USER_TEXT) == set(TYPES), "plant secrets in every new type (tests/test_secrets.py)"
    assert len(PLANTED) > 60


def test_no_planted_secret_reaches_the_snapshot_a_report_or_the_store(planted_estate, runner, tmp_path,
                                                                       monkeypatch) -> None:
    endpoint, seeded = planted_estate
    for name, value in {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    out = tmp_path / "out"
    observed = runner.invoke(main, ["observe", "--types", "all", "--regions", REGION, "-o",
                                    str(out / "snapshot.json.gz")])
    assert observed.exit_code == 0, observed.stderr
    formats = sorted(PLUGINS.renderers.names())  # every report format, the plugins' included
    targets = [f"--format={name}={out / f'report.{name}'}" for name in formats]
    audited = runner.invoke(main, ["audit", "--snapshot", str(out / "snapshot.json.gz"), *targets,
                                   "--store", str(out / "store")])
    assert audited.exit_code in (0, 1), audited.stderr
    exported = runner.invoke(main, ["evidence", "export", "latest", "--framework", "cis-aws-v7.0",
                                    "--store", str(out / "store"), "-o", str(out / "bundle.zip")])
    assert exported.exit_code == 0, exported.stderr
    # The observation really saw the planted resources (else finding no secret proves nothing)...
    with gzip.open(out / "snapshot.json.gz") as handle:
        snapshot = json.load(handle)
    observed_types = {r["type"] for r in snapshot["resources"]}
    assert set(seeded) <= observed_types, set(seeded) - observed_types
    assert [c for c in snapshot["coverage"] if c["status"] == "error"] == []
    text = json.dumps(snapshot)
    assert text.count(REDACTED) + text.count("redacted:") >= 20  # ...and redaction had work to do
    # ...and not one planted secret is in any byte written, nor on the terminal.
    leaks = []
    for path, data in _every_byte(out):
        leaks += [f"{path.relative_to(out)}: {secret}" for secret in PLANTED if secret.encode() in data]
    for stream in (observed.stdout, observed.stderr, audited.stdout, audited.stderr, exported.stdout, exported.stderr):
        leaks += [f"terminal: {secret}" for secret in PLANTED if secret in stream]
    assert leaks == []
    written = {p.name for p in out.iterdir()}
    assert {"snapshot.json.gz", "store", "bundle.zip"} | {f"report.{n}" for n in formats} <= written
