"""Reading a whole source document — an HTTP(S) URL or a local file — for any connector.

Most legacy systems hand over a file: an SDMX message behind a URL, an Excel workbook on a
share, a CSV export. :func:`fetch` reads one, and turns every way it can fail into the two
errors the runtime understands:

- :class:`~hub.connectors.errors.TransientSourceError` (retried with backoff): a timeout, a
  connection that fails or breaks, a 5xx, a 408 or 429 (with ``Retry-After`` honoured, in
  seconds or as an HTTP date), a body shorter than its ``Content-Length``;
- :class:`~hub.connectors.errors.PermanentSourceError` (fails the run): any other 4xx (401 and
  403 say to check the credentials), a missing or unreadable file, an unsupported URL scheme.

HTTP faults are judged by the one table of :mod:`hub.connectors.errors`, through
:class:`hub.connectors.http.HttpClient`.

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
from email.utils import format_datetime
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from hub.connectors.errors import PermanentSourceError, TransientSourceError, parse_retry_after
from hub.connectors.http import HttpClient, describe_location

HTTP_SCHEMES = ("http", "https")

__all__ = ["Fetched", "describe_location", "fetch", "parse_retry_after"]


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
    client: HttpClient | None = None,
) -> Fetched:
    """Read the document at ``location``: an ``http(s)://`` URL, a ``file://`` URL or a path.

    ``headers`` are sent with an HTTP request (e.g. ``Authorization``); ``etag`` and
    ``last_modified`` make it conditional; ``verify`` is False or the path of a CA bundle for
    a server whose certificate a private authority signed; ``client``, the run's
    :class:`~hub.connectors.http.HttpClient`, reuses its connections (and its retries).
    Raises TransientSourceError or PermanentSourceError as the module docstring describes.
    """
    scheme = urlsplit(location).scheme.lower()
    if scheme in HTTP_SCHEMES:
        if client is not None:
            return _fetch_http(client, location, headers, etag, last_modified)
        with HttpClient(timeout=timeout, verify=verify) as own:
            return _fetch_http(own, location, headers, etag, last_modified)
    if scheme == "file":
        return _fetch_file(location, _file_url_path(location))
    if len(scheme) > 1:  # a one-letter "scheme" is a Windows drive: C:\data\file.xlsx
        raise PermanentSourceError(
            f"{describe_location(location)}: unsupported scheme {scheme!r} "
            "(use http, https, file or a path)"
        )
    return _fetch_file(location, Path(location).expanduser())


def _fetch_http(
    client: HttpClient,
    location: str,
    headers: Mapping[str, str] | None,
    etag: str | None,
    last_modified: str | None,
) -> Fetched:
    document = client.get(location, headers=headers, etag=etag, last_modified=last_modified)
    return Fetched(
        location,
        document.content,
        not_modified=document.not_modified,
        etag=document.etag,
        last_modified=document.last_modified,
        content_type=None if document.not_modified else document.headers.get("Content-Type"),
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
