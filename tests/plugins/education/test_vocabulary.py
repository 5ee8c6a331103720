"""How source values read: levels, grades, sexes, outcomes, school years and snapshot days."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from iochub_plugins.education.periods import (
    http_date_day,
    month_id,
    parse_day,
    parse_exam_year,
    parse_school_year,
    school_year_of,
)
from iochub_plugins.education.vocabulary import (
    Vocabulary,
    grades_of,
    level_of_grade,
    parse_grade,
    text,
)

WORDS = Vocabulary.with_defaults(sexes={"1": "male", "0": "female"}, passes=["1"])


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("TH", "primary"),
        ("Tiểu học", "primary"),
        ("TIỂU HỌC", "primary"),
        ("THCS", "lower_secondary"),
        ("Trung học phổ thông", "upper_secondary"),
        ("TH&THCS", "primary_lower_secondary"),
        ("TH & THCS", "primary_lower_secondary"),
        ("th và  thcs", "primary_lower_secondary"),
        ("THCS&THPT", "lower_upper_secondary"),
        ("TH, THCS và THPT", "primary_to_upper_secondary"),
        ("Mầm non", None),
        ("", None),
        (None, None),
    ],
)
def test_school_levels(value: Any, level: str | None) -> None:
    assert WORDS.school_level(value) == level


def test_a_deployment_adds_its_own_spellings_of_levels() -> None:
    words = Vocabulary.with_defaults(
        levels={"Cấp I": "primary", "PTDTBT TH-THCS": "primary_lower_secondary"}
    )
    assert words.school_level("cấp i") == "primary"
    assert words.school_level("PTDTBT TH-THCS") == "primary_lower_secondary"
    assert words.school_level("TH") == "primary"  # the defaults stay


def test_a_population_level_is_a_single_level() -> None:
    assert WORDS.level("6-10 tuổi") == "primary"
    assert WORDS.level("15-17") == "upper_secondary"
    assert WORDS.level("TH&THCS") is None


@pytest.mark.parametrize(
    ("value", "grade"),
    [
        (6, 6),
        (6.0, 6),
        ("6", 6),
        ("Khối 6", 6),
        ("Lớp 10", 10),
        ("10A1", 10),
        ("12", 12),
        (0, None),
        (13, None),
        ("Ghép", None),
        (6.5, None),
        (True, None),
        (None, None),
    ],
)
def test_grades(value: Any, grade: int | None) -> None:
    assert parse_grade(value) == grade


def test_grades_and_levels() -> None:
    assert [level_of_grade(g) for g in (1, 5, 6, 9, 10, 12)] == [
        "primary",
        "primary",
        "lower_secondary",
        "lower_secondary",
        "upper_secondary",
        "upper_secondary",
    ]
    assert grades_of("lower_upper_secondary") == (6, 7, 8, 9, 10, 11, 12)
    with pytest.raises(ValueError):
        level_of_grade(13)


@pytest.mark.parametrize(
    ("value", "sex"),
    [
        ("Nam", "male"),
        ("nữ", "female"),
        ("NỮ", "female"),
        ("F", "female"),
        (1, "male"),
        ("0", "female"),
        (2, None),
        ("", None),
    ],
)
def test_sexes(value: Any, sex: str | None) -> None:
    assert WORDS.sex(value) == sex


@pytest.mark.parametrize(
    ("value", "passed"),
    [
        ("Đỗ", True),
        ("đạt", True),
        ("Công nhận tốt nghiệp", True),
        (1, True),
        (True, True),
        ("Trượt", False),
        ("Không đạt", False),
        (False, False),
        ("Vắng thi", None),
        (None, None),
    ],
)
def test_exam_outcomes(value: Any, passed: bool | None) -> None:
    assert WORDS.passed(value) == passed


def test_exams_and_communes() -> None:
    words = Vocabulary.with_defaults(communes={"KT-QT": "23281"})
    assert words.exam("TN THPT") == "graduation"
    assert words.exam(" Thi thử ") == "Thi thử"  # unmapped: the source's own name
    assert words.commune("kt-qt") == "23281"
    assert words.commune(23293) == "23293"
    assert words.commune(23293.0) == "23293"
    assert text("  ") is None


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 9, 1), 2026),
        (date(2026, 11, 29), 2026),
        (date(2027, 5, 31), 2026),
        (date(2027, 8, 31), 2026),
        (date(2026, 8, 31), 2025),
    ],
)
def test_the_school_year_runs_from_september(day: date, year: int) -> None:
    assert school_year_of(day) == year


@pytest.mark.parametrize(
    ("value", "year"),
    [
        ("2026-2027", 2026),
        ("2026 - 2027", 2026),
        ("NH 2026/2027", 2026),
        (2026, 2026),
        ("2026–2027", 2026),
        ("năm học mới", None),
        (None, None),
    ],
)
def test_school_years(value: Any, year: int | None) -> None:
    assert parse_school_year(value) == year


@pytest.mark.parametrize(
    ("value", "year"),
    [
        (2026, 2026),
        ("2026", 2026),
        ("2025-2026", 2026),
        (date(2026, 6, 27), 2026),
        (datetime(2025, 6, 26, 7, 30), 2025),
        (None, None),
        ("đợt 1", None),
    ],
)
def test_exam_years(value: Any, year: int | None) -> None:
    assert parse_exam_year(value) == year


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2026-09-30", date(2026, 9, 30)),
        ("30/09/2026", date(2026, 9, 30)),
        ("2026-09", date(2026, 9, 1)),
        (datetime(2026, 9, 30, 17), date(2026, 9, 30)),
        (date(2025, 9, 30), date(2025, 9, 30)),
        ("2026-13", None),
        ("sáng nay", None),
    ],
)
def test_snapshot_days(value: Any, day: date | None) -> None:
    assert parse_day(value) == day


def test_a_files_date_is_its_day_in_vietnam() -> None:
    assert http_date_day("Tue, 29 Sep 2026 20:00:00 GMT") == date(2026, 9, 30)
    assert http_date_day("not a date") is None
    assert month_id(date(2026, 9, 30)) == "2026-09"
