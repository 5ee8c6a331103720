"""What the database should hold after a load: the units and successions the files describe.

The 2025 reform took effect on 1 July 2025: the 3-level system (province, district, commune)
ended on 30 June, districts were abolished, and communes and provinces were merged.

- Legacy units (from the GSO files) have no known start and end on 30 June 2025.
- 2025 units start on 1 July 2025 and have no end.
- A province whose territory did not change (the legacy provinces that became new province P
  are exactly {P}) is one record valid throughout, parent of its legacy districts and of its
  new communes. Every other province has a legacy record and, when it lives on as the code of
  a merged province, a separate 2025 record.
- Successions take effect on 1 July 2025. A legacy commune that went whole into one 2025
  commune is a MERGE of weight 1, or a CONTINUE when the source says it was neither merged
  nor divided (same territory, new record). A divided commune is a SPLIT into n successors,
  each of weight 1/n: the source gives no areas or populations of the parts, so an equal split
  is the declared default. Legacy provinces that changed are MERGEd into their new province.
  Districts were abolished and have no successors, except the island districts that had no
  communes and became special zones (đặc khu) of the same territory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from hub.model.units import AdminLevel, SuccessionKind
from hub.units.codes import unit_identity
from hub.units.sources import (
    Commune2025,
    FileKind,
    LegacyCommune,
    LegacyDistrict,
    SuccessionLink,
    UnitsFile,
    UnitsFileError,
)

LEGACY_END = date(2025, 6, 30)
REFORM_2025 = date(2025, 7, 1)
PROVINCE_TYPES = ("Thành phố", "Tỉnh")


@dataclass(frozen=True, slots=True)
class PlannedUnit:
    """A unit as the files describe it. ``None`` coordinates mean "not given": kept as they are."""

    identity: str
    code: str
    name: str
    unit_type: str | None
    level: AdminLevel
    parent: str | None
    valid_from: date | None
    valid_to: date | None
    lat: float | None = None
    lon: float | None = None
    area_km2: float | None = None


@dataclass(frozen=True, slots=True)
class PlannedSuccession:
    predecessor: str
    successor: str
    kind: SuccessionKind
    weight: float
    effective: date = REFORM_2025


@dataclass(frozen=True)
class ProvinceContinuity:
    """Which province codes kept their territory through the reform, and which did not."""

    unchanged: frozenset[str] = frozenset()
    changed: frozenset[str] = frozenset()

    def knows(self, code: str) -> bool:
        return code in self.unchanged or code in self.changed

    def overridden_by(self, newer: ProvinceContinuity | None) -> ProvinceContinuity:
        """This knowledge, with what ``newer`` says about a province taking precedence."""
        if newer is None:
            return self
        return ProvinceContinuity(
            unchanged=(self.unchanged - newer.changed) | newer.unchanged,
            changed=(self.changed - newer.unchanged) | newer.changed,
        )

    @classmethod
    def from_links(cls, links: Iterable[SuccessionLink]) -> ProvinceContinuity:
        became: dict[str, set[str]] = defaultdict(set)
        for link in links:
            became[link.new_province].add(link.legacy_province)
        unchanged = {new for new, legacy in became.items() if legacy == {new}}
        every = set(became).union(*became.values())
        return cls(frozenset(unchanged), frozenset(every - unchanged))


@dataclass
class Plan:
    """The units the files describe, by identity, and the successions between them."""

    units: dict[str, PlannedUnit] = field(default_factory=dict)
    successions: list[PlannedSuccession] = field(default_factory=list)

    def add(self, unit: PlannedUnit) -> None:
        """Add a unit; a second description of the same unit completes the first."""
        known = self.units.get(unit.identity)
        self.units[unit.identity] = unit if known is None else _complete(known, unit)

    def of_level(self, level: AdminLevel) -> list[PlannedUnit]:
        return [unit for unit in self.units.values() if unit.level == level]


def make_plan(files: list[UnitsFile], continuity: ProvinceContinuity) -> Plan:
    """The units and successions described by ``files``, whatever their order."""
    records = _records_by_kind(files)
    plan = Plan()
    _plan_legacy(
        plan, records[FileKind.LEGACY_DISTRICTS], records[FileKind.LEGACY_COMMUNES], continuity
    )
    _plan_2025(plan, records[FileKind.COMMUNES_2025], continuity)
    plan.successions = plan_successions(records[FileKind.SUCCESSION], continuity)
    return plan


def continuity_from_files(files: list[UnitsFile]) -> ProvinceContinuity | None:
    """What the succession file says about the provinces; None when no such file is given."""
    links = _records_by_kind(files)[FileKind.SUCCESSION]
    return ProvinceContinuity.from_links(links) if links else None


def plan_successions(
    links: list[SuccessionLink], continuity: ProvinceContinuity
) -> list[PlannedSuccession]:
    """Successions of legacy communes (and island districts), then of legacy provinces."""
    return _commune_successions(links) + _province_successions(links, continuity)


def _records_by_kind(files: list[UnitsFile]) -> dict[FileKind, list]:
    records: dict[FileKind, list] = {kind: [] for kind in FileKind}
    for units_file in files:
        records[units_file.kind].extend(units_file.records)
    return records


def _plan_legacy(
    plan: Plan,
    districts: list[LegacyDistrict],
    communes: list[LegacyCommune],
    continuity: ProvinceContinuity,
) -> None:
    for row in [*districts, *communes]:
        plan.add(_legacy_province(row.province_code, row.province_name, continuity))
    for district in districts:
        plan.add(_legacy_unit(district, AdminLevel.DISTRICT, district.province_code))
    for commune in communes:
        plan.add(_legacy_unit(commune, AdminLevel.COMMUNE, commune.district_code))


def _legacy_province(code: str, name: str, continuity: ProvinceContinuity) -> PlannedUnit:
    # A province no source knows is assumed to have changed, as most did; should it turn out
    # not to have, a later load reopens its end in place (its identity is "code@" either way).
    unchanged = code in continuity.unchanged
    return PlannedUnit(
        identity=unit_identity(code, None),
        code=code,
        name=name,
        unit_type=_province_type(name),
        level=AdminLevel.PROVINCE,
        parent=None,
        valid_from=None,
        valid_to=None if unchanged else LEGACY_END,
    )


def _legacy_unit(
    row: LegacyDistrict | LegacyCommune, level: AdminLevel, parent_code: str
) -> PlannedUnit:
    return PlannedUnit(
        identity=unit_identity(row.code, None),
        code=row.code,
        name=row.name,
        unit_type=row.unit_type,
        level=level,
        parent=unit_identity(parent_code, None),
        valid_from=None,
        valid_to=LEGACY_END,
    )


def _plan_2025(plan: Plan, communes: list[Commune2025], continuity: ProvinceContinuity) -> None:
    for commune in communes:
        province = _province_2025(commune, continuity)
        plan.add(province)
        plan.add(
            PlannedUnit(
                identity=unit_identity(commune.code, REFORM_2025),
                code=commune.code,
                name=commune.name,
                unit_type=commune.unit_type,
                level=AdminLevel.COMMUNE,
                parent=province.identity,
                valid_from=REFORM_2025,
                valid_to=None,
                lat=commune.lat,
                lon=commune.lon,
                area_km2=commune.area_km2,
            )
        )


def _province_2025(commune: Commune2025, continuity: ProvinceContinuity) -> PlannedUnit:
    code = commune.province_code
    if not continuity.knows(code):
        raise UnitsFileError(
            f"province {code} is not in any succession file known: cannot tell whether it "
            "changed in the 2025 reform; load its succession file with the 2025 communes"
        )
    valid_from = None if code in continuity.unchanged else REFORM_2025
    return PlannedUnit(
        identity=unit_identity(code, valid_from),
        code=code,
        name=commune.province_name,
        unit_type=_province_type(commune.province_name),
        level=AdminLevel.PROVINCE,
        parent=None,
        valid_from=valid_from,
        valid_to=None,
        lat=commune.province_lat,
        lon=commune.province_lon,
    )


def _commune_successions(links: list[SuccessionLink]) -> list[PlannedSuccession]:
    successors: dict[str, list[SuccessionLink]] = defaultdict(list)
    for link in links:
        predecessor = unit_identity(link.legacy_code, None)
        if all(known.new_code != link.new_code for known in successors[predecessor]):
            successors[predecessor].append(link)
    return [
        PlannedSuccession(
            predecessor=predecessor,
            successor=unit_identity(link.new_code, REFORM_2025),
            kind=_commune_kind(link, parts=len(parts)),
            weight=1.0 / len(parts),
        )
        for predecessor, parts in successors.items()
        for link in parts
    ]


def _commune_kind(link: SuccessionLink, parts: int) -> SuccessionKind:
    # Counting the rows rather than reading isDividedWard keeps kind and weight consistent
    # (the two agree throughout the 2025 data).
    if parts > 1:
        return SuccessionKind.SPLIT
    return SuccessionKind.MERGE if link.merged else SuccessionKind.CONTINUE


def _province_successions(
    links: list[SuccessionLink], continuity: ProvinceContinuity
) -> list[PlannedSuccession]:
    pairs = dict.fromkeys(
        (link.legacy_province, link.new_province)
        for link in links
        if link.new_province not in continuity.unchanged
    )
    return [
        PlannedSuccession(
            predecessor=unit_identity(legacy, None),
            successor=unit_identity(new, REFORM_2025),
            kind=SuccessionKind.MERGE,
            weight=1.0,
        )
        for legacy, new in pairs
    ]


def _province_type(name: str) -> str | None:
    return next((kind for kind in PROVINCE_TYPES if name.startswith(f"{kind} ")), None)


def _complete(known: PlannedUnit, other: PlannedUnit) -> PlannedUnit:
    """``known`` with what ``other`` adds: coordinates, and the later (2025) name."""
    return replace(
        known,
        name=other.name,
        unit_type=other.unit_type or known.unit_type,
        lat=_given(other.lat, known.lat),
        lon=_given(other.lon, known.lon),
        area_km2=_given(other.area_km2, known.area_km2),
    )


def _given(value: float | None, default: float | None) -> float | None:
    return default if value is None else value
