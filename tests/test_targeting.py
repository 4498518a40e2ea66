"""Attribute-level targeting: an observation makes only the calls whose attributes something reads.

Each resource type declares which per-resource call fills which attributes
(``ResourceType.sources``). These tests hold the declarations to what the
collectors do, on the demo estate (moto's server over HTTP, recorded answers
where moto has no backend), observed once in full:

- every declared call is a real operation of its service, and the demo
  makes it, so the declaration is exercised;
- skipping one call changes nothing but the attributes it is declared to
  fill (those become the ``NotCollected`` marker and the coverage lists
  them), and saves exactly that call: a value computed from a call that its
  declaration does not name would differ here;
- adding a check over a new attribute adds exactly the calls for it, and a
  check over an attribute that was not collected is unknown, never a pass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore import xform_name

from factories import PLUGINS
from unify.checks.policy_set import PolicySet, load_policies
from unify.engine import evaluate
from unify.model.resource import is_unknown
from unify.model.snapshot import Snapshot
from unify.observe.collector import NOT_COLLECTED_REASON, Collector, Wanted
from unify.observe.demo import DEMO_REGIONS, DemoEstate
from unify.observe.observation import observe
from unify.observe.session import ObserveOptions
from unify.run import targets

COLLECTORS = PLUGINS.collectors
TARGETED = sorted(c.name for c in COLLECTORS if any(t.sources for t in c.resource_types))


def _declared(collector: Collector) -> list[str]:
    return sorted({call for t in collector.resource_types for call in t.sources})


def _method(call: str) -> str:
    """``s3:GetBucketLogging`` as the observation's stats count it: ``s3:get_bucket_logging``."""
    service, _, operation = call.partition(":")
    return f"{service}:{xform_name(operation)}"


class Demo:
    """The demo estate, served for the module, and ways to observe it."""

    def __init__(self, estate: DemoEstate) -> None:
        self.estate = estate

    def observe(self, types: list[str] | None = None, attributes: Wanted | None = None) -> Snapshot:
        return observe(
            types,
            collectors=COLLECTORS,
            attributes=attributes,
            boto_session=self.estate.session(),
            options=ObserveOptions(regions=list(DEMO_REGIONS), endpoint_url=self.estate.endpoint),
        )


@pytest.fixture(scope="module")
def demo() -> Iterator[Demo]:
    with DemoEstate() as estate:
        yield Demo(estate)


@pytest.fixture(scope="module")
def full(demo: Demo) -> Snapshot:
    return demo.observe()


#: Attributes the emulator sets to the time of each read, so two observations never agree on them:
#: moto answers GetTrailStatus with LatestDeliveryTime = now for a trail that is logging.
_READ_TIME: frozenset[tuple[str, str]] = frozenset({("aws_cloudtrail", "latest_delivery_time")})


def _keyed(snapshot: Snapshot, types: tuple[str, ...]) -> dict[tuple[str, str, str, str], Any]:
    return {(r["type"], r["account"], r["region"], r["id"]): r for r in snapshot.resources if r["type"] in types}


def test_every_declared_source_is_an_operation_of_its_service_and_an_attribute_of_its_type() -> None:
    models = botocore.session.get_session()
    wrong = []
    for collector in COLLECTORS:
        for declared in collector.resource_types:
            for call, attributes in declared.sources.items():
                service, _, operation = call.partition(":")
                names = models.get_service_model(service).operation_names
                if operation not in names:
                    wrong.append(f"{declared.name}: {call} is not an operation of {service}")
                wrong += [
                    f"{declared.name}: {call} fills {a!r}, which the type does not declare"
                    for a in attributes
                    if a != "tags" and a not in declared.attributes
                ]
                if not attributes:
                    wrong.append(f"{declared.name}: {call} fills nothing")
    assert wrong == []


def test_the_full_observation_makes_every_declared_call(full: Snapshot) -> None:
    """Each declaration is exercised below only if the demo makes its call."""
    made = full.stats["calls"]
    assert full.stats["skipped_calls"] == []
    assert not any("not_collected" in entry for entry in full.coverage)
    missing = [f"{name}: {call}" for name in TARGETED for call in _declared(COLLECTORS[name]) if not made.get(_method(call))]
    assert missing == []


@pytest.mark.parametrize("name", TARGETED)
def test_skipping_a_call_changes_only_what_it_is_declared_to_fill(name: str, demo: Demo) -> None:
    collector = COLLECTORS[name]
    whole = demo.observe(list(collector.types))
    before = _keyed(whole, collector.types)
    assert before, f"the demo has no resources of {collector.types}"
    for call in _declared(collector):
        wanted: dict[str, frozenset[str] | None] = {
            t.name: frozenset({*t.attributes, "tags"}) - frozenset(t.sources.get(call, ())) for t in collector.resource_types
        }
        skipped = collector.targeted(wanted).skipped
        assert call in skipped
        lost = collector.targeted(wanted).not_collected
        snapshot = demo.observe(list(collector.types), wanted)
        Snapshot(snapshot.to_dict())  # the schema takes what the observation wrote
        after = _keyed(snapshot, collector.types)
        assert sorted(after) == sorted(before), call
        for key, resource in after.items():
            gone = set(lost.get(key[0], ()))
            old = before[key]
            for attribute in set(old["attributes"]) | set(resource["attributes"]):
                value = resource["attributes"].get(attribute)
                if attribute in gone:
                    assert value == {"$unknown": NOT_COLLECTED_REASON}, (call, key, attribute)
                elif (key[0], attribute) not in _READ_TIME:
                    assert value == old["attributes"].get(attribute), (call, key, attribute)
            if "tags" in gone:
                assert resource["tags"] == {"$unknown": NOT_COLLECTED_REASON}
            else:
                assert resource["tags"] == old["tags"], (call, key)
        for entry in snapshot.coverage:
            assert entry["status"] == "ok"
            assert entry.get("not_collected", []) == list(lost.get(entry["type"], ())), (call, entry)
        calls = Counter(snapshot.stats["calls"])
        reference = Counter(whole.stats["calls"])
        for method in {_method(c) for c in skipped}:
            assert calls[method] == 0, (call, method)
            reference.pop(method, None)
        assert calls == reference, call


def test_observing_for_no_check_skips_every_declared_call_and_keeps_what_the_listings_give(
    demo: Demo, full: Snapshot
) -> None:
    types = [t for name in TARGETED for t in COLLECTORS[name].types]
    snapshot = demo.observe(types, {})
    made = snapshot.stats["calls"]
    declared = {call for name in TARGETED for call in _declared(COLLECTORS[name])}
    assert sorted(snapshot.stats["skipped_calls"]) == sorted(declared)
    assert not [call for call in declared if made.get(_method(call))]
    assert snapshot.stats["api_calls"] < full.stats["api_calls"]
    assert len(_keyed(snapshot, tuple(types))) == len(_keyed(full, tuple(types)))


BASE = """
checks:
  - id: bucket-versioned
    title: Buckets are versioned
    severity: medium
    resource: aws_s3_bucket
    assert:
      versioning.status: {eq: Enabled}
"""

LOGGING = """
  - id: bucket-logged
    title: Buckets log access
    severity: low
    resource: aws_s3_bucket
    where:
      tags.environment: {ne: scratch}
    assert:
      logging.target_bucket: {exists: true}
"""


def _policy(path: Path, text: str) -> PolicySet:
    path.write_text(text)
    return load_policies([str(path)], operators=PLUGINS.operators)


def test_adding_a_check_over_a_new_attribute_adds_exactly_its_calls(demo: Demo, tmp_path: Path) -> None:
    base = _policy(tmp_path / "a.yaml", BASE)
    more = _policy(tmp_path / "b.yaml", BASE + LOGGING)
    assert targets(more)["aws_s3_bucket"] == targets(base)["aws_s3_bucket"] | {"logging", "tags"}
    first = demo.observe(base.types, targets(base))
    second = demo.observe(more.types, targets(more))
    buckets = len(first.of_type("aws_s3_bucket"))
    added = Counter(second.stats["calls"]) - Counter(first.stats["calls"])
    assert added == {"s3:get_bucket_logging": buckets, "s3:get_bucket_tagging": buckets}
    assert Counter(first.stats["calls"]) - Counter(second.stats["calls"]) == Counter()
    # The first observation did not collect logging: judged by the second check, it is unknown, never a pass.
    results = evaluate(more, first)
    logged = [r for r in results if r.check == "bucket-logged"]
    assert len(logged) == buckets
    assert {r.verdict for r in logged} == {"unknown"}
    assert all("NotCollected" in r.reason for r in logged)
    verdicts = {r.resource: r.verdict for r in evaluate(more, second) if r.check == "bucket-logged"}
    assert set(verdicts.values()) <= {"pass", "fail"} and "fail" in verdicts.values()
    entry = next(c for c in first.coverage if c["type"] == "aws_s3_bucket")
    assert "logging" in entry["not_collected"] and "versioning" not in entry["not_collected"]
    assert all(is_unknown(b["attributes"]["logging"]) for b in first.of_type("aws_s3_bucket"))


def test_a_live_run_targets_what_its_checks_read_and_types_or_no_checks_collect_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import unify.run as run

    asked: list[tuple[Any, Any]] = []

    def recorder(types: Any, *, attributes: Any = None, **kwargs: Any) -> Snapshot:
        asked.append((types, attributes))
        return Snapshot.build(resources=[], coverage=[], stats={})

    monkeypatch.setattr(run, "observe", recorder)
    policy = _policy(tmp_path / "p.yaml", BASE + LOGGING)
    run.observe_source(run.Source(live=True), policy, PLUGINS)
    run.observe_source(run.Source(live=True, types=("aws_s3_bucket",)), policy, PLUGINS)
    run.observe_source(run.Source(live=True), None, PLUGINS)
    assert asked[0] == (["aws_s3_bucket"], {"aws_s3_bucket": frozenset({"versioning", "logging", "tags", "arn", "id"})})
    assert asked[1] == (["aws_s3_bucket"], None)
    assert asked[2] == (None, None)
