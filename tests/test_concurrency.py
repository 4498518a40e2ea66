"""Concurrency of an observation: caps taken before a worker is occupied, the request window, same snapshot."""

from __future__ import annotations

import threading
from typing import Any

import boto3
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

from factories import PLUGINS, moto_session, observe_moto
from unify.model.resource_type import ResourceType
from unify.observe.collector import Collector, CollectContext, CollectorRegistry
from unify.observe.limits import AccountLimits, RequestWindow, divided
from unify.observe.observation import observe
from unify.observe.session import ObserveOptions, Session

#: How long a test waits for something that must happen before it calls the code broken (never a measure).
PATIENCE = 20.0


class FakeClock:
    """A clock that moves only when the code under test sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _most_in_one_second(times: list[float]) -> int:
    return max((sum(1 for t in times if start <= t < start + 1.0) for start in times), default=0)


@settings(deadline=None, max_examples=60)
@given(
    per_second=st.integers(1, 6),
    gaps=st.lists(st.sampled_from([0.0, 0.0, 0.05, 0.3, 0.999, 1.0, 2.5]), min_size=1, max_size=40),
)
def test_the_request_window_sends_at_most_n_in_any_second_and_delays_no_more_than_needed(
    per_second: int, gaps: list[float]
) -> None:
    clock = FakeClock()
    window = RequestWindow(per_second, clock=clock, sleep=clock.sleep)
    sent: list[float] = []
    for gap in gaps:
        clock.now += gap  # the next request is ready this much later
        ready = clock.now
        window.take()
        sent.append(clock.now)
        assert clock.now >= ready
        earlier = [t for t in sent[:-1] if ready - t < 1.0]
        if len(earlier) < per_second:
            assert clock.now == ready  # room in the window: no wait
    assert _most_in_one_second(sent) <= per_second
    assert sent == sorted(sent)


@mock_aws
def test_max_requests_per_second_holds_for_real_requests_on_a_fake_clock() -> None:
    clock = FakeClock()
    options = ObserveOptions(max_requests_per_second=3)
    limits = AccountLimits(options.service_limits, options.default_limit, 3, clock=clock, sleep=clock.sleep)
    session = Session(moto_session(), options, limits=limits)
    sent: list[float] = []
    try:
        client = session.client("kms", "us-east-1")
        client.meta.events.register("before-send", lambda **kwargs: sent.append(clock.now))
        for _ in range(10):
            session.call(client, "list_keys", {})
    finally:
        session.close()
    assert len(sent) == 10 and session.requests == 10
    assert _most_in_one_second(sent) == 3
    assert sent[-1] >= 3.0  # ten requests at three a second need more than three seconds


def test_caps_divided_among_workers_add_up_to_at_most_the_cap() -> None:
    limits, default = divided({"iam": 4, "s3": 16, "sts": 2}, 8, 3)
    assert limits == {"iam": 1, "s3": 5, "sts": 1} and default == 2
    assert all(limit * 3 <= {"iam": 4, "s3": 16, "sts": 2}[service] for service, limit in limits.items() if limit > 1)


def test_caps_are_taken_before_a_worker_is_occupied() -> None:
    """A service whose calls are stuck holds only its cap of the sub-call workers: the others keep going.

    The S3 collector maps ten items over three workers with an S3 cap of 2;
    each S3 call waits at a gate that opens only once the KMS collector's
    sub-calls have all been answered. If the S3 items took workers before
    their cap, the third worker would wait on S3's cap and the KMS items
    would queue behind the other S3 items: the gate would never open.
    """
    gate = threading.Event()
    in_s3 = threading.Semaphore(0)
    lock = threading.Lock()
    active: dict[str, int] = {"s3": 0, "kms": 0}
    peak: dict[str, int] = {"s3": 0, "kms": 0}
    timed_out: list[str] = []

    def enter(service: str) -> None:
        with lock:
            active[service] += 1
            peak[service] = max(peak[service], active[service])

    def leave(service: str, **kwargs: Any) -> None:
        with lock:
            active[service] -= 1

    def s3_gate(**kwargs: Any) -> None:
        enter("s3")
        in_s3.release()
        if not gate.wait(PATIENCE):
            timed_out.append("s3 waited for a gate that kms never opened")

    def setup_s3(client: Any) -> None:
        client.meta.events.register("before-call.s3.ListBuckets", s3_gate)
        client.meta.events.register("after-call.s3.ListBuckets", lambda **kw: leave("s3"))

    def setup_kms(client: Any) -> None:
        client.meta.events.register("before-call.kms.ListKeys", lambda **kw: enter("kms"))
        client.meta.events.register("after-call.kms.ListKeys", lambda **kw: leave("kms"))

    def buckets(ctx: CollectContext) -> list[Any]:
        client = ctx.client()
        ctx.map(lambda _: ctx.call(client, "list_buckets"), range(10))
        return []

    def keys(ctx: CollectContext) -> list[Any]:
        for _ in range(2):  # both S3 calls are at the gate, holding S3's cap of 2
            if not in_s3.acquire(timeout=PATIENCE):
                timed_out.append("s3 never reached its gate")
        client = ctx.client()
        ctx.map(lambda _: ctx.call(client, "list_keys"), range(6))
        gate.set()
        return []

    registry = CollectorRegistry()
    registry.add(Collector("gated.s3", "s3", (ResourceType("aws_gated", ()),), (), buckets, scope="global",
                           prepare_client=setup_s3))
    registry.add(Collector("free.kms", "kms", (ResourceType("aws_free", ()),), (), keys, prepare_client=setup_kms))
    options = ObserveOptions(detail_workers=3, service_limits={"s3": 2, "kms": 2, "sts": 2})
    with mock_aws():
        snap = observe(None, collectors=registry, boto_session=moto_session(), options=options)
    assert timed_out == []
    assert gate.is_set()
    assert peak == {"s3": 2, "kms": 1}  # kms had the one worker s3 could not take
    assert snap.stats["calls"]["s3:list_buckets"] == 10 and snap.stats["calls"]["kms:list_keys"] == 6
    assert all(entry["status"] == "ok" for entry in snap.coverage)


def _seed() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    for i in range(12):
        s3.create_bucket(Bucket=f"bucket-{i:02d}")
        if i % 3 == 0:
            s3.put_bucket_versioning(Bucket=f"bucket-{i:02d}", VersioningConfiguration={"Status": "Enabled"})
    kms = boto3.client("kms", region_name="us-east-1")
    for i in range(4):
        kms.create_key(Description=f"key {i}")
    iam = boto3.client("iam", region_name="us-east-1")
    for i in range(5):
        iam.create_user(UserName=f"user-{i}")
        iam.create_access_key(UserName=f"user-{i}")


@mock_aws
def test_caps_and_the_request_window_change_the_schedule_not_the_snapshot() -> None:
    _seed()
    types = [t for t in PLUGINS.collectors.types() if t.startswith(("aws_s3_bucket", "aws_kms", "aws_iam_user"))]
    assert len(types) >= 3
    free = observe_moto(*types)
    tight = observe_moto(
        *types,
        detail_workers=2,
        max_workers=2,
        default_limit=1,
        service_limits={"s3": 1, "kms": 1, "iam": 1, "sts": 1},
        max_requests_per_second=10_000,
    )
    assert len(free) > 20
    assert tight.digest == free.digest
    assert tight.stats["calls"] == free.stats["calls"]
