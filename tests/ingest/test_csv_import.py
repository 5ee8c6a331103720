"""Reading the long-format CSV of ``iochub import``: observations, and bad rows kept aside."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.connectors.errors import PermanentSourceError
from hub.connectors.records import BadRecord, Checkpoint, Observation
from hub.ingest import csv_import
from hub.ingest.csv_import import read_long_csv


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8-sig")  # as Excel saves it, with a BOM
    return path


def test_rows_become_observations_with_their_disaggregations(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        " metric ,unit,period,value,sex,age,calendar\n"
        "cases, 608 ,2024-01, 12 ,F,,\n"
        "cases,608,2024-02,3,,A,ND09\n",
    )
    first, second = read_long_csv(path)
    assert first == Observation(
        metric="cases",
        unit="608",
        period="2024-01",
        value=12.0,
        dims={"sex": "F"},
        calendar="GREGORIAN",
        place="data.csv line 2",
    )
    assert (second.dims, second.calendar) == ({"age": "A"}, "ND09")


def test_malformed_rows_are_bad_records_that_say_why_and_where(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "metric,unit,period,value,sex\ncases,608,2024-01,1,F,surplus\n,608,,1\ncases,608,2024-03\n",
    )
    surplus, empty, short = read_long_csv(path)
    assert isinstance(surplus, BadRecord) and isinstance(empty, BadRecord)
    assert surplus.reason == "the row has more cells than the header"
    assert surplus.payload["extra"] == "surplus" and surplus.place == "data.csv line 2"
    assert empty.reason == "empty metric, period"
    assert empty.payload == {"metric": "", "unit": "608", "period": "", "value": "1", "sex": ""}
    # A short row lacks its value: the normaliser rejects the empty value, with the rest.
    assert isinstance(short, Observation) and short.value == "" and short.dims == {}


def test_a_file_without_the_required_columns_is_refused_as_a_whole(tmp_path: Path) -> None:
    with pytest.raises(PermanentSourceError, match="missing column\\(s\\) period, value"):
        list(read_long_csv(write(tmp_path, "metric,unit,when\ncases,608,2024\n")))


def test_a_checkpoint_follows_every_so_many_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_import, "CHECKPOINT_EVERY", 3)
    rows = "".join(f"cases,608,2024-{month:02d},{month}\n" for month in range(1, 7))
    items = list(read_long_csv(write(tmp_path, "metric,unit,period,value\n" + rows)))
    checkpoints = [item.state for item in items if isinstance(item, Checkpoint)]
    assert checkpoints == [{"file": "data.csv", "line": 3}, {"file": "data.csv", "line": 6}]
    assert sum(isinstance(item, Observation) for item in items) == 6


def test_a_csv_saved_with_decimal_commas_is_read_by_semicolons(tmp_path: Path) -> None:
    # As Excel saves "CSV" under Vietnamese regional settings: `;` between cells, `,` decimals.
    path = write(
        tmp_path,
        "metric;unit;period;value;note\n"
        "cases;608;2024-01;12,5;a, b\n"
        "cases;608;2024-02;1.234,75;\n"
        "cases;608;2024-03;7;\n",
    )
    first, second, third = read_long_csv(path)
    assert (first.value, first.dims) == (12.5, {"note": "a, b"})
    assert (second.value, third.value) == (1234.75, 7)


def test_values_are_read_by_the_files_number_convention(tmp_path: Path) -> None:
    semicolons = "metric;unit;period;value\ncases;608;2024-01;178.771\n"
    commas = 'metric,unit,period,value\ncases,608,2024-01,178.771\ncases,608,2024-02,"1,234"\n'
    (vietnamese,) = read_long_csv(write(tmp_path, semicolons))
    english, grouped = read_long_csv(write(tmp_path, commas))
    assert (vietnamese.value, english.value, grouped.value) == (178771, 178.771, 1234)


def test_a_value_that_is_not_a_number_or_is_ambiguous_is_a_bad_record(tmp_path: Path) -> None:
    text = "metric\tunit\tperiod\tvalue\ncases\t608\t2024-01\t1.234\ncases\t608\t2024-02\tn/a\n"
    ambiguous, words = read_long_csv(write(tmp_path, text))
    assert isinstance(ambiguous, BadRecord) and "ambiguous" in ambiguous.reason
    assert isinstance(words, BadRecord) and words.reason == "value 'n/a' is not a number"
    assert words.payload["value"] == "n/a" and words.place == "data.csv line 3"


def test_a_tab_separated_file_is_read_too(tmp_path: Path) -> None:
    (only,) = read_long_csv(
        write(tmp_path, "metric\tunit\tperiod\tvalue\ncases\t608\t2024-01\t3.5\n")
    )
    assert (only.unit, only.value) == ("608", 3.5)
