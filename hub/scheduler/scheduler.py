"""Runs enabled connectors on their schedules with APScheduler, and the hub's own jobs.

The hub's own job: the reporting system's daily compliance publication
(:mod:`hub.reports.publishing`, ``[reports] compliance_schedule``).

With PostgreSQL, several ``iochub serve`` processes may run side by side: only the leader
(:mod:`hub.scheduler.leadership`) schedules runs and listens to the streams. Every
``leader_retry_seconds`` each process checks: the others try to take the lead, the leader
checks that it still holds it. A process that takes the lead first resumes the runs that a
dead leader left unfinished, each from its last checkpoint; a leader that loses the lead
(its database connection lost) stops scheduling and listening until it takes it again. Each
run also holds its connector's own lock (hub.connectors.locks), so even a manual
``iochub sync`` never overlaps a scheduled one.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from hub.connectors.runtime import RunInProgress, run_sync
from hub.connectors.switch import is_enabled
from hub.model import RunStatus, SyncRun
from hub.observability import metrics
from hub.scheduler.leadership import Leadership
from hub.scheduler.streams import StreamSupervisor
from hub.scheduler.triggers import make_trigger

if TYPE_CHECKING:
    from hub.core import Hub

log = logging.getLogger(__name__)

ELECTION_JOB = "leader-election"


class HubScheduler:
    def __init__(self, hub: Hub) -> None:
        from hub.core import TIMEZONE

        self.hub = hub
        self.scheduler = BackgroundScheduler(timezone=TIMEZONE)
        self.scheduler.add_listener(_note_lateness, EVENT_JOB_SUBMITTED)
        retry = hub.settings.scheduler.leader_retry_seconds
        self.streams = StreamSupervisor(hub, is_enabled, busy_pause=retry)
        self.leadership = Leadership(hub.db)
        self.is_leader = False
        self.running: set[str] = set()
        """The connectors this scheduler is running now."""

    def start(self) -> None:
        self.scheduler.start()
        self.scheduler.add_job(
            self.keep_leadership,
            "interval",
            id=ELECTION_JOB,
            seconds=self.hub.settings.scheduler.leader_retry_seconds,
            max_instances=1,
            coalesce=True,
        )
        self.keep_leadership()
        if not self.is_leader:
            log.info("another process leads the scheduler; this one stands by")

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.streams.shutdown()
        self.leadership.release()
        if self.is_leader:
            log.info("this process stopped leading the scheduler")
            self.is_leader = False

    def keep_leadership(self) -> None:
        """Check the lead: give up what depends on it once lost, take it up when free."""
        if self.is_leader:
            if self.leadership.confirm():
                if self.hub.db.is_postgresql:  # SQLite cannot tell a live run in another process
                    self._resume_interrupted()
                return
            log.warning("this process lost the scheduler's lead; it stops scheduling")
            self._stand_down()
            self.is_leader = False
        if self.leadership.take():
            log.info("this process leads the scheduler")
            self.is_leader = True
            self._lead()

    def _lead(self) -> None:
        self._schedule_connectors()
        self._schedule_hub_jobs()
        self.streams.start()
        self._resume_interrupted()

    def _stand_down(self) -> None:
        for job in self.scheduler.get_jobs():
            if job.id != ELECTION_JOB:
                job.remove()
        self.streams.shutdown()

    def _resume_interrupted(self) -> None:
        """Run now the connectors whose last run a stopped process left RUNNING.

        Each such run goes on from its last checkpoint. A run that is in fact still going
        (here, or an admin's ``iochub sync``) holds its lock, and the resumption is skipped.
        """
        with self.hub.db.session() as session:
            unfinished = set(
                session.scalars(
                    select(SyncRun.connector_id).where(SyncRun.status == RunStatus.RUNNING)
                )
            )
        for connector_id in sorted(unfinished - self.running):
            connector = self.hub.connectors.get(connector_id)
            if connector is None or connector.streaming:
                continue  # an import is an admin's to repeat; a stream starts anyway
            self.scheduler.add_job(
                self.run_if_enabled,
                args=[connector_id, "resume"],
                id=f"resume:{connector_id}",
                replace_existing=True,
            )

    def _schedule_connectors(self) -> None:
        for connector in self.hub.connectors.values():
            if connector.trigger is None or connector.streaming:
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
        run = published.run
        if run is not None and run.status == RunStatus.FAILED:
            log.error("compliance publication: run %d FAILED: %s", run.id, run.error)
        elif run is not None and run.status != RunStatus.SUCCEEDED:
            log.warning("compliance publication: %s %s", run.status, run.error)

    def run_if_enabled(self, connector_id: str, trigger: str = "schedule") -> None:
        """The scheduled job: a run, unless an admin disabled the connector meanwhile."""
        if not is_enabled(self.hub, connector_id):
            return
        self.running.add(connector_id)
        try:
            run = run_sync(self.hub, connector_id, trigger=trigger)
        except RunInProgress:
            # A resumption mostly finds the run alive elsewhere: nothing worth a word then.
            level = logging.DEBUG if trigger == "resume" else logging.INFO
            log.log(level, "%s is already running; skipped", connector_id)
            return
        finally:
            self.running.discard(connector_id)
        if run.status == RunStatus.FAILED:
            log.error("%s: scheduled run %d FAILED: %s", connector_id, run.id, run.error)
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


def _note_lateness(event: JobSubmissionEvent) -> None:
    if event.scheduled_run_times:
        due = max(event.scheduled_run_times)
        metrics.job_started_late((datetime.now(due.tzinfo) - due).total_seconds())
