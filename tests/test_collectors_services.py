"""CloudTrail, Config, RDS, EFS, ECR and Lambda collectors against moto, denied calls included."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from moto import mock_aws

from factories import by_name, deny, moto_client, moto_session, observe_moto, observe_shared
from unify.model.resource import Resource
from unify.model.snapshot import Snapshot

MOTO_ACCOUNT = "123456789012"
REGION = "us-east-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{MOTO_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE_ARN = f"arn:aws:iam::{MOTO_ACCOUNT}:role/service"


@pytest.fixture
def aws() -> Any:
    with mock_aws():
        yield


def only(snapshot: Snapshot, type_: str) -> Resource:
    [resource] = snapshot.of_type(type_)
    return resource


def statuses(snapshot: Snapshot, type_: str) -> dict[str, str]:
    return {c["region"]: c["status"] for c in snapshot.coverage_of(type_)}


# -- CloudTrail ------------------------------------------------------------------------------


def make_trails() -> None:
    moto_client("s3").create_bucket(Bucket="acme-trail")
    trails = moto_client("cloudtrail")
    trails.create_trail(Name="org-main", S3BucketName="acme-trail", IsMultiRegionTrail=True,
                        EnableLogFileValidation=True, KmsKeyId=KEY_ARN,
                        TagsList=[{"Key": "owner", "Value": "security"}])
    trails.start_logging(Name="org-main")
    trails.create_trail(Name="scratch", S3BucketName="acme-trail", S3KeyPrefix="scratch",
                        IncludeGlobalServiceEvents=False)


def test_multi_region_logging_trail_vs_stopped_single_region_trail(aws: None) -> None:
    make_trails()

    snapshot = observe_shared("aws_cloudtrail", regions=[REGION, "eu-west-1"])
    trails = by_name(snapshot, "aws_cloudtrail")

    main = trails["org-main"]
    main_arn = f"arn:aws:cloudtrail:{REGION}:{MOTO_ACCOUNT}:trail/org-main"
    assert (main["id"], main["region"], main["tags"]) == (main_arn, REGION, {"owner": "security"})
    attributes = main["attributes"]
    assert attributes.pop("latest_delivery_time").endswith("Z")
    assert attributes == {
        "name": "org-main", "arn": main_arn, "s3_bucket_name": "acme-trail", "is_multi_region_trail": True,
        "include_global_service_events": True, "enable_log_file_validation": True, "kms_key_id": KEY_ARN,
        "is_organization_trail": False, "home_region": REGION, "enable_logging": True,
        "event_selector": [], "event_selectors": [], "advanced_event_selector": [], "owner_account": MOTO_ACCOUNT,
    }

    scratch = trails["scratch"]["attributes"]
    assert scratch["enable_logging"] is False
    assert scratch["is_multi_region_trail"] is False
    assert scratch["enable_log_file_validation"] is False
    assert scratch["include_global_service_events"] is False
    assert scratch["s3_key_prefix"] == "scratch"
    assert "kms_key_id" not in scratch
    assert "latest_delivery_time" not in scratch
    # The multi-region trail is reported once, in its home region, not as a shadow in eu-west-1.
    assert [r["region"] for r in snapshot.of_type("aws_cloudtrail")] == [REGION, REGION]
    assert statuses(snapshot, "aws_cloudtrail") == {REGION: "ok", "eu-west-1": "ok"}


def test_event_selectors_basic_and_advanced(aws: None) -> None:
    make_trails()
    trails = moto_client("cloudtrail")
    trails.put_event_selectors(TrailName="org-main", EventSelectors=[{
        "ReadWriteType": "All", "IncludeManagementEvents": True,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}])
    trails.put_event_selectors(TrailName="scratch", AdvancedEventSelectors=[{
        "Name": "S3 writes", "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
            {"Field": "readOnly", "NotEquals": ["true"]}]}])

    trails_seen = by_name(observe_shared("aws_cloudtrail"), "aws_cloudtrail")

    main = trails_seen["org-main"]["attributes"]
    expected = [{"read_write_type": "All", "include_management_events": True, "exclude_management_event_sources": [],
                 "data_resource": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]
    assert main["event_selector"] == expected
    assert main["event_selectors"] == expected
    assert main["advanced_event_selector"] == []

    def field(name: str, **operators: list[str]) -> dict[str, Any]:
        operator_names = ("equals", "not_equals", "starts_with", "not_starts_with", "ends_with", "not_ends_with")
        empty: dict[str, list[str]] = {k: [] for k in operator_names}
        return {"field": name, **empty, **operators}

    scratch = trails_seen["scratch"]["attributes"]
    assert scratch["advanced_event_selector"] == [{"name": "S3 writes", "field_selector": [
        field("eventCategory", equals=["Data"]), field("resources.type", equals=["AWS::S3::Object"]),
        field("readOnly", not_equals=["true"])]}]
    assert scratch["event_selectors"] == []


def test_denied_trail_status_is_unknown_and_the_trail_stays(aws: None) -> None:
    make_trails()
    session = moto_session()
    deny(session, "cloudtrail", "GetTrailStatus")

    snapshot = observe_moto("aws_cloudtrail", session=session)

    main = by_name(snapshot, "aws_cloudtrail")["org-main"]["attributes"]
    assert main["enable_logging"] == {"$unknown": "AccessDenied: cloudtrail:get_trail_status"}
    assert main["enable_log_file_validation"] is True
    assert statuses(snapshot, "aws_cloudtrail") == {REGION: "ok"}


# -- Config ----------------------------------------------------------------------------------


def test_recorder_configured_and_recording_vs_regions_without_or_stopped(aws: None) -> None:
    moto_client("s3").create_bucket(Bucket="acme-config")
    config = moto_client("config")
    config.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": ROLE_ARN,
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "acme-config"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    moto_client("config", "us-west-2").put_configuration_recorder(ConfigurationRecorder={
        "name": "partial", "roleARN": ROLE_ARN,
        "recordingGroup": {"allSupported": False, "includeGlobalResourceTypes": False,
                           "resourceTypes": ["AWS::S3::Bucket", "AWS::EC2::Volume"]}})

    snapshot = observe_shared("aws_config_configuration_recorder", regions=[REGION, "eu-west-1", "us-west-2"])
    recorders = {r["region"]: r for r in snapshot.of_type("aws_config_configuration_recorder")}

    recording = recorders[REGION]
    assert (recording["id"], recording["name"]) == (f"{MOTO_ACCOUNT}/{REGION}/aws_config_configuration_recorder",
                                                    "default")
    assert recording["attributes"].pop("last_status_change_time").endswith("Z")
    assert recording["attributes"] == {
        "configured": True, "name": "default", "role_arn": ROLE_ARN, "is_enabled": True, "last_status": "PENDING",
        "recording_group": {"all_supported": True, "include_global_resource_types": True, "resource_types": []},
    }
    absent = recorders["eu-west-1"]
    assert (absent["id"], absent["name"], absent["attributes"]) == (
        f"{MOTO_ACCOUNT}/eu-west-1/aws_config_configuration_recorder", None, {"configured": False})
    partial = recorders["us-west-2"]["attributes"]
    assert partial["is_enabled"] is False
    assert partial["recording_group"] == {"all_supported": False, "include_global_resource_types": False,
                                          "resource_types": ["AWS::EC2::Volume", "AWS::S3::Bucket"]}
    assert "last_status" not in partial


def test_denied_recorder_status_is_unknown(aws: None) -> None:
    moto_client("config").put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": ROLE_ARN})
    session = moto_session()
    deny(session, "config-service", "DescribeConfigurationRecorderStatus")

    attributes = only(observe_moto("aws_config_configuration_recorder", session=session),
                      "aws_config_configuration_recorder")["attributes"]

    marker = {"$unknown": "AccessDenied: config:describe_configuration_recorder_status"}
    assert attributes["configured"] is True
    assert attributes["is_enabled"] == marker
    assert attributes["last_status"] == marker


# -- RDS -------------------------------------------------------------------------------------


def make_databases() -> None:
    rds = moto_client("rds")
    common = {"DBInstanceClass": "db.t3.micro", "AllocatedStorage": 20, "MasterUsername": "admin",
              "MasterUserPassword": "not-a-secret-1"}
    rds.create_db_instance(DBInstanceIdentifier="orders", Engine="postgres", StorageEncrypted=True, KmsKeyId=KEY_ARN,
                           PubliclyAccessible=False, MultiAZ=True, DeletionProtection=True, BackupRetentionPeriod=7,
                           VpcSecurityGroupIds=["sg-0bbb", "sg-0aaa"], EnableIAMDatabaseAuthentication=True,
                           CopyTagsToSnapshot=True, Tags=[{"Key": "env", "Value": "prod"}], **common)
    rds.create_db_instance(DBInstanceIdentifier="legacy", Engine="mysql", PubliclyAccessible=True, **common)


def test_encrypted_private_instance_vs_public_unencrypted(aws: None) -> None:
    make_databases()

    databases = by_name(observe_shared("aws_db_instance"), "aws_db_instance")

    orders = databases["orders"]
    orders_arn = f"arn:aws:rds:{REGION}:{MOTO_ACCOUNT}:db:orders"
    assert (orders["id"], orders["tags"]) == (orders_arn, {"env": "prod"})
    attributes = orders["attributes"]
    assert attributes.pop("engine_version")
    assert attributes.pop("endpoint_address").startswith("orders.")
    assert attributes == {
        "identifier": "orders", "arn": orders_arn, "engine": "postgres", "instance_class": "db.t3.micro",
        "allocated_storage": 20, "storage_type": "gp2", "storage_encrypted": True, "kms_key_id": KEY_ARN,
        "publicly_accessible": False, "multi_az": True, "auto_minor_version_upgrade": True,
        "backup_retention_period": 7, "deletion_protection": True, "iam_database_authentication_enabled": True,
        "vpc_security_group_ids": ["sg-0aaa", "sg-0bbb"], "ca_cert_identifier": "rds-ca-default",
        "copy_tags_to_snapshot": True, "status": "available", "username": "admin", "port": 5432,
        "monitoring_interval": 0, "enabled_cloudwatch_logs_exports": [], "parameter_group_name": "default.postgres9.3",
    }

    legacy = databases["legacy"]["attributes"]
    assert (legacy["publicly_accessible"], legacy["storage_encrypted"]) == (True, False)
    assert (legacy["multi_az"], legacy["deletion_protection"]) == (False, False)
    assert "kms_key_id" not in legacy


# -- EFS -------------------------------------------------------------------------------------


def test_encrypted_file_system_vs_unencrypted(aws: None) -> None:
    efs = moto_client("efs")
    shared = efs.create_file_system(CreationToken="shared", Encrypted=True, KmsKeyId=KEY_ARN,
                                    ThroughputMode="provisioned", ProvisionedThroughputInMibps=64,
                                    Tags=[{"Key": "Name", "Value": "shared"}, {"Key": "env", "Value": "prod"}])
    scratch = efs.create_file_system(CreationToken="scratch", AvailabilityZoneName="us-east-1a")

    systems = by_name(observe_shared("aws_efs_file_system"), "aws_efs_file_system")

    encrypted = systems["shared"]
    assert (encrypted["id"], encrypted["tags"]) == (shared["FileSystemArn"], {"Name": "shared", "env": "prod"})
    assert encrypted["attributes"] == {
        "id": shared["FileSystemId"], "arn": shared["FileSystemArn"], "creation_token": "shared", "encrypted": True,
        "kms_key_id": KEY_ARN, "performance_mode": "generalPurpose", "throughput_mode": "provisioned",
        "provisioned_throughput_in_mibps": 64.0, "number_of_mount_targets": 0, "size_in_bytes": 0,
    }
    plain = systems[scratch["FileSystemId"]]  # no Name tag: named by its id
    assert plain["attributes"]["encrypted"] is False
    assert plain["attributes"]["availability_zone_name"] == "us-east-1a"
    assert "kms_key_id" not in plain["attributes"]
    assert "provisioned_throughput_in_mibps" not in plain["attributes"]


# -- ECR -------------------------------------------------------------------------------------


def make_repositories() -> None:
    ecr = moto_client("ecr")
    ecr.create_repository(repositoryName="api", imageTagMutability="IMMUTABLE",
                          imageScanningConfiguration={"scanOnPush": True},
                          encryptionConfiguration={"encryptionType": "KMS", "kmsKey": KEY_ARN},
                          tags=[{"Key": "team", "Value": "platform"}])
    ecr.set_repository_policy(repositoryName="api", policyText=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "pull", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MOTO_ACCOUNT}:root"},
        "Action": "ecr:BatchGetImage"}]}))
    ecr.create_repository(repositoryName="sandbox")


def test_immutable_scanned_repository_vs_mutable_unscanned(aws: None) -> None:
    make_repositories()

    repositories = by_name(observe_shared("aws_ecr_repository"), "aws_ecr_repository")

    api = repositories["api"]
    api_arn = f"arn:aws:ecr:{REGION}:{MOTO_ACCOUNT}:repository/api"
    assert (api["id"], api["tags"]) == (api_arn, {"team": "platform"})
    assert api["attributes"].pop("created_at").endswith("Z")
    assert api["attributes"] == {
        "arn": api_arn, "name": "api", "registry_id": MOTO_ACCOUNT,
        "repository_url": f"{MOTO_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/api", "image_tag_mutability": "IMMUTABLE",
        "image_scanning_configuration": {"scan_on_push": True},
        "encryption_configuration": {"encryption_type": "KMS", "kms_key": KEY_ARN},
        "policy": {"Version": "2012-10-17", "Statement": [{
            "Sid": "pull", "Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{MOTO_ACCOUNT}:root"]},
            "Action": ["ecr:BatchGetImage"]}]},
    }
    sandbox = repositories["sandbox"]["attributes"]
    assert sandbox["image_tag_mutability"] == "MUTABLE"
    assert sandbox["image_scanning_configuration"] == {"scan_on_push": False}
    assert sandbox["encryption_configuration"] == {"encryption_type": "AES256"}
    assert "policy" not in sandbox


def test_denied_repository_policy_is_unknown(aws: None) -> None:
    make_repositories()
    session = moto_session()
    deny(session, "ecr", "GetRepositoryPolicy")

    repositories = by_name(observe_moto("aws_ecr_repository", session=session), "aws_ecr_repository")

    assert set(repositories) == {"api", "sandbox"}
    for repository in repositories.values():
        assert repository["attributes"]["policy"] == {"$unknown": "AccessDenied: ecr:get_repository_policy"}


# -- Lambda ----------------------------------------------------------------------------------

SECRET_VALUES = ("hunter2-database-password", "sk_live_51Habcdefghijklmnop")


def code_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def make_functions() -> dict[str, str]:
    role = moto_client("iam").create_role(RoleName="lambda-exec", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    ec2 = moto_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.8.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="fn", Description="fn", VpcId=vpc)["GroupId"]
    lam = moto_client("lambda")
    lam.create_function(
        FunctionName="billing", Runtime="python3.12", Role=role, Handler="app.handler", Code={"ZipFile": code_zip()},
        Timeout=30, MemorySize=256, KMSKeyArn=KEY_ARN, TracingConfig={"Mode": "Active"},
        VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [group]}, Tags={"team": "billing"},
        Environment={"Variables": {"DB_PASSWORD": SECRET_VALUES[0], "STRIPE_KEY": SECRET_VALUES[1]}})
    lam.add_permission(FunctionName="billing", StatementId="s3-invoke", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::acme-uploads")
    lam.create_function(FunctionName="ping", Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": code_zip()})
    return {"role": role, "subnet": subnet, "group": group}


def test_function_keeps_environment_variable_names_and_never_their_values(aws: None) -> None:
    made = make_functions()

    snapshot = observe_shared("aws_lambda_function")
    functions = by_name(snapshot, "aws_lambda_function")

    billing = functions["billing"]
    billing_arn = f"arn:aws:lambda:{REGION}:{MOTO_ACCOUNT}:function:billing"
    assert (billing["id"], billing["tags"]) == (billing_arn, {"team": "billing"})
    attributes = billing["attributes"]
    assert attributes["environment_variable_names"] == ["DB_PASSWORD", "STRIPE_KEY"]
    assert "environment" not in attributes
    assert attributes.pop("last_modified").endswith("Z")
    vpc_config = attributes.pop("vpc_config")
    assert (vpc_config["subnet_ids"], vpc_config["security_group_ids"]) == ([made["subnet"]], [made["group"]])
    subnet_zone = moto_client("ec2").describe_subnets(SubnetIds=[made["subnet"]])["Subnets"][0]["AvailabilityZone"]
    assert attributes.pop("vpc_availability_zones") == [subnet_zone]
    policy = attributes.pop("policy")
    assert policy["Statement"][0]["Sid"] == "s3-invoke"
    assert policy["Statement"][0]["Action"] == ["lambda:InvokeFunction"]
    assert attributes == {
        "function_name": "billing", "arn": billing_arn, "runtime": "python3.12", "handler": "app.handler",
        "role": made["role"], "memory_size": 256, "timeout": 30, "package_type": "Zip", "architectures": ["x86_64"],
        "kms_key_arn": KEY_ARN, "tracing_config": {"mode": "Active"},
        "environment_variable_names": ["DB_PASSWORD", "STRIPE_KEY"],
    }

    ping = functions["ping"]["attributes"]
    assert ping["environment_variable_names"] == []
    assert ping["tracing_config"] == {"mode": "PassThrough"}
    assert not {"vpc_config", "kms_key_arn", "policy"} & set(ping)

    serialised = json.dumps(snapshot.data)
    for value in SECRET_VALUES:
        assert value not in serialised


def test_denied_function_policy_is_unknown(aws: None) -> None:
    make_functions()
    session = moto_session()
    deny(session, "lambda", "GetPolicy")

    functions = by_name(observe_moto("aws_lambda_function", session=session), "aws_lambda_function")

    assert functions["billing"]["attributes"]["policy"] == {"$unknown": "AccessDenied: lambda:get_policy"}
    assert functions["billing"]["attributes"]["environment_variable_names"] == ["DB_PASSWORD", "STRIPE_KEY"]


# -- denied listings -------------------------------------------------------------------------

LISTINGS = {
    "aws_cloudtrail": ("cloudtrail", "DescribeTrails"),
    "aws_config_configuration_recorder": ("config-service", "DescribeConfigurationRecorders"),
    "aws_db_instance": ("rds", "DescribeDBInstances"),
    "aws_efs_file_system": ("efs", "DescribeFileSystems"),
    "aws_ecr_repository": ("ecr", "DescribeRepositories"),
    "aws_lambda_function": ("lambda", "ListFunctions"),
}


def test_a_denied_listing_is_error_coverage_while_the_other_types_are_ok(aws: None) -> None:
    make_trails()
    moto_client("config").put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": ROLE_ARN})
    make_databases()
    moto_client("efs").create_file_system(CreationToken="shared")
    make_repositories()
    make_functions()

    for denied_type, (service, operation) in sorted(LISTINGS.items()):
        session = moto_session()
        deny(session, service, operation)

        snapshot = observe_moto(*LISTINGS, session=session)

        assert snapshot.of_type(denied_type) == [], denied_type
        [coverage] = snapshot.coverage_of(denied_type)
        assert (coverage["status"], coverage["error"]["code"]) == ("error", "AccessDenied"), denied_type
        for type_ in set(LISTINGS) - {denied_type}:
            assert statuses(snapshot, type_) == {REGION: "ok"}, (denied_type, type_)
            assert snapshot.of_type(type_), (denied_type, type_)
