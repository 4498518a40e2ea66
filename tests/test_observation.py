"""The observation: shared clients, caps, coverage for every task, targeted collection, the CLI."""

from __future__ import annotations

import json
import threading
import time

import boto3
import pytest
from moto import mock_aws

from factories import deny, moto_session, observe_moto
from factories import PLUGINS
from unify.model.resource_type import ResourceType
from unify.cli import main
from unify.observe.collector import Collector, CollectContext, CollectorRegistry, tags_dict
from unify.model.policy_document import parse_policy
from unify.errors import ObservationError
from unify.observe.session import ObserveOptions, Session
from unify.observe.observation import observe


def _keys(n: int, region: str = "us-east-1") -> list[str]:
    kms = boto3.client("kms", region_name=region)
    return [kms.create_key(Description=f"k{i}")["KeyMetadata"]["KeyId"] for i in range(n)]


@mock_aws
def test_coverage_ok_per_region_and_stats() -> None:
    _keys(2)
    _keys(1, "eu-west-1")
    snap = observe_moto("aws_kms_key", regions=["us-east-1", "eu-west-1"])
    assert sorted((c["region"], c["status"]) for c in snap.coverage) == [("eu-west-1", "ok"), ("us-east-1", "ok")]
    assert sorted(r["region"] for r in snap.resources) == ["eu-west-1", "us-east-1", "us-east-1"]
    assert snap.scope == {"accounts": ["123456789012"], "regions": ["eu-west-1", "us-east-1"]}
    stats = snap.stats
    assert stats["api_calls"] == sum(stats["calls"].values())
    assert stats["calls"]["kms:list_keys"] == 2 and stats["calls"]["kms:describe_key"] == 3
    assert stats["http_requests"] >= stats["api_calls"]
    assert snap.source == "aws"


@mock_aws
def test_denied_listing_is_error_coverage_and_unknown_verdicts(write) -> None:
    from unify.checks.policy_set import load_policies
    from unify.engine import evaluate

    _keys(1)
    session = moto_session()
    deny(session, "kms", "ListKeys")
    snap = observe_moto("aws_kms_key", session=session)
    (entry,) = snap.coverage
    assert entry["status"] == "error" and entry["error"]["code"] == "AccessDenied"
    assert snap.resources == []
    policy = load_policies([write("p.yaml", "checks:\n  - {id: rot, severity: high, resource: aws_kms_key, assert: {enable_key_rotation: {eq: true}}}\n")], operators=PLUGINS.operators)
    results = evaluate(policy, snap)
    assert [(r.verdict, r.resource) for r in results] == [("unknown", "123456789012/us-east-1/aws_kms_key")]
    assert "AccessDenied" in results.results[0].reason


def _registry(*collectors: Collector) -> CollectorRegistry:
    registry = CollectorRegistry()
    for collector in collectors:
        registry.add(collector)
    return registry


def test_a_collector_bug_is_error_coverage_not_a_crash() -> None:
    def broken(ctx: CollectContext):
        yield ctx.resource("aws_thing", "t1", name="t1", attributes={})
        raise TypeError("oops")

    def fine(ctx: CollectContext):
        yield ctx.resource("aws_other", "o1", name="o1", attributes={"x": 1})

    registry = _registry(
        Collector("thing.broken", "sts", (ResourceType("aws_thing", ()),), (), broken),
        Collector("other.fine", "sts", (ResourceType("aws_other", ("x",)),), (), fine),
    )
    warnings: list[str] = []
    with mock_aws():
        snap = observe(None, collectors=registry, boto_session=moto_session(), warn=warnings.append)
    coverage = {c["type"]: c for c in snap.coverage}
    assert coverage["aws_thing"]["status"] == "error"
    assert coverage["aws_thing"]["error"]["code"] == "CollectorError"
    assert "TypeError: oops" in coverage["aws_thing"]["error"]["message"]
    assert coverage["aws_other"]["status"] == "ok"
    assert {r["id"] for r in snap.resources} == {"t1", "o1"}  # what was listed before the failure is kept
    assert any("thing.broken" in w for w in warnings)


def test_a_failed_sub_listing_is_error_coverage_for_that_type_only() -> None:
    """An API listed, its stages not: the stage type's coverage must not say every stage was seen."""

    def apis_and_stages(ctx: CollectContext):
        yield ctx.resource("aws_api", "a1", name="a1", attributes={})
        ctx.unlisted_type("aws_stage", {"$unknown": "TooManyRequestsException: Rate exceeded"})

    registry = _registry(
        Collector("api.all", "sts", (ResourceType("aws_api", ()), ResourceType("aws_stage", ())), (), apis_and_stages)
    )
    with mock_aws():
        snap = observe(None, collectors=registry, boto_session=moto_session())
    coverage = {c["type"]: c for c in snap.coverage}
    assert coverage["aws_api"]["status"] == "ok"
    assert coverage["aws_stage"]["status"] == "error"
    assert coverage["aws_stage"]["error"] == {"code": "TooManyRequestsException", "message": "Rate exceeded"}
    assert {r["id"] for r in snap.resources} == {"a1"}


def test_targeted_collection_runs_only_needed_collectors_and_warns_about_orphans() -> None:
    ran: list[str] = []

    def make(name: str, type_: str) -> Collector:
        def collect(ctx: CollectContext):
            ran.append(name)
            return []

        return Collector(name, "sts", (ResourceType(type_, ()),), (), collect)

    registry = _registry(make("a.one", "aws_one"), make("b.two", "aws_two"), make("c.global", "aws_three"))
    warnings: list[str] = []
    with mock_aws():
        snap = observe(["aws_two", "aws_nothing"], collectors=registry, boto_session=moto_session(), warn=warnings.append)
    assert ran == ["b.two"]
    assert [c["type"] for c in snap.coverage] == ["aws_two"]
    assert warnings == ["no collector yields aws_nothing; checks over it will be unknown (not observed)"]


def test_global_collectors_run_once_with_region_global() -> None:
    seen: list[str] = []

    def collect(ctx: CollectContext):
        seen.append(ctx.region)
        assert ctx.client_region == "us-east-1" and ctx.regions == ("eu-west-1", "us-east-1")
        return []

    registry = _registry(Collector("g.thing", "sts", (ResourceType("aws_g", ()),), (), collect, scope="global"))
    with mock_aws():
        snap = observe(None, collectors=registry, boto_session=moto_session(),
                       options=ObserveOptions(regions=["us-east-1", "eu-west-1"]))
    assert seen == ["global"]
    assert [(c["region"], c["status"]) for c in snap.coverage] == [("global", "ok")]


@mock_aws
def test_clients_are_shared_per_service_and_region() -> None:
    session = Session(moto_session(), ObserveOptions())
    try:
        assert session.client("kms", "us-east-1") is session.client("kms", "us-east-1")
        assert session.client("kms", "us-east-1") is not session.client("kms", "eu-west-1")
        config = session.client("kms", "us-east-1").meta.config
        assert config.retries["mode"] == "standard" and config.retries["total_max_attempts"] == 8
    finally:
        session.close()


@mock_aws
def test_concurrency_is_capped_per_service() -> None:
    session = Session(moto_session(), ObserveOptions(service_limits={"kms": 2}, detail_workers=12))
    client = session.client("kms", "us-east-1")
    active = 0
    peak = 0
    lock = threading.Lock()

    def before(**kwargs) -> None:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.02)

    def after(**kwargs) -> None:
        nonlocal active
        with lock:
            active -= 1

    client.meta.events.register("before-call.kms.ListKeys", before)
    client.meta.events.register("after-call.kms.ListKeys", after)
    try:
        session.map(lambda _: session.call(client, "list_keys", {}), list(range(10)))
    finally:
        session.close()
    assert peak == 2
    assert session.calls["kms:list_keys"] == 10


@mock_aws
def test_regions_all_and_unknown_regions() -> None:
    session = Session(moto_session(), ObserveOptions())
    try:
        regions = session.resolve_regions(["all"])
        assert "eu-west-1" in regions and "us-east-1" in regions and regions == sorted(regions)
        assert session.resolve_regions(None) == ["us-east-1"]
        with pytest.raises(ObservationError, match="unknown region"):
            session.resolve_regions(["us-east-9"])
    finally:
        session.close()


def test_missing_credentials_are_a_clear_error(monkeypatch, tmp_path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(ObservationError, match="cannot use AWS credentials"):
        observe(["aws_kms_key"], boto_session=boto3.Session(region_name="us-east-1"), collectors=PLUGINS.collectors)
    with pytest.raises(ObservationError, match="cannot use AWS profile 'nope'"):
        observe(["aws_kms_key"], profile="nope", collectors=PLUGINS.collectors)


def test_parse_policy_normalises_shapes() -> None:
    doc = parse_policy('{"Statement": {"Effect": "Deny", "Action": "s3:*", "Principal": "*", '
                       '"Condition": {"Bool": {"aws:SecureTransport": "false"}}}}')
    (statement,) = doc["Statement"]
    assert statement["Action"] == ["s3:*"] and statement["Principal"] == "*"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": ["false"]}}
    encoded = parse_policy("%7B%22Statement%22%3A%5B%5D%7D")
    assert encoded == {"Statement": []}
    assert parse_policy("{not json") == {"$unknown": "policy document is not valid JSON"}
    assert tags_dict([{"Key": "a", "Value": "1"}, {"key": "b", "value": "2"}, {"TagKey": "c", "TagValue": "3"}]) == \
        {"a": "1", "b": "2", "c": "3"}


@pytest.fixture
def aws_env(monkeypatch):
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


def test_cli_observe_writes_a_snapshot(runner, aws_env, tmp_path) -> None:
    _keys(2)
    out = tmp_path / "snap.json.gz"
    result = runner.invoke(main, ["observe", "--types", "aws_kms_key", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    from unify.model.snapshot import load_snapshot

    snap = load_snapshot(out)
    assert len(snap.of_type("aws_kms_key")) == 2 and snap.types == ["aws_kms_key"]
    assert "observed 2 resources" in result.stderr
    result = runner.invoke(main, ["observe", "--types", "aws_kms_kee"])
    assert result.exit_code == 2 and "no collector yields 'aws_kms_kee' (did you mean 'aws_kms_key'?)" in result.stderr


def test_cli_observe_exit_3_on_coverage_errors(runner, aws_env, monkeypatch) -> None:
    import unify.observe.session

    original = unify.observe.session.Session._make_client

    def denying(self, service, region):
        client = original(self, service, region)
        if service == "kms":
            from botocore.awsrequest import AWSResponse

            client.meta.events.register("before-call.kms.ListKeys", lambda **kw: (
                AWSResponse("https://x.invalid/", 403, {}, None),
                {"Error": {"Code": "AccessDenied", "Message": "no"}, "ResponseMetadata": {"HTTPStatusCode": 403}}))
        return client

    monkeypatch.setattr(unify.observe.session.Session, "_make_client", denying)
    result = runner.invoke(main, ["observe", "--types", "aws_kms_key", "--regions", "us-east-1,eu-west-1"])
    assert result.exit_code == 3
    document = json.loads(result.stdout)
    assert {c["status"] for c in document["coverage"]} == {"error"}


def test_cli_audit_live_targets_the_checks_and_saves_the_snapshot(runner, aws_env, write, tmp_path) -> None:
    kms = boto3.client("kms", region_name="us-east-1")
    good = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=good)
    kms.create_key()
    policy = write("p.yaml", "checks:\n  - {id: rot, severity: high, resource: aws_kms_key, "
                             "where: {key_manager: {eq: CUSTOMER}}, assert: {enable_key_rotation: {eq: true}}}\n")
    saved = tmp_path / "saved.json"
    result = runner.invoke(main, ["audit", str(policy), "--live", "--save-snapshot", str(saved), "--format", "json"])
    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    assert sorted(r["verdict"] for r in document["results"]) == ["fail", "pass"]
    from unify.model.snapshot import load_snapshot

    snap = load_snapshot(saved)
    assert snap.digest == document["snapshot"]["digest"]
    assert set(snap.stats["collectors"]) == {"kms.keys"}  # only what the check reads
    result = runner.invoke(main, ["audit", str(policy), "--save-snapshot", str(saved), "--snapshot", str(saved)])
    assert result.exit_code == 2 and "--save-snapshot goes with --live or --demo" in result.stderr


def test_cli_credential_report_max_age_chooses_the_report_or_each_user(runner, aws_env, write, tmp_path) -> None:
    iam = boto3.client("iam", region_name="us-east-1")
    for name in ("alice", "bob"):
        iam.create_user(UserName=name)
    iam.create_login_profile(UserName="alice", Password="Secret-123456")
    policy = write("p.yaml", "checks:\n  - {id: mfa, severity: high, resource: aws_iam_user, "
                             "where: {password_enabled: {eq: true}}, assert: {mfa_active: {eq: true}}}\n")
    from unify.model.snapshot import load_snapshot

    calls = {}
    for label, extra in (("any", []), ("fresh", ["--credential-report-max-age", "30m"])):
        saved = tmp_path / f"{label}.json"
        result = runner.invoke(main, ["audit", str(policy), "--live", "--save-snapshot", str(saved),
                                      "--format", "json", *extra])
        assert result.exit_code == 1, result.stderr
        verdicts = {r["name"]: r["verdict"] for r in json.loads(result.stdout)["results"]}
        assert verdicts == {"alice": "fail"}, label  # bob has no console password: not selected
        calls[label] = load_snapshot(saved).stats["calls"]
    # moto dates its report 2015: read under the default, too old for 30 minutes, so each user is asked.
    assert "iam:get_login_profile" not in calls["any"] and calls["any"]["iam:get_credential_report"] == 1
    assert calls["fresh"]["iam:get_login_profile"] == 2 and calls["fresh"]["iam:list_mfa_devices"] == 2

    result = runner.invoke(main, ["audit", str(policy), "--live", "--credential-report-max-age", "soon"])
    assert result.exit_code == 2
    assert "--credential-report-max-age" in result.stderr and "'soon'" in result.stderr


def test_sessions_made_one_after_another_share_the_parsed_models_and_nothing_else() -> None:
    """A session per assumed role or per demo observation reads botocore's models through the first one's loader
    (parsing them again was most of the cost of observing a small account), with credentials of its own."""
    from unify.observe.demo import DemoEstate
    from unify.observe.recorded import RecordedSession
    from unify.observe.session import models_of, session_with_models

    first = session_with_models(None, region_name="us-east-1", aws_access_key_id="A", aws_secret_access_key="a")
    second = session_with_models(models_of(first), region_name="eu-west-1", aws_access_key_id="B",
                                 aws_secret_access_key="b")
    assert models_of(second) is models_of(first)
    assert (second.get_credentials().access_key, second.region_name) == ("B", "eu-west-1")
    assert first.get_credentials().access_key == "A"
    assert session_with_models(None)._session.get_component("data_loader") is not models_of(first)
    demo = DemoEstate()  # not entered: sessions need no server
    one, two = demo.session(), demo.session()
    assert isinstance(two, RecordedSession) and two is not one and models_of(two) is models_of(one)
    assert two.client("s3", region_name="us-east-1").meta.service_model.service_name == "s3"
