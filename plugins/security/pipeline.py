"""From alerts to the plugin's records, whatever the source: the heart of every security kind.

A connector reads its source, parses each alert, and hands it to :meth:`AlertPipeline.take`,
which yields the records: the alert as a ``security.alert`` event, its incident as it now
stands, incidents that fell quiet, and at the turn of a day that day's closing figures.
:meth:`AlertPipeline.checkpoint` yields the figures so far and the Checkpoint that carries the
pipeline's state next to the connector's own cursor.

The pipeline's clock is the latest alert time seen. Nothing in it looks at the wall clock, so
the same alerts give the same records however the reading is cut into runs and retries.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from hub.connectors.records import Checkpoint, Event, Item, Observation
from hub.zone import LOCAL_TIME

from .alerts import Alert
from .config import SecurityConfig
from .events import alert_event, incident_event, utc
from .figures import DailyFigures
from .hosts import HostDirectory
from .incidents import Incident, IncidentBook

"""The zone of the hub's days (event metrics count on Vietnam days too)."""


class AlertPipeline:
    """Folds alerts into incidents and keeps the day's figures; its state is a small cursor."""

    def __init__(self, config: SecurityConfig, state: dict[str, Any]) -> None:
        self.directory = HostDirectory(config.hosts, config.default_owner)
        self.store_alerts = config.store_alerts
        quiet = timedelta(minutes=config.incident_quiet_minutes)
        limit = config.max_open_incidents
        self.book = IncidentBook.from_state(state.get("incidents"), quiet, limit)
        self.figures = DailyFigures.from_state(state.get("day"))
        self.clock: datetime | None = _time(state.get("clock"))
        self._changed = False  # since the figures were last yielded

    def take(self, alert: Alert, place: str | None = None) -> Iterator[Event | Observation]:
        """The records one alert brings (in the order they must be written)."""
        yield from self._advance(alert.occurred_at)
        identified = self.directory.identify(alert.hosts)
        incident, evicted = self.book.fold(alert, identified.host)
        yield from (self._incident_event(early) for early in evicted)
        if self.store_alerts:
            yield alert_event(alert, identified.host, identified.owner, incident.key, place)
        yield self._incident_event(incident)
        if _local_day(alert.occurred_at) == self.figures.day:
            self.figures.saw(self._unit_of(identified.host), identified.host)
        self._changed = True

    def checkpoint(self, cursor: dict[str, Any]) -> Iterator[Item]:
        """The figures so far (if anything changed) and a Checkpoint of ``cursor`` and the
        pipeline's state together."""
        if self._changed:
            yield from self._figures()
        yield Checkpoint({**cursor, **self.state()})

    def state(self) -> dict[str, Any]:
        return {
            "clock": utc(self.clock) if self.clock else None,
            "incidents": self.book.to_state(),
            "day": self.figures.to_state(),
        }

    def _advance(self, when: datetime) -> Iterator[Event | Observation]:
        """Move the clock to ``when``: close the day it leaves, resolve what fell quiet."""
        if self.clock is not None and when <= self.clock:
            return  # an alert a little out of order: the clock stays
        day = _local_day(when)
        if self.figures.day is not None and day > self.figures.day:
            yield from self._resolve(_midnight(day))
            yield from self._figures()  # the closing figures of the day that ended
            self.figures = DailyFigures(day)
        elif self.figures.day is None:
            self.figures = DailyFigures(day)
        self.clock = when
        yield from self._resolve(when)

    def _resolve(self, now: datetime) -> Iterator[Event]:
        for incident in self.book.expire(now):
            self._changed = True
            yield self._incident_event(incident)

    def _figures(self) -> list[Observation]:
        self._changed = False
        open_incidents = [
            (self._unit_of(incident.host), incident.severity)
            for incident in self.book.open_incidents()
        ]
        return self.figures.observations(self.directory.units(), open_incidents)

    def _unit_of(self, host: str) -> str | None:
        owner = self.directory.owner_of(host)
        return owner.unit if owner else None

    def _incident_event(self, incident: Incident) -> Event:
        owner = self.directory.owner_of(incident.host)
        return incident_event(incident, owner, self.store_alerts)


def _local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TIME).date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL_TIME)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
