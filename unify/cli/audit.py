"""``unify audit``, ``unify lint`` and ``unify schema``: judging an observation, and checking what judges it."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import timedelta

import click

from unify.checks.packs import shipped_catalogs, shipped_packs
from unify.checks.policy_set import lint_paths
from unify.checks.schema import SEVERITIES, policy_schema, waivers_schema
from unify.checks.waivers import waivers_from_documents
from unify.cli.options import (
    accounts_options,
    finish,
    guard_outputs,
    limits_options,
    note,
    pack_option,
    parse_formats,
    plugins,
    print_columns,
    progress,
    source_from,
    source_options,
    split,
    write_reports,
)
from unify.errors import EXIT_BAD_INPUT, Problem
from unify.model.snapshot import snapshot_schema
from unify.results import SnapshotInfo
from unify.run import Gating, audit, default_paths, load_policy
from unify.store.store import open_store
from unify.views.accounts import AccountFilter, narrow

__all__ = ["audit_command", "lint", "packs_command", "schema"]


@click.command(name="audit")
@click.argument("paths", nargs=-1, type=click.Path())
@pack_option
@source_options
@accounts_options
@limits_options
@click.option("--save-snapshot", metavar="FILE", help="With --live or --demo: also write the snapshot here.")
@click.option(
    "--waivers", "waiver_paths", multiple=True, type=click.Path(), metavar="FILE", help="Waivers file; repeatable."
)
@click.option("--framework", metavar="ID", help="Evaluate only checks mapped to this framework and show its controls.")
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="NAME[=PATH]",
    help="Output format: table, json, markdown, html, sarif, junit, github, ocsf, asff, csv or a plugin's "
    "(unify plugins); repeat as NAME=PATH for several.",
)
@click.option("-o", "--output", metavar="FILE", help="Write the report here instead of stdout.")
@click.option("--pretty", is_flag=True, help="Indent JSON output for people (default: compact, for tools).")
@click.option(
    "--summary/--full",
    "summary",
    default=None,
    help="The table as one screen (counts, worst checks, posture) or every finding with its fix "
    "(default: the summary for --demo without --format, else every finding).",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="info",
    show_default=True,
    help="Lowest severity whose failures (or unknowns) set the exit code.",
)
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: on for a terminal).")
@click.option(
    "--store",
    metavar="DIR|s3://BUCKET/PREFIX",
    help="Record this run (snapshot, policies, waivers, results, manifest) in an evidence store.",
)
@click.option(
    "--baseline",
    metavar="RESULTS.json|store:RUN",
    help="Mark findings new, existing or fixed against earlier results (a file, or a run of the store).",
)
@click.option("--fail-on-new", is_flag=True, help="Exit 1 only for failures the baseline did not have.")
@click.option(
    "--soft-fail", is_flag=True, help="Report findings and unknowns but exit 0 for them (bad input still exits 2)."
)
@click.option(
    "--source-root",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="The Terraform configuration's folder, so SARIF points plan findings at .tf files and lines.",
)
@click.option(
    "--only-account",
    "only_accounts",
    multiple=True,
    metavar="ID",
    help="Report (and gate on) only these accounts' results; repeatable or comma-separated. "
    "Results about no account in particular (a type not observed anywhere) are kept.",
)
@click.option(
    "--only-ou",
    "only_ous",
    multiple=True,
    metavar="OU_ID",
    help="Report only accounts under this organisational unit, at any depth (needs a snapshot from --org).",
)
@click.option(
    "--only-region",
    "only_regions",
    multiple=True,
    metavar="NAME",
    help="Report only results in this region (account-wide results are kept); repeatable or comma-separated.",
)
@click.option(
    "--by-account",
    is_flag=True,
    help="The table also shows the results and each framework's controls not met and unknown by account, "
    "OU (with --org) and region.",
)
def audit_command(
    paths: tuple[str, ...],
    packs: tuple[str, ...],
    snapshot_path: str | None,
    live: bool,
    plan_path: str | None,
    demo: bool,
    regions: tuple[str, ...],
    profile: str | None,
    types: tuple[str, ...],
    max_workers: int,
    retry_mode: str,
    accounts_file: str | None,
    org: bool,
    org_role: str,
    org_ous: tuple[str, ...],
    org_tags: tuple[str, ...],
    executor: str,
    workers: int,
    show_progress: bool | None,
    max_requests_per_second: int | None,
    credential_report_max_age: timedelta | None,
    resume: str | None,
    save_snapshot: str | None,
    waiver_paths: tuple[str, ...],
    framework: str | None,
    formats: tuple[str, ...],
    output: str | None,
    pretty: bool,
    summary: bool | None,
    fail_on: str,
    color: bool | None,
    store: str | None,
    baseline: str | None,
    fail_on_new: bool,
    soft_fail: bool,
    source_root: str | None,
    only_accounts: tuple[str, ...],
    only_ous: tuple[str, ...],
    only_regions: tuple[str, ...],
    by_account: bool,
) -> None:
    """Evaluate the checks under PATHS against one observation.

    Without PATHS: the policies/ folder here, else the shipped packs.
    """
    source = source_from(
        snapshot_path=snapshot_path,
        live=live,
        plan_path=plan_path,
        demo=demo,
        regions=regions,
        profile=profile,
        types=types,
        max_workers=max_workers,
        retry_mode=retry_mode,
        accounts_file=accounts_file,
        org=org,
        org_role=org_role,
        org_ous=org_ous,
        org_tags=org_tags,
        executor=executor,
        workers=workers,
        max_requests_per_second=max_requests_per_second,
        credential_report_max_age=credential_report_max_age,
        resume=resume,
    )
    if save_snapshot and not (source.live or demo):
        raise click.UsageError("--save-snapshot goes with --live or --demo")
    if fail_on_new and not baseline:
        raise click.UsageError("--fail-on-new needs --baseline RESULTS.json or --baseline store:RUN")
    targets = parse_formats(formats, output)
    loaded = plugins()
    policy = load_policy(paths, loaded, demo=demo, packs=packs, warn=note)
    inputs = [f.path for f in policy.files] + [*source.inputs, *waiver_paths]
    guard_outputs([*targets, ("snapshot", save_snapshot)], inputs)
    gating = Gating(fail_on=fail_on, new_only=fail_on_new, soft=soft_fail)
    opened = open_store(store) if store else None
    done = audit(
        policy,
        source,
        loaded,
        waiver_files=waiver_paths,
        framework=framework,
        baseline=baseline,
        store=opened,
        gating=gating,
        save_snapshot=save_snapshot,
        warn=note,
        progress=progress(show_progress),
    )
    if done.recorded is not None:
        note(f"recorded run {done.recorded.number} ({done.recorded.hash}) in {store}")
    only = AccountFilter(tuple(split(only_accounts)), tuple(split(only_ous)), tuple(split(only_regions)))
    if only:
        _check_filter(only, done.results.snapshot)
        # The reports and the exit code speak for the accounts asked about; the store keeps the whole run.
        narrowed = narrow(done.results, only)
        done = replace(done, results=narrowed, gate=gating.gate(narrowed))
    brief = summary if summary is not None else demo and not formats
    write_reports(
        done.results,
        targets,
        gating,
        color,
        source_root=source_root,
        summary=brief,
        pretty=pretty,
        by_account=by_account,
    )
    finish(done.gate, audit=done)


def _check_filter(only: AccountFilter, snapshot: SnapshotInfo) -> None:
    """Refuse a filter that names what the snapshot does not have: it would report nothing and look clean."""
    missing = sorted(set(only.accounts) - set(snapshot.accounts))
    if missing:
        raise click.UsageError(f"--only-account {', '.join(missing)}: not in the snapshot's accounts")
    if only.ous and not snapshot.organisation:
        raise click.UsageError("--only-ou needs a snapshot observed with --org (it records each account's OU)")
    known = {ou for account in snapshot.accounts for ou in snapshot.ou_ids(account)}
    unknown_ous = sorted(set(only.ous) - known)
    if unknown_ous:
        raise click.UsageError(f"--only-ou {', '.join(unknown_ous)}: no account of the snapshot is under it")
    wrong = sorted(set(only.regions) - set(snapshot.regions) - {"global"})
    if wrong:
        raise click.UsageError(f"--only-region {', '.join(wrong)}: not in the snapshot's regions")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@pack_option
@click.option(
    "--waivers",
    "waiver_paths",
    multiple=True,
    type=click.Path(),
    metavar="FILE",
    help="Waivers file to check against the checks; repeatable (waiver files among PATHS count too).",
)
@click.option("--strict", is_flag=True, help="Warnings are errors (exit 2): unknown types and attributes, too.")
def lint(paths: tuple[str, ...], packs: tuple[str, ...], waiver_paths: tuple[str, ...], strict: bool) -> None:
    """Validate policy and waiver files, reporting every problem with its line.

    Without PATHS: the policies/ folder here, else the shipped packs.
    Resource types and attributes no collector declares are warnings with a
    suggestion (errors with --strict).
    """
    loaded = plugins()
    chosen, default_note = default_paths(paths, packs)
    if default_note is not None:
        note(default_note)
    problems, policy, waiver_docs = lint_paths(
        [*chosen, *waiver_paths],
        operators=loaded.operators,
        frameworks=loaded.frameworks,
        types=loaded.collectors.resource_types(),
        catalogs=shipped_catalogs(),
    )
    waivers, waiver_problems = waivers_from_documents(waiver_docs)
    problems = problems + waiver_problems
    known = set(policy.ids)
    for waiver in waivers:
        if waiver.check not in known:
            problems.append(
                Problem(waiver.file, waiver.line, waiver.check, f"waiver names unknown check id {waiver.check!r}")
            )
    if strict:
        problems = [replace(p, warning=False) for p in problems]
    problems = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.message))
    errors = [p for p in problems if not p.warning]
    for problem in problems:
        click.echo(str(problem), err=True)
    files = len(policy.files)
    warnings = len(problems) - len(errors)
    if errors:
        click.echo(
            f"unify lint: {_count(len(errors), 'error')}, {_count(warnings, 'warning')} in {_count(files, 'file')}",
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)
    click.echo(
        f"unify lint: ok: {_count(len(policy.checks), 'check')}, "
        f"{_count(len(policy.frameworks), 'framework catalog')}, {_count(len(waivers), 'waiver')} "
        f"in {_count(files, 'file')}; {_count(warnings, 'warning')}",
        err=True,
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@click.command(name="packs")
def packs_command() -> None:
    """List the check packs and framework catalogs shipped with unify, with versions and counts."""
    packs = shipped_packs()
    rows = [("PACK", "VERSION", "CHECKS", "TITLE")]
    rows += [(pack.id, pack.version, str(pack.checks), pack.title) for pack in packs]
    print_columns(rows)
    click.echo()
    catalogs = sorted(shipped_catalogs(), key=lambda f: f.id)
    rows = [("FRAMEWORK", "VERSION", "CONTROLS", "TITLE")]
    rows += [(fw.id, fw.version, str(len(fw.controls)), fw.title) for fw in catalogs]
    print_columns(rows)
    click.echo(
        "\nWithout PATHS and without a policies/ folder, audit, lint, observe, stack and watch use every pack; "
        "--pack NAME adds one to your own folders. The catalogs are always known."
    )


@click.command()
@click.option(
    "--kind",
    type=click.Choice(["policy", "waivers", "snapshot"]),
    default="policy",
    show_default=True,
    help="Which file format's JSON Schema to print.",
)
def schema(kind: str) -> None:
    """Print a JSON Schema (policy files by default), for editors and CI."""
    if kind == "policy":
        document = policy_schema(plugins().operators)
    elif kind == "waivers":
        document = waivers_schema()
    else:
        document = snapshot_schema()
    click.echo(json.dumps(document, indent=2, sort_keys=True))
