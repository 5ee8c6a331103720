"""Input mistakes over real HTTP and a real WebSocket: BAD_USER_INPUT (or HTTP 400/413) in the
API's words, never a 500, an INTERNAL or a Python message."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosedError
from websockets.sync.client import connect

from hub.core import Hub
from tests.graphql.conftest import CONFIG, Seed
from tests.support.api_server import served_api
from tests.support.graphql_ws import graphql_socket

INTERNALS = ("invalid literal", "base 10", "OverflowError", "Traceback", "object at 0x", "b'")


@pytest.fixture
def url(hub: Hub, seed: Seed) -> Iterator[str]:
    with served_api(hub) as ws:
        yield ws.replace("ws://", "http://")


def post(url: str, body: Any) -> httpx.Response:
    return httpx.post(url, json=body, timeout=30)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("9999-12-31T23:59:59-14:00", "outside the dates the hub keeps"),
        ("0001-01-01T00:00:00+14:00", "outside the dates the hub keeps"),
        ("yesterday", "is not a date and time: write it as ISO 8601"),
        ("2025-13-01T00:00:00Z", "is not a date and time"),
    ],
)
def test_a_date_and_time_the_hub_cannot_read_is_bad_user_input(
    url: str, value: str, says: str
) -> None:
    literal = post(url, {"query": f'{{ events(from: "{value}") {{ edges {{ cursor }} }} }}'})
    variable = post(
        url,
        {
            "query": "query($from: DateTime) { events(from: $from) { edges { cursor } } }",
            "variables": {"from": value},
        },
    )
    with graphql_socket(url.replace("http://", "ws://")) as socket:
        over_socket = socket.execute(
            "query($from: DateTime) { auditLog(since: $from) { edges { cursor } } }",
            **{"from": value},
        )
    for answer in (literal.json(), variable.json(), over_socket):
        (error,) = answer["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert says in error["message"] and repr(value) in error["message"]
        assert not any(internal in error["message"] for internal in INTERNALS), error


def test_a_bad_date_is_bad_user_input_in_the_apis_words(url: str) -> None:
    (error,) = post(url, {"query": '{ adminUnits(asOf: "2025-02-30") { code } }'}).json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("'2025-02-30' is not a date: write it as YYYY-MM-DD")


def test_json_nested_too_deeply_is_refused_before_it_is_parsed(url: str) -> None:
    deep = b'{"query": "{ __typename }", "variables": {"x": ' + b"[" * 100_000
    deep += b"]" * 100_000 + b"}}"
    response = httpx.post(url, content=deep, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "nests deeper than 64 levels ([server] max_json_depth)" in response.text
    with connect(url.replace("http://", "ws://"), subprotocols=["graphql-transport-ws"]) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(10))["type"] == "connection_ack"
        ws.send(deep.decode())
        with pytest.raises(ConnectionClosedError) as closed:
            ws.recv(10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400


def test_a_number_python_will_not_convert_is_a_400(url: str) -> None:
    body = b'{"query": "{ __typename }", "variables": {"n": ' + b"9" * 5000 + b"}}"
    response = httpx.post(url, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "cannot read" in response.text


def test_a_body_over_max_body_bytes_is_413(
    hub: Hub, seed: Seed, make_hub: Callable[..., Hub]
) -> None:
    small = make_hub({**CONFIG, "server": {"max_body_bytes": 2000}}, with_plugins=hub.plugins)
    with served_api(small) as ws:
        http = ws.replace("ws://", "http://")
        padding = "#" + "x" * 3000 + "\n"
        assert post(http, {"query": padding + "{ __typename }"}).status_code == 413
        assert post(http, {"query": "{ __typename }"}).status_code == 200


def test_a_text_holding_the_nul_character_is_refused_with_the_reason(url: str) -> None:
    """PostgreSQL stores no NUL character: refused at the door, never an INTERNAL later."""
    reopen = (
        'mutation { reopenReport(template: "X", unit: "62", period: %s, reason: "r") { status } }'
    )
    literal = post(url, {"query": reopen % '"2024-\\u000001"'}).json()
    (error,) = literal["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "NUL character" in error["message"]
    variables = {"query": reopen.replace("mutation", "mutation($p: String!)") % "$p"}
    variable = post(url, {**variables, "variables": {"p": "2024-\x0001"}})
    assert variable.status_code == 400 and "NUL character" in variable.text
    with connect(url.replace("http://", "ws://"), subprotocols=["graphql-transport-ws"]) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(10))["type"] == "connection_ack"
        subscribe = {
            "id": "1",
            "type": "subscribe",
            "payload": {**variables, "variables": {"p": "\x00"}},
        }
        ws.send(json.dumps(subscribe))
        with pytest.raises(ConnectionClosedError) as closed:
            ws.recv(10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400
    assert post(url, {"query": "{ __typename }"}).json() == {"data": {"__typename": "Query"}}
