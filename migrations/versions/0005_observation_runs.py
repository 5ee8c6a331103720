"""Observations name the run that wrote them without a foreign key to it.

The run is the hub's own: the runtime creates its row before writing anything, so the
check could never fail, yet on PostgreSQL it cost every observation written a lookup and a
row lock on ``sync_runs`` (a quarter of the server's work on a load). The column and its
index stay.

Revision ID: 0005_observation_runs
Revises: 0004_auth
"""

from alembic import op

revision = "0005_observation_runs"
down_revision = "0004_auth"
branch_labels = None
depends_on = None

CONSTRAINT = "fk_observations_sync_run_id_sync_runs"


def upgrade() -> None:
    with op.batch_alter_table("observations") as batch_op:
        batch_op.drop_constraint(CONSTRAINT, type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("observations") as batch_op:
        batch_op.create_foreign_key(CONSTRAINT, "sync_runs", ["sync_run_id"], ["id"])
