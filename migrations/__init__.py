"""The alembic environment and the core's revisions (shipped as ``iochub_migrations``)."""
