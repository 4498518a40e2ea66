"""Builders for the small snapshots the tests evaluate."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from unify.model.snapshot import Snapshot
from unify.plugins import build_plugins

ACCOUNT = "111122223333"

#: unify's built-ins as one plugin set: the registries the tests hand to library functions, which never fetch them.
PLUGINS = build_plugins(autoload=False)
TYPES = PLUGINS.collectors.resource_types()


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


@cache
def _models() -> Any:
    import botocore.session

    return botocore.session.Session().get_component("data_loader")


def moto_session() -> Any:
    """A boto3 session of its own (``deny`` changes a session for good) with moto's test credentials.

    Sessions share one loader of botocore's service models: loading them is
    most of the cost of a small moto test.
    """
    from unify.observe.session import session_with_models

    return session_with_models(_models(), region_name="us-east-1", aws_access_key_id="testing",
                               aws_secret_access_key="testing")


def deny(session: Any, service: str, operation: str, code: str = "AccessDenied") -> None:
    """Make every ``operation`` call of ``service`` through ``session`` fail as AWS would.

    Uses botocore's own ``before-call`` event to answer with an error
    response, so the client, its retries and error parsing are the real ones.
    ``service`` is the event name of the service (``s3``, ``iam``, ``ec2``,
    ``config-service``), ``operation`` the API name (``GetBucketPolicy``).
    """
    from botocore.awsrequest import AWSResponse

    def answer(**kwargs: Any) -> tuple[Any, dict[str, Any]]:
        parsed = {"Error": {"Code": code, "Message": f"User is not authorized to perform: {service}:{operation}"},
                  "ResponseMetadata": {"HTTPStatusCode": 403}}
        return AWSResponse("https://denied.invalid/", 403, {}, None), parsed

    session.events.register(f"before-call.{service}.{operation}", answer)


def observe_moto(*types: str, regions: list[str] | None = None, session: Any = None, attributes: Any = None,
                 **options: Any) -> Snapshot:
    """Observe the current moto backend (inside ``mock_aws``) with the real collectors (``attributes``: targeting)."""
    from unify.observe.session import ObserveOptions
    from unify.observe.observation import observe

    return observe(list(types) or None, boto_session=session or moto_session(), attributes=attributes,
                   options=ObserveOptions(regions=regions or ["us-east-1"], **options), collectors=PLUGINS.collectors)


def by_name(snapshot: Snapshot, type_: str) -> dict[str, dict[str, Any]]:
    """Resources of one type by name, for assertions."""
    return {r["name"]: r for r in snapshot.of_type(type_)}


@cache
def shared_session() -> Any:
    """One boto3 session for setup and for observations that deny nothing (its clients are reused)."""
    return moto_session()


def moto_client(service: str, region: str = "us-east-1") -> Any:
    return shared_session().client(service, region_name=region)


def observe_shared(*types: str, regions: list[str] | None = None) -> Snapshot:
    """``observe_moto`` through the shared session."""
    return observe_moto(*types, regions=regions, session=shared_session())


#: A policy file with three independent mistakes (lines 3, 6 and 10): lint must report all three.
THREE_MISTAKES = """
checks:
  - id: a
    severity: hgih
    resource: aws_s3_bucket
    assert:
      versioning.status: {equals: Enabled}
  - id: b
    severity: low
    resource: aws_vpc
    asert:
      flow_logs: {empty: false}
"""


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's server on 127.0.0.1 with a free port, quiet; yields its endpoint URL.

    moto's backends are shared by everything in the process, so tests that
    seed it reset it first (unify.demo._reset) or work in an account of their own.
    """
    import logging
    import os

    from moto.server import ThreadedMotoServer

    saved = os.environ.get("MOTO_EC2_LOAD_DEFAULT_AMIS")
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"  # the first EC2 call is then much cheaper
    logging.disable(logging.CRITICAL)  # the server logs every request and unimplemented call
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        logging.disable(logging.NOTSET)
        if saved is None:
            os.environ.pop("MOTO_EC2_LOAD_DEFAULT_AMIS", None)
        else:
            os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = saved


def answer_recorded_services(monkeypatch: Any, recordings: Any = None) -> None:
    """Make every boto3 session the test opens (the CLI's too) answer the services moto lacks from recordings.

    App Runner and MWAA have no moto backend; the demo's parts record their
    answers (``unify.observe.demo_estate``). By default those recordings are
    used; a test that plants its own passes ``recordings`` (service -> fill).
    """
    import boto3

    from unify.observe.demo_estate import PARTS
    from unify.observe.recorded import RecordedSession

    chosen = recordings if recordings is not None else {s: f for p in PARTS for s, f in p.recordings.items()}
    original = boto3.Session

    def session(*args: Any, **kwargs: Any) -> Any:
        return RecordedSession(chosen, *args, **kwargs)

    monkeypatch.setattr(boto3, "Session", session)
    assert original is not session
