"""Configuration: one TOML file, validated at start, secrets from the environment."""

from hub.config.loading import ConfigError, load_settings, read_config, settings_from_dict
from hub.config.settings import ConnectorSettings, Settings

__all__ = [
    "ConfigError",
    "ConnectorSettings",
    "Settings",
    "load_settings",
    "read_config",
    "settings_from_dict",
]
