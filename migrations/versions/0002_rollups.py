"""Roll-ups: observations aggregated by unit, period and disaggregation, kept on ingest.

Revision ID: 0002_rollups
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_rollups"
down_revision = "0001_core"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "rollups",
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("calendar", sa.String(length=10), nullable=False),
        sa.Column("period_type", sa.String(length=10), nullable=False),
        sa.Column("period", sa.String(length=12), nullable=False),
        sa.Column("dims_key", sa.String(length=300), nullable=False),
        sa.Column("era", sa.SmallInteger(), nullable=False),
        sa.Column("scope", sa.String(length=5), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("cells", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("low", sa.Float(), nullable=True),
        sa.Column("high", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint(
            "metric_id", "unit_id", "calendar", "period_type", "period", "dims_key", "era",
            "scope", name=op.f("pk_rollups"),
        ),
    )
    op.create_table(
        "rollup_metrics",
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.String(length=300), nullable=False),
        sa.Column("period_kinds", JSON, nullable=False),
        sa.Column("levels", JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("metric_id", name=op.f("pk_rollup_metrics")),
    )


def downgrade() -> None:
    op.drop_table("rollup_metrics")
    op.drop_table("rollups")
