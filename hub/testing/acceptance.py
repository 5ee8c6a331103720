"""The standard checks every connector passes, whatever its source (after Airbyte's idea).

Subclass :class:`ConnectorAcceptance` in a test module and give it a ``connector_under_test``
fixture returning a prepared :class:`~hub.core.Hub` and the id of a connector in it, whose
source is running (a real server, a real database). The subclass inherits these tests:

- ``check`` reaches the source and says what it found;
- the first read writes records and saves a state;
- an incremental read right after it, with the source unchanged, changes no data;
- a full re-read is idempotent: the same rows, the same values, no duplicates;
- the saved state stays small: a cursor, not a history;
- every run accounts for every record it read (:func:`assert_accounted`).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from hub.connectors.base import ConnectorContext
from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import ConnectorState, Event, Facility, Observation, RunStatus, SyncRun

OK = (RunStatus.SUCCEEDED, RunStatus.PARTIAL)
STATE_BUDGET_BYTES = 4096


def snapshot(hub: Hub, source: str) -> dict[str, set[tuple[Any, ...]]]:
    """Every row the source wrote, by natural key and value: comparable across runs."""
    with hub.db.session() as session:
        observations = session.execute(
            select(
                Observation.metric_id,
                Observation.unit_id,
                Observation.calendar,
                Observation.period,
                Observation.dims_key,
                Observation.value,
            ).where(Observation.source == source)
        ).all()
        events = session.execute(
            select(Event.source_id, Event.kind, Event.status, Event.occurred_at).where(
                Event.source == source
            )
        ).all()
        facilities = session.execute(
            select(Facility.source_id, Facility.name, Facility.unit_id).where(
                Facility.source == source
            )
        ).all()
    return {
        "observations": {tuple(row) for row in observations},
        "events": {tuple(row) for row in events},
        "facilities": {tuple(row) for row in facilities},
    }


def saved_state(hub: Hub, connector_id: str) -> dict[str, Any] | None:
    with hub.db.session() as session:
        row = session.get(ConnectorState, connector_id)
        return dict(row.state) if row else None


def assert_accounted(run: SyncRun) -> None:
    """Every record the run read was written, quarantined, skipped or a duplicate: once."""
    ended = (
        run.records_written + run.records_quarantined + run.records_skipped + run.records_duplicate
    )
    assert run.records_read == ended, (
        f"run {run.id} read {run.records_read} records but wrote {run.records_written}, "
        f"quarantined {run.records_quarantined}, skipped {run.records_skipped} and counted "
        f"{run.records_duplicate} duplicates"
    )
    assert run.records_skipped == sum((run.skipped or {}).values())


def _sync(hub: Hub, connector_id: str, full: bool = False) -> SyncRun:
    """A run, which must account for every record it read."""
    run = run_sync(hub, connector_id, full=full)
    assert_accounted(run)
    return run


def _rows(snap: dict[str, set[tuple[Any, ...]]]) -> int:
    return sum(len(rows) for rows in snap.values())


class ConnectorAcceptance:
    """Inherit these tests; provide the ``connector_under_test`` fixture -> (hub, id)."""

    def test_check_reaches_the_source(self, connector_under_test: tuple[Hub, str]) -> None:
        hub, connector_id = connector_under_test
        configured = hub.connector(connector_id)
        message = configured.create(ConnectorContext(connector_id)).check()
        assert isinstance(message, str) and message.strip()

    def test_first_read_writes_records_and_saves_state(
        self, connector_under_test: tuple[Hub, str]
    ) -> None:
        hub, connector_id = connector_under_test
        run = _sync(hub, connector_id)
        assert run.status in OK, run.error
        assert run.records_written > 0
        assert _rows(snapshot(hub, connector_id)) > 0
        assert saved_state(hub, connector_id) is not None

    def test_incremental_read_of_an_unchanged_source_changes_nothing(
        self, connector_under_test: tuple[Hub, str]
    ) -> None:
        hub, connector_id = connector_under_test
        _sync(hub, connector_id)
        before = snapshot(hub, connector_id)
        run = _sync(hub, connector_id)
        assert run.status in OK, run.error
        assert snapshot(hub, connector_id) == before

    def test_full_re_read_is_idempotent(self, connector_under_test: tuple[Hub, str]) -> None:
        hub, connector_id = connector_under_test
        first = _sync(hub, connector_id, full=True)
        before = snapshot(hub, connector_id)
        second = _sync(hub, connector_id, full=True)
        assert second.status == first.status
        assert second.records_written == first.records_written
        assert snapshot(hub, connector_id) == before

    def test_state_stays_a_small_cursor(self, connector_under_test: tuple[Hub, str]) -> None:
        hub, connector_id = connector_under_test
        _sync(hub, connector_id)
        _sync(hub, connector_id)
        state = saved_state(hub, connector_id) or {}
        assert len(json.dumps(state, default=str)) <= STATE_BUDGET_BYTES
