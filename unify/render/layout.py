"""Text layout for consoles: wrapping on word and id boundaries, and columns that fit a width.

A terminal table that folds ``aws_config_configuration_recorder`` into
``aws_config_configuration_re`` and ``corder``, or ``us-east-1`` into
``us-east-`` and ``1``, is hard to read and impossible to copy. Text here
wraps at spaces; a word longer than its column (an ARN, a scope id) breaks
after one of the separators ids are made of (``/ : - _ . ,``), and only a
token with none is cut where the column ends. Widths are display cells, so
wide characters count twice.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Final

from rich.cells import cell_len
from rich.text import Text

__all__ = ["Cell", "columns_from_env", "fit_widths", "grid", "wrap"]

#: Characters after which an id may break: the joints of ARNs, scope ids, dotted and snake names.
_SEPARATORS: Final = frozenset("/:-_.,=;&|")

#: One cell: paragraphs of (text, style); each paragraph starts on a new line.
Cell = Sequence[tuple[str, str]]


def columns_from_env() -> int | None:
    """The ``COLUMNS`` a shell exports, when it is a sane number; what piped output is laid out to."""
    raw = os.environ.get("COLUMNS", "").strip()
    if raw.isdigit() and 20 <= int(raw) <= 1000:
        return int(raw)
    return None


def _cut(word: str, width: int) -> tuple[str, str]:
    """The longest head of ``word`` that fits ``width`` cells, ending after a separator when one is there."""
    head = ""
    best = 0
    for index, char in enumerate(word):
        if cell_len(head + char) > width:
            break
        head += char
        if char in _SEPARATORS and index + 1 < len(word):
            best = index + 1
    if not head:  # a character wider than the column: give it a line of its own
        return word[0], word[1:]
    if best and len(head) < len(word):
        return word[:best], word[best:]
    return head, word[len(head) :]


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells: at spaces, else after id separators, else anywhere."""
    width = max(width, 1)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            if not word:
                continue
            candidate = f"{line} {word}" if line else word
            if cell_len(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            rest = word
            while cell_len(rest) > width:
                head, rest = _cut(rest, width)
                lines.append(head)
            line = rest
        lines.append(line)
    return lines


def fit_widths(natural: Sequence[int], total: int, floors: Sequence[int] = (), minimum: int = 4) -> list[int]:
    """Column widths that add up to at most ``total``, taken from the widest columns first.

    Narrow columns (counts, statuses) keep their width while a wide one (a
    reason, a title) has room to give; no column goes below its floor
    (``floors``, else ``minimum``), so the sum may stay above ``total`` when
    the room is too small for all the floors.
    """
    widths = [max(1, n) for n in natural]
    lows = [min(w, floors[i] if i < len(floors) else minimum) for i, w in enumerate(widths)]
    excess = sum(widths) - total
    while excess > 0:
        shrinkable = [i for i, w in enumerate(widths) if w > lows[i]]
        if not shrinkable:
            break
        top = max(widths[i] for i in shrinkable)
        widest = [i for i in shrinkable if widths[i] == top]
        below = max([widths[i] for i in shrinkable if widths[i] < top] + [max(lows[i] for i in widest)])
        # Lower the widest columns together, down to the next width (or their floor), as far as needed.
        step = min(top - below, -(-excess // len(widest)))
        for i in widest:
            cut = min(step, excess, widths[i] - lows[i])
            widths[i] -= cut
            excess -= cut
    return widths


def grid(
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[int],
    *,
    indent: int = 0,
    gap: int = 2,
    right: Sequence[int] = (),
) -> list[Text]:
    """Rows of cells laid out in columns of ``widths``, each cell wrapped to its column (``right``: aligned right)."""
    out: list[Text] = []
    pad = " " * gap
    for row in rows:
        wrapped: list[list[tuple[str, str]]] = []
        for cell, width in zip(row, widths, strict=True):
            lines = [(line, style) for text, style in cell for line in wrap(text, width)]
            wrapped.append(lines or [("", "")])
        height = max(len(lines) for lines in wrapped)
        for index in range(height):
            line = Text(" " * indent)
            for column, (lines, width) in enumerate(zip(wrapped, widths, strict=True)):
                text, style = lines[index] if index < len(lines) else ("", "")
                room = " " * (width - cell_len(text))
                if column in right:
                    line.append(room)
                line.append(text, style=style)
                if column < len(widths) - 1:
                    line.append(("" if column in right else room) + pad)
            line.rstrip()
            out.append(line)
    return out
