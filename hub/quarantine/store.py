"""Writing rejections to the quarantine: one row per source record and reason.

A record the hub cannot take is usually rejected again by every run until someone fixes the
source or the config (a school under a commune the hub does not know, a date nobody can
read). Its row is keyed by the SHA-256 of its reason, place and payload: quarantined again,
the row is updated (``times_seen``, ``last_seen_at``, the run that saw it last) rather than
joined by a copy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hub.ingest.normalise import Rejection
from hub.model import QuarantinedRecord


def record_key(reason: str, place: str | None, payload: Any) -> str:
    """The identity of a quarantined record within its connector."""
    text = json.dumps([reason, place, payload], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def quarantine(
    session: Session,
    connector_id: str,
    run_id: int | None,
    rejections: Iterable[Rejection],
    now: datetime,
) -> int:
    """Quarantine the rejections in the session's transaction; return how many there were."""
    rows: dict[str, dict[str, Any]] = {}
    for rejection in rejections:
        key = record_key(rejection.reason, rejection.place, rejection.payload)
        if key in rows:  # the same record twice in one batch: one row, seen twice
            rows[key]["times_seen"] += 1
            continue
        rows[key] = {
            "connector_id": connector_id,
            "record_key": key,
            "sync_run_id": run_id,
            "received_at": now,
            "last_seen_at": now,
            "times_seen": 1,
            "reason": rejection.reason,
            "place": rejection.place,
            "payload": rejection.payload,
        }
    if not rows:
        return 0
    table = QuarantinedRecord.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=["connector_id", "record_key"],
        set_={
            "times_seen": table.c.times_seen + statement.excluded.times_seen,
            "last_seen_at": statement.excluded.last_seen_at,
            "sync_run_id": statement.excluded.sync_run_id,
        },
    )
    session.execute(statement, list(rows.values()))
    return sum(row["times_seen"] for row in rows.values())
