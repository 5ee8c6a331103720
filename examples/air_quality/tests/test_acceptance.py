"""The hub's acceptance suite, which every connector kind passes."""

from collections.abc import Callable

import pytest

from hub.core import Hub
from hub.testing import ConnectorAcceptance, ScriptedServer

from .conftest import READINGS, serve


class TestReadings(ConnectorAcceptance):
    @pytest.fixture
    def connector_under_test(
        self, air_hub: Callable[..., Hub], scripted_server: ScriptedServer
    ) -> tuple[Hub, str]:
        serve(scripted_server, READINGS)
        return air_hub(), "air"
