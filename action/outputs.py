"""The action's outputs from this run's results document (standard library only).

Usage: ``python outputs.py RESULTS.json`` appends ``failed=``, ``passed=``,
``unknown=``, ``waived=`` and ``new=`` lines for GITHUB_OUTPUT to stdout;
when this run wrote no results (bad input), every count is empty, never a
previous run's.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

COUNTS = (("failed", "fail"), ("passed", "pass"), ("unknown", "unknown"), ("waived", "waived"))


def main(path: str) -> None:
    results = Path(path)
    document = json.loads(results.read_text(encoding="utf-8")) if results.is_file() else None
    summary = document["summary"] if document else {}
    for output, verdict in COUNTS:
        print(f"{output}={summary.get(verdict, '')}")
    baseline = document.get("baseline") if document else None
    print(f"new={baseline['new'] if baseline else ''}")


if __name__ == "__main__":
    main(sys.argv[1])
