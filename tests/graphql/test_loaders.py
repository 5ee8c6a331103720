"""Nested fields load through DataLoaders: the number of SQL statements does not grow with rows."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import event

from hub.core import Hub
from hub.model import AdminLevel, AdminUnit, Succession, SuccessionKind
from tests.graphql.conftest import REFORM, Seed, add_event, data

UNITS = """query($within: ID!) {
  adminUnits(level: COMMUNE, within: $within, asOf: "2025-01-01") {
    code
    parent { code parent { code } }
    children { code }
    successors { code predecessors { code } }
    predecessors { code }
  } }"""

EVENTS = """query($first: Int) { events(first: $first) { edges { node {
    sourceId unit { code parent { code } } } } } }"""

CONNECTORS = """{ connectors { id lastRun { id connector { id } } runs(last: 2) { id } } }"""


@contextmanager
def statements(hub: Hub) -> Iterator[list[str]]:
    """The SQL statements run on the hub's database meanwhile, from any thread."""
    seen: list[str] = []
    lock = threading.Lock()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        with lock:
            seen.append(statement)

    event.listen(hub.db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(hub.db.engine, "before_cursor_execute", count)


def add_district(hub: Hub, seed: Seed, code: str, communes: int) -> None:
    """A legacy district of Kon Tum with ``communes`` communes, each merged into a new one."""
    with hub.db.session() as session:
        district = AdminUnit(
            identity=f"{code}@",
            code=code,
            name=f"District {code}",
            level=AdminLevel.DISTRICT,
            parent_id=seed.units[("62", "legacy")],
            valid_to=REFORM - timedelta(days=1),
        )
        session.add(district)
        session.flush()
        for number in range(communes):
            commune_code = f"{code}{number:02d}"
            old = AdminUnit(
                identity=f"{commune_code}@",
                code=commune_code,
                name="Old",
                level=AdminLevel.COMMUNE,
                parent_id=district.id,
                valid_to=REFORM - timedelta(days=1),
            )
            new = AdminUnit(
                identity=f"{commune_code}@{REFORM}",
                code=commune_code,
                name="New",
                level=AdminLevel.COMMUNE,
                parent_id=seed.units[("51", "new")],
                valid_from=REFORM,
            )
            session.add_all([old, new])
            session.flush()
            session.add(
                Succession(
                    predecessor_id=old.id,
                    successor_id=new.id,
                    effective=REFORM,
                    kind=SuccessionKind.MERGE,
                )
            )


def test_units_with_nested_fields_take_a_bounded_number_of_statements(
    client: TestClient, hub: Hub, seed: Seed
) -> None:
    add_district(hub, seed, "701", communes=10)
    add_district(hub, seed, "702", communes=100)
    data(client, UNITS, within="701")  # the process reads the hierarchy once (query cost)
    with statements(hub) as few:
        assert len(data(client, UNITS, within="701")["adminUnits"]) == 10
    with statements(hub) as many:
        units = data(client, UNITS, within="702")["adminUnits"]
    assert len(units) == 100
    assert units[5]["parent"] == {"code": "702", "parent": {"code": "62"}}
    assert units[5]["successors"] == [{"code": "70205", "predecessors": [{"code": "70205"}]}]
    assert len(many) == len(few)
    # `within`: the root, then one statement per level below it; then at most one
    # statement per nested field (parent, its parent, children, successors, …).
    assert len(many) <= 10, many


def test_events_with_their_units_take_a_bounded_number_of_statements(
    client: TestClient, hub: Hub, seed: Seed
) -> None:
    moment = datetime(2025, 3, 1, tzinfo=UTC)
    communes = ["23281", "23284", "23287", "23293", "23311", "23341", "23353", "23368"]
    for number in range(80):
        unit = (communes[number % len(communes)], "legacy")
        add_event(hub, seed, f"e{number}", moment + timedelta(minutes=number), unit)
    with statements(hub) as few:
        data(client, EVENTS, first=5)
    with statements(hub) as many:
        edges = data(client, EVENTS, first=80)["events"]["edges"]
    assert len(edges) == 80
    assert len(many) == len(few) <= 3


def test_connectors_with_runs_take_a_bounded_number_of_statements(
    client: TestClient, hub: Hub, seed: Seed
) -> None:
    with statements(hub) as seen:
        connectors = data(client, CONNECTORS)["connectors"]
    assert [len(c["runs"]) for c in connectors] == [2, 0]
    assert len(seen) <= 4  # connectors, last runs, recent runs, the runs' connector
