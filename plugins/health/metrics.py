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

from hub.plugins import EventKindDefinition, EventMetric, IndicatorDefinition, MetricDefinition
from hub.plugins.definitions import Sector

SECTOR = "health"
ENCOUNTER = "health.encounter"
IMMUNIZATION = "health.immunization"
DISEASE_CASE = "health.disease_case"
health = Sector(SECTOR)

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
    health.count(
        "health_encounters",
        "encounters",
        "Health facility encounters",
        "Số lượt khám chữa bệnh",
        dims=("encounter_class", "facility"),
        about="Lượt khám chữa bệnh: encounters started on the day, by class and facility.",
    ),
    health.count(
        "health_vaccine_doses",
        "doses",
        "Vaccine doses given",
        "Số liều vắc xin đã tiêm",
        dims=("vaccine", "dose", "facility"),
        about="Mũi tiêm chủng: doses given, by vaccine, dose number and facility.",
    ),
    health.count(
        "health_disease_cases",
        "cases",
        "Notifiable disease cases",
        "Số ca bệnh truyền nhiễm",
        dims=("disease", "classification"),
        about="Ca mắc bệnh truyền nhiễm: by onset day and commune of residence; classification "
        "is confirmed or suspected.",
    ),
    health.stock(
        "health_beds",
        "beds",
        "Hospital beds",
        "Số giường bệnh",
        dims=("facility",),
        about="Giường bệnh thực kê: beds in use at the facility.",
    ),
    health.count(
        "health_inpatient_days",
        "days",
        "Inpatient days",
        "Số ngày điều trị nội trú",
        dims=("facility",),
        about="Ngày điều trị nội trú: inpatient bed-days of the period.",
    ),
    health.stock(
        "health_immunization_target",
        "persons",
        "Immunisation target population",
        "Số đối tượng tiêm chủng",
        dims=("vaccine", "dose"),
        about="Đối tượng tiêm chủng: the year's target (e.g. children under one) for each "
        "vaccine and dose, as planned by the expanded programme on immunisation. Read it by "
        "vaccine and dose: its total over vaccines counts the same children several times.",
    ),
]


INDICATORS: list[IndicatorDefinition] = [
    health.percent(
        "health_immunization_coverage",
        "health_vaccine_doses",
        "health_immunization_target",
        "Immunisation coverage",
        "Tỷ lệ tiêm chủng",
        about="Tỷ lệ tiêm chủng: doses given over the target population, read by vaccine and "
        "dose (e.g. the third pentavalent dose over children under one).",
    ),
    health.percent(
        "health_bed_occupancy",
        "health_inpatient_days",
        "health_beds * days",
        "Bed occupancy rate",
        "Công suất sử dụng giường bệnh",
        about="Công suất sử dụng giường bệnh: inpatient days over bed-days available.",
    ),
]


def counted_resource(
    code: str,
    name: str,
    statuses: tuple[str, ...],
    attributes: dict[str, str],
    *,
    counts: str,
    when: tuple[str, ...],
    by: dict[str, str],
) -> EventKindDefinition:
    """The kind of event the ``fhir`` connector writes for one kind of resource.

    ``statuses`` are the codes of the resource's status, ``attributes`` what its events carry.
    Each event whose status is one of ``when`` counts 1 into the metric ``counts``, in its
    unit on the day it occurred, by ``by`` (the metric's disaggregation → the attribute it is
    read from).
    """
    counted = EventMetric(counts, where={"status": when}, dims=by)
    return EventKindDefinition(code, name, SECTOR, statuses, attributes, (counted,))


EVENT_KINDS: list[EventKindDefinition] = [
    counted_resource(
        ENCOUNTER,
        "Encounter",
        ENCOUNTER_STATUSES,
        {"class": "v3 ActCode", "facility": "Organization/… or Location/…"},
        counts="health_encounters",
        when=ENCOUNTERS_THAT_HAPPENED,
        by={"encounter_class": "class", "facility": "facility"},
    ),
    counted_resource(
        IMMUNIZATION,
        "Immunisation",
        IMMUNIZATION_STATUSES,
        {"vaccine": "code or name", "dose": "dose number", "facility": "reference"},
        counts="health_vaccine_doses",
        when=("completed",),
        by={"vaccine": "vaccine", "dose": "dose", "facility": "facility"},
    ),
    counted_resource(
        DISEASE_CASE,
        "Notifiable disease case",
        VERIFICATION_STATUSES,
        {"disease": "name", "classification": "confirmed or suspected"},
        counts="health_disease_cases",
        when=CASES_THAT_COUNT,
        by={"disease": "disease", "classification": "classification"},
    ),
]
