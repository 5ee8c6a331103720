"""The whole of Vietnam, from the bundled files: counts, the island districts, and speed."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from hub.model.database import Database
from hub.model.units import AdminLevel, AdminUnit, Succession, SuccessionKind
from hub.units import bundled_unit_files, load_units, valid_on
from tests.units.reference import COMMUNES, COMMUNES_2025, DISTRICTS, SUCCESSION, number, rows

BEFORE, AFTER = date(2025, 6, 30), date(2025, 7, 1)


def count(session: Session, level: AdminLevel, day: date | None = None) -> int:
    query = select(func.count()).select_from(AdminUnit).where(AdminUnit.level == level)
    if day is not None:
        query = query.where(valid_on(day))
    return session.scalar(query) or 0


def test_all_of_vietnam_loads_in_seconds_and_again_unchanged(database: Database) -> None:
    legacy_provinces = {number(row["Mã TP"]) for row in rows(DISTRICTS)}
    new_provinces = {number(row["provinceCode"]) for row in rows(COMMUNES_2025)}
    became: dict[int, set[int]] = defaultdict(set)
    for row in rows(SUCCESSION):
        became[number(row["newProvinceCode"])].add(number(row["provinceCode"]))
    kept = {new for new, old in became.items() if old == {new}}
    assert (len(legacy_provinces), len(new_provinces), len(kept)) == (63, 34, 11)

    started = time.perf_counter()
    summary = load_units(database, list(reversed(bundled_unit_files())))
    assert time.perf_counter() - started < 30

    with database.session() as session:
        assert count(session, AdminLevel.PROVINCE, BEFORE) == 63
        assert count(session, AdminLevel.PROVINCE, AFTER) == 34
        assert count(session, AdminLevel.PROVINCE) == 63 + 34 - len(kept)
        assert count(session, AdminLevel.DISTRICT) == len(rows(DISTRICTS)) == 696
        assert count(session, AdminLevel.DISTRICT, AFTER) == 0
        assert count(session, AdminLevel.COMMUNE, BEFORE) == len(rows(COMMUNES)) == 10_035
        assert count(session, AdminLevel.COMMUNE, AFTER) == len(rows(COMMUNES_2025)) == 3_321
        shared = select(AdminUnit.code).where(
            AdminUnit.level == AdminLevel.PROVINCE,
            AdminUnit.valid_from.is_(None),
            AdminUnit.valid_to.is_(None),
        )
        assert {number(code) for code in session.scalars(shared)} == kept
    assert summary.units[AdminLevel.COMMUNE] == 10_035 + 3_321

    again = load_units(database, bundled_unit_files())
    assert not again.changed


def test_every_legacy_commune_passes_on_all_of_its_territory(database: Database) -> None:
    load_units(database, bundled_unit_files())
    before, after = aliased(AdminUnit), aliased(AdminUnit)
    query = (
        select(before.level, before.id, after.valid_from, Succession.weight)
        .join(before, Succession.predecessor_id == before.id)
        .join(after, Succession.successor_id == after.id)
    )
    with database.session() as session:
        shares: dict[int, float] = defaultdict(float)
        for level, unit_id, valid_from, weight in session.execute(query):
            assert valid_from == AFTER
            if level == AdminLevel.COMMUNE:
                shares[unit_id] += weight
        assert len(shares) == len(rows(COMMUNES))
        assert all(math.isclose(total, 1.0) for total in shares.values())
        with_predecessor = select(func.count(func.distinct(Succession.successor_id)))
        assert session.scalar(with_predecessor) == 34 - 11 + 3_321


def test_island_districts_without_communes_became_special_zones(database: Database) -> None:
    islands = {
        (number(row["districtCode"]), number(row["newWardCode"]))
        for row in rows(SUCCESSION)
        if not row["wardCode"]
    }
    assert len(islands) == 5

    load_units(database, bundled_unit_files())

    before, after = aliased(AdminUnit), aliased(AdminUnit)
    query = (
        select(before.code, after.code, after.unit_type, Succession.kind, Succession.weight)
        .join(before, Succession.predecessor_id == before.id)
        .join(after, Succession.successor_id == after.id)
        .where(before.level == AdminLevel.DISTRICT)
    )
    with database.session() as session:
        found = session.execute(query).all()
    assert {(number(d), number(c)) for d, c, *_ in found} == islands
    assert {(kind, weight, unit_type) for *_, unit_type, kind, weight in found} == {
        (SuccessionKind.MERGE, 1.0, "Đặc khu")
    }
