"""The ``unify`` command line: thin over the library, strict about exit codes.

Exit codes (DESIGN.md): 0 clean, 1 findings at or above ``--fail-on``,
2 bad input or usage, 3 observation incomplete and nothing failed. Reports
go to stdout (or ``-o``); diagnostics and the final reason go to stderr.
Every :class:`UnifyError` becomes one line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from unify import __version__
from unify._policy_schema import SEVERITIES, policy_schema, waivers_schema
from unify.checks import PolicySet, lint_paths, load_policies, shipped_policies
from unify.errors import EXIT_BAD_INPUT, InputError, Problem, UnifyError
from unify.evaluation import evaluate
from unify.plugins import get_plugins
from unify.renderers import RenderOptions, render, write_output
from unify.results import Results
from unify.snapshot import Snapshot, dump_snapshot, load_snapshot, snapshot_schema, write_snapshot
from unify.waivers import WaiverSet, load_waivers, waivers_from_documents

__all__ = ["main"]


class _Group(click.Group):
    """Turns unify's own errors into one stderr line and their exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UnifyError as exc:
            _fail(str(exc), exc.exit_code, getattr(exc, "problems", None))
        except KeyboardInterrupt:
            click.echo("unify: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - a bug, reported without a traceback unless asked
            if os.environ.get("UNIFY_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (set UNIFY_DEBUG=1 for a traceback)", EXIT_BAD_INPUT)


def _fail(message: str, code: int, problems: Sequence[Problem] | None = None) -> NoReturn:
    if problems and len(problems) > 1:
        for problem in problems:
            click.echo(f"unify: error: {problem}", err=True)
    else:
        click.echo(f"unify: error: {message}", err=True)
    sys.exit(code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="unify")
def main() -> None:
    """One observation, one set of checks: drift, policy and compliance from the same verdicts."""


def _parse_formats(formats: Sequence[str], output: str | None) -> list[tuple[str, str | None]]:
    renderers = get_plugins().renderers
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


def _guard_outputs(targets: list[tuple[str, str | None]], inputs: Sequence[str]) -> None:
    """Refuse to write a report over a file the run reads: nothing the user had is lost."""
    sources = {Path(p).resolve() for p in inputs if p}
    for _, path in targets:
        if path and path != "-" and Path(path).resolve() in sources:
            raise InputError(Problem(path, None, "--output", "refusing to overwrite an input of this run with a report"))


def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def emit(results: Results, targets: list[tuple[str, str | None]], fail_on: str, color: bool | None,
         *, new_only: bool = False, soft: bool = False, source_root: str | None = None) -> None:
    """Render every requested format to its file or stdout."""
    renderers = get_plugins().renderers
    for name, path in targets:
        to_terminal = path in (None, "-") and _stdout_is_terminal()
        use_color = to_terminal and not os.environ.get("NO_COLOR") if color is None else color
        options = RenderOptions(fail_on=fail_on, terminal=to_terminal, color=bool(use_color), new_only=new_only,
                                soft=soft, source_root=source_root)
        write_output(render(renderers[name], results, options), path)


def _split(values: Sequence[str]) -> list[str]:
    """Options that take several values accept repeats and commas alike."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _observe_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--regions", "regions", multiple=True, metavar="LIST",
                     help="Regions to observe, comma-separated or repeated, or 'all' (default: the profile's region)."),
        click.option("--profile", metavar="NAME", help="AWS profile to use (default: the usual boto3 chain)."),
        click.option("--types", "types", multiple=True, metavar="LIST",
                     help="Resource types to observe, comma-separated or repeated (default: what the checks read)."),
        click.option("--max-workers", type=click.IntRange(1, 256), default=16, show_default=True,
                     help="Collector tasks run at once."),
        click.option("--retry-mode", type=click.Choice(["standard", "adaptive"]), default="standard", show_default=True,
                     help="botocore retry mode for throttled or failed calls."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _observe(types: list[str] | None, regions: Sequence[str], profile: str | None, max_workers: int,
             retry_mode: str, endpoint_url: str | None = None, boto_session: Any = None) -> Snapshot:
    from unify._progress import progress_for_stderr  # noqa: PLC0415
    from unify.observation import ObserveOptions, observe  # noqa: PLC0415

    options = ObserveOptions(regions=_split(regions) or None, max_workers=max_workers, retry_mode=retry_mode,
                             endpoint_url=endpoint_url)
    known = get_plugins().collectors.types()
    for type_ in types or []:
        if type_ not in known:
            from unify.operators import suggest  # noqa: PLC0415

            raise click.UsageError(f"no collector yields {type_!r}{suggest(type_, known)}")
    snapshot = observe(types, options=options, profile=profile, boto_session=boto_session,
                       progress=progress_for_stderr(), warn=lambda message: click.echo(f"unify: {message}", err=True))
    gaps = [c for c in snapshot.coverage if c["status"] == "error"]
    stats = snapshot.stats
    click.echo(
        f"unify: observed {len(snapshot)} resources in {stats.get('duration_seconds')}s with {stats.get('api_calls')} "
        f"API calls; {len(gaps)} of {len(snapshot.coverage)} coverage entries in error",
        err=True,
    )
    return snapshot


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@_observe_options
@click.option("-o", "--output", metavar="FILE", default="-", show_default=True,
              help="Where to write the snapshot (.json or .json.gz); - for stdout.")
def observe(paths: tuple[str, ...], regions: tuple[str, ...], profile: str | None, types: tuple[str, ...],
            max_workers: int, retry_mode: str, output: str) -> None:
    """Observe the AWS estate into a snapshot (only what the checks under PATHS read, when given)."""
    wanted = _split(types) or (load_policies(list(paths)).types if paths else None)
    snapshot = _observe(wanted, regions, profile, max_workers, retry_mode)
    if output == "-":
        dump_snapshot(snapshot, sys.stdout.buffer)
        sys.stdout.flush()
    else:
        write_snapshot(snapshot, output)
    gaps = any(c["status"] == "error" for c in snapshot.coverage)
    sys.exit(3 if gaps else 0)


def _source_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--snapshot, --plan, --live, --demo: where the one observation comes from."""
    options = [
        click.option("--snapshot", "snapshot_path", type=click.Path(), metavar="FILE",
                     help="Snapshot to evaluate (.json or .json.gz)."),
        click.option("--live", is_flag=True, help="Observe the estate now (AWS credentials), then evaluate."),
        click.option("--plan", "plan_path", type=click.Path(), metavar="FILE",
                     help="Evaluate a plan (`terraform show -json plan.out`): what the change will create or update."),
        click.option("--demo", is_flag=True,
                     help="Observe an embedded demo estate (moto, in this process), then evaluate."),
    ]
    for option in reversed(options):
        command = option(command)
    return _observe_options(command)


def _one_source(snapshot_path: str | None, live: bool, plan_path: str | None, demo: bool) -> None:
    given = [name for name, value in (("--snapshot", snapshot_path), ("--live", live), ("--plan", plan_path),
                                      ("--demo", demo)) if value]
    if len(given) != 1:
        raise click.UsageError("give exactly one observation to evaluate: --snapshot FILE, --plan FILE, --live or --demo")


def _policies(paths: Sequence[str], demo: bool) -> PolicySet:
    """The policy set: PATHS, or policies/ (the shipped packs and a declared state for the demo)."""
    policy_paths: list[str | Path] = list(paths) or [default_policy_path(demo)]
    demo_folder = None
    if demo and not paths:
        demo_folder = _demo_desired_folder()
        policy_paths.append(demo_folder.name)
    try:
        return load_policies(policy_paths)
    finally:
        if demo_folder is not None:
            demo_folder.cleanup()


def _observation(policy: PolicySet, framework: str | None, *, snapshot_path: str | None, live: bool,
                 plan_path: str | None, demo: bool, types: Sequence[str], regions: Sequence[str],
                 profile: str | None, max_workers: int, retry_mode: str) -> tuple[Snapshot, list[str] | None]:
    """The one observation to evaluate, and (for a plan) the resource types whose checks apply."""
    wanted = _split(types) or policy.select(framework).types
    if snapshot_path is not None:
        return load_snapshot(snapshot_path), None
    if plan_path is not None:
        from unify.importers import load_plan  # noqa: PLC0415

        snapshot = load_plan(plan_path)
        return snapshot, _plan_scope(policy, snapshot, framework)
    if demo:
        from unify.demo import DemoEstate  # noqa: PLC0415

        with DemoEstate() as estate:
            return _observe(wanted, regions or estate.regions, None, max_workers, retry_mode,
                            endpoint_url=estate.endpoint, boto_session=estate.session()), None
    return _observe(wanted, regions, profile, max_workers, retry_mode), None


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@_source_options
@click.option("--save-snapshot", metavar="FILE", help="With --live or --demo: also write the snapshot here.")
@click.option("--waivers", "waiver_paths", multiple=True, type=click.Path(), metavar="FILE",
              help="Waivers file; repeatable.")
@click.option("--framework", metavar="ID", help="Evaluate only checks mapped to this framework and show its controls.")
@click.option("--format", "formats", multiple=True, metavar="NAME[=PATH]",
              help="Output format: table, json, markdown, html, sarif, junit, github or a plugin's (unify plugins); "
                   "repeat as NAME=PATH for several.")
@click.option("-o", "--output", metavar="FILE", help="Write the report here instead of stdout.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="info", show_default=True,
              help="Lowest severity whose failures (or unknowns) set the exit code.")
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: on for a terminal).")
@click.option("--store", metavar="DIR|s3://BUCKET/PREFIX",
              help="Record this run (snapshot, policies, waivers, results, manifest) in an evidence store.")
@click.option("--baseline", metavar="RESULTS.json|store:RUN",
              help="Mark findings new, existing or fixed against earlier results (a file, or a run of the store).")
@click.option("--fail-on-new", is_flag=True, help="Exit 1 only for failures the baseline did not have.")
@click.option("--soft-fail", is_flag=True, help="Report findings and unknowns but exit 0 for them (bad input still exits 2).")
@click.option("--source-root", type=click.Path(file_okay=False), metavar="DIR",
              help="The Terraform configuration's folder, so SARIF points plan findings at .tf files and lines.")
def audit(
    paths: tuple[str, ...],
    snapshot_path: str | None,
    live: bool,
    plan_path: str | None,
    demo: bool,
    regions: tuple[str, ...],
    profile: str | None,
    types: tuple[str, ...],
    max_workers: int,
    retry_mode: str,
    save_snapshot: str | None,
    waiver_paths: tuple[str, ...],
    framework: str | None,
    formats: tuple[str, ...],
    output: str | None,
    fail_on: str,
    color: bool | None,
    store: str | None,
    baseline: str | None,
    fail_on_new: bool,
    soft_fail: bool,
    source_root: str | None,
) -> None:
    """Evaluate the checks under PATHS (default: policies/) against one observation."""
    _one_source(snapshot_path, live, plan_path, demo)
    if save_snapshot and not (live or demo):
        raise click.UsageError("--save-snapshot goes with --live or --demo")
    if fail_on_new and not baseline:
        raise click.UsageError("--fail-on-new needs --baseline RESULTS.json or --baseline store:RUN")
    targets = _parse_formats(formats, output)
    policy = _policies(paths, demo)
    inputs = [f.path for f in policy.files] + [p for p in (snapshot_path, plan_path, *waiver_paths) if p]
    _guard_outputs(targets + [("snapshot", save_snapshot)], inputs)
    waivers = load_waivers(waiver_paths) if waiver_paths else WaiverSet()
    snapshot, only_types = _observation(policy, framework, snapshot_path=snapshot_path, live=live, plan_path=plan_path,
                                        demo=demo, types=types, regions=regions, profile=profile,
                                        max_workers=max_workers, retry_mode=retry_mode)
    if save_snapshot:
        write_snapshot(snapshot, save_snapshot)
    results = evaluate(policy, snapshot, waivers, framework=framework, types=only_types)
    if baseline:
        from unify.baseline import compare, load_baseline  # noqa: PLC0415

        results = compare(results, *load_baseline(baseline, store))
    if store:
        from unify.evidence import open_store  # noqa: PLC0415

        recorded = open_store(store).record(results, snapshot, policy, waiver_paths)
        click.echo(f"unify: recorded run {recorded.number} ({recorded.hash}) in {store}", err=True)
    emit(results, targets, fail_on, color, new_only=fail_on_new, soft=soft_fail, source_root=source_root)
    _finish(results, fail_on, policy, new_only=fail_on_new, soft=soft_fail)


def _plan_scope(policy: PolicySet, snapshot: Snapshot, framework: str | None) -> list[str]:
    """A plan only speaks for the resources it plans: the types whose checks are evaluated."""
    planned = set(snapshot.types)
    selected = policy.select(framework).checks
    kept = [check for check in selected if planned & set(check.types)]
    if len(kept) < len(selected):
        click.echo(f"unify: {len(selected) - len(kept)} check(s) not evaluated: the plan has no resources of "
                   "their types", err=True)
    if not kept:
        raise InputError(Problem("--plan", None, None, "no check reads any resource type the plan contains"))
    return sorted(planned)


def _demo_desired_folder() -> Any:
    """A temporary folder holding the demo estate's declared state (see unify.demo)."""
    import tempfile  # noqa: PLC0415

    from unify.demo import DEMO_DESIRED  # noqa: PLC0415

    folder = tempfile.TemporaryDirectory(prefix="unify-demo-")
    (Path(folder.name) / "demo-desired-state.yaml").write_text(DEMO_DESIRED, encoding="utf-8")
    return folder


def default_policy_path(demo: bool = False) -> str:
    """``policies/`` in the working folder; for the demo, the packs shipped with unify when there is none."""
    if Path("policies").is_dir() or not demo:
        return "policies"
    return str(shipped_policies())


def _finish(results: Results, fail_on: str, policy: PolicySet, *, new_only: bool = False, soft: bool = False) -> NoReturn:
    for warning in policy.warnings:
        click.echo(f"unify: {warning}", err=True)
    for use in results.waivers:
        if use.status == "expired":
            click.echo(f"unify: waiver expired {use.waiver.expires} at {use.waiver.location} ({use.waiver.check}): it no longer applies", err=True)
    if results.baseline is not None:
        info = results.baseline
        click.echo(f"unify: against {info.source}: {info.new} new, {info.existing} existing, {info.fixed} fixed", err=True)
    gate = results.gate(fail_on, new_only=new_only, soft=soft)
    click.echo(f"unify: exit {gate.code}: {gate.reason}", err=True)
    sys.exit(gate.code)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(), required=True)
@click.option("--waivers", "waiver_paths", multiple=True, type=click.Path(), metavar="FILE",
              help="Waivers file to check against the checks; repeatable (waiver files among PATHS count too).")
def lint(paths: tuple[str, ...], waiver_paths: tuple[str, ...]) -> None:
    """Validate policy and waiver files, reporting every problem with its line."""
    problems, policy, waiver_docs = lint_paths(list(paths) + list(waiver_paths))
    waivers, waiver_problems = waivers_from_documents(waiver_docs)
    problems = problems + waiver_problems
    known = set(policy.ids)
    for waiver in waivers:
        if waiver.check not in known:
            problems.append(Problem(waiver.file, waiver.line, waiver.check, f"waiver names unknown check id {waiver.check!r}"))
    problems = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.message))
    errors = [p for p in problems if not p.warning]
    for problem in problems:
        click.echo(str(problem), err=True)
    files = len(policy.files)
    if errors:
        click.echo(f"unify lint: {len(errors)} error(s), {len(problems) - len(errors)} warning(s) in {files} file(s)", err=True)
        sys.exit(EXIT_BAD_INPUT)
    click.echo(
        f"unify lint: ok: {len(policy.checks)} checks, {len(policy.frameworks)} framework catalog(s), "
        f"{len(waivers)} waiver(s) in {files} file(s); {len(problems)} warning(s)",
        err=True,
    )


@main.command()
@click.option("--kind", type=click.Choice(["policy", "waivers", "snapshot"]), default="policy", show_default=True,
              help="Which file format's JSON Schema to print.")
def schema(kind: str) -> None:
    """Print a JSON Schema (policy files by default), for editors and CI."""
    if kind == "policy":
        document = policy_schema(get_plugins().operators)
    elif kind == "waivers":
        document = waivers_schema()
    else:
        document = snapshot_schema()
    click.echo(json.dumps(document, indent=2, sort_keys=True))


@main.command(name="types")
@click.option("--format", "format_", type=click.Choice(["table", "markdown"]), default="table", show_default=True)
def types_(format_: str) -> None:
    """List the resource types unify can observe, with their collectors and AWS calls."""
    from unify.collectors import reference_markdown  # noqa: PLC0415

    registry = get_plugins().collectors
    if format_ == "markdown":
        click.echo(reference_markdown(registry), nl=False)
        return
    for collector in sorted(registry, key=lambda c: c.name):
        for type_ in collector.types:
            click.echo(f"{type_:<40} {collector.name:<36} {collector.scope:<8} {', '.join(collector.calls)}")


@main.command()
def plugins() -> None:
    """List loaded plugins and what each contributes."""
    loaded = get_plugins()
    rows: dict[str, list[str]] = {}
    for kind, registry in (("operator", loaded.operators), ("renderer", loaded.renderers),
                           ("framework", loaded.frameworks), ("collector", loaded.collectors)):
        for name in registry.names():
            rows.setdefault(registry.owner(name), []).append(f"{kind} {name}")
    for plugin in loaded.names():
        contributions = rows.get(plugin, [])
        click.echo(f"{plugin}: {', '.join(contributions) if contributions else '(hooks only)'}")


@main.group()
def evidence() -> None:
    """Recorded audits: list, show, verify and export them."""


_store_option = click.option("--store", default=".unify", show_default=True, metavar="DIR|s3://BUCKET/PREFIX",
                             help="The evidence store.")


@evidence.command(name="list")
@_store_option
def evidence_list(store: str) -> None:
    """Every recorded run, oldest first."""
    from unify.evidence import open_store  # noqa: PLC0415

    runs = open_store(store).runs()
    if not runs:
        click.echo(f"unify: no runs recorded in {store}", err=True)
        return
    for run in runs:
        manifest = run.manifest
        summary = manifest.get("results", {}).get("summary", {})
        counts = " ".join(f"{k}={summary.get(k, 0)}" for k in ("pass", "fail", "unknown", "waived", "error"))
        snap = manifest.get("snapshot", {})
        click.echo(f"{run.number:>5}  {manifest.get('recorded_at', '?')}  {run.hash[:19]}  "
                   f"{snap.get('source', '?')}:{str(snap.get('digest', '?'))[:19]}  {counts}  "
                   f"exit={manifest.get('results', {}).get('gate', {}).get('code', '?')}")


@evidence.command(name="show")
@click.argument("run")
@_store_option
def evidence_show(run: str, store: str) -> None:
    """The manifest of RUN (a number, 'latest', or a hash prefix), as JSON."""
    from unify.evidence import open_store  # noqa: PLC0415

    found = open_store(store).run(run)
    click.echo(json.dumps({"run": found.number, "hash": found.hash, "manifest": found.manifest}, indent=2, sort_keys=True))


@evidence.command(name="verify")
@_store_option
@click.option("--head", metavar="HASH", help="A run hash that must still be in the chain (closes tail truncation).")
def evidence_verify(store: str, head: str | None) -> None:
    """Recompute every digest and the hash chain; report the first break (exit 1)."""
    from unify.evidence import open_store  # noqa: PLC0415

    count, broken = open_store(store).verify(head)
    if broken is not None:
        click.echo(f"unify evidence: {store}: {broken}", err=True)
        sys.exit(1)
    click.echo(f"unify evidence: {store}: {count} run(s) verified, chain intact", err=True)


@evidence.command(name="export")
@click.argument("run")
@_store_option
@click.option("--framework", required=True, metavar="ID", help="The framework whose controls the bundle documents.")
@click.option("-o", "--output", required=True, metavar="FILE", help="The zip file to write.")
def evidence_export(run: str, store: str, framework: str, output: str) -> None:
    """A zip of RUN's evidence per control, readable offline, with checksums and the manifest."""
    from unify.evidence import open_store  # noqa: PLC0415

    path = open_store(store).export(run, framework, output)
    click.echo(f"unify evidence: wrote {path}", err=True)


@main.command(name="drift")
@click.option("--state", "state_location", required=True, metavar="FILE|s3://BUCKET/KEY",
              help="Terraform state: `terraform show -json` output or a raw terraform.tfstate (version 4).")
@click.option("--snapshot", "snapshot_path", type=click.Path(), metavar="FILE", help="The observation to compare with.")
@click.option("--live", is_flag=True, help="Observe the estate now instead of reading a snapshot.")
@_observe_options
@click.option("--ignore", "ignores", multiple=True, metavar="TYPE.PATH",
              help="Also ignore this attribute path (TYPE may be '*'; globs allowed); repeatable.")
@click.option("--format", "format_", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write the report here instead of stdout.")
def drift_command(state_location: str, snapshot_path: str | None, live: bool, regions: tuple[str, ...],
                  profile: str | None, types: tuple[str, ...], max_workers: int, retry_mode: str,
                  ignores: tuple[str, ...], format_: str, output: str | None) -> None:
    """Compare what Terraform state declares with what exists: missing, unmanaged, changed."""
    import io  # noqa: PLC0415

    from unify.drift import DEFAULT_IGNORE, drift, render_drift_table  # noqa: PLC0415
    from unify.terraform import read_state, state_resources  # noqa: PLC0415

    if (snapshot_path is None) == (not live):
        raise click.UsageError("give exactly one observation to compare with: --snapshot FILE or --live")
    ignore = {k: list(v) for k, v in DEFAULT_IGNORE.items()}
    for spec in ignores:
        type_, _, path = spec.partition(".")
        if not path:
            raise click.UsageError(f"--ignore takes TYPE.PATH, e.g. aws_s3_bucket.logging; got {spec!r}")
        ignore.setdefault(type_, []).append(path)
    document, name = read_state(state_location)
    declared = state_resources(document, name)
    if output:
        _guard_outputs([("drift", output)], [p for p in (snapshot_path, state_location) if p])
    if snapshot_path is not None:
        snapshot = load_snapshot(snapshot_path)
    else:
        snapshot = _observe(_split(types) or None, regions, profile, max_workers, retry_mode)
    report = drift(declared, snapshot, ignore=ignore, file=name)
    if format_ == "json":
        data = (json.dumps(report.as_json(), indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n").encode()
    else:
        buffer = io.StringIO()
        render_drift_table(report, buffer, terminal=output is None and _stdout_is_terminal())
        data = buffer.getvalue().encode("utf-8")
    write_output(data, output)
    summary = report.summary
    drifted = summary["missing"] + summary["changed"] + summary["unmanaged"]
    if drifted:
        click.echo(f"unify: exit 1: drift: {summary['missing']} missing, {summary['changed']} changed, "
                   f"{summary['unmanaged']} unmanaged", err=True)
        sys.exit(1)
    if report.undecided:
        click.echo(f"unify: exit 3: no drift found, but {len(report.undecided)} resource(s) could not be compared", err=True)
        sys.exit(3)
    click.echo("unify: exit 0: no drift", err=True)


@main.command(name="diff")
@click.argument("base", type=click.Path())
@click.argument("current", type=click.Path())
@click.option("--format", "format_", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write the diff here instead of stdout.")
def diff_command(base: str, current: str, format_: str, output: str | None) -> None:
    """What changed between two snapshots: resources added, removed and changed, path by path (exit 1 if any)."""
    import io  # noqa: PLC0415

    from unify.changes import diff_snapshots, render_diff_table  # noqa: PLC0415

    if output:
        _guard_outputs([("diff", output)], [base, current])
    changes = diff_snapshots(load_snapshot(base), load_snapshot(current))
    if format_ == "json":
        data = (json.dumps(changes.as_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    else:
        buffer = io.StringIO()
        render_diff_table(changes, buffer, terminal=output is None and _stdout_is_terminal())
        data = buffer.getvalue().encode("utf-8")
    write_output(data, output)
    sys.exit(0 if changes.is_empty else 1)


@main.command(name="watch")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--interval", default="15m", show_default=True, metavar="DURATION",
              help="Time between the starts of two observations: 90s, 15m, 1h, 2d.")
@_observe_options
@click.option("--waivers", "waiver_paths", multiple=True, type=click.Path(), metavar="FILE", help="Waivers file; repeatable.")
@click.option("--store", metavar="DIR|s3://BUCKET/PREFIX", help="Record every iteration in an evidence store.")
@click.option("--jsonl", metavar="FILE", help="Also append one JSON line per iteration to FILE.")
@click.option("--iterations", type=click.IntRange(1), metavar="N", help="Stop after N iterations (default: run until stopped).")
def watch_command(paths: tuple[str, ...], interval: str, regions: tuple[str, ...], profile: str | None,
                  types: tuple[str, ...], max_workers: int, retry_mode: str, waiver_paths: tuple[str, ...],
                  store: str | None, jsonl: str | None, iterations: int | None) -> None:
    """Re-observe on an interval; report what changed and which verdicts flipped, until stopped."""
    import threading  # noqa: PLC0415

    from unify.watch import describe_event, install_signal_handlers, jsonl_emitter, parse_interval, watch  # noqa: PLC0415

    try:
        seconds = parse_interval(interval)
    except ValueError as exc:
        raise click.UsageError(f"--interval: {exc}") from None
    policy = load_policies(list(paths) or ["policies"])
    waivers = load_waivers(waiver_paths) if waiver_paths else WaiverSet()
    wanted = _split(types) or policy.types
    opened = None
    if store:
        from unify.evidence import open_store  # noqa: PLC0415

        opened = open_store(store)
    handle = open(jsonl, "a", encoding="utf-8") if jsonl else None  # noqa: SIM115 - closed below
    to_jsonl = jsonl_emitter(handle) if handle else None

    def emit(event: dict[str, Any]) -> None:
        click.echo(describe_event(event), err=True)
        if to_jsonl is not None:
            to_jsonl(event)

    stop = threading.Event()
    restore = install_signal_handlers(stop)
    try:
        done = watch(policy=policy, waivers=waivers, waiver_files=list(waiver_paths), store=opened,
                     observe_once=lambda: _observe(wanted, regions, profile, max_workers, retry_mode),
                     interval_seconds=seconds, iterations=iterations, emit=emit, stop=stop)
    finally:
        restore()
        if handle is not None:
            handle.close()
    click.echo(f"unify watch: stopped after {done} iteration(s)", err=True)


@main.command(name="stack")
@click.argument("paths", nargs=-1, type=click.Path())
@_source_options
@click.option("--waivers", "waiver_paths", multiple=True, type=click.Path(), metavar="FILE", help="Waivers file; repeatable.")
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: on for a terminal).")
def stack_command(paths: tuple[str, ...], snapshot_path: str | None, live: bool, plan_path: str | None, demo: bool,
                  regions: tuple[str, ...], profile: str | None, types: tuple[str, ...], max_workers: int,
                  retry_mode: str, waiver_paths: tuple[str, ...], color: bool | None) -> None:
    """The deployment stack, component by component: component -> observed resources -> status."""
    import io  # noqa: PLC0415

    from unify.stack import component_statuses, render_stack_table, stack_rows  # noqa: PLC0415

    _one_source(snapshot_path, live, plan_path, demo)
    policy = _policies(paths, demo)
    waivers = load_waivers(waiver_paths) if waiver_paths else WaiverSet()
    snapshot, only_types = _observation(policy, "stack", snapshot_path=snapshot_path, live=live, plan_path=plan_path,
                                        demo=demo, types=types, regions=regions, profile=profile,
                                        max_workers=max_workers, retry_mode=retry_mode)
    results = evaluate(policy, snapshot, waivers, framework="stack", types=only_types)
    rows = stack_rows(results)
    terminal = _stdout_is_terminal()
    buffer = io.StringIO()
    render_stack_table(rows, buffer, terminal, color=terminal and not os.environ.get("NO_COLOR") if color is None else color)
    write_output(buffer.getvalue().encode("utf-8"), None)
    statuses = component_statuses(rows)
    failing = sorted(c for c, status in statuses.items() if status == "not met")
    if failing:
        click.echo(f"unify: exit 1: components not met: {', '.join(failing)}", err=True)
        sys.exit(1)
    if any(status in ("unknown", "not observed") for status in statuses.values()):
        click.echo("unify: exit 3: some components could not be observed", err=True)
        sys.exit(3)
    click.echo("unify: exit 0: every deployed component meets its checks", err=True)
