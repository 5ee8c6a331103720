"""The SDMX-JSON reader, on every sample of tests/data/sdmx-json and on broken messages.

Expected values are read from the samples by :func:`walk`, a second, plain walk over the JSON
that builds each observation's key from the listed dimensions, independently of the reader.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from iochub_plugins.indicators.mapping import Layout, SourceValue
from iochub_plugins.indicators.sdmx_json import describe_sdmx_json, read_sdmx_json

from hub.connectors.records import BadRecord
from tests.plugins.indicators.conftest import SDMX_SAMPLES

WELL_FORMED = [
    "agri.json",
    "constructed-sample-full.json",
    "exr-action-delete.json",
    "exr-cross-section.json",
    "exr-flat.json",
    "exr-time-series.json",
]


def load(name: str) -> dict[str, Any]:
    return json.loads((SDMX_SAMPLES / name).read_text())


def read(message: dict[str, Any] | bytes, **options: Any) -> list[Any]:
    content = message if isinstance(message, bytes) else json.dumps(message).encode()
    return list(read_sdmx_json(content, **options))


def values(items: list[Any]) -> list[SourceValue]:
    return [item for item in items if isinstance(item, SourceValue)]


def bad(items: list[Any]) -> list[BadRecord]:
    return [item for item in items if isinstance(item, BadRecord)]


def walk(message: dict[str, Any]) -> list[tuple[dict[str, str], Any, bool]]:
    """Every observation as (full key with TIME_PERIOD, first array element, deleted)."""
    data = message["data"]
    found = []
    for data_set in data["dataSets"]:
        dims = data["structures"][data_set["structure"]]["dimensions"]
        fixed = {d["id"]: d["values"][0]["id"] for d in dims["dataSet"]}
        deleted = data_set.get("action") == "Delete"

        def ids(listed: list[dict[str, Any]], key: str) -> dict[str, str]:
            indexes = key.split(":") if key else []
            pairs = zip(listed, indexes, strict=True)
            return {d["id"]: d["values"][int(i)]["id"] for d, i in pairs}

        for series_key, series in data_set.get("series", {}).items():
            for obs_key, obs in series.get("observations", {}).items():
                key = {
                    **fixed,
                    **ids(dims["series"], series_key),
                    **ids(dims["observation"], obs_key),
                }
                found.append((key, obs[0] if obs else None, deleted))
        for obs_key, obs in data_set.get("observations", {}).items():
            key = {**fixed, **ids(dims["series"] + dims["observation"], obs_key)}
            found.append((key, obs[0] if obs else None, deleted))
    return found


def as_walked(item: SourceValue) -> tuple[dict[str, str], Any, bool]:
    # The samples' periods are already canonical ids, so the period is the TIME_PERIOD id.
    return ({**item.key, "TIME_PERIOD": item.period}, item.value, item.delete)


@pytest.mark.parametrize("name", WELL_FORMED)
def test_every_observation_of_the_samples_is_read(name: str) -> None:
    message = load(name)

    read_values = values(read(message))

    expected = walk(message)
    assert len(read_values) == len(expected) > 0
    assert [as_walked(v) for v in read_values] == expected


def rates(name: str, data_set: int = 0) -> dict[tuple[str, str], Any]:
    """(currency, day) → value of one data set of an exchange-rate sample."""
    items = read(load(name))
    starts = [i for i, item in enumerate(items) if isinstance(item, Layout)] + [len(items)]
    chunk = items[starts[data_set] : starts[data_set + 1]]
    return {(v.key["CURRENCY"], v.period): v.value for v in values(chunk)}


def test_the_three_layouts_hold_the_same_exchange_rates() -> None:
    expected = {
        ("NZD", "2013-01-18"): 1.5931,
        ("NZD", "2013-01-21"): 1.5925,
        ("RUB", "2013-01-18"): 40.3426,
        ("RUB", "2013-01-21"): 40.3,
    }
    assert rates("exr-time-series.json") == expected
    assert rates("exr-cross-section.json") == expected
    assert rates("exr-flat.json") == expected


def test_dataset_level_dimensions_are_part_of_every_key() -> None:
    first = values(read(load("exr-time-series.json")))[0]

    assert first.key == {
        "FREQ": "D",
        "CURRENCY_DENOM": "EUR",
        "EXR_TYPE": "SP00",
        "EXR_SUFFIX": "A",
        "CURRENCY": "NZD",
    }
    assert first.source_id == "D.NZD.EUR.SP00.A@2013-01-18"  # ordered by keyPosition
    assert first.place == "data set 0, series '0' (D.NZD.EUR.SP00.A), observation '0'"


def test_the_agriculture_sample_reads_twelve_yearly_values() -> None:
    read_values = values(read(load("agri.json")))

    assert len(read_values) == 12
    assert {v.key["REF_AREA"] for v in read_values} == {"ASIKHM001", "ASIKHM002", "ASIKHM"}
    assert {v.period for v in read_values} == {"2014", "2015", "2016", "2017"}
    by_key = {(v.key["REF_AREA"], v.period): v.value for v in read_values}
    assert by_key["ASIKHM", "2017"] == 5541.424
    assert by_key["ASIKHM001", "2014"] == 350.154


def test_the_constructed_sample_reads_every_detail_level() -> None:
    items = read(load("constructed-sample-full.json"))

    assert sum(isinstance(item, Layout) for item in items) == 5
    assert rates("constructed-sample-full.json", 0) == rates("exr-time-series.json")
    assert rates("constructed-sample-full.json", 1) == rates("exr-time-series.json")
    assert set(rates("constructed-sample-full.json", 2).values()) == {None}  # series keys only
    assert rates("constructed-sample-full.json", 3) == rates("exr-time-series.json")
    # "nodata": the arrays start with an attribute, which the mapping will find is no number
    assert set(rates("constructed-sample-full.json", 4).values()) == {
        "2013-03-18T11:00:00",
        "2013-03-21T11:00:00",
    }


def test_the_errors_a_message_reports_are_quarantined() -> None:
    problems = bad(read(load("constructed-sample-full.json")))

    assert len(problems) == 1
    assert problems[0].reason == (
        "message: the sender reports errors: 400 Invalid number of dimensions in parameter key"
    )


def test_a_delete_message_marks_the_observations_it_lists() -> None:
    read_values = values(read(load("exr-action-delete.json")))

    replaced = [(v.key["CURRENCY"], v.period, v.value) for v in read_values if not v.delete]
    deleted = [(v.key["CURRENCY"], v.period) for v in read_values if v.delete]
    assert replaced == [("RUB", "2013-01-18", 40.3426), ("RUB", "2013-01-21", 40.3)]
    assert deleted == [("NZD", "2013-01-18")]


def test_a_delete_of_a_whole_series_is_quarantined() -> None:
    message = load("exr-action-delete.json")
    message["data"]["dataSets"][1]["series"] = {"1": {}}

    problems = bad(read(message))

    assert [p.reason for p in problems] == [
        "data set 1, series '1' (D..EUR.SP00.A): deleting a whole series is not supported; "
        "list the observations to delete"
    ]


def test_the_generated_sample_gives_bad_records_never_an_exception() -> None:
    message = load("generated-sample.json")

    items = read(message)
    assert values(items) == []
    assert [p.place for p in bad(items)] == ["message", "data set 0", "data set 1"]
    assert "no time dimension TIME_PERIOD" in bad(items)[1].reason

    # with one of its dimensions taken as time, its random indexes are out of range
    for time_dimension in ("wp", "M", "o", "B", "oE", "Y7"):
        items = read(message, time_dimension=time_dimension)
        assert all(isinstance(i, Layout | BadRecord | SourceValue) for i in items)


def test_describe_counts_data_sets_series_and_observations() -> None:
    content = (SDMX_SAMPLES / "exr-time-series.json").read_bytes()
    assert describe_sdmx_json(content) == (
        "SDMX-JSON data message with 1 data set, 2 series, 4 observations"
    )
    content = (SDMX_SAMPLES / "agri.json").read_bytes()
    assert describe_sdmx_json(content) == (
        "SDMX-JSON data message with 1 data set, 0 series, 12 observations"
    )


def test_the_1_0_layout_is_read_too() -> None:
    message = load("exr-time-series.json")
    data_set = {k: v for k, v in message["data"]["dataSets"][0].items() if k != "structure"}
    old = {
        "header": {"id": "IT1001"},
        "structure": message["data"]["structures"][0],
        "dataSets": [data_set],
    }

    assert [as_walked(v) for v in values(read(old))] == walk(message)


def test_the_configured_measure_is_read_from_several() -> None:
    message = load("exr-time-series.json")
    structure = message["data"]["structures"][0]
    structure["measures"] = {"observation": [{"id": "OBS_VALUE"}, {"id": "OBS_COUNT"}]}
    message["data"]["dataSets"][0]["series"]["0"]["observations"] = {"0": [1.5931, 12]}

    assert values(read(message))[0].value == 1.5931
    assert values(read(message, measure="OBS_COUNT"))[0].value == 12
    assert bad(read(message, measure="OBS_NOPE"))[0].reason.startswith(
        "data set 0: no measure OBS_NOPE"
    )


# --- broken messages: each a bad record that names its place -----------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"data": {"dataSets": [', "message: not valid JSON (Expecting value at line 1"),
        (b'{"data": "\xc3\x28"}', "message: not UTF-8 text"),
        (b"[1, 2]", "message: not an SDMX-JSON message (not a JSON object)"),
        (b'{"meta": {}}', "message: no data sets"),
        (
            b'{"errors": [{"code": 404, "title": "No results"}]}',
            "message: no data sets: 404 No results",
        ),
    ],
)
def test_a_message_that_cannot_be_read_is_one_bad_record(content: bytes, reason: str) -> None:
    items = read(content)

    assert len(items) == 1
    assert items[0].reason.startswith(reason)
    assert items[0].place == "message"


def broken(change: Any) -> list[Any]:
    message = copy.deepcopy(load("exr-time-series.json"))
    change(message["data"])
    return read(message)


def test_a_missing_structure() -> None:
    def change(data: dict[str, Any]) -> None:
        data["dataSets"][0]["structure"] = 3

    [problem] = bad(broken(change))
    assert problem.reason == "data set 0: structure 3 is not in the message (1 structures)"


def test_a_structure_without_dimensions() -> None:
    def change(data: dict[str, Any]) -> None:
        del data["structures"][0]["dimensions"]

    [problem] = bad(broken(change))
    assert problem.reason == "data set 0: the structure has no dimensions"


def test_a_series_index_out_of_range() -> None:
    def change(data: dict[str, Any]) -> None:
        data["dataSets"][0]["series"]["5"] = {"observations": {"0": [1.0]}}

    items = broken(change)
    [problem] = bad(items)
    assert problem.reason == (
        "data set 0, series '5': index 5 is out of range for dimension CURRENCY (2 values)"
    )
    assert len(values(items)) == 4  # the other series are read


def test_a_series_key_with_too_many_positions() -> None:
    def change(data: dict[str, Any]) -> None:
        data["dataSets"][0]["series"]["0:1"] = {"observations": {"0": [1.0]}}

    [problem] = bad(broken(change))
    assert problem.reason == (
        "data set 0, series '0:1': key '0:1' has 2 positions, the structure has 1 dimensions "
        "at this level (CURRENCY)"
    )


def test_an_observation_index_out_of_range() -> None:
    def change(data: dict[str, Any]) -> None:
        data["dataSets"][0]["series"]["0"]["observations"]["9"] = [1.6]

    [problem] = bad(broken(change))
    assert problem.reason == (
        "data set 0, series '0' (D.NZD.EUR.SP00.A), observation '9': index 9 is out of range "
        "for dimension TIME_PERIOD (2 values)"
    )
    assert problem.payload == {"observation": [1.6]}


def test_an_observation_that_is_not_an_array() -> None:
    def change(data: dict[str, Any]) -> None:
        data["dataSets"][0]["series"]["1"]["observations"]["0"] = {"value": 40.3}

    [problem] = bad(broken(change))
    assert problem.reason.endswith("observation '0': the observation is not an array")


def test_a_period_with_no_canonical_id() -> None:
    def change(data: dict[str, Any]) -> None:
        data["structures"][0]["dimensions"]["observation"][0]["values"][1]["id"] = "2013-T1"

    items = broken(change)
    problems = bad(items)
    assert len(problems) == 2  # one per series
    assert problems[0].reason == (
        "data set 0, series '0' (D.NZD.EUR.SP00.A), observation '1': time period '2013-T1' "
        "is not a day, week, month, quarter, half-year or year"
    )
    assert len(values(items)) == 2


def test_a_flat_key_names_the_observation_and_its_series_key() -> None:
    def change(data: dict[str, Any]) -> None:
        data["dataSets"][0]["observations"] = {"1:1": [40.3], "1": [1.0]}
        del data["dataSets"][0]["series"]

    items = broken(change)
    assert values(items)[0].place == "data set 0, observation '1:1' (D.RUB.EUR.SP00.A)"
    assert bad(items)[0].reason.startswith("data set 0, observation '1': key '1' has 1 positions")
