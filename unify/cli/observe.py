"""``unify observe``, ``unify types``, ``unify checks`` and ``unify plugins``: a snapshot, and what is covered."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from typing import Any

import click

from unify.checks.inventory import check_entries, framework_coverage
from unify.checks.packs import shipped_catalogs
from unify.cli.options import (
    accounts_options,
    limits_options,
    note,
    observe_options,
    pack_option,
    plugins,
    print_columns,
    progress,
    source_from,
)
from unify.model.snapshot import dump_snapshot, write_snapshot
from unify.render.reference import checks_json, coverage_markdown, reference_markdown, types_json
from unify.results import decide
from unify.run import load_policy, observe_source

__all__ = ["checks_command", "observe_command", "plugins_command", "types_command"]


@click.command(name="observe")
@click.argument("paths", nargs=-1, type=click.Path())
@pack_option
@observe_options
@accounts_options
@limits_options
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    default="-",
    show_default=True,
    help="Where to write the snapshot (.json or .json.gz); - for stdout.",
)
def observe_command(
    paths: tuple[str, ...],
    packs: tuple[str, ...],
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
    output: str,
) -> None:
    """Observe the AWS estate into a snapshot: only what the checks read (or --types).

    The checks are those under PATHS; without PATHS, the policies/ folder
    here, else the shipped packs.
    """
    source = source_from(
        live=True,
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
    loaded = plugins()
    policy = None if types else load_policy(paths, loaded, packs=packs, warn=note)
    snapshot = observe_source(source, policy, loaded, warn=note, progress=progress(show_progress))
    if output == "-":
        dump_snapshot(snapshot, sys.stdout.buffer)
        sys.stdout.flush()
    else:
        write_snapshot(snapshot, output)
    gaps = sum(1 for c in snapshot.coverage if c["status"] == "error")
    gate = decide(
        unknown=f"{gaps} coverage entries in error: the snapshot is incomplete" if gaps else None, clean="observed"
    )
    sys.exit(gate.code)


@click.command(name="types")
@click.option(
    "--format", "format_", type=click.Choice(["table", "markdown", "json"]), default="table", show_default=True
)
def types_command(format_: str) -> None:
    """List the resource types unify can observe, with their collectors and AWS calls."""
    registry = plugins().collectors
    if format_ == "markdown":
        click.echo(reference_markdown(registry), nl=False)
        return
    if format_ == "json":
        click.echo(json.dumps({"types": types_json(registry)}, indent=2, sort_keys=True))
        return
    rows = [("TYPE", "COLLECTOR", "SCOPE", "AWS CALLS")]
    for collector in sorted(registry, key=lambda c: c.name):
        rows.extend((type_, collector.name, collector.scope, ", ".join(collector.calls)) for type_ in collector.types)
    print_columns(rows)


@click.command(name="checks")
@click.argument("paths", nargs=-1, type=click.Path())
@pack_option
@click.option(
    "--format", "format_", type=click.Choice(["table", "markdown", "json"]), default="table", show_default=True
)
def checks_command(paths: tuple[str, ...], packs: tuple[str, ...], format_: str) -> None:
    """List the checks with their types, controls and whether a Terraform plan can decide them.

    Without PATHS: the policies/ folder here, else the shipped packs. The
    markdown format is the coverage page (docs/coverage.md), with a table per
    framework of the controls the checks decide.
    """
    loaded = plugins()
    policy = load_policy(paths, loaded, packs=packs, warn=note)
    types = loaded.collectors.resource_types()
    entries = check_entries(policy, types)
    coverage = framework_coverage(entries, [*shipped_catalogs(), *policy.frameworks.values()])
    if format_ == "json":
        click.echo(json.dumps(checks_json(entries, coverage), indent=2, sort_keys=True))
        return
    if format_ == "markdown":
        click.echo(coverage_markdown(entries, coverage, types_json(loaded.collectors)), nl=False)
        return
    rows = [("CHECK", "SEVERITY", "TYPES", "FRAMEWORKS", "PLAN")]
    rows += [
        (
            entry.check.id,
            entry.check.severity,
            ",".join(entry.check.types),
            ",".join(sorted(entry.check.controls)),
            "yes" if entry.plan else "no",
        )
        for entry in entries
    ]
    print_columns(rows)
    click.echo(
        f"\n{len(entries)} checks, {sum(1 for e in entries if e.plan)} decidable from a Terraform plan",
    )


@click.command(name="plugins")
def plugins_command() -> None:
    """List loaded plugins and what each contributes."""
    loaded = plugins()
    rows: dict[str, list[str]] = {}
    registries: tuple[tuple[str, Any], ...] = (
        ("operator", loaded.operators),
        ("renderer", loaded.renderers),
        ("framework", loaded.frameworks),
        ("collector", loaded.collectors),
        ("plan importer", loaded.plan_importers),
    )
    for kind, registry in registries:
        for name in registry.names():
            rows.setdefault(registry.owner(name), []).append(f"{kind} {name}")
    for plugin in loaded.names():
        contributions = rows.get(plugin, [])
        click.echo(f"{plugin}: {', '.join(contributions) if contributions else '(hooks only)'}")
