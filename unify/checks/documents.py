"""Safe YAML loading that remembers where every key came from.

Policy and waiver errors must name a file, a line and a key, so the loader
keeps a map from each value's path to its line. It builds plain data from
PyYAML's node graph itself instead of using a constructor, which is what
lets it refuse what a policy file must never contain: tags that build Python
objects, duplicate keys, recursive aliases and alias expansions large enough
to exhaust memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from unify.errors import InputError, Problem

__all__ = ["Document", "line_of", "load_yaml"]

#: Most nodes one file may expand to through aliases; a billion-laughs file
#: reaches this long before it reaches the machine's memory.
MAX_NODES = 200_000
#: Deepest nesting of a policy or waivers file (the deepest shipped check nests about eight levels).
MAX_DEPTH = 64
#: Largest policy or waivers file unify reads: the shipped packs are a few kilobytes each.
MAX_FILE_BYTES = 16 * 1024 * 1024

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"

Path_ = tuple[str | int, ...]


@dataclass
class Document:
    """A loaded YAML document: plain data plus the line of every path."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int | None:
        return line_of(self.lines, path)


def line_of(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of ``path``, or of its nearest ancestor that has one."""
    p = tuple(path)
    while p:
        if p in lines:
            return lines[p]
        p = p[:-1]
    return lines.get(())


class _Builder:
    def __init__(self, file: str, raw_strings: Callable[[Path_], bool] | None) -> None:
        self.file = file
        self.raw_strings = raw_strings
        self.lines: dict[Path_, int] = {}
        self.count = 0
        self.active: set[int] = set()
        self.constructor = yaml.SafeLoader("")

    def fail(self, node: yaml.Node, key: str | None, message: str) -> InputError:
        return InputError(Problem(self.file, node.start_mark.line + 1, key, message))

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(node, None, f"YAML expands to more than {MAX_NODES} values (alias bomb?); refusing to load")
        self.lines.setdefault(path, node.start_mark.line + 1)
        if len(path) > MAX_DEPTH:
            raise self.fail(node, None, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.active:
            raise self.fail(node, None, "recursive YAML alias is not allowed")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                if node.tag != _SEQ:
                    raise self.fail(node, None, f"YAML tag {node.tag!r} is not allowed")
                return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                if node.tag != _MAP:
                    raise self.fail(node, None, f"YAML tag {node.tag!r} is not allowed")
                return self.mapping(node, path)
        finally:
            self.active.discard(id(node))
        raise self.fail(node, None, "unsupported YAML node")  # pragma: no cover

    def scalar(self, node: yaml.ScalarNode, path: Path_) -> Any:
        if node.tag == _TIMESTAMP:
            # Dates and times stay text: snapshots hold ISO 8601 strings.
            return node.value
        if node.tag not in _SCALAR_TAGS:
            raise self.fail(node, None, f"YAML tag {node.tag!r} is not allowed")
        if self.raw_strings is not None and node.style is None and self.raw_strings(path):
            # Identifiers such as control "2.10" must not become the float 2.1.
            return node.value
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ValueError, OverflowError) as exc:  # an integer of thousands of digits
            raise self.fail(node, None, f"value cannot be read: {str(exc)[:120]}") from None

    def mapping(self, node: yaml.MappingNode, path: Path_) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        explicit: set[Any] = set()
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merges.append(value_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, None, "mapping keys must be plain scalars")
            key = self.scalar(key_node, path)
            if isinstance(key, (int, float, bool)) or key is None:
                key = key_node.value
            if key in explicit:
                raise self.fail(key_node, str(key), f"duplicate key {key!r}")
            explicit.add(key)
            self.lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = self.build(value_node, path + (key,))
        for merge in merges:
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    raise self.fail(source, "<<", "a merge key needs a mapping or a list of mappings")
                kept = {path + (key,): self.lines[path + (key,)] for key in explicit}
                merged = self.build(source, path)
                self.lines.update(kept)  # explicit keys keep their own lines
                for key, value in merged.items():
                    out.setdefault(key, value)
        return out


def load_yaml(
    source: str | Path,
    text: str | None = None,
    *,
    raw_strings: Callable[[Path_], bool] | None = None,
) -> Document:
    """Load one YAML document from ``source`` (or ``text``, named ``source``).

    ``raw_strings`` says for which paths an unquoted scalar keeps its text.
    """
    name = str(source)
    if text is None:
        try:
            with Path(source).open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise InputError(Problem(name, None, None, f"cannot read file: {exc.strerror or exc}")) from None
        if len(data) > MAX_FILE_BYTES:
            raise InputError(Problem(name, None, None, f"file is larger than {MAX_FILE_BYTES:,} bytes"))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(Problem(name, None, None, f"not UTF-8 text (byte {exc.start})")) from None
    if len(text) > MAX_FILE_BYTES:
        raise InputError(Problem(name, None, None, f"file is larger than {MAX_FILE_BYTES:,} characters"))
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise InputError(Problem(name, None, None, f"YAML nested deeper than {MAX_DEPTH} levels")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(Problem(name, line, None, f"YAML syntax error: {problem}")) from None
    except yaml.YAMLError as exc:
        raise InputError(Problem(name, None, None, f"YAML error: {exc}")) from None
    if node is None:
        return Document(name, None, {(): 1})
    builder = _Builder(name, raw_strings)
    try:
        value = builder.build(node, ())
    except RecursionError:
        raise InputError(Problem(name, None, None, f"YAML nested deeper than {MAX_DEPTH} levels")) from None
    return Document(name, value, builder.lines)
