"""DHIS2 data value sets: periods, the mapping, and the ``dhis2`` kind over HTTP and from a file."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from iochub_plugins.health.config import Dhis2Config
from iochub_plugins.health.dhis2 import Dhis2Mapping, read_data_value_set
from iochub_plugins.health.dhis2_periods import dhis2_period
from iochub_plugins.health.plugin import DEMO_DHIS2, DEMO_ORG_UNITS, demo_dhis2_connector
from pydantic import ValidationError

from hub.connectors.records import BadRecord, Observation, Skipped
from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import RunStatus
from tests.plugins.health.conftest import observed, quarantined
from tests.support.http_server import Reply, ScriptedServer

DEFAULT = "HllvX50cXC0"
DHIS2_TABLE: dict[str, Any] = {
    "plugin": "health",
    "kind": "dhis2",
    "location": "set by the test",
    "token": "d2pat_xyz",
    "data_elements": {
        "DeBeds00001": "health_beds",
        "DeTarget001": {"metric": "health_immunization_target", "dims": {"vaccine": "penta"}},
    },
    "org_units": {"OuBvdk00001": {"unit": "23281", "dims": {"facility": "Organization/bvdk"}}},
    "category_option_combos": {"CocDose3000": {"dose": "3"}, "CocDose1000": {"dose": "1"}},
}


def value(
    element: str, period: str, org_unit: str, number: Any, combo: str = DEFAULT, **more: Any
) -> dict[str, Any]:
    return {
        "dataElement": element,
        "period": period,
        "orgUnit": org_unit,
        "categoryOptionCombo": combo,
        "attributeOptionCombo": DEFAULT,
        "value": str(number),
        "lastUpdated": "2024-02-01T10:00:00.000",
        **more,
    }


def data_value_set(*extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "dataSet": "DsHealth001",
        "dataValues": [
            value("DeBeds00001", "2024", "OuBvdk00001", 750),
            value("DeTarget001", "2024", "23326", 180, "CocDose3000"),
            value("DeTarget001", "2024", "23326", 185, "CocDose1000"),
            value("DeTarget001", "2024", "23500", 240, "CocDose3000"),
            *extra,
        ],
    }


def mapped(document: dict[str, Any], **config: Any) -> list[Observation | BadRecord]:
    settings = Dhis2Config.model_validate({**_kind_fields(), **config})
    found = read_data_value_set(json.dumps(document).encode())
    return [*found.problems, *Dhis2Mapping(settings).observations(found.values)]


@pytest.mark.parametrize(
    ("dhis2", "canonical"),
    [
        ("20240115", "2024-01-15"),
        ("2024W3", "2024-W03"),
        ("2020W53", "2020-W53"),
        ("202401", "2024-01"),
        ("2024Q1", "2024-Q1"),
        ("2024S2", "2024-H2"),
        ("2024", "2024"),
    ],
)
def test_dhis2_periods_have_canonical_ids(dhis2: str, canonical: str) -> None:
    assert dhis2_period(dhis2).id == canonical


@pytest.mark.parametrize(
    ("dhis2", "problem"),
    [
        ("2024WedW3", "a week that does not start on Monday"),
        ("2024BiW2", "a bi-week"),
        ("202401B", "a bi-month"),
        ("2024AprilS1", "a six-month period not starting in January"),
        ("2024July", "a financial year"),
        ("2024NovQ1", "a quarter starting in November"),
        ("2024W53", "2024 has 52 ISO weeks"),
        ("202413", "not a month"),
        ("20240230", "not a day"),
        ("Jan 2024", "not a DHIS2 period"),
    ],
)
def test_other_dhis2_periods_say_why_they_have_none(dhis2: str, problem: str) -> None:
    period = dhis2_period(dhis2)
    assert period.id is None and problem in (period.problem or "")


def test_values_map_to_metrics_units_and_disaggregations() -> None:
    beds, target_3, target_1, other = mapped(data_value_set())

    assert beds == Observation(
        metric="health_beds",
        unit="23281",
        period="2024",
        value="750",
        dims={"facility": "Organization/bvdk"},
        source_id=f"DeBeds00001.2024.OuBvdk00001.{DEFAULT}.{DEFAULT}",
        place="dataValue 1",
    )
    assert (target_3.unit, target_3.dims) == ("23326", {"vaccine": "penta", "dose": "3"})
    assert target_1.dims == {"vaccine": "penta", "dose": "1"}
    assert (other.unit, other.value) == ("23500", "240")


def test_what_the_mapping_lacks_is_quarantined_with_the_reason() -> None:
    items = mapped(
        data_value_set(
            value("DeUnknown01", "2024", "23326", 1),
            value("DeBeds00001", "2024BiW1", "OuUnknown01", 1, "CocUnknown1"),
            {"dataElement": "DeBeds00001", "value": "3"},
            value("DeTarget001", "2024", "23500", 9, "CocDose3000"),
        )
    )

    reasons = [item.reason for item in items if isinstance(item, BadRecord)]
    assert reasons == [
        "dataValue 7: no period, no orgUnit",
        "dataValue 5: data element 'DeUnknown01' is not in data_elements",
        "dataValue 6: DHIS2 period '2024BiW1' is a bi-week, which the hub has no type for; "
        "org unit 'OuUnknown01' is not in org_units; category option combo 'CocUnknown1' is "
        "not in category_option_combos",
    ]
    # dataValue 8 gives dataValue 4's value again: the hub counts it as a duplicate
    assert items[-1] == Observation(
        metric="health_immunization_target",
        unit="23500",
        period="2024",
        value="9",
        dims={"vaccine": "penta", "dose": "3"},
        source_id=f"DeTarget001.2024.23500.CocDose3000.{DEFAULT}",
        place="dataValue 8",
        part=f"CocDose3000.{DEFAULT}",
    )


def test_unmapped_data_elements_can_be_skipped() -> None:
    items = mapped(data_value_set(value("DeUnknown01", "2024", "23326", 1)), skip_unmapped=True)

    assert all(isinstance(item, Observation) for item in items[:4])
    assert items[4:] == [Skipped("data element not in data_elements (skip_unmapped)")]


def test_a_deleted_value_retracts_its_observation() -> None:
    (beds, *_) = mapped({"dataValues": [value("DeBeds00001", "2024", "23281", 1, deleted=True)]})

    assert isinstance(beds, Observation) and beds.value is None


def test_the_set_gives_period_and_org_unit_to_values_without_them() -> None:
    document = {
        "period": "202403",
        "orgUnit": "23326",
        "dataValues": [
            {"dataElement": "DeBeds00001", "categoryOptionCombo": DEFAULT, "value": "12"}
        ],
    }

    (beds,) = mapped(document)

    assert isinstance(beds, Observation) and (beds.unit, beds.period) == ("23326", "2024-03")


def test_a_config_with_a_bad_gso_code_or_half_credentials_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a GSO code"):
        Dhis2Config.model_validate({**_kind_fields(), "org_units": {"Ou": "6200"}})
    with pytest.raises(ValidationError, match="both username and password"):
        Dhis2Config.model_validate({**_kind_fields(), "username": "admin"})


def _kind_fields() -> dict[str, Any]:
    return {k: v for k, v in DHIS2_TABLE.items() if k not in ("plugin", "kind")}


def test_over_http_it_sends_the_token_then_asks_only_for_what_changed(
    health_hub: Callable[..., Hub],
) -> None:
    first = json.dumps(data_value_set()).encode()
    changes = json.dumps(
        {
            "dataValues": [
                value(
                    "DeTarget001",
                    "2024",
                    "23326",
                    190,
                    "CocDose3000",
                    lastUpdated="2024-03-01T08:00:00.000",
                ),
                value(
                    "DeTarget001",
                    "2024",
                    "23500",
                    240,
                    "CocDose3000",
                    deleted=True,
                    lastUpdated="2024-03-01T08:00:00.000",
                ),
            ]
        }
    ).encode()
    with ScriptedServer() as server:
        server.script("/api/dataValueSets.json", Reply(200, first), Reply(200, changes))
        location = server.url("/api/dataValueSets.json?dataSet=DsHealth001&period=2024")
        hub = health_hub({"dhis2": {**DHIS2_TABLE, "location": location}})

        assert run_sync(hub, "dhis2").status == RunStatus.SUCCEEDED
        second = run_sync(hub, "dhis2")
        requests = server.requests_for("/api/dataValueSets.json")

    assert second.status == RunStatus.SUCCEEDED
    assert requests[0].headers["Authorization"] == "ApiToken d2pat_xyz"
    assert requests[0].query == "dataSet=DsHealth001&period=2024"
    assert requests[1].query == (
        "dataSet=DsHealth001&period=2024&lastUpdated=2024-02-01T10%3A00%3A00.000"
        "&includeDeleted=true"
    )
    assert observed(hub, "health_immunization_target") == Counter(
        {
            ("23326", "2024", (("dose", "1"), ("vaccine", "penta"))): 185,
            ("23326", "2024", (("dose", "3"), ("vaccine", "penta"))): 190,
        }
    )


def test_over_http_a_refused_token_fails_the_run_and_says_so(
    health_hub: Callable[..., Hub],
) -> None:
    with ScriptedServer() as server:
        server.script("/api/dataValueSets.json", Reply(401, b'{"httpStatus": "Unauthorized"}'))
        location = server.url("/api/dataValueSets.json")
        hub = health_hub({"dhis2": {**DHIS2_TABLE, "location": location}})

        run = run_sync(hub, "dhis2")

    assert run.status == RunStatus.FAILED
    assert "HTTP 401" in (run.error or "") and "check the credentials" in (run.error or "")


def test_the_demo_file_loads_every_value(health_hub: Callable[..., Hub]) -> None:
    table = demo_dhis2_connector()
    connector_id = table.pop("id")
    hub = health_hub({connector_id: table})
    document = json.loads(DEMO_DHIS2.read_text(encoding="utf-8"))
    org_units = json.loads(DEMO_ORG_UNITS.read_text(encoding="utf-8"))

    run = run_sync(hub, connector_id)

    assert (run.status, run.records_quarantined) == (RunStatus.SUCCEEDED, 0)
    assert run.records_written == len(document["dataValues"])
    beds = Counter(
        {
            (
                org_units[v["orgUnit"]]["unit"],
                f"{v['period'][:4]}-{v['period'][4:]}",
                (("facility", org_units[v["orgUnit"]]["dims"]["facility"]),),
            ): int(v["value"])
            for v in document["dataValues"]
            if v["dataElement"] == "KtBeds0001"
        }
    )
    assert len(beds) == 11 * 12  # the hospital and ten centres, every month
    assert observed(hub, "health_beds") == beds
    assert quarantined(hub) == []


BY_SEX = {"CocMale0001": {}, "CocFemale01": {}}
"""Inpatient days reported by sex: both combos go to the metric's total (it has no ``sex``)."""


def test_combos_mapped_to_one_cell_add_up_and_each_is_updated_on_its_own(
    health_hub: Callable[..., Hub],
) -> None:
    def days(number: int, combo: str, updated: str, **more: Any) -> dict[str, Any]:
        return value("DeInpDays01", "2024", "23326", number, combo, lastUpdated=updated, **more)

    first = {
        "dataValues": [
            days(10163, "CocMale0001", "2024-02-01T10:00:00.000"),
            days(12770, "CocFemale01", "2024-02-01T10:00:00.000"),
        ]
    }
    later = {"dataValues": [days(12800, "CocFemale01", "2024-03-01T08:00:00.000")]}
    gone = {"dataValues": [days(0, "CocMale0001", "2024-04-01T08:00:00.000", deleted=True)]}
    table = {
        **DHIS2_TABLE,
        "data_elements": {"DeInpDays01": "health_inpatient_days"},
        "category_option_combos": BY_SEX,
    }
    with ScriptedServer() as server:
        server.script(
            "/api/dataValueSets.json",
            *(Reply(200, json.dumps(document).encode()) for document in (first, later, gone)),
        )
        hub = health_hub({"dhis2": {**table, "location": server.url("/api/dataValueSets.json")}})

        run = run_sync(hub, "dhis2")
        assert (run.status, run.records_read, run.records_written) == (RunStatus.SUCCEEDED, 2, 2)
        assert observed(hub, "health_inpatient_days") == Counter({("23326", "2024", ()): 22933})
        run_sync(hub, "dhis2")  # the women's days corrected: the men's stay
        assert observed(hub, "health_inpatient_days") == Counter({("23326", "2024", ()): 22963})
        run_sync(hub, "dhis2")  # the men's value deleted in DHIS2
        assert observed(hub, "health_inpatient_days") == Counter({("23326", "2024", ()): 12800})


def test_a_combo_mapped_to_a_disaggregation_the_metric_lacks_is_quarantined_saying_so(
    health_hub: Callable[..., Hub],
) -> None:
    document = {"dataValues": [value("DeInpDays01", "2024", "23326", 5, "CocMale0001")]}
    table = {
        **DHIS2_TABLE,
        "data_elements": {"DeInpDays01": "health_inpatient_days"},
        "category_option_combos": {"CocMale0001": {"sex": "male"}},
    }
    with ScriptedServer() as server:
        server.script("/api/dataValueSets.json", Reply(200, json.dumps(document).encode()))
        hub = health_hub({"dhis2": {**table, "location": server.url("/api/dataValueSets.json")}})
        run = run_sync(hub, "dhis2")

    assert run.status == RunStatus.PARTIAL
    (reason,) = quarantined(hub)
    assert "has no disaggregation sex (it has: facility)" in reason


def test_a_set_read_whole_asks_again_conditionally_and_a_304_reads_nothing(
    health_hub: Callable[..., Hub],
) -> None:
    body = json.dumps(data_value_set()).encode()
    with ScriptedServer() as server:
        server.script("/api/dataValueSets.json", Reply(200, body, {"ETag": '"v1"'}))
        location = server.url("/api/dataValueSets.json?dataSet=DsHealth001")
        hub = health_hub({"dhis2": {**DHIS2_TABLE, "location": location, "incremental": False}})

        first = run_sync(hub, "dhis2")
        again = run_sync(hub, "dhis2")
        requests = server.requests_for("/api/dataValueSets.json")

    assert (first.status, first.records_read) == (RunStatus.SUCCEEDED, 4)
    assert (again.status, again.records_read) == (RunStatus.SUCCEEDED, 0)
    assert "If-None-Match" not in requests[0].headers
    assert requests[1].headers["If-None-Match"] == '"v1"'
    assert {r.headers["Authorization"] for r in requests} == {"ApiToken d2pat_xyz"}
    assert observed(hub, "health_beds") == Counter(
        {("23281", "2024", (("facility", "Organization/bvdk"),)): 750}
    )


def test_a_server_fault_is_retried_on_the_spot_by_the_runs_client(
    health_hub: Callable[..., Hub],
) -> None:
    body = json.dumps(data_value_set()).encode()
    quick = {"retry_attempts": 4, "retry_initial_wait": 0, "retry_max_wait": 0}
    with ScriptedServer() as server:
        server.script("/api/dataValueSets.json", Reply(503), Reply.dropped(), Reply(200, body))
        location = server.url("/api/dataValueSets.json")
        hub = health_hub({"dhis2": {**DHIS2_TABLE, "location": location}}, runtime=quick)

        run = run_sync(hub, "dhis2")
        asked = len(server.requests_for("/api/dataValueSets.json"))

    assert (run.status, run.attempts, run.records_read) == (RunStatus.SUCCEEDED, 1, 4)
    assert asked == 3
