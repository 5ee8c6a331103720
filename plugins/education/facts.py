"""A whole source, read into facilities, observations and quarantined rows.

The schools table is read first and whole: every other table's rows are checked against it.
Then each table is read by its reader (:mod:`readers`), for the schools a run recounts, and
last come each school's facility and its ``schools`` value, once the stock tables have said in
which periods the school reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from hub.connectors.records import BadRecord, Item

from . import metrics
from .config import EducationConfig
from .counting import Tally, dims
from .periods import month_id
from .readers import READERS, ClassIndex, Context
from .rows import EVERYTHING, RowSource, Scope
from .schools import Schools, read_schools


def education_records(source: RowSource, config: EducationConfig, scope: Scope) -> Iterator[Item]:
    """Facilities, observations and bad records of the schools in ``scope``.

    Each table is recounted for the schools in ``scope`` when the source tracks its changes
    (and those of the table it depends on), and for every school otherwise.
    """
    words = config.vocabulary()
    tables = config.tables()
    schools = read_schools(source.rows("schools", EVERYTHING), tables["schools"], words)
    school_scope = _table_scope(source, scope, "schools")
    yield from _school_problems(schools, school_scope)
    classes = ClassIndex(school_years=bool(getattr(tables.get("classes"), "school_year", None)))
    context = Context(schools, words, Tally(), classes)
    for table, reader_class in READERS.items():
        mapping = tables.get(table)
        if mapping is None:
            continue
        depends = ("classes",) if table == "pupils" and mapping.class_ else ()
        table_scope = _table_scope(source, scope, table, depends)
        if table == "population" and not table_scope.population:
            continue
        reader = reader_class(table, mapping, context, table_scope, source.snapshot_day(table))
        yield from reader.read(source.rows(table, table_scope))
    yield from _schools(context, school_scope, source.snapshot_day("schools"))
    yield from context.tally.observations()


def _table_scope(source: RowSource, scope: Scope, table: str, depends: Iterable[str] = ()) -> Scope:
    tracked = all(source.tracks_changes(name) for name in (table, *depends))
    return scope if tracked else EVERYTHING


def _school_problems(schools: Schools, scope: Scope) -> Iterator[BadRecord]:
    """The quarantined school rows; an incremental run repeats only those of changed schools."""
    for school_id, problem in schools.problems:
        if scope.schools is None or (school_id is not None and scope.covers(school_id)):
            yield problem


def _schools(context: Context, scope: Scope, day: date) -> Iterator[Item]:
    """Each school's facility, and its ``schools`` value: 1 in each period it reported in,
    and at the snapshot 1 if it is open, 0 if it is closed."""
    snapshot = month_id(day)
    for school in context.schools:
        if not scope.covers(school.id):
            continue
        yield school.facility()
        for period in context.reported.get(school.id, set()) | {snapshot}:
            value = int(school.active or period != snapshot)
            context.tally.add(metrics.SCHOOLS, school, period, dims(level=school.level), value)
