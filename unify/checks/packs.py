"""The check packs and framework catalogs that ship with unify.

A pack is a folder of the shipped policies (``cis-aws-v7.0``, ``stack``)
whose ``pack.yaml`` names it, with a title and a version; the catalogs
folder beside them holds the framework catalogs every pack maps to. A run
with no policy paths of its own reads every pack; ``--pack NAME`` adds one
to the user's own folders. The shipped catalogs are always known, so a
user's check mapped to ``soc2`` meets the SOC 2 catalog wherever it lives.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Final

import yaml

from unify.checks.documents import load_yaml
from unify.checks.frameworks import Framework, control_id_path, framework_from_document
from unify.checks.policy_set import shipped_policies
from unify.checks.schema import validate_document
from unify.errors import InputError, PolicyError, Problem

__all__ = ["CATALOGS", "PACK_FILE", "Pack", "describe_packs", "pack_paths", "shipped_catalogs", "shipped_packs"]

#: The folder of the shipped policies that holds framework catalogs, not a pack.
CATALOGS: Final = "catalogs"
#: The file in a pack's folder that names it.
PACK_FILE: Final = "pack.yaml"


@dataclass(frozen=True)
class Pack:
    """One shipped check pack: its folder, name, version and how many checks it holds."""

    id: str
    title: str
    version: str
    description: str
    path: Path

    @cached_property
    def checks(self) -> int:
        """How many checks (and desired-state entries) its files hold: counted when asked (``unify packs``).

        Counting reads every file of the pack, 0.06 CPU s for the shipped ones,
        which an audit that names its packs has no use for.
        """
        return sum(_checks_in(path) for path in _yaml_files(self.path))

    def describe(self) -> str:
        return f"{self.id} {self.version} ({self.checks} check{'s' if self.checks != 1 else ''})"


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


#: libyaml's C loader where PyYAML has one (its wheels do): counting the shipped checks with the line-keeping
#: loader policy files need read every pack twice per run, 1.2 of the 3.7 seconds a profile of loading them took.
_COUNTING_LOADER: Final = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _checks_in(path: Path) -> int:
    """How many checks (and desired-state entries) one shipped file holds: the package's own files, read to count."""
    data = yaml.load(path.read_bytes(), Loader=_COUNTING_LOADER)  # noqa: S506 - a safe loader, C or Python
    if not isinstance(data, dict):
        return 0
    return len(data.get("checks") or []) + len(data.get("desired") or [])


@cache
def shipped_packs() -> tuple[Pack, ...]:
    """Every pack of the shipped policies, by name; each is read once per process."""
    root = shipped_policies()
    packs = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name != CATALOGS):
        meta_file = folder / PACK_FILE
        meta = load_yaml(meta_file, raw_strings=control_id_path, trusted=True).data if meta_file.is_file() else None
        info = meta.get("pack") if isinstance(meta, dict) else None
        info = info if isinstance(info, dict) else {}
        packs.append(
            Pack(
                id=str(info.get("id", folder.name)),
                title=str(info.get("title", folder.name)),
                version=str(info.get("version", "")),
                description=str(info.get("description", "")).strip(),
                path=folder,
            )
        )
    return tuple(packs)


@cache
def shipped_catalogs() -> tuple[Framework, ...]:
    """The framework catalogs that ship with unify, by file name."""
    folder = shipped_policies() / CATALOGS
    catalogs = []
    for path in _yaml_files(folder) if folder.is_dir() else []:
        # The package's own files: libyaml composes them (load_yaml's trusted), 0.2 s less per run than Python's.
        doc = load_yaml(path, raw_strings=control_id_path, trusted=True)
        problems = validate_document(doc, ())
        framework = framework_from_document(doc, problems) if not problems else None
        if problems or framework is None:  # pragma: no cover - the shipped catalogs are tested
            raise PolicyError(problems or [Problem(str(path), None, None, "not a framework catalog")])
        catalogs.append(framework)
    return tuple(catalogs)


def pack_paths(names: list[str] | tuple[str, ...]) -> list[Path]:
    """The folders of the named packs, in the order given; an unknown name is a usage error."""
    by_id = {pack.id: pack for pack in shipped_packs()}
    chosen = []
    for name in names:
        pack = by_id.get(name)
        if pack is None:
            known = ", ".join(by_id) or "none"
            raise InputError(
                Problem(
                    "--pack", None, name, f"no shipped pack is named {name!r}; shipped packs: {known} (unify packs)"
                )
            )
        if pack.path not in chosen:
            chosen.append(pack.path)
    return chosen


def describe_packs(packs: tuple[Pack, ...] | list[Pack]) -> str:
    """``cis-aws-v7.0 1.0.0 (55 checks) and stack 1.0.0 (16 checks)``."""
    parts = [pack.describe() for pack in packs]
    if len(parts) <= 1:
        return "".join(parts) or "no packs"
    return ", ".join(parts[:-1]) + " and " + parts[-1]
