"""The corpus files too big to commit: deep nesting, huge numbers and strings, gzip bombs, oversized files.

``generate(folder)`` writes them under ``folder`` (a temporary folder the
test or the benchmark owns) with the same layout as the committed corpus
(``policy/``, ``waiver/``, ``snapshot/``, ``plan/``, ``state/`` for files that
must be refused, ``accepted/`` for hostile files that are valid and must be
read in bounded time), and returns one :class:`Case` per file: what the one
error line must say and on which line. Every file is built from the good
inputs in ``good/`` so that each is a near miss of a real one, wrong in
exactly one way.

Run it alone to look at the files: ``python tests/corpus/generate.py /tmp/corpus``.
"""

from __future__ import annotations

import copy
import gzip
import json
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOOD = HERE / "good"

#: How deep the hostile files nest: the depths the issue found ending as RecursionError.
POLICY_DEPTH = 10_000
SNAPSHOT_DEPTH = 5_000
DOCUMENT_DEPTH = 100_000
DIGITS = 100_000
HUGE_STRING = 1024 * 1024


@dataclass(frozen=True)
class Case:
    """One generated file and what unify must say about it (``accepted`` files must simply be read)."""

    path: str
    line: int | None = None
    says: str = ""
    env: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.path.split("/", 1)[0]


def _good(name: str) -> dict:
    return json.loads((GOOD / name).read_text(encoding="utf-8"))


#: Stands in a document for a deep value, replaced after dumping (``json.dumps`` itself would recurse too deep).
_DEEP = "@@deep@@"


def _nest(leaf: str, depth: int, key: str | None = "nested") -> str:
    """The JSON text of ``leaf`` nested ``depth`` objects (or lists, without a key) deep."""
    if key is None:
        return "[" * depth + leaf + "]" * depth
    return f'{{"{key}":' * depth + leaf + "}" * depth


def _with_deep(text: str, deep: str) -> str:
    return text.replace(json.dumps(_DEEP), deep, 1)


def _gzip_bomb(head: bytes, inflated: int) -> bytes:
    """``head`` then ``inflated`` bytes of spaces (JSON allows trailing whitespace), as gzip members.

    The same compressed megabyte repeated: a bomb of hundreds of megabytes
    costs a few hundred kilobytes and milliseconds to make, and without the
    inflation limit ``json`` would read it as the valid document in ``head``.
    """
    chunk = 1024 * 1024
    member = zlib.compressobj(9, zlib.DEFLATED, 31)
    spaces = member.compress(b" " * chunk) + member.flush()
    return gzip.compress(head, mtime=0) + spaces * (inflated // chunk)


def _policy(assertion: str, *, resource: str = "aws_ebs_volume", extra: str = "") -> str:
    return (
        "checks:\n  - id: ebs-encrypted\n    title: EBS volumes are encrypted\n    severity: high\n"
        f"    resource: {resource}\n    assert: {assertion}\n{extra}"
    )


def _write(folder: Path, path: str, data: bytes | str) -> None:
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def _json(document: object) -> str:
    """One line, as ``terraform show -json`` writes: the line of anything inside is 1."""
    return json.dumps(document, separators=(",", ":")) + "\n"


def generate(folder: Path, *, write: bool = True) -> list[Case]:
    """Write every generated file under ``folder`` (only build them, without ``write``); the cases, by path."""
    cases: list[Case] = []

    def add(path: str, data: bytes | str, line: int | None = None, says: str = "", **env: str) -> None:
        if write:
            _write(folder, path, data)
        cases.append(Case(path, line, says, env))

    # -- policies ----------------------------------------------------------------------------------
    leaf = "{encrypted: {eq: true}}"
    add("policy/deep-not-10000.yaml", _policy("{not: " * POLICY_DEPTH + leaf + "}" * POLICY_DEPTH), 6,
        "YAML nested deeper than 64 levels")
    add("policy/deep-all-10000.yaml", _policy("{all: [" * POLICY_DEPTH + leaf + "]}" * POLICY_DEPTH), 6,
        "YAML nested deeper than 64 levels")
    add("policy/deep-flow-sequence-100000.yaml", "checks: " + "[" * DOCUMENT_DEPTH + "]" * DOCUMENT_DEPTH + "\n", 1,
        "YAML nested deeper than 64 levels")
    block = "".join(f"{'  ' * (3 + n)}not:\n" for n in range(70)) + f"{'  ' * 73}encrypted: {{eq: true}}\n"
    # checks, 0, assert and 61 nots are 64 levels: the mapping under the 62nd, at line 7 + 62, is one too many.
    add("policy/deep-block-not-70.yaml", _policy("\n" + block), 69, "nested deeper than 64 levels")
    add("policy/huge-title-1mb.yaml", _policy(leaf).replace("EBS volumes are encrypted", "E" * HUGE_STRING), 3,
        f"a value of {HUGE_STRING:,} characters is longer than the 65,536 allowed")
    # A plain key stops at 1,024 characters (YAML's simple-key limit); an explicit `? key` does not.
    add("policy/huge-unknown-key-1mb.yaml", _policy(leaf, extra=f"    {'k' * HUGE_STRING}: 1\n"), 7,
        "YAML syntax error: could not find expected ':'")
    add("policy/huge-explicit-key-1mb.yaml", _policy(leaf, extra=f"    ? {'k' * HUGE_STRING}\n    : 1\n"), 7,
        "characters is longer than the 65,536 allowed")
    add("policy/huge-integer-100000-digits.yaml", _policy("{size: {le: " + "9" * DIGITS + "}}"), 6,
        f"a value of {DIGITS:,} characters is longer than the 65,536 allowed")
    add("policy/huge-integer-5000-digits.yaml", _policy("{size: {le: " + "9" * 5000 + "}}"), 6,
        "a number of 5,000 digits is longer than the 4,300 unify reads")
    add("policy/huge-file-over-2mb.yaml", _policy(leaf) + ("# padding\n" * (220 * 1024)), None,
        "file is larger than 2,097,152 bytes")
    # The mapping, its key and the list are 3 values: the 200,001st is the item on line 2 + 199,997.
    add("policy/many-values-210000.yaml", "checks:\n" + "  - c\n" * 210_000, 199_999,
        "YAML holds more than 200,000 values")

    # -- waivers -------------------------------------------------------------------------------------
    waiver = "waivers:\n  - check: s3-bucket-versioning\n    resources: {resources}\n    reason: {reason}\n"
    add("waiver/deep-resources-10000.yaml",
        waiver.format(resources="[" * POLICY_DEPTH + "x" + "]" * POLICY_DEPTH, reason="r"), 3,
        "YAML nested deeper than 64 levels")
    add("waiver/huge-reason-1mb.yaml", waiver.format(resources="['*']", reason="r" * HUGE_STRING), 4,
        "characters is longer than the 65,536 allowed")

    # -- snapshots -----------------------------------------------------------------------------------
    good = _good("snapshot.json")
    good.pop("digest")

    def snapshot(change: object) -> str:
        document = copy.deepcopy(good)
        change(document)  # type: ignore[operator]
        return _json(document)

    def attribute(value: object) -> object:
        return lambda d: d["resources"][0]["attributes"].__setitem__("block_device", value)

    add("snapshot/deep-attribute-5000.json", _with_deep(snapshot(attribute(_DEEP)), _nest("true", SNAPSHOT_DEPTH)), 1,
        "JSON nested deeper than 100 levels")
    add("snapshot/deep-attribute-101.json", _with_deep(snapshot(attribute(_DEEP)), _nest("true", 101 - 4)), 1,
        "JSON nested deeper than 100 levels")
    add("snapshot/deep-lists-100000.json", "[" * DOCUMENT_DEPTH + "]" * DOCUMENT_DEPTH + "\n", 1,
        "JSON nested deeper than 100 levels")
    deep_pretty = json.dumps(json.loads(_nest("1", 150)), indent=1) + "\n"
    add("snapshot/deep-pretty-150.json", deep_pretty, 101, "JSON nested deeper than 100 levels")
    add("snapshot/huge-integer-100000-digits.json",
        snapshot(lambda d: None).replace('"size":100', '"size":' + "7" * DIGITS), 1,
        f"a number of {DIGITS:,} digits is longer than the 4,300 unify reads")
    add("snapshot/huge-float-100000-digits.json",
        snapshot(lambda d: None).replace('"size":100', '"size":' + "7" * DIGITS + ".5"), 1,
        "is out of range")
    add("snapshot/huge-format-1mb.json", snapshot(lambda d: d.__setitem__("format", "u" * HUGE_STRING)), 1,
        "more characters)")
    add("snapshot/huge-taken-at-1mb.json", snapshot(lambda d: d.__setitem__("taken_at", "2" * HUGE_STRING)), 1,
        "does not match")
    head = (GOOD / "snapshot.json").read_bytes()
    add("snapshot/gzip-bomb-300mb.json.gz", _gzip_bomb(head, 300 * 1024 * 1024), None,
        "refusing a possible gzip bomb")
    add("snapshot/gzip-bomb-named-json.json", _gzip_bomb(head, 300 * 1024 * 1024), None,
        "refusing a possible gzip bomb")
    add("snapshot/over-input-limit.json", head, None, f"snapshot is {len(head):,} bytes, more than the 1,024 unify reads",
        UNIFY_MAX_INPUT_BYTES="1024")
    add("snapshot/gzip-inflates-over-input-limit.json.gz", gzip.compress(head, mtime=0), None,
        "refusing a possible gzip bomb", UNIFY_MAX_INPUT_BYTES="1024")

    # -- plans ----------------------------------------------------------------------------------------
    plan = _good("plan.json")

    def planned(change: object) -> str:
        document = copy.deepcopy(plan)
        change(document)  # type: ignore[operator]
        return _json(document)

    def after(value: object) -> object:
        return lambda d: d["resource_changes"][2]["change"]["after"].__setitem__("tags", value)

    add("plan/deep-after-100000.json", _with_deep(planned(after(_DEEP)), _nest('"x"', DOCUMENT_DEPTH)), 1,
        "JSON nested deeper than 100 levels")
    add("plan/deep-after-5000-lists.json", _with_deep(planned(after(_DEEP)), _nest('"x"', SNAPSHOT_DEPTH, None)), 1,
        "JSON nested deeper than 100 levels")
    add("plan/huge-integer-100000-digits.json", planned(lambda d: None).replace('"size":100', '"size":' + "1" * DIGITS),
        1, f"a number of {DIGITS:,} digits is longer than the 4,300 unify reads")
    add("plan/huge-format-version-1mb.json", planned(lambda d: d.__setitem__("format_version", "1" * HUGE_STRING)), 1,
        "more characters)")
    add("plan/gzip-bomb-300mb.json.gz", _gzip_bomb((GOOD / "plan.json").read_bytes(), 300 * 1024 * 1024), None,
        "refusing a possible gzip bomb")

    # -- states ---------------------------------------------------------------------------------------
    state = _good("state.tfstate")

    def stated(change: object) -> str:
        document = copy.deepcopy(state)
        change(document)  # type: ignore[operator]
        return _json(document)

    attributes = lambda value: lambda d: d["resources"][1]["instances"][0]["attributes"].__setitem__("tags", value)  # noqa: E731
    add("state/deep-attributes-100000.tfstate", _with_deep(stated(attributes(_DEEP)), _nest('"x"', DOCUMENT_DEPTH)), 1,
        "JSON nested deeper than 100 levels")
    add("state/huge-serial-100000-digits.tfstate", stated(lambda d: None).replace('"serial":17', '"serial":' + "3" * DIGITS),
        1, f"a number of {DIGITS:,} digits is longer than the 4,300 unify reads")
    add("state/huge-version-1mb.tfstate", stated(lambda d: d.__setitem__("version", "4" * HUGE_STRING)), 1,
        "more characters)")
    add("state/gzip-bomb-300mb.tfstate", _gzip_bomb((GOOD / "state.tfstate").read_bytes(), 300 * 1024 * 1024), None,
        "refusing a possible gzip bomb")

    # -- hostile but valid: read in bounded time, with a report ---------------------------------------------
    add("accepted/snapshot-depth-100.json", _with_deep(snapshot(attribute(_DEEP)), _nest("true", 100 - 4)))
    add("accepted/snapshot-attribute-1mb.json", snapshot(attribute("x" * HUGE_STRING)))
    add("accepted/snapshot-integer-4300-digits.json", snapshot(attribute(int("9" * 4300))))
    add("accepted/plan-one-line-terraform-layout.json", _json(plan))
    add("accepted/plan-tag-1mb.json", planned(after({"Name": "n" * HUGE_STRING})))
    add("accepted/snapshot-gzip-two-members.json.gz",
        gzip.compress(head[: len(head) // 2], mtime=0) + gzip.compress(head[len(head) // 2 :], mtime=0))
    return sorted(cases, key=lambda case: case.path)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/corpus/generate.py FOLDER")
    for case in generate(Path(sys.argv[1])):
        print(f"{case.path}\t{'-' if case.line is None else case.line}\t{case.says}")
