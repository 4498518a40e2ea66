"""Live observation: one concurrent boto3 pass over the estate that yields a snapshot.

Collectors run on a bounded thread pool, one task per collector and region
(once per account for global services); per-resource sub-calls fan out on a
second pool that never waits on anything, so the two cannot deadlock. Every
boto3 client is made once per (service, region) and shared. Concurrent
requests are capped per (service, region) so an audit does not throttle the
account it audits, and botocore retries throttled calls in ``standard`` or
``adaptive`` mode. Every task ends with a coverage entry per type: ``ok``, or
``error`` with the AWS error code and message.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from unify._time import utcnow
from unify.collectors import AwsError, CollectContext, Collector, CollectorRegistry, aws_error
from unify.errors import ObservationError
from unify.snapshot import Coverage, Resource, Snapshot

__all__ = ["ObserveOptions", "Progress", "Session", "observe", "DEFAULT_SERVICE_LIMITS"]

T = TypeVar("T")
R = TypeVar("R")

#: Concurrent requests per (service, region). IAM and STS are global and have
#: the lowest request rates; the rest default to ``ObserveOptions.default_limit``.
DEFAULT_SERVICE_LIMITS: Mapping[str, int] = {"iam": 4, "sts": 2, "cloudtrail": 4, "config": 4, "s3control": 2}


@dataclass(frozen=True)
class ObserveOptions:
    """How an observation runs. The defaults suit an account of a few thousand resources."""

    regions: Sequence[str] | None = None
    max_workers: int = 16
    detail_workers: int = 24
    retry_mode: str = "standard"
    #: Attempts per call in all, the first included (botocore total_max_attempts).
    max_attempts: int = 8
    default_limit: int = 8
    service_limits: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_SERVICE_LIMITS))
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    #: An endpoint for every service (moto's server, a proxy); AWS_ENDPOINT_URL works too.
    endpoint_url: str | None = None


class Progress(Protocol):
    """What the observation tells a progress display (the CLI draws it on stderr)."""

    def start(self, total: int) -> None: ...

    def done(self, collector: str, region: str, status: str, resources: int) -> None: ...

    def finish(self) -> None: ...


class _Quiet:
    def start(self, total: int) -> None:
        pass

    def done(self, collector: str, region: str, status: str, resources: int) -> None:
        pass

    def finish(self) -> None:
        pass


class Session:
    """Shared state of one observation: clients, caps, counters and the sub-call pool."""

    def __init__(self, boto_session: Any, options: ObserveOptions) -> None:
        self.boto = boto_session
        self.options = options
        self.home_region: str = boto_session.region_name or "us-east-1"
        self._clients: dict[tuple[str, str], Any] = {}
        self._caps: dict[tuple[str, str], threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.requests = 0
        self.detail_errors: Counter[str] = Counter()
        self._detail_pool = ThreadPoolExecutor(max_workers=options.detail_workers, thread_name_prefix="unify-detail")
        self._local = threading.local()

    def close(self) -> None:
        self._detail_pool.shutdown(wait=True)

    # -- clients ------------------------------------------------------------------

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:  # creating clients from one session is not thread-safe
            client = self._clients.get(key)
            if client is None:
                client = self._make_client(service, region)
                self._clients[key] = client
        return client

    def _make_client(self, service: str, region: str) -> Any:
        from botocore.config import Config  # noqa: PLC0415

        from unify import __version__  # noqa: PLC0415

        config = Config(
            retries={"mode": self.options.retry_mode, "total_max_attempts": self.options.max_attempts},
            max_pool_connections=self.options.max_workers + self.options.detail_workers,
            connect_timeout=self.options.connect_timeout,
            read_timeout=self.options.read_timeout,
            user_agent_extra=f"unify/{__version__}",
        )
        client = self.boto.client(service, region_name=region, config=config, endpoint_url=self.options.endpoint_url)
        client.meta.events.register("before-send", self._count_request)
        if service == "s3control":
            _strip_account_host_prefix(client)
        return client

    def _count_request(self, **kwargs: Any) -> None:
        with self._lock:
            self.requests += 1

    def _cap(self, service: str, region: str) -> threading.BoundedSemaphore:
        key = (service, region)
        with self._lock:
            cap = self._caps.get(key)
            if cap is None:
                limit = self.options.service_limits.get(service, self.options.default_limit)
                cap = self._caps[key] = threading.BoundedSemaphore(max(1, limit))
        return cap

    # -- calls ----------------------------------------------------------------------

    def call(self, client: Any, operation: str, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        service = client.meta.service_model.service_name
        name = f"{service}:{operation}"
        with self._lock:
            self.calls[name] += 1
        try:
            with self._cap(service, client.meta.region_name):
                return getattr(client, operation)(**kwargs)
        except Exception as exc:
            error = aws_error(exc, name)
            if error is None:
                raise
            raise error from None

    def pages(self, client: Any, operation: str, kwargs: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        service = client.meta.service_model.service_name
        name = f"{service}:{operation}"
        cap = self._cap(service, client.meta.region_name)
        try:
            iterator = iter(client.get_paginator(operation).paginate(**kwargs))
            while True:
                with self._lock:
                    self.calls[name] += 1
                with cap:
                    try:
                        page = next(iterator)
                    except StopIteration:
                        with self._lock:
                            self.calls[name] -= 1  # the paginator made no request
                        return
                yield page
        except AwsError:
            raise
        except Exception as exc:
            error = aws_error(exc, name)
            if error is None:
                raise
            raise error from None

    def map(self, work: Callable[[T], R], items: list[T]) -> list[R]:
        if len(items) <= 1 or getattr(self._local, "in_detail", False):
            return [work(item) for item in items]

        def run(item: T) -> R:
            self._local.in_detail = True
            try:
                return work(item)
            finally:
                self._local.in_detail = False

        return list(self._detail_pool.map(run, items))

    def note_detail_error(self, ctx: CollectContext, error: AwsError) -> None:
        with self._lock:
            self.detail_errors[f"{error.operation or ctx.collector.service}: {error.code}"] += 1

    # -- identity and regions ------------------------------------------------------

    def account(self) -> tuple[str, str]:
        """The account id and partition of the credentials."""
        try:
            identity = self.call(self.client("sts", self.home_region), "get_caller_identity", {})
        except AwsError as exc:
            raise ObservationError(f"cannot identify the AWS account: {exc.code}: {exc.message}") from None
        except Exception as exc:  # NoCredentialsError, ProfileNotFound and friends
            raise ObservationError(f"cannot use AWS credentials: {exc}") from None
        arn = str(identity.get("Arn", "arn:aws:"))
        return str(identity["Account"]), arn.split(":")[1] or "aws"

    def resolve_regions(self, regions: Sequence[str] | None) -> list[str]:
        if not regions:
            return [self.home_region]
        if list(regions) == ["all"]:
            try:
                found = self.call(self.client("ec2", self.home_region), "describe_regions", {"AllRegions": False})
            except AwsError as exc:
                raise ObservationError(f"cannot list regions (ec2:DescribeRegions): {exc.code}: {exc.message}") from None
            return sorted(r["RegionName"] for r in found.get("Regions", []))
        known = set(self.boto.get_available_regions("ec2")) | set(self.boto.get_available_regions("ec2", "aws-us-gov")) \
            | set(self.boto.get_available_regions("ec2", "aws-cn"))
        unknown_regions = [r for r in regions if r not in known]
        if unknown_regions:
            raise ObservationError(f"unknown region(s): {', '.join(unknown_regions)}")
        return sorted(set(regions))


def _strip_account_host_prefix(client: Any) -> None:
    """Let s3control reach a custom endpoint (moto's server, a proxy) by IP or localhost.

    botocore prefixes the account id to the host (``123456789012.127.0.0.1``),
    which only resolves on AWS itself; with an endpoint override, drop it.
    """
    endpoint = client.meta.endpoint_url or ""
    if ".amazonaws.com" in endpoint:
        return

    def strip(request: Any, **kwargs: Any) -> None:
        scheme, _, rest = request.url.partition("://")
        host, _, path = rest.partition("/")
        first, _, remainder = host.partition(".")
        if first.isdigit() and len(first) == 12 and remainder:
            request.url = f"{scheme}://{remainder}/{path}"

    client.meta.events.register_first("before-send.s3-control.*", strip)


@dataclass
class _Outcome:
    resources: list[Resource]
    coverage: list[Coverage]
    failure: str | None = None


def _run(session: Session, collector: Collector, account: str, partition: str, region: str,
         regions: tuple[str, ...]) -> _Outcome:
    ctx = CollectContext(session=session, collector=collector, account=account, region=region, partition=partition,
                         regions=regions)
    resources: list[Resource] = []
    error: dict[str, str] | None = None
    failure: str | None = None
    try:
        for resource in collector.collect(ctx):
            resources.append(resource)
    except AwsError as exc:
        error = exc.as_coverage()
    except Exception as exc:  # noqa: BLE001 - a collector bug must not sink the whole observation
        error = {"code": "CollectorError", "message": f"collector {collector.name!r} (plugin {collector.plugin}) failed: "
                                                      f"{type(exc).__name__}: {exc}"}
        failure = error["message"]
    coverage: list[Coverage] = []
    for type_ in collector.types:
        entry: Coverage = {"type": type_, "account": account, "region": region, "status": "ok" if error is None else "error"}
        if error is not None:
            entry["error"] = {"code": error["code"], "message": error["message"]}
        coverage.append(entry)
    return _Outcome(resources, coverage, failure)


def observe(
    types: Sequence[str] | None = None,
    *,
    collectors: CollectorRegistry | None = None,
    options: ObserveOptions | None = None,
    profile: str | None = None,
    boto_session: Any = None,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
) -> Snapshot:
    """Observe the estate the credentials reach and return a snapshot.

    ``types`` limits collection to what the checks need (None: everything).
    """
    import boto3  # noqa: PLC0415 - evaluation alone never needs boto3

    if collectors is None:
        from unify.plugins import get_plugins  # noqa: PLC0415

        collectors = get_plugins().collectors
    options = options or ObserveOptions()
    progress = progress or _Quiet()
    warn = warn or (lambda message: None)
    chosen, orphans = collectors.for_types(types)
    for type_ in orphans:
        warn(f"no collector yields {type_}; checks over it will be unknown (not observed)")
    if boto_session is None:
        try:
            boto_session = boto3.Session(profile_name=profile)
        except Exception as exc:  # ProfileNotFound
            raise ObservationError(f"cannot use AWS profile {profile!r}: {exc}") from None
    started = time.perf_counter()
    taken_at = utcnow()
    session = Session(boto_session, options)
    try:
        account, partition = session.account()
        regions = session.resolve_regions(options.regions)
        tasks = [(c, "global") if c.scope == "global" else (c, r) for c in chosen
                 for r in (["global"] if c.scope == "global" else regions)]
        progress.start(len(tasks))
        outcomes: list[_Outcome] = []
        with ThreadPoolExecutor(max_workers=options.max_workers, thread_name_prefix="unify-collect") as pool:
            futures = [(c, r, pool.submit(_run, session, c, account, partition, r, tuple(regions))) for c, r in tasks]
            for collector, region, future in futures:
                outcome = future.result()
                outcomes.append(outcome)
                status = "ok" if all(e["status"] == "ok" for e in outcome.coverage) else "error"
                progress.done(collector.name, region, status, len(outcome.resources))
                if outcome.failure:
                    warn(outcome.failure)
    finally:
        progress.finish()
        session.close()
    resources: dict[tuple[str, str, str, str], Resource] = {}
    for outcome in outcomes:
        for resource in outcome.resources:
            resources.setdefault((resource["type"], resource["account"], resource["region"], resource["id"]), resource)
    coverage = [entry for outcome in outcomes for entry in outcome.coverage]
    stats = {
        "api_calls": sum(session.calls.values()),
        "http_requests": session.requests,
        "calls": dict(sorted(session.calls.items())),
        "detail_errors": dict(sorted(session.detail_errors.items())),
        "collectors": sorted({c.name for c, _ in tasks}),
        "tasks": len(tasks),
        "duration_seconds": round(time.perf_counter() - started, 3),
        "retry_mode": options.retry_mode,
    }
    return Snapshot.build(
        resources=list(resources.values()),
        coverage=coverage,
        scope={"accounts": [account], "regions": regions},
        source="aws",
        taken_at=taken_at,
        stats=stats,
    )
