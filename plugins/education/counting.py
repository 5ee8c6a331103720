"""Counting: rows add up to one value per metric, owner, period and disaggregation.

An owner is a school (every stock and exam count) or a commune (the school-age population).
Stocks are LAST values, so a count that falls to nothing must be written as zero, or the hub
would go on showing the last value it saw. A :class:`Tally` therefore also knows what each
school is *expected* to report — its grid: every grade it teaches, for each sex — and writes a
zero for each expected value that no row counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from hub.connectors.records import Observation

Dims = tuple[tuple[str, str], ...]


class Owner(Protocol):
    """Whose value it is: it knows the unit, the source id and the place of its values."""

    @property
    def id(self) -> str: ...

    def observation(
        self, metric: str, period: str, value: int, dims: dict[str, str]
    ) -> Observation: ...


@dataclass(frozen=True)
class Commune:
    """A commune as the owner of a value that belongs to no school."""

    id: str
    place: str

    def observation(
        self, metric: str, period: str, value: int, dims: dict[str, str]
    ) -> Observation:
        return Observation(
            metric=metric,
            unit=self.id,
            period=period,
            value=value,
            dims=dims,
            source_id=f"{self.id}/{period}",
            place=self.place,
        )


def dims(**values: str | None) -> Dims:
    """A disaggregation as a sorted tuple, leaving out the names that have no value."""
    return tuple(sorted((name, value) for name, value in values.items() if value is not None))


class Tally:
    """Sums of counts, with zeros for what was expected and not counted."""

    def __init__(self) -> None:
        self._owners: dict[str, Owner] = {}
        self._sums: dict[tuple[str, str, str, Dims], int] = defaultdict(int)

    def add(self, metric: str, owner: Owner, period: str, key: Dims, amount: int) -> None:
        self._owners[owner.id] = owner
        self._sums[metric, owner.id, period, key] += amount

    def expect(self, metric: str, owner: Owner, period: str, key: Dims) -> None:
        """A value that is zero unless rows count something for it."""
        self.add(metric, owner, period, key, 0)

    def __len__(self) -> int:
        return len(self._sums)

    def observations(self) -> Iterator[Observation]:
        """One observation per sum, in a stable order."""
        for metric, owner, period, key in sorted(self._sums):
            value = self._sums[metric, owner, period, key]
            yield self._owners[owner].observation(metric, period, value, dict(key))
