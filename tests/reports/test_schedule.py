"""The calendar of a form: periods around a report, opening days and working-day deadlines."""

from __future__ import annotations

from datetime import date

import pytest

from hub.periods import parse_period
from hub.reports.errors import InputError
from hub.reports.schedule import (
    WorkingDays,
    deadline,
    earlier_this_year,
    last_year,
    opens_on,
    previous,
    report_period,
)
from hub.reports.template import template_from_dict
from tests.reports.conftest import FORM


def ids(periods: list) -> list[str]:
    return [period.id for period in periods]


@pytest.mark.parametrize(
    ("period", "before", "year_ago"),
    [
        ("2026-01", "2025-12", "2025-01"),
        ("2026-03", "2026-02", "2025-03"),
        ("2026-Q1", "2025-Q4", "2025-Q1"),
        ("2026-H2", "2026-H1", "2025-H2"),
        ("2026", "2025", "2025"),
        ("2026-W01", "2025-W52", "2025-W01"),
        ("2026-03-01", "2026-02-28", "2025-03-01"),
    ],
)
def test_previous_and_same_period_last_year(period: str, before: str, year_ago: str) -> None:
    here = parse_period(period, "ND09")
    assert previous(here).id == before
    assert last_year(here).id == year_ago  # type: ignore[union-attr]
    assert previous(here).calendar == here.calendar


def test_periods_without_a_same_period_last_year() -> None:
    assert last_year(parse_period("2024-02-29")) is None
    assert last_year(parse_period("2020-W53")) is None  # 2019 has no ISO week 53


def test_the_earlier_periods_of_the_year() -> None:
    assert ids(earlier_this_year(parse_period("2026-04", "ND09"))) == [
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    assert ids(earlier_this_year(parse_period("2026-Q3"))) == ["2026-Q1", "2026-Q2"]
    assert earlier_this_year(parse_period("2026-01")) == []
    assert earlier_this_year(parse_period("2026")) == []


def test_deadlines_count_working_days_after_the_cut_off() -> None:
    template = template_from_dict(FORM)  # communes 2, districts 4, province 6 working days
    march = parse_period("2026-03", "ND09")  # cut-off Saturday 14 March 2026
    assert deadline(template, "COMMUNE", march) == date(2026, 3, 17)  # Mon 16, Tue 17
    assert deadline(template, "DISTRICT", march) == date(2026, 3, 19)
    assert deadline(template, "PROVINCE", march) == date(2026, 3, 23)  # over the weekend
    holidays = WorkingDays([date(2026, 3, 16)])
    assert deadline(template, "COMMUNE", march, holidays) == date(2026, 3, 18)
    assert opens_on(template, march) == date(2026, 3, 11)


def test_a_period_of_another_type_is_refused() -> None:
    template = template_from_dict(FORM)
    assert report_period(template, "2026-03").start == date(2026, 2, 15)
    with pytest.raises(
        InputError, match="'2026-Q1' is a QUARTER period; the form 'TEST-01' is filed per MONTH"
    ):
        report_period(template, "2026-Q1")
    with pytest.raises(InputError, match="not a period id"):
        report_period(template, "March")
