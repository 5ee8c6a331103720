"""Syslog messages: the header of RFC 5424 and RFC 3164 (BSD), and TCP framing (RFC 6587).

A SIEM forwards CEF inside syslog. Only the header matters to us: the sender's host name and
time (fallbacks when the CEF message lacks them) and where the message itself starts. Headers
are read leniently, since senders bend both RFCs; what is not a header stays in the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

NIL = "-"
BOM = "\ufeff"
PRI = re.compile(r"<(\d{1,3})>")
BSD_TIME = re.compile(r"([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) ")
ISO_TIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) ")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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
        return _rfc5424(rest[2:])
    return _rfc3164(rest, local, now)


def _rfc5424(rest: str) -> SyslogMessage:
    """``TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]``."""
    parts = rest.split(" ", 5)
    if len(parts) < 6:
        return SyslogMessage(rest)
    stamp, hostname, app, _procid, _msgid, tail = parts
    message = _skip_structured_data(tail).lstrip(" ")
    return SyslogMessage(
        message.removeprefix(BOM),
        hostname=_value(hostname),
        timestamp=_iso_time(stamp),
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
    bsd = BSD_TIME.match(text)
    if bsd and bsd.group(1) in MONTHS:
        month = MONTHS.index(bsd.group(1)) + 1
        day, hour, minute, second = (int(bsd.group(i)) for i in range(2, 6))
        try:
            stamp = datetime(now.year, month, day, hour, minute, second, tzinfo=local)
        except ValueError:
            return None, text
        return last_year_if_ahead(stamp, now), text[bsd.end() :]
    iso = ISO_TIME.match(text)
    if iso:
        stamp = _iso_time(iso.group(1))
        if stamp is not None:
            return (stamp if stamp.tzinfo else stamp.replace(tzinfo=local)), text[iso.end() :]
    return None, text


def last_year_if_ahead(stamp: datetime, now: datetime) -> datetime:
    """``stamp`` a year earlier when it lies more than a day after ``now`` (December's message
    read in January); 29 February of a leap year becomes the 28th of the year before."""
    if stamp - now <= timedelta(days=1):
        return stamp
    if stamp.month == 2 and stamp.day == 29:
        stamp = stamp.replace(day=28)
    return stamp.replace(year=stamp.year - 1)


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


def _iso_time(text: str) -> datetime | None:
    if text == NIL:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _value(text: str) -> str | None:
    return None if text == NIL else text
