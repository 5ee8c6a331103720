"""The connector kinds of the education plugin: ``sql`` and ``file``.

``sql`` reads a school-management database. Its state is the month of the last run and, for
each table with a ``modified`` column, the kit's cursor on that column (read before the
tables, in the same snapshot, so that a row changed during the run is seen next time). A run
in the same month recounts only the schools with a row modified since (see :mod:`.changes`);
the first run of a month — and ``--full`` — recounts every school, which gives every school a
value in every month and catches what timestamps cannot show: a row deleted outright.

``file`` reads exported files. Its state is one SHA-256 over their contents: a run with every
file unchanged writes nothing; otherwise every file is read again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hub.connectors.base import Connector
from hub.connectors.records import Checkpoint, Item

from . import periods
from .changes import table_cursors
from .config import FileConfig, SqlConfig
from .facts import education_records
from .file_source import FileSource
from .rows import EVERYTHING
from .sql_source import SqlSource


class SqlConnector(Connector[SqlConfig]):
    """A school-management database (MariaDB/MySQL, or any database SQLAlchemy reaches)."""

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        day = periods.today()
        month = periods.month_id(day)
        cursors = table_cursors(self.config, state, month, full)
        with SqlSource(self.config, day) as source:
            scope = cursors.scope(source)
            yield from education_records(source, self.config, scope)
        yield Checkpoint(cursors.state(month))

    def check(self) -> str:
        with SqlSource(self.config, periods.today()) as source:
            return source.describe()


class FileConnector(Connector[FileConfig]):
    """CSV files or Excel workbooks exported by schools or a school-management program."""

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        source = FileSource(self.config, self.context.http_timeout)
        version = source.fetch()
        if not full and state.get("sha256") == version:
            yield Checkpoint(state)
            return
        yield from education_records(source, self.config, EVERYTHING)
        yield Checkpoint({"sha256": version})

    def check(self) -> str:
        source = FileSource(self.config, self.context.http_timeout)
        source.fetch()
        return source.describe()
