from sqlalchemy import inspect

from hub.model import Base
from hub.model.database import Database


def test_migrations_create_every_table_of_the_model(database: Database) -> None:
    tables = set(inspect(database.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_twice_changes_nothing(database: Database) -> None:
    before = set(inspect(database.engine).get_table_names())
    database.upgrade()
    assert set(inspect(database.engine).get_table_names()) == before
