"""The 2025 reform, on the real units: Kon Tum (62) and Quảng Ngãi (51) became the new 51.

Kon Tum's 102 communes became 40 communes of the new Quảng Ngãi, merged whole; the legacy
Quảng Ngãi commune 21142 (Xã Trà Bùi) was divided between 21136 and 21157, and the island
district of Lý Sơn (536, without communes) became the special zone 21548. Data is made for
every legacy commune (and Lý Sơn) until June 2025 and every new commune from July 2025, and
the expected values are computed from the succession file read plainly with ``csv``.
"""

from __future__ import annotations

import random
from calendar import monthrange
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from hub.connectors.records import Observation as Record
from hub.core import Hub
from hub.units import load_units
from tests.aggregation.conftest import ask, by_unit_period, hub_on, load
from tests.units.reference import QUANG_NGAI, SUCCESSION, number, rows, write_subset

OLD_MAP, NEW_MAP = date(2025, 1, 1), date(2026, 1, 1)
LEGACY_MONTHS = [f"2024-{m:02d}" for m in range(1, 13)] + [f"2025-{m:02d}" for m in range(1, 7)]
NEW_MONTHS = [f"2025-{m:02d}" for m in range(7, 13)] + [f"2026-{m:02d}" for m in range(1, 7)]


@dataclass
class Reform:
    """The succession file, read plainly: who became what, and each legacy province."""

    successors: dict[str, list[str]]  # legacy commune → new communes
    predecessors: dict[str, list[str]]  # new commune → legacy communes
    province: dict[str, int]  # legacy commune → legacy province

    @classmethod
    def read(cls) -> Reform:
        successors, predecessors, province = defaultdict(list), defaultdict(list), {}
        for row in rows(SUCCESSION):
            if number(row["newProvinceCode"]) != QUANG_NGAI:
                continue
            old = _legacy_code(row)
            new = f"{number(row['newWardCode']):05d}"
            if new not in successors[old]:
                successors[old].append(new)
                predecessors[new].append(old)
            province[old] = number(row["provinceCode"])
        return cls(dict(successors), dict(predecessors), province)

    def weight(self, old: str) -> float:
        """The share of a legacy commune that went to each of its successors (equal parts)."""
        return 1 / len(self.successors[old])

    def share(self, old: str, new: str) -> float:
        """The share of a new commune that came from ``old``: its part over all its parts."""
        parts = {p: self.weight(p) for p in self.predecessors[new]}
        return parts[old] / sum(parts.values())


def _legacy_code(row: dict[str, str]) -> str:
    """The legacy commune, or the island district without communes (Lý Sơn, 536)."""
    if row["wardCode"]:
        return f"{number(row['wardCode']):05d}"
    return f"{number(row['districtCode']):03d}"


REFORM = Reform.read()
KON_TUM = sorted(c for c, p in REFORM.province.items() if p == 62)
LEGACY = sorted(REFORM.successors)
NEW = sorted(REFORM.predecessors)


@dataclass
class Maps:
    old: dict[tuple[str, str], int]
    new: dict[tuple[str, str], int]


def monthly(seed: int, units: list[str], months: list[str]) -> dict[tuple[str, str], int]:
    rnd = random.Random(seed)
    return {(unit, month): rnd.randint(0, 1000) for unit in units for month in months}


# Kept apart by map: a code can name a legacy and a new commune (23293).
TESTED = Maps(monthly(1, LEGACY, LEGACY_MONTHS), monthly(2, NEW, NEW_MONTHS))
BEDS = Maps(monthly(3, LEGACY, LEGACY_MONTHS[-6:]), monthly(4, NEW, NEW_MONTHS[:6]))
INPATIENTS = Maps(monthly(5, LEGACY, LEGACY_MONTHS[-6:]), monthly(6, NEW, NEW_MONTHS[:6]))


@pytest.fixture(scope="module")
def hub(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """One hub for the module (its tests only read): the units, then every value, loaded."""
    hub = hub_on(module_db_url)
    load_units(hub.db, write_subset(tmp_path_factory.mktemp("units"), {QUANG_NGAI}))
    data = {"tested": TESTED, "beds": BEDS, "inpatients": INPATIENTS}
    load(
        hub,
        [
            Record(metric, unit, month, value)
            for metric, maps in data.items()
            for values in (maps.old, maps.new)
            for (unit, month), value in values.items()
        ],
        every=2000,
    )
    yield hub
    hub.close()


def total(units: list[str], months: list[str], values: dict[tuple[str, str], int]) -> int:
    return sum(values.get((unit, month), 0) for unit in units for month in months)


def of_year(year: int) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(1, 13)]


def test_a_province_series_is_continuous_across_the_reform(hub: Hub) -> None:
    new_51 = ask(hub, "tested", "YEAR", "2024", "2026", units=["51"], as_of=NEW_MAP)
    assert by_unit_period(new_51) == {
        ("51", "2024"): total(LEGACY, of_year(2024), TESTED.old),
        ("51", "2025"): total(LEGACY, of_year(2025), TESTED.old)
        + total(NEW, of_year(2025), TESTED.new),
        ("51", "2026"): total(NEW, of_year(2026), TESTED.new),
    }
    assert not any(value.estimated for value in new_51)
    assert [(v.units_reporting, v.units_expected) for v in new_51] == [
        (len(LEGACY), len(LEGACY)),
        (len(LEGACY) + len(NEW), len(LEGACY) + len(NEW)),
        (len(NEW), len(NEW)),
    ]


def test_kon_tum_reads_on_after_it_was_merged_as_the_communes_its_territory_became(
    hub: Hub,
) -> None:
    became = sorted({new for old in KON_TUM for new in REFORM.successors[old]})
    assert (len(KON_TUM), len(became)) == (102, 40)
    kon_tum = ask(hub, "tested", "YEAR", "2024", "2026", units=["62"], as_of=OLD_MAP)
    assert by_unit_period(kon_tum) == {
        ("62", "2024"): total(KON_TUM, of_year(2024), TESTED.old),
        ("62", "2025"): total(KON_TUM, of_year(2025), TESTED.old)
        + total(became, of_year(2025), TESTED.new),
        ("62", "2026"): total(became, of_year(2026), TESTED.new),
    }
    assert not any(value.estimated for value in kon_tum)
    assert kon_tum[-1].units_expected == 40


def test_merged_communes_add_up_and_a_divided_one_is_shared_and_estimated(hub: Hub) -> None:
    communes = ask(
        hub, "tested", "YEAR", "2024", "2024", level="COMMUNE", within="51", as_of=NEW_MAP
    )
    assert len(communes) == len(NEW) == 96
    for value in communes:
        parts = REFORM.predecessors[value.unit.code]
        want = sum(REFORM.weight(old) * total([old], of_year(2024), TESTED.old) for old in parts)
        assert value.value == pytest.approx(want), value.unit.code
        assert value.estimated == any(len(REFORM.successors[old]) > 1 for old in parts)
        assert value.units_reporting == len(parts)
    estimated = sorted(v.unit.code for v in communes if v.estimated)
    assert estimated == ["21136", "21157"]


def test_new_data_reads_on_the_old_map_by_each_old_communes_share(hub: Hub) -> None:
    legacy = ask(
        hub, "tested", "QUARTER", "2026-Q1", "2026-Q1", level="COMMUNE", within="608", as_of=OLD_MAP
    )
    months = ["2026-01", "2026-02", "2026-03"]
    for value in legacy:
        old = value.unit.code
        shares = {new: REFORM.share(old, new) for new in REFORM.successors[old]}
        want = sum(share * total([new], months, TESTED.new) for new, share in shares.items())
        assert value.value == pytest.approx(want), old
        assert value.estimated == any(share < 1 for share in shares.values())
    (district,) = ask(hub, "tested", "QUARTER", "2026-Q1", "2026-Q1", units=["608"], as_of=OLD_MAP)
    assert district.value == pytest.approx(sum(v.value for v in legacy))


def test_shared_values_read_as_the_decimals_they_stand_for(hub: Hub) -> None:
    # Computed exactly with fractions: where shares give a finite decimal the answer is that
    # decimal, not a neighbour off in the sixteenth digit (as 2.2 + 2.6 = 4.800000000000001).
    legacy = ask(
        hub, "tested", "MONTH", "2025-07", "2026-06", level="COMMUNE", within="608", as_of=OLD_MAP
    )
    decimals = 0
    for value in legacy:
        old = value.unit.code
        exact = sum(
            exact_share(old, new) * total([new], [value.period], TESTED.new)
            for new in REFORM.successors[old]
        )
        digits = Decimal(exact.numerator) / Decimal(exact.denominator)
        if exact.denominator > 1 and Fraction(digits) == exact:  # a finite decimal
            decimals += 1
            assert value.value == float(digits), old
    assert decimals >= 12


def exact_share(old: str, new: str) -> Fraction:
    """:meth:`Reform.share` as a fraction."""
    parts = {p: Fraction(1, len(REFORM.successors[p])) for p in REFORM.predecessors[new]}
    return parts[old] / sum(parts.values())


def test_a_stock_across_the_reform_is_the_later_maps_last_value(hub: Hub) -> None:
    (year,) = ask(hub, "beds", "YEAR", "2025", "2025", units=["51"], as_of=NEW_MAP)
    assert year.value == total(NEW, ["2025-12"], BEDS.new)
    assert (year.units_reporting, year.units_expected) == (len(NEW), len(NEW))
    (half,) = ask(hub, "beds", "HALF_YEAR", "2025-H1", "2025-H1", units=["51"], as_of=NEW_MAP)
    assert half.value == total(LEGACY, ["2025-06"], BEDS.old)


def test_a_mean_over_a_period_spanning_the_reform_weighs_each_side_by_its_days(hub: Hub) -> None:
    def mean_of(units: list[str], months: list[str], values: dict[tuple[str, str], int]) -> float:
        days = {m: monthrange(int(m[:4]), int(m[5:]))[1] for m in months}
        return sum(
            sum(values[(u, m)] * days[m] for m in months) / sum(days.values()) for u in units
        )

    before = mean_of(LEGACY, LEGACY_MONTHS[-6:], INPATIENTS.old)  # 181 days
    after = mean_of(NEW, NEW_MONTHS[:6], INPATIENTS.new)  # 184 days
    (year,) = ask(hub, "inpatients", "YEAR", "2025", "2025", units=["51"], as_of=NEW_MAP)
    assert year.value == pytest.approx((before * 181 + after * 184) / 365)


def test_through_graphql_on_todays_map(hub: Hub) -> None:
    from litestar.testing import TestClient

    from hub.graphql.app import create_app

    query = """query($units: [ID!]) {
        aggregate(metric: "tested", periodType: YEAR, from: "2024", to: "2024", units: $units) {
            unit { code validFrom } value estimated unitsReporting } }"""
    with TestClient(create_app(hub)) as client:
        found = client.post(
            "/graphql", json={"query": query, "variables": {"units": ["21136", "23293"]}}
        )
        gone = client.post("/graphql", json={"query": query, "variables": {"units": ["62"]}})
    split, merged = found.json()["data"]["aggregate"]
    assert (split["unit"], split["estimated"]) == (
        {"code": "21136", "validFrom": "2025-07-01"},
        True,
    )
    assert (merged["estimated"], merged["unitsReporting"]) == (False, 5)
    assert merged["value"] == total(REFORM.predecessors["23293"], of_year(2024), TESTED.old)
    (error,) = gone.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "units: no unit has the code '62' on" in error["message"]
    assert "Tỉnh Kon Tum from the start to 2025-06-30" in error["message"]


def test_a_new_commune_reports_the_first_decree_09_month_which_starts_before_it(
    db_url: str, tmp_path: Path
) -> None:
    # The reporting month 2025-07 runs from 15 June to 14 July 2025: it starts before the
    # communes of the 2025 map existed, and their first report belongs to it.
    from hub.periods import Calendar

    hub = hub_on(db_url)
    try:
        load_units(hub.db, write_subset(tmp_path, {QUANG_NGAI}))
        new_commune = next(code for code in NEW if code not in REFORM.successors)  # a new code
        load(hub, [Record("tested", new_commune, "2025-07", 9, calendar="ND09")])
        (value,) = ask(
            hub,
            "tested",
            "MONTH",
            "2025-07",
            "2025-07",
            calendar=Calendar.ND09,
            units=[new_commune],
            as_of=NEW_MAP,
        )
        assert (value.value, value.units_reporting) == (9.0, 1)
    finally:
        hub.close()
