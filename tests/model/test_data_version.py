"""The data version: the same while nothing is committed, new after any commit, from anywhere."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import select, text

from hub.model import Metric
from hub.model.database import Database

NEW_METRIC = text(
    "INSERT INTO metrics (code, name, sector, aggregation, disaggregations, origin) "
    "VALUES (:code, 'A metric', 'test', 'SUM', '[]', 'test')"
)


def add_metric(db: Database, code: str) -> None:
    with db.session() as session:
        session.execute(NEW_METRIC, {"code": code})


def test_reading_changes_nothing(database: Database) -> None:
    before = database.data_version.current()
    with database.session() as session:
        session.scalars(select(Metric)).all()
    assert before is not None
    assert database.data_version.current() == before


def test_a_commit_through_the_same_engine_makes_a_new_version(database: Database) -> None:
    before = database.data_version.current()
    add_metric(database, "first")
    after = database.data_version.current()
    assert after != before
    add_metric(database, "second")
    assert database.data_version.current() not in (before, after)


def test_a_commit_of_another_process_makes_a_new_version(database: Database, db_url: str) -> None:
    before = database.data_version.current()
    reader = (
        "import sys; from sqlalchemy import text; from hub.model.database import Database; "
        "db = Database(sys.argv[1]); "
        "print(db.engine.connect().execute(text('SELECT count(*) FROM metrics')).scalar())"
    )
    subprocess.run([sys.executable, "-c", reader, db_url], check=True, capture_output=True)
    assert database.data_version.current() == before  # it only read
    writer = (
        "import sys; from tests.model.test_data_version import add_metric; "
        "from hub.model.database import Database; "
        "db = Database(sys.argv[1]); add_metric(db, 'theirs'); db.dispose()"
    )
    subprocess.run([sys.executable, "-c", writer, db_url], check=True)
    assert database.data_version.current() != before


def test_a_database_in_memory_has_no_version() -> None:
    db = Database("sqlite://")
    try:
        assert db.data_version.current() is None
    finally:
        db.dispose()


def test_the_version_is_read_again_after_the_engine_is_disposed(database: Database) -> None:
    before = database.data_version.current()
    database.dispose()
    add_metric(database, "after")
    assert database.data_version.current() != before


def test_a_failed_watcher_gives_no_version_once_then_a_new_one(database: Database) -> None:
    before = database.data_version.current()
    database.data_version._watcher.close()  # as a server restart or a broken file would
    assert database.data_version.current() is None  # nothing may be cached meanwhile
    again = database.data_version.current()
    assert again is not None and again != before  # a new connection counts afresh
