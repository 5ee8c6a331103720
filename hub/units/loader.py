"""Loading Vietnam's administrative units and their successions into the database.

``load_units`` reads any of the four files (see :mod:`hub.units.sources`), in any order,
works out what the database should hold (see :mod:`hub.units.plan` for the rules), and
upserts it in bulk, in one transaction: units by ``identity``, successions by their
(predecessor, successor) pair. Loading the same files again changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from hub.model.database import Database
from hub.model.units import AdminLevel, AdminUnit, Succession
from hub.units.plan import (
    REFORM_2025,
    Plan,
    PlannedSuccession,
    PlannedUnit,
    ProvinceContinuity,
    continuity_from_files,
    make_plan,
)
from hub.units.sources import UnitsFile, UnitsFileError, read_units_file

__all__ = ["LoadSummary", "ProgressCallback", "UnitsFileError", "bundled_unit_files", "load_units"]

ProgressCallback = Callable[[str, int, int], None]
"""Called with (stage, done, total) as a load goes on."""

DATA_DIR = Path(__file__).parent / "data"
BUNDLED_FILES = (
    "gso_legacy_districts_2025-07-18.csv",
    "gso_legacy_communes_2025-07-18.csv",
    "communes_2025_with_location.csv",
    "succession_legacy_to_2025.csv",
)
BATCH_SIZE = 2000
LEVELS = (AdminLevel.PROVINCE, AdminLevel.DISTRICT, AdminLevel.COMMUNE)
STAGES = {
    AdminLevel.PROVINCE: "provinces",
    AdminLevel.DISTRICT: "districts",
    AdminLevel.COMMUNE: "communes",
}
UNIT_FIELDS = (
    "code",
    "name",
    "unit_type",
    "level",
    "parent_id",
    "valid_from",
    "valid_to",
    "lat",
    "lon",
    "area_km2",
)
KEPT_WHEN_MISSING = ("lat", "lon", "area_km2")


def _zero_per_level() -> dict[AdminLevel, int]:
    return dict.fromkeys(LEVELS, 0)


@dataclass
class LoadSummary:
    """What one load found in its files and what it changed in the database."""

    files: list[tuple[Path, str]] = field(default_factory=list)
    """Each file and the kind it was recognised as."""
    units: dict[AdminLevel, int] = field(default_factory=_zero_per_level)
    inserted: dict[AdminLevel, int] = field(default_factory=_zero_per_level)
    updated: dict[AdminLevel, int] = field(default_factory=_zero_per_level)
    successions: int = 0
    successions_inserted: int = 0
    successions_updated: int = 0
    successions_deleted: int = 0

    @property
    def changed(self) -> bool:
        """Whether the load wrote anything."""
        successions = (
            self.successions_inserted,
            self.successions_updated,
            self.successions_deleted,
        )
        return any((*self.inserted.values(), *self.updated.values(), *successions))

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        """A few lines for a person: per level and for successions, found / new / updated."""
        lines = [
            f"{STAGES[level]:<12} {self.units[level]:>6} in the files, "
            f"{self.inserted[level]} new, {self.updated[level]} updated"
            for level in LEVELS
        ]
        lines.append(
            f"{'successions':<12} {self.successions:>6} in the files, "
            f"{self.successions_inserted} new, {self.successions_updated} updated, "
            f"{self.successions_deleted} removed"
        )
        return "\n".join(lines)


def bundled_unit_files() -> list[Path]:
    """The four CSVs shipped with the hub: every unit of Vietnam before and after 2025."""
    return [DATA_DIR / name for name in BUNDLED_FILES]


def load_units(
    db: Database, paths: Sequence[Path], progress: ProgressCallback | None = None
) -> LoadSummary:
    """Load units and successions from ``paths`` (in any order) into ``db``, idempotently.

    Raises :class:`UnitsFileError` for a file that is not one of the four kinds, holds a bad
    value, or refers to units that neither the files nor the database hold. Nothing is
    written then: the whole load is one transaction.
    """
    report = progress or _quiet
    files = _read_files(paths, report)
    summary = LoadSummary(files=[(units_file.path, units_file.kind.label) for units_file in files])
    with db.session() as session:
        plan = make_plan(files, _province_continuity(session, files))
        ids = _write_units(session, plan, summary, report)
        _write_successions(session, plan.successions, ids, summary, report)
    return summary


def _quiet(stage: str, done: int, total: int) -> None:
    """A progress callback that reports nowhere."""


def _read_files(paths: Sequence[Path], report: ProgressCallback) -> list[UnitsFile]:
    files = []
    for done, path in enumerate(paths, start=1):
        files.append(read_units_file(Path(path)))
        report("reading files", done, len(paths))
    return files


def _province_continuity(session: Session, files: list[UnitsFile]) -> ProvinceContinuity:
    """Which provinces kept their territory in 2025, by the most direct source at hand.

    The succession file given, else what earlier loads stored, else the bundled succession
    file: the reform is a fact of law, so the 2025 communes can be placed without the
    succession file at hand.
    """
    stored = _continuity_in_database(session)
    return _bundled_continuity().overridden_by(stored).overridden_by(continuity_from_files(files))


@cache
def _bundled_continuity() -> ProvinceContinuity:
    path = DATA_DIR / BUNDLED_FILES[-1]
    if not path.is_file():
        return ProvinceContinuity()
    return ProvinceContinuity.from_links(read_units_file(path).records)


def _continuity_in_database(session: Session) -> ProvinceContinuity:
    """What earlier loads decided: a province record valid throughout, or one from 2025 on."""
    rows = session.execute(
        select(AdminUnit.code, AdminUnit.valid_from, AdminUnit.valid_to).where(
            AdminUnit.level == AdminLevel.PROVINCE
        )
    )
    unchanged, changed = set(), set()
    for code, valid_from, valid_to in rows:
        if valid_from is None and valid_to is None:
            unchanged.add(code)
        elif valid_from == REFORM_2025:
            changed.add(code)
    return ProvinceContinuity(frozenset(unchanged), frozenset(changed))


# --- units -------------------------------------------------------------------------------


def _write_units(
    session: Session, plan: Plan, summary: LoadSummary, report: ProgressCallback
) -> dict[str, int]:
    """Insert and update the planned units, parents first; the id of every unit by identity."""
    stored = _stored_units(session)
    ids = {identity: row["id"] for identity, row in stored.items()}
    for level in LEVELS:
        planned = plan.of_level(level)
        summary.units[level] = len(planned)
        report(STAGES[level], 0, len(planned))
        for start in range(0, len(planned), BATCH_SIZE):
            batch = planned[start : start + BATCH_SIZE]
            _write_unit_batch(session, batch, stored, ids, summary)
            report(STAGES[level], start + len(batch), len(planned))
    return ids


def _stored_units(session: Session) -> dict[str, dict[str, Any]]:
    columns = [AdminUnit.id, AdminUnit.identity, *(getattr(AdminUnit, f) for f in UNIT_FIELDS)]
    return {row["identity"]: dict(row) for row in session.execute(select(*columns)).mappings()}


def _write_unit_batch(
    session: Session,
    batch: list[PlannedUnit],
    stored: dict[str, dict[str, Any]],
    ids: dict[str, int],
    summary: LoadSummary,
) -> None:
    new, changed = [], []
    for unit in batch:
        row = _unit_row(unit, ids)
        known = stored.get(unit.identity)
        if known is None:
            new.append(row)
        elif _unit_differs(row, known):
            changed.append({"id": known["id"], **_with_kept_values(row, known)})
    if new:
        inserted = session.execute(
            insert(AdminUnit).returning(AdminUnit.identity, AdminUnit.id), new
        )
        ids.update({identity: unit_id for identity, unit_id in inserted})
    if changed:
        session.execute(update(AdminUnit), changed)
    level = batch[0].level
    summary.inserted[level] += len(new)
    summary.updated[level] += len(changed)


def _unit_row(unit: PlannedUnit, ids: dict[str, int]) -> dict[str, Any]:
    parent_id = None
    if unit.parent is not None:
        parent_id = ids.get(unit.parent)
        if parent_id is None:
            raise UnitsFileError(
                f"unit {unit.identity} ({unit.name}) belongs to {unit.parent}, which is neither "
                "in the files nor in the database: load the legacy districts file too"
            )
    return {
        "identity": unit.identity,
        "code": unit.code,
        "name": unit.name,
        "unit_type": unit.unit_type,
        "level": unit.level,
        "parent_id": parent_id,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
        "lat": unit.lat,
        "lon": unit.lon,
        "area_km2": unit.area_km2,
    }


def _with_kept_values(row: dict[str, Any], known: dict[str, Any]) -> dict[str, Any]:
    """``row``, keeping the stored coordinates and area where the files give none."""
    kept = {name: known[name] for name in KEPT_WHEN_MISSING if row[name] is None}
    return {**row, **kept}


def _unit_differs(row: dict[str, Any], known: dict[str, Any]) -> bool:
    merged = _with_kept_values(row, known)
    return any(not _same(merged[name], known[name]) for name in UNIT_FIELDS)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b


# --- successions -------------------------------------------------------------------------


def _write_successions(
    session: Session,
    planned: list[PlannedSuccession],
    ids: dict[str, int],
    summary: LoadSummary,
    report: ProgressCallback,
) -> None:
    """Upsert the planned successions; drop the stale ones of the predecessors they cover."""
    summary.successions = len(planned)
    report("successions", 0, len(planned))
    if not planned:
        return
    wanted = _succession_rows(planned, ids)
    stored = _stored_successions(session)
    new = [row for pair, row in wanted.items() if pair not in stored]
    changed = [
        {"id": stored[pair]["id"], **row}
        for pair, row in wanted.items()
        if pair in stored and _succession_differs(row, stored[pair])
    ]
    stale = _stale_successions(stored, wanted)
    for start in range(0, len(new), BATCH_SIZE):
        session.execute(insert(Succession), new[start : start + BATCH_SIZE])
        report("successions", min(start + BATCH_SIZE, len(new)), len(planned))
    if changed:
        session.execute(update(Succession), changed)
    if stale:
        session.execute(delete(Succession).where(Succession.id.in_(stale)))
    report("successions", len(planned), len(planned))
    summary.successions_inserted = len(new)
    summary.successions_updated = len(changed)
    summary.successions_deleted = len(stale)


def _succession_rows(
    planned: list[PlannedSuccession], ids: dict[str, int]
) -> dict[tuple[int, int], dict[str, Any]]:
    missing = sorted(
        {s.predecessor for s in planned if s.predecessor not in ids}
        | {s.successor for s in planned if s.successor not in ids}
    )
    if missing:
        raise UnitsFileError(
            f"the succession file names {len(missing)} units that are neither in the files nor "
            f"in the database (e.g. {', '.join(missing[:3])}): load the legacy communes, legacy "
            "districts and 2025 communes files too"
        )
    rows = {}
    for succession in planned:
        pair = (ids[succession.predecessor], ids[succession.successor])
        rows[pair] = {
            "predecessor_id": pair[0],
            "successor_id": pair[1],
            "effective": succession.effective,
            "kind": succession.kind,
            "weight": succession.weight,
        }
    return rows


def _stored_successions(session: Session) -> dict[tuple[int, int], dict[str, Any]]:
    query = select(
        Succession.id,
        Succession.predecessor_id,
        Succession.successor_id,
        Succession.effective,
        Succession.kind,
        Succession.weight,
    )
    return {
        (row["predecessor_id"], row["successor_id"]): dict(row)
        for row in session.execute(query).mappings()
    }


def _succession_differs(row: dict[str, Any], known: dict[str, Any]) -> bool:
    return any(not _same(row[name], known[name]) for name in ("effective", "kind", "weight"))


def _stale_successions(
    stored: dict[tuple[int, int], dict[str, Any]], wanted: dict[tuple[int, int], dict[str, Any]]
) -> list[int]:
    """Stored successions of a covered predecessor, same date, that the files no longer state.

    The files state every successor of the predecessors they name: a corrected file that
    moves a commune to another successor must not leave the old link behind to double-count.
    """
    covered = {(row["predecessor_id"], row["effective"]) for row in wanted.values()}
    return [
        row["id"]
        for pair, row in stored.items()
        if pair not in wanted and (row["predecessor_id"], row["effective"]) in covered
    ]
