"""Waivers: accepted exceptions, each with a reason and (usually) an end date.

A waiver turns a ``fail`` or ``unknown`` of one check on the resources its
globs match into ``waived``; ``pass`` and ``error`` are left alone (a broken
check is never waived away). Expiry is compared with the snapshot's
``taken_at``, inclusive of the whole ``expires`` day in UTC, so re-evaluating
an old snapshot gives the same verdicts. An expired waiver stops applying and
is listed as expired in every report.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from unify.checks.documents import Document, load_yaml
from unify.checks.frameworks import control_id_path
from unify.checks.schema import validate_document
from unify.errors import InputError, Problem, WaiverError
from unify.model.time import parse_date

__all__ = ["Waiver", "WaiverSet", "load_waivers", "waivers_from_documents"]


@dataclass(frozen=True)
class Waiver:
    """One accepted exception."""

    check: str
    resources: tuple[str, ...]
    reason: str
    expires: date | None
    file: str
    line: int | None
    owner: str = ""
    ticket: str = ""

    @property
    def location(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def active_on(self, day: date) -> bool:
        return self.expires is None or day <= self.expires

    def matches(self, check: str, resource: str) -> bool:
        return check == self.check and any(_glob(p).match(resource) for p in self.resources)

    def as_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "resources": list(self.resources),
            "reason": self.reason,
            "expires": self.expires.isoformat() if self.expires else None,
            "owner": self.owner or None,
            "ticket": self.ticket or None,
            "file": self.file,
            "line": self.line,
        }


_patterns: dict[str, re.Pattern[str]] = {}


def _glob(pattern: str) -> re.Pattern[str]:
    # Case-sensitive: ARNs and ids are, and a waiver must not cover more than written.
    compiled = _patterns.get(pattern)
    if compiled is None:
        compiled = _patterns[pattern] = re.compile(fnmatch.translate(pattern))
    return compiled


@dataclass(frozen=True)
class WaiverSet:
    """The waivers of one run, in file order."""

    waivers: tuple[Waiver, ...] = ()
    files: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Waiver]:
        return iter(self.waivers)

    def __len__(self) -> int:
        return len(self.waivers)

    def check_ids(self, known: Iterable[str]) -> None:
        """Refuse waivers for checks that do not exist: a typo would waive nothing."""
        known_ids = set(known)
        problems = [
            Problem(w.file, w.line, w.check, f"waiver names unknown check id {w.check!r}")
            for w in self.waivers
            if w.check not in known_ids
        ]
        if problems:
            raise WaiverError(problems)

    def find(self, check: str, resource: str) -> Waiver | None:
        """The first waiver, active or not, that covers this (check, resource)."""
        for waiver in self.waivers:
            if waiver.matches(check, resource):
                return waiver
        return None


def waivers_from_documents(docs: Sequence[Document]) -> tuple[WaiverSet, list[Problem]]:
    """Waivers from loaded documents, and every problem found in them."""
    problems: list[Problem] = []
    waivers: list[Waiver] = []
    for doc in docs:
        policy_keys = [k for k in ("checks", "desired", "framework") if isinstance(doc.data, dict) and k in doc.data]
        if policy_keys and "waivers" not in doc.data:
            problems.append(
                Problem(
                    doc.file,
                    doc.line((policy_keys[0],)),
                    policy_keys[0],
                    f"this is a policy file (it has {policy_keys[0]!r}), not waivers: pass it as a policy path",
                )
            )
            continue
        found = validate_document(doc, (), waivers=True)
        problems.extend(found)
        if found or not isinstance(doc.data, dict):
            continue
        for index, spec in enumerate(doc.data.get("waivers") or []):
            line = doc.line(("waivers", index))
            expires = None
            if "expires" in spec:
                try:
                    expires = parse_date(spec["expires"])
                except ValueError:
                    problems.append(
                        Problem(
                            doc.file,
                            doc.line(("waivers", index, "expires")),
                            "expires",
                            f"not a date: {spec['expires']!r}",
                        )
                    )
                    continue
            else:
                problems.append(
                    Problem(doc.file, line, "expires", "waiver has no expiry date; it will apply forever", warning=True)
                )
            waivers.append(
                Waiver(
                    check=str(spec["check"]),
                    resources=tuple(spec["resources"]),
                    reason=spec["reason"].strip(),
                    expires=expires,
                    file=doc.file,
                    line=line,
                    owner=spec.get("owner", ""),
                    ticket=spec.get("ticket", ""),
                )
            )
    return WaiverSet(tuple(waivers), tuple(doc.file for doc in docs)), problems


def load_waivers(paths: Sequence[str | Path]) -> WaiverSet:
    """Load waiver files; raise :class:`WaiverError` listing every problem."""
    docs: list[Document] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            doc = load_yaml(path, raw_strings=control_id_path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if doc.data is None:
            problems.append(Problem(str(path), 1, None, "empty waivers file"))
            continue
        docs.append(doc)
    waivers, found = waivers_from_documents(docs)
    errors = sorted(p for p in problems + found if not p.warning)
    if errors:
        raise WaiverError(errors)
    return waivers
