"""Placing a retired code: a source that still files data under a commune merged in 2025."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import select

from hub.connectors.runtime import UNIT_RESOLVERS
from hub.model import AdminLevel, AdminUnit
from hub.model.database import Database
from hub.units import queries
from hub.units.queries import UnitResolver
from tests.units.reference import number, rows

AFTER_REFORM = date(2026, 1, 15)


def _kon_tum_successions() -> dict[str, list[str]]:
    """Legacy Kon Tum commune code → the 2025 commune codes it went into, from the CSV."""
    successors: dict[str, list[str]] = defaultdict(list)
    for row in rows("succession_legacy_to_2025.csv"):
        if number(row["provinceCode"]) == 62:
            successors[f"{number(row['wardCode']):05d}"].append(f"{number(row['newWardCode']):05d}")
    return successors


def test_a_retired_code_is_placed_in_the_commune_it_merged_into(loaded: Database) -> None:
    successions = _kon_tum_successions()
    new_codes = {code for codes in successions.values() for code in codes}
    retired = sorted(c for c, to in successions.items() if len(to) == 1 and c not in new_codes)
    assert retired, "Kon Tum has communes whose code was retired in 2025"
    with loaded.session() as session:
        resolver = UnitResolver(session)
        for code in retired:
            assert resolver.resolve(code, AFTER_REFORM) is None
            placed = session.get_one(AdminUnit, resolver.place(code, AFTER_REFORM))
            assert placed.code == successions[code][0]
            assert placed.valid_on(AFTER_REFORM)


def test_a_code_still_in_use_is_not_redirected(loaded: Database) -> None:
    with loaded.session() as session:
        resolver = UnitResolver(session)
        assert resolver.place("23293", AFTER_REFORM) == resolver.resolve("23293", AFTER_REFORM)
        before = date(2024, 1, 1)
        assert resolver.place("23293", before) == resolver.resolve("23293", before)


def test_a_divided_commune_cannot_be_placed(loaded: Database) -> None:
    divided = {
        f"{number(r['wardCode']):05d}"
        for r in rows("succession_legacy_to_2025.csv")
        if r["isDividedWard"] == "True" and number(r["provinceCode"]) in (62, 51)
    }
    with loaded.session() as session:
        resolver = UnitResolver(session)
        new_codes = set(
            session.scalars(select(AdminUnit.code).where(AdminUnit.valid_from == date(2025, 7, 1)))
        )
        retired_divided = sorted(divided - new_codes)
        assert retired_divided == ["21142"]  # the one divided commune of the two provinces
        for code in retired_divided:
            assert resolver.place(code, AFTER_REFORM) is None


def _centre(code: int) -> tuple[float, float]:
    row = next(r for r in rows("communes_2025_with_location.csv") if number(r["wardCode"]) == code)
    return float(row["wardLat"]), float(row["wardLon"])


def test_a_point_is_placed_in_the_commune_with_the_nearest_centre(loaded: Database) -> None:
    lat, lon = _centre(23293)
    with loaded.session() as session:
        resolver = UnitResolver(session)
        found = resolver.nearest_commune(lat + 0.001, lon - 0.001, AFTER_REFORM)
        assert session.get_one(AdminUnit, found).code == "23293"
        assert resolver.nearest_commune(10.0, 110.0, AFTER_REFORM) is None  # the open sea
        assert resolver.nearest_commune(lat, lon, date(2024, 1, 1)) is None  # no 2024 centres


def test_a_resolver_that_starts_afresh_places_every_code_the_same(
    loaded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    successions = _kon_tum_successions()
    new_codes = {code for codes in successions.values() for code in codes}
    retired = sorted(c for c, to in successions.items() if len(to) == 1 and c not in new_codes)
    with loaded.session() as session:
        remembering = UnitResolver(session)
        expected = {code: remembering.place(code, AFTER_REFORM) for code in retired}
        monkeypatch.setattr(queries, "MAX_PLACED", 2)
        forgetting = UnitResolver(session)
        for code in retired * 2:
            assert forgetting.place(code, AFTER_REFORM) == expected[code]
            assert forgetting.retired_code(code, AFTER_REFORM) == code
        assert len(forgetting._placed) <= 2


def test_runs_share_one_resolver_until_the_unit_tables_change(loaded: Database) -> None:
    with loaded.session() as session:
        first = UNIT_RESOLVERS.get(session)
        assert UNIT_RESOLVERS.get(session) is first
        assert first.resolve("99999", date(2027, 2, 1)) is None
        province = session.scalars(select(AdminUnit).where(AdminUnit.code == "51")).first()
        assert province is not None
        session.add(
            AdminUnit(
                identity="test:99999",
                code="99999",
                name="Xã Thử",
                level=AdminLevel.COMMUNE,
                parent_id=province.id,
                valid_from=date(2027, 1, 1),
            )
        )
        session.commit()
    with loaded.session() as session:
        after_the_reform = UNIT_RESOLVERS.get(session)
    assert after_the_reform is not first
    assert after_the_reform.resolve("99999", date(2027, 2, 1)) is not None
