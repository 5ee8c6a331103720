"""The process's logging: one format from start to end, times in Vietnam's zone with offset.

``text`` is a line for people (``2026-03-02T08:15:00.123+07:00 ERROR hub.scheduler: …``);
``json`` is one object per line for a log collector, with the access log's fields
(operation, principal, status, duration) as fields of their own. Quiet by default: warnings
and errors; ``-v`` adds what the hub does, ``-vv`` everything (libraries' details too).
A server (``serve``) always logs what the hub does: its runs and one line per request.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from hub.zone import LOCAL_TIME

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
CHATTY = ("apscheduler", "alembic", "httpx", "uvicorn", "litestar")
"""Libraries whose INFO lines say little to an operator: shown from ``-vv`` on."""
RECORD_FIELDS = set(vars(logging.makeLogRecord({})))


class LocalTimeFormatter(logging.Formatter):
    """Times as ISO 8601 in the hub's zone, with its offset."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = datetime.fromtimestamp(record.created, LOCAL_TIME)
        return moment.isoformat(timespec="milliseconds")


class JsonFormatter(LocalTimeFormatter):
    """One JSON object per record: time, level, logger, message, and the record's extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in RECORD_FIELDS and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(verbosity: int = 0, log_format: str = "text") -> None:
    """Set the root logger's one handler (on stderr) and the levels ``verbosity`` asks."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else LocalTimeFormatter(TEXT_FORMAT)
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(
        logging.DEBUG if verbosity >= 2 else logging.INFO if verbosity else logging.WARNING
    )
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET if verbosity >= 2 else logging.WARNING)
    logging.getLogger("hub").setLevel(logging.NOTSET)


def log_what_the_hub_does() -> None:
    """For a server: the hub's own INFO lines (runs, requests) whatever the verbosity."""
    hub_logger = logging.getLogger("hub")
    if hub_logger.getEffectiveLevel() > logging.INFO:
        hub_logger.setLevel(logging.INFO)
