"""Writes normalised rows by natural key (idempotent upserts) and quarantines rejections.

The same statements run on SQLite and PostgreSQL: both speak ``INSERT … ON CONFLICT``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, and_, delete, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hub.aggregation.maintenance import note_changes
from hub.ingest.event_metrics import EventCounter

if TYPE_CHECKING:
    from hub.alerts.evaluate import AlertRaiser
from hub.ingest.normalise import Rejection, Row
from hub.model import Event, Facility, Observation
from hub.model.base import utcnow
from hub.model.bulk import many_rows
from hub.quarantine.store import quarantine

NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "observations": ("metric_id", "unit_id", "calendar", "period", "dims_key", "source"),
    "events": ("source", "source_id"),
    "facilities": ("source", "source_id"),
}
KEY_OF = {table: itemgetter(*columns) for table, columns in NATURAL_KEYS.items()}
TABLES: dict[str, Table] = {
    "observations": Observation.__table__,  # type: ignore[dict-item]
    "events": Event.__table__,  # type: ignore[dict-item]
    "facilities": Facility.__table__,  # type: ignore[dict-item]
}


@dataclass
class Batch:
    """Rows and rejections waiting to be written in the current transaction."""

    rows: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    retractions: list[dict[str, Any]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    added: int = 0
    """Items added since the batch was last emptied (a record replacing another counts)."""

    def add(self, item: Row | Rejection) -> None:
        self.added += 1
        if isinstance(item, Rejection):
            self.rejections.append(item)
        elif item.table == "observations" and item.values["value"] is None:
            self.retractions.append(item.values)
        else:
            key = KEY_OF[item.table](item.values)
            self.rows[item.table][key] = item.values  # a later record of the same key wins


@dataclass
class Written:
    written: int = 0
    quarantined: int = 0
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
) -> Written:
    """Write the batch in the session's transaction and empty it.

    With a ``counter``, the daily metrics counted from the batch's events are brought up to
    date in the same transaction (before the events themselves are overwritten); with a
    ``raiser``, the alerts the events call for are raised once they are written.
    """
    now = utcnow()
    written = Written()
    events = list(batch.rows["events"].values()) if batch.rows.get("events") else []
    counted = counter.observations(session, connector_id, events) if counter and events else []
    for row in counted:
        batch.add(row)
    # The roll-ups these observations touch are brought up to date when the session commits,
    # from what they held before (kept now) and what they hold then.
    changed = [*batch.rows.get("observations", {}).values(), *batch.retractions]
    note_changes(session, changed)
    for table_name, rows in batch.rows.items():
        values = list(rows.values())
        for row in values:  # the batch's own dictionaries: stamped in place, not copied
            row["sync_run_id"] = run_id
            row["updated_at"] = now
        upsert(session, TABLES[table_name], values, NATURAL_KEYS[table_name])
        written.written += len(values)
    written.written += retract(session, batch.retractions)
    written.written -= len(counted)  # the hub's own counts are not records the source gave
    written.touched = {(r["metric_id"], r["unit_id"], r["calendar"], r["period"]) for r in changed}
    written.per_metric = Counter(map(itemgetter("metric_id"), changed))
    if raiser is not None and events:
        raiser.events_written(session, connector_id, events)
    written.quarantined = quarantine(session, connector_id, run_id, batch.rejections, now)
    session.flush()
    batch.rows.clear()
    batch.retractions.clear()
    batch.rejections.clear()
    batch.added = 0
    return written


def upsert(
    session: Session, table: Table, values: list[dict[str, Any]], key: tuple[str, ...]
) -> None:
    """Insert the rows, or update the existing row with the same natural key.

    Every row holds the same columns (those of the first). New rows are inserted first;
    only when some keys were already stored does the batch go again as an upsert. (On
    SQLite, an upsert that may set a foreign key column costs twice an insert even when
    it inserts: a load of new data should not pay that.)
    """
    if not values:
        return
    connection = session.connection()
    columns, dialect = tuple(values[0]), connection.dialect
    inserted = many_rows(table, columns, key, dialect, "nothing").run(connection, values)
    if inserted < len(values):
        many_rows(table, columns, key, dialect, "update").run(connection, values)


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
