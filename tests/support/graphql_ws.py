"""A small graphql-transport-ws client over a real WebSocket, for the API's tests."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from websockets.sync.client import ClientConnection, connect

WARM_UP_ATTEMPTS = 120
"""How many warm-up rows a test stores, waiting half a second after each, to learn that its
subscription listens: a minute at most. A wait, not a limit: on a loaded machine (two cores
and several test runs) a subscription may take many seconds to start."""


class GraphQLSocket:
    """One signed-in WebSocket: operations sent one after another, their answers read back."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self._ids = (str(number) for number in itertools.count(1))

    def start(self, query: str, **variables: Any) -> str:
        """Send an operation; its id."""
        operation = next(self._ids)
        payload = {"query": query, "variables": variables}
        self.send({"id": operation, "type": "subscribe", "payload": payload})
        return operation

    def execute(self, query: str, **variables: Any) -> dict[str, Any]:
        """Run a query or mutation; its result (``errors`` of an "error" message included)."""
        operation = self.start(query, **variables)
        message = self.receive(operation)
        if message["type"] == "error":
            return {"data": None, "errors": message["payload"]}
        assert message["type"] == "next", message
        assert self.receive(operation)["type"] == "complete"
        return message["payload"]

    def receive(self, operation: str, timeout: float = 30) -> dict[str, Any]:
        """The next message of an operation (those of others are skipped)."""
        while True:
            message = json.loads(self.connection.recv(timeout))
            if message.get("id") == operation:
                return message

    def send(self, message: dict[str, Any]) -> None:
        self.connection.send(json.dumps(message))


@contextmanager
def graphql_socket(url: str, token: str | None = None) -> Iterator[GraphQLSocket]:
    """A WebSocket to ``url`` opened with ``token`` in connection_init (none if None)."""
    with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=10) as connection:
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        connection.send(json.dumps({"type": "connection_init", "payload": payload}))
        assert json.loads(connection.recv(10))["type"] == "connection_ack"
        yield GraphQLSocket(connection)


class SocketResponse:
    """A WebSocket operation's result, read like an HTTP response of /graphql."""

    status_code = 200

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.text = json.dumps(body)

    def json(self) -> dict[str, Any]:
        return self.body


class SocketClient:
    """``post("/graphql", json=…, headers=…)`` as a test client has it, each operation sent
    over a real WebSocket: one per token, signed in with it once, kept open for the next."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.stack = ExitStack()
        self.sockets: dict[str | None, GraphQLSocket] = {}

    def post(
        self, path: str, json: dict[str, Any], headers: dict[str, str] | None = None
    ) -> SocketResponse:
        assert path == "/graphql", path
        token = (headers or {}).get("Authorization", "").removeprefix("Bearer ") or None
        if token not in self.sockets:
            self.sockets[token] = self.stack.enter_context(graphql_socket(self.url, token))
        socket = self.sockets[token]
        return SocketResponse(socket.execute(json["query"], **(json.get("variables") or {})))

    def close(self) -> None:
        self.stack.close()
