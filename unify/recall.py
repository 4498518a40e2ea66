"""Recalled judgements: what a type's resources hold at each path a check reads, as keys made once for all checks.

A guardrail's verdict, reason and details depend on nothing but what its
paths hold in the resource (operators see the value, their argument and
the snapshot's time: the operator contract). Estates repeat themselves: of
the 583,697 judgements of the full packs over a generated 100k snapshot,
450,719 have the values of one made before, and the evaluator gives those
the earlier judgement again (evaluation went from 4.4 to 3.1 CPU s).

What a path holds is keyed so that values equal in Python but not to a
check stay apart: a scalar by its type and value (``1``, ``1.0`` and
``True``), a float by its ``repr`` (``-0.0`` keeps its reason), an absent
value with the block that is absent (a reason names it), a list that
``any_item``/``all_items`` walks by what the inner condition reads of each
item, in order (a rule's description no check reads does not make it
another rule), and any other list or mapping by its JSON, in key order.

Keys were first made per check and resource, which was 30% of evaluation;
the 380 shipped checks read 1,051,118 paths of the 100k snapshot's
resources, but only 616,172 distinct ones (417 paths of a type). So each
path of a type is read once, into a :class:`Column` of small integers
(equal integers, equal keys), and a check's keys are its columns zipped.
A column whose values rarely repeat (an ARN, a policy document) is given up
after a trial: the checks that read it judge every resource afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import count, repeat
from typing import Any, Final

import orjson

from unify.checks.conditions import Node, PathRef, Read
from unify.checks.operators import MISSING, CheckDefect
from unify.model.resource import Resource

__all__ = ["RECALLED", "Columns", "Plan", "key_parts", "reads_plan"]

#: The reads a key is made of: each path, and for a list walked by any_item/all_items the reads of its items.
Plan = tuple[tuple[PathRef, "Plan | None"], ...]
#: Judgements one check keeps for one type: bounded memory.
RECALLED: Final = 2048
#: The longest JSON a value may have to be part of a key.
_LONGEST_VALUE: Final = 1024
#: Most parts one key may have: a list walked item by item makes some for each item.
_MOST_PARTS: Final = 256
#: After this many resources, a column with more distinct values than three in four of them is given up.
TRIAL: Final = 1024


def reads_plan(reads: Iterable[Read]) -> Plan:
    """The reads of one target, one per path: the list's items' reads when every read of it walks them, else None."""
    by_path: dict[tuple[str | None, str], tuple[PathRef, list[Node] | None]] = {}
    for path, inner in reads:
        ref = (path.field, path.text)
        known = by_path.get(ref)
        walks = known[1] if known is not None else []
        by_path[ref] = (path, None if walks is None or inner is None else [*walks, inner])
    return tuple(
        (path, None if inners is None else reads_plan(r for node in inners for r in node.reads()))
        for path, inners in by_path.values()
    )


def _signature(plan: Plan | None) -> tuple[Any, ...] | None:
    """A plan as plain data, equal for plans that read the same: what a column is cached by."""
    if plan is None:
        return None
    return tuple((path.field, path.text, _signature(items)) for path, items in plan)


def key_parts(target: Any, plan: Plan, parts: list[Any]) -> bool:
    """Append to ``parts`` what ``plan`` reads of ``target``; False when a value cannot be part of a key."""
    for path, items in plan:
        try:
            value = path.get(target)
        except CheckDefect:
            return False
        if not _value_parts(value, path, target, items, parts):
            return False
    return True


def _value_parts(value: Any, path: PathRef, target: Any, items: Plan | None, parts: list[Any]) -> bool:
    """Append to ``parts`` the key of ``value``, what ``path`` holds in ``target``; False when it cannot be one."""
    kind = type(value)
    if kind is str or kind is bool or kind is int or value is None:
        parts += (kind, value)
    elif kind is float:
        parts += (kind, repr(value))  # -0.0 == 0.0, but a reason may print either
    elif value is MISSING:
        parts += (MISSING, path.absent_block(target))  # a reason names the block that is absent
    elif kind is list and items is not None:
        # Walked item by item: only what the inner condition reads of each item counts, in order (a
        # reason names an item by its index). The count first, so the parts read back one way only.
        parts += (list, len(value))
        for item in value:
            if not key_parts(item, items, parts) or len(parts) > _MOST_PARTS:
                return False
    else:
        try:
            text = orjson.dumps(value)
        except orjson.JSONEncodeError:  # an integer past 64 bits
            return False
        if len(text) > _LONGEST_VALUE:
            return False
        parts += (bytes, text)
    return True


#: One column: for each resource of a type (in the evaluator's order), the number of what one path holds there.
Column = list[int]


class Columns:
    """Each path's column for each type, made on first use and dropped when the last check that reads it is done.

    ``expect`` is told every plan first, so a column lives only while a
    check still needs it: at a million resources, a column is 8 MB.
    """

    def __init__(self, resources_of: Callable[[str], list[Resource]]) -> None:
        self.resources_of = resources_of
        self.made: dict[tuple[Any, ...], Column | None] = {}
        self.uses: dict[tuple[Any, ...], int] = {}
        #: Numbers for values that cannot be keyed: each is new, so it equals no other key.
        self.fresh = count(-1, -1)

    @staticmethod
    def _name(type_: str, path: PathRef, items: Plan | None) -> tuple[Any, ...]:
        return (type_, path.field, path.text, _signature(items))

    def expect(self, types: Iterable[str], plan: Plan) -> None:
        """A check over ``types`` will ask for the keys of ``plan``."""
        for type_ in types:
            for path, items in plan:
                name = self._name(type_, path, items)
                self.uses[name] = self.uses.get(name, 0) + 1

    def keys(self, type_: str, plan: Plan) -> Iterator[Any] | None:
        """Each resource's key under ``plan``, in the order of ``resources_of``; None when some value rarely repeats.

        Call once per check and type, after :meth:`expect`: it counts the use.
        """
        columns: list[Column] = []
        given_up = False
        for path, items in plan:
            name = self._name(type_, path, items)
            column = self.made[name] if name in self.made else self._column(type_, path, items)
            left = self.uses.get(name, 1) - 1
            if left > 0:
                self.uses[name] = left
                self.made[name] = column
            else:
                self.uses.pop(name, None)
                self.made.pop(name, None)
            if column is None:
                given_up = True
            else:
                columns.append(column)
        if given_up:
            return None
        if not columns:
            return repeat(0, len(self.resources_of(type_)))  # reads nothing: one judgement for all
        if len(columns) == 1:
            return iter(columns[0])
        return zip(*columns, strict=True)

    def _column(self, type_: str, path: PathRef, items: Plan | None) -> Column | None:
        """What ``path`` holds in each resource of ``type_``, numbered; None when its values rarely repeat."""
        numbers: dict[Any, int] = {}
        number = numbers.setdefault
        fresh = self.fresh
        column: Column = []
        add = column.append
        for at, resource in enumerate(self.resources_of(type_), 1):
            if at == TRIAL and len(numbers) * 4 > TRIAL * 3:
                return None
            try:
                value = path.get(resource)
            except CheckDefect:
                add(next(fresh))
                continue
            kind = type(value)
            # The fast cases inline: a column reads every resource of the type.
            if kind is str or kind is bool or kind is int or value is None:
                add(number((kind, value), len(numbers)))
                continue
            parts: list[Any] = []
            if _value_parts(value, path, resource, items, parts):
                add(number(tuple(parts), len(numbers)))
            else:
                add(next(fresh))
        return column
