"""The police system's accident export as CSV: one accident a row, columns named by the config.

The header must hold the id, time, deaths and injuries columns and every column the config
names explicitly; a column left at its default name may be missing (its value is then
unknown). A file that does not match is a configuration problem and fails the run; a row that
does not make an accident is quarantined with the line it came from.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from hub.connectors.errors import PermanentSourceError
from hub.connectors.records import BadRecord, Event

from .accidents import accident_item
from .config import AccidentFields, AccidentsCsvConfig

ALWAYS_NEEDED = ("id", "occurred_at", "date", "time", "deaths", "injuries")


def read_csv_accidents(content: bytes, config: AccidentsCsvConfig) -> Iterator[Event | BadRecord]:
    """Each row of the export as an accident event, or a bad record saying why not."""
    reader = csv.DictReader(
        io.StringIO(_decode(content, config.encoding), newline=""), delimiter=config.delimiter
    )
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    sources = config.columns.sources()
    _check_header(header, sources, config.columns)
    for row in reader:
        fields = {name: row.get(column) for name, column in sources.items()}
        raw = {column: value for column, value in row.items() if column is not None}
        yield accident_item(
            fields, raw, f"line {reader.line_num}", config.time_format, config.numbers
        )


def describe_csv(content: bytes, config: AccidentsCsvConfig) -> str:
    """A one-line summary: the rows and the columns the mapping uses."""
    text = _decode(content, config.encoding)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=config.delimiter))
    header = [name.strip() for name in rows[0]] if rows else []
    _check_header(header, config.columns.sources(), config.columns)
    return f"a CSV export of {max(len(rows) - 1, 0)} rows with the columns the mapping needs"


def _decode(content: bytes, encoding: str) -> str:
    try:
        return content.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise PermanentSourceError(
            f'the export is not {encoding} text ({exc}); set encoding, e.g. "cp1258"'
        ) from None


def _check_header(header: list[str], sources: dict[str, str], columns: AccidentFields) -> None:
    needed = set(ALWAYS_NEEDED) | columns.model_fields_set | set(columns.attributes)
    missing = sorted(
        {column for name, column in sources.items() if name in needed and column not in header}
    )
    if missing:
        found = ", ".join(header) or "no header"
        raise PermanentSourceError(
            f"the export has no column {', '.join(map(repr, missing))} (it has: {found})"
        )
