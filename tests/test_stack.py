"""The deployment-stack pack and view: each check on hand-made resources, and rows built from results only."""

from __future__ import annotations

import io
from functools import cache
from typing import Any

import pytest

from factories import ACCOUNT, denied, ok, resource, snapshot
from factories import PLUGINS, TYPES
from unify.views.compliance import compliance_view
from unify.checks.policy_set import PolicySet, load_policies, shipped_policies
from unify.engine import evaluate
from unify.results import Results
from unify.model.resource import unknown
from unify.views.stack import COMPONENTS, StackRow, component_statuses, stack_rows
from unify.render.console import render_stack_table
from unify.checks.waivers import load_waivers

TAKEN_AT = "2026-11-20T09:00:00Z"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ARTIFACTS = {"unify:component": "artifact-store"}

TYPES = ("aws_s3_bucket", "aws_ecr_repository", "aws_codebuild_project", "aws_ecs_task_definition", "aws_ecs_service",
         "aws_sfn_state_machine", "aws_sagemaker_training_job", "aws_batch_compute_environment")


@cache
def stack_pack() -> PolicySet:
    root = shipped_policies()
    return load_policies([root / "stack", root / "catalogs" / "stack.yaml"], operators=PLUGINS.operators)


def judge(*resources: dict[str, Any], coverage: list[dict[str, Any]] | None = None, waivers: Any = None) -> Results:
    covered = [ok(t) for t in TYPES] if coverage is None else coverage
    return evaluate(stack_pack(), snapshot(list(resources), covered, taken_at=TAKEN_AT), waivers)


def verdicts(results: Results, check: str) -> dict[str, str]:
    return {r.name or r.resource: r.verdict for r in results.of_check(check)}


# -- resources: a compliant and a non-compliant one per component -----------------------------

PUBLIC_BLOCK = {"block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True,
                "restrict_public_buckets": True}
SSE = {"rule": [{"bucket_key_enabled": True,
                 "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": KEY}}]}


def bucket(name: str, tags: dict[str, Any] | None = None, **attributes: Any) -> dict[str, Any]:
    return resource("aws_s3_bucket", f"arn:aws:s3:::{name}", {"bucket": name, **attributes}, name=name, tags=tags)


def good_bucket(name: str = "acme-artifacts", **overrides: Any) -> dict[str, Any]:
    attributes = {"versioning": {"status": "Enabled"}, "server_side_encryption_configuration": SSE,
                  "public_access_block": PUBLIC_BLOCK, "logging": {"target_bucket": "acme-logs", "target_prefix": "a/"}}
    return bucket(name, ARTIFACTS, **{**attributes, **overrides})


def statement(**fields: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"],
                                                   "Resource": ["arn:aws:s3:::b/*"], **fields}]}


def repository(name: str, mutability: str, scan: bool) -> dict[str, Any]:
    return resource("aws_ecr_repository", f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/{name}",
                    {"name": name, "image_tag_mutability": mutability, "image_scanning_configuration": {"scan_on_push": scan}},
                    name=name)


def project(name: str, privileged: bool, cloudwatch: str, s3: str) -> dict[str, Any]:
    return resource("aws_codebuild_project", f"arn:aws:codebuild:us-east-1:{ACCOUNT}:project/{name}", {
        "name": name, "environment": {"compute_type": "BUILD_GENERAL1_SMALL", "image": "aws/codebuild/standard:7.0",
                                      "type": "LINUX_CONTAINER", "privileged_mode": privileged},
        "logs_config": {"cloudwatch_logs": {"status": cloudwatch}, "s3_logs": {"status": s3, "encryption_disabled": False}},
    }, name=name)


def task_definition(family: str, *containers: dict[str, Any]) -> dict[str, Any]:
    arn = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/{family}:3"
    return resource("aws_ecs_task_definition", arn, {"family": family, "revision": 3,
                                                     "container_definitions": list(containers)}, name=family)


LOGGED = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web"}}


def service(name: str, public: bool | None) -> dict[str, Any]:
    attributes: dict[str, Any] = {"name": name, "cluster": f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/prod"}
    if public is not None:
        attributes["network_configuration"] = {"subnets": ["subnet-a"], "security_groups": ["sg-1"],
                                               "assign_public_ip": public}
    return resource("aws_ecs_service", f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/prod/{name}", attributes, name=name)


def state_machine(name: str, level: str, destination: bool, encryption: dict[str, Any]) -> dict[str, Any]:
    logging: dict[str, Any] = {"level": level, "include_execution_data": False}
    if destination:
        logging["log_destination"] = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/sfn/{name}:*"
    return resource("aws_sfn_state_machine", f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:{name}",
                    {"name": name, "logging_configuration": logging, "encryption_configuration": encryption}, name=name)


def training_job(name: str, isolated: bool, volume_key: bool, created: str = "2026-11-01T10:00:00Z") -> dict[str, Any]:
    config: dict[str, Any] = {"instance_type": "ml.m5.xlarge", "instance_count": 1, "volume_size_in_gb": 50}
    if volume_key:
        config["volume_kms_key_id"] = KEY
    return resource("aws_sagemaker_training_job", f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:training-job/{name}", {
        "name": name, "training_job_status": "Completed", "enable_network_isolation": isolated,
        "resource_config": config, "creation_time": created}, name=name)


def compute_environment(name: str, key_pair: str | None, managed: bool = True) -> dict[str, Any]:
    attributes: dict[str, Any] = {"compute_environment_name": name, "name": name,
                                  "type": "MANAGED" if managed else "UNMANAGED"}
    if managed:
        attributes["compute_resources"] = {"type": "EC2", "max_vcpus": 16, "min_vcpus": 0, "subnets": ["subnet-a"],
                                           "security_group_ids": ["sg-1"]}
        if key_pair:
            attributes["compute_resources"]["ec2_key_pair"] = key_pair
    return resource("aws_batch_compute_environment", f"arn:aws:batch:us-east-1:{ACCOUNT}:compute-environment/{name}",
                    attributes, name=name)


def estate() -> list[dict[str, Any]]:
    return [
        good_bucket("acme-artifacts"),
        bucket("acme-scratch", ARTIFACTS, versioning={"status": "Suspended"}),
        bucket("acme-website", {"unify:component": "website"}),  # another component's bucket: out of scope
        bucket("acme-untagged"),
        repository("api", "IMMUTABLE", True),
        repository("sandbox", "MUTABLE", False),
        project("builder", False, "ENABLED", "DISABLED"),
        project("dind", True, "DISABLED", "DISABLED"),
        task_definition("web", {"name": "web", "image": "web:1", "logConfiguration": LOGGED, "environment": [],
                                "secrets": []}),
        task_definition("legacy", {"name": "agent", "image": "agent:1", "privileged": True},
                        {"name": "shipper", "image": "shipper:1", "logConfiguration": LOGGED}),
        service("api", False),
        service("public", True),
        service("bridge", None),
        state_machine("pipeline", "ERROR", True, {"type": "CUSTOMER_MANAGED_KMS_KEY", "kms_key_id": KEY}),
        state_machine("quick", "OFF", False, {"type": "AWS_OWNED_KEY"}),
        training_job("isolated", True, True),
        training_job("open", False, False),
        compute_environment("no-key", None),
        compute_environment("ssh", "ops-ssh"),
        compute_environment("own-fleet", None, managed=False),
    ]


# -- the checks, one by one -------------------------------------------------------------------


def test_the_pack_loads_with_one_component_label_and_control_per_check() -> None:
    pack = stack_pack()
    assert pack.frameworks["stack"].title == "Deployment stack"
    assert [c.id for c in pack.frameworks["stack"].controls] == list(COMPONENTS)
    for check in pack.checks:
        component = check.labels["component"]
        assert component in COMPONENTS, check.id
        assert dict(check.controls) == {"stack": (component,)}, check.id
        assert check.id.startswith(f"stack-{component}-"), check.id
        assert check.remediation and check.title != check.id, check.id
    assert {c.labels["component"] for c in pack.checks} == set(COMPONENTS)


def test_artifact_store_checks_judge_only_buckets_tagged_as_artifact_stores() -> None:
    results = judge(*estate())

    for check in ("stack-artifact-store-versioned", "stack-artifact-store-encrypted", "stack-artifact-store-not-public",
                  "stack-artifact-store-access-logged"):
        assert set(verdicts(results, check)) == {"acme-artifacts", "acme-scratch"}, check
        assert verdicts(results, check)["acme-artifacts"] == "pass", check
        assert verdicts(results, check)["acme-scratch"] == "fail", check


@pytest.mark.parametrize(("policy", "verdict"), [
    (statement(Principal="*"), "fail"),
    (statement(Principal={"AWS": ["*"]}), "fail"),
    (statement(NotPrincipal={"AWS": [f"arn:aws:iam::{ACCOUNT}:root"]}), "fail"),
    (statement(Principal="*", Condition={"StringEquals": {"aws:PrincipalOrgID": ["o-abc123"]}}), "pass"),
    (statement(Principal={"AWS": [f"arn:aws:iam::{ACCOUNT}:role/ci"]}), "pass"),
    (statement(Principal={"Service": ["cloudtrail.amazonaws.com"]}), "pass"),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": ["s3:*"],
                                              "Resource": ["arn:aws:s3:::b/*"]}]}, "pass"),
    (unknown("AccessDenied: s3:get_bucket_policy"), "unknown"),
])
def test_artifact_store_policy_allowing_everyone_without_a_condition_is_public(policy: Any, verdict: str) -> None:
    results = judge(good_bucket(policy=policy))

    assert verdicts(results, "stack-artifact-store-not-public") == {"acme-artifacts": verdict}


def test_artifact_store_without_a_public_access_block_is_public() -> None:
    partial = {**PUBLIC_BLOCK, "restrict_public_buckets": False}
    results = judge(good_bucket("a-none", public_access_block=None), good_bucket("b-partial", public_access_block=partial))

    assert verdicts(results, "stack-artifact-store-not-public") == {"a-none": "fail", "b-partial": "fail"}


def test_artifact_store_with_unreadable_tags_is_unknown_not_skipped() -> None:
    results = judge(bucket("acme-mystery", unknown("AccessDenied: s3:get_bucket_tagging")))  # type: ignore[arg-type]

    assert verdicts(results, "stack-artifact-store-versioned") == {"acme-mystery": "unknown"}


def test_registry_builder_deployer_orchestrator_and_step_operator_checks() -> None:
    results = judge(*estate())

    expected = {
        "stack-container-registry-scan-on-push": {"api": "pass", "sandbox": "fail"},
        "stack-container-registry-immutable-tags": {"api": "pass", "sandbox": "fail"},
        "stack-image-builder-not-privileged": {"builder": "pass", "dind": "fail"},
        "stack-image-builder-logging": {"builder": "pass", "dind": "fail"},
        "stack-deployer-not-privileged": {"web": "pass", "legacy": "fail"},
        "stack-deployer-container-logging": {"web": "pass", "legacy": "fail"},
        "stack-deployer-no-public-ip": {"api": "pass", "public": "fail", "bridge": "pass"},
        "stack-orchestrator-logging": {"pipeline": "pass", "quick": "fail"},
        "stack-orchestrator-customer-key": {"pipeline": "pass", "quick": "fail"},
        "stack-step-operator-training-network-isolation": {"isolated": "pass", "open": "fail"},
        "stack-step-operator-training-volume-encrypted": {"isolated": "pass", "open": "fail"},
        "stack-step-operator-batch-no-ssh-key": {"no-key": "pass", "ssh": "fail", "own-fleet": "pass"},
    }
    for check, wanted in expected.items():
        assert verdicts(results, check) == wanted, check


def test_builder_logging_to_s3_only_counts_and_level_off_with_a_destination_does_not() -> None:
    results = judge(project("s3-only", False, "DISABLED", "ENABLED"),
                    state_machine("off", "OFF", True, {"type": "AWS_OWNED_KEY"}),
                    state_machine("no-destination", "ALL", False, {"type": "CUSTOMER_MANAGED_KMS_KEY"}))

    assert verdicts(results, "stack-image-builder-logging") == {"s3-only": "pass"}
    assert verdicts(results, "stack-orchestrator-logging") == {"off": "fail", "no-destination": "fail"}
    # a customer managed type without its key id is not enough
    assert verdicts(results, "stack-orchestrator-customer-key") == {"off": "fail", "no-destination": "fail"}


def test_training_jobs_older_than_90_days_are_out_of_scope() -> None:
    results = judge(training_job("2025-run", False, False, created="2025-06-01T00:00:00Z"),
                    training_job("recent", True, True, created="2026-10-01T00:00:00Z"))

    assert verdicts(results, "stack-step-operator-training-network-isolation") == {"recent": "pass"}


# -- the stack view ---------------------------------------------------------------------------


def rows_of(rows: list[StackRow], component: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {row.name or row.resource: (row.status, row.failing) for row in rows if row.component == component}


def test_rows_per_component_and_resource_with_failing_checks() -> None:
    rows = stack_rows(judge(*estate()))

    assert [row.component for row in rows] == sorted((row.component for row in rows), key=COMPONENTS.index)
    assert rows_of(rows, "artifact-store") == {
        "acme-artifacts": ("met", ()),
        "acme-scratch": ("not met", ("stack-artifact-store-access-logged", "stack-artifact-store-encrypted",
                                     "stack-artifact-store-not-public", "stack-artifact-store-versioned")),
    }
    assert rows_of(rows, "container-registry") == {
        "api": ("met", ()),
        "sandbox": ("not met", ("stack-container-registry-immutable-tags", "stack-container-registry-scan-on-push")),
    }
    assert rows_of(rows, "deployer") == {
        "web": ("met", ()), "api": ("met", ()), "bridge": ("met", ()),
        "legacy": ("not met", ("stack-deployer-container-logging", "stack-deployer-not-privileged")),
        "public": ("not met", ("stack-deployer-no-public-ip",)),
    }
    assert rows_of(rows, "step-operator") == {
        "no-key": ("met", ()), "own-fleet": ("met", ()), "ssh": ("not met", ("stack-step-operator-batch-no-ssh-key",)),
        "isolated": ("met", ()),
        "open": ("not met", ("stack-step-operator-training-network-isolation",
                             "stack-step-operator-training-volume-encrypted")),
    }
    legacy = next(row for row in rows if row.name == "legacy")
    assert (legacy.type, legacy.resource, legacy.account, legacy.region) == (
        "aws_ecs_task_definition", f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/legacy:3", ACCOUNT, "us-east-1")
    assert set(component_statuses(rows).values()) == {"not met"}


def test_unknown_beats_met_and_waived_is_its_own_status(write) -> None:
    waivers = load_waivers([write("w.yaml", """
        waivers:
          - check: stack-image-builder-not-privileged
            resources: ["arn:aws:codebuild:*:project/dind"]
            reason: docker builds need privileged mode until the move to BuildKit
            expires: 2027-01-31
        """)])
    results = judge(
        project("dind", True, "ENABLED", "DISABLED"),
        resource("aws_ecr_repository", f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/half", {
            "name": "half", "image_tag_mutability": "IMMUTABLE",
            "image_scanning_configuration": unknown("AccessDenied: ecr:describe_repositories")}, name="half"),
        waivers=waivers,
    )

    rows = stack_rows(results)

    assert rows_of(rows, "image-builder") == {"dind": ("waived", ())}
    assert rows_of(rows, "container-registry") == {"half": ("unknown", ())}
    [dind] = [row for row in rows if row.name == "dind"]
    assert dind.detail.startswith("stack-image-builder-not-privileged: waived until 2027-01-31: docker builds need")
    [half] = [row for row in rows if row.name == "half"]
    assert half.detail.startswith("stack-container-registry-scan-on-push: ") and "AccessDenied" in half.detail
    statuses = component_statuses(rows)
    assert (statuses["image-builder"], statuses["container-registry"]) == ("waived", "unknown")


def test_none_deployed_vs_not_observed_vs_partly_observed() -> None:
    coverage = [ok(t) for t in TYPES if t not in ("aws_sagemaker_training_job", "aws_batch_compute_environment",
                                                   "aws_ecs_service")]
    coverage += [ok("aws_ecs_service"), denied("aws_ecs_service", region="eu-west-1")]
    results = evaluate(stack_pack(), snapshot(
        [task_definition("web", {"name": "web", "image": "web:1", "logConfiguration": LOGGED}), service("api", False)],
        coverage, regions=["us-east-1", "eu-west-1"], taken_at=TAKEN_AT))

    rows = stack_rows(results)
    statuses = component_statuses(rows)

    # coverage ok and nothing there: nothing of the component is deployed
    for component in ("image-builder", "container-registry", "artifact-store", "orchestrator"):
        [row] = [row for row in rows if row.component == component]
        assert (row.status, row.resource, row.failing) == ("none deployed", "", ()), component
        assert statuses[component] == "none deployed"
    # neither resources nor coverage for either type: not observed, one row per type, with the reason
    step = [row for row in rows if row.component == "step-operator"]
    assert [(row.type, row.resource, row.status) for row in step] == [
        ("aws_batch_compute_environment", "*/*/aws_batch_compute_environment", "not observed"),
        ("aws_sagemaker_training_job", "*/*/aws_sagemaker_training_job", "not observed")]
    assert all("not observed" in row.detail and row.scope for row in step)
    assert statuses["step-operator"] == "not observed"
    # resources in one region, a listing error in another: rows for both, and the component is unknown
    deployer = {(row.name or row.resource): row.status for row in rows if row.component == "deployer"}
    assert deployer == {"web": "met", "api": "met", f"{ACCOUNT}/eu-west-1/aws_ecs_service": "not observed"}
    gap = next(row for row in rows if row.resource == f"{ACCOUNT}/eu-west-1/aws_ecs_service")
    assert "AccessDenied" in gap.detail and (gap.account, gap.region) == (ACCOUNT, "eu-west-1")
    assert statuses["deployer"] == "unknown"


def test_a_waived_gap_shows_as_waived_with_the_waiver_reason(write) -> None:
    waivers = load_waivers([write("w.yaml", """
        waivers:
          - check: stack-step-operator-batch-no-ssh-key
            resources: ["*/*/aws_batch_compute_environment"]
            reason: the stack does not use AWS Batch
            expires: 2027-06-30
        """)])
    coverage = [ok(t) for t in TYPES if t != "aws_batch_compute_environment"]

    rows = stack_rows(judge(training_job("isolated", True, True), coverage=coverage, waivers=waivers))

    [gap] = [row for row in rows if row.type == "aws_batch_compute_environment"]
    assert (gap.status, gap.scope) == ("waived", True)
    assert "the stack does not use AWS Batch" in gap.detail
    assert component_statuses(rows)["step-operator"] == "waived"


def test_component_statuses_agree_with_the_compliance_view() -> None:
    coverage = [ok(t) for t in TYPES if t != "aws_sfn_state_machine"]
    results = judge(good_bucket(), repository("sandbox", "MUTABLE", True),
                    resource("aws_sagemaker_training_job", f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:training-job/x", {
                        "name": "x", "creation_time": "2026-11-01T00:00:00Z",
                        "enable_network_isolation": unknown("AccessDenied: sagemaker:describe_training_job"),
                        "resource_config": {"volume_kms_key_id": KEY}}, name="x"),
                    coverage=coverage)

    statuses = component_statuses(stack_rows(results))
    compliance = compliance_view(results, "stack").statuses()

    assert statuses == {"image-builder": "none deployed", "container-registry": "not met", "deployer": "none deployed",
                        "artifact-store": "met", "orchestrator": "not observed", "step-operator": "unknown"}
    translate = {"none deployed": "not applicable", "not observed": "unknown"}
    assert {c: translate.get(s, s) for c, s in statuses.items()} == compliance


def test_a_defective_check_makes_a_component_unknown_in_the_stack_view_as_in_compliance(write) -> None:
    """One status rule: an ``error`` verdict proves nothing, so the control and the component are unknown."""
    defective = load_policies([write("stack.yaml", """
        checks:
          - id: registry-defective
            severity: high
            resource: aws_ecr_repository
            labels: {component: container-registry}
            controls: {stack: [container-registry]}
            assert: {name: {gt: 3}}
        """), shipped_policies() / "catalogs" / "stack.yaml"], operators=PLUGINS.operators)
    results = evaluate(defective, snapshot([repository("tools", "IMMUTABLE", True)], [ok("aws_ecr_repository")]))
    assert [r.verdict for r in results] == ["error"]
    rows = stack_rows(results)
    assert [(row.component, row.status) for row in rows] == [("container-registry", "unknown")]
    assert "registry-defective: check defect" in rows[0].detail
    assert component_statuses(rows)["container-registry"] == "unknown"
    assert compliance_view(results, "stack").statuses()["container-registry"] == "unknown"


def test_rows_come_from_the_results_only() -> None:
    results = judge(*estate())
    rows = stack_rows(results)

    # the same results give the same rows, and a result set without labelled checks gives none
    assert stack_rows(results) == rows
    plain = load_policies([shipped_policies() / "cis-aws-v7.0" / "storage.yaml",
                           shipped_policies() / "catalogs"], operators=PLUGINS.operators)
    assert stack_rows(evaluate(plain, snapshot(estate(), [ok(t) for t in TYPES]))) == []
    # selecting the stack framework keeps every row
    framework = evaluate(stack_pack(), snapshot(estate(), [ok(t) for t in TYPES], taken_at=TAKEN_AT), framework="stack")
    assert stack_rows(framework) == rows


# -- rendering --------------------------------------------------------------------------------


def test_plain_table_is_ascii_and_prints_estate_values_literally() -> None:
    results = judge(bucket("[bold red]acme[/]", ARTIFACTS, versioning={"status": "Enabled"}),
                    repository("api", "IMMUTABLE", True))
    out = io.StringIO()

    render_stack_table(stack_rows(results), out, terminal=False)

    text = out.getvalue()
    assert text.isascii()
    assert "+--" in text and "| Component" in text
    assert "[bold red]acme[/]" in text
    assert "stack-artifact-store-encrypted" in text and "none deployed" in text
    assert "\x1b[" not in text
    assert text.splitlines()[-1] == "Components: 1 met, 1 not met, 4 none deployed"
    assert all(line == line.rstrip() for line in text.splitlines())


def test_terminal_table_colours_statuses_and_keeps_markup_literal() -> None:
    results = judge(bucket("[link=https://evil.example]x[/link]", ARTIFACTS))
    out = io.StringIO()

    render_stack_table(stack_rows(results), out, terminal=True, width=200)

    text = out.getvalue()
    assert "\x1b[" in text
    assert "[link=https://evil.example]x[/link]" in text
    assert "not met" in text


def test_an_empty_view_says_why() -> None:
    out = io.StringIO()

    render_stack_table([], out, terminal=False)

    assert "no check of the policy set is labelled with a component" in out.getvalue()
    assert out.getvalue().splitlines()[-1] == "Components: none"
