"""A ZenML stack description, and the stack pack's checks narrowed to the resources it names.

Teams that run ZenML have a file that says what their stack is: ``zenml stack
export`` writes each component's type, flavor and configuration (the
artifact store's ``path: s3://...``, the container registry's ``uri``, the
image builder's CodeBuild project, the SageMaker orchestrator's execution
role). Pointing unify at that file (``unify stack --zenml FILE``) replaces
the tag convention: the stack pack's checks are compiled again, each with a
``where`` that selects the resources the file names, before the one
evaluation. The checks keep their ids and controls, so the compliance view
and the stack view still read the same results.

What the pack's checks say about ZenML is in their labels, not here:
``zenml-flavor`` (the flavors a check speaks for: ``sagemaker``, ``s3``,
``aws``), ``zenml-select`` (which of the selectors below picks its
resources from the component's configuration) and ``selected-by: tag``
(its ``where`` only chose the stack's resources by tag, and the file's
selection replaces it). A check whose component is not in the file, or
whose flavors do not include the component's flavor, is left out: that
service is not part of this stack.

Only the configuration keys the selectors need are read; the rest of a
component's configuration (which can hold access keys) is never copied,
printed or kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from unify.checks.conditions import All, Compiler, Node
from unify.checks.documents import Document, load_yaml
from unify.checks.frameworks import Framework
from unify.checks.operators import OperatorRegistry
from unify.checks.policy_set import Check, PolicySet
from unify.errors import InputError, Problem

__all__ = [
    "COMPONENT_TYPES",
    "StackComponentSpec",
    "StackDescription",
    "StackScope",
    "load_stack_description",
    "scope_to_stack",
    "stack_checks",
]

#: ZenML's component types that are deployment-stack components, and unify's component ids for them.
COMPONENT_TYPES: Final = {
    "image_builder": "image-builder",
    "container_registry": "container-registry",
    "deployer": "deployer",
    "artifact_store": "artifact-store",
    "orchestrator": "orchestrator",
    "step_operator": "step-operator",
}

#: The framework whose controls are the components.
FRAMEWORK: Final = "stack"

#: The configuration keys any selector reads; nothing else of a component's configuration is kept.
_KEYS: Final = (
    "path",
    "uri",
    "code_build_project",
    "execution_role",
    "region",
    "role",
    "kubernetes_context",
    "service_name_prefix",
    "job_queue_name",
)

#: App Runner deployer's default service name prefix (ZenML's AWS deployer settings).
_DEFAULT_PREFIX: Final = "zenml-"
_ECR_URI: Final = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?:/.*)?$"
)
_EKS_ARN: Final = re.compile(r"^arn:[a-z-]+:eks:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):cluster/(?P<name>[^/]+)$")
_S3_PATH: Final = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(?:/.*)?$")


@dataclass(frozen=True)
class StackComponentSpec:
    """One component of a ZenML stack: its type, flavor, name, and the configuration the selectors read."""

    type: str
    component: str
    name: str
    flavor: str
    configuration: Mapping[str, Any]
    line: int | None


@dataclass(frozen=True)
class StackDescription:
    """A ZenML stack, read from ``zenml stack export`` YAML (or the same as JSON)."""

    name: str
    file: str
    components: Mapping[str, StackComponentSpec]
    #: Component types of the file that are not deployment-stack components (an experiment tracker).
    others: tuple[str, ...] = ()


@dataclass(frozen=True)
class StackScope:
    """The stack pack narrowed to one stack: the checks kept, and what the view should say about each component."""

    policy: PolicySet
    stack: StackDescription
    #: component -> why it has no checks although the stack uses it (a flavor unify does not observe).
    unchecked: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    notes: tuple[str, ...] = ()


def _text(doc: Document, path: tuple[str | int, ...], value: Any, key: str) -> str:
    if not isinstance(value, (str, int)) or isinstance(value, bool) or str(value).strip() == "":
        raise InputError(Problem(doc.file, doc.line(path), key, f"{key} must be a non-empty string"))
    return str(value)


def _component(doc: Document, type_: str, raw: Any) -> StackComponentSpec:
    path: tuple[str | int, ...] = ("components", type_)
    if isinstance(raw, list):
        # The server's answer lists components per type; a stack has at most one of each.
        if not raw:
            raise InputError(Problem(doc.file, doc.line(path), type_, "the component list is empty"))
        raw, path = raw[0], path + (0,)
    if not isinstance(raw, dict):
        raise InputError(
            Problem(doc.file, doc.line(path), type_, "a component is a mapping with flavor and configuration")
        )
    flavor = raw.get("flavor", raw.get("flavor_name"))
    # Stack files written by the MLOps stack recipes put the settings beside flavor and name, not under
    # configuration: read those too (only the selectors' keys, as always).
    configuration = raw["configuration"] if "configuration" in raw else {k: raw[k] for k in _KEYS if k in raw}
    if configuration is None:
        configuration = {}
    if not isinstance(configuration, dict):
        raise InputError(
            Problem(doc.file, doc.line(path + ("configuration",)), "configuration", "configuration must be a mapping")
        )
    kept = {key: configuration[key] for key in _KEYS if configuration.get(key) not in (None, "")}
    for key, value in kept.items():
        _text(doc, path + ("configuration", key), value, key)
    return StackComponentSpec(
        type=type_,
        component=COMPONENT_TYPES[type_],
        name=_text(doc, path + ("name",), raw.get("name", type_), "name"),
        flavor=_text(doc, path + ("flavor",), flavor, "flavor"),
        configuration=MappingProxyType(kept),
        line=doc.line(path),
    )


def load_stack_description(path: str | Path) -> StackDescription:
    """Read a ZenML stack description; a file that is not one is bad input naming its file, line and key."""
    doc = load_yaml(path)
    data = doc.data
    if not isinstance(data, dict):
        raise InputError(Problem(doc.file, doc.line(()), None, "a ZenML stack description is a mapping"))
    components = data.get("components")
    if not isinstance(components, dict) or not components:
        raise InputError(
            Problem(
                doc.file,
                doc.line(("components",)),
                "components",
                "no components: expected the output of `zenml stack export` (stack_name and components)",
            )
        )
    found: dict[str, StackComponentSpec] = {}
    others: list[str] = []
    for type_, raw in components.items():
        if str(type_) in COMPONENT_TYPES:
            spec = _component(doc, str(type_), raw)
            found[spec.component] = spec
        else:
            others.append(str(type_))
    name = data.get("stack_name", data.get("name", Path(doc.file).stem))
    return StackDescription(
        name=_text(doc, ("stack_name",), name, "stack_name"),
        file=doc.file,
        components=MappingProxyType(found),
        others=tuple(sorted(others)),
    )


# -- selectors: a component's configuration -> the condition that picks its resources -------------

#: A condition in the check language, and the one resource it names (to check it exists), when it names one.
Selection = tuple[dict[str, Any] | None, dict[str, str] | None]


def _region(config: Mapping[str, Any]) -> dict[str, Any]:
    return {"region": {"eq": config["region"]}} if config.get("region") else {}


def _bucket(spec: StackComponentSpec) -> str:
    match = _S3_PATH.match(str(spec.configuration.get("path", "")))
    if match is None:
        raise ValueError("its path is not an s3://bucket/prefix URI")
    return match["bucket"]


def _select_bucket(spec: StackComponentSpec) -> Selection:
    bucket = _bucket(spec)
    return {"name": {"eq": bucket}}, {"name": bucket}


def _registry(spec: StackComponentSpec) -> re.Match[str]:
    match = _ECR_URI.match(str(spec.configuration.get("uri", "")))
    if match is None:
        raise ValueError("its uri is not an ECR registry (ACCOUNT.dkr.ecr.REGION.amazonaws.com)")
    return match


def _select_registry(spec: StackComponentSpec) -> Selection:
    match = _registry(spec)
    return {"account": {"eq": match["account"]}, "region": {"eq": match["region"]}}, None


def _select_project(spec: StackComponentSpec) -> Selection:
    project = spec.configuration.get("code_build_project")
    if not project:
        raise ValueError("it names no code_build_project")
    return {"name": {"eq": project}, **_region(spec.configuration)}, {"name": str(project)}


def _select_role(key: str) -> Callable[[StackComponentSpec], Selection]:
    def select(spec: StackComponentSpec) -> Selection:
        role = spec.configuration.get(key)
        if not role:
            raise ValueError(f"it names no {key}")
        return {"role_arn": {"eq": role}, **_region(spec.configuration)}, None

    return select


def _select_cluster(spec: StackComponentSpec) -> Selection:
    match = _EKS_ARN.match(str(spec.configuration.get("kubernetes_context", "")))
    if match is None:
        raise ValueError("its kubernetes_context is not an EKS cluster ARN")
    named = {"name": match["name"], "account": match["account"], "region": match["region"]}
    return {
        "name": {"eq": match["name"]},
        "account": {"eq": match["account"]},
        "region": {"eq": match["region"]},
    }, named


def _select_prefix(spec: StackComponentSpec) -> Selection:
    prefix = str(spec.configuration.get("service_name_prefix") or _DEFAULT_PREFIX)
    return {"name": {"matches": "^" + re.escape(prefix)}, **_region(spec.configuration)}, None


def _select_trail(spec: StackComponentSpec) -> Selection:
    """A trail whose S3 data events cover the artifact store's bucket (all buckets, or that one)."""
    pattern = r"^arn:[a-z-]+:s3(:::)?$|^arn:[a-z-]+:s3:::" + re.escape(_bucket(spec)) + "(/|$)"
    covers = {"any_item": {"matches": pattern}}
    return {
        "any": [
            {
                "event_selectors": {
                    "any_item": {"data_resource": {"any_item": {"type": {"eq": "AWS::S3::Object"}, "values": covers}}}
                }
            },
            {
                "advanced_event_selector": {
                    "any_item": {
                        "any": [
                            {"field_selector": {"no_item": {"field": {"eq": "resources.ARN"}}}},
                            {
                                "field_selector": {
                                    "any_item": {
                                        "field": {"eq": "resources.ARN"},
                                        "any": [{"starts_with": covers}, {"equals": covers}],
                                    }
                                }
                            },
                        ]
                    }
                }
            },
        ]
    }, None


def _select_all(spec: StackComponentSpec) -> Selection:
    return (_region(spec.configuration) or None), None


#: The selectors the pack's ``zenml-select`` labels name.
SELECTORS: Final[Mapping[str, Callable[[StackComponentSpec], Selection]]] = MappingProxyType(
    {
        "bucket": _select_bucket,
        "registry-repository": _select_registry,
        "registry": _select_registry,
        "build-project": _select_project,
        "execution-role": _select_role("execution_role"),
        "step-role": _select_role("role"),
        "cluster": _select_cluster,
        "service-prefix": _select_prefix,
        "trail-for-bucket": _select_trail,
        "all": _select_all,
    }
)


def stack_checks(policy: PolicySet) -> PolicySet:
    """The checks ``unify stack`` evaluates: those of the ``stack`` framework and the lineage checks.

    The lineage checks (artifact store history) map to no component, so the
    ``stack`` framework's compliance view and the component statuses are
    made of exactly the same results.
    """
    return replace(policy, checks=tuple(c for c in policy.checks if c.maps_to(FRAMEWORK) or c.labels.get("lineage")))


def component_of(check: Check) -> str | None:
    """The stack component a check speaks for: its label, or the artifact store for a lineage check."""
    if check.labels.get("component"):
        return check.labels["component"]
    return "artifact-store" if check.labels.get("lineage") else None


def scope_to_stack(policy: PolicySet, stack: StackDescription, operators: OperatorRegistry) -> StackScope:
    """The stack pack's checks for ``stack`` only: narrowed to its resources, the other services left out.

    Checks of no component are kept as they are. A component whose
    configuration cannot select anything (an artifact store path that is not
    an S3 URI) is bad input naming the file and line.
    """
    problems: list[Problem] = []
    kept: list[Check] = []
    named: dict[tuple[str, str], tuple[Check, dict[str, str]]] = {}
    served: set[str] = set()
    for check in policy.checks:
        component = component_of(check)
        if component is None:
            kept.append(check)
            continue
        spec = stack.components.get(component)
        flavors = [f.strip() for f in check.labels.get("zenml-flavor", "").split(",") if f.strip()]
        if spec is None or spec.flavor not in flavors:
            continue
        selector = SELECTORS.get(check.labels.get("zenml-select", "all"))
        if selector is None:
            problems.append(
                Problem(check.file, check.line, "zenml-select", f"unknown selector {check.labels['zenml-select']!r}")
            )
            continue
        try:
            condition, resource = selector(spec)
        except ValueError as exc:
            raise InputError(
                Problem(stack.file, spec.line, spec.type, f"the {spec.type} {spec.name!r} cannot be matched: {exc}")
            ) from None
        line = spec.line
        compiler = Compiler(operators, stack.file, lambda _, line=line: line, problems)  # type: ignore[misc]
        where: Node | None = compiler.condition(condition, (spec.type,)) if condition else None
        if check.labels.get("selected-by") != "tag" and check.where is not None:
            where = check.where if where is None else All([where, check.where])
        kept.append(replace(check, where=where))
        served.add(component)
        if resource is not None and check.kind == "guardrail":
            named.setdefault((component, check.labels.get("zenml-select", "")), (check, resource))
    if problems:
        raise InputError(problems)
    for (component, _), (check, resource) in sorted(named.items()):
        kept.append(_exists(check, component, stack.components[component], resource, stack.file))
    unchecked = {
        component: f"flavor {spec.flavor!r}: no check of the policy set observes it on AWS"
        for component, spec in stack.components.items()
        if component not in served
    }
    notes = tuple(f"{stack.file}: {other} is not a deployment-stack component; not judged" for other in stack.others)
    return StackScope(
        policy=replace(
            policy, checks=tuple(sorted(kept, key=lambda c: c.id)), frameworks=_frameworks_of(policy, stack)
        ),
        stack=stack,
        unchecked=MappingProxyType(unchecked),
        notes=notes,
    )


def _frameworks_of(policy: PolicySet, stack: StackDescription) -> dict[str, Framework]:
    """The catalogs, with the ``stack`` framework's controls narrowed to the components the stack has.

    A component the stack file does not have is not used: the stack view says
    so, and the compliance view of the same results must not call it
    ``manual`` (a control no check decides), so it is no control of this stack.
    """
    frameworks = dict(policy.frameworks)
    catalog = frameworks.get(FRAMEWORK)
    if catalog is not None:
        controls = tuple(
            c for c in catalog.controls if c.id in stack.components or c.id not in COMPONENT_TYPES.values()
        )
        frameworks[FRAMEWORK] = replace(catalog, controls=controls, _index={})
    return frameworks


def _exists(check: Check, component: str, spec: StackComponentSpec, resource: Mapping[str, str], file: str) -> Check:
    """A check that the one resource the stack names exists: a stack whose bucket is gone is not "not used"."""
    name = resource["name"]
    return Check(
        id=f"zenml/{component}/{name}",
        title=f"The {spec.type.replace('_', ' ')} {name!r} of ZenML stack component {spec.name!r} exists",
        severity="high",
        types=check.types[:1],
        kind="desired",
        file=file,
        line=spec.line,
        assertion=All([]),
        controls=MappingProxyType({FRAMEWORK: (component,)}),
        remediation=f"Create it, or correct the {spec.type} of the ZenML stack: the stack points at something missing.",
        labels=MappingProxyType({k: v for k, v in check.labels.items() if k in ("component", "service", "cost-unit")}),
        name=name,
        account=resource.get("account"),
        region=resource.get("region") or spec.configuration.get("region"),
    )
