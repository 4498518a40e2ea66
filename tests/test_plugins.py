"""Plugins: a third party can do what the built-ins do, and its mistakes carry its name."""

from __future__ import annotations

import inspect
import json
import types
from pathlib import Path

import pytest

from factories import ok, resource, snapshot
from factories import PLUGINS, TYPES
from unify.model.resource_type import ResourceType
from unify.views.compliance import compliance_view
from unify import hookspecs
from unify.checks.policy_set import load_policies
from unify.errors import PluginError
from unify.engine import evaluate
from unify.checks.frameworks import Control, Framework
from unify.hookspecs import hookimpl
from unify.checks.operators import Operator
from unify.plugins import DEFAULT_PLUGINS, build_plugins, reset_plugins
from unify.render.renderer import Renderer, RenderOptions, render


def make_plugin(name: str, **hooks) -> types.ModuleType:
    module = types.ModuleType(name)
    for hook_name, function in hooks.items():
        setattr(module, hook_name, hookimpl(function))
    return module


def _is_even(actual, wanted, ctx) -> bool:
    return isinstance(actual, int) and (actual % 2 == 0) is wanted


def test_unify_register_operators_from_a_plugin(write) -> None:
    plugin = make_plugin("acme_ops", unify_register_operators=lambda registry: registry.add(
        Operator("even", _is_even, "an even number", {"type": "boolean"})))
    plugins = build_plugins([plugin], autoload=False)
    assert plugins.operators.owner("even") == "acme_ops"
    policy = load_policies([write("p.yaml", """
        checks:
          - id: even-size
            severity: low
            resource: aws_ebs_volume
            assert: {size: {even: true}}
        """)], operators=plugins.operators, frameworks=plugins.frameworks)
    results = evaluate(policy, snapshot([resource("aws_ebs_volume", "a", {"size": 2}),
                                         resource("aws_ebs_volume", "b", {"size": 3})], [ok("aws_ebs_volume")]))
    assert [(r.resource, r.verdict) for r in results] == [("a", "pass"), ("b", "fail")]
    # the plugin's operator is part of the policy schema editors get
    from unify.checks.schema import policy_schema

    assert "even" in policy_schema(plugins.operators)["definitions"]["operators"]["properties"]


def test_unify_register_renderers_from_a_plugin(write) -> None:
    def render_count(results, stream, options) -> None:
        stream.write(f"{len(results)} results\n")

    plugin = make_plugin("acme_out", unify_register_renderers=lambda registry: registry.add(
        Renderer("count", render_count, "how many results")))
    plugins = build_plugins([plugin], autoload=False)
    policy = load_policies([write("p.yaml", "checks:\n  - {id: a, severity: low, resource: aws_vpc, assert: {x: {eq: 1}}}\n")],
                           operators=plugins.operators, frameworks=plugins.frameworks)
    results = evaluate(policy, snapshot([resource("aws_vpc", "v", {"x": 1})], [ok("aws_vpc")]))
    assert render(plugins.renderers["count"], results, RenderOptions()) == b"1 results\n"


def test_unify_register_frameworks_from_a_plugin(write, tmp_path) -> None:
    catalog = write("cat/acme.yaml", "framework: {id: acme, title: ACME}\ncontrols:\n  - {id: A-1, title: One}\n  - {id: A-2, title: Two}\n")

    def register(registry) -> None:
        registry.add_file(catalog)
        registry.add(Framework("inline", "Inline", "1", (Control("I-1", "Only"),)))

    plugins = build_plugins([make_plugin("acme_fw", unify_register_frameworks=register)], autoload=False)
    policy = load_policies([write("p.yaml", "checks:\n  - {id: a, severity: low, resource: aws_vpc, assert: {x: {eq: 1}}, controls: {acme: [A-1]}}\n")],
                           operators=plugins.operators, frameworks=plugins.frameworks)
    assert policy.warnings == ()  # the plugin's catalog knows A-1
    results = evaluate(policy, snapshot([resource("aws_vpc", "v", {"x": 1})], [ok("aws_vpc")]))
    assert compliance_view(results, "acme").statuses() == {"A-1": "met", "A-2": "manual"}
    assert compliance_view(results, "inline").statuses() == {"I-1": "manual"}


def test_unify_register_collectors_from_a_plugin() -> None:
    from unify.observe.collector import Collector

    def collect(ctx):
        yield ctx.resource("aws_acme_queue", "q1", name="q1", attributes={"url": "https://queue/q1"})

    collector = Collector("acme.queues", "sqs", (ResourceType("aws_acme_queue", ("url",)),), ("acme:ListQueues",),
                          collect)
    plugins = build_plugins([make_plugin("acme_sqs", unify_register_collectors=lambda registry: registry.add(collector))],
                            autoload=False)
    assert plugins.collectors.collector_for("aws_acme_queue").plugin == "acme_sqs"
    assert plugins.collectors.owner("acme.queues") == "acme_sqs"
    chosen, orphans = plugins.collectors.for_types(["aws_acme_queue", "aws_nothing"])
    assert [c.name for c in chosen] == ["acme.queues"] and orphans == ["aws_nothing"]
    clash = Collector("acme.again", "sqs", (ResourceType("aws_acme_queue", ()),), (), collect)
    with pytest.raises(PluginError, match="type 'aws_acme_queue' is already collected by 'acme.queues'"):
        build_plugins([make_plugin("a", unify_register_collectors=lambda registry: registry.add(collector)),
                       make_plugin("b", unify_register_collectors=lambda registry: registry.add(clash))], autoload=False).collectors


def test_unify_register_plan_importers_from_a_plugin(tmp_path) -> None:
    from unify.errors import PlanError
    from unify.terraform.importer import PlanImporter, load_plan
    from unify.model.snapshot import Snapshot

    def load(document, file, types):
        resources = [{"type": "aws_s3_bucket", "id": item["address"], "name": item["name"], "account": "1",
                      "region": "us-east-1", "tags": {},
                      "attributes": {"terraform_address": item["address"], "acl": item.get("acl", {"$unknown": "known after apply"})}}
                     for item in document["items"]]
        return Snapshot.build(resources=resources, coverage=[], source="terraform-plan", taken_at="2026-01-01T00:00:00Z")

    importer = PlanImporter("acme-plan", lambda d: isinstance(d, dict) and d.get("kind") == "acme-plan", load, "ACME plans")
    plugins = build_plugins([make_plugin("acme_plans", unify_register_plan_importers=lambda registry: registry.add(importer))],
                            autoload=False)
    assert plugins.plan_importers.owner("acme-plan") == "acme_plans"
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"kind": "acme-plan", "items": [{"address": "aws_s3_bucket.a", "name": "a"}]}))
    snap = load_plan(plan, plugins.plan_importers, TYPES)
    assert snap.source == "terraform-plan" and snap.resources[0]["attributes"]["acl"] == {"$unknown": "known after apply"}
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"kind": "something else"}))
    with pytest.raises(PlanError, match="not a plan any importer reads"):
        load_plan(other, plugins.plan_importers, TYPES)


def test_policy_file_catalog_wins_over_a_plugin_catalog(write) -> None:
    plugin = make_plugin("acme_fw", unify_register_frameworks=lambda registry: registry.add(
        Framework("acme", "From plugin", "1", (Control("A-1", "x"),))))
    plugins = build_plugins([plugin], autoload=False)
    write("p/cat.yaml", "framework: {id: acme, title: From file}\ncontrols:\n  - {id: B-1, title: y}\n")
    path = write("p/c.yaml", "checks:\n  - {id: a, severity: low, resource: aws_vpc, assert: {x: {eq: 1}}}\n")
    policy = load_policies([path.parent], operators=plugins.operators, frameworks=plugins.frameworks)
    assert policy.frameworks["acme"].title == "From file"


def test_clash_with_a_builtin_names_both_plugins() -> None:
    plugin = make_plugin("acme_clash", unify_register_operators=lambda registry: registry.add(
        Operator("eq", _is_even, "again")))
    with pytest.raises(PluginError) as info:
        build_plugins([plugin], autoload=False).operators
    assert str(info.value) == "plugin 'acme_clash': operator 'eq' is already registered by plugin 'unify.checks.default_operators'"


def test_a_crashing_hook_is_reported_with_the_plugin_name() -> None:
    def explode(registry) -> None:
        raise KeyError("oops")

    plugins = build_plugins([make_plugin("acme_bad", unify_register_renderers=explode)], autoload=False)
    with pytest.raises(PluginError, match=r"plugin 'acme_bad': unify_register_renderers failed: KeyError"):
        plugins.renderers


def test_a_broken_renderer_names_its_plugin(write) -> None:
    def broken(results, stream, options) -> None:
        raise ValueError("no ink")

    plugins = build_plugins([make_plugin("acme_ink", unify_register_renderers=lambda registry: registry.add(
        Renderer("ink", broken, "fails")))], autoload=False)
    policy = load_policies([write("p.yaml", "checks:\n  - {id: a, severity: low, resource: aws_vpc, assert: {x: {eq: 1}}}\n")], operators=PLUGINS.operators)
    results = evaluate(policy, snapshot([], [ok("aws_vpc")]))
    with pytest.raises(PluginError, match="plugin 'acme_ink': renderer 'ink' failed: ValueError: no ink"):
        render(plugins.renderers["ink"], results, RenderOptions())


def test_entry_point_plugins_load_and_their_failures_are_named(monkeypatch) -> None:
    import unify.plugins as plugins_module

    class EntryPoint:
        def __init__(self, name: str, target) -> None:
            self.name, self.value, self._target = name, f"{name}:plugin", target

        def load(self):
            if isinstance(self._target, Exception):
                raise self._target
            return self._target

    good = make_plugin("good", unify_register_operators=lambda registry: registry.add(
        Operator("even", _is_even, "even")))
    monkeypatch.setattr(plugins_module, "entry_points", lambda group: [EntryPoint("good", good)] if group == "unify" else [])
    assert "even" in build_plugins(autoload=True).operators
    monkeypatch.setattr(plugins_module, "entry_points", lambda group: [EntryPoint("broken", ImportError("no module"))])
    with pytest.raises(PluginError, match="plugin 'broken': cannot load broken:plugin: ImportError: no module"):
        build_plugins(autoload=True)
    monkeypatch.setenv("UNIFY_DISABLE_PLUGIN_AUTOLOAD", "1")
    reset_plugins()
    assert build_plugins().names() == sorted(DEFAULT_PLUGINS)


def test_builtins_register_through_the_hooks() -> None:
    plugins = build_plugins(autoload=False)
    assert {plugins.operators.owner(n) for n in plugins.operators.names()} == {"unify.checks.default_operators"}
    assert {plugins.renderers.owner(n) for n in plugins.renderers.names()} == {"unify.render.default_renderers"}
    assert {plugins.collectors.owner(n) for n in plugins.collectors.names()} == {"unify.aws"}
    assert {plugins.plan_importers.owner(n) for n in plugins.plan_importers.names()} <= {"unify.terraform.plan"}


def _hook_names() -> list[str]:
    return sorted(name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("unify_"))


def test_every_hook_is_documented_and_tested() -> None:
    """After datasette: a hook nobody documented or tested is not part of the API."""
    root = Path(__file__).parent.parent
    docs = (root / "docs" / "plugins.md").read_text(encoding="utf-8")
    tests = Path(__file__).read_text(encoding="utf-8")
    for name in _hook_names():
        assert getattr(hookspecs, name).__doc__, f"{name} has no docstring"
        assert f"`{name}" in docs, f"{name} is not in docs/plugins.md"
        assert f"def test_{name}" in tests, f"{name} has no test_{name}* here"


def test_a_hookimpl_with_wrong_arguments_is_one_line_naming_the_plugin() -> None:
    with pytest.raises(PluginError) as info:
        build_plugins([make_plugin("acme_args", unify_register_operators=lambda reg: None)], autoload=False)
    assert str(info.value).startswith("plugin 'acme_args': ") and "\n" not in str(info.value)
