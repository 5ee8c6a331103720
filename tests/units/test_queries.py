"""Reading the hierarchy: codes on a date, children and descendants, on the loaded subset."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from hub.model.database import Database
from hub.model.units import AdminLevel, AdminUnit
from hub.units import UnitResolver, children, descendants, valid_on
from hub.units.queries import descendants_on_days
from tests.units.reference import (
    COMMUNES,
    COMMUNES_2025,
    DISTRICTS,
    HA_NOI,
    KON_TUM,
    QUANG_NGAI,
    number,
    rows,
)

BEFORE, AFTER = date(2024, 1, 1), date(2025, 8, 1)


def legacy_codes(name: str, province: int) -> set[int]:
    return {number(row["Mã"]) for row in rows(name) if number(row["Mã TP"]) == province}


def codes_2025(province: int) -> set[int]:
    return {
        number(row["wardCode"])
        for row in rows(COMMUNES_2025)
        if number(row["provinceCode"]) == province
    }


def codes(units: list[AdminUnit], level: AdminLevel | None = None) -> set[int]:
    return {number(unit.code) for unit in units if level is None or unit.level == level}


def test_23293_is_thang_loi_before_the_reform_and_kon_tum_after(loaded: Database) -> None:
    with loaded.session() as session:
        resolver = UnitResolver(session)
        before = session.get(AdminUnit, resolver.resolve("23293", BEFORE))
        after = session.get(AdminUnit, resolver.resolve("23293", AFTER))
        assert before is not None and after is not None
        assert (before.name, after.name) == ("Phường Thắng Lợi", "Phường Kon Tum")
        assert resolver.resolve("23293", date(2025, 6, 30)) == before.id
        assert resolver.resolve("23293", date(2025, 7, 1)) == after.id


def test_a_province_that_ended_resolves_only_before(loaded: Database) -> None:
    with loaded.session() as session:
        resolver = UnitResolver(session)
    assert resolver.resolve("62", BEFORE) is not None
    assert resolver.resolve("62", AFTER) is None
    assert resolver.resolve("51", BEFORE) != resolver.resolve("51", AFTER)
    assert resolver.resolve("01", BEFORE) == resolver.resolve("01", AFTER)


def test_unpadded_codes_are_read_only_when_unambiguous(loaded: Database) -> None:
    with loaded.session() as session:
        resolver = UnitResolver(session)
    kon_tum = resolver.resolve("23293", AFTER)
    assert kon_tum is not None
    for spelling in (23293, "23293.0", 23293.0):
        assert resolver.resolve(spelling, AFTER) == kon_tum
    # 1 could be Hà Nội (01), Ba Đình (001) or Phúc Xá (00001): no guess …
    assert {"01", "001", "00001"} <= {
        code for code in ("01", "001", "00001") if resolver.spans(code)
    }
    assert resolver.resolve(1, BEFORE) is None
    # … unless the level says which.
    assert resolver.resolve(1, BEFORE, AdminLevel.PROVINCE) == resolver.resolve("01", BEFORE)
    assert resolver.resolve("1", BEFORE, AdminLevel.DISTRICT) == resolver.resolve("001", BEFORE)
    assert resolver.canonical_code(23293) == "23293"
    for unknown in ("99999", "abc", "", -5, 1.5):
        assert resolver.resolve(unknown, AFTER) is None


def test_the_resolver_holds_every_unit(loaded: Database) -> None:
    with loaded.session() as session:
        resolver = UnitResolver(session)
        assert len(resolver) == len(session.scalars(select(AdminUnit.id)).all())
        assert [span.valid_from for span in resolver.spans("23293")] == [None, date(2025, 7, 1)]


def test_a_kept_province_has_districts_before_and_communes_after(loaded: Database) -> None:
    districts = legacy_codes(DISTRICTS, HA_NOI)
    communes = codes_2025(HA_NOI)
    with loaded.session() as session:
        ha_noi = UnitResolver(session).resolve("01", AFTER)
        assert ha_noi is not None
        assert codes(children(session, ha_noi, BEFORE)) == districts
        assert codes(children(session, ha_noi, AFTER)) == communes
        assert codes(children(session, ha_noi, None)) == districts | communes
        assert [u.level for u in children(session, ha_noi, BEFORE)] == [AdminLevel.DISTRICT] * len(
            districts
        )


def test_descendants_follow_the_hierarchy_of_the_date(loaded: Database) -> None:
    with loaded.session() as session:
        resolver = UnitResolver(session)
        kon_tum = resolver.resolve("62", BEFORE)
        quang_ngai = resolver.resolve("51", AFTER)
        assert kon_tum is not None and quang_ngai is not None

        below_kon_tum = descendants(session, kon_tum, BEFORE)
        assert codes(below_kon_tum, AdminLevel.DISTRICT) == legacy_codes(DISTRICTS, KON_TUM)
        assert codes(below_kon_tum, AdminLevel.COMMUNE) == legacy_codes(COMMUNES, KON_TUM)
        assert [u.level for u in below_kon_tum[:10]] == [AdminLevel.DISTRICT] * 10
        assert descendants(session, kon_tum, AFTER) == []
        assert len(descendants(session, kon_tum, None)) == 112

        below_quang_ngai = descendants(session, quang_ngai, AFTER)
        assert codes(below_quang_ngai) == codes_2025(QUANG_NGAI)
        assert len(below_quang_ngai) == 96


def test_valid_on_is_inclusive_at_both_ends(loaded: Database) -> None:
    with loaded.session() as session:

        def count(day: date) -> int:
            query = select(AdminUnit.id).where(AdminUnit.code == "23293", valid_on(day))
            return len(session.scalars(query).all())

        assert [count(date(2025, 6, 30)), count(date(2025, 7, 1))] == [1, 1]


def test_descendants_on_several_days_match_one_day_at_a_time(loaded: Database) -> None:
    days = [BEFORE, date(2025, 6, 30), date(2025, 7, 1), AFTER]
    with loaded.session() as session:
        for code in ("62", "51", "01"):
            roots = session.scalars(select(AdminUnit).where(AdminUnit.code == code)).all()
            for root in roots:
                found = descendants_on_days(session, root.id, days)
                for day in days:
                    one = descendants(session, root.id, day)
                    assert [u.id for u in found[day]] == [u.id for u in one], (code, day)
