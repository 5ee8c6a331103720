"""The security connector kinds: ``wazuh-file``, ``wazuh-http``, ``cef-file``, ``cef-syslog``.

Each reads its source its own way (:mod:`.file_kinds`, :mod:`.http_kind`, :mod:`.syslog_kind`)
and hands every alert to the shared :class:`~.pipeline.AlertPipeline`; what cannot become an
alert is a BadRecord holding the raw line or message and the reason, and reading goes on. Each
checkpoint carries the kind's own cursor together with the pipeline's state, so a retry
resumes exactly where the last checkpoint left off.
"""

from __future__ import annotations

from hub.connectors.base import Connector

from .file_kinds import CefFileConnector, WazuhFileConnector
from .http_kind import WazuhHttpConnector
from .syslog_kind import CefSyslogConnector

CONNECTOR_KINDS: list[type[Connector]] = [
    WazuhFileConnector,
    WazuhHttpConnector,
    CefFileConnector,
    CefSyslogConnector,
]
