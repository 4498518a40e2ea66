"""Systems Manager: ``aws_ssm_parameter`` (metadata only), ``aws_ssm_document`` (own documents), service settings.

Parameters come from ``DescribeParameters``, which never returns values, so
no parameter value (SecureString or not) is ever read. Documents are the
account's own (``Owner: Self``); Amazon's thousands of public documents are
not resources of the account. A document's sharing comes from
``DescribeDocumentPermission``: ``all`` in its account ids means anyone may
run it (SSM User Guide, "Sharing SSM documents"). Whether documents *can*
be shared publicly is a per-region service setting
(``aws_ssm_service_setting``, ``/ssm/documents/console/public-sharing-permission``),
read with ``GetServiceSetting``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from unify.errors import AwsError
from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.answers import MALFORMED
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

#: The service settings observed: where Automation sends its scripts' output (SSM User Guide, "Logging
#: Automation action output with CloudWatch Logs": ``CloudWatch`` when on), and whether the account's documents
#: may be shared publicly (SSM User Guide, "Block public sharing for SSM documents": ``Disable`` blocks it;
#: AWS's default is ``Enable``).
SETTINGS: Final = (
    "/ssm/automation/customer-script-log-destination",
    "/ssm/documents/console/public-sharing-permission",
)
SETTING_ATTRIBUTES = (
    "setting_id",
    "setting_value",
    "arn",
    "status",
    # extras only observation can see
    "last_modified_date",
    "last_modified_user",
)

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


def _settings(ctx: CollectContext) -> Iterator[Resource]:
    ssm = ctx.client()
    for setting_id in SETTINGS:
        answer = ctx.call(
            ssm,
            "get_service_setting",
            expect=("ServiceSetting.SettingId", "ServiceSetting.SettingValue"),
            SettingId=setting_id,
        )
        setting = answer["ServiceSetting"]
        arn = setting.get("ARN") or ctx.arn("ssm", f"servicesetting{setting_id}")
        yield ctx.resource(
            "aws_ssm_service_setting",
            str(arn),
            name=setting_id,
            attributes={
                "setting_id": setting_id,
                "setting_value": setting["SettingValue"],
                "arn": arn,
                # Default (never changed), Customized or PendingUpdate (SSM API reference, ServiceSetting).
                "status": sent(setting, "Status"),
                "last_modified_date": setting.get("LastModifiedDate", ABSENT),
                "last_modified_user": setting.get("LastModifiedUser", ABSENT),
            },
        )


def _setting_from_terraform(values: dict[str, Any]) -> None:
    # The provider takes the setting's id or its ARN (docs of aws_ssm_service_setting); the observation names it
    # by id, so an ARN is brought back to the id it ends with.
    setting_id = values.get("setting_id")
    if isinstance(setting_id, str) and setting_id.startswith("arn:") and ":servicesetting/" in setting_id:
        values["setting_id"] = "/" + setting_id.split(":servicesetting/", 1)[1]


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
    sources={"ssm:ListTagsForResource": ("tags",)},
)

DOCUMENT = ResourceType(
    "aws_ssm_document",
    DOCUMENT_ATTRIBUTES,
    observed_only=("owner", "schema_version", "document_version", "created_date"),
    # Provider default (docs of aws_ssm_document): JSON content.
    defaults={"document_format": "JSON"},
    from_terraform=_document_from_terraform,
    drift_ignore=("owner", "schema_version", "document_version", "created_date"),
    sources={"ssm:DescribeDocumentPermission": ("permissions",)},
)

SETTING = ResourceType(
    "aws_ssm_service_setting",
    SETTING_ATTRIBUTES,
    observed_only=("last_modified_date", "last_modified_user"),
    name_path="setting_id",
    from_terraform=_setting_from_terraform,
    drift_ignore=("status", "last_modified_date", "last_modified_user"),
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
    Collector(
        name="ssm.service_settings",
        service="ssm",
        resource_types=(SETTING,),
        calls=("ssm:GetServiceSetting",),
        collect=_settings,
        description="Systems Manager service settings of the region that bear on security: logging, public sharing.",
        notes=(
            "One `get_service_setting` per region and setting: `/ssm/automation/customer-script-log-destination` "
            "(`CloudWatch` when Automation logs its scripts' output) and "
            "`/ssm/documents/console/public-sharing-permission` (`Disable` blocks public sharing; AWS answers "
            "`Enable` with status `Default` where it was never changed). A failed call is `error` coverage for the "
            "region, never a default. moto does not implement "
            "GetServiceSetting: the collector is tested, and the demo served, with recorded answers shaped as the "
            "SSM API reference documents them."
        ),
    ),
)
