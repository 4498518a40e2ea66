"""Every shipped CIS AWS Foundations v7.0 check against moto: compliant and non-compliant estates.

The table ``CASES`` has one entry per check id that no both-ways estate
(``tests/estates/``, judged by ``tests/test_both_ways.py``) already shows
passing and failing. Each entry holds one or more
scenarios; a scenario builds a small estate in moto (in-process ``mock_aws``)
through boto3, the real collectors observe only the types the check reads, the
shipped policy set is evaluated, and the check's verdicts are compared with the
scenario's expectations: resource name (or a key the setup registered for a
resource with no recognisable name) -> ``pass``, ``fail``, or ``OUT`` (in the
observation but outside the check's ``where``: no result at all). Every
scenario also asserts that the check gives no ``error``.

Per-resource checks put a compliant and a non-compliant resource side by side
in one estate. Aggregate checks (one result per account) and account-wide or
regional singletons need two estates, so they have one scenario that satisfies
the check and one that does not.

Where moto cannot produce a fact through its API, the scenario says so where it
is defined: the observed snapshot is edited and rebuilt with ``Snapshot.build``
where moto's responses hardcode the value (S3 MFA delete: moto never returns
``MFADelete``), never a faked pass. The identity checks are judged both ways in
``tests/estates/identity.py``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest
from moto import mock_aws

import estates
from factories import moto_session, observe_moto
from factories import PLUGINS
from unify.checks.policy_set import PolicySet, load_policies, shipped_policies
from unify.engine import evaluate
from unify.model.snapshot import Snapshot

ACCOUNT = "123456789012"  # moto's default account
HOME, AWAY = "us-east-1", "eu-west-1"
PASS, FAIL = "pass", "fail"
OUT = None  # observed, but outside the check's `where`: the check gives it no result


@cache
def policy() -> PolicySet:
    return load_policies([shipped_policies()], operators=PLUGINS.operators)


@cache
def session() -> Any:
    """One boto3 session for setup and observation: loading service models is the slow part."""
    return moto_session()


@pytest.fixture(autouse=True)
def _no_default_amis(monkeypatch: pytest.MonkeyPatch) -> None:
    # run_instances accepts any image id; loading moto's ~1,300 built-in AMIs only costs time.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


# -- the estate a scenario builds ------------------------------------------------------------


class Estate:
    """boto3 clients for one scenario, and ids for resources whose name is not recognisable."""

    def __init__(self) -> None:
        self._clients: dict[tuple[str, str], Any] = {}
        #: expectation key -> resource id, for resources named by id (KMS keys, default groups, singletons)
        self.ids: dict[str, str] = {}

    def client(self, service: str, region: str = HOME) -> Any:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = session().client(service, region_name=region)
        return self._clients[key]

    @property
    def iam(self) -> Any:
        return self.client("iam")

    @property
    def s3(self) -> Any:
        return self.client("s3")

    @property
    def ec2(self) -> Any:
        return self.client("ec2")


@dataclass(frozen=True)
class Scenario:
    name: str
    setup: Callable[[Estate], None]
    expect: Mapping[str, str | None]
    regions: tuple[str, ...] = (HOME,)
    moto_config: Mapping[str, Any] | None = None
    #: rebuilds the observed snapshot where moto cannot answer a fact (documented at each use)
    edit: Callable[[Snapshot], Snapshot] | None = field(default=None)


def nothing(estate: Estate) -> None:
    """An estate with nothing made: what moto starts with."""


# =============================================================================================
# identity (policies/cis-aws-v7.0/identity.yaml)
# =============================================================================================


# =============================================================================================
# logging (policies/cis-aws-v7.0/logging.yaml)
# =============================================================================================

TRAIL_BUCKET = "acme-trail-logs"
MANAGEMENT_ALL = {"ReadWriteType": "All", "IncludeManagementEvents": True}


def s3_objects(read_write: str) -> dict[str, Any]:
    return {"ReadWriteType": read_write, "IncludeManagementEvents": True,
            "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}


def advanced(name: str, **fields: list[str]) -> dict[str, Any]:
    return {"Name": name, "FieldSelectors": [{"Field": f, "Equals": v} for f, v in fields.items()]}


def s3_data_events(**extra: list[str]) -> dict[str, Any]:
    return advanced("s3 objects", eventCategory=["Data"], **{"resources.type": ["AWS::S3::Object"]}, **extra)


def trail(estate: Estate, name: str, *, multi_region: bool = True, logging: bool = True,
          selectors: list[dict[str, Any]] | None = None, advanced_selectors: list[dict[str, Any]] | None = None,
          **options: Any) -> None:
    cloudtrail = estate.client("cloudtrail")
    if TRAIL_BUCKET not in {b["Name"] for b in estate.s3.list_buckets()["Buckets"]}:
        estate.s3.create_bucket(Bucket=TRAIL_BUCKET)
    cloudtrail.create_trail(Name=name, S3BucketName=TRAIL_BUCKET, IsMultiRegionTrail=multi_region, **options)
    if selectors is not None:
        cloudtrail.put_event_selectors(TrailName=name, EventSelectors=selectors)
    if advanced_selectors is not None:
        cloudtrail.put_event_selectors(TrailName=name, AdvancedEventSelectors=advanced_selectors)
    if logging:
        cloudtrail.start_logging(Name=name)


def trails(*specs: tuple[str, dict[str, Any]]) -> Callable[[Estate], None]:
    def setup(estate: Estate) -> None:
        for name, options in specs:
            trail(estate, name, **options)

    return setup


# =============================================================================================
# the table: check id -> scenarios
# =============================================================================================

CASES: dict[str, tuple[Scenario, ...]] = {
    # -- logging ------------------------------------------------------------------------------
    "cloudtrail-multi-region-logging": (
        Scenario("multi-region trail logging all management events",
                 trails(("audit", {"selectors": [MANAGEMENT_ALL]})), {ACCOUNT: PASS}),
        Scenario("multi-region trail with an advanced management selector",
                 trails(("audit", {"advanced_selectors": [advanced("management", eventCategory=["Management"])]})),
                 {ACCOUNT: PASS}),
        Scenario("regional, stopped, or write-only trails",
                 trails(("regional", {"multi_region": False, "selectors": [MANAGEMENT_ALL]}),
                        ("stopped", {"logging": False, "selectors": [MANAGEMENT_ALL]}),
                        ("write-only", {"selectors": [MANAGEMENT_ALL | {"ReadWriteType": "WriteOnly"}]}),
                        ("data-only", {"selectors": [s3_objects("All") | {"IncludeManagementEvents": False}]})),
                 {ACCOUNT: FAIL}),
        Scenario("no trail at all", nothing, {ACCOUNT: FAIL}),
        # CIS 4.1 asks for read and write management events; the basic-selector branch of the
        # check requires ReadWriteType All, so an advanced selector limited by readOnly must not count.
        Scenario("advanced management selector for reads only",
                 trails(("read-only", {"advanced_selectors": [
                     advanced("management reads", eventCategory=["Management"], readOnly=["true"])]})),
                 {ACCOUNT: FAIL}),
    ),
    "cloudtrail-s3-object-writes": (
        Scenario("multi-region trail logging S3 object writes",
                 trails(("data", {"selectors": [s3_objects("WriteOnly")]})), {ACCOUNT: PASS}),
        Scenario("advanced selector for all S3 object events",
                 trails(("data", {"advanced_selectors": [s3_data_events()]})), {ACCOUNT: PASS}),
        Scenario("S3 object reads only, or object writes on a regional trail",
                 trails(("reads", {"selectors": [s3_objects("ReadOnly")]}),
                        ("regional", {"multi_region": False, "selectors": [s3_objects("All")]})),
                 {ACCOUNT: FAIL}),
        # readOnly=true records only reads: no object writes are logged (CIS 4.8).
        Scenario("advanced selector for S3 object reads only",
                 trails(("reads", {"advanced_selectors": [s3_data_events(readOnly=["true"])]})), {ACCOUNT: FAIL}),
    ),
    "cloudtrail-s3-object-reads": (
        Scenario("multi-region trail logging all S3 object events",
                 trails(("data", {"selectors": [s3_objects("All")]})), {ACCOUNT: PASS}),
        Scenario("advanced selector for S3 object reads",
                 trails(("data", {"advanced_selectors": [s3_data_events(readOnly=["true"])]})), {ACCOUNT: PASS}),
        Scenario("S3 object writes only, or object reads on a stopped trail",
                 trails(("writes", {"selectors": [s3_objects("WriteOnly")]}),
                        ("stopped", {"logging": False, "selectors": [s3_objects("ReadOnly")]})),
                 {ACCOUNT: FAIL}),
        # readOnly=false records only writes: no object reads are logged (CIS 4.9).
        Scenario("advanced selector for S3 object writes only",
                 trails(("writes", {"advanced_selectors": [s3_data_events(readOnly=["false"])]})), {ACCOUNT: FAIL}),
    ),
}


# -- running a scenario -------------------------------------------------------------------------


def observe(check_id: str, scenario: Scenario) -> tuple[Snapshot, Estate]:
    check = policy().get(check_id)
    assert check is not None, f"{check_id} is not a shipped check"
    estate = Estate()
    config = {"config": dict(scenario.moto_config)} if scenario.moto_config else {}
    with mock_aws(**config):
        scenario.setup(estate)
        snapshot = observe_moto(*check.types, regions=list(scenario.regions), session=session())
    assert {c["status"] for c in snapshot.coverage} == {"ok"}, snapshot.coverage
    if scenario.edit is not None:
        snapshot = scenario.edit(snapshot)
    return snapshot, estate


def params() -> list[Any]:
    return [pytest.param(check_id, scenario, id=f"{check_id}[{scenario.name}]")
            for check_id, scenarios in CASES.items() for scenario in scenarios]


@pytest.mark.parametrize(("check_id", "scenario"), params())
def test_check_verdicts(check_id: str, scenario: Scenario) -> None:
    snapshot, estate = observe(check_id, scenario)
    results = evaluate(policy(), snapshot).of_check(check_id)

    assert [(r.resource, r.reason) for r in results if r.verdict == "error"] == []
    actual: dict[str, list[str]] = {}
    for key in scenario.expect:
        target = estate.ids.get(key, key)
        actual[key] = [r.verdict for r in results if r.resource == target or r.name == target]
    expected = {key: [] if verdict is OUT else [verdict] for key, verdict in scenario.expect.items()}
    reasons = {r.name or r.resource: r.reason for r in results}
    assert actual == expected, reasons


# -- the table itself -----------------------------------------------------------------------------


def _estate_checks() -> set[str]:
    """The checks the both-ways estates (tests/estates/) show passing and failing."""
    found: set[str] = set()
    for module in pkgutil.iter_modules(estates.__path__):
        for estate in importlib.import_module(f"estates.{module.name}").ESTATES:
            found |= set(estate.checks)
    return found


def test_the_table_and_the_estates_cover_every_shipped_cis_check() -> None:
    pack = load_policies([shipped_policies() / "cis-aws-v7.0"], operators=PLUGINS.operators)
    assert set(CASES) <= set(pack.ids)
    assert set(pack.ids) - set(CASES) - _estate_checks() == set()
    assert set(pack.ids) == set(policy().select("cis-aws-v7.0").ids)


def test_every_check_is_shown_both_passing_and_failing() -> None:
    for check_id, scenarios in CASES.items():
        verdicts = {v for scenario in scenarios for v in scenario.expect.values()}
        assert {PASS, FAIL} <= verdicts, check_id


# -- the CIS catalog -------------------------------------------------------------------------------

#: Every requirement of CIS AWS Foundations Benchmark v7.0.0, automated and manual, in benchmark order.
CIS_V7_REQUIREMENTS = (
    "2.1.1", "2.1.2", "2.1.3", "2.1.4", "2.1.5", "2.1.6", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9",
    "2.10", "2.11", "2.12", "2.13", "2.14", "2.15", "2.16", "2.17", "2.18", "2.19", "2.20", "2.21",
    "3.1.1", "3.1.2", "3.1.3", "3.1.4", "3.2.1", "3.2.2", "3.2.3", "3.2.4", "3.3.1",
    "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "4.9", "4.10",
    "5.1", "5.2", "5.3", "5.4", "5.5", "5.6", "5.7", "5.8", "5.9", "5.10", "5.11", "5.12", "5.13", "5.14", "5.15",
    "5.16",
    "6.1.1", "6.1.2", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8",
)


def test_the_cis_catalog_lists_every_requirement_in_benchmark_order() -> None:
    assert len(CIS_V7_REQUIREMENTS) == len(set(CIS_V7_REQUIREMENTS)) == 70
    catalog = policy().frameworks["cis-aws-v7.0"]
    assert [c for c in CIS_V7_REQUIREMENTS if c not in catalog.control_ids] == []
    assert catalog.control_ids == list(CIS_V7_REQUIREMENTS)


def test_every_cis_control_a_check_cites_is_a_requirement() -> None:
    cited = {c for check in policy().checks for c in check.control_ids("cis-aws-v7.0")}
    assert cited - set(CIS_V7_REQUIREMENTS) == set()
