"""Terraform's values in the shapes the collectors emit: the small conversions every type's declaration uses.

Terraform keeps a nested block as a list (``metadata_options = [{...}]``)
where the collectors, following AWS, emit one mapping; it keeps policies as
JSON strings where the collectors keep parsed documents; and it marks values
known only after apply, or sensitive, in mirrors of the values
(``after_unknown``, ``after_sensitive``). None of these functions ever loses a
``$unknown`` marker: an unknown block stays unknown. Service modules in
:mod:`unify.aws` use them in their ``from_terraform`` conversions and folds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from unify.model.policy_document import parse_policy
from unify.model.resource import is_unknown, known, unknown
from unify.model.resource_type import Fold, ResourceType

__all__ = [
    "AFTER_APPLY",
    "NO_POLICIES",
    "SENSITIVE",
    "attachment_count_folds",
    "flag",
    "inline_policy",
    "names",
    "policy_folds",
    "policy_value",
    "redact_path",
    "role_policies",
    "single",
    "with_markers",
]

AFTER_APPLY: Final = "known after apply"
SENSITIVE: Final = "sensitive in Terraform: value not kept"


def single(value: Any) -> Any:
    """``[{...}]`` as ``{...}``; ``[]`` (or null) as None, meaning absent; a marker stays."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def policy_value(value: Any) -> Any:
    """A policy attribute (a JSON string in Terraform) as a parsed document; "" as None (no policy)."""
    if isinstance(value, str):
        return parse_policy(value) if value.strip() else None
    return value


def names(mapping: Any) -> Any:
    """The sorted keys of a mapping (environment variable names: the values are never kept)."""
    return sorted(str(k) for k in mapping) if isinstance(mapping, dict) and not is_unknown(mapping) else mapping


def flag(value: Any, yes: str, no: str) -> Any:
    """A Terraform boolean as the word AWS answers with (``Enabled``/``Suspended``); a marker stays."""
    return value if is_unknown(value) else (yes if value else no)


# -- markers from Terraform's mirrors (after_unknown, after_sensitive, sensitive_values) ------------


def _marks(spec: Any) -> bool:
    if spec is True:
        return True
    if isinstance(spec, dict):
        return any(_marks(v) for v in spec.values())
    if isinstance(spec, list):
        return any(_marks(v) for v in spec)
    return False


def with_markers(value: Any, spec: Any, reason: str) -> Any:
    """``value`` with the marker at every path where ``spec`` (a mirror of it) is true.

    The mirror is true at a leaf or at a whole attribute; a path the mirror
    marks but ``value`` lacks (Terraform leaves unknown values out) appears
    as the marker too. An existing marker is never replaced.
    """
    if is_unknown(value):
        return value
    if spec is True:
        if reason == SENSITIVE and value is None:
            return None
        return unknown(reason)
    if not _marks(spec):
        return value
    if isinstance(spec, dict):
        out = dict(value) if isinstance(value, dict) else {}
        for key, sub in spec.items():
            if _marks(sub):
                marked = with_markers(out.get(key), sub, reason)
                if marked is not None or key in out:
                    out[key] = marked
        return out
    if isinstance(spec, list):
        out_list = list(value) if isinstance(value, list) else []
        for index, sub in enumerate(spec):
            if not _marks(sub):
                continue
            while len(out_list) <= index:
                out_list.append(None)
            out_list[index] = with_markers(out_list[index], sub, reason)
        return out_list
    return value


def redact_path(values: dict[str, Any], steps: list[Any]) -> None:
    """Put the sensitive marker at one ``sensitive_attributes`` path of a raw tfstate instance."""
    node: Any = values
    keys: list[Any] = []
    for step in steps:
        if not isinstance(step, dict):
            return
        key = step.get("value")
        if isinstance(key, dict):  # index steps: {"value": 0, "type": "number"}
            key = key.get("value")
        if not isinstance(key, str | int) or isinstance(key, bool):
            return  # not a path Terraform writes
        keys.append(key)
    for position, key in enumerate(keys):
        last = position == len(keys) - 1
        if isinstance(node, dict) and key in node:
            if last:
                if node[key] is not None:
                    node[key] = unknown(SENSITIVE)
                return
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            if last:
                node[key] = unknown(SENSITIVE)
                return
            node = node[key]
        else:
            return


# -- IAM policies written as their own resources -----------------------------------------------------


#: A new IAM user or group has no policies but those its side resources attach (no argument sets them inline).
NO_POLICIES: Final[tuple[tuple[str, str | None, Any], ...]] = tuple(
    (name, None, list[str]()) for name in ("attached_policy_arns", "inline_policy_names", "inline_policies")
)


def inline_policy(values: Mapping[str, Any]) -> dict[str, Any]:
    """An inline policy resource (``aws_iam_role_policy`` and kin) as an ``inline_policies`` item."""
    return {"name": values.get("name"), "policy": policy_value(values.get("policy"))}


def _name_of(item: Any) -> str:
    return str(item.get("name")) if isinstance(item, dict) else str(item)


def _has_name(items: list[Any], item: Any) -> bool:
    return any(_name_of(existing) == _name_of(item) for existing in items)


def _without_name(items: list[Any], item: Any) -> list[Any]:
    return [existing for existing in items if _name_of(existing) != _name_of(item)]


def policy_folds(inline: tuple[str, str], *attachments: tuple[str, str]) -> tuple[Fold, ...]:
    """The folds of an IAM entity's policies, each ``(Terraform type, attribute naming the entity)``.

    An inline policy resource folds into ``inline_policies`` and
    ``inline_policy_names``; an attachment resource its ``policy_arn`` into
    ``attached_policy_arns``.
    """
    terraform_type, reference = inline
    folds = [
        Fold(
            terraform_type,
            "inline_policies",
            inline_policy,
            reference=reference,
            merge="append",
            covered=_has_name,
            without=_without_name,
            order=_name_of,
        ),
        Fold(
            terraform_type,
            "inline_policy_names",
            lambda v: v.get("name"),
            reference=reference,
            merge="append",
            order=str,
        ),
    ]
    for attachment, names_it in attachments:
        folds.append(
            Fold(
                attachment,
                "attached_policy_arns",
                lambda v: v.get("policy_arn"),
                reference=names_it,
                merge="append",
                order=str,
            )
        )
    return tuple(folds)


def attachment_count_folds(*entities: ResourceType) -> tuple[Fold, ...]:
    """Each attachment resource of these entities adds one to the ``attachment_count`` of the policy it attaches."""
    names = sorted({f.terraform_type for e in entities for f in e.folds if f.attribute == "attached_policy_arns"})
    return tuple(
        Fold(name, "attachment_count", lambda v: 1, reference="policy_arn", merge="count", match=("arn",))
        for name in names
    )


def role_policies(values: dict[str, Any]) -> None:
    """A role's own ``inline_policy`` blocks and ``managed_policy_arns`` in the collector's attributes."""
    inline = values.pop("inline_policy", None)
    if isinstance(inline, list):
        policies = sorted(
            (
                {"name": p.get("name"), "policy": policy_value(p.get("policy"))}
                for p in inline
                if isinstance(p, dict) and p.get("name")
            ),
            key=lambda p: str(p["name"]),
        )
        values["inline_policies"] = policies
        values["inline_policy_names"] = [p["name"] for p in policies]
    elif is_unknown(inline):
        values["inline_policies"] = values["inline_policy_names"] = inline
    managed = values.pop("managed_policy_arns", None)
    if isinstance(managed, list) and known(managed):
        values["attached_policy_arns"] = sorted(str(arn) for arn in managed)
    elif is_unknown(managed):
        values["attached_policy_arns"] = managed
