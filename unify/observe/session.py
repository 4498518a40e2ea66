"""The session of one observation: shared boto3 clients, per-service caps, call counters, the sub-call pool.

Every boto3 client is made once per (service, region) and shared by every
collector. Concurrent requests are capped per (service, region) so an audit
does not throttle the account it audits (:mod:`unify.observe.limits`), and
botocore retries throttled calls in ``standard`` or ``adaptive`` mode.
Per-resource sub-calls fan out on a pool of their own; each takes its
service's cap *before* it is handed to a worker of that pool, so a service
with a long backlog (a hundred buckets) holds only as many workers as its cap,
and every other service keeps going beside it. A worker never waits on the cap
it was given, so the collector tasks and their sub-calls cannot deadlock. A
failed call becomes :class:`unify.observe.collector.AwsError` with its code.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from unify._version import __version__
from unify.errors import AwsError, IncompleteObservation, ObservationError
from unify.observe.answers import MALFORMED, MALFORMED_HEADER, broken_body, require
from unify.observe.collector import CollectContext, aws_error
from unify.observe.limits import DEFAULT_LIMIT, DEFAULT_SERVICE_LIMITS, AccountLimits
from unify.observe.redaction import redact_sensitive_members

__all__ = ["DEFAULT_SERVICE_LIMITS", "ObserveOptions", "Session", "profile_session"]

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class ObserveOptions:
    """How an observation runs. The defaults suit an account of a few thousand resources."""

    regions: Sequence[str] | None = None
    max_workers: int = 16
    #: Threads for per-resource sub-calls; each service uses at most its cap of them at once.
    detail_workers: int = 48
    retry_mode: str = "standard"
    #: Attempts per call in all, the first included (botocore total_max_attempts).
    max_attempts: int = 8
    default_limit: int = DEFAULT_LIMIT
    service_limits: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_SERVICE_LIMITS))
    #: At most this many HTTP requests per second to each account (retries included); None: no limit.
    max_requests_per_second: int | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    #: An endpoint for every service (moto's server, a proxy); AWS_ENDPOINT_URL works too.
    endpoint_url: str | None = None
    #: The oldest IAM credential report whose per-user facts are read (IAM serves one up to four hours old);
    #: with an older one each user is asked instead. None: any report IAM serves.
    credential_report_max_age: timedelta | None = None


class _Once:
    """One shared outcome: the first caller makes it, the others wait for it and read it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done = False
        self._value: Any = None
        self._error: AwsError | None = None

    def get(self, make: Callable[[], Any]) -> Any:
        with self._lock:
            if not self._done:
                try:
                    self._value = make()
                except AwsError as exc:
                    self._error = exc
                self._done = True
        if self._error is not None:
            raise self._error
        return self._value


class Session:
    """Shared state of one observation: clients, caps, counters and the sub-call pool."""

    def __init__(
        self,
        boto_session: Any,
        options: ObserveOptions,
        client_setups: Mapping[str, Callable[[Any], None]] | None = None,
        answer_roots: Mapping[str, tuple[str, ...]] | None = None,
        kept_sensitive: Mapping[str, frozenset[str]] | None = None,
        limits: AccountLimits | None = None,
    ) -> None:
        self.boto = boto_session
        self.options = options
        self._setups = dict(client_setups or {})
        self._roots = dict(answer_roots or {})
        self._kept_sensitive = dict(kept_sensitive or {})
        self.home_region: str = boto_session.region_name or "us-east-1"
        self.credential_report_max_age = options.credential_report_max_age
        self._clients: dict[tuple[str, str], Any] = {}
        #: The account's caps: given when they are shared with other sessions of the same account.
        self.limits = limits or AccountLimits(
            options.service_limits, options.default_limit, options.max_requests_per_second
        )
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.requests = 0
        self.detail_errors: Counter[str] = Counter()
        #: Answers that arrived broken (and were retried), and calls that succeeded only after retrying.
        self.broken_answers: Counter[str] = Counter()
        self.retried_successes = 0
        self._once: dict[str, _Once] = {}
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
        from botocore.config import Config  # with the first client: a snapshot's audit never loads botocore

        config = Config(
            retries={"mode": self.options.retry_mode, "total_max_attempts": self.options.max_attempts},
            max_pool_connections=self.options.max_workers + self.options.detail_workers,
            connect_timeout=self.options.connect_timeout,
            read_timeout=self.options.read_timeout,
            user_agent_extra=f"unify/{__version__}",
        )
        client = self.boto.client(service, region_name=region, config=config, endpoint_url=self.options.endpoint_url)
        client.meta.events.register("before-send", self._count_request)
        client.meta.events.register("before-parse", self._check_answer)
        # What AWS documents as sensitive is blanked in every answer before any collector reads it.
        client.meta.events.register("after-call", self._blank_sensitive)
        # A broken answer becomes a 500 (above); this lets botocore's retry logic see the new status.
        # Registered on the service's own event, ahead of botocore's retry handler which lives there too.
        client.meta.events.register_first(
            f"needs-retry.{client.meta.service_model.service_id.hyphenize()}", _update_status
        )
        setup = self._setups.get(service)
        if setup is not None:
            setup(client)
        return client

    def _blank_sensitive(self, parsed: Any, model: Any, **kwargs: Any) -> None:
        if isinstance(parsed, dict) and model.output_shape is not None:
            kept = self._kept_sensitive.get(f"{model.service_model.service_name}:{model.name}", frozenset())
            redact_sensitive_members(parsed, model.output_shape, kept)

    def _count_request(self, **kwargs: Any) -> None:
        self.limits.before_request()
        with self._lock:
            self.requests += 1

    def _check_answer(self, operation_model: Any, response_dict: dict[str, Any], **kwargs: Any) -> None:
        """Turn a ``2xx`` answer whose body is broken into a ``500``, so it is retried, then reported."""
        roots = self._roots.get(f"{operation_model.service_model.service_name}:{operation_model.name}", ())
        problem = broken_body(operation_model, response_dict["status_code"], response_dict.get("body") or b"", roots)
        if problem is None:
            return
        with self._lock:
            self.broken_answers[operation_model.name] += 1
        response_dict["status_code"] = 500
        response_dict["headers"][MALFORMED_HEADER] = problem

    def _count_retries(self, answer: Mapping[str, Any]) -> None:
        if (answer.get("ResponseMetadata") or {}).get("RetryAttempts"):
            with self._lock:
                self.retried_successes += 1

    def _capped(self, service: str, region: str) -> AbstractContextManager[Any]:
        """The cap of (service, region), unless this thread already holds it for its sub-call."""
        if (service, region) in getattr(self._local, "held", ()):
            return nullcontext()
        return self.limits.cap(service, region)

    # -- calls ----------------------------------------------------------------------

    def call(self, client: Any, operation: str, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        service = client.meta.service_model.service_name
        name = f"{service}:{operation}"
        with self._lock:
            self.calls[name] += 1
        try:
            with self._capped(service, client.meta.region_name):
                answer: dict[str, Any] = getattr(client, operation)(**kwargs)
            self._count_retries(answer)
            return answer
        except (KeyError, IndexError, TypeError, ValueError, AttributeError, SyntaxError) as exc:
            # Raised from inside botocore's parser: an answer whose shape is not the operation's.
            raise AwsError(MALFORMED, f"the answer could not be read ({type(exc).__name__}: {exc})", name) from None
        except Exception as exc:
            error = aws_error(exc, name)
            if error is None:
                raise
            raise error from None

    def pages(self, client: Any, operation: str, kwargs: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        service = client.meta.service_model.service_name
        name = f"{service}:{operation}"
        cap = self._capped(service, client.meta.region_name)
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
                self._count_retries(page)
                yield page
        except AwsError:
            raise
        except (KeyError, IndexError, TypeError, ValueError, AttributeError, SyntaxError) as exc:
            raise AwsError(MALFORMED, f"the answer could not be read ({type(exc).__name__}: {exc})", name) from None
        except Exception as exc:
            error = aws_error(exc, name)
            if error is None:
                raise
            raise error from None

    def map(self, work: Callable[[T], R], items: list[T], lane: tuple[str, str] | None = None) -> list[R]:
        """``work`` over ``items`` on the sub-call pool, in order.

        ``lane`` is the (service, region) the items call: its cap is taken
        here, in the caller's thread, before each item is handed to a worker,
        and the worker keeps it for the whole item (its calls to that lane
        take it no second time). Without a lane the items take caps call by
        call, inside the workers.
        """
        if len(items) <= 1 or getattr(self._local, "in_detail", False):
            return [work(item) for item in items]
        cap = self.limits.cap(*lane) if lane is not None else None

        def run(item: T) -> R:
            self._local.in_detail = True
            self._local.held = {lane} if lane is not None else set()
            try:
                return work(item)
            finally:
                self._local.in_detail = False
                self._local.held = set()
                if cap is not None:
                    cap.release()

        futures: list[Future[R]] = []
        for item in items:
            if cap is not None:
                cap.acquire()  # here, not in the worker: a worker is occupied only once its item may call
            futures.append(self._detail_pool.submit(run, item))
        return [future.result() for future in futures]

    def once(self, key: str, make: Callable[[], T]) -> T:
        """``make()`` the first time ``key`` is asked for in this observation, its outcome every time after.

        A failure (:class:`AwsError`) is kept as well, so a second collector does
        not wait out the same refusal or the same slow report again.
        """
        with self._lock:
            slot = self._once.setdefault(key, _Once())
        value: T = slot.get(make)
        return value

    def note_detail_error(self, ctx: CollectContext, error: AwsError) -> None:
        with self._lock:
            self.detail_errors[f"{error.operation or ctx.collector.service}: {error.code}"] += 1

    # -- identity and regions ------------------------------------------------------

    def account(self) -> tuple[str, str]:
        """The account id and partition of the credentials."""
        from botocore.exceptions import BotoCoreError

        try:
            identity = self.call(self.client("sts", self.home_region), "get_caller_identity", {})
            require(identity, ("Account", "Arn"), "sts:GetCallerIdentity")
        except AwsError as exc:
            # AWS was reached and did not say whose credentials these are: nothing was observed (exit 3).
            raise IncompleteObservation(
                f"observation incomplete: cannot identify the AWS account (sts:GetCallerIdentity): "
                f"{exc.code}: {exc.message}"
            ) from None
        except BotoCoreError as exc:  # NoCredentialsError, ProfileNotFound and friends: bad input
            raise ObservationError(f"cannot use AWS credentials: {exc}") from None
        arn = str(identity["Arn"])
        parts = arn.split(":")
        return str(identity["Account"]), (parts[1] if len(parts) > 1 and parts[1] else "aws")

    def resolve_regions(self, regions: Sequence[str] | None) -> list[str]:
        if not regions:
            return [self.home_region]
        if list(regions) == ["all"]:
            try:
                found = self.call(self.client("ec2", self.home_region), "describe_regions", {"AllRegions": False})
            except AwsError as exc:
                raise ObservationError(
                    f"cannot list regions (ec2:DescribeRegions): {exc.code}: {exc.message}"
                ) from None
            try:
                require(found, ("Regions",), "ec2:DescribeRegions")
            except AwsError as exc:
                raise IncompleteObservation(f"observation incomplete: cannot list regions: {exc.message}") from None
            return sorted(r["RegionName"] for r in found["Regions"] if isinstance(r, dict) and "RegionName" in r)
        known = (
            set(self.boto.get_available_regions("ec2"))
            | set(self.boto.get_available_regions("ec2", "aws-us-gov"))
            | set(self.boto.get_available_regions("ec2", "aws-cn"))
        )
        unknown_regions = [r for r in regions if r not in known]
        if unknown_regions:
            raise ObservationError(f"unknown region(s): {', '.join(unknown_regions)}")
        return sorted(set(regions))


def profile_session(profile: str | None, region: str | None = None) -> Any:
    """A boto3 session for ``profile``; a profile boto3 cannot use is an error of the run, not a traceback.

    boto3 is imported here, not with the module: an audit of a saved
    snapshot never calls AWS and should not pay for loading it.
    """
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        return boto3.Session(profile_name=profile, region_name=region)
    except BotoCoreError as exc:  # ProfileNotFound
        raise ObservationError(f"cannot use AWS profile {profile!r}: {exc}") from None


def session_with_models(loader: Any, session_class: Any = None, **settings: Any) -> Any:
    """A boto3 session (of ``session_class``, boto3's by default) that reads botocore's models through ``loader``.

    ``loader`` is another session's ``data_loader``, or None for a session
    with its own. A new botocore session parses the JSON of the service
    models, endpoints and partitions again on its first clients: measured on
    the demo estate, 0.2 to 1.0 s of CPU an observation of one resource type
    against 0.05 s once parsed. Sessions made one after another (one per assumed role, one
    per demo observation) share one loader, whose caches hold them parsed.
    """
    import boto3
    import botocore.session

    core = botocore.session.Session()
    if loader is not None:
        core.register_component("data_loader", loader)
    return (session_class or boto3.Session)(botocore_session=core, **settings)


def models_of(session: Any) -> Any:
    """The ``data_loader`` of a boto3 session, to share with :func:`session_with_models`."""
    return session._session.get_component("data_loader")


def _update_status(response: Any = None, **kwargs: Any) -> None:
    """The ``needs-retry`` step botocore runs for S3 only: take the status the answer was given."""
    if response is None:
        return
    http_response, parsed = response
    status = (parsed or {}).get("ResponseMetadata", {}).get("HTTPStatusCode", http_response.status_code)
    if http_response.status_code != status:
        http_response.status_code = status
