"""The values of records as text: machine-written numbers, read by hub.numbers."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from hub.connectors.records import Observation as Record
from hub.connectors.runtime import load_records
from hub.core import Hub
from hub.model import Observation, QuarantinedRecord
from tests.aggregation.conftest import CONFIG, province_hub


def test_text_values_are_read_as_machine_written_numbers(make_hub: Callable[..., Hub]) -> None:
    hub = province_hub(make_hub, CONFIG)
    given = {"90001": "1,234.5", "90002": " 12 ", "90003": "1.5e3", "90004": "", "90005": "12,5x"}
    run = load_records(
        hub, "text", iter(Record("cases", unit, "2024-03", value) for unit, value in given.items())
    )

    assert (run.records_read, run.records_written, run.records_quarantined) == (5, 3, 2)
    with hub.db.session() as session:
        values = sorted(session.scalars(select(Observation.value)))
        reasons = sorted(session.scalars(select(QuarantinedRecord.reason)))
    assert values == [12.0, 1234.5, 1500.0]
    assert reasons == ["value '' is not a number", "value '12,5x' is not a number"]
