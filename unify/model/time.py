"""Timestamps and durations, always in UTC.

Checks that mention time compare against the snapshot's ``taken_at``, never
the wall clock, so parsing lives in one place and refuses naive times.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

__all__ = ["format_timestamp", "parse_date", "parse_duration", "parse_timestamp", "utcnow"]

_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_timestamp(text: str) -> datetime:
    """Parse ISO 8601; a value without an offset is taken as UTC.

    Raises ``ValueError`` when ``text`` is not a timestamp.
    """
    if not isinstance(text, str):
        raise ValueError(f"not a timestamp: {text!r}")
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_timestamp(moment: datetime) -> str:
    """The one way unify writes a time: UTC, seconds, ``Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_duration(text: str) -> timedelta:
    """``N`` followed by ``m``, ``h``, ``d`` or ``w``; ``ValueError`` otherwise."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"not a duration (N followed by m, h, d or w): {text!r}")
    amount, unit = match.groups()
    return timedelta(**{_UNITS[unit]: int(amount)})


def parse_date(text: str) -> date:
    """A calendar date ``YYYY-MM-DD`` (a timestamp is cut to its UTC date)."""
    value = str(text).strip()
    if len(value) == 10:
        return date.fromisoformat(value)
    return parse_timestamp(value).date()
