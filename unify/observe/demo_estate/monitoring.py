"""The demo's monitoring: trails and their alarms, logs, topics, queues, buses, and the detection services.

A multi-region trail delivers to CloudWatch Logs, where metric filters for
some of the CIS section 5 events have alarms that notify a subscribed topic
(others have none, one alarm is muted, one filter has no alarm). Beside it,
the mix real accounts have: an encrypted topic and a public one, a queue with
SSE and one without, a custom event bus with a policy and one without, log
groups kept for a year and for a week. GuardDuty, Inspector, Macie and
Security Hub run in the home region and not in the other one.

Security Hub is served from recorded answers (moto has no GetEnabledStandards);
Macie's session is moto's synthetic one (moto enables Macie in every new
account, so the demo turns it off in the second region).
"""

from __future__ import annotations

import json
from typing import Final

from unify.observe.demo_seeder import DEMO_ACCOUNT, DEMO_REGIONS, DemoPart, DemoSeeder, doc
from unify.observe.recorded import RecordedAnswers

__all__ = ["CIS_PATTERNS", "PART"]

#: The metric filter patterns of CIS AWS Foundations v7.0, section 5, by requirement.
CIS_PATTERNS: Final[dict[str, str]] = {
    "5.1": '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && '
    '($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
    "5.2": '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
    '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    "5.3": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
    '$.eventType != "AwsServiceEvent" }',
    "5.4": "{ ($.eventSource = iam.amazonaws.com) && (($.eventName = DeleteGroupPolicy) || "
    "($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || "
    "($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || "
    "($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || "
    "($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || "
    "($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy)) }",
    "5.5": "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || "
    "($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    "5.6": '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    "5.7": "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || "
    "($.eventName = ScheduleKeyDeletion)) }",
    "5.8": "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || "
    "($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || "
    "($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || "
    "($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || "
    "($.eventName = DeleteBucketReplication)) }",
    "5.9": "{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || "
    "($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || "
    "($.eventName = PutConfigurationRecorder)) }",
    "5.10": "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || "
    "($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || "
    "($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
    "5.11": "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || "
    "($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || "
    "($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
    "5.12": "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || "
    "($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || "
    "($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
    "5.13": "{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || "
    "($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || "
    "($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || "
    "($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }",
    "5.14": "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || "
    "($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || "
    "($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || "
    "($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || "
    "($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }",
    "5.15": "{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || "
    "($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || "
    "($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || "
    "($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || "
    "($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || "
    "($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || "
    "($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || "
    "($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }",
}

#: Requirements whose filter has an alarm that notifies; 5.6's alarm is muted, 5.8's filter has no alarm.
_ALARMED = ("5.1", "5.2", "5.3", "5.4", "5.5", "5.7", "5.9", "5.10")
_MUTED, _UNALARMED = "5.6", "5.8"
_NAMESPACE = "CISBenchmark"
_FSBP = "arn:aws:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0"


def _tags(**tags: str) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def _public(resource: str, action: str) -> str:
    return doc(
        {"Sid": "Everyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": action, "Resource": resource}
    )


def _trail_and_alarms(seeder: DemoSeeder, n: int) -> None:
    home, account = seeder.home, seeder.account
    logs = seeder.client("logs")
    group = f"cloudtrail/org-audit-{n}"
    logs.create_log_group(logGroupName=group, tags={"owner": "security"})
    logs.put_retention_policy(logGroupName=group, retentionInDays=365)
    logs.create_log_group(logGroupName=f"app/debug-{n}")
    logs.put_retention_policy(logGroupName=f"app/debug-{n}", retentionInDays=7)
    trail = seeder.client("cloudtrail")
    name = f"org-audit-{n}"
    trail.create_trail(
        Name=name,
        S3BucketName=f"acme-logs-{n}",
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:{home}:{account}:log-group:{group}:*",
        CloudWatchLogsRoleArn=f"arn:aws:iam::{account}:role/cloudtrail-to-logs",
        TagsList=_tags(owner="security"),
    )
    trail.put_event_selectors(
        TrailName=name, EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}]
    )
    trail.start_logging(Name=name)
    sns = seeder.client("sns")
    alerts = sns.create_topic(
        Name=f"security-alerts-{n}", Attributes={"KmsMasterKeyId": "alias/aws/sns"}, Tags=_tags(owner="security")
    )["TopicArn"]
    sns.subscribe(TopicArn=alerts, Protocol="email", Endpoint="secops@example.com")
    feed = sns.create_topic(Name=f"public-feed-{n}")["TopicArn"]
    sns.set_topic_attributes(TopicArn=feed, AttributeName="Policy", AttributeValue=_public(feed, "sns:Subscribe"))
    cloudwatch = seeder.client("cloudwatch")
    for requirement in (*_ALARMED, _MUTED, _UNALARMED):
        metric = f"cis-{requirement.replace('.', '-')}-{n}"
        logs.put_metric_filter(
            logGroupName=group,
            filterName=metric,
            filterPattern=CIS_PATTERNS[requirement],
            metricTransformations=[{"metricName": metric, "metricNamespace": _NAMESPACE, "metricValue": "1"}],
        )
        if requirement == _UNALARMED:
            continue
        cloudwatch.put_metric_alarm(
            AlarmName=metric,
            MetricName=metric,
            Namespace=_NAMESPACE,
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            AlarmActions=[alerts],
            ActionsEnabled=requirement != _MUTED,
        )
    cloudwatch.put_metric_alarm(
        AlarmName=f"queue-depth-{n}",
        MetricName="ApproximateNumberOfMessagesVisible",
        Namespace="AWS/SQS",
        Statistic="Maximum",
        Period=300,
        EvaluationPeriods=3,
        Threshold=1000,
        ComparisonOperator="GreaterThanThreshold",
    )


def _messaging(seeder: DemoSeeder, n: int) -> None:
    sqs = seeder.client("sqs")
    sqs.create_queue(
        QueueName=f"orders-{n}", Attributes={"KmsMasterKeyId": "alias/aws/sqs"}, tags={"owner": "payments"}
    )
    legacy = sqs.create_queue(QueueName=f"legacy-jobs-{n}", Attributes={"SqsManagedSseEnabled": "false"})["QueueUrl"]
    arn = f"arn:aws:sqs:{seeder.home}:{seeder.account}:legacy-jobs-{n}"
    sqs.set_queue_attributes(QueueUrl=legacy, Attributes={"Policy": _public(arn, "sqs:SendMessage")})
    events = seeder.client("events")
    partner = f"partner-events-{n}"
    events.create_event_bus(Name=partner, Tags=_tags(owner="integrations"))
    events.put_permission(
        EventBusName=partner,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "PartnerPuts",
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                        "Action": "events:PutEvents",
                        "Resource": f"arn:aws:events:{seeder.home}:{seeder.account}:event-bus/{partner}",
                    }
                ],
            }
        ),
    )
    events.create_event_bus(Name=f"internal-events-{n}")
    events.put_rule(
        Name=f"guardduty-findings-{n}", EventPattern=json.dumps({"source": ["aws.guardduty"]}), State="ENABLED"
    )
    seeder.client("config").put_config_rule(
        ConfigRule={
            "ConfigRuleName": f"s3-bucket-versioning-{n}",
            "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"},
            "Scope": {"ComplianceResourceTypes": ["AWS::S3::Bucket"]},
        }
    )


def _seed(seeder: DemoSeeder, n: int) -> None:
    _trail_and_alarms(seeder, n)
    _messaging(seeder, n)


def _baseline(seeder: DemoSeeder) -> None:
    """Detection services: on in the home region (some plans off), off in the other one."""
    seeder.client("guardduty").create_detector(
        Enable=True,
        Features=[
            {"Name": "S3_DATA_EVENTS", "Status": "ENABLED"},
            {"Name": "EKS_AUDIT_LOGS", "Status": "ENABLED"},
            {"Name": "RDS_LOGIN_EVENTS", "Status": "DISABLED"},
            {
                "Name": "RUNTIME_MONITORING",
                "Status": "ENABLED",
                "AdditionalConfiguration": [{"Name": "EKS_ADDON_MANAGEMENT", "Status": "ENABLED"}],
            },
        ],
        Tags={"owner": "security"},
    )
    seeder.client("inspector2").enable(resourceTypes=["EC2", "ECR"], accountIds=[seeder.account])
    away = seeder.client("inspector2", seeder.other)
    away.enable(resourceTypes=["EC2"], accountIds=[seeder.account])
    away.disable(resourceTypes=["EC2"], accountIds=[seeder.account])  # tried once, then turned off
    seeder.client("macie2", seeder.other).disable_macie()
    seeder.client("securityhub").enable_security_hub(EnableDefaultStandards=True)


def _security_hub(answers: RecordedAnswers, region: str) -> None:
    """Subscribed in the demo's home region with FSBP running; not subscribed anywhere else."""
    if region != DEMO_REGIONS[0]:
        answers.error(
            "describe_hub", "InvalidAccessException", f"Account {DEMO_ACCOUNT} is not subscribed to AWS Security Hub"
        )
        answers.error(
            "get_enabled_standards",
            "InvalidAccessException",
            f"Account {DEMO_ACCOUNT} is not subscribed to AWS Security Hub",
        )
        return
    answers.answer(
        "describe_hub",
        {
            "HubArn": f"arn:aws:securityhub:{region}:{DEMO_ACCOUNT}:hub/default",
            "SubscribedAt": "2026-01-15T09:30:00.000Z",
            "AutoEnableControls": True,
            "ControlFindingGenerator": "SECURITY_CONTROL",
        },
    )
    answers.answer(
        "get_enabled_standards",
        {
            "StandardsSubscriptions": [
                {
                    "StandardsSubscriptionArn": (
                        f"arn:aws:securityhub:{region}:{DEMO_ACCOUNT}:subscription/"
                        "aws-foundational-security-best-practices/v/1.0.0"
                    ),
                    "StandardsArn": _FSBP.format(region=region),
                    "StandardsInput": {},
                    "StandardsStatus": "READY",
                }
            ]
        },
    )


PART = DemoPart(
    name="monitoring",
    seed=_seed,
    baseline=_baseline,
    recordings={"securityhub": _security_hub},
    note=(
        "Security Hub is served from recorded answers shaped as its API reference documents them (moto has no "
        "GetEnabledStandards); Macie's session is moto's synthetic answer (moto turns Macie on in every new "
        "account)."
    ),
)
