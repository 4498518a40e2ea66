"""What the commands share: their options, the plugin set, the source of the observation, outputs and the exit.

Reports go to stdout (or ``-o``/``--format NAME=PATH``); diagnostics, notes
and the final reason go to stderr, so JSON on stdout can be piped while a
person reads why the run exits as it does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn

import click

from unify._heap import collector_paused
from unify.checks.operators import suggest
from unify.checks.policy_set import PolicySet
from unify.errors import InputError, Problem
from unify.executors import LOCAL
from unify.model.time import parse_duration
from unify.observe.accounts import DEFAULT_ORG_ROLE
from unify.observe.progress import progress_for_stderr
from unify.plugins import Plugins
from unify.render.renderer import RenderOptions, render, stream_output, write_output
from unify.results import Gate, Results
from unify.run import Audit, Gating, Source, default_plugins

__all__ = [
    "accounts_options",
    "finish",
    "guard_outputs",
    "note",
    "observe_options",
    "pack_option",
    "parse_formats",
    "plugins",
    "print_columns",
    "progress",
    "source_from",
    "source_options",
    "split",
    "stdout_is_terminal",
    "write_reports",
]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def plugins() -> Plugins:
    """The plugin set every command uses (built once per process)."""
    return default_plugins()


def note(message: str) -> None:
    """One diagnostic line on stderr."""
    click.echo(f"unify: {message}", err=True)


def progress(asked: bool | None = None) -> Any:
    """The observation's progress on stderr: a bar on a terminal; elsewhere lines with --progress, else none."""
    return progress_for_stderr(asked)


def split(values: Sequence[str]) -> list[str]:
    """Options that take several values accept repeats and commas alike."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def print_columns(rows: Sequence[tuple[str, ...]]) -> None:
    """Rows on stdout in aligned columns, the first row a header; the last column is not padded."""
    if not rows:
        return
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])


def stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _apply(command: Callable[..., Any], options: Sequence[Decorator]) -> Callable[..., Any]:
    for option in reversed(options):
        command = option(command)
    return command


def pack_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """--pack NAME (repeatable): a shipped check pack added to the policy paths."""
    return click.option(
        "--pack",
        "packs",
        multiple=True,
        metavar="NAME",
        help="Add a shipped check pack (unify packs lists them); repeatable. Alone, only the packs named.",
    )(command)


def observe_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--regions, --profile, --types, --max-workers, --retry-mode: how a live observation runs."""
    return _apply(
        command,
        [
            click.option(
                "--regions",
                "regions",
                multiple=True,
                metavar="LIST",
                help="Regions to observe, comma-separated or repeated, or 'all' (default: the profile's region).",
            ),
            click.option("--profile", metavar="NAME", help="AWS profile to use (default: the usual boto3 chain)."),
            click.option(
                "--types",
                "types",
                multiple=True,
                metavar="LIST",
                help="Resource types to observe, comma-separated or repeated, or 'all' (default: what checks read).",
            ),
            click.option(
                "--max-workers",
                type=click.IntRange(1, 256),
                default=16,
                show_default=True,
                help="Collector tasks run at once.",
            ),
            click.option(
                "--retry-mode",
                type=click.Choice(["standard", "adaptive"]),
                default="standard",
                show_default=True,
                help="botocore retry mode for throttled or failed calls.",
            ),
        ],
    )


def accounts_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--accounts, --org and its filters, --executor, --workers: many accounts, and where they are observed."""
    return _apply(
        command,
        [
            click.option(
                "--accounts",
                "accounts_file",
                type=click.Path(),
                metavar="FILE",
                help="Observe the accounts of this YAML file (id, role_arn, regions, external_id, session_name), "
                "assuming each role.",
            ),
            click.option(
                "--org",
                is_flag=True,
                help="Observe the accounts of the AWS Organization (from its management or a delegated "
                "administrator account), assuming --org-role in each.",
            ),
            click.option(
                "--org-role",
                metavar="NAME",
                default=DEFAULT_ORG_ROLE,
                show_default=True,
                help="With --org: the role to assume in each account.",
            ),
            click.option(
                "--org-ou",
                "org_ous",
                multiple=True,
                metavar="OU_ID",
                help="With --org: only accounts under this organisational unit (at any depth); repeatable.",
            ),
            click.option(
                "--org-tag",
                "org_tags",
                multiple=True,
                metavar="KEY=VALUE",
                help="With --org: only accounts with this tag; repeatable (all must match).",
            ),
            click.option(
                "--executor",
                metavar="local|dask-local|dask://HOST:PORT",
                default=LOCAL,
                show_default=True,
                help="Where the units of the observation (and the evaluation, by account) run.",
            ),
            click.option(
                "--workers",
                type=click.IntRange(1, 256),
                default=2,
                show_default=True,
                help="With --executor dask-local: worker processes.",
            ),
            click.option(
                "--progress/--no-progress",
                "show_progress",
                default=None,
                help="Progress on stderr: accounts done of all, units, errors (default: only when stderr is a "
                "terminal; --progress writes one line per account done elsewhere, as in CI).",
            ),
        ],
    )


def _max_age(ctx: click.Context, param: click.Parameter, value: str | None) -> timedelta | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError:
        raise click.BadParameter(f"{value!r}: expected a number and m, h, d or w (4h, 30m)") from None


def limits_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--max-requests-per-second, --credential-report-max-age, --resume: limits for shared accounts, how old
    an IAM credential report may be, and a run that can be resumed."""
    return _apply(
        command,
        [
            click.option(
                "--credential-report-max-age",
                "credential_report_max_age",
                callback=_max_age,
                default=None,
                metavar="AGE",
                help="Read users' console password and MFA from IAM's credential report only when it is no older "
                "than AGE (30m, 4h; 0m: never), else ask each user (default: any report IAM serves, which makes "
                "a new one when the last is four hours old).",
            ),
            click.option(
                "--max-requests-per-second",
                "max_requests_per_second",
                type=click.IntRange(1, 100_000),
                default=None,
                metavar="N",
                help="At most N requests per second to each account, retries included (for accounts others use).",
            ),
            click.option(
                "--resume",
                "resume",
                type=click.Path(),
                metavar="DIR",
                help="With --accounts or --org: write each finished unit to DIR, and skip those already there.",
            ),
        ],
    )


def _tags(values: Sequence[str]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        key, sep, wanted = value.partition("=")
        if not sep or not key:
            raise click.UsageError(f"--org-tag {value!r}: expected KEY=VALUE")
        pairs.append((key, wanted))
    return tuple(pairs)


def source_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--snapshot, --plan, --live, --demo: where the one observation comes from."""
    return observe_options(
        _apply(
            command,
            [
                click.option(
                    "--snapshot",
                    "snapshot_path",
                    type=click.Path(),
                    metavar="FILE",
                    help="Snapshot to evaluate (.json or .json.gz).",
                ),
                click.option("--live", is_flag=True, help="Observe the estate now (AWS credentials), then evaluate."),
                click.option(
                    "--plan",
                    "plan_path",
                    type=click.Path(),
                    metavar="FILE",
                    help="Evaluate a plan (`terraform show -json plan.out`): what the change will create or update; "
                    "with --snapshot, --live or --demo, the estate as it will be after apply.",
                ),
                click.option(
                    "--demo",
                    is_flag=True,
                    help="Observe an embedded demo estate (moto, in this process), then evaluate.",
                ),
            ],
        )
    )


def source_from(
    *,
    snapshot_path: str | None = None,
    live: bool = False,
    plan_path: str | None = None,
    demo: bool = False,
    regions: Sequence[str] = (),
    profile: str | None = None,
    types: Sequence[str] = (),
    max_workers: int = 16,
    retry_mode: str = "standard",
    accounts_file: str | None = None,
    org: bool = False,
    org_role: str = DEFAULT_ORG_ROLE,
    org_ous: Sequence[str] = (),
    org_tags: Sequence[str] = (),
    executor: str = LOCAL,
    workers: int = 2,
    max_requests_per_second: int | None = None,
    credential_report_max_age: timedelta | None = None,
    resume: str | None = None,
) -> Source:
    """The :class:`unify.run.Source` the options name; a usage error unless exactly one is given.

    ``--accounts`` or ``--org`` is a live observation of many accounts.
    """
    if accounts_file and org:
        raise click.UsageError("give --accounts FILE or --org, not both")
    if not org and (org_ous or org_tags or org_role != DEFAULT_ORG_ROLE):
        raise click.UsageError("--org-role, --org-ou and --org-tag go with --org")
    if (accounts_file or org) and (snapshot_path or demo):
        raise click.UsageError("--accounts and --org observe live AWS: not with --snapshot or --demo")
    if resume and not (accounts_file or org):
        raise click.UsageError("--resume DIR goes with --accounts FILE or --org")
    live = live or bool(accounts_file) or org
    given = [value for value in (snapshot_path, live, demo) if value]
    if len(given) > 1 or not (given or plan_path):
        raise click.UsageError(
            "give exactly one observation to evaluate: --snapshot FILE, --plan FILE, --live or --demo "
            "(--plan FILE with one of the others evaluates the estate as it will be after apply)"
        )
    known = plugins().collectors.types()
    wanted = split(types)
    if wanted == ["all"]:
        wanted = list(known)
    for type_ in wanted:
        if type_ not in known:
            raise click.UsageError(f"no collector yields {type_!r}{suggest(type_, known)}")
    return Source(
        snapshot=snapshot_path,
        plan=plan_path,
        live=live,
        demo=demo,
        regions=tuple(split(regions)),
        profile=profile,
        types=tuple(wanted),
        max_workers=max_workers,
        retry_mode=retry_mode,
        accounts_file=accounts_file,
        org=org,
        org_role=org_role,
        org_ous=tuple(split(org_ous)),
        org_tags=_tags(org_tags),
        executor=executor,
        workers=workers,
        max_requests_per_second=max_requests_per_second,
        credential_report_max_age=credential_report_max_age,
        resume=resume,
    )


# -- outputs ----------------------------------------------------------------------------------------


def parse_formats(formats: Sequence[str], output: str | None) -> list[tuple[str, str | None]]:
    """``--format NAME[=PATH]`` (repeatable) and ``-o`` as (renderer, file or None for stdout) pairs."""
    renderers = plugins().renderers
    targets: list[tuple[str, str | None]] = []
    for spec in formats or ("table",):
        name, _, path = spec.partition("=")
        if name not in renderers:
            raise click.UsageError(f"unknown format {name!r}; choose from {', '.join(renderers.names())}")
        targets.append((name, path or None))
    unnamed = [i for i, (_, path) in enumerate(targets) if path is None]
    if len(unnamed) > 1:
        raise click.UsageError("several formats need a file each: --format NAME=PATH")
    if unnamed and output:
        name, _ = targets[unnamed[0]]
        targets[unnamed[0]] = (name, output)
    elif output:
        raise click.UsageError("-o/--output goes with a single --format NAME; use --format NAME=PATH for several")
    return targets


def _where(path: str) -> Path:
    """The file a path names; a symlink loop names itself (reading or writing it fails later, with a message)."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(path).absolute()


def guard_outputs(targets: Sequence[tuple[str, str | None]], inputs: Sequence[str]) -> None:
    """Refuse to write a report over a file the run reads: nothing the user had is lost."""
    sources = {_where(p) for p in inputs if p}
    for _, path in targets:
        if path and path != "-" and _where(path) in sources:
            raise InputError(
                Problem(path, None, "--output", "refusing to overwrite an input of this run with a report")
            )


def write_reports(
    results: Results,
    targets: Sequence[tuple[str, str | None]],
    gating: Gating,
    color: bool | None,
    *,
    source_root: str | None = None,
    summary: bool = False,
    pretty: bool = False,
    by_account: bool = False,
) -> None:
    """Render every requested format to its file or stdout (the table as its summary with ``summary``).

    Binary formats stream into their file (or stdout) as they render: the
    JSON of a large audit never sits whole in memory.
    """
    with collector_paused():  # rendering builds many acyclic containers too
        _write_each(
            results,
            targets,
            gating,
            color,
            source_root=source_root,
            summary=summary,
            pretty=pretty,
            by_account=by_account,
        )


def _write_each(
    results: Results,
    targets: Sequence[tuple[str, str | None]],
    gating: Gating,
    color: bool | None,
    *,
    source_root: str | None,
    summary: bool,
    pretty: bool,
    by_account: bool,
) -> None:
    loaded = plugins()
    renderers = loaded.renderers
    services = {type_: collector.service for collector in loaded.collectors for type_ in collector.types}
    for name, path in targets:
        to_terminal = path in (None, "-") and stdout_is_terminal()
        use_color = to_terminal and not os.environ.get("NO_COLOR") if color is None else color
        options = RenderOptions(
            fail_on=gating.fail_on,
            terminal=to_terminal,
            color=bool(use_color),
            new_only=gating.new_only,
            soft=gating.soft,
            source_root=source_root,
            summary=summary,
            services=services,
            pretty=pretty,
            by_account=by_account,
        )
        renderer = renderers[name]
        if renderer.binary:
            stream_output(renderer, results, options, path)
        else:
            write_output(render(renderer, results, options), path)


def finish(gate: Gate, *, audit: Audit | None = None, policy: PolicySet | None = None) -> NoReturn:
    """Print what the run has to say (warnings, expired waivers, baseline), then the gate, and exit with it."""
    policy = policy if policy is not None else audit.policy if audit is not None else None
    for warning in policy.warnings if policy is not None else ():
        note(str(warning))
    if audit is not None:
        for line in audit.notes:
            note(line)
        for use in audit.results.waivers:
            if use.status == "expired":
                note(
                    f"waiver expired {use.waiver.expires} at {use.waiver.location} ({use.waiver.check}): "
                    "it no longer applies"
                )
        if audit.results.baseline is not None:
            info = audit.results.baseline
            note(f"against {info.source}: {info.new} new, {info.existing} existing, {info.fixed} fixed")
    note(f"exit {gate.code}: {gate.reason}")
    sys.exit(gate.code)
