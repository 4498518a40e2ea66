"""Built-in plan importers, registered through ``unify_register_plan_importers``: Terraform's JSON plan."""

from __future__ import annotations

from typing import Any

from unify.hookspecs import hookimpl
from unify.importers import PlanImporter, PlanImporterRegistry
from unify.snapshot import Snapshot


def _is_terraform_plan(document: Any) -> bool:
    """``terraform show -json plan.out``: a format_version and planned values or resource changes."""
    return (
        isinstance(document, dict)
        and "format_version" in document
        and ("planned_values" in document or "resource_changes" in document)
    )


def _load_terraform_plan(document: Any, file: str) -> Snapshot:
    from unify.terraform import plan_snapshot  # noqa: PLC0415 - imported when a plan is read

    return plan_snapshot(document, file)


@hookimpl
def unify_register_plan_importers(registry: PlanImporterRegistry) -> None:
    registry.add(PlanImporter(
        "terraform-plan",
        _is_terraform_plan,
        _load_terraform_plan,
        "Terraform's JSON plan (`terraform show -json plan.out`, format_version 0.x and 1.x)",
    ))
