"""Roll-ups hold only what is aggregated beneath a unit.

A unit's own values are read from the observations. The ``own`` rows copied every
observation (the source chosen) into ``rollups``: a second write of each value on ingest,
nearly half of what rebuilding a metric's roll-ups cost. The remaining rows (``scope =
'below'``) lose their ``scope`` column.

Revision ID: 0006_rollups_below_only
Revises: 0005_observation_runs
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_rollups_below_only"
down_revision = "0005_observation_runs"
branch_labels = None
depends_on = None

KEY = ["metric_id", "unit_id", "calendar", "period_type", "period", "dims_key", "era"]


def upgrade() -> None:
    op.execute("DELETE FROM rollups WHERE scope = 'own'")
    with op.batch_alter_table("rollups") as batch_op:
        batch_op.drop_constraint("pk_rollups", type_="primary")
        batch_op.drop_column("scope")
        batch_op.create_primary_key("pk_rollups", KEY)


def downgrade() -> None:
    # The own rows are gone: every metric's roll-ups are rebuilt before they are next read.
    op.execute("DELETE FROM rollups")
    op.execute("DELETE FROM rollup_metrics")
    with op.batch_alter_table("rollups") as batch_op:
        batch_op.drop_constraint("pk_rollups", type_="primary")
        batch_op.add_column(sa.Column("scope", sa.String(length=5), nullable=False))
        batch_op.create_primary_key("pk_rollups", [*KEY, "scope"])
