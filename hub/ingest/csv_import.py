"""Reads a long-format CSV of observations for ``iochub import``.

Columns: ``metric``, ``unit``, ``period``, ``value``, optionally ``calendar``, then one column
per disaggregation (an empty cell means the row is not disaggregated by it).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from hub.connectors.errors import PermanentSourceError
from hub.connectors.records import BadRecord, Checkpoint, Item, Observation

REQUIRED = ("metric", "unit", "period", "value")
CHECKPOINT_EVERY = 50_000


def read_long_csv(path: Path) -> Iterator[Item]:
    """Observations from the file, a BadRecord for each row that is malformed."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise PermanentSourceError(
                f"{path.name}: missing column(s) {', '.join(missing)} "
                f"(a long-format CSV has {', '.join(REQUIRED)}, then one column per disaggregation)"
            )
        dims = [name for name in header if name not in (*REQUIRED, "calendar")]
        for line, row in enumerate(reader, start=2):
            yield _observation(row, dims, f"{path.name} line {line}")
            if line % CHECKPOINT_EVERY == 0:
                yield Checkpoint({"file": path.name, "line": line})


def _observation(row: dict[str, str | None], dims: list[str], place: str) -> Item:
    if None in row:  # more cells than the header has columns
        return BadRecord("the row has more cells than the header", row, place)
    values = {key.strip(): (value or "").strip() for key, value in row.items()}
    empty = [name for name in ("metric", "unit", "period") if not values.get(name)]
    if empty:
        return BadRecord(f"empty {', '.join(empty)}", values, place)
    return Observation(
        metric=values["metric"],
        unit=values["unit"],
        period=values["period"],
        value=values["value"],
        dims={name: values[name] for name in dims if values.get(name)},
        calendar=values.get("calendar") or "GREGORIAN",
        place=place,
    )
