"""Safe YAML loading that remembers where every key came from.

Policy and waiver errors must name a file, a line and a key, so the loader
keeps a map from each value's path to its line. It builds plain data from
PyYAML's node graph itself instead of using a constructor, which is what
lets it refuse what a policy file must never contain: tags that build Python
objects, duplicate keys, recursive aliases and alias expansions large enough
to exhaust memory, numbers that are not finite (``.nan`` compares false with
everything, so a check on it would silently never hold) and text that is no
text (a lone surrogate, a value of megabytes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml

from unify._files import decode_text
from unify._json_source import MAX_INT_DIGITS
from unify.errors import InputError, Problem

__all__ = ["Document", "line_of", "load_yaml", "read_text"]

#: Most nodes one file may expand to through aliases; a billion-laughs file
#: reaches this long before it reaches the machine's memory.
MAX_NODES = 200_000
#: Deepest nesting of a policy or waivers file (the deepest shipped check nests about eight levels).
MAX_DEPTH = 64
#: Largest policy or waivers file unify reads: the shipped packs are 90 kB together. PyYAML scans in
#: pure Python (a megabyte of blank lines takes about a second), so the size bounds the time too.
MAX_FILE_BYTES = 2 * 1024 * 1024
#: Longest text value or key: a check's remediation is a paragraph, not a book.
MAX_SCALAR = 64 * 1024

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"
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


class _TooManyNodes(Exception):
    """Raised by the composer at the node past :data:`MAX_NODES`, with where it is."""

    def __init__(self, line: int) -> None:
        self.line = line


class _Composer(yaml.SafeLoader):
    """PyYAML's safe composer, counting nodes as it composes them.

    A file of millions of plain values then stops at :data:`MAX_NODES`
    after a second or two, instead of being composed whole (about 2.5 s a
    megabyte) before anything is counted.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.composed = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.composed += 1
        if self.composed > MAX_NODES:
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise _TooManyNodes(int(event.start_mark.line) + 1)
        return super().compose_node(parent, index)


#: libyaml's safe loader, when PyYAML was built with it (its wheels are).
_C_LOADER: Final = getattr(yaml, "CSafeLoader", None)


def _compose(text: str) -> yaml.Node | None:
    loader = _Composer(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _depth_line(text: str) -> int | None:
    """The line where nesting first goes past :data:`MAX_DEPTH`, from the parser's events (which do not recurse)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return None if event.start_mark is None else int(event.start_mark.line) + 1
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None


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
        if len(node.value) > MAX_SCALAR:
            raise self.fail(
                node, None, f"a value of {len(node.value):,} characters is longer than the {MAX_SCALAR:,} allowed"
            )
        if not node.value.isascii():
            try:
                node.value.encode("utf-8")
            except UnicodeEncodeError as exc:  # "\ud800" in a double-quoted scalar
                code = f"\\u{ord(node.value[exc.start]):04x}"
                raise self.fail(node, None, f"{code} is a lone surrogate, not a character") from None
        if self.raw_strings is not None and node.style is None and self.raw_strings(path):
            # Identifiers such as control "2.10" must not become the float 2.1.
            return node.value
        if node.tag == _STR:
            return node.value  # what the constructor makes of it, without its calls: most scalars are strings
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, OverflowError):  # an integer of thousands of digits
            digits = sum(c.isdigit() for c in node.value)
            raise self.fail(
                node, None, f"a number of {digits:,} digits is longer than the {MAX_INT_DIGITS:,} unify reads"
            ) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(node, None, f"{node.value} is not a finite number")
        return value

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


def read_text(source: str | Path) -> tuple[bytes, str]:
    """A policy or waivers file's bytes (for its digest) and its text: bounded, UTF-8, errors with the line."""
    name = str(source)
    try:
        with Path(source).open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(Problem(name, None, None, f"cannot read file: {exc.strerror or exc}")) from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(Problem(name, None, None, f"file is larger than {MAX_FILE_BYTES:,} bytes"))
    return data, decode_text(data, name, InputError)


def _syntax_error(name: str, text: str, exc: yaml.YAMLError) -> InputError:
    """A YAML error as one line: where the parser stopped, and what it was reading."""
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow, at a character position
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        return InputError(
            Problem(name, line, None, f"YAML syntax error: character #x{exc.character:04x} is not allowed in YAML")
        )
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        context = exc.context if exc.problem and exc.context else None
        if context and exc.context_mark is not None and exc.context_mark.line + 1 != line:
            context = f"{context} at line {exc.context_mark.line + 1}"
        return InputError(
            Problem(name, line, None, f"YAML syntax error: {problem}{f' ({context})' if context else ''}")
        )
    return InputError(Problem(name, None, None, f"YAML error: {exc}"))


def load_yaml(
    source: str | Path,
    text: str | None = None,
    *,
    raw_strings: Callable[[Path_], bool] | None = None,
    trusted: bool = False,
) -> Document:
    """Load one YAML document from ``source`` (or ``text``, named ``source``).

    ``raw_strings`` says for which paths an unquoted scalar keeps its text.
    ``trusted`` (the packs shipped with unify) composes with libyaml's C
    parser, which keeps the same lines but cannot count nodes as it goes:
    the Python composer's count bounds a user's file, and was most of the
    second the shipped packs took to load.
    """
    name = str(source)
    if text is None:
        _, text = read_text(source)
    if len(text) > MAX_FILE_BYTES:
        raise InputError(Problem(name, None, None, f"file is larger than {MAX_FILE_BYTES:,} characters"))
    try:
        node = yaml.compose(text, Loader=_C_LOADER) if trusted and _C_LOADER is not None else _compose(text)
    except RecursionError:
        raise InputError(
            Problem(name, _depth_line(text), None, f"YAML nested deeper than {MAX_DEPTH} levels")
        ) from None
    except _TooManyNodes as exc:
        raise InputError(
            Problem(name, exc.line, None, f"YAML holds more than {MAX_NODES:,} values; refusing to load")
        ) from None
    except yaml.YAMLError as exc:
        raise _syntax_error(name, text, exc) from None
    if node is None:
        return Document(name, None, {(): 1})
    builder = _Builder(name, raw_strings)
    try:
        value = builder.build(node, ())
    except RecursionError:  # pragma: no cover - build refuses past MAX_DEPTH long before the stack runs out
        raise InputError(
            Problem(name, _depth_line(text), None, f"YAML nested deeper than {MAX_DEPTH} levels")
        ) from None
    return Document(name, value, builder.lines)
