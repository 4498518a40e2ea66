"""Resource-type declarations: everything unify knows about one type, declared once, in its service module.

Cloud Custodian gives each resource class a ``resource_type`` with its id
field, name field and ARN shape, and its generic machinery reads those facts
without naming a service. unify does the same: a :class:`ResourceType` says
how a type is scoped and named, which attributes only an observation can
see, how Terraform spells it (nested blocks kept as lists, side resources
that configure it, provider defaults), and what drift must ignore. The
observer, the Terraform readers, drift and the reference docs read these
declarations and name no type themselves; a type's facts live in
``unify/aws/<service>.py`` next to the collector that observes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, Literal

__all__ = ["REMOVE", "Fold", "Merge", "ResourceType", "ResourceTypes"]

_EMPTY: Final[Mapping[str, Any]] = MappingProxyType({})


class _Remove:
    """What a fold returns when its side resource says the block is not there (versioning never enabled)."""

    def __repr__(self) -> str:
        return "REMOVE"


REMOVE: Final = _Remove()


#: How a side resource's value joins its target's attribute.
Merge = Literal["set", "append", "count"]


def _same_item(items: list[Any], item: Any) -> bool:
    return item in items


def _without_item(items: list[Any], item: Any) -> list[Any]:
    return [existing for existing in items if existing != item]


@dataclass(frozen=True)
class Fold:
    """A Terraform resource that configures another AWS object, folded into that object's attribute.

    Terraform writes ``aws_s3_bucket_versioning`` beside ``aws_s3_bucket``;
    an observation sees one bucket with ``versioning: {status}``. A fold says
    which side resource, which attribute of its target it becomes, which of
    its own attributes names the target, and how its values convert
    (``convert`` returns the attribute's value, or :data:`REMOVE`).

    ``merge`` says how the value joins the target: ``set`` replaces the
    attribute (the S3 family); ``append`` adds one item to a list attribute
    (a rule resource to its group's ``ingress``, an attachment to a role's
    ``attached_policy_arns``), unless ``covered`` finds it there already (a
    state's group lists the rules its rule resources made); ``count`` adds one
    to a number (a policy's ``attachment_count``). A side resource the plan
    deletes takes its item out again (``without``). One Terraform type may
    fold several ways (an inline policy gives ``inline_policies`` and
    ``inline_policy_names``); ``when`` picks the folds that apply to one side
    resource (an ingress rule folds into ``ingress`` only).
    """

    terraform_type: str
    attribute: str
    convert: Callable[[Mapping[str, Any]], Any]
    #: The side resource's attribute that names its target (a name or id, or a list of them).
    reference: str
    merge: Merge = "set"
    #: The target's attributes the reference is compared with; default: the target's name and ``id``.
    match: tuple[str, ...] = ()
    #: Whether this fold applies to a side resource (its values); None: always.
    when: Callable[[Mapping[str, Any]], bool] | None = None
    #: The side resource is also a resource of its own (``aws_flow_log``), not only part of its target.
    keep: bool = False
    #: For ``append``: whether the list already holds the item.
    covered: Callable[[list[Any], Any], bool] = _same_item
    #: For ``append``: the list once the item is gone (its side resource is deleted).
    without: Callable[[list[Any], Any], list[Any]] = _without_item
    #: For ``append``: the order of the list's items, as the collector sorts them.
    order: Callable[[Any], Any] | None = None

    def applies(self, values: Mapping[str, Any]) -> bool:
        return self.when is None or bool(self.when(values))


@dataclass(frozen=True)
class ResourceType:
    """The facts of one resource type, as every part of unify reads them."""

    #: The Terraform AWS provider's type name: ``aws_s3_bucket``.
    name: str
    #: Every attribute the collector fills, provider names first, then facts only observation can see.
    attributes: tuple[str, ...]
    #: Attributes a Terraform plan or state cannot hold: marked unknown in their snapshots.
    observed_only: tuple[str, ...] = ()
    #: False for types in no region (IAM, account-wide S3 settings): their region is ``global``.
    regional: bool = True
    #: An account-wide (or account-and-region-wide) setting: one per scope, id ``ACCOUNT[/REGION]/TYPE``.
    singleton: bool = False
    #: Where the resource's own AWS name is in Terraform values (dotted); ``name`` for most types.
    name_path: str = "name"
    #: Nested blocks Terraform keeps as one-element lists that the collector emits as one mapping.
    single_blocks: tuple[str, ...] = ()
    #: Lists of rule blocks Terraform orders by hash: sorted as the collector sorts them.
    sorted_blocks: tuple[str, ...] = ()
    #: Values the provider assumes when a plan or state leaves them out.
    defaults: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    #: The rest of the conversion from Terraform values, in place, after the generic steps.
    from_terraform: Callable[[dict[str, Any]], None] | None = None
    #: Terraform side resources folded into this type.
    folds: tuple[Fold, ...] = ()
    #: Other Terraform types that are this type (``aws_default_security_group``), with the values they always
    #: have (its name is ``default``).
    terraform_aliases: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: _EMPTY)
    #: ``(attribute, argument, empty)``: attributes a plan leaves unknown on a resource it creates although,
    #: when the configuration does not set ``argument`` (None: no argument sets it), they start ``empty``
    #: and only side resources fill them (a new group's ``ingress``; a new role's attached policies).
    created_empty: tuple[tuple[str, str | None, Any], ...] = ()
    #: ``(attribute, value)``: the provider's encoding of a block never configured, read as absent (a bucket
    #: that never had versioning is ``versioning = [{enabled = false, mfa_delete = false}]`` in its state).
    never_configured: tuple[tuple[str, Any], ...] = ()
    #: Attribute paths drift never compares (computed or defaulted by the provider).
    drift_ignore: tuple[str, ...] = ()
    #: ``(path, value)`` pairs that mark a resource AWS makes on its own (the default VPC): never unmanaged.
    made_by_aws: tuple[tuple[str, Any], ...] = ()
    #: Attribute paths (``containers[].log_options``) of maps whose keys users choose: a secret-looking
    #: key there (``env-pass``, ``splunk-token``) has its value redacted before the snapshot keeps it.
    free_maps: tuple[str, ...] = ()
    #: The calls made once per resource (``s3:GetBucketLogging``, as AWS names the operation) and the
    #: attributes each fills (``tags`` for the resource's tags). An observation skips a call when nothing
    #: loaded reads any of its attributes, and records them as not collected; attributes no call names
    #: come with the listing and are always collected. An attribute read from two calls is named under both.
    sources: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)

    def singleton_id(self, account: str, region: str) -> str:
        """The id of this setting in one account (and region, for a regional setting)."""
        return (
            f"{account}/{self.name}"
            if not self.regional or region in ("global", "unknown")
            else f"{account}/{region}/{self.name}"
        )

    def is_made_by_aws(self, resource: Mapping[str, Any]) -> bool:
        """Whether ``resource`` is one AWS made itself, which no configuration is expected to manage."""
        for path, value in self.made_by_aws:
            actual = resource.get(path) if path == "name" else (resource.get("attributes") or {}).get(path)
            if actual == value:
                return True
        return False


class ResourceTypes(Mapping[str, ResourceType]):
    """The declared types of one plugin set, by name, with the side resources that fold into them."""

    def __init__(self, types: Iterable[ResourceType] = ()) -> None:
        self._types: dict[str, ResourceType] = {}
        self._folds: dict[str, list[tuple[ResourceType, Fold]]] = {}
        self._aliases: dict[str, tuple[ResourceType, Mapping[str, Any]]] = {}
        for declared in types:
            self._types[declared.name] = declared
            for fold in declared.folds:
                self._folds.setdefault(fold.terraform_type, []).append((declared, fold))
            for alias, values in declared.terraform_aliases.items():
                self._aliases[alias] = (declared, values)

    def __getitem__(self, name: str) -> ResourceType:
        return self._types[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._types))

    def __len__(self) -> int:
        return len(self._types)

    def folds(self, terraform_type: str) -> tuple[tuple[ResourceType, Fold], ...]:
        """The types a Terraform side resource folds into, and how; empty when it folds into nothing."""
        return tuple(self._folds.get(terraform_type, ()))

    def alias(self, terraform_type: str) -> tuple[ResourceType, Mapping[str, Any]] | None:
        """The declared type a Terraform type is another name of, and the values it always has."""
        return self._aliases.get(terraform_type)

    def is_regional(self, name: str) -> bool:
        """Whether resources of ``name`` live in a region; an undeclared type is assumed regional."""
        declared = self._types.get(name)
        return True if declared is None else declared.regional

    @property
    def singletons(self) -> frozenset[str]:
        return frozenset(name for name, declared in self._types.items() if declared.singleton)
