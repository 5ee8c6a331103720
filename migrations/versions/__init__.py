"""The core's alembic revisions."""
