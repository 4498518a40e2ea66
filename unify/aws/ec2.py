"""EC2 compute and storage: instances, EBS volumes and the region's EBS encryption default.

Every type here is regional. The network the instances run in is in
:mod:`unify.aws.vpc` (VPCs, subnets, endpoints), :mod:`unify.aws.vpc_security`
(security groups, network ACLs), :mod:`unify.aws.vpc_routing` and
:mod:`unify.aws.vpc_transit`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from unify.aws._ec2_shared import ec2_arn, name_tag
from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

INSTANCE_ATTRIBUTES = (
    "id",
    "arn",
    "ami",
    "instance_type",
    "instance_state",
    "availability_zone",
    "subnet_id",
    "vpc_security_group_ids",
    "public_ip",
    "private_ip",
    "key_name",
    "iam_instance_profile",
    "metadata_options",
    "monitoring",
    "ebs_optimized",
    "associate_public_ip_address",
    # extras only observation can see
    "iam_instance_profile_arn",
    "launch_time",
    "virtualization_type",
    "network_interfaces",
    "stopped_since",
)
VOLUME_ATTRIBUTES = (
    "id",
    "arn",
    "availability_zone",
    "encrypted",
    "kms_key_id",
    "size",
    "type",
    "iops",
    "throughput",
    "snapshot_id",
    "multi_attach_enabled",
    # extras only observation can see
    "create_time",
    "state",
    "attachments",
)
ENCRYPTION_BY_DEFAULT_ATTRIBUTES = ("configured", "enabled", "default_kms_key_id")
SNAPSHOT_ATTRIBUTES = (
    "id",
    "arn",
    "volume_id",
    "description",
    "encrypted",
    "kms_key_id",
    "owner_id",
    "volume_size",
    "storage_tier",
    # extras only observation can see
    "public",
    "state",
    "start_time",
)
AMI_ATTRIBUTES = (
    "id",
    "arn",
    "name",
    "description",
    "architecture",
    "virtualization_type",
    "root_device_name",
    "ena_support",
    "boot_mode",
    "imds_support",
    "ebs_block_device",
    "deprecation_time",
    # extras only observation can see
    "public",
    "owner_id",
    "state",
    "creation_date",
)

#: ``StateTransitionReason`` of a stopped instance: "User initiated (2024-01-31 12:00:00 GMT)".
_TRANSITION_TIME = re.compile(r"\((\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) (?:GMT|UTC)\)")


# -- instances --------------------------------------------------------------------------


def _instance_security_groups(instance: Mapping[str, Any]) -> list[str]:
    """The instance's groups; moto leaves ``SecurityGroups`` empty for a subnet launch without
    explicit groups, so fall back to the primary network interface's groups (the same set on AWS)."""
    groups = instance.get("SecurityGroups") or []
    if not groups:
        for interface in instance.get("NetworkInterfaces") or []:
            if (interface.get("Attachment") or {}).get("DeviceIndex", 0) == 0:
                groups = interface.get("Groups") or []
                break
    return sorted({g["GroupId"] for g in groups if g.get("GroupId")})


def _metadata_options(options: Mapping[str, Any] | None) -> Any:
    if not options:
        return ABSENT
    block = {
        "http_endpoint": options.get("HttpEndpoint"),
        "http_tokens": options.get("HttpTokens"),
        "http_put_response_hop_limit": options.get("HttpPutResponseHopLimit"),
        "http_protocol_ipv6": options.get("HttpProtocolIpv6"),
        "instance_metadata_tags": options.get("InstanceMetadataTags"),
    }
    return {k: v for k, v in block.items() if v is not None}


def _interfaces(instance: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The attached interfaces: ``[{id, device_index, network_card_index}]``, primary first."""
    found = []
    for interface in instance.get("NetworkInterfaces") or []:
        attachment = interface.get("Attachment") or {}
        found.append(
            {
                "id": interface.get("NetworkInterfaceId"),
                "device_index": int(attachment.get("DeviceIndex", 0)),
                "network_card_index": int(attachment.get("NetworkCardIndex", 0)),
            }
        )
    return sorted(found, key=lambda i: (i["network_card_index"], i["device_index"], str(i["id"])))


def _stopped_since(instance: Mapping[str, Any]) -> Any:
    """When a stopped instance stopped: the time in its transition reason, else its launch time.

    Security Hub's EC2.4 reads the same two fields in this order (its
    documentation, "Stopped EC2 instances should be removed").
    """
    if (instance.get("State") or {}).get("Name") != "stopped":
        return ABSENT
    found = _TRANSITION_TIME.search(str(instance.get("StateTransitionReason") or ""))
    if found:
        return f"{found.group(1)}T{found.group(2)}Z"
    return sent(instance, "LaunchTime")


def _public_address(instance: Mapping[str, Any]) -> bool:
    """Whether the instance has a public IPv4 address (the provider's ``associate_public_ip_address``)."""
    if instance.get("PublicIpAddress"):
        return True
    for interface in instance.get("NetworkInterfaces") or []:
        if (interface.get("Attachment") or {}).get("DeviceIndex", 0) == 0:
            return bool((interface.get("Association") or {}).get("PublicIp"))
    return False


def _instance(ctx: CollectContext, instance: Mapping[str, Any]) -> Resource:
    instance_id = instance["InstanceId"]
    arn = ec2_arn(ctx, "instance", instance_id)
    profile_arn = (instance.get("IamInstanceProfile") or {}).get("Arn")
    return ctx.resource(
        "aws_instance",
        arn,
        name=name_tag(instance.get("Tags"), instance_id),
        tags=instance.get("Tags") or [],
        attributes={
            "id": instance_id,
            "arn": arn,
            "ami": instance.get("ImageId"),
            "instance_type": instance.get("InstanceType"),
            "instance_state": (instance.get("State") or {}).get("Name"),
            "availability_zone": (instance.get("Placement") or {}).get("AvailabilityZone"),
            "subnet_id": instance.get("SubnetId") or ABSENT,
            "vpc_security_group_ids": _instance_security_groups(instance),
            "public_ip": instance.get("PublicIpAddress") or ABSENT,
            "private_ip": instance.get("PrivateIpAddress") or ABSENT,
            "key_name": instance.get("KeyName") or ABSENT,
            # Terraform keeps the profile's name; the ARN's last segment is it (paths come before).
            "iam_instance_profile": profile_arn.rsplit("/", 1)[-1] if profile_arn else ABSENT,
            "metadata_options": _metadata_options(instance.get("MetadataOptions")),
            "monitoring": (instance.get("Monitoring") or {}).get("State") == "enabled",
            "ebs_optimized": sent(instance, "EbsOptimized", bool),
            "associate_public_ip_address": _public_address(instance),
            "iam_instance_profile_arn": profile_arn or ABSENT,
            "launch_time": instance.get("LaunchTime", ABSENT),
            "virtualization_type": sent(instance, "VirtualizationType"),
            "network_interfaces": _interfaces(instance),
            "stopped_since": _stopped_since(instance),
        },
    )


def _instances(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    for reservation in ctx.items(ec2, "describe_instances", "Reservations"):
        for instance in reservation.get("Instances") or []:
            # Terminated instances linger in the listing for about an hour; they are gone.
            if (instance.get("State") or {}).get("Name") == "terminated":
                continue
            yield _instance(ctx, instance)


# -- EBS ------------------------------------------------------------------------------------


def _volumes(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    for volume in ctx.items(ec2, "describe_volumes", "Volumes", each=("VolumeId",)):
        volume_id = volume["VolumeId"]
        arn = ec2_arn(ctx, "volume", volume_id)
        attachments = sorted(
            (
                {"instance_id": a.get("InstanceId"), "device": a.get("Device"), "state": a.get("State")}
                for a in volume.get("Attachments") or []
            ),
            key=lambda a: (str(a["instance_id"]), str(a["device"]), str(a["state"])),
        )
        yield ctx.resource(
            "aws_ebs_volume",
            arn,
            name=name_tag(volume.get("Tags"), volume_id),
            tags=volume.get("Tags") or [],
            attributes={
                "id": volume_id,
                "arn": arn,
                "availability_zone": volume.get("AvailabilityZone"),
                "encrypted": sent(volume, "Encrypted", bool),
                "kms_key_id": volume.get("KmsKeyId") or ABSENT,
                "size": volume.get("Size"),
                "type": volume.get("VolumeType"),
                "iops": volume.get("Iops", ABSENT),
                "throughput": volume.get("Throughput", ABSENT),
                "snapshot_id": volume.get("SnapshotId") or ABSENT,
                "multi_attach_enabled": sent(volume, "MultiAttachEnabled", bool),
                "create_time": volume.get("CreateTime", ABSENT),
                "state": volume.get("State"),
                "attachments": attachments,
            },
        )


def _snapshots(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    owned = list(ctx.items(ec2, "describe_snapshots", "Snapshots", each=("SnapshotId",), OwnerIds=["self"]))

    def public(snapshot_id: str) -> Any:
        """Whether anyone may create a volume from it: the group ``all`` among its volume permissions."""
        return ctx.detail(
            lambda: any(
                p.get("Group") == "all"
                for p in ctx.call(
                    ec2,
                    "describe_snapshot_attribute",
                    SnapshotId=snapshot_id,
                    Attribute="createVolumePermission",
                    expect=("CreateVolumePermissions",),
                )["CreateVolumePermissions"]
            ),
            absent=("InvalidSnapshot.NotFound",),
        )

    shared = ctx.map(public, [s["SnapshotId"] for s in owned])
    for snapshot, is_public in zip(owned, shared, strict=True):
        if is_public is ABSENT:
            continue  # deleted between the listing and now (not seen when the attribute call is skipped)
        snapshot_id = snapshot["SnapshotId"]
        arn = ctx.arn("ec2", f"snapshot/{snapshot_id}", account="")
        yield ctx.resource(
            "aws_ebs_snapshot",
            arn,
            name=name_tag(snapshot.get("Tags"), snapshot_id),
            tags=snapshot.get("Tags") or [],
            attributes={
                "id": snapshot_id,
                "arn": arn,
                "volume_id": snapshot.get("VolumeId"),
                "description": snapshot.get("Description", ""),
                "encrypted": sent(snapshot, "Encrypted", bool),
                "kms_key_id": snapshot.get("KmsKeyId") or ABSENT,
                "owner_id": snapshot.get("OwnerId", ctx.account),
                "volume_size": snapshot.get("VolumeSize"),
                "storage_tier": snapshot.get("StorageTier", ABSENT),
                "public": is_public,
                "state": sent(snapshot, "State"),
                "start_time": snapshot.get("StartTime", ABSENT),
            },
        )


# -- AMIs -----------------------------------------------------------------------------------


def _image_devices(image: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The image's EBS mappings as Terraform's ``ebs_block_device`` blocks (instance-store ones are not)."""
    devices = []
    for mapping in image.get("BlockDeviceMappings") or []:
        ebs = mapping.get("Ebs")
        if not isinstance(ebs, Mapping):
            continue
        block = {
            "device_name": mapping.get("DeviceName"),
            "snapshot_id": ebs.get("SnapshotId"),
            "volume_size": ebs.get("VolumeSize"),
            "volume_type": ebs.get("VolumeType"),
            "encrypted": ebs.get("Encrypted"),
            "delete_on_termination": ebs.get("DeleteOnTermination"),
            "iops": ebs.get("Iops"),
            "throughput": ebs.get("Throughput"),
        }
        devices.append({k: v for k, v in block.items() if v is not None})
    return sorted(devices, key=lambda d: str(d.get("device_name")))


def _images(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    for image in ctx.items(ec2, "describe_images", "Images", each=("ImageId",), Owners=["self"]):
        image_id = image["ImageId"]
        arn = ctx.arn("ec2", f"image/{image_id}", account="")
        yield ctx.resource(
            "aws_ami",
            arn,
            name=image.get("Name") or image_id,
            tags=image.get("Tags") or [],
            attributes={
                "id": image_id,
                "arn": arn,
                "name": image.get("Name"),
                "description": image.get("Description", ""),
                "architecture": image.get("Architecture", ABSENT),
                "virtualization_type": image.get("VirtualizationType", ABSENT),
                "root_device_name": image.get("RootDeviceName", ABSENT),
                "ena_support": image.get("EnaSupport", ABSENT),
                "boot_mode": image.get("BootMode", ABSENT),
                "imds_support": image.get("ImdsSupport", ABSENT),
                "ebs_block_device": _image_devices(image),
                "deprecation_time": image.get("DeprecationTime", ABSENT),
                "public": sent(image, "Public", bool),
                "owner_id": image.get("OwnerId", ctx.account),
                "state": sent(image, "State"),
                "creation_date": image.get("CreationDate", ABSENT),
            },
        )


def _encryption_by_default(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    enabled = bool(
        ctx.call(ec2, "get_ebs_encryption_by_default", expect=("EbsEncryptionByDefault",))["EbsEncryptionByDefault"]
    )
    key_id = ctx.detail(lambda: ctx.call(ec2, "get_ebs_default_kms_key_id", expect=("KmsKeyId",))["KmsKeyId"])
    yield ctx.resource(
        "aws_ebs_encryption_by_default",
        f"{ctx.account}/{ctx.region}/aws_ebs_encryption_by_default",
        name=None,
        attributes={"configured": True, "enabled": enabled, "default_kms_key_id": key_id},
    )


INSTANCE = ResourceType(
    "aws_instance",
    INSTANCE_ATTRIBUTES,
    observed_only=("virtualization_type", "network_interfaces", "stopped_since"),
    name_path="tags.Name",
    single_blocks=("metadata_options",),
    # The provider creates an instance and waits until it runs: after apply a new instance is running.
    created_empty=(("instance_state", None, "running"),),
    drift_ignore=("instance_state", "launch_time", "public_ip", "private_ip", "stopped_since"),
)

VOLUME = ResourceType(
    "aws_ebs_volume",
    VOLUME_ATTRIBUTES,
    observed_only=("attachments",),
    name_path="tags.Name",
    drift_ignore=("state", "attachments"),
)

SNAPSHOT = ResourceType(
    "aws_ebs_snapshot",
    SNAPSHOT_ATTRIBUTES,
    observed_only=("public", "state", "start_time"),
    name_path="tags.Name",
    # One DescribeSnapshotAttribute (createVolumePermission) per snapshot; the rest is the listing's.
    sources={"ec2:DescribeSnapshotAttribute": ("public",)},
    terraform_aliases={"aws_ebs_snapshot_copy": {}},
    drift_ignore=("state", "start_time"),
)

AMI = ResourceType(
    "aws_ami",
    AMI_ATTRIBUTES,
    observed_only=("public", "owner_id", "state", "creation_date"),
    sorted_blocks=("ebs_block_device",),
    terraform_aliases={"aws_ami_copy": {}, "aws_ami_from_instance": {}},
    drift_ignore=("state", "creation_date"),
)

ENCRYPTION_BY_DEFAULT = ResourceType(
    "aws_ebs_encryption_by_default",
    ENCRYPTION_BY_DEFAULT_ATTRIBUTES,
    singleton=True,
    # GetEbsEncryptionByDefault is the setting itself (its failure is error coverage); the key is a detail.
    sources={"ec2:GetEbsDefaultKmsKeyId": ("default_kms_key_id",)},
)

COLLECTORS = (
    Collector(
        name="ec2.instances",
        service="ec2",
        resource_types=(INSTANCE,),
        calls=("ec2:DescribeInstances",),
        collect=_instances,
        description="Every EC2 instance in the region that is not terminated.",
        notes=(
            "`iam_instance_profile` is the profile name (Terraform's value), `iam_instance_profile_arn` "
            "its ARN. `metadata_options.http_tokens` is `required` when IMDSv2 is enforced. `monitoring` "
            "is true for detailed monitoring. `public_ip` and `key_name` are absent when the instance "
            "has none; `associate_public_ip_address` says whether it has a public IPv4 address (read from "
            "the primary interface, as the provider does). `network_interfaces` is `[{id, device_index, "
            "network_card_index}]`. `stopped_since` is set for stopped instances: the time in "
            "StateTransitionReason, else the launch time (Security Hub's EC2.4 reads the same). moto "
            "leaves `SecurityGroups` empty for an instance launched into a subnet without explicit groups; "
            "`vpc_security_group_ids` then comes from the primary network interface. moto reports "
            "`paravirtual` for instances of an image it does not know."
        ),
    ),
    Collector(
        name="ec2.volumes",
        service="ec2",
        resource_types=(VOLUME,),
        calls=("ec2:DescribeVolumes",),
        collect=_volumes,
        description="Every EBS volume in the region.",
        notes=(
            "`kms_key_id`, `iops`, `throughput` and `snapshot_id` are absent when AWS gives none (or an "
            "empty snapshot id). `attachments` is `[{instance_id, device, state}]`, sorted. moto creates "
            "the `alias/aws/ebs` key for volumes encrypted without a key and reports it with "
            "`key_manager: CUSTOMER` (AWS: `AWS`), and does not apply encryption by default to new "
            "volumes."
        ),
    ),
    Collector(
        name="ec2.snapshots",
        service="ec2",
        resource_types=(SNAPSHOT,),
        calls=("ec2:DescribeSnapshots", "ec2:DescribeSnapshotAttribute"),
        collect=_snapshots,
        description="Every EBS snapshot the account owns in the region, with whether it is public.",
        notes=(
            "Snapshots shared with the account or public ones of others are not listed (OwnerIds=self). "
            "`public` is true when the group `all` may create volumes from the snapshot (one "
            "DescribeSnapshotAttribute per snapshot). The ARN has no account, as EC2 writes snapshot ARNs."
        ),
    ),
    Collector(
        name="ec2.images",
        service="ec2",
        resource_types=(AMI,),
        calls=("ec2:DescribeImages",),
        collect=_images,
        description="Every AMI the account owns in the region.",
        notes=(
            "`public` is DescribeImages' Public (launch permission for everyone). `ebs_block_device` holds "
            "the EBS mappings, sorted by device; instance-store mappings are left out. moto answers no "
            "VirtualizationType for images registered through its API."
        ),
    ),
    Collector(
        name="ec2.ebs_encryption_by_default",
        service="ec2",
        resource_types=(ENCRYPTION_BY_DEFAULT,),
        calls=("ec2:GetEbsEncryptionByDefault", "ec2:GetEbsDefaultKmsKeyId"),
        collect=_encryption_by_default,
        description="The region's EBS encryption-by-default setting (one singleton per account and region).",
        notes=(
            "Always present once observed, with `configured: true` (the setting always has a value); "
            "`enabled` is GetEbsEncryptionByDefault. `default_kms_key_id` is the key new volumes get "
            "(GetEbsDefaultKmsKeyId). moto does not implement GetEbsDefaultKmsKeyId, so there "
            '`default_kms_key_id` is `{"$unknown": ...}`.'
        ),
    ),
)
