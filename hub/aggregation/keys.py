"""The keys roll-ups keep periods under, and the periods holding a period."""

from __future__ import annotations

from functools import lru_cache

from hub.periods import Period, enclosing

PeriodKey = tuple[str, str, str]
"""(calendar, period type, period id) as stored in the roll-ups."""


@lru_cache(maxsize=1 << 16)
def period_key(period: Period) -> PeriodKey:
    return (period.calendar.value, period.type.value, period.id)


@lru_cache(maxsize=1 << 16)
def enclosing_keys(period: Period) -> tuple[PeriodKey, ...]:
    """The keys of every roll-up period that holds ``period`` (itself included)."""
    return tuple(period_key(outer) for outer in enclosing(period))
