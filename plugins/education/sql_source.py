"""A school-management database as rows of mapped columns, with SQLAlchemy Core.

The tables are reflected and every query is built from the reflected columns the mapping
names — never from concatenated text — so a table or column name cannot inject SQL, and a
mapping that names a missing column fails at once with the columns that exist.

Everything is read in one transaction on one connection: on MariaDB/MySQL (InnoDB,
REPEATABLE READ by default) and PostgreSQL that is one consistent snapshot of every table.
A table is read in pages of its primary key (``WHERE key > last ORDER BY key LIMIT n``): short
queries, bounded memory, and no server-side cursor left half-read when a connection breaks. A
table without a primary key is read in one query.

Faults become the errors the runtime understands: a connection refused, lost or timed out is
transient (retried); bad credentials, an unknown database, table or column are permanent.
Messages name the database by its URL without the password, never with the SQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    MetaData,
    Select,
    Table,
    create_engine,
    func,
    null,
    select,
    true,
    tuple_,
)
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    InterfaceError,
    NoSuchModuleError,
    NoSuchTableError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.pool import NullPool

from hub.connectors.errors import PermanentSourceError, SourceError, TransientSourceError

from .config import SqlConfig
from .rows import Scope, SourceRow, jsonable
from .vocabulary import text

CREDENTIAL_ERRORS = {1044, 1045, 1698}
"""MySQL/MariaDB: access denied to the database, for the user, or for the socket user."""
PERMANENT_ERRORS = {1049, 1054, 1064, 1142, 1143, 1146}
"""MySQL/MariaDB: unknown database or column, bad syntax, no privilege, no table."""
PERMANENT_SQLSTATES = ("28", "3D", "42")
"""SQLSTATE classes: authorization, unknown catalog, syntax or access rule."""
PAGE_ROWS = 5000
CHANGED_AT, CHANGED_SCHOOL = "iochub_changed_at", "iochub_school"
"""The labels of a changed row's time and school (apart from any name a table may use)."""


def database_url(config: SqlConfig) -> URL:
    """The URL to connect with, the password from ``password`` when it is given."""
    try:
        url = make_url(config.url.get_secret_value())
    except ArgumentError:
        raise PermanentSourceError(
            "url: not a database URL (e.g. mysql+pymysql://user@host:3306/database)"
        ) from None
    if config.password is not None:
        url = url.set(password=config.password.get_secret_value())
    return url


class SqlSource:
    """The mapped tables of one database, open for one run (use it as a context manager)."""

    def __init__(self, config: SqlConfig, day: date) -> None:
        self.config = config
        self.day = day
        self.url = database_url(config)
        self.where = self.url.render_as_string(hide_password=True)
        self.engine: Engine | None = None
        self.connection: Connection | None = None
        self.tables: dict[str, Table] = {}

    def __enter__(self) -> SqlSource:
        with self.errors():
            self.engine = create_engine(
                self.url, poolclass=NullPool, connect_args=self._connect_args()
            )
            try:
                self.connection = self.engine.connect()
            except (ValueError, TypeError) as exc:  # the driver refused the settings
                # Only the type: the text may quote a part of the password.
                raise PermanentSourceError(
                    f"{self.where}: cannot connect ({type(exc).__name__}; check the URL, "
                    "the password and the driver's options)"
                ) from None
            self._reflect()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.connection is not None:
            # Read only: nothing to commit. A connection that broke off fails both: no matter.
            with suppress(SQLAlchemyError):
                self.connection.rollback()
            with suppress(SQLAlchemyError):
                self.connection.close()
        if self.engine is not None:
            self.engine.dispose()

    # -- the RowSource protocol

    def rows(self, table: str, scope: Scope) -> Iterator[SourceRow]:
        """The table's rows of the schools in scope, page by page in primary-key order."""
        mapping, reflected = getattr(self.config, table), self.tables[table]
        roles, keys = mapping.columns(), self._row_keys(table)
        names = list(dict.fromkeys([*roles.values(), *keys]))
        selected: list[Any] = [self._column(table, name) for name in names]
        joined: Any = reflected
        for role, lookup in mapping.lookups.items():
            target = self.tables[_lookup_role(table, role)]
            key = self._column(_lookup_role(table, role), lookup.key)
            joined = joined.outerjoin(target, self._column(table, roles[role]) == key)
            value = self._column(_lookup_role(table, role), lookup.value)
            selected.append(value.label(_lookup_role(table, role)))
            names.append(f"{lookup.table}.{lookup.value}")
        query = select(*selected).select_from(joined).where(self._in_scope(table, scope))
        with self.errors():
            records = self._pages(query, list(reflected.primary_key.columns), names)
            for number, record in enumerate(records, 1):
                values = dict(zip(names, record, strict=True))
                fields = {role: values[column] for role, column in roles.items()}
                for role, lookup in mapping.lookups.items():
                    fields[role] = values[f"{lookup.table}.{lookup.value}"]
                raw = {name: jsonable(value) for name, value in values.items()}
                yield SourceRow(fields, _place(reflected.name, keys, values, number), raw)

    def tracks_changes(self, table: str) -> bool:
        return getattr(self.config, table).modified is not None

    def snapshot_day(self, table: str) -> date:
        return self.day

    # -- incremental reading

    def changes(self, table: str, since: Any) -> Iterator[dict[str, Any]]:
        """The rows of a tracked table modified at or after ``since`` (with ``since`` None:
        the rows that hold the table's newest modification time), a page at a time in
        primary-key order, as the tables are read.

        Each is ``{"id": …, "modified": …, "school": …}``: the row's primary key as text
        (or its mapped id; None without either), its modification mark as JSON (a time as
        ISO text, a number as a number), and the school it counts for (None for the
        school-age population, which belongs to no school). :mod:`.changes` feeds them to
        the kit's cursor.
        """
        mapping = getattr(self.config, table)
        modified = self._column(table, mapping.modified)
        newest = select(func.max(modified)).scalar_subquery()
        keys = [self._column(table, name) for name in self._row_keys(table)]
        school, joined = self._school_of(table)
        query = (
            select(modified.label(CHANGED_AT), school.label(CHANGED_SCHOOL), *keys)
            .select_from(joined)
            .where(modified >= (newest if since is None else since))
        )
        names = [CHANGED_AT, CHANGED_SCHOOL, *(key.name for key in keys)]
        primary = list(self.tables[table].primary_key.columns)
        with self.errors():
            for stamp, school_id, *key in self._pages(query, primary, names):
                row_id = "|".join(str(text(part)) for part in key) if key else None
                yield {"id": row_id, "modified": _mark(stamp), "school": text(school_id)}

    def describe(self) -> str:
        """What ``check`` reports: the server, and how many schools the mapping finds."""
        schools = self.tables["schools"]
        with self.errors():
            count = self._connected().scalar(select(func.count()).select_from(schools))
        dialect = self._connected().dialect
        version = ".".join(map(str, dialect.server_version_info or ())) or "?"
        tables = ", ".join(sorted({t.name for t in self.tables.values()}))
        return (
            f"{dialect.name} {version} at {self.where}: {count} rows in the schools table "
            f"{schools.name}; mapped tables {tables} found with every mapped column"
        )

    # -- errors

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Turn the database's faults into transient or permanent source errors."""
        try:
            yield
            return
        except SQLAlchemyError as exc:
            error = self._source_error(exc)
        # Raised here, outside the except clause, the error does not chain the driver's: its
        # traceback (and the half-read cursor it holds) is freed now, not when the run ends.
        raise error

    def _source_error(self, exc: SQLAlchemyError) -> SourceError:
        if isinstance(exc, NoSuchTableError):
            return PermanentSourceError(f"{self.where}: no table {exc}")
        if isinstance(exc, ArgumentError | NoSuchModuleError):
            return PermanentSourceError(f"{self.where}: {exc}")
        if isinstance(exc, DBAPIError):
            return classify(exc, self.where)
        return PermanentSourceError(f"{self.where}: {type(exc).__name__}: {exc}")

    # -- inside

    def _pages(
        self, query: Select[Any], primary: list[Column[Any]], names: list[str]
    ) -> Iterator[Sequence[Any]]:
        """The query's rows, a page at a time after the last key read (all at once without
        a primary key)."""
        if not primary:
            yield from self._connected().execute(query).all()
            return
        positions = [names.index(column.name) for column in primary]
        after: ColumnElement[bool] = true()
        while True:
            page = query.where(after).order_by(*primary).limit(PAGE_ROWS)
            rows = self._connected().execute(page).all()
            yield from rows
            if len(rows) < PAGE_ROWS:
                return
            last = [rows[-1][position] for position in positions]
            after = primary[0] > last[0] if len(primary) == 1 else tuple_(*primary) > tuple_(*last)

    def _reflect(self) -> None:
        """Reflect the mapped tables, and check that every mapped column is there."""
        metadata = MetaData(schema=self.config.db_schema)
        mappings = self.config.tables()
        for role, mapping in mappings.items():
            self.tables[role] = Table(mapping.table, metadata, autoload_with=self._connected())
            for looked_up, lookup in mapping.lookups.items():
                lookup_table = Table(lookup.table, metadata, autoload_with=self._connected())
                self.tables[_lookup_role(role, looked_up)] = lookup_table
        for role, mapping in mappings.items():
            for name in (*mapping.columns().values(), mapping.modified):
                if name:
                    self._column(role, name)
            for looked_up, lookup in mapping.lookups.items():
                self._column(_lookup_role(role, looked_up), lookup.key)
                self._column(_lookup_role(role, looked_up), lookup.value)

    def _column(self, table: str, name: str) -> Column[Any]:
        """The reflected column; its name matched exactly, or else ignoring case."""
        reflected = self.tables[table]
        if name in reflected.c:
            return reflected.c[name]
        same = [c for c in reflected.c if c.name.casefold() == name.casefold()]
        if len(same) == 1:
            return same[0]
        have = ", ".join(c.name for c in reflected.c)
        raise PermanentSourceError(
            f"{self.where}: table {reflected.name} has no column {name!r} "
            f"(mapped as {table}; it has: {have})"
        )

    def _row_keys(self, table: str) -> list[str]:
        """The columns naming a row in messages: the primary key, else the mapped id."""
        primary = [c.name for c in self.tables[table].primary_key.columns]
        mapped_id = getattr(getattr(self.config, table), "id", None)
        if primary or not mapped_id:
            return primary
        return [self._column(table, mapped_id).name]

    def _in_scope(self, table: str, scope: Scope) -> ColumnElement[bool]:
        if scope.schools is None or table == "population":
            return true()
        mapping = getattr(self.config, table)
        ids = list(scope.schools)
        if table == "schools":
            return _in(self._column(table, mapping.id), ids)
        if table == "pupils" and mapping.school is None:
            classes = self.config.classes
            assert classes is not None  # the config's validation guarantees it
            of_schools = select(self._column("classes", classes.id)).where(
                _in(self._column("classes", classes.school), ids)
            )
            return self._column(table, mapping.class_).in_(of_schools)
        return _in(self._column(table, mapping.school), ids)

    def _school_of(self, table: str) -> tuple[ColumnElement[Any], Any]:
        """The column naming the school a table's row counts for, and what to select from."""
        mapping, reflected = getattr(self.config, table), self.tables[table]
        if table == "population":
            return null(), reflected
        if table == "schools":
            return self._column(table, mapping.id), reflected
        if table == "pupils" and mapping.school is None:
            classes = self.config.classes
            assert classes is not None
            joined = reflected.join(
                self.tables["classes"],
                self._column(table, mapping.class_) == self._column("classes", classes.id),
            )
            return self._column("classes", classes.school), joined
        return self._column(table, mapping.school), reflected

    def _connected(self) -> Connection:
        if self.connection is None:
            raise RuntimeError("use SqlSource as a context manager")
        return self.connection

    def _connect_args(self) -> dict[str, Any]:
        backend = self.url.get_backend_name()
        timeouts: dict[str, Any] = {}
        if backend in ("mysql", "mariadb", "postgresql"):
            timeouts["connect_timeout"] = int(self.config.connect_timeout)
        if backend in ("mysql", "mariadb"):
            timeouts["read_timeout"] = int(self.config.read_timeout)
        return timeouts


def classify(exc: DBAPIError, where: str) -> SourceError:
    """A database fault as a transient or permanent source error (see the module docstring)."""
    original = exc.orig
    args = getattr(original, "args", ())
    code = args[0] if args and isinstance(args[0], int) else None
    state = str(getattr(original, "sqlstate", None) or getattr(original, "pgcode", None) or "")
    detail = args[1] if code is not None and len(args) > 1 else str(original)
    message = f"{where}: {detail}"
    if code in CREDENTIAL_ERRORS or state.startswith("28"):
        return PermanentSourceError(f"{message} (check the credentials)")
    if code in PERMANENT_ERRORS or state.startswith(PERMANENT_SQLSTATES):
        return PermanentSourceError(message)
    if exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError):
        return TransientSourceError(message)
    return PermanentSourceError(message)


def _in(column: Column[Any], ids: list[str]) -> ColumnElement[bool]:
    """``column IN ids``, the ids (text) as the column's type: a number column gets numbers."""
    try:
        numeric = column.type.python_type is int
    except NotImplementedError:
        numeric = False
    if numeric:
        return column.in_([int(i) for i in ids if i.lstrip("-").isdigit()])
    return column.in_(ids)


def _lookup_role(table: str, role: str) -> str:
    """The name the lookup table of ``table``'s ``role`` is kept under (``classes.school_year``)."""
    return f"{table}.{role}"


def _place(table: str, keys: list[str], values: dict[str, Any], number: int) -> str:
    if not keys:
        return f"table {table}, row {number}"
    named = ", ".join(f"{key}={text(values[key])}" for key in keys)
    return f"table {table}, row {named}"


def _mark(value: Any) -> str | int | float | None:
    """A modification mark as JSON for the state: a time as ISO text, a number as a number."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if value is None or isinstance(value, int | float):
        return value
    return str(value)
