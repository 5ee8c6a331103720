"""The connector tables are checked when the config is read, every problem named."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from iochub_plugins.traffic.config import (
    AccidentFields,
    AccidentsRestConfig,
    MessageConfig,
    MqttConfig,
)
from pydantic import ValidationError

from hub.config import ConfigError, settings_from_dict
from hub.core import Hub


@pytest.mark.parametrize(
    ("model", "table", "problem"),
    [
        (MqttConfig, {"topics": ["a/#/b"]}, "'#' must be a whole level"),
        (MqttConfig, {"topics": ["a/b+"]}, "'+' must be a whole level"),
        (MqttConfig, {"topics": [""]}, "cannot be empty"),
        (MqttConfig, {"topics": []}, "at least 1 item"),
        (MqttConfig, {"topics": ["t"], "password": "x"}, "a password needs a username"),
        (
            MqttConfig,
            {"topics": ["t"], "reconnect_min_delay": 10, "reconnect_max_delay": 5},
            "reconnect_max_delay is shorter",
        ),
        (MqttConfig, {"topics": ["t"], "qos": 2}, "Input should be 0 or 1"),
        (MessageConfig, {"plates": "pseudonymise"}, "needs a plate_key"),
        (
            MessageConfig,
            {"fields": {"attributes": {"violation_type": "x"}}},
            "may not be named violation_type",
        ),
        (AccidentFields, {"occurred_at": ""}, "give occurred_at, or date"),
        (AccidentFields, {"attributes": {"deaths": "Chết"}}, "may not be named deaths"),
        (AccidentsRestConfig, {"url": "ftp://x"}, "should match pattern"),
        (AccidentsRestConfig, {"url": "https://x", "start": "last year"}, "Invalid isoformat"),
    ],
)
def test_a_bad_table_is_refused_saying_why(
    model: type[Any], table: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(problem)):
        model.model_validate(table)


def test_aliases_and_violation_types_are_read_in_the_hubs_spelling() -> None:
    config = MessageConfig.model_validate(
        {"violation_types": ["Red-Light", "Lấn làn"], "type_aliases": {"Vuot Den Do": "Red Light"}}
    )

    assert config.violation_types == ["red_light", "lấn_làn"]
    assert config.type_aliases == {"vuot_den_do": "red_light"}


def test_the_hub_lists_every_problem_with_its_connector_and_field() -> None:
    raw = {
        "connectors": {
            "cams": {"plugin": "traffic", "kind": "mqtt", "topics": ["a/#/b"], "colour": "red"},
            "police": {"plugin": "traffic", "kind": "accidents-rest", "url": "x"},
        }
    }

    with pytest.raises(ConfigError) as raised:
        Hub.create(settings_from_dict(raw, os.environ))

    text = str(raised.value)
    assert "connectors.cams.topics" in text and "connectors.cams.colour: unknown setting" in text
    assert "connectors.police.url" in text


def test_secrets_are_never_shown() -> None:
    config = MqttConfig.model_validate(
        {
            "topics": ["t"],
            "username": "iochub",
            "password": "hunter2",
            "plates": "pseudonymise",
            "plate_key": "k3y",
        }
    )

    assert "hunter2" not in repr(config) and "k3y" not in repr(config)
