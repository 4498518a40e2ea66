"""The layout keeps its promises: no import circle, registries passed in, one home per resource type.

These tests read the source with :mod:`ast`; they fail on the change that
breaks a promise, naming the file and line, so the structure cannot drift
back to what it was (44 flat modules in one import circle of 15).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from factories import PLUGINS

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("unify", "pytest_unify")
#: Only the front doors build or fetch the plugin set (DESIGN.md, layout).
FRONT_DOORS = ("unify/cli/", "unify/run.py", "unify/plugins.py", "pytest_unify/")
#: Imports a function may make locally: optional dependencies, absent from a plain install, and the
#: libraries only calling AWS, watching an observation or explaining a refused document needs, which
#: an audit of a saved snapshot should not pay for loading (a third of the CLI's start).
OPTIONAL = ("moto", "distributed")
DEFERRED = ("boto3", "botocore", "jsonschema", "rich", "urllib3", "unify.observe.demo")
MAX_LINES = 750


def _modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".").removesuffix(".__init__")
            yield name, path


def _imports(tree: ast.Module, module: str, is_package: bool) -> Iterator[tuple[ast.stmt, list[str]]]:
    """Every import statement with the module names it may load, relative imports resolved."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield node, [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join(parts[:keep] + ([node.module] if node.module else []))
            yield node, [base] + [f"{base}.{alias.name}" for alias in node.names]


def _graph() -> dict[str, set[str]]:
    modules = dict(_modules())
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, targets in _imports(tree, name, path.name == "__init__.py"):
            if isinstance(node, ast.ImportFrom) and all(t in modules for t in targets[1:]):
                targets = targets[1:]  # `from package import module` runs the module, not the package's names
            edges[name] |= {t for t in targets if t in modules and t != name}
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_anywhere() -> None:
    """Every import counts, those under TYPE_CHECKING included: the graph is a DAG."""
    assert _cycles(_graph()) == []


def test_library_code_never_fetches_the_plugin_set() -> None:
    offenders = []
    for name, path in _modules():
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(FRONT_DOORS):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in ("get_plugins", "build_plugins", "default_plugins"):
                offenders.append(f"{relative}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr in ("get_plugins", "default_plugins"):
                offenders.append(f"{relative}:{node.lineno}")
    assert offenders == [], "pass the registry in instead: " + ", ".join(offenders)


def test_local_imports_only_for_optional_dependencies() -> None:
    offenders = []
    for name, path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(node) for node in tree.body}
        for node, targets in _imports(tree, name, path.name == "__init__.py"):
            local = targets[0].split(".")[0] in OPTIONAL or targets[0].startswith(DEFERRED)
            if id(node) not in top and not local:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} ({targets[0]})")
    assert offenders == []


def test_every_module_is_at_most_750_lines() -> None:
    long = {path.relative_to(ROOT).as_posix(): n for _, path in _modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def _string_constants(tree: ast.Module) -> Iterator[ast.Constant]:
    """String constants that are not docstrings (a docstring may name a type as an example)."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node


def _declared_in() -> dict[str, str]:
    """Every type name and folded Terraform type, with the module that declares it."""
    owner = {}
    for collector in PLUGINS.collectors:
        module = collector.collect.__module__
        for declared in collector.resource_types:
            owner[declared.name] = module
            owner.update({fold.terraform_type: module for fold in declared.folds})
    return owner


def test_a_types_facts_live_in_its_service_module_only() -> None:
    """No module but the one that declares a type names it: not the observer, the Terraform readers, drift,
    the views, the renderers or the demo (whose declared state is a YAML file of policy, not code)."""
    owner = _declared_in()
    assert {"aws_s3_bucket", "aws_s3_bucket_versioning", "aws_iam_account_summary"} <= set(owner)
    offenders = []
    for name, path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for constant in _string_constants(tree):
            for type_, module in owner.items():
                if module != name and (constant.value == type_ or f"`{type_}`" in constant.value):
                    offenders.append(f"{path.relative_to(ROOT)}:{constant.lineno}: {type_} (declared in {module})")
    assert offenders == []


def test_every_shipped_type_is_declared_by_the_module_of_its_service() -> None:
    for collector in PLUGINS.collectors:
        module = collector.collect.__module__
        assert module.startswith("unify.aws."), collector.name
        for declared in collector.resource_types:
            assert declared.attributes, f"{declared.name} declares no attributes"
            assert set(declared.observed_only) <= set(declared.attributes), declared.name


@pytest.mark.parametrize("module", ["unify.results", "unify.engine", "unify.model.snapshot"])
def test_results_and_the_engine_import_no_view_and_no_renderer(module: str) -> None:
    edges = _graph()
    reachable, todo = set(), [module]
    while todo:
        for child in edges[todo.pop()]:
            if child not in reachable:
                reachable.add(child)
                todo.append(child)
    assert not {m for m in reachable if m.startswith(("unify.views", "unify.render", "unify.cli"))}


#: Calls that read a clock; a test that compares their difference with a bound fails on a busy machine.
CLOCKS = {"perf_counter", "monotonic", "process_time", "perf_counter_ns", "monotonic_ns"}


def test_the_suite_holds_no_timing_assertion_and_no_hypothesis_deadline() -> None:
    """CI must not depend on the machine being idle: no test reads a clock, no property test has a deadline."""
    assert settings.default.deadline is None
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in CLOCKS:
                found.append(f"{path.name}:{node.lineno}: reads the clock ({node.attr})")
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "settings":
                deadline = next((k.value for k in node.keywords if k.arg == "deadline"), ast.Constant(0))
                if not (isinstance(deadline, ast.Constant) and deadline.value is None):
                    found.append(f"{path.name}:{node.lineno}: a hypothesis setting without deadline=None")
    assert found == []


def test_every_package_is_in_the_wheel() -> None:
    """setuptools lists packages by hand here: a package left out works in a checkout and breaks when installed."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {
        init.parent.relative_to(ROOT).as_posix().replace("/", ".")
        for package in PACKAGES
        for init in (ROOT / package).rglob("__init__.py")
    }
    assert found - listed == set()


def test_an_audit_of_a_saved_snapshot_loads_no_aws_library(tmp_path: Path) -> None:
    """boto3, botocore and jsonschema cost a third of the CLI's start; a file's audit calls none of them."""
    probe = (
        "import sys\n"
        "from unify.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exit:\n"
        "    loaded = sorted({m.split('.')[0] for m in sys.modules} & {'boto3', 'botocore', 'jsonschema', 'moto'})\n"
        "    print(exit.code, ' '.join(loaded) or '-')\n"
    )
    out = tmp_path / "results.json"
    argv = ["audit", "--snapshot", str(ROOT / "examples" / "estate.json"), "--format", "json", "-o", str(out)]
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed probe
        [sys.executable, "-c", probe, *argv], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.stdout.split() == ["1", "-"], done.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["format"] == "unify.results/v1"
    assert document["summary"]["fail"] > 0
