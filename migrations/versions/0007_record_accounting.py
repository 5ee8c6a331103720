"""Every record accounted for: a run's skipped, duplicate and placed records; values of
several unit codes kept apart; rates that read 0 where a count is missing.

``sync_runs`` gains the records skipped (with their count by reason), the records that
repeated a key of the same run, and those placed on a unit through a succession.
``observations`` gains ``parts``: the value of each unit code a source gave for one unit
(three retired communes that went into one), which ``value`` combines; a partial index
tells which metrics of a source have any. ``indicators`` gains ``zero_when_missing``.

Revision ID: 0007_record_accounting
Revises: 0006_rollups_below_only
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007_record_accounting"
down_revision = "0006_rollups_below_only"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
PARTS = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
COUNTS = ("records_skipped", "records_duplicate", "records_placed")


def upgrade() -> None:
    # Columns are added in place (SQLite's ALTER TABLE ADD COLUMN): a batch that copied
    # sync_runs would fail once the quarantine's rows refer to it, foreign keys enforced.
    for name in COUNTS:
        op.add_column(
            "sync_runs", sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    op.add_column("sync_runs", sa.Column("skipped", JSON, nullable=True))
    # SQLite keeps the server defaults: dropping one would copy the table.
    on_postgresql = op.get_bind().dialect.name == "postgresql"
    if on_postgresql:
        with op.batch_alter_table("sync_runs") as batch_op:
            for name in COUNTS:
                batch_op.alter_column(name, server_default=None)
    with op.batch_alter_table("observations") as batch_op:
        batch_op.add_column(sa.Column("parts", PARTS, nullable=True))
        batch_op.create_index(
            "ix_observation_parts",
            ["metric_id", "source"],
            sqlite_where=sa.text("parts IS NOT NULL"),
            postgresql_where=sa.text("parts IS NOT NULL"),
        )
    with op.batch_alter_table("indicators") as batch_op:
        batch_op.add_column(
            sa.Column(
                "zero_when_missing", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    if on_postgresql:
        with op.batch_alter_table("indicators") as batch_op:
            batch_op.alter_column("zero_when_missing", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("indicators") as batch_op:
        batch_op.drop_column("zero_when_missing")
    with op.batch_alter_table("observations") as batch_op:
        batch_op.drop_index("ix_observation_parts")
        batch_op.drop_column("parts")
    with op.batch_alter_table("sync_runs") as batch_op:
        batch_op.drop_column("skipped")
        for name in reversed(COUNTS):
            batch_op.drop_column(name)
