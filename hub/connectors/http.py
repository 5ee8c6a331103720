"""The connector kit's HTTP side: one pooled client per run, authentication, paging.

A connector that reads an HTTP API opens one :class:`HttpClient` per run (a context manager)
and asks it for documents or for the pages of a list::

    with HttpClient(config.url, auth=config, timeout=context.http_timeout,
                    retries=context.requests) as client:
        for page in client.pages("alerts", PageNumber(size=100), items="data"):
            for record in page.items:
                ...
            yield Checkpoint({"paging": page.resume})

What it does for every connector, in one place:

- **one connection pool** for the run (keep-alive, one TLS handshake), closed at its end;
- **authentication** from an :class:`HttpAuth` config (bearer token, basic, an API key in the
  query or a header, custom headers), secrets kept out of messages and logs;
- **faults** judged by the one table of :mod:`hub.connectors.errors` (5xx, 408, 429, timeouts,
  broken connections are transient and retried on the spot from the run's budget, see
  :class:`~hub.connectors.retry.RequestRetries`; other 4xx are permanent; ``Retry-After``
  honoured);
- **conditional GET** (``etag`` / ``last_modified`` → ``If-None-Match`` /
  ``If-Modified-Since``; a 304 comes back as :attr:`Document.not_modified`);
- **paging** by a :class:`Paginator`: :class:`NextLink` (a URL in the body or the ``Link``
  header), :class:`PageNumber`, :class:`Offset`, :class:`CursorToken`. A walk that asks for
  the same page twice, or is answered the same non-empty page twice in a row, raises
  :class:`~hub.connectors.errors.PagingLoop` instead of looping forever; for a source known
  to answer its last page again past its end, ``PageNumber(repeated_page_ends=True)`` reads
  the repeat as the end of the list instead.

Messages name URLs through :func:`describe_location`: no user info, query string or fragment,
which may hold secrets.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, ClassVar, TypeVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx
from pydantic import Field, SecretStr, model_validator

from hub.connectors.base import ConnectorConfig
from hub.connectors.errors import (
    PagingLoop,
    PermanentSourceError,
    TransientSourceError,
    error_for_exception,
    error_for_status,
)
from hub.connectors.retry import RequestRetries

__all__ = [
    "CursorToken",
    "Document",
    "HttpAuth",
    "HttpClient",
    "JsonPath",
    "NextLink",
    "Offset",
    "Page",
    "PageNumber",
    "PageRequest",
    "Paginator",
    "describe_location",
    "dig",
    "with_query",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

JsonPath = str | Callable[[Any], Any] | None
"""Where a value is in a JSON body: a dotted path (``"meta.next"``, ``"hits.hits"``, list
indexes as numbers: ``"entry.0.id"``), a function of the body, or None for the body itself."""


# ---------------------------------------------------------------------------------------------
# Locations and JSON paths


def describe_location(location: str) -> str:
    """The location fit for a message or a log: no user info, query string or fragment."""
    parts = urlsplit(location)
    if parts.scheme.lower() not in ("http", "https", "file"):
        return location
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def dig(data: Any, path: JsonPath) -> Any:
    """The value at ``path`` in ``data`` (see :data:`JsonPath`); None where it is missing."""
    if path is None:
        return data
    if type(data) is dict and type(path) is str and "." not in path:
        return data.get(path)  # the common case, at a stream's pace
    if callable(path):
        return path(data)
    for step in path.split("."):
        if isinstance(data, dict):
            data = data.get(step)
        elif isinstance(data, list) and step.lstrip("-").isdigit():
            index = int(step)
            data = data[index] if -len(data) <= index < len(data) else None
        else:
            return None
    return data


def with_query(url: str, params: Mapping[str, Any]) -> str:
    """``url`` with ``params`` added to (or replacing those of) its query string; a list or
    tuple value repeats its parameter (``_include=a&_include=b``), None leaves it out."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    for key, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        query += [(key, str(each)) for each in values if each is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


# ---------------------------------------------------------------------------------------------
# Authentication


class HttpAuth(ConnectorConfig):
    """How a connector authenticates to an HTTP source: subclass it in your kind's config.

    At most one of ``token`` (bearer) and ``username``/``password`` (basic); ``api_key`` is
    sent in the query (``api_key_param``, the default) or in a header (``api_key_header``);
    ``headers`` are sent as given. Every secret is a ``SecretStr``: never printed.
    """

    token_scheme: ClassVar[str] = "Bearer"
    """The scheme the token is sent with; a subclass may change it (DHIS2: ``ApiToken``)."""

    token: SecretStr | None = None
    """Sent as ``Authorization: Bearer <token>`` (see :attr:`token_scheme`)."""
    username: str | None = None
    """With ``password``: HTTP basic authentication."""
    password: SecretStr | None = None
    api_key: SecretStr | None = None
    """An API key, sent as ``api_key_param`` in the query or as the ``api_key_header``."""
    api_key_param: str = "api_key"
    api_key_header: str | None = None
    """Send the API key in this header (e.g. ``X-API-Key``) instead of the query."""
    headers: dict[str, SecretStr] = Field(default_factory=dict)
    """Extra HTTP headers; secret, since they often carry credentials."""

    @model_validator(mode="after")
    def _one_way_to_sign_in(self) -> HttpAuth:
        if (self.username is None) != (self.password is None):
            raise ValueError("give both username and password, or neither")
        if self.token is not None and self.username is not None:
            raise ValueError("give a token or a username and password, not both")
        return self

    def request_headers(self) -> dict[str, str]:
        """The headers to send, secrets revealed (basic authentication included)."""
        headers = {name: value.get_secret_value() for name, value in self.headers.items()}
        if self.token is not None:
            headers["Authorization"] = f"{self.token_scheme} {self.token.get_secret_value()}"
        elif self.username is not None and self.password is not None:
            pair = f"{self.username}:{self.password.get_secret_value()}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        if self.api_key is not None and self.api_key_header:
            headers[self.api_key_header] = self.api_key.get_secret_value()
        return headers

    def request_params(self) -> dict[str, str]:
        """The query parameters to send: the API key, when it goes in the query."""
        if self.api_key is None or self.api_key_header:
            return {}
        return {self.api_key_param: self.api_key.get_secret_value()}


# ---------------------------------------------------------------------------------------------
# The client


@dataclass(frozen=True)
class Document:
    """One answer: the body and what identifies its version."""

    url: str
    content: bytes = b""
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=httpx.Headers)
    """Case-insensitive, as HTTP's are."""
    not_modified: bool = False
    """A 304 to a conditional GET: ``content`` is empty, the last version still holds."""

    @property
    def etag(self) -> str | None:
        return self.headers.get("ETag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("Last-Modified")

    def json(self) -> Any:
        """The body as JSON; a TransientSourceError when it is not (a body cut short)."""
        try:
            return json.loads(self.content)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise TransientSourceError(
                f"{describe_location(self.url)}: the answer is not complete JSON ({exc})"
            ) from None

    def version(self) -> dict[str, str]:
        """``etag`` and ``last_modified`` (those known), to save as state for the next GET."""
        known = {"etag": self.etag, "last_modified": self.last_modified}
        return {key: value for key, value in known.items() if value}


class HttpClient:
    """One pooled HTTP client for a run; use it as a context manager (see the module doc).

    ``base_url`` is joined with relative URLs; ``auth`` signs every request; ``headers`` are
    sent with each (e.g. ``Accept``); ``retries`` (the connector's ``context.requests``)
    retries transient faults on the spot, from the run's budget of retry time.
    """

    def __init__(
        self,
        base_url: str = "",
        *,
        auth: HttpAuth | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        retries: RequestRetries | None = None,
        verify: bool | str = True,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/" if base_url else ""
        self.timeout = timeout
        self.retries = retries
        self._params = auth.request_params() if auth else {}
        sent = {**(headers or {}), **(auth.request_headers() if auth else {})}
        self._client = httpx.Client(
            timeout=timeout, follow_redirects=True, headers=sent, verify=verify
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """The absolute URL of ``path`` (relative to the base URL) with ``params`` added."""
        absolute = urljoin(self.base_url, path) if self.base_url else path
        return with_query(absolute, params) if params else absolute

    def get(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        explain: Callable[[httpx.Response], str] | None = None,
    ) -> Document:
        """GET ``path``; faults raised as the errors table says, transient ones retried.

        ``etag``/``last_modified`` make the request conditional. ``explain`` reads what a
        failed answer says about its fault (e.g. a FHIR OperationOutcome's diagnostics), to
        add to the message.
        """
        url = self.url(path, params)
        sent = dict(headers or {})
        if etag:
            sent["If-None-Match"] = etag
        if last_modified:
            sent["If-Modified-Since"] = last_modified
        return self._retried(url, lambda: self._get(url, sent, explain))

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """The JSON body at ``path`` (see :meth:`get`)."""
        return self.read(path, Document.json, params)

    def read(
        self,
        path: str,
        parse: Callable[[Document], T],
        params: Mapping[str, Any] | None = None,
        *,
        explain: Callable[[httpx.Response], str] | None = None,
    ) -> T:
        """``parse`` of the answer at ``path``, the request and the parsing retried as one: a
        transient error ``parse`` raises (a body cut short, a source's "try later" in a 200)
        sends the request again."""
        url = self.url(path, params)
        return self._retried(url, lambda: parse(self._get(url, {}, explain)))

    def _retried(self, url: str, attempt: Callable[[], T]) -> T:
        if self.retries is None:
            return attempt()
        return self.retries.call(attempt, describe_location(url))

    def pages(
        self,
        path: str,
        paginator: Paginator,
        params: Mapping[str, Any] | None = None,
        *,
        items: JsonPath = None,
        parse: Callable[[Document], Any] = Document.json,
        resume: Mapping[str, Any] | None = None,
        explain: Callable[[httpx.Response], str] | None = None,
    ) -> Iterator[Page]:
        """The pages of a list, from the first (or from ``resume``, a :attr:`Page.resume`
        saved in a checkpoint) to the last, as ``paginator`` walks them.

        ``parse`` turns an answer into a body (JSON by default; it may raise a SourceError for
        an answer that is no page); ``items`` says where the records are in it (a list; a body
        that has none there is a PermanentSourceError); ``explain`` is as for :meth:`get`.
        Raises :class:`~hub.connectors.errors.PagingLoop` when the walk goes round.
        """
        request: PageRequest | None = paginator.first(self.url(path, params), resume)
        visits: dict[str, int] = {}
        last_digest: str | None = None
        number = 0
        while request is not None:
            visits[request.url] = visits.get(request.url, 0) + 1
            if visits[request.url] > paginator.max_visits:
                raise PagingLoop(
                    f"{describe_location(request.url)}: the source's paging loops "
                    f"({paginator.describe(request)} was asked for {visits[request.url]} times)"
                )
            document, body = self.read(
                request.url, lambda answer: (answer, parse(answer)), explain=explain
            )
            found = _items_of(body, items, document.url)
            number += 1
            digest = _digest(found) if found and paginator.client_driven else None
            if digest is not None and digest == last_digest:
                if paginator.repeated_page_ends:
                    return  # the source's way of saying there is no more
                raise PagingLoop(
                    f"{describe_location(request.url)}: {paginator.describe(request)} repeats "
                    f"the page before it; does the source read the paging parameter?"
                )
            last_digest = digest
            following = paginator.next(request, document, body, found)
            resume = paginator.resume(following)
            yield Page(number, request.url, document, body, found, resume, request.position)
            request = following

    def _get(
        self,
        url: str,
        headers: dict[str, str],
        explain: Callable[[httpx.Response], str] | None,
    ) -> Document:
        where = describe_location(url)
        try:
            signed = with_query(url, self._params) if self._params else url
            response = self._client.get(signed, headers=headers)
            content = response.read()
        except httpx.HTTPError as exc:
            raise error_for_exception(where, exc, self.timeout) from None
        detail = explain(response) if explain and response.status_code >= 400 else ""
        error = error_for_status(
            where, response.status_code, response.reason_phrase, response.headers, detail
        )
        if error is not None:
            raise error
        _check_complete(where, response, content)
        return Document(
            str(response.url),
            content,
            response.status_code,
            httpx.Headers(response.headers),
            not_modified=response.status_code == 304,
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


def _items_of(body: Any, items: JsonPath, url: str) -> list[Any]:
    found = dig(body, items)
    if found is None and items is not None and not callable(items):
        return []  # a last page may leave the list out
    if not isinstance(found, list):
        where = f"at {items!r}" if isinstance(items, str) else "at the top"
        raise PermanentSourceError(f"{describe_location(url)}: the answer has no list {where}")
    return found


def _digest(found: list[Any]) -> str:
    text = json.dumps(found, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Paging


@dataclass(frozen=True)
class PageRequest:
    """Where one page is: its URL, and the paginator's position (what :attr:`Page.resume`
    saves)."""

    url: str
    position: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    """One page of a list, as :meth:`HttpClient.pages` yields it."""

    number: int
    """1 for the first page of this walk, 2 for the next…"""
    url: str
    document: Document
    body: Any
    items: list[Any]
    resume: dict[str, Any] | None
    """The position of the *next* page (None after the last): save it in a checkpoint with
    the records of this page, pass it as ``pages(resume=…)`` to go on there."""
    position: Mapping[str, Any] = field(default_factory=dict)
    """This page's own position (``{"page": 3}``, ``{"offset": 200}``…), e.g. for messages."""


class Paginator(ABC):
    """How a source splits a list into pages: where the first page is, and the next."""

    max_visits: int = 1
    """How often one page may be asked for in a walk before the paging counts as a loop."""
    client_driven: bool = True
    """The client computes the next request (page numbers, offsets): a page answered with
    the same items as the one before means the source ignores the paging parameter."""
    repeated_page_ends: bool = False
    """A client-driven page answered with the same items as the one before ends the list
    (its items are not handed out again) instead of raising PagingLoop."""

    def first(self, url: str, resume: Mapping[str, Any] | None) -> PageRequest:
        """The first page to read: ``url``, or where a saved position says."""
        if resume:
            return self.at(url, resume)
        return self.start(url)

    @abstractmethod
    def start(self, url: str) -> PageRequest:
        """The first page of the list at ``url``."""

    @abstractmethod
    def at(self, url: str, position: Mapping[str, Any]) -> PageRequest:
        """The page at a saved ``position`` of the list at ``url``."""

    @abstractmethod
    def next(
        self, request: PageRequest, document: Document, body: Any, items: list[Any]
    ) -> PageRequest | None:
        """The page after ``request`` (answered by ``document``), or None: it was the last."""

    def resume(self, request: PageRequest | None) -> dict[str, Any] | None:
        """The position to save to go on at ``request`` later (None: the walk is over)."""
        return dict(request.position) if request is not None else None

    def describe(self, request: PageRequest) -> str:
        """The page in a message: "page 3", "offset 200", "the next link …"."""
        return ", ".join(f"{key} {value}" for key, value in request.position.items()) or "a page"


@dataclass
class NextLink(Paginator):
    """Follow a next-page URL: in the body at ``path`` (e.g. FHIR's Bundle link) or, with
    ``path=None``, in the ``Link: <…>; rel="next"`` header. Relative links are resolved
    against the page's URL. ``same_origin`` keeps a link on the first URL's scheme and host
    (servers behind a proxy write their internal address into links; following it would fail,
    or send the credentials to another host)."""

    path: JsonPath = None
    same_origin: bool = True
    max_visits: int = 1
    """Servers that glitch may serve a page again whose next link leads back: allow a few
    visits of one page (its records come twice; upserts make that harmless)."""
    client_driven: bool = False
    _origin: tuple[str, str] = ("", "")
    _warned: bool = False

    def start(self, url: str) -> PageRequest:
        parts = urlsplit(url)
        self._origin = (parts.scheme, parts.netloc)
        return PageRequest(url, {"next": url})

    def at(self, url: str, position: Mapping[str, Any]) -> PageRequest:
        self.start(url)
        return PageRequest(str(position["next"]), dict(position))

    def next(
        self, request: PageRequest, document: Document, body: Any, items: list[Any]
    ) -> PageRequest | None:
        link = dig(body, self.path) if self.path is not None else _link_header(document)
        if not link:
            return None
        absolute = self._on_origin(urljoin(request.url, str(link)))
        return PageRequest(absolute, {"next": absolute})

    def describe(self, request: PageRequest) -> str:
        return f"the next link to {describe_location(request.url)}"

    def _on_origin(self, link: str) -> str:
        parts = urlsplit(link)
        if not self.same_origin or (parts.scheme, parts.netloc) == self._origin:
            return link
        if not self._warned:
            log.warning(
                "next links point to %s; following them on %s instead",
                parts.netloc,
                self._origin[1],
            )
            self._warned = True
        return urlunsplit((*self._origin, parts.path, parts.query, ""))


def _link_header(document: Document) -> str | None:
    for link in httpx.Headers(document.headers).get_list("link", split_commas=True):
        url, _, attributes = link.partition(";")
        relations = [a.strip() for a in attributes.split(";")]
        if any(r.replace(" ", "") in ('rel="next"', "rel=next") for r in relations):
            return url.strip().strip("<>")
    return None


@dataclass
class PageNumber(Paginator):
    """``?page=1``, ``?page=2``, … until a page holds fewer than ``size`` items (or none),
    or the body's ``total_pages`` (a :data:`JsonPath`) is reached."""

    size: int | None = None
    """Items per page; sent as ``size_param`` when that is set."""
    param: str = "page"
    size_param: str | None = None
    first_page: int = 1
    total_pages: JsonPath = None
    repeated_page_ends: bool = False
    """For sources that answer a page past their end with their last page again, or ignore
    ``param`` and answer every page with the first (Open311 portals do both): a page that
    repeats the one before it ends the list, where by default it raises PagingLoop."""

    def start(self, url: str) -> PageRequest:
        return self._page(url, self.first_page)

    def at(self, url: str, position: Mapping[str, Any]) -> PageRequest:
        return self._page(url, int(position["page"]))

    def next(
        self, request: PageRequest, document: Document, body: Any, items: list[Any]
    ) -> PageRequest | None:
        page = int(request.position["page"])
        total = dig(body, self.total_pages) if self.total_pages is not None else None
        if isinstance(total, int) and page - self.first_page + 1 >= total:
            return None
        if not items or (self.size and len(items) < self.size):
            return None
        return self._page(request.url, page + 1)

    def describe(self, request: PageRequest) -> str:
        return f"page {request.position['page']}"

    def _page(self, url: str, page: int) -> PageRequest:
        params: dict[str, Any] = {self.param: page}
        if self.size_param and self.size:
            params[self.size_param] = self.size
        return PageRequest(with_query(url, params), {"page": page})


@dataclass
class Offset(Paginator):
    """``?offset=0&limit=100``, ``?offset=100&limit=100``, … until a page holds fewer than
    ``limit`` items, or the body's ``total`` (a :data:`JsonPath`) is reached."""

    limit: int = 100
    param: str = "offset"
    limit_param: str | None = "limit"
    total: JsonPath = None
    start_at: int = 0

    def start(self, url: str) -> PageRequest:
        return self._at(url, self.start_at)

    def at(self, url: str, position: Mapping[str, Any]) -> PageRequest:
        return self._at(url, int(position["offset"]))

    def next(
        self, request: PageRequest, document: Document, body: Any, items: list[Any]
    ) -> PageRequest | None:
        offset = int(request.position["offset"]) + len(items)
        total = dig(body, self.total) if self.total is not None else None
        if isinstance(total, int) and offset >= total:
            return None
        if len(items) < self.limit:
            return None
        return self._at(request.url, offset)

    def describe(self, request: PageRequest) -> str:
        return f"offset {request.position['offset']}"

    def _at(self, url: str, offset: int) -> PageRequest:
        params: dict[str, Any] = {self.param: offset}
        if self.limit_param:
            params[self.limit_param] = self.limit
        return PageRequest(with_query(url, params), {"offset": offset})


@dataclass
class CursorToken(Paginator):
    """A token in each answer (at ``path`` in the body) sent back as ``param`` to get the
    next page; no token (or an empty one) ends the list. The same token twice is a loop."""

    client_driven = False

    path: JsonPath = "next_cursor"
    param: str = "cursor"
    in_header: bool = False
    """Read the token from the response header named ``path`` instead of the body."""
    _seen: set[str] = field(default_factory=set)

    def start(self, url: str) -> PageRequest:
        self._seen = set()
        return PageRequest(url, {})

    def at(self, url: str, position: Mapping[str, Any]) -> PageRequest:
        self._seen = set()
        token = position.get("token")
        return PageRequest(with_query(url, {self.param: token}) if token else url, dict(position))

    def next(
        self, request: PageRequest, document: Document, body: Any, items: list[Any]
    ) -> PageRequest | None:
        if self.in_header and isinstance(self.path, str):
            token = document.headers.get(self.path)
        else:
            token = dig(body, self.path)
        if token in (None, ""):
            return None
        token = str(token)
        if token in self._seen:
            raise PagingLoop(
                f"{describe_location(request.url)}: the source's paging loops "
                f"(it sent the cursor token {token[:40]!r} again)"
            )
        self._seen.add(token)
        return PageRequest(with_query(request.url, {self.param: token}), {"token": token})

    def describe(self, request: PageRequest) -> str:
        token = request.position.get("token")
        return f"the page of cursor token {str(token)[:40]!r}" if token else "the first page"
