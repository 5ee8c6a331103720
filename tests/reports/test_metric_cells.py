"""METRIC cells: a metric the connectors collect, for the report's unit and period."""

from __future__ import annotations

import copy

import pytest

from hub.aggregation import AggregateRequest, aggregate
from hub.connectors import records
from hub.connectors.runtime import load_records
from hub.core import Hub
from hub.periods import Calendar, PeriodType
from hub.reports.assemble import ReportView, locate, view
from hub.reports.errors import InputError, TemplateError
from hub.reports.schedule import WorkingDays
from hub.reports.store import save_template
from hub.reports.template import template_from_dict
from tests.reports.conftest import FORM, Corner, Desk, local


def with_metric_row(metric: str) -> dict:
    form = copy.deepcopy(FORM) | {"code": "TEST-M"}
    form["rows"].append(
        {
            "row": 12,
            "code": "7",
            "label": "Khai sinh đã đăng ký",
            "unit": "trẻ",
            "cells": {"D": f"METRIC:{metric}", "E": None, "F": None, "G": None},
        }
    )
    return form


def install(hub: Hub, form: dict) -> None:
    with hub.db.session() as session:
        save_template(session, template_from_dict(form), "test", hub.definitions.metrics)


def test_a_metric_cell_reads_the_units_observations_of_the_period(corner: Corner) -> None:
    hub = corner.hub
    install(hub, with_metric_row("births_registered"))
    load_records(
        hub,
        "civil-registry",
        [
            records.Observation("births_registered", "23281", "2025-03", 5, calendar="ND09"),
            # daily values inside 15 Feb – 14 Mar 2025 add up; one outside does not count
            records.Observation("births_registered", "23284", "2025-02-20", 2),
            records.Observation("births_registered", "23284", "2025-03-14", 3),
            records.Observation("births_registered", "23284", "2025-03-15", 100),
        ],
    )
    day = local(2025, 3, 14).date()
    with hub.db.sessions() as session:
        commune = view(session, locate(session, "TEST-M", "23281", "2025-03"), WorkingDays(), day)
        other = view(session, locate(session, "TEST-M", "23284", "2025-03"), WorkingDays(), day)
        district = view(session, locate(session, "TEST-M", "608", "2025-03"), WorkingDays(), day)
    assert commune.values["D12"] == 5.0
    assert other.values["D12"] == 2.0 + 3.0
    assert district.values["D12"] == 5.0 + 2.0 + 3.0  # no value of its own: its communes'
    with pytest.raises(InputError, match="D12 is filled from a metric; it cannot be typed in"):
        Desk(hub).do("save", "23281", "2025-03", local(2025, 3, 14), {"D12": 1}, form="TEST-M")


def cell_and_aggregate(hub: Hub, unit: str) -> tuple[float | None, float | None]:
    """Commune ``unit``'s METRIC cell for ND09 2025-03, and ``aggregate`` for the same."""
    day = local(2025, 3, 14).date()
    with hub.db.sessions() as session:
        shown = view(session, locate(session, "TEST-M", unit, "2025-03"), WorkingDays(), day)
    request = AggregateRequest(
        "births_registered",
        PeriodType.MONTH,
        "2025-03",
        "2025-03",
        calendar=Calendar.ND09,
        units=(unit,),
        as_of=day,
    )
    (answer,) = aggregate(hub.db, request)
    return shown.values["D12"], answer.value


def test_a_metric_cell_is_the_aggregate_of_its_unit_and_period(corner: Corner) -> None:
    hub = corner.hub
    install(hub, with_metric_row("births_registered"))
    # Two sources of one value: the one written last counts, not their sum.
    march = ("births_registered", "23281", "2025-03")
    load_records(hub, "registry-a", [records.Observation(*march, 5, calendar="ND09")])
    load_records(hub, "registry-b", [records.Observation(*march, 7, calendar="ND09")])
    assert cell_and_aggregate(hub, "23281") == (7, 7)
    # A monthly figure stands over a daily one inside its month.
    load_records(
        hub,
        "civil-registry",
        [
            records.Observation("births_registered", "23284", "2025-03", 5, calendar="ND09"),
            records.Observation("births_registered", "23284", "2025-03-01", 2),
        ],
    )
    assert cell_and_aggregate(hub, "23284") == (5, 5)


def test_a_metric_cell_must_name_a_known_metric(corner: Corner) -> None:
    with (
        corner.hub.db.session() as session,
        pytest.raises(TemplateError, match="D12: unknown metric 'no_such_metric'"),
    ):
        save_template(
            session,
            template_from_dict(with_metric_row("no_such_metric")),
            "test",
            corner.hub.definitions.metrics,
        )


def test_an_approved_report_says_stale_when_a_metric_it_reads_changes(corner: Corner) -> None:
    hub = corner.hub
    install(hub, with_metric_row("births_registered"))
    births = records.Observation("births_registered", "23281", "2025-03-01", 5)
    load_records(hub, "civil-registry", [births])
    desk = Desk(hub)
    desk.do("submit", "23281", "2025-03", local(2025, 3, 14), form="TEST-M")
    desk.do("approve", "23281", "2025-03", local(2025, 3, 17), form="TEST-M")
    assert shown(corner).stale is False

    late = records.Observation("births_registered", "23281", "2025-03-10", 2)
    load_records(hub, "civil-registry", [births, late])  # a birth registered late
    approved = shown(corner)
    assert approved.stale is True and approved.values["D12"] == 5.0
    desk.do("reopen", "23281", "2025-03", local(2025, 3, 18), "Bổ sung khai sinh", form="TEST-M")
    assert shown(corner).values["D12"] == 5.0 + 2.0


def shown(corner: Corner) -> ReportView:
    with corner.hub.db.sessions() as session:
        located = locate(session, "TEST-M", "23281", "2025-03")
        return view(session, located, WorkingDays(), local(2025, 3, 20).date())


def test_a_later_period_reads_an_unapproved_report_as_it_stands_now(corner: Corner) -> None:
    hub = corner.hub
    form = with_metric_row("births_registered")
    form["rows"][-1]["cells"] |= {"E": "=PREV(D12)", "G": "=YTD(D12)"}
    install(hub, form)
    february = records.Observation("births_registered", "23281", "2025-02-01", 5)
    march = records.Observation("births_registered", "23281", "2025-03-01", 4)
    load_records(hub, "civil-registry", [february, march])
    desk = Desk(hub)
    desk.do("save", "23281", "2025-02", local(2025, 2, 14), {"D6": 1}, form="TEST-M")
    desk.do("save", "23281", "2025-03", local(2025, 3, 14), {"D6": 1}, form="TEST-M")

    # A birth of February is registered after February's draft was last saved.
    late = records.Observation("births_registered", "23281", "2025-02-10", 2)
    load_records(hub, "civil-registry", [february, march, late])

    with hub.db.sessions() as session:
        day = local(2025, 3, 20).date()
        feb = view(session, locate(session, "TEST-M", "23281", "2025-02"), WorkingDays(), day)
        mar = view(session, locate(session, "TEST-M", "23281", "2025-03"), WorkingDays(), day)
    assert feb.values["D12"] == 5.0 + 2.0
    assert mar.values["E12"] == feb.values["D12"]  # not the 5 February's draft stored
    assert mar.values["G12"] == 5.0 + 2.0 + 4.0
