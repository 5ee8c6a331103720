"""The health sector's metrics, indicators and event kinds.

**Counted from events.** The ``fhir`` connector writes one event per FHIR resource, keyed by
its id, and each event kind declares the daily metrics the hub counts from its events
(:class:`EventMetric`). The hub keeps those counts in step as events arrive and change: an
encounter marked ``entered-in-error``, a case refuted, an immunisation moved to another
facility takes its count with it. So the counts are right whatever order resources arrive in
and however often they are read — no connector-side arithmetic to get wrong.

- ``health_encounters``: encounters that took place (not planned, cancelled or entered in
  error), on the day they started, by class (the v3 ActCode: ``AMB``, ``EMER``, ``IMP``, …)
  and facility. An inpatient stay counts once, on admission day.
- ``health_vaccine_doses``: doses given (``completed``), by vaccine, dose number and facility.
- ``health_disease_cases``: notifiable disease cases, on the day of onset (else of the
  record), in the patient's commune of residence, by disease and classification
  (``confirmed``, else ``suspected``); refuted and entered-in-error diagnoses do not count.

**Reported as aggregates** (the ``dhis2`` kind, from facilities' monthly reports): beds,
immunisation target population, inpatient days. Beds and target populations are stocks:
``LAST``, carried forward 12 months since they are set once a year.
"""

from __future__ import annotations

from hub.plugins import (
    Aggregation,
    EventKindDefinition,
    EventMetric,
    IndicatorDefinition,
    MetricDefinition,
)

from .fhir_mapping import DISEASE_CASE, ENCOUNTER, IMMUNIZATION

SECTOR = "health"

ENCOUNTER_STATUSES = (
    "planned",
    "arrived",
    "triaged",
    "in-progress",
    "onleave",
    "finished",
    "cancelled",
    "entered-in-error",
    "unknown",
)
ENCOUNTERS_THAT_HAPPENED = ("arrived", "triaged", "in-progress", "onleave", "finished")
IMMUNIZATION_STATUSES = ("completed", "entered-in-error", "not-done")
VERIFICATION_STATUSES = (
    "unconfirmed",
    "provisional",
    "differential",
    "confirmed",
    "refuted",
    "entered-in-error",
    "unknown",
)
CASES_THAT_COUNT = ("unconfirmed", "provisional", "differential", "confirmed", "unknown")


METRICS: list[MetricDefinition] = [
    MetricDefinition(
        code="health_encounters",
        name="Health facility encounters",
        name_vi="Số lượt khám chữa bệnh",
        sector=SECTOR,
        unit="encounters",
        aggregation=Aggregation.SUM,
        disaggregations=("encounter_class", "facility"),
        description="Lượt khám chữa bệnh: encounters started on the day, by class and facility.",
    ),
    MetricDefinition(
        code="health_vaccine_doses",
        name="Vaccine doses given",
        name_vi="Số liều vắc xin đã tiêm",
        sector=SECTOR,
        unit="doses",
        aggregation=Aggregation.SUM,
        disaggregations=("vaccine", "dose", "facility"),
        description="Mũi tiêm chủng: doses given, by vaccine, dose number and facility.",
    ),
    MetricDefinition(
        code="health_disease_cases",
        name="Notifiable disease cases",
        name_vi="Số ca bệnh truyền nhiễm",
        sector=SECTOR,
        unit="cases",
        aggregation=Aggregation.SUM,
        disaggregations=("disease", "classification"),
        description=(
            "Ca mắc bệnh truyền nhiễm: by onset day and commune of residence; classification "
            "is confirmed or suspected."
        ),
    ),
    MetricDefinition(
        code="health_beds",
        name="Hospital beds",
        name_vi="Số giường bệnh",
        sector=SECTOR,
        unit="beds",
        aggregation=Aggregation.LAST,
        disaggregations=("facility",),
        carry_forward_months=12,
        description="Giường bệnh thực kê: beds in use at the facility.",
    ),
    MetricDefinition(
        code="health_inpatient_days",
        name="Inpatient days",
        name_vi="Số ngày điều trị nội trú",
        sector=SECTOR,
        unit="days",
        aggregation=Aggregation.SUM,
        disaggregations=("facility",),
        description="Ngày điều trị nội trú: inpatient bed-days of the period.",
    ),
    MetricDefinition(
        code="health_immunization_target",
        name="Immunisation target population",
        name_vi="Số đối tượng tiêm chủng",
        sector=SECTOR,
        unit="persons",
        aggregation=Aggregation.LAST,
        disaggregations=("vaccine", "dose"),
        carry_forward_months=12,
        description=(
            "Đối tượng tiêm chủng: the year's target (e.g. children under one) for each vaccine "
            "and dose, as planned by the expanded programme on immunisation. Read it by vaccine "
            "and dose: its total over vaccines counts the same children several times."
        ),
    ),
]


INDICATORS: list[IndicatorDefinition] = [
    IndicatorDefinition(
        code="health_immunization_coverage",
        name="Immunisation coverage",
        name_vi="Tỷ lệ tiêm chủng",
        numerator="health_vaccine_doses",
        denominator="health_immunization_target",
        factor=100,
        sector=SECTOR,
        unit="%",
        description=(
            "Tỷ lệ tiêm chủng: doses given over the target population, read by vaccine and "
            "dose (e.g. the third pentavalent dose over children under one)."
        ),
    ),
    IndicatorDefinition(
        code="health_bed_occupancy",
        name="Bed occupancy rate",
        name_vi="Công suất sử dụng giường bệnh",
        numerator="health_inpatient_days",
        denominator="health_beds * days",
        factor=100,
        sector=SECTOR,
        unit="%",
        description="Công suất sử dụng giường bệnh: inpatient days over bed-days available.",
    ),
]


EVENT_KINDS: list[EventKindDefinition] = [
    EventKindDefinition(
        code=ENCOUNTER,
        name="Encounter",
        sector=SECTOR,
        statuses=ENCOUNTER_STATUSES,
        attributes={"class": "v3 ActCode", "facility": "Organization/… or Location/…"},
        metrics=(
            EventMetric(
                "health_encounters",
                where={"status": ENCOUNTERS_THAT_HAPPENED},
                dims={"encounter_class": "class", "facility": "facility"},
            ),
        ),
    ),
    EventKindDefinition(
        code=IMMUNIZATION,
        name="Immunisation",
        sector=SECTOR,
        statuses=IMMUNIZATION_STATUSES,
        attributes={"vaccine": "code or name", "dose": "dose number", "facility": "reference"},
        metrics=(
            EventMetric(
                "health_vaccine_doses",
                where={"status": ("completed",)},
                dims={"vaccine": "vaccine", "dose": "dose", "facility": "facility"},
            ),
        ),
    ),
    EventKindDefinition(
        code=DISEASE_CASE,
        name="Notifiable disease case",
        sector=SECTOR,
        statuses=VERIFICATION_STATUSES,
        attributes={"disease": "name", "classification": "confirmed or suspected"},
        metrics=(
            EventMetric(
                "health_disease_cases",
                where={"status": CASES_THAT_COUNT},
                dims={"disease": "disease", "classification": "classification"},
            ),
        ),
    ),
]
