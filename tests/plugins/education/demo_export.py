"""The bundled Kon Tum export, read plainly with the csv module, and cut down for fast tests."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from iochub_plugins.education import plugin

TABLES = ("schools", "classes", "pupils", "teachers", "results", "population")


def demo_table() -> dict[str, Any]:
    """The demo connector's table, as ``iochub demo`` enables it (without its id)."""
    return {k: v for k, v in plugin.demo_export_connector().items() if k != "id"}


def rows(table: str, config: dict[str, Any] | None = None) -> list[dict[str, str]]:
    location = (config or demo_table())[table]["location"]
    with open(location, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def cut_down(folder: Path, school_prefix: str = "62618") -> dict[str, Any]:
    """The demo export of one district's schools (Ia H'Drai by default), written to ``folder``,
    and the connector table reading it."""
    table = demo_table()
    schools = {r["Mã trường"] for r in rows("schools") if r["Mã trường"].startswith(school_prefix)}
    communes = {r["Mã xã"] for r in rows("schools") if r["Mã trường"] in schools}
    folder.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        found = rows(name)
        key = "Mã xã" if name == "population" else "Mã trường"
        kept = [r for r in found if r[key] in (communes if name == "population" else schools)]
        path = folder / Path(table[name]["location"]).name
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(found[0]), lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(kept)
        table[name] = {**table[name], "location": str(path)}
    return table
