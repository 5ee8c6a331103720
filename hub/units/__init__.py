"""Vietnam's administrative units: loading them (with their 2025 successions) and reading them."""

from hub.units.loader import (
    LoadSummary,
    ProgressCallback,
    UnitsFileError,
    bundled_unit_files,
    load_units,
)
from hub.units.plan import LEGACY_END, REFORM_2025
from hub.units.queries import UnitResolver, UnitSpan, children, descendants, valid_on

__all__ = [
    "LEGACY_END",
    "REFORM_2025",
    "LoadSummary",
    "ProgressCallback",
    "UnitResolver",
    "UnitSpan",
    "UnitsFileError",
    "bundled_unit_files",
    "children",
    "descendants",
    "load_units",
    "valid_on",
]
