"""The config models of the security connector kinds (the ``[connectors.<id>]`` tables).

Every kind shares :class:`SecurityConfig`: who owns each monitored host, and how alerts fold
into incidents. See README.md for full examples against a real Wazuh manager and SIEM.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hub.connectors.base import ConnectorConfig
from hub.connectors.http import HttpAuth
from hub.units.codes import GsoCode
from hub.zone import TIMEZONE, ZoneName

DEFAULT_TIMEZONE = TIMEZONE


class HostOwner(BaseModel):
    """The agency responsible for a host, and the administrative unit it belongs to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agency: str = Field(min_length=1)
    unit: GsoCode | None = None
    """A GSO code, zero-padded: province 2 digits, district 3, commune 5 (e.g. ``"23293"``)."""


class SecurityConfig(ConnectorConfig):
    """What every security kind shares: host owners and incident folding."""

    hosts: dict[str, HostOwner] = Field(default_factory=dict)
    """Host name, IP address or network (CIDR) → its owner."""
    default_owner: HostOwner | None = None
    """The owner of hosts the table does not list (None: such alerts have no unit)."""
    incident_quiet_minutes: int = Field(60, ge=1, le=7 * 24 * 60)
    """An incident stays open while its alerts come less than this apart; after this long
    without one it is resolved, and the next alert opens a new incident."""
    max_open_incidents: int = Field(100, ge=1, le=250)
    """Open incidents kept in the connector's state; beyond, the longest quiet one is resolved
    early (the state is a cursor, not a history)."""
    store_alerts: bool = True
    """Store each alert as a ``security.alert`` event, besides folding it into its incident."""
    timezone: ZoneName = DEFAULT_TIMEZONE
    """The zone of source times that carry none (BSD syslog, some CEF ``rt`` formats)."""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class WazuhOptions(ConnectorConfig):
    min_level: int = Field(0, ge=0, le=16)
    """Alerts of Wazuh rules below this level are skipped (not stored, not folded)."""


class CefOptions(ConnectorConfig):
    min_severity: int = Field(0, ge=0, le=10)
    """CEF messages below this severity (0–10) are skipped."""
    host_fields: list[str] = Field(
        default_factory=lambda: ["dhost", "dst", "shost", "src", "dvchost", "dvc"]
    )
    """Extension keys that may name the monitored host, in order; the syslog header's host name
    comes last. The first one the host table knows wins, so with the default an attack's target
    is found before its source (an infected machine calling out), and both before the device
    that saw them; when the table knows none, the first present names the host."""
    ignore_non_cef: bool = False
    """Skip messages that are not CEF instead of quarantining them (a shared syslog port)."""


class TailConfig(SecurityConfig):
    """A file that a manager or a syslog daemon keeps appending to."""

    path: str = Field(min_length=1)
    checkpoint_every: int = Field(500, ge=1)
    """Lines between checkpoints (each commits the records before it and the file offset)."""


class WazuhFileConfig(TailConfig, WazuhOptions):
    """``wazuh-file``: Wazuh's alert JSON lines, e.g. /var/ossec/logs/alerts/alerts.json."""


class CefFileConfig(TailConfig, CefOptions):
    """``cef-file``: CEF lines, bare or behind a syslog header, e.g. a syslog daemon's file."""


class WazuhHttpConfig(SecurityConfig, WazuhOptions, HttpAuth):
    """``wazuh-http``: the Wazuh indexer's search API, or any export of alert JSON."""

    url: str
    """The indexer's base URL (``https://wazuh-indexer:9200``) or the export's URL."""
    api: Literal["indexer", "export"] = "indexer"
    index: str = "wazuh-alerts-4.x-*"
    """The index pattern searched (``indexer`` only)."""
    page_size: int = Field(500, ge=1, le=10000)
    start: datetime | None = None
    """The first run reads alerts from this time on (default: all the source holds)."""
    settle_seconds: int = Field(60, ge=0)
    """Alerts younger than this are left for the next run: an indexer makes documents
    searchable a little after their timestamp, and a time cursor must not pass them by."""

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if urlsplit(value).scheme.lower() not in ("http", "https"):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")


class CefSyslogConfig(SecurityConfig, CefOptions):
    """``cef-syslog``: a syslog listener (UDP and/or TCP) receiving CEF from a SIEM."""

    host: str = "127.0.0.1"
    """The address to listen on (``0.0.0.0`` for every interface)."""
    port: int = Field(5514, ge=1, le=65535)
    transports: list[Literal["udp", "tcp"]] = Field(
        default_factory=lambda: ["udp", "tcp"], min_length=1
    )
    idle_timeout_seconds: float | None = Field(None, gt=0)
    """End the run after this long with nothing received (``iochub sync``, tests); without
    it the listener runs until the hub stops."""
    checkpoint_seconds: float = Field(2.0, gt=0, le=60)
    """Longest wait before what arrived is committed."""
    max_message_bytes: int = Field(64 * 1024, ge=1024, le=1024 * 1024)
    receive_buffer_bytes: int = Field(4 * 1024 * 1024, ge=4096)
    """The UDP socket's receive buffer (``SO_RCVBUF``): what a burst may hold while the hub
    catches up. Linux caps it at ``net.core.rmem_max``; raise that too for more."""

    @field_validator("transports")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))
