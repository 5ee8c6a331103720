"""Schools: read from the schools table, reported as facilities, and the owners of every count.

Every value the plugin writes is one school's, placed in the school's commune: a school is
where a count comes from, and its commune code — possibly a code retired in the 2025 merger,
which the hub follows to the commune it went into — is where the count goes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from hub.connectors.records import BadRecord, Facility, Observation
from hub.numbers import NumberError, parse_number

from .config import SchoolColumns
from .rows import SourceRow
from .vocabulary import Vocabulary, grades_of, text

FACILITY_KIND = "school"


@dataclass(frozen=True)
class School:
    """One school as the source describes it."""

    id: str
    name: str
    commune: str
    level: str
    """Canonical: primary, lower_secondary, …, primary_to_upper_secondary."""
    active: bool
    place: str
    lat: float | None = None
    lon: float | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def grades(self) -> tuple[int, ...]:
        return grades_of(self.level)

    def facility(self) -> Facility:
        attributes = {"level": self.level, "active": self.active, **self.attributes}
        return Facility(
            source_id=self.id,
            name=self.name,
            kind=FACILITY_KIND,
            unit=self.commune,
            lat=self.lat,
            lon=self.lon,
            attributes=attributes,
            place=self.place,
        )

    def observation(
        self, metric: str, period: str, value: int, dims: dict[str, str]
    ) -> Observation:
        """A value of this school, in its commune; ``dims`` get the school added."""
        return Observation(
            metric=metric,
            unit=self.commune,
            period=period,
            value=value,
            dims={"school": self.id, **dims},
            source_id=self.id,
            place=f"school {self.id} ({self.place})",
        )


@dataclass
class Schools:
    """Every school of the source by id, and what became of those that are not usable."""

    known: dict[str, School] = field(default_factory=dict)
    quarantined: dict[str, str] = field(default_factory=dict)
    """Id → the place of a school row that was quarantined."""
    left_out: set[str] = field(default_factory=set)
    """Ids of schools the ``only`` filter leaves out: their rows are left out too."""
    problems: list[tuple[str | None, BadRecord]] = field(default_factory=list)
    """Quarantined school rows, with the school's id when the row has one."""

    def __iter__(self) -> Iterator[School]:
        return iter(self.known.values())

    def __len__(self) -> int:
        return len(self.known)


def read_schools(
    rows: Iterable[SourceRow], mapping: SchoolColumns, vocabulary: Vocabulary
) -> Schools:
    """The schools of these rows; a row that cannot be placed becomes a problem."""
    schools = Schools()
    for row in rows:
        school_id = text(row.get("id"))
        if row.problem:
            schools.problems.append((None, _bad(row, row.problem)))
        elif school_id is None:
            schools.problems.append((None, _bad(row, "no school id")))
        elif not mapping.selected(row.fields):
            schools.left_out.add(school_id)
        elif school_id in schools.known or school_id in schools.quarantined:
            first = _first_place(schools, school_id)
            problem = _bad(row, f"school {school_id!r} again (first at {first})")
            schools.problems.append((school_id, problem))
        else:
            _add(schools, school_id, row, mapping, vocabulary)
    return schools


def _add(
    schools: Schools, school_id: str, row: SourceRow, mapping: SchoolColumns, words: Vocabulary
) -> None:
    commune, level = words.commune(row.get("commune")), words.school_level(row.get("level"))
    if commune is None or level is None:
        schools.quarantined[school_id] = row.place
        schools.problems.append((school_id, _bad(row, _unusable(row, commune))))
        return
    schools.known[school_id] = School(
        id=school_id,
        name=text(row.get("name")) or school_id,
        commune=commune,
        level=level,
        active=mapping.is_active(row.fields),
        place=row.place,
        lat=_coordinate(row.get("lat")),
        lon=_coordinate(row.get("lon")),
        attributes=_attributes(row),
    )


def _unusable(row: SourceRow, commune: str | None) -> str:
    if commune is None:
        return "no commune code: the school cannot be placed"
    return (
        f"level {row.get('level')!r} is not a school level the hub knows; map it with "
        "`levels`, or leave such schools out with `only`"
    )


def _first_place(schools: Schools, school_id: str) -> str:
    if school_id in schools.known:
        return schools.known[school_id].place
    return schools.quarantined[school_id]


def _attributes(row: SourceRow) -> dict[str, Any]:
    return {
        role.removeprefix("attribute."): _plain(value)
        for role, value in row.fields.items()
        if role.startswith("attribute.") and value is not None
    }


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) else text(value)


def _coordinate(value: Any) -> float | None:
    try:
        number = parse_number(text(value))
    except NumberError:
        return None
    return number if number is not None and -180 <= number <= 180 else None


def _bad(row: SourceRow, reason: str) -> BadRecord:
    return BadRecord(f"{row.place}: {reason}", row.raw, row.place)
