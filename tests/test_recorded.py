"""Recorded answers for services moto lacks: validated against the service model, served in any order."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError, ParamValidationError
from botocore.stub import UnStubbedResponseError
from moto import mock_aws

from unify.observe.recorded import RecordedSession

ARN = "arn:aws:apprunner:us-east-1:123456789012:service/api-1/8fe1e10304f84fd2b0df550fe98a71fa"
OTHER = "arn:aws:apprunner:us-east-1:123456789012:service/web-1/0fe1e10304f84fd2b0df550fe98a71fb"


def _session(fill) -> RecordedSession:
    return RecordedSession({"apprunner": fill}, region_name="us-east-1", aws_access_key_id="testing",
                           aws_secret_access_key="testing")


def _record(answers, region: str) -> None:
    answers.answer("list_services", {"ServiceSummaryList": [
        {"ServiceName": "api-1", "ServiceArn": ARN}, {"ServiceName": "web-1", "ServiceArn": OTHER}]})
    answers.error("describe_service", "ResourceNotFoundException", "gone", params={"ServiceArn": OTHER})
    answers.answer("list_tags_for_resource", {"Tags": [{"Key": "region", "Value": region}]})


def test_answers_are_matched_by_parameters_any_number_of_times_from_many_threads() -> None:
    client = _session(_record).client("apprunner", region_name="eu-west-1")
    with ThreadPoolExecutor(4) as pool:
        names = list(pool.map(lambda _: [s["ServiceName"] for s in client.list_services()["ServiceSummaryList"]],
                              range(16)))
    assert names == [["api-1", "web-1"]] * 16
    assert client.list_tags_for_resource(ResourceArn=ARN)["Tags"] == [{"Key": "region", "Value": "eu-west-1"}]
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        client.describe_service(ServiceArn=OTHER)
    with pytest.raises(UnStubbedResponseError, match="no answer recorded"):
        client.describe_service(ServiceArn=ARN)  # nobody recorded it: loud, never an empty answer


def test_an_answer_aws_would_not_send_is_refused_when_recorded() -> None:
    def bad(answers, region: str) -> None:
        answers.answer("list_services", {"ServiceSummaryList": [{"ServiceName": "a", "ServiceArn": ARN}]})

    with pytest.raises(ParamValidationError, match="ServiceName"):
        _session(bad).client("apprunner")


def test_a_served_answer_is_a_copy_and_other_services_are_untouched() -> None:
    session = _session(_record)
    client = session.client("apprunner")
    client.list_services()["ServiceSummaryList"].clear()
    assert len(client.list_services()["ServiceSummaryList"]) == 2
    with mock_aws():  # a service with no recording reaches moto (a stubbed one would raise UnStubbedResponseError)
        s3 = session.client("s3")
        s3.create_bucket(Bucket="acme-untouched")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["acme-untouched"]


def test_a_partial_recording_leaves_the_operations_it_does_not_record_to_the_endpoint() -> None:
    def partial(answers, region: str) -> None:
        answers.answer("get_bucket_policy", {"Policy": '{"Statement": []}'}, params={"Bucket": "acme-recorded"})
        answers.serve_the_rest()

    session = RecordedSession({"s3": partial}, region_name="us-east-1", aws_access_key_id="testing",
                              aws_secret_access_key="testing")
    with mock_aws():
        s3 = session.client("s3")
        s3.create_bucket(Bucket="acme-served")  # not recorded: moto makes it
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["acme-served"]
        assert s3.get_bucket_policy(Bucket="acme-recorded")["Policy"] == '{"Statement": []}'
        with pytest.raises(UnStubbedResponseError, match="no answer recorded"):
            s3.get_bucket_policy(Bucket="acme-served")  # a recorded operation still refuses other parameters
