"""``unify drift``, ``unify diff`` and ``unify stack``: the views people read besides the audit table."""

from __future__ import annotations

import io
import json
import os

import click

from unify.checks.stack_description import load_stack_description, scope_to_stack, stack_checks
from unify.cli.options import (
    finish,
    guard_outputs,
    note,
    observe_options,
    pack_option,
    plugins,
    progress,
    source_from,
    source_options,
    split,
    stdout_is_terminal,
)
from unify.model.snapshot import load_snapshot
from unify.render.console import render_diff_table, render_drift_table
from unify.render.renderer import write_output
from unify.render.stack_report import render_stack_markdown, render_stack_table, stack_document
from unify.run import Source, load_policy, observe_source
from unify.run import audit as run_audit
from unify.terraform.state import read_state, state_resources
from unify.views.diff import diff_snapshots
from unify.views.stack import resource_sizes, stack_gate, stack_view
from unify.views.state_drift import default_ignore, drift

__all__ = ["diff_command", "drift_command", "stack_command"]


@click.command(name="drift")
@click.option(
    "--state",
    "state_location",
    required=True,
    metavar="FILE|s3://BUCKET/KEY",
    help="Terraform state: `terraform show -json` output or a raw terraform.tfstate (version 4).",
)
@click.option("--snapshot", "snapshot_path", type=click.Path(), metavar="FILE", help="The observation to compare with.")
@click.option("--live", is_flag=True, help="Observe the estate now instead of reading a snapshot.")
@observe_options
@click.option(
    "--accounts",
    "accounts",
    multiple=True,
    metavar="LIST",
    help="List unmanaged resources of these accounts only (default: the accounts the state manages); "
    "--regions and --types scope the list the same way (default: the state's regions, every type).",
)
@click.option(
    "--ignore",
    "ignores",
    multiple=True,
    metavar="TYPE.PATH",
    help="Also ignore this attribute path (TYPE may be '*'; globs allowed); repeatable.",
)
@click.option("--format", "format_", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write the report here instead of stdout.")
def drift_command(
    state_location: str,
    snapshot_path: str | None,
    live: bool,
    regions: tuple[str, ...],
    profile: str | None,
    types: tuple[str, ...],
    max_workers: int,
    retry_mode: str,
    accounts: tuple[str, ...],
    ignores: tuple[str, ...],
    format_: str,
    output: str | None,
) -> None:
    """Compare what Terraform state declares with what exists: missing, unmanaged, changed.

    Exit 1 on any difference; 3 when a resource could not be compared, or nothing was; 0 for no drift.
    """
    if (snapshot_path is None) == (not live):
        raise click.UsageError("give exactly one observation to compare with: --snapshot FILE or --live")
    loaded = plugins()
    types_known = loaded.collectors.resource_types()
    ignore = {k: list(v) for k, v in default_ignore(types_known).items()}
    for spec in ignores:
        type_, _, path = spec.partition(".")
        if not path:
            raise click.UsageError(f"--ignore takes TYPE.PATH, e.g. aws_s3_bucket.logging; got {spec!r}")
        ignore.setdefault(type_, []).append(path)
    document, name = read_state(state_location)
    unresolved: list[str] = []
    declared = state_resources(document, name, types_known, unresolved=unresolved)
    if output:
        guard_outputs([("drift", output)], [p for p in (snapshot_path, state_location) if p])
    source = source_from(
        snapshot_path=snapshot_path,
        live=live,
        regions=regions,
        profile=profile,
        types=types,
        max_workers=max_workers,
        retry_mode=retry_mode,
    )
    snapshot = observe_source(source, None, loaded, warn=note, progress=progress())
    scoped_regions = [r for r in split(regions) if r != "all"]
    report = drift(
        declared,
        snapshot,
        types=types_known,
        same=loaded.operators["same"],
        ignore=ignore,
        file=name,
        accounts=split(accounts) or None,
        regions=scoped_regions or None,
        scope_types=split(types) or None,
    )
    for warning in unresolved:
        note(f"warning: {warning}")
    if report.sensitive:
        note(
            f"not compared: {len(report.sensitive)} sensitive value(s) Terraform does not keep "
            f"({', '.join(report.sensitive[:3])}{', ...' if len(report.sensitive) > 3 else ''})"
        )
    if format_ == "json":
        data = (json.dumps(report.as_json(), indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n").encode()
    else:
        buffer = io.StringIO()
        render_drift_table(report, buffer, terminal=output is None and stdout_is_terminal())
        data = buffer.getvalue().encode("utf-8")
    write_output(data, output)
    finish(report.gate())


@click.command(name="diff")
@click.argument("base", type=click.Path())
@click.argument("current", type=click.Path())
@click.option("--format", "format_", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write the diff here instead of stdout.")
def diff_command(base: str, current: str, format_: str, output: str | None) -> None:
    """What changed between two snapshots: resources added, removed and changed, path by path (exit 1 if any)."""
    if output:
        guard_outputs([("diff", output)], [base, current])
    changes = diff_snapshots(load_snapshot(base), load_snapshot(current))
    if format_ == "json":
        data = (json.dumps(changes.as_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    else:
        buffer = io.StringIO()
        render_diff_table(changes, buffer, terminal=output is None and stdout_is_terminal())
        data = buffer.getvalue().encode("utf-8")
    write_output(data, output)
    finish(changes.gate())


@click.command(name="stack")
@click.argument("paths", nargs=-1, type=click.Path())
@pack_option
@source_options
@click.option(
    "--zenml",
    "zenml_path",
    type=click.Path(),
    metavar="FILE",
    help="A ZenML stack description (`zenml stack export` YAML or JSON): judge the resources it names, "
    "instead of the tag convention.",
)
@click.option(
    "--waivers", "waiver_paths", multiple=True, type=click.Path(), metavar="FILE", help="Waivers file; repeatable."
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["table", "json", "markdown"]),
    default="table",
    show_default=True,
    help="json writes unify.stack/v1; markdown suits a CI job summary.",
)
@click.option("-o", "--output", metavar="FILE", help="Write the report here instead of stdout.")
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: on for a terminal).")
def stack_command(
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
    zenml_path: str | None,
    waiver_paths: tuple[str, ...],
    format_: str,
    output: str | None,
    color: bool | None,
) -> None:
    """The deployment stack as a translation table: component -> what it replaces -> AWS resources -> status.

    Exit 1 when a component the stack uses is not met; 3 when one could not be decided; 0 otherwise.
    """
    source: Source = source_from(
        snapshot_path=snapshot_path,
        live=live,
        plan_path=plan_path,
        demo=demo,
        regions=regions,
        profile=profile,
        types=split(types),
        max_workers=max_workers,
        retry_mode=retry_mode,
    )
    if output:
        guard_outputs([("stack", output)], [p for p in (snapshot_path, plan_path, zenml_path, *paths) if p])
    loaded = plugins()
    policy = stack_checks(load_policy(paths, loaded, demo=demo, packs=packs, warn=note))
    scope = None
    if zenml_path:
        scope = scope_to_stack(policy, load_stack_description(zenml_path), loaded.operators)
        policy = scope.policy
    done = run_audit(policy, source, loaded, waiver_files=waiver_paths, warn=note, progress=progress())
    view = stack_view(done.results, sizes=resource_sizes(done.snapshot, done.results), scope=scope)
    if format_ == "json":
        data = (json.dumps(stack_document(view), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    elif format_ == "markdown":
        data = render_stack_markdown(view).encode("utf-8")
    else:
        terminal = output is None and stdout_is_terminal()
        buffer = io.StringIO()
        render_stack_table(
            view, buffer, terminal, color=terminal and not os.environ.get("NO_COLOR") if color is None else color
        )
        data = buffer.getvalue().encode("utf-8")
    write_output(data, output)
    finish(stack_gate(view.statuses()), audit=done)
