"""The education sector's metrics and indicators.

Every count is written per school: the disaggregation ``school`` holds the school's id in its
source (the ``source_id`` of its facility). That is what makes the counts safe to load: two
schools filed under different commune codes that the 2025 reform merged land in the same
commune, and without the school in the natural key the second would overwrite the first. It
also lets an incremental sync recount only the schools that changed, and a dashboard show one
school. Asked without ``by``, the hub sums the schools as it sums any disaggregation.

Choices of aggregation:

- **Stocks** — schools, classes, pupils enrolled, teachers, school-age population — are
  ``LAST``: the latest value in the period, summed over units. They are carried forward 12
  months, because exports come once or twice a school year (the censuses of 30 September and
  31 May), and a school that closes is written as zeros, not left out.
- **Exam results** — candidates and passes — are ``SUM``, dated by the year of the exam.

Indicators are computed from the aggregated parts, never averaged: the pupil–teacher ratio,
pupils per class, the exam pass rate and the gross enrolment rate (pupils enrolled at a level
per 100 children of that level's school age; ask it ``by: ["level"]``, since pupils of all
levels over the children of all school ages mixes ages). See also :mod:`periods`.
"""

from __future__ import annotations

from hub.plugins import IndicatorDefinition, MetricDefinition
from hub.plugins.definitions import Sector

SECTOR = "education"
education = Sector(SECTOR)
SCHOOLS = "schools"
CLASSES = "school_classes"
PUPILS = "pupils_enrolled"
TEACHERS = "teachers"
CANDIDATES = "exam_candidates"
PASSES = "exam_passes"
POPULATION = "school_age_population"


def per_school(*dims: str) -> tuple[str, ...]:
    """The disaggregations of a count written per school: the school, then ``dims``."""
    return ("school", *dims)


def _exam(code: str, name: str, name_vi: str, about: str) -> MetricDefinition:
    """An exam result: candidates summed, per school, exam and sex, in the year of the exam."""
    dims = per_school("exam", "sex")
    return education.count(code, "candidates", name, name_vi, dims=dims, about=about)


METRICS: list[MetricDefinition] = [
    education.stock(
        SCHOOLS,
        "schools",
        "Schools",
        "Số trường học",
        dims=per_school("level"),
        about="General-education schools (1 per open school, 0 once closed), by level: primary, "
        "lower_secondary, upper_secondary, or a multi-level school "
        "(primary_lower_secondary, lower_upper_secondary, primary_to_upper_secondary).",
    ),
    education.stock(
        CLASSES,
        "classes",
        "Classes",
        "Số lớp học",
        dims=per_school("level", "grade"),
        about="Classes (lớp) of the school year, by grade 1–12 and its level.",
    ),
    education.stock(
        PUPILS,
        "pupils",
        "Pupils enrolled",
        "Số học sinh",
        dims=per_school("level", "grade", "sex"),
        about="Pupils enrolled (học sinh đang học) in the school year, by grade 1–12, its level, "
        "and sex.",
    ),
    education.stock(
        TEACHERS,
        "teachers",
        "Teachers",
        "Số giáo viên",
        dims=per_school("sex"),
        about="Teachers (giáo viên) working at the school.",
    ),
    _exam(
        CANDIDATES,
        "Exam candidates",
        "Số thí sinh dự thi",
        "Candidates who sat an exam (e.g. exam=graduation: the national upper-secondary "
        "graduation exam), in the year of the exam.",
    ),
    _exam(
        PASSES,
        "Exam passes",
        "Số thí sinh đỗ",
        "Candidates who passed (đỗ, công nhận tốt nghiệp), in the year of the exam.",
    ),
    education.stock(
        POPULATION,
        "children",
        "School-age population",
        "Dân số trong độ tuổi đi học",
        dims=("level", "sex"),
        about="Children of a level's official school age living in the commune (primary 6–10, "
        "lower secondary 11–14, upper secondary 15–17), from the universal-education survey.",
    ),
]


INDICATORS: list[IndicatorDefinition] = [
    education.ratio(
        "pupil_teacher_ratio",
        PUPILS,
        TEACHERS,
        "pupils per teacher",
        "Pupils per teacher",
        "Số học sinh trên một giáo viên",
    ),
    education.ratio(
        "pupils_per_class",
        PUPILS,
        CLASSES,
        "pupils per class",
        "Pupils per class",
        "Số học sinh bình quân một lớp",
    ),
    education.percent(
        "exam_pass_rate",
        PASSES,
        CANDIDATES,
        "Exam pass rate",
        "Tỷ lệ thí sinh đỗ",
        about="Passes over candidates; ask it by exam.",
    ),
    education.percent(
        "enrolment_rate",
        PUPILS,
        POPULATION,
        "Gross enrolment rate",
        "Tỷ lệ nhập học chung",
        about="Pupils enrolled at a level per 100 children of its school age (tỷ lệ "
        "huy động); ask it by level. Pupils are counted where their school is, children "
        "where they live.",
    ),
]
