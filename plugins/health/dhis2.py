"""DHIS2 data value sets (``dataValueSets`` JSON) → observations, through the config's mapping.

A data value set, as ``GET /api/dataValueSets.json`` answers and as DHIS2 exports it::

    {"dataSet": "…", "period": "202401", "orgUnit": "…",
     "dataValues": [{"dataElement": "…", "period": "202401", "orgUnit": "…",
                     "categoryOptionCombo": "…", "attributeOptionCombo": "…", "value": "12",
                     "lastUpdated": "2024-02-03T10:11:12.000", "deleted": false}]}

A value's period, org unit and attribute option combo default to the set's. Each value is
mapped: its data element to a metric (and fixed disaggregations), its org unit to a GSO code,
its category option combo and attribute option combo to disaggregations, its period to a
canonical id (see :mod:`dhis2_periods`). A deleted value (``"deleted": true``, as
``includeDeleted=true`` reports it) retracts its observation. What cannot be mapped is a
:class:`BadRecord` saying which part is not in the mapping.

Combos map to disaggregations the metric declares, or to its total (``{}``): the values of
the combos that map to one cell (male and female, for a metric without ``sex``) are that
cell's parts, which the hub adds up, as DHIS2's analytics adds combos into a data element's
total (by the metric's rule: see :mod:`hub.ingest.successions`). Each value that is not of
the default combos is sent as the part ``<category option combo>.<attribute option combo>``,
so that a later value of one combo (an incremental run) replaces only its own part. The same
value given twice is a duplicate: the run counts it, and keeps the later one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from hub.connectors.records import BadRecord, Observation, Skipped
from hub.units.codes import is_gso_code

from .config import DataElementMapping, Dhis2Config, OrgUnitMapping
from .dhis2_periods import dhis2_period

UNMAPPED = "data element not in data_elements (skip_unmapped)"
DEFAULT_COMBOS = frozenset({"", "default", "HllvX50cXC0"})
"""DHIS2's ``default`` category option combo (its usual id, and its code): no disaggregation."""


@dataclass(frozen=True)
class DataValue:
    """One value of a data value set, with the set's defaults filled in."""

    number: int
    data_element: str
    period: str
    org_unit: str
    category_option_combo: str
    attribute_option_combo: str
    value: Any
    deleted: bool
    last_updated: str | None
    raw: dict[str, Any]

    @property
    def place(self) -> str:
        return f"dataValue {self.number}"

    def key(self) -> str:
        """The value's identity in DHIS2, as the observation's source record id."""
        parts = (
            self.data_element,
            self.period,
            self.org_unit,
            self.category_option_combo,
            self.attribute_option_combo,
        )
        return ".".join(parts)


@dataclass
class DataValueSet:
    values: list[DataValue] = field(default_factory=list)
    problems: list[BadRecord] = field(default_factory=list)


def read_data_value_set(content: bytes) -> DataValueSet:
    """The values of a ``dataValueSets`` JSON document; ValueError if it is not one."""
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("dataValues", []), list):
        raise ValueError("not a DHIS2 data value set (no dataValues list)")
    found = DataValueSet()
    for number, raw in enumerate(document.get("dataValues", []), start=1):
        value = _data_value(number, raw, document)
        if isinstance(value, BadRecord):
            found.problems.append(value)
        else:
            found.values.append(value)
    return found


def describe_data_value_set(found: DataValueSet) -> str:
    """A one-line summary: how many values, of which data elements, org units and periods."""
    elements = {v.data_element for v in found.values}
    units = {v.org_unit for v in found.values}
    periods = sorted({v.period for v in found.values})
    span = f" ({periods[0]} to {periods[-1]})" if periods else ""
    return (
        f"data value set: {len(found.values)} values of {len(elements)} data elements, "
        f"{len(units)} org units, {len(periods)} periods{span}"
    )


class Dhis2Mapping:
    """Maps data values to observations as the config says (see the module docstring)."""

    def __init__(self, config: Dhis2Config) -> None:
        self.config = config

    def observations(
        self, values: Iterable[DataValue]
    ) -> Iterator[Observation | BadRecord | Skipped]:
        """An observation per value, a bad record saying why not, or a skip (``skip_unmapped``)."""
        for value in values:
            yield self.observation(value)

    def observation(self, value: DataValue) -> Observation | BadRecord | Skipped:
        element = self._element(value.data_element)
        if element is None:
            if self.config.skip_unmapped:
                return Skipped(UNMAPPED)
            return _bad(value, f"data element {value.data_element!r} is not in data_elements")
        period = dhis2_period(value.period)
        unit, unit_dims = self._unit(value.org_unit)
        combo = self._dims(value.category_option_combo, self.config.category_option_combos)
        attributes = self._dims(value.attribute_option_combo, self.config.attribute_option_combos)
        problems = [
            period.problem,
            None if unit else f"org unit {value.org_unit!r} is not in org_units",
            None
            if combo is not None
            else (
                f"category option combo {value.category_option_combo!r} is not in "
                "category_option_combos"
            ),
            None
            if attributes is not None
            else (
                f"attribute option combo {value.attribute_option_combo!r} is not in "
                "attribute_option_combos"
            ),
        ]
        if any(problems) or period.id is None or unit is None:
            return _bad(value, "; ".join(p for p in problems if p))
        return Observation(
            metric=element.metric,
            unit=unit,
            period=period.id,
            value=None if value.deleted else value.value,
            dims={**element.dims, **unit_dims, **(combo or {}), **(attributes or {})},
            source_id=value.key(),
            place=value.place,
            part=_part(value),
        )

    def _element(self, data_element: str) -> DataElementMapping | None:
        mapped = self.config.data_elements.get(data_element)
        if isinstance(mapped, str):
            return DataElementMapping(metric=mapped)
        return mapped

    def _unit(self, org_unit: str) -> tuple[str | None, dict[str, str]]:
        """The GSO code of an org unit, and the disaggregations it adds (its facility)."""
        mapped = self.config.org_units.get(org_unit)
        if isinstance(mapped, OrgUnitMapping):
            return mapped.unit, mapped.dims
        if mapped is not None:
            return mapped, {}
        return (org_unit if is_gso_code(org_unit) else None), {}

    @staticmethod
    def _dims(combo: str, mapping: dict[str, dict[str, str]]) -> dict[str, str] | None:
        if combo in mapping:
            return mapping[combo]
        return {} if combo in DEFAULT_COMBOS else None


def _data_value(number: int, raw: Any, document: dict[str, Any]) -> DataValue | BadRecord:
    where = f"dataValue {number}"
    if not isinstance(raw, dict):
        return BadRecord(f"{where}: not an object", raw, place=where)

    def text(name: str, default: str | None = None) -> str:
        found = raw.get(name, default)
        return str(found).strip() if found is not None else ""

    value = DataValue(
        number=number,
        data_element=text("dataElement"),
        period=text("period", document.get("period")),
        org_unit=text("orgUnit", document.get("orgUnit")),
        category_option_combo=text("categoryOptionCombo"),
        attribute_option_combo=text("attributeOptionCombo", document.get("attributeOptionCombo")),
        value=None if raw.get("value") in (None, "") else raw.get("value"),
        deleted=raw.get("deleted") is True or str(raw.get("deleted")).lower() == "true",
        last_updated=str(raw["lastUpdated"]) if raw.get("lastUpdated") else None,
        raw=raw,
    )
    missing = [
        name
        for name, given in (
            ("dataElement", value.data_element),
            ("period", value.period),
            ("orgUnit", value.org_unit),
        )
        if not given
    ]
    if missing:
        return BadRecord(f"{where}: no {', no '.join(missing)}", raw, place=where)
    return value


def _part(value: DataValue) -> str | None:
    """The value's part of its cell: its combos, unless both are the default ones."""
    combos = (value.category_option_combo, value.attribute_option_combo)
    if all(combo in DEFAULT_COMBOS for combo in combos):
        return None
    return ".".join(combos)


def _bad(value: DataValue, reason: str) -> BadRecord:
    return BadRecord(f"{value.place}: {reason}", value.raw, place=value.place)
