"""The plugin API: every hook unify calls, in one module.

A plugin is a module or object with functions marked ``@unify.hookimpl`` and
named like the specs below. Install it with an entry point in the ``unify``
group::

    [project.entry-points.unify]
    myplugin = "myplugin.unify_hooks"

unify's own operators, renderers, collectors and plan importer register
through these same hooks (``unify.checks.default_operators``,
``unify.render.default_renderers``, ``unify.aws``, ``unify.terraform.plan``),
so a plugin can do anything a built-in does. Registration hooks receive a registry object
rather than returning values, so a hook can grow new registry methods
without breaking plugins written against an older one.
"""

from __future__ import annotations

import pluggy

from unify.checks.frameworks import FrameworkRegistry
from unify.checks.operators import OperatorRegistry
from unify.observe.collector import CollectorRegistry
from unify.render.renderer import RendererRegistry
from unify.terraform.importer import PlanImporterRegistry

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("unify")
hookimpl = pluggy.HookimplMarker("unify")


@hookspec
def unify_register_operators(registry: OperatorRegistry) -> None:
    """Add comparison operators to the check language.

    Call ``registry.add(Operator(...))`` once per operator. An operator's
    ``test(actual, argument, context)`` returns a bool; it receives
    :data:`unify.checks.operators.MISSING` for an absent attribute, raises
    :class:`unify.checks.operators.Undetermined` when the answer depends on an
    unobserved value and :class:`unify.checks.operators.CheckDefect` when the check
    does not fit the data. ``prepare`` validates the argument when the policy
    loads, and ``schema`` describes it in the policy-file JSON Schema.
    Names must be unique across all plugins; a clash is an error naming both.
    ``test`` must depend on its three arguments alone: the evaluator gives a
    resource whose values equal an earlier one's that one's judgement again.
    """


@hookspec
def unify_register_renderers(registry: RendererRegistry) -> None:
    """Add output formats for ``unify audit --format NAME``.

    Call ``registry.add(Renderer(name, render, description))``. ``render``
    receives the :class:`unify.Results` of one audit, a text or binary
    stream, and :class:`unify.render.renderer.RenderOptions`. Renderers read the
    views (policy, compliance, drift) from the results; they never evaluate.
    """


@hookspec
def unify_register_frameworks(registry: FrameworkRegistry) -> None:
    """Add compliance framework catalogs: control ids and titles.

    Call ``registry.add(Framework(...))`` or ``registry.add_file(path)`` with
    a catalog YAML file (``framework: {id, title, version}`` and
    ``controls: [{id, title}]``). Catalogs let the compliance view show
    controls that no check covers as ``manual``. A catalog found among the
    policy files of a run takes precedence over one from a plugin with the
    same framework id.
    """


@hookspec
def unify_register_collectors(registry: CollectorRegistry) -> None:
    """Add collectors: how resource types are observed from AWS.

    Call ``registry.add(Collector(...))``. A collector declares the resource
    types it yields, each a :class:`unify.model.resource_type.ResourceType`
    with the attributes it fills and its Terraform facts (each type comes from
    exactly one collector), the AWS actions it calls, and a ``collect(ctx)``
    generator of resources. It makes calls only through the
    :class:`unify.observe.collector.CollectContext` it receives (``ctx.client``,
    ``ctx.call``, ``ctx.items``, ``ctx.detail``, ``ctx.map``), which shares
    clients, counts calls, caps concurrency and records failures: an error from
    the listing call becomes ``error`` coverage for the collector's types in
    that region, a failed sub-call becomes an ``{"$unknown": ...}`` attribute.
    """


@hookspec
def unify_register_plan_importers(registry: PlanImporterRegistry) -> None:
    """Add plan importers: how a plan file becomes a planned snapshot.

    Call ``registry.add(PlanImporter(name, detect, load, description))``.
    ``detect(document)`` gets the parsed JSON and says whether it is this
    importer's format; ``load(document, file, types)`` (``types`` being the
    declared :class:`unify.model.resource_type.ResourceTypes`) returns a
    :class:`unify.Snapshot` whose resources use the Terraform AWS provider's
    type and attribute names, with ``{"$unknown": ...}`` for values known only
    after apply and the resource's address in the ``terraform_address``
    attribute, and raises :class:`unify.errors.PlanError` (naming the file
    and key) for a document it cannot read. The first importer whose
    ``detect`` is true loads the plan.
    """
