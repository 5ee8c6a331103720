"""Formulas: computed by the engine, checked against values worked out here by hand."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from hub.reports.cells import CellError, display
from hub.reports.engine import compile_formula, from_engine, to_engine
from hub.reports.errors import TemplateError
from hub.reports.sheet import OtherPeriods, compute
from hub.reports.template import CellKind, template_from_dict
from tests.reports.conftest import FORM


def form(**cells: Any) -> dict[str, Any]:
    """A one-column form over rows 5–9 whose row cells are given by address."""
    rows: dict[int, dict[str, Any]] = {n: {} for n in range(5, 10)}
    for where, spec in cells.items():
        rows[int(where[1:])][where[0]] = spec
    return {
        "code": "F",
        "name": "F",
        "deadlines": {"COMMUNE": 1, "DISTRICT": 1, "PROVINCE": 1},
        "layout": {"header_row": 4},
        "columns": [{"column": "D", "label": "a"}, {"column": "E", "label": "b"}],
        "rows": [{"row": n, "label": f"r{n}", "cells": c} for n, c in rows.items() if c],
    }


def values(
    definition: dict[str, Any], known: dict[str, Any], other: OtherPeriods | None = None
) -> dict[str, Any]:
    template = template_from_dict(definition)
    return compute(template, known, other or OtherPeriods()).values


def test_arithmetic_percent_and_functions_match_hand_computed_values() -> None:
    definition = form(
        D5="ROLLUP",
        D6="ROLLUP",
        D7="ROLLUP",
        D8="=ROUND((D5+D6)*D7/3,2)+50%*D5-ABS(D6-D7)",
        D9="=IF(SUM(D5:D7)>100,MAX(D5:D7)-MIN(D5:D7),AVERAGE(D5:D7))",
        E5="=IFERROR(D5/D6,-1)",
        E6="=D6%",
        E7="=SUM(D5:D7,E5)",
        E8="=AVERAGE(D5:D7)",
    )
    a, b, c = 12.5, 0.0, 7.0
    got = values(definition, {"D5": a, "D6": b, "D7": c})
    assert got["D8"] == pytest.approx(round((a + b) * c / 3, 2) + 0.5 * a - abs(b - c))
    assert got["D9"] == pytest.approx((a + b + c) / 3)  # the sum is not above 100
    assert got["E5"] == -1.0  # 12.5 / 0 is #DIV/0!, caught by IFERROR
    assert got["E6"] == 0.0
    assert got["E7"] == pytest.approx(a + b + c - 1)
    assert got["E8"] == pytest.approx((a + b + c) / 3)


def test_blank_cells_are_left_out_of_averages_and_count_zero_in_arithmetic() -> None:
    definition = form(
        D5="ROLLUP", D6="ROLLUP", D7="ROLLUP", D8="=AVERAGE(D5:D7)", D9="=D5+D6", E5="=D6"
    )
    got = values(definition, {"D5": 4.0, "D7": 8.0})
    assert got["D8"] == 6.0  # (4 + 8) / 2: the blank D6 does not count
    assert got["D9"] == 4.0
    assert got["E5"] == 0.0  # =D6 of a blank D6 shows 0, as in Excel


def test_division_by_zero_is_an_error_in_its_cell_and_spreads_like_excel() -> None:
    definition = form(
        D5="ROLLUP", D6="ROLLUP", D7="=D5/D6", D8="=D7+1", D9="=IFERROR(D7,0)", E5="=ISERROR(D7)"
    )
    got = values(definition, {"D5": 1.0, "D6": 0.0})
    assert got["D7"] == CellError("#DIV/0!")
    assert got["D8"] == CellError("#DIV/0!")
    assert got["D9"] == 0.0
    assert got["E5"] == 1.0


def test_text_results_and_text_arithmetic() -> None:
    definition = form(D5="ROLLUP", D6='=IF(D5>0,"có","")', D7="=D6+1")
    got = values(definition, {"D5": 3.0})
    assert got["D6"] == "có"
    assert got["D7"] == CellError("#VALUE!")


def test_other_periods_and_year_to_date() -> None:
    definition = form(
        D5="ROLLUP",
        E5="=PREV(D5)",
        D6="=LASTYEAR(D5)",
        D7="=YTD(D5)",
        D8='=IFERROR(D5/PREV(D5)*100-100,"")',
        D9="=SUM(PREV(D5:D6))",
    )
    other = OtherPeriods(
        previous={"D5": 8.0, "D6": 2.0},
        last_year={"D5": 5.0},
        earlier_this_year=[{"D5": 3.0}, {"D5": None}, {"D5": 8.0}],
    )
    got = values(definition, {"D5": 10.0}, other)
    assert got["E5"] == 8.0
    assert got["D6"] == 5.0
    assert got["D7"] == 3.0 + 8.0 + 10.0
    assert got["D8"] == pytest.approx(10.0 / 8.0 * 100 - 100)
    assert got["D9"] == 10.0


def test_the_test_form_computes_every_column() -> None:
    template = template_from_dict(FORM)
    other = OtherPeriods(
        previous={"D6": 40.0, "D9": 50.0}, earlier_this_year=[{"D6": 20.0, "D7": 1.0}]
    )
    got = compute(template, {"D6": 50.0, "D7": 4.0, "D8": 12.0}, other)
    assert got.values["D9"] == 54.0
    assert got.values["E6"] == 40.0 and got.values["F6"] == pytest.approx(125.0)
    assert got.values["F7"] == ""  # 4 / blank is #DIV/0!, IFERROR gives ""
    assert got.values["G6"] == 70.0 and got.values["G7"] == 5.0
    assert got.values["G8"] == 12.0  # a stock's year to date is its value now
    assert got.values["G9"] == 54.0  # YTD(D9): nothing stored for D9 earlier in the year
    assert got.values["D10"] == pytest.approx(50 / 4 * 100)
    assert template.cells["D11"].kind is CellKind.INPUT


def test_the_period_functions_become_sheet_references_and_back() -> None:
    text = '=IFERROR(D5/PREV(D5)*100,"PREV(D5)")+SUM(lastyear( $D$5:D6 ))+YTD(D7)'
    engine = to_engine(text)
    assert engine == '=IFERROR(D5/PREV!D5*100,"PREV(D5)")+SUM(LASTYEAR!$D$5:D6)+YTD!D7'
    assert from_engine(engine) == (
        '=IFERROR(D5/PREV(D5)*100,"PREV(D5)")+SUM(LASTYEAR($D$5:D6))+YTD(D7)'
    )
    assert from_engine("='PREV'!D5") == "=PREV(D5)"


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"D5": "ROLLUP", "D6": "=D7+1", "D7": "=D6*2"}, "D6: circular reference D6 → D7 → D6"),
        ({"D5": "=D5"}, "D5: circular reference D5 → D5"),
        ({"D5": "ROLLUP", "D6": "=YTD(D7)", "D7": "=D6"}, "circular reference"),
        ({"D5": "ROLLUP", "D6": "=D5+Z99"}, "D6: Z99 refers to Z99, which is not a value cell"),
        ({"D5": "ROLLUP", "D6": "=SUM(C5:D5)"}, "D6: C5:D5 reaches outside the form's value"),
        ({"D5": "ROLLUP", "D6": "=SUM(D1:D5)"}, "D6: D1:D5 reaches outside"),
        ({"D5": "ROLLUP", "D6": "=Sheet2!A1"}, "D6: SHEET2!A1 refers to another sheet"),
        ({"D5": "ROLLUP", "D6": "=FOO(D5)"}, "D6: unknown function FOO"),
        ({"D5": "ROLLUP", "D6": "=NOW()+D5"}, "D6: NOW is not allowed"),
        ({"D5": "ROLLUP", "D6": "=D5+"}, "D6: not a valid formula: =D5+"),
        ({"D5": "ROLLUP", "D6": "=PREV(D5+1)"}, "D6: PREV takes one cell reference"),
        ({"D5": "ROLLUP", "D6": "=SUM(YTD(D5:D5))+YTD(D5:E5)"}, "D6: YTD(D5:E5): YTD takes one"),
        ({"D5": "=FOO", "D6": "ROLLUP"}, "D5: FOO is not a cell of the form"),
        ({"D5": "METRIC:", "D6": "ROLLUP"}, "D5: a METRIC cell needs the metric's code"),
        ({"D5": "SOMETHING"}, "D5: 'SOMETHING' is not a cell kind"),
    ],
)
def test_bad_formulas_are_rejected_with_the_cell_and_the_reason(
    cells: dict[str, str], expected: str
) -> None:
    with pytest.raises(TemplateError) as raised:
        template_from_dict(form(**cells))
    assert any(expected in problem for problem in raised.value.problems), raised.value.problems


def test_year_to_date_only_of_rows_that_sum() -> None:
    definition = copy.deepcopy(FORM)
    definition["rows"][3]["cells"] = {}  # the stock row gets the column's =YTD(D8) back
    with pytest.raises(
        TemplateError,
        match=r"G8: YTD\(D8\): year to date sums a row over the "
        r"periods, but row 8 aggregates as LAST",
    ):
        template_from_dict(definition)


def test_deadlines_must_be_at_least_one_working_day_after_the_cut_off() -> None:
    definition = copy.deepcopy(FORM)
    definition["deadlines"] = {"COMMUNE": 0, "DISTRICT": 2}
    with pytest.raises(TemplateError) as raised:
        template_from_dict(definition)
    assert raised.value.problems == [
        "no deadline for the PROVINCE level",
        "the COMMUNE deadline must be at least 1 working day after the cut-off (it is 0)",
    ]


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(TemplateError) as raised:
        template_from_dict(form(D5="=FOO(1)", D6="=Z1", D7="=1/0"))
    assert len(raised.value.problems) == 2


def test_the_definition_reads_back_unchanged() -> None:
    template = template_from_dict(FORM)
    again = template_from_dict(template.to_dict())
    assert again == template
    assert again.to_dict() == template.to_dict()


def test_compiled_formulas_are_shared() -> None:
    assert compile_formula("=D5+1") is compile_formula("=D5+1")


CONCURRENT_PARSE = """
import threading
from hub.reports.store import shipped_forms
from hub.reports.template import template_from_dict
form, failures = shipped_forms()[0], []
def parse():
    try:
        template_from_dict(form)
    except Exception as exc:
        failures.append(str(exc)[:200])
threads = [threading.Thread(target=parse) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(failures)
"""


def test_requests_parsing_forms_at_once_in_a_fresh_process_all_succeed() -> None:
    # The API resolves fields in threads: a report and a compliance in one request both
    # parse the form. The engine's parser is not thread-safe; the hub serialises it.
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", CONCURRENT_PARSE],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert done.stdout.strip() == "[]", done.stdout


@pytest.mark.parametrize(
    ("known", "shown"),
    [
        ({"D5": 1_234_567.0, "D6": 0.0}, "1234567"),  # a district's total, every digit
        ({"D5": 35_000_000.0, "D6": 0.5}, "35000000.5"),
        ({"D5": 0.1, "D6": 0.2}, "0.3"),  # 0.30000000000000004 in binary
        ({"D5": 1.0, "D6": -3.0}, "-2"),
        ({"D5": 1e15, "D6": 1.0}, "1E+15"),
        ({"D5": 0.00001, "D6": 0.0}, "1E-05"),
    ],
)
def test_a_sum_is_displayed_as_a_spreadsheet_shows_it(known: dict[str, float], shown: str) -> None:
    computed = values(form(D5="INPUT", D6="INPUT", D7="=D5+D6"), known)
    assert display(computed["D7"]) == shown
