"""Fixtures of the aggregation tests: a hub with one metric of each kind, units, a loader.

Most tests use a small made-up province (codes 90…, never real ones), one record per unit
valid throughout, so that only aggregation is at play. The tests of the 2025 reform load
the real units of Quảng Ngãi and of the Kon Tum it absorbed (see ``test_reform.py``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import make_url

from hub.aggregation import AggregateRequest, AggregateValue, Limits, aggregate
from hub.config import settings_from_dict
from hub.connectors.records import Checkpoint, Item
from hub.connectors.records import Observation as Record
from hub.connectors.runtime import load_records
from hub.core import Hub
from hub.model import AdminLevel, AdminUnit, Observation, Rollup, RollupMetric, RunStatus
from hub.periods import PeriodType
from hub.plugins.manager import Plugins
from tests.conftest import POSTGRES_ADMIN_URL
from tests.support.names import unique_name

METRICS: dict[str, dict[str, Any]] = {
    "cases": {"aggregation": "SUM", "disaggregations": ["sex", "age"]},
    "inpatients": {"aggregation": "AVERAGE_SUM_UNITS"},
    "class_size": {"aggregation": "AVERAGE"},
    "beds": {"aggregation": "LAST"},
    "stock": {"aggregation": "LAST", "carry_forward_months": 12},
    "price": {"aggregation": "LAST_AVERAGE_UNITS"},
    "low_water": {"aggregation": "MIN"},
    "peak_water": {"aggregation": "MAX"},
    "peak_flow": {"aggregation": "MAX", "disaggregations": ["gauge"]},
    "status_code": {"aggregation": "NONE"},
    "tested": {"aggregation": "SUM", "disaggregations": ["sex"]},
    "positive": {"aggregation": "SUM", "disaggregations": ["sex"]},
    "inpatient_days": {"aggregation": "SUM"},
    "population": {"aggregation": "LAST"},
}
INDICATORS: dict[str, dict[str, Any]] = {
    "positivity": {"numerator": "positive", "denominator": "tested", "factor": 100},
    "occupancy": {"numerator": "inpatient_days", "denominator": "beds * days", "factor": 100},
    "net": {"numerator": "tested - positive"},
}
CONFIG: dict[str, Any] = {
    "metrics": {
        code: {"name": code.replace("_", " ").capitalize(), "sector": "test", **spec}
        for code, spec in METRICS.items()
    },
    "indicators": {
        code: {"name": code.capitalize(), "sector": "test", **spec}
        for code, spec in INDICATORS.items()
    },
    "aggregation": {"max_values": 500},
}

PROVINCE = "90"
DISTRICTS = {"901": ["90001", "90002", "90003"], "902": ["90004", "90005"]}
COMMUNES = [code for codes in DISTRICTS.values() for code in codes]
DAY = date(2024, 6, 1)


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Hub:
    """A hub with the test metrics and the made-up province 90, its districts and communes.

    The sector plugins stay out: their definitions would mix with (and clash with) the test's.
    """
    return province_hub(make_hub, CONFIG)


def province_hub(make_hub: Callable[..., Hub], config: dict[str, Any]) -> Hub:
    """A hub with ``config`` (the test metrics) and the made-up province 90."""
    hub = make_hub(config, with_plugins=Plugins.load(entry_points=False))
    with hub.db.session() as session:
        province = add_unit(session, PROVINCE, AdminLevel.PROVINCE, None)
        for district_code, communes in DISTRICTS.items():
            district = add_unit(session, district_code, AdminLevel.DISTRICT, province)
            for commune in communes:
                add_unit(session, commune, AdminLevel.COMMUNE, district)
    return hub


@pytest.fixture(scope="module")
def module_db_url(
    backend: str, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, migrated database shared by one module's tests (which only read it)."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("module") / "hub.db"
        shutil.copyfile(template_db, path)
        yield f"sqlite:///{path}"
        return
    name = unique_name("iochub_m")
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(statement: str) -> None:
    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


def hub_on(url: str) -> Hub:
    """A prepared hub with the test metrics on the database at ``url``."""
    raw = {**CONFIG, "database": {"url": url}, "auth": {"required": False}}
    settings = settings_from_dict(raw, os.environ)
    hub = Hub.create(settings, Plugins.load(entry_points=False))
    hub.prepare()
    return hub


@pytest.fixture
def client(hub: Hub) -> Iterator[TestClient]:
    from hub.graphql.app import create_app

    with TestClient(create_app(hub)) as client:
        yield client


def add_unit(
    session: Any,
    code: str,
    level: AdminLevel,
    parent: AdminUnit | None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> AdminUnit:
    unit = AdminUnit(
        identity=f"{code}@{valid_from or ''}",
        code=code,
        name=f"Unit {code}",
        level=level,
        parent_id=parent.id if parent else None,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    session.add(unit)
    session.flush()
    return unit


def load(hub: Hub, records: Iterable[Record], source: str = "test", every: int = 7) -> None:
    """Load records as ``iochub import`` does, committing every ``every`` records.

    Several commits make the roll-ups follow by increments, not only by a first build.
    """
    items: list[Item] = []
    for number, record in enumerate(records, start=1):
        items.append(record)
        if number % every == 0:
            items.append(Checkpoint({"n": number}))
    run = load_records(hub, source, iter(items))
    assert run.status == RunStatus.SUCCEEDED, run.error


def ask(
    hub: Hub, metric: str, period_type: str, start: str, end: str, **options: Any
) -> list[AggregateValue]:
    """The engine's answer (options are AggregateRequest's; ``as_of`` defaults to mid-2024)."""
    options.setdefault("as_of", DAY)
    for name in ("units", "by"):
        if name in options and options[name] is not None:
            options[name] = tuple(options[name])
    limits = Limits(max_values=options.pop("max_values", 10_000))
    request = AggregateRequest(metric, PeriodType(period_type), start, end, **options)
    return aggregate(hub.db, request, limits)


def by_unit_period(values: list[AggregateValue]) -> dict[tuple[str, str], float | None]:
    return {(v.unit.code, v.period): v.value for v in values}


def forget_data(hub: Hub) -> None:
    """Remove every observation and roll-up (between the examples of a property test)."""
    with hub.db.session() as session:
        for table in (Rollup, RollupMetric, Observation):
            session.execute(delete(table))
