"""Whether a source still delivers as its schedule expects: the one rule of "overdue" and
"stale".

A scheduled connector is *overdue* once the run it was due after its last one has not
happened for more than :data:`OVERDUE_FACTOR` of its schedule's intervals (``/health`` says
so, counting from the last run, whatever its outcome). Its figures are *stale* on the same
rule counted from its last *delivery* (the last run that wrote: succeeded, or partly): a
source that runs and fails delivers nothing. A figure of a period that ended before that
delivery is not stale: the source had delivered past it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.triggers.base import BaseTrigger
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.model import Observation, RunStatus, SyncRun
from hub.scheduler.triggers import due_after
from hub.zone import LOCAL_TIME

if TYPE_CHECKING:
    from hub.core import Hub

OVERDUE_FACTOR = 2
"""A run is overdue once it is late by more than this many of its schedule's intervals."""

DELIVERED = (RunStatus.SUCCEEDED, RunStatus.PARTIAL)


def overdue_since(trigger: BaseTrigger, last_start: datetime, now: datetime) -> datetime | None:
    """When the run due after one started at ``last_start`` became overdue, if it has by
    ``now``."""
    found = due_after(trigger, last_start)
    if found is None:
        return None
    due, interval = found
    overdue_at = due + OVERDUE_FACTOR * interval
    return overdue_at if now > overdue_at else None


@dataclass(frozen=True)
class SourceFreshness:
    """How recently a connector delivered, and since when its figures are stale."""

    connector: str
    schedule: str | None
    last_delivered: datetime | None
    """When the last run that wrote started (None: no run ever wrote)."""
    stale_since: datetime | None
    """When it became overdue after that delivery; None while it is not."""

    def stale_for(self, period_end: date) -> bool:
        """Whether a figure of a period ending on ``period_end`` may miss what it has not
        delivered: it is stale, and its last delivery started (in Vietnam) by the period's
        last day."""
        return (
            self.stale_since is not None
            and self.last_delivered is not None
            and self.last_delivered.astimezone(LOCAL_TIME).date() <= period_end
        )


def last_deliveries(session: Session, connector_ids: Iterable[str]) -> dict[str, datetime]:
    """Each connector's last delivery: the start of its last run that wrote."""
    rows = session.execute(
        select(SyncRun.connector_id, func.max(SyncRun.started_at))
        .where(SyncRun.connector_id.in_(list(connector_ids)), SyncRun.status.in_(DELIVERED))
        .group_by(SyncRun.connector_id)
    )
    return {connector: started for connector, started in rows if started is not None}


def freshness_of(
    hub: Hub, session: Session, connector_ids: Iterable[str], now: datetime
) -> list[SourceFreshness]:
    """The freshness of these sources, ordered by id; a source that is no configured
    connector (an import, the reports) runs on no schedule and is never stale."""
    ids = sorted(set(connector_ids))
    delivered = last_deliveries(session, ids)
    found = []
    for connector_id in ids:
        configured = hub.connectors.get(connector_id)
        trigger = configured.trigger if configured else None
        last = delivered.get(connector_id)
        stale = overdue_since(trigger, last, now) if trigger and last else None
        schedule = configured.schedule if configured else None
        found.append(SourceFreshness(connector_id, schedule, last, stale))
    return found


SOURCES_LOOKBACK = timedelta(days=366)
"""How far before a period a metric's sources are looked for: a period not delivered yet has
no figures to name them, the periods of the year before do."""


def sources_of(session: Session, metric_ids: Iterable[int], first: date, last: date) -> list[str]:
    """The sources of these metrics' figures for periods from ``first`` to ``last``: those
    that delivered figures for periods starting from a year before ``first`` to ``last``."""
    ids = list(metric_ids)
    if not ids:
        return []
    query = (
        select(Observation.source)
        .where(Observation.metric_id.in_(ids))
        .where(Observation.period_start >= first - SOURCES_LOOKBACK)
        .where(Observation.period_start <= last)
        .distinct()
    )
    return sorted(session.scalars(query))
