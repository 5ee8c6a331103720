"""uvicorn's HTTP/1.1 protocol, with read timeouts: a request's head and its body must arrive
within ``[server] header_timeout`` and ``body_timeout`` seconds, or the connection is closed.

uvicorn times out only an idle kept-alive connection: a client sending a request's head (or
body) a byte at a time would hold a connection, and its memory, for as long as it likes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)


class TimedH11Protocol(H11Protocol):
    """H11Protocol closing a connection whose request head or body arrives too slowly."""

    header_timeout = 10.0
    body_timeout = 30.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._deadline: asyncio.TimerHandle | None = None
        self._waiting_for: Any = None
        super().connection_made(transport)
        self._watch()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_watching()
        super().connection_lost(exc)

    def _watch(self) -> None:
        """Time what the client is sending now: the head (IDLE) or the body (SEND_BODY)."""
        state = self.conn.their_state
        if state is self._waiting_for:
            return
        self._stop_watching()
        limit = {h11.IDLE: self.header_timeout, h11.SEND_BODY: self.body_timeout}.get(state)
        if limit is not None and (state is h11.SEND_BODY or not self._kept_alive()):
            self._waiting_for = state
            self._deadline = self.loop.call_later(limit, self._timed_out, state)

    def _kept_alive(self) -> bool:
        """Whether uvicorn times this idle connection itself (between two requests)."""
        return self.timeout_keep_alive_task is not None

    def _stop_watching(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline, self._waiting_for = None, None

    def _timed_out(self, state: Any) -> None:
        if self.conn.their_state is state and not self.transport.is_closing():
            part = "head" if state is h11.IDLE else "body"
            log.warning(
                "closed a connection from %s: its request %s came too slowly", self.client, part
            )
            self.transport.close()


def timed_protocol(header_timeout: float, body_timeout: float) -> type[TimedH11Protocol]:
    """The protocol class uvicorn is given, with these timeouts."""
    return type(
        "TimedH11Protocol",
        (TimedH11Protocol,),
        {"header_timeout": header_timeout, "body_timeout": body_timeout},
    )
