"""The ``aggregate`` query of API.md, through GraphQL: its answer and its refusals."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from hub.connectors.records import Observation as Record
from hub.core import Hub
from tests.aggregation.conftest import load

AGGREGATE = """
query($metric: String!, $periodType: PeriodType!, $from: String!, $to: String!,
      $level: AdminLevel, $within: ID, $units: [ID!], $calendar: Calendar, $by: [String!],
      $asOf: Date) {
  aggregate(metric: $metric, periodType: $periodType, from: $from, to: $to, level: $level,
            within: $within, units: $units, calendar: $calendar, by: $by, asOf: $asOf) {
    unit { code level }
    period value dims unitsReporting unitsExpected estimated
  }
}
"""
BASE = {"asOf": "2024-06-01"}


def post(client: TestClient, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": AGGREGATE, "variables": BASE | variables})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def loaded(hub: Hub) -> Hub:
    load(
        hub,
        [
            Record("cases", unit, month, value, {"sex": sex, "age": "0-4"})
            for unit, month, sex, value in [
                ("90001", "2024-01", "F", 3),
                ("90001", "2024-02", "M", 4),
                ("90004", "2024-04", "F", 5),
            ]
        ],
    )
    return hub


def test_every_district_by_quarter(loaded: Hub, client: TestClient) -> None:
    body = post(
        client,
        metric="cases",
        periodType="QUARTER",
        **{"from": "2024-Q1", "to": "2024-Q2"},
        level="DISTRICT",
        within="90",
    )
    assert "errors" not in body, body
    assert body["data"]["aggregate"] == [
        value("901", "DISTRICT", "2024-Q1", 7.0, 1, 3),
        value("901", "DISTRICT", "2024-Q2", None, 0, 3),
        value("902", "DISTRICT", "2024-Q1", None, 0, 2),
        value("902", "DISTRICT", "2024-Q2", 5.0, 1, 2),
    ]


def test_kept_apart_by_a_disaggregation(loaded: Hub, client: TestClient) -> None:
    body = post(
        client,
        metric="cases",
        periodType="YEAR",
        **{"from": "2024", "to": "2024"},
        units=["90"],
        by=["sex"],
    )
    found = [(v["dims"], v["value"], v["unitsReporting"]) for v in body["data"]["aggregate"]]
    assert found == [({"sex": "F"}, 8.0, 2), ({"sex": "M"}, 4.0, 1)]


def test_an_indicator(loaded: Hub, client: TestClient) -> None:
    load(
        loaded,
        [Record("positive", "90002", "2024-05", 1), Record("tested", "90002", "2024-05", 4)],
        source="lab",
    )
    body = post(
        client,
        metric="positivity",
        periodType="MONTH",
        **{"from": "2024-05", "to": "2024-05"},
        units=["901"],
    )
    assert body["data"]["aggregate"][0]["value"] == 25.0


def value(
    code: str, level: str, period: str, number: float | None, reporting: int, expected: int
) -> dict[str, Any]:
    return {
        "unit": {"code": code, "level": level},
        "period": period,
        "value": number,
        "dims": None,
        "unitsReporting": reporting,
        "unitsExpected": expected,
        "estimated": False,
    }


MONTHS = {"periodType": "MONTH", "from": "2024-01", "to": "2024-03"}


@pytest.mark.parametrize(
    ("variables", "argument", "says"),
    [
        ({"metric": "casez", "units": ["90"]}, "metric", "did you mean cases"),
        ({"metric": "status_code", "units": ["90"]}, "periodType", "NONE) and it is published"),
        ({"metric": "cases", "units": ["99999"]}, "units", "no administrative unit has the code"),
        ({"metric": "cases", "level": "DISTRICT", "within": "77"}, "within", "'77'"),
        (
            {"metric": "cases", "level": "PROVINCE", "within": "901"},
            "level",
            "(there are: DISTRICT, COMMUNE)",
        ),
        ({"metric": "cases", "units": ["90"], "level": "COMMUNE"}, "units", "not both"),
        ({"metric": "cases", "units": ["90"], "from": "2024-13"}, "from", "no month 13"),
        ({"metric": "cases", "units": ["90"], "to": "2024-Q1"}, "to", "is a QUARTER, not a MONTH"),
        ({"metric": "cases", "units": ["90"], "from": "2024-05"}, "from", "after to (2024-03)"),
        ({"metric": "cases", "units": ["90"], "by": ["district"]}, "by", "it has: age, sex"),
        (
            {
                "metric": "cases",
                "level": "COMMUNE",
                "periodType": "DAY",
                "from": "2024-01-01",
                "to": "2024-12-31",
            },
            "to",
            "limit",
        ),
        (
            {
                "metric": "cases",
                "units": ["90"],
                "periodType": "DAY",
                "from": "2024-01-01",
                "to": "2024-01-02",
            },
            "periodType",
            "collected by MONTH",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_argument_and_what_is_valid(
    loaded: Hub, client: TestClient, variables: dict[str, Any], argument: str, says: str
) -> None:
    body = post(client, **(MONTHS | variables))
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith(f"{argument}: "), error["message"]
    assert says in error["message"]


def test_an_unknown_level_is_refused_by_the_schema(client: TestClient) -> None:
    body = post(client, metric="cases", units=None, level="HAMLET", **MONTHS)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
