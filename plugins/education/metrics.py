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

from hub.plugins import Aggregation, IndicatorDefinition, MetricDefinition

SECTOR = "education"
SCHOOLS = "schools"
CLASSES = "school_classes"
PUPILS = "pupils_enrolled"
TEACHERS = "teachers"
CANDIDATES = "exam_candidates"
PASSES = "exam_passes"
POPULATION = "school_age_population"
CARRY_FORWARD = 12


def _stock(
    code: str, name: str, unit: str, dims: tuple[str, ...], about: str, name_vi: str
) -> MetricDefinition:
    return MetricDefinition(
        code=code,
        name=name,
        name_vi=name_vi,
        sector=SECTOR,
        aggregation=Aggregation.LAST,
        unit=unit,
        disaggregations=dims,
        carry_forward_months=CARRY_FORWARD,
        description=about,
    )


METRICS: list[MetricDefinition] = [
    _stock(
        SCHOOLS,
        "Schools",
        "schools",
        ("school", "level"),
        "General-education schools (1 per open school, 0 once closed), by level: primary, "
        "lower_secondary, upper_secondary, or a multi-level school "
        "(primary_lower_secondary, lower_upper_secondary, primary_to_upper_secondary).",
        name_vi="Số trường học",
    ),
    _stock(
        CLASSES,
        "Classes",
        "classes",
        ("school", "level", "grade"),
        "Classes (lớp) of the school year, by grade 1–12 and its level.",
        name_vi="Số lớp học",
    ),
    _stock(
        PUPILS,
        "Pupils enrolled",
        "pupils",
        ("school", "level", "grade", "sex"),
        "Pupils enrolled (học sinh đang học) in the school year, by grade 1–12, its level, "
        "and sex.",
        name_vi="Số học sinh",
    ),
    _stock(
        TEACHERS,
        "Teachers",
        "teachers",
        ("school", "sex"),
        "Teachers (giáo viên) working at the school.",
        name_vi="Số giáo viên",
    ),
    MetricDefinition(
        code=CANDIDATES,
        name="Exam candidates",
        name_vi="Số thí sinh dự thi",
        sector=SECTOR,
        aggregation=Aggregation.SUM,
        unit="candidates",
        disaggregations=("school", "exam", "sex"),
        description="Candidates who sat an exam (e.g. exam=graduation: the national "
        "upper-secondary graduation exam), in the year of the exam.",
    ),
    MetricDefinition(
        code=PASSES,
        name="Exam passes",
        name_vi="Số thí sinh đỗ",
        sector=SECTOR,
        aggregation=Aggregation.SUM,
        unit="candidates",
        disaggregations=("school", "exam", "sex"),
        description="Candidates who passed (đỗ, công nhận tốt nghiệp), in the year of the exam.",
    ),
    _stock(
        POPULATION,
        "School-age population",
        "children",
        ("level", "sex"),
        "Children of a level's official school age living in the commune (primary 6–10, "
        "lower secondary 11–14, upper secondary 15–17), from the universal-education survey.",
        name_vi="Dân số trong độ tuổi đi học",
    ),
]


INDICATORS: list[IndicatorDefinition] = [
    IndicatorDefinition(
        code="pupil_teacher_ratio",
        name="Pupils per teacher",
        name_vi="Số học sinh trên một giáo viên",
        numerator=PUPILS,
        denominator=TEACHERS,
        sector=SECTOR,
        unit="pupils per teacher",
    ),
    IndicatorDefinition(
        code="pupils_per_class",
        name="Pupils per class",
        name_vi="Số học sinh bình quân một lớp",
        numerator=PUPILS,
        denominator=CLASSES,
        sector=SECTOR,
        unit="pupils per class",
    ),
    IndicatorDefinition(
        code="exam_pass_rate",
        name="Exam pass rate",
        name_vi="Tỷ lệ thí sinh đỗ",
        numerator=PASSES,
        denominator=CANDIDATES,
        factor=100,
        sector=SECTOR,
        unit="%",
        description="Passes over candidates; ask it by exam.",
    ),
    IndicatorDefinition(
        code="enrolment_rate",
        name="Gross enrolment rate",
        name_vi="Tỷ lệ nhập học chung",
        numerator=PUPILS,
        denominator=POPULATION,
        factor=100,
        sector=SECTOR,
        unit="%",
        description="Pupils enrolled at a level per 100 children of its school age (tỷ lệ "
        "huy động); ask it by level. Pupils are counted where their school is, children "
        "where they live.",
    ),
]
