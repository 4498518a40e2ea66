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
from typing import Any, Final

__all__ = ["REMOVE", "Fold", "ResourceType", "ResourceTypes"]

_EMPTY: Final[Mapping[str, Any]] = MappingProxyType({})


class _Remove:
    """What a fold returns when its side resource says the block is not there (versioning never enabled)."""

    def __repr__(self) -> str:
        return "REMOVE"


REMOVE: Final = _Remove()


@dataclass(frozen=True)
class Fold:
    """A Terraform resource that configures another AWS object, folded into that object's attribute.

    Terraform writes ``aws_s3_bucket_versioning`` beside ``aws_s3_bucket``;
    an observation sees one bucket with ``versioning: {status}``. A fold says
    which side resource, which attribute of its target it becomes, which of
    its own attributes names the target, and how its values convert
    (``convert`` returns the attribute's value, or :data:`REMOVE`).
    """

    terraform_type: str
    attribute: str
    convert: Callable[[Mapping[str, Any]], Any]
    #: The side resource's attribute that names its target (by the target's name or id).
    reference: str


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
    #: Attribute paths drift never compares (computed or defaulted by the provider).
    drift_ignore: tuple[str, ...] = ()
    #: ``(path, value)`` pairs that mark a resource AWS makes on its own (the default VPC): never unmanaged.
    made_by_aws: tuple[tuple[str, Any], ...] = ()
    #: Attribute paths (``containers[].log_options``) of maps whose keys users choose: a secret-looking
    #: key there (``env-pass``, ``splunk-token``) has its value redacted before the snapshot keeps it.
    free_maps: tuple[str, ...] = ()

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
        self._folds: dict[str, tuple[ResourceType, Fold]] = {}
        for declared in types:
            self._types[declared.name] = declared
            for fold in declared.folds:
                self._folds[fold.terraform_type] = (declared, fold)

    def __getitem__(self, name: str) -> ResourceType:
        return self._types[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._types))

    def __len__(self) -> int:
        return len(self._types)

    def fold(self, terraform_type: str) -> tuple[ResourceType, Fold] | None:
        """The type a Terraform side resource folds into, and how; None when it folds into nothing."""
        return self._folds.get(terraform_type)

    def is_regional(self, name: str) -> bool:
        """Whether resources of ``name`` live in a region; an undeclared type is assumed regional."""
        declared = self._types.get(name)
        return True if declared is None else declared.regional

    @property
    def singletons(self) -> frozenset[str]:
        return frozenset(name for name, declared in self._types.items() if declared.singleton)
