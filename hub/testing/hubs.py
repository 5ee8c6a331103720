"""Hubs for tests, each on its own SQLite file: migrated and given its units once per session,
then copied for every hub, so that a test's hub is ready in milliseconds.

    make = HubFactory(tmp_folder)
    hub = make({"air": {"plugin": "air", "kind": "readings", "url": ...}}, provinces=["51"])
    run_sync(hub, "air")
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from hub.config import settings_from_dict
from hub.core import Hub
from hub.plugins.manager import Plugins
from hub.testing.units import QUANG_NGAI, write_unit_subset
from hub.units.loader import load_units

FAST_RETRIES = {"retry_initial_wait": 0.01, "retry_max_wait": 0.05}
"""Retries in tests wait milliseconds, not the production's seconds."""


def plugins_with(extra: Iterable[tuple[str, Any]] = ()) -> Plugins:
    """The installed plugins plus ``extra`` (name, plugin) pairs not installed under that name
    (the plugin: its ``PluginParts`` object, ``PLUGIN``, or a module of ``@hookimpl`` functions):
    a plugin's own tests work whether or not its package is pip-installed."""
    installed = Plugins.load()
    missing = [(name, plugin) for name, plugin in extra if name not in installed.info]
    return Plugins.load(extra=missing) if missing else installed


class HubTemplates:
    """Migrated SQLite databases holding a set of units, one per (plugins, units), made on
    first use in ``folder`` and copied for each hub."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._made: dict[tuple[tuple[str, ...], tuple[str, ...]], Path] = {}

    def copy(self, plugins: Plugins, provinces: Collection[str], target: Path) -> str:
        """A fresh database at ``target`` (an SQLite URL), copied from the template."""
        shutil.copyfile(self._template(plugins, provinces), target)
        return f"sqlite:///{target}"

    def _template(self, plugins: Plugins, provinces: Collection[str]) -> Path:
        key = (tuple(sorted(plugins.info)), tuple(sorted(provinces)))
        if key not in self._made:
            self._made[key] = self._make(plugins, key[1], len(self._made))
        return self._made[key]

    def _make(self, plugins: Plugins, provinces: tuple[str, ...], number: int) -> Path:
        path = self.folder / f"template-{number}.db"
        hub = _hub({"database": {"url": f"sqlite:///{path}"}}, plugins)
        try:
            hub.prepare()
            if provinces:
                units = write_unit_subset(self.folder / f"units-{number}", provinces)
                load_units(hub.db, units)
        finally:
            hub.close()
        return path


class HubFactory:
    """Makes prepared hubs on fresh copies of a template; :meth:`close` closes them all."""

    def __init__(self, templates: HubTemplates, folder: Path) -> None:
        self.templates = templates
        self.folder = folder
        self._hubs: list[Hub] = []
        self._numbers = itertools.count()

    def __call__(
        self,
        connectors: dict[str, dict[str, Any]] | None = None,
        *,
        provinces: Collection[str] = (QUANG_NGAI,),
        plugins: Iterable[tuple[str, Any]] = (),
        **config: Any,
    ) -> Hub:
        """A prepared hub with these ``connectors`` tables (by id), the units of these 2025
        ``provinces`` (GSO codes; none with ``()``), the installed plugins plus ``plugins``
        given as (name, plugin) pairs (``("air", plugin.PLUGIN)``), and any other config section
        (``alerts={...}``)."""
        loaded = plugins_with(plugins)
        target = self.folder / f"hub-{next(self._numbers)}.db"
        raw: dict[str, Any] = {
            "database": {"url": self.templates.copy(loaded, provinces, target)},
            "runtime": dict(FAST_RETRIES),
            "auth": {"required": False},
            "connectors": connectors or {},
            **config,
        }
        hub = _hub(raw, loaded)
        self._hubs.append(hub)
        hub.prepare()
        return hub

    def close(self) -> None:
        for hub in self._hubs:
            hub.close()
        self._hubs.clear()


def _hub(raw: dict[str, Any], plugins: Plugins) -> Hub:
    return Hub.create(settings_from_dict(raw, os.environ), plugins)
