"""Values formatted as COPY text read back from PostgreSQL as the values themselves."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, create_engine, text

from hub.model.copy_text import NotCopyable, copy_chunks, copy_text, copyable, numbers_text
from tests.conftest import BACKENDS, POSTGRES_ADMIN_URL

COLUMNS = {
    "t": "text",
    "i": "bigint",
    "f": "double precision",
    "b": "boolean",
    "d": "date",
    "ts": "timestamptz",
    "tm": "time",
    "n": "numeric",
    "u": "uuid",
    "j": "jsonb",
}
AWKWARD_TEXT = ["a\tb", "two\nlines", "back\\slash", "cr\r", "\\N", "", "Đắk Hà – Kon Tum", "\\."]


@pytest.fixture(scope="module")
def connection() -> Any:
    """A connection to the test server, with a temporary table of a column of each type."""
    if "postgresql" not in BACKENDS:
        pytest.skip("COPY is PostgreSQL's, and the tests run without it")
    engine = create_engine(POSTGRES_ADMIN_URL)
    with engine.connect() as connection:
        columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
        connection.execute(text(f"CREATE TEMPORARY TABLE copied (n_row int, {columns})"))
        yield connection
    engine.dispose()


def copy_rows(connection: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """COPY the rows in as copy_chunks formats them, and read them back in order."""
    names = ["n_row", *COLUMNS]
    columns = [[n, *(row.get(name) for name in COLUMNS)] for n, row in enumerate(rows)]
    columns = [list(column) for column in zip(*columns, strict=True)]
    texts = [lambda column: list(map(copy_text, column))] * len(names)
    cursor = connection.connection.driver_connection.cursor()
    connection.execute(text("TRUNCATE copied"))
    with cursor.copy(f"COPY copied ({', '.join(names)}) FROM STDIN") as copy:
        for chunk in copy_chunks(columns, texts, rows=3):  # several chunks, one cut mid-way
            copy.write(chunk)
    found = connection.execute(text(f"SELECT {', '.join(COLUMNS)} FROM copied ORDER BY n_row"))
    return [dict(row._mapping) for row in found]


def test_awkward_text_and_every_type_read_back_unchanged(connection: Connection) -> None:
    moment = datetime(2026, 11, 29, 17, 5, 9, 123456, tzinfo=UTC)
    rows: list[dict[str, Any]] = [{"t": value} for value in AWKWARD_TEXT]
    rows += [
        {"i": 2**62, "f": 0.1, "b": True, "d": date(2025, 7, 1), "ts": moment},
        {"i": -7, "f": -0.0, "b": False, "tm": time(23, 59, 59, 999999), "n": Decimal("1.10")},
        {
            "f": 5e-324,
            "u": UUID(int=12345),
            "ts": datetime(2025, 6, 30, 23, tzinfo=timezone(timedelta(hours=7))),
        },
        {"f": 1.7976931348623157e308, "j": '{"note": "tab\\there \\\\ \\"quoted\\"", "n": 1}'},
        {"f": math.inf},
        {"f": -math.inf},
        {},  # every column null
    ]
    back = copy_rows(connection, rows)
    for row, found in zip(rows, back, strict=True):
        expected = {name: row.get(name) for name in COLUMNS}
        if expected["j"] is not None:
            expected["j"] = {"note": 'tab\there \\ "quoted"', "n": 1}
        assert found == expected
    assert math.copysign(1, back[len(AWKWARD_TEXT) + 1]["f"]) == -1  # -0.0 kept its sign


def test_not_a_number_reads_back_as_not_a_number(connection: Connection) -> None:
    (found,) = copy_rows(connection, [{"f": math.nan}])
    assert math.isnan(found["f"])


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
            st.floats(allow_nan=False),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_any_text_and_float_read_back_unchanged(
    connection: Connection, values: list[tuple[str, float]]
) -> None:
    back = copy_rows(connection, [{"t": t, "f": f} for t, f in values])
    assert [(row["t"], row["f"]) for row in back] == values


def test_a_value_of_an_unknown_type_is_refused_not_guessed() -> None:
    assert copy_text(None) == "\\N"
    assert copyable([[1, 2.5, None], ["a", None]])
    assert not copyable([[1, 2], ["a", b"\x00\x01"]])
    with pytest.raises(NotCopyable, match="bytes"):
        copy_text(b"\x00\x01")


@given(
    st.one_of(
        st.lists(st.floats()),
        st.lists(st.integers()),
        st.lists(st.one_of(st.none(), st.booleans(), st.integers(), st.floats())),
    )
)
def test_a_column_of_numbers_reads_as_its_values_one_by_one(values: list[Any]) -> None:
    assert list(numbers_text(values)) == [copy_text(value) for value in values]
