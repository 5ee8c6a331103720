"""Fixtures of the health plugin's tests: Kon Tum's units, a FHIR server, hubs, readings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hub.core import Hub
from hub.model import AdminUnit, Metric, Observation, QuarantinedRecord
from hub.units import load_units
from tests.plugins.health.fhir_server import FhirTestServer
from tests.plugins.health.generated import CONFIG, Clinic
from tests.units.reference import QUANG_NGAI, write_subset

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "fhir-r4-examples"
TOKEN = "s3cret-token"
Reading = Counter[tuple[str, str, tuple[tuple[str, str], ...]]]
"""Values by (unit code, period, sorted dims)."""


@pytest.fixture(scope="session")
def unit_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The unit lists cut down to Quảng Ngãi and the Kon Tum it took in."""
    return write_subset(tmp_path_factory.mktemp("units"), {QUANG_NGAI})


@pytest.fixture
def health_hub(make_hub: Callable[..., Hub], unit_files: list[Path]) -> Callable[..., Hub]:
    """A hub with these connectors (id → table) and Kon Tum's units loaded."""

    def build(connectors: dict[str, dict[str, Any]], **config: Any) -> Hub:
        hub = make_hub({"connectors": connectors, **config})
        load_units(hub.db, unit_files)
        return hub

    return build


@pytest.fixture
def fhir_server() -> Iterator[FhirTestServer]:
    with FhirTestServer(token=TOKEN) as server:
        yield server


def serve(server: FhirTestServer, clinic: Clinic) -> None:
    """Put every resource of the clinic on the server, with its ``lastUpdated``."""
    for resource in clinic.resources:
        key = f"{resource['resourceType']}/{resource['id']}"
        server.put(resource, clinic.last_updated[key])


def fhir_table(server: FhirTestServer, **options: Any) -> dict[str, Any]:
    """A ``fhir`` connector against the test server, with the generated data's mapping."""
    return {
        "plugin": "health",
        "kind": "fhir",
        "base_url": server.base_url,
        "token": TOKEN,
        "page_size": 7,
        **CONFIG,
        **options,
    }


def observed(hub: Hub, metric: str) -> Reading:
    """The metric's values in the database, keyed as the generated data's expectations."""
    query = (
        select(AdminUnit.code, Observation.period, Observation.dims, Observation.value)
        .join(AdminUnit, AdminUnit.id == Observation.unit_id)
        .join(Metric, Metric.id == Observation.metric_id)
        .where(Metric.code == metric)
    )
    with hub.db.session() as session:
        rows = session.execute(query).all()
    return Counter(
        {
            (code, period, tuple(sorted(dims.items()))): int(value)
            for code, period, dims, value in rows
        }
    )


def quarantined(hub: Hub) -> list[str]:
    with hub.db.session() as session:
        query = select(QuarantinedRecord.reason).order_by(QuarantinedRecord.id)
        return list(session.scalars(query))
