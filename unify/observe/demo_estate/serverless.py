"""The demo's serverless and edge services: Lambda, API Gateway, CloudFront, Route 53, WAF, Step Functions,
DynamoDB and DAX, Kinesis, Glue, Athena, Elastic Beanstalk and EMR, each with a kept and a neglected resource.

Most of it is seeded in moto's server. moto drops what matters in CloudFront
answers (origin access control, origin groups, cache behaviours), has no
DescribeConfigurationSettings for Elastic Beanstalk, and lists no EMR
instances: those three services are given as recorded answers, shaped as
their API references document them and checked against botocore's service
models by the Stubber. The builders below make those answers; the
both-ways estates of the test suite use them too.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from unify.observe.demo_seeder import DemoPart, DemoSeeder, lambda_zip, trust
from unify.observe.recorded import RecordedAnswers

__all__ = [
    "PART",
    "beanstalk_environment",
    "distribution",
    "emr_cluster",
    "record_beanstalk",
    "record_cloudfront",
    "record_emr",
]

_PLATFORM = "Python 3.12 running on 64bit Amazon Linux 2023/4.3.0"
_WHEN = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
_ACCOUNT = "123456789012"

# -- CloudFront ------------------------------------------------------------------------------


def _wrapped(items: Sequence[Any]) -> dict[str, Any]:
    """CloudFront's ``{Quantity, Items}``; ``Items`` left out when there are none, as CloudFront answers."""
    return {"Quantity": len(items), "Items": list(items)} if items else {"Quantity": 0}


def _origin(spec: Mapping[str, Any]) -> dict[str, Any]:
    origin: dict[str, Any] = {
        "Id": spec["id"],
        "DomainName": spec["domain"],
        "OriginPath": "",
        "CustomHeaders": {"Quantity": 0},
        "ConnectionAttempts": 3,
        "ConnectionTimeout": 10,
        "OriginAccessControlId": spec.get("oac", ""),
    }
    if spec.get("custom"):
        policy, protocols = spec["custom"]
        origin["CustomOriginConfig"] = {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": policy,
            "OriginSslProtocols": {"Quantity": len(protocols), "Items": list(protocols)},
            "OriginReadTimeout": 30,
            "OriginKeepaliveTimeout": 5,
        }
    else:
        origin["S3OriginConfig"] = {"OriginAccessIdentity": spec.get("oai", "")}
    return origin


def _behavior(target: str, policy: str, path: str | None = None) -> dict[str, Any]:
    behavior: dict[str, Any] = {
        "TargetOriginId": target,
        "ViewerProtocolPolicy": policy,
        "AllowedMethods": {
            "Quantity": 2,
            "Items": ["HEAD", "GET"],
            "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]},
        },
        "Compress": True,
        "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    }
    if path is not None:
        behavior = {"PathPattern": path, **behavior}
    return behavior


def distribution(
    distribution_id: str,
    *,
    origins: Sequence[Mapping[str, Any]],
    viewer: str = "redirect-to-https",
    ordered: Sequence[tuple[str, str, str]] = (),
    groups: Sequence[tuple[str, Sequence[str]]] = (),
    log_bucket: str | None = None,
    web_acl: str = "",
    certificate: str | None = None,
    ssl_method: str = "sni-only",
    tls: str = "TLSv1.2_2021",
    root_object: str = "",
    account: str = _ACCOUNT,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A distribution as ListDistributions (its summary) and GetDistributionConfig (its configuration) answer.

    ``origins`` are ``{id, domain, oac, oai, custom: (policy, protocols)}``
    (no ``custom``: an S3 origin); ``ordered`` are ``(path, origin, viewer
    policy)``; ``groups`` are ``(group id, member origin ids)``;
    ``certificate`` is an ACM certificate ARN, None for the default
    ``*.cloudfront.net`` certificate.
    """
    viewer_certificate: dict[str, Any] = (
        {"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1", "CertificateSource": "cloudfront"}
        if certificate is None
        else {
            "CloudFrontDefaultCertificate": False,
            "ACMCertificateArn": certificate,
            "SSLSupportMethod": ssl_method,
            "MinimumProtocolVersion": tls,
            "CertificateSource": "acm",
        }
    )
    common: dict[str, Any] = {
        "Aliases": _wrapped([f"{distribution_id.lower()}.example.com"] if certificate else []),
        "Origins": _wrapped([_origin(o) for o in origins]),
        "OriginGroups": _wrapped(
            [
                {
                    "Id": group_id,
                    "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [500, 503]}},
                    "Members": _wrapped([{"OriginId": member} for member in members]),
                }
                for group_id, members in groups
            ]
        ),
        "DefaultCacheBehavior": _behavior(origins[0]["id"], viewer),
        "CacheBehaviors": _wrapped([_behavior(target, policy, path) for path, target, policy in ordered]),
        "CustomErrorResponses": {"Quantity": 0},
        "Comment": f"{distribution_id} front door",
        "PriceClass": "PriceClass_100",
        "Enabled": True,
        "ViewerCertificate": viewer_certificate,
        "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
        "WebACLId": web_acl,
        "HttpVersion": "http2",
        "IsIPV6Enabled": True,
    }
    summary = {
        "Id": distribution_id,
        "ARN": f"arn:aws:cloudfront::{account}:distribution/{distribution_id}",
        "Status": "Deployed",
        "LastModifiedTime": _WHEN,
        "DomainName": f"d{distribution_id.lower()}.cloudfront.net",
        "Staging": False,
        **common,
    }
    config = {
        "CallerReference": f"{distribution_id}-1",
        "DefaultRootObject": root_object,
        "Logging": {
            "Enabled": log_bucket is not None,
            "IncludeCookies": False,
            "Bucket": log_bucket or "",
            "Prefix": f"{distribution_id.lower()}/" if log_bucket else "",
        },
        **common,
    }
    return summary, config


def record_cloudfront(answers: RecordedAnswers, distributions: Sequence[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    """ListDistributions, GetDistributionConfig and ListTagsForResource for ``distributions``."""
    summaries = [summary for summary, _ in distributions]
    answers.answer(
        "list_distributions",
        {
            "DistributionList": {
                "Marker": "",
                "MaxItems": 100,
                "IsTruncated": False,
                "Quantity": len(summaries),
                **({"Items": summaries} if summaries else {}),
            }
        },
    )
    for summary, config in distributions:
        answers.answer(
            "get_distribution_config", {"DistributionConfig": config, "ETag": "E2ETAG"}, params={"Id": summary["Id"]}
        )
        answers.answer(
            "list_tags_for_resource",
            {"Tags": {"Items": [{"Key": "owner", "Value": "web-platform"}]}},
            params={"Resource": summary["ARN"]},
        )


# -- Elastic Beanstalk -----------------------------------------------------------------------


def beanstalk_environment(
    name: str,
    application: str,
    *,
    health: str,
    managed_updates: bool,
    stream_logs: bool,
    region: str = "us-east-1",
    account: str = _ACCOUNT,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An environment as DescribeEnvironments answers it, and its options as DescribeConfigurationSettings does."""
    environment = {
        "EnvironmentName": name,
        "EnvironmentId": f"e-{zlib.crc32(name.encode()):010d}",
        "ApplicationName": application,
        "VersionLabel": "v42",
        "SolutionStackName": "64bit Amazon Linux 2023 v4.3.0 running Python 3.12",
        "PlatformArn": f"arn:aws:elasticbeanstalk:{region}::platform/{_PLATFORM}",
        "EndpointURL": f"awseb-{name}.{region}.elb.amazonaws.com",
        "CNAME": f"{name}.{region}.elasticbeanstalk.com",
        "DateCreated": _WHEN,
        "DateUpdated": _WHEN,
        "Status": "Ready",
        "AbortableOperationInProgress": False,
        "Health": "Green" if health == "enhanced" else "Grey",
        "Tier": {"Name": "WebServer", "Type": "Standard", "Version": "1.0"},
        "EnvironmentArn": f"arn:aws:elasticbeanstalk:{region}:{account}:environment/{application}/{name}",
    }
    options = [
        ("aws:elasticbeanstalk:healthreporting:system", "SystemType", health),
        ("aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled", str(managed_updates).lower()),
        ("aws:elasticbeanstalk:managedactions", "PreferredStartTime", "Sun:02:00"),
        ("aws:elasticbeanstalk:managedactions:platformupdate", "UpdateLevel", "minor"),
        ("aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs", str(stream_logs).lower()),
        ("aws:elasticbeanstalk:cloudwatch:logs", "RetentionInDays", "30"),
        ("aws:elasticbeanstalk:environment", "EnvironmentType", "LoadBalanced"),
        ("aws:elasticbeanstalk:application:environment", "DATABASE_URL", "postgres://app@orders.internal/orders"),
    ]
    settings = [{"Namespace": ns, "OptionName": option, "Value": value} for ns, option, value in options]
    return environment, settings


def record_beanstalk(
    answers: RecordedAnswers, environments: Sequence[tuple[dict[str, Any], list[dict[str, Any]]]]
) -> None:
    """DescribeEnvironments, DescribeConfigurationSettings and ListTagsForResource for ``environments``."""
    answers.answer("describe_environments", {"Environments": [environment for environment, _ in environments]})
    for environment, settings in environments:
        answers.answer(
            "describe_configuration_settings",
            {
                "ConfigurationSettings": [
                    {
                        "SolutionStackName": environment["SolutionStackName"],
                        "ApplicationName": environment["ApplicationName"],
                        "EnvironmentName": environment["EnvironmentName"],
                        "DeploymentStatus": "deployed",
                        "OptionSettings": settings,
                    }
                ]
            },
            params={
                "ApplicationName": environment["ApplicationName"],
                "EnvironmentName": environment["EnvironmentName"],
            },
        )
        answers.answer(
            "list_tags_for_resource",
            {"ResourceArn": environment["EnvironmentArn"], "ResourceTags": [{"Key": "team", "Value": "storefront"}]},
            params={"ResourceArn": environment["EnvironmentArn"]},
        )


# -- EMR -------------------------------------------------------------------------------------


def emr_cluster(
    cluster_id: str,
    name: str,
    *,
    state: str = "WAITING",
    public_ip: str | None = None,
    region: str = "us-east-1",
    account: str = _ACCOUNT,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A cluster as DescribeCluster answers it, and its primary node as ListInstances does."""
    arn = f"arn:aws:elasticmapreduce:{region}:{account}:cluster/{cluster_id}"
    cluster = {
        "Id": cluster_id,
        "Name": name,
        "Status": {"State": state, "Timeline": {"CreationDateTime": _WHEN}},
        "Ec2InstanceAttributes": {
            "Ec2SubnetId": "subnet-0a1b2c3d4e5f60718",
            "Ec2AvailabilityZone": f"{region}a",
            "IamInstanceProfile": "EMR_EC2_DefaultRole",
            "EmrManagedMasterSecurityGroup": "sg-0aa11bb22cc33dd44",
            "EmrManagedSlaveSecurityGroup": "sg-0ee55ff66aa77bb88",
        },
        "InstanceCollectionType": "INSTANCE_GROUP",
        "LogUri": f"s3n://acme-emr-logs-{account}/",
        "ReleaseLabel": "emr-7.2.0",
        "AutoTerminate": False,
        "TerminationProtected": True,
        "VisibleToAllUsers": True,
        "Applications": [{"Name": "Spark", "Version": "3.5.1"}, {"Name": "Hadoop", "Version": "3.3.6"}],
        "Tags": [{"Key": "team", "Value": "analytics"}],
        "ServiceRole": "EMR_DefaultRole",
        "MasterPublicDnsName": f"ip-10-0-1-25.{region}.compute.internal",
        "ClusterArn": arn,
    }
    instance: dict[str, Any] = {
        "Id": f"ci-{cluster_id[2:]}1",
        "Ec2InstanceId": "i-0123456789abcdef0",
        "PrivateIpAddress": "10.0.1.25",
        "Status": {"State": "RUNNING"},
        "InstanceGroupId": f"ig-{cluster_id[2:]}M",
        "InstanceType": "m6g.xlarge",
        "Market": "ON_DEMAND",
    }
    if public_ip is not None:
        instance["PublicIpAddress"] = public_ip
        instance["PublicDnsName"] = f"ec2-{public_ip.replace('.', '-')}.compute-1.amazonaws.com"
    return cluster, [instance]


def record_emr(
    answers: RecordedAnswers,
    clusters: Sequence[tuple[dict[str, Any], list[dict[str, Any]]]],
    *,
    block_public_access: bool,
    permitted_ports: Sequence[int] = (22,),
) -> None:
    """ListClusters, DescribeCluster, ListInstances and the block public access setting of one region."""
    answers.answer(
        "list_clusters",
        {
            "Clusters": [
                {"Id": c["Id"], "Name": c["Name"], "Status": c["Status"], "ClusterArn": c["ClusterArn"]}
                for c, _ in clusters
            ]
        },
    )
    for cluster, instances in clusters:
        answers.answer("describe_cluster", {"Cluster": cluster}, params={"ClusterId": cluster["Id"]})
        answers.answer(
            "list_instances",
            {"Instances": instances},
            params={"ClusterId": cluster["Id"], "InstanceGroupTypes": ["MASTER"]},
        )
    answers.answer(
        "get_block_public_access_configuration",
        {
            "BlockPublicAccessConfiguration": {
                "BlockPublicSecurityGroupRules": block_public_access,
                "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": p, "MaxRange": p} for p in permitted_ports],
            },
            "BlockPublicAccessConfigurationMetadata": {
                "CreationDateTime": _WHEN,
                "CreatedByArn": f"arn:aws:iam::{_ACCOUNT}:role/platform-admin",
            },
        },
    )


# -- the demo's part -------------------------------------------------------------------------

_CERTIFICATE = f"arn:aws:acm:us-east-1:{_ACCOUNT}:certificate/6f2c8e10-5b7a-4c3e-9d21-8a4f0b6c7d19"
_EDGE_ACL = f"arn:aws:wafv2:us-east-1:{_ACCOUNT}:global/webacl/edge/3e1f6a2b-9c84-4d57-a1b0-5c6d7e8f9a01"
_DEMO_DISTRIBUTIONS = (
    distribution(
        "E1STOREFRONT01",
        origins=(
            {"id": "assets", "domain": "acme-storefront-assets.s3.us-east-1.amazonaws.com", "oac": "E2OACASSETS"},
            {"id": "assets-dr", "domain": "acme-storefront-dr.s3.us-west-2.amazonaws.com", "oac": "E2OACASSETS"},
            {"id": "api", "domain": "api.acme.example", "custom": ("https-only", ["TLSv1.2"])},
        ),
        ordered=(("/api/*", "api", "https-only"),),
        groups=(("assets-failover", ("assets", "assets-dr")),),
        log_bucket="acme-cdn-logs.s3.amazonaws.com",
        web_acl=_EDGE_ACL,
        certificate=_CERTIFICATE,
        root_object="index.html",
    ),
    distribution(
        "E2LEGACYPROMO",
        origins=(
            {
                "id": "promo",
                "domain": "acme-promo-2019.s3.amazonaws.com",
                "oai": "origin-access-identity/cloudfront/E3OAI",
            },
            {"id": "old-api", "domain": "promo-api.acme.example", "custom": ("http-only", ["SSLv3", "TLSv1"])},
        ),
        viewer="allow-all",
        ordered=(("/api/*", "old-api", "allow-all"),),
    ),
)


def _record_cloudfront(answers: RecordedAnswers, region: str) -> None:
    record_cloudfront(answers, _DEMO_DISTRIBUTIONS)


def _record_beanstalk(answers: RecordedAnswers, region: str) -> None:
    if region != "us-east-1":
        record_beanstalk(answers, ())
        return
    record_beanstalk(
        answers,
        (
            beanstalk_environment(
                "storefront-prod", "storefront", health="enhanced", managed_updates=True, stream_logs=True
            ),
            beanstalk_environment(
                "storefront-old", "storefront", health="basic", managed_updates=False, stream_logs=False
            ),
        ),
    )


def _record_emr(answers: RecordedAnswers, region: str) -> None:
    if region != "us-east-1":
        record_emr(answers, (), block_public_access=False, permitted_ports=())
        return
    clusters = (
        emr_cluster("j-2AXXXXXXGAPLF", "analytics-private", region=region),
        emr_cluster("j-3BYYYYYYHBQMG", "adhoc-notebooks", state="RUNNING", public_ip="54.210.167.204", region=region),
    )
    record_emr(answers, clusters, block_public_access=True)


def _lambda(seeder: DemoSeeder, n: int) -> None:
    iam, lam, ec2 = seeder.client("iam"), seeder.client("lambda"), seeder.client("ec2")
    role = iam.create_role(RoleName=f"serverless-{n}", AssumeRolePolicyDocument=trust("lambda.amazonaws.com"))
    vpc = ec2.create_vpc(CidrBlock=f"10.{200 + n}.0.0/16")["Vpc"]["VpcId"]
    zones = [f"{seeder.home}a", f"{seeder.home}b"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{200 + n}.{i}.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for i, zone in enumerate(zones)
    ]
    arn = role["Role"]["Arn"]
    lam.create_function(
        FunctionName=f"checkout-{n}",
        Runtime="python3.12",
        Role=arn,
        Handler="index.handler",
        Code={"ZipFile": lambda_zip()},
        VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": []},
    )
    lam.add_permission(
        FunctionName=f"checkout-{n}",
        StatementId="storefront-api",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{seeder.home}:{seeder.account}:storefront/*",
    )
    lam.create_function(
        FunctionName=f"thumbnails-{n}",
        Runtime="nodejs16.x",
        Role=arn,
        Handler="index.handler",
        Code={"ZipFile": lambda_zip()},
        VpcConfig={"SubnetIds": subnets[:1], "SecurityGroupIds": []},
    )
    lam.create_function_url_config(FunctionName=f"thumbnails-{n}", AuthType="NONE")
    lam.add_permission(
        FunctionName=f"thumbnails-{n}", StatementId="anyone", Action="lambda:InvokeFunctionUrl", Principal="*"
    )


def _apis(seeder: DemoSeeder, n: int) -> None:
    rest = seeder.client("apigateway")
    api = rest.create_rest_api(name=f"storefront-{n}", endpointConfiguration={"types": ["REGIONAL"]})["id"]
    root = rest.get_resources(restApiId=api)["items"][0]["id"]
    rest.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    rest.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = rest.create_deployment(restApiId=api)["id"]
    for stage, good in (("prod", True), ("test", False)):
        rest.create_stage(
            restApiId=api, stageName=stage, deploymentId=deployment, tracingEnabled=good, cacheClusterEnabled=True
        )
        rest.update_stage(
            restApiId=api,
            stageName=stage,
            patchOperations=[
                {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO" if good else "OFF"},
                {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
                {"op": "replace", "path": "/*/*/caching/dataEncrypted", "value": str(good).lower()},
            ],
        )
    waf = seeder.client("wafv2")
    visibility = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": f"storefront{n}"}
    acl = waf.create_web_acl(
        Name=f"storefront-{n}",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig=visibility,
        Rules=[
            {
                "Name": "common",
                "Priority": 1,
                "Statement": {
                    "ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}
                },
                "OverrideAction": {"None": {}},
                "VisibilityConfig": visibility | {"MetricName": f"common{n}"},
            }
        ],
    )["Summary"]["ARN"]
    waf.associate_web_acl(WebACLArn=acl, ResourceArn=f"arn:aws:apigateway:{seeder.home}::/restapis/{api}/stages/prod")
    waf.create_web_acl(
        Name=f"placeholder-{n}",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig=visibility | {"CloudWatchMetricsEnabled": False, "MetricName": f"placeholder{n}"},
    )
    v2 = seeder.client("apigatewayv2")
    http = v2.create_api(Name=f"mobile-{n}", ProtocolType="HTTP")["ApiId"]
    v2.create_stage(
        ApiId=http,
        StageName="$default",
        AccessLogSettings={
            "DestinationArn": f"arn:aws:logs:{seeder.home}:{seeder.account}:log-group:/apigw/mobile-{n}",
            "Format": "$context.requestId $context.identity.sourceIp $context.status",
        },
    )
    v2.create_route(ApiId=http, RouteKey="GET /items", AuthorizationType="AWS_IAM")
    v2.create_route(ApiId=http, RouteKey="POST /items", AuthorizationType="NONE")
    chat = v2.create_api(Name=f"chat-{n}", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")
    v2.create_stage(ApiId=chat["ApiId"], StageName="live", DefaultRouteSettings={"LoggingLevel": "ERROR"})


def _dns(seeder: DemoSeeder, n: int) -> None:
    route53, logs = seeder.client("route53"), seeder.client("logs", "us-east-1")
    group = f"/aws/route53/shop{n}.example.com"
    logs.create_log_group(logGroupName=group)
    logged = route53.create_hosted_zone(Name=f"shop{n}.example.com", CallerReference=f"shop-{n}")["HostedZone"]["Id"]
    route53.create_query_logging_config(
        HostedZoneId=logged.rsplit("/", 1)[-1],
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:us-east-1:{seeder.account}:log-group:{group}:*",
    )
    route53.create_hosted_zone(Name=f"legacy{n}.example.net", CallerReference=f"legacy-{n}")
    route53.create_hosted_zone(
        Name=f"corp{n}.internal",
        CallerReference=f"corp-{n}",
        HostedZoneConfig={"PrivateZone": True, "Comment": "internal names"},
        VPC={"VPCRegion": seeder.home, "VPCId": seeder.client("ec2").describe_vpcs()["Vpcs"][0]["VpcId"]},
    )


def _data(seeder: DemoSeeder, n: int) -> None:
    sfn = seeder.client("stepfunctions")
    definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
    role = f"arn:aws:iam::{seeder.account}:role/serverless-{n}"
    sfn.create_state_machine(
        name=f"fulfilment-{n}",
        definition=definition,
        roleArn=role,
        loggingConfiguration={
            "level": "ERROR",
            "includeExecutionData": False,
            "destinations": [
                {
                    "cloudWatchLogsLogGroup": {
                        "logGroupArn": f"arn:aws:logs:{seeder.home}:{seeder.account}:log-group:/sfn/f{n}:*"
                    }
                }
            ],
        },
        encryptionConfiguration={
            "type": "CUSTOMER_MANAGED_KMS_KEY",
            "kmsKeyId": f"arn:aws:kms:{seeder.home}:{seeder.account}:alias/fulfilment-{n}",
            "kmsDataKeyReusePeriodSeconds": 300,
        },
    )
    sfn.create_state_machine(name=f"nightly-batch-{n}", definition=definition, roleArn=role)
    dynamodb = seeder.client("dynamodb")
    key = {
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
    }
    dynamodb.create_table(TableName=f"orders-{n}", BillingMode="PAY_PER_REQUEST", DeletionProtectionEnabled=True, **key)
    dynamodb.update_continuous_backups(
        TableName=f"orders-{n}", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    dynamodb.create_table(
        TableName=f"sessions-{n}",
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        **key,
    )
    dax = seeder.client("dax")
    dax.create_cluster(
        ClusterName=f"catalog-cache-{n}",
        NodeType="dax.t3.small",
        ReplicationFactor=1,
        IamRoleArn=role,
        SSESpecification={"Enabled": True},
        ClusterEndpointEncryptionType="TLS",
    )
    dax.create_cluster(ClusterName=f"legacy-cache-{n}", NodeType="dax.t3.small", ReplicationFactor=1, IamRoleArn=role)
    kinesis = seeder.client("kinesis")
    kinesis.create_stream(StreamName=f"clickstream-{n}", ShardCount=1)
    kinesis.start_stream_encryption(StreamName=f"clickstream-{n}", EncryptionType="KMS", KeyId="alias/aws/kinesis")
    kinesis.increase_stream_retention_period(StreamName=f"clickstream-{n}", RetentionPeriodHours=168)
    kinesis.create_stream(StreamName=f"audit-feed-{n}", ShardCount=1)
    glue = seeder.client("glue")
    glue.create_job(
        Name=f"nightly-etl-{n}",
        Role=role,
        GlueVersion="4.0",
        Command={"Name": "glueetl", "ScriptLocation": f"s3://acme-etl-{n}/nightly.py", "PythonVersion": "3"},
    )
    glue.create_job(
        Name=f"legacy-etl-{n}",
        Role=role,
        GlueVersion="2.0",
        Command={"Name": "glueetl", "ScriptLocation": f"s3://acme-etl-{n}/legacy.py"},
    )
    glue.create_ml_transform(
        Name=f"dedupe-customers-{n}",
        Role=role,
        InputRecordTables=[{"DatabaseName": "crm", "TableName": "customers"}],
        Parameters={"TransformType": "FIND_MATCHES", "FindMatchesParameters": {"PrimaryKeyColumnName": "id"}},
        GlueVersion="2.0",
        MaxCapacity=2.0,
    )
    athena = seeder.client("athena")
    athena.create_work_group(
        Name=f"analysts-{n}",
        Configuration={
            "ResultConfiguration": {"OutputLocation": f"s3://acme-athena-{n}/analysts/"},
            "EnforceWorkGroupConfiguration": True,
            "PublishCloudWatchMetricsEnabled": True,
        },
    )
    athena.create_work_group(
        Name=f"adhoc-{n}",
        Configuration={
            "ResultConfiguration": {"OutputLocation": f"s3://acme-athena-{n}/adhoc/"},
            "PublishCloudWatchMetricsEnabled": False,
        },
    )


def _pipelines(seeder: DemoSeeder, n: int) -> None:
    """A release pipeline whose artifacts are under a customer key, and an older one on the AWS managed key."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = seeder.client("iam").create_role(RoleName=f"pipelines-{n}", AssumeRolePolicyDocument=json.dumps(trust))
    stages = [
        {
            "name": "Source",
            "actions": [
                {
                    "name": "checkout",
                    "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
                    "configuration": {"S3Bucket": f"acme-src-{n}", "S3ObjectKey": "app.zip"},
                    "outputArtifacts": [{"name": "src"}],
                }
            ],
        },
        {
            "name": "Build",
            "actions": [
                {
                    "name": "build",
                    "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
                    "configuration": {"ProjectName": f"app-{n}"},
                    "inputArtifacts": [{"name": "src"}],
                }
            ],
        },
    ]
    codepipeline = seeder.client("codepipeline")
    key = {"id": f"arn:aws:kms:{seeder.home}:{seeder.account}:alias/artifacts-{n}", "type": "KMS"}
    codepipeline.create_pipeline(
        pipeline={
            "name": f"release-{n}",
            "roleArn": role["Role"]["Arn"],
            "pipelineType": "V2",
            "executionMode": "QUEUED",
            "artifactStore": {"type": "S3", "location": f"acme-artifacts-{n}", "encryptionKey": key},
            "stages": stages,
        }
    )
    codepipeline.create_pipeline(
        pipeline={
            "name": f"legacy-release-{n}",
            "roleArn": role["Role"]["Arn"],
            "pipelineType": "V1",
            "executionMode": "SUPERSEDED",
            "artifactStore": {"type": "S3", "location": f"acme-artifacts-{n}"},
            "stages": stages,
        }
    )


def _seed(seeder: DemoSeeder, n: int) -> None:
    _lambda(seeder, n)
    _apis(seeder, n)
    _dns(seeder, n)
    _data(seeder, n)
    _pipelines(seeder, n)


PART = DemoPart(
    name="serverless",
    seed=_seed,
    recordings={
        "cloudfront": _record_cloudfront,
        "elasticbeanstalk": _record_beanstalk,
        "emr": _record_emr,
    },
    note=(
        "CloudFront distributions, Elastic Beanstalk environments and EMR clusters are recorded answers shaped as "
        "the AWS API references document them (moto drops CloudFront's origin access control and behaviours, has "
        "no Elastic Beanstalk DescribeConfigurationSettings and lists no EMR instances)."
    ),
)
