"""Whether a connector runs: the config file's ``enabled``, unless an admin overrode it.

An admin turns a connector off or on with ``setConnectorEnabled`` (GraphQL) or ``iochub
connector disable|enable`` (the shell); the choice is kept in the database, over the config
file, until changed again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.model import ConnectorRow

if TYPE_CHECKING:
    from hub.core import Hub


def switched_on(row: ConnectorRow) -> bool:
    """The row's effective switch: the override if set, else the config file's."""
    return row.enabled if row.enabled_override is None else row.enabled_override


def is_enabled(hub: Hub, connector_id: str) -> bool:
    """Whether the connector's effective switch is on (False for one not configured)."""
    with hub.db.session() as session:
        row = session.get(ConnectorRow, connector_id)
        return row is not None and switched_on(row)


def enabled_connectors(hub: Hub) -> list[str]:
    """The configured connectors whose effective switch is on, in the config's order."""
    with hub.db.session() as session:
        rows = {row.id: row for row in session.scalars(select(ConnectorRow))}
    return [
        connector_id
        for connector_id in hub.connectors
        if connector_id in rows and switched_on(rows[connector_id])
    ]


def override_enabled(session: Session, connector_id: str, enabled: bool) -> ConnectorRow:
    """Turn the connector on or off over the config file, in the session's transaction."""
    row = session.get_one(ConnectorRow, connector_id)
    row.enabled_override = enabled
    return row
