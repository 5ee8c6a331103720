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


def test_quarantine_copies_of_a_record_become_one_row_counting_them(database: Database) -> None:
    """Migration 0008: rows of one connector, reason, place and payload merge into the first."""
    config = alembic_config([])
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006_rollups_below_only")
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO connectors (id, plugin, kind, enabled) VALUES ('src', 'p', 'k', true)"
            )
        )
        connection.execute(
            text(
                'INSERT INTO sync_runs (id, connector_id, status, "full", "trigger", '
                "started_at, records_read, records_written, records_quarantined, attempts) "
                "VALUES (:id, 'src', 'PARTIAL', false, 'schedule', :at, 1, 0, 1, 1)"
            ),
            [{"id": 1, "at": "2026-11-01 01:00:00"}, {"id": 2, "at": "2026-11-02 01:00:00"}],
        )
        connection.execute(
            text(
                "INSERT INTO quarantine (id, connector_id, sync_run_id, received_at, reason, "
                "place, payload) VALUES (:id, 'src', :run, :at, :reason, 'row 7', '{\"a\": 1}')"
            ),
            [
                {"id": 1, "run": 1, "at": "2026-11-01 01:00:01", "reason": "unknown unit '1'"},
                {"id": 2, "run": 1, "at": "2026-11-01 01:00:01", "reason": "no date"},
                {"id": 3, "run": 2, "at": "2026-11-02 01:00:01", "reason": "unknown unit '1'"},
            ],
        )
    database.upgrade()
    with database.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, sync_run_id, times_seen FROM quarantine ORDER BY id")
        ).all()
    assert [tuple(row) for row in rows] == [(1, 2, 2), (2, 1, 1)]
