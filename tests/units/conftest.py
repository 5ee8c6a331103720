"""Fixtures of the units tests: the bundled CSVs cut down to two 2025 provinces, and loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.model.database import Database
from hub.units import load_units
from tests.units.reference import SUBSET, write_subset


@pytest.fixture
def subset_files(tmp_path: Path) -> list[Path]:
    """The four files for Hà Nội, Quảng Ngãi and Kon Tum only."""
    return write_subset(tmp_path / "subset", SUBSET)


@pytest.fixture
def loaded(database: Database, subset_files: list[Path]) -> Database:
    """A database holding the units and successions of the subset."""
    load_units(database, subset_files)
    return database
