"""Checks and the policy set: loading, validating and compiling policy files.

Everything a policy file can be wrong about is found here, at load time,
and reported all at once with file, line and key: schema errors, unknown
operators, bad arguments, duplicate ids, references to controls a catalog
does not list. What comes out is compiled (:class:`Check` holds predicate
trees, not YAML), so evaluation never parses anything.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from unify.checks.attributes import attribute_problems, read_attributes, read_names, type_problems
from unify.checks.conditions import ROOT_FIELDS, All, Compiler, Leaf, Node, PathRef
from unify.checks.documents import Document, load_yaml, read_text
from unify.checks.frameworks import Framework, control_id_path, framework_from_document
from unify.checks.operators import OperatorRegistry
from unify.checks.schema import SEVERITIES, validate_document
from unify.errors import InputError, PolicyError, Problem
from unify.model.resource_type import ResourceTypes

__all__ = [
    "SEVERITIES",
    "Check",
    "PolicyFile",
    "PolicySet",
    "attribute_path",
    "desired_leaves",
    "discover_files",
    "lint_paths",
    "load_policies",
    "severity_rank",
    "shipped_policies",
]

Kind = Literal["guardrail", "aggregate", "desired", "python"]
_EMPTY: Mapping[str, Any] = MappingProxyType({})


def severity_rank(severity: str) -> int:
    """0 for info up to 4 for critical."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Check:
    """One compiled check: which resources, which predicate, what it proves."""

    id: str
    title: str
    severity: str
    types: tuple[str, ...]
    kind: Kind
    file: str
    line: int | None
    where: Node | None = None
    assertion: Node | None = None
    count: tuple[tuple[str, int], ...] = ()
    controls: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    remediation: str = ""
    description: str = ""
    labels: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    references: tuple[str, ...] = ()
    name: str | None = None
    account: str | None = None
    region: str | None = None
    #: For desired state read from Terraform: the exact resource id (ARN) to compare.
    resource_id: str | None = None

    @property
    def location(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def maps_to(self, framework: str) -> bool:
        return framework in self.controls

    def control_ids(self, framework: str) -> tuple[str, ...]:
        return self.controls.get(framework, ())


@dataclass(frozen=True)
class PolicyFile:
    """A file of the policy set and the digest of its bytes, for evidence."""

    path: str
    sha256: str


@dataclass(frozen=True)
class PolicySet:
    """The checks and catalogs of one run, sorted by id."""

    checks: tuple[Check, ...]
    frameworks: Mapping[str, Framework]
    files: tuple[PolicyFile, ...] = ()
    warnings: tuple[Problem, ...] = ()

    def __iter__(self) -> Iterator[Check]:
        return iter(self.checks)

    def __len__(self) -> int:
        return len(self.checks)

    def get(self, check_id: str) -> Check | None:
        for check in self.checks:
            if check.id == check_id:
                return check
        return None

    @property
    def ids(self) -> list[str]:
        return [check.id for check in self.checks]

    @property
    def types(self) -> list[str]:
        """Every resource type some check reads: what an observation must cover."""
        return sorted({t for check in self.checks for t in check.types})

    @property
    def reads(self) -> dict[str, frozenset[str] | None]:
        """What the checks read of each type: top-level attribute names (``tags`` for tags), None for all.

        What an observation must collect for this policy set
        (:meth:`unify.observe.collector.Collector.targeted`). A Python check's
        reads are known only when it runs, so its types are read whole; the
        paths of a ``cost-size`` label (the sizes the stack view shows) are
        read like the conditions'.
        """
        reads: dict[str, set[str] | None] = {}
        for check in self.checks:
            names = None if check.kind == "python" else read_names([check.where, check.assertion])
            if names is not None and check.labels.get("cost-size"):
                names |= {p.strip().split(".", 1)[0] for p in check.labels["cost-size"].split(",") if p.strip()}
            for type_ in check.types:
                known = reads.setdefault(type_, set())
                if known is None:
                    continue
                if names is None:
                    reads[type_] = None
                else:
                    known |= names
        return {type_: None if names is None else frozenset(names) for type_, names in sorted(reads.items())}

    @property
    def framework_ids(self) -> list[str]:
        named = {fw for check in self.checks for fw in check.controls}
        return sorted(named | set(self.frameworks))

    def select(self, framework: str | None = None) -> PolicySet:
        """Only the checks mapped to ``framework``; refuses a framework nobody knows."""
        if framework is None:
            return self
        if framework not in self.framework_ids:
            known = ", ".join(self.framework_ids) or "none"
            raise PolicyError(Problem("framework", None, None, f"unknown framework {framework!r}; known: {known}"))
        return replace(self, checks=tuple(c for c in self.checks if c.maps_to(framework)))


@cache
def _shipped_root() -> Path:
    return shipped_policies().resolve()


def _shipped(path: str) -> bool:
    """Whether ``path`` is one of the packs shipped with unify (its own files, not a user's)."""
    try:
        return Path(path).resolve().is_relative_to(_shipped_root())
    except OSError:
        return False


def shipped_policies() -> Path:
    """The check packs and catalogs that ship with unify.

    Installed from a wheel they are the ``unify.policies`` data folder; in an
    editable install they are ``policies/`` of the source tree.
    """

    try:
        spec = importlib.util.find_spec("unify.policies")
    except ModuleNotFoundError:
        spec = None
    # A data folder without __init__.py is a namespace package: its folder is its search location.
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(__file__).resolve().parents[2] / "policies"


def discover_files(paths: Sequence[str | Path]) -> tuple[list[str], list[Problem]]:
    """YAML files under the given files and folders, sorted, each once."""
    found: list[str] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.suffix in (".yaml", ".yml")
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not files:
                problems.append(Problem(str(raw), None, None, "no .yaml or .yml files in this folder"))
            found.extend(_display(p) for p in files)
        elif path.is_file():
            found.append(_display(path))
        else:
            problems.append(Problem(str(raw), None, None, "no such file or folder"))
    unique = list(dict.fromkeys(found))
    return unique, problems


def _display(path: Path) -> str:
    """Paths relative to the working folder when inside it: stable ids everywhere."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


class _Loader:
    def __init__(self, operators: OperatorRegistry, types: ResourceTypes | None = None) -> None:
        self.operators = operators
        self.types = types
        #: Every check id a file declares, compiled or not, where it was first declared.
        self.ids: dict[str, str] = {}
        self.problems: list[Problem] = []
        self.checks: list[Check] = []
        self.frameworks: dict[str, Framework] = {}
        self.files: list[PolicyFile] = []
        self.waiver_docs: list[Document] = []

    def load_file(self, path: str, *, accept_waivers: bool) -> None:
        try:
            raw, text = read_text(path)
        except InputError as exc:
            self.problems.extend(exc.problems)
            return
        self.files.append(PolicyFile(path, hashlib.sha256(raw).hexdigest()))
        try:
            doc = load_yaml(path, text, raw_strings=control_id_path, trusted=_shipped(path))
        except InputError as exc:
            self.problems.extend(exc.problems)
            return
        if isinstance(doc.data, dict) and "waivers" in doc.data:
            if accept_waivers:
                self.waiver_docs.append(doc)
            else:
                self.problems.append(
                    Problem(path, doc.line(("waivers",)), "waivers", "this is a waivers file; pass it with --waivers")
                )
            return
        if doc.data is None:
            self.problems.append(Problem(path, 1, None, "empty policy file", warning=True))
            return
        schema_problems = validate_document(doc, self.operators)
        self.problems.extend(schema_problems)
        broken = {p.line for p in schema_problems}
        data = doc.data if isinstance(doc.data, dict) else {}
        catalog_broken = any(self._has_problem(doc, (key,), broken) for key in ("framework", "controls"))
        if "framework" in data and not catalog_broken:
            framework = framework_from_document(doc, self.problems)
            if framework is not None:
                self._add_framework(framework)
        for kind in ("checks", "desired"):
            entries = data.get(kind)
            for index, spec in enumerate(entries if isinstance(entries, list) else []):
                if not isinstance(spec, dict):
                    continue
                # Ids and resource types are checked whatever else is wrong: every problem in one pass.
                self._declare(doc, kind, index, spec)
                if self._has_problem(doc, (kind, index), broken):
                    self._read_paths_anyway(doc, kind, index, spec)
                    continue
                if kind == "checks":
                    self._compile_check(doc, index, spec)
                else:
                    self._compile_desired(doc, index, spec)

    def _declare(self, doc: Document, kind: str, index: int, spec: dict[str, Any]) -> None:
        """Note the entry's id (a duplicate is a problem wherever it is) and check the types it reads."""
        line = doc.line((kind, index))
        resource, name = spec.get("resource"), spec.get("name")
        if kind == "checks":
            check_id = spec.get("id")
        else:
            check_id = spec.get("id") or (
                f"desired/{resource}/{name}" if isinstance(resource, str) and isinstance(name, (str, int)) else None
            )
        if isinstance(check_id, str) and check_id:
            where = doc.file if line is None else f"{doc.file}:{line}"
            first = self.ids.setdefault(check_id, where)
            if first != where:
                self.problems.append(
                    Problem(doc.file, line, check_id, f"duplicate check id {check_id!r} (first at {first})")
                )
        if self.types is not None and resource is not None:
            at = doc.line((kind, index, "resource")) or line
            label = check_id if isinstance(check_id, str) else None
            self.problems.extend(type_problems(doc.file, at, resource, self.types, check=label))

    def _read_paths_anyway(self, doc: Document, kind: str, index: int, spec: dict[str, Any]) -> None:
        """The attribute warnings of a check that does not compile for another reason (one pass finds all)."""
        resource = spec.get("resource")
        named = [str(t) for t in (resource if isinstance(resource, list) else [resource]) if isinstance(t, str)]
        if self.types is None or kind != "checks" or not named:
            return
        scratch: list[Problem] = []
        compiler = Compiler(self.operators, doc.file, doc.line, scratch)
        base = (kind, index)
        nodes = [compiler.condition(spec[key], base + (key,)) for key in ("where", "assert") if key in spec]
        if scratch or not nodes:
            return  # the condition itself is broken: the schema's problems already say how
        label = spec.get("id") if isinstance(spec.get("id"), str) else f"#{index + 1}"
        self.problems.extend(attribute_problems(doc.file, str(label), read_attributes(nodes), named, self.types))

    @staticmethod
    def _has_problem(doc: Document, path: tuple[str | int, ...], broken: set[int | None]) -> bool:
        if not broken:
            # The usual file: nothing broken, and no need to look at every line of it for each entry (the
            # shipped packs' 380 checks made that a pass over each file's lines per check: 0.04 s a run).
            return False
        lines = {line for key, line in doc.lines.items() if key[: len(path)] == path}
        return bool(lines & broken)

    def _add_framework(self, framework: Framework) -> None:
        previous = self.frameworks.get(framework.id)
        if previous is not None:
            self.problems.append(
                Problem(
                    framework.file or "",
                    framework.line,
                    framework.id,
                    f"framework {framework.id!r} is already defined at {previous.file}:{previous.line}",
                )
            )
            return
        self.frameworks[framework.id] = framework

    def _compile_check(self, doc: Document, index: int, spec: dict[str, Any]) -> None:
        base = ("checks", index)
        compiler = Compiler(self.operators, doc.file, doc.line, self.problems)
        before = len(self.problems)
        where = compiler.condition(spec["where"], base + ("where",)) if "where" in spec else None
        assertion = compiler.condition(spec["assert"], base + ("assert",)) if "assert" in spec else None
        if len(self.problems) > before:
            return
        types = spec["resource"] if isinstance(spec["resource"], list) else [spec["resource"]]
        count = tuple(sorted((op, int(n)) for op, n in (spec.get("expect") or {}).get("count", {}).items()))
        if self.types is not None:
            read = read_attributes([where, assertion])
            self.problems.extend(attribute_problems(doc.file, spec["id"], read, types, self.types))
        self.checks.append(
            Check(
                id=spec["id"],
                title=spec.get("title") or spec["id"],
                severity=spec["severity"],
                types=tuple(dict.fromkeys(types)),
                kind="aggregate" if "expect" in spec else "guardrail",
                file=doc.file,
                line=doc.line(base),
                where=where,
                assertion=assertion,
                count=count,
                controls=_controls(spec),
                remediation=spec.get("remediation", "").strip(),
                description=spec.get("description", "").strip(),
                labels=MappingProxyType(dict(spec.get("labels") or {})),
                references=tuple(spec.get("references") or ()),
            )
        )

    def _compile_desired(self, doc: Document, index: int, spec: dict[str, Any]) -> None:
        base = ("desired", index)
        same = self.operators.get("same")
        if same is None:  # pragma: no cover - same is built in
            raise PolicyError(Problem(doc.file, doc.line(base), "same", "desired state needs the 'same' operator"))
        leaves: list[Node] = []
        for path, value, at in desired_leaves(spec["attributes"], base + ("attributes",)):
            leaves.append(Leaf(PathRef(attribute_path(path)), same, value, value, doc.file, doc.line(at)))
        name = str(spec["name"])
        check_id = spec.get("id") or f"desired/{spec['resource']}/{name}"
        if self.types is not None:
            read = read_attributes(leaves)
            self.problems.extend(attribute_problems(doc.file, check_id, read, [spec["resource"]], self.types))
        self.checks.append(
            Check(
                id=check_id,
                title=spec.get("title") or f"{spec['resource']} {name} matches its declared state",
                severity=spec.get("severity", "medium"),
                types=(spec["resource"],),
                kind="desired",
                file=doc.file,
                line=doc.line(base),
                assertion=All(leaves),
                controls=_controls(spec),
                remediation=spec.get("remediation", "").strip(),
                description=spec.get("description", "").strip(),
                labels=MappingProxyType(dict(spec.get("labels") or {})),
                name=name,
                account=spec.get("account"),
                region=spec.get("region"),
            )
        )

    def finish(self, plugin_frameworks: Iterable[Framework], catalogs: Iterable[Framework] = ()) -> None:
        for framework in plugin_frameworks:
            self.frameworks.setdefault(framework.id, framework)
        # Catalogs unify ships join only when a check maps to them: a folder of one's own checks
        # is not shown five frameworks of manual controls it never claimed.
        named = {fw for check in self.checks for fw in check.controls}
        for framework in catalogs:
            if framework.id in named:
                self.frameworks.setdefault(framework.id, framework)
        for check in self.checks:
            for fw, ids in check.controls.items():
                catalog = self.frameworks.get(fw)
                if catalog is None:
                    self.problems.append(
                        Problem(
                            check.file,
                            check.line,
                            fw,
                            f"check {check.id!r} maps to framework {fw!r}, which has no catalog",
                            warning=True,
                        )
                    )
                    continue
                for control_id in ids:
                    if catalog.control(control_id) is None:
                        self.problems.append(
                            Problem(
                                check.file,
                                check.line,
                                control_id,
                                f"check {check.id!r} maps to control {control_id!r}, which the {fw} catalog does not "
                                "list",
                                warning=True,
                            )
                        )


def _controls(spec: dict[str, Any]) -> Mapping[str, tuple[str, ...]]:
    raw = spec.get("controls") or {}
    return MappingProxyType({fw: tuple(dict.fromkeys(str(c) for c in ids)) for fw, ids in sorted(raw.items())})


def attribute_path(path: str) -> str:
    """A desired-state path as the check language reads it: ``attributes.type`` for an attribute named ``type``.

    Desired state and drift compare attributes; a leaf whose first segment is
    one of the resource's own fields (``id``, ``type``, ``name``, ``account``,
    ``region``) names the attribute, so it is read through ``attributes.``.
    ``tags`` stays the resource's tags.
    """
    first = path.split(".", 1)[0]
    return f"attributes.{path}" if first in ROOT_FIELDS and first != "tags" else path


def desired_leaves(
    value: dict[str, Any], at: tuple[str | int, ...] = (), prefix: str = ""
) -> Iterable[tuple[str, Any, tuple[str | int, ...]]]:
    """Every leaf of a desired-state mapping, as (dotted path, expected value, doc path)."""
    for key, sub in value.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(sub, dict) and sub:
            yield from desired_leaves(sub, at + (key,), path)
        else:
            yield path, sub, at + (key,)


def _load(
    paths: Sequence[str | Path],
    operators: OperatorRegistry,
    frameworks: Iterable[Framework],
    *,
    accept_waivers: bool,
    types: ResourceTypes | None,
    catalogs: Iterable[Framework],
) -> _Loader:
    loader = _Loader(operators, types)
    files, problems = discover_files(paths)
    loader.problems.extend(problems)
    for path in files:
        loader.load_file(path, accept_waivers=accept_waivers)
    loader.finish(frameworks, catalogs)
    loader.checks.sort(key=lambda c: c.id)
    return loader


def load_policies(
    paths: Sequence[str | Path],
    *,
    operators: OperatorRegistry,
    frameworks: Iterable[Framework] = (),
    types: ResourceTypes | None = None,
    catalogs: Iterable[Framework] = (),
) -> PolicySet:
    """Load every policy file under ``paths``; raise :class:`PolicyError` listing all errors.

    ``operators`` compile the conditions; ``frameworks`` are catalogs from
    plugins (a catalog among the files takes precedence over one with the
    same id); ``catalogs`` are known catalogs (the shipped ones) that join
    the set when a check maps to their framework. With ``types`` (the
    collectors' declarations), resource types and attributes no collector
    declares are warnings with a suggestion.
    """
    loader = _load(paths, operators, frameworks, accept_waivers=False, types=types, catalogs=catalogs)
    errors = sorted(p for p in loader.problems if not p.warning)
    if errors:
        raise PolicyError(errors)
    if not loader.checks:
        where = ", ".join(str(p) for p in paths) or "(no paths)"
        raise PolicyError(Problem(where, None, None, "no checks found"))
    return PolicySet(
        checks=tuple(loader.checks),
        frameworks=MappingProxyType(dict(sorted(loader.frameworks.items()))),
        files=tuple(loader.files),
        warnings=tuple(sorted(p for p in loader.problems if p.warning)),
    )


def lint_paths(
    paths: Sequence[str | Path],
    *,
    operators: OperatorRegistry,
    frameworks: Iterable[Framework] = (),
    types: ResourceTypes | None = None,
    catalogs: Iterable[Framework] = (),
) -> tuple[list[Problem], PolicySet, list[Document]]:
    """Every problem in the files, never raising; waiver files are returned to check (see :func:`load_policies`)."""
    loader = _load(paths, operators, frameworks, accept_waivers=True, types=types, catalogs=catalogs)
    policy = PolicySet(
        checks=tuple(loader.checks),
        frameworks=MappingProxyType(dict(sorted(loader.frameworks.items()))),
        files=tuple(loader.files),
    )
    return loader.problems, policy, loader.waiver_docs
