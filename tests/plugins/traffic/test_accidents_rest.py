"""The ``accidents-rest`` kind against a real HTTP server: paging, the cursor, faults."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hub.connectors.base import ConnectorContext
from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import AdminUnit, Event, Metric, Observation, QuarantinedRecord, RunStatus
from hub.testing.acceptance import saved_state
from tests.plugins.traffic.police_api import PoliceApi
from tests.support.http_server import Reply

CONNECTOR = "police-accidents"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def accident(
    number: int, commune: str, deaths: int, injuries: int, day: int = 5, updated: str | None = None
) -> dict[str, Any]:
    return {
        "id": f"KT-{number:04d}",
        "occurred_at": f"2026-03-{day:02d}T07:{number:02d}:00+07:00",
        "commune": commune,
        "road": "QL14",
        "deaths": deaths,
        "injuries": injuries,
        "vehicles": 2,
        "updated_at": updated or f"2026-03-{day:02d}T12:{number:02d}:00+07:00",
    }


ACCIDENTS = [
    accident(1, "23293", 1, 0),
    accident(2, "23293", 0, 2),
    accident(3, "23302", 2, 1),
    accident(4, "23500", 0, 1, day=6),
    accident(5, "23293", 1, 3, day=6),
]


@pytest.fixture
def api() -> Iterator[PoliceApi]:
    with PoliceApi([dict(a) for a in ACCIDENTS]) as server:
        yield server


@pytest.fixture
def police_hub(traffic_hub: Callable[..., Hub], api: PoliceApi) -> Callable[..., Hub]:
    def build(**table: Any) -> Hub:
        return traffic_hub(
            {
                CONNECTOR: {
                    "plugin": "traffic",
                    "kind": "accidents-rest",
                    "url": api.endpoint,
                    "page_size": 2,
                    "token": "s3cret",
                    **table,
                }
            }
        )

    return build


def deaths_by_commune_and_day(hub: Hub) -> dict[tuple[str, str], float]:
    with hub.db.session() as session:
        rows = session.execute(
            select(AdminUnit.code, Observation.period, Observation.value)
            .join(AdminUnit, AdminUnit.id == Observation.unit_id)
            .join(Metric, Metric.id == Observation.metric_id)
            .where(Metric.code == "traffic_deaths")
        ).all()
    return {(code, period): value for code, period, value in rows}


def expected_deaths(accidents: list[dict[str, Any]]) -> dict[tuple[str, str], float]:
    """Computed from the server's records, independently of the hub."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for a in accidents:
        day = datetime.fromisoformat(a["occurred_at"]).astimezone(VIETNAM).date().isoformat()
        totals[(a["commune"], day)] += a["deaths"]
    return {key: value for key, value in totals.items() if value}


def state_of(hub: Hub) -> dict[str, Any]:
    return saved_state(hub, CONNECTOR) or {}


def test_a_run_walks_every_page_and_keeps_the_newest_change_as_its_cursor(
    police_hub: Callable[..., Hub], api: PoliceApi
) -> None:
    hub = police_hub()

    run = run_sync(hub, CONNECTOR)

    assert (run.status, run.records_read) == (RunStatus.SUCCEEDED, 5)
    assert api.pages_asked() == [(1, None), (2, None), (3, None)]
    assert state_of(hub) == {"modified_since": "2026-03-06T12:05:00+07:00", "ties": ["KT-0005"]}
    assert api.requests_for("/api/v1/accidents")[0].headers["Authorization"] == "Bearer s3cret"
    assert deaths_by_commune_and_day(hub) == expected_deaths(ACCIDENTS)


def test_the_next_run_reads_only_what_changed_and_the_counts_follow(
    police_hub: Callable[..., Hub], api: PoliceApi
) -> None:
    hub = police_hub()
    run_sync(hub, CONNECTOR)
    corrected = {
        **api.accidents[1],
        "deaths": 1,
        "commune": "23302",  # died in hospital; moved
        "updated_at": "2026-03-07T08:00:00+07:00",
    }
    api.accidents[1] = corrected
    api.accidents.append(accident(6, "23500", 3, 0, day=7, updated="2026-03-07T09:00:00+07:00"))

    run = run_sync(hub, CONNECTOR)

    assert api.pages_asked()[3:] == [
        (1, "2026-03-06T12:05:00+07:00"),
        (2, "2026-03-06T12:05:00+07:00"),
    ]
    # the cursor is inclusive: the last one comes again, and is left out as already read
    assert run.records_read == 2
    assert deaths_by_commune_and_day(hub) == expected_deaths(api.accidents)
    with hub.db.session() as session:
        severity = session.scalar(select(Event.severity).where(Event.source_id == "KT-0006"))
    assert severity == 4


def test_a_server_error_is_retried_from_the_last_committed_page(
    police_hub: Callable[..., Hub], api: PoliceApi
) -> None:
    hub = police_hub()
    api.fail(2, Reply(503, b"busy", {"Retry-After": "0"}))

    run = run_sync(hub, CONNECTOR)

    assert (run.status, run.records_read, run.attempts) == (RunStatus.SUCCEEDED, 5, 2)
    assert [page for page, _ in api.pages_asked()] == [1, 2, 2, 3]
    assert state_of(hub) == {"modified_since": "2026-03-06T12:05:00+07:00", "ties": ["KT-0005"]}


def test_a_run_that_failed_mid_walk_resumes_there_next_time(
    police_hub: Callable[..., Hub], api: PoliceApi
) -> None:
    hub = police_hub()
    api.fail(2, *[Reply(500)] * 5)  # more than the runtime's attempts

    failed = run_sync(hub, CONNECTOR)
    resumed = run_sync(hub, CONNECTOR)

    assert failed.status == RunStatus.FAILED and "HTTP 500" in (failed.error or "")
    assert failed.records_read == 2  # page 1 was committed
    assert resumed.status == RunStatus.SUCCEEDED
    assert api.pages_asked()[-2:] == [(2, None), (3, None)]
    assert deaths_by_commune_and_day(hub) == expected_deaths(ACCIDENTS)


def test_a_server_that_ignores_the_page_parameter_fails_the_run(
    police_hub: Callable[..., Hub], api: PoliceApi
) -> None:
    api.script("/same-page", Reply(200, b'{"items": [{"id": "A"}, {"id": "B"}]}'))
    hub = police_hub(url=api.url("/same-page"))

    run = run_sync(hub, CONNECTOR)

    assert run.status == RunStatus.FAILED
    assert "page 2 repeats the page before it" in (run.error or "")


def test_bad_credentials_fail_the_run_saying_so(
    police_hub: Callable[..., Hub], api: PoliceApi
) -> None:
    api.fail(1, Reply(401))

    run = run_sync(police_hub(), CONNECTOR)

    assert run.status == RunStatus.FAILED
    assert "HTTP 401" in (run.error or "") and "check the credentials" in (run.error or "")
    assert "s3cret" not in (run.error or "")


def test_items_that_are_no_accidents_are_quarantined_with_their_page_and_place(
    police_hub: Callable[..., Hub], api: PoliceApi
) -> None:
    api.accidents.insert(
        1,
        {
            "id": "KT-9",
            "updated_at": "2026-03-05T12:30:00+07:00",
            "occurred_at": "2026-03-05T07:00:00+07:00",
            "deaths": 1,
        },
    )
    hub = police_hub()

    run = run_sync(hub, CONNECTOR)

    assert (run.status, run.records_read, run.records_quarantined) == (RunStatus.PARTIAL, 6, 1)
    with hub.db.session() as session:
        bad = session.scalars(select(QuarantinedRecord)).one()
    assert (bad.reason, bad.place) == (
        "accident: no place: neither a commune code nor coordinates",
        "page 2, item 2",
    )
    assert bad.payload["id"] == "KT-9"


def test_check_reads_the_first_page(police_hub: Callable[..., Hub]) -> None:
    hub = police_hub()

    message = hub.connector(CONNECTOR).create(ConnectorContext(CONNECTOR)).check()

    assert message == "the API answered with 2 accidents on its first page"
