"""Reading a whole source document — an HTTP(S) URL or a local file — for any connector.

Most legacy systems hand over a file: an SDMX message behind a URL, an Excel workbook on a
share, a CSV export. :func:`fetch` reads one, and turns every way it can fail into the two
errors the runtime understands:

- :class:`~hub.connectors.errors.TransientSourceError` (retried with backoff): a timeout, a
  connection that fails or breaks, a 5xx, a 408 or 429 (with ``Retry-After`` honoured, in
  seconds or as an HTTP date), a body shorter than its ``Content-Length``;
- :class:`~hub.connectors.errors.PermanentSourceError` (fails the run): any other 4xx (401 and
  403 say to check the credentials), a missing or unreadable file, an unsupported URL scheme.

Conditional GET: pass the validators of the last read (``etag``, ``last_modified``, e.g. from
the connector's saved state) and a server that has nothing new answers 304, which comes back as
``Fetched(not_modified=True)`` with an empty body. A file has no such handshake; compare
:attr:`Fetched.sha256` with the last one instead. ``Fetched.version()`` gives all three as a
small dict fit for a :class:`~hub.connectors.records.Checkpoint`::

    fetched = fetch(config.location, context.http_timeout, headers, **previous_validators)
    if fetched.not_modified or fetched.sha256 == state.get("sha256"):
        ...  # nothing new

Error messages name the location without its query string or user info, which may hold secrets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit
from urllib.request import url2pathname

import httpx

from hub.connectors.errors import PermanentSourceError, TransientSourceError

HTTP_SCHEMES = ("http", "https")
TRANSIENT_STATUSES = frozenset({408, 429})


@dataclass(frozen=True)
class Fetched:
    """A source document as read, with the validators that identify its version."""

    location: str
    content: bytes = b""
    not_modified: bool = False
    """True when the server answered 304 to a conditional GET: ``content`` is then empty."""
    etag: str | None = None
    last_modified: str | None = None
    """An HTTP date: the server's ``Last-Modified``, or a file's modification time."""
    content_type: str | None = None

    @cached_property
    def sha256(self) -> str:
        """The hex SHA-256 of the content: the same bytes give the same digest."""
        return hashlib.sha256(self.content).hexdigest()

    def version(self) -> dict[str, str]:
        """``etag``, ``last_modified`` and ``sha256`` (those known), to save as state."""
        version = {"etag": self.etag, "last_modified": self.last_modified}
        if not self.not_modified:
            version["sha256"] = self.sha256
        return {key: value for key, value in version.items() if value}


def fetch(
    location: str,
    timeout: float,
    headers: Mapping[str, str] | None = None,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    verify: bool | str = True,
) -> Fetched:
    """Read the document at ``location``: an ``http(s)://`` URL, a ``file://`` URL or a path.

    ``headers`` are sent with an HTTP request (e.g. ``Authorization``); ``etag`` and
    ``last_modified`` make it conditional; ``verify`` is False or the path of a CA bundle for
    a server whose certificate a private authority signed. Raises TransientSourceError or
    PermanentSourceError as the module docstring describes.
    """
    scheme = urlsplit(location).scheme.lower()
    if scheme in HTTP_SCHEMES:
        conditional = _conditional_headers(etag, last_modified)
        return _fetch_http(location, timeout, {**(headers or {}), **conditional}, verify)
    if scheme == "file":
        return _fetch_file(location, _file_url_path(location))
    if len(scheme) > 1:  # a one-letter "scheme" is a Windows drive: C:\data\file.xlsx
        raise PermanentSourceError(
            f"{describe_location(location)}: unsupported scheme {scheme!r} "
            "(use http, https, file or a path)"
        )
    return _fetch_file(location, Path(location).expanduser())


def describe_location(location: str) -> str:
    """The location fit for a message or a log: no user info, query string or fragment."""
    parts = urlsplit(location)
    if parts.scheme.lower() not in (*HTTP_SCHEMES, "file"):
        return location
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _fetch_http(
    location: str, timeout: float, headers: dict[str, str], verify: bool | str
) -> Fetched:
    where = describe_location(location)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True, verify=verify) as client:
            response = client.get(location, headers=headers)
    except httpx.TimeoutException:
        raise TransientSourceError(f"{where}: no answer within {timeout:g} s") from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.TooManyRedirects) as exc:
        raise PermanentSourceError(f"{where}: {exc}") from None
    except httpx.TransportError as exc:
        raise TransientSourceError(f"{where}: {_transport_problem(exc)}") from None
    _raise_for_status(where, response)
    return _fetched_response(location, where, response)


def _transport_problem(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the connection broke off: {exc}"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {exc}"
    return str(exc) or type(exc).__name__


def _raise_for_status(where: str, response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    message = f"{where}: HTTP {status} {response.reason_phrase}".rstrip()
    if status >= 500 or status in TRANSIENT_STATUSES:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise TransientSourceError(message, retry_after=retry_after)
    if status in (401, 403):
        message += " (check the credentials)"
    raise PermanentSourceError(message)


def _fetched_response(location: str, where: str, response: httpx.Response) -> Fetched:
    etag = response.headers.get("ETag")
    last_modified = response.headers.get("Last-Modified")
    if response.status_code == 304:
        return Fetched(location, not_modified=True, etag=etag, last_modified=last_modified)
    content = response.content
    _check_complete(where, response, content)
    return Fetched(
        location,
        content,
        etag=etag,
        last_modified=last_modified,
        content_type=response.headers.get("Content-Type"),
    )


def _check_complete(where: str, response: httpx.Response, content: bytes) -> None:
    """A body shorter than announced is a broken transfer (httpx usually notices first)."""
    declared = response.headers.get("Content-Length")
    if not declared or not declared.isdigit() or response.headers.get("Content-Encoding"):
        return  # a decoded body's length says nothing about the encoded one
    if len(content) < int(declared):
        raise TransientSourceError(
            f"{where}: the body was cut short ({len(content)} of {declared} bytes)"
        )


def _file_url_path(location: str) -> Path:
    parts = urlsplit(location)
    if parts.netloc not in ("", "localhost"):
        raise PermanentSourceError(f"{location}: a file URL must be local (file:///path)")
    return Path(url2pathname(unquote(parts.path)))


def _fetch_file(location: str, path: Path) -> Fetched:
    try:
        content = path.read_bytes()
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except FileNotFoundError:
        raise PermanentSourceError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise PermanentSourceError(f"{path}: is a directory, not a file") from None
    except PermissionError:
        raise PermanentSourceError(f"{path}: permission denied") from None
    except OSError as exc:  # e.g. a network share that went away for a moment
        raise TransientSourceError(f"{path}: {exc.strerror or exc}") from None
    return Fetched(location, content, last_modified=format_datetime(modified, usegmt=True))
