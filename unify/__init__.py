"""unify: one observation of an AWS estate, one set of declarative checks.

Drift, policy and compliance are three views of the same verdicts, computed
once from one snapshot. The public API, with the registries passed in::

    plugins = unify.build_plugins()
    policy = unify.load_policies(["policies/"], operators=plugins.operators, frameworks=plugins.frameworks)
    snapshot = unify.load_snapshot("snapshot.json")
    results = unify.evaluate(policy, snapshot, unify.load_waivers(["waivers.yaml"]))
    unify.policy_view(results); unify.compliance_view(results, "cis-aws-v7.0"); unify.drift_view(results)

:mod:`unify.run` is the whole audit pipeline (sources, plan scope, baseline,
gate, evidence) that the command line and ``pytest --unify`` use.
"""

from __future__ import annotations

from unify._version import __version__
from unify.checks.frameworks import Control, Framework
from unify.checks.operators import MISSING, CheckDefect, EvalContext, Operator, Undetermined
from unify.checks.policy_set import Check, PolicySet, load_policies
from unify.checks.waivers import Waiver, WaiverSet, load_waivers
from unify.engine import evaluate
from unify.errors import InputError, PluginError, PolicyError, Problem, SnapshotError, UnifyError, WaiverError
from unify.hookspecs import hookimpl
from unify.model.resource import Coverage, Resource
from unify.model.resource_type import Fold, ResourceType, ResourceTypes
from unify.model.snapshot import Snapshot, load_snapshot, write_snapshot
from unify.observe.collector import CollectContext, Collector
from unify.plugins import Plugins, build_plugins
from unify.render.renderer import Renderer, RenderOptions
from unify.results import Gate, Result, Results
from unify.views.compliance import compliance_view
from unify.views.drift import drift_view
from unify.views.policy import policy_view

__all__ = [
    "MISSING",
    "Check",
    "CheckDefect",
    "CollectContext",
    "Collector",
    "Control",
    "Coverage",
    "EvalContext",
    "Fold",
    "Framework",
    "Gate",
    "InputError",
    "Operator",
    "PluginError",
    "Plugins",
    "PolicyError",
    "PolicySet",
    "Problem",
    "RenderOptions",
    "Renderer",
    "Resource",
    "ResourceType",
    "ResourceTypes",
    "Result",
    "Results",
    "Snapshot",
    "SnapshotError",
    "Undetermined",
    "UnifyError",
    "Waiver",
    "WaiverError",
    "WaiverSet",
    "__version__",
    "build_plugins",
    "compliance_view",
    "drift_view",
    "evaluate",
    "hookimpl",
    "load_policies",
    "load_snapshot",
    "load_waivers",
    "policy_view",
    "write_snapshot",
]
