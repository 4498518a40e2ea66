"""Framework catalogs: the controls of a compliance framework, with titles.

A catalog is what lets the compliance view say ``manual`` for a control no
check covers, instead of leaving it out and implying coverage unify does not
have. Catalogs come from policy files (``framework:`` plus ``controls:``) and
from plugins through ``unify_register_frameworks``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unify._registry import Registry
from unify.checks.documents import Document, load_yaml
from unify.checks.schema import validate_document
from unify.errors import InputError, PluginError, Problem

__all__ = ["Control", "Framework", "FrameworkRegistry", "control_id_path", "family_of", "framework_from_document"]


def family_of(control_id: str) -> str:
    """A control's family: its id up to the first ``-`` or ``.`` (``AC-2(d)`` -> ``AC``, ``S3.1`` -> ``S3``)."""
    for index, char in enumerate(control_id):
        if char in "-." and index:
            return control_id[:index]
    return control_id


@dataclass(frozen=True)
class Control:
    """One requirement of a framework."""

    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Framework:
    """A framework's identity and its controls, in catalog order."""

    id: str
    title: str
    version: str = ""
    controls: tuple[Control, ...] = ()
    file: str | None = None
    line: int | None = None
    plugin: str = "unify"
    #: How fully one mapped check covers a control: ``full`` (CIS, FSBP) or ``partial`` (NIST, PCI, SOC 2).
    evidence: str = "full"
    #: Family id -> title, for the roll-up by family.
    families: dict[str, str] = field(default_factory=dict, compare=False)
    _index: dict[str, Control] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({control.id: control for control in self.controls})

    def control(self, control_id: str) -> Control | None:
        return self._index.get(control_id)

    @property
    def control_ids(self) -> list[str]:
        return [control.id for control in self.controls]


def control_id_path(path: tuple[str | int, ...]) -> bool:
    """Paths whose unquoted scalars stay text: ids such as ``2.10`` and versions."""
    if len(path) == 2 and path[0] in ("framework", "pack") and path[1] in ("id", "version"):
        return True
    if len(path) == 3 and path[0] == "controls" and path[2] == "id":
        return True
    if len(path) == 5 and path[0] in ("checks", "desired") and path[2] == "controls":
        return True
    return bool(len(path) == 3 and path[0] in ("checks", "desired", "waivers") and path[2] in ("id", "name", "check"))


def framework_from_document(doc: Document, problems: list[Problem]) -> Framework | None:
    """The catalog in a policy document already validated against the schema."""
    data: dict[str, Any] = doc.data
    meta = data.get("framework")
    if not isinstance(meta, dict):
        return None
    controls: list[Control] = []
    seen: dict[str, int | None] = {}
    for index, entry in enumerate(data.get("controls") or []):
        control_id = str(entry["id"])
        line = doc.line(("controls", index, "id"))
        if control_id in seen:
            problems.append(
                Problem(
                    doc.file,
                    line,
                    control_id,
                    f"duplicate control id {control_id!r} (first at line {seen[control_id]})",
                )
            )
            continue
        seen[control_id] = line
        controls.append(Control(control_id, str(entry["title"]), str(entry.get("description", ""))))
    return Framework(
        id=str(meta["id"]),
        title=str(meta["title"]),
        version=str(meta.get("version", "")),
        controls=tuple(controls),
        evidence=str(meta.get("evidence", "full")),
        families={str(k): str(v) for k, v in (meta.get("families") or {}).items()},
        file=doc.file,
        line=doc.line(("framework",)),
    )


class FrameworkRegistry(Registry[Framework]):
    """Catalogs from plugins, by framework id."""

    kind = "framework"

    def _name_of(self, item: Framework) -> str:
        return item.id

    def add_file(self, path: str | Path) -> None:
        """Load a catalog YAML file and add it; its errors name the plugin and the file."""
        try:
            doc = load_yaml(path, raw_strings=control_id_path)
        except InputError as exc:  # a PolicyError, or one from the YAML layer
            raise PluginError(self.plugin, str(exc)) from None
        problems = validate_document(doc, ())
        framework = framework_from_document(doc, problems) if not problems else None
        if problems or framework is None:
            first = problems[0] if problems else Problem(str(path), None, None, "not a framework catalog")
            raise PluginError(self.plugin, str(first))
        self.add(framework)
