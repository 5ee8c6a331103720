"""The periods education facts are dated by, and the school year.

The canonical periods (see README.md, "Periods"):

- **Stocks** — schools, classes, pupils enrolled, teachers — are dated by the **month of the
  snapshot**: the month in which a database was read (Vietnam time), or the date an export
  was taken (a date column, the connector's ``snapshot``, or the file's modification date).
  A month is the finest period a stock is known for, and monthly snapshots of a live database
  make a series that rolls up to quarters and years as LAST values.
- **Exam results** are dated by the **year** of the exam: the school year 2025–2026 ends with
  the exams of June 2026, so its results belong to 2026.
- **School-age population** (the universal-education survey) is dated by its **year**.

The Vietnamese school year starts in September and ends in May; the hub counts the school
year ``Y–Y+1`` from 1 September of ``Y`` to 31 August of ``Y+1``, so that a snapshot taken in
the summer still counts the year that just ended.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from hub.periods.ids import month_of
from hub.zone import LOCAL_TIME as VIETNAM

SCHOOL_YEAR_START_MONTH = 9
DAY_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d")


def today() -> date:
    """Today in Vietnam: the day a database snapshot is taken."""
    return datetime.now(VIETNAM).date()


def month_id(day: date) -> str:
    """The canonical id of the month holding ``day``, e.g. ``2026-11``."""
    return month_of(day)


def school_year_of(day: date) -> int:
    """The year the school year holding ``day`` started in (2026 for 2026–2027)."""
    return day.year if day.month >= SCHOOL_YEAR_START_MONTH else day.year - 1


def parse_school_year(value: Any) -> int | None:
    """The start year of ``"2026-2027"``, ``"2026 - 2027"``, ``"NH 2026/2027"`` or ``2026``.

    A single year is read as the year the school year starts in.
    """
    years = _years(value)
    return years[0] if years else None


def parse_exam_year(value: Any) -> int | None:
    """The year of an exam: ``2026``, a date in it, or a school year ``"2025-2026"`` (its end)."""
    if isinstance(value, datetime | date):
        return value.year
    years = _years(value)
    return years[-1] if years else None


def parse_day(value: Any) -> date | None:
    """A snapshot day from a date, a date-time, ``2026-09-30``, ``30/09/2026`` or a month
    ``2026-09`` (its first day); None when the value is none of these."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    found = str(value).strip() if value is not None else ""
    for layout in DAY_FORMATS:
        try:
            return datetime.strptime(found[:10], layout).date()
        except ValueError:
            continue
    month = re.fullmatch(r"(\d{4})-(\d{1,2})", found)
    if month and 1 <= int(month.group(2)) <= 12:
        return date(int(month.group(1)), int(month.group(2)), 1)
    return None


def http_date_day(value: str | None) -> date | None:
    """The day (in Vietnam) of an HTTP date such as a file's ``Last-Modified``."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).astimezone(VIETNAM).date()
    except (TypeError, ValueError, IndexError):
        return None


def _years(value: Any) -> list[int]:
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int | float):
        return [int(value)] if 1900 <= value <= 2999 else []
    return [int(y) for y in re.findall(r"(?<!\d)(\d{4})(?!\d)", str(value))]
