"""Fixtures of the security plugin's tests: hubs with Quảng Ngãi's units, connectors, queries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from iochub_plugins.security.plugin import PLUGIN
from sqlalchemy import select

from hub.connectors.base import Connector, ConnectorContext
from hub.core import Hub
from hub.model import AdminUnit, Event, Observation, QuarantinedRecord
from hub.model import Metric as MetricRow
from hub.units.loader import load_units
from tests.support.http_server import ScriptedServer
from tests.units.reference import QUANG_NGAI, write_subset


@pytest.fixture(scope="session")
def unit_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Quảng Ngãi (which took in Kon Tum in 2025) and the units it came from."""
    return write_subset(tmp_path_factory.mktemp("units"), {QUANG_NGAI})


@pytest.fixture
def security_hub(make_hub: Callable[..., Hub], unit_files: list[Path]) -> Callable[..., Hub]:
    """A hub with these ``[connectors.<id>]`` tables and the units loaded."""

    def build(connectors: dict[str, dict[str, Any]], **config: Any) -> Hub:
        hub = make_hub({"connectors": connectors, **config})
        load_units(hub.db, unit_files)
        return hub

    return build


@pytest.fixture
def http_server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


@pytest.fixture
def make_connector() -> Callable[..., Connector]:
    """A connector of one of the plugin's kinds, from its config table as a dict."""
    kinds = {kind.name: kind.load() for kind in PLUGIN.connector_kinds}

    def build(kind: str, **table: Any) -> Connector:
        connector_class = kinds[kind]
        config = connector_class.config_model.model_validate(table)
        return connector_class(config, ConnectorContext("test", http_timeout=5.0))

    return build


def events(hub: Hub, kind: str) -> list[Event]:
    """The stored events of one kind, with their unit's code in ``unit_code``."""
    with hub.db.session() as session:
        rows = session.execute(
            select(Event, AdminUnit.code)
            .outerjoin(AdminUnit, AdminUnit.id == Event.unit_id)
            .where(Event.kind == kind)
        ).all()
        for event, code in rows:
            event.unit_code = code  # type: ignore[attr-defined]
            session.expunge(event)
    return [event for event, _ in rows]


def observed(hub: Hub, metric: str) -> dict[tuple[str, str, str], float]:
    """(unit code, period, dims key) → the value of ``metric``, summed over the sources."""
    with hub.db.session() as session:
        rows = session.execute(
            select(AdminUnit.code, Observation.period, Observation.dims_key, Observation.value)
            .join(AdminUnit, AdminUnit.id == Observation.unit_id)
            .join(MetricRow, MetricRow.id == Observation.metric_id)
            .where(MetricRow.code == metric)
        ).all()
    values: Counter[tuple[str, str, str]] = Counter()
    for unit, period, dims, value in rows:
        values[(unit, period, dims)] += value
    return dict(values)


def totals(values: dict[tuple[str, str, str], float], **only: str) -> Counter[tuple[str, str]]:
    """(unit, period) → the sum of the values whose dims include ``only``."""
    summed: Counter[tuple[str, str]] = Counter()
    for (unit, period, dims), value in values.items():
        pairs = dict(pair.split("=", 1) for pair in dims.split("|") if pair)
        if all(pairs.get(name) == wanted for name, wanted in only.items()):
            summed[(unit, period)] += value
    return summed


def quarantined(hub: Hub) -> list[QuarantinedRecord]:
    with hub.db.session() as session:
        rows = list(session.scalars(select(QuarantinedRecord).order_by(QuarantinedRecord.id)))
        for row in rows:
            session.expunge(row)
    return rows
