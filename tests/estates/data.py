"""The data services: RDS (instances, clusters, snapshots, events), Neptune, DocumentDB and the rest of the group.

Each estate puts compliant and non-compliant resources side by side and is
observed once; the same estate is written as the Terraform plan that makes
it. Where moto cannot produce a fact, the estate says so where it edits the
snapshot or records answers.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from collections.abc import Callable, Iterable
from typing import Any

from both_ways import ACCOUNT, FAIL, HOME, OUT, PASS, Estate, Planned, Seeder
from unify.model.snapshot import Snapshot
from unify.observe.recorded import RecordedAnswers

PASSWORD = "Correct-Horse-9"
TOPIC = f"arn:aws:sns:{HOME}:{ACCOUNT}:db-events"
MONITORING_ROLE = f"arn:aws:iam::{ACCOUNT}:role/rds-monitoring"


def rebuilt(snapshot: Snapshot, change: Callable[[dict[str, Any]], None]) -> Snapshot:
    """The snapshot with ``change`` applied to a copy of each resource, digest recomputed."""
    resources = copy.deepcopy(snapshot.data["resources"])
    for resource in resources:
        change(resource)
    return Snapshot.build(resources=resources, coverage=snapshot.coverage, scope=snapshot.scope,
                          source=snapshot.data["source"], taken_at=snapshot.data["taken_at"])


def verdicts(passing: Iterable[str], failing: Iterable[str], out: Iterable[str] = ()) -> dict[str, str | None]:
    return {**dict.fromkeys(passing, PASS), **dict.fromkeys(failing, FAIL), **dict.fromkeys(out, OUT)}


# =============================================================================================
# RDS: instances, clusters, snapshots and event subscriptions; Neptune clusters and snapshots
# =============================================================================================

#: instance -> (engine, settings in the API's names); each setting is also written into the plan
INSTANCES: dict[str, dict[str, Any]] = {
    "ledger-db": {"Engine": "postgres", "MasterUsername": "ledger_admin", "Port": 5433, "StorageEncrypted": True,
                  "MonitoringInterval": 60, "MonitoringRoleArn": MONITORING_ROLE, "DeletionProtection": True,
                  "EnableCloudwatchLogsExports": ["postgresql", "upgrade"], "EnableIAMDatabaseAuthentication": True,
                  "BackupRetentionPeriod": 7, "CopyTagsToSnapshot": True},
    "legacy-db": {"Engine": "postgres", "MasterUsername": "postgres", "Port": 5432, "StorageEncrypted": False,
                  "MonitoringInterval": 0, "DeletionProtection": False, "EnableCloudwatchLogsExports": [],
                  "EnableIAMDatabaseAuthentication": False, "BackupRetentionPeriod": 1, "CopyTagsToSnapshot": False},
    "shop-maria": {"Engine": "mariadb", "EngineVersion": "10.11.6", "MasterUsername": "shop", "Port": 3307,
                   "EnableCloudwatchLogsExports": ["audit", "error", "general", "slowquery"]},
    "crm-sqlserver": {"Engine": "sqlserver-se", "MasterUsername": "crm", "Port": 1433,
                      "LicenseModel": "license-included", "EnableCloudwatchLogsExports": ["error"]},
    "shop-maria-quiet": {"Engine": "mariadb", "EngineVersion": "10.11.6", "MasterUsername": "shop", "Port": 3307,
                         "EnableCloudwatchLogsExports": ["general"]},
    "hr-sqlserver": {"Engine": "sqlserver-se", "MasterUsername": "hr", "Port": 1434,
                     "LicenseModel": "license-included", "EnableCloudwatchLogsExports": ["agent", "error"]},
}
_TF_INSTANCE = {"Engine": "engine", "EngineVersion": "engine_version", "MasterUsername": "username", "Port": "port",
                "StorageEncrypted": "storage_encrypted", "MonitoringInterval": "monitoring_interval",
                "MonitoringRoleArn": "monitoring_role_arn", "DeletionProtection": "deletion_protection",
                "EnableCloudwatchLogsExports": "enabled_cloudwatch_logs_exports",
                "EnableIAMDatabaseAuthentication": "iam_database_authentication_enabled",
                "BackupRetentionPeriod": "backup_retention_period", "CopyTagsToSnapshot": "copy_tags_to_snapshot",
                "LicenseModel": "license_model"}

#: cluster -> settings in the API's names; members: instance -> availability zone
CLUSTERS: dict[str, dict[str, Any]] = {
    "orders-aurora": {"Engine": "aurora-mysql", "MasterUsername": "orders_admin", "StorageEncrypted": True,
                      "DeletionProtection": True, "EnableIAMDatabaseAuthentication": True, "BacktrackWindow": 86400,
                      "CopyTagsToSnapshot": True, "EnableCloudwatchLogsExports": ["audit", "error"],
                      "BackupRetentionPeriod": 7},
    "reports-aurora": {"Engine": "aurora-postgresql", "MasterUsername": "postgres", "StorageEncrypted": False,
                       "DeletionProtection": False, "EnableIAMDatabaseAuthentication": False,
                       "CopyTagsToSnapshot": False, "EnableCloudwatchLogsExports": []},
    "billing-aurora": {"Engine": "aurora-mysql", "MasterUsername": "billing_admin", "StorageEncrypted": True,
                       "DeletionProtection": True, "CopyTagsToSnapshot": True, "EnableCloudwatchLogsExports": ["error"]},
    "insights-aurora": {"Engine": "aurora-postgresql", "MasterUsername": "insights_admin", "StorageEncrypted": True,
                        "DeletionProtection": True, "CopyTagsToSnapshot": True,
                        "EnableCloudwatchLogsExports": ["postgresql"]},
    "events-pg": {"Engine": "postgres", "MasterUsername": "events", "AutoMinorVersionUpgrade": True,
                  "CopyTagsToSnapshot": True},
    "stats-pg": {"Engine": "postgres", "MasterUsername": "stats", "AutoMinorVersionUpgrade": True,
                 "CopyTagsToSnapshot": False},
    "audit-mysql": {"Engine": "mysql", "MasterUsername": "audit", "AutoMinorVersionUpgrade": False,
                    "CopyTagsToSnapshot": True},
    "metrics-mysql": {"Engine": "mysql", "MasterUsername": "metrics", "AutoMinorVersionUpgrade": True,
                      "CopyTagsToSnapshot": False},
}
MULTI_AZ_DB_CLUSTER = {"DBClusterInstanceClass": "db.m5d.large", "StorageType": "io1", "Iops": 1000,
                       "AllocatedStorage": 100}
MEMBERS = {"orders-aurora": {"orders-aurora-1": "us-east-1a", "orders-aurora-2": "us-east-1b"},
           "reports-aurora": {"reports-aurora-1": "us-east-1a"}}
_TF_CLUSTER = {"Engine": "engine", "MasterUsername": "master_username", "StorageEncrypted": "storage_encrypted",
               "DeletionProtection": "deletion_protection",
               "EnableIAMDatabaseAuthentication": "iam_database_authentication_enabled",
               "BacktrackWindow": "backtrack_window", "CopyTagsToSnapshot": "copy_tags_to_snapshot",
               "EnableCloudwatchLogsExports": "enabled_cloudwatch_logs_exports",
               "BackupRetentionPeriod": "backup_retention_period",
               "AutoMinorVersionUpgrade": "auto_minor_version_upgrade",
               "DBClusterInstanceClass": "db_cluster_instance_class", "StorageType": "storage_type", "Iops": "iops",
               "AllocatedStorage": "allocated_storage"}

#: subscription -> (source type, categories, enabled)
SUBSCRIPTIONS: dict[str, tuple[str, list[str], bool]] = {
    "cluster-alerts": ("db-cluster", ["maintenance", "failure"], True),
    "cluster-notices": ("db-cluster", ["notification"], True),
    "instance-alerts": ("db-instance", [], True),
    "instance-paused": ("db-instance", ["maintenance", "configuration change", "failure"], False),
    "params-alerts": ("db-parameter-group", ["configuration change"], True),
    "params-paused": ("db-parameter-group", ["configuration change"], False),
    "groups-alerts": ("db-security-group", ["configuration change", "failure"], True),
    "groups-failures": ("db-security-group", ["failure"], True),
}

#: Neptune cluster -> settings in the API's names (IAM authentication: see neptune_iam below)
GRAPHS = {
    "graph-prod": {"StorageEncrypted": True, "DeletionProtection": True, "BackupRetentionPeriod": 7,
                   "EnableCloudwatchLogsExports": ["audit"], "CopyTagsToSnapshot": True},
    "graph-dev": {"StorageEncrypted": False, "DeletionProtection": False, "BackupRetentionPeriod": 1,
                  "EnableCloudwatchLogsExports": [], "CopyTagsToSnapshot": False},
}
_TF_GRAPH = {"StorageEncrypted": "storage_encrypted", "DeletionProtection": "deletion_protection",
             "BackupRetentionPeriod": "backup_retention_period",
             "EnableCloudwatchLogsExports": "enable_cloudwatch_logs_exports",
             "CopyTagsToSnapshot": "copy_tags_to_snapshot"}

#: snapshot -> (source, public)
INSTANCE_SNAPSHOTS = {"ledger-final": ("ledger-db", False), "legacy-export": ("legacy-db", True)}
CLUSTER_SNAPSHOTS = {"orders-final": ("orders-aurora", False), "reports-export": ("reports-aurora", True)}
GRAPH_SNAPSHOTS = {"graph-prod-final": ("graph-prod", False), "graph-dev-export": ("graph-dev", True)}


def relational(seeder: Seeder) -> None:
    rds, neptune = seeder.client("rds"), seeder.client("neptune")
    for name, settings in INSTANCES.items():
        # PubliclyAccessible is passed every time: moto returns it only when it was given at create.
        rds.create_db_instance(DBInstanceIdentifier=name, DBInstanceClass="db.m5.large", MasterUserPassword=PASSWORD,
                               AllocatedStorage=20, PubliclyAccessible=False, **settings)
    for name, settings in CLUSTERS.items():
        extra = MULTI_AZ_DB_CLUSTER if settings["Engine"] in ("postgres", "mysql") else {}
        rds.create_db_cluster(DBClusterIdentifier=name, MasterUserPassword=PASSWORD, **settings, **extra)
        for member, zone in MEMBERS.get(name, {}).items():
            rds.create_db_instance(DBInstanceIdentifier=member, DBInstanceClass="db.r6g.large",
                                   Engine=settings["Engine"], DBClusterIdentifier=name, AvailabilityZone=zone)
    for name, (source, public) in INSTANCE_SNAPSHOTS.items():
        rds.create_db_snapshot(DBSnapshotIdentifier=name, DBInstanceIdentifier=source)
        if public:
            rds.modify_db_snapshot_attribute(DBSnapshotIdentifier=name, AttributeName="restore", ValuesToAdd=["all"])
    for name, (source, public) in CLUSTER_SNAPSHOTS.items():
        rds.create_db_cluster_snapshot(DBClusterSnapshotIdentifier=name, DBClusterIdentifier=source)
        if public:
            rds.modify_db_cluster_snapshot_attribute(DBClusterSnapshotIdentifier=name, AttributeName="restore",
                                                     ValuesToAdd=["all"])
    for name, (source_type, categories, enabled) in SUBSCRIPTIONS.items():
        rds.create_event_subscription(SubscriptionName=name, SnsTopicArn=TOPIC, SourceType=source_type,
                                      EventCategories=categories, Enabled=enabled)
    for name, settings in GRAPHS.items():
        neptune.create_db_cluster(DBClusterIdentifier=name, Engine="neptune", **settings)
    for name, (source, public) in GRAPH_SNAPSHOTS.items():
        neptune.create_db_cluster_snapshot(DBClusterSnapshotIdentifier=name, DBClusterIdentifier=source)
        if public:
            neptune.modify_db_cluster_snapshot_attribute(DBClusterSnapshotIdentifier=name, AttributeName="restore",
                                                         ValuesToAdd=["all"])


def neptune_iam(snapshot: Snapshot) -> Snapshot:
    # moto refuses EnableIAMDatabaseAuthentication for Neptune at create and ignores it on ModifyDBCluster:
    # graph-prod gets the `true` DescribeDBClusters answers on AWS once IAM authentication is turned on.
    def change(resource: dict[str, Any]) -> None:
        if resource["type"] == "aws_neptune_cluster" and resource["name"] == "graph-prod":
            resource["attributes"]["iam_database_authentication_enabled"] = True

    return rebuilt(snapshot, change)


def _tf(settings: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    return {names[key]: value for key, value in settings.items() if key in names}


def _relational_plan() -> list[Planned]:
    out = []
    for name, settings in INSTANCES.items():
        out.append(Planned("aws_db_instance", name.replace("-", "_"), {
            "identifier": name, "instance_class": "db.m5.large", "allocated_storage": 20, "publicly_accessible": False,
            **_tf(settings, _TF_INSTANCE)}, unknown=("arn", "id", "endpoint", "address"), sensitive=("password",)))
    for name, settings in CLUSTERS.items():
        extra = MULTI_AZ_DB_CLUSTER if settings["Engine"] in ("postgres", "mysql") else {}
        out.append(Planned("aws_rds_cluster", name.replace("-", "_"), {
            "cluster_identifier": name, **_tf(settings | extra, _TF_CLUSTER)},
            unknown=("arn", "id", "endpoint", "port", "cluster_members"), sensitive=("master_password",)))
        for member in MEMBERS.get(name, {}):
            out.append(Planned("aws_rds_cluster_instance", member.replace("-", "_"), {
                "identifier": member, "cluster_identifier": name, "engine": settings["Engine"],
                "instance_class": "db.r6g.large", "publicly_accessible": False},
                unknown=("arn", "id", "endpoint", "storage_encrypted", "port")))
    for name, (source, public) in INSTANCE_SNAPSHOTS.items():
        out.append(Planned("aws_db_snapshot", name.replace("-", "_"), {
            "db_snapshot_identifier": name, "db_instance_identifier": source, "shared_accounts": ["all"] if public else []},
            unknown=("db_snapshot_arn", "id", "encrypted", "engine", "kms_key_id", "snapshot_type")))
    for name, (source, public) in CLUSTER_SNAPSHOTS.items():
        out.append(Planned("aws_db_cluster_snapshot", name.replace("-", "_"), {
            "db_cluster_snapshot_identifier": name, "db_cluster_identifier": source,
            "shared_accounts": ["all"] if public else []},
            unknown=("db_cluster_snapshot_arn", "id", "storage_encrypted", "engine", "kms_key_id", "snapshot_type")))
    for name, (source_type, categories, enabled) in SUBSCRIPTIONS.items():
        out.append(Planned("aws_db_event_subscription", name.replace("-", "_"), {
            "name": name, "sns_topic": TOPIC, "source_type": source_type, "event_categories": categories,
            "enabled": enabled}, unknown=("arn", "id", "customer_aws_id")))
    for name, settings in GRAPHS.items():
        out.append(Planned("aws_neptune_cluster", name.replace("-", "_"), {
            "cluster_identifier": name, "engine": "neptune", "iam_database_authentication_enabled": name == "graph-prod",
            **_tf(settings, _TF_GRAPH)}, unknown=("arn", "id", "endpoint", "cluster_members")))
    for name, (source, _) in GRAPH_SNAPSHOTS.items():
        out.append(Planned("aws_neptune_cluster_snapshot", name.replace("-", "_"), {
            "db_cluster_snapshot_identifier": name, "db_cluster_identifier": source},
            unknown=("db_cluster_snapshot_arn", "id", "storage_encrypted", "engine", "kms_key_id", "snapshot_type")))
    return out


MEMBER_NAMES = [m for members in MEMBERS.values() for m in members]

RDS_ESTATE = Estate(
    "rds-clusters-snapshots-events",
    relational,
    expect={
        "rds-enhanced-monitoring": verdicts(["ledger-db"], ["legacy-db"]),
        "rds-deletion-protection": verdicts(["ledger-db"], ["legacy-db"], out=MEMBER_NAMES),
        "rds-cloudwatch-logs": verdicts(["ledger-db", "shop-maria"], ["legacy-db", "crm-sqlserver"],
                                        out=MEMBER_NAMES),
        "rds-iam-authentication": verdicts(["ledger-db"], ["legacy-db"], out=["crm-sqlserver"]),
        "rds-automatic-backups": verdicts(["ledger-db"], ["legacy-db"]),
        "rds-copy-tags-to-snapshot": verdicts(["ledger-db"], ["legacy-db"], out=MEMBER_NAMES),
        "rds-no-default-port": verdicts(["ledger-db", "shop-maria"], ["legacy-db", "crm-sqlserver"],
                                        out=MEMBER_NAMES),
        "rds-custom-admin": verdicts(["ledger-db", "shop-maria"], ["legacy-db"], out=MEMBER_NAMES),
        "rds-postgresql-logs": verdicts(["ledger-db"], ["legacy-db"], out=["shop-maria"]),
        "rds-sqlserver-logs": verdicts(["hr-sqlserver"], ["crm-sqlserver"], out=["ledger-db"]),
        "rds-mariadb-logs": verdicts(["shop-maria"], ["shop-maria-quiet"], out=["ledger-db"]),
        "rds-cluster-deletion-protection": verdicts(["orders-aurora"], ["reports-aurora"]),
        "rds-cluster-iam-authentication": verdicts(["orders-aurora"], ["reports-aurora"]),
        "rds-aurora-backtracking": verdicts(["orders-aurora"], ["billing-aurora"], out=["reports-aurora"]),
        "rds-cluster-multi-az": verdicts(["orders-aurora"], ["reports-aurora"]),
        "rds-aurora-copy-tags": verdicts(["orders-aurora"], ["reports-aurora"], out=["events-pg"]),
        "rds-cluster-custom-admin": verdicts(["orders-aurora", "events-pg"], ["reports-aurora"]),
        "rds-cluster-encrypted": verdicts(["orders-aurora"], ["reports-aurora"]),
        "rds-aurora-mysql-audit-logs": verdicts(["orders-aurora"], ["billing-aurora"], out=["reports-aurora"]),
        "rds-aurora-postgresql-logs": verdicts(["insights-aurora"], ["reports-aurora"], out=["orders-aurora"]),
        "rds-cluster-auto-minor-version-upgrade": verdicts(["events-pg"], ["audit-mysql"], out=["orders-aurora"]),
        "rds-postgresql-cluster-copy-tags": verdicts(["events-pg"], ["stats-pg"], out=["audit-mysql"]),
        "rds-mysql-cluster-copy-tags": verdicts(["audit-mysql"], ["metrics-mysql"], out=["events-pg"]),
        "rds-snapshot-not-public": verdicts(["ledger-final", "orders-final"], ["legacy-export", "reports-export"]),
        "rds-snapshot-encrypted": verdicts(["ledger-final", "orders-final"], ["legacy-export", "reports-export"]),
        "rds-event-subscription-cluster-events": verdicts(["cluster-alerts"], ["cluster-notices"],
                                                          out=["instance-alerts"]),
        "rds-event-subscription-instance-events": verdicts(["instance-alerts"], ["instance-paused"],
                                                           out=["cluster-alerts"]),
        "rds-event-subscription-parameter-group-events": verdicts(["params-alerts"], ["params-paused"]),
        "rds-event-subscription-security-group-events": verdicts(["groups-alerts"], ["groups-failures"]),
        "neptune-cluster-encrypted": verdicts(["graph-prod"], ["graph-dev"]),
        "neptune-cluster-audit-logs": verdicts(["graph-prod"], ["graph-dev"]),
        "neptune-cluster-deletion-protection": verdicts(["graph-prod"], ["graph-dev"]),
        "neptune-cluster-backups": verdicts(["graph-prod"], ["graph-dev"]),
        "neptune-cluster-iam-authentication": verdicts(["graph-prod"], ["graph-dev"]),
        "neptune-cluster-copy-tags": verdicts(["graph-prod"], ["graph-dev"]),
        "neptune-snapshot-not-public": verdicts(["graph-prod-final"], ["graph-dev-export"]),
        "neptune-snapshot-encrypted": verdicts(["graph-prod-final"], ["graph-dev-export"]),
    },
    live_only={
        "rds-cluster-multi-az": "AWS's MultiAZ of a cluster follows from where its instances run; Terraform has "
                                "no such argument",
        "rds-snapshot-encrypted": "a snapshot's encryption is its source's, computed by the provider at apply",
        "neptune-snapshot-not-public": "Terraform's Neptune snapshot has no sharing argument",
        "neptune-snapshot-encrypted": "a snapshot's encryption is its source's, computed by the provider at apply",
    },
    plan=_relational_plan(),
    edit=neptune_iam,
)

ESTATES = [RDS_ESTATE]


# -- DocumentDB: recorded answers (moto refuses the docdb engine) --------------------------------

DOCS = {
    "catalog-docs": {"StorageEncrypted": True, "BackupRetentionPeriod": 7, "EnabledCloudwatchLogsExports": ["audit"],
                     "DeletionProtection": True},
    "sandbox-docs": {"StorageEncrypted": False, "BackupRetentionPeriod": 1, "EnabledCloudwatchLogsExports": [],
                     "DeletionProtection": False},
}
_TF_DOCS = {"StorageEncrypted": "storage_encrypted", "BackupRetentionPeriod": "backup_retention_period",
            "EnabledCloudwatchLogsExports": "enabled_cloudwatch_logs_exports",
            "DeletionProtection": "deletion_protection"}
DOC_SNAPSHOTS = {"catalog-docs-final": ("catalog-docs", "manual", False),
                 "sandbox-docs-export": ("sandbox-docs", "manual", True),
                 "rds:catalog-docs-2026-11-30-03-10": ("catalog-docs", "automated", False)}


def _docdb_arn(kind: str, name: str) -> str:
    return f"arn:aws:rds:{HOME}:{ACCOUNT}:{kind}:{name}"


def documentdb(answers: RecordedAnswers, region: str) -> None:
    """DocumentDB's answers as its API reference documents DescribeDBClusters and DescribeDBClusterSnapshots."""
    clusters = []
    for name, settings in DOCS.items():
        encrypted = settings["StorageEncrypted"]
        clusters.append({
            "DBClusterIdentifier": name, "DBClusterArn": _docdb_arn("cluster", name), "Engine": "docdb",
            "EngineVersion": "5.0.0", "Status": "available", "Port": 27017, "MasterUsername": "docs_admin",
            "MultiAZ": False, "DBSubnetGroup": "docs-private", "DBClusterParameterGroup": "default.docdb5.0",
            "AvailabilityZones": [f"{region}a", f"{region}b"],
            "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-0d0c5a1e2b3c4d5e6", "Status": "active"}],
            "DBClusterMembers": [{"DBInstanceIdentifier": f"{name}-1", "IsClusterWriter": True,
                                  "DBClusterParameterGroupStatus": "in-sync", "PromotionTier": 1}],
            "DbClusterResourceId": f"cluster-{name.upper().replace('-', '')}",
            "Endpoint": f"{name}.cluster-c9x8.{region}.docdb.amazonaws.com", **settings,
            **({"KmsKeyId": f"arn:aws:kms:{region}:{ACCOUNT}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"}
               if encrypted else {})})
        answers.answer("list_tags_for_resource", {"TagList": [{"Key": "team", "Value": "catalog"}]},
                       params={"ResourceName": _docdb_arn("cluster", name)})
    answers.answer("describe_db_clusters", {"DBClusters": clusters})
    snapshots = []
    for name, (source, kind, public) in DOC_SNAPSHOTS.items():
        encrypted = DOCS[source]["StorageEncrypted"]
        snapshots.append({
            "DBClusterSnapshotIdentifier": name, "DBClusterSnapshotArn": _docdb_arn("cluster-snapshot", name),
            "DBClusterIdentifier": source, "Engine": "docdb", "EngineVersion": "5.0.0", "Status": "available",
            "SnapshotType": kind, "StorageEncrypted": encrypted, "Port": 27017, "MasterUsername": "docs_admin",
            "PercentProgress": 100, "VpcId": "vpc-0a1b2c3d4e5f60718",
            **({"KmsKeyId": f"arn:aws:kms:{region}:{ACCOUNT}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"}
               if encrypted else {})})
        if kind == "manual":
            answers.answer("describe_db_cluster_snapshot_attributes", {"DBClusterSnapshotAttributesResult": {
                "DBClusterSnapshotIdentifier": name, "DBClusterSnapshotAttributes": [
                    {"AttributeName": "restore", "AttributeValues": ["all"] if public else []}]}},
                params={"DBClusterSnapshotIdentifier": name})
    answers.answer("describe_db_cluster_snapshots", {"DBClusterSnapshots": snapshots})


def _docdb_plan() -> list[Planned]:
    out = [Planned("aws_docdb_cluster", name.replace("-", "_"), {
        "cluster_identifier": name, "engine": "docdb", "master_username": "docs_admin",
        **_tf(settings, _TF_DOCS)}, unknown=("arn", "id", "endpoint", "cluster_members", "kms_key_id"),
        sensitive=("master_password",)) for name, settings in DOCS.items()]
    out += [Planned("aws_docdb_cluster_snapshot", name.replace("-", "_"), {
        "db_cluster_snapshot_identifier": name, "db_cluster_identifier": source},
        unknown=("db_cluster_snapshot_arn", "id", "storage_encrypted", "kms_key_id", "snapshot_type"))
        for name, (source, kind, _) in DOC_SNAPSHOTS.items() if kind == "manual"]
    return out


DOCDB_ESTATE = Estate(
    "documentdb-recorded",
    lambda seeder: None,  # everything is in the recorded answers
    expect={
        "docdb-cluster-encrypted": verdicts(["catalog-docs"], ["sandbox-docs"]),
        "docdb-cluster-backup-retention": verdicts(["catalog-docs"], ["sandbox-docs"]),
        "docdb-cluster-audit-logs": verdicts(["catalog-docs"], ["sandbox-docs"]),
        "docdb-cluster-deletion-protection": verdicts(["catalog-docs"], ["sandbox-docs"]),
        "docdb-snapshot-not-public": verdicts(["catalog-docs-final"], ["sandbox-docs-export"],
                                              out=["rds:catalog-docs-2026-11-30-03-10"]),
    },
    live_only={"docdb-snapshot-not-public": "Terraform's DocumentDB snapshot has no sharing argument"},
    plan=_docdb_plan(),
    recordings={"docdb": documentdb},
)

ESTATES.append(DOCDB_ESTATE)


# =============================================================================================
# S3: lifecycle, replication, Object Lock, notifications, ACLs, encryption, logging; access points
# =============================================================================================

LOCKED = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
HALF_OPEN = LOCKED | {"BlockPublicPolicy": False, "RestrictPublicBuckets": False}
RECORDS, SITE, VERSIONED, LOGS, REPLICA = ("acme-records", "acme-public-site", "acme-versioned-only",
                                           "acme-access-logs", "acme-records-replica")
KMS_KEY = f"arn:aws:kms:{HOME}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
QUEUE = f"arn:aws:sqs:{HOME}:{ACCOUNT}:records-events"
REPLICATION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/s3-replication"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
MOTO_OWNER = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"  # moto's canonical id of the owner


def _s3_doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


PUBLIC_READ_POLICY = _s3_doc({"Sid": "PublicRead", "Effect": "Allow", "Principal": {"AWS": "*"},
                              "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{SITE}/*"})
LOG_DELIVERY_POLICY = _s3_doc({"Sid": "ServerAccessLogs", "Effect": "Allow",
                               "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
                               "Resource": f"arn:aws:s3:::{LOGS}/*"})
LIFECYCLE = {"Rules": [{"ID": "expire-old-versions", "Status": "Enabled", "Filter": {"Prefix": ""},
                        "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]}
REPLICATION = {"Role": REPLICATION_ROLE, "Rules": [{
    "ID": "to-replica", "Priority": 1, "Status": "Enabled", "Filter": {"Prefix": ""},
    "DeleteMarkerReplication": {"Status": "Disabled"},
    "Destination": {"Bucket": f"arn:aws:s3:::{REPLICA}", "StorageClass": "STANDARD"}}]}
#: access point -> its Block Public Access settings (None: made without, so all four on)
ACCESS_POINTS = {"records-ap": None, "open-ap": LOCKED | {"BlockPublicPolicy": False}}


def buckets(seeder: Seeder) -> None:
    s3, s3control = seeder.client("s3"), seeder.client("s3control")
    s3control.put_public_access_block(AccountId=ACCOUNT, PublicAccessBlockConfiguration=LOCKED)
    seeder.ids["account"] = f"{ACCOUNT}/aws_s3_account_public_access_block"
    seeder.client("sqs").create_queue(QueueName="records-events")
    for bucket in (LOGS, REPLICA, SITE, VERSIONED):
        s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=LOGS, Policy=LOG_DELIVERY_POLICY)
    s3.create_bucket(Bucket=RECORDS, ObjectLockEnabledForBucket=True)
    s3.put_public_access_block(Bucket=RECORDS, PublicAccessBlockConfiguration=LOCKED)
    s3.put_bucket_versioning(Bucket=RECORDS, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_versioning(Bucket=REPLICA, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(Bucket=RECORDS, LifecycleConfiguration=LIFECYCLE)
    s3.put_bucket_replication(Bucket=RECORDS, ReplicationConfiguration=REPLICATION)
    s3.put_object_lock_configuration(Bucket=RECORDS, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 30}}})
    s3.put_bucket_notification_configuration(Bucket=RECORDS, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"]}]})
    s3.put_bucket_ownership_controls(Bucket=RECORDS, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    s3.put_bucket_encryption(Bucket=RECORDS, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KMS_KEY},
        "BucketKeyEnabled": True}]})
    s3.put_bucket_logging(Bucket=RECORDS, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": LOGS, "TargetPrefix": "records/"}})
    # moto's canned public-read-write grants AllUsers READ only: the grants are given one by one instead.
    s3.put_bucket_acl(Bucket=SITE, AccessControlPolicy={"Owner": {"ID": MOTO_OWNER}, "Grants": [
        {"Grantee": {"Type": "CanonicalUser", "ID": MOTO_OWNER}, "Permission": "FULL_CONTROL"},
        *[{"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": p} for p in ("READ", "WRITE")]]})
    s3.put_bucket_acl(Bucket=VERSIONED, ACL="private")
    s3.put_bucket_policy(Bucket=SITE, Policy=PUBLIC_READ_POLICY)
    s3.put_bucket_versioning(Bucket=VERSIONED, VersioningConfiguration={"Status": "Enabled"})
    for name, block in ACCESS_POINTS.items():
        s3control.create_access_point(AccountId=ACCOUNT, Name=name, Bucket=RECORDS,
                                      **({"PublicAccessBlockConfiguration": block} if block else {}))


#: Attributes the provider computes on a new bucket (as in `terraform show -json`): only side resources fill them.
COMPUTED_BUCKET = ("arn", "id", "grant", "lifecycle_rule", "replication_configuration", "object_lock_configuration")


def _bucket(name: str, **values: Any) -> Planned:
    lock = "object_lock_enabled" in values
    return Planned("aws_s3_bucket", name.replace("-", "_"), {"bucket": name, "force_destroy": False, "tags": {},
                                                            **values},
                   unknown=COMPUTED_BUCKET + (() if lock else ("object_lock_enabled",)))


def _side(type_: str, bucket: str, **values: Any) -> Planned:
    return Planned(type_, bucket.replace("-", "_"), {"bucket": bucket, **values}, unknown=("id",))


def _block(block: dict[str, bool]) -> dict[str, bool]:
    return {"block_public_acls": block["BlockPublicAcls"], "block_public_policy": block["BlockPublicPolicy"],
            "ignore_public_acls": block["IgnorePublicAcls"], "restrict_public_buckets": block["RestrictPublicBuckets"]}


def _bucket_plan() -> list[Planned]:
    return [
        Planned("aws_s3_account_public_access_block", "account", {"account_id": ACCOUNT, **_block(LOCKED)},
                unknown=("id",)),
        _bucket(LOGS), _bucket(REPLICA), _bucket(SITE), _bucket(VERSIONED), _bucket(RECORDS, object_lock_enabled=True),
        _side("aws_s3_bucket_policy", LOGS, policy=LOG_DELIVERY_POLICY),
        _side("aws_s3_bucket_public_access_block", RECORDS, **_block(LOCKED)),
        _side("aws_s3_bucket_versioning", RECORDS, versioning_configuration=[{"status": "Enabled", "mfa_delete": ""}]),
        _side("aws_s3_bucket_versioning", REPLICA, versioning_configuration=[{"status": "Enabled", "mfa_delete": ""}]),
        _side("aws_s3_bucket_lifecycle_configuration", RECORDS, expected_bucket_owner="", rule=[{
            "id": "expire-old-versions", "status": "Enabled", "prefix": "",
            "filter": [{"prefix": "", "and": [], "tag": [], "object_size_greater_than": None,
                        "object_size_less_than": None}],
            "expiration": [], "transition": [], "noncurrent_version_transition": [],
            "noncurrent_version_expiration": [{"noncurrent_days": 90, "newer_noncurrent_versions": None}],
            "abort_incomplete_multipart_upload": [{"days_after_initiation": 7}]}]),
        _side("aws_s3_bucket_replication_configuration", RECORDS, role=REPLICATION_ROLE, token=None, rule=[{
            "id": "to-replica", "priority": 1, "status": "Enabled", "prefix": "",
            "filter": [{"prefix": "", "and": [], "tag": []}], "delete_marker_replication": [{"status": "Disabled"}],
            "existing_object_replication": [], "source_selection_criteria": [],
            "destination": [{"bucket": f"arn:aws:s3:::{REPLICA}", "storage_class": "STANDARD", "account": "",
                             "access_control_translation": [], "encryption_configuration": [], "metrics": [],
                             "replication_time": []}]}]),
        _side("aws_s3_bucket_object_lock_configuration", RECORDS, object_lock_enabled="Enabled", token=None,
              rule=[{"default_retention": [{"mode": "GOVERNANCE", "days": 30, "years": None}]}]),
        _side("aws_s3_bucket_notification", RECORDS, eventbridge=False, topic=[], lambda_function=[],
              queue=[{"queue_arn": QUEUE, "events": ["s3:ObjectCreated:*"], "filter_prefix": "",
                      "filter_suffix": "", "id": "records-created"}]),
        _side("aws_s3_bucket_ownership_controls", RECORDS, rule=[{"object_ownership": "BucketOwnerEnforced"}]),
        _side("aws_s3_bucket_server_side_encryption_configuration", RECORDS, rule=[{
            "apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms", "kms_master_key_id": KMS_KEY}],
            "bucket_key_enabled": True}]),
        _side("aws_s3_bucket_logging", RECORDS, target_bucket=LOGS, target_prefix="records/", target_grant=[],
              target_object_key_format=[]),
        _side("aws_s3_bucket_acl", SITE, acl=None, access_control_policy=[{
            "owner": [{"id": MOTO_OWNER, "display_name": ""}],
            "grant": [{"grantee": [{"type": "CanonicalUser", "id": MOTO_OWNER, "uri": "", "email_address": "",
                                    "display_name": ""}], "permission": "FULL_CONTROL"},
                      *[{"grantee": [{"type": "Group", "uri": ALL_USERS, "id": "", "email_address": "",
                                      "display_name": ""}], "permission": p} for p in ("READ", "WRITE")]]}]),
        _side("aws_s3_bucket_acl", VERSIONED, acl="private", access_control_policy=None),
        _side("aws_s3_bucket_policy", SITE, policy=PUBLIC_READ_POLICY),
        _side("aws_s3_bucket_versioning", VERSIONED, versioning_configuration=[{"status": "Enabled", "mfa_delete": ""}]),
        *[Planned("aws_s3_access_point", name.replace("-", "_"), {
            "name": name, "bucket": RECORDS, "account_id": ACCOUNT, "policy": "", "vpc_configuration": [],
            "public_access_block_configuration": [_block(block)] if block else []},
            unknown=("arn", "alias", "id", "network_origin", "has_public_access_policy"))
          for name, block in ACCESS_POINTS.items()],
    ]


S3_ESTATE = Estate(
    "s3-bucket-settings-and-access-points",
    buckets,
    expect={
        "s3-account-public-access-block": {"account": PASS},
        "s3-bucket-no-public-read": verdicts([RECORDS, VERSIONED], [SITE]),
        "s3-bucket-no-public-write": verdicts([RECORDS, VERSIONED], [SITE]),
        "s3-bucket-replication": verdicts([RECORDS], [SITE, VERSIONED]),
        "s3-bucket-access-logging": verdicts([RECORDS], [SITE, VERSIONED]),
        "s3-versioned-bucket-lifecycle": verdicts([RECORDS], [VERSIONED], out=[SITE]),
        "s3-bucket-event-notifications": verdicts([RECORDS], [SITE, VERSIONED]),
        "s3-bucket-no-acl-access": verdicts([RECORDS, VERSIONED], [SITE]),
        "s3-bucket-lifecycle": verdicts([RECORDS], [SITE, VERSIONED]),
        "s3-bucket-versioning": verdicts([RECORDS, VERSIONED], [SITE]),
        "s3-bucket-object-lock": verdicts([RECORDS], [SITE, VERSIONED]),
        "s3-bucket-kms-encryption": verdicts([RECORDS], [SITE, VERSIONED]),
        "s3-access-point-public-access-block": verdicts(["records-ap"], ["open-ap"]),
    },
    plan=_bucket_plan(),
)


def half_open_account(seeder: Seeder) -> None:
    seeder.client("s3control").put_public_access_block(AccountId=ACCOUNT, PublicAccessBlockConfiguration=HALF_OPEN)
    seeder.ids["account"] = f"{ACCOUNT}/aws_s3_account_public_access_block"


ACCOUNT_BLOCK_ESTATE = Estate(
    "s3-account-block-half-open",
    half_open_account,
    expect={"s3-account-public-access-block": {"account": FAIL}},
    plan=[Planned("aws_s3_account_public_access_block", "account", {"account_id": ACCOUNT, **_block(HALF_OPEN)},
                  unknown=("id",))],
)

ESTATES += [S3_ESTATE, ACCOUNT_BLOCK_ESTATE]


# =============================================================================================
# Redshift, ElastiCache, OpenSearch and Elasticsearch domains
# =============================================================================================

LOG_BUCKET = "acme-warehouse-logs"
#: Redshift cluster -> settings in the API's names
WAREHOUSES: dict[str, dict[str, Any]] = {
    "wh-prod": {"NodeType": "ra3.xlplus", "ClusterType": "multi-node", "NumberOfNodes": 2,
                "MasterUsername": "wh_admin", "PubliclyAccessible": False, "Encrypted": True, "KmsKeyId": KMS_KEY,
                "EnhancedVpcRouting": True, "AutomatedSnapshotRetentionPeriod": 7, "AllowVersionUpgrade": True},
    "wh-dev": {"NodeType": "dc2.large", "ClusterType": "single-node", "NumberOfNodes": 1,
               "MasterUsername": "awsuser", "PubliclyAccessible": True, "Encrypted": False,
               "EnhancedVpcRouting": False, "AutomatedSnapshotRetentionPeriod": 1, "AllowVersionUpgrade": False},
}
_TF_WAREHOUSE = {"NodeType": "node_type", "NumberOfNodes": "number_of_nodes", "MasterUsername": "master_username",
                 "PubliclyAccessible": "publicly_accessible", "Encrypted": "encrypted", "KmsKeyId": "kms_key_id",
                 "EnhancedVpcRouting": "enhanced_vpc_routing",
                 "AutomatedSnapshotRetentionPeriod": "automated_snapshot_retention_period",
                 "AllowVersionUpgrade": "allow_version_upgrade"}
#: Redshift clusters that are Multi-AZ (moto sends no MultiAZ: see warehouse_multi_az)
MULTI_AZ_WAREHOUSES = {"wh-prod"}

#: replication group -> settings in the API's names
CACHE_GROUPS: dict[str, dict[str, Any]] = {
    "sessions": {"AutomaticFailoverEnabled": True, "NumCacheClusters": 2, "AtRestEncryptionEnabled": True,
                 "TransitEncryptionEnabled": True, "SnapshotRetentionLimit": 5, "AutoMinorVersionUpgrade": True},
    "scratch-cache": {"AutomaticFailoverEnabled": False, "NumCacheClusters": 1, "AtRestEncryptionEnabled": False,
                      "TransitEncryptionEnabled": False, "SnapshotRetentionLimit": 0,
                      "AutoMinorVersionUpgrade": False},
}
_TF_CACHE_GROUP = {"AutomaticFailoverEnabled": "automatic_failover_enabled", "NumCacheClusters": "num_cache_clusters",
                   "AtRestEncryptionEnabled": "at_rest_encryption_enabled",
                   "TransitEncryptionEnabled": "transit_encryption_enabled",
                   "SnapshotRetentionLimit": "snapshot_retention_limit",
                   "AutoMinorVersionUpgrade": "auto_minor_version_upgrade"}
#: standalone cache cluster -> settings in the API's names
CACHE_CLUSTERS: dict[str, dict[str, Any]] = {
    "rate-limits": {"Engine": "redis", "EngineVersion": "7.1", "SnapshotRetentionLimit": 3,
                    "CacheSubnetGroupName": "cache-private", "AutoMinorVersionUpgrade": True},
    "page-cache": {"Engine": "memcached", "EngineVersion": "1.6.22", "CacheSubnetGroupName": "default",
                   "AutoMinorVersionUpgrade": False},
    "queue-cache": {"Engine": "redis", "EngineVersion": "7.1", "SnapshotRetentionLimit": 0,
                    "CacheSubnetGroupName": "default", "AutoMinorVersionUpgrade": True},
}

LOG_GROUP = f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:/aws/opensearch/search"
LATEST_TLS = "Policy-Min-TLS-1-2-PFS-2023-10"
STRONG_CLUSTER = {"InstanceType": "r6g.large.search", "InstanceCount": 3, "ZoneAwarenessEnabled": True,
                  "DedicatedMasterEnabled": True, "DedicatedMasterType": "m6g.large.search", "DedicatedMasterCount": 3}
WEAK_CLUSTER = {"InstanceType": "t3.small.search", "InstanceCount": 1, "ZoneAwarenessEnabled": False,
                "DedicatedMasterEnabled": False}
STRONG_DOMAIN: dict[str, Any] = {
    "EncryptionAtRestOptions": {"Enabled": True}, "NodeToNodeEncryptionOptions": {"Enabled": True},
    "DomainEndpointOptions": {"EnforceHTTPS": True, "TLSSecurityPolicy": LATEST_TLS},
    "VPCOptions": {"SubnetIds": ["subnet-0a1b2c3d"], "SecurityGroupIds": ["sg-0a1b2c3d"]},
    "AdvancedSecurityOptions": {"Enabled": True, "InternalUserDatabaseEnabled": False,
                                "MasterUserOptions": {"MasterUserARN": f"arn:aws:iam::{ACCOUNT}:role/search-admin"}},
    "LogPublishingOptions": {kind: {"CloudWatchLogsLogGroupArn": LOG_GROUP, "Enabled": True}
                             for kind in ("ES_APPLICATION_LOGS", "AUDIT_LOGS")},
}
WEAK_DOMAIN: dict[str, Any] = {"DomainEndpointOptions": {"EnforceHTTPS": False,
                                                         "TLSSecurityPolicy": "Policy-Min-TLS-1-0-2019-07"}}
#: domain -> (engine version, cluster config, settings)
SEARCH_DOMAINS = {"search-prod": ("OpenSearch_2.11", STRONG_CLUSTER, STRONG_DOMAIN),
                  "search-dev": ("OpenSearch_2.11", WEAK_CLUSTER, WEAK_DOMAIN)}
ES_DOMAINS = {"es-prod": ("7.10", STRONG_CLUSTER, STRONG_DOMAIN), "es-legacy": ("6.8", WEAK_CLUSTER, WEAK_DOMAIN)}


def analytics(seeder: Seeder) -> None:
    redshift, elasticache = seeder.client("redshift"), seeder.client("elasticache")
    for name, settings in WAREHOUSES.items():
        redshift.create_cluster(ClusterIdentifier=name, MasterUserPassword=PASSWORD + "a", **settings)
    redshift.enable_logging(ClusterIdentifier="wh-prod", BucketName=LOG_BUCKET, S3KeyPrefix="redshift/")
    for name, settings in CACHE_GROUPS.items():
        elasticache.create_replication_group(ReplicationGroupId=name, ReplicationGroupDescription=f"{name} cache",
                                             Engine="redis", CacheNodeType="cache.t3.small", **settings)
    for name, settings in CACHE_CLUSTERS.items():
        elasticache.create_cache_cluster(CacheClusterId=name, CacheNodeType="cache.t3.small", NumCacheNodes=1,
                                         **settings)
    opensearch, es = seeder.client("opensearch"), seeder.client("es")
    for name, (version, cluster, settings) in SEARCH_DOMAINS.items():
        opensearch.create_domain(DomainName=name, EngineVersion=version, ClusterConfig=cluster, **settings)
    for name, (version, cluster, settings) in ES_DOMAINS.items():
        es.create_elasticsearch_domain(DomainName=name, ElasticsearchVersion=version,
                                       ElasticsearchClusterConfig=cluster, **settings)


def warehouse_multi_az(snapshot: Snapshot) -> Snapshot:
    # moto (5.x) sends no MultiAZ in DescribeClusters: each cluster gets the value AWS sends for it
    # (`Enabled` for wh-prod, `Disabled` for wh-dev), as the collector reads it.
    def change(resource: dict[str, Any]) -> None:
        if resource["type"] == "aws_redshift_cluster":
            resource["attributes"]["multi_az"] = resource["name"] in MULTI_AZ_WAREHOUSES

    return rebuilt(snapshot, change)


def _domain_blocks(cluster: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """A domain's blocks as the provider's plan holds them (lists of one block)."""
    endpoint = settings["DomainEndpointOptions"]
    vpc = settings.get("VPCOptions")
    security = settings.get("AdvancedSecurityOptions", {})
    return {
        "cluster_config": [{"instance_type": cluster["InstanceType"], "instance_count": cluster["InstanceCount"],
                            "zone_awareness_enabled": cluster["ZoneAwarenessEnabled"],
                            "dedicated_master_enabled": cluster["DedicatedMasterEnabled"],
                            "dedicated_master_type": cluster.get("DedicatedMasterType", ""),
                            "dedicated_master_count": cluster.get("DedicatedMasterCount", 0),
                            "warm_enabled": False}],
        "encrypt_at_rest": [{"enabled": settings.get("EncryptionAtRestOptions", {}).get("Enabled", False)}],
        "node_to_node_encryption": [{"enabled": settings.get("NodeToNodeEncryptionOptions", {}).get("Enabled", False)}],
        "domain_endpoint_options": [{"enforce_https": endpoint["EnforceHTTPS"],
                                     "tls_security_policy": endpoint["TLSSecurityPolicy"]}],
        "vpc_options": [{"subnet_ids": vpc["SubnetIds"], "security_group_ids": vpc["SecurityGroupIds"]}] if vpc else [],
        "advanced_security_options": [{"enabled": security.get("Enabled", False),
                                       "internal_user_database_enabled": security.get("InternalUserDatabaseEnabled",
                                                                                      False)}],
        "log_publishing_options": [{"log_type": kind, "cloudwatch_log_group_arn": option["CloudWatchLogsLogGroupArn"],
                                    "enabled": option["Enabled"]}
                                   for kind, option in settings.get("LogPublishingOptions", {}).items()],
    }


def _analytics_plan() -> list[Planned]:
    out = []
    for name, settings in WAREHOUSES.items():
        out.append(Planned("aws_redshift_cluster", name.replace("-", "_"), {
            "cluster_identifier": name, "cluster_type": settings["ClusterType"], "database_name": "dev",
            "multi_az": name in MULTI_AZ_WAREHOUSES, **_tf(settings, _TF_WAREHOUSE)},
            unknown=("arn", "id", "endpoint", "port", "logging", "cluster_parameter_group_name",
                     "vpc_security_group_ids"), sensitive=("master_password",)))
    out.append(Planned("aws_redshift_logging", "wh_prod", {
        "cluster_identifier": "wh-prod", "bucket_name": LOG_BUCKET, "s3_key_prefix": "redshift/"}, unknown=("id",)))
    for name, settings in CACHE_GROUPS.items():
        out.append(Planned("aws_elasticache_replication_group", name.replace("-", "_"), {
            "replication_group_id": name, "description": f"{name} cache", "engine": "redis",
            "node_type": "cache.t3.small", **_tf(settings, _TF_CACHE_GROUP)},
            unknown=("arn", "id", "member_clusters", "primary_endpoint_address", "kms_key_id")))
    for name, settings in CACHE_CLUSTERS.items():
        out.append(Planned("aws_elasticache_cluster", name.replace("-", "_"), {
            "cluster_id": name, "engine": settings["Engine"], "engine_version": settings["EngineVersion"],
            "node_type": "cache.t3.small", "num_cache_nodes": 1, "subnet_group_name": settings["CacheSubnetGroupName"],
            "snapshot_retention_limit": settings.get("SnapshotRetentionLimit", 0),
            # The provider keeps a cluster's flag as text.
            "auto_minor_version_upgrade": str(settings["AutoMinorVersionUpgrade"]).lower()},
            unknown=("arn", "id", "cache_nodes", "security_group_ids", "parameter_group_name")))
    for name, (version, cluster, settings) in SEARCH_DOMAINS.items():
        out.append(Planned("aws_opensearch_domain", name.replace("-", "_"), {
            "domain_name": name, "engine_version": version, **_domain_blocks(cluster, settings)},
            unknown=("arn", "id", "endpoint", "access_policies", "software_update_options")))
    for name, (version, cluster, settings) in ES_DOMAINS.items():
        out.append(Planned("aws_elasticsearch_domain", name.replace("-", "_"), {
            "domain_name": name, "elasticsearch_version": version, **_domain_blocks(cluster, settings)},
            unknown=("arn", "id", "endpoint", "access_policies")))
    return out


def _search(prefix: str, good: str, bad: str) -> dict[str, dict[str, str | None]]:
    checks = ("encrypted-at-rest", "in-vpc", "node-to-node-encryption", "error-logs", "audit-logs",
              "three-data-nodes", "latest-tls")
    return {f"{prefix}-{check}": verdicts([good], [bad]) for check in checks}


ANALYTICS_ESTATE = Estate(
    "redshift-elasticache-search-domains",
    analytics,
    expect={
        **{f"redshift-{check}": verdicts(["wh-prod"], ["wh-dev"])
           for check in ("not-public", "automated-snapshots", "audit-logging", "version-upgrades",
                         "enhanced-vpc-routing", "custom-admin", "encrypted", "multi-az")},
        "elasticache-automatic-backups": verdicts(["sessions", "rate-limits"], ["scratch-cache", "queue-cache"],
                                                  out=["page-cache"]),
        "elasticache-auto-minor-version-upgrade": verdicts(["sessions", "rate-limits"],
                                                           ["scratch-cache", "page-cache"]),
        "elasticache-automatic-failover": verdicts(["sessions"], ["scratch-cache"]),
        "elasticache-encrypted-at-rest": verdicts(["sessions"], ["scratch-cache"]),
        "elasticache-encrypted-in-transit": verdicts(["sessions"], ["scratch-cache"]),
        "elasticache-custom-subnet-group": verdicts(["rate-limits"], ["page-cache", "queue-cache"]),
        **_search("opensearch", "search-prod", "search-dev"),
        "opensearch-fine-grained-access-control": verdicts(["search-prod"], ["search-dev"]),
        **_search("elasticsearch", "es-prod", "es-legacy"),
        "elasticsearch-dedicated-masters": verdicts(["es-prod"], ["es-legacy"]),
    },
    plan=_analytics_plan(),
    edit=warehouse_multi_az,
)

ESTATES += [ANALYTICS_ESTATE]


# =============================================================================================
# ECS clusters, task definitions and services; EFS file systems and access points
# =============================================================================================

ECS_LOGS = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/apps", "awslogs-region": HOME,
                                            "awslogs-stream-prefix": "app"}}
#: task definition family -> (network mode, pid mode, containers)
TASKS: dict[str, tuple[str, str | None, list[dict[str, Any]]]] = {
    "api": ("awsvpc", None, [
        {"name": "api", "image": "acme/api:1.4", "essential": True, "user": "1000", "readonlyRootFilesystem": True,
         "logConfiguration": ECS_LOGS, "environment": [{"name": "LOG_LEVEL", "value": "info"}]}]),
    "node-exporter": ("host", None, [
        {"name": "exporter", "image": "prom/node-exporter:1.8", "essential": True, "user": "65534",
         "readonlyRootFilesystem": True, "logConfiguration": ECS_LOGS}]),
    "legacy-agent": ("host", "host", [
        {"name": "agent", "image": "acme/agent:0.9", "essential": True, "privileged": True,
         "readonlyRootFilesystem": True, "logConfiguration": ECS_LOGS},
        {"name": "shipper", "image": "acme/shipper:0.9", "essential": False, "readonlyRootFilesystem": False,
         "environment": [{"name": "AWS_ACCESS_KEY_ID", "value": "AKIAEXAMPLE"},
                         {"name": "AWS_SECRET_ACCESS_KEY", "value": "example-secret"}]}]),
}
SUBNET, GROUP = "subnet-0a1b2c3d", "sg-0a1b2c3d"
#: service -> (task family, launch type, platform version, public IP)
SERVICES: dict[str, tuple[str, str, str | None, bool]] = {
    "storefront": ("api", "FARGATE", "LATEST", False),
    "storefront-canary": ("api", "FARGATE", "1.3.0", True),
    "exporter": ("node-exporter", "EC2", None, False),
}
#: cluster -> Container Insights setting (None: never set, AWS answers `disabled`)
ECS_CLUSTERS = {"apps": "enabled", "batch": None}

#: file system (Name tag) -> automatic backups; access point (Name tag) -> (file system, POSIX user, root path)
FILE_SYSTEMS = {"app-data": True, "build-cache": False}
FS_IDS = {"app-data": "fs-0123456789abcdef0", "build-cache": "fs-0fedcba9876543210"}  # the plan's (already made)
EFS_ACCESS_POINTS: dict[str, tuple[str, dict[str, int] | None, str | None]] = {
    "app-uploads": ("app-data", {"Uid": 1000, "Gid": 1000}, "/uploads"),
    "cache-root": ("build-cache", None, None),
}


def containers(seeder: Seeder) -> None:
    ecs, efs, ec2 = seeder.client("ecs"), seeder.client("efs"), seeder.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="apps", Description="apps", VpcId=vpc)["GroupId"]
    for name, setting in ECS_CLUSTERS.items():
        ecs.create_cluster(clusterName=name, **({"settings": [{"name": "containerInsights", "value": setting}]}
                                                if setting else {}))
    for family, (network, pid, definitions) in TASKS.items():
        ecs.register_task_definition(family=family, networkMode=network, containerDefinitions=definitions,
                                     cpu="256", memory="512", **({"pidMode": pid} if pid else {}))
    for name, (family, launch, platform, public) in SERVICES.items():
        network = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group],
                                           "assignPublicIp": "ENABLED" if public else "DISABLED"}}
        ecs.create_service(cluster="apps", serviceName=name, taskDefinition=f"{family}:1", desiredCount=1,
                           launchType=launch, **({"platformVersion": platform} if platform else {}),
                           **({"networkConfiguration": network} if launch == "FARGATE" else {}))
    ids = {}
    for name, backup in FILE_SYSTEMS.items():
        # moto has no PutBackupPolicy; a file system made with Backup=True answers ENABLED, as AWS does.
        ids[name] = efs.create_file_system(CreationToken=name, Encrypted=True, Backup=backup,
                                           Tags=[{"Key": "Name", "Value": name}])["FileSystemId"]
    for name, (fs, user, path) in EFS_ACCESS_POINTS.items():
        efs.create_access_point(FileSystemId=ids[fs], Tags=[{"Key": "Name", "Value": name}],
                                **({"PosixUser": user} if user else {}),
                                **({"RootDirectory": {"Path": path}} if path else {}))


def _containers_plan() -> list[Planned]:
    out = []
    for name, setting in ECS_CLUSTERS.items():
        out.append(Planned("aws_ecs_cluster", name, {
            "name": name, "setting": [{"name": "containerInsights", "value": setting}] if setting else [],
            "configuration": []}, unknown=("arn", "id")))
    for family, (network, pid, definitions) in TASKS.items():
        out.append(Planned("aws_ecs_task_definition", family.replace("-", "_"), {
            "family": family, "network_mode": network, "pid_mode": pid, "cpu": "256", "memory": "512",
            "requires_compatibilities": [], "container_definitions": json.dumps(definitions)},
            unknown=("arn", "arn_without_revision", "id", "revision")))
    for name, (family, launch, platform, public) in SERVICES.items():
        network = [{"subnets": [SUBNET], "security_groups": [GROUP], "assign_public_ip": public}]
        out.append(Planned("aws_ecs_service", name.replace("-", "_"), {
            "name": name, "launch_type": launch, "desired_count": 1, "platform_version": platform,
            "network_configuration": network if launch == "FARGATE" else []},
            unknown=("id", "cluster", "task_definition", "iam_role")))
    for name, backup in FILE_SYSTEMS.items():
        # The file systems exist already (an update plan): their ids are known, so their backup policies fold.
        out.append(Planned("aws_efs_file_system", name.replace("-", "_"), {
            "id": FS_IDS[name], "creation_token": name, "encrypted": True, "tags": {"Name": name},
            "performance_mode": "generalPurpose", "throughput_mode": "bursting"}, actions=("update",)))
        out.append(Planned("aws_efs_backup_policy", name.replace("-", "_"), {
            "file_system_id": FS_IDS[name], "backup_policy": [{"status": "ENABLED" if backup else "DISABLED"}]},
            unknown=("id",)))
    for name, (fs, user, path) in EFS_ACCESS_POINTS.items():
        out.append(Planned("aws_efs_access_point", name.replace("-", "_"), {
            "file_system_id": FS_IDS[fs], "tags": {"Name": name},
            "posix_user": [{"uid": user["Uid"], "gid": user["Gid"], "secondary_gids": []}] if user else [],
            "root_directory": [{"path": path, "creation_info": []}] if path else []},
            unknown=("arn", "id", "owner_id", "file_system_arn")))
    return out


CONTAINERS_ESTATE = Estate(
    "ecs-and-efs",
    containers,
    expect={
        "ecs-host-network-not-root": verdicts(["node-exporter"], ["legacy-agent"], out=["api"]),
        "ecs-no-host-pid": verdicts(["api", "node-exporter"], ["legacy-agent"]),
        "ecs-not-privileged": verdicts(["api", "node-exporter"], ["legacy-agent"]),
        "ecs-read-only-root": verdicts(["api", "node-exporter"], ["legacy-agent"]),
        "ecs-no-credentials-in-environment": verdicts(["api", "node-exporter"], ["legacy-agent"]),
        "ecs-container-logging": verdicts(["api", "node-exporter"], ["legacy-agent"]),
        "ecs-service-no-public-ip": verdicts(["storefront", "exporter"], ["storefront-canary"]),
        "ecs-fargate-latest-platform": verdicts(["storefront"], ["storefront-canary"], out=["exporter"]),
        "ecs-container-insights": verdicts(["apps"], ["batch"]),
        "efs-automatic-backups": verdicts(["app-data"], ["build-cache"]),
        "efs-access-point-root-directory": verdicts(["app-uploads"], ["cache-root"]),
        "efs-access-point-user-identity": verdicts(["app-uploads"], ["cache-root"]),
    },
    plan=_containers_plan(),
)

ESTATES += [CONTAINERS_ESTATE]


# -- AWS Backup recovery points: recorded answers (moto does not list recovery points) ----------

VAULT = "prod-vault"
#: recovery point id -> (backed-up resource, encrypted)
RECOVERY_POINTS = {
    "0b8e6f1a-3c2d-4e5f-8a9b-1c2d3e4f5a6b": (f"arn:aws:elasticfilesystem:{HOME}:{ACCOUNT}:file-system/fs-0a1b2c3d",
                                             True),
    "7c9d0e1f-2a3b-4c5d-9e8f-7a6b5c4d3e2f": (f"arn:aws:dynamodb:{HOME}:{ACCOUNT}:table/orders", False),
}


def recovery_points(answers: RecordedAnswers, region: str) -> None:
    """AWS Backup's answers as its API reference documents ListBackupVaults and ListRecoveryPointsByBackupVault."""
    vault_arn = f"arn:aws:backup:{region}:{ACCOUNT}:backup-vault:{VAULT}"
    answers.answer("list_backup_vaults", {"BackupVaultList": [{
        "BackupVaultName": VAULT, "BackupVaultArn": vault_arn, "EncryptionKeyArn": KMS_KEY,
        "NumberOfRecoveryPoints": len(RECOVERY_POINTS), "Locked": False}]})
    points = []
    for point_id, (resource, encrypted) in RECOVERY_POINTS.items():
        points.append({
            "RecoveryPointArn": f"arn:aws:backup:{region}:{ACCOUNT}:recovery-point:{point_id}",
            "BackupVaultName": VAULT, "BackupVaultArn": vault_arn, "ResourceArn": resource,
            "ResourceType": "EFS" if "elasticfilesystem" in resource else "DynamoDB", "Status": "COMPLETED",
            "IsEncrypted": encrypted, "BackupSizeInBytes": 52428800,
            "CreationDate": datetime(2026, 11, 30, 5, 0, tzinfo=timezone.utc),
            "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/service-role/AWSBackupDefaultServiceRole",
            **({"EncryptionKeyArn": KMS_KEY} if encrypted else {})})
    answers.answer("list_recovery_points_by_backup_vault", {"RecoveryPoints": points},
                   params={"BackupVaultName": VAULT})


RECOVERY_POINTS_ESTATE = Estate(
    "backup-recovery-points-recorded",
    lambda seeder: None,  # everything is in the recorded answers
    expect={"backup-recovery-point-encrypted": verdicts(["0b8e6f1a-3c2d-4e5f-8a9b-1c2d3e4f5a6b"],
                                                        ["7c9d0e1f-2a3b-4c5d-9e8f-7a6b5c4d3e2f"])},
    live_only={"backup-recovery-point-encrypted": "backup jobs make recovery points; no plan has one"},
    recordings={"backup": recovery_points},
)

ESTATES += [RECOVERY_POINTS_ESTATE]
