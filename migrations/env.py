"""Alembic environment: runs on the connection the hub hands over (see hub.model.migrations)."""

from __future__ import annotations

from alembic import context

from hub.model import Base

config = context.config
connection = config.attributes["connection"]

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
)

with context.begin_transaction():
    context.run_migrations()
