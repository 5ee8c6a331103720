"""Units changed in place (a load that renames or moves a unit, a hand-made fix) are seen by
the next read of the hierarchy, in this process and in any other, without a restart."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from hub.aggregation.hierarchy import Hierarchy
from hub.connectors.records import Observation as Record
from hub.core import Hub
from hub.model import AdminLevel, AdminUnit, RollupMetric, Succession, SuccessionKind
from hub.model.database import Database
from hub.plugins.manager import Plugins
from hub.units import load_units
from tests.aggregation.conftest import CONFIG, add_unit, ask, by_unit_period, load
from tests.units.reference import COMMUNES, QUANG_NGAI, rows, write, write_subset

OLD_MAP = date(2025, 1, 1)
MOVED = "23281"  # Phường Quang Trung, of the city of Kon Tum (608)
KEPT = "23284"  # Phường Duy Tân, of the city of Kon Tum
CITY, DAK_GLEI = "608", "610"


@pytest.fixture
def hub(make_hub: Callable[..., Hub], tmp_path: Path) -> Hub:
    """A hub with the test metrics and the real units of Quảng Ngãi and Kon Tum."""
    hub = make_hub(CONFIG, with_plugins=Plugins.load(entry_points=False))
    load_units(hub.db, write_subset(tmp_path / "units", {QUANG_NGAI}))
    return hub


def _by_district(hub: Hub) -> dict[tuple[str, str], float | None]:
    found = ask(hub, "tested", "MONTH", "2024-01", "2024-01", units=[CITY, DAK_GLEI])
    return by_unit_period(found)


def _name_in_answer(hub: Hub, code: str) -> str:
    [value] = ask(hub, "tested", "MONTH", "2024-01", "2024-01", units=[code], as_of=OLD_MAP)
    return value.unit.name


def test_a_load_that_moves_and_renames_a_commune_changes_the_next_figures(
    hub: Hub, tmp_path: Path
) -> None:
    load(hub, [Record("tested", MOVED, "2024-01", 5), Record("tested", KEPT, "2024-01", 7)])
    assert _by_district(hub) == {(CITY, "2024-01"): 12, (DAK_GLEI, "2024-01"): None}
    assert _name_in_answer(hub, MOVED) == "Phường Quang Trung"
    communes = [dict(row) for row in rows(COMMUNES) if row["Mã TP"] == "62"]
    [moved] = [row for row in communes if row["Mã"] == MOVED]
    moved["Mã QH"], moved["Tên"] = DAK_GLEI, "Phường Quang Trung Mới"

    summary = load_units(hub.db, [write(tmp_path / COMMUNES, communes)])

    assert summary.updated[AdminLevel.COMMUNE] == 1  # in place: the same unit, a new parent
    assert _by_district(hub) == {(CITY, "2024-01"): 7, (DAK_GLEI, "2024-01"): 5}
    assert _name_in_answer(hub, MOVED) == "Phường Quang Trung Mới"


def _add_province(session: Session) -> int:
    province = add_unit(session, "90", AdminLevel.PROVINCE, None)
    return add_unit(session, "90001", AdminLevel.COMMUNE, province).id


def _rename(session: Session, unit_id: int, name: str) -> None:
    session.execute(update(AdminUnit).where(AdminUnit.id == unit_id).values(name=name))


def _name(session: Session, unit_id: int) -> str:
    return Hierarchy.current(session).names[unit_id]


def test_a_change_made_through_another_engine_is_seen(database: Database, db_url: str) -> None:
    """Another engine is another process's view: nothing in memory is shared with it."""
    with database.session() as session:
        unit_id = _add_province(session)
    with database.session() as session:
        assert _name(session, unit_id) == "Unit 90001"
    other = Database(db_url)
    try:
        with other.session() as session:
            _rename(session, unit_id, "Renamed elsewhere")
    finally:
        other.dispose()
    with database.session() as session:
        assert _name(session, unit_id) == "Renamed elsewhere"


def test_every_write_of_a_transaction_is_seen_after_it_commits(database: Database) -> None:
    """A transaction that reads the hierarchy between two of its writes (a cache filled
    halfway through) leaves nothing stale behind once it commits."""
    with database.session() as session:
        unit_id = _add_province(session)
        assert _name(session, unit_id) == "Unit 90001"
        _rename(session, unit_id, "First")
        assert _name(session, unit_id) == "First"
        _rename(session, unit_id, "Second")
        assert _name(session, unit_id) == "Second"
    with database.session() as session:
        assert _name(session, unit_id) == "Second"


def test_a_change_rolled_back_is_never_seen(database: Database) -> None:
    with database.session() as session:
        unit_id = _add_province(session)
    with database.session() as session:
        assert _name(session, unit_id) == "Unit 90001"
    session = Session(database.engine)
    _rename(session, unit_id, "Rolled back")
    assert _name(session, unit_id) == "Rolled back"
    session.rollback()
    session.close()
    with database.session() as session:
        assert _name(session, unit_id) == "Unit 90001"
        _rename(session, unit_id, "Committed")  # as many writes as the one rolled back
    with database.session() as session:
        assert _name(session, unit_id) == "Committed"
        assert session.scalar(select(AdminUnit.name).where(AdminUnit.id == unit_id)) == (
            "Committed"
        )


def test_a_succession_removed_is_seen(database: Database) -> None:
    """Deleting a row that is not the newest (which the highest id never told)."""
    reform, later = date(2025, 7, 1), date(2026, 1, 1)
    with database.session() as session:
        old = add_unit(session, "90", AdminLevel.PROVINCE, None, valid_to=date(2025, 6, 30)).id
        new = add_unit(session, "91", AdminLevel.PROVINCE, None, valid_from=reform).id
        newest = add_unit(session, "92", AdminLevel.PROVINCE, None, valid_from=later).id
        kind = SuccessionKind.MERGE
        for before, after, day in ((old, new, reform), (new, newest, later)):
            session.add(
                Succession(predecessor_id=before, successor_id=after, effective=day, kind=kind)
            )
    with database.session() as session:
        assert [link.other for link in Hierarchy.current(session).successors[old]] == [new]
    with database.session() as session:
        session.execute(delete(Succession).where(Succession.predecessor_id == old))
    with database.session() as session:
        assert old not in Hierarchy.current(session).successors


def _rollups_built(hub: Hub) -> list[tuple[str, object]]:
    """Each metric's roll-up signature and when its roll-ups were last built."""
    with hub.db.session() as session:
        found = session.execute(select(RollupMetric.signature, RollupMetric.updated_at))
        return sorted((signature, built) for signature, built in found)


def test_a_unit_renamed_keeps_the_rollups_and_one_moved_rebuilds_them(hub: Hub) -> None:
    """A rebuild of every metric costs minutes at national scale: a new name is no reason."""
    load(hub, [Record("tested", MOVED, "2024-01", 5), Record("tested", KEPT, "2024-01", 7)])
    assert _by_district(hub) == {(CITY, "2024-01"): 12, (DAK_GLEI, "2024-01"): None}
    built = _rollups_built(hub)
    assert built
    with hub.db.session() as session:
        _rename(session, session.scalar(select(AdminUnit.id).where(AdminUnit.code == MOVED)), "X")

    assert _name_in_answer(hub, MOVED) == "X"
    assert _by_district(hub) == {(CITY, "2024-01"): 12, (DAK_GLEI, "2024-01"): None}
    assert _rollups_built(hub) == built

    with hub.db.session() as session:
        district = session.scalar(select(AdminUnit.id).where(AdminUnit.code == DAK_GLEI))
        moved = update(AdminUnit).where(AdminUnit.code == MOVED).values(parent_id=district)
        session.execute(moved)

    assert _by_district(hub) == {(CITY, "2024-01"): 7, (DAK_GLEI, "2024-01"): 5}
    rebuilt = _rollups_built(hub)
    assert [signature for signature, _ in rebuilt] != [signature for signature, _ in built]
