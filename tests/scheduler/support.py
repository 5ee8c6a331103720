"""Who holds an advisory lock, and ending backends as a database restart would."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from hub.connectors.locks import advisory_key

# Advisory locks belong to one database, but pg_locks lists the whole server's: the tests run in
# parallel, each on a database of its own, and must never see (or end) another test's holder.
HOLDERS = """
    FROM pg_locks JOIN pg_stat_activity USING (pid)
    WHERE locktype = 'advisory' AND granted
      AND pg_locks.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND classid::bigint = :high AND objid::bigint = :low AND objsubid = 1
"""


def _key_parts(lock: str) -> dict[str, int]:
    """A bigint key as ``pg_locks`` shows it: its high and low 32 bits."""
    key = advisory_key(lock) & 0xFFFFFFFFFFFFFFFF
    return {"high": key >> 32, "low": key & 0xFFFFFFFF}


def lock_holders(url: str | URL, lock: str) -> list[tuple[str, int]]:
    """The ``application_name`` and backend pid of each connection holding ``lock``."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            query = text(f"SELECT application_name, pid {HOLDERS}")
            return [(name, pid) for name, pid in connection.execute(query, _key_parts(lock))]
    finally:
        engine.dispose()


def terminate_holder(url: str | URL, lock: str) -> int:
    """End the backend holding the advisory lock ``lock``; how many were ended."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            query = text(f"SELECT count(pg_terminate_backend(pid)) {HOLDERS}")
            return connection.execute(query, _key_parts(lock)).scalar_one()
    finally:
        engine.dispose()


def terminate_all(url: str | URL) -> int:
    """End every other backend on the database of ``url``: the hub loses all its connections."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            query = text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return connection.execute(query).scalar_one()
    finally:
        engine.dispose()
