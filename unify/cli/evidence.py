"""``unify evidence``: the recorded audits of an evidence store, listed, shown, verified and exported."""

from __future__ import annotations

import json
import sys

import click

from unify.cli.options import print_columns
from unify.store.export import export_run
from unify.store.store import DEFAULT_STORE, open_store

__all__ = ["evidence"]

_store_option = click.option(
    "--store", default=DEFAULT_STORE, show_default=True, metavar="DIR|s3://BUCKET/PREFIX", help="The evidence store."
)


@click.group()
def evidence() -> None:
    """Recorded audits: list, show, verify and export them."""


@evidence.command(name="list")
@_store_option
def evidence_list(store: str) -> None:
    """Every recorded run, oldest first."""
    runs = open_store(store).runs()
    rows = [("RUN", "RECORDED AT", "HASH", "SNAPSHOT", "EXIT", "RESULTS")]
    for run in runs:
        manifest = run.manifest
        summary = manifest.get("results", {}).get("summary", {})
        counts = " ".join(f"{k}={summary.get(k, 0)}" for k in ("pass", "fail", "unknown", "waived", "error"))
        snap = manifest.get("snapshot", {})
        rows.append(
            (
                str(run.number),
                str(manifest.get("recorded_at", "?")),
                run.hash[:19],
                f"{snap.get('source', '?')}:{str(snap.get('digest', '?'))[:19]}",
                str(manifest.get("results", {}).get("gate", {}).get("code", "?")),
                counts,
            )
        )
    if runs:
        print_columns(rows)


@evidence.command(name="show")
@click.argument("run")
@_store_option
def evidence_show(run: str, store: str) -> None:
    """The manifest of RUN (a number, 'latest', or a hash prefix), as JSON."""
    found = open_store(store).run(run)
    click.echo(
        json.dumps({"run": found.number, "hash": found.hash, "manifest": found.manifest}, indent=2, sort_keys=True)
    )


@evidence.command(name="verify")
@_store_option
@click.option("--head", metavar="HASH", help="A run hash that must still be in the chain (closes tail truncation).")
def evidence_verify(store: str, head: str | None) -> None:
    """Recompute every digest and the hash chain; report the first break (exit 1)."""
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
    path = export_run(open_store(store), run, framework, output)
    click.echo(f"unify evidence: wrote {path}", err=True)
