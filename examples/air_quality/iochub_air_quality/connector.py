"""Daily air quality from a monitoring network's REST API, read on the hub's connector kit."""

from collections.abc import Iterator
from typing import Any

from hub.connectors.base import Connector
from hub.connectors.errors import BadInput
from hub.connectors.http import HttpAuth, HttpClient, PageNumber
from hub.connectors.incremental import Incremental
from hub.connectors.records import Checkpoint, Item, Observation, read_each


class AirQualityConfig(HttpAuth):
    url: str  # the API's base URL
    page_size: int = 100


class AirQualityConnector(Connector[AirQualityConfig]):
    """Each station's daily mean of each pollutant, for the station's commune."""

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        cursor = Incremental("updated_at", id="id", state=None if full else state.get("cursor"))
        paging = PageNumber(size=self.config.page_size, size_param="per_page")
        client = HttpClient(self.config.url, auth=self.config, retries=self.context.requests)
        with client:
            query = {"updated_since": cursor.since_text}
            for page in client.pages("readings", paging, query, items="results"):
                for reading in cursor.take(page.items):
                    yield from read_each(reading, observations, f"page {page.number}")
                yield Checkpoint({"cursor": cursor.state()})
        yield Checkpoint({"cursor": cursor.finish()})


def observations(reading: dict[str, Any]) -> list[Observation]:
    """One observation per pollutant; the hub checks the commune, the day and each value."""
    if not isinstance(reading.get("values"), dict) or not reading["values"]:
        raise BadInput("the reading has no values")
    unit, day = reading.get("commune"), reading.get("date")
    place = f"station {reading.get('station')} on {day}"
    return [
        Observation("air_concentration", unit, day, value, dims={"pollutant": name}, place=place)
        for name, value in reading["values"].items()
    ]
