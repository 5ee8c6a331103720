"""The plugin's connectors through the hub's runtime (``iochub sync``), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from iochub_plugins.indicators import plugin
from litestar.testing import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import AdminLevel, AdminUnit, Metric, QuarantinedRecord, RunStatus
from hub.model import Observation as ObservationRow
from hub.testing.acceptance import assert_accounted
from tests.plugins.indicators.conftest import SDMX_SAMPLES
from tests.support.http_server import Reply, ScriptedServer

DISTRICTS = ["608", *(str(code) for code in range(610, 619))]
EXCHANGE_RATE_METRIC = {
    "name": "Exchange rate",
    "sector": "economy",
    "aggregation": "LAST_AVERAGE_UNITS",
    "disaggregations": ["currency"],
}


def add_kon_tum(hub: Hub) -> None:
    """Kon Tum province and its 10 districts, as they were until 30 June 2025."""
    with hub.db.session() as session:
        province = AdminUnit(
            identity="62@",
            code="62",
            name="Tỉnh Kon Tum",
            level=AdminLevel.PROVINCE,
            valid_to=date(2025, 6, 30),
        )
        session.add(province)
        session.flush()
        for code in DISTRICTS:
            session.add(
                AdminUnit(
                    identity=f"{code}@",
                    code=code,
                    name=f"Huyện {code}",
                    level=AdminLevel.DISTRICT,
                    parent_id=province.id,
                    valid_to=date(2025, 6, 30),
                )
            )


def demo_tables() -> dict[str, dict[str, Any]]:
    return {
        t["id"]: {k: v for k, v in t.items() if k != "id"}
        for t in plugin.PLUGIN.register_demo_connectors()
    }


def count(hub: Hub, model: type, *where: Any) -> int:
    with hub.db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def demo_hub(make_hub: Callable[..., Hub]) -> Hub:
    hub = make_hub({"connectors": demo_tables()})
    add_kon_tum(hub)
    return hub


def test_the_demo_workbook_syncs_then_is_skipped_until_it_changes(demo_hub: Hub) -> None:
    first = run_sync(demo_hub, "indicators-kontum-excel")

    assert (first.status, first.error) == (RunStatus.SUCCEEDED, None)
    assert first.records_written == first.records_read == 1312
    assert_accounted(first)
    assert count(demo_hub, ObservationRow) == 1312

    unchanged = run_sync(demo_hub, "indicators-kontum-excel")
    assert (unchanged.status, unchanged.records_read) == (RunStatus.SUCCEEDED, 0)

    again = run_sync(demo_hub, "indicators-kontum-excel", full=True)
    assert again.records_written == 1312
    assert count(demo_hub, ObservationRow) == 1312  # upserts: nothing doubled


def test_the_demo_cpi_syncs_with_its_commodity_groups(demo_hub: Hub) -> None:
    run = run_sync(demo_hub, "indicators-kontum-cpi")
    assert_accounted(run)

    assert (run.status, run.records_written, run.records_quarantined) == (
        RunStatus.SUCCEEDED,
        72,
        0,
    )
    with demo_hub.db.session() as session:
        keys = set(session.scalars(select(ObservationRow.dims_key)))
    assert keys == {
        "",
        "commodity_group=food_catering",
        "commodity_group=housing_utilities",
        "commodity_group=transport",
    }


def test_an_sdmx_delete_message_retracts_over_http(
    make_hub: Callable[..., Hub], http_server: ScriptedServer
) -> None:
    rates = (SDMX_SAMPLES / "exr-time-series.json").read_bytes()
    deletion = (SDMX_SAMPLES / "exr-action-delete.json").read_bytes()
    http_server.script(
        "/ecb/EXR",
        Reply(200, rates, {"ETag": '"1"'}),
        Reply(200, rates, {"ETag": '"1"'}),
        Reply(200, deletion, {"ETag": '"2"'}),
    )
    hub = make_hub(
        {
            "metrics": {"exchange_rate": EXCHANGE_RATE_METRIC},
            "connectors": {
                "ecb": {
                    "plugin": "indicators",
                    "kind": "sdmx-json",
                    "location": http_server.url("/ecb/EXR"),
                    "metric": "exchange_rate",
                    "unit": "62",
                    "drop_dims": ["FREQ", "CURRENCY_DENOM", "EXR_TYPE", "EXR_SUFFIX"],
                }
            },
        }
    )
    add_kon_tum(hub)

    assert run_sync(hub, "ecb").records_written == 4
    assert run_sync(hub, "ecb").records_read == 0  # 304 Not Modified
    deleted = run_sync(hub, "ecb")

    assert deleted.status == RunStatus.SUCCEEDED
    assert_accounted(deleted)
    with hub.db.session() as session:
        left = session.execute(select(ObservationRow.dims_key, ObservationRow.period)).all()
    assert sorted(left) == [
        ("currency=NZD", "2013-01-21"),
        ("currency=RUB", "2013-01-18"),
        ("currency=RUB", "2013-01-21"),
    ]


def test_bad_values_are_quarantined_with_their_place(
    make_hub: Callable[..., Hub], tmp_path: Any
) -> None:
    path = tmp_path / "ktxh.csv"
    path.write_text(
        "DATAFLOW,REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE\n"
        "GSO:KTXH(1.0),VN-KT,POP,2024,581500\n"
        "GSO:KTXH(1.0),VN-KT,POP,2024-T1,1\n"
        "GSO:KTXH(1.0),VN-KT,XYZ,2024,1\n"
        "GSO:KTXH(1.0),VN-KT,POP,2023,n/a\n"
        "GSO:KTXH(1.0),VN-XX,POP,2023,1\n"
        "GSO:KTXH(1.0),999,POP,2023,1\n",
        encoding="utf-8",
    )
    hub = make_hub(
        {
            "connectors": {
                "csv": {
                    "plugin": "indicators",
                    "kind": "sdmx-csv",
                    "location": str(path),
                    "metric_dimension": "INDICATOR",
                    "metrics": {"POP": "population"},
                    "unit_dimension": "REF_AREA",
                    "units": {"VN-KT": "62"},
                }
            }
        }
    )
    add_kon_tum(hub)

    run = run_sync(hub, "csv")

    assert (run.status, run.records_written, run.records_quarantined) == (RunStatus.PARTIAL, 1, 5)
    assert_accounted(run)
    with hub.db.session() as session:
        quarantined = session.execute(
            select(QuarantinedRecord.place, QuarantinedRecord.reason).order_by(QuarantinedRecord.id)
        ).all()
    assert [place for place, _ in quarantined] == [f"line {n}" for n in range(3, 8)]
    assert quarantined[-1].reason == "unknown unit '999' on 2023-01-01"  # the hub's own check
    assert count(hub, Metric, Metric.code == "population") == 1


def grdp_message(series: list[tuple[str, int, float]]) -> bytes:
    """An SDMX-JSON 2.0 message: one yearly GRDP value per district, each series with its
    own UNIT_MULT (a series attribute)."""
    import json

    areas = [area for area, _, _ in series]
    powers = sorted({str(power) for _, power, _ in series})
    structure = {
        "name": "GRDP",
        "dimensions": {
            "series": [{"id": "REF_AREA", "values": [{"id": area} for area in areas]}],
            "observation": [{"id": "TIME_PERIOD", "values": [{"id": "2024"}]}],
        },
        "attributes": {
            "series": [{"id": "UNIT_MULT", "values": [{"id": power} for power in powers]}],
        },
        "measures": {"observation": [{"id": "OBS_VALUE"}]},
    }
    data_set = {
        "structure": 0,
        "action": "Information",
        "series": {
            f"{number}": {
                "attributes": [powers.index(str(power))],
                "observations": {"0": [value]},
            }
            for number, (_, power, value) in enumerate(series)
        },
    }
    message = {"data": {"structures": [structure], "dataSets": [data_set]}}
    return json.dumps(message).encode()


def test_sdmx_unit_multipliers_are_read_per_series_and_scale_does_the_rest(
    make_hub: Callable[..., Hub], http_server: ScriptedServer
) -> None:
    # 3,412,345.6 millions and 3,412.3456 billions are the same 3.4123456e12 đồng
    content = grdp_message([("608", 6, 3412345.6), ("610", 9, 3412.3456), ("611", 0, 5e11)])
    http_server.script("/gso/GRDP", Reply(200, content))
    table = {
        "plugin": "indicators",
        "kind": "sdmx-json",
        "location": http_server.url("/gso/GRDP"),
        "metric": "grdp",
        "unit_dimension": "REF_AREA",
        "scale": {"grdp": 1e-9},  # the metric's unit (billion đồng), which the source omits
    }
    hub = make_hub({"connectors": {"gso": table}})
    add_kon_tum(hub)

    run = run_sync(hub, "gso")

    assert (run.status, run.records_written) == (RunStatus.SUCCEEDED, 3), run.error
    with hub.db.session() as session:
        stored = dict(
            session.execute(
                select(AdminUnit.code, ObservationRow.value).join(
                    AdminUnit, AdminUnit.id == ObservationRow.unit_id
                )
            ).all()
        )
    assert stored == pytest.approx({"608": 3412.3456, "610": 3412.3456, "611": 500.0}, rel=1e-12)


def docs_example(heading: str) -> str:
    """The first GraphQL example under ``heading`` in docs/aggregation.md, as written."""
    text = (Path(__file__).parents[3] / "docs" / "aggregation.md").read_text(encoding="utf-8")
    section = text.split(f"### {heading}\n", 1)[1]
    return section.split("```graphql\n", 1)[1].split("```", 1)[0]


def quarter_id(label: str) -> str:
    """``Quý III/2024`` → ``2024-Q3``."""
    roman, year = label.removeprefix("Quý ").split("/")
    return f"{year}-Q{['I', 'II', 'III', 'IV'].index(roman) + 1}"


def test_the_docs_example_of_a_published_rate_runs_on_the_demo(demo_hub: Hub) -> None:
    from hub.graphql.app import create_app

    assert run_sync(demo_hub, "indicators-kontum-excel").status == RunStatus.SUCCEEDED
    query = docs_example("Published values (NONE)")
    assert 'metric: "grdp_growth"' in query
    with TestClient(create_app(demo_hub)) as client:
        body = client.post("/graphql", json={"query": query}).json()
    assert "errors" not in body, body
    found = {item["period"]: item["value"] for item in body["data"]["aggregate"]}
    # The rates as the bundled workbook publishes them, read here without the hub.
    sheet = load_workbook(plugin.DEMO_WORKBOOK, read_only=True)["Tăng trưởng GRDP"]
    header, kon_tum = (list(row) for row in sheet.iter_rows(min_row=4, max_row=5, values_only=True))
    assert kon_tum[0] == "62"
    rates = zip(header[2:], kon_tum[2:], strict=True)
    published = {quarter_id(label): value for label, value in rates}
    assert found == {
        period: published[period] for period in ("2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4")
    }
