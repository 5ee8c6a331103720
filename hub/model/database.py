"""The database: engine, sessions, migrations, and what differs between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker


class DatabaseUnavailable(Exception):
    """The database cannot be opened: a server down, a wrong password, a missing directory."""


class Database:
    """One database a hub process works on. SQLite is the embedded default."""

    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        self.engine = _create_engine(url, echo)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_postgresql(self) -> bool:
        return self.dialect == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed at the end, rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def upgrade(self, locations: list[str] | None = None) -> None:
        """Bring the schema to the newest revision of the core and of every plugin."""
        from hub.model.migrations import upgrade

        self.ensure_reachable()
        upgrade(self, locations or [])

    def ensure_reachable(self) -> None:
        """Connect once; :class:`DatabaseUnavailable`, in one line, if that fails."""
        try:
            with self.engine.connect():
                pass
        except DBAPIError as exc:
            where = self.engine.url.render_as_string(hide_password=True)
            raise DatabaseUnavailable(
                f"cannot open the database {where}: {driver_message(exc)}"
            ) from None

    def dispose(self) -> None:
        self.engine.dispose()


def driver_message(exc: DBAPIError) -> str:
    """The first line of what the database driver said, without SQLAlchemy's decoration."""
    said = str(exc.orig).strip() if exc.orig else str(exc)
    return said.splitlines()[0] if said else type(exc.orig or exc).__name__


def _create_engine(url: str, echo: bool) -> Engine:
    parsed = make_url(url)
    # Bound values (tokens' hashes, connector state, citizens' data) never go into an
    # exception's text, so never into a log.
    kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs["pool_pre_ping"] = True
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # The default page cache (2 MB) holds a few thousand index pages: past a million
    # observations every insert and roll-up rebuild would read its index pages from disk.
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB per connection
    cursor.close()
