"""Rebuilding a metric's roll-ups inside the database, with a few set-based statements.

:func:`hub.aggregation.rebuild.rebuild_metric` computes roll-ups in Python, one unit at a
time: the reference, and the only way for every rule. For a metric of millions of
observations that is slow, so the common cases are computed here by the database itself,
to the same rows (a test holds the two to each other):

1. the Python side writes small maps into temporary tables: each period observed, with
   its era and days, and each roll-up period holding it (:func:`enclosing_keys`); each
   reporting unit's ancestors;
2. one statement reads the observations, the source chosen as in
   :mod:`hub.aggregation.observations` (the value written last; on a tie, the source whose
   name sorts last), groups each unit's values over every period holding them (time
   first), its cells together as ``*``, and adds them up under each of its ancestors.

Not handled here (``rebuild_in_database`` answers None and the caller falls back): a
last value carried forward over a horizon, and figures that may stand over others
(:mod:`hub.aggregation.overlaps`): several period types, or a total beside its breakdown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from hub.aggregation import exact
from hub.aggregation.catalog import MetricInfo
from hub.aggregation.hierarchy import Hierarchy
from hub.aggregation.overlaps import cell_holds
from hub.aggregation.rules import Over
from hub.aggregation.series import ALL_CELLS, PeriodKey, enclosing_keys
from hub.aggregation.store import delete_metric, placeholder
from hub.periods import Period, parse_period

TEMPORARY_TABLES = {
    "iochub_rebuild_enclosing": "calendar VARCHAR(10), period VARCHAR(12), out_id INTEGER, "
    "era INTEGER, days INTEGER, ends VARCHAR(10), PRIMARY KEY (calendar, period, out_id)",
    "iochub_rebuild_outer": "out_id INTEGER PRIMARY KEY, out_calendar VARCHAR(10), "
    "out_type VARCHAR(10), out_period VARCHAR(12)",
    "iochub_rebuild_ancestors": "unit_id INTEGER, ancestor_id INTEGER, "
    "PRIMARY KEY (unit_id, ancestor_id)",
}


@dataclass(frozen=True)
class Sums:
    """How the statement adds values up: in binary where that is exact (whole numbers), else
    on their decimals (:mod:`hub.aggregation.exact`), as the Python path does."""

    total: str
    """A sum of the column ``{}``."""
    mean: str
    """The mean of ``{0}`` weighed by ``{1}``."""


BINARY = Sums("SUM({})", "SUM({0} * {1}) / SUM({1})")
DECIMAL = {
    # The shortest text of a double (PostgreSQL 12 on) read as a decimal; the sum is exact.
    "postgresql": Sums(
        "SUM(CAST(CAST({} AS TEXT) AS NUMERIC))",
        "SUM(CAST(CAST({0} AS TEXT) AS NUMERIC) * {1}) / SUM({1})",
    ),
    "sqlite": Sums("iochub_exact_sum({})", "iochub_exact_mean({0}, {1})"),
}
ROLLUP_COLUMNS = (
    "metric_id, unit_id, calendar, period_type, period, dims_key, era, "
    "total, cells, units, days, low, high"
)


def rebuild_in_database(
    session: Session, metric: MetricInfo, hierarchy: Hierarchy
) -> tuple[set[str], set[str]] | None:
    """Replace the metric's roll-ups, computed by the database; None when not handled here.

    Returns the ``CALENDAR:TYPE`` pairs observed and the levels of the units that reported.
    """
    rule = metric.rule
    if rule is None or (rule.time is Over.LAST and metric.carry_months):
        return None
    periods = _observed_periods(session, metric.id)
    if len({period.type for period in periods}) > 1 or _totals_beside_parts(session, metric):
        return None
    delete_metric(session, metric.id)
    units = _reporting_units(session, metric.id)
    _fill_maps(session, periods, units, hierarchy)
    chosen = _chosen(session, several_sources=_sources(session, metric.id) > 1)
    dialect = session.get_bind().dialect.name
    sums = BINARY
    if not _all_whole(session, metric.id):
        sums = DECIMAL[dialect]
        if dialect == "sqlite":
            _register_exact_sums(session)
    sql = _rows(metric, chosen, dialect == "sqlite", sums)
    session.execute(text(sql), {"metric": metric.id})
    _clear_maps(session)
    levels = {hierarchy.units[u].level.value for u in units if u in hierarchy.units}
    return {f"{period.calendar.value}:{period.type.value}" for period in periods}, levels


# A stored observation always has a value (a withdrawn one is deleted), so the two queries
# below read the natural key's index alone.


def _observed_periods(session: Session, metric_id: int) -> list[Period]:
    query = text("SELECT DISTINCT calendar, period FROM observations WHERE metric_id = :metric")
    rows = session.execute(query, {"metric": metric_id})
    return [parse_period(period_id, calendar) for calendar, period_id in rows]


def _totals_beside_parts(session: Session, metric: MetricInfo) -> bool:
    """Whether some cell of the metric is a total of another (``sex`` absent beside ``F``)."""
    if not metric.has_cells:
        return False
    query = text("SELECT DISTINCT dims_key FROM observations WHERE metric_id = :metric")
    cells = session.scalars(query, {"metric": metric.id}).all()
    return any(cell_holds(a, b) for a in cells for b in cells if a != b)


def _all_whole(session: Session, metric_id: int) -> bool:
    """Whether every value of the metric is a whole number (which binary sums add exactly)."""
    whole = (
        "CAST(value AS INTEGER)" if session.get_bind().dialect.name == "sqlite" else "FLOOR(value)"
    )
    query = text(
        f"SELECT 1 FROM observations WHERE metric_id = :metric AND value <> {whole} LIMIT 1"
    )
    return session.execute(query, {"metric": metric_id}).first() is None


class _ExactSum:
    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return exact.total(self.values) if self.values else None


class _ExactMean:
    def __init__(self) -> None:
        self.pairs: list[tuple[float, float]] = []

    def step(self, value: float | None, weight: float) -> None:
        if value is not None:
            self.pairs.append((value, weight))

    def finalize(self) -> float | None:
        return exact.weighted_mean(self.pairs) if self.pairs else None


def _register_exact_sums(session: Session) -> None:
    """Give this SQLite connection the sums on decimals (SQLite has no decimal type)."""
    connection = session.connection().connection.driver_connection
    connection.create_aggregate("iochub_exact_sum", 1, _ExactSum)
    connection.create_aggregate("iochub_exact_mean", 2, _ExactMean)


def _reporting_units(session: Session, metric_id: int) -> list[int]:
    query = text("SELECT DISTINCT unit_id FROM observations WHERE metric_id = :metric")
    return sorted(session.scalars(query, {"metric": metric_id}))


def _fill_maps(
    session: Session, periods: list[Period], units: list[int], hierarchy: Hierarchy
) -> None:
    for table, columns in TEMPORARY_TABLES.items():
        session.execute(text(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({columns})"))
        session.execute(text(f"DELETE FROM {table}"))
    enclosing = []
    outer: dict[PeriodKey, int] = {}
    for period in periods:
        calendar, period_id = period.calendar.value, period.id
        era, ends = hierarchy.era(period.start), period.end.isoformat()
        for key in enclosing_keys(period):
            out_id = outer.setdefault(key, len(outer) + 1)
            enclosing.append((calendar, period_id, out_id, era, period.days, ends))
    ancestors = [(unit, ancestor) for unit in units for ancestor in hierarchy.ancestors(unit)]
    _insert(session, "iochub_rebuild_enclosing", enclosing)
    _insert(session, "iochub_rebuild_outer", [(i, *key) for key, i in outer.items()])
    _insert(session, "iochub_rebuild_ancestors", ancestors)
    if session.get_bind().dialect.name == "postgresql":
        # Fresh temporary tables have no statistics: without them the planner takes them
        # for empty and loops over the observations once per period.
        for table in TEMPORARY_TABLES:
            session.execute(text(f"ANALYZE {table}"))
        session.execute(text("SET LOCAL work_mem = '64MB'"))  # sorts and hashes in memory


def _clear_maps(session: Session) -> None:
    for table in TEMPORARY_TABLES:
        session.execute(text(f"DELETE FROM {table}"))


def _insert(session: Session, table: str, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    marks = ", ".join(placeholder(session) for _ in rows[0])
    session.connection().exec_driver_sql(f"INSERT INTO {table} VALUES ({marks})", rows)


def _sources(session: Session, metric_id: int) -> int:
    """How many sources the metric's observations come from (counted up to two)."""
    query = text("SELECT DISTINCT source FROM observations WHERE metric_id = :metric LIMIT 2")
    return len(session.scalars(query, {"metric": metric_id}).all())


def _chosen(session: Session, several_sources: bool) -> str:
    """The observations the roll-ups use: per cell and period, the one written last.

    From a single source, each cell and period has one observation: nothing to choose.
    """
    if not several_sources:
        return """
        SELECT o.unit_id, o.calendar, o.period_type, o.period, o.dims_key, o.value
        FROM observations o
        WHERE o.metric_id = :metric AND o.value IS NOT NULL"""
    collate = ' COLLATE "C"' if session.get_bind().dialect.name == "postgresql" else ""
    return f"""
        SELECT o.unit_id, o.calendar, o.period_type, o.period, o.dims_key, o.value
        FROM observations o
        WHERE o.metric_id = :metric AND o.value IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM observations b
            WHERE b.metric_id = o.metric_id AND b.unit_id = o.unit_id
              AND b.calendar = o.calendar AND b.period = o.period
              AND b.dims_key = o.dims_key AND b.value IS NOT NULL AND b.id <> o.id
              AND (b.updated_at > o.updated_at OR (b.updated_at = o.updated_at
                   AND b.source{collate} > o.source{collate})))"""


def _rows(metric: MetricInfo, chosen: str, sqlite: bool, sums: Sums) -> str:
    """Each unit's own series over each period, then added up under its ancestors.

    A unit's row of one cell counts one cell and one unit; its ``*`` row, all its cells and
    one unit: so under an ancestor, ``units`` is the number of rows added up.

    Periods travel as small integers (``out_id``) through the grouping, and are spelled out
    only for the rows written.
    """
    rule = metric.rule
    assert rule is not None
    readings = f"""
        FROM ({chosen}) r
        JOIN iochub_rebuild_enclosing e ON e.calendar = r.calendar AND e.period = r.period"""
    group = "r.unit_id, e.out_id, r.dims_key, e.era"
    if rule.time is Over.LAST and sqlite:
        # SQLite documents that with a single max() its other columns come from the row
        # holding the maximum: one grouping, where a window would sort and filter.
        own = f"""
            SELECT {group}, r.value AS total, e.days, MAX(e.ends) AS ends
            {readings}
            GROUP BY {group}"""
    elif rule.time is Over.LAST:
        own = f"""
            SELECT unit_id, out_id, dims_key, era, total, days
            FROM (SELECT {group}, r.value AS total, e.days,
                         ROW_NUMBER() OVER (PARTITION BY {group} ORDER BY e.ends DESC) AS n
                  {readings}) latest
            WHERE n = 1"""
    else:
        over_time = {
            Over.SUM: sums.total.format("r.value"),
            Over.MEAN: sums.mean.format("r.value", "e.days"),
            Over.MIN: "MIN(r.value)",
            Over.MAX: "MAX(r.value)",
        }[rule.time]
        own = f"""
            SELECT {group}, {over_time} AS total, SUM(e.days) AS days
            {readings}
            GROUP BY {group}"""
    star_extremes = ", MIN(total), MAX(total)" if rule.needs_extremes else ""
    cell_extremes = ", total AS low, total AS high" if rule.needs_extremes else ""
    together = ""
    if metric.has_cells:
        together = f"""
            UNION ALL
            SELECT unit_id, out_id, '{ALL_CELLS}', era, {sums.total.format("total")}, COUNT(*),
                   SUM(days)
                   {star_extremes}
            FROM unit_cells
            GROUP BY unit_id, out_id, era"""
    sums = f"""
        SELECT a.ancestor_id, s.out_id, s.dims_key, s.era, {sums.total.format("s.total")} AS total,
               SUM(s.cells) AS cells, COUNT(*) AS units, SUM(s.days) AS days
               {", MIN(s.low) AS low, MAX(s.high) AS high" if rule.needs_extremes else ""}
        FROM (
            SELECT unit_id, out_id, dims_key, era, total, 1 AS cells, days {cell_extremes}
            FROM unit_cells{together}
        ) s
        JOIN iochub_rebuild_ancestors a ON a.unit_id = s.unit_id
        GROUP BY a.ancestor_id, s.out_id, s.dims_key, s.era"""
    low_high = "b.low, b.high" if rule.needs_extremes else "NULL, NULL"
    return f"""
        WITH unit_cells AS MATERIALIZED ({own})
        INSERT INTO rollups ({ROLLUP_COLUMNS})
        SELECT :metric, b.ancestor_id, o.out_calendar, o.out_type, o.out_period, b.dims_key,
               b.era, b.total, b.cells, b.units, b.days, {low_high}
        FROM ({sums}) b
        JOIN iochub_rebuild_outer o ON o.out_id = b.out_id"""
