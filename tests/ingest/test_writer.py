"""The writer's upserts: each key stored once with its latest values, duplicates counted.

A batch that mixes new keys with stored ones (a stream counting an incident on with every
alert) finds the stored keys first, inserts the new rows and updates only the stored ones;
this checks that what is stored and what is counted is what a row-by-row upsert would give.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from hub.connectors.records import Checkpoint, Event, Item
from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import Event as EventRow
from hub.model import SyncRun
from hub.model.bulk import COPY_FROM
from hub.plugins.manager import Plugins
from tests.connectors import scripted

MANY = COPY_FROM + 20
"""New rows enough to be copied (PostgreSQL) beside the stored ones."""


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Iterator[Hub]:
    plugins = Plugins.load(extra=[("scripted", scripted.plugin)])
    yield make_hub(
        {"connectors": {"src": {"plugin": "scripted", "kind": "scripted", "script": "writer"}}},
        with_plugins=plugins,
    )
    scripted.SCRIPTS.clear()


def _event(number: int, title: str) -> Event:
    moment = datetime(2026, 11, 2, 3, number % 60, tzinfo=UTC)
    return Event("security.alert", f"e{number}", moment, title=title, attributes={"n": number})


def _run(hub: Hub, items: list[Item]) -> SyncRun:
    scripted.SCRIPTS["writer"] = lambda state, full: iter(items)
    return run_sync(hub, "src")


def _stored(hub: Hub) -> dict[str, tuple[Any, ...]]:
    with hub.db.session() as session:
        rows = session.execute(
            select(EventRow.source_id, EventRow.title, EventRow.attributes, EventRow.sync_run_id)
        )
        return {source_id: (title, attributes, run) for source_id, title, attributes, run in rows}


def test_batches_of_new_and_stored_keys_store_the_latest_values_once(hub: Hub) -> None:
    first = [_event(n, "v1") for n in range(MANY)]
    again = [_event(n, "v2") for n in range(5)]  # stored by the run's first batch
    new = [_event(n, "v1") for n in range(MANY, 2 * MANY)]
    run = _run(hub, [*first, Checkpoint({"batch": 1}), *again, *new, Checkpoint({"batch": 2})])
    assert (run.records_read, run.records_written, run.records_duplicate) == (
        2 * MANY + 5,
        2 * MANY,
        5,
    )
    stored = _stored(hub)
    assert len(stored) == 2 * MANY
    assert {stored[f"e{n}"][0] for n in range(5)} == {"v2"}
    assert {stored[f"e{n}"][0] for n in range(5, 2 * MANY)} == {"v1"}
    assert stored["e3"][1] == {"n": 3}

    # A later run: a stored key is written again (not a duplicate of this run), and a new one.
    later = _run(hub, [_event(3, "v3"), *[_event(n, "v1") for n in range(2 * MANY, 3 * MANY)]])
    assert (later.records_written, later.records_duplicate) == (MANY + 1, 0)
    stored = _stored(hub)
    assert len(stored) == 3 * MANY
    assert stored["e3"] == ("v3", {"n": 3}, later.id)
    assert stored["e4"] == ("v2", {"n": 4}, run.id)
    assert stored[f"e{2 * MANY}"] == ("v1", {"n": 2 * MANY}, later.id)


def test_a_key_given_twice_in_one_batch_keeps_the_later_and_counts_a_duplicate(hub: Hub) -> None:
    run = _run(hub, [_event(1, "first"), _event(2, "other"), _event(1, "second")])
    assert (run.records_written, run.records_duplicate) == (2, 1)
    assert _stored(hub)["e1"][0] == "second"
