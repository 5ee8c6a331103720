"""What every security connector kind shares: the pipeline, and turning one source record
into its records or into a BadRecord that says why not."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from hub.connectors.base import Connector
from hub.connectors.records import BadRecord, Item, Skipped

from .alerts import Alert, AlertError
from .config import SecurityConfig
from .pipeline import AlertPipeline

log = logging.getLogger(__name__)

BELOW_MIN_LEVEL = "alert below min_level"
BELOW_MIN_SEVERITY = "alert below min_severity"
NOT_CEF = "message that is not CEF (ignore_non_cef)"
FILTERED = "alert left out by the connector's filters (min_severity, ignore_non_cef)"


SecurityConfigT = TypeVar("SecurityConfigT", bound=SecurityConfig)


class SecurityConnector(Connector[SecurityConfigT]):
    """A security kind: its source's records go through an :class:`AlertPipeline`."""

    def pipeline(self, state: dict[str, Any]) -> AlertPipeline:
        return AlertPipeline(self.config, state)

    def alert_records(
        self,
        parse: Callable[[], Alert | Skipped | None],
        raw: str,
        place: str,
        pipeline: AlertPipeline,
    ) -> Iterator[Item]:
        """The records of one source record: those its alert brings, a skip when ``parse``
        filters it out (a :class:`Skipped` saying why, or None: a filter of the config), or a
        BadRecord with the reason and the raw text."""
        try:
            alert = parse()
        except AlertError as exc:
            yield BadRecord(str(exc), raw, place)
            return
        except Exception as exc:  # input from the network: one surprise must not stop the rest
            log.exception("%s: cannot read the record at %s", self.context.connector_id, place)
            yield BadRecord(f"unreadable ({type(exc).__name__}: {exc})", raw, place)
            return
        if alert is None:
            yield Skipped(FILTERED)
        elif isinstance(alert, Skipped):
            yield alert
        else:
            yield from pipeline.take(alert, place)
