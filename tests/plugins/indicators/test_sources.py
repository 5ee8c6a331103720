"""hub.connectors.sources.fetch against a real HTTP server on 127.0.0.1, and local files."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from hub.connectors.errors import PermanentSourceError, TransientSourceError
from hub.connectors.sources import describe_location, fetch, parse_retry_after
from tests.plugins.indicators.conftest import SDMX_SAMPLES
from tests.support.http_server import Reply, ScriptedServer

SAMPLE = (SDMX_SAMPLES / "exr-time-series.json").read_bytes()


def test_reads_a_document_over_http(http_server: ScriptedServer) -> None:
    http_server.script("/exr.json", Reply(200, SAMPLE, {"Content-Type": "application/json"}))

    fetched = fetch(http_server.url("/exr.json"), timeout=5)

    assert fetched.content == SAMPLE
    assert fetched.content_type == "application/json"
    assert not fetched.not_modified
    assert fetched.sha256 == hashlib.sha256(SAMPLE).hexdigest()
    assert fetched.version() == {"sha256": fetched.sha256}


def test_sends_the_given_headers(http_server: ScriptedServer) -> None:
    http_server.script("/exr.json", Reply(200, SAMPLE))

    fetch(http_server.url("/exr.json"), 5, {"Authorization": "Bearer s3cret", "X-Api-Key": "k"})

    sent = http_server.requests_for("/exr.json")[0].headers
    assert sent["Authorization"] == "Bearer s3cret"
    assert sent["X-Api-Key"] == "k"


def test_follows_redirects(http_server: ScriptedServer) -> None:
    http_server.script("/old", Reply(301, headers={"Location": http_server.url("/exr.json")}))
    http_server.script("/exr.json", Reply(200, SAMPLE))

    assert fetch(http_server.url("/old"), 5).content == SAMPLE


def test_a_server_slower_than_the_timeout_is_transient(http_server: ScriptedServer) -> None:
    http_server.script("/slow", Reply(200, SAMPLE, delay=5))

    with pytest.raises(TransientSourceError, match=r"no answer within 0\.2 s"):
        fetch(http_server.url("/slow"), timeout=0.2)


def test_a_5xx_is_transient(http_server: ScriptedServer) -> None:
    http_server.script("/exr.json", Reply(503, b"busy"))

    with pytest.raises(TransientSourceError, match="HTTP 503") as raised:
        fetch(http_server.url("/exr.json"), 5)
    assert raised.value.retry_after is None


def test_a_503_then_a_200_reads_on_the_second_call(http_server: ScriptedServer) -> None:
    http_server.script("/exr.json", Reply(503), Reply(200, SAMPLE))

    with pytest.raises(TransientSourceError):
        fetch(http_server.url("/exr.json"), 5)
    assert fetch(http_server.url("/exr.json"), 5).content == SAMPLE


def test_a_429_says_how_long_to_wait_in_seconds(http_server: ScriptedServer) -> None:
    http_server.script("/exr.json", Reply(429, headers={"Retry-After": "7"}))

    with pytest.raises(TransientSourceError, match="HTTP 429") as raised:
        fetch(http_server.url("/exr.json"), 5)
    assert raised.value.retry_after == 7


def test_a_429_says_how_long_to_wait_as_an_http_date(http_server: ScriptedServer) -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    retry_after = format_datetime(later, usegmt=True)
    http_server.script("/exr.json", Reply(429, headers={"Retry-After": retry_after}))

    with pytest.raises(TransientSourceError) as raised:
        fetch(http_server.url("/exr.json"), 5)
    assert raised.value.retry_after is not None
    assert 3000 < raised.value.retry_after <= 3600


def test_a_404_is_permanent(http_server: ScriptedServer) -> None:
    with pytest.raises(PermanentSourceError, match="HTTP 404"):
        fetch(http_server.url("/nothing-here.json"), 5)


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_are_permanent_and_say_so(
    http_server: ScriptedServer, status: int
) -> None:
    http_server.script("/exr.json", Reply(status))

    with pytest.raises(PermanentSourceError, match="check the credentials"):
        fetch(http_server.url("/exr.json"), 5, {"Authorization": "Bearer wrong"})


def test_a_body_cut_short_is_transient(http_server: ScriptedServer) -> None:
    http_server.script("/exr.json", Reply(200, SAMPLE, truncate_to=100))

    with pytest.raises(TransientSourceError, match=r"(broke off|cut short)"):
        fetch(http_server.url("/exr.json"), 5)


def test_a_server_that_is_not_there_is_transient() -> None:
    server = ScriptedServer().start()
    url = server.url("/exr.json")
    server.stop()

    with pytest.raises(TransientSourceError, match="cannot connect"):
        fetch(url, 5)


def test_etag_makes_the_next_read_conditional(http_server: ScriptedServer) -> None:
    http_server.script("/exr.json", Reply(200, SAMPLE, {"ETag": '"v1"'}))
    first = fetch(http_server.url("/exr.json"), 5)

    second = fetch(http_server.url("/exr.json"), 5, etag=first.etag)

    assert first.etag == '"v1"'
    assert second.not_modified
    assert second.content == b""
    assert second.version() == {"etag": '"v1"'}
    assert http_server.requests_for("/exr.json")[1].headers["If-None-Match"] == '"v1"'


def test_a_changed_etag_reads_the_new_version(http_server: ScriptedServer) -> None:
    http_server.script("/exr.json", Reply(200, SAMPLE, {"ETag": '"v2"'}))

    fetched = fetch(http_server.url("/exr.json"), 5, etag='"v1"')

    assert not fetched.not_modified
    assert fetched.content == SAMPLE
    assert fetched.etag == '"v2"'


def test_last_modified_makes_the_next_read_conditional(http_server: ScriptedServer) -> None:
    stamp = "Mon, 03 Mar 2025 08:00:00 GMT"
    http_server.script("/exr.json", Reply(200, SAMPLE, {"Last-Modified": stamp}))

    first = fetch(http_server.url("/exr.json"), 5)
    second = fetch(http_server.url("/exr.json"), 5, last_modified=first.last_modified)

    assert first.last_modified == stamp
    assert second.not_modified
    assert http_server.requests_for("/exr.json")[1].headers["If-Modified-Since"] == stamp


def test_reads_a_local_path_and_a_file_url(tmp_path: Path) -> None:
    path = tmp_path / "dữ liệu" / "exr.json"
    path.parent.mkdir()
    path.write_bytes(SAMPLE)

    by_path = fetch(str(path), 5)
    by_url = fetch(path.as_uri(), 5)

    assert by_path.content == by_url.content == SAMPLE
    assert by_path.last_modified  # the file's modification time, as an HTTP date
    assert by_path.sha256 == hashlib.sha256(SAMPLE).hexdigest()


def test_a_missing_file_is_permanent(tmp_path: Path) -> None:
    with pytest.raises(PermanentSourceError, match="no such file"):
        fetch(str(tmp_path / "missing.xlsx"), 5)
    with pytest.raises(PermanentSourceError, match="no such file"):
        fetch((tmp_path / "missing.xlsx").as_uri(), 5)


def test_a_directory_is_permanent(tmp_path: Path) -> None:
    with pytest.raises(PermanentSourceError, match="directory"):
        fetch(str(tmp_path), 5)


def test_an_unsupported_scheme_is_permanent() -> None:
    with pytest.raises(PermanentSourceError, match="unsupported scheme 'ftp'"):
        fetch("ftp://example.org/data.csv", 5)


def test_messages_leave_out_credentials_in_the_url(http_server: ScriptedServer) -> None:
    url = http_server.url("/exr.json?api_key=s3cret").replace("://", "://user:pw@")

    with pytest.raises(PermanentSourceError) as raised:
        fetch(url, 5)

    assert "s3cret" not in str(raised.value)
    assert "pw" not in str(raised.value)
    assert describe_location(url) == http_server.url("/exr.json")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("120", 120.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past: do not wait
        ("Sat, 01 Mar 2025 12:00:30 GMT", 30.0),
        ("soon", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after(header, now) == expected
