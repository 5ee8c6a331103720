"""Writes normalised rows by natural key (idempotent upserts) and quarantines rejections.

The same statements run on SQLite and PostgreSQL: both speak ``INSERT … ON CONFLICT``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, TextClause, and_, delete, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hub.aggregation.maintenance import note_changes
from hub.ingest.event_metrics import EventCounter

if TYPE_CHECKING:
    from hub.alerts.evaluate import AlertRaiser
from hub.connectors.records import Skipped
from hub.ingest.normalise import Rejection, Row
from hub.ingest.successions import Merged, ObservationKey, merge_parts
from hub.model import Event, Facility, Observation
from hub.model.base import utcnow
from hub.model.bulk import many_rows
from hub.quarantine.store import quarantine

NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "observations": ("metric_id", "unit_id", "calendar", "period", "dims_key", "source"),
    "events": ("source", "source_id"),
    "facilities": ("source", "source_id"),
}
KEYS_PER_QUERY = 500
"""Natural keys looked up by one query (six columns each: within SQLite's limit)."""
PG_DIALECT = postgresql.dialect()
KEY_OF = {table: itemgetter(*columns) for table, columns in NATURAL_KEYS.items()}
TABLES: dict[str, Table] = {
    "observations": Observation.__table__,  # type: ignore[dict-item]
    "events": Event.__table__,  # type: ignore[dict-item]
    "facilities": Facility.__table__,  # type: ignore[dict-item]
}


@dataclass
class Batch:
    """Rows and rejections waiting to be written in the current transaction.

    Of two records with the same natural key, the later one is kept and the earlier one
    counted as a duplicate: a source's later line corrects its earlier one. (Values of
    different retired unit codes landing on one unit are not duplicates: they are kept
    apart, see :mod:`hub.ingest.successions`.)
    """

    rows: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    """The rows by table and natural key; an observation whose value is None retracts it."""
    parts: dict[ObservationKey, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    """Observations that are a part of their cell: natural key → part → row."""
    placed: int = 0
    """How many were given under a retired unit code (placed through a succession)."""
    rejections: list[Rejection] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    added: int = 0
    """Items added since the batch was last emptied (a record replacing another counts)."""

    def add(self, item: Row | Rejection | Skipped) -> None:
        self.added += 1
        if isinstance(item, Rejection):
            self.rejections.append(item)
        elif isinstance(item, Skipped):
            self.skipped[item.reason] += 1
        elif item.part is not None:
            parts = self.parts[KEY_OF["observations"](item.values)]
            self.duplicates += item.part in parts
            self.placed += item.placed and item.part not in parts
            parts[item.part] = item.values
        else:
            rows = self.rows[item.table]
            key = KEY_OF[item.table](item.values)
            self.duplicates += key in rows
            rows[key] = item.values

    def clear(self) -> None:
        self.rows.clear()
        self.parts.clear()
        self.rejections.clear()
        self.skipped = Counter()
        self.duplicates = self.placed = self.added = 0


@dataclass
class Written:
    """What writing a batch did with its records: each is counted once, in one of these."""

    written: int = 0
    quarantined: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    placed: int = 0
    """Of the written, the observations given under a retired unit code."""
    touched: set[tuple[int, int, str, str]] = field(default_factory=set)
    """The observations written or retracted: metric id, unit id, calendar, period id."""
    per_metric: Counter[int] = field(default_factory=Counter)
    """How many observations of each metric were written or retracted."""


def flush(
    session: Session,
    batch: Batch,
    connector_id: str,
    run_id: int | None,
    counter: EventCounter | None = None,
    raiser: AlertRaiser | None = None,
    code_of: Callable[[int], str] | None = None,
) -> Written:
    """Write the batch in the session's transaction and empty it.

    With a ``counter``, the daily metrics counted from the batch's events are brought up to
    date in the same transaction (before the events themselves are overwritten); with a
    ``raiser``, the alerts the events call for are raised once they are written.
    ``code_of`` tells a unit's code, for values placed through successions.
    """
    now = utcnow()
    written = Written(
        skipped=batch.skipped, duplicates=batch.duplicates, quarantined=len(batch.rejections)
    )
    events = list(batch.rows["events"].values()) if batch.rows.get("events") else []
    counted = counter.observations(session, connector_id, events) if counter and events else []
    observations = batch.rows.pop("observations", {})
    for row in counted:  # the hub's own counts: not records the source gave
        observations[KEY_OF["observations"](row.values)] = row.values
    written.placed = batch.placed
    given = len(observations) - len(counted) + sum(map(len, batch.parts.values()))
    given += sum(map(len, batch.rows.values()))
    merged = Merged()
    if batch.parts or (observations and code_of is not None):
        assert code_of is not None, "values of parts of a cell need the units' codes"
        merged = merge_parts(session, observations, batch.parts, code_of)
    values = list(observations.values())
    kept = [row for row in values if row["value"] is not None]
    retractions = [row for row in values if row["value"] is None] + merged.gone
    # The roll-ups these observations touch are brought up to date when the session commits,
    # from what they held before (kept now) and what they hold then.
    changed = [*kept, *merged.rows, *retractions]
    note_changes(session, changed)
    ours = {id(row.values) for row in counted}
    given_rows = [row for row in kept if id(row) not in ours]
    for table_name, rows in [*batch.rows.items(), ("observations", given_rows)]:
        rows = list(rows.values()) if isinstance(rows, dict) else rows
        again = _write(session, table_name, rows, run_id, now)
        written.duplicates += again  # the key of a record of an earlier batch of the run
        given -= again
    # Written again by later batches, but not duplicates: the hub's own daily counts, and a
    # cell's parts (its other parts were written before).
    _write(session, "observations", [row for row in kept if id(row) in ours], run_id, now, False)
    _write(session, "observations", merged.rows, run_id, now, count_again=False)
    retract(session, retractions)
    written.written = given
    written.touched = {(r["metric_id"], r["unit_id"], r["calendar"], r["period"]) for r in changed}
    written.per_metric = Counter(map(itemgetter("metric_id"), changed))
    if raiser is not None and events:
        raiser.events_written(session, connector_id, events)
    written.quarantined = quarantine(session, connector_id, run_id, batch.rejections, now)
    session.flush()
    batch.clear()
    return written


def _write(
    session: Session,
    table_name: str,
    rows: list[dict[str, Any]],
    run_id: int | None,
    now: datetime,
    count_again: bool = True,
) -> int:
    """Stamp the rows with the run and the time, and upsert them; see :func:`upsert`."""
    for row in rows:  # the batch's own dictionaries: stamped in place, not copied
        row["sync_run_id"] = run_id
        row["updated_at"] = now
    table, key = TABLES[table_name], NATURAL_KEYS[table_name]
    return upsert(session, table, rows, key, run_id if count_again else None)


def upsert(
    session: Session,
    table: Table,
    values: list[dict[str, Any]],
    key: tuple[str, ...],
    run_id: int | None = None,
) -> int:
    """Insert the rows, or update the existing row with the same natural key.

    Every row holds the same columns (those of the first). A batch is first written as new
    rows: copied straight into the table on PostgreSQL (a batch of
    :data:`~hub.model.bulk.COPY_FROM` rows or more, all or none), else inserted with each
    stored key left alone. All new (a load of new data), it is written so, and pays no
    upsert. When the copy took none, one query
    finds which keys are stored: the new rows are inserted and only the stored ones
    updated, so a stream on PostgreSQL that updates a few rows of many (an incident counted
    on with each alert) writes each row once. When the insert took some, the whole batch
    goes again as an upsert. (On SQLite, an upsert that may set a foreign key column costs
    twice an insert even when it inserts, and a lookup before every batch slowed a load of
    new data fourfold.)

    Returns how many of the rows the run ``run_id`` had written already, in an earlier
    batch (stamped at another time than these rows): the same key twice in one run, which
    the run counts as duplicates.
    """
    if not values:
        return 0
    connection = session.connection()
    columns, dialect = tuple(values[0]), connection.dialect
    inserting = many_rows(table, columns, key, dialect, "nothing")
    copied = inserting.copy_all(connection, values)
    inserted_each = copied is None
    if copied or (inserted_each and inserting.run(connection, values) == len(values)):
        return 0
    if inserted_each:  # which of the rows were just inserted is not known: all are updated
        stored = _stored(session, table, values, key) if run_id is not None else {}
        old = values
    else:
        stored = _stored(session, table, values, key)
        key_of = itemgetter(*key)
        new = [row for row in values if key_of(row) not in stored]
        old = [row for row in values if key_of(row) in stored]
        if inserting.run(connection, new) < len(new):  # stored meanwhile elsewhere: updated
            old = values
    many_rows(table, columns, key, dialect, "update").run(connection, old)
    if run_id is None:
        return 0
    now = values[0]["updated_at"]
    return sum(run == run_id and at != now for run, at in stored.values())


def _stored(
    session: Session, table: Table, values: list[dict[str, Any]], key: tuple[str, ...]
) -> dict[Any, tuple[int | None, datetime]]:
    """The rows' keys that are stored, each with the run that wrote it and when.

    Keys as :func:`operator.itemgetter` gives them (a single column's value, or a tuple).
    On PostgreSQL by one join of the table with the keys as arrays (a list of row values
    would be planned slowly); on SQLite by row values, a few hundred a query.
    """
    found: dict[Any, tuple[int | None, datetime]] = {}
    written = (table.c.sync_run_id, table.c.updated_at)
    if session.get_bind().dialect.name == "postgresql":
        for row in session.execute(_stored_query(table, key), _key_arrays(values, key)):
            found[row[0] if len(key) == 1 else tuple(row[: len(key)])] = tuple(row[len(key) :])
        return found
    columns = tuple_(*(table.c[name] for name in key))
    key_of = itemgetter(*key)
    for start in range(0, len(values), KEYS_PER_QUERY):
        keys = [key_of(row) for row in values[start : start + KEYS_PER_QUERY]]
        listed = keys if len(key) > 1 else [(k,) for k in keys]
        query = select(*(table.c[name] for name in key), *written).where(columns.in_(listed))
        for row in session.execute(query):
            found[row[0] if len(key) == 1 else tuple(row[: len(key)])] = tuple(row[len(key) :])
    return found


@cache
def _stored_query(table: Table, key: tuple[str, ...]) -> TextClause:
    """PostgreSQL: the stored rows among keys given as one array per key column."""
    arrays = ", ".join(
        f"CAST(:{name} AS {table.c[name].type.compile(dialect=PG_DIALECT)}[])" for name in key
    )
    listed = ", ".join(key)
    on = " AND ".join(f"t.{name} = k.{name}" for name in key)
    picked = ", ".join(f"t.{name}" for name in key)
    return text(
        f"SELECT {picked}, t.sync_run_id, t.updated_at FROM {table.name} AS t "
        f"JOIN unnest({arrays}) AS k({listed}) ON {on}"
    )


def _key_arrays(values: list[dict[str, Any]], key: tuple[str, ...]) -> dict[str, list[Any]]:
    return {name: [row[name] for row in values] for name in key}


def insert_new(
    session: Session, table: Any, values: list[dict[str, Any]], key: tuple[str, ...]
) -> int:
    """Insert the rows whose natural key is not stored yet; return how many were new."""
    if not values:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing(index_elements=list(key))
    return sum(session.execute(statement, [row]).rowcount for row in values)


def retract(session: Session, retractions: list[dict[str, Any]]) -> int:
    """Delete the observations with these natural keys (a source withdrew them)."""
    if not retractions:
        return 0
    table = TABLES["observations"]
    key = NATURAL_KEYS["observations"]
    columns = tuple_(*(table.c[name] for name in key))
    keys = [tuple(values[name] for name in key) for values in retractions]
    session.execute(delete(table).where(and_(columns.in_(keys))))
    return len(retractions)
