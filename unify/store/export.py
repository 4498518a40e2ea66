"""An evidence bundle: one run of the store as a zip an auditor reads offline, per control.

Markdown per control with the results and details behind its status, the
run's manifest, results, snapshot, policy and waiver files, and a
``SHA256SUMS`` file that ``sha256sum -c`` checks without unify.
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from pathlib import Path
from typing import Any

from unify._files import atomic_write
from unify.checks.operators import describe_value
from unify.errors import EvidenceError
from unify.store.store import EvidenceStore, Run

__all__ = ["export_run"]


def export_run(store: EvidenceStore, ref: str, framework: str, output: str | os.PathLike[str]) -> Path:
    """A zip an auditor can read offline: per-control evidence, the run's files and checksums."""
    run = store.run(ref)
    document = store.results_document(ref)
    frameworks = document.get("frameworks", {})
    if framework not in frameworks:
        known = ", ".join(sorted(frameworks)) or "none"
        raise EvidenceError(f"run {run.number} has no compliance results for {framework!r}; it has: {known}")
    files = _bundle(store, run, document, framework)
    checksums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items()))
    files["SHA256SUMS"] = checksums.encode("utf-8")

    def fill(handle: Any) -> None:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(files):
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, files[name])

    return atomic_write(output, fill)


def _bundle(store: EvidenceStore, run: Run, document: dict[str, Any], framework: str) -> dict[str, bytes]:
    """The files of an export: readable Markdown per control, and the raw evidence."""
    view = document["frameworks"][framework]
    results_by_check: dict[str, list[dict[str, Any]]] = {}
    for result in document["results"]:
        results_by_check.setdefault(result["check"], []).append(result)
    checks = {check["id"]: check for check in document.get("checks", [])}
    files: dict[str, bytes] = {}
    index = [
        f"# {view['title']} ({framework}) evidence, run {run.number}",
        "",
        f"- run manifest: `manifest.json`, SHA-256 `{run.hash}`",
        (
            f"- snapshot: `{run.manifest['snapshot']['digest']}`, taken {run.manifest['snapshot']['taken_at']} "
            f"({run.manifest['snapshot']['source']}, {run.manifest['snapshot']['resources']} resources)"
        ),
        (
            f"- recorded {run.manifest['recorded_at']} by {run.manifest['actor']['user']} "
            f"on {run.manifest['actor']['host']}"
        ),
        (
            f"- unify {run.manifest['tool']['version']}; policy repository commit "
            f"{(run.manifest.get('policy_repository') or {}).get('commit', 'not in git')}"
        ),
        "",
        "| control | title | status | checks |",
        "|---|---|---|---|",
    ]
    for control in view["controls"]:
        name = f"controls/{_safe(control['id'])}.md"
        index.append(
            f"| [{control['id']}]({name}) | {_cell(control['title'])} | {control['status']} | "
            f"{_cell(', '.join(control['checks'])) or 'none (manual)'} |"
        )
        lines = [f"# {control['id']}: {control['title']}", "", f"Status: **{control['status']}**", ""]
        if not control["checks"]:
            lines.append("No automated check maps to this control: it needs evidence gathered by hand.")
        for check_id in control["checks"]:
            check = checks.get(check_id, {})
            lines += [
                "",
                f"## Check `{check_id}`: {check.get('title', '')}",
                "",
                f"Severity {check.get('severity', '?')}, defined at {check.get('file')}:{check.get('line')}.",
                "",
            ]
            found = results_by_check.get(check_id, [])
            if not found:
                lines.append("No resources in scope: not applicable.")
            for result in found:
                lines.append(
                    f"- **{result['verdict']}** `{result['resource']}` ({result['type']}): {result['reason'] or 'ok'}"
                )
                for detail in result.get("details", []):
                    lines.append(
                        f"  - `{detail['path'] or '(resource)'}`: expected {detail['operator']} "
                        f"{describe_value(detail['expected'], 200)}, actual {describe_value(detail['actual'], 200)}"
                    )
            if check.get("remediation"):
                lines += ["", f"Remediation: {check['remediation']}"]
        files[name] = ("\n".join(lines) + "\n").encode("utf-8")
    files["manifest.json"] = store.read_run_bytes(f"runs/{run.number:08d}.json")
    files["results.json"] = store.object(run.manifest["results"]["object"])
    files["snapshot.json.gz"] = store.object(run.manifest["snapshot"]["object"])
    for entry in run.manifest.get("policies", []):
        files[f"policies/{_safe_path(entry['path'])}"] = store.object(entry["object"])
    for entry in run.manifest.get("waivers", []):
        files[f"waivers/{_safe_path(entry['path'])}"] = store.object(entry["object"])
    index += [
        "",
        "## Verifying this bundle",
        "",
        "Every file's SHA-256 is in `SHA256SUMS`: `sha256sum -c SHA256SUMS` checks them without unify.",
        (
            f"`manifest.json` hashes to `{run.hash}`; the results and snapshot objects it names are `results.json` and "
            "`snapshot.json.gz`. To check the whole chain of runs in the store this came from:"
        ),
        "",
        f"    unify evidence verify --store {store.location} --head {run.hash}",
        "",
        "(that checks every run up to this one; later runs are checked with the newest head).",
    ]
    files["README.md"] = ("\n".join(index) + "\n").encode("utf-8")
    return files


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.()-]", "_", name)


def _safe_path(path: str) -> str:
    parts = [p for p in Path(path).parts if p not in ("/", "..", ".")]
    return "/".join(_safe(p) for p in parts) or "file"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
