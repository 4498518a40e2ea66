"""How Terraform's values become the shapes the live collectors emit, so one check reads both.

Terraform keeps a nested block as a list (``metadata_options = [{...}]``)
where the collectors, following AWS, emit one mapping; it keeps policies as
JSON strings where the collectors keep parsed documents; and it splits S3
bucket settings into side resources that the collectors fold into the
bucket. The tables here say, per type, which of those conversions apply; the
functions never lose a ``$unknown`` marker: an unknown block stays unknown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from unify.collectors import parse_policy
from unify.snapshot import is_unknown, unknown

AFTER_APPLY: Final = "known after apply"
SENSITIVE: Final = "sensitive in Terraform: value not kept"

#: Nested blocks Terraform keeps as single-element lists that the live collectors emit as one mapping.
#: A dotted path goes inside a block (through every item of a list that is not itself in the table).
#: An empty list becomes absent, as the collectors leave out a block that is not configured.
SINGLE_BLOCKS: Final[Mapping[str, tuple[str, ...]]] = {
    "aws_instance": ("metadata_options",),
    "aws_lambda_function": ("vpc_config", "tracing_config"),
    "aws_ecr_repository": ("image_scanning_configuration", "encryption_configuration"),
    "aws_config_configuration_recorder": ("recording_group", "recording_mode"),
    "aws_sfn_state_machine": ("logging_configuration", "tracing_configuration", "encryption_configuration"),
    "aws_codebuild_project": ("environment", "logs_config", "logs_config.cloudwatch_logs", "logs_config.s3_logs",
                              "source", "vpc_config"),
    "aws_ecs_service": ("network_configuration",),
    "aws_batch_compute_environment": ("compute_resources", "compute_resources.launch_template"),
    "aws_s3_bucket": ("logging",),
}

#: Where the resource's own AWS name is, per type (dotted path into the values); ``name`` otherwise.
NAME_PATHS: Final[Mapping[str, str]] = {
    "aws_s3_bucket": "bucket",
    "aws_db_instance": "identifier",
    "aws_lambda_function": "function_name",
    "aws_kms_key": "key_id",
    "aws_cloudtrail": "name",
    "aws_ecr_repository": "name",
    "aws_ecs_task_definition": "family",
    "aws_batch_compute_environment": "compute_environment_name",
    "aws_efs_file_system": "tags.Name",
    "aws_vpc": "tags.Name",
    "aws_ebs_volume": "tags.Name",
    "aws_instance": "tags.Name",
    "aws_network_acl": "tags.Name",
    "aws_flow_log": "tags.Name",
}

#: Account-wide settings: singletons whose live form says ``configured: true`` once set.
SINGLETONS: Final = frozenset({
    "aws_iam_account_password_policy", "aws_ebs_encryption_by_default", "aws_s3_account_public_access_block",
    "aws_config_configuration_recorder",
})

#: Types in no region: the live collectors report them with region ``global``.
GLOBAL_PREFIXES: Final = ("aws_iam_",)
GLOBAL_TYPES: Final = frozenset({"aws_s3_account_public_access_block"})

#: Attributes that hold a policy document as a JSON string.
POLICY_ATTRIBUTES: Final = ("policy", "assume_role_policy")

#: Sets of rule blocks Terraform orders by hash: sorted as the live collectors sort them.
SORTED_BLOCKS: Final[Mapping[str, tuple[str, ...]]] = {
    "aws_security_group": ("ingress", "egress"),
    "aws_network_acl": ("ingress", "egress"),
}

#: Attributes only an observation reads (AWS facts, or settings Terraform keeps in other resources that
#: are not folded here): a plan or state snapshot marks them unknown, so a check on them is never a
#: vacuous pass or a false failure ("no flow logs" on a VPC whose aws_flow_log is a separate resource).
OBSERVED_ONLY: Final[Mapping[str, tuple[str, ...]]] = {
    "aws_iam_user": ("password_enabled", "password_last_used", "mfa_devices", "access_keys", "groups",
                     "attached_policy_arns", "inline_policy_names", "inline_policies"),
    "aws_iam_group": ("users", "attached_policy_arns", "inline_policy_names", "inline_policies"),
    "aws_iam_role": ("attached_policy_arns", "inline_policy_names", "inline_policies", "role_last_used",
                     "instance_profile_arns"),
    "aws_iam_policy": ("attachment_count",),
    "aws_vpc": ("flow_logs",),
    "aws_cloudtrail": ("latest_delivery_time",),
    "aws_s3_bucket": ("policy_is_public",),
    "aws_kms_key": ("aliases",),
    "aws_config_configuration_recorder": ("is_enabled", "last_status", "last_status_change_time"),
    "aws_ebs_volume": ("attachments",),
    "aws_lambda_function": ("policy",),
    "aws_ecr_repository": ("policy",),
}
OBSERVED_ONLY_REASON: Final = "not in a Terraform plan or state: only an observation reads it"

_REGION: Final = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


def is_global(type_: str) -> bool:
    return type_ in GLOBAL_TYPES or type_.startswith(GLOBAL_PREFIXES)


def known(value: Any) -> bool:
    """Not a marker and holding no marker anywhere inside."""
    if is_unknown(value):
        return False
    if isinstance(value, dict):
        return all(known(v) for v in value.values())
    if isinstance(value, list):
        return all(known(v) for v in value)
    return True


def region_like(value: Any) -> bool:
    return isinstance(value, str) and bool(_REGION.match(value))


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


# -- shapes ---------------------------------------------------------------------------------


def _single(value: Any) -> Any:
    """``[{...}]`` as ``{...}``; ``[]`` (or null) as None, meaning absent; a marker stays."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _unwrap(container: dict[str, Any], segments: list[str], tables: frozenset[str], at: str = "") -> None:
    key = segments[0]
    if key not in container:
        return
    here = f"{at}.{key}" if at else key
    if len(segments) == 1:
        value = _single(container[key]) if here in tables else container[key]
        if isinstance(value, dict) and not is_unknown(value):
            value = {k: v for k, v in value.items() if v is not None and v != ""}
        if value is None:
            del container[key]
        else:
            container[key] = value
        return
    inner = container[key]
    for item in inner if isinstance(inner, list) else [inner]:
        if isinstance(item, dict) and not is_unknown(item):
            _unwrap(item, segments[1:], tables, here)


def _policy(value: Any) -> Any:
    if isinstance(value, str):
        return parse_policy(value) if value.strip() else None
    return value


def _names(mapping: Any) -> Any:
    return sorted(str(k) for k in mapping) if isinstance(mapping, dict) and not is_unknown(mapping) else mapping


def _lambda_environment(values: dict[str, Any]) -> None:
    """``environment [{variables}]`` -> ``environment_variable_names``: the values are never kept."""
    environment = values.pop("environment", None)
    block = _single(environment)
    if block is None:
        values["environment_variable_names"] = []
    elif is_unknown(block):
        values["environment_variable_names"] = block
    else:
        variables = block.get("variables") if isinstance(block, dict) else None
        values["environment_variable_names"] = [] if variables is None else _names(variables)


def _container_definitions(values: dict[str, Any]) -> None:
    from unify.default_collectors.ecs import _container  # noqa: PLC0415 - the live collector's own reduction

    text = values.get("container_definitions")
    if not isinstance(text, str):
        return
    try:
        definitions = json.loads(text)
    except ValueError:
        values["container_definitions"] = unknown("container_definitions is not valid JSON")
        return
    values["container_definitions"] = [_container(d) for d in definitions if isinstance(d, dict)] \
        if isinstance(definitions, list) else unknown("container_definitions is not a JSON list")


def _codebuild(values: dict[str, Any]) -> None:
    environment = values.get("environment")
    if isinstance(environment, dict):
        environment.pop("environment_variable", None)  # values may be secrets; the collector reads none


def _iam_role(values: dict[str, Any]) -> None:
    inline = values.pop("inline_policy", None)
    if isinstance(inline, list):
        policies = sorted(
            ({"name": p.get("name"), "policy": _policy(p.get("policy"))} for p in inline
             if isinstance(p, dict) and p.get("name")),
            key=lambda p: str(p["name"]),
        )
        values["inline_policies"] = policies
        values["inline_policy_names"] = [p["name"] for p in policies]
    elif is_unknown(inline):
        values["inline_policies"] = values["inline_policy_names"] = inline
    managed = values.pop("managed_policy_arns", None)
    if isinstance(managed, list) and known(managed):
        values["attached_policy_arns"] = sorted(managed)
    elif is_unknown(managed):
        values["attached_policy_arns"] = managed


def _kms_key(values: dict[str, Any]) -> None:
    # Terraform manages customer keys only; key_state follows is_enabled (a key pending deletion leaves the state).
    values.setdefault("key_manager", "CUSTOMER")
    enabled = values.get("is_enabled")
    if isinstance(enabled, bool):
        values.setdefault("key_state", "Enabled" if enabled else "Disabled")
    elif is_unknown(enabled):
        values.setdefault("key_state", enabled)


def _efs(values: dict[str, Any]) -> None:
    size = _single(values.get("size_in_bytes"))
    if isinstance(size, dict) and not is_unknown(size):
        values["size_in_bytes"] = size.get("value")


def _batch(values: dict[str, Any]) -> None:
    # Provider v5 calls it compute_environment_name, v6 name; the collector reports both.
    for one, other in (("name", "compute_environment_name"), ("compute_environment_name", "name")):
        if one not in values and other in values:
            values[one] = values[other]


def _cloudtrail(values: dict[str, Any]) -> None:
    if "event_selector" in values:
        values["event_selectors"] = values["event_selector"]


def _s3_bucket(values: dict[str, Any]) -> None:
    """Legacy inline blocks (provider v3, computed since v4) in the bucket shapes of DESIGN.md."""
    if "versioning" in values:
        block = _single(values["versioning"])
        if block is None:
            del values["versioning"]
        elif isinstance(block, dict) and not is_unknown(block):
            values["versioning"] = {
                "status": _flag(block.get("enabled"), "Enabled", "Suspended"),
                "mfa_delete": _flag(block.get("mfa_delete"), "Enabled", "Disabled"),
            }
    if "server_side_encryption_configuration" in values:
        block = _single(values["server_side_encryption_configuration"])
        if block is None:
            del values["server_side_encryption_configuration"]
        elif isinstance(block, dict) and not is_unknown(block):
            values["server_side_encryption_configuration"] = encryption(block)
    if isinstance(values.get("logging"), dict) and not is_unknown(values["logging"]):
        values["logging"] = logging(values["logging"])


def _flag(value: Any, yes: str, no: str) -> Any:
    return value if is_unknown(value) else (yes if value else no)


def encryption(block: dict[str, Any]) -> Any:
    """``{rule: [{apply_server_side_encryption_by_default: [{...}], bucket_key_enabled}]}`` with mappings."""
    rules = block.get("rule")
    if not isinstance(rules, list):
        return {"rule": rules} if is_unknown(rules) else None
    out = []
    for rule in rules:
        if not isinstance(rule, dict) or is_unknown(rule):
            out.append(rule)
            continue
        shaped: dict[str, Any] = {"bucket_key_enabled": rule.get("bucket_key_enabled") or False}
        default = _single(rule.get("apply_server_side_encryption_by_default"))
        if isinstance(default, dict) and not is_unknown(default):
            default = {k: v for k, v in default.items() if v not in (None, "")}
        if default is not None:
            shaped["apply_server_side_encryption_by_default"] = default
        out.append(shaped)
    return {"rule": out}


def logging(block: dict[str, Any]) -> dict[str, Any]:
    return {"target_bucket": block.get("target_bucket"), "target_prefix": block.get("target_prefix") or ""}


_SPECIAL: Final[Mapping[str, Callable[[dict[str, Any]], None]]] = {
    "aws_lambda_function": _lambda_environment,
    "aws_ecs_task_definition": _container_definitions,
    "aws_codebuild_project": _codebuild,
    "aws_iam_role": _iam_role,
    "aws_kms_key": _kms_key,
    "aws_efs_file_system": _efs,
    "aws_cloudtrail": _cloudtrail,
    "aws_batch_compute_environment": _batch,
    "aws_s3_bucket": _s3_bucket,
}


def _block_key(block: Any) -> tuple[str, ...]:
    if not isinstance(block, dict):
        return ("", json.dumps(block, sort_keys=True, default=str))
    if "rule_no" in block:
        return (f"{block.get('rule_no'):>10}", json.dumps(block, sort_keys=True, default=str))
    return (str(block.get("protocol")), f"{block.get('from_port'):>10}", f"{block.get('to_port'):>10}",
            str(block.get("description")), json.dumps(block, sort_keys=True, default=str))


def shape(type_: str, values: dict[str, Any]) -> dict[str, Any]:
    """A resource's Terraform values as its unify attributes (a new mapping; tags leave for the resource)."""
    # Terraform writes null, and "" for an unset string (SDKv2 cannot tell them apart): the collectors leave
    # such settings out, and `exists` must not see a trail's `kms_key_id: ""` as a key.
    out = {k: v for k, v in values.items() if v is not None and v != "" and k not in ("tags", "tags_all")}
    for path in SINGLE_BLOCKS.get(type_, ()):
        _unwrap(out, path.split("."), frozenset(SINGLE_BLOCKS[type_]))
    for key in POLICY_ATTRIBUTES:
        if key in out:
            parsed = _policy(out[key])
            if parsed is None:
                del out[key]
            else:
                out[key] = parsed
    special = _SPECIAL.get(type_)
    if special is not None:
        special(out)
    for key in SORTED_BLOCKS.get(type_, ()):
        blocks = out.get(key)
        if isinstance(blocks, list) and known(blocks):
            out[key] = sorted(blocks, key=_block_key)
    if type_ in SINGLETONS:
        out["configured"] = True
    return out


def mark_observed_only(type_: str, attributes: dict[str, Any]) -> None:
    """The marker for each attribute of :data:`OBSERVED_ONLY` the resource does not already have."""
    for key in OBSERVED_ONLY.get(type_, ()):
        attributes.setdefault(key, unknown(OBSERVED_ONLY_REASON))


def tags_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """The ``tags`` attribute (not ``tags_all``) as the resource's tags; a marker when unknown."""
    tags = values.get("tags")
    if not isinstance(tags, dict):
        return {}
    if is_unknown(tags):
        return dict(tags)
    return {str(k): v if v is None or is_unknown(v) else str(v) for k, v in tags.items()}


def name_of(type_: str, values: Mapping[str, Any]) -> str | None:
    """The resource's own AWS name; None when the plan knows it only after apply, or it has none."""
    path = NAME_PATHS.get(type_, "name")
    node: Any = values
    for segment in path.split("."):
        node = node.get(segment) if isinstance(node, dict) and not is_unknown(node) else None
    if isinstance(node, str) and node:
        return node
    fallback = "id" if path == "tags.Name" else "name"  # the collectors name untagged EC2 resources by their id
    if path != fallback and isinstance(values.get(fallback), str) and values[fallback]:
        return str(values[fallback])
    return None


# -- S3 side resources ------------------------------------------------------------------------

#: The value standing for "this side resource removes the block" (versioning never enabled).
ABSENT_BLOCK: Final = object()


def _side_versioning(values: Mapping[str, Any]) -> Any:
    config = _single(values.get("versioning_configuration"))
    if config is None or is_unknown(config):
        return config if config is not None else ABSENT_BLOCK
    status = config.get("status")
    if status == "Disabled":
        return ABSENT_BLOCK  # Terraform's "never enabled": the collector leaves versioning out
    block = {"status": status}
    if config.get("mfa_delete") not in (None, ""):
        block["mfa_delete"] = config["mfa_delete"]
    return block


def _side_encryption(values: Mapping[str, Any]) -> Any:
    rules = values.get("rule")
    return encryption({"rule": rules}) if rules is not None else ABSENT_BLOCK


def _side_public_access_block(values: Mapping[str, Any]) -> Any:
    keys = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    return {k: values.get(k) if is_unknown(values.get(k)) else bool(values.get(k)) for k in keys}


def _side_policy(values: Mapping[str, Any]) -> Any:
    parsed = _policy(values.get("policy"))
    return ABSENT_BLOCK if parsed is None else parsed


def _side_logging(values: Mapping[str, Any]) -> Any:
    return logging(dict(values))


def _side_ownership(values: Mapping[str, Any]) -> Any:
    rule = _single(values.get("rule"))
    if rule is None:
        return ABSENT_BLOCK
    return {"rule": rule if is_unknown(rule) else {"object_ownership": rule.get("object_ownership")}}


#: S3 side resource type -> (the bucket attribute it becomes, how).
S3_SIDE_RESOURCES: Final[Mapping[str, tuple[str, Callable[[Mapping[str, Any]], Any]]]] = {
    "aws_s3_bucket_versioning": ("versioning", _side_versioning),
    "aws_s3_bucket_server_side_encryption_configuration": ("server_side_encryption_configuration", _side_encryption),
    "aws_s3_bucket_public_access_block": ("public_access_block", _side_public_access_block),
    "aws_s3_bucket_policy": ("policy", _side_policy),
    "aws_s3_bucket_logging": ("logging", _side_logging),
    "aws_s3_bucket_ownership_controls": ("ownership_controls", _side_ownership),
}
