"""The plugin manager: built-ins first, then plugins from the ``unify`` entry-point group.

Only the front doors (``unify.cli``, ``unify.run``, ``pytest_unify``) build or
fetch the plugin set; library functions are handed the registries they need.
Built-in features are plugins too (the ``DEFAULT_PLUGINS`` below), registered
through the same hooks a third-party plugin implements. Set
``UNIFY_DISABLE_PLUGIN_AUTOLOAD=1`` to load only the built-ins, as pytest
does with its own variable.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import entry_points
from typing import Any

import pluggy

from unify import hookspecs
from unify._registry import call_each
from unify.checks.frameworks import FrameworkRegistry
from unify.checks.operators import OperatorRegistry
from unify.errors import PluginError
from unify.observe.collector import CollectorRegistry
from unify.render.renderer import RendererRegistry
from unify.terraform.importer import PlanImporterRegistry

__all__ = ["DEFAULT_PLUGINS", "Plugins", "build_plugins", "get_plugins", "reset_plugins"]

#: unify's own features, registered exactly like third-party plugins.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "unify.checks.default_operators",
    "unify.render.default_renderers",
    "unify.aws",
    "unify.terraform.plan",
)

ENTRY_POINT_GROUP = "unify"


@dataclass
class Plugins:
    """A plugin manager and the registries its hooks filled, built once per process."""

    manager: pluggy.PluginManager

    def name_of(self, plugin: Any) -> str:
        return str(self.manager.get_name(plugin) or getattr(plugin, "__name__", repr(plugin)))

    @cached_property
    def operators(self) -> OperatorRegistry:
        registry = OperatorRegistry()
        call_each(self.manager.hook.unify_register_operators, registry, self.name_of)
        return registry

    @cached_property
    def renderers(self) -> RendererRegistry:
        registry = RendererRegistry()
        call_each(self.manager.hook.unify_register_renderers, registry, self.name_of)
        return registry

    @cached_property
    def collectors(self) -> CollectorRegistry:
        registry = CollectorRegistry()
        call_each(self.manager.hook.unify_register_collectors, registry, self.name_of)
        return registry

    @cached_property
    def plan_importers(self) -> PlanImporterRegistry:
        registry = PlanImporterRegistry()
        call_each(self.manager.hook.unify_register_plan_importers, registry, self.name_of)
        return registry

    @cached_property
    def frameworks(self) -> FrameworkRegistry:
        registry = FrameworkRegistry()
        call_each(self.manager.hook.unify_register_frameworks, registry, self.name_of)
        return registry

    def names(self) -> list[str]:
        return sorted(name for name, _ in self.manager.list_name_plugin())


def build_plugins(extra: list[Any] | None = None, *, autoload: bool | None = None) -> Plugins:
    """A fresh plugin set: the built-ins, entry-point plugins, then ``extra`` objects."""
    manager = pluggy.PluginManager("unify")
    manager.add_hookspecs(hookspecs)
    for module_name in DEFAULT_PLUGINS:
        manager.register(importlib.import_module(module_name), name=module_name)
    if autoload is None:
        autoload = not os.environ.get("UNIFY_DISABLE_PLUGIN_AUTOLOAD")
    if autoload:
        for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if manager.get_plugin(entry.name) is not None or manager.is_blocked(entry.name):
                continue
            try:
                plugin = entry.load()
            except Exception as exc:  # noqa: BLE001 - reported with the plugin's name
                raise PluginError(entry.name, f"cannot load {entry.value}: {type(exc).__name__}: {exc}") from None
            try:
                manager.register(plugin, name=entry.name)
            except pluggy.PluginValidationError as exc:
                raise PluginError(entry.name, _one_line(exc)) from None
    for index, plugin in enumerate(extra or []):
        name = getattr(plugin, "__name__", None) or f"plugin-{index}"
        try:
            manager.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(name, _one_line(exc)) from None
    return Plugins(manager)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


_plugins: Plugins | None = None


def get_plugins() -> Plugins:
    """The process-wide plugin set, loaded on first use."""
    global _plugins  # noqa: PLW0603 - the process's one plugin set, for the front doors
    if _plugins is None:
        _plugins = build_plugins()
    return _plugins


def reset_plugins(plugins: Plugins | None = None) -> None:
    """Replace (or forget) the process-wide plugin set; for tests and embedders."""
    global _plugins  # noqa: PLW0603 - see get_plugins
    _plugins = plugins
