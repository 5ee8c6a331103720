"""Runs alembic programmatically: the core's revisions plus those plugins register."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import iochub_migrations
from alembic import command
from alembic.config import Config

if TYPE_CHECKING:
    from hub.model.database import Database

SCRIPT_LOCATION = Path(iochub_migrations.__file__).parent


def alembic_config(locations: list[str]) -> Config:
    """An alembic config over the core's environment and every given versions folder."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    folders = [str(SCRIPT_LOCATION / "versions"), *locations]
    unique = list(dict.fromkeys(folders))
    config.set_main_option("version_locations", " ".join(unique))
    config.set_main_option("path_separator", "space")
    return config


def upgrade(db: Database, locations: list[str]) -> None:
    """Apply every pending revision (``heads``: the core's and each plugin's branch)."""
    config = alembic_config(locations)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")


def current_heads(db: Database, locations: list[str]) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())
