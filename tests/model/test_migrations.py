from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from hub.model import Base
from hub.model.database import Database
from hub.model.migrations import alembic_config


def test_migrations_create_every_table_of_the_model(database: Database) -> None:
    tables = set(inspect(database.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_twice_changes_nothing(database: Database) -> None:
    before = set(inspect(database.engine).get_table_names())
    database.upgrade()
    assert set(inspect(database.engine).get_table_names()) == before


def test_the_migrated_schema_is_the_model(database: Database) -> None:
    """What alembic would generate to go from the migrated database to the model: nothing."""
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_roll_ups_lose_their_copies_of_the_observations(database: Database) -> None:
    """Migration 0006: ``own`` rows go; ``below`` rows stay, without their ``scope``."""
    config = alembic_config([])
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005_observation_runs")
    insert = text(
        "INSERT INTO rollups (metric_id, unit_id, calendar, period_type, period, dims_key, "
        "era, scope, total, cells, units, days) "
        "VALUES (1, 2, 'GREGORIAN', 'MONTH', '2024-01', '', 0, :scope, :total, 1, 1, 31)"
    )
    with database.engine.begin() as connection:
        connection.execute(
            insert, [{"scope": "own", "total": 4.0}, {"scope": "below", "total": 5.0}]
        )
    database.upgrade()
    inspector = inspect(database.engine)
    assert "scope" not in {column["name"] for column in inspector.get_columns("rollups")}
    key = ["metric_id", "unit_id", "calendar", "period_type", "period", "dims_key", "era"]
    assert inspector.get_pk_constraint("rollups")["constrained_columns"] == key
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT unit_id, total FROM rollups")).all() == [(2, 5.0)]
