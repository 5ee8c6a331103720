"""Finds plugins through the ``iochub.plugins`` entry points and calls their hooks.

The core never imports a plugin and never calls ``pm.hook`` itself: it asks :class:`Plugins`,
a typed facade that also says which plugin contributed what. A plugin that fails to load, or
whose hook raises, is recorded in :attr:`Plugins.failures` and the others go on.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pluggy

from hub.plugins import builtin, hookspecs
from hub.plugins.definitions import (
    AlertRule,
    EventKindDefinition,
    IndicatorDefinition,
    MetricDefinition,
)
from hub.plugins.kinds import ConnectorKind

ENTRY_POINT_GROUP = "iochub.plugins"
CORE = "core"


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that could not load, or one of whose hooks failed."""

    name: str
    reason: str


@dataclass
class PluginInfo:
    """A loaded plugin: its name, version and the module that implements its hooks."""

    name: str
    version: str | None
    module: str


@dataclass
class Plugins:
    """The loaded plugins, with a typed method for each hook."""

    pm: pluggy.PluginManager
    info: dict[str, PluginInfo] = field(default_factory=dict)
    failures: list[PluginFailure] = field(default_factory=list)

    @classmethod
    def load(
        cls,
        entry_points: bool = True,
        extra: Iterable[tuple[str, Any]] = (),
    ) -> Plugins:
        """Load the core's own plugin, every entry point, and the ``extra`` (name, object) pairs."""
        pm = pluggy.PluginManager("iochub")
        pm.add_hookspecs(hookspecs)
        plugins = cls(pm)
        plugins._register(CORE, builtin, version=None)
        if entry_points:
            for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
                plugins._load_entry_point(ep)
        for name, obj in extra:
            plugins._register(name, obj, version=None)
        return plugins

    def _load_entry_point(self, ep: importlib.metadata.EntryPoint) -> None:
        version = ep.dist.version if ep.dist else None
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plugin must not take the hub down
            self.failures.append(PluginFailure(ep.name, f"cannot import {ep.value}: {_why(exc)}"))
            return
        self._register(ep.name, obj, version)

    def _register(self, name: str, obj: Any, version: str | None) -> None:
        if name in self.info:
            self.failures.append(PluginFailure(name, "another plugin has the same name"))
            return
        try:
            self.pm.register(obj, name=name)
        except Exception as exc:
            self.failures.append(PluginFailure(name, f"invalid hooks: {_why(exc)}"))
            return
        module = obj.__name__ if isinstance(obj, ModuleType) else type(obj).__module__
        module = getattr(obj, "module", None) or module  # a PluginParts names its module
        self.info[name] = PluginInfo(name=name, version=version, module=module)

    def _collect(self, hook_name: str) -> list[tuple[str, Any]]:
        """Call one hook in every plugin: (plugin name, item) for each item returned."""
        items: list[tuple[str, Any]] = []
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            try:
                result = impl.function() or []
            except Exception as exc:
                self._failed(PluginFailure(impl.plugin_name, f"{hook_name}: {_why(exc)}"))
                continue
            items.extend((impl.plugin_name, item) for item in result)
        return items

    def connector_kinds(self) -> dict[tuple[str, str], ConnectorKind]:
        """Every connector kind as its plugin declares it, keyed by (plugin, kind name).

        Nothing of a kind is imported here: see :meth:`ConnectorKind.load`.
        """
        kinds: dict[tuple[str, str], ConnectorKind] = {}
        for plugin, offered in self._collect("register_connector_kinds"):
            try:
                kind = ConnectorKind.of(offered)
            except TypeError as exc:
                self._failed(PluginFailure(plugin, f"register_connector_kinds: {exc}"))
                continue
            if (plugin, kind.name) in kinds:
                reason = f"register_connector_kinds: two kinds are named {kind.name!r}"
                self._failed(PluginFailure(plugin, reason))
                continue
            kinds[(plugin, kind.name)] = kind
        return kinds

    def _failed(self, failure: PluginFailure) -> None:
        """Record a failure once, however often the hook is called."""
        if failure not in self.failures:
            self.failures.append(failure)

    def metrics(self) -> list[tuple[str, MetricDefinition]]:
        return self._collect("register_metrics")

    def indicators(self) -> list[tuple[str, IndicatorDefinition]]:
        return self._collect("register_indicators")

    def event_kinds(self) -> list[tuple[str, EventKindDefinition]]:
        return self._collect("register_event_kinds")

    def migration_locations(self) -> list[str]:
        return [location for _, location in self._collect("register_migrations")]

    def alert_rules(self) -> list[tuple[str, AlertRule]]:
        return self._collect("register_alert_rules")

    def demo_connectors(self) -> list[tuple[str, dict[str, Any]]]:
        return self._collect("register_demo_connectors")


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
