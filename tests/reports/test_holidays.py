"""Public holidays in report deadlines: Vietnam's, the configuration's, and the API.

Expected deadlines are counted by hand on a calendar. Tết Bính Ngọ 2026: state agencies are off
Saturday 14 – Sunday 22 February 2026 (Government portal, 14 October 2025:
https://en.baochinhphu.vn/prime-minister-approves-9-day-lunar-new-year-holiday-in-2026-111251014090102864.htm).
In 2027 only the days the law fixes are asserted: which days around Tết are added is the
Government's decision, and a newer python-holidays may record it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from hub.config import ConfigError, load_settings, settings_from_dict
from hub.core import Hub
from hub.periods import parse_period
from hub.reports.holidays import is_public_holiday, public_holidays
from hub.reports.schedule import WorkingDays, deadline, working_days
from hub.reports.template import template_from_dict
from tests.reports.conftest import FORM

ANNOUNCED_WEEKDAYS_OFF = {
    # 2025: Tết 27–31 January and 30 April – 2 May (Government Office letter 8726/VPCP-KGVX;
    # Viet Nam News, 27 November 2024), 1–2 September, New Year's Day and the Hùng Kings' day
    # (7 April) by the Labour Code.
    2025: [(1, 1), (1, 27), (1, 28), (1, 29), (1, 30), (1, 31), (4, 7), (4, 30), (5, 1), (5, 2),
           (9, 1), (9, 2)],
    # 2026: Tết 16–20 February and 31 August – 2 September (the Prime Minister's approval,
    # Government portal, 14 October 2025); the Hùng Kings' day on Sunday 26 April, taken on
    # Monday 27 (Thanh Niên, 23 February 2026); Vietnam Culture Day, Tuesday 24 November
    # (Lao Động: "Thống nhất chọn ngày 24/11 là Ngày Văn hóa Việt Nam, nghỉ hưởng lương").
    2026: [(1, 1), (2, 16), (2, 17), (2, 18), (2, 19), (2, 20), (4, 27), (4, 30), (5, 1),
           (8, 31), (9, 1), (9, 2), (11, 24)],
}  # fmt: skip
TEMPLATE = template_from_dict(FORM)  # communes 2, districts 4, province 6 working days
GREGORIAN = template_from_dict({**copy.deepcopy(FORM), "calendar": "GREGORIAN"})
FEBRUARY_2026 = parse_period("2026-02", "ND09")  # 15 January – Saturday 14 February 2026


def days_of(config: dict[str, object]) -> WorkingDays:
    return working_days(settings_from_dict({"reports": config}, {}))


def test_tet_2026_pushes_the_deadlines_past_the_break() -> None:
    days = days_of({})
    # Mon 16 – Fri 20 February are Tết, 21–22 the weekend: Mon 23 is the first working day.
    assert deadline(TEMPLATE, "COMMUNE", FEBRUARY_2026, days) == date(2026, 2, 24)
    assert deadline(TEMPLATE, "DISTRICT", FEBRUARY_2026, days) == date(2026, 2, 26)
    assert deadline(TEMPLATE, "PROVINCE", FEBRUARY_2026, days) == date(2026, 3, 2)
    # Without holidays the communes would have been due on Tuesday 17 February.
    assert deadline(TEMPLATE, "COMMUNE", FEBRUARY_2026, WorkingDays()) == date(2026, 2, 17)
    # Without a configuration (the demo, a script) Vietnam's holidays apply too.
    assert deadline(TEMPLATE, "COMMUNE", FEBRUARY_2026) == date(2026, 2, 24)


def test_a_cut_off_on_a_holiday_counts_from_the_next_working_day() -> None:
    april = parse_period("2026-04")  # Gregorian: ends Thursday 30 April, a holiday
    # Fri 1 May is a holiday, 2–3 May the weekend: Mon 4 May is day 1, Tue 5 May day 2.
    assert deadline(GREGORIAN, "COMMUNE", april, days_of({})) == date(2026, 5, 5)
    # The Hùng Kings' day fell on Sunday 26 April 2026: Monday 27 April is off instead.
    assert not days_of({}).is_working_day(date(2026, 4, 27))


def test_configured_holidays_add_to_the_public_ones() -> None:
    march = parse_period("2026-03", "ND09")  # cut-off Saturday 14 March 2026
    days = days_of({"holidays": ["2026-03-16", "2027-02-08"]})
    assert deadline(TEMPLATE, "COMMUNE", march, days) == date(2026, 3, 18)  # Tue 17, Wed 18
    assert deadline(TEMPLATE, "COMMUNE", FEBRUARY_2026, days) == date(2026, 2, 24)  # Tết kept
    assert not days.is_working_day(date(2027, 2, 8))


def test_the_public_holidays_can_be_switched_off() -> None:
    days = days_of({"public_holidays": False, "holidays": ["2026-02-16"]})
    assert deadline(TEMPLATE, "COMMUNE", FEBRUARY_2026, days) == date(2026, 2, 18)


def test_a_weekend_day_worked_instead_counts() -> None:
    march = parse_period("2026-03", "ND09")
    assert deadline(TEMPLATE, "PROVINCE", march, days_of({})) == date(2026, 3, 23)
    worked = days_of({"workdays": ["2026-03-21"]})  # Saturday 21 March worked
    assert deadline(TEMPLATE, "PROVINCE", march, worked) == date(2026, 3, 21)


@pytest.mark.parametrize("count", [1, 2, 4, 6])
def test_a_deadline_is_a_working_day_and_that_many_working_days_after_the_cut_off(
    count: int,
) -> None:
    days = days_of({})
    cut_off = date(2025, 1, 1)
    while cut_off < date(2028, 1, 1):
        due = days.after(cut_off, count)
        between = [cut_off + timedelta(days=n) for n in range(1, (due - cut_off).days + 1)]
        made_up = due in (date(2025, 4, 26), date(2026, 8, 22))
        assert made_up or (due.weekday() < 5 and not is_public_holiday(due))
        assert sum(days.is_working_day(day) for day in between) == count
        cut_off += timedelta(days=1)


@pytest.mark.parametrize("year", sorted(ANNOUNCED_WEEKDAYS_OFF))
def test_the_weekdays_off_are_those_announced(year: int) -> None:
    announced = {date(year, month, day) for month, day in ANNOUNCED_WEEKDAYS_OFF[year]}
    weekdays_off = {day for day in public_holidays(year) if day.weekday() < 5}
    assert weekdays_off == announced
    days = days_of({})
    january_first = date(year, 1, 1)
    for day in (january_first + timedelta(days=n) for n in range(365)):
        expected = day.weekday() < 5 and day not in announced
        assert days.is_working_day(day) == (
            expected or day in (date(2025, 4, 26), date(2026, 8, 22))
        )


def test_the_days_fixed_by_law_are_off_in_years_not_yet_announced() -> None:
    # 2027 (which days around Tết the Government adds is decided each autumn, so not here):
    # New Year's Day (Fri), the 3rd of Tết (Mon 8 Feb; the 1st and 2nd fall on the weekend),
    # the Hùng Kings' day (10/3 lunar: Fri 16 Apr), 30 April (Fri), National Day (Thu 2 Sep),
    # Vietnam Culture Day (Wed 24 Nov).
    days = days_of({})
    fixed = [date(2027, 1, 1), date(2027, 2, 8), date(2027, 4, 16), date(2027, 4, 30)]
    for day in [*fixed, date(2027, 9, 2), date(2027, 11, 24)]:
        assert not days.is_working_day(day), day
    assert public_holidays(2027)[date(2027, 2, 6)] == "Tết Nguyên Đán"
    due = days.after(date(2027, 2, 5), 1)
    assert due > date(2027, 2, 8) and days.is_working_day(due)
    assert WorkingDays().after(date(2027, 2, 5), 1) == date(2027, 2, 8)


def test_make_up_saturdays_are_worked() -> None:
    # Saturday 22 August 2026 was worked for Monday 31 August.
    assert days_of({}).after(date(2026, 8, 21), 1) == date(2026, 8, 22)
    assert days_of({}).after(date(2026, 8, 28), 1) == date(2026, 9, 3)
    assert days_of({"public_holidays": False}).after(date(2026, 8, 21), 1) == date(2026, 8, 24)


def test_a_weekday_listed_as_worked_is_worked_though_a_public_holiday() -> None:
    # Had Friday 20 February 2026, the last day of Tết, been worked: day 1, then Monday 23.
    days = days_of({"workdays": ["2026-02-20"]})
    assert deadline(TEMPLATE, "COMMUNE", FEBRUARY_2026, days) == date(2026, 2, 23)
    # A day the configuration itself lists as off stays off.
    both = days_of({"holidays": ["2026-02-23"], "workdays": ["2026-02-23"]})
    assert not both.is_working_day(date(2026, 2, 23))


def test_bad_dates_are_refused_in_one_message() -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_dict(
            {
                "reports": {
                    "holidays": ["2026-02-30", "Tết", "2026-01-01"],
                    "workdays": "2026-01-10",
                }
            },
            {},
        )
    assert caught.value.problems == [
        "reports.holidays: not dates (YYYY-MM-DD): '2026-02-30', 'Tết'",
        'reports.workdays: a list of dates, e.g. ["2026-01-01", "2026-02-16"]',
    ]


def test_a_bad_compliance_schedule_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_dict({"reports": {"compliance_schedule": "every day"}}, {})
    (problem,) = caught.value.problems
    assert problem.startswith("reports.compliance_schedule: 'every day' is not a cron expression")


def test_toml_dates_and_texts_are_both_read(tmp_path: Path) -> None:
    path = tmp_path / "hub.toml"
    path.write_text('[reports]\nholidays = [2027-02-08, "2027-02-09"]\n', encoding="utf-8")
    settings = load_settings(path, {})
    assert settings.reports.holidays == [date(2027, 2, 8), date(2027, 2, 9)]


def test_the_api_shows_deadlines_with_the_configured_holidays(
    make_hub: Callable[..., Hub],
) -> None:
    from litestar.testing import TestClient

    from hub.graphql.app import create_app
    from hub.reports.store import save_template

    hub = make_hub({"reports": {"holidays": ["2026-02-24"]}})
    with hub.db.session() as session:
        save_template(session, TEMPLATE, "test", hub.definitions.metrics)
        from hub.model import AdminLevel, AdminUnit

        session.add(
            AdminUnit(
                identity="23293@2025-07-01",
                code="23293",
                name="Phường Kon Tum",
                level=AdminLevel.COMMUNE,
                valid_from=date(2025, 7, 1),
            )
        )
    query = '{ report(template: "TEST-01", unit: "23293", period: "2026-02") { deadline } }'
    with TestClient(create_app(hub)) as client:
        body = client.post("/graphql", json={"query": query}).json()
    assert body == {"data": {"report": {"deadline": "2026-02-25"}}}  # Tết, then the 24th
