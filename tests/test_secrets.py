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

import base64
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

from factories import PLUGINS, TYPES, answer_recorded_services, moto_server
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
        #: Answers for the services moto lacks (App Runner, MWAA): service -> [(method, answer, params)].
        self.recorded: dict[str, list[tuple[str, dict[str, Any], dict[str, Any] | None]]] = {}

    def record(self, service: str, method: str, answer: dict[str, Any], params: dict[str, Any] | None = None) -> None:
        self.recorded.setdefault(service, []).append((method, answer, params))

    def recordings(self) -> dict[str, Callable[[Any, str], None]]:
        """What the observation's sessions answer App Runner and MWAA with: the planted answers, in REGION."""
        def fill(entries: list[tuple[str, dict[str, Any], dict[str, Any] | None]]) -> Callable[[Any, str], None]:
            def answer(answers: Any, region: str) -> None:
                for method, response, params in entries:
                    answers.answer(method, response if region == REGION else _empty(response), params)
            return answer
        return {service: fill(entries) for service, entries in self.recorded.items()}

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

    def aws_api_gateway_rest_api(self) -> None:
        self.rest_api = self.client("apigateway").create_rest_api(
            name="planted", description=f"calls the ledger with password={plant()}", tags=tags_map())["id"]

    def aws_api_gateway_stage(self) -> None:
        rest = self.client("apigateway")
        root = rest.get_resources(restApiId=self.rest_api)["items"][0]["id"]
        rest.put_method(restApiId=self.rest_api, resourceId=root, httpMethod="GET", authorizationType="NONE")
        rest.put_integration(restApiId=self.rest_api, resourceId=root, httpMethod="GET", type="MOCK")
        deployment = rest.create_deployment(restApiId=self.rest_api)["id"]
        rest.create_stage(restApiId=self.rest_api, stageName="planted", deploymentId=deployment, tags=tags_map(),
                          description=f"backend https://svc:{plant()}@ledger.example.com", variables={"DB_PASSWORD": plant()})

    def aws_apigatewayv2_api(self) -> None:
        self.http_api = self.client("apigatewayv2").create_api(
            Name="planted", ProtocolType="HTTP", Description=f"password={plant()}", Tags=tags_map())["ApiId"]

    def aws_apigatewayv2_route(self) -> None:
        self.client("apigatewayv2").create_route(ApiId=self.http_api, RouteKey="GET /planted",
                                                 OperationName=f"password={plant()}")

    def aws_apigatewayv2_stage(self) -> None:
        self.client("apigatewayv2").create_stage(ApiId=self.http_api, StageName="planted", Tags=tags_map(),
                                                 Description=f"password={plant()}",
                                                 StageVariables={"api_key": plant()})

    def aws_athena_workgroup(self) -> None:
        self.client("athena").create_work_group(Name="planted", Description=f"password={plant()}", Tags=tags_list())
    def aws_apprunner_auto_scaling_configuration_version(self) -> None:
        arn = f"arn:aws:apprunner:{REGION}:{MOTO_ACCOUNT}:autoscalingconfiguration/planted/1/0123456789abcdef"
        self.record("apprunner", "list_auto_scaling_configurations", {"AutoScalingConfigurationSummaryList": [
            {"AutoScalingConfigurationArn": arn, "AutoScalingConfigurationName": "planted"}]})
        self.record("apprunner", "describe_auto_scaling_configuration", {"AutoScalingConfiguration": {
            "AutoScalingConfigurationArn": arn, "AutoScalingConfigurationName": "planted", "AutoScalingConfigurationRevision": 1,
            "Latest": True, "Status": "ACTIVE", "MaxConcurrency": 100, "MinSize": 1, "MaxSize": 4}},
            {"AutoScalingConfigurationArn": arn})
        self.record("apprunner", "list_tags_for_resource", {"Tags": tags_list()}, {"ResourceArn": arn})

    def aws_apprunner_service(self) -> None:
        arn = f"arn:aws:apprunner:{REGION}:{MOTO_ACCOUNT}:service/planted/{'0' * 32}"
        self.record("apprunner", "list_services", {"ServiceSummaryList": [{"ServiceName": "planted", "ServiceArn": arn}]})
        self.record("apprunner", "describe_service", {"Service": {
            "ServiceName": "planted", "ServiceId": "0" * 32, "ServiceArn": arn, "CreatedAt": "2026-11-01T00:00:00Z",
            "UpdatedAt": "2026-11-01T00:00:00Z", "Status": "RUNNING",
            "SourceConfiguration": {
                "CodeRepository": {
                    "RepositoryUrl": f"https://bot:{plant()}@github.com/acme/api",
                    "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
                    "CodeConfiguration": {"ConfigurationSource": "API", "CodeConfigurationValues": {
                        "Runtime": "PYTHON_3", "BuildCommand": f"pip install --token {plant()}",
                        "StartCommand": f"serve --password {plant()}",
                        "RuntimeEnvironmentVariables": {"DB_PASSWORD": plant(), "PLAIN_LOOKING": plant()},
                        "RuntimeEnvironmentSecrets": {"API_KEY": f"arn:aws:ssm:{REGION}:{MOTO_ACCOUNT}:parameter/k"}}}},
                "AutoDeploymentsEnabled": False},
            "InstanceConfiguration": {"Cpu": "1024", "Memory": "2048"},
            "HealthCheckConfiguration": {"Protocol": "HTTP", "Path": f"/health?token={plant()}"},
            "AutoScalingConfigurationSummary": {},
            "NetworkConfiguration": {"EgressConfiguration": {"EgressType": "DEFAULT"}}}}, {"ServiceArn": arn})
        self.record("apprunner", "list_tags_for_resource", {"Tags": tags_list()}, {"ResourceArn": arn})

    def aws_apprunner_vpc_connector(self) -> None:
        arn = f"arn:aws:apprunner:{REGION}:{MOTO_ACCOUNT}:vpcconnector/planted/1/0123456789abcdef"
        self.record("apprunner", "list_vpc_connectors", {"VpcConnectors": [
            {"VpcConnectorName": "planted", "VpcConnectorArn": arn, "VpcConnectorRevision": 1, "Subnets": ["subnet-1"],
             "SecurityGroups": ["sg-1"], "Status": "ACTIVE"}]})
        self.record("apprunner", "list_tags_for_resource", {"Tags": tags_list()}, {"ResourceArn": arn})
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


    def aws_route53_query_log(self) -> None:
        route53, logs = self.client("route53"), self.client("logs")
        logs.create_log_group(logGroupName="/aws/route53/logged.example")
        zone = route53.create_hosted_zone(Name="logged.example", CallerReference="logged")["HostedZone"]["Id"]
        route53.create_query_logging_config(
            HostedZoneId=zone.rsplit("/", 1)[-1],
            CloudWatchLogsLogGroupArn=f"arn:aws:logs:{REGION}:{MOTO_ACCOUNT}:log-group:/aws/route53/logged.example:*")

    def aws_route53_zone(self) -> None:
        route53 = self.client("route53")
        zone = route53.create_hosted_zone(Name="planted.example", CallerReference="planted", HostedZoneConfig={
            "Comment": f"password={plant()}", "PrivateZone": False})["HostedZone"]["Id"]
        route53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone.rsplit("/", 1)[-1],
                                         AddTags=tags_list())

    def aws_flow_log(self) -> None:
        answer = self.client("ec2").create_flow_logs(
            ResourceIds=[self.network["vpc"]], ResourceType="VPC", TrafficType="ALL", LogDestinationType="s3",
            LogDestination="arn:aws:s3:::acme-planted", TagSpecifications=[
                {"ResourceType": "vpc-flow-log", "Tags": tags_list()}])
        assert answer["Unsuccessful"] == []

    # -- the network group's types (EC2, VPC, load balancing, Auto Scaling, Network Firewall) ----------

    def tagged(self, kind: str) -> list[dict[str, Any]]:
        return [{"ResourceType": kind, "Tags": tags_list()}]

    def second_subnet(self) -> str:
        if "subnet_b" not in self.network:
            self.network["subnet_b"] = self.client("ec2").create_subnet(
                VpcId=self.network["vpc"], CidrBlock="10.7.2.0/24", AvailabilityZone=f"{REGION}b")["Subnet"]["SubnetId"]
        return self.network["subnet_b"]

    def aws_ami(self) -> None:
        ec2 = self.client("ec2")
        image = ec2.register_image(Name="planted", Description=f"password={plant()}", RootDeviceName="/dev/xvda")
        ec2.create_tags(Resources=[image["ImageId"]], Tags=tags_list())

    def aws_autoscaling_group(self) -> None:
        autoscaling = self.client("autoscaling")
        autoscaling.create_launch_configuration(
            LaunchConfigurationName="planted-for-group", ImageId="ami-12c6146b", InstanceType="t3.micro",
            UserData=f"#!/bin/sh\nexport DB_PASSWORD={plant()}\n")
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName="planted", LaunchConfigurationName="planted-for-group", MinSize=0, MaxSize=1,
            VPCZoneIdentifier=self.network["subnet"],
            Tags=[{**tag, "PropagateAtLaunch": True} for tag in tags_list()])

    def aws_ebs_snapshot(self) -> None:
        ec2 = self.client("ec2")
        volume = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1)["VolumeId"]
        ec2.create_snapshot(VolumeId=volume, Description=f"password={plant()}",
                            TagSpecifications=self.tagged("snapshot"))

    def aws_ec2_transit_gateway(self) -> None:
        self.client("ec2").create_transit_gateway(Description=f"password={plant()}",
                                                  TagSpecifications=self.tagged("transit-gateway"))

    def aws_ec2_transit_gateway_vpc_attachment(self) -> None:
        ec2 = self.client("ec2")
        gateway = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
        ec2.create_transit_gateway_vpc_attachment(
            TransitGatewayId=gateway, VpcId=self.network["vpc"], SubnetIds=[self.network["subnet"]],
            TagSpecifications=self.tagged("transit-gateway-attachment"))

    def aws_eip(self) -> None:
        self.client("ec2").allocate_address(Domain="vpc", TagSpecifications=self.tagged("elastic-ip"))

    def aws_elb(self) -> None:
        self.client("elb").create_load_balancer(
            LoadBalancerName="planted", AvailabilityZones=[f"{REGION}a"], Tags=tags_list(),
            Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP", "InstancePort": 80}])

    def aws_internet_gateway(self) -> None:
        self.client("ec2").create_internet_gateway(TagSpecifications=self.tagged("internet-gateway"))

    def aws_launch_configuration(self) -> None:
        self.client("autoscaling").create_launch_configuration(
            LaunchConfigurationName="planted", ImageId="ami-12c6146b", InstanceType="t3.micro",
            UserData=f"#!/bin/sh\nexport API_TOKEN={plant()}\n")

    def aws_launch_template(self) -> None:
        user_data = base64.b64encode(f"#!/bin/sh\nexport DB_PASSWORD={plant()}\n".encode()).decode()
        self.client("ec2").create_launch_template(
            LaunchTemplateName="planted", VersionDescription=f"password={plant()}",
            LaunchTemplateData={"ImageId": "ami-12c6146b", "UserData": user_data},
            TagSpecifications=self.tagged("launch-template"))

    def aws_lb(self) -> None:
        self.client("elbv2").create_load_balancer(
            Name="planted", Subnets=[self.network["subnet"], self.second_subnet()], Tags=tags_list())

    def aws_lb_listener(self) -> None:
        elbv2 = self.client("elbv2")
        balancer = elbv2.create_load_balancer(
            Name="planted-listener", Subnets=[self.network["subnet"], self.second_subnet()])["LoadBalancers"][0]
        elbv2.create_listener(
            LoadBalancerArn=balancer["LoadBalancerArn"], Protocol="HTTP", Port=80, Tags=tags_list(),
            DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {
                "StatusCode": "403", "ContentType": "text/plain", "MessageBody": f"password={plant()}"}}])
        elbv2.create_listener(
            LoadBalancerArn=balancer["LoadBalancerArn"], Protocol="HTTP", Port=8080,
            DefaultActions=[{"Type": "redirect", "RedirectConfig": {
                "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301", "Query": f"access_token={plant()}"}}])

    def aws_nat_gateway(self) -> None:
        ec2 = self.client("ec2")
        address = ec2.allocate_address(Domain="vpc")["AllocationId"]
        ec2.create_nat_gateway(SubnetId=self.network["subnet"], AllocationId=address,
                               TagSpecifications=self.tagged("natgateway"))

    def aws_network_interface(self) -> None:
        self.client("ec2").create_network_interface(
            SubnetId=self.network["subnet"], Description=f"password={plant()}",
            TagSpecifications=self.tagged("network-interface"))

    def aws_networkfirewall_firewall(self) -> None:
        self.client("network-firewall").create_firewall(
            FirewallName="planted", VpcId=self.network["vpc"], SubnetMappings=[{"SubnetId": self.network["subnet"]}],
            FirewallPolicyArn=f"arn:aws:network-firewall:{REGION}:{MOTO_ACCOUNT}:firewall-policy/planted",
            Description=f"password={plant()}", Tags=tags_list())

    def aws_route_table(self) -> None:
        self.client("ec2").create_route_table(VpcId=self.network["vpc"], TagSpecifications=self.tagged("route-table"))

    def aws_subnet(self) -> None:
        self.client("ec2").create_subnet(VpcId=self.network["vpc"], CidrBlock="10.7.9.0/24",
                                         TagSpecifications=self.tagged("subnet"))

    def aws_vpc_endpoint(self) -> None:
        self.client("ec2").create_vpc_endpoint(
            VpcId=self.network["vpc"], ServiceName=f"com.amazonaws.{REGION}.s3",
            TagSpecifications=self.tagged("vpc-endpoint"), PolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
                    "Condition": {"StringEquals": {"aws:Referer": f"https://u:{plant()}@cdn.example.com/"}}}]}))

    def aws_vpc_peering_connection(self) -> None:
        ec2 = self.client("ec2")
        peer = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
        ec2.create_vpc_peering_connection(VpcId=self.network["vpc"], PeerVpcId=peer,
                                          TagSpecifications=self.tagged("vpc-peering-connection"))

    def aws_vpn_connection(self) -> None:
        ec2 = self.client("ec2")
        customer = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="203.0.113.7", BgpAsn=65000)
        gateway = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
        ec2.create_vpn_connection(
            Type="ipsec.1", CustomerGatewayId=customer["CustomerGateway"]["CustomerGatewayId"], VpnGatewayId=gateway,
            TagSpecifications=self.tagged("vpn-connection"),
            Options={"TunnelOptions": [{"PreSharedKey": f"psk_{plant()}"}, {"PreSharedKey": f"psk_{plant()}"}]})

    def aws_glue_job(self) -> None:
        self.client("glue").create_job(
            Name="planted", Role=self.role, Description=f"password={plant()}", Tags=tags_map(),
            Command={"Name": "glueetl", "ScriptLocation": "s3://acme-planted/job.py"},
            DefaultArguments={"--db-password": plant(), "--PLAIN_LOOKING": plant()})

    def aws_glue_ml_transform(self) -> None:
        self.client("glue").create_ml_transform(
            Name="planted", Role=self.role, Description=f"password={plant()}", Tags=tags_map(),
            InputRecordTables=[{"DatabaseName": "crm", "TableName": "customers"}],
            Parameters={"TransformType": "FIND_MATCHES", "FindMatchesParameters": {}})

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


    def aws_kinesis_stream(self) -> None:
        self.client("kinesis").create_stream(StreamName="planted", ShardCount=1, Tags=tags_map())
    # -- identity: accounts, organizations, IAM providers, KMS, secrets, certificates, SSM ----------------

    def aws_account_alternate_contact(self) -> None:
        self.client("account").put_alternate_contact(
            AlternateContactType="SECURITY", EmailAddress=f"sec+{plant()}@example.com", Name=f"token={plant()}",
            PhoneNumber="+15550100", Title=f"password={plant()}")

    def aws_acm_certificate(self) -> None:
        self.client("acm").request_certificate(DomainName="planted.example.com", ValidationMethod="DNS",
                                               Tags=tags_list())

    def aws_iam_openid_connect_provider(self) -> None:
        self.client("iam").create_open_id_connect_provider(
            Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"],
            ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"], Tags=tags_list())

    def aws_iam_saml_provider(self) -> None:
        self.client("iam").create_saml_provider(
            Name="planted", SAMLMetadataDocument=f"<EntityDescriptor token='{plant()}'/>".ljust(1000), Tags=tags_list())

    def aws_kms_alias(self) -> None:
        kms = self.client("kms")
        key = kms.create_key(Description="aliased")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/planted", TargetKeyId=key)

    def aws_kms_grant(self) -> None:
        kms = self.client("kms")
        key = kms.create_key(Description="granted")["KeyMetadata"]["KeyId"]
        kms.create_grant(KeyId=key, GranteePrincipal=self.role, Operations=["Decrypt"], Name="planted",
                         Constraints={"EncryptionContextEquals": {"db_password": plant(),
                                                                  "note": f"https://u:{plant()}@x.example.com"}})

    def organization(self) -> Any:
        """The organization the Organizations seeders share, made by whichever runs first."""
        org = self.client("organizations")
        if "root" not in self.network:
            org.create_organization(FeatureSet="ALL")
            self.network["root"] = org.list_roots()["Roots"][0]["Id"]
        return org

    def aws_organizations_organization(self) -> None:
        self.organization().enable_aws_service_access(ServicePrincipal="access-analyzer.amazonaws.com")

    def aws_organizations_account(self) -> None:
        self.organization().create_account(AccountName="planted", Email=f"{plant()}@example.com", Tags=tags_list())

    def aws_organizations_delegated_administrator(self) -> None:
        org = self.organization()
        account = org.create_account(AccountName="security", Email="security@example.com")
        org.enable_aws_service_access(ServicePrincipal="guardduty.amazonaws.com")
        org.register_delegated_administrator(AccountId=account["CreateAccountStatus"]["AccountId"],
                                             ServicePrincipal="guardduty.amazonaws.com")

    def aws_organizations_organizational_unit(self) -> None:
        self.organization().create_organizational_unit(ParentId=self.network["root"], Name="planted", Tags=tags_list())

    def aws_organizations_policy(self) -> None:
        self.organization().create_policy(
            Name="planted", Description=f"api_key={plant()}", Type="SERVICE_CONTROL_POLICY", Tags=tags_list(),
            Content=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Deny", "Action": "s3:*", "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:UserAgent": f"secret={plant()}"}}}]}))

    def aws_secretsmanager_secret(self) -> None:
        sm = self.client("secretsmanager")
        sm.create_secret(Name="planted", SecretString=plant(), Description=f"password={plant()}", Tags=tags_list())
        sm.put_resource_policy(SecretId="planted", ResourcePolicy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": self.role}, "Action": "secretsmanager:GetSecretValue",
            "Resource": "*", "Condition": {"StringEquals": {"aws:Referer": f"token={plant()}"}}}]}))

    def aws_ssm_document(self) -> None:
        self.client("ssm").create_document(Name="planted", DocumentType="Command", Tags=tags_list(), Content=json.dumps({
            "schemaVersion": "2.2", "description": f"password={plant()}", "mainSteps": [{
                "action": "aws:runShellScript", "name": "run",
                "inputs": {"runCommand": [f"curl -H 'Authorization: Bearer {plant()}' https://x"]}}]}))

    def aws_ssm_parameter(self) -> None:
        ssm = self.client("ssm")
        ssm.put_parameter(Name="/planted/db", Value=plant(), Type="SecureString", Description=f"token={plant()}",
                          Tags=tags_list())
        ssm.put_parameter(Name="/planted/plain", Value=plant(), Type="String")

    def aws_cloudtrail(self) -> None:
        self.client("cloudtrail").create_trail(Name="planted", S3BucketName="acme-planted", TagsList=tags_list())

    def aws_config_config_rule(self) -> None:
        self.client("config").put_config_rule(ConfigRule={
            "ConfigRuleName": "planted", "Description": f"api_key={plant()}",
            "InputParameters": json.dumps({"tag1Key": "CostCenter", "tag1Value": f"api_key={plant()}"}),
            "Source": {"Owner": "AWS", "SourceIdentifier": "REQUIRED_TAGS"}}, Tags=tags_list())

    def aws_cloudfront_distribution(self) -> None:
        self.client("cloudfront").create_distribution_with_tags(DistributionConfigWithTags={"Tags": {
            "Items": tags_list()}, "DistributionConfig": {
            "CallerReference": "planted", "Comment": f"password={plant()}", "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{"Id": "app", "DomainName": "app.example.com", "CustomHeaders": {
                "Quantity": 1, "Items": [{"HeaderName": "X-Origin-Token", "HeaderValue": plant()}]},
                "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "app", "ViewerProtocolPolicy": "https-only"}}})

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


    def aws_dax_cluster(self) -> None:
        self.client("dax").create_cluster(ClusterName="planted", NodeType="dax.t3.small", ReplicationFactor=1,
                                          IamRoleArn=self.role, Description=f"password={plant()}", Tags=tags_list())

    def aws_dynamodb_table(self) -> None:
        self.client("dynamodb").create_table(
            TableName="planted", BillingMode="PAY_PER_REQUEST", Tags=tags_list(),
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
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


    def aws_elastic_beanstalk_environment(self) -> None:
        beanstalk = self.client("elasticbeanstalk")
        beanstalk.create_application(ApplicationName="planted", Description=f"password={plant()}")
        beanstalk.create_environment(ApplicationName="planted", EnvironmentName="planted-env", Tags=tags_list(),
                                     Description=f"password={plant()}", OptionSettings=[{
                                         "Namespace": "aws:elasticbeanstalk:application:environment",
                                         "OptionName": "DB_PASSWORD", "Value": plant()}])

    def aws_emr_cluster(self) -> None:
        self.client("emr").run_job_flow(
            Name="planted", ReleaseLabel="emr-7.2.0", JobFlowRole="EMR_EC2_DefaultRole", ServiceRole="EMR_DefaultRole",
            Instances={"MasterInstanceType": "m5.xlarge", "InstanceCount": 1, "KeepJobFlowAliveWhenNoSteps": True},
            Tags=tags_list(), Configurations=[{"Classification": "spark-defaults", "Properties": {
                "spark.hadoop.fs.s3a.secret.key": plant()}}])
    def aws_eks_cluster(self) -> None:
        self.client("eks").create_cluster(
            name="planted", roleArn=self.role, tags=tags_map(),
            resourcesVpcConfig={"subnetIds": [self.network["subnet"]], "endpointPublicAccess": False,
                                "endpointPrivateAccess": True})

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

    def aws_lambda_function_url(self) -> None:
        self.client("lambda").create_function_url_config(FunctionName="planted", AuthType="AWS_IAM", Cors={
            "AllowOrigins": [f"https://u:{plant()}@app.example.com"]})

    def aws_lambda_permission(self) -> None:
        # Who may invoke a function: principals, ARNs and account ids, nothing a user writes freely.
        self.client("lambda").add_permission(FunctionName="planted", StatementId="uploads", Principal="s3.amazonaws.com",
                                             Action="lambda:InvokeFunction", SourceArn="arn:aws:s3:::acme-planted")
    def aws_mwaa_environment(self) -> None:
        self.record("mwaa", "list_environments", {"Environments": ["planted"]})
        self.record("mwaa", "get_environment", {"Environment": {
            "Name": "planted", "Arn": f"arn:aws:airflow:{REGION}:{MOTO_ACCOUNT}:environment/planted", "Status": "AVAILABLE",
            "AirflowVersion": "2.10.3", "EnvironmentClass": "mw1.small", "ExecutionRoleArn": self.role,
            "SourceBucketArn": "arn:aws:s3:::acme-planted", "DagS3Path": "dags/", "WebserverAccessMode": "PRIVATE_ONLY",
            "AirflowConfigurationOptions": {"core.fernet_key": plant(), "smtp.smtp_password": plant()},
            "LoggingConfiguration": {"TaskLogs": {"Enabled": True, "LogLevel": "INFO"}},
            "Tags": tags_map()}}, {"Name": "planted"})

    def aws_codebuild_project(self) -> None:
        self.client("codebuild").create_project(
            name="planted", description=f"token={plant()}",
            source={"type": "GITHUB", "location": f"https://ci-bot:{plant()}@github.com/acme/api.git"},
            artifacts={"type": "NO_ARTIFACTS"}, serviceRole=self.role, tags=tags_list("key", "value"),
            environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                         "computeType": "BUILD_GENERAL1_SMALL",
                         "environmentVariables": [{"name": "GITHUB_TOKEN", "value": plant(), "type": "PLAINTEXT"},
                                                  {"name": "PLAIN_LOOKING", "value": plant(), "type": "PLAINTEXT"}]})

    def aws_codepipeline(self) -> None:
        role = self.client("iam").create_role(RoleName="pipelines", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "codepipeline.amazonaws.com"}}]}))
        action = {"actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"}}
        self.client("codepipeline").create_pipeline(tags=tags_list("key", "value"), pipeline={
            "name": "planted", "roleArn": role["Role"]["Arn"],
            "artifactStore": {"type": "S3", "location": "acme-planted"},
            "stages": [
                {"name": "Source", "actions": [{
                    "name": "checkout", "outputArtifacts": [{"name": "src"}],
                    "actionTypeId": {"category": "Source", "owner": "ThirdParty", "provider": "GitHub", "version": "1"},
                    "configuration": {"Owner": "acme", "Repo": "api", "Branch": "main", "OAuthToken": plant(),
                                      "webhook-secret": plant(), "Notes": f"password={plant()}"}}]},
                {"name": "Build", "actions": [{**action, "name": "build", "inputArtifacts": [{"name": "src"}],
                                               "configuration": {"ProjectName": "planted", "EnvironmentVariables": json.dumps(
                                                   [{"name": "PLAIN", "value": plant(), "type": "PLAINTEXT"}])}}]},
            ]})

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

    def aws_sagemaker_endpoint(self) -> None:
        sagemaker = self.client("sagemaker")
        sagemaker.create_model(ModelName="served", ExecutionRoleArn=self.role, PrimaryContainer={"Image": "acme/serve:1"})
        sagemaker.create_endpoint_config(EndpointConfigName="served", ProductionVariants=[
            {"VariantName": "v", "ModelName": "served", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
        sagemaker.create_endpoint(EndpointName="planted", EndpointConfigName="served", Tags=tags_list())

    def aws_sagemaker_endpoint_configuration(self) -> None:
        self.client("sagemaker").create_endpoint_config(
            EndpointConfigName="planted", Tags=tags_list(),
            ProductionVariants=[{"VariantName": "v", "ModelName": "served", "InitialInstanceCount": 1,
                                 "InstanceType": "ml.m5.large"}])

    def aws_sagemaker_model(self) -> None:
        self.client("sagemaker").create_model(
            ModelName="planted", ExecutionRoleArn=self.role, Tags=tags_list(),
            PrimaryContainer={"Image": "acme/serve:1", "Environment": {"DB_PASSWORD": plant(), "PLAIN": plant()}})

    def aws_sagemaker_notebook_instance(self) -> None:
        self.client("sagemaker").create_notebook_instance(
            NotebookInstanceName="planted", InstanceType="ml.t3.medium", RoleArn=self.role, Tags=tags_list())

    def aws_sagemaker_pipeline(self) -> None:
        self.client("sagemaker").create_pipeline(
            PipelineName="planted", RoleArn=self.role, Tags=tags_list(), PipelineDescription=f"token={plant()}",
            PipelineDefinition=json.dumps({"Version": "2020-12-01", "Steps": [{"Name": "train", "Type": "Training",
                                           "Arguments": {"RoleArn": self.role, "HyperParameters": {"api_key": plant()},
                                                         "Environment": {"PLAIN": plant()}}}]}))

    def aws_sagemaker_processing_job(self) -> None:
        self.client("sagemaker").create_processing_job(
            ProcessingJobName="planted", RoleArn=self.role, AppSpecification={"ImageUri": "acme/prep:1"},
            Environment={"DB_PASSWORD": plant(), "PLAIN": plant()}, Tags=tags_list(),
            ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 1}})

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

    def aws_wafv2_web_acl(self) -> None:
        self.client("wafv2").create_web_acl(
            Name="planted", Scope="REGIONAL", DefaultAction={"Allow": {}}, Description=f"password={plant()}",
            VisibilityConfig={"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "planted"},
            Tags=tags_list())
    def aws_batch_job_definition(self) -> None:
        self.client("batch").register_job_definition(
            jobDefinitionName="planted", type="container", tags=tags_map(), parameters={"token": plant()},
            containerProperties={"image": "acme/step:1", "vcpus": 1, "memory": 512, "command": ["run", f"--api-key={plant()}"],
                                 "environment": [{"name": "DB_PASSWORD", "value": plant()}, {"name": "PLAIN", "value": plant()}],
                                 "logConfiguration": {"logDriver": "splunk", "options": {"splunk-token": plant()}}})

    def aws_batch_job_queue(self) -> None:
        environment = self.client("batch").describe_compute_environments()["computeEnvironments"][0]["computeEnvironmentArn"]
        self.client("batch").create_job_queue(jobQueueName="planted", state="ENABLED", priority=1, tags=tags_map(),
                                              computeEnvironmentOrder=[{"order": 1, "computeEnvironment": environment}])

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
    "aws_accessanalyzer_region_status": "counts and analyzer names only",
    "aws_ecr_registry_scanning_configuration": "scan frequencies and repository name patterns only",
    "aws_emr_block_public_access_configuration": "a switch and port ranges",
    "aws_glue_data_catalog_encryption_settings": "encryption modes and key ids",
    "aws_iam_account_summary": "counts only",
    "aws_macie2_account": "a status, a publishing frequency and AWS's service role",
    "aws_securityhub_account": "switches and the hub's ARN",
    "aws_backup_recovery_point": "ARNs, statuses, dates and flags only (a recovery point carries no tags here)",
    # moto's server answers 404 for ListRecoveryPointsByBackupVault: a vault in it would make the recovery-point
    # listing fail. A vault's tags come from ListTags, the call (and redaction) the backup plan goes through.
    "aws_backup_vault": "moto lists no recovery points of a vault (see above)",
    # moto refuses the docdb engine: no DocumentDB cluster or snapshot can be made to plant in (the collectors
    # are tested on recorded answers; their tags go through the same redaction as every type's).
    "aws_docdb_cluster": "moto serves no DocumentDB cluster",
    "aws_docdb_cluster_snapshot": "moto serves no DocumentDB cluster",
}


def _empty(answer: dict[str, Any]) -> dict[str, Any]:
    """A listing's answer in a region where the planted estate has nothing: every list empty."""
    return {key: [] if isinstance(value, list) else value for key, value in answer.items()}


#: Types moto cannot serve (no backend, or no such call): their collectors' redaction is tested with recorded
#: answers in the collector's own tests, and here their coverage is expected to be an error.
NOT_SERVED_BY_MOTO = {
    "aws_accessanalyzer_analyzer": "no Access Analyzer backend (tests/test_collectors_identity.py)",
    "aws_accessanalyzer_region_status": "no Access Analyzer backend",
    "aws_iam_organizations_features": "no ListOrganizationsFeatures",
    "aws_iam_root_user": "its credential report has no root row",
    "aws_organizations_resource_policy": "no DescribeResourcePolicy (tests/test_collectors_identity.py)",
    "aws_ssm_service_setting": "no GetServiceSetting (tests/test_collectors_identity.py)",
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
def planted_estate() -> Iterator[tuple[str, list[str], dict[str, Any]]]:
    from unify.observe.demo import _reset

    with moto_server() as endpoint:
        _reset(endpoint)
        PLANTED.clear()
        seeder = Seeder(endpoint)
        seeded = seeder.seed()
        yield endpoint, seeded, seeder.recordings()


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
    _, seeded, _ = planted_estate
    assert set(seeded) | set(NO_USER_TEXT) | set(NOT_SERVED_BY_MOTO) == set(TYPES), (
        "plant secrets in every new type (tests/test_secrets.py)")
    assert len(PLANTED) > 60


def test_no_planted_secret_reaches_the_snapshot_a_report_or_the_store(planted_estate, runner, tmp_path,
                                                                       monkeypatch) -> None:
    endpoint, seeded, recordings = planted_estate
    answer_recorded_services(monkeypatch, recordings)  # App Runner and MWAA: moto has no backend
    for name, value in {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    out = tmp_path / "out"
    observed = runner.invoke(main, ["observe", "--types", "all", "--regions", REGION, "-o",
                                    str(out / "snapshot.json.gz")])
    # Incomplete (3) only for the types moto cannot serve; the coverage assertion below holds the rest.
    assert observed.exit_code == (3 if NOT_SERVED_BY_MOTO else 0), observed.stderr
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
    assert [c for c in snapshot["coverage"] if c["status"] == "error" and c["type"] not in NOT_SERVED_BY_MOTO] == []
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
