"""The kit's scripted HTTP server: its routes and each of its faults, seen by a real client."""

from __future__ import annotations

import httpx
import pytest

from hub.testing.http_server import Reply, ScriptedServer


def test_replies_come_in_turn_and_the_last_repeats(scripted_server: ScriptedServer) -> None:
    scripted_server.script("/a", Reply(503, headers={"Retry-After": "2"}), Reply.json({"n": 1}))
    answers = [httpx.get(scripted_server.url("/a")) for _ in range(3)]
    assert [a.status_code for a in answers] == [503, 200, 200]
    assert answers[0].headers["Retry-After"] == "2"
    assert answers[2].json() == {"n": 1}
    assert answers[2].headers["Content-Type"] == "application/json"
    assert httpx.get(scripted_server.url("/elsewhere")).status_code == 404


def test_the_script_with_the_most_matching_parameters_answers(
    scripted_server: ScriptedServer,
) -> None:
    scripted_server.script("/r", Reply.json("any"))
    scripted_server.script("/r", Reply.json("page 2"), query={"page": 2})
    scripted_server.script("/r", Reply.json("page 2 since"), query={"page": 2, "since": "x"})
    get = lambda query: httpx.get(scripted_server.url(f"/r?{query}")).json()  # noqa: E731
    assert get("page=2&size=10") == "page 2"
    assert get("since=x&page=2") == "page 2 since"
    assert get("page=3") == "any"
    assert scripted_server.requests[0].params == {"page": "2", "size": "10"}


def test_script_pages_numbers_the_pages_and_repeats_a_page_when_asked(
    scripted_server: ScriptedServer,
) -> None:
    scripted_server.script_pages("/p", [[1, 2], [3], [3]], first=0)
    bodies = [httpx.get(scripted_server.url(f"/p?page={n}")).json() for n in range(4)]
    assert bodies == [[1, 2], [3], [3], []]
    assert httpx.get(scripted_server.url("/p")).json() == []


def test_a_dropped_connection_is_a_broken_connection_for_the_client(
    scripted_server: ScriptedServer,
) -> None:
    scripted_server.script("/d", Reply.dropped(), Reply.json("ok"))
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(scripted_server.url("/d"))
    assert httpx.get(scripted_server.url("/d")).json() == "ok"


def test_a_truncated_body_and_a_slow_answer_fail_the_client(
    scripted_server: ScriptedServer,
) -> None:
    scripted_server.script("/t", Reply(200, b"0123456789", truncate_to=4))
    scripted_server.script("/s", Reply(200, b"late", delay=2.0))
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(scripted_server.url("/t"))
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(scripted_server.url("/s"), timeout=0.2)


def test_conditional_get_is_answered_304(scripted_server: ScriptedServer) -> None:
    scripted_server.script("/e", Reply(200, b"x", headers={"ETag": '"v1"'}))
    assert (
        httpx.get(scripted_server.url("/e"), headers={"If-None-Match": '"v1"'}).status_code == 304
    )
    assert httpx.get(scripted_server.url("/e"), headers={"If-None-Match": '"v0"'}).content == b"x"
