"""The deployment-stack view: the translation table, its one status rule, the lineage, ZenML stack files, renderers.

The pack's checks are judged one by one, live and planned, in ``tests/estates/stack.py``; here hand-made
snapshots drive the view, so each test says exactly which resource makes which row.
"""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import ACCOUNT, PLUGINS, denied, ok, resource, snapshot
from unify.checks.policy_set import PolicySet, load_policies, shipped_policies
from unify.checks.stack_description import (
    SELECTORS,
    StackScope,
    load_stack_description,
    scope_to_stack,
    stack_checks,
)
from unify.checks.waivers import load_waivers
from unify.engine import evaluate
from unify.errors import InputError
from unify.model.resource import unknown
from unify.render.stack_report import STACK_FORMAT, render_stack_markdown, render_stack_table, stack_document
from unify.results import Results
from unify.views.compliance import compliance_view
from unify.views.stack import COMPONENT_STATUSES, COMPONENTS, LINEAGE, StackView, resource_sizes, stack_gate, stack_view

TAKEN_AT = "2026-11-20T09:00:00Z"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/zenml-sagemaker"
ARTIFACTS = {"unify:component": "artifact-store"}
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "zenml-stack.yaml"


@cache
def stack_pack() -> PolicySet:
    root = shipped_policies()
    return stack_checks(load_policies([root / "stack", root / "catalogs"], operators=PLUGINS.operators))


@cache
def stack_types() -> tuple[str, ...]:
    return tuple(sorted({t for c in stack_pack().checks for t in c.types}))


def judge(*resources: dict[str, Any], coverage: list[dict[str, Any]] | None = None, waivers: Any = None,
          policy: PolicySet | None = None) -> Results:
    covered = [ok(t) for t in stack_types()] if coverage is None else coverage
    return evaluate(policy or stack_pack(), snapshot(list(resources), covered, taken_at=TAKEN_AT), waivers)


def view_of(results: Results, scope: StackScope | None = None, **kwargs: Any) -> StackView:
    return stack_view(results, scope=scope, **kwargs)


# -- hand-made resources -----------------------------------------------------------------------------

BLOCK = {"block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True,
         "restrict_public_buckets": True}
SSE = {"rule": [{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": KEY}}]}


def bucket(name: str, tags: dict[str, Any] | None = ARTIFACTS, **attributes: Any) -> dict[str, Any]:
    return resource("aws_s3_bucket", f"arn:aws:s3:::{name}", {"bucket": name, **attributes}, name=name, tags=tags)


def good_bucket(name: str = "acme-artifacts", tags: dict[str, Any] | None = ARTIFACTS, **overrides: Any) -> dict[str, Any]:
    attributes = {"versioning": {"status": "Enabled"}, "server_side_encryption_configuration": SSE,
                  "public_access_block": BLOCK, "logging": {"target_bucket": "acme-logs", "target_prefix": "a/"},
                  "object_lock_configuration": {"object_lock_enabled": "Enabled"}}
    return bucket(name, tags, **{**attributes, **overrides})


def repository(name: str, good: bool, region: str = "us-east-1", account: str = ACCOUNT) -> dict[str, Any]:
    attributes: dict[str, Any] = {"name": name, "image_tag_mutability": "IMMUTABLE" if good else "MUTABLE",
                                  "image_scanning_configuration": {"scan_on_push": good}}
    if good:
        attributes["lifecycle_policy"] = {"rules": [{"rulePriority": 1, "action": {"type": "expire"}}]}
    return resource("aws_ecr_repository", f"arn:aws:ecr:{region}:{account}:repository/{name}", attributes, name=name,
                    region=region, account=account)


def project(name: str, privileged: bool = False, compute: str = "BUILD_GENERAL1_SMALL") -> dict[str, Any]:
    return resource("aws_codebuild_project", f"arn:aws:codebuild:us-east-1:{ACCOUNT}:project/{name}", {
        "name": name, "environment": {"compute_type": compute, "image": "aws/codebuild/standard:7.0",
                                      "type": "LINUX_CONTAINER", "privileged_mode": privileged,
                                      "environment_variable": []},
        "source": {"type": "CODECOMMIT", "location": "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/app"},
        "logs_config": {"cloudwatch_logs": {"status": "ENABLED"}, "s3_logs": {"status": "DISABLED"}},
    }, name=name)


def service(name: str) -> dict[str, Any]:
    return resource("aws_apprunner_service", f"arn:aws:apprunner:us-east-1:{ACCOUNT}:service/{name}/0a1b2c", {
        "service_name": name,
        "network_configuration": {"ingress_configuration": {"is_publicly_accessible": False},
                                  "egress_configuration": {"egress_type": "VPC"}},
        "instance_configuration": {"cpu": "1024", "memory": "2048"},
    }, name=name)


def pipeline(name: str, role: str) -> dict[str, Any]:
    return resource("aws_sagemaker_pipeline", f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:pipeline/{name}",
                    {"pipeline_name": name, "role_arn": role, "steps": []}, name=name)


def trail(name: str, values: list[str] | None) -> dict[str, Any]:
    selectors = [] if values is None else [{"read_write_type": "All", "data_resource": [
        {"type": "AWS::S3::Object", "values": values}]}]
    return resource("aws_cloudtrail", f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/{name}", {
        "name": name, "enable_logging": True, "event_selectors": selectors, "event_selector": selectors,
        "advanced_event_selector": []}, name=name)


def estate() -> list[dict[str, Any]]:
    return [
        good_bucket("acme-artifacts"),
        bucket("acme-scratch", versioning={"status": "Suspended"}, public_access_block=BLOCK),
        bucket("acme-website", tags={"unify:component": "website"}),  # another component's bucket: out of scope
        repository("api", True),
        repository("sandbox", False),
        project("builder"),
    ]


def rows(view: StackView, component: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    [found] = [c for c in view.components if c.component == component]
    return {row.name or row.resource: (row.status, row.failing) for row in found.rows if row.resource}


def component(view: StackView, name: str) -> Any:
    return next(c for c in view.components if c.component == name)


# -- the pack ----------------------------------------------------------------------------------------


def test_every_check_names_its_component_service_and_cost_unit_and_maps_to_its_control() -> None:
    pack = stack_pack()
    assert [c.id for c in pack.frameworks["stack"].controls] == list(COMPONENTS)
    components, lineage = set(), set()
    for check in pack.checks:
        assert check.remediation and check.title != check.id, check.id
        assert check.labels.get("service"), check.id
        assert check.labels.get("zenml-select", "all") in SELECTORS, check.id
        if "component" in check.labels:
            name = check.labels["component"]
            components.add(name)
            assert check.id.startswith(f"stack-{name}-"), check.id
            assert check.controls["stack"] == (name,), check.id
            assert check.labels.get("cost-unit"), check.id
        else:  # the artifact store's lineage: shown beside the table, deciding no component
            assert check.labels["lineage"] in LINEAGE and "stack" not in check.controls, check.id
            lineage.add(check.labels["lineage"])
    assert components == set(COMPONENTS)
    # versioning and access logging are component checks too; object lock and data events only lineage
    assert lineage == {"object-lock", "data-events"}
    assert {c.labels.get("lineage") for c in pack.checks} >= set(LINEAGE)


# -- the translation table ---------------------------------------------------------------------------


def test_the_table_says_what_each_component_replaces_runs_on_costs_and_whether_it_is_met() -> None:
    results = judge(*estate())
    view = view_of(results, sizes=resource_sizes(snapshot(estate(), taken_at=TAKEN_AT), results))

    assert [c.component for c in view.components] == list(COMPONENTS)
    assert all(c.replaces and c.cost_unit for c in view.components)
    assert component(view, "image-builder").replaces.startswith("a Dockerfile and `docker build`")
    assert component(view, "orchestrator").replaces == "cron scripts that run the steps in order"
    assert view.statuses() == {
        "image-builder": "met", "container-registry": "not met", "deployer": "not used",
        "artifact-store": "not met", "orchestrator": "not used", "step-operator": "not used",
    }
    assert rows(view, "artifact-store") == {
        "acme-artifacts": ("met", ()),
        "acme-scratch": ("not met", ("stack-artifact-store-access-logged", "stack-artifact-store-encrypted",
                                     "stack-artifact-store-retention", "stack-artifact-store-versioned")),
    }
    assert rows(view, "container-registry")["sandbox"] == ("not met", (
        "stack-container-registry-immutable-tags", "stack-container-registry-lifecycle-policy",
        "stack-container-registry-scan-on-push"))
    builder = component(view, "image-builder")
    assert (builder.services, builder.cost_unit) == (("CodeBuild",), "per build minute")
    assert [row.size for row in builder.resources] == ["BUILD_GENERAL1_SMALL"]
    # a component with nothing in scope is "not used", with its cost unit and what it would replace, never blank
    deployer = component(view, "deployer")
    assert deployer.resources == () and deployer.note == "observed, and nothing in scope of its checks"
    assert "App Runner" in deployer.services and deployer.cost_unit.startswith("per vCPU-hour")
    assert stack_gate(view.statuses()).code == 1


def test_unobserved_types_make_a_component_unknown_and_a_waiver_waived(write) -> None:
    gaps = [ok(t) for t in stack_types() if t not in ("aws_apprunner_service", "aws_codebuild_project")]
    gaps.append(denied("aws_codebuild_project"))
    waivers = load_waivers([write("w.yaml", """
        waivers:
          - check: stack-container-registry-immutable-tags
            resources: ["arn:aws:ecr:*:repository/sandbox"]
            reason: the sandbox pushes :latest on purpose
            expires: 2027-01-31
        """)])
    sandbox = repository("sandbox", True) | {"attributes": {**repository("sandbox", True)["attributes"],
                                                             "image_tag_mutability": "MUTABLE"}}

    view = view_of(judge(sandbox, coverage=gaps, waivers=waivers))

    assert view.statuses()["deployer"] == "unknown"  # App Runner: neither resources nor coverage
    [gap] = [r for r in component(view, "deployer").rows if r.scope]
    assert (gap.status, gap.resource) == ("not observed", "*/*/aws_apprunner_service")
    builder = component(view, "image-builder")
    assert builder.status == "unknown" and "AccessDenied" in builder.rows[0].detail
    assert view.statuses()["container-registry"] == "waived"
    assert rows(view, "container-registry") == {"sandbox": ("waived", ())}
    assert stack_gate(view.statuses()).code == 3


def test_a_defective_check_makes_its_component_unknown_as_in_compliance(write) -> None:
    defective = load_policies([write("stack.yaml", """
        checks:
          - id: stack-container-registry-defective
            severity: high
            resource: aws_ecr_repository
            labels: {component: container-registry, service: ECR, cost-unit: per GB-month stored}
            controls: {stack: [container-registry]}
            assert: {name: {gt: 3}}
        """), shipped_policies() / "catalogs" / "stack.yaml"], operators=PLUGINS.operators)
    results = judge(repository("tools", True), policy=defective, coverage=[ok("aws_ecr_repository")])

    view = view_of(results)

    assert [r.verdict for r in results] == ["error"]
    assert view.statuses() == {"container-registry": "unknown"}
    assert compliance_view(results, "stack").statuses()["container-registry"] == "unknown"


RESOURCES = {
    "good-bucket": good_bucket(), "bad-bucket": bucket("acme-scratch"), "good-repo": repository("api", True),
    "bad-repo": repository("sandbox", False), "project": project("builder"),
    "privileged": project("dind", privileged=True), "service": service("zenml-api"),
    "unknown-repo": repository("half", True) | {"attributes": {
        "name": "half", "image_tag_mutability": "IMMUTABLE", "lifecycle_policy": {"rules": [{}]},
        "image_scanning_configuration": unknown("AccessDenied: ecr:describe_repositories")}},
}


@settings(max_examples=25, deadline=None)
@given(chosen=st.sets(st.sampled_from(sorted(RESOURCES))),
       unlisted=st.sets(st.sampled_from(["aws_ecr_repository", "aws_apprunner_service", "aws_s3_bucket"])))
def test_the_stack_view_and_the_compliance_view_of_the_stack_framework_agree(
        chosen: set[str], unlisted: set[str]) -> None:
    """One status rule: a component's status is its control's, with "not used" for "not applicable"."""
    coverage = [ok(t) for t in stack_types() if t not in unlisted]
    coverage += [denied(t) for t in sorted(unlisted) if t == "aws_s3_bucket"]
    results = judge(*(RESOURCES[k] for k in sorted(chosen)), coverage=coverage)

    statuses = view_of(results).statuses()

    compliance = compliance_view(results, "stack").statuses()
    assert {c: "not applicable" if s == "not used" else s for c, s in statuses.items()} == compliance
    assert set(statuses.values()) <= set(COMPONENT_STATUSES)


# -- lineage -----------------------------------------------------------------------------------------


def test_lineage_says_for_each_artifact_bucket_which_records_exist_and_which_are_missing() -> None:
    half = bucket("acme-half", versioning={"status": "Enabled"},
                  logging=unknown("AccessDenied: s3:get_bucket_logging"))

    view = view_of(judge(good_bucket(), half, trail("data-events", ["arn:aws:s3"])))
    without_trail = view_of(judge(good_bucket(), trail("management-only", None)))

    lineage = {row.bucket: dict(row.aspects) for row in view.lineage}
    assert lineage == {
        "acme-artifacts": {"versioning": "on", "object-lock": "on", "access-logging": "on", "data-events": "on"},
        "acme-half": {"versioning": "on", "object-lock": "off", "access-logging": "unknown", "data-events": "on"},
    }
    assert [row.missing for row in view.lineage] == [(), ("object-lock",)]
    [row] = without_trail.lineage
    assert row.missing == ("data-events",)
    # the lineage checks decide no component: the artifact store is met without a trail's data events
    assert without_trail.statuses()["artifact-store"] == "met"


# -- a ZenML stack file ------------------------------------------------------------------------------


def test_the_example_stack_file_is_read_and_its_secrets_are_never_kept() -> None:
    stack = load_stack_description(EXAMPLE)

    assert stack.name == "aws-production"
    assert sorted(stack.components) == sorted(COMPONENTS)
    store = stack.components["artifact-store"]
    assert (store.flavor, store.name, dict(store.configuration)) == ("s3", "s3-artifacts",
                                                                      {"path": "s3://acme-ml-artifacts-0/zenml"})
    assert stack.components["orchestrator"].configuration["execution_role"] == "arn:aws:iam::123456789012:role/zenml-sagemaker"
    assert stack.others == ("experiment_tracker",)
    assert "AKIA" not in repr(stack) and "never-read" not in repr(stack)


def zenml(write: Any, body: str, name: str = "stack.yaml") -> Path:
    return write(name, "stack_name: prod\ncomponents:\n" + body)


ZENML = """
  artifact_store: {flavor: s3, name: store, configuration: {path: "s3://acme-ml-store/runs"}}
  container_registry: {flavor: aws, name: ecr, configuration: {uri: "%s.dkr.ecr.us-east-1.amazonaws.com"}}
  image_builder: {flavor: aws, name: builder, configuration: {code_build_project: builder}}
  deployer: {flavor: aws, name: runner}
  orchestrator: {flavor: sagemaker, name: pipelines, configuration: {execution_role: "%s"}}
""" % (ACCOUNT, ROLE)


def test_a_stack_file_selects_its_resources_instead_of_the_tags(write) -> None:
    scope = scope_to_stack(stack_pack(), load_stack_description(zenml(write, ZENML)), PLUGINS.operators)
    resources = [
        good_bucket("acme-ml-store", tags=None),  # the stack's bucket, untagged: judged
        bucket("acme-scratch"),  # tagged as an artifact store, but not this stack's: not judged
        repository("api", True), repository("eu", False, region="eu-west-1"),
        repository("other-account", False, account="210987654321"),
        project("builder"), project("dind", privileged=True),
        service("zenml-api"), service("billing-api"),
        pipeline("train", ROLE), pipeline("someone-elses", f"arn:aws:iam::{ACCOUNT}:role/other"),
    ]

    view = view_of(judge(*resources, policy=scope.policy), scope)

    assert (view.source, view.stack_name) == ("zenml", "prod")
    assert set(rows(view, "artifact-store")) == {"acme-ml-store"}
    assert set(rows(view, "container-registry")) >= {"api"}
    assert not {"eu", "other-account"} & set(rows(view, "container-registry"))
    assert set(rows(view, "image-builder")) == {"builder"}
    assert set(rows(view, "deployer")) == {"zenml-api"}
    assert set(rows(view, "orchestrator")) == {"train"}
    # the stack has no step operator: not used, saying why; every component is listed
    assert [c.component for c in view.components] == list(COMPONENTS)
    step = component(view, "step-operator")
    assert (step.status, step.note) == ("not used", "not in the ZenML stack 'prod'")
    assert component(view, "artifact-store").flavor == "s3"
    # the compliance view of the stack framework reads the same narrowed results
    # the compliance view of the stack framework reads the same narrowed results, and agrees component by
    # component; the step operator this stack does not have is no control of it (not "manual")
    results = judge(*resources, policy=scope.policy)
    compliance = compliance_view(results, "stack").statuses()
    assert compliance == {c: s for c, s in view.statuses().items() if c != "step-operator"}
    assert compliance["artifact-store"] == "met"


def test_a_stack_whose_bucket_is_gone_fails_rather_than_not_used(write) -> None:
    scope = scope_to_stack(stack_pack(), load_stack_description(zenml(write, ZENML)), PLUGINS.operators)

    view = view_of(judge(bucket("acme-scratch"), policy=scope.policy), scope)

    store = component(view, "artifact-store")
    assert store.status == "not met"
    assert any("zenml/artifact-store/acme-ml-store" in row.failing for row in store.rows)


def test_a_flavor_no_check_observes_is_manual(write) -> None:
    path = zenml(write, '  orchestrator: {flavor: tekton, name: tekton}\n'
                        '  artifact_store: {flavor: s3, name: s, path: "s3://acme-ml-store"}\n')  # a recipe's flat form
    scope = scope_to_stack(stack_pack(), load_stack_description(path), PLUGINS.operators)

    view = view_of(judge(good_bucket("acme-ml-store", tags=None), policy=scope.policy), scope)

    orchestrator = component(view, "orchestrator")
    assert orchestrator.status == "manual" and "tekton" in orchestrator.note
    results = judge(good_bucket("acme-ml-store", tags=None), policy=scope.policy)
    assert compliance_view(results, "stack").statuses() == {"artifact-store": "met", "orchestrator": "manual"}
    assert view.statuses()["artifact-store"] == "met"


@pytest.mark.parametrize(("body", "line", "message"), [
    ("  artifact_store: {flavor: s3, name: s, configuration: {path: \"gs://elsewhere\"}}\n", 3,
     "[artifact_store] the artifact_store 's' cannot be matched: its path is not an s3://bucket/prefix URI"),
    ("  artifact_store: {name: s}\n", 3, "[flavor] flavor must be a non-empty string"),
    ("  artifact_store: [s3]\n", 3, "a component is a mapping with flavor and configuration"),
])
def test_a_bad_stack_file_names_file_line_and_key(write, body: str, line: int, message: str) -> None:
    path = zenml(write, body)

    with pytest.raises(InputError) as error:
        scope_to_stack(stack_pack(), load_stack_description(path), PLUGINS.operators)

    assert str(error.value).startswith(f"{path}:{line}:")
    assert message in str(error.value)


def test_a_file_that_is_no_stack_description_says_what_was_expected(write) -> None:
    with pytest.raises(InputError) as error:
        load_stack_description(write("s.json", json.dumps({"stack_name": "x", "components": {}})))

    assert "no components: expected the output of `zenml stack export`" in str(error.value)


# -- renderers ---------------------------------------------------------------------------------------


def test_the_json_document_is_unify_stack_v1() -> None:
    view = view_of(judge(*estate()))

    document = json.loads(json.dumps(stack_document(view)))

    assert document["format"] == STACK_FORMAT == "unify.stack/v1"
    assert [c["component"] for c in document["components"]] == list(COMPONENTS)
    for entry in document["components"]:
        assert {"component", "replaces", "service", "resources", "checks", "status", "cost_unit"} <= set(entry)
        assert entry["status"] in (*COMPONENT_STATUSES,) and entry["replaces"] and entry["cost_unit"]
    store = next(c for c in document["components"] if c["component"] == "artifact-store")
    assert {r["name"]: r["status"] for r in store["resources"]} == {"acme-artifacts": "met", "acme-scratch": "not met"}
    assert {c["id"]: c["status"] for c in store["checks"]}["stack-artifact-store-versioned"] == "not met"
    assert next(c for c in document["components"] if c["component"] == "deployer")["resources"] == []


def test_markdown_escapes_estate_values_and_lists_what_is_not_met() -> None:
    view = view_of(judge(bucket("acme|<b>x</b>"), repository("api", True)))

    text = render_stack_markdown(view)

    assert text.startswith("## Deployment stack\n")
    assert "| Component | Replaces | Service | Status | Resources | Cost unit |" in text
    assert "acme|<b>" not in text and "### Not met" in text
    assert "### Artifact store lineage" in text


def test_the_plain_table_is_ascii_and_prints_estate_values_literally() -> None:
    out = io.StringIO()

    render_stack_table(view_of(judge(bucket("[bold red]acme[/]"), repository("api", True))), out, terminal=False)

    text = out.getvalue()
    assert "[bold red]acme[/]" in text and "\x1b[" not in text and "Replaces" in text
    assert text.splitlines()[-1] == "Components: 1 met, 1 not met, 4 not used"


def test_the_terminal_table_colours_statuses_and_keeps_markup_literal() -> None:
    out = io.StringIO()

    render_stack_table(view_of(judge(bucket("[link=https://evil.example]x[/link]"))), out, terminal=True, width=200)

    assert "\x1b[" in out.getvalue() and "[link=https://evil.example]x[/link]" in out.getvalue()


def test_an_empty_view_says_why() -> None:
    out = io.StringIO()

    render_stack_table(StackView(components=()), out, terminal=False)

    assert "no check of the policy set is labelled with a component" in out.getvalue()
    assert out.getvalue().splitlines()[-1] == "Components: none"
