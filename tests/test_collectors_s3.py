"""S3 collectors against moto: folded bucket blocks, bucket regions, the account public access block, denied calls."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto import mock_aws

from factories import by_name, deny, moto_session, observe_moto, observe_shared, shared_session
from unify.aws.s3 import bucket_region

MOTO_ACCOUNT = "123456789012"
KEY_ARN = f"arn:aws:kms:us-east-1:{MOTO_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
MOTO_OWNER = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"  # moto's canonical id of the owner


def tls_only(bucket: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": {
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    }


@pytest.fixture
def s3() -> Any:
    with mock_aws():
        yield shared_session().client("s3", region_name="us-east-1")


def make_compliant(s3: Any, name: str, logs: str) -> None:
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN},
        "BucketKeyEnabled": True}]})
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(tls_only(name)))
    s3.put_bucket_logging(Bucket=name, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": logs,
                                                                               "TargetPrefix": f"{name}/"}})
    s3.put_bucket_ownership_controls(Bucket=name,
                                     OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "owner", "Value": "data-platform"}]})


def test_compliant_bucket_has_every_block_and_a_bare_bucket_has_none(s3: Any) -> None:
    s3.create_bucket(Bucket="acme-logs")
    s3.put_bucket_acl(Bucket="acme-logs", ACL="log-delivery-write")  # moto checks the target can receive logs
    make_compliant(s3, "acme-data", "acme-logs")

    snapshot = observe_shared("aws_s3_bucket")
    buckets = by_name(snapshot, "aws_s3_bucket")

    data = buckets["acme-data"]
    assert data["id"] == "arn:aws:s3:::acme-data"
    assert data["region"] == "us-east-1"
    assert data["tags"] == {"owner": "data-platform"}
    attributes = data["attributes"]
    assert attributes.pop("creation_date").endswith("Z")
    assert attributes == {
        "bucket": "acme-data",
        "arn": "arn:aws:s3:::acme-data",
        "versioning": {"status": "Enabled"},
        "server_side_encryption_configuration": {"rule": [{
            "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": KEY_ARN},
            "bucket_key_enabled": True}]},
        "public_access_block": {"block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True,
                                "restrict_public_buckets": True},
        "policy": {"Version": "2012-10-17", "Statement": [{
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": ["s3:*"],
            "Resource": ["arn:aws:s3:::acme-data", "arn:aws:s3:::acme-data/*"],
            "Condition": {"Bool": {"aws:SecureTransport": ["false"]}}}]},
        "policy_is_public": False,
        "logging": {"target_bucket": "acme-logs", "target_prefix": "acme-data/"},
        "ownership_controls": {"rule": {"object_ownership": "BucketOwnerEnforced"}},
        "grant": [{"type": "CanonicalUser", "id": MOTO_OWNER, "permissions": ["FULL_CONTROL"]}],
        "object_lock_enabled": False,
    }

    bare = buckets["acme-logs"]
    assert bare["tags"] == {}
    # absent, not null; every bucket has an ACL, and Object Lock is off when it has no configuration
    assert set(bare["attributes"]) == {"bucket", "arn", "creation_date", "grant", "object_lock_enabled"}
    # moto's log-delivery-write grants the group READ_ACP only (S3 also grants WRITE)
    assert bare["attributes"]["grant"] == [
        {"type": "CanonicalUser", "id": MOTO_OWNER, "permissions": ["FULL_CONTROL"]},
        {"type": "Group", "uri": "http://acs.amazonaws.com/groups/s3/LogDelivery", "permissions": ["READ_ACP"]}]
    assert [c["status"] for c in snapshot.coverage_of("aws_s3_bucket")] == ["ok"]
    assert snapshot.coverage_of("aws_s3_bucket")[0]["region"] == "global"


def test_public_policy_and_suspended_versioning_with_sse_s3(s3: Any) -> None:
    s3.create_bucket(Bucket="acme-web")
    s3.put_bucket_versioning(Bucket="acme-web", VersioningConfiguration={"Status": "Suspended"})
    s3.put_bucket_encryption(Bucket="acme-web", ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.put_bucket_policy(Bucket="acme-web", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-web/*"}]}))

    attributes = by_name(observe_shared("aws_s3_bucket"), "aws_s3_bucket")["acme-web"]["attributes"]

    assert attributes["versioning"] == {"status": "Suspended"}
    assert attributes["server_side_encryption_configuration"] == {"rule": [{
        "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}, "bucket_key_enabled": False}]}
    assert attributes["policy_is_public"] is True
    assert attributes["policy"]["Statement"][0]["Resource"] == ["arn:aws:s3:::acme-web/*"]


def test_lifecycle_replication_object_lock_and_notifications_in_the_providers_shape(s3: Any) -> None:
    s3.create_bucket(Bucket="acme-archive", ObjectLockEnabledForBucket=True)
    s3.put_bucket_versioning(Bucket="acme-archive", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(Bucket="acme-archive", LifecycleConfiguration={"Rules": [
        {"ID": "tier", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
         "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}], "Expiration": {"Days": 365}},
        {"ID": "abort", "Status": "Disabled", "Filter": {}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3}}]})
    s3.put_bucket_replication(Bucket="acme-archive", ReplicationConfiguration={
        "Role": f"arn:aws:iam::{MOTO_ACCOUNT}:role/replication", "Rules": [{
            "ID": "all", "Priority": 1, "Status": "Enabled", "Filter": {},
            "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": {"Bucket": "arn:aws:s3:::acme-dr"}}]})
    s3.put_object_lock_configuration(Bucket="acme-archive", ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 1}}})
    queue = shared_session().client("sqs", region_name="us-east-1").create_queue(QueueName="archive")["QueueUrl"]
    s3.put_bucket_notification_configuration(Bucket="acme-archive", NotificationConfiguration={"QueueConfigurations": [
        {"QueueArn": f"arn:aws:sqs:us-east-1:{MOTO_ACCOUNT}:archive", "Events": ["s3:ObjectRemoved:*",
                                                                             "s3:ObjectCreated:*"]}]})
    assert queue

    attributes = by_name(observe_shared("aws_s3_bucket"), "aws_s3_bucket")["acme-archive"]["attributes"]

    assert attributes["lifecycle_rule"] == [
        {"id": "abort", "status": "Disabled", "abort_incomplete_multipart_upload": {"days_after_initiation": 3}},
        {"id": "tier", "status": "Enabled", "expiration": {"days": 365},
         "transition": [{"days": 30, "storage_class": "GLACIER"}]}]
    assert attributes["replication_configuration"] == {
        "role": f"arn:aws:iam::{MOTO_ACCOUNT}:role/replication",
        "rules": [{"id": "all", "status": "Enabled", "destination": {"bucket": "arn:aws:s3:::acme-dr"}}]}
    assert attributes["object_lock_enabled"] is True
    assert attributes["object_lock_configuration"] == {
        "object_lock_enabled": "Enabled", "rule": {"default_retention": {"mode": "COMPLIANCE", "years": 1}}}
    assert attributes["notification"] == {"eventbridge": False, "queue": [
        {"queue_arn": f"arn:aws:sqs:us-east-1:{MOTO_ACCOUNT}:archive",
         "events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}]}


def test_a_denied_lifecycle_or_acl_call_is_unknown_and_the_bucket_stays(s3: Any) -> None:
    s3.create_bucket(Bucket="acme-guarded")
    session = moto_session()
    deny(session, "s3", "GetBucketLifecycleConfiguration")
    deny(session, "s3", "GetBucketAcl")

    attributes = by_name(observe_moto("aws_s3_bucket", session=session), "aws_s3_bucket")["acme-guarded"]["attributes"]

    assert attributes["lifecycle_rule"] == {"$unknown": "AccessDenied: s3:get_bucket_lifecycle_configuration"}
    assert attributes["grant"] == {"$unknown": "AccessDenied: s3:get_bucket_acl"}
    assert attributes["object_lock_enabled"] is False  # ObjectLockConfigurationNotFoundError: a fact


def test_buckets_are_reported_in_their_own_region_and_only_when_it_is_observed(s3: Any) -> None:
    s3.create_bucket(Bucket="acme-us")
    s3.create_bucket(Bucket="acme-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_versioning(Bucket="acme-eu", VersioningConfiguration={"Status": "Enabled"})

    both = by_name(observe_shared("aws_s3_bucket", regions=["us-east-1", "eu-west-1"]), "aws_s3_bucket")
    assert {name: r["region"] for name, r in both.items()} == {"acme-us": "us-east-1", "acme-eu": "eu-west-1"}
    assert both["acme-eu"]["attributes"]["versioning"] == {"status": "Enabled"}

    us_only = observe_shared("aws_s3_bucket", regions=["us-east-1"])
    assert set(by_name(us_only, "aws_s3_bucket")) == {"acme-us"}
    assert [c["status"] for c in us_only.coverage_of("aws_s3_bucket")] == ["ok"]


@pytest.mark.parametrize(("location", "region"), [(None, "us-east-1"), ("", "us-east-1"), ("EU", "eu-west-1"),
                                                  ("ap-south-1", "ap-south-1")])
def test_legacy_location_constraints(location: str | None, region: str) -> None:
    assert bucket_region(location) == region


def test_account_public_access_block_set_and_unset(s3: Any) -> None:
    singleton = f"{MOTO_ACCOUNT}/aws_s3_account_public_access_block"

    unset = observe_shared("aws_s3_account_public_access_block").of_type("aws_s3_account_public_access_block")
    assert [(r["id"], r["name"], r["region"], r["attributes"]) for r in unset] == [
        (singleton, None, "global", {"configured": False, "account_id": MOTO_ACCOUNT})]

    shared_session().client("s3control", region_name="us-east-1").put_public_access_block(
        AccountId=MOTO_ACCOUNT, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": False})
    snapshot = observe_shared("aws_s3_account_public_access_block")
    [block] = snapshot.of_type("aws_s3_account_public_access_block")
    assert block["id"] == singleton
    assert block["attributes"] == {"configured": True, "account_id": MOTO_ACCOUNT, "block_public_acls": True,
                                   "block_public_policy": True, "ignore_public_acls": True,
                                   "restrict_public_buckets": False}
    assert [c["status"] for c in snapshot.coverage_of("aws_s3_account_public_access_block")] == ["ok"]


def test_denied_account_public_access_block_is_error_coverage_not_a_resource(s3: Any) -> None:
    session = moto_session()
    deny(session, "s3-control", "GetPublicAccessBlock")

    snapshot = observe_moto("aws_s3_account_public_access_block", session=session)

    assert snapshot.of_type("aws_s3_account_public_access_block") == []
    [coverage] = snapshot.coverage_of("aws_s3_account_public_access_block")
    assert (coverage["status"], coverage["error"]["code"]) == ("error", "AccessDenied")


def test_denied_bucket_policy_is_unknown_and_the_bucket_stays(s3: Any) -> None:
    s3.create_bucket(Bucket="acme-data")
    s3.put_bucket_policy(Bucket="acme-data", Policy=json.dumps(tls_only("acme-data")))
    session = moto_session()
    deny(session, "s3", "GetBucketPolicy")

    snapshot = observe_moto("aws_s3_bucket", session=session)

    attributes = by_name(snapshot, "aws_s3_bucket")["acme-data"]["attributes"]
    assert attributes["policy"] == {"$unknown": "AccessDenied: s3:get_bucket_policy"}
    assert attributes["policy_is_public"] is False  # its own call was allowed
    assert [c["status"] for c in snapshot.coverage_of("aws_s3_bucket")] == ["ok"]


def test_denied_bucket_location_keeps_the_bucket_in_region_global(s3: Any) -> None:
    s3.create_bucket(Bucket="acme-data")
    s3.put_bucket_versioning(Bucket="acme-data", VersioningConfiguration={"Status": "Enabled"})
    session = moto_session()
    deny(session, "s3", "GetBucketLocation")

    bucket = by_name(observe_moto("aws_s3_bucket", session=session), "aws_s3_bucket")["acme-data"]

    assert bucket["region"] == "global"
    assert bucket["attributes"]["versioning"] == {"status": "Enabled"}


def test_bucket_region_from_the_listing_saves_get_bucket_location(s3: Any) -> None:
    s3.create_bucket(Bucket="acme-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    session = moto_session()

    def as_aws_answers(parsed: dict[str, Any], **kwargs: Any) -> None:
        # AWS adds BucketRegion when the request has a parameter (MaxBuckets); moto never does.
        for bucket in parsed.get("Buckets", []):
            bucket["BucketRegion"] = "eu-west-1"

    session.events.register("after-call.s3.ListBuckets", as_aws_answers)
    deny(session, "s3", "GetBucketLocation")  # would make the region unknown if it were called

    snapshot = observe_moto("aws_s3_bucket", regions=["eu-west-1"], session=session)

    assert by_name(snapshot, "aws_s3_bucket")["acme-eu"]["region"] == "eu-west-1"
    assert "s3:get_bucket_location" not in snapshot.data["stats"]["calls"]


def test_listings_filtered_by_region_place_many_buckets_where_the_listing_gives_no_region(s3: Any) -> None:
    # moto's ListBuckets gives no BucketRegion: one filtered listing per observed region beats one
    # GetBucketLocation per bucket once there are more buckets than regions.
    for name, region in (("acme-us-1", "us-east-1"), ("acme-us-2", "us-east-1"), ("acme-eu", "eu-west-1"),
                         ("acme-in", "ap-south-1")):
        config = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=name, **config)
    s3.put_bucket_versioning(Bucket="acme-eu", VersioningConfiguration={"Status": "Enabled"})
    session = moto_session()
    deny(session, "s3", "GetBucketLocation")  # would leave the buckets in region global if it were called

    snapshot = observe_moto("aws_s3_bucket", regions=["us-east-1", "eu-west-1"], session=session)

    found = by_name(snapshot, "aws_s3_bucket")
    assert {name: r["region"] for name, r in found.items()} == {
        "acme-us-1": "us-east-1", "acme-us-2": "us-east-1", "acme-eu": "eu-west-1"}  # ap-south-1 not observed
    assert found["acme-eu"]["attributes"]["versioning"] == {"status": "Enabled"}
    calls = snapshot.data["stats"]["calls"]
    assert calls["s3:list_buckets"] == 3
    assert "s3:get_bucket_location" not in calls
    assert [c["status"] for c in snapshot.coverage_of("aws_s3_bucket")] == ["ok"]


def test_denied_bucket_listing_is_error_coverage(s3: Any) -> None:
    s3.create_bucket(Bucket="acme-data")
    session = moto_session()
    deny(session, "s3", "ListBuckets")

    snapshot = observe_moto("aws_s3_bucket", "aws_s3_account_public_access_block", session=session)

    assert snapshot.of_type("aws_s3_bucket") == []
    [coverage] = snapshot.coverage_of("aws_s3_bucket")
    assert (coverage["region"], coverage["status"], coverage["error"]["code"]) == ("global", "error", "AccessDenied")
    assert [c["status"] for c in snapshot.coverage_of("aws_s3_account_public_access_block")] == ["ok"]
