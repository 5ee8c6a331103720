"""The unified data model: SQLAlchemy 2 tables for the shared concepts of DESIGN.md."""

from hub.model.alerts import Alert
from hub.model.auth import ApiToken, AuditEntry
from hub.model.base import Base
from hub.model.connectors import (
    ConnectorRow,
    ConnectorState,
    QuarantinedRecord,
    RunStatus,
    SyncRun,
)
from hub.model.events import Event, Facility
from hub.model.metrics import EventKind, Indicator, Metric
from hub.model.observations import Observation
from hub.model.reports import Report, ReportStatus, ReportTemplateRow, ReportTransition
from hub.model.rollups import Rollup, RollupMetric
from hub.model.units import AdminLevel, AdminUnit, Succession, SuccessionKind

__all__ = [
    "AdminLevel",
    "AdminUnit",
    "Alert",
    "ApiToken",
    "AuditEntry",
    "Base",
    "ConnectorRow",
    "ConnectorState",
    "Event",
    "EventKind",
    "Facility",
    "Indicator",
    "Metric",
    "Observation",
    "QuarantinedRecord",
    "Report",
    "ReportStatus",
    "ReportTemplateRow",
    "ReportTransition",
    "Rollup",
    "RollupMetric",
    "RunStatus",
    "Succession",
    "SuccessionKind",
    "SyncRun",
]
