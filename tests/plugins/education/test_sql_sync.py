"""The ``sql`` kind end to end: a legacy school database in MariaDB, synced by the hub's runtime
into SQLite and PostgreSQL, every figure checked against MariaDB's own ``GROUP BY``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from iochub_plugins.education import periods, sql_source
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from hub.config import ConfigError
from hub.connectors.base import ConnectorContext
from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import ConnectorState, RunStatus, SyncRun
from tests.plugins.education import legacy_db
from tests.plugins.education.conftest import SCHOOL_YEAR, SchoolServer
from tests.plugins.education.legacy_db import LAST_CHANGE, PLACEABLE, SUCCESSOR_OF, execute
from tests.plugins.education.proxy import CuttingProxy
from tests.plugins.education.support import facilities, quarantined, values, written
from tests.support.names import unique_name

SOURCE = "schools-db"
MONTH = periods.month_id(periods.today())
AFTER = LAST_CHANGE + timedelta(hours=1)


@pytest.fixture
def hub(legacy: SchoolServer, edu_hub: Callable[..., Hub]) -> Hub:
    return edu_hub({SOURCE: legacy_db.config(legacy.url)})


def saved_state(hub: Hub) -> dict[str, Any]:
    with hub.db.session() as session:
        return dict(session.get_one(ConnectorState, SOURCE).state)


def save_state(hub: Hub, state: dict[str, Any]) -> None:
    with hub.db.session() as session:
        session.get_one(ConnectorState, SOURCE).state = state


def schools_written(hub: Hub, run: SyncRun) -> set[str]:
    """The schools with a value written by ``run``."""
    return {
        r.dims["school"] for r in written(hub, SOURCE) if r.run == run.id and "school" in r.dims
    }


def placeable(found: dict[tuple[str, ...], int]) -> dict[tuple[str, ...], int]:
    return {key: n for key, n in found.items() if key[0] in PLACEABLE and n}


def assert_matches_the_database(hub: Hub, legacy: SchoolServer) -> None:
    """Every count the hub holds for this month is the database's, school by school."""
    engine = legacy.engine
    pupils = values(hub, SOURCE, "pupils_enrolled", "school", "grade", "sex")
    assert pupils == placeable(legacy_db.expected_pupils(engine, SCHOOL_YEAR))
    classes = values(hub, SOURCE, "school_classes", "school", "grade")
    assert classes == placeable(legacy_db.expected_classes(engine, SCHOOL_YEAR))
    teachers = values(hub, SOURCE, "teachers", "school", "sex")
    assert teachers == placeable(legacy_db.expected_teachers(engine))
    exams = legacy_db.expected_exams(engine)
    key = ("school", "period", "sex")
    assert values(hub, SOURCE, "exam_candidates", *key) == {k: n for k, (n, _) in exams.items()}
    assert values(hub, SOURCE, "exam_passes", *key) == {k: p for k, (_, p) in exams.items() if p}
    population = values(hub, SOURCE, "school_age_population", "unit", "period", "level")
    assert population == legacy_db.expected_population(engine)


def test_the_first_sync_writes_what_the_database_holds(hub: Hub, legacy: SchoolServer) -> None:
    run = run_sync(hub, SOURCE)

    assert run.status == RunStatus.PARTIAL, run.error  # the faults are quarantined
    assert_matches_the_database(hub, legacy)
    stocks = {
        r.period
        for r in written(hub, SOURCE)
        if r.metric != "exam_candidates"
        and r.metric not in ("exam_passes", "school_age_population")
    }
    assert stocks == {MONTH}


def test_each_school_reports_its_whole_grid_and_a_closed_school_zeros(hub: Hub) -> None:
    run_sync(hub, SOURCE)

    pupils = values(hub, SOURCE, "pupils_enrolled", "school", "grade", "sex", nonzero=False)
    per_school = Counter(key[0] for key in pupils)
    assert per_school == {"K01": 10, "K02": 10, "K03": 8, "K04": 18, "K05": 6, "K09": 10}
    assert {n for key, n in pupils.items() if key[0] == "K09"} == {0}
    schools = values(hub, SOURCE, "schools", "school", "level", nonzero=False)
    assert schools[("K09", "primary")] == 0
    assert schools[("K04", "primary_lower_secondary")] == 1
    assert sum(schools.values()) == len(PLACEABLE) - 1


def test_schools_filed_under_a_merged_commune_are_placed_in_its_successor(
    hub: Hub, legacy: SchoolServer
) -> None:
    run_sync(hub, SOURCE)

    placed = facilities(hub, SOURCE)
    for school in legacy_db.SCHOOLS:
        if school.code in PLACEABLE:
            unit, valid_from, _ = placed[school.code]
            assert (unit, valid_from) == (SUCCESSOR_OF[school.commune], date(2025, 7, 1))
    # K01 (Quang Trung) and K02 (Quyết Thắng) both went into Phường Kon Tum: each keeps its
    # own values there, neither overwrites the other.
    in_kon_tum = [r for r in written(hub, SOURCE, "pupils_enrolled") if r.unit == "23293"]
    expected = legacy_db.expected_pupils(legacy.engine, SCHOOL_YEAR)
    schools_there = {"K01", "K02", "K03", "K05"}
    assert {r.dims["school"] for r in in_kon_tum} == schools_there
    assert sum(r.value or 0 for r in in_kon_tum) == sum(
        n for (school, _, _), n in expected.items() if school in schools_there
    )


def test_what_cannot_be_placed_or_counted_is_quarantined_and_the_run_goes_on(
    hub: Hub,
) -> None:
    run = run_sync(hub, SOURCE)
    reasons = quarantined(hub, SOURCE, run)

    def having(*parts: str) -> list[str]:
        return [r for r in reasons if all(part in r for part in parts)]

    assert len(having("table dm_truong, row ma_truong=K08", "no commune code")) == 1
    assert len(having("table lop_hoc, row id=", "no grade")) == 1
    assert len(having("table hoc_sinh, row ma_hs=", "no grade (its class")) == (
        legacy_db.NO_GRADE_CLASS_PUPILS
    )
    assert len(having("class '999999' is not in the classes table")) == legacy_db.ORPHAN_PUPILS
    assert len(having("table hoc_sinh", ": no sex")) == 1
    assert len(having("sex 7 is not known")) == 1
    assert len(having("table bien_che_gv, row id=", "negative count -2")) == 1
    for table, source_table in (
        ("classes", "lop_hoc"),
        ("pupils", "hoc_sinh"),
        ("teachers", "bien_che_gv"),
    ):
        found = having(f"{table}: ", "of school 'K08', which was quarantined (table dm_truong")
        assert len(found) == 1 and f"first: table {source_table}, row" in found[0]
    # K06 (no commune 99999) and K07 (Trà Bùi, divided in 2025) cannot be placed by the hub.
    assert len(having("unknown unit '99999'")) > 1
    assert len(having("unknown unit '21142'")) > 1
    assert run.records_quarantined == len(reasons)
    assert set(facilities(hub, SOURCE)) == set(PLACEABLE)


def test_an_incremental_sync_recounts_only_the_schools_that_changed(
    hub: Hub, legacy: SchoolServer
) -> None:
    first = run_sync(hub, SOURCE)
    pupil = legacy_db.query(
        legacy.engine,
        """
        SELECT h.ma_hs FROM hoc_sinh h JOIN lop_hoc l ON l.id = h.lop_id
        WHERE l.ma_truong = 'K02' AND l.nam_hoc = :year AND h.trang_thai = 'Đang học'
        ORDER BY h.ma_hs LIMIT 1""",
        year=f"{SCHOOL_YEAR}-{SCHOOL_YEAR + 1}",
    )[0][0]
    execute(
        legacy.engine,
        "UPDATE hoc_sinh SET trang_thai = 'Thôi học', ngay_cap_nhat = :t WHERE ma_hs = :pupil",
        t=AFTER,
        pupil=pupil,
    )
    execute(
        legacy.engine,
        "UPDATE dm_truong SET trang_thai = 0, ngay_cap_nhat = :t WHERE ma_truong = 'K04'",
        t=AFTER,
    )
    execute(
        legacy.engine,
        "UPDATE bien_che_gv SET so_luong = so_luong + 3, ngay_cap_nhat = :t "
        "WHERE ma_truong = 'K05' AND gioi_tinh = 'Nữ'",
        t=AFTER,
    )

    second = run_sync(hub, SOURCE)

    # K01's pupils without a known sex are not read again, so nothing is quarantined.
    assert second.status == RunStatus.SUCCEEDED, second.error
    assert second.records_read < first.records_read
    assert_matches_the_database(hub, legacy)
    rewritten = schools_written(hub, second)
    # K01 (and K05, in the exam results) hold the newest time the first run saw: the cursor
    # knows their rows by primary key (ties at its boundary), so K01 is not recounted.
    assert rewritten == {"K02", "K04", "K05"}
    assert values(hub, SOURCE, "schools", "school", nonzero=False)[("K04",)] == 0
    assert saved_state(hub)["cursors"]["teachers"]["value"] == AFTER.isoformat()


def test_the_state_of_an_earlier_release_is_read_and_upgraded(
    hub: Hub, legacy: SchoolServer
) -> None:
    run_sync(hub, SOURCE)
    tables = ("schools", "classes", "pupils", "teachers", "results", "population")
    # What releases before the kit's cursor saved: the newest mark of each table, no ties.
    old = {"month": MONTH, "marks": {table: LAST_CHANGE.isoformat() for table in tables}}
    execute(
        legacy.engine,
        "UPDATE bien_che_gv SET so_luong = 37, ngay_cap_nhat = :t "
        "WHERE ma_truong = 'K03' AND gioi_tinh = 'Nữ'",
        t=AFTER,
    )
    save_state(hub, old)

    second = run_sync(hub, SOURCE)

    assert second.status == RunStatus.PARTIAL, second.error
    rewritten = schools_written(hub, second)
    # Incremental from the old marks: the rows at a mark are read again once (no ties were
    # kept then), then only what changed.
    assert rewritten == {"K01", "K03", "K05"}
    assert values(hub, SOURCE, "teachers", "school", "sex")[("K03", "female")] == 37
    assert_matches_the_database(hub, legacy)
    upgraded = saved_state(hub)
    assert set(upgraded) == {"month", "cursors"}
    assert upgraded["cursors"]["teachers"]["value"] == AFTER.isoformat()
    assert upgraded["cursors"]["schools"] == {"value": LAST_CHANGE.isoformat(), "ties": ["K01"]}

    third = run_sync(hub, SOURCE)

    assert not schools_written(hub, third)


def test_a_row_changed_at_the_same_time_as_the_last_run_saw_is_not_missed(
    hub: Hub, legacy: SchoolServer
) -> None:
    run_sync(hub, SOURCE)
    # A row that committed after the first run read, stamped with the same second as the
    # newest row that run saw.
    execute(
        legacy.engine,
        "UPDATE bien_che_gv SET so_luong = 40, ngay_cap_nhat = :t "
        "WHERE ma_truong = 'K03' AND gioi_tinh = 'Nữ'",
        t=LAST_CHANGE,
    )

    run_sync(hub, SOURCE)

    assert values(hub, SOURCE, "teachers", "school", "sex")[("K03", "female")] == 40


def test_a_row_deleted_outright_is_seen_by_a_full_sync_and_by_the_next_month(
    hub: Hub, legacy: SchoolServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_sync(hub, SOURCE)
    execute(legacy.engine, "DELETE FROM bien_che_gv WHERE ma_truong = 'K02' AND gioi_tinh = 'Nam'")
    before = values(hub, SOURCE, "teachers", "school", "sex")[("K02", "male")]

    run_sync(hub, SOURCE)  # a deletion leaves no time behind: the incremental run cannot see it
    assert values(hub, SOURCE, "teachers", "school", "sex")[("K02", "male")] == before

    run_sync(hub, SOURCE, full=True)
    assert values(hub, SOURCE, "teachers", "school", "sex", nonzero=False)[("K02", "male")] == 0

    next_month = date.fromisoformat(f"{MONTH}-01") + timedelta(days=31)
    monkeypatch.setattr(periods, "today", lambda: next_month)
    run = run_sync(hub, SOURCE)
    month = periods.month_id(next_month)
    recounted = [r for r in written(hub, SOURCE, "teachers") if r.period == month]
    assert {r.dims["school"] for r in recounted} == set(PLACEABLE)  # every school, anew
    assert run.records_read > 0


def test_check_names_the_server_and_what_it_found(hub: Hub, legacy: SchoolServer) -> None:
    message = hub.connector(SOURCE).create(ConnectorContext(SOURCE)).check()

    assert message.startswith("mysql ")
    assert legacy.name in message
    assert f"{len(legacy_db.SCHOOLS)} rows in the schools table dm_truong" in message


def test_a_reader_account_with_its_password_in_the_environment(
    legacy: SchoolServer, edu_hub: Callable[..., Hub], monkeypatch: pytest.MonkeyPatch
) -> None:
    user, password = unique_name("iochub_ro"), "p@ss:w/rd#1%"
    legacy.admin_execute(
        f"CREATE USER IF NOT EXISTS '{user}'@'%' IDENTIFIED BY '{password}'",
        f"GRANT SELECT ON `{legacy.name}`.* TO '{user}'@'%'",
    )
    try:
        monkeypatch.setenv("EDU_DB_PASSWORD", password)
        url = legacy.url.replace("root@", f"{user}@")
        hub = edu_hub(
            {
                "ok": legacy_db.config(url, password="${EDU_DB_PASSWORD}"),
                "wrong": legacy_db.config(url, password="not-the-password"),
            }
        )

        assert run_sync(hub, "ok").status == RunStatus.PARTIAL
        refused = run_sync(hub, "wrong")
    finally:
        legacy.admin_execute(f"DROP USER IF EXISTS '{user}'@'%'")

    assert refused.status == RunStatus.FAILED
    assert refused.attempts == 1  # bad credentials are not retried
    assert "check the credentials" in (refused.error or "")
    assert password not in (refused.error or "") and "not-the-password" not in refused.error


def test_an_unreachable_server_is_retried_then_fails_with_a_clear_message(
    edu_hub: Callable[..., Hub],
) -> None:
    url = "mysql+pymysql://reader:secret@127.0.0.1:1/qlth"
    hub = edu_hub({SOURCE: legacy_db.config(url, connect_timeout=2)})

    run = run_sync(hub, SOURCE)

    assert run.status == RunStatus.FAILED
    assert run.attempts == hub.settings.runtime.retry_attempts
    assert "127.0.0.1:1/qlth" in (run.error or "") and "secret" not in (run.error or "")


def test_a_mapping_that_names_a_missing_column_fails_and_lists_the_columns(
    legacy: SchoolServer, edu_hub: Callable[..., Hub]
) -> None:
    table = legacy_db.config(legacy.url)
    table["pupils"] = {**table["pupils"], "sex": "gioitinh"}
    hub = edu_hub({SOURCE: table})

    run = run_sync(hub, SOURCE)

    assert (run.status, run.attempts) == (RunStatus.FAILED, 1)
    assert "table hoc_sinh has no column 'gioitinh'" in (run.error or "")
    assert "gioi_tinh" in (run.error or "")


def test_a_database_without_modification_times_is_read_in_full_every_time(
    legacy: SchoolServer, edu_hub: Callable[..., Hub]
) -> None:
    table = legacy_db.config(legacy.url)
    for name in ("schools", "classes", "pupils", "teachers", "results", "population"):
        table[name] = {k: v for k, v in table[name].items() if k != "modified"}
    hub = edu_hub({SOURCE: table})

    first = run_sync(hub, SOURCE)
    execute(
        legacy.engine,
        "UPDATE bien_che_gv SET so_luong = 41 WHERE ma_truong = 'K05' AND gioi_tinh = 'Nam'",
    )
    second = run_sync(hub, SOURCE)

    assert second.records_read == first.records_read
    assert values(hub, SOURCE, "teachers", "school", "sex")[("K05", "male")] == 41
    assert_matches_the_database(hub, legacy)


def test_a_connection_that_breaks_off_mid_read_is_read_again_and_loses_nothing(
    legacy: SchoolServer, edu_hub: Callable[..., Hub]
) -> None:
    server = make_url(legacy.url)
    with CuttingProxy((server.host or "127.0.0.1", server.port or 3306)) as proxy:
        url = server.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
        hub = edu_hub({SOURCE: legacy_db.config(url)})
        connector = hub.connector(SOURCE).create(ConnectorContext(SOURCE))
        whole = sum(1 for _ in connector.read({}, full=True))
        proxy.cut_next(after_bytes=proxy.served // 2)

        run = run_sync(hub, SOURCE)

    assert (run.status, run.attempts, proxy.connections) == (RunStatus.PARTIAL, 2, 3)
    assert run.records_read == whole - 1  # every item but the checkpoint, read once
    assert_matches_the_database(hub, legacy)


def test_any_database_sqlalchemy_reaches_will_do(
    edu_hub: Callable[..., Hub], tmp_path: Path
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'qlth.db'}")
    legacy_db.reset(engine, SCHOOL_YEAR)
    hub = edu_hub({SOURCE: legacy_db.config(f"sqlite:///{tmp_path / 'qlth.db'}")})

    run = run_sync(hub, SOURCE)

    assert run.status == RunStatus.PARTIAL, run.error
    pupils = values(hub, SOURCE, "pupils_enrolled", "school", "grade", "sex")
    assert pupils == placeable(legacy_db.expected_pupils(engine, SCHOOL_YEAR))
    engine.dispose()


def test_tables_are_read_page_by_page_whatever_their_key(
    hub: Hub, legacy: SchoolServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql_source, "PAGE_ROWS", 4)  # pho_cap's key has three columns

    run = run_sync(hub, SOURCE)

    assert run.status == RunStatus.PARTIAL, run.error
    assert_matches_the_database(hub, legacy)


def test_a_school_year_behind_a_foreign_key_is_looked_up_without_a_view(
    legacy: SchoolServer, edu_hub: Callable[..., Hub]
) -> None:
    # The classes name their school year by the id of a row of a lookup table, as many
    # school-management systems keep it; the same classes and pupils as the usual layout.
    execute(legacy.engine, "DROP TABLE IF EXISTS lop_hoc_fk")
    execute(legacy.engine, "DROP TABLE IF EXISTS dm_nam_hoc")
    execute(
        legacy.engine,
        "CREATE TABLE dm_nam_hoc (id INT PRIMARY KEY AUTO_INCREMENT, ten_nam_hoc VARCHAR(9))",
    )
    execute(
        legacy.engine,
        "INSERT INTO dm_nam_hoc (ten_nam_hoc) "
        "SELECT DISTINCT nam_hoc FROM lop_hoc ORDER BY nam_hoc",
    )
    execute(
        legacy.engine,
        "CREATE TABLE lop_hoc_fk (PRIMARY KEY (id)) AS SELECT l.id, l.ma_truong, l.khoi, "
        "n.id AS nam_hoc_id, l.ngay_cap_nhat FROM lop_hoc l JOIN dm_nam_hoc n "
        "ON n.ten_nam_hoc = l.nam_hoc",
    )
    classes = {
        **legacy_db.config(legacy.url)["classes"],
        "table": "lop_hoc_fk",
        "school_year": "nam_hoc_id",
        "lookups": {"school_year": {"table": "dm_nam_hoc", "key": "id", "value": "ten_nam_hoc"}},
    }
    hub = edu_hub({SOURCE: legacy_db.config(legacy.url, classes=classes)})

    run = run_sync(hub, SOURCE)

    assert run.status == RunStatus.PARTIAL, run.error  # the legacy faults are quarantined
    assert_matches_the_database(hub, legacy)  # every count, from MariaDB's own GROUP BY
    years = legacy_db.query(legacy.engine, "SELECT COUNT(*) FROM dm_nam_hoc")[0][0]
    assert years >= 2  # this year's classes are told from the others through the lookup


def test_a_lookup_must_follow_a_mapped_column(edu_hub: Callable[..., Hub]) -> None:
    classes = {
        **legacy_db.config("mysql+pymysql://reader@db/qlth")["classes"],
        "lookups": {"term": {"table": "dm_hoc_ky", "value": "ten"}},
    }
    with pytest.raises(ConfigError, match=r"lookups\.term: no column is mapped as term"):
        edu_hub({SOURCE: legacy_db.config("mysql+pymysql://reader@db/qlth", classes=classes)})
