"""Whether a report came in on time: judged by the day of its first submission, in Vietnam."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from hub.model import Report
from hub.zone import LOCAL_TIME


class Timeliness(StrEnum):
    ON_TIME = "ON_TIME"
    LATE = "LATE"
    MISSING = "MISSING"
    """Not submitted, and the deadline has passed."""
    NOT_DUE = "NOT_DUE"
    """Not submitted yet, and the deadline has not passed."""


def local_day(moment: datetime) -> date:
    """The date in Vietnam at ``moment``."""
    return moment.astimezone(LOCAL_TIME).date()


def timeliness(report: Report | None, deadline: date, today: date) -> Timeliness:
    """On time if first submitted by the deadline (a later return and resubmission keeps it)."""
    submitted = report.first_submitted_at if report is not None else None
    if submitted is not None:
        return Timeliness.ON_TIME if local_day(submitted) <= deadline else Timeliness.LATE
    return Timeliness.MISSING if today > deadline else Timeliness.NOT_DUE
