"""What ``/health`` and ``/health/ready`` say: the database, the migrations, the connectors.

A connector is in trouble when its last finished run failed, or when a run it was due has
not happened for more than twice its schedule's interval (a scheduler stopped, a run hung).
The hub is then ``degraded``: still serving (a load balancer keeps it), while monitoring
alerts (docs/operations.md, "Health").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text

from hub.connectors.freshness import overdue_since
from hub.connectors.switch import enabled_connectors
from hub.model import RunStatus, SyncRun
from hub.model.base import utcnow

if TYPE_CHECKING:
    from hub.core import Hub
    from hub.model.database import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConnectorTrouble:
    """Why one connector needs looking at."""

    connector: str
    problem: str
    """``failed`` or ``overdue``."""
    detail: str
    since: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.connector,
            "problem": self.problem,
            "detail": self.detail,
            "since": self.since.isoformat(),
        }


def database_answers(db: Database) -> bool:
    """Whether the database answers a ``SELECT 1`` now."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not healthy"
        log.warning("health check: the database does not answer", exc_info=True)
        return False
    return True


def pending_migrations(hub: Hub) -> list[str]:
    """The migration heads the database is not at (empty when it is up to date)."""
    from alembic.script import ScriptDirectory

    from hub.model.migrations import alembic_config, current_heads

    locations = hub.plugins.migration_locations()
    wanted = set(ScriptDirectory.from_config(alembic_config(locations)).get_heads())
    return sorted(wanted - current_heads(hub.db, locations))


def connector_troubles(hub: Hub, now: datetime | None = None) -> list[ConnectorTrouble]:
    """The enabled, configured connectors whose last run failed or that are overdue."""
    now = now or utcnow()
    enabled = enabled_connectors(hub)
    last_runs = _last_runs(hub, enabled)
    troubles = []
    for connector_id in enabled:
        run = last_runs.get(connector_id)
        if run is None or run.status == RunStatus.RUNNING or run.finished_at is None:
            continue
        if run.status == RunStatus.FAILED:
            troubles.append(
                ConnectorTrouble(connector_id, "failed", run.error or "", run.finished_at)
            )
            continue
        trigger = hub.connectors[connector_id].trigger
        late = overdue_since(trigger, run.started_at, now) if trigger else None
        if late is not None:
            schedule = hub.connectors[connector_id].schedule
            detail = f"no run since {run.started_at.isoformat()} (schedule: {schedule})"
            troubles.append(ConnectorTrouble(connector_id, "overdue", detail, late))
    return troubles


def _last_runs(hub: Hub, connector_ids: list[str]) -> dict[str, SyncRun]:
    """Each connector's run started last, finished or not."""
    last = (
        select(func.max(SyncRun.id))
        .where(SyncRun.connector_id.in_(connector_ids))
        .group_by(SyncRun.connector_id)
    )
    with hub.db.session() as session:
        rows = session.scalars(select(SyncRun).where(SyncRun.id.in_(last)))
        return {run.connector_id: run for run in rows}
