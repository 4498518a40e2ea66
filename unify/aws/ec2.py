"""EC2 compute and storage: instances, EBS volumes and the region's EBS encryption default.

Every type here is regional. The network the instances run in is in
:mod:`unify.aws.vpc` (VPCs, subnets, endpoints), :mod:`unify.aws.vpc_security`
(security groups, network ACLs), :mod:`unify.aws.vpc_routing` and
:mod:`unify.aws.vpc_transit`.
"""

from __future__ import annotations

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
    # extras only observation can see
    "iam_instance_profile_arn",
    "launch_time",
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
            "iam_instance_profile_arn": profile_arn or ABSENT,
            "launch_time": instance.get("LaunchTime", ABSENT),
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
    name_path="tags.Name",
    single_blocks=("metadata_options",),
    drift_ignore=("instance_state", "launch_time", "public_ip", "private_ip"),
)

VOLUME = ResourceType(
    "aws_ebs_volume",
    VOLUME_ATTRIBUTES,
    observed_only=("attachments",),
    name_path="tags.Name",
    drift_ignore=("state", "attachments"),
)

ENCRYPTION_BY_DEFAULT = ResourceType(
    "aws_ebs_encryption_by_default",
    ENCRYPTION_BY_DEFAULT_ATTRIBUTES,
    singleton=True,
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
            "has none. moto leaves `SecurityGroups` empty for an instance launched into a subnet without "
            "explicit groups; `vpc_security_group_ids` then comes from the primary network interface."
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
