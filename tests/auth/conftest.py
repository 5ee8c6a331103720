"""Access control's fixtures: the API's seeded corner of the 2025 reform, with auth on.

The units are those of tests/graphql (Kon Tum and its districts until 30 June 2025, the new
Quảng Ngãi and its merged communes since, Hà Nội). Events, alerts and observations are
seeded in every unit record, of several sectors; :func:`expected_territory` computes each
principal's territory from the seed's own tables, independently of hub.auth.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
from litestar.testing import TestClient

from hub.connectors.records import Observation as Record
from hub.connectors.runtime import load_records
from hub.core import Hub
from hub.graphql.app import create_app
from hub.model import AdminLevel, Alert, Event, RunStatus
from hub.plugins.manager import Plugins
from tests.auth.support import bearer, mint
from tests.graphql import plugin
from tests.graphql.conftest import (
    CONFIG,
    LEGACY_UNITS,
    NEW_UNITS,
    SUCCESSIONS,
    Seed,
)
from tests.graphql.conftest import seed as seed

LEGACY_DAY, NEW_DAY = date(2025, 3, 1), date(2026, 3, 1)
UnitKey = tuple[str, str]
"""A unit record: (code, "legacy" | "new"); Hà Nội (01) is one record, keyed "legacy"."""

AUTH_CONFIG: dict[str, Any] = {
    **CONFIG,
    "auth": {"required": True, "rate_limit": 0, "failed_sign_ins": 0},
    # The matrix asks for every event (500) with every nested path of its unit at once.
    "server": {"max_cost": 100_000},
    "metrics": {"visits": {"name": "Clinic visits", "sector": "health"}},
    "alerts": {
        "incident": {"name": "Incident", "event_kind": "test.incident", "severity": 3},
        "many_visits": {
            "name": "Many visits",
            "metric": "visits",
            "above": 1000,
            "period_type": "MONTH",
        },
    },
}
SECTORS = ("health", "security", "feedback")
KIND_OF = {"health": "health.visit", "security": "test.incident", "feedback": "feedback.case"}
RULE_OF = {"security": "incident", "health": "many_visits"}
"""The alert rule of each sector's alerts (feedback has none)."""


@dataclass(frozen=True)
class Who:
    """A principal of the matrix: its token's role and scope."""

    label: str
    role: str
    units: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()


PRINCIPALS = [
    Who("admin", "admin"),
    Who("leader", "leader"),
    Who("health officer", "sector_officer", sectors=("health",)),
    Who("security+feedback officer", "sector_officer", sectors=("security", "feedback")),
    Who("traffic officer", "sector_officer", sectors=("traffic",)),
    Who("Phường Kon Tum officer", "unit_officer", units=("23293",)),
    Who("Xã Đăk Pék officer", "unit_officer", units=("23341",)),
    Who("Quảng Ngãi officer", "unit_officer", units=("51",)),
    Who("Phường Ba Đình officer", "unit_officer", units=("00004",)),
    Who("Hà Nội officer", "unit_officer", units=("01",)),
    Who("feedback service of Xã Đăk Long", "service", units=("23368",), sectors=("feedback",)),
]


def all_units() -> set[UnitKey]:
    return (
        {("01", "legacy")}
        | {(c, "legacy") for c, *_ in LEGACY_UNITS}
        | {(c, "new") for c, *_ in NEW_UNITS}
    )


def _parent_of() -> dict[UnitKey, UnitKey | None]:
    parents: dict[UnitKey, UnitKey | None] = {("01", "legacy"): None}
    for era, units in (("legacy", LEGACY_UNITS), ("new", NEW_UNITS)):
        for code, _, _, parent in units:
            key = "legacy" if parent == "01" else era
            parents[(code, era)] = (parent, key) if parent else None
    return parents


def expected_territory(who: Who) -> set[UnitKey] | None:
    """The unit records ``who`` may see (None: all), from the seed's tables alone.

    The unit is the record valid today (2026) with the code; its territory is it, what was
    ever below it, and what it was made of (SUCCESSIONS), recursively.
    """
    if not who.units:
        return None
    parents = _parent_of()
    found: set[UnitKey] = set()
    for code in who.units:
        frontier = {(code, "legacy") if code == "01" else (code, "new")}
        while frontier:
            found |= frontier
            below = {unit for unit, parent in parents.items() if parent in frontier}
            merged = {
                (old, "legacy")
                for new, olds in SUCCESSIONS.items()
                for old in olds
                if (new, "new") in frontier
            }
            frontier = (below | merged) - found
    return found


def sees_unit(who: Who, unit: UnitKey | None) -> bool:
    territory = expected_territory(who)
    return territory is None or (unit is not None and unit in territory)


def sees_sector(who: Who, sector: str) -> bool:
    return not who.sectors or sector in who.sectors


@dataclass
class World:
    """The seeded hub and what was seeded, by unit record."""

    hub: Hub
    seed: Seed
    events: dict[str, tuple[UnitKey | None, str]] = field(default_factory=dict)
    """Each event's source id → (its unit record, its sector)."""
    alerts: dict[int, tuple[UnitKey, str]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    """A token secret per principal label."""

    def unit_key(self, unit_id: int) -> UnitKey:
        keys = [key for key, value in self.seed.units.items() if value == unit_id]
        return min(keys)  # Hà Nội's one record is both ("01", "legacy") and ("01", "new")

    def headers(self, who: Who) -> dict[str, str]:
        return bearer(self.tokens[who.label])


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Hub:
    plugins = Plugins.load(entry_points=False, extra=[("testplugin", plugin.plugin)])
    return make_hub(AUTH_CONFIG, with_plugins=plugins)


@pytest.fixture
def world(hub: Hub, seed: Seed) -> World:
    built = World(hub, seed)
    moments = {
        "legacy": datetime(2025, 3, 10, 3, tzinfo=UTC),
        "new": datetime(2026, 3, 10, 3, tzinfo=UTC),
    }
    with hub.db.session() as session:
        for number, (code, era) in enumerate(sorted(all_units())):
            for sector in SECTORS:
                source_id = f"{code}-{era}-{sector}"
                row = Event(
                    sector=sector,
                    kind=KIND_OF[sector],
                    title=source_id,
                    status="open",
                    severity=1 + number % 4,
                    occurred_at=moments[era],
                    unit_id=seed.units[(code, era)],
                    attributes={},
                    source="seed",
                    source_id=source_id,
                )
                session.add(row)
                session.flush()
                built.events[source_id] = ((code, era), sector)
                if sector in RULE_OF:
                    alert = Alert(
                        rule=RULE_OF[sector],
                        cause=f"event:{row.id}",
                        severity=3,
                        message=source_id,
                        unit_id=row.unit_id,
                        event_id=row.id,
                        raised_at=moments[era],
                    )
                    session.add(alert)
                    session.flush()
                    built.alerts[alert.id] = ((code, era), sector)
        session.add(
            Event(
                sector="security",
                kind="test.incident",
                title="nowhere",
                occurred_at=moments["new"],
                unit_id=None,
                attributes={},
                source="seed",
                source_id="nowhere",
            )
        )
        built.events["nowhere"] = (None, "security")
    records = [
        Record("visits", code, month, 10, {})
        for code, _, level, _ in LEGACY_UNITS
        if level == AdminLevel.COMMUNE
        for month in ("2025-01", "2025-02")
    ] + [
        Record("visits", code, "2026-01", 20, {})
        for code, _, level, _ in NEW_UNITS
        if level == AdminLevel.COMMUNE
    ]
    run = load_records(hub, "seed", iter(records))
    assert run.status == RunStatus.SUCCEEDED, run.error
    for who in PRINCIPALS:
        built.tokens[who.label] = mint(hub, who.label, who.role, who.units, who.sectors)
    return built


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.hub)) as client:
        yield client


def for_every_principal(check: Callable[..., None]) -> Callable[..., None]:
    """A test running ``check(client, world, who, ...)`` for every principal of the matrix,
    on one seeded world (seeding one per principal would multiply the suite's time)."""

    @functools.wraps(check)
    def test(client: TestClient, world: World, **params: Any) -> None:
        for who in PRINCIPALS:
            try:
                check(client, world, who, **params)
            except AssertionError as exc:
                raise AssertionError(f"as {who.label}: {exc}") from exc

    signature = inspect.signature(check)
    test.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p for p in signature.parameters.values() if p.name != "who"]
    )
    return test


def post(
    client: TestClient, query: str, headers: dict[str, str] | None = None, **variables: Any
) -> dict[str, Any]:
    """The whole GraphQL response (HTTP 200 expected)."""
    response = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers or {}
    )
    assert response.status_code == 200, response.text
    return response.json()


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]
