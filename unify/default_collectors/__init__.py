"""The built-in collectors, one module per AWS service, registered through ``unify_register_collectors``.

Each module defines ``COLLECTORS``, a tuple of :class:`unify.collectors.Collector`.
Modules are found in sorted order, so registration is the same on every run.
"""

from __future__ import annotations

import importlib
import pkgutil

from unify.collectors import Collector, CollectorRegistry
from unify.hookspecs import hookimpl

__all__ = ["builtin_collectors"]


def builtin_collectors() -> list[Collector]:
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
