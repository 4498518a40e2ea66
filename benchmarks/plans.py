"""Corpus run: real Terraform plans and states through the importer and the shipped packs, as counts.

Gather ``terraform show -json`` plans (and states) from public projects into
a folder outside the repository, then run from the repository root::

    python benchmarks/plans.py /tmp/plans --states /tmp/states

Every ``*.json`` (and ``*.tfstate``) file under the folders is read; files
that are not Terraform plans or states are counted and skipped. It prints
Markdown: how many plans were read, refused or crashed; planned AWS
resource instances against what the import made of them (resources, side
resources folded into their object, side resources that could not be
placed, other providers' resources left out); the verdicts of the shipped
packs by kind of check; the exit codes a pre-merge gate would give; and the
results a plan cannot decide but a live observation of the same resources
would (the remaining disagreement with live), by reason.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from unify.checks.policy_set import load_policies, shipped_policies  # noqa: E402
from unify.errors import UnifyError  # noqa: E402
from unify.plugins import build_plugins  # noqa: E402
from unify.run import evaluate_snapshot  # noqa: E402
from unify.terraform.importer import load_plan, read_json_document  # noqa: E402
from unify.terraform.resources import is_aws  # noqa: E402
from unify.terraform.state import state_resources  # noqa: E402
from unify.terraform.values import AFTER_APPLY, with_markers  # noqa: E402
from unify.views.state_drift import state_checks  # noqa: E402

#: Why a result on a plan is unknown where a live observation would decide it, by the words of its reason.
REASONS = (
    ("known after apply", "computed at apply (live knows it once applied)"),
    ("only an observation reads it", "a fact only an observation reads"),
    ("may configure it", "a side resource that could not be placed"),
    ("sensitive in Terraform", "a sensitive value"),
    ("lists only what a plan or state manages", "an account-level count (a plan is a lower bound)"),
    ("not observed", "a type the plan does not contain"),
)


def _files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and (p.suffix in suffixes or "tfstate" in p.name))


def _planned_instances(document: Any) -> tuple[Counter[str], dict[str, tuple[str, Any]]]:
    """Managed instances a plan lists (by provider and what the plan does), and the kept AWS ones' types and values."""
    counts: Counter[str] = Counter()
    kept: dict[str, tuple[str, Any]] = {}
    for change in document.get("resource_changes") or []:  # the document was read as a plan: a mapping
        if not isinstance(change, dict) or change.get("mode", "managed") != "managed" or change.get("deposed"):
            continue
        type_ = str(change.get("type"))
        if not is_aws(type_, change.get("provider_name")):
            counts["other provider"] += 1
            continue
        actions = tuple((change.get("change") or {}).get("actions") or ())
        counts["delete" if actions == ("delete",) else "kept"] += 1
        if actions != ("delete",):
            detail = change.get("change") or {}
            values = with_markers(dict(detail.get("after") or {}), detail.get("after_unknown"), AFTER_APPLY)
            kept[str(change.get("address"))] = (type_, values)
    return counts, kept


def _reason_kind(reason: str) -> str:
    for words, kind in REASONS:
        if words in reason:
            return kind
    return "other"


def run_plans(folder: Path, out: list[str]) -> None:
    plugins = build_plugins(autoload=False)
    types = plugins.collectors.resource_types()
    policy = load_policies([shipped_policies()], operators=plugins.operators, frameworks=plugins.frameworks)
    files = _files(folder, (".json",))
    outcome: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    instances: Counter[str] = Counter()
    imported: Counter[str] = Counter()
    verdicts: Counter[tuple[str, str]] = Counter()
    exits: Counter[int] = Counter()
    undecided: Counter[str] = Counter()
    unknown_plans: Counter[str] = Counter()
    versions: Counter[str] = Counter()
    folded_types: Counter[str] = Counter()
    for path in files:
        try:
            document = read_json_document(path)
        except UnifyError:
            outcome["not JSON"] += 1
            continue
        if not isinstance(document, dict) or "format_version" not in document or "values" in document:
            outcome["not a plan (skipped)"] += 1
            continue
        try:
            snapshot = load_plan(path, plugins.plan_importers, types)
        except UnifyError as exc:
            outcome["refused (exit 2)"] += 1
            refused[str(exc).split(": ", 1)[-1][:80]] += 1
            continue
        except Exception:  # noqa: BLE001 - a crash is what this run exists to find, and count
            outcome["crashed"] += 1
            refused["crash: " + traceback.format_exc().strip().splitlines()[-1][:80]] += 1
            continue
        outcome["read"] += 1
        versions[str(document.get("format_version"))] += 1
        counts, kept = _planned_instances(document)
        instances.update(counts)
        made = {r["attributes"].get("terraform_address") for r in snapshot}
        unplaced = {str(line).split(":", 1)[0] for line in snapshot.stats.get("unresolved") or []}
        sides = {
            address
            for address, (type_, values) in kept.items()
            if any(fold.applies(values) for _, fold in types.folds(type_))
        }
        imported["became resources"] += len(made & set(kept))
        imported["side resources folded into their object"] += len(sides - unplaced)
        folded_types.update(kept[address][0] for address in sides - unplaced)
        imported["side resources not placed (warned, their targets' attribute unknown or left out)"] += len(
            sides & unplaced
        )
        imported["neither (a kept instance the import lost)"] += len(set(kept) - made - sides)
        imported["other providers' resources left out"] += sum((snapshot.stats.get("other_providers") or {}).values())
        results, _ = evaluate_snapshot(policy, snapshot)
        gate = results.gate("info")
        exits[gate.code] += 1
        if any(r.verdict == "unknown" for r in results):
            unknown_plans["plans with an unknown result"] += 1
        for result in results:
            verdicts[(result.kind, result.verdict)] += 1
            if result.verdict == "unknown":
                undecided[_reason_kind(result.reason)] += 1
    out += ["## Plans", "", f"{len(files)} JSON files under `{folder}`.", "", "| outcome | files |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in sorted(outcome.items())]
    if refused:
        out += ["", "| refused or crashed because | files |", "|---|---|"]
        out += [f"| {k} | {v} |" for k, v in refused.most_common()]
    out += ["", "| format_version | plans |", "|---|---|", *[f"| {k} | {v} |" for k, v in sorted(versions.items())]]
    out += ["", "| planned resource instances | count |", "|---|---|"]
    out += [f"| AWS, kept after apply | {instances['kept']} |", f"| AWS, deleted | {instances['delete']} |"]
    out += [f"| other providers | {instances['other provider']} |"]
    out += ["", "| what the import made of them | count |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in imported.items()]
    out += ["", "| side resources folded, by type | count |", "|---|---|"]
    out += [f"| `{k}` | {v} |" for k, v in sorted(folded_types.items(), key=lambda item: (-item[1], item[0]))]
    out += ["", "| check kind | pass | fail | unknown | error |", "|---|---|---|---|---|"]
    for kind in sorted({k for k, _ in verdicts}):
        row = [verdicts[(kind, v)] for v in ("pass", "fail", "unknown", "error")]
        out.append(f"| {kind} | " + " | ".join(str(n) for n in row) + " |")
    out += ["", "| pre-merge exit code | plans |", "|---|---|", *[f"| {k} | {v} |" for k, v in sorted(exits.items())]]
    out += ["", f"{unknown_plans['plans with an unknown result']} plans have at least one unknown result.", ""]
    out += ["| unknown on the plan, decided by a live observation | results |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in undecided.most_common()]


def run_states(folder: Path, out: list[str]) -> None:
    plugins = build_plugins(autoload=False)
    types = plugins.collectors.resource_types()
    outcome: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for path in _files(folder, (".json", ".tfstate")):
        try:
            document = read_json_document(path)
            unresolved: list[str] = []
            resources = state_resources(document, str(path), types, unresolved=unresolved)
        except UnifyError:
            outcome["refused (exit 2)"] += 1
            continue
        except Exception:  # noqa: BLE001 - counted, as above
            outcome["crashed"] += 1
            continue
        outcome["read"] += 1
        sensitive: list[str] = []
        checks, _ = state_checks(resources, types, plugins.operators["same"], sensitive=sensitive)
        counts["resources"] += len(resources)
        counts["compared (a type unify observes)"] += len(checks)
        counts["sensitive values not compared"] += len(sensitive)
        counts["side resources not placed"] += len(unresolved)
        counts["states comparing nothing (exit 3)"] += not checks
    out += ["", "## States", "", "| outcome | files |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in sorted(outcome.items())]
    out += ["", "| across the states read | count |", "|---|---|", *[f"| {k} | {v} |" for k, v in counts.items()]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plans", type=Path, help="folder of `terraform show -json` plans")
    parser.add_argument("--states", type=Path, help="folder of states (`terraform show -json` or terraform.tfstate)")
    args = parser.parse_args()
    out: list[str] = ["# unify on a corpus of real Terraform plans", ""]
    run_plans(args.plans, out)
    if args.states:
        run_states(args.states, out)
    print("\n".join(out))  # noqa: T201 - the report is the output


if __name__ == "__main__":
    main()
