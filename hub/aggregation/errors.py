"""The one error aggregation raises for a request it cannot answer."""

from __future__ import annotations


class AggregationError(ValueError):
    """A request that cannot be answered as asked: which argument, and what would be valid."""

    def __init__(self, argument: str, message: str) -> None:
        self.argument = argument
        super().__init__(f"{argument}: {message}")
