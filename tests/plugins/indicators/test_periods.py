"""Source period notations → canonical period ids."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from iochub_plugins.indicators.periods import header_period, sdmx_period


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019", "2019"),
        ("2019-A1", "2019"),
        ("2019-S1", "2019-H1"),
        ("2019-S2", "2019-H2"),
        ("2019-H1", "2019-H1"),
        ("2019S2", "2019-H2"),
        ("2019-Q1", "2019-Q1"),
        ("2019Q4", "2019-Q4"),
        ("2019-01", "2019-01"),
        ("2019-M01", "2019-01"),
        ("2019M12", "2019-12"),
        ("2019-W01", "2019-W01"),
        ("2019-W1", "2019-W01"),
        ("2020-W53", "2020-W53"),  # 2020 has 53 ISO weeks
        ("2019-01-15", "2019-01-15"),
        ("2019-D015", "2019-01-15"),
        ("2020-D366", "2020-12-31"),
        ("2019-01-15T00:00:00", "2019-01-15"),
        ("2013-01-18T00:00:00.000Z", "2013-01-18"),
        ("2019-04-01/P3M", "2019-Q2"),
        ("2019-07-01/P6M", "2019-H2"),
        ("2019-01-01/P1Y", "2019"),
        ("2019-03-01/P1M", "2019-03"),
        ("2019-12-30/P7D", "2020-W01"),
        ("2019-03-05/P1D", "2019-03-05"),
        (" 2019-q1 ", "2019-Q1"),
    ],
)
def test_sdmx_periods(text: str, expected: str) -> None:
    assert sdmx_period(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2019-T1",  # a trimester has no canonical id
        "2019-13",
        "2019-M13",
        "2019-W54",
        "2019-W53",  # 2019 has 52 ISO weeks
        "2019-02-30",
        "2019-D366",
        "2019-01-15T14:30:00",  # a time of day is finer than a day
        "2019-02-01/P3M",  # not a quarter's start
        "2019-01-02/P7D",  # not a Monday
        "2019-01-01/P2M",
        "Q1 2019",
        "",
    ],
)
def test_sdmx_periods_without_a_canonical_id(text: str) -> None:
    assert sdmx_period(text) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Tháng 1/2024", "2024-01"),
        ("tháng 12 năm 2024", "2024-12"),
        ("T01/2024", "2024-01"),
        ("Th.3/2025", "2025-03"),
        ("01/2024", "2024-01"),
        ("Quý I/2024", "2024-Q1"),
        ("Quý IV/2024", "2024-Q4"),
        ("Quý 2 năm 2025", "2025-Q2"),
        ("Q3/2024", "2024-Q3"),
        ("6 tháng đầu năm 2024", "2024-H1"),
        ("6 tháng cuối năm 2024", "2024-H2"),
        ("Năm 2024", "2024"),
        ("NĂM  2024", "2024"),
        ("2024", "2024"),
        ("2024-Q1", "2024-Q1"),
        (2024, "2024"),
        (2024.0, "2024"),
        (datetime(2024, 3, 1), "2024-03"),
        (date(2024, 3, 17), "2024-03"),
        # Vietnamese text in decomposed Unicode (as some Mac tools write it)
        ("Qu\u0079\u0301 I/2024", "2024-Q1"),
    ],
)
def test_excel_headers(header: object, expected: str) -> None:
    assert header_period(header) == expected


def test_a_date_header_can_mean_the_day() -> None:
    assert header_period(datetime(2024, 3, 17, 0, 0), date_headers="day") == "2024-03-17"


@pytest.mark.parametrize(
    "header", [None, "Ghi chú", "Tháng 13/2024", "Quý V/2024", 12.5, 99, True, "Ước tháng 6/2025"]
)
def test_excel_headers_that_are_not_periods(header: object) -> None:
    assert header_period(header) is None
