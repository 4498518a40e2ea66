"""Systems Manager: ``aws_ssm_parameter`` (metadata only, never a value) and ``aws_ssm_document`` (own documents).

Parameters come from ``DescribeParameters``, which never returns values, so
no parameter value (SecureString or not) is ever read. Documents are the
account's own (``Owner: Self``); Amazon's thousands of public documents are
not resources of the account. A document's sharing comes from
``DescribeDocumentPermission``: ``all`` in its account ids means anyone may
run it (SSM User Guide, "Sharing SSM documents").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from unify.errors import AwsError
from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.answers import MALFORMED
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

#: A document is shared with at most 1,000 accounts, 200 a page (SSM quotas): more pages is a broken answer.
_MAX_PAGES: Final = 20

PARAMETER_ATTRIBUTES = (
    "name",
    "arn",
    "type",
    "description",
    "key_id",
    "tier",
    "data_type",
    "allowed_pattern",
    "version",
    # extras only observation can see
    "last_modified_date",
    "last_modified_user",
)
DOCUMENT_ATTRIBUTES = (
    "name",
    "arn",
    "document_type",
    "document_format",
    "target_type",
    "version_name",
    "permissions",
    # extras
    "owner",
    "schema_version",
    "document_version",
    "created_date",
)


def _parameter_arn(ctx: CollectContext, name: str) -> str:
    # A hierarchical name keeps its leading slash as the path: parameter/app/db (SSM API reference, ARNs).
    return ctx.arn("ssm", f"parameter/{name.lstrip('/')}")


def _parameters(ctx: CollectContext) -> Iterator[Resource]:
    ssm = ctx.client()
    listed = list(ctx.items(ssm, "describe_parameters", "Parameters", each=("Name", "Type")))

    def observe(parameter: dict[str, Any]) -> Resource:
        name = str(parameter["Name"])
        arn = str(parameter.get("ARN") or _parameter_arn(ctx, name))
        tags = ctx.detail(
            lambda: ctx.call(
                ssm, "list_tags_for_resource", ResourceType="Parameter", ResourceId=name, expect=("TagList",)
            )["TagList"]
        )
        return ctx.resource(
            "aws_ssm_parameter",
            arn,
            name=name,
            tags=tags,
            attributes={
                "name": name,
                "arn": arn,
                "type": parameter["Type"],
                "description": parameter.get("Description", ""),
                # KeyId is sent for SecureString parameters only (SSM API reference, ParameterMetadata).
                "key_id": parameter.get("KeyId", ABSENT),
                "tier": sent(parameter, "Tier"),
                "data_type": sent(parameter, "DataType"),
                "allowed_pattern": parameter.get("AllowedPattern", ABSENT),
                "version": sent(parameter, "Version"),
                "last_modified_date": sent(parameter, "LastModifiedDate"),
                "last_modified_user": parameter.get("LastModifiedUser", ABSENT),
            },
        )

    yield from ctx.map(observe, listed)


def _sharing(ctx: CollectContext, ssm: Any, name: str) -> Any:
    """Terraform's ``permissions`` map (``{type: Share, account_ids: "a,b"}``); absent when not shared."""
    ids: list[str] = []
    token: str | None = None
    for _ in range(_MAX_PAGES):  # NextToken paging by hand: botocore has no paginator for this operation
        extra = {"NextToken": token} if token else {}
        page = ctx.call(
            ssm, "describe_document_permission", Name=name, PermissionType="Share", expect=("AccountIds",), **extra
        )
        ids.extend(str(i) for i in page["AccountIds"])
        token = page.get("NextToken") or None
        if token is None:
            break
    else:
        raise AwsError(MALFORMED, f"more than {_MAX_PAGES} pages", "ssm:DescribeDocumentPermission")
    if not ids:
        return ABSENT
    return {"type": "Share", "account_ids": ",".join(sorted({i.lower() if i.lower() == "all" else i for i in ids}))}


def _documents(ctx: CollectContext) -> Iterator[Resource]:
    ssm = ctx.client()
    listed = list(
        ctx.items(
            ssm,
            "list_documents",
            "DocumentIdentifiers",
            each=("Name",),
            Filters=[{"Key": "Owner", "Values": ["Self"]}],
        )
    )

    def observe(document: dict[str, Any]) -> Resource:
        name = str(document["Name"])
        arn = ctx.arn("ssm", f"document/{name}")
        return ctx.resource(
            "aws_ssm_document",
            arn,
            name=name,
            tags=document.get("Tags") or [],
            attributes={
                "name": name,
                "arn": arn,
                "document_type": sent(document, "DocumentType"),
                "document_format": sent(document, "DocumentFormat"),
                "target_type": document.get("TargetType", ABSENT),
                "version_name": document.get("VersionName", ABSENT),
                "permissions": ctx.detail(lambda: _sharing(ctx, ssm, name), absent=("InvalidDocument",)),
                "owner": sent(document, "Owner"),
                "schema_version": document.get("SchemaVersion", ABSENT),
                "document_version": sent(document, "DocumentVersion"),
                "created_date": document.get("CreatedDate", ABSENT),
            },
        )

    yield from ctx.map(observe, listed)


def _parameter_from_terraform(values: dict[str, Any]) -> None:
    # Neither value is ever kept: the observation never reads one, so a plan must not carry one either.
    values.pop("value", None)
    values.pop("insecure_value", None)


def _document_from_terraform(values: dict[str, Any]) -> None:
    values.pop("content", None)  # the observation keeps no document content
    permissions = values.get("permissions")
    if isinstance(permissions, dict) and not is_unknown(permissions):
        ids = str(permissions.get("account_ids") or "")
        listed = sorted({i.strip().lower() if i.strip().lower() == "all" else i.strip() for i in ids.split(",") if i})
        if listed:
            values["permissions"] = {"type": permissions.get("type", "Share"), "account_ids": ",".join(listed)}
        else:
            values.pop("permissions")


PARAMETER = ResourceType(
    "aws_ssm_parameter",
    PARAMETER_ATTRIBUTES,
    observed_only=("last_modified_date", "last_modified_user"),
    # Provider defaults (docs of aws_ssm_parameter): standard tier, text data.
    defaults={"tier": "Standard", "data_type": "text"},
    from_terraform=_parameter_from_terraform,
    drift_ignore=("version", "last_modified_date", "last_modified_user", "key_id"),
)

DOCUMENT = ResourceType(
    "aws_ssm_document",
    DOCUMENT_ATTRIBUTES,
    observed_only=("owner", "schema_version", "document_version", "created_date"),
    # Provider default (docs of aws_ssm_document): JSON content.
    defaults={"document_format": "JSON"},
    from_terraform=_document_from_terraform,
    drift_ignore=("owner", "schema_version", "document_version", "created_date"),
)

COLLECTORS = (
    Collector(
        name="ssm.parameters",
        service="ssm",
        resource_types=(PARAMETER,),
        calls=("ssm:DescribeParameters", "ssm:ListTagsForResource"),
        collect=_parameters,
        description="Every Systems Manager parameter in the region: its type, key and tier, never its value.",
        notes=(
            "From `describe_parameters` (which returns no values) and `list_tags_for_resource` per parameter. "
            "`key_id` is present for SecureString parameters only. A plan's `value` and `insecure_value` are "
            "dropped. moto answers no ARN in DescribeParameters; the ARN is then built from the name."
        ),
    ),
    Collector(
        name="ssm.documents",
        service="ssm",
        resource_types=(DOCUMENT,),
        calls=("ssm:ListDocuments", "ssm:DescribeDocumentPermission"),
        collect=_documents,
        description="The account's own Systems Manager documents (Owner Self), with who they are shared with.",
        notes=(
            "`permissions` is Terraform's map `{type: Share, account_ids}` with the account ids sorted and "
            "comma-joined (`all` when the document is public), absent when it is not shared. Content is not "
            "kept. moto reports `Not Implemented (moto)` as every document's platform type (not kept)."
        ),
    ),
)
