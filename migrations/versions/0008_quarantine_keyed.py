"""Quarantine rows keyed by source record and reason.

A record quarantined again for the same reason updates its row (``times_seen``,
``last_seen_at``, the run that saw it last) instead of adding one. The rows stored before
are merged the same way: the first of each record and reason stays, counting the others.

Revision ID: 0008_quarantine_keyed
Revises: 0006_rollups_below_only
"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from hub.quarantine.store import record_key

revision = "0008_quarantine_keyed"
down_revision = "0006_rollups_below_only"
branch_labels = None
depends_on = None

quarantine = sa.table(
    "quarantine",
    sa.column("id", sa.Integer),
    sa.column("connector_id", sa.String),
    sa.column("reason", sa.Text),
    sa.column("place", sa.Text),
    sa.column("payload", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
    sa.column("record_key", sa.String),
    sa.column("times_seen", sa.Integer),
)


def upgrade() -> None:
    with op.batch_alter_table("quarantine") as batch_op:
        batch_op.add_column(sa.Column("record_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("times_seen", sa.Integer(), nullable=True))
    op.execute("UPDATE quarantine SET last_seen_at = received_at, times_seen = 1")
    _merge_copies(op.get_bind())
    with op.batch_alter_table("quarantine") as batch_op:
        batch_op.alter_column("record_key", nullable=False)
        batch_op.alter_column("last_seen_at", nullable=False)
        batch_op.alter_column("times_seen", nullable=False)
        batch_op.create_unique_constraint(
            "uq_quarantine_connector_id", ["connector_id", "record_key"]
        )


def _merge_copies(connection: sa.Connection) -> None:
    """Give each row its key; of rows with the same key keep the first, counting the rest."""
    copies: dict[tuple[str, str], list[int]] = defaultdict(list)
    rows = connection.execute(
        sa.select(
            quarantine.c.id,
            quarantine.c.connector_id,
            quarantine.c.reason,
            quarantine.c.place,
            quarantine.c.payload,
        ).order_by(quarantine.c.id)
    )
    for row_id, connector_id, reason, place, payload in rows:
        copies[(connector_id, record_key(reason, place, payload))].append(row_id)
    for (_, key), ids in copies.items():
        first, last = ids[0], ids[-1]
        connection.execute(
            sa.text(
                "UPDATE quarantine SET record_key = :key, times_seen = :seen, "
                "last_seen_at = (SELECT received_at FROM quarantine WHERE id = :last), "
                "sync_run_id = (SELECT sync_run_id FROM quarantine WHERE id = :last) "
                "WHERE id = :first"
            ),
            {"key": key, "seen": len(ids), "first": first, "last": last},
        )
        if len(ids) > 1:
            connection.execute(sa.delete(quarantine).where(quarantine.c.id.in_(ids[1:])))


def downgrade() -> None:
    with op.batch_alter_table("quarantine") as batch_op:
        batch_op.drop_constraint("uq_quarantine_connector_id", type_="unique")
        batch_op.drop_column("times_seen")
        batch_op.drop_column("last_seen_at")
        batch_op.drop_column("record_key")
