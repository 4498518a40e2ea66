"""The built-in AWS services, one module per service, registered through ``unify_register_collectors``.

Each module declares its resource types once (``ResourceType``: scope, names,
observed-only attributes, Terraform shapes and side resources, provider
defaults, drift ignores) next to the collectors that observe them, and
exports the collectors as ``COLLECTORS``. Modules are found in sorted order,
so registration is the same on every run.
"""

from __future__ import annotations

import importlib
import pkgutil

from unify.hookspecs import hookimpl
from unify.observe.collector import Collector, CollectorRegistry

__all__ = ["builtin_collectors"]


def builtin_collectors() -> list[Collector]:
    """Every collector of the service modules in this package, in module order."""
    found: list[Collector] = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        found.extend(getattr(loaded, "COLLECTORS", ()))
    return found


@hookimpl
def unify_register_collectors(registry: CollectorRegistry) -> None:
    for collector in builtin_collectors():
        registry.add(collector)
