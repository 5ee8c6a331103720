import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.periods import Calendar, PeriodError, PeriodType, parse_period


@pytest.mark.parametrize(
    ("period_id", "kind", "start", "end"),
    [
        ("2026-03-05", PeriodType.DAY, date(2026, 3, 5), date(2026, 3, 5)),
        ("2026-W10", PeriodType.WEEK, date(2026, 3, 2), date(2026, 3, 8)),
        ("2026-W01", PeriodType.WEEK, date(2025, 12, 29), date(2026, 1, 4)),
        ("2024-02", PeriodType.MONTH, date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-Q1", PeriodType.QUARTER, date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-H2", PeriodType.HALF_YEAR, date(2026, 7, 1), date(2026, 12, 31)),
        ("2026", PeriodType.YEAR, date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_gregorian_periods(period_id: str, kind: PeriodType, start: date, end: date) -> None:
    period = parse_period(period_id)
    assert (period.type, period.start, period.end) == (kind, start, end)


@pytest.mark.parametrize(
    ("period_id", "start", "end"),
    [
        ("2026-03", date(2026, 2, 15), date(2026, 3, 14)),
        ("2026-01", date(2025, 12, 15), date(2026, 1, 14)),
        ("2026-Q1", date(2025, 12, 15), date(2026, 3, 14)),
        ("2026-Q3", date(2026, 6, 15), date(2026, 9, 14)),
        ("2026-H1", date(2025, 12, 15), date(2026, 6, 14)),
        ("2026-H2", date(2026, 6, 15), date(2026, 12, 14)),
        ("2026", date(2025, 12, 15), date(2026, 12, 14)),
        ("2026-03-05", date(2026, 3, 5), date(2026, 3, 5)),
    ],
)
def test_decree_09_reporting_periods_cut_off_on_the_14th(
    period_id: str, start: date, end: date
) -> None:
    period = parse_period(period_id, Calendar.ND09)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("bad", ["2026-13", "2026-Q5", "2026-W54", "2025-02-29", "March", "26-03"])
def test_bad_period_ids_are_refused_with_a_reason(bad: str) -> None:
    with pytest.raises(PeriodError, match=bad):
        parse_period(bad)


@given(st.integers(min_value=1990, max_value=2100), st.sampled_from(["GREGORIAN", "ND09"]))
def test_months_of_a_year_tile_the_year_without_gap_or_overlap(year: int, calendar: str) -> None:
    months = [parse_period(f"{year}-{m:02d}", calendar) for m in range(1, 13)]
    whole = parse_period(str(year), calendar)
    assert months[0].start == whole.start and months[-1].end == whole.end
    for previous, following in itertools.pairwise(months):
        assert following.start == previous.end + timedelta(days=1)
    assert sum(m.days for m in months) == whole.days
