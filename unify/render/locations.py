"""Where findings point: the .tf line of a planned resource, or the check's policy line.

A finding on a resource from a Terraform plan (its result has an address)
points at the ``resource "TYPE" "NAME"`` block in a ``.tf`` file when a
source root is given and the block is found (see :class:`TerraformSource`);
any other finding points at its check's file and line. SARIF and the GitHub
annotations read locations from here.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from unify.checks.policy_set import Check
from unify.render.renderer import RenderOptions
from unify.results import Result, Results
from unify.terraform.importer import read_json_document

__all__ = ["Locator", "Place", "TerraformSource", "parse_address"]


_HEADER: Final = re.compile(
    r'^\s*resource\s+(?:"(?P<qtype>[^"\\]+)"|(?P<type>[A-Za-z_][\w-]*))\s+'
    r'(?:"(?P<qname>[^"\\]+)"|(?P<name>[A-Za-z_][\w-]*))\s*\{'
)
_HEREDOC: Final = re.compile(r"<<-?([A-Za-z_][\w-]*)\s*$")


def _scan_resources(text: str) -> Iterator[tuple[str, str, int]]:
    """``(type, name, line)`` of each ``resource`` block header in HCL text.

    A small lexer keeps track of what is not code, so a header inside a
    ``/* */`` comment or a heredoc is not taken, and ``"arn:...:bucket/*"`` in
    a string does not open a comment. Strings do not span lines in HCL (only
    heredocs do), so string state starts afresh on each line.
    """
    in_comment = False
    heredoc: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if heredoc is not None:
            if line.strip() == heredoc:
                heredoc = None
            continue
        if not in_comment:
            match = _HEADER.match(line)
            if match:
                yield (match.group("qtype") or match.group("type"), match.group("qname") or match.group("name"), number)
        in_comment, heredoc = _lex_line(line, in_comment)


def _lex_line(line: str, in_comment: bool) -> tuple[bool, str | None]:
    """Whether a block comment is open at the end of ``line``, and the heredoc it opens, if any."""
    stack: list[list[Any]] = []  # ["str"] or ["interp", brace depth]
    i, n = 0, len(line)
    while i < n:
        if in_comment:
            end = line.find("*/", i)
            if end < 0:
                return True, None
            in_comment, i = False, end + 2
            continue
        char = line[i]
        if stack and stack[-1][0] == "str":
            if char == "\\":
                i += 2
            elif line.startswith(("${", "%{"), i):
                stack.append(["interp", 0])
                i += 2
            else:
                if char == '"':
                    stack.pop()
                i += 1
            continue
        if char == '"':
            stack.append(["str"])
        elif line.startswith("/*", i):
            in_comment, i = True, i + 2
            continue
        elif char == "#" or line.startswith("//", i):
            break
        elif char == "<" and not stack:
            heredoc = _HEREDOC.match(line, i)
            if heredoc:
                return False, heredoc.group(1)
        elif stack and char == "{":
            stack[-1][1] += 1
        elif stack and char == "}":
            if stack[-1][1] == 0:
                stack.pop()
            else:
                stack[-1][1] -= 1
        i += 1
    return in_comment, None


def _split_address(address: str) -> list[str]:
    """An address's dot-separated parts, instance keys (which may hold dots) kept with their part."""
    parts: list[str] = []
    current: list[str] = []
    depth, in_string, escaped = 0, False, False
    for char in address:
        if in_string:
            current.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "." and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def parse_address(address: str) -> tuple[tuple[str, ...], str, str] | None:
    """``(module call names, type, name)`` of a managed resource's address, instance keys stripped.

    ``module.net.module.sg[0].aws_security_group.web["a"]`` gives
    ``(("net", "sg"), "aws_security_group", "web")``; anything that is not a
    managed resource's address (a data source, a malformed string) gives None.
    """
    parts = [part.split("[", 1)[0] for part in _split_address(address)]
    modules: list[str] = []
    i = 0
    while i + 1 < len(parts) and parts[i] == "module":
        modules.append(parts[i + 1])
        i += 2
    rest = parts[i:]
    if len(rest) != 2 or not all(rest):
        return None
    return tuple(modules), rest[0], rest[1]


def _is_local(source: str) -> bool:
    return source.startswith(("./", "../", ".\\", "..\\"))


class TerraformSource:
    """The ``resource`` blocks of a Terraform configuration, to point plan findings at their code.

    ``root`` is the root module's folder (``--source-root``). Every ``*.tf``
    file under it is scanned once (folders whose names start with a dot, such
    as ``.terraform`` and ``.git``, are skipped) for ``resource "TYPE"
    "NAME" {`` headers. An address is looked up as follows:

    1. its module path (``module.net.module.sg[0]`` gives ``net``, ``sg``) is
       turned into a folder by following each module call's ``source`` in the
       plan's ``configuration`` section, local sources (``./``, ``../``) only,
       each relative to the calling module's folder; the root module is
       ``root``. When the block is in that folder (the ``.tf`` files directly
       in it), that is the answer;
    2. otherwise (no plan file to read, a plan without ``configuration``, a
       registry or git module, or a root that is not the one the plan was
       made in), every block of that type and name under ``root`` is a
       candidate: a single one is the answer; among several, a single one
       whose folder is named like the innermost module call is;
    3. otherwise nothing: the caller falls back to the plan file or the check.

    Instance keys (``[0]``, ``["a"]``) are stripped: every instance of a
    ``count`` or ``for_each`` resource points at its one block.
    """

    def __init__(self, root: str | os.PathLike[str], plan_file: str | None = None) -> None:
        self.root = Path(os.path.abspath(root))
        self.plan_file = plan_file
        self._blocks: dict[tuple[str, str], list[tuple[Path, int]]] | None = None
        self._modules: dict[tuple[str, ...], Path | None] | None = None
        self._found: dict[str, tuple[Path, int] | None] = {}

    @property
    def blocks(self) -> dict[tuple[str, str], list[tuple[Path, int]]]:
        if self._blocks is None:
            blocks: dict[tuple[str, str], list[tuple[Path, int]]] = defaultdict(list)
            for path in self._tf_files():
                try:
                    text = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                for type_, name, line in _scan_resources(text):
                    blocks[(type_, name)].append((path, line))
            self._blocks = dict(blocks)
        return self._blocks

    def _tf_files(self) -> Iterator[Path]:
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.endswith(".tf"):
                    yield Path(folder) / name

    @property
    def modules(self) -> dict[tuple[str, ...], Path | None]:
        """Module call paths to folders, from the plan's ``configuration`` (None: not a local source)."""
        if self._modules is None:
            self._modules = {(): self.root}
            configuration = self._configuration()
            root_module = configuration.get("root_module") if isinstance(configuration, dict) else None
            if isinstance(root_module, dict):
                self._walk_calls(root_module, (), self.root)
        return self._modules

    def _configuration(self) -> Any:
        if not self.plan_file:
            return None

        try:
            document = read_json_document(self.plan_file)
        except Exception:  # noqa: BLE001 - an unreadable plan only means no module folders
            return None
        return document.get("configuration") if isinstance(document, dict) else None

    def _walk_calls(self, module: Mapping[str, Any], path: tuple[str, ...], folder: Path | None) -> None:
        assert self._modules is not None
        calls = module.get("module_calls")
        if not isinstance(calls, dict):
            return
        for name, call in sorted(calls.items()):
            if not isinstance(call, dict):
                continue
            source = call.get("source")
            child: Path | None = None
            if folder is not None and isinstance(source, str) and _is_local(source):
                child = Path(os.path.normpath(folder / source.replace("\\", "/")))
            self._modules[(*path, name)] = child
            inner = call.get("module")
            if isinstance(inner, dict):
                self._walk_calls(inner, (*path, name), child)

    def locate(self, address: str) -> tuple[Path, int] | None:
        """The ``.tf`` file and line of the block behind ``address``, when it can be told."""
        if address not in self._found:
            self._found[address] = self._locate(address)
        return self._found[address]

    def _locate(self, address: str) -> tuple[Path, int] | None:
        parsed = parse_address(address)
        if parsed is None:
            return None
        modules, type_, name = parsed
        candidates = self.blocks.get((type_, name), [])
        if not candidates:
            return None
        folder = self.modules.get(modules)
        if folder is not None:
            here = [c for c in candidates if c[0].parent == folder]
            if here:
                return here[0]
        if len(candidates) == 1:
            return candidates[0]
        if modules:
            named = [c for c in candidates if c[0].parent.name == modules[-1]]
            if len(named) == 1:
                return named[0]
        return None


@dataclass(frozen=True)
class Place:
    """A file (as given: relative to the working folder, or absolute) and a line."""

    path: str
    line: int | None
    #: "terraform" (a .tf block), "plan" (the plan file) or "check" (the check's policy file)
    kind: str


class Locator:
    """Where each finding points; one per rendering, caching the ``.tf`` scan."""

    def __init__(self, results: Results, options: RenderOptions, cwd: str | os.PathLike[str] | None = None) -> None:
        self.results = results
        self.cwd = Path(os.path.abspath(cwd if cwd is not None else os.getcwd()))
        self.plan_file = results.snapshot.file
        self.terraform = TerraformSource(options.source_root, self.plan_file) if options.source_root else None

    def relative(self, path: str | os.PathLike[str]) -> str:
        """``path`` relative to the working folder (POSIX separators) when under it, else absolute."""
        absolute = Path(os.path.abspath(path))
        try:
            return absolute.relative_to(self.cwd).as_posix()
        except ValueError:
            return absolute.as_posix()

    def under_cwd(self, path: str | os.PathLike[str]) -> bool:
        try:
            Path(os.path.abspath(path)).relative_to(self.cwd)
        except ValueError:
            return False
        return True

    def check(self, check: Check) -> Place:
        return Place(check.file, check.line, "check")

    def code(self, result: Result) -> Place | None:
        """The ``.tf`` block of a plan finding, when a source root is given and the block is found."""
        if not result.address or self.terraform is None:
            return None
        found = self.terraform.locate(result.address)
        return Place(str(found[0]), found[1], "terraform") if found else None

    def sarif(self, result: Result, check: Check) -> Place:
        """SARIF: the .tf block, else the plan file, else the check."""
        if result.address:
            code = self.code(result)
            if code is not None:
                return code
            if self.plan_file:
                return Place(self.plan_file, 1, "plan")
        return self.check(check)

    def annotation(self, result: Result, check: Check) -> Place:
        """Annotations: the .tf block, else the check (a plan file is seldom part of the change)."""
        return self.code(result) or self.check(check)
