"""A GraphQL fuzzer (schemathesis) against the real app with a real token.

Every query and mutation is called with generated arguments and selections, as a leader
(who reads everything) and as a commune officer (whose refusals are exercised): no answer
is a 500, and none shows a traceback, SQL or the token.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from hub.graphql.app import create_app
from tests.auth.conftest import World
from tests.auth.support import bearer
from tests.support.api_server import served_api
from tests.support.graphql_ws import graphql_socket

EXAMPLES_PER_OPERATION = 4
LEAKS = ("traceback", "sqlalchemy", "select ", "insert into", 'file "', "psycopg", "sqlite3")
SKIPPED = {"runConnector"}
JSON_VALUES = st.one_of(
    st.text(max_size=20).map(nodes.String),
    st.integers(-(2**31), 2**31 - 1).map(nodes.Int),
    st.booleans().map(nodes.Boolean),
    st.just(nodes.Null),
)
schemathesis.graphql.scalar("JSON", JSON_VALUES)
# A file comes only in a multipart request (tests/reports/test_filled_workbook.py); in JSON
# it can only be a wrong value, which must be refused as one.
schemathesis.graphql.scalar("Upload", st.text(max_size=20).map(nodes.String))
"""A run reads the test connector's source: slow to repeat, and covered by its own tests."""


@pytest.mark.parametrize("who", ["leader", "Phường Kon Tum officer"])
def test_no_generated_request_errs_or_leaks(world: World, who: str) -> None:
    app = create_app(world.hub)
    secret = world.tokens[who]
    headers = bearer(secret)
    schema = schemathesis.graphql.from_asgi("/graphql", app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if op.label.split(".")[-1] not in SKIPPED]
    assert len(operations) > 20

    @settings(
        max_examples=EXAMPLES_PER_OPERATION * len(operations),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        operation = data.draw(st.sampled_from(operations))
        case = data.draw(operation.as_strategy())
        response = case.call(headers=headers)
        text = response.text.lower()
        assert response.status_code < 500, (operation.label, response.text[:500])
        assert not [leak for leak in LEAKS if leak in text], (operation.label, text[:500])
        assert secret.lower() not in text
        answered.append("errors" not in response.json())

    answered: list[bool] = []
    check()
    assert any(answered) and len(answered) >= len(operations)  # it did exercise the API


PROTOCOL_MISTAKES = [
    {"id": "m1", "type": "subscribe", "payload": {"query": "{ adminUnits { code } "}},
    {"id": "m2", "type": "subscribe", "payload": {"query": "{ metrics { code } }", "variables": 7}},
    {
        "id": "m3",
        "type": "subscribe",
        "payload": {
            "query": "query($f: Int) { events(first: $f) { pageInfo { hasNextPage } } }",
            "variables": {"f": "many"},
        },
    },
    {
        "id": "m4",
        "type": "subscribe",
        "payload": {"query": "subscription { events { id } } subscription { alerts { id } }"},
    },
    {
        "id": "m5",
        "type": "subscribe",
        "payload": {
            "query": '{ events(from: "9999-12-31T23:59:59-14:00") { pageInfo { hasNextPage } } }'
        },
    },
]


def test_no_generated_operation_over_a_websocket_errs_or_leaks(world: World) -> None:
    """The same generated operations, and protocol mistakes, sent over a real WebSocket:
    every answer is a coded error or data, never INTERNAL, a leak or a dropped socket."""
    secret = world.tokens["leader"]
    schema = schemathesis.graphql.from_asgi(
        "/graphql", create_app(world.hub), headers=bearer(secret)
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if op.label.split(".")[-1] not in SKIPPED]
    answers: list[dict[str, Any]] = []
    with served_api(world.hub) as url, graphql_socket(url, secret) as socket:

        @settings(
            max_examples=2 * len(operations),
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def check(data: st.DataObject) -> None:
            case = data.draw(data.draw(st.sampled_from(operations)).as_strategy())
            answers.append(socket.execute(case.body))

        check()
        for mistake in PROTOCOL_MISTAKES:
            socket.send(mistake)
            message = socket.receive(mistake["id"])
            answers.append(
                message["payload"] if message["type"] == "next" else {"errors": message["payload"]}
            )
        answers.append(socket.execute("{ metrics { code } }"))  # the socket still serves
    assert "errors" not in answers[-1]
    for answer in answers:
        text = json.dumps(answer).lower()
        codes = [error.get("extensions", {}).get("code") for error in answer.get("errors") or []]
        assert "INTERNAL" not in codes, answer
        assert not [leak for leak in LEAKS if leak in text], answer
        assert secret.lower() not in text
