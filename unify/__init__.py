"""unify: one observation of an AWS estate, one set of declarative checks.

Drift, policy and compliance are three views of the same verdicts, computed
once from one snapshot. The public API::

    policy = unify.load_policies(["policies/"])
    snapshot = unify.load_snapshot("snapshot.json")
    results = unify.evaluate(policy, snapshot, unify.load_waivers(["waivers.yaml"]))
    results.policy_view(); results.compliance_view("cis-aws-v7.0"); results.drift_view()
"""

from __future__ import annotations

from unify.checks import Check, PolicySet, load_policies
from unify.errors import InputError, PluginError, PolicyError, Problem, SnapshotError, UnifyError, WaiverError
from unify.evaluation import evaluate
from unify.frameworks import Control, Framework
from unify.hookspecs import hookimpl
from unify.operators import MISSING, CheckDefect, EvalContext, Operator, Undetermined
from unify.renderers import Renderer, RenderOptions
from unify.results import Gate, Result, Results
from unify.snapshot import Coverage, Resource, Snapshot, load_snapshot, write_snapshot
from unify.waivers import Waiver, WaiverSet, load_waivers

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "Check",
    "CheckDefect",
    "Control",
    "Coverage",
    "EvalContext",
    "Framework",
    "Gate",
    "InputError",
    "MISSING",
    "Operator",
    "PluginError",
    "PolicyError",
    "PolicySet",
    "Problem",
    "Renderer",
    "RenderOptions",
    "Resource",
    "Result",
    "Results",
    "Snapshot",
    "SnapshotError",
    "Undetermined",
    "UnifyError",
    "Waiver",
    "WaiverError",
    "WaiverSet",
    "evaluate",
    "hookimpl",
    "load_policies",
    "load_snapshot",
    "load_waivers",
    "write_snapshot",
]
