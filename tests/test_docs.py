"""The docs keep up with the code: README commands, CI, operators, schema."""

from __future__ import annotations

import re
from pathlib import Path

from unify.checks.default_operators import BUILTIN_OPERATORS

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    head = text.split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", head)


def test_readme_opens_with_the_demo_and_the_test_command() -> None:
    demo, tests = _readme_commands()[:2]
    assert "pip install" in demo and "unify audit --demo" in demo
    assert "'.[test]'" in tests and "pytest" in tests


def test_ci_runs_exactly_the_readme_test_command() -> None:
    tests = _readme_commands()[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()


def test_ci_installs_chromium_for_the_html_report_test_before_the_tests() -> None:
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    install = next(i for i, line in enumerate(lines) if "apt-get install" in line and "chromium chromium-driver" in line)
    guard = next(i for i, line in enumerate(lines) if "/usr/bin/chromium" in line)
    assert guard < install < lines.index(_readme_commands()[1])


def test_every_builtin_operator_is_documented() -> None:
    text = (ROOT / "docs" / "check-language.md").read_text(encoding="utf-8")
    table = [line for line in text.splitlines() if line.startswith("| `")]
    documented = {name for line in table for name in re.findall(r"`([a-z_]+)`", line.split("|")[1])}
    assert {op.name for op in BUILTIN_OPERATORS} <= documented


def test_docs_links_resolve() -> None:
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#]+\.md)\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_resource_type_reference_is_generated_from_the_collectors() -> None:
    from unify.render.reference import reference_markdown
    from unify.plugins import build_plugins

    generated = reference_markdown(build_plugins(autoload=False).collectors)
    assert (ROOT / "docs" / "resource-types.md").read_text(encoding="utf-8") == generated, \
        "regenerate with: unify types --format markdown > docs/resource-types.md"
