"""A SARIF 2.1.0 log for a run that found nothing because it could not run (standard library only).

Code scanning's upload step runs `if: always()`; when unify exits 2 on bad
input before writing its report, this log takes the report's place: one run
of the tool ``unify`` with no results, marked as not successful, and the
error as a tool execution notification, so the failure shows in code
scanning instead of breaking the upload.

Usage: ``python sarif_error.py FILE MESSAGE``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def error_log(message: str) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "unify", "rules": []}},
                "invocations": [
                    {
                        "executionSuccessful": False,
                        "exitCode": 2,
                        "toolExecutionNotifications": [{"level": "error", "message": {"text": message}}],
                    }
                ],
                "results": [],
            }
        ],
    }


def write_error_log(path: str, message: str) -> None:
    Path(path).write_text(json.dumps(error_log(message), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_error_log(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "unify did not run")
