"""The standard checks every connector passes, for both kinds: ``sql`` against the legacy
database in MariaDB, ``file`` against (one district of) the bundled Kon Tum export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hub.core import Hub
from hub.testing.acceptance import ConnectorAcceptance
from tests.plugins.education import legacy_db
from tests.plugins.education.conftest import SchoolServer
from tests.plugins.education.demo_export import cut_down


class TestSqlKind(ConnectorAcceptance):
    @pytest.fixture
    def connector_under_test(
        self, legacy: SchoolServer, edu_hub: Callable[..., Hub]
    ) -> tuple[Hub, str]:
        return edu_hub({"schools-db": legacy_db.config(legacy.url)}), "schools-db"


class TestSqlKindWithALookBack(ConnectorAcceptance):
    """With the default look-back every run re-reads recent rows: still no change."""

    @pytest.fixture
    def connector_under_test(
        self, legacy: SchoolServer, edu_hub: Callable[..., Hub]
    ) -> tuple[Hub, str]:
        table = legacy_db.config(legacy.url, lookback_seconds=600)
        return edu_hub({"schools-db": table}), "schools-db"


class TestFileKind(ConnectorAcceptance):
    @pytest.fixture
    def connector_under_test(self, edu_hub: Callable[..., Hub], tmp_path: Path) -> tuple[Hub, str]:
        return edu_hub({"export": cut_down(tmp_path / "export")}), "export"
