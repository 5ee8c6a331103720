"""One reader per table: what a row counts, and why a row cannot be counted.

The rules, the same for a database and for exported files:

- A row left out by its table's ``only`` filter, or of a school left out by the schools'
  ``only``, is skipped. So is a row of another school year than its snapshot's, and a row
  whose count is blank (an export's empty cell).
- A row that cannot be counted is quarantined with its place and the reason: no school, no
  grade or a grade outside 1–12, an unknown sex or exam result, a count that is negative or
  not a whole number, more passes than candidates, a date that is not a date.
- Rows of a school that is not in the schools table, or whose own row was quarantined, are
  quarantined together: one record per table and school, with how many rows and the first.
- A closed school (not ``active``) reports zeros at the snapshot: its undated rows are not
  counted. A row with its own date (a ``date`` column) counts at that date all the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from hub.connectors.records import BadRecord
from hub.numbers import NumberError, parse_number

from . import metrics
from .config import Columns, PupilColumns, ResultColumns
from .counting import Commune, Dims, Tally, dims
from .periods import month_id, parse_day, parse_exam_year, parse_school_year, school_year_of
from .rows import Scope, SourceRow
from .schools import School, Schools
from .vocabulary import SEXES, Vocabulary, level_of_grade, parse_grade, text


class Quarantine(ValueError):
    """A row that cannot be counted; the message says why."""


@dataclass(frozen=True)
class ClassInfo:
    """What a pupil's class says about the pupil."""

    school: str | None
    grade: Any
    school_year: Any
    selected: bool


@dataclass
class ClassIndex:
    """The classes by id, for pupils that name their class."""

    school_years: bool = False
    """Whether the classes say their school year."""
    by_id: dict[str, ClassInfo] = field(default_factory=dict)

    def add(self, row: SourceRow, mapping: Columns) -> None:
        class_id = text(row.get("id"))
        if class_id is not None:
            self.by_id[class_id] = ClassInfo(
                text(row.get("school")),
                row.get("grade"),
                row.get("school_year"),
                mapping.selected(row.fields),
            )


@dataclass
class Context:
    """What the readers of one run share."""

    schools: Schools
    words: Vocabulary
    tally: Tally
    classes: ClassIndex
    reported: dict[str, set[str]] = field(default_factory=dict)
    """School id → the periods it has stock rows in, over every table."""


class Orphans:
    """Rows whose school is unknown or quarantined: one bad record per school, not per row."""

    def __init__(self, table: str, schools: Schools) -> None:
        self.table = table
        self.schools = schools
        self.first: dict[str, SourceRow] = {}
        self.counts: dict[str, int] = {}

    def add(self, school_id: str, row: SourceRow) -> None:
        self.first.setdefault(school_id, row)
        self.counts[school_id] = self.counts.get(school_id, 0) + 1

    def records(self) -> Iterator[BadRecord]:
        for school_id, first in self.first.items():
            if school_id in self.schools.quarantined:
                why = f"which was quarantined ({self.schools.quarantined[school_id]})"
            else:
                why = "which is not in the schools table"
            rows = self.counts[school_id]
            reason = (
                f"{self.table}: {rows} row{'s' if rows > 1 else ''} of school {school_id!r}, "
                f"{why}; first: {first.place}"
            )
            payload = {"school": school_id, "rows": rows, "first": first.raw}
            yield BadRecord(reason, payload, first.place)


class TableReader:
    """Reads one table's rows into the tally, and yields the rows it quarantines."""

    def __init__(
        self, table: str, mapping: Any, context: Context, scope: Scope, default_day: date
    ) -> None:
        self.table = table
        self.mapping = mapping
        self.context = context
        self.scope = scope
        self.default_day = default_day
        self.columns = mapping.columns()
        self.orphans = Orphans(table, context.schools)

    def read(self, rows: Iterable[SourceRow]) -> Iterator[BadRecord]:
        for row in rows:
            if row.problem:
                yield BadRecord(f"{row.place}: {row.problem}", row.raw, row.place)
                continue
            if not self.mapping.selected(row.fields):
                continue
            try:
                self.count(row)
            except Quarantine as problem:
                yield BadRecord(f"{row.place}: {problem}", row.raw, row.place)
        yield from self.orphans.records()
        self.expect()

    def count(self, row: SourceRow) -> None:
        """Add what the row counts to the tally; raise Quarantine if it cannot be counted."""
        raise NotImplementedError

    def expect(self) -> None:
        """Declare the values each school in scope must report (zeros unless counted)."""

    def school(self, row: SourceRow, school_id: str | None) -> School | None:
        """The row's school; None when the row is not to be counted by this run."""
        if school_id is None:
            raise Quarantine("no school")
        schools = self.context.schools
        if not self.scope.covers(school_id) or school_id in schools.left_out:
            return None
        found = schools.known.get(school_id)
        if found is None:
            self.orphans.add(school_id, row)
        return found

    def amount(self, row: SourceRow, role: str = "count") -> int | None:
        """The whole number in the row's ``role`` column (1 when it has none); None if blank."""
        if role not in self.columns:
            return 1
        value = row.get(role)
        if text(value) is None:
            return None
        number = _whole(value)
        if number is None:
            raise Quarantine(f"{role} {value!r} is not a whole number")
        if number < 0:
            raise Quarantine(f"negative {role} {number}")
        return number

    def sex(self, row: SourceRow) -> str | None:
        if "sex" not in self.columns:
            return None
        value = row.get("sex")
        if text(value) is None:
            raise Quarantine("no sex")
        found = self.context.words.sex(value)
        if found is None:
            raise Quarantine(f"sex {value!r} is not known (map it with `sexes`)")
        return found

    def sexes(self) -> tuple[str | None, ...]:
        return SEXES if "sex" in self.columns else (None,)


class StockReader(TableReader):
    """A table of things counted at a snapshot: classes, pupils, teachers.

    Each school in scope is expected to report its whole grid (:meth:`grid`) for each period
    it reports in: a zero for what no row counts.
    """

    metric: str

    def __init__(
        self, table: str, mapping: Any, context: Context, scope: Scope, default_day: date
    ) -> None:
        super().__init__(table, mapping, context, scope, default_day)
        self.periods: dict[str, set[str]] = {}
        """School id → the periods of its rows in this table (when rows are dated)."""

    def grid(self, school: School) -> Iterable[Dims]:
        """The disaggregations a school of its level reports."""
        raise NotImplementedError

    def add(self, school: School, day: date, key: Dims, amount: int | None) -> None:
        if amount is not None:
            self.context.tally.add(self.metric, school, month_id(day), key, amount)

    def expect(self) -> None:
        for school in self.context.schools:
            if self.scope.covers(school.id):
                for period in self.periods_of(school):
                    for key in self.grid(school):
                        self.context.tally.expect(self.metric, school, period, key)

    @property
    def dated(self) -> bool:
        """Whether each row says its snapshot date."""
        return "date" in self.columns

    def snapshot(self, row: SourceRow, school: School) -> date | None:
        """The row's snapshot day; None when the row is not counted (a closed school's)."""
        if not self.dated:
            return self.default_day if school.active else None
        value = row.get("date")
        day = parse_day(value)
        if day is None:
            raise Quarantine(f"date {value!r} is not a date")
        period = month_id(day)
        self.periods.setdefault(school.id, set()).add(period)
        self.context.reported.setdefault(school.id, set()).add(period)
        return day

    def periods_of(self, school: School) -> set[str]:
        """The periods the school reports in: the snapshot's, and each date of its rows."""
        seen = set(self.periods.get(school.id, ()))
        if not self.dated or not school.active:
            seen.add(month_id(self.default_day))
        return seen

    @property
    def school_years(self) -> bool:
        """Whether the rows say their school year."""
        return "school_year" in self.columns

    def of_school_year(self, value: Any, day: date) -> bool:
        """Whether a row of school year ``value`` counts on ``day`` (always, if not mapped)."""
        if not self.school_years:
            return True
        year = parse_school_year(value)
        if year is None:
            raise Quarantine(f"school year {value!r} is not a school year like 2026-2027")
        return year == school_year_of(day)


class ClassReader(StockReader):
    """Classes: counted by grade; indexed for the pupils that name their class."""

    metric = metrics.CLASSES

    def read(self, rows: Iterable[SourceRow]) -> Iterator[BadRecord]:
        return super().read(self._indexed(rows))

    def count(self, row: SourceRow) -> None:
        school = self.school(row, text(row.get("school")))
        day = self.snapshot(row, school) if school else None
        if school is None or day is None or not self.of_school_year(row.get("school_year"), day):
            return
        grade = _grade(row.get("grade"))
        self.add(school, day, _grade_dims(grade), self.amount(row))

    def grid(self, school: School) -> Iterable[Dims]:
        return [_grade_dims(grade) for grade in school.grades]

    def _indexed(self, rows: Iterable[SourceRow]) -> Iterator[SourceRow]:
        for row in rows:
            self.context.classes.add(row, self.mapping)
            yield row


class PupilReader(StockReader):
    """Pupils: counted by grade and sex; school, grade and school year may come from the class."""

    metric = metrics.PUPILS
    mapping: PupilColumns

    def count(self, row: SourceRow) -> None:
        info = self._class_of(row)
        if info is not None and not info.selected:
            return
        school = self.school(row, self._school_id(row, info))
        day = self.snapshot(row, school) if school else None
        if school is None or day is None:
            return
        if self.of_school_year(self._school_year(row, info), day):
            grade, sex = self._grade(row, info), self.sex(row)
            self.add(school, day, _grade_dims(grade, sex), self.amount(row))

    def grid(self, school: School) -> Iterable[Dims]:
        return [_grade_dims(grade, sex) for grade in school.grades for sex in self.sexes()]

    @property
    def school_years(self) -> bool:
        from_class = self.mapping.class_ is not None and self.context.classes.school_years
        return "school_year" in self.columns or from_class

    def _class_of(self, row: SourceRow) -> ClassInfo | None:
        if not self.mapping.class_:
            return None
        class_id = text(row.get("class"))
        if class_id is None:
            raise Quarantine("no class")
        info = self.context.classes.by_id.get(class_id)
        if info is None:
            raise Quarantine(f"class {class_id!r} is not in the classes table")
        return info

    def _school_id(self, row: SourceRow, info: ClassInfo | None) -> str | None:
        if self.mapping.school or info is None:
            return text(row.get("school"))
        return info.school

    def _grade(self, row: SourceRow, info: ClassInfo | None) -> int:
        if self.mapping.grade or info is None:
            return _grade(row.get("grade"))
        return _grade(info.grade, f" (its class {text(row.get('class'))!r} has none)")

    def _school_year(self, row: SourceRow, info: ClassInfo | None) -> Any:
        if self.mapping.school_year or info is None:
            return row.get("school_year")
        return info.school_year


class TeacherReader(StockReader):
    """Teachers: counted by sex."""

    metric = metrics.TEACHERS

    def count(self, row: SourceRow) -> None:
        school = self.school(row, text(row.get("school")))
        day = self.snapshot(row, school) if school else None
        if school is not None and day is not None:
            self.add(school, day, dims(sex=self.sex(row)), self.amount(row))

    def grid(self, school: School) -> Iterable[Dims]:
        return [dims(sex=sex) for sex in self.sexes()]


class ResultReader(TableReader):
    """Exam results: candidates and passes, by exam and sex, in the year of the exam.

    Results are history: a closed school's results count all the same.
    """

    mapping: ResultColumns

    def count(self, row: SourceRow) -> None:
        school = self.school(row, text(row.get("school")))
        if school is None:
            return
        year = parse_exam_year(row.get("year"))
        if year is None:
            raise Quarantine(f"year {row.get('year')!r} is not a year")
        key = dims(exam=self._exam(row), sex=self.sex(row))
        counted = self._outcome(row)
        if counted is not None:
            candidates, passes = counted
            self.context.tally.add(metrics.CANDIDATES, school, str(year), key, candidates)
            self.context.tally.add(metrics.PASSES, school, str(year), key, passes)

    def _exam(self, row: SourceRow) -> str | None:
        if "exam" not in self.columns:
            return None
        found = self.context.words.exam(row.get("exam"))
        if found is None:
            raise Quarantine("no exam")
        return found

    def _outcome(self, row: SourceRow) -> tuple[int, int] | None:
        """(candidates, passes) of the row; None when its counts are blank."""
        if "result" in self.columns:
            passed = self.context.words.passed(row.get("result"))
            if passed is None:
                raise Quarantine(
                    f"result {row.get('result')!r} is neither a pass nor a fail "
                    "(see `passes` and `fails`)"
                )
            return 1, int(passed)
        candidates, passes = self.amount(row, "candidates"), self.amount(row, "passed")
        if candidates is None:
            return None
        if (passes or 0) > candidates:
            raise Quarantine(f"{passes} passed out of {candidates} candidates")
        return candidates, passes or 0


class PopulationReader(TableReader):
    """The school-age population of each commune, by level (and sex), for a year."""

    def count(self, row: SourceRow) -> None:
        code = self.context.words.commune(row.get("commune"))
        if code is None:
            raise Quarantine("no commune code")
        year = parse_exam_year(row.get("year"))
        if year is None:
            raise Quarantine(f"year {row.get('year')!r} is not a year")
        level = self.context.words.level(row.get("level"))
        if level is None:
            raise Quarantine(
                f"level {row.get('level')!r} is not primary, lower or upper secondary "
                "(map it with `levels`)"
            )
        amount, sex = self.amount(row), self.sex(row)
        if amount is not None:
            commune = Commune(code, f"{self.table}, commune {code}")
            key = dims(level=level, sex=sex)
            self.context.tally.add(metrics.POPULATION, commune, str(year), key, amount)


READERS: dict[str, type[TableReader]] = {
    "classes": ClassReader,
    "pupils": PupilReader,
    "teachers": TeacherReader,
    "results": ResultReader,
    "population": PopulationReader,
}
"""In reading order: classes before the pupils that name them."""


def _grade_dims(grade: int, sex: str | None = None) -> Dims:
    return dims(level=level_of_grade(grade), grade=str(grade), sex=sex)


def _grade(value: Any, missing: str = "") -> int:
    if text(value) is None:
        raise Quarantine(f"no grade{missing}")
    grade = parse_grade(value)
    if grade is None:
        raise Quarantine(f"grade {value!r} is not a grade 1–12")
    return grade


def _whole(value: Any) -> int | None:
    """A whole number, read by :mod:`hub.numbers` (a text both conventions fit is refused)."""
    if isinstance(value, Decimal):
        value = str(value)
    try:
        number = parse_number(value)
    except NumberError:
        return None
    return int(number) if number is not None and number.is_integer() else None
