"""Fixtures of the feedback plugin's tests: a portal on a real socket, a fixed clock, Kon Tum's
units, hubs with an ``open311`` connector, and helpers to read back what a sync wrote."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from iochub_plugins.feedback.connector import Open311Connector
from sqlalchemy import select

from hub.connectors.base import Connector, ConnectorContext
from hub.core import Hub
from hub.model import AdminUnit, Metric, Observation, QuarantinedRecord
from hub.model import Event as EventRow
from hub.units import load_units
from tests.plugins.feedback.portal_server import Open311Portal
from tests.units.reference import QUANG_NGAI, write_subset

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 15, 10, 0, tzinfo=VN)
"""The connector's clock in these tests (a Sunday morning in Kon Tum)."""

SERVICES = [
    {
        "service_code": "DUONG_HU",
        "service_name": "Hư hỏng đường, cầu cống",
        "group": "Hạ tầng giao thông",
        "type": "realtime",
        "metadata": "false",
    },
    {
        "service_code": "RAC_THAI",
        "service_name": "Thu gom rác thải",
        "group": "Môi trường",
        "type": "realtime",
        "metadata": "false",
    },
]
KON_TUM_WARD, DAK_HA, SA_THAY = "23293", "23500", "23527"
"""Phường Kon Tum, Xã Đăk Hà, Xã Sa Thầy (2025 communes of Quảng Ngãi, once Kon Tum's)."""
WARD_CENTRE = (14.3545, 108.013)
COMMUNE_NAMES = {"Phường Kon Tum": KON_TUM_WARD, "Xã Đăk Hà": DAK_HA, "Xã Sa Thầy": SA_THAY}


class Clock:
    """The connector's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    ticking = Clock(NOW)
    monkeypatch.setattr(Open311Connector, "clock", ticking)
    return ticking


@pytest.fixture
def portal() -> Iterator[Open311Portal]:
    with Open311Portal(SERVICES, page_size=3) as server:
        yield server


@pytest.fixture(scope="session")
def unit_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The unit lists cut down to Quảng Ngãi and the Kon Tum it took in."""
    return write_subset(tmp_path_factory.mktemp("units"), {QUANG_NGAI})


@pytest.fixture
def feedback_hub(make_hub: Callable[..., Hub], unit_files: list[Path]) -> Callable[..., Hub]:
    """A hub with these connectors (id → table) and Kon Tum's units loaded."""

    def build(connectors: dict[str, dict[str, Any]]) -> Hub:
        hub = make_hub({"connectors": connectors})
        load_units(hub.db, unit_files)
        return hub

    return build


def table(portal: Open311Portal, **options: Any) -> dict[str, Any]:
    """An ``open311`` connector table for the test portal."""
    return {
        "plugin": "feedback",
        "kind": "open311",
        "location": portal.base_url,
        "since": "2025-10-01",
        "unit_field": "commune_code",
        "units": COMMUNE_NAMES,
        **options,
    }


def make_connector(**table: Any) -> Connector:
    """An ``open311`` connector from its table (without plugin and kind)."""
    config = Open311Connector.config_model.model_validate(table)
    return Open311Connector(config, ConnectorContext("test", http_timeout=5.0))


def at(day: str, clock_time: str = "08:00") -> str:
    """A W3C date-time in Vietnam time: ``at("2026-03-02", "14:30")``."""
    return f"{day}T{clock_time}:00+07:00"


def request(request_id: str, requested: str, status: str = "open", **fields: Any) -> dict[str, Any]:
    """A GeoReport v2 request in Phường Kon Tum about road damage, unless told otherwise."""
    return {
        "service_request_id": request_id,
        "status": status,
        "service_code": "DUONG_HU",
        "service_name": "Hư hỏng đường, cầu cống",
        "agency_responsible": "Sở Xây dựng",
        "description": "Ổ gà trên đường",
        "requested_datetime": requested,
        "updated_datetime": requested,
        "commune_code": KON_TUM_WARD,
        **fields,
    }


def stored_events(hub: Hub, source: str) -> dict[str, EventRow]:
    with hub.db.session() as session:
        rows = session.scalars(select(EventRow).where(EventRow.source == source)).all()
        session.expunge_all()
    return {row.source_id: row for row in rows}


def event_units(hub: Hub, source: str) -> dict[str, str | None]:
    query = (
        select(EventRow.source_id, AdminUnit.code)
        .join(AdminUnit, AdminUnit.id == EventRow.unit_id, isouter=True)
        .where(EventRow.source == source)
    )
    with hub.db.session() as session:
        return {source_id: code for source_id, code in session.execute(query)}


Values = dict[tuple[str, str, str, str], float]
"""Observation values by (metric, unit code, period, dims key)."""


def observations(hub: Hub, source: str) -> Values:
    query = (
        select(
            Metric.code, AdminUnit.code, Observation.period, Observation.dims_key, Observation.value
        )
        .join(Metric, Metric.id == Observation.metric_id)
        .join(AdminUnit, AdminUnit.id == Observation.unit_id)
        .where(Observation.source == source, Observation.period_type == "DAY")
    )
    with hub.db.session() as session:
        return {(m, u, p, k): v for m, u, p, k, v in session.execute(query)}


def quarantined(hub: Hub) -> list[str]:
    with hub.db.session() as session:
        query = select(QuarantinedRecord.reason).order_by(QuarantinedRecord.id)
        return list(session.scalars(query))


def local_day(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(VN).date().isoformat()


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def counts(values: Values, metric: str) -> Counter[tuple[str, str, str]]:
    return Counter({(u, p, k): v for (m, u, p, k), v in values.items() if m == metric})
