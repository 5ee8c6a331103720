"""A connector kind names its config model once, as its type argument."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from hub.connectors.base import Connector, ConnectorConfig, ConnectorContext
from hub.connectors.records import Item


class PlaceConfig(ConnectorConfig):
    place: str


class ShelfConfig(PlaceConfig):
    shelf: int = 1


PlaceConfigT = TypeVar("PlaceConfigT", bound=PlaceConfig)


class PlaceConnector(Connector[PlaceConfigT]):
    """A family of kinds sharing code over a config of their own."""

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        yield from ()


class ShelfConnector(PlaceConnector[ShelfConfig]):
    pass


class NarrowShelfConnector(ShelfConnector):
    pass


class ByAttribute(Connector):  # the way of before, for classes handed over directly
    config_model = PlaceConfig

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        yield from ()


def test_the_type_argument_is_the_config_model_down_the_family() -> None:
    assert ShelfConnector.config_model is ShelfConfig
    assert NarrowShelfConnector.config_model is ShelfConfig  # inherited
    assert PlaceConnector.config_model is ConnectorConfig  # still generic: no model of its own
    assert ByAttribute.config_model is PlaceConfig


def test_a_connector_is_built_with_its_validated_config() -> None:
    config = ShelfConnector.config_model.model_validate({"place": "attic"})
    connector = ShelfConnector(config, ConnectorContext("shelf"))
    assert (connector.config.place, connector.config.shelf) == ("attic", 1)
