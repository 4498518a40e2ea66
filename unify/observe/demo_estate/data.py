"""The data stores of the demo estate: RDS clusters and snapshots, Neptune, S3 access points, Redshift, caches, search.

Each unit puts a well-kept and a neglected resource of each kind side by
side, so the FSBP and CIS checks of the group come out both ways. AWS Backup
and DocumentDB are recorded answers (moto lists no recovery points and
refuses the docdb engine), shaped as their API references document them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from unify.observe.demo_seeder import DEMO_ACCOUNT, DemoPart, DemoSeeder, doc
from unify.observe.recorded import RecordedAnswers

__all__ = ["PART"]

_PASSWORD = "Demo-Passw0rd-not-secret"  # noqa: S105 - not a secret: a fixture of the embedded demo
_KEY = f"arn:aws:kms:us-east-1:{DEMO_ACCOUNT}:key/6b1e3c2a-9d4f-4e8a-b7c1-0f2e3d4c5b6a"
_LATEST_TLS = "Policy-Min-TLS-1-2-PFS-2023-10"
_LOGS = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/demo", "awslogs-region": "us-east-1"}}


def _relational(seeder: DemoSeeder, n: int) -> None:
    rds, neptune = seeder.client("rds"), seeder.client("neptune")
    rds.create_db_cluster(
        DBClusterIdentifier=f"billing-aurora-{n}",
        Engine="aurora-postgresql",
        MasterUsername="billing_admin",
        MasterUserPassword=_PASSWORD,
        StorageEncrypted=True,
        DeletionProtection=True,
        EnableIAMDatabaseAuthentication=True,
        CopyTagsToSnapshot=True,
        EnableCloudwatchLogsExports=["postgresql"],
        BackupRetentionPeriod=7,
    )
    rds.create_db_cluster(
        DBClusterIdentifier=f"analytics-aurora-{n}",
        Engine="aurora-mysql",
        MasterUsername="admin",
        MasterUserPassword=_PASSWORD,
        StorageEncrypted=False,
        DeletionProtection=False,
        CopyTagsToSnapshot=False,
    )
    rds.create_db_cluster_snapshot(
        DBClusterSnapshotIdentifier=f"analytics-export-{n}", DBClusterIdentifier=f"analytics-aurora-{n}"
    )
    rds.modify_db_cluster_snapshot_attribute(
        DBClusterSnapshotIdentifier=f"analytics-export-{n}", AttributeName="restore", ValuesToAdd=["all"]
    )
    rds.create_db_snapshot(DBSnapshotIdentifier=f"orders-final-{n}", DBInstanceIdentifier=f"orders-{n}")
    topic = f"arn:aws:sns:{seeder.home}:{DEMO_ACCOUNT}:db-events-{n}"
    # A Multi-AZ DB cluster (not Aurora) for the checks of those.
    rds.create_db_cluster(
        DBClusterIdentifier=f"events-pg-{n}",
        Engine="postgres",
        MasterUsername="events",
        MasterUserPassword=_PASSWORD,
        DBClusterInstanceClass="db.m5d.large",
        StorageType="io1",
        Iops=1000,
        AllocatedStorage=100,
        AutoMinorVersionUpgrade=False,
        CopyTagsToSnapshot=True,
    )
    for name, source, categories in (
        (f"db-cluster-alerts-{n}", "db-cluster", ["failure", "maintenance"]),
        (f"db-instance-alerts-{n}", "db-instance", ["failure"]),
        (f"db-params-alerts-{n}", "db-parameter-group", ["configuration change"]),
        (f"db-groups-alerts-{n}", "db-security-group", ["failure"]),
    ):
        rds.create_event_subscription(
            SubscriptionName=name, SnsTopicArn=topic, SourceType=source, EventCategories=categories, Enabled=True
        )
    neptune.create_db_cluster(
        DBClusterIdentifier=f"graph-{n}",
        Engine="neptune",
        StorageEncrypted=True,
        DeletionProtection=False,
        BackupRetentionPeriod=7,
        EnableCloudwatchLogsExports=["audit"],
    )
    neptune.create_db_cluster_snapshot(
        DBClusterSnapshotIdentifier=f"graph-export-{n}", DBClusterIdentifier=f"graph-{n}"
    )
    neptune.modify_db_cluster_snapshot_attribute(
        DBClusterSnapshotIdentifier=f"graph-export-{n}", AttributeName="restore", ValuesToAdd=["all"]
    )


def _access_points(seeder: DemoSeeder, n: int) -> None:
    """Access points on the core estate's log bucket: one as made (all four blocks on), one opened up."""
    s3control, bucket = seeder.client("s3control"), f"acme-logs-{n}"
    s3control.create_access_point(AccountId=DEMO_ACCOUNT, Name=f"log-readers-{n}", Bucket=bucket)
    s3control.create_access_point(
        AccountId=DEMO_ACCOUNT,
        Name=f"log-partners-{n}",
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )


def _warehouses_and_caches(seeder: DemoSeeder, n: int) -> None:
    redshift, elasticache = seeder.client("redshift"), seeder.client("elasticache")
    redshift.create_cluster(
        ClusterIdentifier=f"warehouse-{n}",
        NodeType="ra3.xlplus",
        ClusterType="multi-node",
        NumberOfNodes=2,
        MasterUsername="warehouse_admin",
        MasterUserPassword=_PASSWORD,
        PubliclyAccessible=False,
        Encrypted=True,
        KmsKeyId=_KEY,
        EnhancedVpcRouting=True,
        AutomatedSnapshotRetentionPeriod=7,
    )
    redshift.enable_logging(ClusterIdentifier=f"warehouse-{n}", BucketName=f"acme-logs-{n}", S3KeyPrefix="redshift/")
    redshift.create_cluster(
        ClusterIdentifier=f"sandbox-warehouse-{n}",
        NodeType="dc2.large",
        ClusterType="single-node",
        MasterUsername="awsuser",
        MasterUserPassword=_PASSWORD,
        PubliclyAccessible=True,
        AutomatedSnapshotRetentionPeriod=1,
        AllowVersionUpgrade=False,
    )
    elasticache.create_replication_group(
        ReplicationGroupId=f"sessions-{n}",
        ReplicationGroupDescription="web sessions",
        Engine="redis",
        CacheNodeType="cache.t3.small",
        NumCacheClusters=2,
        AutomaticFailoverEnabled=True,
        AtRestEncryptionEnabled=True,
        TransitEncryptionEnabled=True,
        SnapshotRetentionLimit=5,
        AutoMinorVersionUpgrade=True,  # moto sends the flag only when it was given
    )
    elasticache.create_replication_group(
        ReplicationGroupId=f"jobs-cache-{n}",
        ReplicationGroupDescription="job queue",
        Engine="redis",
        CacheNodeType="cache.t3.small",
        NumCacheClusters=1,
        AutoMinorVersionUpgrade=False,
    )
    elasticache.create_cache_cluster(
        CacheClusterId=f"pages-{n}",
        Engine="memcached",
        EngineVersion="1.6.22",
        CacheNodeType="cache.t3.small",
        NumCacheNodes=1,
        CacheSubnetGroupName="default",
        AutoMinorVersionUpgrade=True,
    )


def _search(seeder: DemoSeeder, n: int) -> None:
    group = f"arn:aws:logs:{seeder.home}:{DEMO_ACCOUNT}:log-group:/aws/opensearch/logs-{n}"
    seeder.client("opensearch").create_domain(
        DomainName=f"logs-{n}",
        EngineVersion="OpenSearch_2.11",
        ClusterConfig={
            "InstanceType": "r6g.large.search",
            "InstanceCount": 3,
            "ZoneAwarenessEnabled": True,
            "DedicatedMasterEnabled": True,
            "DedicatedMasterType": "m6g.large.search",
            "DedicatedMasterCount": 3,
        },
        EncryptionAtRestOptions={"Enabled": True, "KmsKeyId": _KEY},
        NodeToNodeEncryptionOptions={"Enabled": True},
        DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": _LATEST_TLS},
        VPCOptions={"SubnetIds": [f"subnet-0demo{n:04d}"], "SecurityGroupIds": [f"sg-0demo{n:04d}"]},
        AdvancedSecurityOptions={
            "Enabled": True,
            "InternalUserDatabaseEnabled": False,
            "MasterUserOptions": {"MasterUserARN": f"arn:aws:iam::{DEMO_ACCOUNT}:role/search-admin"},
        },
        LogPublishingOptions={
            kind: {"CloudWatchLogsLogGroupArn": group, "Enabled": True}
            for kind in ("ES_APPLICATION_LOGS", "AUDIT_LOGS")
        },
    )
    seeder.client("es").create_elasticsearch_domain(
        DomainName=f"legacy-search-{n}",
        ElasticsearchVersion="6.8",
        ElasticsearchClusterConfig={"InstanceType": "t3.small.elasticsearch", "InstanceCount": 1},
        AccessPolicies=doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "es:*",
                "Resource": f"arn:aws:es:{seeder.home}:{DEMO_ACCOUNT}:domain/legacy-search-{n}/*",
            }
        ),
    )


def _containers_and_files(seeder: DemoSeeder, n: int) -> None:
    ecs, efs, ec2 = seeder.client("ecs"), seeder.client("efs"), seeder.client("ec2")
    ecs.create_cluster(clusterName=f"apps-{n}", settings=[{"name": "containerInsights", "value": "enabled"}])
    ecs.create_cluster(clusterName=f"batch-{n}")
    ecs.register_task_definition(
        family=f"storefront-{n}",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[
            {
                "name": "web",
                "image": "public.ecr.aws/nginx/nginx:1.27",
                "user": "101",
                "readonlyRootFilesystem": True,
                "logConfiguration": _LOGS,
            }
        ],
    )
    ecs.register_task_definition(
        family=f"log-agent-{n}",
        networkMode="host",
        pidMode="host",
        containerDefinitions=[
            {
                "name": "agent",
                "image": "acme/log-agent:0.9",
                "memory": 256,
                "privileged": True,
                "environment": [{"name": "AWS_ACCESS_KEY_ID", "value": "AKIADEMOEXAMPLE"}],
            }
        ],
    )
    vpc = ec2.create_vpc(CidrBlock=f"10.{100 + n % 100}.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{100 + n % 100}.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName=f"storefront-{n}", Description="storefront tasks", VpcId=vpc)["GroupId"]
    for name, public, platform in ((f"storefront-{n}", False, "LATEST"), (f"storefront-preview-{n}", True, "1.3.0")):
        ecs.create_service(
            cluster=f"apps-{n}",
            serviceName=name,
            taskDefinition=f"storefront-{n}:1",
            desiredCount=1,
            launchType="FARGATE",
            platformVersion=platform,
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": [subnet],
                    "securityGroups": [group],
                    "assignPublicIp": "ENABLED" if public else "DISABLED",
                }
            },
        )
    # Access points on the core estate's shared file system (its automatic backups are off).
    [shared] = [fs["FileSystemId"] for fs in efs.describe_file_systems(CreationToken=f"shared-{n}")["FileSystems"]]
    efs.create_access_point(
        FileSystemId=shared,
        PosixUser={"Uid": 1000, "Gid": 1000},
        RootDirectory={"Path": "/app"},
        Tags=[{"Key": "Name", "Value": f"shared-app-{n}"}],
    )
    efs.create_access_point(FileSystemId=shared, Tags=[{"Key": "Name", "Value": f"shared-admin-{n}"}])


def _seed(seeder: DemoSeeder, n: int) -> None:
    _relational(seeder, n)
    _access_points(seeder, n)
    _warehouses_and_caches(seeder, n)
    _search(seeder, n)
    _containers_and_files(seeder, n)


# -- recorded answers ----------------------------------------------------------------------------


def _backup(answers: RecordedAnswers, region: str) -> None:
    """AWS Backup as its API reference documents the list and get calls: a vault, a plan, two recovery points."""
    if region != "us-east-1":
        answers.answer("list_backup_vaults", {"BackupVaultList": []})
        answers.answer("list_backup_plans", {"BackupPlansList": []})
        return
    vault = f"arn:aws:backup:{region}:{DEMO_ACCOUNT}:backup-vault:prod-vault"
    plan_id = "8a1d2c3b-4e5f-4a6b-9c8d-7e6f5a4b3c2d"
    plan = f"arn:aws:backup:{region}:{DEMO_ACCOUNT}:backup-plan:{plan_id}"
    created = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
    answers.answer(
        "list_backup_vaults",
        {
            "BackupVaultList": [
                {
                    "BackupVaultName": "prod-vault",
                    "BackupVaultArn": vault,
                    "EncryptionKeyArn": _KEY,
                    "NumberOfRecoveryPoints": 2,
                    "Locked": True,
                    "MinRetentionDays": 7,
                    "MaxRetentionDays": 365,
                    "CreationDate": created,
                }
            ]
        },
    )
    answers.answer(
        "list_backup_plans",
        {
            "BackupPlansList": [
                {"BackupPlanId": plan_id, "BackupPlanArn": plan, "BackupPlanName": "daily", "VersionId": "v1"}
            ]
        },
    )
    answers.answer(
        "get_backup_plan",
        {
            "BackupPlanId": plan_id,
            "BackupPlanArn": plan,
            "VersionId": "v1",
            "BackupPlan": {
                "BackupPlanName": "daily",
                "Rules": [
                    {
                        "RuleName": "daily-35-days",
                        "TargetBackupVaultName": "prod-vault",
                        "ScheduleExpression": "cron(0 5 * * ? *)",
                        "StartWindowMinutes": 60,
                        "CompletionWindowMinutes": 180,
                        "Lifecycle": {"DeleteAfterDays": 35},
                    }
                ],
            },
        },
        params={"BackupPlanId": plan_id},
    )
    for arn in (vault, plan):
        answers.answer("list_tags", {"Tags": {"owner": "platform"}}, params={"ResourceArn": arn})
    points: list[dict[str, Any]] = []
    for point_id, resource, encrypted in (
        ("3f2e1d0c-9b8a-4765-a4b3-c2d1e0f9a8b7", f"arn:aws:dynamodb:{region}:{DEMO_ACCOUNT}:table/orders", True),
        ("c4d5e6f7-0a1b-4c2d-8e3f-9a0b1c2d3e4f", f"arn:aws:ec2:{region}::volume/vol-0demo0legacy", False),
    ):
        points.append(
            {
                "RecoveryPointArn": f"arn:aws:backup:{region}:{DEMO_ACCOUNT}:recovery-point:{point_id}",
                "BackupVaultName": "prod-vault",
                "BackupVaultArn": vault,
                "ResourceArn": resource,
                "ResourceType": "DynamoDB" if "dynamodb" in resource else "EBS",
                "Status": "COMPLETED",
                "IsEncrypted": encrypted,
                "CreationDate": created,
                **({"EncryptionKeyArn": _KEY} if encrypted else {}),
            }
        )
    answers.answer(
        "list_recovery_points_by_backup_vault", {"RecoveryPoints": points}, params={"BackupVaultName": "prod-vault"}
    )


def _docdb(answers: RecordedAnswers, region: str) -> None:
    """DocumentDB as its API reference documents DescribeDBClusters and DescribeDBClusterSnapshots."""
    clusters: list[dict[str, Any]] = []
    if region == "us-east-1":
        for name, good in (("catalog-docs", True), ("sandbox-docs", False)):
            arn = f"arn:aws:rds:{region}:{DEMO_ACCOUNT}:cluster:{name}"
            clusters.append(
                {
                    "DBClusterIdentifier": name,
                    "DBClusterArn": arn,
                    "Engine": "docdb",
                    "EngineVersion": "5.0.0",
                    "Status": "available",
                    "Port": 27017,
                    "MasterUsername": "docs_admin",
                    "MultiAZ": good,
                    "StorageEncrypted": good,
                    "BackupRetentionPeriod": 7 if good else 1,
                    "DeletionProtection": good,
                    "EnabledCloudwatchLogsExports": ["audit"] if good else [],
                    "DBClusterMembers": [{"DBInstanceIdentifier": f"{name}-1", "IsClusterWriter": True}],
                    "Endpoint": f"{name}.cluster-demo.{region}.docdb.amazonaws.com",
                    **({"KmsKeyId": _KEY} if good else {}),
                }
            )
            answers.answer("list_tags_for_resource", {"TagList": []}, params={"ResourceName": arn})
    answers.answer("describe_db_clusters", {"DBClusters": clusters})
    snapshots: list[dict[str, Any]] = []
    if region == "us-east-1":
        name = "sandbox-docs-export"
        snapshots.append(
            {
                "DBClusterSnapshotIdentifier": name,
                "DBClusterSnapshotArn": f"arn:aws:rds:{region}:{DEMO_ACCOUNT}:cluster-snapshot:{name}",
                "DBClusterIdentifier": "sandbox-docs",
                "Engine": "docdb",
                "EngineVersion": "5.0.0",
                "Status": "available",
                "SnapshotType": "manual",
                "StorageEncrypted": False,
                "Port": 27017,
                "MasterUsername": "docs_admin",
                "PercentProgress": 100,
            }
        )
        answers.answer(
            "describe_db_cluster_snapshot_attributes",
            {
                "DBClusterSnapshotAttributesResult": {
                    "DBClusterSnapshotIdentifier": name,
                    "DBClusterSnapshotAttributes": [{"AttributeName": "restore", "AttributeValues": ["all"]}],
                }
            },
            params={"DBClusterSnapshotIdentifier": name},
        )
    answers.answer("describe_db_cluster_snapshots", {"DBClusterSnapshots": snapshots})


PART = DemoPart(
    name="data",
    seed=_seed,
    recordings={"backup": _backup, "docdb": _docdb},
    note=(
        "data stores: AWS Backup and DocumentDB answer from recorded answers shaped as their API references "
        "document them (moto lists no recovery points and refuses the docdb engine)"
    ),
)
