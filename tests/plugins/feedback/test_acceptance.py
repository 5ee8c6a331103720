"""The hub's standard connector checks for ``open311``: a portal in JSON and in XML on a real
socket, and the bundled demo export in a folder."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from iochub_plugins.feedback import plugin

from hub.core import Hub
from hub.testing.acceptance import ConnectorAcceptance
from tests.plugins.feedback.conftest import Clock, table
from tests.plugins.feedback.portal_server import Open311Portal
from tests.plugins.feedback.test_sync import cases


class TestPortalJson(ConnectorAcceptance):
    @pytest.fixture
    def connector_under_test(
        self, feedback_hub: Callable[..., Hub], portal: Open311Portal, clock: Clock
    ) -> tuple[Hub, str]:
        for case in cases():
            portal.put(case)
        return feedback_hub({"portal": table(portal)}), "portal"


class TestPortalXml(ConnectorAcceptance):
    @pytest.fixture
    def connector_under_test(
        self, feedback_hub: Callable[..., Hub], portal: Open311Portal, clock: Clock
    ) -> tuple[Hub, str]:
        for case in cases():
            portal.put(case)
        return feedback_hub({"portal": table(portal, format="xml")}), "portal"


class TestDemoExport(ConnectorAcceptance):
    """The demo export, read with the real clock (its cases are all in the past)."""

    @pytest.fixture
    def connector_under_test(self, feedback_hub: Callable[..., Hub]) -> tuple[Hub, str]:
        demo = plugin.demo_connector()
        connector_id = demo.pop("id")
        return feedback_hub({connector_id: demo}), connector_id
