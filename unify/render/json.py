"""The ``unify.results/v1`` document: every result, the summary and each framework's posture, as JSON.

Other tools and the tests rely on this document (DESIGN.md, results), and
the evidence store keeps it for every recorded run. It is made from the
results and their views only, with sorted keys, so equal inputs give equal
bytes.

The output is compact by default and streamed: the results, which are most
of it (a 100k-resource audit has some 170k), are turned into JSON a slice at
a time by orjson, so the document never exists whole in memory, neither as
dictionaries nor as text. The standard library's encoder with ``indent=2``
runs in pure Python: a profile of the 100k audit spent 92 of its 140
seconds there, and the whole-document copies were most of the 10 GB a
million resources took. ``--pretty`` keeps the indented form for people.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, Final

import orjson

from unify.checks.policy_set import Check
from unify.render.renderer import RenderOptions
from unify.results import NO_NOTES, Result, Results
from unify.views.accounts import grouped_json, spans_accounts
from unify.views.compliance import ComplianceView, ControlStatus, compliance_view
from unify.views.drift import drift_view

__all__ = ["RESULTS_FORMAT", "render_json", "results_chunks", "results_document", "results_json"]

RESULTS_FORMAT: Final = "unify.results/v1"
#: Results turned into JSON at once when streaming: bounds the memory the output takes.
_SLICE: Final = 4096
#: orjson writes what ``json.dumps(..., sort_keys=True, default=str)`` would: datetimes and dataclasses through str.
_ORJSON: Final = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


@dataclass(frozen=True)
class _Items:
    """A JSON array written a slice at a time: ``make`` of each item of ``source``, never all at once.

    ``text``, when given, writes a slice of items as compact JSON itself,
    equal to ``make``'s of each turned into JSON and joined by commas; the
    indented document still uses ``make``.
    """

    source: Sequence[Any]
    make: Callable[[Any], Any]
    text: Callable[[Sequence[Any]], bytes] | None = None


class _Pieces(dict[Any, bytes]):
    """Text made once for each key it is asked for: ``make(key)``, kept."""

    def __init__(self, make: Callable[[Any], bytes]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: Any) -> bytes:
        text = self[key] = self.make(key)
        return text


class _ResultText:
    """Each result's compact JSON put together from pieces, never from a dict of its fields.

    A result has thirteen keys, and the 100k audit has 466,707 results:
    building each one's dict and turning it into JSON took 1.9 of the 2.3
    CPU seconds of its compact output. Most of what a result says is the
    same for many: its check, controls and kind; its severity, type and
    verdict; its account, region and reason (6,469 distinct reasons at
    100k); and a recalled judgement shares its details. Those pieces are
    made once and kept for the length of one document, the details for one
    slice of it (a check's results are side by side, and keeping every
    result's details text to the end would hold as much again as the
    results); only the resource, name and address are written for each
    result, the name and resource by orjson's call itself (through
    :func:`_compact` they cost 0.07 of the 0.65 CPU s of the 100k audit's
    results, for options a string does not need). The keys are in sorted
    order, so the bytes are those of ``Result.as_json`` with sorted keys (a
    test holds the two to it). A
    result with notes (a waiver, a baseline's mark, an origin) is written
    from its dict.
    """

    def __init__(self) -> None:
        self.accounts = _Pieces(lambda account: b'{"account":' + _compact(account))
        self.checks: dict[str, tuple[Any, bytes]] = {}
        self.details: dict[int, tuple[Any, bytes]] = {}
        self.kinds = _Pieces(lambda kind: _member("kind", kind) + b',"name":')
        self.reasons = _Pieces(lambda reason: _member("reason", reason))
        self.regions = _Pieces(lambda region: _member("region", region) + b',"resource":')
        self.tails = _Pieces(
            lambda tail: _member("severity", tail[0]) + _member("type", tail[1]) + _member("verdict", tail[2]) + b"}"
        )

    def __call__(self, results: Sequence[Result]) -> bytes:
        """The results of one slice, each as JSON, with commas between them."""
        try:
            return b",".join(map(self.one, results))
        except orjson.JSONEncodeError:
            # A name or id orjson will not write as it is (not a string): each the way _compact writes it.
            return b",".join(map(self.carefully, results))
        finally:
            self.details.clear()

    def carefully(self, result: Result) -> bytes:
        return self.one(result, _compact)

    def one(self, result: Result, text: Callable[[Any], bytes] = orjson.dumps) -> bytes:
        """One result's JSON; ``text`` writes its name and id (orjson's own call: no options, nothing to sort)."""
        (check, resource, type_, verdict, reason, severity, controls, kind, account, region, name, address,
         details, notes) = result  # fmt: skip
        if notes is not NO_NOTES:
            return _compact(result.as_json())
        held = self.checks.get(check)
        if held is None or held[0] is not controls:
            listed = {fw: list(ids) for fw, ids in controls.items()}
            held = self.checks[check] = (controls, _member("check", check) + _member("controls", listed))
        details_text = b""
        if details:
            # A recalled judgement's details are shared. Keeping the tuple keeps its id from being another's.
            shared = self.details.get(id(details))
            if shared is None:
                shared = self.details[id(details)] = (details, _member("details", [d.as_json() for d in details]))
            details_text = shared[1]
        return b"".join(
            (
                self.accounts[account],
                _member("address", address) if address else b"",
                held[1],
                details_text,
                self.kinds[kind],
                b"null" if name is None else text(name),
                self.reasons[reason],
                self.regions[region],
                text(resource),
                self.tails[severity, type_, verdict],
            )
        )


def _member(key: str, value: Any) -> bytes:
    """``,"key":value``: one member of an object after its first."""
    return b',"' + key.encode() + b'":' + _compact(value)


def _framework(view: ComplianceView) -> dict[str, Any]:
    """A framework's ``as_json``, its controls (each listing the results that decided it) left to stream."""
    return {**view.as_json(with_controls=False), "controls": _Items(view.controls, ControlStatus.as_json)}


def _parts(results: Results) -> dict[str, Any]:
    """The document's keys, with the results and the frameworks' controls (most of it) as :class:`_Items`."""
    views = {fw: compliance_view(results, fw) for fw in results.framework_ids}
    return {
        "format": RESULTS_FORMAT,
        "snapshot": results.snapshot.as_json(),
        "results": _Items(results.results, Result.as_json, _ResultText()),
        "summary": results.summary(),
        "compliance": {fw: view.statuses() for fw, view in views.items()},
        "frameworks": {fw: _framework(view) for fw, view in views.items()},
        "drift": [record.as_json() for record in drift_view(results)],
        "checks": [_check_json(check) for check in results.policy.checks],
        "waivers": [use.as_json() for use in results.waivers],
        "coverage_errors": list(results.snapshot.coverage_errors),
        **({"baseline": results.baseline.as_json()} if results.baseline is not None else {}),
        # Many accounts: the results and each framework's posture by account, OU (from --org) and region.
        **(grouped_json(results) if spans_accounts(results) else {}),
    }


def _whole(value: Any) -> Any:
    """``value`` with every :class:`_Items` made a list: the document as one object."""
    if isinstance(value, _Items):
        return [value.make(item) for item in value.source]
    if type(value) is dict:
        return {key: _whole(item) for key, item in value.items()}
    return value


def results_document(results: Results) -> dict[str, Any]:
    """The ``unify.results/v1`` document of one result set."""
    document: dict[str, Any] = _whole(_parts(results))
    return document


def _compact(value: Any) -> bytes:
    """``value`` as compact JSON with sorted keys; the standard library where orjson cannot (integers past 64 bits)."""
    try:
        return orjson.dumps(value, default=str, option=_ORJSON)
    except orjson.JSONEncodeError:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
        return text.encode("utf-8")


def _stream(value: Any) -> Iterator[bytes]:
    """``value`` as compact JSON in pieces: objects holding :class:`_Items` key by key, the items by slices."""
    if isinstance(value, _Items):
        yield b"["
        text = value.text
        for start in range(0, len(value.source), _SLICE):
            items = value.source[start : start + _SLICE]
            piece = text(items) if text else _compact([value.make(item) for item in items])[1:-1]
            yield (b"," if start else b"") + piece
        yield b"]"
    elif type(value) is dict and any(type(item) is dict or isinstance(item, _Items) for item in value.values()):
        for index, key in enumerate(sorted(value)):
            yield (b"{" if not index else b",") + _compact(key) + b":"
            yield from _stream(value[key])
        yield b"}" if value else b"{}"
    else:
        yield _compact(value)


def results_chunks(results: Results) -> Iterator[bytes]:
    """The compact document in pieces, keys sorted, the results a slice at a time."""
    yield from _stream(_parts(results))
    yield b"\n"


def results_json(results: Results, *, pretty: bool = False) -> str:
    """The document as text: compact, or indented with ``pretty``; sorted keys, so equal inputs give equal bytes."""
    if pretty:
        return json.dumps(results_document(results), sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n"
    return b"".join(results_chunks(results)).decode("utf-8")


def render_json(results: Results, stream: IO[bytes], options: RenderOptions) -> None:
    if options.pretty:
        stream.write(results_json(results, pretty=True).encode("utf-8"))
        return
    for chunk in results_chunks(results):
        stream.write(chunk)


def _check_json(check: Check) -> dict[str, Any]:
    return {
        "id": check.id,
        "title": check.title,
        "severity": check.severity,
        "kind": check.kind,
        "resource_types": list(check.types),
        "controls": {fw: list(ids) for fw, ids in check.controls.items()},
        "remediation": check.remediation,
        "description": check.description,
        "labels": dict(check.labels),
        "file": check.file,
        "line": check.line,
    }
