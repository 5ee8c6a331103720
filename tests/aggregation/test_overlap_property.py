"""Random overlapping figures: every path answers by docs/aggregation.md's one table of rules.

Random observations of a metric of each aggregation type (and of a ratio of two summed
metrics, an indicator) — several sources, periods of every length in both calendars
(half-years and days among them), units' own figures beside their parts', totals beside
breakdowns, missing periods, a commune merged into another in April 2024 — are loaded as
``iochub import`` does. Then for every unit and period, in both calendars:

- a report's METRIC cell (``metric_cells.metric_value``, the report's own session) equals
  ``aggregate``;
- ``aggregate``, without and with ``by``, equals :func:`expected`: the rules written again
  here, the obvious way, over periods and codes (nothing of ``hub.aggregation`` is used). A
  period holds another of its own calendar (a day is in both), as docs/aggregation.md says;
  the figures that nothing stands over are combined over time per unit and cell, then across
  units and cells, on each side of the merge, and the two sides over time (DESIGN.md's table).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hub.connectors.records import Observation as Record
from hub.core import Hub
from hub.model import AdminLevel, AdminUnit, Succession, SuccessionKind
from hub.periods import Calendar, Period, PeriodType, parse_period
from hub.reports.metric_cells import metric_value
from tests.aggregation.conftest import CONFIG, add_unit, ask, forget_data, load, province_hub

RULES = {  # aggregation type: (across time, across units and cells)
    "SUM": ("sum", "sum"),
    "AVERAGE": ("mean", "mean"),
    "AVERAGE_SUM_UNITS": ("mean", "sum"),
    "LAST": ("last", "sum"),
    "LAST_AVERAGE_UNITS": ("last", "mean"),
    "MIN": ("min", "min"),
    "MAX": ("max", "max"),
}
METRICS = {f"by_sex_{kind.lower()}": kind for kind in RULES}
RATIO = "positivity"  # positive / tested × 100 (tests/aggregation/conftest.py)


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Hub:
    """The test province with a metric of every aggregation type, each by sex."""
    extra = {
        code: {"name": code, "sector": "test", "aggregation": kind, "disaggregations": ["sex"]}
        for code, kind in METRICS.items()
    }
    return province_hub(make_hub, CONFIG | {"metrics": CONFIG["metrics"] | extra})


PARENT = {"901": "90", "902": "90", "90001": "901", "90002": "901", "90004": "902"}
PARENT["90009"] = "902"  # retired at the end of March 2024: merged into 90004
RETIRED_ON, MERGED_ON = date(2024, 3, 31), date(2024, 4, 1)
MERGED_INTO = {"90009": "90004"}
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
TARGETS = ["90", "901", "902", "90001", "90004"]

observation = st.tuples(
    st.sampled_from(UNITS),
    st.one_of(
        st.sampled_from(GREGORIAN).map(lambda p: (p, Calendar.GREGORIAN)),
        st.sampled_from(ND09).map(lambda p: (p, Calendar.ND09)),
    ),
    st.sampled_from(range(len(CELLS))),
    st.one_of(st.integers(0, 40), st.sampled_from([0.1, 2.2, 2.6, 1370662963204.297])),
    st.sampled_from(["a", "b"]),
    st.sampled_from([0, 1]),  # which metric of a ratio (its numerator or its denominator)
)
# Always a Gregorian and a Decree 09 month, so that every asked period type can be read.
ALWAYS = [("90001", ("2024-04", Calendar.GREGORIAN), 1, 1, "a", which) for which in (0, 1)] + [
    ("90002", ("2024-03", Calendar.ND09), 2, 2, "a", which) for which in (0, 1)
]


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

    @property
    def days(self) -> int:
        return (self.period.end - self.period.start).days + 1

    @property
    def era(self) -> int:
        """The map it was recorded on: before the merge (0) or after it (1)."""
        return int(self.period.start >= MERGED_ON)


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


def territory(target: str) -> set[str]:
    """The units whose figures count for ``target`` on today's map: itself, the units beneath
    it, and the units merged into one of those."""
    units = {unit for unit in UNITS if unit == target or target in ancestors(unit)}
    return units | {old for old, new in MERGED_INTO.items() if new in units}


def over_time(how: str, figures: list[Figure]) -> Decimal:
    values = [Decimal(repr(f.value)) for f in figures]
    if how == "sum":
        return sum(values, Decimal(0))
    if how == "mean":
        days = [Decimal(f.days) for f in figures]
        return sum((v * d for v, d in zip(values, days, strict=True)), Decimal(0)) / sum(days)
    if how == "last":  # the figure ending last (a longer one where two end the same day)
        return Decimal(repr(max(figures, key=lambda f: (f.period.end, f.days)).value))
    return min(values) if how == "min" else max(values)


def across(how: str, numbers: list[Decimal]) -> Decimal:
    if how == "sum":
        return sum(numbers, Decimal(0))
    if how == "mean":
        return sum(numbers, Decimal(0)) / len(numbers)
    return min(numbers) if how == "min" else max(numbers)


def expected(
    figures: list[Figure], aggregation: str, target: str, period: Period, sex: str | None = "*"
) -> float:
    """The target's value over the period (of one group of ``by: [sex]``, or all cells)."""
    found = [
        f
        for f in figures
        if f.unit in territory(target)
        and inside(f.period, period)
        and (sex == "*" or dict(f.cell).get("sex") == sex)
    ]
    if sex != "*":  # the breakdown answers by: only figures of the same cell stand over
        standing = [f for f in found if not any(g.holds(f) and g.cell == f.cell for g in found)]
    else:
        standing = [f for f in found if not any(g.holds(f) for g in found)]
    if not standing:
        return math.nan
    time, units = RULES[aggregation]
    series: dict[int, dict[tuple[str, frozenset], list[Figure]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for f in standing:  # time first: each unit's cell, on each side of the merge
        series[f.era][(f.unit, f.cell)].append(f)
    sides = {}
    for era, of_era in sorted(series.items()):
        values = [over_time(time, chosen) for chosen in of_era.values()]
        days = [sum(f.days for f in chosen) for chosen in of_era.values()]
        sides[era] = (across(units, values), Decimal(sum(days)) / len(days))
    if len(sides) == 1:
        ((value, _),) = sides.values()
    elif time == "mean":  # the sides weighed by the days an average cell of each covers
        weight = sum(days for _, days in sides.values())
        value = sum(v * days for v, days in sides.values()) / weight
    elif time == "last":
        value = sides[max(sides)][0]
    else:
        value = across(time, [v for v, _ in sides.values()])
    return float(value)


def same(a: float | None, b: float) -> bool:
    if a is None:
        return math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-12)


CASES = [*METRICS, RATIO]


@pytest.mark.parametrize("case", CASES)
@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drawn=st.lists(observation, max_size=20))
def test_every_path_reads_overlapping_figures_by_the_rules(
    hub: Hub, case: str, drawn: list
) -> None:
    forget_data(hub)
    _merged_commune(hub)
    metrics = ["positive", "tested"] if case == RATIO else [case]
    sent: dict[str, dict[tuple[str, str, str, int, str], float]] = {"a": {}, "b": {}}
    for unit, (period_id, calendar), cell, value, source, which in ALWAYS + drawn:
        if unit != "90009" or parse_period(period_id, calendar).end <= RETIRED_ON:
            metric = metrics[which % len(metrics)]
            sent[source][(unit, period_id, calendar, cell, metric)] = float(value)
    for source, values in sent.items():  # b is written last: where both send, b's counts
        records = [
            Record(metric, unit, period_id, value, CELLS[cell], calendar=calendar)
            for (unit, period_id, calendar, cell, metric), value in sorted(values.items())
        ]
        load(hub, records, source=source)
    figures = defaultdict(list)
    for (unit, period_id, calendar, cell, metric), value in (sent["a"] | sent["b"]).items():
        period = parse_period(period_id, calendar)
        figures[metric].append(Figure(unit, period, frozenset(CELLS[cell].items()), value))
    if case == RATIO:
        _check_ratio(hub, figures)
    else:
        _check_metric(hub, case, METRICS[case], figures[case])


def _check_metric(hub: Hub, code: str, aggregation: str, figures: list[Figure]) -> None:
    with hub.db.sessions() as session:
        rows = {
            u.code: u for u in session.scalars(select(AdminUnit).where(AdminUnit.code != "90009"))
        }
    for calendar, asked in ASKED.items():
        for period_type, start, end in asked:
            options: dict[str, Any] = {"units": TARGETS, "calendar": calendar}
            answers = ask(hub, code, period_type, start, end, **options)
            by_sex = ask(hub, code, period_type, start, end, by=["sex"], **options)
            with hub.db.session() as session:
                for answer in answers:
                    unit, period = answer.unit.code, parse_period(answer.period, calendar)
                    want = expected(figures, aggregation, unit, period)
                    assert same(answer.value, want), (unit, answer.period, want)
                    if unit not in MERGED_INTO.values():  # a report reads the map of its day
                        cell = metric_value(session, code, rows[unit], period)
                        assert cell == answer.value, (unit, answer.period)
            for answer in by_sex:
                period = parse_period(answer.period, calendar)
                sex = (answer.dims or {}).get("sex")
                want = expected(figures, aggregation, answer.unit.code, period, sex)
                assert same(answer.value, want), (answer.unit.code, answer.period, sex, want)


def _check_ratio(hub: Hub, figures: dict[str, list[Figure]]) -> None:
    """An indicator is its parts, each by its own rule, divided: positive / tested × 100."""
    for calendar, asked in ASKED.items():
        for period_type, start, end in asked:
            answers = ask(hub, RATIO, period_type, start, end, units=TARGETS, calendar=calendar)
            for answer in answers:
                period = parse_period(answer.period, calendar)
                positive, tested = (
                    expected(figures[code], "SUM", answer.unit.code, period)
                    for code in ("positive", "tested")
                )
                want = math.nan if not tested or math.isnan(positive) else positive / tested * 100
                assert (answer.value is None and math.isnan(want)) or math.isclose(
                    answer.value or 0.0, want, rel_tol=1e-9
                ), (answer.unit.code, answer.period, positive, tested, answer.value)


def _merged_commune(hub: Hub) -> None:
    """Commune 90009 of district 902, merged into 90004 on 1 April 2024."""
    with hub.db.session() as session:
        if session.scalar(select(AdminUnit).where(AdminUnit.code == "90009")) is None:
            district = session.scalar(select(AdminUnit).where(AdminUnit.code == "902"))
            old = add_unit(session, "90009", AdminLevel.COMMUNE, district, valid_to=RETIRED_ON)
            new = session.scalar(select(AdminUnit).where(AdminUnit.code == "90004"))
            assert new is not None
            session.add(
                Succession(
                    predecessor_id=old.id,
                    successor_id=new.id,
                    effective=MERGED_ON,
                    kind=SuccessionKind.MERGE,
                    weight=1.0,
                )
            )
