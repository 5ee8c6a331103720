"""The API's ``Date`` and ``DateTime`` scalars: strawberry's, with refusals in the API's words.

A value that is not ISO 8601, or a moment the hub cannot store (outside the years 1 to 9999
once in UTC, e.g. ``9999-12-31T23:59:59-14:00``), is refused while the request is read, as
BAD_USER_INPUT naming the value and the expected form: never a parser's own message.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import dateutil.parser
import strawberry
from graphql import GraphQLError

DATETIME_EXAMPLE = "2026-03-01T08:00:00+07:00"


def parse_datetime(value: Any) -> datetime:
    """A DateTime argument, or a GraphQLError saying what is wrong with it."""
    if not isinstance(value, str):
        raise GraphQLError(f"a DateTime is a string such as {DATETIME_EXAMPLE!r}, not {value!r}")
    try:
        moment = dateutil.parser.isoparse(value)
    except (ValueError, OverflowError):
        raise GraphQLError(
            f"{value!r} is not a date and time: write it as ISO 8601, e.g. {DATETIME_EXAMPLE!r}"
        ) from None
    try:
        moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise GraphQLError(
            f"{value!r} is outside the dates the hub keeps (the years 1 to 9999, in UTC)"
        ) from None
    return moment


def parse_date(value: Any) -> date:
    """A Date argument, or a GraphQLError saying what is wrong with it."""
    if not isinstance(value, str):
        raise GraphQLError(f"a Date is a string such as '2026-03-01', not {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise GraphQLError(
            f"{value!r} is not a date: write it as YYYY-MM-DD, e.g. '2026-03-01'"
        ) from None


SCALARS: dict[object, Any] = {
    datetime: strawberry.scalar(
        name="DateTime",
        description="Date with time (isoformat)",
        serialize=datetime.isoformat,
        parse_value=parse_datetime,
    ),
    date: strawberry.scalar(
        name="Date",
        description="Date (isoformat)",
        serialize=date.isoformat,
        parse_value=parse_date,
    ),
}
"""The schema's scalar map: Python's datetime and date as the API reads and writes them."""
