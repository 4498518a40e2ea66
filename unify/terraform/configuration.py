"""Terraform addresses and a plan's ``configuration`` section: provider regions and what a resource refers to.

A side resource such as ``aws_s3_bucket_versioning`` often names its bucket
only through an expression (``bucket = aws_s3_bucket.logs.id``, or a module
output) whose value is known after apply. The plan's ``configuration``
section keeps those references; :class:`Configuration` follows them through
module calls, their outputs and input variables, and ``count``/``for_each``
instances, to the address of the resource meant.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import Any, Final

from unify.terraform.shapes import region_like

__all__ = ["Configuration", "config_path", "index_text", "key_value", "resource_address"]

_KEY = r'\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]'
_MODULE_STEP: Final = re.compile(rf"module\.([A-Za-z0-9_-]+)({_KEY})?")
_RESOURCE_REF: Final = re.compile(rf"^(aws_[A-Za-z0-9_]+)\.([A-Za-z0-9_-]+)({_KEY})?(?:\.|$)")
_MODULE_REF: Final = re.compile(rf"^module\.([A-Za-z0-9_-]+)({_KEY})?\.([A-Za-z0-9_-]+)")
_VARIABLE_REF: Final = re.compile(r"^var\.([A-Za-z0-9_-]+)")


def index_text(index: Any) -> str:
    if index is None:
        return ""
    if isinstance(index, int) and not isinstance(index, bool):
        return f"[{index}]"
    return f"[{json.dumps(str(index), ensure_ascii=False)}]"


def key_value(text: str | None) -> Any:
    """``[0]`` -> 0, ``["a"]`` -> "a"."""
    if not text:
        return None
    return json.loads(text[1:-1])


def resource_address(module: str, type_: str, name: str, index: Any = None) -> str:
    """The address Terraform prints: ``module.net.aws_security_group.web[0]``, ``aws_s3_bucket.b["logs"]``."""
    return f"{module + '.' if module else ''}{type_}.{name}{index_text(index)}"


def config_path(module_instance: str) -> str:
    """``module.a[0].module.b["x"]`` -> ``module.a.module.b`` (the configuration has no instance keys)."""
    return ".".join(f"module.{name}" for name, _ in _MODULE_STEP.findall(module_instance))


# -- the configuration section ----------------------------------------------------------------


class Configuration:
    """The plan's ``configuration``: provider regions and the references a side resource makes."""

    def __init__(self, document: dict[str, Any]) -> None:
        section = document.get("configuration")
        self.present = isinstance(section, dict) and isinstance(section.get("root_module"), dict)
        section = section if isinstance(section, dict) else {}
        self.providers: dict[str, Any] = section.get("provider_config") or {}
        self.variables: dict[str, Any] = document.get("variables") or {}
        self.modules: dict[str, dict[str, Any]] = {}
        self.resources: dict[tuple[str, str], dict[str, Any]] = {}
        self._walk(section.get("root_module") or {}, "")

    def _walk(self, module: dict[str, Any], path: str) -> None:
        self.modules[path] = module
        for resource in module.get("resources") or []:
            if isinstance(resource, dict) and isinstance(resource.get("address"), str):
                self.resources[(path, resource["address"])] = resource
        for name, call in (module.get("module_calls") or {}).items():
            if isinstance(call, dict) and isinstance(call.get("module"), dict):
                self._walk(call["module"], f"{path}.module.{name}" if path else f"module.{name}")

    def resource(self, module_instance: str, type_: str, name: str) -> dict[str, Any]:
        return self.resources.get((config_path(module_instance), f"{type_}.{name}")) or {}

    def provider_key(self, module_instance: str, type_: str, name: str) -> str:
        key = self.resource(module_instance, type_, name).get("provider_config_key")
        if isinstance(key, str) and key:
            return key
        path = config_path(module_instance)
        return f"{path}:aws" if path else "aws"

    def region(self, key: str) -> str | None:
        """The ``region`` a provider configuration sets, walking up to the one a module inherits."""
        current: str | None = key
        while current is not None:
            config = self.providers.get(current)
            expression = ((config or {}).get("expressions") or {}).get("region")
            if isinstance(expression, dict):
                value = expression.get("constant_value")
                refs = expression.get("references") or []
                # region = var.region in the root module: the plan records the variable's value.
                variable = _VARIABLE_REF.match(str(refs[0])) if refs and ":" not in current else None
                if value is None and variable:
                    value = (self.variables.get(variable.group(1)) or {}).get("value")
                return value if region_like(value) else None
            current = _parent_provider(current)
        return None

    def references(self, module_instance: str, type_: str, name: str, attribute: str) -> list[str]:
        return _references((self.resource(module_instance, type_, name).get("expressions") or {}).get(attribute))

    def arguments(self, module_instance: str, type_: str, name: str) -> frozenset[str] | None:
        """The arguments the configuration sets on a resource; None when the plan has no configuration for it."""
        found = self.resource(module_instance, type_, name)
        if not found:
            return None
        return frozenset(str(key) for key in found.get("expressions") or {})

    @staticmethod
    def elsewhere(refs: list[str], want: Collection[str]) -> bool:
        """Whether ``refs`` name only other kinds of object (another type, a data source): nothing in ``want``."""
        if not refs:
            return False
        for ref in refs:
            match = _RESOURCE_REF.match(ref)
            if not (ref.startswith("data.") or (match and match.group(1) not in want)):
                return False
        return True

    def targets(
        self, module_instance: str, refs: list[str], index: Any, want: Collection[str], depth: int = 0
    ) -> list[str]:
        """The addresses ``refs`` may name for a resource of a type in ``want``, most specific first.

        ``aws_s3_bucket.logs.id`` inside ``module.a[0]`` names
        ``module.a[0].aws_s3_bucket.logs``; without a literal key, an instance
        of a counted resource names the instance with its own key. Module
        outputs and input variables are followed through the configuration.
        """
        found: list[str] = []
        if depth > 8:
            return found
        prefix = f"{module_instance}." if module_instance else ""
        for ref in refs:
            match = _RESOURCE_REF.match(ref)
            if match and match.group(1) in want:
                base = f"{prefix}{match.group(1)}.{match.group(2)}"
                if match.group(3):
                    found.append(base + index_text(key_value(match.group(3))))
                else:
                    found += [base + index_text(index)] if index is not None else []
                    found.append(base)
                continue
            match = _MODULE_REF.match(ref)
            if match:
                path = config_path(module_instance)
                child = f"{path}.module.{match.group(1)}" if path else f"module.{match.group(1)}"
                output = ((self.modules.get(child) or {}).get("outputs") or {}).get(match.group(3)) or {}
                inner = _references(output.get("expression"))
                found += self.targets(
                    f"{prefix}module.{match.group(1)}{match.group(2) or ''}", inner, None, want, depth + 1
                )
                continue
            match = _VARIABLE_REF.match(ref)
            steps = _MODULE_STEP.findall(module_instance)
            if match and steps:
                call_name, call_key = steps[-1]
                parent = ".".join(f"module.{n}{k}" for n, k in steps[:-1])
                call = ((self.modules.get(config_path(parent)) or {}).get("module_calls") or {}).get(call_name) or {}
                inner = _references((call.get("expressions") or {}).get(match.group(1)))
                found += self.targets(parent, inner, key_value(call_key), want, depth + 1)
        return list(dict.fromkeys(found))

    def reachable(self, module_instance: str, want: Collection[str]) -> list[str]:
        """Addresses of a ``want`` resource a value inside a module instance can come from, other than its own.

        Terraform's JSON has no ``locals``: a side resource whose target is a
        local can only mean a resource that reaches the module through its
        input variables or its child modules' outputs (or one of its own).
        """
        found: list[str] = []
        steps = _MODULE_STEP.findall(module_instance)
        if steps:
            call_name, call_key = steps[-1]
            parent = ".".join(f"module.{n}{k}" for n, k in steps[:-1])
            call = ((self.modules.get(config_path(parent)) or {}).get("module_calls") or {}).get(call_name) or {}
            for expression in (call.get("expressions") or {}).values():
                found += self.targets(parent, _references(expression), key_value(call_key), want, 1)
        prefix = f"{module_instance}." if module_instance else ""
        for name, call in ((self.modules.get(config_path(module_instance)) or {}).get("module_calls") or {}).items():
            outputs = ((call.get("module") or {}).get("outputs") or {}) if isinstance(call, dict) else {}
            for output in outputs.values():
                refs = _references(output.get("expression")) if isinstance(output, dict) else []
                found += self.targets(f"{prefix}module.{name}", refs, None, want, 1)
        return list(dict.fromkeys(found))


def _references(expression: Any) -> list[str]:
    """The references of one expression; none for a nested block's list of expressions."""
    refs = expression.get("references") if isinstance(expression, dict) else None
    return [str(r) for r in refs] if isinstance(refs, list) else []


def _parent_provider(key: str) -> str | None:
    """``module.a.module.b:aws`` -> ``module.a:aws`` -> ``aws`` -> None (implicit provider inheritance)."""
    if ":" not in key:
        return None
    module, provider = key.rsplit(":", 1)
    parent = module.rsplit(".module.", 1)[0] if ".module." in module else ""
    return f"{parent}:{provider}" if parent else provider
