"""The kit's hubs: prepared, with the units asked for, each on its own copy of the template."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from hub.core import Hub
from hub.model import AdminUnit, ConnectorRow
from hub.testing.hubs import HubFactory
from hub.testing.units import COMMUNES_2025, write_unit_subset
from hub.units.loader import bundled_unit_files


def unit_codes(hub: Hub) -> set[str]:
    with hub.db.session() as session:
        return set(session.scalars(select(AdminUnit.code)))


def test_a_hub_holds_the_provinces_asked_for_and_its_connectors(iochub_hub: HubFactory) -> None:
    table = {"plugin": "traffic", "kind": "events-jsonl", "location": "/nowhere.jsonl"}
    hub = iochub_hub({"cams": table})
    codes = unit_codes(hub)
    assert "51" in codes and "23293" in codes  # Quảng Ngãi and its ward Kon Tum (2025)
    assert "62" in codes  # Kon Tum province, which went into Quảng Ngãi in 2025
    assert "01" not in codes and "1" not in codes
    with hub.db.session() as session:
        assert session.get(ConnectorRow, "cams").kind == "events-jsonl"
    assert unit_codes(iochub_hub({}, provinces=())) == set()


def test_hubs_do_not_share_their_database(iochub_hub: HubFactory) -> None:
    first, second = iochub_hub({}), iochub_hub({})
    with first.db.session() as session:
        session.add(ConnectorRow(id="only-here", plugin="x", kind="y", enabled=True))
    with second.db.session() as session:
        assert session.get(ConnectorRow, "only-here") is None
    assert first.settings.database.url != second.settings.database.url


def test_the_subset_keeps_every_2025_commune_of_the_province(tmp_path: Path) -> None:
    (communes,) = [p for p in write_unit_subset(tmp_path, ["51"]) if p.name == COMMUNES_2025]
    (bundled,) = [p for p in bundled_unit_files() if p.name == COMMUNES_2025]

    def of_51(path: Path) -> list[dict[str, str]]:
        with path.open(encoding="utf-8") as handle:
            return [row for row in csv.DictReader(handle) if int(row["provinceCode"]) == 51]

    kept = of_51(communes)
    assert kept == of_51(bundled) and len(kept) > 50
    with communes.open(encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == len(kept) + 1  # nothing else than the header
