"""Fixtures of the education plugin's tests: a legacy school database in the local MariaDB,
the administrative units of Kon Tum and Quảng Ngãi, and hubs with both loaded.

The MariaDB server is the one ``.ci/run`` starts (``IOCHUB_TEST_MARIADB_URL`` to use another):
each test session creates its own database there, and drops it at the end.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from iochub_plugins.education import periods
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from hub.core import Hub
from hub.units import load_units
from tests.plugins.education import legacy_db
from tests.support.names import unique_name
from tests.units.reference import QUANG_NGAI, write_subset

MARIADB_ADMIN_URL = os.environ.get(
    "IOCHUB_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/"
)
SCHOOL_YEAR = periods.school_year_of(periods.today())
"""The school year the legacy database's current classes belong to."""


@dataclass
class SchoolServer:
    """A database of the local MariaDB server, for this test session."""

    name: str
    url: str
    engine: Engine
    admin: Engine

    def admin_execute(self, *statements: str) -> None:
        with self.admin.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))


@pytest.fixture(scope="session")
def school_server() -> Iterator[SchoolServer]:
    name = unique_name("iochub_edu")
    admin = create_engine(MARIADB_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    url = make_url(MARIADB_ADMIN_URL).set(database=name, query={"charset": "utf8mb4"})
    rendered = url.render_as_string(hide_password=False)
    server = SchoolServer(name, rendered, create_engine(rendered, poolclass=NullPool), admin)
    server.admin_execute(
        f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    )
    yield server
    server.engine.dispose()
    server.admin_execute(f"DROP DATABASE IF EXISTS `{name}`")
    admin.dispose()


@pytest.fixture
def legacy(school_server: SchoolServer) -> SchoolServer:
    """The legacy school database, filled afresh for this test."""
    legacy_db.reset(school_server.engine, SCHOOL_YEAR)
    return school_server


@pytest.fixture(scope="session")
def unit_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The unit lists cut down to Quảng Ngãi and the provinces it took in (Kon Tum)."""
    return write_subset(tmp_path_factory.mktemp("units"), {QUANG_NGAI})


@pytest.fixture
def edu_hub(make_hub: Callable[..., Hub], unit_files: list[Path]) -> Callable[..., Hub]:
    """A hub with these connectors, on a fresh database holding the units."""

    def build(connectors: dict[str, Any], **config: Any) -> Hub:
        hub = make_hub({"connectors": connectors, **config})
        load_units(hub.db, unit_files)
        return hub

    return build
