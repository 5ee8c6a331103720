"""What a school-management system's values mean: levels, grades, sexes, exam outcomes.

Legacy systems spell the same thing many ways (``TH``, ``Tiểu học``, ``TIỂU HỌC``; ``Nam``,
``1``; ``Đỗ``, ``Đạt``). :class:`Vocabulary` reads them into the hub's canonical values,
from the defaults below merged with what a deployment adds in its config. Values that it cannot
read come back as None, and the caller quarantines the row with a reason.

General education in Vietnam has three levels (cấp học) over twelve grades (khối/lớp):
primary (tiểu học) grades 1–5, lower secondary (THCS) 6–9, upper secondary (THPT) 10–12. Many
schools, especially the ethnic boarding schools of the highlands, teach two or three levels.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Level = Literal["primary", "lower_secondary", "upper_secondary"]
SchoolLevel = Literal[
    "primary",
    "lower_secondary",
    "upper_secondary",
    "primary_lower_secondary",
    "lower_upper_secondary",
    "primary_to_upper_secondary",
]
Sex = Literal["male", "female"]

SEXES: tuple[Sex, ...] = ("male", "female")
GRADES_OF: dict[str, tuple[int, ...]] = {
    "primary": (1, 2, 3, 4, 5),
    "lower_secondary": (6, 7, 8, 9),
    "upper_secondary": (10, 11, 12),
}
LEVELS_OF: dict[str, tuple[str, ...]] = {
    "primary": ("primary",),
    "lower_secondary": ("lower_secondary",),
    "upper_secondary": ("upper_secondary",),
    "primary_lower_secondary": ("primary", "lower_secondary"),
    "lower_upper_secondary": ("lower_secondary", "upper_secondary"),
    "primary_to_upper_secondary": ("primary", "lower_secondary", "upper_secondary"),
}
"""The levels each kind of school teaches."""

DEFAULT_LEVELS: dict[str, str] = {
    **{level: level for level in LEVELS_OF},
    "tiểu học": "primary",
    "th": "primary",
    "cấp 1": "primary",
    "trung học cơ sở": "lower_secondary",
    "thcs": "lower_secondary",
    "cấp 2": "lower_secondary",
    "trung học phổ thông": "upper_secondary",
    "thpt": "upper_secondary",
    "cấp 3": "upper_secondary",
    "th và thcs": "primary_lower_secondary",
    "tiểu học và trung học cơ sở": "primary_lower_secondary",
    "thcs và thpt": "lower_upper_secondary",
    "trung học cơ sở và trung học phổ thông": "lower_upper_secondary",
    "th, thcs và thpt": "primary_to_upper_secondary",
    "th và thcs và thpt": "primary_to_upper_secondary",
    "phổ thông nhiều cấp": "primary_to_upper_secondary",
    # The school-age bands of the universal-education survey (phổ cập giáo dục).
    "6-10": "primary",
    "6-10 tuổi": "primary",
    "11-14": "lower_secondary",
    "11-14 tuổi": "lower_secondary",
    "15-17": "upper_secondary",
    "15-17 tuổi": "upper_secondary",
}
DEFAULT_SEXES: dict[str, str] = {
    "male": "male",
    "m": "male",
    "nam": "male",
    "female": "female",
    "f": "female",
    "nữ": "female",
    "nu": "female",
}
DEFAULT_PASSES = ("đỗ", "đạt", "do", "dat", "pass", "passed", "công nhận tốt nghiệp")
DEFAULT_FAILS = ("trượt", "không đạt", "hỏng", "truot", "fail", "failed", "không công nhận")
DEFAULT_EXAMS: dict[str, str] = {
    "tn thpt": "graduation",
    "tốt nghiệp thpt": "graduation",
    "thi tốt nghiệp thpt": "graduation",
    "graduation": "graduation",
    "tuyển sinh 10": "grade10_entrance",
    "vào 10": "grade10_entrance",
    "tuyển sinh lớp 10": "grade10_entrance",
    "grade10_entrance": "grade10_entrance",
}


def key(value: Any) -> str:
    """A source value as a lookup key: text, NFC, case-folded, ``&`` read as "và", spaces single.

    ``"TH&THCS"``, ``"TH & THCS"`` and ``"th và  thcs"`` all give ``"th và thcs"``.
    """
    text = unicodedata.normalize("NFC", str(value)).casefold().replace("&", " và ")
    return " ".join(text.split())


def text(value: Any) -> str | None:
    """A cell or column value as trimmed text; None when empty. ``12.0`` reads as ``"12"``."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    found = str(value).strip()
    return found or None


def level_of_grade(grade: int) -> Level:
    """The level a grade (1–12) belongs to."""
    for level, grades in GRADES_OF.items():
        if grade in grades:
            return level  # type: ignore[return-value]
    raise ValueError(f"{grade} is not a grade 1–12")


def grades_of(school_level: str) -> tuple[int, ...]:
    """Every grade a school of this (canonical) level teaches."""
    return tuple(g for level in LEVELS_OF[school_level] for g in GRADES_OF[level])


def parse_grade(value: Any) -> int | None:
    """A grade 1–12 from ``6``, ``"6"``, ``"Khối 6"``, ``"Lớp 10"`` or a class name ``"10A1"``."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = int(value) if float(value).is_integer() else None
    else:
        found = re.search(r"\d+", str(value))
        number = int(found.group()) if found else None
    return number if number is not None and 1 <= number <= 12 else None


@dataclass(frozen=True)
class Vocabulary:
    """The canonical reading of source values: the defaults plus a deployment's additions."""

    levels: Mapping[str, str] = field(default_factory=dict)
    sexes: Mapping[str, str] = field(default_factory=dict)
    passes: frozenset[str] = frozenset()
    fails: frozenset[str] = frozenset()
    exams: Mapping[str, str] = field(default_factory=dict)
    communes: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def with_defaults(
        cls,
        levels: Mapping[str, str] | None = None,
        sexes: Mapping[str, str] | None = None,
        passes: list[str] | None = None,
        fails: list[str] | None = None,
        exams: Mapping[str, str] | None = None,
        communes: Mapping[str, str] | None = None,
    ) -> Vocabulary:
        """The defaults, with the deployment's entries added (and winning over a default)."""
        return cls(
            levels={**DEFAULT_LEVELS, **_keyed(levels)},
            sexes={**DEFAULT_SEXES, **_keyed(sexes)},
            passes=frozenset(map(key, (*DEFAULT_PASSES, *(passes or ())))),
            fails=frozenset(map(key, (*DEFAULT_FAILS, *(fails or ())))),
            exams={**DEFAULT_EXAMS, **_keyed(exams)},
            communes=_keyed(communes),
        )

    def school_level(self, value: Any) -> str | None:
        """The canonical level of a school (one of :data:`LEVELS_OF`), or None."""
        return self.levels.get(key(value)) if text(value) else None

    def level(self, value: Any) -> str | None:
        """A single level (primary, lower_secondary, upper_secondary), or None."""
        found = self.school_level(value)
        return found if found in GRADES_OF else None

    def sex(self, value: Any) -> str | None:
        return self.sexes.get(key(value)) if text(value) else None

    def passed(self, value: Any) -> bool | None:
        """True for a pass, False for a fail, None when the value says neither."""
        if isinstance(value, bool):
            return value
        found = key(value) if text(value) else ""
        if found in self.passes:
            return True
        return False if found in self.fails else None

    def exam(self, value: Any) -> str | None:
        """The exam's code: mapped when known, else the source's own name, trimmed."""
        found = text(value)
        return self.exams.get(key(found), found) if found else None

    def commune(self, value: Any) -> str | None:
        """The GSO code of a commune: mapped when the source uses its own codes."""
        found = text(value)
        return self.communes.get(key(found), found) if found else None


def _keyed(mapping: Mapping[str, Any] | None) -> dict[str, Any]:
    return {key(source): value for source, value in (mapping or {}).items()}
