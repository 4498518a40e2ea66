"""``unify export securityhub``: an audit's results sent to AWS Security Hub as ASFF findings.

The audit is the same as ``unify audit``'s (PATHS, ``--pack``, one source of
the observation, waivers, a framework); the results are cut into
``BatchImportFindings`` batches (:mod:`unify.render.asff`) and sent within
Security Hub's rate (:mod:`unify.render.securityhub`), with the credentials
of the usual boto3 chain (or ``--profile``). Findings are imported by the
account they belong to: only the batches of the credentials' own account are
sent. Exit 0 when every finding sent was imported, 1 when Security Hub
refused some (each is listed), 2 for bad input or a call that failed.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from unify.cli.options import note, pack_option, plugins, progress, source_from, source_options
from unify.errors import EXIT_CLEAN, EXIT_FINDINGS, InputError, Problem
from unify.render.asff import asff_batches
from unify.render.renderer import RenderOptions
from unify.render.securityhub import deliver
from unify.run import audit, load_policy

__all__ = ["export"]

_SHOWN_FAILURES = 20


@click.group()
def export() -> None:
    """Send an audit's results to another tool."""


@export.command(name="securityhub")
@click.argument("paths", nargs=-1, type=click.Path())
@pack_option
@source_options
@click.option(
    "--waivers", "waiver_paths", multiple=True, type=click.Path(), metavar="FILE", help="Waivers file; repeatable."
)
@click.option("--framework", metavar="ID", help="Send only the results of checks mapped to this framework.")
@click.option(
    "--region",
    "home",
    metavar="REGION",
    help="Where findings without a region of their own (IAM, account-wide) go (default: the snapshot's first).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be sent, send nothing.")
def securityhub_command(
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
    waiver_paths: tuple[str, ...],
    framework: str | None,
    home: str | None,
    dry_run: bool,
) -> None:
    """Audit, then import the results into Security Hub (BatchImportFindings, 100 per call, 10 calls a second)."""
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
    )
    loaded = plugins()
    policy = load_policy(paths, loaded, demo=demo, packs=packs, warn=note)
    done = audit(policy, source, loaded, waiver_files=waiver_paths, framework=framework, warn=note, progress=progress())
    batches = asff_batches(done.results, RenderOptions(region=home))
    findings = sum(len(batch.findings) for batch in batches)
    if dry_run:
        for batch in batches:
            note(f"would send {len(batch.findings)} finding(s) of account {batch.account} to {batch.region}")
        note(f"dry run: {findings} finding(s) in {len(batches)} batch(es), nothing sent")
        sys.exit(EXIT_CLEAN)
    import boto3  # here, not with the module: every other command would pay for loading it

    session = boto3.Session(profile_name=profile)
    clients: dict[str, Any] = {}

    def client_for(region: str) -> Any:
        if region not in clients:
            clients[region] = session.client("securityhub", region_name=region)
        return clients[region]

    account = _caller_account(session, batches[0].region if batches else home or "us-east-1")
    sent = deliver(batches, client_for, account=account)
    for other, count in sorted(sent.skipped.items()):
        note(f"{count} finding(s) of account {other} not sent: import them with that account's credentials")
    for finding_id, code, message in sent.failed[:_SHOWN_FAILURES]:
        note(f"refused {finding_id}: {code}: {message}")
    if len(sent.failed) > _SHOWN_FAILURES:
        note(f"... and {len(sent.failed) - _SHOWN_FAILURES} more refused")
    where = ", ".join(sorted(sent.regions)) or "no region"
    note(
        f"sent {sent.sent} finding(s) of account {account} in {sent.calls} call(s) to Security Hub in {where}: "
        f"{sent.imported} imported, {len(sent.failed)} refused"
    )
    sys.exit(EXIT_FINDINGS if sent.failed else EXIT_CLEAN)


def _caller_account(session: Any, region: str) -> str:
    """The account the credentials belong to: the only one whose findings they may import."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return str(session.client("sts", region_name=region).get_caller_identity()["Account"])
    except (ClientError, BotoCoreError) as exc:
        message = f"cannot tell whose credentials these are: {exc}"
        raise InputError(Problem("<credentials>", None, None, message)) from None
