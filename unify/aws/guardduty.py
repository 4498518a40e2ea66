"""GuardDuty: ``aws_guardduty_detector``, one per region, present whether or not GuardDuty is on.

A region may have at most one detector. GuardDuty should run in every region
(Security Hub's GuardDuty.1), so a region without a detector must be a
resource that fails (``configured: false``), not an empty listing that makes
the check vacuously pass. A detector's protection plans (S3, EKS, RDS,
Lambda, malware scanning, runtime monitoring) are its ``features``;
Terraform writes each as an ``aws_guardduty_detector_feature`` beside the
detector, folded in here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import Fold, ResourceType
from unify.observe.answers import require
from unify.observe.collector import ABSENT, CollectContext, Collector, sent, unread

ATTRIBUTES = (
    "configured",
    "id",
    "enable",
    "finding_publishing_frequency",
    "features",
    # extras only observation can see
    "service_role",
)


def _configuration(items: Any) -> list[dict[str, Any]]:
    return sorted(
        ({"name": c.get("Name"), "status": c.get("Status")} for c in items or []), key=lambda c: str(c["name"])
    )


def _features(detector: dict[str, Any]) -> Any:
    # Features lists every protection plan and its status (GuardDuty API reference, GetDetector).
    features = sent(detector, "Features")
    if is_unknown(features):
        return features
    for feature in features:
        require(feature, ("Name", "Status"), "guardduty:GetDetector")
    return sorted(
        (
            {
                "name": f["Name"],
                "status": f["Status"],
                "additional_configuration": _configuration(f.get("AdditionalConfiguration")),
            }
            for f in features
        ),
        key=lambda f: str(f["name"]),
    )


def _detector(ctx: CollectContext) -> Iterator[Resource]:
    guardduty = ctx.client()
    ids = sorted(str(d) for d in ctx.items(guardduty, "list_detectors", "DetectorIds"))
    singleton = f"{ctx.account}/{ctx.region}/aws_guardduty_detector"
    if not ids:
        yield ctx.resource("aws_guardduty_detector", singleton, name=None, attributes={"configured": False})
        return
    detector_id = ids[0]
    read: Any = ctx.detail(lambda: ctx.call(guardduty, "get_detector", DetectorId=detector_id, expect=("Status",)))
    if unread(read):
        marked = dict.fromkeys(ATTRIBUTES, read)
        marked.update(configured=True, id=detector_id)
        yield ctx.resource("aws_guardduty_detector", singleton, name=detector_id, tags=read, attributes=marked)
        return
    yield ctx.resource(
        "aws_guardduty_detector",
        singleton,
        name=detector_id,
        # Tags is sent only for a tagged detector (GuardDuty API reference, GetDetector).
        tags=read.get("Tags") or {},
        attributes={
            "configured": True,
            "id": detector_id,
            "enable": read["Status"] == "ENABLED",
            "finding_publishing_frequency": sent(read, "FindingPublishingFrequency"),
            "features": _features(read),
            "service_role": read.get("ServiceRole", ABSENT),
        },
    )


def _fold_feature(values: Mapping[str, Any]) -> Any:
    return {
        "name": values.get("name"),
        "status": values.get("status"),
        "additional_configuration": sorted(
            (
                {"name": c.get("name"), "status": c.get("status")}
                for c in values.get("additional_configuration") or []
                if isinstance(c, dict)
            ),
            key=lambda c: str(c["name"]),
        ),
    }


def _covered(items: list[Any], item: Any) -> bool:
    return any(isinstance(i, dict) and i.get("name") == item.get("name") for i in items)


def _without(items: list[Any], item: Any) -> list[Any]:
    return [i for i in items if not (isinstance(i, dict) and i.get("name") == item.get("name"))]


DETECTOR = ResourceType(
    "aws_guardduty_detector",
    ATTRIBUTES,
    # A plan's detector lists only the features written beside it; AWS lists every plan: unknown in plans
    # unless a feature resource folds in (then at least those).
    observed_only=("features", "service_role"),
    singleton=True,
    name_path="id",
    # Provider default (docs of aws_guardduty_detector).
    defaults={"enable": True},
    folds=(
        Fold(
            "aws_guardduty_detector_feature",
            "features",
            _fold_feature,
            reference="detector_id",
            merge="append",
            covered=_covered,
            without=_without,
            order=lambda f: str(f.get("name")) if isinstance(f, dict) else "",
        ),
    ),
    drift_ignore=("id", "service_role", "features"),
    # ListDetectors gives the detector's id; GetDetector everything else.
    sources={"guardduty:GetDetector": ("enable", "finding_publishing_frequency", "features", "service_role", "tags")},
)

COLLECTORS = (
    Collector(
        name="guardduty.detectors",
        service="guardduty",
        resource_types=(DETECTOR,),
        calls=("guardduty:ListDetectors", "guardduty:GetDetector"),
        collect=_detector,
        description="The region's GuardDuty detector, a singleton per region.",
        notes=(
            "Always present once observed, with id `<account>/<region>/aws_guardduty_detector` and the detector "
            "id as `name`: `configured: false` and nothing else when the region has no detector. `enable` is "
            "true when the detector's status is ENABLED. `features` lists the protection plans (`name`, "
            "`status`, `additional_configuration`) sorted by name. moto lists only the features a test "
            "created or updated, where AWS lists every plan with its status."
        ),
    ),
)
