"""DynamoDB: ``aws_dynamodb_table`` with its point-in-time recovery, encryption and auto scaling.

A table's continuous backups (point-in-time recovery) are a separate call on
AWS (DescribeContinuousBackups) and a nested block in Terraform
(``point_in_time_recovery``). Auto scaling of a provisioned table is not the
table's own setting at all: Application Auto Scaling registers scalable
targets for it, which unify reads once per region and gives each table as
``autoscaled_dimensions`` (a fact a Terraform table does not carry).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

ATTRIBUTES = (
    "name",
    "arn",
    "billing_mode",
    "hash_key",
    "range_key",
    "read_capacity",
    "write_capacity",
    "table_class",
    "deletion_protection_enabled",
    "stream_enabled",
    "stream_view_type",
    "point_in_time_recovery",
    "server_side_encryption",
    # extras only observation can see
    "table_status",
    "autoscaled_dimensions",
)


def _key(schema: Any, kind: str) -> Any:
    for item in schema or []:
        if isinstance(item, Mapping) and item.get("KeyType") == kind:
            return item.get("AttributeName")
    return ABSENT


def _point_in_time_recovery(answer: Mapping[str, Any]) -> dict[str, Any]:
    description = answer["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    enabled = description["PointInTimeRecoveryStatus"] == "ENABLED"
    block: dict[str, Any] = {"enabled": enabled}
    if enabled and description.get("RecoveryPeriodInDays") is not None:
        block["recovery_period_in_days"] = description["RecoveryPeriodInDays"]
    return block


def _encryption(description: Any) -> Any:
    # "SSEDescription ... The description of the server-side encryption status": a table encrypted with an
    # AWS owned key has none (DynamoDB API reference, TableDescription), which Terraform writes as no block.
    if not isinstance(description, Mapping) or description.get("Status") not in ("ENABLED", "ENABLING", "UPDATING"):
        return ABSENT
    block: dict[str, Any] = {"enabled": True}
    if description.get("KMSMasterKeyArn"):
        block["kms_key_arn"] = description["KMSMasterKeyArn"]
    return block


def _scalable_targets(ctx: CollectContext) -> Any:
    """``{table name: [dimension, ...]}`` of every DynamoDB table with auto scaling in the region."""
    client = ctx.client("application-autoscaling")

    def read() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for target in ctx.items(
            client,
            "describe_scalable_targets",
            "ScalableTargets",
            each=("ResourceId", "ScalableDimension"),
            ServiceNamespace="dynamodb",
        ):
            resource_id = str(target["ResourceId"])
            if resource_id.startswith("table/") and "/index/" not in resource_id:
                found.setdefault(resource_id.split("/", 1)[1], []).append(str(target["ScalableDimension"]))
        return {name: sorted(set(dimensions)) for name, dimensions in found.items()}

    return ctx.detail(read)


def _tables(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    names = list(ctx.items(client, "list_tables", "TableNames"))
    targets = _scalable_targets(ctx) if names else {}

    def describe(name: str) -> Resource | None:
        table: Any = ctx.detail(
            lambda: ctx.call(client, "describe_table", TableName=name, expect=("Table.TableArn",))["Table"],
            absent=("ResourceNotFoundException",),
        )
        if table is ABSENT:
            return None  # deleted since the listing
        if is_unknown(table):
            return ctx.resource(
                "aws_dynamodb_table",
                ctx.arn("dynamodb", f"table/{name}"),
                name=name,
                attributes=dict.fromkeys(ATTRIBUTES, table) | {"name": name},
            )
        arn = table["TableArn"]
        pitr = ctx.detail(
            lambda: _point_in_time_recovery(
                ctx.call(
                    client,
                    "describe_continuous_backups",
                    TableName=name,
                    expect=("ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus",),
                )
            )
        )
        tags = ctx.detail(
            lambda: list(ctx.items(client, "list_tags_of_resource", "Tags", each=("Key",), ResourceArn=arn))
        )
        # "BillingModeSummary ... Contains the details for the read/write capacity mode": a table created
        # before on-demand mode existed, or created provisioned, may have none (DynamoDB API reference).
        billing = (table.get("BillingModeSummary") or {}).get("BillingMode") or "PROVISIONED"
        throughput = table.get("ProvisionedThroughput") or {}
        stream = table.get("StreamSpecification") or {}
        return ctx.resource(
            "aws_dynamodb_table",
            arn,
            name=name,
            tags=tags,
            attributes={
                "name": name,
                "arn": arn,
                "billing_mode": billing,
                "hash_key": _key(table.get("KeySchema"), "HASH"),
                "range_key": _key(table.get("KeySchema"), "RANGE"),
                "read_capacity": throughput.get("ReadCapacityUnits", ABSENT) if billing == "PROVISIONED" else ABSENT,
                "write_capacity": throughput.get("WriteCapacityUnits", ABSENT) if billing == "PROVISIONED" else ABSENT,
                "table_class": (table.get("TableClassSummary") or {}).get("TableClass") or "STANDARD",
                # "DeletionProtectionEnabled ... default false" (DynamoDB API reference, TableDescription).
                "deletion_protection_enabled": bool(table.get("DeletionProtectionEnabled", False)),
                "stream_enabled": bool(stream.get("StreamEnabled", False)),
                "stream_view_type": stream.get("StreamViewType") or ABSENT,
                "point_in_time_recovery": pitr,
                "server_side_encryption": _encryption(table.get("SSEDescription")),
                "table_status": sent(table, "TableStatus"),
                "autoscaled_dimensions": targets if is_unknown(targets) else targets.get(name, []),
            },
        )

    for resource in ctx.map(describe, names):
        if resource is not None:
            yield resource


TABLE = ResourceType(
    "aws_dynamodb_table",
    ATTRIBUTES,
    observed_only=("table_status", "autoscaled_dimensions"),
    # DescribeTable is not declared: it places the table (its ARN; a table deleted since the listing is left
    # out). The scalable targets are read once per region, not per table.
    sources={
        "dynamodb:DescribeContinuousBackups": ("point_in_time_recovery",),
        "dynamodb:ListTagsOfResource": ("tags",),
    },
    single_blocks=("point_in_time_recovery", "server_side_encryption"),
    # "billing_mode ... Defaults to PROVISIONED", "deletion_protection_enabled ... Defaults to false",
    # "table_class ... Default value is STANDARD" (Terraform AWS provider, aws_dynamodb_table).
    defaults={"billing_mode": "PROVISIONED", "deletion_protection_enabled": False, "table_class": "STANDARD"},
    # The provider writes a table without encryption settings as server_side_encryption = [{enabled = false}].
    never_configured=(("server_side_encryption", {"enabled": False}),),
    drift_ignore=("table_status", "autoscaled_dimensions", "read_capacity", "write_capacity"),
)

COLLECTORS = (
    Collector(
        name="dynamodb.tables",
        service="dynamodb",
        resource_types=(TABLE,),
        calls=(
            "dynamodb:ListTables",
            "dynamodb:DescribeTable",
            "dynamodb:DescribeContinuousBackups",
            "dynamodb:ListTagsOfResource",
            "application-autoscaling:DescribeScalableTargets",
        ),
        collect=_tables,
        description="Every DynamoDB table in the region, with point-in-time recovery, encryption and auto scaling.",
        notes=(
            "`point_in_time_recovery` is `{enabled, recovery_period_in_days}` from DescribeContinuousBackups. "
            "`server_side_encryption` is `{enabled: true, kms_key_arn}` for a table under a KMS key (AWS managed "
            "or customer managed), absent for the default AWS owned key, as Terraform writes it. `billing_mode` "
            "is PROVISIONED when AWS gives no BillingModeSummary; `read_capacity` and `write_capacity` only for "
            "provisioned tables. `autoscaled_dimensions` lists the table's Application Auto Scaling dimensions "
            "(`dynamodb:table:ReadCapacityUnits`, `...WriteCapacityUnits`; indexes not included), read once per "
            "region; `[]` when none."
        ),
    ),
)
