"""Vietnam's public holidays: the days off of state agencies, for any year.

Report deadlines count working days (Monday to Friday) and skip these days. The Labour Code 2019
fixes them (art. 112: New Year's Day, five days of Tết, the Hùng Kings' day on 10/3 of the lunar
calendar, 30 April, 1 May, 2 September and a day next to it; art. 111(3): a holiday on a weekly
day off is taken on the next working day); Resolution 80-NQ/TW made Vietnam Culture Day, 24
November, a paid day off from 2026 (Lao Động, "Thống nhất chọn ngày 24/11 là Ngày Văn hóa Việt
Nam, nghỉ hưởng lương"); and the Prime Minister decides each autumn which days around Tết are
off and which weekdays are swapped for a Saturday.

The days come from python-holidays (``holidays``, https://github.com/vacanza/holidays), which
computes the lunar dates, applies the Labour Code's rules and records the decisions published
before its release, with their sources. For a year whose Tết break was not yet decided when the
installed release was made, its five days follow the Labour Code's rule (the eve and the first
four days, moved off weekends); a deployment lists a different decision in ``[reports]
holidays`` and ``workdays`` (a weekday listed as worked is worked, whatever this module says).

Make-up working Saturdays (làm bù) are not days python-holidays lists; the ones known are below.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays as python_holidays

SOURCE = "python-holidays (Labour Code 2019 art. 112 and the Prime Minister's yearly decisions)"

MAKE_UP_WORKDAYS: dict[date, str] = {
    date(2025, 4, 26): "Làm bù cho thứ Sáu 2/5/2025",
    date(2026, 8, 22): "Làm bù cho thứ Hai 31/8/2026",
}
"""Saturdays state agencies work in exchange for a weekday off (recorded as swaps by
python-holidays' ``VietnamStaticHolidays``, from the Government's letters)."""


@cache
def public_holidays(year: int) -> dict[date, str]:
    """Vietnam's public holidays of ``year``, with their Vietnamese names (weekends included)."""
    return dict(python_holidays.country_holidays("VN", years=year, language="vi"))


def is_public_holiday(day: date) -> bool:
    """Whether ``day`` is one of Vietnam's public holidays."""
    return day in public_holidays(day.year)
