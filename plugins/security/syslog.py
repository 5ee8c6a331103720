"""Syslog messages: the header of RFC 5424 and RFC 3164 (BSD), and TCP framing (RFC 6587).

A SIEM forwards CEF inside syslog. Only the header matters to us: the sender's host name and
time (fallbacks when the CEF message lacks them) and where the message itself starts. Headers
are read leniently, since senders bend both RFCs; what is not a header stays in the message.
Times are read by the hub's one parser (:mod:`hub.timestamps`); the year of a BSD time, which
has none, by its rule :func:`~hub.timestamps.in_latest_year`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, tzinfo

from hub.timestamps import TimestampError, in_latest_year, parse_timestamp

NIL = "-"
BOM = "\ufeff"
PRI = re.compile(r"<(\d{1,3})>")
BSD_TIME = re.compile(r"([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) ")
"""RFC 3164's ``Mmm dd hh:mm:ss``: no year, no zone (the connector's). Read from its digits, not
by ``strptime``: a listener reads thousands a second."""
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ISO_TIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) ")


@dataclass(frozen=True)
class SyslogMessage:
    """What a syslog header said, and the message after it."""

    message: str
    hostname: str | None = None
    timestamp: datetime | None = None
    app: str | None = None


def parse_syslog(text: str, local: tzinfo, now: datetime) -> SyslogMessage:
    """Split ``text`` into its syslog header and message; text without a header is all message.

    ``local`` is the zone of a BSD timestamp (which has none) and ``now`` gives its year.
    """
    text = text.strip("\r\n\x00")
    match = PRI.match(text)
    rest = text[match.end() :] if match else text
    if match and rest[:2] == "1 ":
        return _rfc5424(rest[2:], local)
    return _rfc3164(rest, local, now)


def _rfc5424(rest: str, local: tzinfo) -> SyslogMessage:
    """``TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]``."""
    parts = rest.split(" ", 5)
    if len(parts) < 6:
        return SyslogMessage(rest)
    stamp, hostname, app, _procid, _msgid, tail = parts
    message = _skip_structured_data(tail).lstrip(" ")
    return SyslogMessage(
        message.removeprefix(BOM),
        hostname=_value(hostname),
        timestamp=_time(stamp, local),
        app=_value(app),
    )


def _rfc3164(rest: str, local: tzinfo, now: datetime) -> SyslogMessage:
    """``Mmm dd hh:mm:ss HOSTNAME TAG: MSG`` (or an ISO timestamp, as rsyslog writes)."""
    timestamp, after = _bsd_or_iso_time(rest, local, now)
    if timestamp is None:
        return SyslogMessage(rest)
    token, _, message = after.partition(" ")
    if not token or token.startswith("CEF:") or token.endswith(":"):
        return SyslogMessage(after, timestamp=timestamp)  # no host name before the message
    return SyslogMessage(message, hostname=token, timestamp=timestamp)


def _bsd_or_iso_time(text: str, local: tzinfo, now: datetime) -> tuple[datetime | None, str]:
    """The time a header starts with, and the text after it (no time: None and the text)."""
    bsd = BSD_TIME.match(text)
    if bsd and bsd.group(1) in MONTHS:
        month = MONTHS.index(bsd.group(1)) + 1
        day, hour, minute, second = (int(bsd.group(i)) for i in range(2, 6))
        try:
            stamp = in_latest_year(month, day, time(hour, minute, second), local, now)
        except (TimestampError, ValueError):
            return None, text
        return stamp, text[bsd.end() :]
    iso = ISO_TIME.match(text)
    stamp = _time(iso.group(1), local) if iso else None
    if iso is None or stamp is None:
        return None, text
    return stamp, text[iso.end() :]


def _skip_structured_data(text: str) -> str:
    """The text after RFC 5424 structured data: ``-`` or ``[id k="v" ...]...``."""
    if text.startswith(NIL):
        return text[1:]
    i = 0
    while i < len(text) and text[i] == "[":
        i = _element_end(text, i)
    return text[i:]


def _element_end(text: str, start: int) -> int:
    """The position after the ``]`` closing the element at ``start`` (quotes and escapes kept)."""
    quoted = False
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and quoted:
            i += 2
            continue
        if char == '"':
            quoted = not quoted
        elif char == "]" and not quoted:
            return i + 1
        i += 1
    return len(text)


def _time(text: str, local: tzinfo) -> datetime | None:
    """A header's ISO 8601 time (without a zone, in ``local``); None if unreadable."""
    if text == NIL:
        return None
    try:
        return parse_timestamp(text, local)
    except TimestampError:
        return None


def _value(text: str) -> str | None:
    return None if text == NIL else text
