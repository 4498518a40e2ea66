"""EFS: ``aws_efs_file_system``, every file system of the region with its encryption and throughput settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
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
    # extras only observation can see
    "size_in_bytes",
)


def _file_systems(ctx: CollectContext) -> Iterator[Resource]:
    efs = ctx.client()
    # DescribeFileSystems carries the tags too: no per-file-system sub-call is needed.
    for fs in ctx.items(efs, "describe_file_systems", "FileSystems", each=("FileSystemId",)):
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
                "size_in_bytes": (fs.get("SizeInBytes") or {}).get("Value", ABSENT),
            },
        )


def _from_terraform(values: dict[str, Any]) -> None:
    size = single(values.get("size_in_bytes"))
    if isinstance(size, dict) and not is_unknown(size):
        values["size_in_bytes"] = size.get("value")


FILE_SYSTEM = ResourceType(
    "aws_efs_file_system",
    ATTRIBUTES,
    name_path="tags.Name",
    from_terraform=_from_terraform,
    drift_ignore=("size_in_bytes", "number_of_mount_targets"),
)

COLLECTORS = (
    Collector(
        name="efs.file_systems",
        service="efs",
        resource_types=(FILE_SYSTEM,),
        calls=("elasticfilesystem:DescribeFileSystems",),
        collect=_file_systems,
        description="Every EFS file system in the region.",
        notes=(
            "Everything, tags included, comes from DescribeFileSystems. `name` is the file system's Name tag, "
            "else its id; the attribute `id` is the file system id (`fs-...`). `kms_key_id` is absent when "
            "the file system is not encrypted, `provisioned_throughput_in_mibps` unless the throughput mode is "
            "`provisioned`, `availability_zone_name` unless the file system is One Zone. `size_in_bytes` is "
            "the metered size in bytes (`SizeInBytes.Value`), a number where Terraform has a block. moto "
            'answers `Name: ""` for a file system without a Name tag.'
        ),
    ),
)
