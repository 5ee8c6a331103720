"""Figures that overlap, as statistics offices publish them: each read once, by one rule.

Loaded the way ``iochub import`` loads a file (``read_long_csv`` → ``load_records``) and read
through the GraphQL ``aggregate``, on both backends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from hub.connectors.runtime import load_records
from hub.core import Hub
from hub.ingest.csv_import import read_long_csv
from hub.model import RunStatus
from tests.aggregation.test_graphql import post


def iochub_import(hub: Hub, tmp_path: Path, text: str, source: str = "import") -> None:
    """What ``iochub import FILE --source SOURCE`` does with this CSV."""
    path = tmp_path / f"{source}.csv"
    path.write_text(text, encoding="utf-8")
    run = load_records(hub, source, read_long_csv(path))
    assert run.status == RunStatus.SUCCEEDED, run.error


def answers(client: TestClient, **variables: Any) -> list[dict[str, Any]]:
    body = post(client, **variables)
    assert "errors" not in body, body
    return body["data"]["aggregate"]


def values(client: TestClient, **variables: Any) -> dict[tuple[str, str], float | None]:
    return {(a["unit"]["code"], a["period"]): a["value"] for a in answers(client, **variables)}


MONTH = {"periodType": "MONTH", "from": "2024-01", "to": "2024-02"}
YEAR = {"periodType": "YEAR", "from": "2024", "to": "2024"}


def test_a_units_own_figure_stands_over_its_parts(
    hub: Hub, client: TestClient, tmp_path: Path
) -> None:
    # A yearbook's province row beside its districts' rows: 100 = 60 + 40, not 200. In
    # February the province published nothing: its districts answer for it.
    iochub_import(
        hub,
        tmp_path,
        "metric,unit,period,value\n"
        "inpatient_days,90,2024-01,100\n"
        "inpatient_days,901,2024-01,60\n"
        "inpatient_days,902,2024-01,40\n"
        "inpatient_days,901,2024-02,6\n"
        "inpatient_days,902,2024-02,4\n",
    )
    (january, february) = answers(client, metric="inpatient_days", units=["90"], **MONTH)
    assert (january["value"], february["value"]) == (100, 10)
    assert (january["unitsReporting"], january["unitsExpected"]) == (2, 2)
    districts = values(client, metric="inpatient_days", level="DISTRICT", within="90", **MONTH)
    assert districts == {
        ("901", "2024-01"): 60,
        ("901", "2024-02"): 6,
        ("902", "2024-01"): 40,
        ("902", "2024-02"): 4,
    }
    year = values(client, metric="inpatient_days", units=["90"], **YEAR)
    assert year == {("90", "2024"): 100 + 10}


def test_a_province_row_that_does_not_match_its_districts_is_visible(
    hub: Hub, client: TestClient, tmp_path: Path
) -> None:
    iochub_import(
        hub,
        tmp_path,
        "metric,unit,period,value\n"
        "inpatient_days,90,2024-01,100\n"
        "inpatient_days,901,2024-01,60\n"
        "inpatient_days,902,2024-01,30\n"
        "inpatient_days,90,2024-02,10\n"
        "inpatient_days,901,2024-02,6\n"
        "inpatient_days,902,2024-02,4\n",
    )
    query = """{ aggregate(metric: "inpatient_days", units: ["90", "901"], periodType: MONTH,
                 from: "2024-01", to: "2024-02", asOf: "2024-06-01") {
                 unit { code } period value partsValue } }"""
    found = client.post("/graphql", json={"query": query}).json()["data"]["aggregate"]
    shown = {(a["unit"]["code"], a["period"]): (a["value"], a["partsValue"]) for a in found}
    assert shown == {
        ("90", "2024-01"): (100, 90),  # the rule still answers; the districts disagree
        ("90", "2024-02"): (10, None),  # they agree
        ("901", "2024-01"): (60, None),
        ("901", "2024-02"): (6, None),
    }


def test_a_districts_own_figure_stands_over_its_communes_inside_the_province(
    hub: Hub, client: TestClient, tmp_path: Path
) -> None:
    iochub_import(
        hub,
        tmp_path,
        "metric,unit,period,value\n"
        "inpatient_days,901,2024-01,50\n"
        "inpatient_days,90001,2024-01,20\n"
        "inpatient_days,90002,2024-01,30\n"
        "inpatient_days,90004,2024-01,7\n",
    )
    found = values(client, metric="inpatient_days", units=["90", "901", "90001"], **MONTH)
    assert found[("90", "2024-01")] == 57
    assert found[("901", "2024-01")] == 50
    assert found[("90001", "2024-01")] == 20


def test_a_total_stands_over_its_breakdown(hub: Hub, client: TestClient, tmp_path: Path) -> None:
    # SDMX's SEX=_T row is stored without `sex`: beside F and M it is their total.
    iochub_import(
        hub,
        tmp_path,
        "metric,unit,period,value,sex\n"
        "tested,90001,2024-01,924,\n"
        "tested,90001,2024-01,400,F\n"
        "tested,90001,2024-01,524,M\n"
        "tested,90002,2024-01,10,F\n",
    )
    found = values(client, metric="tested", units=["90001", "901"], **MONTH)
    assert (found[("90001", "2024-01")], found[("901", "2024-01")]) == (924, 934)
    by_sex = answers(client, metric="tested", units=["90001"], by=["sex"], **MONTH)
    january = {a["dims"]["sex"]: a["value"] for a in by_sex if a["period"] == "2024-01"}
    assert january == {"F": 400, "M": 524, None: 924}


def test_a_longer_period_stands_only_over_the_span_it_covers(
    hub: Hub, client: TestClient, tmp_path: Path
) -> None:
    quarters = "".join(
        f"inpatient_days,90001,2024-Q{q},{v}\n" for q, v in enumerate([1, 2, 4, 8], 1)
    )
    months = "".join(f"inpatient_days,90002,2024-{m:02d},10\n" for m in range(1, 13))
    iochub_import(
        hub,
        tmp_path,
        "metric,unit,period,value\n"
        + quarters
        + "inpatient_days,90001,2024-H1,5.5\n"
        + months
        + "inpatient_days,90002,2024-Q1,33\n",
    )
    found = values(client, metric="inpatient_days", units=["90001", "90002", "901"], **YEAR)
    assert found[("90001", "2024")] == 5.5 + 4 + 8  # H1 + Q3 + Q4
    assert found[("90002", "2024")] == 33 + 90
    assert found[("901", "2024")] == 17.5 + 123
    quarters_of = values(
        client,
        metric="inpatient_days",
        units=["90002"],
        periodType="QUARTER",
        **{"from": "2024-Q1", "to": "2024-Q2"},
    )
    assert quarters_of == {("90002", "2024-Q1"): 33, ("90002", "2024-Q2"): 30}
    halves = values(
        client,
        metric="inpatient_days",
        units=["90001"],
        periodType="HALF_YEAR",
        **{"from": "2024-H1", "to": "2024-H2"},
    )
    assert halves == {("90001", "2024-H1"): 5.5, ("90001", "2024-H2"): 12}


def test_a_stored_value_is_served_exactly(hub: Hub, client: TestClient, tmp_path: Path) -> None:
    iochub_import(
        hub,
        tmp_path,
        "metric,unit,period,value\n"
        "inpatient_days,90001,2024-01,1370662963204.297\n"
        "class_size,90001,2024-01,45.92036554232804\n",
    )
    found = answers(client, metric="inpatient_days", units=["90001"], **MONTH)
    assert found[0]["value"] == 1370662963204.297
    found = answers(client, metric="class_size", units=["90001"], **MONTH)
    assert found[0]["value"] == 45.92036554232804


def test_computed_figures_are_the_decimals_they_stand_for(
    hub: Hub, client: TestClient, tmp_path: Path
) -> None:
    # In binary, 2.2 + 2.6 is 4.800000000000001; the hub adds the decimals.
    iochub_import(
        hub,
        tmp_path,
        "metric,unit,period,value\n"
        "inpatient_days,90001,2024-01,2.2\n"
        "inpatient_days,90001,2024-02,2.6\n"
        "inpatient_days,90002,2024-01,0.1\n"
        "inpatient_days,90002,2024-02,0.2\n",
    )
    quarter = {"periodType": "QUARTER", "from": "2024-Q1", "to": "2024-Q1"}
    found = values(client, metric="inpatient_days", units=["90001", "90002", "901"], **quarter)
    assert found == {("90001", "2024-Q1"): 4.8, ("90002", "2024-Q1"): 0.3, ("901", "2024-Q1"): 5.1}


def test_a_none_metric_is_read_where_it_was_published(
    hub: Hub, client: TestClient, tmp_path: Path
) -> None:
    # A growth rate, published for the province by quarter: read as it is, never combined.
    iochub_import(
        hub,
        tmp_path,
        "metric,unit,period,value\n"
        "status_code,90,2024-Q1,7.25\n"
        "status_code,90,2024-Q2,6.5\n"
        "status_code,901,2024-Q1,3\n",
    )
    quarters = {"periodType": "QUARTER", "from": "2024-Q1", "to": "2024-Q3"}
    found = answers(client, metric="status_code", units=["90"], **quarters)
    assert [(a["period"], a["value"], a["unitsReporting"]) for a in found] == [
        ("2024-Q1", 7.25, 1),
        ("2024-Q2", 6.5, 1),
        ("2024-Q3", None, 0),
    ]
    found = values(client, metric="status_code", level="DISTRICT", within="90", **quarters)
    assert found[("901", "2024-Q1")] == 3 and found[("902", "2024-Q1")] is None
    for variables, argument in [
        ({"units": ["90"]} | YEAR, "periodType"),  # the quarters' rates would need combining
        ({"level": "COMMUNE", "within": "90"} | quarters, "units"),
    ]:
        body = post(client, metric="status_code", **variables)
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["message"].startswith(f"{argument}: "), error["message"]
        assert "published by DISTRICT, PROVINCE, by QUARTER (GREGORIAN)" in error["message"]


def shown_with_parts(client: TestClient, **variables: Any) -> dict[tuple, tuple]:
    """(unit, period[, sex]) → (value, partsValue)."""
    query = """query($metric: String!, $units: [ID!], $periodType: PeriodType!, $from: String!,
                     $to: String!, $by: [String!]) {
                 aggregate(metric: $metric, units: $units, periodType: $periodType, from: $from,
                           to: $to, by: $by, asOf: "2024-06-01") {
                 unit { code } period dims value partsValue } }"""
    body = client.post("/graphql", json={"query": query, "variables": variables}).json()
    assert "errors" not in body, body
    return {
        (a["unit"]["code"], a["period"], *((a["dims"] or {}).values())): (
            a["value"],
            a["partsValue"],
        )
        for a in body["data"]["aggregate"]
    }


def test_a_total_that_does_not_match_its_breakdown_is_visible(
    hub: Hub, client: TestClient, tmp_path: Path
) -> None:
    iochub_import(
        hub,
        tmp_path,
        "metric,unit,period,value,sex\n"
        "tested,90001,2024-01,924,\n"  # SDMX's _T: 400 + 500 = 900 published beside it
        "tested,90001,2024-01,400,F\n"
        "tested,90001,2024-01,500,M\n"
        "tested,90001,2024-02,900,\n"  # agrees with its breakdown
        "tested,90001,2024-02,450,F\n"
        "tested,90001,2024-02,450,M\n"
        "tested,90002,2024-01,10,F\n",
    )
    found = shown_with_parts(client, metric="tested", units=["90001", "90002"], **MONTH)
    assert found == {
        ("90001", "2024-01"): (924, 900),  # the total stands; its breakdown gives 900
        ("90001", "2024-02"): (900, None),
        ("90002", "2024-01"): (10, None),
        ("90002", "2024-02"): (None, None),
    }
    by_sex = shown_with_parts(client, metric="tested", units=["90001"], by=["sex"], **MONTH)
    assert by_sex[("90001", "2024-01", "F")] == (400, None)  # a breakdown answers for itself
    assert by_sex[("90001", "2024-01", None)] == (924, None)


def test_a_longer_period_that_does_not_match_the_shorter_ones_is_visible(
    hub: Hub, client: TestClient, tmp_path: Path
) -> None:
    quarters = "".join(
        f"inpatient_days,90001,2024-Q{q},{v}\n" for q, v in enumerate([1, 2, 4, 8], 1)
    )
    months = "".join(f"inpatient_days,90002,2024-{m:02d},10\n" for m in range(1, 13))
    iochub_import(
        hub,
        tmp_path,
        "metric,unit,period,value\n"
        + quarters
        + "inpatient_days,90001,2024-H1,5.5\n"  # the half-year published beside Q1 + Q2 = 3
        + months
        + "inpatient_days,90002,2024-Q1,33\n"  # beside its months' 30
        + "inpatient_days,90002,2024-H2,60\n",  # agrees with its months
    )
    units = ["90001", "90002"]
    year = shown_with_parts(client, metric="inpatient_days", units=units, **YEAR)
    assert year == {
        ("90001", "2024"): (5.5 + 4 + 8, 1 + 2 + 4 + 8),  # H1 + Q3 + Q4; the quarters' 15
        ("90002", "2024"): (33 + 30 + 60, 120),  # Q1 + months 4–6 + H2; the months' 120
    }
    halves = {"periodType": "HALF_YEAR", "from": "2024-H1", "to": "2024-H2"}
    found = shown_with_parts(client, metric="inpatient_days", units=units, **halves)
    assert found == {
        ("90001", "2024-H1"): (5.5, 3),
        ("90001", "2024-H2"): (12, None),
        ("90002", "2024-H1"): (63, 60),
        ("90002", "2024-H2"): (60, None),
    }
    quarters_of = {"periodType": "QUARTER", "from": "2024-Q1", "to": "2024-Q2"}
    found = shown_with_parts(client, metric="inpatient_days", units=["90002"], **quarters_of)
    assert found == {("90002", "2024-Q1"): (33, 30), ("90002", "2024-Q2"): (30, None)}
