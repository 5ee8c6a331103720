"""The API's fixtures: a hub with a test plugin and seeded data, and a client of its app.

The seed is a small, real corner of the 2025 reform: Kon Tum (62) until 30 June 2025 with two
of its districts and some communes, the new Quảng Ngãi (51) from 1 July 2025 with the communes
they merged into (23293 Phường Thắng Lợi lives on as the code of Phường Kon Tum), and Hà Nội
(01), a province the reform did not change: one record, parent of its old district and of
its new communes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from hub.core import Hub
from hub.graphql.app import create_app
from hub.model import (
    AdminLevel,
    AdminUnit,
    Event,
    QuarantinedRecord,
    RunStatus,
    Succession,
    SuccessionKind,
    SyncRun,
)
from hub.plugins.manager import Plugins
from tests.graphql import plugin

LEGACY_END = date(2025, 6, 30)
REFORM = date(2025, 7, 1)
ICT = timedelta(hours=7)

CONFIG: dict[str, Any] = {
    "connectors": {
        "kontum-feedback": {"plugin": "testplugin", "kind": "static", "schedule": "*/15 * * * *"},
        "kontum-traffic": {"plugin": "testplugin", "kind": "static", "enabled": False},
    },
}

# (code, name, level, parent code, legacy?) — legacy units end on 30 June 2025,
# the others start on 1 July 2025; Hà Nội's record spans both.
LEGACY_UNITS = [
    ("62", "Tỉnh Kon Tum", AdminLevel.PROVINCE, None),
    ("51", "Tỉnh Quảng Ngãi", AdminLevel.PROVINCE, None),
    ("608", "Thành phố Kon Tum", AdminLevel.DISTRICT, "62"),
    ("610", "Huyện Đắk Glei", AdminLevel.DISTRICT, "62"),
    ("23281", "Phường Quang Trung", AdminLevel.COMMUNE, "608"),
    ("23284", "Phường Duy Tân", AdminLevel.COMMUNE, "608"),
    ("23287", "Phường Quyết Thắng", AdminLevel.COMMUNE, "608"),
    ("23293", "Phường Thắng Lợi", AdminLevel.COMMUNE, "608"),
    ("23311", "Xã Đăk Cấm", AdminLevel.COMMUNE, "608"),
    ("23341", "Thị trấn Đắk Glei", AdminLevel.COMMUNE, "610"),
    ("23353", "Xã Đắk Pék", AdminLevel.COMMUNE, "610"),
    ("23368", "Xã Đăk Long", AdminLevel.COMMUNE, "610"),
    ("001", "Quận Ba Đình", AdminLevel.DISTRICT, "01"),
    ("00001", "Phường Phúc Xá", AdminLevel.COMMUNE, "001"),
    ("00004", "Phường Trúc Bạch", AdminLevel.COMMUNE, "001"),
]
NEW_UNITS = [
    ("51", "Tỉnh Quảng Ngãi", AdminLevel.PROVINCE, None),
    ("23284", "Phường Đăk Cấm", AdminLevel.COMMUNE, "51"),
    ("23293", "Phường Kon Tum", AdminLevel.COMMUNE, "51"),
    ("23341", "Xã Đăk Pék", AdminLevel.COMMUNE, "51"),
    ("23368", "Xã Đăk Long", AdminLevel.COMMUNE, "51"),
    ("00004", "Phường Ba Đình", AdminLevel.COMMUNE, "01"),
    ("00097", "Phường Hồng Hà", AdminLevel.COMMUNE, "01"),
]
# new code ← legacy codes
SUCCESSIONS = {
    "51": ["62", "51"],
    "23284": ["23284", "23311"],
    "23293": ["23281", "23287", "23293"],
    "23341": ["23341", "23353"],
    "23368": ["23368"],
    "00004": ["00004"],
    "00097": ["00001"],
}


@dataclass
class Seed:
    """The ids of what was seeded, by (code, "legacy" | "new") for units."""

    units: dict[tuple[str, str], int] = field(default_factory=dict)
    runs: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Hub:
    plugins = Plugins.load(entry_points=False, extra=[("testplugin", plugin.plugin)])
    return make_hub(CONFIG, with_plugins=plugins)


@pytest.fixture
def seed(hub: Hub) -> Seed:
    seeded = Seed()
    with hub.db.session() as session:
        hanoi = AdminUnit(
            identity="01@", code="01", name="Thành phố Hà Nội", level=AdminLevel.PROVINCE
        )
        session.add(hanoi)
        session.flush()
        seeded.units[("01", "legacy")] = seeded.units[("01", "new")] = hanoi.id
        for era, units, start, end in (
            ("legacy", LEGACY_UNITS, None, LEGACY_END),
            ("new", NEW_UNITS, REFORM, None),
        ):
            for code, name, level, parent in units:
                row = AdminUnit(
                    identity=f"{code}@{start or ''}",
                    code=code,
                    name=name,
                    level=level,
                    parent_id=seeded.units[(parent, era)] if parent else None,
                    valid_from=start,
                    valid_to=end,
                )
                session.add(row)
                session.flush()
                seeded.units[(code, era)] = row.id
        for new, olds in SUCCESSIONS.items():
            for old in olds:
                kind = SuccessionKind.CONTINUE if new == old == "23368" else SuccessionKind.MERGE
                session.add(
                    Succession(
                        predecessor_id=seeded.units[(old, "legacy")],
                        successor_id=seeded.units[(new, "new")],
                        effective=REFORM,
                        kind=kind,
                    )
                )
        _seed_runs(session, seeded)
    return seeded


def _seed_runs(session: Any, seeded: Seed) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for number, status in enumerate([RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED]):
        run = SyncRun(
            connector_id="kontum-feedback",
            status=status,
            trigger="schedule",
            started_at=start + timedelta(hours=number),
            finished_at=start + timedelta(hours=number, minutes=5),
            records_read=10,
            records_written=10 - number,
            records_quarantined=number,
            error="source answered 503" if status == RunStatus.FAILED else None,
        )
        session.add(run)
        session.flush()
        seeded.runs[status] = run.id
    for number in range(5):
        session.add(
            QuarantinedRecord(
                connector_id="kontum-feedback",
                record_key=f"seeded-{number}",
                sync_run_id=seeded.runs[RunStatus.PARTIAL],
                reason=f"unknown unit {number}",
                place=f"line {number}",
                payload={"n": number},
            )
        )


def add_event(
    hub: Hub,
    seed: Seed,
    source_id: str,
    occurred_at: datetime,
    unit: tuple[str, str] | None,
    sector: str = "feedback",
    kind: str = "feedback.case",
    severity: int | None = None,
    status: str | None = "open",
) -> int:
    with hub.db.session() as session:
        row = Event(
            sector=sector,
            kind=kind,
            title=f"Event {source_id}",
            status=status,
            severity=severity,
            occurred_at=occurred_at,
            unit_id=seed.units[unit] if unit else None,
            attributes={"id": source_id},
            source="seed",
            source_id=source_id,
        )
        session.add(row)
        session.flush()
        return row.id


@pytest.fixture
def client(hub: Hub, seed: Seed) -> Iterator[TestClient]:
    with TestClient(create_app(hub)) as client:
        yield client


def graphql(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    """The whole response of a GraphQL request (data and errors)."""
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return response.json()


def data(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    """The data of a GraphQL request that must succeed."""
    body = graphql(client, query, **variables)
    assert "errors" not in body, body["errors"]
    return body["data"]


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment given in Vietnam's time, as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - ICT
