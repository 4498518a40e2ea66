"""EC2 launch templates: what the default version of each template gives the instances launched from it.

A template's settings live in its versions; instances and Auto Scaling
groups that name no version get the default one, so the collector reads
that version's data. Attributes are the Terraform AWS provider's
``aws_launch_template`` names; the provider keeps several switches as
nullable booleans written as strings (``"true"``, ``"false"``, ``""``),
which the Terraform conversion turns into the booleans AWS answers with.
User data is never read: it is where secrets end up.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from unify.aws._ec2_shared import ec2_arn, texts
from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, unread

LAUNCH_TEMPLATE_ATTRIBUTES = (
    "id",
    "arn",
    "name",
    "description",
    "default_version",
    "latest_version",
    "image_id",
    "instance_type",
    "key_name",
    "ebs_optimized",
    "vpc_security_group_ids",
    "iam_instance_profile",
    "metadata_options",
    "monitoring",
    "network_interfaces",
    "block_device_mappings",
)

#: The nullable booleans of ``aws_launch_template``, by block (the provider's ``nullable.TypeNullableBool``).
_NULLABLE_BOOLS: Final = {
    "": ("ebs_optimized",),
    "network_interfaces": ("associate_public_ip_address", "delete_on_termination"),
    "block_device_mappings.ebs": ("delete_on_termination", "encrypted"),
}


def _kept(block: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in block.items() if v is not None}


def _metadata(options: Any) -> Any:
    if not isinstance(options, Mapping) or not options:
        return ABSENT
    return _kept(
        {
            "http_endpoint": options.get("HttpEndpoint"),
            "http_tokens": options.get("HttpTokens"),
            "http_put_response_hop_limit": options.get("HttpPutResponseHopLimit"),
            "http_protocol_ipv6": options.get("HttpProtocolIpv6"),
            "instance_metadata_tags": options.get("InstanceMetadataTags"),
        }
    )


def _interfaces(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = []
    for interface in data.get("NetworkInterfaces") or []:
        block = _kept(
            {
                "device_index": interface.get("DeviceIndex"),
                "network_card_index": interface.get("NetworkCardIndex"),
                "associate_public_ip_address": interface.get("AssociatePublicIpAddress"),
                "delete_on_termination": interface.get("DeleteOnTermination"),
                "subnet_id": interface.get("SubnetId"),
                "network_interface_id": interface.get("NetworkInterfaceId"),
                "description": interface.get("Description"),
            }
        )
        block["security_groups"] = texts(interface.get("Groups"))
        found.append(block)
    return sorted(found, key=lambda b: (int(b.get("network_card_index", 0)), int(b.get("device_index", 0))))


def _devices(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = []
    for mapping in data.get("BlockDeviceMappings") or []:
        block = _kept(
            {
                "device_name": mapping.get("DeviceName"),
                "virtual_name": mapping.get("VirtualName"),
                "no_device": mapping.get("NoDevice"),
            }
        )
        ebs = mapping.get("Ebs")
        if isinstance(ebs, Mapping):
            block["ebs"] = _kept(
                {
                    "encrypted": ebs.get("Encrypted"),
                    "kms_key_id": ebs.get("KmsKeyId"),
                    "volume_size": ebs.get("VolumeSize"),
                    "volume_type": ebs.get("VolumeType"),
                    "delete_on_termination": ebs.get("DeleteOnTermination"),
                    "snapshot_id": ebs.get("SnapshotId"),
                    "iops": ebs.get("Iops"),
                    "throughput": ebs.get("Throughput"),
                }
            )
        found.append(block)
    return sorted(found, key=lambda b: str(b.get("device_name")))


def _profile(data: Mapping[str, Any]) -> Any:
    profile = data.get("IamInstanceProfile")
    if not isinstance(profile, Mapping) or not profile:
        return ABSENT
    return _kept({"arn": profile.get("Arn"), "name": profile.get("Name")})


def _version_attributes(data: Any) -> dict[str, Any]:
    """The template's settings from its default version's data; every one unknown when it was not read (or skipped)."""
    keys = (
        "image_id",
        "instance_type",
        "key_name",
        "ebs_optimized",
        "vpc_security_group_ids",
        "iam_instance_profile",
        "metadata_options",
        "monitoring",
        "network_interfaces",
        "block_device_mappings",
    )
    if unread(data):
        return dict.fromkeys(keys, data)
    monitoring = data.get("Monitoring")
    return {
        "image_id": data.get("ImageId", ABSENT),
        "instance_type": data.get("InstanceType", ABSENT),
        "key_name": data.get("KeyName", ABSENT),
        "ebs_optimized": data.get("EbsOptimized", ABSENT),
        "vpc_security_group_ids": texts(data.get("SecurityGroupIds")),
        "iam_instance_profile": _profile(data),
        "metadata_options": _metadata(data.get("MetadataOptions")),
        "monitoring": {"enabled": bool(monitoring.get("Enabled"))} if isinstance(monitoring, Mapping) else ABSENT,
        "network_interfaces": _interfaces(data),
        "block_device_mappings": _devices(data),
    }


def _launch_templates(ctx: CollectContext) -> Iterator[Resource]:
    ec2 = ctx.client()
    templates = list(
        ctx.items(ec2, "describe_launch_templates", "LaunchTemplates", each=("LaunchTemplateId", "LaunchTemplateName"))
    )

    def default_version(template_id: str) -> Any:
        def read() -> Any:
            versions = ctx.call(
                ec2,
                "describe_launch_template_versions",
                LaunchTemplateId=template_id,
                Versions=["$Default"],
                expect=("LaunchTemplateVersions",),
            )["LaunchTemplateVersions"]
            version = versions[0]
            return {"data": version["LaunchTemplateData"], "description": version.get("VersionDescription", "")}

        return ctx.detail(read, absent=("InvalidLaunchTemplateId.NotFound",))

    versions = ctx.map(default_version, [t["LaunchTemplateId"] for t in templates])
    for template, version in zip(templates, versions, strict=True):
        if version is ABSENT:
            continue  # deleted between the listing and now (not seen when the version call is skipped)
        template_id = template["LaunchTemplateId"]
        arn = ec2_arn(ctx, "launch-template", template_id)
        no_answer = unread(version)
        data = version if no_answer else version["data"]
        yield ctx.resource(
            "aws_launch_template",
            arn,
            name=template["LaunchTemplateName"],
            tags=template.get("Tags") or [],
            attributes={
                "id": template_id,
                "arn": arn,
                "name": template["LaunchTemplateName"],
                "description": version if no_answer else version["description"] or ABSENT,
                "default_version": template.get("DefaultVersionNumber"),
                "latest_version": template.get("LatestVersionNumber"),
                **_version_attributes(data),
            },
        )


def _nullable_bool(value: Any) -> Any:
    """``"true"``/``"false"`` as booleans; ``""`` (not set) as None; anything else (a marker) as it is."""
    if isinstance(value, str):
        lowered = value.strip().lower()
        return True if lowered == "true" else False if lowered == "false" else None
    return value


def _set_bools(block: Any, keys: tuple[str, ...]) -> None:
    if not isinstance(block, dict) or is_unknown(block):
        return
    for key in keys:
        if key in block:
            value = _nullable_bool(block[key])
            if value is None:
                del block[key]
            else:
                block[key] = value


def _from_terraform(values: dict[str, Any]) -> None:
    """The provider's nullable booleans as booleans, and ``ebs`` blocks as one mapping each."""
    _set_bools(values, _NULLABLE_BOOLS[""])
    for interface in values.get("network_interfaces") or []:
        _set_bools(interface, _NULLABLE_BOOLS["network_interfaces"])
    for device in values.get("block_device_mappings") or []:
        if not isinstance(device, dict) or is_unknown(device):
            continue
        _set_bools(device.get("ebs"), _NULLABLE_BOOLS["block_device_mappings.ebs"])
        for key in [k for k, v in device.items() if v in ("", None)]:
            del device[key]
    for key in ("network_interfaces", "block_device_mappings"):
        items = values.get(key)
        if isinstance(items, list):
            for item in items:
                if isinstance(item, dict) and not is_unknown(item):
                    for empty in [k for k, v in item.items() if v in ("", None) and k != "security_groups"]:
                        del item[empty]


LAUNCH_TEMPLATE = ResourceType(
    "aws_launch_template",
    LAUNCH_TEMPLATE_ATTRIBUTES,
    single_blocks=(
        "metadata_options",
        "iam_instance_profile",
        "monitoring",
        "block_device_mappings.ebs",
    ),
    # The default version's data: every setting but the template's own identity and version numbers.
    sources={
        "ec2:DescribeLaunchTemplateVersions": tuple(
            a for a in LAUNCH_TEMPLATE_ATTRIBUTES if a not in ("id", "arn", "name", "default_version", "latest_version")
        )
    },
    from_terraform=_from_terraform,
    drift_ignore=("latest_version", "default_version"),
)

COLLECTORS = (
    Collector(
        name="ec2.launch_templates",
        service="ec2",
        resource_types=(LAUNCH_TEMPLATE,),
        calls=("ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"),
        collect=_launch_templates,
        description="Every launch template of the region, with the settings of its default version.",
        notes=(
            "One DescribeLaunchTemplateVersions (`$Default`) per template. `metadata_options`, "
            "`network_interfaces` (`[{device_index, associate_public_ip_address, delete_on_termination, "
            "security_groups, ...}]`) and `block_device_mappings` (`[{device_name, ebs: {encrypted, ...}}]`) "
            "hold only what the version sets: a setting left to the instance's defaults is absent, as the "
            "provider's nullable booleans are in Terraform. When the version cannot be read, every setting "
            "is unknown. User data is never read."
        ),
    ),
)
