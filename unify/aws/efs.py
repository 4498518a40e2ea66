"""EFS: ``aws_efs_file_system`` (with its backup policy folded in) and ``aws_efs_access_point``.

A file system's automatic backups are its backup policy, a side resource in
Terraform (``aws_efs_backup_policy``) and a sub-resource in AWS's API; it is
folded into the file system as ``backup_policy: {status}``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import REMOVE, Fold, ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent
from unify.terraform.values import single

ATTRIBUTES = (
    "id",
    "arn",
    "creation_token",
    "encrypted",
    "kms_key_id",
    "performance_mode",
    "throughput_mode",
    "provisioned_throughput_in_mibps",
    "number_of_mount_targets",
    "availability_zone_name",
    "backup_policy",
    # extras only observation can see
    "size_in_bytes",
)

ACCESS_POINT_ATTRIBUTES = (
    "id",
    "arn",
    "file_system_id",
    "posix_user",
    "root_directory",
    "owner_id",
)


def _backup_policy(answer: dict[str, Any]) -> dict[str, Any]:
    return {"status": answer["BackupPolicy"]["Status"]}


def _file_systems(ctx: CollectContext) -> Iterator[Resource]:
    efs = ctx.client()
    # DescribeFileSystems carries the tags too: only the backup policy needs a call per file system.
    listed = list(ctx.items(efs, "describe_file_systems", "FileSystems", each=("FileSystemId",)))
    backups = ctx.map(
        lambda fs: ctx.detail(
            lambda: _backup_policy(
                ctx.call(
                    efs, "describe_backup_policy", FileSystemId=fs["FileSystemId"], expect=("BackupPolicy.Status",)
                )
            ),
            # "PolicyNotFound: the file system has no backup policy" (EFS API reference): automatic backups off.
            absent=("PolicyNotFound",),
        ),
        listed,
    )
    for fs, backup in zip(listed, backups, strict=True):
        fs_id = fs["FileSystemId"]
        arn = fs.get("FileSystemArn") or ctx.arn("elasticfilesystem", f"file-system/{fs_id}")
        provisioned = fs.get("ThroughputMode") == "provisioned"
        yield ctx.resource(
            "aws_efs_file_system",
            arn,
            name=fs.get("Name") or fs_id,
            tags=sent(fs, "Tags"),
            attributes={
                "id": fs_id,
                "arn": arn,
                "creation_token": sent(fs, "CreationToken"),
                "encrypted": sent(fs, "Encrypted", bool),
                "kms_key_id": fs.get("KmsKeyId") or ABSENT,
                "performance_mode": sent(fs, "PerformanceMode"),
                "throughput_mode": sent(fs, "ThroughputMode"),
                "provisioned_throughput_in_mibps": fs.get("ProvisionedThroughputInMibps", ABSENT)
                if provisioned
                else ABSENT,
                "number_of_mount_targets": sent(fs, "NumberOfMountTargets"),
                "availability_zone_name": fs.get("AvailabilityZoneName") or ABSENT,
                "backup_policy": backup,
                "size_in_bytes": (fs.get("SizeInBytes") or {}).get("Value", ABSENT),
            },
        )


def _access_points(ctx: CollectContext) -> Iterator[Resource]:
    efs = ctx.client()
    for point in ctx.items(efs, "describe_access_points", "AccessPoints", each=("AccessPointId", "FileSystemId")):
        point_id = point["AccessPointId"]
        arn = point.get("AccessPointArn") or ctx.arn("elasticfilesystem", f"access-point/{point_id}")
        posix = point.get("PosixUser")
        root = point.get("RootDirectory")
        yield ctx.resource(
            "aws_efs_access_point",
            arn,
            name=point.get("Name") or point_id,
            tags=sent(point, "Tags"),
            attributes={
                "id": point_id,
                "arn": arn,
                "file_system_id": point["FileSystemId"],
                # No POSIX user: clients' own identities are used (EFS API reference, AccessPointDescription).
                "posix_user": _posix_user(posix) if isinstance(posix, dict) else ABSENT,
                # No root directory given: the file system's root, "/" (EFS API reference, CreateAccessPoint).
                "root_directory": _root_directory(root) if isinstance(root, dict) else {"path": "/"},
                "owner_id": point.get("OwnerId") or ABSENT,
            },
        )


def _posix_user(posix: dict[str, Any]) -> dict[str, Any]:
    user: dict[str, Any] = {"uid": posix.get("Uid"), "gid": posix.get("Gid")}
    if posix.get("SecondaryGids"):
        user["secondary_gids"] = sorted(posix["SecondaryGids"])
    return user


def _root_directory(root: dict[str, Any]) -> dict[str, Any]:
    directory: dict[str, Any] = {"path": root.get("Path") or "/"}
    info = root.get("CreationInfo")
    if isinstance(info, dict):
        directory["creation_info"] = {
            "owner_uid": info.get("OwnerUid"),
            "owner_gid": info.get("OwnerGid"),
            "permissions": info.get("Permissions"),
        }
    return directory


def _from_terraform(values: dict[str, Any]) -> None:
    size = single(values.get("size_in_bytes"))
    if isinstance(size, dict) and not is_unknown(size):
        values["size_in_bytes"] = size.get("value")


def _fold_backup_policy(values: Mapping[str, Any]) -> Any:
    policy = single(values.get("backup_policy"))
    if policy is None:
        return REMOVE
    return policy if is_unknown(policy) else {"status": policy.get("status")}


def _access_point_from_terraform(values: dict[str, Any]) -> None:
    """A plan's access point without a root directory is rooted at "/", as AWS makes it."""
    root = values.get("root_directory")
    if root is None:
        values["root_directory"] = {"path": "/"}
    elif isinstance(root, dict) and not is_unknown(root):
        root.setdefault("path", "/")
    user = values.get("posix_user")
    if isinstance(user, dict) and isinstance(user.get("secondary_gids"), list):
        user["secondary_gids"] = sorted(user["secondary_gids"])
        if not user["secondary_gids"]:
            del user["secondary_gids"]


FILE_SYSTEM = ResourceType(
    "aws_efs_file_system",
    ATTRIBUTES,
    name_path="tags.Name",
    sources={"efs:DescribeBackupPolicy": ("backup_policy",)},
    single_blocks=("backup_policy",),
    from_terraform=_from_terraform,
    folds=(Fold("aws_efs_backup_policy", "backup_policy", _fold_backup_policy, reference="file_system_id"),),
    drift_ignore=("size_in_bytes", "number_of_mount_targets"),
)

ACCESS_POINT = ResourceType(
    "aws_efs_access_point",
    ACCESS_POINT_ATTRIBUTES,
    name_path="tags.Name",
    single_blocks=("posix_user", "root_directory", "root_directory.creation_info"),
    from_terraform=_access_point_from_terraform,
    drift_ignore=("owner_id",),
)

COLLECTORS = (
    Collector(
        name="efs.file_systems",
        service="efs",
        resource_types=(FILE_SYSTEM,),
        calls=("elasticfilesystem:DescribeFileSystems", "elasticfilesystem:DescribeBackupPolicy"),
        collect=_file_systems,
        description="Every EFS file system in the region.",
        notes=(
            "Everything, tags included, comes from DescribeFileSystems, but `backup_policy` {status}, from "
            "DescribeBackupPolicy (absent when the file system has none: PolicyNotFound). `name` is the file "
            "system's Name tag, "
            "else its id; the attribute `id` is the file system id (`fs-...`). `kms_key_id` is absent when "
            "the file system is not encrypted, `provisioned_throughput_in_mibps` unless the throughput mode is "
            "`provisioned`, `availability_zone_name` unless the file system is One Zone. `size_in_bytes` is "
            "the metered size in bytes (`SizeInBytes.Value`), a number where Terraform has a block. moto "
            'answers `Name: ""` for a file system without a Name tag.'
        ),
    ),
    Collector(
        name="efs.access_points",
        service="efs",
        resource_types=(ACCESS_POINT,),
        calls=("elasticfilesystem:DescribeAccessPoints",),
        collect=_access_points,
        description="Every EFS access point in the region.",
        notes=(
            "From DescribeAccessPoints, tags included. `name` is the access point's Name tag, else its id. "
            "`posix_user` {uid, gid, secondary_gids} is absent when the access point enforces no identity; "
            "`root_directory` {path, creation_info} is `{path: /}` when none was given, in an answer or a plan. "
            "moto serves access points and DescribeBackupPolicy (ENABLED for a file system made with Backup=true), "
            "but has no PutBackupPolicy."
        ),
    ),
)
