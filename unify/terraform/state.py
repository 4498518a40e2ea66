"""A Terraform state: what Terraform last applied, in the collectors' shapes, for drift and evaluation.

Reads the JSON of ``terraform show -json`` (no plan file) and raw
``terraform.tfstate`` files of version 4, from a path or from a remote
backend's S3 object. Sensitive values are never kept: they become the
``$unknown`` marker at their path.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any, Final

from unify._files import inflate, input_limit, json_line, parse_json, read_json
from unify.errors import Problem, SnapshotError, StateError, one_line
from unify.model.resource import Resource
from unify.model.resource_type import ResourceTypes
from unify.model.snapshot import Snapshot
from unify.terraform.configuration import resource_address
from unify.terraform.document import check_state_skeleton, duplicate_address
from unify.terraform.folding import build
from unify.terraform.resources import (
    Entry,
    Locator,
    caller_accounts,
    check_format,
    is_aws,
    is_plan_document,
    looks_like,
    module_resource_paths,
)
from unify.terraform.values import SENSITIVE, redact_path, with_markers

__all__ = ["STATE_VERSIONS", "read_state", "state_resources", "state_snapshot"]

#: Raw ``terraform.tfstate`` versions unify reads (Terraform 0.12 and later write version 4).
STATE_VERSIONS: Final = (4,)


def _state_entries(document: Any, file: str) -> list[Entry]:
    if (
        not isinstance(document, dict)
        or is_plan_document(document)
        or (isinstance(document.get("format"), str) and document["format"].startswith("unify."))
    ):
        raise StateError(
            Problem(
                file,
                json_line(file, []),
                None,
                f"not a Terraform state: this looks like {looks_like(document)}; "
                "give `terraform show -json` (no plan file) or a terraform.tfstate",
            )
        )
    if "version" in document and "format_version" not in document:
        _raw_version(document, file)
        check_state_skeleton(document, file, StateError)
        raw = list(_raw_entries(document))
        duplicate_address([(e.address, e.source) for e in raw], file, StateError)
        return raw
    if "format_version" in document:
        check_format(document, file, StateError)
        check_state_skeleton(document, file, StateError)
        entries = []
        root = (document.get("values") or {}).get("root_module")
        for module, resource, path in module_resource_paths(root, "", ["values", "root_module"]):
            type_ = str(resource.get("type"))
            if resource.get("mode", "managed") != "managed" or not is_aws(type_, resource.get("provider_name")):
                continue
            values = with_markers(
                copy.deepcopy(resource.get("values") or {}), resource.get("sensitive_values"), SENSITIVE
            )
            entries.append(
                Entry(
                    str(resource.get("address")),
                    module,
                    type_,
                    str(resource.get("name")),
                    resource.get("index"),
                    values,
                    str(resource.get("provider_name") or "aws"),
                    source=path,
                )
            )
        duplicate_address([(e.address, e.source) for e in entries], file, StateError)
        return entries
    raise StateError(
        Problem(file, json_line(file, []), None, f"not a Terraform state: this looks like {looks_like(document)}")
    )


def _raw_version(document: dict[str, Any], file: str) -> None:
    version = document.get("version")
    if type(version) is not int or version not in STATE_VERSIONS:
        shown = one_line(repr(version), 40)
        raise StateError(
            Problem(
                file,
                json_line(file, ["version"]),
                "version",
                f"terraform.tfstate version {shown} is not one unify "
                "reads (it reads version 4, written by Terraform 0.12 and later)",
            )
        )


def _raw_entries(document: dict[str, Any]) -> Iterator[Entry]:
    for number, resource in enumerate(document.get("resources") or []):
        if not isinstance(resource, dict) or resource.get("mode", "managed") != "managed":
            continue
        module, type_, name = str(resource.get("module") or ""), str(resource.get("type")), str(resource.get("name"))
        if not is_aws(type_, resource.get("provider")):
            continue
        for position, instance in enumerate(resource.get("instances") or []):
            if not isinstance(instance, dict) or instance.get("deposed"):
                continue
            values = copy.deepcopy(instance.get("attributes") or {})
            for path in instance.get("sensitive_attributes") or []:
                if isinstance(path, list):
                    redact_path(values, path)
            index = instance.get("index_key")
            yield Entry(
                resource_address(module, type_, name, index),
                module,
                type_,
                name,
                index,
                values,
                str(resource.get("provider") or "aws"),
                source=["resources", number, "instances", position],
            )


def _state_accounts(document: dict[str, Any]) -> Iterator[str]:
    """Accounts a state names outside resource ARNs (``data.aws_caller_identity``), either form."""
    if "values" in document:
        yield from caller_accounts(
            document["values"].get("root_module") if isinstance(document["values"], dict) else None
        )
    for resource in document.get("resources") or []:
        if isinstance(resource, dict) and resource.get("type") == "aws_caller_identity":
            instances = [
                {"type": "aws_caller_identity", "values": i.get("attributes")}
                for i in resource.get("instances") or []
                if isinstance(i, dict)
            ]
            yield from caller_accounts({"resources": instances})


def state_resources(
    document: Any, file: str, types: ResourceTypes, *, unresolved: list[str] | None = None
) -> list[Resource]:
    """The managed resources of a state, either form, in the collectors' shapes; ids are ARNs where known.

    S3 side resources are folded into their buckets (by bucket name); those
    whose bucket is not in the state are left out and, when ``unresolved``
    is given, reported there.
    """
    resources, warnings = _state(document, file, types, snapshot=False)
    if unresolved is not None:
        unresolved.extend(warnings)
    return resources


def _state(document: Any, file: str, types: ResourceTypes, *, snapshot: bool) -> tuple[list[Resource], list[str]]:
    entries = _state_entries(document, file)
    locator = Locator(entries, set(_state_accounts(document)), types)
    built = build(entries, locator, types, None, plan=False, snapshot=snapshot, file=file, error=StateError)
    return built.resources, built.unresolved


def state_snapshot(document: Any, file: str, types: ResourceTypes) -> Snapshot:
    """A state as a snapshot (``source: terraform-state``) to evaluate checks on: no coverage, like a plan,
    and attributes only an observation reads are unknown."""
    resources, unresolved = _state(document, file, types, snapshot=True)
    stats = {"file": file, "terraform_version": document.get("terraform_version"), "unresolved": unresolved}
    try:
        return Snapshot.build(resources=resources, coverage=[], source="terraform-state", stats=stats)
    except SnapshotError as exc:
        problem = exc.problems[0]
        raise StateError(Problem(file, None, problem.key, f"cannot be a snapshot: {problem.message}")) from None


def read_state(location: str) -> tuple[Any, str]:
    """A state document from a path or an ``s3://bucket/key`` object (a remote backend's file)."""
    if not location.startswith("s3://"):
        return read_json(location, StateError), location
    bucket, _, key = location[len("s3://") :].partition("/")
    if not bucket or not key:
        raise StateError(Problem(location, None, None, "an S3 state location is s3://bucket/key"))
    import boto3  # here, not with the module: a state file on disk never loads boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        raw = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read(input_limit() + 1)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise StateError(
            Problem(location, None, None, f"cannot read state: {error.get('Code')}: {error.get('Message') or exc}")
        ) from None
    except BotoCoreError as exc:
        raise StateError(Problem(location, None, None, f"cannot read state: {exc}")) from None
    if len(raw) > input_limit():
        raise StateError(
            Problem(
                location,
                None,
                None,
                f"the state is more than {input_limit():,} bytes (set UNIFY_MAX_INPUT_BYTES to raise the limit)",
            )
        )
    return parse_json(inflate(raw, location, StateError), location, StateError), location
