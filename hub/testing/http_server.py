"""A real HTTP server on 127.0.0.1 (a free port) for tests, answering from a script of replies.

    with ScriptedServer() as server:
        server.script("/data.json", Reply(503), Reply.json({"rows": []}))
        fetch(server.url("/data.json"), ...)   # first 503, then 200 (the last reply repeats)
        assert server.requests[-1].headers["Accept"] == ...

A script can be kept to requests carrying some query parameters
(``script("/readings", Reply.json(page2), query={"page": "2"})``): the script whose
parameters a request carries, most of them first, answers it; :meth:`ScriptedServer.script_pages`
scripts a page-numbered list in one call. A path without a script answers 404.

Faults a source really has, each on the real socket:

- a status (``Reply(503, headers={"Retry-After": "1"})``, ``Reply(429)``, ``Reply(401)``);
- a slow answer (``delay`` seconds, cut short when the server stops);
- a body cut short (``truncate_to``: the ``Content-Length`` announces the whole body, only the
  first bytes are sent, then the connection closes);
- a dropped connection (:meth:`Reply.dropped`: closed without a byte of answer);
- a repeated page (script the same body for two page numbers).

Conditional GET is honoured: when a 200 reply carries an ``ETag`` (or ``Last-Modified``) and
the request's ``If-None-Match`` (or ``If-Modified-Since``) matches it, the server answers 304.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Reply:
    """One scripted answer."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering (cut short when the server stops)."""
    truncate_to: int | None = None
    """Send only this many bytes of the body, though ``Content-Length`` announces them all."""
    drop: bool = False
    """Close the connection without answering at all."""

    @classmethod
    def json(cls, data: Any, status: int = 200, **options: Any) -> Reply:
        """``data`` as a JSON body, with its ``Content-Type``."""
        headers = {"Content-Type": "application/json", **options.pop("headers", {})}
        body = json.dumps(data, ensure_ascii=False).encode()
        return cls(status, body, headers, **options)

    @classmethod
    def dropped(cls, delay: float = 0.0) -> Reply:
        """A connection closed before any answer (a proxy or a server that gave up)."""
        return cls(delay=delay, drop=True)


@dataclass(frozen=True)
class Request:
    """What the server received: the method, the path, the raw query and the headers."""

    method: str
    path: str
    query: str
    headers: dict[str, str]

    @property
    def params(self) -> dict[str, str]:
        """The query's parameters (the last value of a repeated one)."""
        return dict(parse_qsl(self.query, keep_blank_values=True))


@dataclass
class _Route:
    path: str
    query: frozenset[tuple[str, str]]
    replies: deque[Reply]

    def matches(self, request: Request) -> bool:
        params = set(parse_qsl(request.query, keep_blank_values=True))
        return request.path == self.path and self.query <= params


class ScriptedServer:
    """An HTTP server in a background thread; a context manager that starts and stops it."""

    def __init__(self) -> None:
        self._routes: dict[tuple[str, frozenset[tuple[str, str]]], _Route] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.requests: list[Request] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False  # a sleeping handler must not hold up stop()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def script(self, path: str, *replies: Reply, query: Mapping[str, Any] | None = None) -> None:
        """Answer requests for ``path`` (carrying the ``query`` parameters, if given) with
        ``replies`` in turn; the last one repeats."""
        if not replies:
            raise ValueError("script at least one reply")
        wanted = frozenset((name, str(value)) for name, value in (query or {}).items())
        with self._lock:
            self._routes[(path, wanted)] = _Route(path, wanted, deque(replies))

    def script_pages(
        self,
        path: str,
        pages: Iterable[Any],
        param: str = "page",
        first: int = 1,
        after: Any = None,
    ) -> None:
        """Answer ``path?<param>=<n>`` with the n-th of ``pages`` as JSON, counting from
        ``first``; any other page number (or none) gets ``after``, an empty list unless given."""
        for number, page in enumerate(pages, start=first):
            self.script(path, Reply.json(page), query={param: number})
        self.script(path, Reply.json([] if after is None else after))

    def requests_for(self, path: str) -> list[Request]:
        return [request for request in self.requests if request.path == path]

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _next_reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            routes = [route for route in self._routes.values() if route.matches(request)]
            if not routes:
                return Reply(404, b"not found")
            replies = max(routes, key=lambda route: len(route.query)).replies
            return replies.popleft() if len(replies) > 1 else replies[0]

    def _wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)


def _handler_for(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            request = Request("GET", parts.path, parts.query, dict(self.headers.items()))
            reply = server._next_reply(request)
            if reply.delay:
                server._wait(reply.delay)
            if reply.drop:
                self._drop()
                return
            if _not_modified(reply, request.headers):
                reply = Reply(304, headers=reply.headers)
            # The client may have given up (its timeout passed): nothing to tell it then.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._answer(reply)

        def _drop(self) -> None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

        def _answer(self, reply: Reply) -> None:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            body = b"" if reply.status == 304 else reply.body
            self.send_header("Content-Length", str(len(body)))
            if reply.truncate_to is not None:
                body = body[: reply.truncate_to]
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output quiet

    return Handler


def _not_modified(reply: Reply, request_headers: dict[str, str]) -> bool:
    if reply.status != 200:
        return False
    headers = {name.lower(): value for name, value in reply.headers.items()}
    sent = {name.lower(): value for name, value in request_headers.items()}
    etag = headers.get("etag")
    if etag and sent.get("if-none-match") == etag:
        return True
    modified = headers.get("last-modified")
    return bool(modified and sent.get("if-modified-since") == modified)
