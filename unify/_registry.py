"""A registry of named plugin contributions, shared by every registration hook.

Each item is recorded with the plugin that added it, so a clash or a broken
contribution is reported with the plugin's name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from unify.errors import PluginError

__all__ = ["Registry", "call_each"]

T = TypeVar("T")


class Registry(Generic[T]):
    """Items by name, each attributed to the plugin that added it."""

    kind = "item"

    def __init__(self) -> None:
        self._items: dict[str, T] = {}
        self._owners: dict[str, str] = {}
        #: The plugin whose hook is running; set by :func:`call_each`.
        self.plugin = "unify"

    def _name_of(self, item: T) -> str:
        return str(getattr(item, "name"))  # noqa: B009 - every registered item has a name; T says nothing of it

    def _check(self, item: T) -> None:
        """Refuse an item that breaks the registry's rules (override)."""

    def add(self, item: T) -> None:
        name = self._name_of(item)
        self._check(item)
        if name in self._items:
            raise PluginError(
                self.plugin, f"{self.kind} {name!r} is already registered by plugin {self._owners[name]!r}"
            )
        if dataclasses.is_dataclass(item) and hasattr(item, "plugin"):
            item = dataclasses.replace(item, plugin=self.plugin)  # type: ignore[type-var]
        self._items[name] = item
        self._owners[name] = self.plugin

    def owner(self, name: str) -> str:
        return self._owners[name]

    def get(self, name: str) -> T | None:
        return self._items.get(name)

    def __getitem__(self, name: str) -> T:
        return self._items[name]

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(self._items[name] for name in sorted(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def names(self) -> list[str]:
        return sorted(self._items)


def call_each(hook: Any, registry: Registry[Any], plugin_name: Callable[[Any], str]) -> None:
    """Call every implementation of a registration hook, one plugin at a time.

    Calling them one by one (instead of through pluggy's fan-out) is what
    lets an error name the plugin that caused it.
    """
    # Registration order: built-ins first, so a clash names the plugin that came later.
    for impl in hook.get_hookimpls():
        name = plugin_name(impl.plugin)
        registry.plugin = name
        try:
            impl.function(registry=registry)
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(name, f"{hook.name} failed: {type(exc).__name__}: {exc}") from exc
        finally:
            registry.plugin = "unify"
