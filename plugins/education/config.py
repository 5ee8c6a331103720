"""The config models of the education connector kinds (the ``[connectors.<id>]`` tables).

Both kinds map the same six tables — schools, classes, pupils, teachers, exam results and the
school-age population — column by column (the ``*Columns`` models). The ``sql`` kind finds each
in a database table (:class:`SqlTable`), the ``file`` kind in a CSV file or an Excel sheet
(:class:`FileTable`). Only ``schools`` is required. See README.md for examples.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from hub.connectors.base import ConnectorConfig
from hub.units.codes import CommuneCode

from .periods import parse_day
from .vocabulary import LEVELS_OF, SEXES, Vocabulary, text

TABLES = ("schools", "classes", "pupils", "teachers", "results", "population")
Filter = dict[str, list[str | int]]


class Columns(BaseModel):
    """Which column holds what, in one table of the source."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    ROLES: ClassVar[tuple[str, ...]] = ()
    """The fields that name a column, each the role of that column."""

    only: Filter = Field(default_factory=dict)
    """Read only rows whose column holds one of these values, e.g.
    ``{ trang_thai = ["Đang học"] }``; the rest are left out, not quarantined."""

    def columns(self) -> dict[str, str]:
        """Role → column name, for every column the mapping uses (filters included)."""
        found = {role: getattr(self, _field(role)) for role in self.ROLES}
        found = {role: column for role, column in found.items() if column}
        found.update({f"only.{column}": column for column in self.only})
        return found

    def selected(self, fields: dict[str, Any]) -> bool:
        """Whether a row passes the ``only`` filter (values compared as trimmed text)."""
        return _matches(self.only, fields, "only")


class SchoolColumns(Columns):
    """The schools: one row per school."""

    ROLES: ClassVar[tuple[str, ...]] = ("id", "name", "commune", "level", "lat", "lon")
    id: str
    name: str
    commune: str
    """The GSO code of the school's commune (or the source's own code, mapped by ``communes``)."""
    level: str
    """The school's level (cấp học): TH, THCS, THPT, TH&THCS, … (see ``levels``)."""
    active: Filter = Field(default_factory=dict)
    """A school is open when its row matches, e.g. ``{ trang_thai = ["1"] }``; a closed school
    is reported with zero pupils, classes and teachers. Default: every school is open."""
    lat: str | None = None
    lon: str | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    """Facility attributes copied from columns, e.g. ``{ address = "dia_chi" }``."""

    def columns(self) -> dict[str, str]:
        found = super().columns()
        found.update({f"active.{column}": column for column in self.active})
        found.update({f"attribute.{name}": column for name, column in self.attributes.items()})
        return found

    def is_active(self, fields: dict[str, Any]) -> bool:
        return _matches(self.active, fields, "active")


class StockColumns(Columns):
    """A table of things counted at a snapshot, each belonging to a school."""

    count: str | None = None
    """A column holding how many the row stands for (an aggregated export); each row counts
    one when not given."""
    date: str | None = None
    """A column holding each row's snapshot date (e.g. ngày báo cáo); without it, the
    snapshot is the month of the run (sql) or of the export (file)."""


class ClassColumns(StockColumns):
    """The classes of a school year: one row per class (or per group, with ``count``)."""

    ROLES: ClassVar[tuple[str, ...]] = ("id", "school", "grade", "school_year", "count", "date")
    id: str | None = None
    """The class's key, which pupils name (needed only for pupils mapped by ``class``)."""
    school: str
    grade: str
    school_year: str | None = None
    """Only the classes of the snapshot's school year are counted, when given."""


class PupilColumns(StockColumns):
    """The pupils: one row per pupil (or per group, with ``count``)."""

    ROLES: ClassVar[tuple[str, ...]] = (
        "school",
        "class",
        "grade",
        "sex",
        "school_year",
        "count",
        "date",
    )
    school: str | None = None
    class_: str | None = Field(None, alias="class")
    """The pupil's class (a key of the classes table), which gives its school, grade and
    school year when the pupils table does not."""
    grade: str | None = None
    sex: str | None = None
    school_year: str | None = None

    @model_validator(mode="after")
    def _school_and_grade_are_found(self) -> PupilColumns:
        if self.class_ is None and (self.school is None or self.grade is None):
            raise ValueError("give school and grade, or class (with a classes table)")
        return self


class TeacherColumns(StockColumns):
    """The teachers: one row per teacher (or per group, with ``count``)."""

    ROLES: ClassVar[tuple[str, ...]] = ("school", "sex", "count", "date")
    school: str
    sex: str | None = None


class ResultColumns(Columns):
    """Exam results: one row per candidate (``result``), or per group (``candidates`` and
    ``passed`` counts)."""

    ROLES: ClassVar[tuple[str, ...]] = (
        "school",
        "year",
        "exam",
        "sex",
        "result",
        "candidates",
        "passed",
    )
    school: str
    year: str
    """The exam's year, a date in it, or the school year it closes (``2025-2026`` → 2026)."""
    exam: str | None = None
    sex: str | None = None
    result: str | None = None
    """A candidate's outcome: pass or fail (see ``passes`` and ``fails``)."""
    candidates: str | None = None
    passed: str | None = None

    @model_validator(mode="after")
    def _one_layout(self) -> ResultColumns:
        if (self.result is None) == (self.passed is None):
            raise ValueError("give result (one row per candidate) or passed (counts)")
        if self.passed is not None and self.candidates is None:
            raise ValueError("passed needs candidates (the number who sat the exam)")
        if self.result is not None and self.candidates is not None:
            raise ValueError("candidates goes with passed, not with result")
        return self


class PopulationColumns(Columns):
    """The school-age population of each commune (universal-education survey)."""

    ROLES: ClassVar[tuple[str, ...]] = ("commune", "year", "level", "sex", "count")
    commune: str
    year: str
    level: str
    """The level whose school age the row counts (e.g. ``6-10 tuổi`` → primary)."""
    count: str
    sex: str | None = None


class Lookup(BaseModel):
    """A foreign key followed to a lookup table: the value a role needs is in ``value`` of
    the ``table`` row whose ``key`` equals the mapped column (e.g. a class's ``nam_hoc_id``
    → ``dm_nam_hoc.ten_nam_hoc``, ``"2026-2027"``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str = Field(min_length=1)
    key: str = "id"
    value: str = Field(min_length=1)


class SqlTable(Columns):
    """Where a table is in the database, and how to see what changed."""

    table: str = Field(min_length=1)
    modified: str | None = None
    """A column with each row's modification time (or an increasing number): incremental
    syncs read what changed since the last run. Without it, the table is read in full."""
    lookups: dict[str, Lookup] = Field(default_factory=dict)
    """Role → the lookup table its mapped column refers to, e.g. ``{ school_year = { table =
    "dm_nam_hoc", key = "id", value = "ten_nam_hoc" } }``: read with a join, no view needed
    (the reader account needs SELECT on the lookup table too)."""

    @model_validator(mode="after")
    def _lookups_follow_mapped_columns(self) -> SqlTable:
        mapped = self.columns()
        for role in self.lookups:
            if role not in mapped:
                known = ", ".join(sorted(r for r in mapped if "." not in r))
                raise ValueError(f"lookups.{role}: no column is mapped as {role} ({known})")
        return self


class FileTable(Columns):
    """Where a table is among the exported files."""

    location: str = Field(min_length=1)
    """A path, ``file://`` URL or ``http(s)://`` URL of a CSV file or an .xlsx workbook."""
    format: Literal["csv", "xlsx"] | None = None
    """Default: from the file name's extension (``.xlsx``), else CSV."""
    sheet: str | None = None
    """The workbook's sheet; the first one when not given."""
    header_row: int = Field(1, ge=1)
    """The row (line) holding the column names; data follows it."""
    delimiter: str | None = Field(None, min_length=1, max_length=1)
    """The CSV delimiter; guessed among ``,``, ``;`` and tab when not given."""
    encoding: str = "utf-8-sig"


class SqlSchools(SqlTable, SchoolColumns):
    """Schools in a database table."""


class SqlClasses(SqlTable, ClassColumns):
    """Classes in a database table."""


class SqlPupils(SqlTable, PupilColumns):
    """Pupils in a database table."""


class SqlTeachers(SqlTable, TeacherColumns):
    """Teachers in a database table."""


class SqlResults(SqlTable, ResultColumns):
    """Exam results in a database table."""


class SqlPopulation(SqlTable, PopulationColumns):
    """School-age population in a database table."""


class FileSchools(FileTable, SchoolColumns):
    """Schools in an exported file."""


class FileClasses(FileTable, ClassColumns):
    """Classes in an exported file."""


class FilePupils(FileTable, PupilColumns):
    """Pupils in an exported file."""


class FileTeachers(FileTable, TeacherColumns):
    """Teachers in an exported file."""


class FileResults(FileTable, ResultColumns):
    """Exam results in an exported file."""


class FilePopulation(FileTable, PopulationColumns):
    """School-age population in an exported file."""


class EducationConfig(ConnectorConfig):
    """What both kinds share: how source values read (added to the defaults of
    :mod:`vocabulary`), and the tables."""

    model_config = ConfigDict(populate_by_name=True)

    levels: dict[str, str] = Field(default_factory=dict)
    """Source level → primary, lower_secondary, upper_secondary, primary_lower_secondary,
    lower_upper_secondary or primary_to_upper_secondary."""
    sexes: dict[str, str] = Field(default_factory=dict)
    """Source value → male or female, e.g. ``{ "1" = "male", "0" = "female" }``."""
    passes: list[str] = Field(default_factory=list)
    """Result values meaning a pass (added to Đỗ, Đạt, …)."""
    fails: list[str] = Field(default_factory=list)
    exams: dict[str, str] = Field(default_factory=dict)
    """Source exam name → the hub's exam code (the ``exam`` disaggregation)."""
    communes: dict[str, CommuneCode] = Field(default_factory=dict)
    """Source commune code → GSO code, for sources with their own codes."""

    @field_validator("levels")
    @classmethod
    def _levels_are_known(cls, value: dict[str, str]) -> dict[str, str]:
        return _values_in(value, tuple(LEVELS_OF), "level")

    @field_validator("sexes")
    @classmethod
    def _sexes_are_known(cls, value: dict[str, str]) -> dict[str, str]:
        return _values_in(value, SEXES, "sex")

    @model_validator(mode="after")
    def _classes_for_pupils(self) -> EducationConfig:
        pupils, classes = self.tables().get("pupils"), self.tables().get("classes")
        by_class = pupils is not None and pupils.class_ is not None
        if by_class and getattr(classes, "id", None) is None:
            raise ValueError("pupils.class needs a classes table with an id column")
        return self

    def vocabulary(self) -> Vocabulary:
        return Vocabulary.with_defaults(
            self.levels, self.sexes, self.passes, self.fails, self.exams, self.communes
        )

    def tables(self) -> dict[str, Any]:
        """The tables the mapping names, by role (``schools`` first); each kind's config
        declares them with its own table model."""
        found = {name: getattr(self, name, None) for name in TABLES}
        return {name: table for name, table in found.items() if table is not None}


class SqlConfig(EducationConfig):
    """A school-management database, read through SQLAlchemy."""

    url: SecretStr
    """A SQLAlchemy URL, e.g. ``mysql+pymysql://reader@10.0.0.5:3306/qlth?charset=utf8mb4``."""
    password: SecretStr | None = None
    """The database password, when it is not in the URL (no URL escaping needed)."""
    db_schema: str | None = Field(None, alias="schema")
    """The schema (PostgreSQL, SQL Server) holding the tables."""
    lookback_seconds: int = Field(600, ge=0)
    """How far before the last run's newest modification time an incremental run looks, for
    rows that committed late with an earlier time."""
    connect_timeout: float = Field(15.0, gt=0)
    """Seconds to wait for the server to accept a connection."""
    read_timeout: float = Field(300.0, gt=0)
    """MySQL/MariaDB: seconds a query may go without an answer before the connection counts
    as lost (and the run is retried)."""

    schools: SqlSchools
    classes: SqlClasses | None = None
    pupils: SqlPupils | None = None
    teachers: SqlTeachers | None = None
    results: SqlResults | None = None
    population: SqlPopulation | None = None


class FileConfig(EducationConfig):
    """Files exported by schools or by a school-management program: CSV or Excel."""

    snapshot: str | None = None
    """The day (or month) the export was taken, e.g. ``2026-09-30``; default: each file's
    modification date. A table's ``date`` column, when given, wins."""
    headers: dict[str, SecretStr] = Field(default_factory=dict)
    """HTTP headers sent with ``http(s)://`` locations (e.g. an API key)."""

    schools: FileSchools
    classes: FileClasses | None = None
    pupils: FilePupils | None = None
    teachers: FileTeachers | None = None
    results: FileResults | None = None
    population: FilePopulation | None = None

    @field_validator("snapshot")
    @classmethod
    def _snapshot_is_a_day(cls, value: str | None) -> str | None:
        if value is not None and parse_day(value) is None:
            raise ValueError(f"{value!r} is not a date (2026-09-30) or a month (2026-09)")
        return value


def _field(role: str) -> str:
    return "class_" if role == "class" else role


def _matches(wanted: Filter, fields: dict[str, Any], prefix: str) -> bool:
    for column, values in wanted.items():
        if text(fields.get(f"{prefix}.{column}")) not in {text(v) for v in values}:
            return False
    return True


def _values_in(mapping: dict[str, str], allowed: tuple[str, ...], what: str) -> dict[str, str]:
    for source, value in mapping.items():
        if value not in allowed:
            raise ValueError(f"{source!r} maps to {value!r}, not a {what} ({', '.join(allowed)})")
    return mapping
