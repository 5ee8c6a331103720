"""Metrics say whether the figures of every level add up (``levels_add_up``).

By default a unit's figure covers its territory and stands over its parts' figures; a
metric of what each unit does itself (the reports a district files, beside its communes')
adds the figures of every level instead.

Revision ID: 0013_figures
Revises: 0008_quarantine_keyed
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_figures"
down_revision = "0008_quarantine_keyed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("metrics") as batch_op:
        batch_op.add_column(
            sa.Column("levels_add_up", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("metrics") as batch_op:
        batch_op.drop_column("levels_add_up")
