"""Serverless and edge services, each check shown passing and failing, observed and planned.

Lambda functions and their permissions, API Gateway REST and v2 APIs, Route 53
zones, WAF web ACLs, Step Functions, DynamoDB and DAX, Kinesis, Glue and
Athena are seeded in moto. CloudFront, Elastic Beanstalk and EMR are recorded
answers (moto drops CloudFront's origin access control and behaviours, has no
DescribeConfigurationSettings and lists no EMR instances), made with the
demo's builders (``unify/observe/demo_estate/serverless.py``).
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from typing import Any

from both_ways import ACCOUNT, FAIL, HOME, OUT, PASS, Estate, Planned, Seeder
from unify.model.snapshot import Snapshot
from unify.observe.demo_estate.serverless import (
    beanstalk_environment,
    distribution,
    emr_cluster,
    record_beanstalk,
    record_cloudfront,
    record_emr,
)
from unify.observe.recorded import RecordedAnswers

ROLE = f"arn:aws:iam::{ACCOUNT}:role/serverless-exec"
LOGS = f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return {'ok': True}\n")
    return buffer.getvalue()


def _rebuilt(snapshot: Snapshot, resources: list[dict[str, Any]]) -> Snapshot:
    return Snapshot.build(resources=resources, coverage=snapshot.coverage, scope=snapshot.scope,
                          source=snapshot.data["source"], taken_at=snapshot.data["taken_at"])


# -- Lambda ---------------------------------------------------------------------------------------

SUBNETS = {"a": "subnet-0a11111111111111a", "b": "subnet-0b22222222222222b"}


def functions(seeder: Seeder) -> None:
    iam, ec2, lam = seeder.client("iam"), seeder.client("ec2"), seeder.client("lambda")
    iam.create_role(RoleName="serverless-exec", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i}.0/24", AvailabilityZone=f"{HOME}{zone}")["Subnet"]["SubnetId"]
               for i, zone in enumerate("ab")]
    lam.create_function(FunctionName="orders-api", Runtime="python3.12", Role=ROLE, Handler="index.handler",
                        Code={"ZipFile": _zip()}, VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": []})
    lam.add_permission(FunctionName="orders-api", StatementId="s3-invoke", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::acme-uploads", SourceAccount=ACCOUNT)
    lam.create_function_url_config(FunctionName="orders-api", AuthType="AWS_IAM")
    lam.create_function(FunctionName="legacy-report", Runtime="python3.8", Role=ROLE, Handler="index.handler",
                        Code={"ZipFile": _zip()}, VpcConfig={"SubnetIds": subnets[:1], "SecurityGroupIds": []})
    lam.add_permission(FunctionName="legacy-report", StatementId="anyone", Action="lambda:InvokeFunction", Principal="*")
    lam.create_function(FunctionName="cron-tick", Runtime="nodejs22.x", Role=ROLE, Handler="index.handler",
                        Code={"ZipFile": _zip()})
    # Invoke granted to a named account, and to "*" restricted to this account by a condition: neither is public.
    for name, statement, extra in (("partner-invoke", "partner", {"Principal": "111122223333"}),
                                   ("account-scoped", "own-account", {"Principal": "*", "SourceAccount": ACCOUNT})):
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="index.handler",
                            Code={"ZipFile": _zip()})
        lam.add_permission(FunctionName=name, StatementId=statement, Action="lambda:InvokeFunction", **extra)


def _function(name: str, runtime: str, subnets: list[str] | None) -> Planned:
    values: dict[str, Any] = {"function_name": name, "runtime": runtime, "handler": "index.handler", "role": ROLE,
                              "package_type": "Zip", "memory_size": 128, "timeout": 3, "architectures": ["x86_64"],
                              "environment": [], "tracing_config": [{"mode": "PassThrough"}]}
    values["vpc_config"] = [] if subnets is None else [{"subnet_ids": subnets, "security_group_ids": []}]
    return Planned("aws_lambda_function", name, values, unknown=("arn", "id", "last_modified", "qualified_arn"))


FUNCTION_PLAN = [
    _function("orders-api", "python3.12", [SUBNETS["a"], SUBNETS["b"]]),
    _function("legacy-report", "python3.8", [SUBNETS["a"]]),
    _function("cron-tick", "nodejs22.x", None),
    _function("partner-invoke", "python3.12", None),
    _function("account-scoped", "python3.12", None),
    Planned("aws_lambda_permission", "partner", {
        "statement_id": "partner", "function_name": "partner-invoke", "action": "lambda:InvokeFunction",
        "principal": "111122223333"}, unknown=("id",)),
    Planned("aws_lambda_permission", "own-account", {
        "statement_id": "own-account", "function_name": "account-scoped", "action": "lambda:InvokeFunction",
        "principal": "*", "source_account": ACCOUNT}, unknown=("id",)),
    Planned("aws_lambda_permission", "s3-invoke", {
        "statement_id": "s3-invoke", "function_name": "orders-api", "action": "lambda:InvokeFunction",
        "principal": "s3.amazonaws.com", "source_arn": "arn:aws:s3:::acme-uploads", "source_account": ACCOUNT},
        unknown=("id",)),
    Planned("aws_lambda_permission", "anyone", {
        "statement_id": "anyone", "function_name": "legacy-report", "action": "lambda:InvokeFunction",
        "principal": "*"}, unknown=("id",)),
    Planned("aws_lambda_function_url", "orders-api-url", {"function_name": "orders-api", "authorization_type": "AWS_IAM"},
            unknown=("function_arn", "function_url", "url_id", "id")),
]

# -- API Gateway ----------------------------------------------------------------------------------


def rest_api(seeder: Seeder) -> None:
    rest = seeder.client("apigateway")
    api = rest.create_rest_api(name="orders", endpointConfiguration={"types": ["REGIONAL"]})["id"]
    root = rest.get_resources(restApiId=api)["items"][0]["id"]
    rest.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    rest.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = rest.create_deployment(restApiId=api)["id"]
    for stage, good in (("prod", True), ("dev", False)):
        rest.create_stage(restApiId=api, stageName=stage, deploymentId=deployment, tracingEnabled=good,
                          cacheClusterEnabled=True, cacheClusterSize="0.5")
        rest.update_stage(restApiId=api, stageName=stage, patchOperations=[
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO" if good else "OFF"},
            {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
            {"op": "replace", "path": "/*/*/caching/dataEncrypted", "value": str(good).lower()}])
    waf = seeder.client("wafv2")
    visibility = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "orders"}
    acl = waf.create_web_acl(Name="orders-api", Scope="REGIONAL", DefaultAction={"Allow": {}},
                             VisibilityConfig=visibility)["Summary"]["ARN"]
    waf.associate_web_acl(WebACLArn=acl, ResourceArn=f"arn:aws:apigateway:{HOME}::/restapis/{api}/stages/prod")


def backend_certificate(snapshot: Snapshot) -> Snapshot:
    # moto ignores clientCertificateId on CreateStage and UpdateStage; GetStages reports it on AWS once set.
    resources = copy.deepcopy(snapshot.data["resources"])
    for resource in resources:
        if resource["type"] == "aws_api_gateway_stage" and resource["name"] == "prod":
            resource["attributes"]["client_certificate_id"] = "q1w2e3"
    return _rebuilt(snapshot, resources)


def _stage(name: str, good: bool) -> list[Planned]:
    stage: dict[str, Any] = {"stage_name": name, "xray_tracing_enabled": good, "cache_cluster_enabled": True,
                             "cache_cluster_size": "0.5", "access_log_settings": [], "tags": {}}
    if good:
        stage["client_certificate_id"] = "q1w2e3"
    settings = {"logging_level": "INFO" if good else "OFF", "metrics_enabled": False, "data_trace_enabled": False,
                "caching_enabled": True, "cache_data_encrypted": good}
    return [
        Planned("aws_api_gateway_stage", name, stage,
                unknown=("rest_api_id", "deployment_id", "arn", "id", "web_acl_arn", "execution_arn", "invoke_url")),
        Planned("aws_api_gateway_method_settings", f"{name}-all-methods",
                {"stage_name": name, "method_path": "*/*", "settings": [settings]}, unknown=("rest_api_id", "id")),
    ]


REST_PLAN = [
    Planned("aws_api_gateway_rest_api", "orders-api", {"name": "orders", "endpoint_configuration": [
        {"types": ["REGIONAL"], "vpc_endpoint_ids": []}]}, unknown=("id", "arn", "root_resource_id", "created_date")),
    *_stage("prod", True),
    *_stage("dev", False),
    Planned("aws_wafv2_web_acl_association", "prod-waf", {}, unknown=("resource_arn", "web_acl_arn", "id")),
]


def http_apis(seeder: Seeder) -> None:
    v2 = seeder.client("apigatewayv2")
    web = v2.create_api(Name="web", ProtocolType="HTTP")["ApiId"]
    v2.create_stage(ApiId=web, StageName="web-live", AccessLogSettings={
        "DestinationArn": f"{LOGS}:/apigw/web", "Format": "$context.requestId $context.status"})
    arn = f"arn:aws:apigateway:{HOME}::/apis/{web}/routes"
    read = v2.create_route(ApiId=web, RouteKey="GET /orders", AuthorizationType="AWS_IAM")["RouteId"]
    write = v2.create_route(ApiId=web, RouteKey="POST /orders", AuthorizationType="NONE")["RouteId"]
    seeder.ids.update({"orders-read": f"{arn}/{read}", "orders-write": f"{arn}/{write}"})
    chat = v2.create_api(Name="chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")["ApiId"]
    v2.create_stage(ApiId=chat, StageName="ws-live", DefaultRouteSettings={"LoggingLevel": "ERROR"})
    v2.create_stage(ApiId=chat, StageName="ws-dev")


HTTP_PLAN = [
    Planned("aws_apigatewayv2_api", "web", {"name": "web", "protocol_type": "HTTP"}, unknown=("id", "arn", "api_endpoint")),
    Planned("aws_apigatewayv2_api", "chat", {"name": "chat", "protocol_type": "WEBSOCKET",
                                             "route_selection_expression": "$request.body.action"},
            unknown=("id", "arn", "api_endpoint")),
    Planned("aws_apigatewayv2_stage", "web-live", {"name": "web-live", "access_log_settings": [
        {"destination_arn": f"{LOGS}:/apigw/web", "format": "$context.requestId $context.status"}]},
        unknown=("api_id", "arn", "id", "invoke_url")),
    Planned("aws_apigatewayv2_stage", "ws-live", {"name": "ws-live", "access_log_settings": [], "default_route_settings": [
        {"logging_level": "ERROR", "data_trace_enabled": False, "detailed_metrics_enabled": False}]},
        unknown=("api_id", "arn", "id", "invoke_url")),
    Planned("aws_apigatewayv2_stage", "ws-dev", {"name": "ws-dev", "access_log_settings": []},
            unknown=("api_id", "arn", "id", "invoke_url")),
    Planned("aws_apigatewayv2_route", "orders-read", {"route_key": "GET /orders", "authorization_type": "AWS_IAM"},
            unknown=("api_id", "id")),
    Planned("aws_apigatewayv2_route", "orders-write", {"route_key": "POST /orders"}, unknown=("api_id", "id")),
]

# -- CloudFront (recorded) ------------------------------------------------------------------------

CERT = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/0d7c1b2a-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
ACL = f"arn:aws:wafv2:us-east-1:{ACCOUNT}:global/webacl/edge/7a1b2c3d-4e5f-4061-8a9b-0c1d2e3f4a5b"
SITE_BUCKET = "acme-site.s3.us-east-1.amazonaws.com"
LAMBDA_URL = "abcdefghij0123456789klmnopqrstuv.lambda-url.us-east-1.on.aws"
DISTRIBUTIONS = {
    "site": distribution(
        "E1SITE0000001", origins=(
            {"id": "site", "domain": SITE_BUCKET, "oac": "E2OACSITE"},
            {"id": "site-dr", "domain": "acme-site-dr.s3.us-west-2.amazonaws.com", "oac": "E2OACSITE"},
            {"id": "render", "domain": LAMBDA_URL, "oac": "E2OACLAMBDA", "custom": ("https-only", ["TLSv1.2"])}),
        ordered=(("/render/*", "render", "https-only"),), groups=(("site-failover", ("site", "site-dr")),),
        log_bucket="acme-cdn-logs.s3.amazonaws.com", web_acl=ACL, certificate=CERT, root_object="index.html"),
    "legacy": distribution(
        "E2LEGACY00002", origins=(
            {"id": "promo", "domain": "acme-promo.s3.amazonaws.com", "oai": "origin-access-identity/cloudfront/E3OAI"},
            {"id": "old-api", "domain": "promo-api.acme.example", "custom": ("http-only", ["SSLv3", "TLSv1"])},
            {"id": "render", "domain": LAMBDA_URL, "custom": ("https-only", ["TLSv1.2"])}),
        viewer="allow-all", ordered=(("/api/*", "old-api", "allow-all"),)),
    "vip": distribution(
        "E3VIP00000003", origins=({"id": "app", "domain": "app.acme.example", "custom": ("match-viewer", ["TLSv1.2"])},),
        log_bucket="acme-cdn-logs.s3.amazonaws.com", web_acl=ACL, certificate=CERT, ssl_method="vip", tls="TLSv1"),
    "old-tls": distribution(
        "E4OLDTLS00004", origins=({"id": "app", "domain": "app.acme.example", "custom": ("https-only", ["TLSv1.2"])},),
        log_bucket="acme-cdn-logs.s3.amazonaws.com", web_acl=ACL, certificate=CERT, tls="TLSv1_2016"),
}


def _record_cloudfront(answers: RecordedAnswers, region: str) -> None:
    record_cloudfront(answers, list(DISTRIBUTIONS.values()))


def cloudfront(seeder: Seeder) -> None:
    seeder.ids.update({key: summary["ARN"] for key, (summary, _) in DISTRIBUTIONS.items()})


def _tf_origin(origin: dict[str, Any]) -> dict[str, Any]:
    custom = origin.get("CustomOriginConfig")
    return {
        "origin_id": origin["Id"], "domain_name": origin["DomainName"], "origin_path": "",
        "origin_access_control_id": origin.get("OriginAccessControlId", ""), "connection_attempts": 3,
        "connection_timeout": 10, "custom_header": [], "origin_shield": [],
        "s3_origin_config": [] if custom else [
            {"origin_access_identity": origin["S3OriginConfig"]["OriginAccessIdentity"]}],
        "custom_origin_config": [] if not custom else [{
            "http_port": 80, "https_port": 443, "origin_protocol_policy": custom["OriginProtocolPolicy"],
            "origin_ssl_protocols": custom["OriginSslProtocols"]["Items"], "origin_keepalive_timeout": 5,
            "origin_read_timeout": 30}],
    }


def _tf_behavior(behavior: dict[str, Any]) -> dict[str, Any]:
    out = {"target_origin_id": behavior["TargetOriginId"], "viewer_protocol_policy": behavior["ViewerProtocolPolicy"],
           "allowed_methods": ["GET", "HEAD"], "cached_methods": ["GET", "HEAD"], "compress": True,
           "cache_policy_id": behavior["CachePolicyId"], "forwarded_values": [], "function_association": [],
           "lambda_function_association": [], "min_ttl": 0, "default_ttl": 0, "max_ttl": 0}
    if "PathPattern" in behavior:
        out["path_pattern"] = behavior["PathPattern"]
    return out


def _tf_distribution(key: str) -> Planned:
    _, config = DISTRIBUTIONS[key]
    certificate = config["ViewerCertificate"]
    logging = config["Logging"]
    values = {
        "enabled": True, "comment": config["Comment"], "default_root_object": config["DefaultRootObject"],
        "aliases": config["Aliases"].get("Items", []), "http_version": "http2", "is_ipv6_enabled": True,
        "price_class": "PriceClass_100", "web_acl_id": config["WebACLId"],
        "origin": [_tf_origin(o) for o in config["Origins"]["Items"]],
        "origin_group": [{"origin_id": g["Id"], "failover_criteria": [{"status_codes": [500, 503]}],
                          "member": [{"origin_id": m["OriginId"]} for m in g["Members"]["Items"]]}
                         for g in config["OriginGroups"].get("Items", [])],
        "default_cache_behavior": [_tf_behavior(config["DefaultCacheBehavior"])],
        "ordered_cache_behavior": [_tf_behavior(b) for b in config["CacheBehaviors"].get("Items", [])],
        "logging_config": [{"bucket": logging["Bucket"], "include_cookies": False, "prefix": logging["Prefix"]}]
        if logging["Enabled"] else [],
        "viewer_certificate": [{
            "cloudfront_default_certificate": certificate["CloudFrontDefaultCertificate"],
            "acm_certificate_arn": certificate.get("ACMCertificateArn", ""), "iam_certificate_id": "",
            "minimum_protocol_version": certificate["MinimumProtocolVersion"],
            "ssl_support_method": certificate.get("SSLSupportMethod", "")}],
        "restrictions": [{"geo_restriction": [{"restriction_type": "none", "locations": []}]}],
        "custom_error_response": [], "retain_on_delete": False, "wait_for_deployment": True, "tags": {},
    }
    return Planned("aws_cloudfront_distribution", key, values,
                   unknown=("id", "arn", "domain_name", "status", "etag", "hosted_zone_id", "last_modified_time"))


def _cf(**verdicts: str | None) -> dict[str, str | None]:
    return {key.replace("_", "-"): verdict for key, verdict in verdicts.items()}


# -- Route 53 -------------------------------------------------------------------------------------


def zones(seeder: Seeder) -> None:
    route53, logs = seeder.client("route53"), seeder.client("logs")
    logs.create_log_group(logGroupName="/aws/route53/example.com")
    logged = route53.create_hosted_zone(Name="example.com", CallerReference="public-logged")["HostedZone"]["Id"]
    route53.create_query_logging_config(HostedZoneId=logged.rsplit("/", 1)[-1],
                                        CloudWatchLogsLogGroupArn=f"{LOGS}:/aws/route53/example.com:*")
    silent = route53.create_hosted_zone(Name="shop.example.org", CallerReference="public-silent")["HostedZone"]["Id"]
    vpc = seeder.client("ec2").create_vpc(CidrBlock="10.41.0.0/16")["Vpc"]["VpcId"]
    private = route53.create_hosted_zone(Name="internal.example", CallerReference="private",
                                         HostedZoneConfig={"PrivateZone": True, "Comment": "corp"},
                                         VPC={"VPCRegion": HOME, "VPCId": vpc})["HostedZone"]["Id"]
    seeder.ids.update({key: f"arn:aws:route53:::hostedzone/{zone.rsplit('/', 1)[-1]}" for key, zone in (
        ("public-logged", logged), ("public-silent", silent), ("private", private))})


ZONE_PLAN = [
    # The logged zone exists already; the plan adds its query logging, naming it by its id.
    Planned("aws_route53_zone", "public-logged", {"name": "example.com", "zone_id": "Z0EXAMPLECOM01", "id": "Z0EXAMPLECOM01",
                                                  "arn": "arn:aws:route53:::hostedzone/Z0EXAMPLECOM01",
                                                  "comment": "Managed by Terraform", "vpc": [], "tags": {}},
            actions=("no-op",)),
    Planned("aws_route53_query_log", "example-com-queries", {"zone_id": "Z0EXAMPLECOM01",
                                                             "cloudwatch_log_group_arn": f"{LOGS}:/aws/route53/example.com:*"},
            unknown=("id", "arn")),
    Planned("aws_route53_zone", "public-silent", {"name": "shop.example.org", "vpc": [], "comment": "Managed by Terraform"},
            unknown=("zone_id", "id", "arn", "name_servers")),
    Planned("aws_route53_zone", "private", {"name": "internal.example", "comment": "corp", "vpc": [
        {"vpc_id": "vpc-0c0ffee0c0ffee000", "vpc_region": HOME}]}, unknown=("zone_id", "id", "arn", "name_servers")),
]

# -- WAF ------------------------------------------------------------------------------------------


def _visibility(name: str, metrics: bool) -> dict[str, Any]:
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": metrics, "MetricName": name}


def _managed_rule(name: str, metrics: bool) -> dict[str, Any]:
    return {"Name": name, "Priority": 1, "OverrideAction": {"None": {}}, "VisibilityConfig": _visibility(name, metrics),
            "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}}}


WEB_ACLS = {"edge-protect": (True, True), "empty-acl": (None, False), "quiet-acl": (False, True)}
#: The web ACLs that log; the plan adds their logging configuration to ACLs that already exist.
WAF_LOGGED = ("edge-protect", "quiet-acl")


def web_acls(seeder: Seeder) -> None:
    waf = seeder.client("wafv2")
    for name, (rule_metrics, acl_metrics) in WEB_ACLS.items():
        rules = [] if rule_metrics is None else [_managed_rule(f"{name}-common", rule_metrics)]
        acl = waf.create_web_acl(Name=name, Scope="REGIONAL", DefaultAction={"Allow": {}},
                                 VisibilityConfig=_visibility(name, acl_metrics), Rules=rules)["Summary"]
        if name in WAF_LOGGED:
            waf.put_logging_configuration(LoggingConfiguration={
                "ResourceArn": acl["ARN"], "LogDestinationConfigs": [f"{LOGS}:aws-waf-logs-{name}"]})


def _tf_visibility(name: str, metrics: bool) -> list[dict[str, Any]]:
    return [{"cloudwatch_metrics_enabled": metrics, "metric_name": name, "sampled_requests_enabled": True}]


def _acl_arn(name: str) -> str:
    return f"arn:aws:wafv2:{HOME}:{ACCOUNT}:regional/webacl/{name}/{name}-0000-4000-8000-000000000000"


WAF_PLAN = [
    Planned("aws_wafv2_web_acl", name, {
        "name": name, "scope": "REGIONAL", "description": "", "tags": {},
        "arn": _acl_arn(name), "id": f"{name}-0000-4000-8000-000000000000",
        "default_action": [{"allow": [{"custom_request_handling": []}], "block": []}],
        "visibility_config": _tf_visibility(name, acl_metrics),
        "rule": [] if rule_metrics is None else [{
            "name": f"{name}-common", "priority": 1, "action": [], "captcha_config": [], "rule_label": [],
            "override_action": [{"none": [{}], "count": []}],
            "statement": [{"managed_rule_group_statement": [{"name": "AWSManagedRulesCommonRuleSet", "vendor_name": "AWS",
                                                             "rule_action_override": [], "scope_down_statement": []}]}],
            "visibility_config": _tf_visibility(f"{name}-common", rule_metrics)}],
    }, unknown=("capacity", "lock_token"), actions=("update",))
    for name, (rule_metrics, acl_metrics) in WEB_ACLS.items()
] + [
    Planned("aws_wafv2_web_acl_logging_configuration", f"{name}-logs", {
        "resource_arn": _acl_arn(name), "log_destination_configs": [f"{LOGS}:aws-waf-logs-{name}"],
        "logging_filter": [], "redacted_fields": []}, unknown=("id",))
    for name in WAF_LOGGED
]

# -- Step Functions -------------------------------------------------------------------------------

DEFINITION = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})


def state_machines(seeder: Seeder) -> None:
    sfn = seeder.client("stepfunctions")
    sfn.create_state_machine(name="orders-flow", definition=DEFINITION, roleArn=ROLE, loggingConfiguration={
        "level": "ERROR", "includeExecutionData": False,
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": f"{LOGS}:/sfn/orders-flow:*"}}]},
        encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": SFN_KEY,
                                 "kmsDataKeyReusePeriodSeconds": 300})
    sfn.create_state_machine(name="batch-flow", definition=DEFINITION, roleArn=ROLE)


SFN_KEY = f"arn:aws:kms:{HOME}:{ACCOUNT}:key/5f0c2a4e-0d2b-4c59-9a53-1e7c8f6b2d11"


def _machine(name: str, level: str, destination: str, encryption: dict[str, Any]) -> Planned:
    return Planned("aws_sfn_state_machine", name, {
        "name": name, "role_arn": ROLE, "definition": DEFINITION, "type": "STANDARD", "publish": False,
        "logging_configuration": [{"level": level, "include_execution_data": False, "log_destination": destination}],
        "tracing_configuration": [{"enabled": False}], "encryption_configuration": [encryption], "tags": {}},
        unknown=("arn", "id", "creation_date", "status", "revision_id"))


SFN_PLAN = [
    _machine("orders-flow", "ERROR", f"{LOGS}:/sfn/orders-flow:*",
             {"type": "CUSTOMER_MANAGED_KMS_KEY", "kms_key_id": SFN_KEY, "kms_data_key_reuse_period_seconds": 300}),
    _machine("batch-flow", "OFF", "", {"type": "AWS_OWNED_KEY"}),
]

# -- DynamoDB and DAX -----------------------------------------------------------------------------

KEY = {"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
       "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}


def tables(seeder: Seeder) -> None:
    dynamodb, dax = seeder.client("dynamodb"), seeder.client("dax")
    dynamodb.create_table(TableName="orders", BillingMode="PAY_PER_REQUEST", DeletionProtectionEnabled=True, **KEY)
    dynamodb.update_continuous_backups(TableName="orders",
                                       PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    dynamodb.create_table(TableName="sessions", BillingMode="PROVISIONED",
                          ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}, **KEY)
    dax.create_cluster(ClusterName="cache-secure", NodeType="dax.t3.small", ReplicationFactor=1, IamRoleArn=ROLE,
                       SSESpecification={"Enabled": True}, ClusterEndpointEncryptionType="TLS")
    dax.create_cluster(ClusterName="cache-plain", NodeType="dax.t3.small", ReplicationFactor=1, IamRoleArn=ROLE)


def _table(name: str, protected: bool) -> Planned:
    values: dict[str, Any] = {
        "name": name, "hash_key": "id", "attribute": [{"name": "id", "type": "S"}],
        "billing_mode": "PAY_PER_REQUEST" if protected else "PROVISIONED",
        "deletion_protection_enabled": protected, "point_in_time_recovery": [{"enabled": protected}],
        "server_side_encryption": [], "stream_enabled": False, "tags": {}}
    if not protected:
        values.update(read_capacity=5, write_capacity=5)
    return Planned("aws_dynamodb_table", name, values, unknown=("arn", "id", "stream_arn", "stream_label"))


def _dax(name: str, encrypted: bool) -> Planned:
    values: dict[str, Any] = {"cluster_name": name, "node_type": "dax.t3.small", "replication_factor": 1,
                              "iam_role_arn": ROLE, "tags": {},
                              "server_side_encryption": [{"enabled": True}] if encrypted else []}
    if encrypted:
        values["cluster_endpoint_encryption_type"] = "TLS"
    return Planned("aws_dax_cluster", name, values, unknown=("arn", "id", "nodes", "port", "configuration_endpoint"))


TABLE_PLAN = [_table("orders", True), _table("sessions", False), _dax("cache-secure", True), _dax("cache-plain", False)]


def scaled_tables(seeder: Seeder) -> None:
    dynamodb, scaling = seeder.client("dynamodb"), seeder.client("application-autoscaling")
    dynamodb.create_table(TableName="orders-ondemand", BillingMode="PAY_PER_REQUEST", **KEY)
    for name in ("carts", "audit-log"):
        dynamodb.create_table(TableName=name, BillingMode="PROVISIONED",
                              ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}, **KEY)
    for dimension in ("ReadCapacityUnits", "WriteCapacityUnits"):
        scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/carts", MinCapacity=5,
                                         MaxCapacity=100, ScalableDimension=f"dynamodb:table:{dimension}")
    # An index that scales does not make its table scale.
    scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/audit-log/index/by-day",
                                     MinCapacity=5, MaxCapacity=50, ScalableDimension="dynamodb:index:ReadCapacityUnits")

# -- Kinesis, Glue, Athena ------------------------------------------------------------------------


def streams(seeder: Seeder) -> None:
    kinesis = seeder.client("kinesis")
    kinesis.create_stream(StreamName="events", ShardCount=1)
    kinesis.start_stream_encryption(StreamName="events", EncryptionType="KMS", KeyId="alias/aws/kinesis")
    kinesis.increase_stream_retention_period(StreamName="events", RetentionPeriodHours=168)
    kinesis.create_stream(StreamName="raw", ShardCount=1)


STREAM_PLAN = [
    Planned("aws_kinesis_stream", "events", {"name": "events", "shard_count": 1, "retention_period": 168,
                                             "encryption_type": "KMS", "kms_key_id": "alias/aws/kinesis", "tags": {},
                                             "stream_mode_details": [{"stream_mode": "PROVISIONED"}]}, unknown=("arn", "id")),
    Planned("aws_kinesis_stream", "raw", {"name": "raw", "shard_count": 1, "tags": {},
                                          "stream_mode_details": [{"stream_mode": "PROVISIONED"}]}, unknown=("arn", "id")),
]

GLUE_JOBS = {"nightly-etl": ("glueetl", "4.0"), "legacy-etl": ("glueetl", "2.0"), "shell-task": ("pythonshell", "1.0")}


def glue(seeder: Seeder) -> None:
    client = seeder.client("glue")
    for name, (kind, version) in GLUE_JOBS.items():
        client.create_job(Name=name, Role=ROLE, GlueVersion=version, DefaultArguments={"--TempDir": "s3://acme-tmp/"},
                          Command={"Name": kind, "ScriptLocation": f"s3://acme-etl/{name}.py", "PythonVersion": "3"})
    for name, mode in (("dedupe-secure", "SSE-KMS"), ("dedupe-plain", "DISABLED")):
        encryption: dict[str, Any] = {"MlUserDataEncryptionMode": mode}
        if mode == "SSE-KMS":
            encryption["KmsKeyId"] = f"arn:aws:kms:{HOME}:{ACCOUNT}:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
        client.create_ml_transform(
            Name=name, Role=ROLE, GlueVersion="2.0", MaxCapacity=2.0,
            InputRecordTables=[{"DatabaseName": "crm", "TableName": "customers"}],
            Parameters={"TransformType": "FIND_MATCHES", "FindMatchesParameters": {"PrimaryKeyColumnName": "id"}},
            TransformEncryption={"MlUserDataEncryption": encryption})


GLUE_PLAN = [
    *[Planned("aws_glue_job", name, {"name": name, "role_arn": ROLE, "glue_version": version,
                                     "default_arguments": {"--TempDir": "s3://acme-tmp/"}, "tags": {},
                                     "command": [{"name": kind, "script_location": f"s3://acme-etl/{name}.py",
                                                  "python_version": "3"}]}, unknown=("arn", "id"))
      for name, (kind, version) in GLUE_JOBS.items()],
    *[Planned("aws_glue_ml_transform", name, {
        "name": name, "role_arn": ROLE, "glue_version": "2.0", "max_capacity": 2, "tags": {},
        "input_record_tables": [{"database_name": "crm", "table_name": "customers", "catalog_id": "", "connection_name": ""}],
        "parameters": [{"transform_type": "FIND_MATCHES", "find_matches_parameters": [{"primary_key_column_name": "id"}]}]},
        unknown=("arn", "id", "label_count", "schema")) for name in ("dedupe-secure", "dedupe-plain")],
]


def workgroups(seeder: Seeder) -> None:
    athena = seeder.client("athena")
    for name, metrics in (("analysts", True), ("adhoc", False)):
        athena.create_work_group(Name=name, Configuration={
            "ResultConfiguration": {"OutputLocation": f"s3://acme-athena/{name}/"},
            "EnforceWorkGroupConfiguration": True, "PublishCloudWatchMetricsEnabled": metrics})


WORKGROUP_PLAN = [
    Planned("aws_athena_workgroup", name, {"name": name, "state": "ENABLED", "force_destroy": False, "tags": {},
                                           "configuration": [{
                                               "enforce_workgroup_configuration": True,
                                               "publish_cloudwatch_metrics_enabled": metrics,
                                               "result_configuration": [{"output_location": f"s3://acme-athena/{name}/",
                                                                         "encryption_configuration": []}]}]},
            unknown=("arn", "id")) for name, metrics in (("analysts", True), ("adhoc", False))]

# -- Elastic Beanstalk and EMR (recorded) ---------------------------------------------------------

ENVIRONMENTS = (
    beanstalk_environment("web-prod", "storefront", health="enhanced", managed_updates=True, stream_logs=True),
    beanstalk_environment("web-legacy", "storefront", health="basic", managed_updates=False, stream_logs=False),
)


def _record_beanstalk(answers: RecordedAnswers, region: str) -> None:
    record_beanstalk(answers, ENVIRONMENTS)


def _environment(name: str, good: bool) -> Planned:
    settings = [{"namespace": "aws:elasticbeanstalk:healthreporting:system", "name": "SystemType",
                 "value": "enhanced" if good else "basic", "resource": ""},
                {"namespace": "aws:elasticbeanstalk:application:environment", "name": "DATABASE_URL",
                 "value": "postgres://app@orders.internal/orders", "resource": ""}]
    if good:  # the legacy environment leaves the other two to the API's defaults: off
        settings += [{"namespace": "aws:elasticbeanstalk:managedactions", "name": "ManagedActionsEnabled",
                      "value": "true", "resource": ""},
                     {"namespace": "aws:elasticbeanstalk:cloudwatch:logs", "name": "StreamLogs", "value": "true",
                      "resource": ""}]
    return Planned("aws_elastic_beanstalk_environment", name, {
        "name": name, "application": "storefront", "tier": "WebServer", "tags": {},
        "solution_stack_name": "64bit Amazon Linux 2023 v4.3.0 running Python 3.12", "setting": settings},
        unknown=("arn", "id", "all_settings", "cname", "endpoint_url"))


def _record_emr_on(answers: RecordedAnswers, region: str) -> None:
    record_emr(answers, (emr_cluster("j-1PRIVATE00001", "analytics-private", region=region),
                         emr_cluster("j-2PUBLIC000002", "adhoc-public", state="RUNNING", public_ip="54.210.1.7",
                                     region=region)), block_public_access=True)


def _record_emr_off(answers: RecordedAnswers, region: str) -> None:
    record_emr(answers, (), block_public_access=False, permitted_ports=())


def _bpa_key(key: str) -> Any:
    def seed(seeder: Seeder) -> None:
        seeder.ids[key] = f"{ACCOUNT}/{HOME}/aws_emr_block_public_access_configuration"
    return seed


def _emr_cluster(name: str) -> Planned:
    return Planned("aws_emr_cluster", name, {
        "name": name, "release_label": "emr-7.2.0", "service_role": "EMR_DefaultRole", "applications": ["Spark", "Hadoop"],
        "termination_protection": True, "tags": {"team": "analytics"},
        "ec2_attributes": [{"subnet_id": "subnet-0a1b2c3d4e5f60718", "instance_profile": "EMR_EC2_DefaultRole"}]},
        unknown=("id", "arn", "cluster_state", "master_public_dns"))


def _bpa(name: str, on: bool) -> Planned:
    return Planned("aws_emr_block_public_access_configuration", name, {
        "block_public_security_group_rules": on,
        "permitted_public_security_group_rule_range": [{"min_range": 22, "max_range": 22}] if on else []},
        unknown=("id",))


ESTATES = [
    Estate(
        "lambda-functions",
        functions,
        expect={
            "lambda-not-public": {"orders-api": PASS, "legacy-report": FAIL, "cron-tick": PASS, "partner-invoke": PASS,
                                  "account-scoped": PASS},
            "lambda-permission-not-public": {"s3-invoke": PASS, "anyone": FAIL, "partner": PASS, "own-account": PASS},
            "lambda-function-supported-runtime": {"orders-api": PASS, "legacy-report": FAIL, "cron-tick": PASS},
            "lambda-function-multi-az": {"orders-api": PASS, "legacy-report": FAIL, "cron-tick": OUT},
        },
        plan=FUNCTION_PLAN,
        live_only={
            "lambda-not-public": "the function's resource policy is GetPolicy's; a plan has its permissions only",
            "lambda-function-multi-az": "the Availability Zones of the subnets are read from EC2, not from the plan",
        },
    ),
    Estate(
        "api-gateway-rest-stages",
        rest_api,
        expect={
            "apigateway-stage-execution-logging": {"prod": PASS, "dev": FAIL},
            "apigateway-stage-backend-certificate": {"prod": PASS, "dev": FAIL},
            "apigateway-stage-xray-tracing": {"prod": PASS, "dev": FAIL},
            "apigateway-stage-waf": {"prod": PASS, "dev": FAIL},
            "apigateway-stage-cache-encrypted": {"prod": PASS, "dev": FAIL},
        },
        plan=REST_PLAN,
        edit=backend_certificate,
        live_only={"apigateway-stage-waf": "a stage's web_acl_arn is computed: a plan knows it only after apply"},
    ),
    Estate(
        "api-gateway-v2",
        http_apis,
        expect={
            "apigatewayv2-stage-access-logging": {"web-live": PASS, "ws-live": FAIL, "ws-dev": FAIL},
            "apigatewayv2-websocket-stage-execution-logging": {"web-live": OUT, "ws-live": PASS, "ws-dev": FAIL},
            "apigatewayv2-route-authorization": {"orders-read": PASS, "orders-write": FAIL},
        },
        plan=HTTP_PLAN,
        live_only={"apigatewayv2-websocket-stage-execution-logging":
                   "a Terraform stage does not say whether its API is a WebSocket API"},
    ),
    Estate(
        "cloudfront-distributions",
        cloudfront,
        recordings={"cloudfront": _record_cloudfront},
        expect={
            "cloudfront-logging": _cf(site=PASS, legacy=FAIL, vip=PASS, old_tls=PASS),
            "cloudfront-default-root-object": _cf(site=PASS, legacy=FAIL, vip=OUT, old_tls=OUT),
            "cloudfront-viewer-https": _cf(site=PASS, legacy=FAIL, vip=PASS, old_tls=PASS),
            "cloudfront-origin-failover": _cf(site=PASS, legacy=FAIL, vip=FAIL, old_tls=FAIL),
            "cloudfront-waf": _cf(site=PASS, legacy=FAIL, vip=PASS, old_tls=PASS),
            "cloudfront-custom-certificate": _cf(site=PASS, legacy=FAIL, vip=PASS, old_tls=PASS),
            "cloudfront-sni": _cf(site=PASS, legacy=OUT, vip=FAIL, old_tls=PASS),
            "cloudfront-origin-https": _cf(site=PASS, legacy=FAIL, vip=PASS, old_tls=PASS),
            "cloudfront-origin-no-sslv3": _cf(site=PASS, legacy=FAIL, vip=PASS, old_tls=PASS),
            "cloudfront-s3-origin-access-control": _cf(site=PASS, legacy=FAIL, vip=OUT, old_tls=OUT),
            "cloudfront-tls-policy": _cf(site=PASS, legacy=OUT, vip=OUT, old_tls=FAIL),
            "cloudfront-lambda-url-origin-access-control": _cf(site=PASS, legacy=FAIL, vip=OUT, old_tls=OUT),
        },
        plan=[_tf_distribution(key) for key in DISTRIBUTIONS],
    ),
    Estate(
        "route53-zones",
        zones,
        expect={"route53-public-zone-query-logging": {"public-logged": PASS, "public-silent": FAIL, "private": OUT}},
        plan=ZONE_PLAN,
    ),
    Estate(
        "wafv2-web-acls",
        web_acls,
        expect={
            "wafv2-web-acl-not-empty": {"edge-protect": PASS, "empty-acl": FAIL, "quiet-acl": PASS},
            "wafv2-rule-metrics": {"edge-protect": PASS, "empty-acl": FAIL, "quiet-acl": FAIL},
            "wafv2-web-acl-logging": {"edge-protect": PASS, "empty-acl": FAIL, "quiet-acl": PASS},
        },
        plan=WAF_PLAN,
    ),
    Estate(
        "step-functions-logging",
        state_machines,
        expect={
            "sfn-state-machine-logging": {"orders-flow": PASS, "batch-flow": FAIL},
        },
        plan=SFN_PLAN,
    ),
    Estate(
        "dynamodb-tables-and-dax",
        tables,
        expect={
            "dynamodb-table-pitr": {"orders": PASS, "sessions": FAIL},
            "dynamodb-table-deletion-protection": {"orders": PASS, "sessions": FAIL},
            "dax-cluster-encrypted-at-rest": {"cache-secure": PASS, "cache-plain": FAIL},
            "dax-cluster-encrypted-in-transit": {"cache-secure": PASS, "cache-plain": FAIL},
        },
        plan=TABLE_PLAN,
    ),
    Estate(
        "dynamodb-autoscaling",
        scaled_tables,
        expect={"dynamodb-table-autoscaling": {"orders-ondemand": PASS, "carts": PASS, "audit-log": FAIL}},
        live_only={"dynamodb-table-autoscaling":
                   "a provisioned table's auto scaling is Application Auto Scaling's targets, not the table's"},
    ),
    Estate(
        "kinesis-streams",
        streams,
        expect={
            "kinesis-stream-encrypted": {"events": PASS, "raw": FAIL},
            "kinesis-stream-retention": {"events": PASS, "raw": FAIL},
        },
        plan=STREAM_PLAN,
    ),
    Estate(
        "glue-jobs-and-transforms",
        glue,
        expect={
            "glue-spark-job-supported-version": {"nightly-etl": PASS, "legacy-etl": FAIL, "shell-task": OUT},
            "glue-ml-transform-encrypted": {"dedupe-secure": PASS, "dedupe-plain": FAIL},
        },
        plan=GLUE_PLAN,
        live_only={"glue-ml-transform-encrypted": "aws_glue_ml_transform has no encryption argument"},
    ),
    Estate(
        "athena-workgroups",
        workgroups,
        expect={"athena-workgroup-logging": {"analysts": PASS, "adhoc": FAIL}},
        plan=WORKGROUP_PLAN,
    ),
    Estate(
        "elastic-beanstalk-environments",
        lambda seeder: None,
        recordings={"elasticbeanstalk": _record_beanstalk},
        expect={
            "elasticbeanstalk-enhanced-health": {"web-prod": PASS, "web-legacy": FAIL},
            "elasticbeanstalk-managed-updates": {"web-prod": PASS, "web-legacy": FAIL},
            "elasticbeanstalk-cloudwatch-logs": {"web-prod": PASS, "web-legacy": FAIL},
        },
        plan=[_environment("web-prod", True), _environment("web-legacy", False)],
    ),
    Estate(
        "emr-clusters",
        _bpa_key("bpa-on"),
        recordings={"emr": _record_emr_on},
        expect={
            "emr-cluster-primary-no-public-ip": {"analytics-private": PASS, "adhoc-public": FAIL},
            "emr-block-public-access": {"bpa-on": PASS},
        },
        plan=[_emr_cluster("analytics-private"), _emr_cluster("adhoc-public"), _bpa("bpa-on", True)],
        live_only={"emr-cluster-primary-no-public-ip": "a primary node's public address is its instance's, at launch"},
    ),
    Estate(
        "emr-block-public-access-off",
        _bpa_key("bpa-off"),
        recordings={"emr": _record_emr_off},
        expect={"emr-block-public-access": {"bpa-off": FAIL}},
        plan=[_bpa("bpa-off", False)],
    ),
]
