"""What an admin does with quarantined records: list them, discard them, retry them.

Retrying re-runs records through the current config, as a run of their connector (trigger
``retry``) under its lock: a record the normaliser rejected (an unknown commune, a metric
not defined yet) is rebuilt from its payload; a bad record the connector yielded is read
again by the connector's :meth:`~hub.connectors.base.Connector.reread`. What is stored
leaves the quarantine; what is rejected again stays, with the reason of today's config: a
``BadInput`` the connector's ``reread`` raises is such a rejection (that record stays, the
others go on). Every record still quarantined is named in the outcome, with why.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hub.connectors import records
from hub.connectors.base import ConnectorContext
from hub.connectors.errors import BadInput
from hub.connectors.runtime import load_records
from hub.core import Hub
from hub.model import QuarantinedRecord

RECORD_KINDS: dict[str, type[records.Record]] = {
    "Observation": records.Observation,
    "Event": records.Event,
    "Facility": records.Facility,
}


class CannotRetry(Exception):
    """A quarantined record that cannot be read again (says why)."""


@dataclass
class RetryOutcome:
    """What a retry did: records stored, records still quarantined, and one line per record
    still quarantined saying which and why (``record 12: still bad: <reason>``)."""

    stored: int = 0
    still_quarantined: int = 0
    problems: list[str] = field(default_factory=list)


def quarantined_rows(
    session: Session, connector_id: str | None = None, limit: int | None = None
) -> list[QuarantinedRecord]:
    """Quarantined records, the most recently seen first."""
    query = select(QuarantinedRecord)
    if connector_id is not None:
        query = query.where(QuarantinedRecord.connector_id == connector_id)
    query = query.order_by(QuarantinedRecord.last_seen_at.desc(), QuarantinedRecord.id.desc())
    return list(session.scalars(query.limit(limit)))


def missing_ids(session: Session, ids: Sequence[int]) -> list[int]:
    """Those of ``ids`` that name no quarantined record."""
    found = set(session.scalars(select(QuarantinedRecord.id).where(QuarantinedRecord.id.in_(ids))))
    return [row_id for row_id in ids if row_id not in found]


def discard(session: Session, ids: Sequence[int]) -> int:
    """Delete these quarantined records; return how many there were."""
    result = session.execute(delete(QuarantinedRecord).where(QuarantinedRecord.id.in_(ids)))
    return int(result.rowcount or 0)


def retry(hub: Hub, ids: Sequence[int]) -> RetryOutcome:
    """Re-run these quarantined records through the current config, connector by connector.

    Raises :class:`~hub.connectors.runtime.RunInProgress` when one of their connectors is
    running (a retry is a run of it).
    """
    with hub.db.session() as session:
        rows = session.scalars(
            select(QuarantinedRecord)
            .where(QuarantinedRecord.id.in_(ids))
            .order_by(QuarantinedRecord.id)
        ).all()
        session.expunge_all()
    outcome = RetryOutcome()
    for connector_id in sorted({row.connector_id for row in rows}):
        _retry_connector(
            hub, connector_id, [r for r in rows if r.connector_id == connector_id], outcome
        )
    return outcome


def _retry_connector(
    hub: Hub, connector_id: str, rows: list[QuarantinedRecord], outcome: RetryOutcome
) -> None:
    items: list[records.Item] = []
    retried: list[int] = []
    for row in rows:
        try:
            items.extend(reread(hub, row))
        except CannotRetry as problem:
            outcome.problems.append(f"record {row.id}: {problem}")
            outcome.still_quarantined += 1
            continue
        retried.append(row.id)
    if not retried:
        return
    run = load_records(hub, connector_id, items, trigger="retry")
    with hub.db.session() as session:
        # Rejected again: the row was seen by the retry run (or, for a new reason, a new
        # row was). Every other retried row's record is stored, or superseded by a new row.
        again = QuarantinedRecord.sync_run_id == run.id
        session.execute(delete(QuarantinedRecord).where(QuarantinedRecord.id.in_(retried), ~again))
        rejected = session.scalars(
            select(QuarantinedRecord).where(again).order_by(QuarantinedRecord.id)
        ).all()
        retried_ids = set(retried)
        retried_rows = [row for row in rows if row.id in retried_ids]
        outcome.problems += still_bad(rejected, retried_rows)
    outcome.still_quarantined += len(rejected)
    outcome.stored += max(len(retried) - len(rejected), 0)


def still_bad(rejected: Sequence[QuarantinedRecord], retried: list[QuarantinedRecord]) -> list[str]:
    """A line for each row a retry run quarantined, named by the record retried: the same row,
    or the row it became under a new reason (the same place and payload)."""
    by_id = {row.id: row for row in retried}
    by_content: dict[tuple[Any, str], list[QuarantinedRecord]] = defaultdict(list)
    for row in retried:  # a retry of thousands of records: looked up, not searched
        by_content[_content(row)].append(row)
    lines = []
    for row in rejected:
        origin = by_id.pop(row.id, None)
        if origin is None:
            unused = [r for r in by_content[_content(row)] if r.id in by_id]
            origin = by_id.pop(unused[0].id) if unused else None
        if origin is None:
            lines.append(f"record {row.id}: still bad: {row.reason}")
            continue
        now = f" (now record {row.id})" if row.id != origin.id else ""
        lines.append(f"record {origin.id}: still bad: {row.reason}{now}")
    return lines


def _content(row: QuarantinedRecord) -> tuple[Any, str]:
    return row.place, json.dumps(row.payload, sort_keys=True, default=str)


def reread(hub: Hub, row: QuarantinedRecord) -> Iterator[records.Item]:
    """The records of a quarantined row, as the current config reads them."""
    payload = row.payload
    if isinstance(payload, dict) and payload.get("record") in RECORD_KINDS:
        return iter([rebuilt_record(payload)])
    try:
        configured = hub.connector(row.connector_id)
    except LookupError:
        raise CannotRetry(f"connector {row.connector_id!r} is not in the config") from None
    context = ConnectorContext(row.connector_id, http_timeout=hub.settings.runtime.http_timeout)
    try:
        return iter(list(configured.create(context).reread(payload, row.place)))
    except NotImplementedError as exc:
        raise CannotRetry(str(exc)) from None
    except BadInput as exc:  # still bad: quarantined again by the retry run, today's reason
        return iter([records.BadRecord(exc.reason, payload, row.place)])


def rebuilt_record(payload: dict[str, Any]) -> records.Record:
    """A record the normaliser rejected, from its quarantined payload."""
    kind = RECORD_KINDS[payload["record"]]
    names = {f.name for f in dataclasses.fields(kind)}
    values = {name: value for name, value in payload.items() if name in names}
    if kind is records.Event and isinstance(values.get("occurred_at"), str):
        values["occurred_at"] = datetime.fromisoformat(values["occurred_at"])
    try:
        return kind(**values)
    except TypeError as exc:  # a payload from an older hub, missing a field
        raise CannotRetry(f"the payload is not a whole {kind.__name__}: {exc}") from None
