"""Which ``iochub serve`` process leads: schedules the runs and listens to the streams.

On PostgreSQL the leader holds a session-level advisory lock on a connection of its own.
The lock lasts as long as that connection: a leader killed with ``kill -9``, or cut off by
the database restarting, loses it at once, and another process (or the same one, once the
database is back) takes it the next time it tries. SQLite deployments are one process,
which simply leads.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from hub.connectors.locks import advisory_key, release_advisory
from hub.model.database import Database, driver_message

log = logging.getLogger(__name__)

LEADER_LOCK = "iochub.scheduler"


class Leadership:
    """The scheduler's lead, as this process holds it or not."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.key = advisory_key(LEADER_LOCK)
        self.connection: Connection | None = None

    def take(self) -> bool:
        """Take the lead if no other process holds it; whether this process now leads."""
        if self.connection is not None or not self.db.is_postgresql:
            return True
        try:
            connection = self.db.engine.connect()
        except DBAPIError as exc:
            log.warning("cannot reach the database to take the lead: %s", driver_message(exc))
            return False
        try:
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}
            ).scalar()
            connection.commit()
        except DBAPIError as exc:
            log.warning("cannot take the lead: %s", driver_message(exc))
            connection.close()
            return False
        if not taken:
            connection.close()
            return False
        self.connection = connection
        return True

    def confirm(self) -> bool:
        """Whether the lead is still held: false once its connection is lost (and the lock)."""
        if self.connection is None:
            return not self.db.is_postgresql
        try:
            self.connection.execute(text("SELECT 1"))
            self.connection.commit()
        except DBAPIError as exc:
            log.warning("the connection holding the lead was lost: %s", driver_message(exc))
            self.connection.invalidate()
            self.connection.close()
            self.connection = None
            return False
        return True

    def release(self) -> None:
        """Give up the lead (a closed connection would go back to the pool still holding it)."""
        if self.connection is not None:
            release_advisory(self.connection, self.key)
            self.connection.close()
            self.connection = None
