"""Rows written straight through the driver read back as SQLAlchemy would have written them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from hub.core import Hub
from hub.ingest.writer import NATURAL_KEYS, TABLES, upsert
from hub.model import AdminLevel, AdminUnit, Metric, Observation
from hub.model.bulk import COPY_FROM, ROWS_PER_STATEMENT

WRITTEN_AT = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)


def rows(metric_id: int, unit_id: int, count: int, value: float) -> list[dict[str, Any]]:
    """``count`` observations, one per day of 2026, all of the same cell."""
    cell = {"sex": "F", "note": "Kon Tum – Đắk Hà"}
    return [
        {
            "metric_id": metric_id,
            "unit_id": unit_id,
            "calendar": "GREGORIAN",
            "period_type": "DAY",
            "period": day.isoformat(),
            "period_start": day,
            "period_end": day,
            "dims_key": "note=Kon Tum – Đắk Hà|sex=F",
            "dims": cell,  # one dictionary shared by every row, as the normaliser does
            "value": value + n,
            "source": "test",
            "source_record_id": None,
            "sync_run_id": None,
            "updated_at": WRITTEN_AT,
        }
        for n, day in enumerate(
            date.fromordinal(date(2026, 1, 1).toordinal() + i) for i in range(count)
        )
    ]


def hub_with_a_metric_and_a_unit(make_hub: Callable[..., Hub]) -> tuple[Hub, int, int]:
    hub = make_hub({"metrics": {"m": {"name": "M", "sector": "test", "aggregation": "SUM"}}})
    with hub.db.session() as session:
        metric_id = session.scalar(select(Metric.id).where(Metric.code == "m"))
        unit = AdminUnit(identity="t", code="99", name="T", level=AdminLevel.PROVINCE)
        session.add(unit)
        session.flush()
        return hub, metric_id, unit.id


SIZES = [COPY_FROM - 1, 3 * COPY_FROM, 2 * ROWS_PER_STATEMENT + 7]
"""PostgreSQL: by statement, by COPY; SQLite: a row a statement, many rows a statement and
the rest one by one."""


@pytest.mark.parametrize("count", SIZES)
def test_written_rows_read_back_whole_and_a_second_write_updates_them(
    make_hub: Callable[..., Hub], count: int
) -> None:
    hub, metric_id, unit_id = hub_with_a_metric_and_a_unit(make_hub)
    table, key = TABLES["observations"], NATURAL_KEYS["observations"]
    with hub.db.session() as session:
        upsert(session, table, rows(metric_id, unit_id, count, 1.5), key)
    with hub.db.session() as session:
        ids = dict(session.execute(select(Observation.period, Observation.id)).all())
        upsert(session, table, rows(metric_id, unit_id, count, 100.0), key)
    with hub.db.session() as session:
        stored = session.scalars(select(Observation).order_by(Observation.period)).all()
        assert session.scalar(select(func.count()).select_from(Observation)) == count
    assert [o.value for o in stored] == [100.0 + n for n in range(count)]
    assert {o.period: o.id for o in stored} == ids  # updated in place
    first = stored[0]
    assert (first.period_start, first.period_end) == (date(2026, 1, 1), date(2026, 1, 1))
    assert first.dims == {"sex": "F", "note": "Kon Tum – Đắk Hà"}
    assert first.updated_at == WRITTEN_AT


@pytest.mark.parametrize("count", SIZES)
def test_a_write_of_stored_and_new_rows_inserts_the_new_and_updates_the_stored(
    make_hub: Callable[..., Hub], count: int
) -> None:
    """On PostgreSQL a batch is first copied into the table itself; a stored key makes the
    database refuse that copy, and the batch goes the staging table's way, losing nothing."""
    hub, metric_id, unit_id = hub_with_a_metric_and_a_unit(make_hub)
    table, key = TABLES["observations"], NATURAL_KEYS["observations"]
    every = rows(metric_id, unit_id, count, 100.0)
    with hub.db.session() as session:
        upsert(session, table, rows(metric_id, unit_id, count // 2, 1.5), key)
    with hub.db.session() as session:
        upsert(session, table, every, key)
    with hub.db.session() as session:
        stored = session.scalars(select(Observation).order_by(Observation.period)).all()
    assert [(o.period, o.value) for o in stored] == [(r["period"], r["value"]) for r in every]
