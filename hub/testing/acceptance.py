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

A streaming kind (a broker subscription, a syslog listener) subclasses
:class:`StreamAcceptance` instead, with a ``stream_under_test`` fixture (the hub and the id of
a connector with an idle timeout, so that a run ends) and a ``stream_source`` fixture (a
:class:`StreamSource`: sends numbered messages to the real source, tells which were stored).
It inherits:

- every message sent is stored once: none lost, none twice;
- nothing is acknowledged before it is committed: messages read by a run that died before its
  checkpoint was committed are delivered again (for a source that keeps what it was not told
  was taken, a broker; a source that cannot deliver again says so with ``redelivers = False``);
- a restart (the hub stopped, then started again) resumes without loss or duplicates.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol

import pytest
from sqlalchemy import select

from hub.connectors.base import ConnectorContext
from hub.connectors.records import Checkpoint
from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import ConnectorState, Event, Facility, Observation, RunStatus, SyncRun

OK = (RunStatus.SUCCEEDED, RunStatus.PARTIAL)
STATE_BUDGET_BYTES = 4096
WAIT_SECONDS = 30.0


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


class StreamSource(Protocol):
    """The real source of a streaming connector, driven by the acceptance tests."""

    redelivers: bool
    """Whether the source delivers again what the hub received but did not acknowledge
    (a broker's persistent session: True; syslog over UDP or TCP: False)."""

    def send(self, numbers: Iterable[int]) -> None:
        """Send one message for each number, each making one record of its own. Wait, if the
        source needs to, until the connector listens (a syslog listener binds at start)."""

    def stored(self, hub: Hub, connector_id: str) -> list[int]:
        """The numbers of the messages stored, once per stored record (twice if stored twice)."""


@contextmanager
def streaming(hub: Hub, connector_id: str) -> Iterator[tuple[Future[SyncRun], threading.Event]]:
    """Run a streaming connector through the runtime in a thread, as ``iochub serve`` does;
    yields the run's future and the hub's stop event, which is set when the block ends."""
    stop = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(run_sync, hub, connector_id, stop=stop)
        try:
            yield future, stop
        finally:
            stop.set()


def wait_until(condition: Any, what: str, timeout: float = WAIT_SECONDS) -> None:
    """Poll ``condition()`` until it holds; fail after ``timeout`` seconds saying ``what``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _once_each(stored: list[int], numbers: Iterable[int]) -> None:
    counts = Counter(stored)
    twice = sorted(number for number, count in counts.items() if count > 1)
    missing = sorted(set(numbers) - set(counts))
    assert not twice and not missing, f"stored twice: {twice}; never stored: {missing}"


class StreamAcceptance:
    """Inherit these tests; provide ``stream_under_test`` -> (hub, id) and ``stream_source``."""

    def test_check_reaches_the_source(self, stream_under_test: tuple[Hub, str]) -> None:
        hub, connector_id = stream_under_test
        configured = hub.connector(connector_id)
        message = configured.create(ConnectorContext(connector_id)).check()
        assert isinstance(message, str) and message.strip()

    def test_every_message_sent_is_stored_once(
        self, stream_under_test: tuple[Hub, str], stream_source: StreamSource
    ) -> None:
        hub, connector_id = stream_under_test
        with streaming(hub, connector_id) as (run, _stop):
            stream_source.send(range(1, 6))
            result = run.result(timeout=WAIT_SECONDS * 2)
        assert result.status in OK, result.error
        assert_accounted(result)
        assert result.records_written > 0
        _once_each(stream_source.stored(hub, connector_id), range(1, 6))

    def test_nothing_is_acknowledged_before_it_is_committed(
        self, stream_under_test: tuple[Hub, str], stream_source: StreamSource
    ) -> None:
        if not stream_source.redelivers:
            pytest.skip("the source cannot deliver a message again: nothing to acknowledge")
        hub, connector_id = stream_under_test
        stop = threading.Event()
        connector = hub.connector(connector_id).create(ConnectorContext(connector_id, stop=stop))
        stream = connector.read({}, full=False)
        stream_source.send([1, 2])
        read = []
        for item in stream:  # the run dies at its first checkpoint, before the commit
            if isinstance(item, Checkpoint):
                break
            read.append(item)
        stop.set()
        stream.close()
        assert read, "the connector yielded no record before its first checkpoint"
        assert stream_source.stored(hub, connector_id) == []

        result = run_sync(hub, connector_id)
        assert result.status in OK, result.error
        assert_accounted(result)
        _once_each(stream_source.stored(hub, connector_id), [1, 2])

    def test_a_restart_resumes_without_loss_or_duplicates(
        self, stream_under_test: tuple[Hub, str], stream_source: StreamSource
    ) -> None:
        hub, connector_id = stream_under_test
        with streaming(hub, connector_id) as (run, stop):
            stream_source.send([1, 2, 3])
            wait_until(
                lambda: len(stream_source.stored(hub, connector_id)) >= 3, "the first messages"
            )
            stop.set()  # the hub shuts down
            first = run.result(timeout=WAIT_SECONDS)
        assert first.status in OK, first.error
        if stream_source.redelivers:  # sent while the hub is away: the source keeps them
            stream_source.send([4, 5, 6])
        with streaming(hub, connector_id) as (run, _stop):
            if not stream_source.redelivers:
                stream_source.send([4, 5, 6])
            second = run.result(timeout=WAIT_SECONDS * 2)
        assert second.status in OK, second.error
        assert_accounted(second)
        _once_each(stream_source.stored(hub, connector_id), range(1, 7))
