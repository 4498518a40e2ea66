"""Builders for the small snapshots the tests evaluate."""

from __future__ import annotations

from typing import Any

from unify.snapshot import Snapshot

ACCOUNT = "111122223333"


def resource(type_: str, id_: str, attributes: dict[str, Any] | None = None, *, name: str | None = None,
             account: str = ACCOUNT, region: str = "us-east-1", tags: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": type_, "id": id_, "name": name if name is not None else id_, "account": account,
            "region": region, "tags": tags or {}, "attributes": attributes or {}}


def ok(type_: str, region: str = "us-east-1", account: str = ACCOUNT) -> dict[str, Any]:
    return {"type": type_, "account": account, "region": region, "status": "ok"}


def denied(type_: str, region: str = "us-east-1", account: str = ACCOUNT, code: str = "AccessDenied") -> dict[str, Any]:
    return {"type": type_, "account": account, "region": region, "status": "error",
            "error": {"code": code, "message": f"not authorized to list {type_}"}}


def snapshot(resources: list[dict[str, Any]], coverage: list[dict[str, Any]] | None = None, *,
             regions: list[str] | None = None, accounts: list[str] | None = None,
             taken_at: str = "2026-11-20T09:00:00Z") -> Snapshot:
    return Snapshot.build(
        resources=resources,
        coverage=coverage or [],
        scope={"accounts": accounts or [ACCOUNT], "regions": regions or ["us-east-1"]},
        taken_at=taken_at,
        source="file",
    )
