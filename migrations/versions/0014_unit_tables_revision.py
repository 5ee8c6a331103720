"""The unit tables have a revision the database moves at every write to them.

The hierarchy and the unit resolver are kept in memory per process while the unit tables do
not change. Until now that was told by their highest ids, which only an insert moves: a load
that renamed or moved a unit in place went unseen by every running process. Triggers on
``admin_units`` and ``admin_unit_successions`` now move ``unit_tables_revision`` at every
insert, update and delete, whoever writes (the loader, a fix by hand), in the writer's
transaction.

- PostgreSQL: before each writing statement, the first of a transaction adds one to the
  revision (holding its row until the transaction ends: writers of units wait for each
  other); every one counts itself in the transaction-local setting
  ``iochub.unit_table_writes``, so that a reader inside such a transaction knows not to keep
  what it read (``hub.model.units.UnitTableWritesHere``). One update per transaction, not
  per statement: updating one row thousands of times in a transaction costs quadratic time.
- SQLite (row triggers only): every row written draws a random revision, so that one seen
  inside a transaction that is then rolled back never comes back.

The roll-ups' signatures named the old version (``h<units>.<successions>``); the new ones are a
digest of the hierarchy itself (``s…``, ``Hierarchy.signature``), so each metric's roll-ups are
rebuilt once, when next used: any built before on a unit changed in place are made right.

Revision ID: 0014_unit_tables_revision
Revises: 0013_figures
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_unit_tables_revision"
down_revision = "0013_figures"
branch_labels = None
depends_on = None

TABLES = ("admin_units", "admin_unit_successions")
EVENTS = ("INSERT", "UPDATE", "DELETE")

POSTGRESQL_FUNCTION = """
CREATE FUNCTION unit_tables_written() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    writes integer := coalesce(
        nullif(current_setting('iochub.unit_table_writes', true), ''), '0'
    )::integer;
BEGIN
    IF writes = 0 THEN
        UPDATE unit_tables_revision SET revision = revision + 1;
    END IF;
    PERFORM set_config('iochub.unit_table_writes', (writes + 1)::text, true);
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "unit_tables_revision",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_unit_tables_revision_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_tables_revision")),
    )
    op.execute("INSERT INTO unit_tables_revision (id, revision) VALUES (1, 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_written BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION unit_tables_written()"
            )
        return
    for table in TABLES:
        for event in EVENTS:
            op.execute(
                f"CREATE TRIGGER {table}_{event.lower()} AFTER {event} ON {table} "
                "BEGIN UPDATE unit_tables_revision SET revision = random(); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_written ON {table}")
        op.execute("DROP FUNCTION unit_tables_written()")
    else:
        for table in TABLES:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER {table}_{event.lower()}")
    op.drop_table("unit_tables_revision")
