"""The pytest plugin of the hub's test kit, loaded by pytest wherever the hub is installed
(the ``pytest11`` entry point ``iochub``). Its fixtures:

- ``iochub_hub``: makes prepared hubs on SQLite with a chosen set of units and connectors
  (:class:`~hub.testing.hubs.HubFactory`); the migrated database is made once per session
  and copied for each hub;
- ``scripted_server``: a real HTTP server on a free port answering from a script, with
  faults (:class:`~hub.testing.http_server.ScriptedServer`).

The acceptance suites (:mod:`hub.testing.acceptance`) are classes a test module subclasses.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.testing.http_server import ScriptedServer
from hub.testing.hubs import HubFactory, HubTemplates


@pytest.fixture(scope="session")
def iochub_templates(tmp_path_factory: pytest.TempPathFactory) -> HubTemplates:
    """The session's template databases (one per set of plugins and units)."""
    return HubTemplates(tmp_path_factory.mktemp("iochub-templates"))


@pytest.fixture
def iochub_hub(iochub_templates: HubTemplates, tmp_path: Path) -> Iterator[HubFactory]:
    """``iochub_hub(connectors, provinces=["51"], plugins=[("name", PLUGIN)])``: a prepared
    hub on its own SQLite copy; closed when the test ends."""
    factory = HubFactory(iochub_templates, tmp_path)
    yield factory
    factory.close()


@pytest.fixture
def scripted_server() -> Iterator[ScriptedServer]:
    """A started :class:`ScriptedServer`, stopped when the test ends."""
    with ScriptedServer() as server:
        yield server
