"""The health plugin's event kinds as the hub lists them, against the rules they follow: one kind
per clinical FHIR resource, its statuses the resource's FHIR R4 value set, and one daily count of
the events that happened, by the attributes the ``fhir`` connector writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from hub.connectors.records import Event
from hub.plugins import Aggregation, EventKindDefinition, MetricDefinition
from hub.plugins.manager import Plugins
from tests.plugins.health.test_mapping import condition, mapper, related


@dataclass(frozen=True)
class Rule:
    """What one clinical FHIR resource becomes: its event kind and the count made of it."""

    name: str
    value_set: str
    """The codes of the FHIR R4 element the event's status is read from, in the spec's order."""
    not_counted: frozenset[str]
    """The statuses of something that did not happen, or was recorded in error."""
    metric: str
    dims: dict[str, str]
    """The metric's disaggregation → the event attribute it is read from."""

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(self.value_set.split())


RULES = {
    "health.encounter": Rule(
        "Encounter",
        # Encounter.status (EncounterStatus)
        "planned arrived triaged in-progress onleave finished cancelled entered-in-error unknown",
        frozenset({"planned", "cancelled", "entered-in-error", "unknown"}),
        "health_encounters",
        {"encounter_class": "class", "facility": "facility"},
    ),
    "health.immunization": Rule(
        "Immunisation",
        # Immunization.status (ImmunizationStatusCodes)
        "completed entered-in-error not-done",
        frozenset({"entered-in-error", "not-done"}),
        "health_vaccine_doses",
        {"vaccine": "vaccine", "dose": "dose", "facility": "facility"},
    ),
    "health.disease_case": Rule(
        "Notifiable disease case",
        # Condition.verificationStatus (ConditionVerificationStatus), and "unknown" for a
        # Condition that has none: a case until refuted.
        "unconfirmed provisional differential confirmed refuted entered-in-error unknown",
        frozenset({"refuted", "entered-in-error"}),
        "health_disease_cases",
        {"disease": "disease", "classification": "classification"},
    ),
}

ENCOUNTER = {
    "resourceType": "Encounter",
    "id": "e",
    "status": "finished",
    "class": {"code": "AMB"},
    "period": {"start": "2024-07-01"},
    "serviceProvider": {"reference": "Organization/h"},
}
IMMUNIZATION = {
    "resourceType": "Immunization",
    "id": "i",
    "status": "completed",
    "vaccineCode": {"coding": [{"system": "urn:vn-epi", "code": "QVX"}]},
    "occurrenceDateTime": "2024-07-02",
    "location": {"reference": "Organization/h"},
    "protocolApplied": [{"doseNumberPositiveInt": 3}],
}
PATIENT = {"resourceType": "Patient", "id": "p", "address": [{"city": "Xã Đăk Cấm"}]}


def listed_kinds() -> dict[str, EventKindDefinition]:
    """The event kinds the hub lists from the health plugin, by code."""
    return {kind.code: kind for origin, kind in Plugins.load().event_kinds() if origin == "health"}


def listed_metrics() -> dict[str, MetricDefinition]:
    return {m.code: m for origin, m in Plugins.load().metrics() if origin == "health"}


def mapped_events() -> list[Event]:
    """An event of each clinical resource, as the ``fhir`` connector writes it."""
    m = mapper(vaccine_codes={"urn:vn-epi|QVX": "penta"}, address_units={"Xã Đăk Cấm": "23311"})
    items: list[Any] = [
        m.map(ENCOUNTER),
        m.map(IMMUNIZATION),
        m.condition(condition(), related(PATIENT)),
    ]
    assert all(isinstance(item, Event) for item in items), items
    return items


def test_there_is_one_kind_per_clinical_resource_named_and_in_the_health_sector() -> None:
    kinds = listed_kinds()

    assert {code: (k.name, k.sector) for code, k in kinds.items()} == {
        code: (rule.name, "health") for code, rule in RULES.items()
    }


@pytest.mark.parametrize("code", RULES)
def test_a_kinds_statuses_are_its_resources_fhir_value_set(code: str) -> None:
    assert listed_kinds()[code].statuses == RULES[code].statuses


@pytest.mark.parametrize("code", RULES)
def test_each_event_that_happened_counts_one_on_its_day_by_its_attributes(code: str) -> None:
    kind, rule = listed_kinds()[code], RULES[code]
    metric = listed_metrics()[rule.metric]

    (counted,) = kind.metrics
    happened = tuple(s for s in rule.statuses if s not in rule.not_counted)
    assert (counted.metric, counted.date, counted.value) == (rule.metric, "occurred_at", None)
    assert counted.where == {"status": happened}
    assert counted.dims == rule.dims
    assert (metric.sector, metric.aggregation) == ("health", Aggregation.SUM)
    assert metric.disaggregations == tuple(rule.dims)


@pytest.mark.parametrize("code", RULES)
def test_a_kind_declares_the_attributes_it_is_counted_by_and_says_what_they_hold(
    code: str,
) -> None:
    attributes = listed_kinds()[code].attributes

    assert list(attributes) == list(RULES[code].dims.values())
    assert all(isinstance(said, str) and said.strip() for said in attributes.values())


def test_the_connector_writes_events_of_the_listed_kinds_with_the_attributes_counted() -> None:
    kinds = listed_kinds()

    events = mapped_events()

    assert [e.kind for e in events] == list(RULES)
    for event in events:
        kind = kinds[event.kind]
        assert event.sector == kind.sector and event.status in kind.statuses
        assert set(kind.attributes) <= set(event.attributes), event.kind
