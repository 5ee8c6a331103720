"""The wazuh-http kind against a real HTTP server: the indexer's search API and an export,
paging with a time cursor, a 503 in the middle, credentials, and alerts too young to read."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest

from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import ConnectorState, RunStatus
from hub.testing.acceptance import ConnectorAcceptance, saved_state
from tests.plugins.security.conftest import events, quarantined
from tests.plugins.security.samples import ICT, generate_alerts, json_lines, security_table
from tests.plugins.security.test_wazuh_file import (
    check_against_reference,
    expected_rows,
    incident_rows,
)
from tests.support.http_server import Reply, ScriptedServer

START = datetime(2026, 11, 2, tzinfo=ICT)
SEARCH = "/wazuh-alerts-4.x-*/_search"


def search_response(alerts: list[dict[str, Any]]) -> bytes:
    hits = [
        {"_index": "wazuh-alerts-4.x-2026.11.02", "_id": f"doc-{alert['id']}", "_source": alert}
        for alert in alerts
    ]
    return json.dumps({"took": 3, "hits": {"total": {"value": len(hits)}, "hits": hits}}).encode()


def indexer_table(server: ScriptedServer, **options: Any) -> dict[str, Any]:
    options = {"settle_seconds": 0, **options}
    return security_table(
        "wazuh-http", url=server.url(""), username="admin", password="s3cret", **options
    )


def utc_ms(alert: dict[str, Any]) -> str:
    """The alert's time as the indexer is asked for it: UTC, milliseconds, ``Z``."""
    moment = datetime.fromisoformat(alert["timestamp"]).astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def queries(server: ScriptedServer, path: str = SEARCH) -> list[dict[str, str]]:
    return [{k: v[0] for k, v in parse_qs(r.query).items()} for r in server.requests_for(path)]


class TestIndexerAcceptance(ConnectorAcceptance):
    @pytest.fixture
    def connector_under_test(
        self, security_hub: Callable[..., Hub], http_server: ScriptedServer
    ) -> Iterator[tuple[Hub, str]]:
        http_server.script(SEARCH, Reply(200, search_response(generate_alerts(3, START, 30))))
        yield security_hub({"indexer": indexer_table(http_server)}), "indexer"


def test_pages_are_walked_from_the_time_cursor(
    security_hub: Callable[..., Hub], http_server: ScriptedServer
) -> None:
    alerts = generate_alerts(12, START, hours=12)[:7]
    alerts[3]["timestamp"] = alerts[2]["timestamp"]  # three alerts in one millisecond, across
    alerts[4]["timestamp"] = alerts[2]["timestamp"]  # the first and the second page
    http_server.script(
        SEARCH,
        Reply(200, search_response(alerts[0:3])),
        Reply(200, search_response(alerts[3:6])),
        Reply(200, search_response(alerts[6:7])),
        Reply(200, search_response([])),
    )
    hub = security_hub({"indexer": indexer_table(http_server, page_size=3)})

    run = run_sync(hub, "indexer")

    assert (run.status, len(events(hub, "security.alert"))) == (RunStatus.SUCCEEDED, 7)
    asked = queries(http_server)
    assert [(q["size"], q["from"], q["sort"]) for q in asked] == [
        ("3", "0", "timestamp:asc"),
        ("3", "1", "timestamp:asc"),
        ("3", "1", "timestamp:asc"),
    ]
    assert "q" not in asked[0]
    assert asked[1]["q"] == f'timestamp:["{utc_ms(alerts[2])}" TO *]'
    assert asked[2]["q"] == f'timestamp:["{utc_ms(alerts[5])}" TO *]'
    basic = base64.b64encode(b"admin:s3cret").decode()
    assert http_server.requests_for(SEARCH)[0].headers["Authorization"] == f"Basic {basic}"

    assert run_sync(hub, "indexer").records_read == 0  # the next run asks from the cursor on
    assert queries(http_server)[-1] == {
        **asked[0],
        "from": "1",
        "q": f'timestamp:["{utc_ms(alerts[6])}" TO *]',
    }


def test_a_503_mid_run_is_retried_from_the_last_page_without_counting_twice(
    security_hub: Callable[..., Hub], http_server: ScriptedServer
) -> None:
    alerts = generate_alerts(13, START, hours=48)
    pages = [alerts[i : i + 20] for i in range(0, len(alerts), 20)]
    replies = [Reply(200, search_response(page)) for page in pages]
    replies.insert(2, Reply(503, b"busy", {"Retry-After": "0"}))
    http_server.script(SEARCH, *replies, Reply(200, search_response([])))
    hub = security_hub({"indexer": indexer_table(http_server, page_size=20)})

    run = run_sync(hub, "indexer")

    assert (run.status, run.attempts) == (RunStatus.SUCCEEDED, 2)
    check_against_reference(hub, alerts)


def test_an_older_releases_cursor_goes_on_where_it_was(
    security_hub: Callable[..., Hub], http_server: ScriptedServer
) -> None:
    """A hub upgraded between two runs neither reads everything again nor loses its place."""
    alerts = sorted(generate_alerts(16, START, hours=6)[:4], key=utc_ms)
    alerts[2]["timestamp"] = alerts[1]["timestamp"]  # two alerts in one millisecond
    http_server.script(SEARCH, Reply(200, search_response(alerts)))
    hub = security_hub({"indexer": indexer_table(http_server, page_size=3)})
    at_since = datetime.fromisoformat(alerts[1]["timestamp"]).astimezone(UTC).isoformat()
    old_cursor = {"since": at_since, "at_since": 1, "seen": [alerts[1]["id"]]}
    with hub.db.session() as session:  # the state a run of an older release saved
        session.add(ConnectorState(connector_id="indexer", state={"http": old_cursor}))

    run = run_sync(hub, "indexer")

    assert run.status == RunStatus.SUCCEEDED
    assert {event.source_id for event in events(hub, "security.alert")} == {
        alerts[2]["id"],
        alerts[3]["id"],
    }  # the source sent all four: the cursor left out what the older release had read
    assert queries(http_server)[0]["q"] == f'timestamp:["{utc_ms(alerts[1])}" TO *]'
    assert queries(http_server)[0]["from"] == "1"
    assert saved_state(hub, "indexer")["http"]["value"].startswith(utc_ms(alerts[3])[:19])


def test_an_export_of_json_lines_with_a_bad_line(
    security_hub: Callable[..., Hub], http_server: ScriptedServer
) -> None:
    alerts = generate_alerts(14, START, hours=10)
    body = json_lines(alerts[:2]) + "{not json\n" + json_lines(alerts[2:])
    http_server.script("/export/alerts", Reply(200, body.encode()))
    table = security_table(
        "wazuh-http",
        api="export",
        url=http_server.url("/export/alerts"),
        token="t0ken",
        settle_seconds=0,
    )
    hub = security_hub({"export": table})

    run = run_sync(hub, "export")

    assert (run.status, run.records_quarantined) == (RunStatus.PARTIAL, 1)
    assert [(q.reason, q.payload) for q in quarantined(hub)] == [
        ("not JSON: Expecting property name enclosed in double quotes at column 2", "{not json"),
    ]
    assert incident_rows(hub) == expected_rows(alerts)
    request = http_server.requests_for("/export/alerts")[0]
    assert request.headers["Authorization"] == "Bearer t0ken"
    assert parse_qs(request.query) == {"limit": ["500"], "offset": ["0"]}


def test_alerts_younger_than_the_settle_time_wait_for_the_next_run(
    security_hub: Callable[..., Hub], http_server: ScriptedServer
) -> None:
    now = datetime.now(UTC)
    alerts = generate_alerts(15, now - timedelta(hours=3), hours=3)
    settled = now - timedelta(hours=1)
    margin = timedelta(minutes=1)  # the connector looks at its own clock a moment later

    def time_of(alert: dict[str, Any]) -> datetime:
        return datetime.fromisoformat(alert["timestamp"])

    alerts = [a for a in alerts if abs(time_of(a) - settled) > margin]
    old = [a for a in alerts if time_of(a) < settled]
    young = [a for a in alerts if time_of(a) > settled]
    http_server.script(SEARCH, Reply(200, search_response(alerts)))
    hub = security_hub({"indexer": indexer_table(http_server, settle_seconds=3600)})

    run_sync(hub, "indexer")

    assert len(old) and len(young)
    assert len(events(hub, "security.alert")) == len(old)
    cursor = saved_state(hub, "indexer")["http"]
    assert datetime.fromisoformat(cursor["value"]) == time_of(old[-1])  # the young come next


def test_bad_credentials_fail_the_run_with_a_clear_message(
    security_hub: Callable[..., Hub], http_server: ScriptedServer
) -> None:
    http_server.script(SEARCH, Reply(401, b'{"error": "unauthorized"}'))
    hub = security_hub({"indexer": indexer_table(http_server)})

    run = run_sync(hub, "indexer")

    assert run.status == RunStatus.FAILED
    assert "HTTP 401" in run.error and "check the credentials" in run.error
    assert "s3cret" not in run.error


def test_a_search_error_is_reported(
    security_hub: Callable[..., Hub], http_server: ScriptedServer
) -> None:
    error = {"error": {"type": "index_not_found_exception", "reason": "no such index"}}
    http_server.script(SEARCH, Reply(200, json.dumps(error).encode()))
    hub = security_hub({"indexer": indexer_table(http_server)})

    run = run_sync(hub, "indexer")

    assert run.status == RunStatus.FAILED
    assert "not a search response (no such index)" in run.error
