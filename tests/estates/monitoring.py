"""Trails and their alarms, logs, topics, queues, event buses, and the detection services, both ways.

Four estates: the trails with everything the logging and alarm checks ask for next to trails
without it (per-resource checks pass and fail side by side; account aggregates pass); the same
account with only a stopped single-region trail (every aggregate fails); and the regional detection
services on, then off. Security Hub and Macie are served from recorded answers: moto has no
GetEnabledStandards nor GetAutomatedDiscoveryConfiguration, and its Macie session is synthetic.
"""

from __future__ import annotations

import json
from typing import Any

from both_ways import ACCOUNT, FAIL, HOME, OUT, PASS, Estate, Planned, Seeder
from unify.observe.demo_estate.monitoring import CIS_PATTERNS
from unify.observe.recorded import RecordedAnswers

KEY_ARN = f"arn:aws:kms:{HOME}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/cloudtrail-to-logs"
GROUP = "cloudtrail/audit"
GROUP_ARN = f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:{GROUP}"
ALERTS = f"arn:aws:sns:{HOME}:{ACCOUNT}:security-alerts"
FEED = f"arn:aws:sns:{HOME}:{ACCOUNT}:open-feed"
MANAGEMENT_AND_OBJECTS = {"ReadWriteType": "All", "IncludeManagementEvents": True,
                          "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}

#: check id of each CIS section-5 alarm control, by requirement
ALARM_CHECKS = {
    "5.1": "cloudwatch-alarm-unauthorized-api-calls", "5.2": "cloudwatch-alarm-console-sign-in-without-mfa",
    "5.3": "cloudwatch-alarm-root-usage", "5.4": "cloudwatch-alarm-iam-policy-changes",
    "5.5": "cloudwatch-alarm-cloudtrail-changes", "5.6": "cloudwatch-alarm-console-authentication-failures",
    "5.7": "cloudwatch-alarm-kms-key-disabled-or-deleted", "5.8": "cloudwatch-alarm-s3-bucket-policy-changes",
    "5.9": "cloudwatch-alarm-config-changes", "5.10": "cloudwatch-alarm-security-group-changes",
    "5.11": "cloudwatch-alarm-nacl-changes", "5.12": "cloudwatch-alarm-network-gateway-changes",
    "5.13": "cloudwatch-alarm-route-table-changes", "5.14": "cloudwatch-alarm-vpc-changes",
    "5.15": "cloudwatch-alarm-organizations-changes",
}
JOINED = "the filter's trails and alarms are a join over four services only an observation makes"
NO_ACCOUNT = "a plan names no account: its per-account count is about account 'unknown', not this estate's"
ACCOUNT_AGGREGATES = ("cloudtrail-multi-region-logging", "cloudtrail-s3-object-writes", "cloudtrail-s3-object-reads",
                      "cloudtrail-enabled")
AGGREGATE_FAIL = "a plan says nothing of the trails and filters outside it: 'none in the account' cannot fail from it"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _owner_only(arn: str) -> str:
    return _doc({"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                 "Action": "*", "Resource": arn})


def _everyone(arn: str, action: str) -> str:
    return _doc({"Sid": "Everyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": action, "Resource": arn})


def _metric(requirement: str) -> str:
    return f"cis-{requirement.replace('.', '-')}"


# -- estate 1: trails, alarms, logs, topics, queues, buses --------------------------------------------


def trails_and_alarms(seeder: Seeder) -> None:
    s3 = seeder.client("s3")
    for bucket in ("acme-audit-logs", "acme-scratch-logs", "acme-access-logs"):
        s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket="acme-access-logs", Policy=_doc({
        "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::acme-access-logs/*"}))
    s3.put_bucket_logging(Bucket="acme-audit-logs", BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": "acme-access-logs", "TargetPrefix": "audit/"}})
    logs = seeder.client("logs")
    logs.create_log_group(logGroupName=GROUP)
    logs.put_retention_policy(logGroupName=GROUP, retentionInDays=400)
    logs.create_log_group(logGroupName="app/debug")
    logs.put_retention_policy(logGroupName="app/debug", retentionInDays=7)
    logs.create_log_group(logGroupName="app/forever")  # no retention: never expires
    cloudtrail = seeder.client("cloudtrail")
    cloudtrail.create_trail(Name="audit", S3BucketName="acme-audit-logs", IsMultiRegionTrail=True,
                            EnableLogFileValidation=True, KmsKeyId=KEY_ARN, CloudWatchLogsLogGroupArn=f"{GROUP_ARN}:*",
                            CloudWatchLogsRoleArn=ROLE_ARN, TagsList=[{"Key": "owner", "Value": "security"}])
    cloudtrail.put_event_selectors(TrailName="audit", EventSelectors=[MANAGEMENT_AND_OBJECTS])
    cloudtrail.start_logging(Name="audit")
    cloudtrail.create_trail(Name="scratch", S3BucketName="acme-scratch-logs")
    sns = seeder.client("sns")
    alerts = sns.create_topic(Name="security-alerts", Attributes={"KmsMasterKeyId": "alias/aws/sns"},
                              Tags=[{"Key": "owner", "Value": "security"}])["TopicArn"]
    sns.set_topic_attributes(TopicArn=alerts, AttributeName="Policy", AttributeValue=_owner_only(alerts))
    sns.subscribe(TopicArn=alerts, Protocol="email", Endpoint="secops@example.com")
    feed = sns.create_topic(Name="open-feed")["TopicArn"]
    sns.set_topic_attributes(TopicArn=feed, AttributeName="Policy", AttributeValue=_everyone(feed, "sns:Subscribe"))
    cloudwatch = seeder.client("cloudwatch")
    for requirement, pattern in CIS_PATTERNS.items():
        metric = _metric(requirement)
        logs.put_metric_filter(logGroupName=GROUP, filterName=metric, filterPattern=pattern, metricTransformations=[
            {"metricName": metric, "metricNamespace": "CISBenchmark", "metricValue": "1"}])
        cloudwatch.put_metric_alarm(**_alarm(metric, "CISBenchmark", [alerts]))
    cloudwatch.put_metric_alarm(**_alarm("queue-depth", "AWS/SQS", []))
    cloudwatch.put_metric_alarm(**_alarm("muted", "AWS/SQS", [alerts]), ActionsEnabled=False)
    sqs = seeder.client("sqs")
    orders = f"arn:aws:sqs:{HOME}:{ACCOUNT}:orders"
    sqs.create_queue(QueueName="orders", Attributes={"KmsMasterKeyId": "alias/aws/sqs", "SqsManagedSseEnabled": "false",
                                                     "Policy": _owner_only(orders)}, tags={"owner": "payments"})
    legacy = f"arn:aws:sqs:{HOME}:{ACCOUNT}:legacy-jobs"
    sqs.create_queue(QueueName="legacy-jobs", Attributes={"SqsManagedSseEnabled": "false",
                                                          "Policy": _everyone(legacy, "sqs:SendMessage")})
    events = seeder.client("events")
    events.create_event_bus(Name="partner-events", Tags=[{"Key": "owner", "Value": "integrations"}])
    events.put_permission(EventBusName="partner-events", Policy=_owner_only(
        f"arn:aws:events:{HOME}:{ACCOUNT}:event-bus/partner-events"))
    events.create_event_bus(Name="internal-events")


def _alarm(name: str, namespace: str, actions: list[str]) -> dict[str, Any]:
    return {"AlarmName": name, "MetricName": name, "Namespace": namespace, "Statistic": "Sum", "Period": 300,
            "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "AlarmActions": actions}


def _planned_alarm(name: str, namespace: str, actions: list[str], enabled: bool = True) -> Planned:
    return Planned("aws_cloudwatch_metric_alarm", name.replace("-", "_"), {
        "alarm_name": name, "metric_name": name, "namespace": namespace, "statistic": "Sum", "period": 300,
        "evaluation_periods": 1, "threshold": 1, "comparison_operator": "GreaterThanOrEqualToThreshold",
        "alarm_actions": actions, "actions_enabled": enabled, "tags": {}}, unknown=("arn", "id"))


def _trails_plan() -> list[Planned]:
    selector = {"read_write_type": "All", "include_management_events": True, "exclude_management_event_sources": [],
                "data_resource": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}
    plan = [
        Planned("aws_cloudtrail", "audit", {
            "name": "audit", "s3_bucket_name": "acme-audit-logs", "is_multi_region_trail": True,
            "enable_log_file_validation": True, "kms_key_id": KEY_ARN, "cloud_watch_logs_group_arn": f"{GROUP_ARN}:*",
            "cloud_watch_logs_role_arn": ROLE_ARN, "enable_logging": True, "include_global_service_events": True,
            "event_selector": [selector], "advanced_event_selector": [], "tags": {"owner": "security"}},
            unknown=("arn", "home_region", "id")),
        Planned("aws_cloudtrail", "scratch", {"name": "scratch", "s3_bucket_name": "acme-scratch-logs", "tags": {},
                                             "event_selector": [], "advanced_event_selector": []},
                unknown=("arn", "home_region", "id")),
        Planned("aws_cloudwatch_log_group", "audit_logs", {"name": GROUP, "retention_in_days": 400, "tags": {}},
                unknown=("arn", "id")),
        Planned("aws_cloudwatch_log_group", "debug", {"name": "app/debug", "retention_in_days": 7, "tags": {}},
                unknown=("arn", "id")),
        Planned("aws_cloudwatch_log_group", "forever", {"name": "app/forever", "tags": {}}, unknown=("arn", "id")),
        Planned("aws_sns_topic", "security_alerts", {"name": "security-alerts", "kms_master_key_id": "alias/aws/sns",
                                                    "policy": _owner_only(ALERTS), "tags": {"owner": "security"}},
                unknown=("arn", "id")),
        Planned("aws_sns_topic", "open_feed", {"name": "open-feed", "policy": _everyone(FEED, "sns:Subscribe"),
                                              "tags": {}}, unknown=("arn", "id")),
        Planned("aws_sqs_queue", "orders", {
            "name": "orders", "kms_master_key_id": "alias/aws/sqs", "sqs_managed_sse_enabled": False,
            "policy": _owner_only(f"arn:aws:sqs:{HOME}:{ACCOUNT}:orders"), "tags": {"owner": "payments"}},
            unknown=("arn", "id", "url")),
        Planned("aws_sqs_queue", "legacy_jobs", {
            "name": "legacy-jobs", "sqs_managed_sse_enabled": False, "tags": {},
            "policy": _everyone(f"arn:aws:sqs:{HOME}:{ACCOUNT}:legacy-jobs", "sqs:SendMessage")},
            unknown=("arn", "id", "url")),
        Planned("aws_cloudwatch_event_bus", "partner", {"name": "partner-events", "tags": {"owner": "integrations"}},
                unknown=("arn", "id")),
        Planned("aws_cloudwatch_event_bus_policy", "partner", {
            "event_bus_name": "partner-events",
            "policy": _owner_only(f"arn:aws:events:{HOME}:{ACCOUNT}:event-bus/partner-events")}),
        Planned("aws_cloudwatch_event_bus", "internal", {"name": "internal-events", "tags": {}}, unknown=("arn", "id")),
        _planned_alarm("queue-depth", "AWS/SQS", []),
        _planned_alarm("muted", "AWS/SQS", [ALERTS], enabled=False),
    ]
    for requirement, pattern in CIS_PATTERNS.items():
        metric = _metric(requirement)
        plan.append(Planned("aws_cloudwatch_log_metric_filter", metric.replace("-", "_"), {
            "name": metric, "log_group_name": GROUP, "pattern": pattern, "metric_transformation": [
                {"name": metric, "namespace": "CISBenchmark", "value": "1", "default_value": "", "unit": "None",
                 "dimensions": {}}]}, unknown=("id",)))
        plan.append(_planned_alarm(metric, "CISBenchmark", [ALERTS]))
    return plan


def _pair(good: str, bad: str) -> dict[str, str]:
    return {good: PASS, bad: FAIL}


TRAILS = _pair("audit", "scratch")

# -- estate 2: one stopped single-region trail: every account aggregate fails ---------------------------


def stopped_trail(seeder: Seeder) -> None:
    seeder.client("s3").create_bucket(Bucket="acme-legacy-logs")
    logs = seeder.client("logs")
    logs.create_log_group(logGroupName="cloudtrail/legacy")
    seeder.client("cloudtrail").create_trail(
        Name="legacy", S3BucketName="acme-legacy-logs",
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:cloudtrail/legacy:*",
        CloudWatchLogsRoleArn=ROLE_ARN)
    sns = seeder.client("sns")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="secops@example.com")
    cloudwatch = seeder.client("cloudwatch")
    # The filters and alarms are all there: only the trail feeding them is not a logging multi-region one.
    for requirement, pattern in CIS_PATTERNS.items():
        metric = _metric(requirement)
        logs.put_metric_filter(logGroupName="cloudtrail/legacy", filterName=metric, filterPattern=pattern,
                               metricTransformations=[{"metricName": metric, "metricNamespace": "CIS",
                                                       "metricValue": "1"}])
        cloudwatch.put_metric_alarm(**_alarm(metric, "CIS", [topic]))


# -- estates 3 and 4: detection services on, then off (regional singletons) ----------------------------

SERVICE_LINKED = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
SINGLETONS = {key: f"{ACCOUNT}/{HOME}/{type_}" for key, type_ in (
    ("detector", "aws_guardduty_detector"), ("hub", "aws_securityhub_account"), ("macie", "aws_macie2_account"),
    ("inspector", "aws_inspector2_enabler"), ("recorder", "aws_config_configuration_recorder"))}
ALL_FEATURES = [
    {"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}, {"Name": "EKS_AUDIT_LOGS", "Status": "ENABLED"},
    {"Name": "EBS_MALWARE_PROTECTION", "Status": "ENABLED"}, {"Name": "RDS_LOGIN_EVENTS", "Status": "ENABLED"},
    {"Name": "LAMBDA_NETWORK_LOGS", "Status": "ENABLED"},
    {"Name": "RUNTIME_MONITORING", "Status": "ENABLED", "AdditionalConfiguration": [
        {"Name": "EKS_ADDON_MANAGEMENT", "Status": "ENABLED"}, {"Name": "ECS_FARGATE_AGENT_MANAGEMENT", "Status": "ENABLED"},
        {"Name": "EC2_AGENT_MANAGEMENT", "Status": "ENABLED"}]}]
FEATURE_CHECKS = ("guardduty-eks-audit-logs", "guardduty-lambda-protection", "guardduty-malware-protection-ec2",
                  "guardduty-rds-protection", "guardduty-s3-protection", "guardduty-eks-runtime-monitoring",
                  "guardduty-ecs-runtime-monitoring", "guardduty-ec2-runtime-monitoring", "guardduty-runtime-monitoring")
FEATURES_LIVE = "a detector's plans are features written as side resources that name it by an id known after apply"
RECORDING = "whether the recorder records is aws_config_configuration_recorder_status, read only from AWS"
DISCOVERY = "automated discovery has no attribute of aws_macie2_account: only an observation reads it"


def _recorder(seeder: Seeder, role: str, all_supported: bool, start: bool) -> None:
    config = seeder.client("config")
    group = ({"allSupported": True, "includeGlobalResourceTypes": True} if all_supported
             else {"allSupported": False, "resourceTypes": ["AWS::EC2::Instance"]})
    config.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": role, "recordingGroup": group})
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "acme-config"})
    if start:
        config.start_configuration_recorder(ConfigurationRecorderName="default")


def detection_on(seeder: Seeder) -> None:
    seeder.ids.update(SINGLETONS)
    seeder.client("s3").create_bucket(Bucket="acme-config")
    seeder.client("guardduty").create_detector(Enable=True, Features=ALL_FEATURES, Tags={"owner": "security"})
    seeder.client("inspector2").enable(resourceTypes=["EC2", "ECR", "LAMBDA", "LAMBDA_CODE"], accountIds=[ACCOUNT])
    _recorder(seeder, SERVICE_LINKED, all_supported=True, start=True)


def detection_off(seeder: Seeder) -> None:
    seeder.ids.update(SINGLETONS)
    seeder.client("s3").create_bucket(Bucket="acme-config")
    seeder.client("guardduty").create_detector(Enable=False)
    # Inspector turned on for ECR and off again: the account's status answers every scan type DISABLED.
    seeder.client("inspector2").enable(resourceTypes=["ECR"], accountIds=[ACCOUNT])
    seeder.client("inspector2").disable(resourceTypes=["ECR"], accountIds=[ACCOUNT])
    _recorder(seeder, f"arn:aws:iam::{ACCOUNT}:role/config-recorder", all_supported=False, start=False)


def _hub_on(answers: RecordedAnswers, region: str) -> None:
    answers.answer("describe_hub", {"HubArn": f"arn:aws:securityhub:{region}:{ACCOUNT}:hub/default",
                                    "SubscribedAt": "2026-02-01T08:00:00.000Z", "AutoEnableControls": True,
                                    "ControlFindingGenerator": "SECURITY_CONTROL"})
    answers.answer("get_enabled_standards", {"StandardsSubscriptions": [{
        "StandardsSubscriptionArn": f"arn:aws:securityhub:{region}:{ACCOUNT}:subscription/cis-aws-foundations-benchmark/v/5.0.0",
        "StandardsArn": f"arn:aws:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/5.0.0",
        "StandardsInput": {}, "StandardsStatus": "READY"}]})


def _hub_off(answers: RecordedAnswers, region: str) -> None:
    answers.error("describe_hub", "InvalidAccessException", f"Account {ACCOUNT} is not subscribed to AWS Security Hub")


def _macie(status: str, discovery: str) -> Any:
    def record(answers: RecordedAnswers, region: str) -> None:
        answers.answer("get_macie_session", {
            "createdAt": "2026-02-01T08:00:00Z", "findingPublishingFrequency": "FIFTEEN_MINUTES",
            "serviceRole": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie",
            "status": status, "updatedAt": "2026-02-01T08:00:00Z"})
        answers.answer("get_automated_discovery_configuration", {"status": discovery})

    return record


def _detection_plan(on: bool) -> list[Planned]:
    return [
        Planned("aws_guardduty_detector", "detector", {"enable": on, "tags": {"owner": "security"} if on else {}},
                unknown=("id", "arn", "account_id")),
        Planned("aws_macie2_account", "macie", {"status": "ENABLED" if on else "PAUSED"},
                unknown=("id", "service_role", "created_at", "updated_at")),
        Planned("aws_inspector2_enabler", "inspector", {
            "account_ids": [ACCOUNT], "resource_types": ["EC2", "ECR", "LAMBDA", "LAMBDA_CODE"] if on else []},
            unknown=("id",)),
        Planned("aws_config_configuration_recorder", "recorder", {
            "name": "default", "role_arn": SERVICE_LINKED if on else f"arn:aws:iam::{ACCOUNT}:role/config-recorder",
            "recording_group": [{"all_supported": on, "include_global_resource_types": on,
                                 "resource_types": [] if on else ["AWS::EC2::Instance"]}]}, unknown=("id",)),
        *([Planned("aws_securityhub_account", "hub", {"enable_default_standards": True}, unknown=("id", "arn"))]
          if on else []),
    ]


def _inspector(on: bool) -> dict[str, dict[str, str]]:
    return {check: {"inspector": PASS if on else FAIL} for check in (
        "inspector-ec2-scanning", "inspector-ecr-scanning", "inspector-lambda-code-scanning",
        "inspector-lambda-standard-scanning")}


def _detection(on: bool) -> dict[str, dict[str, str]]:
    verdict = PASS if on else FAIL
    return {
        "guardduty-enabled": {"detector": verdict},
        "guardduty-detector-tagged": {"detector": verdict},
        **{check: {"detector": verdict} for check in FEATURE_CHECKS},
        "securityhub-enabled": {"hub": verdict},
        "macie-enabled": {"macie": verdict},
        "macie-automated-discovery": {"macie": verdict},
        **_inspector(on),
        "config-recorder-all-regions": {"recorder": verdict},
        "config-recorder-service-linked-role": {"recorder": verdict},
    }


def _detection_live_only(on: bool) -> dict[str, str]:
    live = {check: FEATURES_LIVE for check in FEATURE_CHECKS}
    live["macie-automated-discovery"] = DISCOVERY
    if on:
        # Off, the plan fails them on what it does say (a partial recording group, a role of its own).
        live.update({"config-recorder-all-regions": RECORDING, "config-recorder-service-linked-role": RECORDING})
    else:
        live["securityhub-enabled"] = "a region not subscribed to Security Hub has nothing a plan could write"
    return live


ESTATES = [
    Estate(
        "monitoring-trails-and-alarms",
        trails_and_alarms,
        expect={
            "cloudtrail-log-file-validation": TRAILS,
            "cloudtrail-kms-encryption": TRAILS,
            "cloudtrail-cloudwatch-logs": TRAILS,
            "cloudtrail-tagged": TRAILS,
            "cloudtrail-bucket-access-logging": TRAILS,
            "cloudtrail-multi-region-logging": {ACCOUNT: PASS},
            "cloudtrail-s3-object-writes": {ACCOUNT: PASS},
            "cloudtrail-s3-object-reads": {ACCOUNT: PASS},
            "cloudtrail-enabled": {ACCOUNT: PASS},
            **{check: {ACCOUNT: PASS} for check in ALARM_CHECKS.values()},
            "cloudwatch-alarm-has-action": {"cis-5-3": PASS, "queue-depth": FAIL, "muted": PASS},
            "cloudwatch-alarm-actions-enabled": {"cis-5-3": PASS, "muted": FAIL},
            "cloudwatch-log-group-retention": {GROUP: PASS, "app/forever": PASS, "app/debug": FAIL},
            "sns-topic-kms-encrypted": _pair("security-alerts", "open-feed"),
            "sns-topic-tagged": _pair("security-alerts", "open-feed"),
            "sns-topic-not-public": _pair("security-alerts", "open-feed"),
            "sqs-queue-encrypted": _pair("orders", "legacy-jobs"),
            "sqs-queue-tagged": _pair("orders", "legacy-jobs"),
            "sqs-queue-not-public": _pair("orders", "legacy-jobs"),
            "eventbridge-bus-tagged": {"partner-events": PASS, "internal-events": FAIL, "default": OUT},
            "eventbridge-custom-bus-policy": {"partner-events": PASS, "internal-events": FAIL, "default": OUT},
        },
        plan=_trails_plan(),
        live_only={
            "cloudtrail-bucket-access-logging": "the bucket's access logging is joined to the trail only when observed",
            **{check: JOINED for check in ALARM_CHECKS.values()},
            **dict.fromkeys(ACCOUNT_AGGREGATES, NO_ACCOUNT),
        },
    ),
    Estate(
        "monitoring-no-logging-trail",
        stopped_trail,
        expect={
            "cloudtrail-multi-region-logging": {ACCOUNT: FAIL},
            "cloudtrail-s3-object-writes": {ACCOUNT: FAIL},
            "cloudtrail-s3-object-reads": {ACCOUNT: FAIL},
            "cloudtrail-enabled": {ACCOUNT: FAIL},
            **{check: {ACCOUNT: FAIL} for check in ALARM_CHECKS.values()},
        },
        live_only=dict.fromkeys((*ACCOUNT_AGGREGATES, *ALARM_CHECKS.values()), AGGREGATE_FAIL),
    ),
    Estate(
        "monitoring-detection-on",
        detection_on,
        expect=_detection(True),
        plan=_detection_plan(True),
        live_only=_detection_live_only(True),
        recordings={"securityhub": _hub_on, "macie2": _macie("ENABLED", "ENABLED")},
    ),
    Estate(
        "monitoring-detection-off",
        detection_off,
        expect=_detection(False),
        plan=_detection_plan(False),
        live_only=_detection_live_only(False),
        recordings={"securityhub": _hub_off, "macie2": _macie("PAUSED", "DISABLED")},
    ),
]
