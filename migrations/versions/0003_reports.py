"""The reporting information system: report templates, reports, their workflow history.

Revision ID: 0003_reports
Revises: 0002_rollups
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_reports"
down_revision = "0002_rollups"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "report_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("definition", JSON, nullable=False),
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_templates")),
        sa.UniqueConstraint("code", name=op.f("uq_report_templates_code")),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=12), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("inputs", JSON, nullable=False),
        sa.Column("values", JSON, nullable=False),
        sa.Column("basis", JSON, nullable=False),
        sa.Column("first_submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"], ["report_templates.id"],
            name=op.f("fk_reports_template_id_report_templates"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["admin_units.id"], name=op.f("fk_reports_unit_id_admin_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(
            "uq_report_template_unit_period", ["template_id", "unit_id", "period"], unique=True
        )
        batch_op.create_index("ix_reports_template_period", ["template_id", "period"])
        batch_op.create_index(batch_op.f("ix_reports_unit_id"), ["unit_id"])

    op.create_table(
        "report_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=10), nullable=True),
        sa.Column("to_status", sa.String(length=10), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changes", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_report_transitions_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_transitions")),
    )
    with op.batch_alter_table("report_transitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_transitions_report_id"), ["report_id"])


def downgrade() -> None:
    op.drop_table("report_transitions")
    op.drop_table("reports")
    op.drop_table("report_templates")
