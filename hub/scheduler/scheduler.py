"""Runs enabled connectors on their schedules with APScheduler, and the hub's own jobs.

The hub's own job: the reporting system's daily compliance publication
(:mod:`hub.reports.publishing`, ``[reports] compliance_schedule``).

With PostgreSQL, several ``iochub serve`` processes may run side by side: only the one that
holds the scheduler's advisory lock schedules; the others try again now and then and take over
when the leader stops. Each run also holds its connector's own lock (hub.connectors.locks), so
even a manual ``iochub sync`` never overlaps a scheduled one.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Connection, text

from hub.connectors.locks import advisory_key
from hub.connectors.runtime import RunInProgress, run_sync
from hub.model import ConnectorRow
from hub.scheduler.streams import StreamSupervisor
from hub.scheduler.triggers import make_trigger

if TYPE_CHECKING:
    from hub.core import Hub

log = logging.getLogger(__name__)

LEADER_LOCK = "iochub.scheduler"


class HubScheduler:
    def __init__(self, hub: Hub) -> None:
        from hub.core import TIMEZONE

        self.hub = hub
        self.scheduler = BackgroundScheduler(timezone=TIMEZONE)
        self.streams = StreamSupervisor(hub, is_enabled)
        self.leader_connection: Connection | None = None

    @property
    def is_leader(self) -> bool:
        return self.leader_connection is not None or not self.hub.db.is_postgresql

    def start(self) -> None:
        self.scheduler.start()
        if not self._become_leader():
            log.info("another process schedules connectors; this one stands by")
            self.scheduler.add_job(
                self._try_to_lead,
                "interval",
                id="leader-election",
                seconds=self.hub.settings.scheduler.leader_retry_seconds,
            )

    def shutdown(self) -> None:
        self.scheduler.shutdown(wait=False)
        self.streams.shutdown()
        if self.leader_connection is not None:
            # A closed connection goes back to the pool still holding its session-level lock.
            self.leader_connection.execute(
                text("SELECT pg_advisory_unlock(:k)"), {"k": advisory_key(LEADER_LOCK)}
            )
            self.leader_connection.close()
            self.leader_connection = None

    def _try_to_lead(self) -> None:
        if self._become_leader():
            self.scheduler.remove_job("leader-election")

    def _become_leader(self) -> bool:
        if self.hub.db.is_postgresql:
            connection = self.hub.db.engine.connect()
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": advisory_key(LEADER_LOCK)}
            ).scalar()
            connection.commit()
            if not taken:
                connection.close()
                return False
            self.leader_connection = connection
        self._schedule_connectors()
        self._schedule_hub_jobs()
        return True

    def _schedule_connectors(self) -> None:
        self.streams.start()
        for connector in self.hub.connectors.values():
            if connector.trigger is None or connector.connector_class.streaming:
                continue
            self.scheduler.add_job(
                self.run_if_enabled,
                connector.trigger,
                args=[connector.id],
                id=connector.id,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=300,
                replace_existing=True,
            )
            log.info("scheduled %s: %s", connector.id, connector.schedule)

    def _schedule_hub_jobs(self) -> None:
        """The jobs of the hub itself (only the leader runs them, like the connectors)."""
        from hub.core import TIMEZONE
        from hub.reports.publishing import JOB_ID

        schedule = self.hub.settings.reports.compliance_schedule
        if not schedule:
            return
        self.scheduler.add_job(
            self.publish_compliance,
            make_trigger(schedule, None, TIMEZONE),
            id=JOB_ID,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=3600,
            replace_existing=True,
        )
        log.info("scheduled %s: %s", JOB_ID, schedule)

    def publish_compliance(self) -> None:
        """The scheduled job: publish the on-time rate of the periods whose deadline passed."""
        from hub.reports.publishing import publish_due_compliance

        try:
            published = publish_due_compliance(self.hub)
        except RunInProgress:
            log.info("compliance is being published elsewhere; skipped")
            return
        if published.run is not None and published.run.status != "SUCCEEDED":
            log.warning("compliance publication: %s %s", published.run.status, published.run.error)

    def run_if_enabled(self, connector_id: str) -> None:
        """The scheduled job: a run, unless an admin disabled the connector meanwhile."""
        if not is_enabled(self.hub, connector_id):
            return
        try:
            run = run_sync(self.hub, connector_id, trigger="schedule")
        except RunInProgress:
            log.info("%s is already running elsewhere; skipped", connector_id)
            return
        log.info(
            "%s: %s, %d read, %d written, %d quarantined, %d skipped, %d duplicate",
            connector_id,
            run.status,
            run.records_read,
            run.records_written,
            run.records_quarantined,
            run.records_skipped,
            run.records_duplicate,
        )


def is_enabled(hub: Hub, connector_id: str) -> bool:
    """The connector's effective switch: an admin's override, else the config file."""
    with hub.db.session() as session:
        row = session.get(ConnectorRow, connector_id)
        if row is None:
            return False
        return row.enabled if row.enabled_override is None else row.enabled_override
