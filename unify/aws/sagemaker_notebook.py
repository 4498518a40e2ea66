"""SageMaker notebooks: ``aws_sagemaker_notebook_instance``, every notebook instance of the region.

A notebook instance is a managed Jupyter server with the data scientist's
role: whether it reaches the internet directly (outside the VPC's egress
controls), runs in the account's own VPC, lets its users become root, and
encrypts its volume with a customer key.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent, unread

ATTRIBUTES = (
    "arn",
    "name",
    "role_arn",
    "instance_type",
    "platform_identifier",
    "subnet_id",
    "security_groups",
    "kms_key_id",
    "direct_internet_access",
    "root_access",
    "volume_size",
    "notebook_instance_status",
)


def _notebooks(ctx: CollectContext) -> Iterator[Resource]:
    sagemaker = ctx.client()
    listed = list(
        ctx.items(
            sagemaker,
            "list_notebook_instances",
            "NotebookInstances",
            each=("NotebookInstanceName", "NotebookInstanceArn"),
        )
    )

    def describe(summary: dict[str, Any]) -> Resource:
        name, arn = summary["NotebookInstanceName"], summary["NotebookInstanceArn"]
        notebook: Any = ctx.detail(
            lambda: ctx.call(
                sagemaker, "describe_notebook_instance", NotebookInstanceName=name, expect=("NotebookInstanceArn",)
            )
        )
        tags = ctx.detail(lambda: ctx.call(sagemaker, "list_tags", ResourceArn=arn, expect=("Tags",))["Tags"])
        if unread(notebook):
            attributes: dict[str, Any] = dict.fromkeys(ATTRIBUTES, notebook)
            attributes.update(arn=arn, name=name, instance_type=summary.get("InstanceType", notebook))
        else:
            attributes = {
                "arn": arn,
                "name": name,
                "role_arn": sent(notebook, "RoleArn"),
                "instance_type": sent(notebook, "InstanceType"),
                "platform_identifier": notebook.get("PlatformIdentifier", ABSENT),
                "subnet_id": notebook.get("SubnetId", ABSENT),
                "security_groups": sorted(notebook.get("SecurityGroups") or []),
                "kms_key_id": notebook.get("KmsKeyId", ABSENT),
                "direct_internet_access": sent(notebook, "DirectInternetAccess"),
                "root_access": sent(notebook, "RootAccess"),
                "volume_size": sent(notebook, "VolumeSizeInGB"),
                "notebook_instance_status": sent(notebook, "NotebookInstanceStatus"),
            }
        return ctx.resource("aws_sagemaker_notebook_instance", arn, name=name, tags=tags, attributes=attributes)

    yield from ctx.map(describe, listed)


def _from_terraform(values: dict[str, Any]) -> None:
    if isinstance(values.get("security_groups"), list):
        values["security_groups"] = sorted(values["security_groups"])
    for key in ("subnet_id", "kms_key_id", "platform_identifier"):
        if values.get(key) in (None, ""):
            values.pop(key, None)


NOTEBOOK_INSTANCE = ResourceType(
    "aws_sagemaker_notebook_instance",
    ATTRIBUTES,
    observed_only=("notebook_instance_status",),
    # Provider defaults (docs of aws_sagemaker_notebook_instance).
    defaults={"direct_internet_access": "Enabled", "root_access": "Enabled", "volume_size": 5},
    from_terraform=_from_terraform,
    sources={
        # The listing gives arn and name; everything else is the describe's answer.
        "sagemaker:DescribeNotebookInstance": tuple(a for a in ATTRIBUTES if a not in ("arn", "name")),
        "sagemaker:ListTags": ("tags",),
    },
)

COLLECTORS = (
    Collector(
        name="sagemaker.notebook_instances",
        service="sagemaker",
        resource_types=(NOTEBOOK_INSTANCE,),
        calls=("sagemaker:ListNotebookInstances", "sagemaker:DescribeNotebookInstance", "sagemaker:ListTags"),
        collect=_notebooks,
        description="Every SageMaker notebook instance in the region: internet access, VPC, root access and key.",
        notes=(
            "`direct_internet_access` and `root_access` are `Enabled` or `Disabled` as AWS answers; `subnet_id` "
            "and `kms_key_id` are absent when the instance has none (it then runs in SageMaker's own VPC, with an "
            "AWS managed key). When DescribeNotebookInstance fails the instance keeps `arn`, `name` and "
            "`instance_type` and the rest, tags included, is unknown. moto (5.x) serves every call."
        ),
    ),
)
