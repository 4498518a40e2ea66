"""Backup, Redshift, ElastiCache, search domain, ECS cluster and EFS collectors against moto: what the estates miss.

The both-ways estates (tests/estates/data.py) show each check passing and
failing; these tests pin the shapes no check reads yet (Backup vaults and
plans), the reading of a denied sub-call, and that an observation and a plan
give one shape for the same settings.
"""

from __future__ import annotations

from typing import Any

import pytest
from moto import mock_aws

from factories import TYPES, by_name, deny, moto_client, moto_session, observe_moto
from unify.observe.recorded import RecordedAnswers, RecordedSession
from unify.terraform.shapes import shape

REGION = "us-east-1"
KEY = f"arn:aws:kms:{REGION}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture
def aws() -> Any:
    with mock_aws():
        yield


def test_vault_lock_tags_and_plan_rules_read_as_a_plan_writes_them(aws: None) -> None:
    backup = moto_client("backup")
    backup.create_backup_vault(BackupVaultName="prod", EncryptionKeyArn=KEY, BackupVaultTags={"team": "data"})
    backup.put_backup_vault_lock_configuration(BackupVaultName="prod", MinRetentionDays=7, MaxRetentionDays=365)
    backup.create_backup_vault(BackupVaultName="scratch")
    backup.create_backup_plan(BackupPlan={"BackupPlanName": "daily", "Rules": [
        {"RuleName": "weekly", "TargetBackupVaultName": "prod", "ScheduleExpression": "cron(0 5 ? * 1 *)",
         "Lifecycle": {"MoveToColdStorageAfterDays": 30, "DeleteAfterDays": 365}},
        {"RuleName": "daily", "TargetBackupVaultName": "prod", "ScheduleExpression": "cron(0 5 * * ? *)",
         "StartWindowMinutes": 60, "CompletionWindowMinutes": 180, "Lifecycle": {"DeleteAfterDays": 35}}]},
        BackupPlanTags={"team": "data"})

    snapshot = observe_moto("aws_backup_vault", "aws_backup_plan")
    vaults, [plan] = by_name(snapshot, "aws_backup_vault"), snapshot.of_type("aws_backup_plan")

    assert vaults["prod"]["tags"] == {"team": "data"}
    assert vaults["prod"]["attributes"]["kms_key_arn"] == KEY
    assert vaults["prod"]["attributes"]["lock_configuration"] == {"min_retention_days": 7, "max_retention_days": 365}
    assert vaults["prod"]["attributes"]["locked"] is True
    assert "lock_configuration" not in vaults["scratch"]["attributes"]
    rules = plan["attributes"]["rule"]
    assert [r["rule_name"] for r in rules] == ["daily", "weekly"]  # sorted, as the plan's set is
    assert rules[0] == {"rule_name": "daily", "target_vault_name": "prod", "schedule": "cron(0 5 * * ? *)",
                        "enable_continuous_backup": False, "start_window": 60, "completion_window": 180,
                        "lifecycle": {"delete_after": 35}}
    assert rules[1]["lifecycle"] == {"delete_after": 365, "cold_storage_after": 30}
    planned = shape(TYPES["aws_backup_plan"], {"name": "daily", "rule": [
        {"rule_name": "weekly", "target_vault_name": "prod", "schedule": "cron(0 5 ? * 1 *)",
         "enable_continuous_backup": False, "start_window": 480, "completion_window": 10080,
         "lifecycle": [{"cold_storage_after": 30, "delete_after": 365, "opt_in_to_archive_for_supported_resources":
                        False}], "copy_action": [], "recovery_point_tags": {}},
        {"rule_name": "daily", "target_vault_name": "prod", "schedule": "cron(0 5 * * ? *)",
         "enable_continuous_backup": False, "start_window": 60, "completion_window": 180,
         "lifecycle": [{"cold_storage_after": 0, "delete_after": 35}], "copy_action": []}]})
    assert planned["rule"] == [rules[0], {**rules[1], "start_window": 480, "completion_window": 10080}]


def test_a_denied_logging_status_is_unknown_and_the_cluster_stays(aws: None) -> None:
    moto_client("redshift").create_cluster(ClusterIdentifier="wh", NodeType="dc2.large", ClusterType="single-node",
                                           MasterUsername="admin", MasterUserPassword="Not-a-secret-1")
    session = moto_session()
    deny(session, "redshift", "DescribeLoggingStatus")

    [cluster] = observe_moto("aws_redshift_cluster", session=session).of_type("aws_redshift_cluster")

    assert cluster["attributes"]["logging"] == {"$unknown": "AccessDenied: redshift:describe_logging_status"}
    assert cluster["attributes"]["master_username"] == "admin"
    # moto sends no MultiAZ: unknown, never read as "not Multi-AZ".
    assert cluster["attributes"]["multi_az"] == {"$unknown": "MalformedResponse: MultiAZ not sent"}


def _caches(answers: RecordedAnswers, region: str) -> None:
    """DescribeCacheClusters as AWS answers it for a group's member and a standalone cluster (moto lists no members)."""
    arn = f"arn:aws:elasticache:{region}:123456789012:cluster:"
    answers.answer("describe_cache_clusters", {"CacheClusters": [
        {"CacheClusterId": "sessions-001", "ARN": f"{arn}sessions-001", "ReplicationGroupId": "sessions",
         "Engine": "redis", "EngineVersion": "7.1", "CacheNodeType": "cache.t3.small", "NumCacheNodes": 1,
         "CacheClusterStatus": "available", "SnapshotRetentionLimit": 1, "AutoMinorVersionUpgrade": True,
         "CacheSubnetGroupName": "private"},
        {"CacheClusterId": "pages", "ARN": f"{arn}pages", "Engine": "memcached", "EngineVersion": "1.6.22",
         "CacheNodeType": "cache.t3.small", "NumCacheNodes": 2, "CacheClusterStatus": "available",
         "AutoMinorVersionUpgrade": False, "CacheSubnetGroupName": "default", "SecurityGroups": [
             {"SecurityGroupId": "sg-0b", "Status": "active"}, {"SecurityGroupId": "sg-0a", "Status": "active"}],
         "CacheParameterGroup": {"CacheParameterGroupName": "default.memcached1.6", "ParameterApplyStatus": "in-sync"}},
    ]})
    answers.answer("list_tags_for_resource", {"TagList": [{"Key": "team", "Value": "web"}]},
                   params={"ResourceName": f"{arn}pages"})


def test_replication_group_members_are_not_standalone_clusters(aws: None) -> None:
    session = RecordedSession({"elasticache": _caches}, region_name=REGION, aws_access_key_id="testing",
                              aws_secret_access_key="testing")

    snapshot = observe_moto("aws_elasticache_cluster", session=session)

    assert list(by_name(snapshot, "aws_elasticache_cluster")) == ["pages"]
    pages = by_name(snapshot, "aws_elasticache_cluster")["pages"]
    assert pages["tags"] == {"team": "web"}
    assert pages["attributes"]["security_group_ids"] == ["sg-0a", "sg-0b"]
    assert pages["attributes"]["parameter_group_name"] == "default.memcached1.6"
    assert "transit_encryption_enabled" not in pages["attributes"]  # memcached 1.6 sends none
    planned = shape(TYPES["aws_elasticache_cluster"], {"cluster_id": "pages", "auto_minor_version_upgrade": "false",
                                                       "security_group_ids": ["sg-0b", "sg-0a"]})
    assert planned["auto_minor_version_upgrade"] is pages["attributes"]["auto_minor_version_upgrade"] is False
    assert planned["security_group_ids"] == pages["attributes"]["security_group_ids"]


def test_a_domain_block_aws_did_not_send_is_unknown_and_a_public_domain_has_no_vpc(aws: None) -> None:
    moto_client("es").create_elasticsearch_domain(DomainName="legacy", ElasticsearchVersion="6.8")
    moto_client("opensearch").create_domain(DomainName="logs", EngineVersion="OpenSearch_2.11",
                                            VPCOptions={"SubnetIds": ["subnet-b", "subnet-a"]})

    snapshot = observe_moto("aws_elasticsearch_domain", "aws_opensearch_domain")
    [legacy], [logs] = snapshot.of_type("aws_elasticsearch_domain"), snapshot.of_type("aws_opensearch_domain")

    assert legacy["attributes"]["cluster_config"] == {
        "$unknown": "MalformedResponse: ElasticsearchClusterConfig not sent"}
    assert "vpc_options" not in legacy["attributes"]
    assert logs["attributes"]["vpc_options"] == {"subnet_ids": ["subnet-a", "subnet-b"], "security_group_ids": []}
    planned = shape(TYPES["aws_opensearch_domain"], {"domain_name": "logs", "vpc_options": [
        {"subnet_ids": ["subnet-b", "subnet-a"], "security_group_ids": []}], "access_policies": ""})
    assert planned["vpc_options"] == logs["attributes"]["vpc_options"]
    assert "access_policies" not in planned


def test_ecs_exec_configuration_reads_as_a_plan_writes_it(aws: None) -> None:
    moto_client("ecs").create_cluster(clusterName="apps", configuration={"executeCommandConfiguration": {
        "kmsKeyId": KEY, "logging": "OVERRIDE",
        "logConfiguration": {"cloudWatchLogGroupName": "/ecs/exec", "cloudWatchEncryptionEnabled": True}}})

    [cluster] = observe_moto("aws_ecs_cluster").of_type("aws_ecs_cluster")
    planned = shape(TYPES["aws_ecs_cluster"], {"name": "apps", "setting": [
        {"name": "containerInsights", "value": "disabled"}], "configuration": [{"execute_command_configuration": [{
            "kms_key_id": KEY, "logging": "OVERRIDE", "log_configuration": [{
                "cloud_watch_log_group_name": "/ecs/exec", "cloud_watch_encryption_enabled": True,
                "s3_bucket_name": "", "s3_key_prefix": ""}]}]}]})

    assert cluster["attributes"]["configuration"] == planned["configuration"]
    assert cluster["attributes"]["setting"] == planned["setting"] == [{"name": "containerInsights",
                                                                       "value": "disabled"}]


def test_a_denied_backup_policy_is_unknown_and_none_is_absent(aws: None) -> None:
    efs = moto_client("efs")
    efs.create_file_system(CreationToken="a", Backup=True, Tags=[{"Key": "Name", "Value": "kept"}])
    efs.create_file_system(CreationToken="b", Tags=[{"Key": "Name", "Value": "plain"}])
    found = by_name(observe_moto("aws_efs_file_system"), "aws_efs_file_system")
    assert found["kept"]["attributes"]["backup_policy"] == {"status": "ENABLED"}
    assert "backup_policy" not in found["plain"]["attributes"]  # PolicyNotFound: automatic backups off

    session = moto_session()
    deny(session, "efs", "DescribeBackupPolicy")
    denied = by_name(observe_moto("aws_efs_file_system", session=session), "aws_efs_file_system")
    assert denied["kept"]["attributes"]["backup_policy"] == {
        "$unknown": "AccessDenied: efs:describe_backup_policy"}


def test_an_access_point_is_reported_in_its_own_region_only(aws: None) -> None:
    moto_client("s3").create_bucket(Bucket="acme-shared")
    moto_client("s3control").create_access_point(AccountId="123456789012", Name="readers", Bucket="acme-shared")

    # moto lists the account's access points in every region; AWS lists the region's.
    points = observe_moto("aws_s3_access_point", regions=["us-east-1", "eu-west-1"]).of_type("aws_s3_access_point")

    assert [(p["region"], p["name"]) for p in points] == [("us-east-1", "readers")]
