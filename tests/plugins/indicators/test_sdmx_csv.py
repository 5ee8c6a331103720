"""The SDMX-CSV reader: versions 1 and 2, delimiters, labels, actions and broken rows."""

from __future__ import annotations

from typing import Any

import pytest
from iochub_plugins.indicators.mapping import Layout, SourceValue
from iochub_plugins.indicators.sdmx_csv import describe_sdmx_csv, read_sdmx_csv

from hub.connectors.records import BadRecord

# The exchange rates of the SDMX-JSON samples, as SDMX-CSV 1.0 writes them.
EXR_V1 = """\
DATAFLOW,FREQ,CURRENCY,CURRENCY_DENOM,EXR_TYPE,EXR_SUFFIX,TIME_PERIOD,OBS_VALUE,OBS_STATUS
ECB:EXR(1.0),D,NZD,EUR,SP00,A,2013-01-18,1.5931,A
ECB:EXR(1.0),D,NZD,EUR,SP00,A,2013-01-21,1.5925,A
ECB:EXR(1.0),D,RUB,EUR,SP00,A,2013-01-18,40.3426,A
ECB:EXR(1.0),D,RUB,EUR,SP00,A,2013-01-21,40.3,A
"""

KONTUM_V2 = """\
STRUCTURE;STRUCTURE_ID;ACTION;FREQ;REF_AREA;INDICATOR;TIME_PERIOD;OBS_VALUE;UNIT_MULT
dataflow;GSO:DF_KTXH(1.0);I;Q;VN-KT;B1GQ;2024-Q1;8600.5;0
dataflow;GSO:DF_KTXH(1.0);R;Q;VN-KT;B1GQ;2024-Q2;9600;0
dataflow;GSO:DF_KTXH(1.0);D;Q;VN-KT;B1GQ;2023-Q4;;
dataflow;GSO:DF_KTXH(1.0);M;A;VN-KT;POP;2024;581500;0
"""


def read(text: str, **options: Any) -> list[Any]:
    return list(read_sdmx_csv(text.encode("utf-8"), **options))


def values(items: list[Any]) -> list[SourceValue]:
    return [item for item in items if isinstance(item, SourceValue)]


def bad(items: list[Any]) -> list[BadRecord]:
    return [item for item in items if isinstance(item, BadRecord)]


def test_version_1_reads_every_row() -> None:
    items = read(EXR_V1)

    assert items[0] == Layout(
        ("FREQ", "CURRENCY", "CURRENCY_DENOM", "EXR_TYPE", "EXR_SUFFIX"), "the file"
    )
    rates = {(v.key["CURRENCY"], v.period): v.value for v in values(items)}
    assert rates == {
        ("NZD", "2013-01-18"): "1.5931",
        ("NZD", "2013-01-21"): "1.5925",
        ("RUB", "2013-01-18"): "40.3426",
        ("RUB", "2013-01-21"): "40.3",
    }
    first = values(items)[0]
    assert first.place == "line 2"
    assert first.source_id == "D.NZD.EUR.SP00.A@2013-01-18"
    assert bad(items) == []


def test_version_2_with_semicolons_and_actions() -> None:
    read_values = values(read(KONTUM_V2))

    assert [(v.key["INDICATOR"], v.period, v.value, v.delete) for v in read_values] == [
        ("B1GQ", "2024-Q1", "8600.5", False),
        ("B1GQ", "2024-Q2", "9600", False),
        ("B1GQ", "2023-Q4", "", True),
        ("POP", "2024", "581500", False),
    ]
    assert read_values[0].key == {"FREQ": "Q", "REF_AREA": "VN-KT", "INDICATOR": "B1GQ"}


def test_tab_delimited_with_labels_and_a_byte_order_mark() -> None:
    text = (
        "\ufeffDATAFLOW\tFREQ: Frequency\tREF_AREA: Reference area\tTIME_PERIOD: Time\t"
        "OBS_VALUE: Value\n"
        "GSO:CPI(1.0)\tM: Monthly\tVN-KT: Kon Tum\t2024-M03\t114.2\n"
    )

    [value] = values(read(text))

    assert value.key == {"FREQ": "M", "REF_AREA": "VN-KT"}
    assert value.period == "2024-03"
    assert value.value == "114.2"


def test_a_quoted_field_over_two_lines_keeps_the_line_numbers_right() -> None:
    text = (
        "DATAFLOW,REF_AREA,TIME_PERIOD,OBS_VALUE,COMMENT\n"
        'X,62,2024,1,"two\nlines"\n'
        "X,62,2025,oops,\n"
        "X,62,2026-T1,3,\n"
    )

    items = read(text)

    assert [v.place for v in values(items)] == ["line 2", "line 4"]
    assert [p.place for p in bad(items)] == ["line 5"]


def test_explicit_dimensions_for_a_file_ordered_otherwise() -> None:
    text = "DATAFLOW,OBS_VALUE,TIME_PERIOD,REF_AREA,INDICATOR\nX,7,2024,62,POP\n"

    assert values(read(text))[0].key == {}
    [value] = values(read(text, dimensions=["REF_AREA", "INDICATOR"]))
    assert value.key == {"REF_AREA": "62", "INDICATOR": "POP"}


def test_trailing_attributes_may_be_left_out() -> None:
    text = "DATAFLOW,REF_AREA,TIME_PERIOD,OBS_VALUE,OBS_STATUS,COMMENT\nX,62,2024,5\n"

    [value] = values(read(text))
    assert value.value == "5"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("X,62,2024", "line 2: 3 fields, the header has 5"),
        ("X,62,2024,5,A,extra", "line 2: 6 fields, the header has 5"),
        ("X,62,2024-T1,5,A", "line 2: time period '2024-T1' is not a day, week, month"),
    ],
)
def test_rows_that_cannot_be_read(row: str, reason: str) -> None:
    items = read(f"DATAFLOW,REF_AREA,TIME_PERIOD,OBS_VALUE,OBS_STATUS\n{row}\n")

    [problem] = bad(items)
    assert problem.reason.startswith(reason)
    assert problem.place == "line 2"


def test_an_unknown_action() -> None:
    text = "STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,TIME_PERIOD,OBS_VALUE\ndataflow,X,Z,62,2024,1\n"

    [problem] = bad(read(text))
    assert problem.reason == "line 2: unknown ACTION 'Z'"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("FREQ,TIME_PERIOD,OBS_VALUE\nA,2024,1\n", "line 1: not SDMX-CSV: the first column"),
        ("DATAFLOW,REF_AREA,OBS_VALUE\nX,62,1\n", "line 1: no TIME_PERIOD column"),
        ("DATAFLOW,REF_AREA,TIME_PERIOD\nX,62,2024\n", "line 1: no OBS_VALUE column"),
        ("", "line 1: not SDMX-CSV"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_bad_record(text: str, reason: str) -> None:
    items = read(text)

    assert len(items) == 1
    assert items[0].reason.startswith(reason)


def test_a_file_that_is_not_utf8() -> None:
    [problem] = list(read_sdmx_csv("DATAFLOW,TIME_PERIOD,OBS_VALUE\nĐ,2024,1\n".encode("cp1258")))
    assert problem.reason.startswith("line 1: not UTF-8 text")


def test_describe() -> None:
    assert describe_sdmx_csv(EXR_V1.encode()) == (
        "SDMX-CSV 1 file with 4 observation rows of ECB:EXR(1.0); "
        "dimensions FREQ, CURRENCY, CURRENCY_DENOM, EXR_TYPE, EXR_SUFFIX"
    )
    assert describe_sdmx_csv(KONTUM_V2.encode()).startswith(
        "SDMX-CSV 2 file with 4 observation rows of GSO:DF_KTXH(1.0)"
    )
    with pytest.raises(ValueError, match="no OBS_VALUE column"):
        describe_sdmx_csv(b"DATAFLOW,TIME_PERIOD\nX,2024\n")


def test_unit_mult_says_the_power_of_ten_of_each_row() -> None:
    text = (
        "DATAFLOW,REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE,UNIT_MULT\n"
        "GSO:KTXH(1.0),608,GRDP,2024,3412345.6,6\n"
        "GSO:KTXH(1.0),610,GRDP,2024,3412.3456,9\n"
        "GSO:KTXH(1.0),611,GRDP,2024,5,\n"
        "GSO:KTXH(1.0),612,GRDP,2024,5,millions\n"
    )
    *read_values, bad = read(text)

    assert [(v.key["REF_AREA"], v.unit_mult) for v in read_values[1:]] == [
        ("608", 6),
        ("610", 9),
        ("611", 0),
    ]
    assert bad.reason == "line 5: UNIT_MULT 'millions' is not a power of ten"
