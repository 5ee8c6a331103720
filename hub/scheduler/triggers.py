"""Turns a connector's ``schedule`` (cron) or ``every`` (interval) into an APScheduler trigger."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

INTERVAL = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
EPSILON = timedelta(microseconds=1)


def parse_interval(text: str) -> timedelta:
    """``"15m"`` → 15 minutes. Units: s, m, h, d."""
    match = INTERVAL.match(text)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not an interval such as 30s, 15m, 6h or 1d")
    return timedelta(seconds=int(match.group(1)) * UNIT_SECONDS[match.group(2)])


def make_trigger(schedule: str | None, every: str | None, timezone: str) -> BaseTrigger | None:
    """The trigger for a connector, or None when it only runs by hand."""
    if schedule and every:
        raise ValueError("give either schedule (cron) or every (interval), not both")
    if schedule:
        try:
            return CronTrigger.from_crontab(schedule, timezone=timezone)
        except ValueError as exc:
            raise ValueError(f"{schedule!r} is not a cron expression: {exc}") from None
    if every:
        return IntervalTrigger(seconds=parse_interval(every).total_seconds(), timezone=timezone)
    return None


def due_after(trigger: BaseTrigger, last_start: datetime) -> tuple[datetime, timedelta] | None:
    """When a run is due after one that started at ``last_start``, and the interval then.

    An interval counts from the last run (the scheduler's own times count from when its
    process began, which another process cannot know); a cron schedule has its next time.
    """
    if isinstance(trigger, IntervalTrigger):
        return last_start + trigger.interval, trigger.interval
    due = trigger.get_next_fire_time(None, last_start + EPSILON)
    following = due and trigger.get_next_fire_time(due, due + EPSILON)
    if due is None or following is None:
        return None
    return due, following - due


def next_run(trigger: BaseTrigger, last_start: datetime | None, now: datetime) -> datetime | None:
    """When the scheduler will run it next, as far as a process other than its own can tell."""
    if isinstance(trigger, IntervalTrigger):
        return max(last_start + trigger.interval, now) if last_start else None
    return trigger.get_next_fire_time(None, now)
