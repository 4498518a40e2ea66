"""Collectors: how each resource type is observed, and what a collector may use.

A :class:`Collector` declares the types it yields (each a
:class:`unify.model.resource_type.ResourceType`, with the attributes it
fills), the AWS calls it makes (the reference page is generated from these
declarations), and a ``collect(ctx)`` function. Collectors never create boto3
clients or catch AWS errors themselves: :class:`CollectContext` hands out the
shared clients, counts calls, applies the per-service concurrency caps, and
turns a failed sub-call into an ``{"$unknown": ...}`` attribute. A failure of
the listing call itself propagates, and the observation records ``error``
coverage for the collector's types in that region.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Final, Literal, Protocol, TypeVar

from unify._registry import Registry
from unify.errors import AwsError, PluginError
from unify.model.resource import Resource, is_unknown, unknown
from unify.model.resource_type import ResourceType, ResourceTypes
from unify.model.time import format_timestamp
from unify.observe.answers import MALFORMED, MALFORMED_HEADER, require

__all__ = [
    "ABSENT",
    "NOT_COLLECTED",
    "NOT_COLLECTED_REASON",
    "AwsError",
    "CallSession",
    "CollectContext",
    "Collector",
    "CollectorRegistry",
    "NotCollected",
    "Wanted",
    "aws_error",
    "normalise",
    "sent",
    "tags_dict",
    "unread",
]

T = TypeVar("T")
R = TypeVar("R")


class _Absent:
    """A sub-call that answered "there is none" (NoSuchBucketPolicy): leave the attribute out."""

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT: Final = _Absent()

#: What a type's attributes some loaded check, waiver, view or drift comparison reads: type -> attribute
#: names (``tags`` for the resource's tags), or None for all of them. A type it does not name is read by
#: nothing; :meth:`Collector.targeted` skips the calls that fill only what nothing reads.
Wanted = Mapping[str, frozenset[str] | None]

#: The reason of the ``$unknown`` marker an attribute gets when its call was skipped.
NOT_COLLECTED_REASON: Final = "NotCollected: no check of this observation reads it, so its call was not made"


class NotCollected(Exception):
    """Raised by :meth:`CollectContext.call` for a call the observation skips; ``detail`` turns it into a value."""


class _NotCollected:
    """The value of a sub-call that was skipped: never a fact, so it refuses to be read as true or false."""

    def __repr__(self) -> str:
        return "NOT_COLLECTED"

    def __bool__(self) -> bool:
        raise TypeError("NOT_COLLECTED has no truth value: the call that fills it was skipped")


NOT_COLLECTED: Final = _NotCollected()


def unread(value: Any) -> bool:
    """Whether a sub-call's value is no answer: the call failed (the ``$unknown`` marker) or was skipped.

    Code that goes on to read an answer's fields asks this first, and passes
    the value on as it is, so the attributes made from it stay unknown or not
    collected.
    """
    return value is NOT_COLLECTED or is_unknown(value)


def aws_error(exc: BaseException, operation: str = "") -> AwsError | None:
    """Classify an exception from botocore (or moto) as an :class:`AwsError`, else None.

    botocore is imported here, not with the module: an audit of a saved snapshot never calls AWS and
    should not pay for loading it (a tenth of a second); whoever raised ``exc`` has loaded it already.
    """
    if isinstance(exc, AwsError):
        return exc
    from botocore import exceptions as bex
    from botocore.parsers import ResponseParserError

    if isinstance(exc, bex.ClientError):
        metadata = exc.response.get("ResponseMetadata", {})
        broken = (metadata.get("HTTPHeaders") or {}).get(MALFORMED_HEADER)
        if broken:  # a 2xx answer that arrived broken, retried by botocore until it gave up
            return AwsError(MALFORMED, f"{broken} (after {metadata.get('RetryAttempts', 0)} retries)", operation)
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or metadata.get("HTTPStatusCode") or "ClientError")
        return AwsError(code, str(error.get("Message") or exc), operation)
    if isinstance(exc, bex.EndpointConnectionError):
        return AwsError("EndpointConnectionError", f"endpoint not available: {exc}", operation)
    if isinstance(exc, (bex.ConnectTimeoutError, bex.ReadTimeoutError)):
        return AwsError("Timeout", str(exc), operation)
    if isinstance(exc, bex.HTTPClientError):
        # The connection closed or was reset mid-answer, after botocore's retries.
        return AwsError("ConnectionError", str(exc), operation)
    if isinstance(exc, ResponseParserError):
        # moto's server answers an unimplemented operation with an HTML 500.
        return AwsError("UnsupportedOperation", "the endpoint could not answer this operation", operation)
    if isinstance(exc, NotImplementedError):
        return AwsError("UnsupportedOperation", f"not implemented by the endpoint: {exc}", operation)
    if isinstance(exc, bex.ConnectionError):
        return AwsError("ConnectionError", str(exc), operation)
    return None


@dataclass(frozen=True)
class Collector:
    """How one or more resource types are observed.

    ``scope`` is ``regional`` (run once per region) or ``global`` (once per
    account, coverage region ``global``). ``calls`` lists IAM-style action
    names (``s3:GetBucketPolicy``): the permissions an audit role needs.
    ``prepare_client`` sets up every client of ``service`` the observation
    makes (an endpoint quirk of that service, say).
    """

    name: str
    service: str
    resource_types: tuple[ResourceType, ...]
    calls: tuple[str, ...]
    collect: Callable[[CollectContext], Iterable[Resource]]
    scope: Literal["regional", "global"] = "regional"
    description: str = ""
    notes: str = ""
    prepare_client: Callable[[Any], None] | None = None
    #: For XML services whose model does not name an answer's root element (S3): operation -> root.
    answer_roots: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Members of an answer AWS marks ``sensitive`` that are identifiers, not secrets (a KMS key id):
    #: operation -> member paths (``Rules[].Key.Id``) kept as sent. Everything else marked sensitive is
    #: blanked before the collector reads it (:mod:`unify.observe.redaction`).
    keeps_sensitive: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    plugin: str = "unify"
    #: The per-resource calls (``service:Operation``) this observation does not make (see :meth:`targeted`).
    skipped: frozenset[str] = frozenset()
    #: The attributes read of each type (None: every type, all of them); see :meth:`CollectContext.reads`.
    read: Wanted | None = field(default=None, compare=False)

    def targeted(self, wanted: Wanted | None) -> Collector:
        """This collector making only the calls whose attributes ``wanted`` names (None: every call).

        A call is skipped when no type of this collector that declares it as a
        source has any of its attributes read; the listing itself is always made.
        """
        if wanted is None:
            return replace(self, skipped=frozenset(), read=None) if self.skipped or self.read is not None else self
        declared: set[str] = set()
        needed: set[str] = set()
        for declared_type in self.resource_types:
            read = wanted.get(declared_type.name, frozenset())
            for call, attributes in declared_type.sources.items():
                declared.add(call)
                if read is None or read.intersection(attributes):
                    needed.add(call)
        reading: dict[str, frozenset[str] | None] = {name: wanted.get(name, frozenset()) for name in self.types}
        return replace(self, skipped=frozenset(declared - needed), read=reading)

    @property
    def not_collected(self) -> dict[str, tuple[str, ...]]:
        """The attributes, by type, that a skipped call would have filled: unknown in this observation."""
        out: dict[str, tuple[str, ...]] = {}
        for declared_type in self.resource_types:
            missing = {a for call, names in declared_type.sources.items() if call in self.skipped for a in names}
            if missing:
                out[declared_type.name] = tuple(sorted(missing))
        return out

    @property
    def types(self) -> tuple[str, ...]:
        """The names of the types this collector yields."""
        return tuple(declared.name for declared in self.resource_types)

    @property
    def attributes(self) -> Mapping[str, tuple[str, ...]]:
        """The attributes it fills, by type."""
        return {declared.name: declared.attributes for declared in self.resource_types}


class CollectorRegistry(Registry[Collector]):
    """Collectors by name; each resource type comes from exactly one collector."""

    kind = "collector"

    def __init__(self) -> None:
        super().__init__()
        self._by_type: dict[str, Collector] = {}

    def _check(self, item: Collector) -> None:
        if not item.resource_types:
            raise PluginError(self.plugin, f"collector {item.name!r} declares no resource types")
        for type_ in item.types:
            owner = self._by_type.get(type_)
            if owner is not None:
                raise PluginError(
                    self.plugin, f"collector {item.name!r}: type {type_!r} is already collected by {owner.name!r}"
                )

    def add(self, item: Collector) -> None:
        super().add(item)
        for type_ in item.types:
            self._by_type[type_] = self[item.name]

    def collector_for(self, type_: str) -> Collector | None:
        return self._by_type.get(type_)

    def types(self) -> list[str]:
        return sorted(self._by_type)

    def resource_types(self) -> ResourceTypes:
        """Every declared type, for the readers that need a type's facts (Terraform, drift, docs)."""
        return ResourceTypes(declared for collector in self for declared in collector.resource_types)

    def client_setups(self) -> dict[str, Callable[[Any], None]]:
        """``prepare_client`` of each service that declares one."""
        return {c.service: c.prepare_client for c in self if c.prepare_client is not None}

    def answer_roots(self) -> dict[str, tuple[str, ...]]:
        """Every declared ``answer_roots``, by ``service:Operation``."""
        return {f"{c.service}:{op}": root for c in self for op, root in c.answer_roots.items()}

    def kept_sensitive(self) -> dict[str, frozenset[str]]:
        """Every declared ``keeps_sensitive``, by ``service:Operation``."""
        kept: dict[str, set[str]] = {}
        for c in self:
            for op, paths in c.keeps_sensitive.items():
                kept.setdefault(f"{c.service}:{op}", set()).update(paths)
        return {call: frozenset(paths) for call, paths in sorted(kept.items())}

    def for_types(
        self, types: Iterable[str] | None, attributes: Wanted | None = None
    ) -> tuple[list[Collector], list[str]]:
        """The collectors needed for ``types`` (all when None), each :meth:`Collector.targeted` to ``attributes``,
        and the types nobody collects."""
        chosen, orphans = self._for_types(types)
        return [collector.targeted(attributes) for collector in chosen], orphans

    def _for_types(self, types: Iterable[str] | None) -> tuple[list[Collector], list[str]]:
        if types is None:
            return list(self), []
        chosen: dict[str, Collector] = {}
        orphans: list[str] = []
        for type_ in sorted(set(types)):
            collector = self.collector_for(type_)
            if collector is None:
                orphans.append(type_)
            else:
                chosen[collector.name] = collector
        return [chosen[name] for name in sorted(chosen)], orphans


def _name(client: Any, operation: str) -> str:
    """``service:Operation`` as AWS names the call (``kms:DescribeKey``), for reasons and coverage."""
    api = client.meta.method_to_api_mapping.get(operation, operation)
    return f"{client.meta.service_model.service_name}:{api}"


def _plain(value: Any) -> Any:
    """boto3 output as JSON data: datetimes to UTC ISO strings, bytes dropped."""
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return None
    return value


def normalise(value: Any) -> Any:
    """Public alias of the boto3-to-JSON conversion, for plugin collectors."""
    return _plain(value)


class CallSession(Protocol):
    """What a collector's context needs of the observation (:class:`unify.observe.session.Session`)."""

    home_region: str
    #: The oldest credential report a collector may read facts from (None: any IAM serves).
    credential_report_max_age: timedelta | None

    def client(self, service: str, region: str) -> Any: ...

    def call(self, client: Any, operation: str, kwargs: Mapping[str, Any]) -> dict[str, Any]: ...

    def pages(self, client: Any, operation: str, kwargs: Mapping[str, Any]) -> Iterator[dict[str, Any]]: ...

    def map(self, work: Callable[[T], R], items: list[T], lane: tuple[str, str] | None = None) -> list[R]: ...

    def note_detail_error(self, ctx: CollectContext, error: AwsError) -> None: ...

    def once(self, key: str, make: Callable[[], T]) -> T: ...


@dataclass
class CollectContext:
    """What a collector gets: where it runs, clients, and call helpers that keep count."""

    session: CallSession
    collector: Collector
    account: str
    region: str
    partition: str = "aws"
    #: Every region of this observation (global collectors filter by it, e.g. S3 buckets).
    regions: tuple[str, ...] = ()
    #: Types not every resource of which could be listed here (a sub-listing failed): type -> the error.
    unlisted: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The attributes, by type, this observation does not collect (from the collector's skipped calls).
    not_collected: dict[str, tuple[str, ...]] = field(init=False)

    def __post_init__(self) -> None:
        self.not_collected = self.collector.not_collected

    def reads(self, type_: str, attribute: str) -> bool:
        """Whether some check, waiver, view or drift comparison of this observation reads ``type_.attribute``.

        For a collector with a cheaper way to one attribute than the call that
        also fills another (a report beside a per-resource call): when only
        the first is read, the call need not be made.
        """
        if self.collector.read is None:
            return True
        attributes = self.collector.read.get(type_, frozenset())
        return attributes is None or attribute in attributes

    def not_collecting(self, type_: str, attribute: str) -> None:
        """Record that this observation leaves ``type_.attribute`` out: it is unknown, and coverage names it."""
        missing = self.not_collected.get(type_, ())
        if attribute not in missing:
            self.not_collected = {**self.not_collected, type_: tuple(sorted((*missing, attribute)))}

    def unlisted_type(self, type_: str, why: Mapping[str, Any]) -> None:
        """Record that a listing of ``type_`` failed (``why`` is its ``$unknown`` marker): its coverage is ``error``.

        A resource listed under another one (an API's stages, a function's
        permissions) can go missing when that sub-listing fails; coverage then
        must not say every one was seen.
        """
        code, _, message = str(why.get("$unknown", "")).partition(": ")
        self.unlisted.setdefault(type_, {"code": code or "Unknown", "message": message or code})

    @property
    def client_region(self) -> str:
        """The region clients are made in: the session's home region for global collectors."""
        return self.session.home_region if self.region == "global" else self.region

    def client(self, service: str | None = None, region: str | None = None) -> Any:
        """The shared boto3 client for (service, region); made once per observation."""
        return self.session.client(service or self.collector.service, region or self.client_region)

    def call(self, client: Any, operation: str, *, expect: Sequence[str] = (), **kwargs: Any) -> dict[str, Any]:
        """One API call, counted and capped; raises :class:`AwsError` when it fails.

        ``expect`` names the keys (dotted paths) the answer must hold for the
        collector to read it; an answer without one is ``MalformedResponse``.
        """
        name = _name(client, operation)
        if name in self.collector.skipped:
            raise NotCollected(name)
        answer: dict[str, Any] = _plain(self.session.call(client, operation, kwargs))
        require(answer, expect, name)
        return answer

    def once(self, client: Any, operation: str, make: Callable[[], T]) -> T:
        """``make()``, whose first call is ``operation``, made once per observation of the account.

        For an answer more than one collector reads (IAM's credential report:
        the root user's and every user's): one set of requests, and every
        collector reads the same answer. A collector that skips ``operation``
        gets :class:`NotCollected` without touching what others share.
        """
        name = _name(client, operation)
        if name in self.collector.skipped:
            raise NotCollected(name)
        return self.session.once(name, make)

    def pages(
        self, client: Any, operation: str, *, expect: Sequence[str] = (), **kwargs: Any
    ) -> Iterator[dict[str, Any]]:
        """Every page of a paginated operation (each page is one counted call), each holding ``expect``."""
        name = _name(client, operation)
        if name in self.collector.skipped:
            raise NotCollected(name)
        for page in self.session.pages(client, operation, kwargs):
            answer: dict[str, Any] = _plain(page)
            require(answer, expect, name)
            yield answer

    def items(self, client: Any, operation: str, key: str, *, each: Sequence[str] = (), **kwargs: Any) -> Iterator[Any]:
        """The items under ``key`` across every page; a page without ``key`` is ``MalformedResponse``.

        AWS sends the list on every page of a listing, empty or not; a page
        that lacks it is not "no items" but an answer that did not arrive.
        ``each`` names the keys every item must hold (its identifier, say).
        """
        name = _name(client, operation)
        for page in self.pages(client, operation, expect=(key,), **kwargs):
            items = page[key]
            if not isinstance(items, list):
                raise AwsError(MALFORMED, f"the answer's {key!r} is not a list", name)
            for item in items:
                if each:
                    if not isinstance(item, Mapping):
                        raise AwsError(MALFORMED, f"an item of {key!r} is not a mapping", name)
                    require(item, each, name)
                yield item

    def detail(
        self, fetch: Callable[[], T], *, absent: Iterable[str] = ()
    ) -> T | _Absent | _NotCollected | dict[str, Any]:
        """Run a sub-call that fills one attribute of a listed resource.

        Returns its value; :data:`ABSENT` when AWS answers with one of the
        ``absent`` error codes (the setting is not there: a fact);
        :data:`NOT_COLLECTED` when this observation skips the call; or the
        ``$unknown`` marker for any other failure, so checks reading the
        attribute are unknown rather than wrong.
        """
        absent_codes = set(absent)
        try:
            return fetch()
        except NotCollected:
            return NOT_COLLECTED
        except AwsError as exc:
            if exc.code in absent_codes:
                return ABSENT
            self.session.note_detail_error(self, exc)
            return exc.marker()
        except (KeyError, IndexError) as exc:
            # A field the sub-call's answer should have carried is missing: that attribute is not observed.
            error = AwsError(MALFORMED, f"the answer lacks {exc}", self.collector.service)
            self.session.note_detail_error(self, error)
            return error.marker()

    def map(self, work: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``work`` over ``items`` concurrently (for per-resource sub-calls), in order.

        Each item holds one place under the cap of the collector's service in
        this context's region, taken before it occupies a worker.
        """
        return self.session.map(work, list(items), (self.collector.service, self.client_region))

    def arn(
        self,
        service: str,
        resource: str,
        *,
        region: str | None = None,
        account: str | None = None,
        global_: bool = False,
    ) -> str:
        region_part = "" if global_ else (region if region is not None else self.region)
        account_part = self.account if account is None else account
        return f"arn:{self.partition}:{service}:{region_part}:{account_part}:{resource}"

    def resource(
        self,
        type_: str,
        id_: str,
        *,
        name: str | None,
        attributes: Mapping[str, Any],
        tags: Any = None,
        region: str | None = None,
    ) -> Resource:
        """A resource of this context's account; ABSENT attributes are left out.

        Attributes this observation does not collect are the ``$unknown``
        marker whatever the collector computed for them, so a value made
        from a skipped call's absence never reads as a fact.
        """
        missing = self.not_collected.get(type_, ())
        clean: dict[str, Any] = {}
        for key, value in attributes.items():
            if value is ABSENT or key in missing:
                continue
            if value is NOT_COLLECTED:
                raise PluginError(
                    self.collector.plugin,
                    f"collector {self.collector.name!r}: {type_}.{key} comes from a skipped call "
                    "that the type's sources do not name",
                )
            clean[key] = value
        for key in missing:
            if key != "tags":
                clean[key] = unknown(NOT_COLLECTED_REASON)
        if "tags" in missing:
            kept_tags: dict[str, Any] = unknown(NOT_COLLECTED_REASON)
        elif tags is NOT_COLLECTED:
            raise PluginError(
                self.collector.plugin,
                f"collector {self.collector.name!r}: the tags of {type_} come from a skipped call "
                "that the type's sources do not name",
            )
        else:
            kept_tags = tags_dict(tags)
        return {
            "type": type_,
            "id": id_,
            "name": name,
            "account": self.account,
            "region": region or self.region,
            "tags": kept_tags,
            "attributes": clean,
        }


def sent(answer: Mapping[str, Any], key: str, convert: Callable[[Any], Any] | None = None) -> Any:
    """``answer[key]`` (converted), or the ``$unknown`` marker when AWS did not send it.

    For fields an answer normally carries but that no documented default
    stands in for: a missing one is not observed, never read as false or
    empty.
    """
    if key not in answer or answer[key] is None:
        return unknown(f"{MALFORMED}: {key} not sent")
    return answer[key] if convert is None else convert(answer[key])


def tags_dict(tags: Any) -> dict[str, Any]:
    """AWS tag lists in their many spellings (``Key``/``Value``, ``key``/``value``, ``TagKey``) as a mapping."""
    if tags is None or tags is ABSENT:
        return {}
    if isinstance(tags, dict) and "$unknown" in tags:
        return tags
    if isinstance(tags, Mapping):
        return {str(k): v for k, v in tags.items()}
    out: dict[str, Any] = {}
    for tag in tags:
        key = tag.get("Key", tag.get("key", tag.get("TagKey")))
        value = tag.get("Value", tag.get("value", tag.get("TagValue")))
        if key is not None:
            out[str(key)] = value
    return out
