"""The action's inputs, checked before anything is installed (standard library only).

Reads the inputs from INPUT_* environment variables, as the action passes
them. On a mistake: prints a GitHub error annotation and one line on
stderr, writes a SARIF log whose only content is the error (so the upload
step that runs `if: always()` has a file to upload), sets the exit-code and
sarif-file outputs, and exits 2, as unify does for bad input. Otherwise
prints nothing and exits 0.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from sarif_error import write_error_log

SEVERITIES = ("info", "low", "medium", "high", "critical")
FLAGS = ("live", "org", "fail-on-new", "soft-fail", "annotations")


def _input(name: str) -> str:
    return os.environ.get("INPUT_" + name.upper().replace("-", "_"), "").strip()


def _words(name: str) -> list[str]:
    return _input(name).split()


def problems() -> list[str]:
    """Every mistake in the inputs, in the order of the inputs."""
    found = []
    if sys.version_info < (3, 11):
        found.append(f"python: unify needs Python 3.11 or newer, this is {sys.version.split()[0]}")
    for flag in FLAGS:
        if _input(flag) not in ("true", "false"):
            found.append(f"{flag}: must be true or false, not {_input(flag)!r}")
    sources = [name for name in ("plan", "snapshot") if _input(name)] + (["live"] if _input("live") == "true" else [])
    # An accounts file or the Organization is a live observation of many accounts.
    sources += (["accounts"] if _input("accounts") else []) + (["org"] if _input("org") == "true" else [])
    # A plan may also be applied to the live estate (live: "true" or live-snapshot): the estate after apply.
    overlay = sources == ["plan", "live"]
    if len(sources) != 1 and not overlay:
        given = ", ".join(sources) or "none"
        found.append(
            f"give exactly one of plan, snapshot or live: \"true\", or accounts or org: \"true\" (given: {given})"
        )
    if overlay and _input("live-snapshot"):
        found.append("live-snapshot: not with live: \"true\" (the plan is applied to one live estate)")
    if _input("live-snapshot") and not _input("plan"):
        found.append("live-snapshot: goes with plan (the plan is applied to that snapshot of the live estate)")
    if _input("org") != "true" and (_input("org-role") or _input("org-ou") or _input("org-tag")):
        found.append("org-role, org-ou and org-tag go with org: \"true\"")
    for tag in _words("org-tag"):
        if not re.fullmatch(r"[^=\s]+=\S*", tag):
            found.append(f"org-tag: {tag!r} is not KEY=VALUE")
    executor = _input("executor")
    if executor not in ("local", "dask-local") and not re.fullmatch(r"dask://[\w.-]+:\d+", executor):
        found.append(f"executor: must be local, dask-local or dask://HOST:PORT, not {executor!r}")
    for name in ("plan", "snapshot", "live-snapshot", "baseline", "accounts"):
        value = _input(name)
        if value and not Path(value).is_file():
            found.append(f"{name}: no such file: {value}")
    for name in ("policies", "waivers"):
        for value in _words(name):
            if not Path(value).exists():
                found.append(f"{name}: no such file or folder: {value}")
    for pack in _words("packs"):
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.:@+-]*", pack):
            found.append(f"packs: not a pack name: {pack!r}")
    if _input("fail-on") not in SEVERITIES:
        found.append(f"fail-on: must be one of {', '.join(SEVERITIES)}, not {_input('fail-on')!r}")
    if _input("fail-on-new") == "true" and not _input("baseline"):
        found.append("fail-on-new: needs a baseline")
    for extra in _words("extra-formats"):
        if not re.fullmatch(r"[A-Za-z0-9_-]+=\S+", extra):
            found.append(f"extra-formats: {extra!r} is not NAME=PATH")
    sarif = _input("sarif-file")
    if not sarif:
        found.append("sarif-file: must name a file")
    elif not Path(sarif).resolve().parent.is_dir():
        found.append(f"sarif-file: no such folder for {sarif}")
    root = _input("source-root")
    if _input("plan") and root and not Path(root).is_dir():
        found.append(f"source-root: no such folder: {root}")
    return found


def main() -> int:
    found = problems()
    if not found:
        return 0
    message = "; ".join(found)
    print(f"::error title=unify action inputs::{message.replace('%', '%25')}")
    print(f"unify: error: action inputs: {message}", file=sys.stderr)
    sarif = _input("sarif-file") or "unify.sarif"
    if Path(sarif).resolve().parent.is_dir():
        write_error_log(sarif, f"action inputs: {message}")
    with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as outputs:
        outputs.write(f"exit-code=2\nsarif-file={sarif}\n")
    return 2


if __name__ == "__main__":
    sys.exit(main())
