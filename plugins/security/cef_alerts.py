"""CEF messages (bare, or inside syslog) → alerts.

- **What fired**: the device vendor and product and the Device Event Class ID (signature);
  the title is the Name.
- **When**: the extension's ``rt`` (receipt time), else ``end``, else ``start``, else the
  syslog header's time, else (for a listener) when the message arrived. CEF times are
  milliseconds since the epoch or ``MMM dd [yyyy] HH:mm:ss[.SSS] [zone]``; ISO 8601 is accepted
  too (read by the hub's one parser, :mod:`hub.timestamps`). A time without a zone is in the
  connector's ``timezone``.
- **Which host**: the ``host_fields`` of the extension, then the syslog header's host name.
- **Identity**: ``externalId`` when the sender gives one; else a digest of the message and
  where it was read (a file and offset, or a socket and arrival), so that a re-read of the same
  line is the same alert and two identical lines are two alerts.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hub.timestamps import TimestampError, parse_timestamp

from .alerts import Alert, AlertError, clipped
from .cef import CefError, CefEvent, parse_cef
from .config import CefOptions
from .severity import cef_level, from_cef_level
from .syslog import SyslogMessage, parse_syslog

TIME_KEYS = ("rt", "end", "start")
TIME_FORMATS = ("%b %d %Y %H:%M:%S.%f", "%b %d %Y %H:%M:%S", "%b %d %H:%M:%S.%f", "%b %d %H:%M:%S")
"""CEF's ``MMM dd [yyyy] HH:mm:ss[.SSS]`` (its zone split off first); without a year, the
latest year not ahead of now (the hub's rule, :func:`hub.timestamps.in_latest_year`)."""
OFFSET = re.compile(r"^([+-])(\d\d):?(\d\d)$")
MAX_EXTENSION_KEYS = 60


def cef_alert(
    text: str,
    position: str,
    options: CefOptions,
    zone: tzinfo,
    now: datetime,
    received_at: datetime | None = None,
) -> Alert:
    """The alert in one CEF message; AlertError (with the reason) when there is none."""
    syslog = parse_syslog(text, zone, now)
    try:
        event = parse_cef(syslog.message)
        level = cef_level(event.severity)
    except (CefError, ValueError) as exc:
        raise AlertError(str(exc)) from None
    return Alert(
        id=_identity(event, text, position),
        occurred_at=_occurred_at(event, syslog, zone, now, received_at),
        rule=f"{event.vendor}|{event.product}|{event.signature}",
        title=event.name or event.signature,
        level=level,
        severity=from_cef_level(level),
        hosts=_hosts(event, syslog, options.host_fields),
        origin="cef",
        details=_details(event),
    )


def cef_time(value: str, zone: tzinfo, now: datetime) -> datetime:
    """A CEF time field as an aware time; AlertError when it cannot be read."""
    text = value.strip()
    if text.isdigit():
        try:
            return datetime.fromtimestamp(int(text) / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            raise AlertError(f"time {value!r} is out of range") from None
    text, stated = _split_zone(text)
    try:
        return parse_timestamp(text, stated or zone, TIME_FORMATS, now)
    except TimestampError:
        raise AlertError(f"time {value!r} is not a CEF time") from None


def _occurred_at(
    event: CefEvent,
    syslog: SyslogMessage,
    zone: tzinfo,
    now: datetime,
    received_at: datetime | None,
) -> datetime:
    for key in TIME_KEYS:
        if event.extension.get(key):
            try:
                return cef_time(event.extension[key], zone, now)
            except AlertError as exc:
                raise AlertError(f"{key}: {exc}") from None
    moment = syslog.timestamp or received_at
    if moment is None:
        raise AlertError("the message has no time (no rt, end or start, no syslog header)")
    return moment


def _hosts(event: CefEvent, syslog: SyslogMessage, fields: list[str]) -> tuple[str, ...]:
    names = [event.extension.get(field) for field in fields] + [syslog.hostname]
    return tuple(name for name in names if name)


def _identity(event: CefEvent, text: str, position: str) -> str:
    external = event.extension.get("externalId")
    if external:
        return f"{event.vendor}|{event.product}|{external}"
    digest = hashlib.sha256(f"{position}\n{text}".encode()).hexdigest()[:32]
    return f"sha256:{digest}"


def _details(event: CefEvent) -> dict[str, object]:
    extension = dict(list(event.extension.items())[:MAX_EXTENSION_KEYS])
    return {
        "device": " ".join(p for p in (event.vendor, event.product, event.device_version) if p),
        "signature": event.signature,
        "cef": {key: clipped(value) for key, value in extension.items()},
    }


def _split_zone(text: str) -> tuple[str, tzinfo | None]:
    """The time text without its trailing zone, and that zone (None when it states none)."""
    head, _, last = text.rpartition(" ")
    if not head or (":" in last and not OFFSET.match(last)):  # the last token is the time
        return text, None
    if last.upper() in ("UTC", "GMT", "Z"):
        return head, UTC
    offset = OFFSET.match(last)
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        delta = timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3)))
        return head, timezone(sign * delta)
    if "/" in last:
        try:
            return head, ZoneInfo(last)
        except (ZoneInfoNotFoundError, ValueError):
            raise AlertError(f"time zone {last!r} is unknown") from None
    if last.isalpha():
        raise AlertError(f"time zone {last!r} is ambiguous: send an offset such as +0700")
    return text, None
