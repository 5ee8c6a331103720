"""Threshold rules: a value past a bound, for a unit of a level and a period, raises one alert."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hub.connectors.records import Observation
from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import AdminLevel, AdminUnit, Alert
from hub.periods import PeriodType, period_of
from hub.plugins.manager import Plugins
from tests.connectors import scripted

COMMUNES = {"23281": "608", "23284": "608", "23341": "610"}
RULES = {
    "commune-week": {
        "metric": "cases",
        "period_type": "WEEK",
        "level": "COMMUNE",
        "above": 20,
        "severity": 3,
    },
    "district-month": {
        "metric": "cases",
        "period_type": "MONTH",
        "level": "DISTRICT",
        "above": 60,
        "severity": 4,
    },
}


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Hub:
    hub = make_hub(
        {
            "connectors": {"src": {"plugin": "scripted", "kind": "scripted", "script": "cases"}},
            "alerts": RULES,
        },
        with_plugins=Plugins.load(extra=[("scripted", scripted.plugin)]),
    )
    with hub.db.session() as session:
        province = AdminUnit(identity="62@", code="62", name="Kon Tum", level=AdminLevel.PROVINCE)
        session.add(province)
        session.flush()
        districts = {}
        for code in sorted(set(COMMUNES.values())):
            districts[code] = AdminUnit(
                identity=f"{code}@",
                code=code,
                name=f"Huyện {code}",
                level=AdminLevel.DISTRICT,
                parent_id=province.id,
            )
            session.add(districts[code])
        session.flush()
        for code, district in COMMUNES.items():
            session.add(
                AdminUnit(
                    identity=f"{code}@",
                    code=code,
                    name=f"Xã {code}",
                    level=AdminLevel.COMMUNE,
                    parent_id=districts[district].id,
                )
            )
    return hub


def daily_cases(values: dict[tuple[str, date], int]) -> None:
    scripted.SCRIPTS["cases"] = lambda state, full: iter(
        Observation("cases", unit, day.isoformat(), value, {"sex": "F"})
        for (unit, day), value in values.items()
    )


def expected_alerts(values: dict[tuple[str, date], int]) -> set[tuple[str, str, str]]:
    """The alerts, computed by plain sums over the same values (the second method)."""
    weekly: dict[tuple[str, str], int] = defaultdict(int)
    monthly: dict[tuple[str, str], int] = defaultdict(int)
    for (unit, day), value in values.items():
        weekly[(unit, period_of(day, PeriodType.WEEK).id)] += value
        monthly[(COMMUNES[unit], period_of(day, PeriodType.MONTH).id)] += value
    return {("commune-week", u, p) for (u, p), v in weekly.items() if v > 20} | {
        ("district-month", u, p) for (u, p), v in monthly.items() if v > 60
    }


def raised(hub: Hub) -> set[tuple[str, str, str]]:
    with hub.db.session() as session:
        rows = session.execute(select(Alert.rule, AdminUnit.code, Alert.period).join(AdminUnit))
        return {tuple(row) for row in rows}  # type: ignore[misc]


def test_threshold_alerts_match_plain_sums_and_are_raised_once(hub: Hub) -> None:
    start = date(2026, 3, 2)  # a Monday
    values = {
        (unit, start + timedelta(days=d)): (d * 3 + i) % 9
        for i, unit in enumerate(COMMUNES)
        for d in range(40)
    }
    daily_cases(values)
    run_sync(hub, "src")
    first = raised(hub)
    assert first == expected_alerts(values)
    assert first, "the data must cross some bounds for the test to mean anything"

    run_sync(hub, "src", full=True)
    assert raised(hub) == first

    late_peak = ("commune-week", "23341", "2026-W16")
    assert late_peak not in first
    values[("23341", start + timedelta(days=42))] = 50  # an outbreak in week 16
    daily_cases(values)
    run_sync(hub, "src", full=True)
    assert raised(hub) == expected_alerts(values)
    assert late_peak in raised(hub) - first
