"""Opening the database: the URLs the hub runs on, and one clear error when it cannot."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from hub.config import ConfigError, settings_from_dict
from hub.model.database import Database, DatabaseUnavailable
from tests.conftest import POSTGRES_ADMIN_URL


def database_url(url: str) -> str:
    return settings_from_dict({"database": {"url": url}}, {}).database.url


def test_a_plain_postgresql_url_is_driven_by_psycopg_3() -> None:
    plain = POSTGRES_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    db = Database(database_url(plain))
    try:
        db.ensure_reachable()
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT 1")) == 1
        assert db.engine.driver == "psycopg"
    finally:
        db.dispose()


def test_sqlite_urls_are_kept_as_written() -> None:
    assert database_url("sqlite:///iochub.db") == "sqlite:///iochub.db"
    assert database_url("sqlite:////var/lib/iochub/hub.db") == "sqlite:////var/lib/iochub/hub.db"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgresql+psycopg2://db/hub", "not 'postgresql+psycopg2'"),
        ("oracle://db/hub", "not 'oracle'"),
        ("iochub.db", "not a database URL"),
    ],
)
def test_other_databases_and_drivers_are_refused(url: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        database_url(url)
    (message,) = caught.value.problems
    assert message.startswith("database.url: ") and problem in message


def test_an_unopenable_sqlite_file_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'hub.db'}"
    db = Database(url)
    with pytest.raises(DatabaseUnavailable) as caught:
        db.upgrade()
    assert str(caught.value) == f"cannot open the database {url}: unable to open database file"
    assert not (tmp_path / "missing").exists()
