"""The watch loop: observe, evaluate, record and compare on an interval, over moto's server."""

from __future__ import annotations

import io
import itertools
import json
import signal
import threading

import pytest
from botocore.exceptions import EndpointConnectionError

from factories import moto_server, moto_session, ok, resource, snapshot
from factories import PLUGINS, TYPES
from unify.checks.policy_set import load_policies
from unify.errors import ObservationError, WaiverError
from unify.store.store import open_store
from unify.observe.session import ObserveOptions
from unify.observe.observation import observe
from unify.checks.waivers import load_waivers
from unify.cli.watch import describe_event, install_signal_handlers, jsonl_emitter, parse_interval, watch

POLICY = """
checks:
  - id: ebs-encrypted
    severity: high
    resource: aws_ebs_volume
    assert: {encrypted: {eq: true}}
  - id: s3-versioning
    severity: medium
    resource: aws_s3_bucket
    assert: {versioning.status: {eq: Enabled}}
"""
TYPES = ["aws_s3_bucket", "aws_ebs_volume"]
_accounts = itertools.count(444455550001)


@pytest.fixture(scope="module")
def endpoint():
    """moto's server on 127.0.0.1 with a free port; each test works in an account of its own."""
    with moto_server() as url:
        yield url


@pytest.fixture
def aws(endpoint):
    """A boto3 session with moto's test credentials in a fresh moto account.

    moto's backends are per process and shared by every server in it (other
    test modules seed theirs); the ``x-moto-account-id`` header keeps this
    test's buckets and volumes out of their way and theirs out of this one.
    """
    account = str(next(_accounts))
    session = moto_session()

    def in_account(request, **kwargs) -> None:
        request.headers["x-moto-account-id"] = account

    session.events.register("before-send", in_account)
    return session, endpoint, account


@pytest.fixture
def policy(write):
    return load_policies([write("policy.yaml", POLICY)], operators=PLUGINS.operators)


def _observer(session, endpoint):
    def observe_once():
        return observe(TYPES, boto_session=session, options=ObserveOptions(regions=["us-east-1"], endpoint_url=endpoint), collectors=PLUGINS.collectors)

    return observe_once


def test_two_intervals_report_changed_paths_flips_and_verifiable_runs(aws, policy, tmp_path) -> None:
    session, endpoint, account = aws
    s3 = session.client("s3", endpoint_url=endpoint)
    ec2 = session.client("ec2", endpoint_url=endpoint)
    bucket = f"watch-{account}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    doomed = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"]
    kept = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1, Encrypted=True)["VolumeId"]
    events: list[dict] = []

    def emit(event: dict) -> None:
        events.append(event)
        if len(events) == 1:  # between the two iterations, the estate changes
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
            ec2.delete_volume(VolumeId=doomed)

    store = open_store(str(tmp_path / "store"))
    done = watch(policy=policy, waivers=None, observe_once=_observer(session, endpoint), interval_seconds=0.05,
                 iterations=2, store=store, emit=emit)

    assert done == 2 and [e["event"] for e in events] == ["observed", "observed"]
    first, second = events
    assert json.loads(json.dumps(events)) == events
    assert first["iteration"] == 1 and first["changes"] is None and first["flips"] is None
    assert first["summary"] == {"pass": 1, "fail": 2, "unknown": 0, "waived": 0, "error": 0}
    assert second["summary"] == {"pass": 2, "fail": 0, "unknown": 0, "waived": 0, "error": 0}
    changes = second["changes"]
    assert changes["summary"] == {"added": 0, "removed": 1, "changed": 1}
    assert changes["base"]["digest"] == first["digest"] and changes["since_iteration"] == 1
    doomed_arn = f"arn:aws:ec2:us-east-1:{account}:volume/{doomed}"
    assert changes["removed"] == [doomed_arn] and changes["added"] == []
    (changed,) = changes["changed"]
    assert changed["resource"] == f"arn:aws:s3:::{bucket}" and changed["name"] == bucket
    assert {"path": "versioning.status", "before": "Suspended", "after": "Enabled", "kind": "changed"} in changed["paths"]
    flips = {(f["check"], f["resource"]): (f["before"], f["after"]) for f in second["flips"]}
    assert flips == {("s3-versioning", f"arn:aws:s3:::{bucket}"): ("fail", "pass"),
                     ("ebs-encrypted", doomed_arn): ("fail", None)}
    assert f"arn:aws:ec2:us-east-1:{account}:volume/{kept}" not in {f["resource"] for f in second["flips"]}
    # each iteration is a run in the store, and the chain verifies
    assert [first["run"], second["run"]] == [1, 2]
    assert store.verify() == (2, None)
    runs = store.runs()
    assert [run.manifest["snapshot"]["digest"] for run in runs] == [first["digest"], second["digest"]]
    assert store.results_document("2")["summary"] == second["summary"]
    assert "2 verdict(s) flipped" in describe_event(second) and "recorded as run 2" in describe_event(second)


def _fake_observations(*outcomes):
    """An observe_once that raises or returns each outcome in turn, then repeats the last."""
    calls = iter(outcomes)
    last: list = []

    def observe_once():
        outcome = next(calls, last[0] if last else None)
        last[:] = [outcome]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    return observe_once


def _volumes(*encrypted: bool, taken_at: str = "2026-11-20T09:00:00Z"):
    return snapshot([resource("aws_ebs_volume", f"vol-{i}", {"encrypted": e}) for i, e in enumerate(encrypted)],
                    [ok("aws_ebs_volume")], taken_at=taken_at)


def test_a_failed_observation_is_an_event_and_the_loop_carries_on(policy, tmp_path) -> None:
    events: list[dict] = []
    observe_once = _fake_observations(
        ObservationError("cannot use AWS credentials: Unable to locate credentials"),
        _volumes(True, False),
        EndpointConnectionError(endpoint_url="https://ec2.us-east-1.amazonaws.com/"),
        _volumes(True, True, taken_at="2026-11-20T10:00:00Z"),
    )
    waiver_file = tmp_path / "waivers.yaml"
    waiver_file.write_text("waivers:\n  - {check: ebs-encrypted, resources: [vol-9], reason: legacy}\n")
    store = open_store(str(tmp_path / "store"))
    done = watch(policy=policy, waivers=load_waivers([waiver_file]), observe_once=observe_once, interval_seconds=0,
                 iterations=4, store=store, emit=events.append, waiver_files=[str(waiver_file)])
    assert done == 4
    assert [(e["event"], e["iteration"]) for e in events] == [
        ("observation-failed", 1), ("observed", 2), ("observation-failed", 3), ("observed", 4)]
    assert events[0]["error"] == "cannot use AWS credentials: Unable to locate credentials"
    assert events[2]["error"].startswith("EndpointConnectionError: Could not connect")
    assert events[1]["changes"] is None and events[1]["run"] == 1
    # compared with the last success, across the failure in between
    assert events[3]["changes"]["since_iteration"] == 2 and events[3]["run"] == 2
    assert events[3]["changes"]["changed"][0]["paths"] == [
        {"path": "encrypted", "before": False, "after": True, "kind": "changed"}]
    assert events[3]["flips"] == [{"check": "ebs-encrypted", "resource": "vol-1", "before": "fail", "after": "pass",
                                   "type": "aws_ebs_volume", "severity": "high"}]
    assert describe_event(events[0]) == ("#1 " + events[0]["time"] +
                                         ": observation failed: cannot use AWS credentials: Unable to locate credentials")
    assert store.verify() == (2, None)  # failed iterations record nothing
    assert [w["path"] for w in store.run("2").manifest["waivers"]] == [str(waiver_file)]


def test_other_errors_are_not_taken_for_failed_observations(policy) -> None:
    def broken():
        raise RuntimeError("a bug, not the weather")

    with pytest.raises(RuntimeError, match="a bug"):
        watch(policy=policy, waivers=None, observe_once=broken, interval_seconds=0, iterations=3, emit=lambda e: None)


def test_a_waiver_for_an_unknown_check_fails_before_any_observation(policy, write) -> None:
    waivers = load_waivers([write("w.yaml", "waivers:\n  - {check: no-such-check, resources: ['*'], reason: typo}\n")])
    calls: list = []
    with pytest.raises(WaiverError, match="no-such-check"):
        watch(policy=policy, waivers=waivers, observe_once=lambda: calls.append(1), interval_seconds=0,
              iterations=1, emit=lambda e: None)
    assert calls == []


def test_a_store_that_cannot_be_written_is_reported_and_the_loop_carries_on(policy, tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    events: list[dict] = []
    done = watch(policy=policy, waivers=None, observe_once=_fake_observations(_volumes(True)), interval_seconds=0,
                 iterations=2, store=open_store(str(blocker / "store")), emit=events.append)
    assert done == 2 and [e["run"] for e in events] == [None, None]
    assert all(e.get("store_error") for e in events)
    assert "NOT recorded" in describe_event(events[0])


def test_setting_stop_ends_the_wait_at_once(policy) -> None:
    stop = threading.Event()
    first = threading.Event()
    events: list[dict] = []
    outcome: dict = {}

    def emit(event: dict) -> None:
        events.append(event)
        first.set()

    def run() -> None:
        # An interval of a day: the loop can only have ended because stop was set, not because time passed.
        outcome["done"] = watch(policy=policy, waivers=None, observe_once=_fake_observations(_volumes(True)),
                                interval_seconds=86_400, emit=emit, stop=stop)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert first.wait(60)
    stop.set()
    thread.join(60)  # a guard against a hang, not a measure of speed
    assert not thread.is_alive() and outcome["done"] == 1 and len(events) == 1
    # set before it starts, nothing is done at all
    assert watch(policy=policy, waivers=None, observe_once=_fake_observations(_volumes(True)),
                 interval_seconds=60, emit=events.append, stop=stop) == 0


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals need the main thread")
def test_sigint_and_sigterm_set_the_event_and_the_handlers_are_restored(policy) -> None:
    before = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    stop = threading.Event()
    restore = install_signal_handlers(stop)
    try:
        signal.raise_signal(signal.SIGTERM)
        assert stop.is_set()
        with pytest.raises(KeyboardInterrupt):  # a second one abandons whatever is under way
            signal.raise_signal(signal.SIGINT)
        # a watch waiting out its interval in the main thread ends when the signal comes
        stop.clear()
        timer = threading.Timer(0.2, signal.raise_signal, (signal.SIGINT,))
        # If the signal did not end the wait, this guard would, and say so; the interval is a day.
        guard = threading.Timer(120, stop.set)
        events: list[dict] = []
        timer.start()
        guard.start()
        done = watch(policy=policy, waivers=None, observe_once=_fake_observations(_volumes(True)),
                     interval_seconds=86_400, emit=events.append, stop=stop)
        timer.join()
        guard_fired = not guard.is_alive()
        guard.cancel()
        assert done == 1 and len(events) == 1 and not guard_fired
    finally:
        restore()
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_signal_handlers_outside_the_main_thread_are_a_no_op() -> None:
    found: list = []
    thread = threading.Thread(target=lambda: found.append(install_signal_handlers(threading.Event())))
    thread.start()
    thread.join()
    before = signal.getsignal(signal.SIGINT)
    found[0]()
    assert signal.getsignal(signal.SIGINT) == before


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("15m", 900), ("1h", 3600), ("2d", 172800),
                                               (" 1s ", 1), ("1.5h", 5400), ("10M", 600)])
def test_parse_interval(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize(("text", "message"), [("15", "not an interval"), ("15 minutes", "not an interval"),
                                               ("", "not an interval"), ("-5m", "not an interval"),
                                               ("1w", "not an interval"), ("0s", "minimum is 1s"),
                                               ("0.5s", "minimum is 1s")])
def test_parse_interval_refuses_bad_input(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_interval(text)


def test_jsonl_emitter_writes_one_line_per_event() -> None:
    stream = io.StringIO()
    emit = jsonl_emitter(stream)
    emit({"event": "observed", "iteration": 1, "name": "façade"})
    emit({"event": "observation-failed", "iteration": 2, "error": "x"})
    lines = stream.getvalue().splitlines()
    assert [json.loads(line)["iteration"] for line in lines] == [1, 2] and "façade" in lines[0]
