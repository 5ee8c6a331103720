"""``/metrics``: Prometheus' text, parsed by prometheus-client, moving with a real run."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from hub.core import Hub
from hub.graphql.response_cache import ResponseCache
from hub.observability import metrics
from hub.scheduler.scheduler import HubScheduler
from tests.observability.conftest import SAMPLE, ecb_config
from tests.support.api_server import served_api
from tests.support.http_server import Reply, ScriptedServer

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(base: str) -> Samples:
    response = httpx.get(f"{base}/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def http_base(ws_url: str) -> str:
    return ws_url.replace("ws://", "http://").removesuffix("/graphql")


def test_metrics_count_a_real_run_and_api_requests(hub: Hub, source: ScriptedServer) -> None:
    source.script("/ecb", Reply(200, body=SAMPLE))
    with served_api(hub) as ws_url:
        base = http_base(ws_url)
        before = scrape(base)
        HubScheduler(hub).run_if_enabled("ecb")
        query = {"query": "query ConnectorsNow { connectors { id } }"}
        assert httpx.post(f"{base}/graphql", json=query).status_code == 200
        after = scrape(base)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("iochub_runs_total", connector="ecb", status="SUCCEEDED") == 1
    assert moved("iochub_records_total", connector="ecb", outcome="read") == 4
    assert moved("iochub_records_total", connector="ecb", outcome="written") == 4
    assert moved("iochub_records_total", connector="ecb", outcome="quarantined") == 0
    assert moved("iochub_run_duration_seconds_count", connector="ecb") == 1
    assert value(after, "iochub_connector_seconds_since_success", connector="ecb") >= 0
    assert ("iochub_connector_seconds_since_success", (("connector", "ecb"),)) in after
    assert (
        moved("iochub_api_request_duration_seconds_count", operation="ConnectorsNow", status="200")
        == 1
    )
    assert value(after, "iochub_db_pool_connections", state="size") >= 1


def test_a_failed_run_is_counted_as_failed(hub: Hub, source: ScriptedServer) -> None:
    source.script("/ecb", Reply(503))
    with served_api(hub) as ws_url:
        base = http_base(ws_url)
        before = scrape(base)
        HubScheduler(hub).run_if_enabled("ecb")
        after = scrape(base)
    key = ("iochub_runs_total", (("connector", "ecb"), ("status", "FAILED")))
    assert after[key] - before.get(key, 0.0) == 1


def test_metrics_refuse_an_address_not_allowed(
    make_hub: Callable[..., Hub], source: ScriptedServer
) -> None:
    hub = make_hub({**ecb_config(source.url("/ecb")), "monitoring": {"allow": ["10.0.0.0/8"]}})
    with served_api(hub) as ws_url:
        response = httpx.get(f"{http_base(ws_url)}/metrics")
    assert response.status_code == 403
    assert "[monitoring] allow" in response.text


def test_each_request_gets_one_access_log_line(
    hub: Hub, source: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    # The line is written once the response is sent: the server stops before the log is read.
    with caplog.at_level(logging.INFO, logger="hub.access"), served_api(hub) as ws_url:
        query = {"query": "query WhoRuns { connectors { id } }"}
        httpx.post(f"{http_base(ws_url)}/graphql", json=query)
    [line] = [r for r in caplog.records if r.name == "hub.access"]
    message = line.getMessage()
    assert "POST /graphql operation=WhoRuns principal=anonymous status=200" in message
    assert line.http["duration_ms"] >= 0  # type: ignore[attr-defined]


def test_an_answer_no_route_gave_is_logged_and_counted(
    hub: Hub, source: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="hub.access"), served_api(hub) as ws_url:
        base = http_base(ws_url)
        before = scrape(base)
        missing = httpx.get(f"{base}/no/such/page?x=1")
        wrong_method = httpx.delete(f"{base}/health/live")
        after = scrape(base)
    assert (missing.status_code, wrong_method.status_code) == (404, 405)
    lines = {r.http["path"]: r for r in caplog.records if r.name == "hub.access"}  # type: ignore[attr-defined]
    for path, response in (("/no/such/page", missing), ("/health/live", wrong_method)):
        fields = lines[path].http  # type: ignore[attr-defined]
        assert fields["status"] == response.status_code
        assert fields["duration_ms"] >= 0
        assert fields["request_id"] == response.headers["x-request-id"]
        message = lines[path].getMessage()
        assert f"status={response.status_code}" in message
        assert f"request_id={fields['request_id']}" in message
    series = ("iochub_api_request_duration_seconds_count",)
    for status in ("404", "405"):
        labels = (("operation", "(no route)"), ("status", status))
        assert after[(*series, labels)] - before.get((*series, labels), 0.0) == 1


def test_a_request_id_the_client_gives_is_kept_if_it_is_sane(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="hub.access"), served_api(hub) as ws_url:
        base = http_base(ws_url)
        kept = httpx.get(f"{base}/health/live", headers={"X-Request-ID": "lb-7f3a.42"})
        odd = httpx.get(f"{base}/health/live", headers={"X-Request-ID": "x" * 65})
    assert kept.headers["x-request-id"] == "lb-7f3a.42"
    assert odd.headers["x-request-id"] != "x" * 65
    logged = [r.http["request_id"] for r in caplog.records if r.name == "hub.access"]  # type: ignore[attr-defined]
    assert logged == ["lb-7f3a.42", odd.headers["x-request-id"]]


def test_the_response_caches_own_counts_are_exposed(make_hub: Callable[..., Hub]) -> None:
    responses = ResponseCache(4)
    responses.hits, responses.misses = 7, 2
    text = metrics.exposition(metrics.hub_registry(make_hub(), responses)).decode()
    samples = {
        (sample.name, sample.labels.get("result")): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    assert samples[("iochub_response_cache_lookups_total", "hit")] == 7
    assert samples[("iochub_response_cache_lookups_total", "miss")] == 2
