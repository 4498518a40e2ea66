"""Drift between Terraform state (declared intent) and an observation (fact).

There is no second engine here. Each resource in the state becomes a desired-
state check on its own id (ARN), with one leaf per attribute both Terraform
and the collector know; the ordinary evaluator judges them against the
snapshot, so ``changed`` and ``missing`` come from the drift view of those
results. ``unmanaged`` is what is left: observed resources no state check
matched. Attributes the provider computes or defaults are ignored through a
per-type list users can extend.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from unify._conditions import All, Leaf, Node, PathRef
from unify.checks import Check, PolicySet, desired_leaves
from unify.collectors import CollectorRegistry
from unify.evaluation import evaluate
from unify.operators import OperatorRegistry
from unify.results import Results
from unify.snapshot import Resource, Snapshot

__all__ = ["DRIFT_FORMAT", "DEFAULT_IGNORE", "DriftRecord", "DriftReport", "state_checks", "drift"]

DRIFT_FORMAT: Final = "unify.drift/v1"

#: Attributes the provider computes or defaults: never drift. ``*`` applies to every type.
DEFAULT_IGNORE: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType({
    "*": ("arn", "id", "owner_id", "unique_id", "tags_all", "create_date", "creation_date", "create_time",
          "created_at", "last_modified", "terraform_address", "region"),
    "aws_s3_bucket": ("bucket", "policy_is_public"),
    "aws_kms_key": ("key_id", "key_state", "key_manager", "origin", "deletion_date", "aliases"),
    "aws_iam_user": ("name", "password_last_used"),
    "aws_iam_role": ("name", "role_last_used", "instance_profile_arns"),
    "aws_iam_group": ("name",),
    "aws_iam_policy": ("name", "policy_id", "attachment_count", "update_date", "default_version_id"),
    "aws_security_group": ("name",),
    "aws_db_instance": ("identifier", "status", "endpoint_address", "engine_version"),
    "aws_lambda_function": ("function_name", "last_modified"),
    "aws_cloudtrail": ("name", "home_region", "latest_delivery_time"),
    "aws_ecr_repository": ("name", "registry_id", "repository_url"),
    "aws_efs_file_system": ("size_in_bytes", "number_of_mount_targets"),
    "aws_instance": ("instance_state", "launch_time", "public_ip", "private_ip"),
    "aws_ebs_volume": ("state", "attachments"),
    "aws_vpc": ("flow_logs", "dhcp_options_id"),
})

#: Resources AWS makes on its own, which no state is expected to manage.
_AWS_DEFAULTS: Final = (("aws_vpc", "default", True), ("aws_security_group", "name", "default"),
                        ("aws_network_acl", "is_default", True))
_SINGLETONS: Final = frozenset({"aws_iam_account_password_policy", "aws_iam_account_summary",
                                "aws_s3_account_public_access_block", "aws_ebs_encryption_by_default",
                                "aws_config_configuration_recorder"})


@dataclass(frozen=True)
class DriftRecord:
    """One difference: a resource missing, unmanaged, or changed at one path."""

    kind: str
    type: str
    resource: str
    path: str = ""
    expected: Any = None
    actual: Any = None
    address: str | None = None

    def as_json(self) -> dict[str, Any]:
        data = {"kind": self.kind, "type": self.type, "resource": self.resource, "path": self.path,
                "expected": self.expected, "actual": self.actual}
        if self.address:
            data["address"] = self.address
        return data


@dataclass(frozen=True)
class DriftReport:
    """What a state says against what exists, with the results it was read from."""

    records: tuple[DriftRecord, ...]
    managed: int
    observed: int
    matched: int
    undecided: tuple[str, ...]
    results: Results
    not_compared: tuple[str, ...] = field(default=())

    @property
    def summary(self) -> dict[str, int]:
        kinds = [r.kind for r in self.records]
        changed = len({r.resource for r in self.records if r.kind == "changed"})
        return {"managed": self.managed, "missing": kinds.count("missing"), "unmanaged": kinds.count("unmanaged"),
                "changed": changed}

    @property
    def coverage(self) -> float:
        """The share of observed resources that Terraform manages."""
        return self.matched / self.observed if self.observed else 1.0

    def as_json(self) -> dict[str, Any]:
        return {
            "format": DRIFT_FORMAT,
            "summary": self.summary,
            "coverage": {"managed": self.matched, "observed": self.observed, "ratio": round(self.coverage, 4)},
            "undecided": list(self.undecided),
            "not_compared": list(self.not_compared),
            "snapshot": self.results.snapshot.as_json(),
            "records": [record.as_json() for record in self.records],
        }


def _ignored(type_: str, path: str, ignore: Mapping[str, Sequence[str]]) -> bool:
    for key in ("*", type_):
        for pattern in ignore.get(key, ()):
            if path == pattern or path.startswith(pattern + ".") or fnmatch.fnmatchcase(path, pattern):
                return True
    return False


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def state_checks(
    declared: Iterable[Resource],
    collectors: CollectorRegistry,
    operators: OperatorRegistry,
    *,
    ignore: Mapping[str, Sequence[str]] = DEFAULT_IGNORE,
    accounts: Sequence[str] = (),
    file: str = "<state>",
) -> tuple[list[Check], list[str]]:
    """One desired-state check per declared resource of a type unify observes; and the types it cannot compare."""
    same = operators["same"]
    checks: list[Check] = []
    skipped: set[str] = set()
    for resource in declared:
        type_ = resource["type"]
        collector = collectors.collector_for(type_)
        if collector is None:
            skipped.add(type_)
            continue
        known = set(collector.attributes[type_])
        attributes = {k: v for k, v in resource["attributes"].items() if k in known}
        leaves: list[Node] = []
        for path, value, _ in desired_leaves(attributes):
            if not _empty(value) and not _ignored(type_, path, ignore):
                leaves.append(Leaf(PathRef(path), same, value, value, file, None))
        for key, value in sorted((resource.get("tags") or {}).items()):
            if not _empty(value) and not _ignored(type_, f"tags.{key}", ignore):
                leaves.append(Leaf(PathRef(f"tags.{key}"), same, value, value, file, None))
        address = resource["attributes"].get("terraform_address") or resource["id"]
        resource_id = resource["id"]
        account = resource["account"] if resource["account"] != "unknown" else None
        if type_ in _SINGLETONS and len(accounts) == 1:
            # Settings have no ARN: they are the account's (and region's) one instance.
            region = resource["region"]
            resource_id = (f"{accounts[0]}/{type_}" if region in ("global", "unknown")
                           else f"{accounts[0]}/{region}/{type_}")
        checks.append(Check(
            id=f"state/{address}",
            title=f"{address} matches Terraform state",
            severity="medium",
            types=(type_,),
            kind="desired",
            file=file,
            line=None,
            assertion=All(leaves),
            name=resource.get("name"),
            resource_id=resource_id,
            account=account,
        ))
    checks.sort(key=lambda c: c.id)
    return checks, sorted(skipped)


def _is_aws_default(resource: Resource) -> bool:
    for type_, path, value in _AWS_DEFAULTS:
        if resource["type"] == type_:
            actual = resource.get(path) if path == "name" else resource["attributes"].get(path)
            if actual == value:
                return True
    return False


def drift(
    declared: Sequence[Resource],
    snapshot: Snapshot,
    *,
    collectors: CollectorRegistry | None = None,
    operators: OperatorRegistry | None = None,
    ignore: Mapping[str, Sequence[str]] = DEFAULT_IGNORE,
    file: str = "<state>",
) -> DriftReport:
    """Compare declared resources with an observation through the one evaluator."""
    if collectors is None or operators is None:
        from unify.plugins import get_plugins  # noqa: PLC0415

        plugins = get_plugins()
        collectors = collectors or plugins.collectors
        operators = operators or plugins.operators
    checks, not_compared = state_checks(declared, collectors, operators, ignore=ignore, accounts=snapshot.accounts,
                                        file=file)
    results = evaluate(PolicySet(checks=tuple(checks), frameworks=MappingProxyType({})), snapshot)
    addresses = {check.id: check.id.removeprefix("state/") for check in checks}
    declared_ids = {check.id: check.resource_id or check.name or check.id for check in checks}
    records: list[DriftRecord] = []
    matched: set[str] = set()
    undecided: list[str] = []
    for result in results:
        if result.verdict == "unknown":
            undecided.append(f"{addresses[result.check]}: {result.reason}")
        if result.verdict in ("pass", "fail") and not any(d.path == "" for d in result.details):
            matched.add(result.resource)
    for record in results.drift_view():
        records.append(DriftRecord(
            kind="missing" if record.kind == "missing" else "changed",
            type=record.type,
            resource=record.resource if record.kind != "missing" else declared_ids[record.check],
            path=record.path,
            expected=record.expected,
            actual=None if record.kind == "missing" else record.actual,
            address=addresses[record.check],
        ))
    comparable = {t for c in collectors for t in c.types} - _SINGLETONS
    observed = [r for r in snapshot.resources if r["type"] in comparable and not _is_aws_default(r)]
    for resource in observed:
        if resource["id"] not in matched:
            records.append(DriftRecord(kind="unmanaged", type=resource["type"], resource=resource["id"]))
    order = {"missing": 0, "changed": 1, "unmanaged": 2}
    records.sort(key=lambda r: (order[r.kind], r.type, r.resource, r.path))
    return DriftReport(
        records=tuple(records),
        managed=len(checks),
        observed=len(observed),
        matched=len(matched & {r["id"] for r in observed}),
        undecided=tuple(undecided),
        results=results,
        not_compared=tuple(not_compared),
    )


def render_drift_table(report: DriftReport, stream: Any, *, terminal: bool = False) -> None:
    """The drift report for people: a summary line, then one row per difference."""
    import io  # noqa: PLC0415

    from rich import box  # noqa: PLC0415
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    from unify.operators import describe_value  # noqa: PLC0415

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=terminal, no_color=not terminal, width=None if terminal else 160,
                      highlight=False, markup=False, emoji=False, soft_wrap=True)
    summary = report.summary
    console.print(Text(
        f"Drift: {summary['managed']} managed by Terraform, {summary['missing']} missing, {summary['changed']} changed, "
        f"{summary['unmanaged']} unmanaged; Terraform manages {report.matched} of {report.observed} observed "
        f"resources ({report.coverage:.0%})"))
    if report.not_compared:
        console.print(Text(f"Not compared (no collector observes these types): {', '.join(report.not_compared)}"))
    for line in report.undecided[:20]:
        console.print(Text(f"Undecided (not fully observed): {line}"))
    if report.records:
        table = Table(box=box.SIMPLE_HEAD if terminal else box.ASCII, show_edge=not terminal)
        for column in ("Kind", "Type", "Resource", "Path", "Expected (state)", "Actual"):
            table.add_column(column, overflow="fold")
        for record in report.records[:500]:
            table.add_row(Text(record.kind), Text(record.type), Text(record.address or record.resource),
                          Text(record.path or ""), Text("" if record.kind == "unmanaged" else describe_value(record.expected)),
                          Text("missing" if record.kind == "missing" else "" if record.kind == "unmanaged"
                               else describe_value(record.actual)))
        console.print(table)
        if len(report.records) > 500:
            console.print(Text(f"... and {len(report.records) - 500} more (use --format json for all)"))
    text = buffer.getvalue()
    if not terminal:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    stream.write(text)
