"""Plan importers: how a plan file (Terraform's, or a plugin's format) becomes a planned snapshot.

A plan is intent, not fact: an importer turns it into a snapshot with
``source: terraform-plan`` (or its own) so the same checks evaluate it with
the same evaluator. Values the plan only knows after apply are
``{"$unknown": ...}``, so checks on them are unknown, never pass or fail.
The built-in importer reads Terraform's JSON plan (:mod:`unify.terraform.plan`)
and registers through ``unify_register_plan_importers``, as a plugin's would.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from unify._files import json_line, read_json
from unify._registry import Registry
from unify.errors import PlanError, Problem
from unify.model.resource_type import ResourceTypes
from unify.model.snapshot import Snapshot
from unify.terraform.resources import looks_like

__all__ = ["PlanImporter", "PlanImporterRegistry", "load_plan", "read_json_document"]


@dataclass(frozen=True)
class PlanImporter:
    """One plan format.

    ``detect`` says whether a parsed document is this format;
    ``load(document, file, types)`` builds the planned snapshot, reading each
    type's declaration from ``types``, or raises :class:`unify.errors.PlanError`.
    """

    name: str
    detect: Callable[[Any], bool]
    load: Callable[[Any, str, ResourceTypes], Snapshot]
    description: str
    plugin: str = "unify"


class PlanImporterRegistry(Registry[PlanImporter]):
    """Plan importers by name; filled through ``unify_register_plan_importers``."""

    kind = "plan importer"


def read_json_document(path: str | os.PathLike[str]) -> Any:
    """A JSON file (gzip detected by content); errors name the file and line."""
    return read_json(path, PlanError)


#: The first bytes of a zip archive: Terraform's binary plan file (``terraform plan -out``) is one.
_ZIP_MAGIC = b"PK\x03\x04"


def load_plan(path: str | os.PathLike[str], importers: PlanImporterRegistry, types: ResourceTypes) -> Snapshot:
    """The planned snapshot of a plan file, from the first importer that recognises it."""
    try:
        document = read_json_document(path)
    except PlanError:
        try:
            with open(path, "rb") as handle:
                binary = handle.read(len(_ZIP_MAGIC)) == _ZIP_MAGIC
        except OSError:
            binary = False
        if binary:
            raise PlanError(
                Problem(
                    str(path),
                    None,
                    None,
                    "this is Terraform's binary plan file; give its JSON: `terraform show -json plan.out > plan.json`",
                )
            ) from None
        raise
    for importer in importers:
        if importer.detect(document):
            snapshot = importer.load(document, str(path), types)
            snapshot.file = str(path)  # findings on a plan point at it when no source line is known
            return snapshot
    names = ", ".join(importers.names()) or "none"
    raise PlanError(
        Problem(
            str(path),
            json_line(str(path), []),
            None,
            f"not a plan any importer reads (importers: {names}): this looks like {looks_like(document)}; "
            "for Terraform, give the output of `terraform show -json plan.out`",
        )
    )
