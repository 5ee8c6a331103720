"""The rule of stale figures (hub/connectors/freshness.py), on dates worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hub.connectors.freshness import SourceFreshness, overdue_since
from hub.scheduler.triggers import make_trigger
from hub.zone import TIMEZONE

DAILY_AT_SIX = make_trigger("0 6 * * *", None, TIMEZONE)
EVERY_15_MINUTES = make_trigger(None, "15m", TIMEZONE)


def test_a_daily_source_is_overdue_two_days_after_its_next_run_was_due() -> None:
    last = datetime(2025, 12, 5, 0, tzinfo=UTC)  # 07:00 in Vietnam: next due 6 Dec 06:00 (+07)
    overdue_at = datetime(2025, 12, 7, 23, tzinfo=UTC)  # 6 Dec 23:00 UTC + two days
    assert overdue_since(DAILY_AT_SIX, last, datetime(2025, 12, 7, 22, tzinfo=UTC)) is None
    assert overdue_since(DAILY_AT_SIX, last, datetime(2025, 12, 8, tzinfo=UTC)) == overdue_at


def test_an_interval_source_counts_from_its_last_run() -> None:
    last = datetime(2025, 12, 5, 10, 0, tzinfo=UTC)
    assert overdue_since(EVERY_15_MINUTES, last, datetime(2025, 12, 5, 10, 45, tzinfo=UTC)) is None
    late = overdue_since(EVERY_15_MINUTES, last, datetime(2025, 12, 5, 10, 46, tzinfo=UTC))
    assert late == datetime(2025, 12, 5, 10, 45, tzinfo=UTC)  # due 10:15, + 2 × 15 minutes


def test_a_period_ended_before_the_last_delivery_in_vietnam_is_not_stale() -> None:
    # 30 November 18:00 UTC is 1 December 01:00 in Vietnam: November had ended.
    late_evening = datetime(2025, 11, 30, 18, tzinfo=UTC)
    source = SourceFreshness("portal", "0 6 * * *", late_evening, datetime(2025, 12, 3, tzinfo=UTC))
    assert not source.stale_for(date(2025, 11, 30))
    assert source.stale_for(date(2025, 12, 31))
    fresh = SourceFreshness("portal", "0 6 * * *", late_evening, None)
    assert not fresh.stale_for(date(2025, 12, 31))
