"""The ``accidents-csv`` kind: column mapping, times, places, bad rows, mismatched files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from hub.connectors.base import Connector
from hub.connectors.errors import PermanentSourceError
from hub.connectors.records import BadRecord, Checkpoint, Event
from hub.zone import LOCAL_TIME

VIETNAMESE_COLUMNS = {
    "id": "Số hồ sơ",
    "occurred_at": "",
    "date": "Ngày",
    "time": "Giờ",
    "unit": "Mã xã",
    "lat": "Vĩ độ",
    "lon": "Kinh độ",
    "road": "Tuyến",
    "deaths": "Chết",
    "injuries": "Bị thương",
    "vehicles": "Số xe",
    "attributes": {"officer_unit": "Đơn vị thụ lý"},
}
HEADER = "Số hồ sơ;Ngày;Giờ;Mã xã;Vĩ độ;Kinh độ;Tuyến;Chết;Bị thương;Số xe;Đơn vị thụ lý\n"


def write(tmp_path: Path, text: str, encoding: str = "utf-8-sig") -> str:
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


@pytest.fixture
def csv_kind(make_connector: Callable[..., Connector]) -> Callable[..., Connector]:
    def build(location: str, **table: Any) -> Connector:
        table = {
            "columns": VIETNAMESE_COLUMNS,
            "delimiter": ";",
            "time_format": "%d/%m/%Y %H:%M",
            **table,
        }
        return make_connector("accidents-csv", location=location, **table)

    return build


def test_rows_become_accident_events_through_the_column_mapping(
    tmp_path: Path, csv_kind: Callable[..., Connector]
) -> None:
    location = write(
        tmp_path,
        HEADER
        + "A-1;05/03/2026;07:40;23293;14.35;108.01;QL14;2;1;2;PC08\n"
        + "A-2;06/03/2026;18:05;;14.62;107.82;QL14;;3;;\n",
    )

    items = list(csv_kind(location).read({}, full=False))

    first, second, checkpoint = items
    assert isinstance(first, Event) and isinstance(second, Event)
    assert (first.kind, first.source_id, first.unit, first.lat, first.lon) == (
        "traffic.accident",
        "A-1",
        "23293",
        14.35,
        108.01,
    )
    # written without an offset: read as Vietnam time
    assert first.occurred_at == datetime(2026, 3, 5, 7, 40, tzinfo=LOCAL_TIME)
    assert first.attributes == {
        "deaths": 2,
        "injuries": 1,
        "vehicles": 2,
        "road": "QL14",
        "officer_unit": "PC08",
    }
    assert (first.severity, first.title) == (3, "Accident on QL14: 2 dead, 1 injured")
    assert second.unit is None  # the hub places it by its point
    assert second.attributes == {"deaths": 0, "injuries": 3, "road": "QL14"}
    assert second.severity == 2
    assert isinstance(checkpoint, Checkpoint) and "sha256" in checkpoint.state


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (";05/03/2026;07:40;23293;;;QL14;0;1;;", "accident: no id"),
        ("A-3;;07:40;23293;;;QL14;0;1;;", "accident: no time"),
        ("A-4;31/02/2026;07:40;23293;;;QL14;0;1;;", "is not in the format"),
        ("A-5;05/03/2026;07:40;;;;QL14;0;1;;", "no place"),
        ("A-6;05/03/2026;07:40;23293;;;QL14;không rõ;1;;", "deaths 'không rõ' is not a number"),
        ("A-7;05/03/2026;07:40;;14.3;;QL14;0;1;;", "both latitude and longitude"),
    ],
)
def test_a_row_that_makes_no_accident_is_a_bad_record_with_its_line(
    tmp_path: Path, csv_kind: Callable[..., Connector], row: str, reason: str
) -> None:
    location = write(tmp_path, HEADER + "A-0;05/03/2026;07:40;23293;;;QL14;0;1;;\n" + row + "\n")

    items = list(csv_kind(location).read({}, full=False))

    assert isinstance(items[0], Event)
    bad = items[1]
    assert isinstance(bad, BadRecord)
    assert reason in bad.reason
    assert bad.place == "line 3"
    assert bad.payload["Tuyến"] == "QL14"  # the raw row, by its own headers


def test_a_file_without_a_mapped_column_fails_naming_it(
    tmp_path: Path, csv_kind: Callable[..., Connector]
) -> None:
    location = write(tmp_path, "Số hồ sơ;Ngày;Giờ;Mã xã;Chết\nA-1;05/03/2026;07:40;23293;1\n")

    with pytest.raises(PermanentSourceError, match=r"'Bị thương'.*'Tuyến'"):
        list(csv_kind(location).read({}, full=False))


def test_columns_left_at_their_default_names_may_be_missing(
    tmp_path: Path, make_connector: Callable[..., Connector]
) -> None:
    location = write(
        tmp_path,
        "id,occurred_at,commune,deaths,injuries\nX-1,2026-03-05T07:40:00+07:00,23293,1,0\n",
    )

    items = list(make_connector("accidents-csv", location=location).read({}, full=False))

    assert isinstance(items[0], Event) and items[0].attributes == {"deaths": 1, "injuries": 0}


def test_a_file_in_another_encoding_fails_saying_which_to_set(
    tmp_path: Path, csv_kind: Callable[..., Connector]
) -> None:
    location = write(tmp_path, HEADER + "A-1;05/03/2026;07:40;23293;;;Đường;0;1;;\n", "utf-16")

    with pytest.raises(PermanentSourceError, match="set encoding"):
        list(csv_kind(location).read({}, full=False))


def test_an_unchanged_file_is_skipped_and_full_reads_it_again(
    tmp_path: Path, csv_kind: Callable[..., Connector]
) -> None:
    connector = csv_kind(write(tmp_path, HEADER + "A-1;05/03/2026;07:40;23293;;;QL14;0;1;;\n"))
    first = list(connector.read({}, full=False))
    state = first[-1].state

    assert [type(item) for item in connector.read(state, full=False)] == [Checkpoint]
    assert [type(item) for item in connector.read(state, full=True)] == [Event, Checkpoint]


def test_check_says_what_the_export_holds(
    tmp_path: Path, csv_kind: Callable[..., Connector]
) -> None:
    location = write(
        tmp_path,
        HEADER + "A-1;05/03/2026;07:40;23293;;;QL14;0;1;;\nA-2;05/03/2026;07:40;;;;QL14;0;1;;\n",
    )

    message = csv_kind(location).check()

    assert message.startswith("a CSV export of 2 rows")
    assert "1 events, 1 would be quarantined (first: accident: no place" in message


def test_a_missing_file_is_a_permanent_error(
    tmp_path: Path, csv_kind: Callable[..., Connector]
) -> None:
    with pytest.raises(PermanentSourceError, match="no such file"):
        list(csv_kind(str(tmp_path / "nowhere.csv")).read({}, full=False))
