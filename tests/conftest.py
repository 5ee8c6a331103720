"""Fixtures shared by every test: a fresh, migrated database on each backend, and hubs on it.

Tests that take ``db_url`` (or a fixture built on it) run once on SQLite and once on
PostgreSQL. ``IOCHUB_TEST_DATABASES=sqlite`` limits a local run to SQLite; CI runs both.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hub.config import Settings, settings_from_dict
from hub.core import Hub
from hub.model.database import Database
from hub.plugins.manager import Plugins
from hub.plugins.registry import Definitions
from hub.reports.store import install_shipped_forms
from tests.support.names import unique_name

POSTGRES_ADMIN_URL = os.environ.get(
    "IOCHUB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = [
    b.strip() for b in os.environ.get("IOCHUB_TEST_DATABASES", "sqlite,postgresql").split(",")
]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS, scope="session")


@pytest.fixture(autouse=True)
def no_scheduler_left_running() -> Iterator[None]:
    """Fail a test that leaves a scheduler running: it would go on running its jobs in this
    worker, against the databases and the module state (``scripted.SCRIPTS``) of the tests
    that come after it."""
    before = set(threading.enumerate())
    yield
    started = [t for t in threading.enumerate() if t not in before and t.name == "APScheduler"]
    for thread in started:
        thread.join(10)  # a scheduler shut down without waiting ends its thread soon after
    left = [thread.name for thread in started if thread.is_alive()]
    assert not left, "the test left a scheduler running: shut down every one it starts"


@pytest.fixture(scope="session")
def plugins() -> Plugins:
    return Plugins.load()


@pytest.fixture(scope="session")
def template_db(
    backend: str, plugins: Plugins, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database that each test's database is copied from."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.db"
        _migrate(f"sqlite:///{path}", plugins)
        yield str(path)
        return
    name = unique_name("iochub_tpl")
    _postgres_admin(f'CREATE DATABASE "{name}"')
    _migrate(_postgres_url(name), plugins)
    yield name
    _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db_url(backend: str, template_db: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, migrated database on this test's backend."""
    if backend == "sqlite":
        path = tmp_path / "hub.db"
        shutil.copyfile(template_db, path)
        yield f"sqlite:///{path}"
        return
    name = unique_name("iochub_t")
    _postgres_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    yield _postgres_url(name)
    _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def make_hub(db_url: str, plugins: Plugins) -> Iterator[Callable[..., Hub]]:
    """Build a prepared Hub on the test database from a config given as a dict."""
    hubs: list[Hub] = []

    def build(config: dict[str, Any] | None = None, with_plugins: Plugins | None = None) -> Hub:
        raw = dict(config or {})
        raw.setdefault("database", {"url": db_url})
        raw.setdefault("runtime", {"retry_initial_wait": 0.01, "retry_max_wait": 0.05})
        # The API's own tests act as the anonymous principal; tests/auth turn auth on.
        raw.setdefault("auth", {"required": False})
        hub = Hub.create(settings_from_dict(raw, os.environ), with_plugins or plugins)
        hub.prepare()
        hubs.append(hub)
        return hub

    yield build
    for hub in hubs:
        hub.close()


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    yield db
    db.dispose()


def _migrate(url: str, plugins: Plugins) -> None:
    """Migrate, and install the shipped report forms once (each test's hub finds them)."""
    db = Database(url)
    db.upgrade(plugins.migration_locations())
    install_shipped_forms(db, Definitions.gather(plugins, Settings()).metrics)
    db.dispose()


def _postgres_url(name: str) -> str:
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _postgres_admin(*statements: str) -> None:
    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()
