"""IAM Access Analyzer: ``aws_accessanalyzer_analyzer``, and whether each region has an active one.

An analyzer watches only its own region (IAM User Guide, "Enabling IAM
Access Analyzer": "you must create an analyzer in each Region"), so CIS
asks for one in every active region. A region without an analyzer has no
analyzer resource to fail; ``aws_accessanalyzer_region_status``, one per
region, says what the region has, so that region fails instead of the check
passing vacuously. Both come from one ``ListAnalyzers`` per region.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent
from unify.terraform.values import single

#: Analyzer types that report access from outside the zone of trust (Access Analyzer API reference, Type).
EXTERNAL: Final = frozenset({"ACCOUNT", "ORGANIZATION"})
UNUSED: Final = frozenset({"ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS"})

ANALYZER_ATTRIBUTES = (
    "analyzer_name",
    "arn",
    "type",
    "configuration",
    # extras only observation can see
    "status",
    "status_reason",
    "created_at",
    "last_resource_analyzed_at",
)
STATUS_ATTRIBUTES = ("analyzers", "external_access_analyzers", "unused_access_analyzers")


def _configuration(analyzer: dict[str, Any]) -> Any:
    """Terraform's ``configuration.unused_access.unused_access_age``; absent for analyzers without one."""
    config = analyzer.get("configuration")
    if not isinstance(config, dict):
        return ABSENT
    unused = config.get("unusedAccess")
    if not isinstance(unused, dict):
        return ABSENT
    return {"unused_access": {"unused_access_age": sent(unused, "unusedAccessAge")}}


def _analyzers(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    listed = list(ctx.items(client, "list_analyzers", "analyzers", each=("arn", "name", "type", "status")))
    external, unused = [], []
    for analyzer in sorted(listed, key=lambda a: str(a["name"])):
        name, kind, status = str(analyzer["name"]), str(analyzer["type"]), str(analyzer["status"])
        if status == "ACTIVE" and kind in EXTERNAL:
            external.append(name)
        if status == "ACTIVE" and kind in UNUSED:
            unused.append(name)
        yield ctx.resource(
            "aws_accessanalyzer_analyzer",
            analyzer["arn"],
            name=name,
            tags=analyzer.get("tags") or {},
            attributes={
                "analyzer_name": name,
                "arn": analyzer["arn"],
                "type": kind,
                "configuration": _configuration(analyzer),
                "status": status,
                # statusReason is sent only for a failed analyzer (Access Analyzer API reference, AnalyzerSummary).
                "status_reason": (analyzer.get("statusReason") or {}).get("code", ABSENT),
                "created_at": sent(analyzer, "createdAt"),
                "last_resource_analyzed_at": analyzer.get("lastResourceAnalyzedAt", ABSENT),
            },
        )
    yield ctx.resource(
        "aws_accessanalyzer_region_status",
        f"{ctx.account}/{ctx.region}/aws_accessanalyzer_region_status",
        name=None,
        attributes={
            "analyzers": len(listed),
            "external_access_analyzers": external,
            "unused_access_analyzers": unused,
        },
    )


def _analyzer_from_terraform(values: dict[str, Any]) -> None:
    config = single(values.get("configuration"))
    if config is None:
        values.pop("configuration", None)
    elif isinstance(config, dict):
        unused = single(config.get("unused_access"))
        age = unused.get("unused_access_age") if isinstance(unused, dict) else None
        values["configuration"] = {"unused_access": {"unused_access_age": age}}


ANALYZER = ResourceType(
    "aws_accessanalyzer_analyzer",
    ANALYZER_ATTRIBUTES,
    observed_only=("status", "status_reason", "created_at", "last_resource_analyzed_at"),
    name_path="analyzer_name",
    # Provider default (docs of aws_accessanalyzer_analyzer): an analyzer of the account.
    defaults={"type": "ACCOUNT"},
    from_terraform=_analyzer_from_terraform,
    drift_ignore=("status", "status_reason", "created_at", "last_resource_analyzed_at"),
)

REGION_STATUS = ResourceType(
    "aws_accessanalyzer_region_status",
    STATUS_ATTRIBUTES,
    observed_only=STATUS_ATTRIBUTES,
    singleton=True,
)

COLLECTORS = (
    Collector(
        name="accessanalyzer.analyzers",
        service="accessanalyzer",
        resource_types=(ANALYZER, REGION_STATUS),
        calls=("access-analyzer:ListAnalyzers",),
        collect=_analyzers,
        description="Every IAM Access Analyzer analyzer in the region, and a per-region summary of them.",
        notes=(
            "One `list_analyzers` per region gives the analyzers (tags included) and the regional singleton "
            "`<account>/<region>/aws_accessanalyzer_region_status`: `analyzers` (how many), "
            "`external_access_analyzers` (names of ACTIVE analyzers of type ACCOUNT or ORGANIZATION) and "
            "`unused_access_analyzers` (ACTIVE unused-access analyzers). The singleton is present in every "
            "observed region, so a region without an analyzer fails rather than passing vacuously; it exists "
            "only in observations (Terraform has no such resource). moto has no Access Analyzer backend: the "
            "collector is tested, and the demo served, with recorded answers shaped as the Access Analyzer API "
            "reference documents them."
        ),
    ),
)
