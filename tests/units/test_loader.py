"""Loading units and successions, checked against facts read from the CSVs themselves.

Most tests load a subset (Hà Nội, Quảng Ngãi and Kon Tum) to stay fast; test_vietnam.py
loads the whole country.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from hub.model.database import Database
from hub.model.units import (
    AdminLevel,
    AdminUnit,
    Succession,
    SuccessionKind,
    UnitTablesRevision,
)
from hub.units import LoadSummary, UnitsFileError, bundled_unit_files, load_units
from tests.units.reference import (
    COMMUNES,
    COMMUNES_2025,
    DISTRICTS,
    GSO_SHA256,
    HA_NOI,
    KON_TUM,
    QUANG_NGAI,
    SUBSET,
    SUCCESSION,
    legacy_provinces_of,
    number,
    rows,
    write,
)

LEGACY_END = date(2025, 6, 30)
REFORM = date(2025, 7, 1)


def units_with_code(session: Session, code: str) -> list[AdminUnit]:
    query = select(AdminUnit).where(AdminUnit.code == code).order_by(AdminUnit.id)
    return list(session.scalars(query))


def only(session: Session, code: str, valid_from: date | None = None) -> AdminUnit:
    [unit] = [u for u in units_with_code(session, code) if u.valid_from == valid_from]
    return unit


def child_codes(session: Session, parent_id: int) -> set[int]:
    query = select(AdminUnit.code).where(AdminUnit.parent_id == parent_id)
    return {number(code) for code in session.scalars(query)}


def successions(session: Session) -> list[tuple[AdminUnit, AdminUnit, Succession]]:
    before, after = aliased(AdminUnit), aliased(AdminUnit)
    query = (
        select(before, after, Succession)
        .join(before, Succession.predecessor_id == before.id)
        .join(after, Succession.successor_id == after.id)
    )
    return [tuple(row) for row in session.execute(query)]


def snapshot(database: Database) -> tuple[list[tuple], list[tuple]]:
    """Every unit and succession, as plain values, ids included."""
    with database.session() as session:
        units = session.execute(select(AdminUnit.__table__).order_by(AdminUnit.id)).all()
        links = session.execute(select(Succession.__table__).order_by(Succession.id)).all()
    return [tuple(row) for row in units], [tuple(row) for row in links]


def unit_tables_revision(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(UnitTablesRevision.revision)) or 0


def legacy_rows_of(name: str, province: int) -> list[dict[str, str]]:
    return [row for row in rows(name) if number(row["Mã TP"]) == province]


def test_kon_tum_had_10_districts_and_102_communes_until_the_reform(loaded: Database) -> None:
    districts = {number(row["Mã"]) for row in legacy_rows_of(DISTRICTS, KON_TUM)}
    communes = {number(row["Mã"]) for row in legacy_rows_of(COMMUNES, KON_TUM)}
    assert (len(districts), len(communes)) == (10, 102)

    with loaded.session() as session:
        kon_tum = only(session, "62")
        assert (kon_tum.name, kon_tum.level) == ("Tỉnh Kon Tum", AdminLevel.PROVINCE)
        assert (kon_tum.valid_from, kon_tum.valid_to) == (None, LEGACY_END)
        assert child_codes(session, kon_tum.id) == districts
        loaded_communes = set()
        for district in session.scalars(select(AdminUnit).where(AdminUnit.parent_id == kon_tum.id)):
            assert (district.level, district.valid_to) == (AdminLevel.DISTRICT, LEGACY_END)
            loaded_communes |= child_codes(session, district.id)
        assert loaded_communes == communes


def test_kon_tum_merged_into_quang_ngai_on_1_july_2025(loaded: Database) -> None:
    assert legacy_provinces_of({QUANG_NGAI}) == {QUANG_NGAI, KON_TUM}
    communes_2025 = {
        number(row["wardCode"])
        for row in rows(COMMUNES_2025)
        if number(row["provinceCode"]) == QUANG_NGAI
    }
    assert len(communes_2025) == 96

    with loaded.session() as session:
        assert len(units_with_code(session, "62")) == 1
        old, new = only(session, "51"), only(session, "51", REFORM)
        assert (old.valid_to, new.valid_to) == (LEGACY_END, None)
        assert old.name == new.name == "Tỉnh Quảng Ngãi"
        assert new.lat is not None and new.lon is not None
        assert child_codes(session, new.id) == communes_2025
        merged = {
            (before.code, after.id, link.kind, link.weight)
            for before, after, link in successions(session)
            if before.level == AdminLevel.PROVINCE
        }
        assert merged == {
            ("51", new.id, SuccessionKind.MERGE, 1.0),
            ("62", new.id, SuccessionKind.MERGE, 1.0),
        }


def test_kon_tums_territory_lies_in_40_new_communes(loaded: Database) -> None:
    expected = {
        number(row["newWardCode"])
        for row in rows(SUCCESSION)
        if number(row["provinceCode"]) == KON_TUM
    }
    assert len(expected) == 40

    with loaded.session() as session:
        kon_tum_communes = {number(row["Mã"]) for row in legacy_rows_of(COMMUNES, KON_TUM)}
        successors = {
            after
            for before, after, _ in successions(session)
            if before.level == AdminLevel.COMMUNE and number(before.code) in kon_tum_communes
        }
        assert {number(unit.code) for unit in successors} == expected
        quang_ngai = only(session, "51", REFORM)
        assert {unit.parent_id for unit in successors} == {quang_ngai.id}
        assert {unit.valid_from for unit in successors} == {REFORM}


def test_code_23293_names_two_units_one_after_the_other(loaded: Database) -> None:
    with loaded.session() as session:
        thang_loi, kon_tum = units_with_code(session, "23293")
        links = [(a.id, b.id, s.kind) for a, b, s in successions(session) if a.code == "23293"]
    assert (thang_loi.name, thang_loi.valid_from, thang_loi.valid_to) == (
        "Phường Thắng Lợi",
        None,
        LEGACY_END,
    )
    assert (kon_tum.name, kon_tum.valid_from, kon_tum.valid_to) == ("Phường Kon Tum", REFORM, None)
    assert (thang_loi.identity, kon_tum.identity) == ("23293@", "23293@2025-07-01")
    assert links == [(thang_loi.id, kon_tum.id, SuccessionKind.MERGE)]


def test_a_province_that_kept_its_territory_is_one_record(loaded: Database) -> None:
    assert legacy_provinces_of({HA_NOI}) == {HA_NOI}
    districts = {number(row["Mã"]) for row in legacy_rows_of(DISTRICTS, HA_NOI)}
    communes_2025 = {
        number(row["wardCode"]) for row in rows(COMMUNES_2025) if number(row["provinceCode"]) == 1
    }

    with loaded.session() as session:
        [ha_noi] = units_with_code(session, "01")
        assert (ha_noi.identity, ha_noi.valid_from, ha_noi.valid_to) == ("01@", None, None)
        assert ha_noi.name == "Thành phố Hà Nội" and ha_noi.unit_type == "Thành phố"
        assert ha_noi.lat is not None
        assert child_codes(session, ha_noi.id) == districts | communes_2025
        assert not [s for s in successions(session) if ha_noi in (s[0], s[1])]


def test_a_divided_commune_is_split_in_equal_shares_that_sum_to_1(loaded: Database) -> None:
    parts: dict[int, set[int]] = defaultdict(set)
    for row in rows(SUCCESSION):
        if number(row["newProvinceCode"]) in SUBSET and row["wardCode"]:
            parts[number(row["wardCode"])].add(number(row["newWardCode"]))
    divided = {code: new for code, new in parts.items() if len(new) > 1}
    assert divided

    with loaded.session() as session:
        weights: dict[int, list[float]] = defaultdict(list)
        for before, after, link in successions(session):
            if link.kind == SuccessionKind.SPLIT:
                weights[number(before.code)].append(link.weight)
                assert number(after.code) in divided[number(before.code)]
    assert weights.keys() == divided.keys()
    for code, shares in weights.items():
        assert len(shares) == len(divided[code])
        assert set(shares) == {1 / len(shares)}
        assert math.isclose(sum(shares), 1.0)


def test_a_commune_neither_merged_nor_divided_continues(loaded: Database) -> None:
    unchanged = {
        (number(row["wardCode"]), number(row["newWardCode"]))
        for row in rows(SUCCESSION)
        if number(row["newProvinceCode"]) in SUBSET and row["isMergedWard"] == "False"
    }
    assert unchanged

    with loaded.session() as session:
        continued = {
            (number(before.code), number(after.code))
            for before, after, link in successions(session)
            if link.kind == SuccessionKind.CONTINUE
        }
    assert continued == unchanged


def test_loading_again_changes_nothing(loaded: Database, subset_files: list[Path]) -> None:
    before, revision = snapshot(loaded), unit_tables_revision(loaded)

    summary = load_units(loaded, subset_files)

    assert not summary.changed
    assert snapshot(loaded) == before
    assert unit_tables_revision(loaded) == revision  # nothing to read again, no roll-up rebuilt


def test_file_order_and_separate_loads_do_not_matter(
    database: Database, subset_files: list[Path]
) -> None:
    districts, communes, communes_2025, succession = subset_files
    load_units(database, [communes, districts])
    load_units(database, [succession, communes_2025])
    before = snapshot(database)

    summary = load_units(database, list(reversed(subset_files)))

    assert not summary.changed
    assert snapshot(database) == before


def test_without_a_succession_file_the_bundled_one_tells_which_provinces_changed(
    database: Database, subset_files: list[Path]
) -> None:
    districts, communes, communes_2025, succession = subset_files

    load_units(database, [communes_2025, districts])

    with database.session() as session:
        assert [(u.valid_from, u.valid_to) for u in units_with_code(session, "01")] == [
            (None, None)
        ]
        assert only(session, "62").valid_to == LEGACY_END
        assert (only(session, "51").valid_to, only(session, "51", REFORM).valid_to) == (
            LEGACY_END,
            None,
        )
    load_units(database, [communes, succession])
    assert not load_units(database, subset_files).changed


def test_a_new_name_or_position_updates_the_unit_in_place(
    loaded: Database, subset_files: list[Path]
) -> None:
    with loaded.session() as session:
        kon_tum_id = only(session, "23293", REFORM).id
    changed = [dict(row) for row in rows(COMMUNES_2025) if number(row["provinceCode"]) in SUBSET]
    for row in changed:
        if row["wardCode"] == "23293":
            row["ward"], row["wardLat"] = "Phường Kon Tum Mới", "14.5"
    communes_2025 = write(subset_files[2], changed)

    summary = load_units(loaded, [communes_2025, subset_files[3]])

    assert summary.updated == {
        AdminLevel.PROVINCE: 0,
        AdminLevel.DISTRICT: 0,
        AdminLevel.COMMUNE: 1,
    }
    assert sum(summary.inserted.values()) == 0
    with loaded.session() as session:
        unit = only(session, "23293", REFORM)
        assert (unit.id, unit.name, unit.lat) == (kon_tum_id, "Phường Kon Tum Mới", 14.5)


def test_a_corrected_succession_replaces_the_old_link(
    loaded: Database, subset_files: list[Path]
) -> None:
    corrected = [dict(row) for row in rows(SUCCESSION) if number(row["newProvinceCode"]) in SUBSET]
    [thang_loi] = [row for row in corrected if row["wardCode"] == "23293.0"]
    thang_loi["newWardCode"] = "23302"  # another Quảng Ngãi commune

    summary = load_units(loaded, [write(subset_files[3], corrected)])

    assert (summary.successions_inserted, summary.successions_deleted) == (1, 1)
    with loaded.session() as session:
        links = {b.code for a, b, _ in successions(session) if a.code == "23293"}
    assert links == {"23302"}


def test_progress_is_reported_for_every_stage(database: Database, subset_files: list[Path]) -> None:
    calls: list[tuple[str, int, int]] = []

    summary = load_units(database, subset_files, progress=lambda *call: calls.append(call))

    last = {stage: (done, total) for stage, done, total in calls}
    assert last == {
        "reading files": (4, 4),
        "provinces": (summary.units[AdminLevel.PROVINCE],) * 2,
        "districts": (summary.units[AdminLevel.DISTRICT],) * 2,
        "communes": (summary.units[AdminLevel.COMMUNE],) * 2,
        "successions": (summary.successions,) * 2,
    }
    assert all(0 <= done <= total for _, done, total in calls)


def test_the_summary_counts_what_was_loaded(database: Database, subset_files: list[Path]) -> None:
    summary = load_units(database, subset_files)

    # Hà Nội once; Kon Tum and Quảng Ngãi before; Quảng Ngãi after.
    assert summary.inserted[AdminLevel.PROVINCE] == 4
    legacy_communes = sum(len(legacy_rows_of(COMMUNES, p)) for p in (HA_NOI, QUANG_NGAI, KON_TUM))
    new_communes = sum(1 for row in rows(COMMUNES_2025) if number(row["provinceCode"]) in SUBSET)
    assert summary.inserted[AdminLevel.COMMUNE] == legacy_communes + new_communes
    assert summary.units == summary.inserted
    assert [kind for _, kind in summary.files] == [
        "legacy districts",
        "legacy communes",
        "2025 communes",
        "succession",
    ]
    assert "successions" in summary.describe()
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Succession)) == summary.successions


@pytest.mark.parametrize(
    "content",
    ["name,population\nHà Nội,8000000\n", "", "Mã,Tên\n01,Hà Nội\n"],
    ids=["other-csv", "empty", "too-few-columns"],
)
def test_a_file_of_another_kind_is_refused(
    database: Database, tmp_path: Path, content: str
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(UnitsFileError) as error:
        load_units(database, [*bundled_unit_files(), path])

    message = str(error.value)
    assert "\n" not in message
    assert str(path) in message
    assert "Mã QH" in message and "newWardCode" in message
    assert snapshot(database) == ([], [])


def test_a_missing_file_is_refused(database: Database, tmp_path: Path) -> None:
    with pytest.raises(UnitsFileError, match="cannot read"):
        load_units(database, [tmp_path / "nowhere.csv"])


def test_a_bad_code_names_the_file_and_line(database: Database, subset_files: list[Path]) -> None:
    broken = [dict(row) for row in legacy_rows_of(DISTRICTS, KON_TUM)]
    broken[2]["Mã TP"] = "Kon Tum"
    path = write(subset_files[0], broken)

    with pytest.raises(UnitsFileError, match=r"line 4: Mã TP: not a GSO code: 'Kon Tum'"):
        load_units(database, [path])


def test_a_2025_province_that_no_succession_file_knows_is_refused(
    database: Database, tmp_path: Path
) -> None:
    [row] = [dict(row) for row in rows(COMMUNES_2025) if row["wardCode"] == "23293"]
    row["provinceCode"] = "99"
    path = write(tmp_path / COMMUNES_2025, [row])

    with pytest.raises(UnitsFileError, match="province 99 is not in any succession file"):
        load_units(database, [path])


def test_successions_need_their_units_and_nothing_is_written_without_them(
    database: Database, subset_files: list[Path]
) -> None:
    with pytest.raises(UnitsFileError, match="neither in the files nor in the database"):
        load_units(database, [subset_files[2], subset_files[3]])

    assert snapshot(database) == ([], [])


def test_the_bundled_files_are_the_reference_data() -> None:
    bundled = bundled_unit_files()
    assert [path.name for path in bundled] == [DISTRICTS, COMMUNES, COMMUNES_2025, SUCCESSION]
    assert (bundled[0].parent / "LICENSE").is_file()
    for path in bundled:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == GSO_SHA256[path.name]


def test_load_summary_starts_at_zero() -> None:
    summary = LoadSummary()
    assert not summary.changed
    assert summary.describe().count("\n") == 3


def test_loading_the_legacy_files_alone_again_keeps_what_the_succession_file_said(
    loaded: Database, subset_files: list[Path]
) -> None:
    before = snapshot(loaded)

    summary = load_units(loaded, subset_files[:2])

    assert not summary.changed
    assert snapshot(loaded) == before


def test_the_2025_communes_alone_again_are_placed_by_what_is_loaded(
    loaded: Database, subset_files: list[Path]
) -> None:
    before = snapshot(loaded)

    summary = load_units(loaded, [subset_files[2]])

    assert not summary.changed
    assert snapshot(loaded) == before
