"""Compiled conditions: the predicates a check is made of, in Kleene logic.

A condition is compiled once, when its policy file loads, into a small tree
of nodes whose paths are pre-split; evaluation walks the tree per resource
and never looks at YAML or splits a path again. Truth values are ints so the
Kleene connectives are ``min`` (and), ``max`` (or) and ``2 - x`` (not).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Final

from unify.checks.operators import (
    MISSING,
    CheckDefect,
    EvalContext,
    Operator,
    OperatorRegistry,
    Undetermined,
    suggest,
)
from unify.checks.reasons import fact, failure, humanize, join_alternatives, negated_failure, requirement, unknown
from unify.errors import Problem
from unify.model.resource import UNKNOWN_KEY

__all__ = [
    "FALSE",
    "ROOT_FIELDS",
    "TRUE",
    "UNKNOWN",
    "Compiler",
    "DefectAt",
    "Detail",
    "Node",
    "PathRef",
    "Read",
]

FALSE: Final = 0
UNKNOWN: Final = 1
TRUE: Final = 2

#: First path segments that address the resource itself, not its attributes.
ROOT_FIELDS: Final = frozenset({"id", "type", "name", "account", "region", "tags"})
QUANTIFIERS: Final = ("any_item", "all_items", "no_item")
MAX_ITEM_DETAILS: Final = 5

DocPath = tuple[str | int, ...]
#: A path a condition reads, and the condition each item there must meet when that is all it asks of the list.
Read = tuple["PathRef", "Node | None"]


class DefectAt(Exception):
    """A :class:`CheckDefect` with the file and line of the condition that hit it."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file, self.line, self.message = file, line, message
        where = file if line is None else f"{file}:{line}"
        super().__init__(f"{where}: {message}")


def _unknown_reason(value: Any) -> str | None:
    if type(value) is dict and len(value) == 1 and UNKNOWN_KEY in value:
        return str(value[UNKNOWN_KEY])
    return None


class PathRef:
    """A dotted path, split once: ``ingress.0.from_port``.

    ``get`` is the evaluator's innermost call (a fifth of evaluation): a
    path of one or two named segments, most of them, gets a reader written
    for its length, with no loop; others walk their segments (:meth:`walk`).
    """

    __slots__ = ("field", "get", "segments", "text")

    def __init__(self, text: str, *, item: bool = False) -> None:
        self.text = text
        parts = text.split(".") if text else []
        self.field: str | None = None
        if not item:
            if parts and parts[0] in ROOT_FIELDS:
                self.field, parts = parts[0], parts[1:]
            else:
                self.field = "attributes"
                if parts and parts[0] == "attributes":
                    parts = parts[1:]
        self.segments: tuple[tuple[str, int | None], ...] = tuple(
            (part, int(part) if part.lstrip("-").isdigit() else None) for part in parts
        )
        #: The value at this path in a target: the value, :data:`MISSING`, or an unknown marker.
        self.get: Callable[[Any], Any] = self._reader()

    def __reduce__(self) -> tuple[Any, ...]:
        # The reader is made again from the text (a worker of a Dask cluster receives checks pickled).
        return (_path_ref, (self.text, self.field is None))

    def _reader(self) -> Callable[[Any], Any]:
        """``walk``, or the same written out for a path of at most two named segments below a field."""
        field, segments = self.field, self.segments
        if field is None or len(segments) > 2 or any(index is not None for _, index in segments):
            return self.walk
        if not segments:
            return partial(_field_of, field)
        first = segments[0][0]
        if len(segments) == 1:
            return partial(_one_below, field, first, self.walk)
        return partial(_two_below, field, first, segments[1][0], self.walk)

    def walk(self, target: Any) -> Any:
        """The value at this path: the value, :data:`MISSING`, or an unknown marker."""
        current = target.get(self.field, MISSING) if self.field is not None else target
        for key, index in self.segments:
            kind = type(current)
            if kind is dict:
                if len(current) == 1 and UNKNOWN_KEY in current:
                    return current
                current = current.get(key, MISSING)
            elif kind is list:
                if index is None:
                    raise CheckDefect(
                        f"path {self.text!r}: segment {key!r} meets a list; use an index or any_item/all_items"
                    )
                if -len(current) <= index < len(current):
                    current = current[index]
                else:
                    return MISSING
            else:
                # A scalar has no fields: the path does not exist here. (Policy
                # documents mix shapes, e.g. Principal "*" and Principal {"AWS": [...]}.)
                return MISSING
        return current

    def absent_block(self, target: Any) -> str:
        """The dotted prefix of this path that is absent when a block above the leaf is, else ``""``.

        ``public_access_block.block_public_acls`` on a bucket without a
        public access block is absent at ``public_access_block``: one thing
        to say about the four settings under it.
        """
        current = target.get(self.field, MISSING) if self.field is not None else target
        done: list[str] = [] if self.field in (None, "attributes") else [self.field]
        for depth, (key, _) in enumerate(self.segments):
            if depth == len(self.segments) - 1:
                return ""
            if type(current) is not dict or key not in current:
                return ".".join(done + [key]) if type(current) is dict else ""
            current = current[key]
            done.append(key)
        return ""


def _path_ref(text: str, item: bool) -> PathRef:
    return PathRef(text, item=item)


def _field_of(field: str, target: Any) -> Any:
    return target.get(field, MISSING)


def _one_below(field: str, key: str, walk: Callable[[Any], Any], target: Any) -> Any:
    """``walk`` for ``field.key``, written out (a list there is walked, for walk's defect)."""
    current = target.get(field, MISSING)
    kind = type(current)
    if kind is dict:
        if len(current) == 1 and UNKNOWN_KEY in current:
            return current
        return current.get(key, MISSING)
    return walk(target) if kind is list else MISSING


def _two_below(field: str, first: str, second: str, walk: Callable[[Any], Any], target: Any) -> Any:
    """``walk`` for ``field.first.second``, written out (a list on the way is walked, for walk's defect)."""
    current = target.get(field, MISSING)
    kind = type(current)
    if kind is not dict:
        return walk(target) if kind is list else MISSING
    if len(current) == 1 and UNKNOWN_KEY in current:
        return current
    current = current.get(first, MISSING)
    kind = type(current)
    if kind is not dict:
        return walk(target) if kind is list else MISSING
    if len(current) == 1 and UNKNOWN_KEY in current:
        return current
    return current.get(second, MISSING)


@dataclass(frozen=True, slots=True)
class Detail:
    """Why one leaf of a condition did not hold: the stuff of reasons and drift.

    An ``any`` none of whose branches holds is one detail whose
    ``alternatives`` are the details of each branch, so a reason says that
    one of them had to hold, not all.
    """

    path: str
    operator: str
    expected: Any
    actual: Any
    verdict: str  # "fail" or "unknown"
    negated: bool = False
    #: The whole message, when the detail is not about one leaf (a forbidden item, an empty list).
    note: str = ""
    alternatives: tuple[tuple[Detail, ...], ...] = ()
    #: The block above the leaf that is absent (``public_access_block``), when that is why it fails.
    absent_at: str = ""

    @property
    def unknown_reason(self) -> str:
        """Why the value was not observed (for ``unknown`` details)."""
        return _unknown_reason(self.actual) or (self.actual if isinstance(self.actual, str) else "not observed")

    @property
    def message(self) -> str:
        """The detail in plain English (see :mod:`unify.checks.reasons`)."""
        if self.alternatives:
            # The branches of an `any` inside a list item read relative to the item.
            branches = [" and ".join(d.relative_to(self.path).message for d in branch) for branch in self.alternatives]
            text = join_alternatives(branches)
            return f"{humanize(self.path)}: {text}" if self.path else text
        if self.note:
            return self.note
        if self.verdict == "unknown":
            return unknown(self.path, self.unknown_reason)
        if self.negated:
            return negated_failure(self.operator, self.path, self.expected, self.actual)
        if self.absent_at:
            return f"has no {humanize(self.absent_at)} (needed: {self.requirement_below()})"
        return failure(self.operator, self.path, self.expected, self.actual)

    def requirement_below(self) -> str:
        """What the leaf asks of the block that is absent: ``block public ACLs is true``."""
        below = self.path[len(self.absent_at) + 1 :] if self.path.startswith(self.absent_at + ".") else self.path
        return requirement(self.operator, below, self.expected)

    def relative_to(self, prefix: str) -> Detail:
        """This detail with its path read from inside ``prefix`` (a list item, for instance)."""
        if not prefix or self.note or self.alternatives or not self.path.startswith(prefix + "."):
            return self
        cut = len(prefix) + 1
        return replace(self, path=self.path[cut:], absent_at=self.absent_at[cut:] if self.absent_at else "")

    def as_json(self) -> dict[str, Any]:
        actual = self.actual
        data: dict[str, Any] = {
            "path": self.path,
            "operator": ("not " if self.negated else "") + self.operator,
            "expected": self.expected,
            "actual": None if actual is MISSING else actual,
            "verdict": self.verdict,
        }
        if actual is MISSING:
            data["absent"] = True
        if self.alternatives:
            data["alternatives"] = [[detail.as_json() for detail in branch] for branch in self.alternatives]
        return data


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    return f"{prefix}.{path}" if path else prefix


class Node:
    """A compiled condition."""

    __slots__ = ()

    def evaluate(self, target: Any, ctx: EvalContext) -> int:
        raise NotImplementedError

    def explain(self, target: Any, ctx: EvalContext, want: int, prefix: str, out: list[Detail]) -> None:
        """Append the leaves that keep this node from being ``want``."""
        result = self.evaluate(target, ctx)
        if result != want:
            self.unmet(target, ctx, want, result, prefix, out)

    def unmet(self, target: Any, ctx: EvalContext, want: int, result: int, prefix: str, out: list[Detail]) -> None:
        """:meth:`explain` for a caller that has evaluated the node already: it is ``result``, not ``want``.

        Every combination evaluates its children to know which to explain;
        were each child to evaluate itself again, a leaf under a quantifier
        under ``all`` would be evaluated six times for one failing resource,
        and explaining was most of what a full-pack audit's evaluation cost.
        """
        raise NotImplementedError

    def describe(self, prefix: str = "") -> str:
        """What the condition asks for, in words (for reasons about what matched and what did not)."""
        raise NotImplementedError

    def reads(self) -> Iterator[Read]:
        """The paths this condition reads from its target, each with what it asks of the items there, if only that.

        What these paths hold is all a verdict depends on: the evaluator
        recalls the answer it gave a resource whose values there were equal.
        A path that ``any_item`` or ``all_items`` walks comes with its inner
        condition, whose own reads of each item are then all that counts of
        the list; every other read (a leaf, ``no_item``, whose reason shows
        the whole item) comes with None: the whole value counts.
        """
        raise NotImplementedError


class Leaf(Node):
    __slots__ = ("argument", "file", "line", "operator", "path", "raw", "test")

    def __init__(self, path: PathRef, operator: Operator, argument: Any, raw: Any, file: str, line: int | None) -> None:
        self.path, self.operator, self.argument, self.raw = path, operator, argument, raw
        self.file, self.line = file, line
        self.test = operator.test

    def _value(self, target: Any) -> Any:
        try:
            return self.path.get(target)
        except CheckDefect as exc:
            raise DefectAt(self.file, self.line, str(exc)) from None

    def evaluate(self, target: Any, ctx: EvalContext) -> int:
        try:  # _value, written out: this is the evaluator's innermost call
            value = self.path.get(target)
        except CheckDefect as exc:
            raise DefectAt(self.file, self.line, str(exc)) from None
        if type(value) is dict and len(value) == 1 and UNKNOWN_KEY in value:
            return UNKNOWN
        try:
            return TRUE if self.test(value, self.argument, ctx) else FALSE
        except Undetermined:
            return UNKNOWN
        except CheckDefect as exc:
            raise DefectAt(self.file, self.line, f"{self.operator.name} on {self.path.text or 'item'}: {exc}") from None
        except (TypeError, ValueError, AttributeError) as exc:
            raise DefectAt(self.file, self.line, f"operator {self.operator.name!r} failed: {exc}") from None

    def unmet(self, target: Any, ctx: EvalContext, want: int, result: int, prefix: str, out: list[Detail]) -> None:
        value = self._value(target)
        if result == UNKNOWN and _unknown_reason(value) is None:
            # The operator found an unobserved part inside the value.
            try:
                self.test(value, self.argument, ctx)
            except Undetermined as exc:
                value = {UNKNOWN_KEY: exc.reason}
        absent = self.path.absent_block(target) if value is MISSING and want == TRUE else ""
        out.append(
            Detail(
                path=_join(prefix, self.path.text),
                operator=self.operator.name,
                expected=self.raw,
                actual=value,
                verdict="unknown" if result == UNKNOWN else "fail",
                negated=want == FALSE,
                absent_at=_join(prefix, absent) if absent else "",
            )
        )

    def describe(self, prefix: str = "") -> str:
        return requirement(self.operator.name, _join(prefix, self.path.text), self.raw)

    def reads(self) -> Iterator[Read]:
        yield self.path, None


class All(Node):
    __slots__ = ("children",)

    def __init__(self, children: list[Node]) -> None:
        self.children = tuple(children)

    def evaluate(self, target: Any, ctx: EvalContext) -> int:
        result = TRUE
        for child in self.children:
            value = child.evaluate(target, ctx)
            if value == FALSE:
                return FALSE
            result = min(result, value)
        return result

    def unmet(self, target: Any, ctx: EvalContext, want: int, result: int, prefix: str, out: list[Detail]) -> None:
        for child in self.children:
            value = child.evaluate(target, ctx)
            if value != want:
                child.unmet(target, ctx, want, value, prefix, out)

    def describe(self, prefix: str = "") -> str:
        return " and ".join(_grouped(child, prefix) for child in self.children)

    def reads(self) -> Iterator[Read]:
        for child in self.children:
            yield from child.reads()


class AnyOf(Node):
    __slots__ = ("children",)

    def __init__(self, children: list[Node]) -> None:
        self.children = tuple(children)

    def evaluate(self, target: Any, ctx: EvalContext) -> int:
        result = FALSE
        for child in self.children:
            value = child.evaluate(target, ctx)
            if value == TRUE:
                return TRUE
            result = max(result, value)
        return result

    def unmet(self, target: Any, ctx: EvalContext, want: int, result: int, prefix: str, out: list[Detail]) -> None:
        """Why no branch holds (each named), or, when it must not hold, the one branch that does."""
        pairs = [(child, child.evaluate(target, ctx)) for child in self.children]
        if want == FALSE:
            # One branch that holds is enough to say why the whole holds.
            held = [(c, v) for c, v in pairs if v == TRUE][:1] or [(c, v) for c, v in pairs if v != FALSE]
            for child, value in held:
                child.unmet(target, ctx, want, value, prefix, out)
            return
        undecided = [c for c, v in pairs if v == UNKNOWN]
        if undecided:
            # Only what was not observed could still make it hold: that is the reason.
            for child in undecided:
                child.unmet(target, ctx, want, UNKNOWN, prefix, out)
            return
        branches = []
        for child, value in pairs:
            found: list[Detail] = []
            if value != want:
                child.unmet(target, ctx, want, value, prefix, found)
            branches.append(tuple(found))
        if len(branches) == 1:
            out.extend(branches[0])
            return
        out.append(Detail(prefix, "any", None, None, "fail", alternatives=tuple(branches)))

    def describe(self, prefix: str = "") -> str:
        return " or ".join(_grouped(child, prefix) for child in self.children)

    def reads(self) -> Iterator[Read]:
        for child in self.children:
            yield from child.reads()


class Not(Node):
    __slots__ = ("child",)

    def __init__(self, child: Node) -> None:
        self.child = child

    def evaluate(self, target: Any, ctx: EvalContext) -> int:
        return TRUE - self.child.evaluate(target, ctx)

    def unmet(self, target: Any, ctx: EvalContext, want: int, result: int, prefix: str, out: list[Detail]) -> None:
        self.child.unmet(target, ctx, TRUE - want, TRUE - result, prefix, out)

    def describe(self, prefix: str = "") -> str:
        return f"not ({self.child.describe(prefix)})"

    def reads(self) -> Iterator[Read]:
        return self.child.reads()


def _grouped(node: Node, prefix: str) -> str:
    """A child's description, in parentheses when it is itself a combination."""
    text = node.describe(prefix)
    return f"({text})" if isinstance(node, (All, AnyOf)) and len(node.children) > 1 else text


class Quantifier(Node):
    """``any_item`` / ``all_items`` / ``no_item`` over the list at a path."""

    __slots__ = ("file", "inner", "kind", "line", "path")

    def __init__(self, path: PathRef, kind: str, inner: Node, file: str, line: int | None) -> None:
        self.path, self.kind, self.inner, self.file, self.line = path, kind, inner, file, line

    def _items(self, target: Any) -> list[Any] | None:
        """The items, or None when the list itself was not observed."""
        try:
            value = self.path.get(target)
        except CheckDefect as exc:
            raise DefectAt(self.file, self.line, str(exc)) from None
        if value is MISSING or value is None:
            return []
        if type(value) is list:
            return value
        if _unknown_reason(value) is not None:
            return None
        raise DefectAt(
            self.file, self.line, f"{self.kind} on {self.path.text!r}: expected a list, got {type(value).__name__}"
        )

    def evaluate(self, target: Any, ctx: EvalContext) -> int:
        items = self._items(target)
        if items is None:
            return UNKNOWN
        inner = self.inner.evaluate
        if self.kind == "all_items":
            result = TRUE
            for item in items:
                value = inner(item, ctx)
                if value == FALSE:
                    return FALSE
                result = min(result, value)
            return result
        found = FALSE
        for item in items:
            value = inner(item, ctx)
            if value == TRUE:
                found = TRUE
                break
            found = max(found, value)
        return TRUE - found if self.kind == "no_item" else found

    def unmet(self, target: Any, ctx: EvalContext, want: int, result: int, prefix: str, out: list[Detail]) -> None:
        path = _join(prefix, self.path.text)
        items = self._items(target)
        if items is None:
            out.append(Detail(path, self.kind, None, self.path.get(target), "unknown"))
            return
        # no_item is "not any": explain the inner "any" with the opposite wish.
        inner_want = TRUE - want if self.kind == "no_item" else want
        label = humanize(path)
        if not items:
            out.append(
                Detail(path, self.kind, "no items (the list is empty or absent)", [], "fail", note=f"has no {label}")
            )
            return
        shown = 0
        more = Detail(path, self.kind, "more items not shown", None, "fail", note=f"and more items of {label}")
        for index, item in enumerate(items):
            value = self.inner.evaluate(item, ctx)
            if self.kind == "no_item" and want == TRUE and value == TRUE:
                if shown == MAX_ITEM_DETAILS:
                    out.append(more)
                    break
                out.append(self._forbidden(item, ctx, f"{path}.{index}"))
                shown += 1
            elif value != inner_want:
                if shown == MAX_ITEM_DETAILS:
                    out.append(more)
                    break
                self.inner.unmet(item, ctx, inner_want, value, f"{path}.{index}", out)
                shown += 1

    def _forbidden(self, item: Any, ctx: EvalContext, at: str) -> Detail:
        """One detail for an item that matches where ``no_item`` allows none: what held of it."""
        held: list[Detail] = []
        self.inner.unmet(item, ctx, FALSE, TRUE, at, held)
        facts = []
        for detail in held:
            name = detail.path[len(at) + 1 :] if detail.path.startswith(at + ".") else ""
            facts.append(detail.note or fact(detail.operator, name, detail.expected, detail.actual))
        note = f"{humanize(at)} is not allowed" + (": " + ", ".join(dict.fromkeys(facts)) if facts else "")
        return Detail(at, self.kind, None, item, "fail", note=note)

    def describe(self, prefix: str = "") -> str:
        label = humanize(_join(prefix, self.path.text))
        lead = {"any_item": "some item of", "all_items": "every item of", "no_item": "no item of"}[self.kind]
        return f"{lead} {label} has {self.inner.describe()}"

    def reads(self) -> Iterator[Read]:
        yield self.path, None if self.kind == "no_item" else self.inner


class Compiler:
    """Turns a condition from a policy file into nodes, collecting every problem."""

    def __init__(
        self,
        operators: OperatorRegistry,
        file: str,
        locate: Callable[[DocPath], int | None],
        problems: list[Problem],
    ) -> None:
        self.operators = operators
        self.file = file
        self.locate = locate
        self.problems = problems

    def problem(self, where: DocPath, key: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, self.locate(where), key, message))

    def condition(self, spec: Any, where: DocPath, *, item: bool = False) -> Node | None:
        if not isinstance(spec, dict) or not spec:
            self.problem(where, str(where[-1]) if where else None, "a condition is a non-empty mapping")
            return None
        nodes: list[Node | None] = []
        for key, value in spec.items():
            at = where + (key,)
            if key in ("all", "any"):
                if not isinstance(value, list) or not value:
                    self.problem(at, key, f"'{key}' takes a non-empty list of conditions")
                    continue
                children = [self.condition(sub, at + (i,), item=item) for i, sub in enumerate(value)]
                if all(children):
                    nodes.append(All(children) if key == "all" else AnyOf(children))  # type: ignore[arg-type]
                else:
                    nodes.append(None)
            elif key == "not":
                child = self.condition(value, at, item=item)
                nodes.append(Not(child) if child is not None else None)
            elif item and (key in self.operators or key in QUANTIFIERS):
                nodes.append(self.operator_spec("", {key: value}, where, item=True))
            else:
                nodes.append(self.operator_spec(str(key), value, at, item=item))
        if not nodes or any(node is None for node in nodes):
            return None
        return nodes[0] if len(nodes) == 1 else All(nodes)  # type: ignore[arg-type]

    def operator_spec(self, path: str, spec: Any, where: DocPath, *, item: bool) -> Node | None:
        if not isinstance(spec, dict) or not spec:
            self.problem(
                where, path or None, f"{path or 'item'}: expected a mapping of operator to value, such as {{eq: ...}}"
            )
            return None
        if path.startswith(".") or path.endswith(".") or ".." in path:
            self.problem(where, path, f"malformed path {path!r}")
            return None
        ref = PathRef(path, item=item)
        nodes: list[Node | None] = []
        for name, argument in spec.items():
            at = where + (name,)
            line = self.locate(at)
            if name in QUANTIFIERS:
                inner = self.condition(argument, at, item=True)
                nodes.append(Quantifier(ref, name, inner, self.file, line) if inner else None)
                continue
            operator = self.operators.get(name) if isinstance(name, str) else None
            if operator is None:
                hint = suggest(str(name), self.operators.names() + list(QUANTIFIERS))
                self.problem(at, str(name), f"unknown operator {name!r}{hint}")
                nodes.append(None)
                continue
            try:
                prepared = operator.prepared(argument)
            except (ValueError, TypeError) as exc:
                self.problem(at, str(name), f"bad argument for {name!r}: {exc}")
                nodes.append(None)
                continue
            nodes.append(Leaf(ref, operator, prepared, argument, self.file, line))
        if not nodes or any(node is None for node in nodes):
            return None
        return nodes[0] if len(nodes) == 1 else All(nodes)  # type: ignore[arg-type]
