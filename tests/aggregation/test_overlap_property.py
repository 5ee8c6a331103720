"""Random overlapping figures: every path answers by docs/aggregation.md's one table of rules.

Random observations of a summed metric — several sources, periods of every length in both
calendars (half-years and days among them), units' own figures beside their parts', totals
beside breakdowns, a commune retired mid-year — are loaded as ``iochub import`` does. Then for
every unit and period, in both calendars:

- a report's METRIC cell (``metric_cells.metric_value``, the report's own session) equals
  ``aggregate``;
- ``aggregate``, without and with ``by``, equals :func:`expected`: the rules written again
  here, the obvious way, over periods and codes (nothing of ``hub.aggregation`` is used). A
  period holds another of its own calendar (a day is in both), as docs/aggregation.md says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hub.connectors.records import Observation as Record
from hub.core import Hub
from hub.model import AdminLevel, AdminUnit
from hub.periods import Calendar, Period, PeriodType, parse_period
from hub.reports.metric_cells import metric_value
from tests.aggregation.conftest import add_unit, ask, forget_data, load

PARENT = {"901": "90", "902": "90", "90001": "901", "90002": "901", "90004": "902"}
PARENT["90009"] = "902"  # retired at the end of March 2024
RETIRED_ON = date(2024, 3, 31)
UNITS = ["90", *PARENT]
GREGORIAN = ["2024-01", "2024-02", "2024-03", "2024-05", "2024-Q1", "2024-Q2", "2024-Q3"]
GREGORIAN += ["2024-H1", "2024", "2024-03-10"]
ND09 = ["2024-02", "2024-Q2", "2024-H1"]  # 15 Jan – 14 Feb; 15 Mar – 14 Jun; 15 Dec – 14 Jun
CELLS = [{}, {"sex": "F"}, {"sex": "M"}]
ASKED = {
    Calendar.GREGORIAN: [("QUARTER", "2024-Q1", "2024-Q3"), ("HALF_YEAR", "2024-H1", "2024-H2")],
    Calendar.ND09: [("QUARTER", "2024-Q1", "2024-Q3"), ("YEAR", "2024", "2024")],
}
ASKED[Calendar.GREGORIAN].append(("YEAR", "2024", "2024"))
TARGETS = ["90", "901", "902", "90001"]

observation = st.tuples(
    st.sampled_from(UNITS),
    st.one_of(
        st.sampled_from(GREGORIAN).map(lambda p: (p, Calendar.GREGORIAN)),
        st.sampled_from(ND09).map(lambda p: (p, Calendar.ND09)),
    ),
    st.sampled_from(range(len(CELLS))),
    st.one_of(st.integers(0, 40), st.sampled_from([0.1, 2.2, 2.6, 1370662963204.297])),
    st.sampled_from(["a", "b"]),
)
# Always a Gregorian and a Decree 09 month, so that every asked period type can be read.
ALWAYS = [("90001", ("2024-04", Calendar.GREGORIAN), 1, 1, "a")]
ALWAYS.append(("90002", ("2024-03", Calendar.ND09), 2, 2, "a"))


@dataclass(frozen=True)
class Figure:
    unit: str
    period: Period
    cell: frozenset[tuple[str, str]]
    value: float

    def holds(self, other: Figure) -> bool:
        """The rule of docs/aggregation.md: a unit over its parts, a total over its
        breakdown, a longer period over the shorter ones inside it."""
        if other == self:
            return False
        in_time = inside(other.period, self.period)
        in_cells = self.cell <= other.cell
        above = self.unit in ancestors(other.unit)
        return in_time and in_cells and (above or self.unit == other.unit)


def inside(inner: Period, outer: Period) -> bool:
    """Whether ``outer`` holds ``inner`` whole, and in the same calendar (a day is in both)."""
    if inner.type is not PeriodType.DAY and inner.calendar is not outer.calendar:
        return False
    return outer.start <= inner.start and inner.end <= outer.end


def ancestors(unit: str) -> list[str]:
    found = []
    while unit in PARENT:
        unit = PARENT[unit]
        found.append(unit)
    return found


def expected(figures: list[Figure], target: str, period: Period, sex: str | None = "*") -> float:
    """The target's value over the period (of one group of ``by: [sex]``, or all cells)."""
    found = [
        f
        for f in figures
        if (f.unit == target or target in ancestors(f.unit))
        and inside(f.period, period)
        and (sex == "*" or dict(f.cell).get("sex") == sex)
    ]
    if sex != "*":  # the breakdown answers by: only figures of the same cell stand over
        standing = [f for f in found if not any(g.holds(f) and g.cell == f.cell for g in found)]
    else:
        standing = [f for f in found if not any(g.holds(f) for g in found)]
    if not standing:
        return math.nan
    return float(sum(Decimal(repr(f.value)) for f in standing))


def same(a: float | None, b: float) -> bool:
    if a is None:
        return math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-12)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(observation, max_size=20))
def test_every_path_reads_overlapping_figures_by_the_rules(hub: Hub, drawn: list) -> None:
    forget_data(hub)
    _retired_commune(hub)
    sent: dict[str, dict[tuple[str, str, str, int], float]] = {"a": {}, "b": {}}
    for unit, (period_id, calendar), cell, value, source in ALWAYS + drawn:
        if unit != "90009" or parse_period(period_id, calendar).end <= RETIRED_ON:
            sent[source][(unit, period_id, calendar, cell)] = float(value)
    for source, values in sent.items():  # b is written last: where both send, b's counts
        records = [
            Record("tested", unit, period_id, value, CELLS[cell], calendar=calendar)
            for (unit, period_id, calendar, cell), value in sorted(values.items())
        ]
        load(hub, records, source=source)
    figures = [
        Figure(unit, parse_period(period_id, calendar), frozenset(CELLS[cell].items()), value)
        for (unit, period_id, calendar, cell), value in (sent["a"] | sent["b"]).items()
    ]
    with hub.db.sessions() as session:
        rows = {u.code: u for u in session.scalars(select(AdminUnit))}
    for calendar, asked in ASKED.items():
        for period_type, start, end in asked:
            answers = ask(hub, "tested", period_type, start, end, units=TARGETS, calendar=calendar)
            by_sex = ask(
                hub,
                "tested",
                period_type,
                start,
                end,
                units=TARGETS,
                calendar=calendar,
                by=["sex"],
            )
            with hub.db.session() as session:
                for answer in answers:
                    period = parse_period(answer.period, calendar)
                    want = expected(figures, answer.unit.code, period)
                    assert same(answer.value, want), (answer.unit.code, answer.period, want)
                    cell = metric_value(session, "tested", rows[answer.unit.code], period)
                    assert cell == answer.value, (answer.unit.code, answer.period)
            for answer in by_sex:
                period = parse_period(answer.period, calendar)
                sex = (answer.dims or {}).get("sex")
                want = expected(figures, answer.unit.code, period, sex)
                assert same(answer.value, want), (answer.unit.code, answer.period, sex, want)


def _retired_commune(hub: Hub) -> None:
    with hub.db.session() as session:
        if session.scalar(select(AdminUnit).where(AdminUnit.code == "90009")) is None:
            district = session.scalar(select(AdminUnit).where(AdminUnit.code == "902"))
            add_unit(session, "90009", AdminLevel.COMMUNE, district, valid_to=RETIRED_ON)
