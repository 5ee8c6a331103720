"""A request whose head or body arrives too slowly is closed (``[server] header_timeout``,
``body_timeout``), over a real socket to the server ``iochub serve`` runs."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest

from hub.core import Hub
from tests.support.api_server import served_api

HEAD = b"POST /graphql HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
BODY = b'{"query": "{ __typename }"}'
WHOLE = HEAD + b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY


@pytest.fixture
def address(make_hub: Callable[..., Hub]) -> Iterator[tuple[str, int]]:
    hub = make_hub({"server": {"header_timeout": 0.5, "body_timeout": 0.5}})
    with served_api(hub) as url:
        parts = urlsplit(url)
        yield str(parts.hostname), int(parts.port or 0)


def closed_after(address: tuple[str, int], *sends: bytes) -> bytes:
    """Everything the server sends until it closes the connection (10 s at most)."""
    with socket.create_connection(address, timeout=10) as client:
        for data in sends:
            client.sendall(data)
        received = b""
        while chunk := client.recv(65536):
            received += chunk
    return received


@pytest.mark.parametrize(
    "sent",
    [b"", HEAD, HEAD + b"Content-Length: 100\r\n\r\n" + BODY[:10]],
    ids=["nothing", "half a head", "half a body"],
)
def test_a_request_arriving_too_slowly_is_closed(address: tuple[str, int], sent: bytes) -> None:
    assert closed_after(address, sent) == b""


def test_a_request_arriving_in_time_is_answered(address: tuple[str, int]) -> None:
    whole = WHOLE.replace(b"Host: hub\r\n", b"Host: hub\r\nConnection: close\r\n")
    assert closed_after(address, whole).startswith(b"HTTP/1.1 200")
