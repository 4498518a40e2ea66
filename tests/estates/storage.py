"""S3 buckets, RDS instances and EFS file systems: compliant and non-compliant side by side."""

from __future__ import annotations

import copy
import json
from typing import Any

from both_ways import ACCOUNT, FAIL, PASS, Estate, Planned, Seeder
from unify.model.snapshot import Snapshot

LOCKED = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
HALF_OPEN = LOCKED | {"BlockPublicPolicy": False, "RestrictPublicBuckets": False}


def _tls_only(bucket: str, principal: Any) -> dict[str, Any]:
    return {"Sid": "TLSOnly", "Effect": "Deny", "Principal": principal, "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


#: bucket -> (policy statements, public access block, versioning with MFA delete)
BUCKETS: dict[str, tuple[list[dict[str, Any]], dict[str, bool] | None, bool]] = {
    # Principal {"AWS": "*"}: moto's logging-permission check reads every Principal as a mapping.
    "acme-vault": ([_tls_only("acme-vault", {"AWS": "*"})], LOCKED, True),
    "acme-half-open": ([{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject",
                         "Resource": "arn:aws:s3:::acme-half-open/*"}], HALF_OPEN, False),
    "acme-tls-allowed": ([_tls_only("acme-tls-allowed", {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}) | {"Effect": "Allow"}],
                         None, False),
}


def buckets(seeder: Seeder) -> None:
    s3 = seeder.client("s3")
    for bucket, (statements, block, _) in BUCKETS.items():
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_policy(Bucket=bucket, Policy=_doc(*statements))
        if block:
            s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})


def mfa_delete(snapshot: Snapshot) -> Snapshot:
    # moto accepts MFADelete on PutBucketVersioning but never returns it: the vault gets the block
    # GetBucketVersioning answers on AWS for a bucket with MFA delete.
    resources = copy.deepcopy(snapshot.data["resources"])
    for resource in resources:
        if resource["type"] == "aws_s3_bucket" and BUCKETS[resource["name"]][2]:
            resource["attributes"]["versioning"]["mfa_delete"] = "Enabled"
    return Snapshot.build(resources=resources, coverage=snapshot.coverage, scope=snapshot.scope,
                          source=snapshot.data["source"], taken_at=snapshot.data["taken_at"])


def _bucket_plan() -> list[Planned]:
    out = []
    for index, (bucket, (statements, block, mfa)) in enumerate(BUCKETS.items()):
        name = f"b{index}"
        out.append(Planned("aws_s3_bucket", name, {"bucket": bucket, "force_destroy": False, "tags": {}},
                           unknown=("arn", "id")))
        out.append(Planned("aws_s3_bucket_policy", name, {"bucket": bucket, "policy": _doc(*statements)}))
        if block:
            out.append(Planned("aws_s3_bucket_public_access_block", name, {
                "bucket": bucket, "block_public_acls": block["BlockPublicAcls"],
                "block_public_policy": block["BlockPublicPolicy"], "ignore_public_acls": block["IgnorePublicAcls"],
                "restrict_public_buckets": block["RestrictPublicBuckets"]}))
        out.append(Planned("aws_s3_bucket_versioning", name, {"bucket": bucket, "versioning_configuration": [
            {"status": "Enabled", "mfa_delete": "Enabled" if mfa else "Disabled"}]}))
    return out


GOOD_DB = {"StorageEncrypted": True, "AutoMinorVersionUpgrade": True, "PubliclyAccessible": False, "MultiAZ": True}
#: instance -> the one setting it gets wrong
DATABASES = {"orders-db": {}, "unencrypted-db": {"StorageEncrypted": False},
             "pinned-version-db": {"AutoMinorVersionUpgrade": False}, "public-db": {"PubliclyAccessible": True},
             "single-az-db": {"MultiAZ": False}}
_TF_DB = {"StorageEncrypted": "storage_encrypted", "AutoMinorVersionUpgrade": "auto_minor_version_upgrade",
          "PubliclyAccessible": "publicly_accessible", "MultiAZ": "multi_az"}


def databases(seeder: Seeder) -> None:
    for name, wrong in DATABASES.items():
        # PubliclyAccessible is passed every time: moto returns it only when it was given at create.
        seeder.client("rds").create_db_instance(
            DBInstanceIdentifier=name, DBInstanceClass="db.t3.micro", Engine="postgres", MasterUsername="app",
            MasterUserPassword="Correct-Horse-9", AllocatedStorage=20, **(GOOD_DB | wrong))


def _database_plan() -> list[Planned]:
    return [Planned("aws_db_instance", name.replace("-", "_"), {
        "identifier": name, "engine": "postgres", "instance_class": "db.t3.micro", "allocated_storage": 20,
        "username": "app", **{_TF_DB[k]: v for k, v in (GOOD_DB | wrong).items()}},
        unknown=("arn", "id", "endpoint"), sensitive=("password",)) for name, wrong in DATABASES.items()]


def _rds(check_wrong: str) -> dict[str, str]:
    return {name: FAIL if name == check_wrong else PASS for name in DATABASES}


def file_systems(seeder: Seeder) -> None:
    efs = seeder.client("efs")
    efs.create_file_system(CreationToken="shared", Encrypted=True, Tags=[{"Key": "Name", "Value": "shared-encrypted"}])
    efs.create_file_system(CreationToken="scratch", Encrypted=False, Tags=[{"Key": "Name", "Value": "scratch-plain"}])


ESTATES = [
    Estate(
        "s3-buckets",
        buckets,
        expect={
            "s3-bucket-tls-only": {"acme-vault": PASS, "acme-half-open": FAIL, "acme-tls-allowed": FAIL},
            "s3-bucket-public-access-block": {"acme-vault": PASS, "acme-half-open": FAIL, "acme-tls-allowed": FAIL},
            "s3-bucket-mfa-delete": {"acme-vault": PASS, "acme-half-open": FAIL, "acme-tls-allowed": FAIL},
        },
        plan=_bucket_plan(),
        edit=mfa_delete,
    ),
    Estate(
        "rds-instances",
        databases,
        expect={
            "rds-storage-encrypted": _rds("unencrypted-db"),
            "rds-auto-minor-version-upgrade": _rds("pinned-version-db"),
            "rds-not-public": _rds("public-db"),
            "rds-multi-az": _rds("single-az-db"),
        },
        plan=_database_plan(),
    ),
    Estate(
        "efs-file-systems",
        file_systems,
        expect={"efs-encrypted": {"shared-encrypted": PASS, "scratch-plain": FAIL}},
        plan=[Planned("aws_efs_file_system", "shared", {"creation_token": "shared", "encrypted": True,
                                                       "tags": {"Name": "shared-encrypted"}}, unknown=("id", "arn")),
              Planned("aws_efs_file_system", "scratch", {"creation_token": "scratch", "encrypted": False,
                                                        "tags": {"Name": "scratch-plain"}}, unknown=("id", "arn"))],
    ),
]
