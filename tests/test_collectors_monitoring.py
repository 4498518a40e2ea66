"""The monitoring collectors: organization trails, the CIS section-5 join, and what 'off' means per service.

moto serves most of these calls; where it does not (an organization trail seen from a member
account, a failed account in Inspector's answer, Macie's real "not enabled" error), the answers
are recorded through botocore's Stubber, shaped as the API reference documents them.
"""

from __future__ import annotations

from typing import Any

import pytest
from moto import mock_aws

from both_ways import policy
from factories import deny, moto_session, observe_moto
from unify.observe.demo_estate.monitoring import CIS_PATTERNS
from unify.observe.recorded import RecordedAnswers, RecordedSession
from unify.run import evaluate_snapshot

ACCOUNT = "123456789012"
MANAGEMENT = "999988887777"
REGION, AWAY = "us-east-1", "eu-west-1"
ORG_TRAIL = f"arn:aws:cloudtrail:{REGION}:{MANAGEMENT}:trail/org-trail"


def _session(recordings: dict[str, Any]) -> RecordedSession:
    return RecordedSession(recordings, region_name=REGION, aws_access_key_id="testing",
                           aws_secret_access_key="testing")


@pytest.fixture
def sts() -> Any:
    """moto for the calls nobody recorded (sts:GetCallerIdentity, which names the account)."""
    with mock_aws():
        yield


def _verdicts(snapshot: Any, check: str) -> dict[str, str]:
    results, _ = evaluate_snapshot(policy(), snapshot)
    return {r.resource: r.verdict for r in results.of_check(check)}


# -- CloudTrail: the organization trail a member account sees ----------------------------------------


def _member_cloudtrail(answers: RecordedAnswers, region: str) -> None:
    # A member account's DescribeTrails with shadow trails: the organization's multi-region trail (owned
    # by the management account) answers in every region, with the same home region.
    answers.answer("describe_trails", {"trailList": [{
        "Name": "org-trail", "TrailARN": ORG_TRAIL, "HomeRegion": REGION, "S3BucketName": "org-log-archive",
        "IsMultiRegionTrail": True, "IncludeGlobalServiceEvents": True, "LogFileValidationEnabled": True,
        "IsOrganizationTrail": True, "HasCustomEventSelectors": False, "HasInsightSelectors": False}]},
        params={"includeShadowTrails": True})
    answers.answer("get_trail_status", {"IsLogging": True}, params={"Name": ORG_TRAIL})
    answers.answer("get_event_selectors", {"TrailARN": ORG_TRAIL, "EventSelectors": [
        {"ReadWriteType": "All", "IncludeManagementEvents": True}]})
    answers.answer("list_tags", {"ResourceTagList": [{"ResourceId": ORG_TRAIL, "TagsList": []}]})


def _archive_elsewhere(answers: RecordedAnswers, region: str) -> None:
    # The log archive is another account's bucket: the member may not read its logging.
    answers.error("get_bucket_logging", "AccessDenied", "Access Denied", status=403)


def test_a_member_account_keeps_the_organization_trail_once_with_its_owner(sts: None) -> None:
    session = _session({"cloudtrail": _member_cloudtrail, "s3": _archive_elsewhere})
    snapshot = observe_moto("aws_cloudtrail", regions=[REGION, AWAY], session=session)
    [trail] = snapshot.of_type("aws_cloudtrail")
    assert (trail["id"], trail["account"], trail["region"]) == (ORG_TRAIL, ACCOUNT, REGION)
    attributes = trail["attributes"]
    assert attributes["owner_account"] == MANAGEMENT and attributes["is_organization_trail"] is True
    assert attributes["s3_bucket_logging"] == {"$unknown": "AccessDenied: s3:get_bucket_logging"}
    # The member is logged by its organization's trail: CIS 4.1 holds there; 4.4 is unknown, never a pass.
    assert _verdicts(snapshot, "cloudtrail-multi-region-logging") == {ACCOUNT: "pass"}
    assert _verdicts(snapshot, "cloudtrail-bucket-access-logging") == {ORG_TRAIL: "unknown"}


def test_a_multi_region_trail_homed_outside_the_observation_is_kept_in_the_first_observed_region(sts: None) -> None:
    session = _session({"cloudtrail": _member_cloudtrail, "s3": _archive_elsewhere})
    snapshot = observe_moto("aws_cloudtrail", regions=[AWAY, "eu-central-1"], session=session)
    assert [(r["id"], r["region"]) for r in snapshot.of_type("aws_cloudtrail")] == [(ORG_TRAIL, "eu-central-1")]


# -- CloudWatch Logs: the join CIS section 5 reads ------------------------------------------------------


def _root_alarm(session: Any) -> None:
    client = lambda service: session.client(service, region_name=REGION)  # noqa: E731 - a short local helper
    client("s3").create_bucket(Bucket="acme-trail")
    client("logs").create_log_group(logGroupName="ct")
    client("cloudtrail").create_trail(
        Name="audit", S3BucketName="acme-trail", IsMultiRegionTrail=True,
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:ct:*",
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/ct")
    client("cloudtrail").put_event_selectors(TrailName="audit", EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True}])
    client("cloudtrail").start_logging(Name="audit")
    client("logs").put_metric_filter(logGroupName="ct", filterName="root", filterPattern=CIS_PATTERNS["5.3"],
                                     metricTransformations=[{"metricName": "root", "metricNamespace": "CIS",
                                                             "metricValue": "1"}])
    topic = client("sns").create_topic(Name="alerts")["TopicArn"]
    client("sns").subscribe(TopicArn=topic, Protocol="email", Endpoint="secops@example.com")
    client("cloudwatch").put_metric_alarm(
        AlarmName="root", MetricName="root", Namespace="CIS", Statistic="Sum", Period=300, EvaluationPeriods=1,
        Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic])


def test_each_filter_carries_the_trails_that_feed_it_and_the_alarms_that_notify() -> None:
    with mock_aws():
        session = moto_session()
        _root_alarm(session)
        snapshot = observe_moto("aws_cloudwatch_log_metric_filter", session=session)
    [root] = snapshot.of_type("aws_cloudwatch_log_metric_filter")
    attributes = root["attributes"]
    assert attributes["metric_transformation"] == {"name": "root", "namespace": "CIS", "value": "1"}
    assert [(t["name"], t["is_multi_region_trail"], t["enable_logging"]) for t in attributes["trails"]] == [
        ("audit", True, True)]
    [alarm] = attributes["alarms"]
    assert alarm["actions_enabled"] is True
    assert alarm["topics"] == [{"arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts", "confirmed_subscriptions": 1}]
    assert _verdicts(snapshot, "cloudwatch-alarm-root-usage") == {ACCOUNT: "pass"}
    assert _verdicts(snapshot, "cloudwatch-alarm-vpc-changes") == {ACCOUNT: "fail"}  # no filter for it at all


@pytest.mark.parametrize(("service", "operation", "attribute"), [
    ("cloudwatch", "DescribeAlarms", "alarms"),
    ("cloudtrail", "DescribeTrails", "trails"),
])
def test_a_join_call_that_fails_makes_the_fact_unknown_and_the_control_unknown(service: str, operation: str,
                                                                               attribute: str) -> None:
    with mock_aws():
        session = moto_session()
        _root_alarm(session)
        deny(session, service, operation)
        snapshot = observe_moto("aws_cloudwatch_log_metric_filter", session=session)
    [root] = snapshot.of_type("aws_cloudwatch_log_metric_filter")
    assert "$unknown" in root["attributes"][attribute]
    assert [c["status"] for c in snapshot.coverage] == ["ok"]
    assert _verdicts(snapshot, "cloudwatch-alarm-root-usage") == {ACCOUNT: "unknown"}


def test_an_unreadable_topic_leaves_its_subscribers_unknown() -> None:
    with mock_aws():
        session = moto_session()
        _root_alarm(session)
        deny(session, "sns", "ListSubscriptionsByTopic")
        snapshot = observe_moto("aws_cloudwatch_log_metric_filter", session=session)
    [alarm] = snapshot.of_type("aws_cloudwatch_log_metric_filter")[0]["attributes"]["alarms"]
    assert "$unknown" in alarm["topics"][0]["confirmed_subscriptions"]
    assert _verdicts(snapshot, "cloudwatch-alarm-root-usage") == {ACCOUNT: "unknown"}


# -- SQS, SNS -------------------------------------------------------------------------------------------


def test_a_region_without_queues_is_an_empty_listing_and_a_denied_queue_is_unknown() -> None:
    with mock_aws():
        session = moto_session()
        empty = observe_moto("aws_sqs_queue", session=session)
        session.client("sqs", region_name=REGION).create_queue(QueueName="jobs")
        deny(session, "sqs", "GetQueueAttributes")
        denied = observe_moto("aws_sqs_queue", session=session)
    assert (empty.of_type("aws_sqs_queue"), [c["status"] for c in empty.coverage]) == ([], ["ok"])
    [jobs] = denied.of_type("aws_sqs_queue")
    assert jobs["id"] == f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs"
    assert "$unknown" in jobs["attributes"]["sqs_managed_sse_enabled"]
    assert _verdicts(denied, "sqs-queue-encrypted") == {jobs["id"]: "unknown"}


def test_pending_subscriptions_are_not_resources() -> None:
    with mock_aws():
        session = moto_session()
        sns = session.client("sns", region_name=REGION)
        topic = sns.create_topic(Name="alerts")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="secops@example.com")
        snapshot = observe_moto("aws_sns_topic_subscription", "aws_sns_topic", session=session)
    [subscription] = snapshot.of_type("aws_sns_topic_subscription")
    assert subscription["attributes"]["topic_arn"] == topic and subscription["name"] is None
    [alerts] = snapshot.of_type("aws_sns_topic")
    assert alerts["attributes"]["fifo_topic"] is False and "kms_master_key_id" not in alerts["attributes"]


# -- the detection services: what "off" is, and what is only a failed call -------------------------------


def test_services_off_are_configured_false_and_on_are_read() -> None:
    with mock_aws():
        session = moto_session()
        session.client("macie2", region_name=REGION).disable_macie()  # moto starts every account with Macie on
        session.client("inspector2", region_name=REGION).enable(resourceTypes=["ECR"], accountIds=[ACCOUNT])
        session.client("guardduty", region_name=AWAY).create_detector(Enable=True, Features=[
            {"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}])
        snapshot = observe_moto("aws_macie2_account", "aws_securityhub_account", "aws_guardduty_detector",
                                "aws_inspector2_enabler", regions=[REGION], session=session)
        away = observe_moto("aws_guardduty_detector", regions=[AWAY], session=session)
    found = {r["type"]: r["attributes"] for r in snapshot.resources}
    assert found["aws_macie2_account"] == {"configured": False}
    assert found["aws_securityhub_account"] == {"configured": False}
    assert found["aws_guardduty_detector"] == {"configured": False}
    assert found["aws_inspector2_enabler"]["resource_types"] == ["ECR"]
    [detector] = away.resources
    assert detector["attributes"]["features"] == [
        {"name": "S3_DATA_EVENTS", "status": "ENABLED", "additional_configuration": []}]


def test_a_denied_call_is_never_read_as_off() -> None:
    with mock_aws():
        session = moto_session()
        deny(session, "securityhub", "DescribeHub", code="AccessDeniedException")
        deny(session, "macie2", "GetMacieSession", code="AccessDeniedException")
        snapshot = observe_moto("aws_securityhub_account", "aws_macie2_account", session=session)
    assert snapshot.resources == []
    assert {c["type"]: c["error"]["code"] for c in snapshot.coverage} == {
        "aws_securityhub_account": "AccessDeniedException", "aws_macie2_account": "AccessDeniedException"}


def _macie_not_enabled(answers: RecordedAnswers, region: str) -> None:
    answers.error("get_macie_session", "AccessDeniedException", "Macie is not enabled.", status=403)


def _inspector_failed(answers: RecordedAnswers, region: str) -> None:
    answers.answer("batch_get_account_status", {"accounts": [], "failedAccounts": [
        {"accountId": ACCOUNT, "errorCode": "ACCESS_DENIED", "errorMessage": "not the delegated administrator"}]})


def test_macie_not_enabled_is_a_fact_and_an_inspector_account_failure_is_an_error(sts: None) -> None:
    session = _session({"macie2": _macie_not_enabled, "inspector2": _inspector_failed})
    snapshot = observe_moto("aws_macie2_account", "aws_inspector2_enabler", session=session)
    assert [r["attributes"] for r in snapshot.of_type("aws_macie2_account")] == [{"configured": False}]
    [inspector] = snapshot.coverage_of("aws_inspector2_enabler")
    assert (inspector["status"], inspector["error"]["code"]) == ("error", "ACCESS_DENIED")


def test_an_inspector_answer_that_names_the_account_nowhere_is_malformed() -> None:
    with mock_aws():  # moto answers no account until Inspector was enabled once in the region
        snapshot = observe_moto("aws_inspector2_enabler", session=moto_session())
    [entry] = snapshot.coverage
    assert (entry["status"], entry["error"]["code"]) == ("error", "MalformedResponse")
    assert _verdicts(snapshot, "inspector-ec2-scanning") == {f"{ACCOUNT}/{REGION}/aws_inspector2_enabler": "unknown"}


def _event_buses_in_pages(answers: RecordedAnswers, region: str) -> None:
    bus = f"arn:aws:events:{region}:{ACCOUNT}:event-bus/"
    answers.answer("list_event_buses", {"EventBuses": [{"Name": "default", "Arn": f"{bus}default"}],
                                        "NextToken": "page-2"})
    answers.answer("list_event_buses", {"EventBuses": [{"Name": "orders", "Arn": f"{bus}orders"}]},
                   params={"NextToken": "page-2"})
    answers.answer("describe_event_bus", {"Name": "default", "Arn": f"{bus}default"}, params={"Name": "default"})
    answers.answer("describe_event_bus", {"Name": "orders", "Arn": f"{bus}orders"}, params={"Name": "orders"})
    answers.answer("list_tags_for_resource", {"Tags": []})


def test_every_page_of_event_buses_is_read(sts: None) -> None:
    snapshot = observe_moto("aws_cloudwatch_event_bus", session=_session({"events": _event_buses_in_pages}))
    assert sorted(r["name"] for r in snapshot.resources) == ["default", "orders"]
    assert _verdicts(snapshot, "eventbridge-custom-bus-policy") == {
        f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/orders": "fail"}
