"""The kit's HTTP client against a real HTTP server: faults, authentication, paging."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qs

import httpx
import pytest

from hub.config.settings import RuntimeSettings
from hub.connectors.errors import (
    NotFound,
    PagingLoop,
    PermanentSourceError,
    TransientSourceError,
    error_for_status,
)
from hub.connectors.http import (
    CursorToken,
    HttpAuth,
    HttpClient,
    NextLink,
    Offset,
    PageNumber,
    dig,
    with_query,
)
from hub.connectors.retry import RequestRetries
from tests.support.http_server import Reply, ScriptedServer
from tests.support.ports import reserved_port


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


def _json(body: object, **headers: str) -> Reply:
    return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json", **headers})


def _query(server: ScriptedServer, path: str) -> list[dict[str, list[str]]]:
    return [parse_qs(request.query) for request in server.requests_for(path)]


# -- the status table --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 429])
def test_server_faults_timeouts_and_rate_limits_are_transient(
    server: ScriptedServer, status: int
) -> None:
    server.script("/x", Reply(status, b"busy"))
    with HttpClient(server.url("/")) as client, pytest.raises(TransientSourceError) as raised:
        client.get("x")
    assert f"HTTP {status}" in str(raised.value)


@pytest.mark.parametrize(
    ("status", "error", "said"),
    [
        (400, PermanentSourceError, "HTTP 400"),
        (401, PermanentSourceError, "check the credentials"),
        (403, PermanentSourceError, "check the credentials"),
        (404, NotFound, "HTTP 404"),
        (410, PermanentSourceError, "HTTP 410"),
    ],
)
def test_client_faults_are_permanent(
    server: ScriptedServer, status: int, error: type[Exception], said: str
) -> None:
    server.script("/x", Reply(status))
    with HttpClient(server.url("/")) as client, pytest.raises(error, match=said):
        client.get("x")


def test_retry_after_is_read_from_the_answer(server: ScriptedServer) -> None:
    server.script("/x", Reply(429, headers={"Retry-After": "7"}))
    with HttpClient(server.url("/")) as client, pytest.raises(TransientSourceError) as raised:
        client.get("x")
    assert raised.value.retry_after == 7.0


def test_retry_after_in_seconds_or_as_a_date_is_read() -> None:
    seconds = error_for_status("here", 429, "Too Many", {"Retry-After": "7"})
    assert isinstance(seconds, TransientSourceError) and seconds.retry_after == 7.0
    dated = error_for_status("here", 503, "", {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert isinstance(dated, TransientSourceError) and dated.retry_after == 0.0  # in the past
    assert error_for_status("here", 304) is None and error_for_status("here", 200) is None


def test_a_timeout_and_a_refused_connection_are_transient(server: ScriptedServer) -> None:
    server.script("/slow", Reply(200, b"{}", delay=2))
    with (
        HttpClient(server.url("/"), timeout=0.2) as client,
        pytest.raises(TransientSourceError, match=r"no answer within 0\.2 s"),
    ):
        client.get("slow")
    with (
        reserved_port() as port,  # nothing listens there, nor starts to meanwhile
        HttpClient(f"http://127.0.0.1:{port}/") as client,
        pytest.raises(TransientSourceError, match="cannot connect"),
    ):
        client.get("x")


def test_a_body_cut_short_is_transient(server: ScriptedServer) -> None:
    server.script("/x", Reply(200, b'{"a": 1, "b": 2}', truncate_to=5))
    with HttpClient(server.url("/")) as client, pytest.raises(TransientSourceError):
        client.get("x")


def test_transient_faults_are_retried_on_the_spot_from_the_runs_budget(
    server: ScriptedServer,
) -> None:
    server.script("/x", Reply(503), Reply(502), _json({"ok": True}))
    settings = RuntimeSettings(retry_initial_wait=0, retry_max_wait=0, request_retry_seconds=30)
    retries = RequestRetries(settings)
    with HttpClient(server.url("/"), retries=retries) as client:
        assert client.get_json("x") == {"ok": True}
    assert retries.retried == 2 and len(server.requests_for("/x")) == 3


def test_permanent_faults_are_not_retried(server: ScriptedServer) -> None:
    server.script("/x", Reply(401), _json({}))
    retries = RequestRetries(RuntimeSettings(retry_initial_wait=0, retry_max_wait=0))
    with (
        HttpClient(server.url("/"), retries=retries) as client,
        pytest.raises(PermanentSourceError),
    ):
        client.get("x")
    assert len(server.requests_for("/x")) == 1


# -- authentication ----------------------------------------------------------------------------


def test_bearer_token_and_custom_headers(server: ScriptedServer) -> None:
    server.script("/x", _json({}))
    auth = HttpAuth(token="s3cret", headers={"X-Tenant": "kt"})
    with HttpClient(server.url("/"), auth=auth, headers={"Accept": "application/json"}) as client:
        client.get("x")
    sent = server.requests_for("/x")[0].headers
    assert sent["Authorization"] == "Bearer s3cret"
    assert sent["X-Tenant"] == "kt" and sent["Accept"] == "application/json"


def test_basic_authentication(server: ScriptedServer) -> None:
    server.script("/x", _json({}))
    with HttpClient(server.url("/"), auth=HttpAuth(username="user", password="pass")) as client:
        client.get("x")
    # base64("user:pass"), worked out by hand
    assert server.requests_for("/x")[0].headers["Authorization"] == "Basic dXNlcjpwYXNz"


def test_an_api_key_goes_in_the_query_or_a_header_and_never_in_messages(
    server: ScriptedServer,
) -> None:
    server.script("/x", Reply(500))
    with (
        HttpClient(server.url("/"), auth=HttpAuth(api_key="k-123")) as client,
        pytest.raises(TransientSourceError) as raised,
    ):
        client.get("x", {"page": 2})
    assert _query(server, "/x")[0] == {"api_key": ["k-123"], "page": ["2"]}
    assert "k-123" not in str(raised.value)
    server.script("/y", _json({}))
    auth = HttpAuth(api_key="k-456", api_key_header="X-API-Key")
    with HttpClient(server.url("/"), auth=auth) as client:
        client.get("y")
    request = server.requests_for("/y")[0]
    assert request.headers["X-API-Key"] == "k-456" and request.query == ""


def test_auth_config_refuses_half_or_double_credentials() -> None:
    with pytest.raises(ValueError, match="both username and password"):
        HttpAuth(username="user")
    with pytest.raises(ValueError, match="not both"):
        HttpAuth(token="t", username="user", password="p")
    assert "s3cret" not in repr(HttpAuth(token="s3cret"))


def test_conditional_get_comes_back_not_modified(server: ScriptedServer) -> None:
    server.script("/doc", Reply(200, b"v1", {"ETag": '"v1"', "Last-Modified": "Mon, 02 Mar 2026"}))
    with HttpClient(server.url("/")) as client:
        first = client.get("doc")
        assert first.content == b"v1" and not first.not_modified
        again = client.get("doc", **first.version())
    assert again.not_modified and again.content == b""
    sent = server.requests_for("/doc")[1].headers
    assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"] == "Mon, 02 Mar 2026"


# -- paging ------------------------------------------------------------------------------------


def test_next_link_in_the_body_is_followed_to_the_last_page(server: ScriptedServer) -> None:
    server.script("/a", _json({"data": [1, 2], "next": "/a?p=2"}))
    server.script("/b", _json({"data": [3], "links": {"next": None}}))
    server.script("/a", _json({"data": [1, 2], "links": {"next": "/a?p=2"}}), _json({"data": [3]}))
    with HttpClient(server.url("/")) as client:
        pages = list(client.pages("a", NextLink("links.next"), items="data"))
    assert [page.items for page in pages] == [[1, 2], [3]]
    assert [page.resume for page in pages] == [{"next": server.url("/a?p=2")}, None]


def test_next_link_in_the_link_header(server: ScriptedServer) -> None:
    link = f'<{server.url("/list?after=2")}>; rel="next", <{server.url("/list")}>; rel="first"'
    server.script("/list", _json([1, 2], Link=link), _json([3]))
    with HttpClient(server.url("/")) as client:
        items = [item for page in client.pages("list", NextLink()) for item in page.items]
    assert items == [1, 2, 3]
    assert _query(server, "/list")[1] == {"after": ["2"]}


def test_a_next_link_to_another_host_is_followed_on_the_configured_one(
    server: ScriptedServer,
) -> None:
    server.script("/a", _json({"items": [1], "next": "http://internal:8080/a?p=2"}), _json({}))
    with HttpClient(server.url("/")) as client:
        pages = list(client.pages("a", NextLink("next"), items="items"))
    assert len(pages) == 2 and pages[1].url == server.url("/a?p=2")


def test_a_next_link_that_comes_back_is_a_paging_loop(server: ScriptedServer) -> None:
    server.script(
        "/a", _json({"items": [1], "next": "/a?p=2"}), _json({"items": [2], "next": "/a?p=2"})
    )
    with HttpClient(server.url("/")) as client, pytest.raises(PagingLoop, match="loops"):
        list(client.pages("a", NextLink("next"), items="items"))


def test_page_numbers_stop_at_a_short_page_and_resume_where_saved(server: ScriptedServer) -> None:
    server.script("/p", _json({"rows": [1, 2]}), _json({"rows": [3, 4]}), _json({"rows": [5]}))
    paginator = PageNumber(size=2, size_param="size")
    with HttpClient(server.url("/")) as client:
        pages = list(client.pages("p?since=x", paginator, items="rows"))
    assert [page.items for page in pages] == [[1, 2], [3, 4], [5]]
    assert [q["page"] for q in _query(server, "/p")] == [["1"], ["2"], ["3"]]
    assert all(q["size"] == ["2"] and q["since"] == ["x"] for q in _query(server, "/p"))
    assert pages[0].resume == {"page": 2} and pages[-1].resume is None

    server.script("/p", _json({"rows": [3, 4]}), _json({"rows": []}))
    with HttpClient(server.url("/")) as client:
        resumed = list(client.pages("p", paginator, items="rows", resume={"page": 2}))
    assert [page.items for page in resumed] == [[3, 4], []]
    assert [q["page"] for q in _query(server, "/p")[3:]] == [["2"], ["3"]]


def test_page_numbers_stop_at_the_total_the_body_gives(server: ScriptedServer) -> None:
    server.script("/p", _json({"rows": [1], "pages": 2}), _json({"rows": [2], "pages": 2}))
    with HttpClient(server.url("/")) as client:
        pages = list(client.pages("p", PageNumber(total_pages="pages"), items="rows"))
    assert [page.items for page in pages] == [[1], [2]]


def test_a_server_that_ignores_the_page_parameter_is_a_paging_loop(server: ScriptedServer) -> None:
    server.script("/p", _json([{"id": 1}, {"id": 2}]))
    with (
        HttpClient(server.url("/")) as client,
        pytest.raises(PagingLoop, match="page 2 repeats the page before it"),
    ):
        list(client.pages("p", PageNumber(size=2)))


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([[1, 2], [3, 4], [3, 4]], [[1, 2], [3, 4]]),  # the last page again past the end
        ([[1, 2], [1, 2]], [[1, 2]]),  # the page parameter ignored: one page only
    ],
)
def test_page_numbers_can_take_a_repeated_page_for_the_end(
    server: ScriptedServer, answers: list[list[int]], expected: list[list[int]]
) -> None:
    server.script("/p", *(_json(answer) for answer in answers), _json([9]))
    with HttpClient(server.url("/")) as client:
        pages = list(client.pages("p", PageNumber(repeated_page_ends=True)))
    assert [page.items for page in pages] == expected
    assert [q["page"] for q in _query(server, "/p")] == [
        [str(n)] for n in range(1, len(answers) + 1)
    ]


def test_offsets_advance_by_what_came_and_stop_at_the_total(server: ScriptedServer) -> None:
    server.script("/o", _json({"hits": [1, 2, 3], "total": 5}), _json({"hits": [4, 5], "total": 5}))
    with HttpClient(server.url("/")) as client:
        pages = list(client.pages("o", Offset(limit=3, total="total"), items="hits"))
    assert [page.items for page in pages] == [[1, 2, 3], [4, 5]]
    assert [(q["offset"], q["limit"]) for q in _query(server, "/o")] == [
        (["0"], ["3"]),
        (["3"], ["3"]),
    ]


def test_cursor_tokens_are_sent_back_until_none_comes(server: ScriptedServer) -> None:
    server.script(
        "/c",
        _json({"data": [1], "meta": {"next": "t1"}}),
        _json({"data": [2], "meta": {"next": "t2"}}),
        _json({"data": [3], "meta": {"next": ""}}),
    )
    with HttpClient(server.url("/")) as client:
        pages = list(client.pages("c", CursorToken("meta.next", "after"), items="data"))
    assert [page.items for page in pages] == [[1], [2], [3]]
    assert [q.get("after") for q in _query(server, "/c")] == [None, ["t1"], ["t2"]]
    assert pages[0].resume == {"token": "t1"}


def test_a_cursor_token_sent_twice_is_a_paging_loop(server: ScriptedServer) -> None:
    server.script(
        "/c",
        _json({"data": [1], "next": "t1"}),
        _json({"data": [2], "next": "t2"}),
        _json({"data": [3], "next": "t1"}),
    )
    with (
        HttpClient(server.url("/")) as client,
        pytest.raises(PagingLoop, match="cursor token 't1' again"),
    ):
        list(client.pages("c", CursorToken("next"), items="data"))


def test_an_answer_without_the_list_is_permanent(server: ScriptedServer) -> None:
    server.script("/x", _json({"data": {"not": "a list"}}))
    with (
        HttpClient(server.url("/")) as client,
        pytest.raises(PermanentSourceError, match="no list at 'data'"),
    ):
        list(client.pages("x", PageNumber(), items="data"))


def test_with_query_replaces_repeats_and_leaves_out() -> None:
    url = with_query("http://h/p?a=1&b=2", {"a": 3, "c": ["x", "y"], "d": None})
    assert url == "http://h/p?b=2&a=3&c=x&c=y"


def test_dig_follows_dotted_paths_and_list_indexes() -> None:
    body = {"a": {"b": [{"c": 1}, {"c": 2}]}}
    assert dig(body, "a.b.1.c") == 2 and dig(body, "a.x.c") is None
    assert dig(body, "a.b.-1.c") == 2 and dig(body, "a.b.5") is None
    assert dig(body, lambda data: data["a"]) == body["a"] and dig(body, None) is body


def test_request_retries_judge_a_bare_httpx_error_by_the_one_table(server: ScriptedServer) -> None:
    server.script("/x", Reply(503), Reply(404))
    retries = RequestRetries(RuntimeSettings(retry_initial_wait=0, retry_max_wait=0))

    def bare_request() -> None:
        httpx.get(server.url("/x")).raise_for_status()

    with pytest.raises(NotFound, match="HTTP 404"):
        retries.call(bare_request, "the x list")
    assert retries.retried == 1 and len(server.requests_for("/x")) == 2
