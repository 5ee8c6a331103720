"""Reads the TOML file, expands ``${ENV}`` references, and validates everything at once.

A config that does not validate raises :class:`ConfigError` listing every problem, each as
``where: why``, so that an admin fixes them all in one go.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hub.config.settings import Settings

ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
CONFIG_ENV_VAR = "IOCHUB_CONFIG"
DROPPED_DEPTH = 2
"""What a problem drops: ``server.port``, or ``connectors.<id>`` as a whole."""
MAX_ROUNDS = 5


class ConfigError(Exception):
    """The configuration is not usable; ``problems`` says every reason."""

    def __init__(self, problems: list[str], source: str = "the configuration") -> None:
        self.problems = problems
        self.source = source
        super().__init__(f"{source} is not valid:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass
class ReadConfig:
    """A configuration file as read: settings to go on with, and every problem found."""

    settings: Settings
    """The settings, with each part that has a problem left at its default."""
    problems: list[str]
    source: str


def load_settings(
    path: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """The settings from ``path`` (or ``$IOCHUB_CONFIG``), or the defaults when neither is set."""
    read = read_config(path, environ)
    if read.problems:
        raise ConfigError(read.problems, read.source)
    return read.settings


def read_config(
    path: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> ReadConfig:
    """The file at ``path`` (or ``$IOCHUB_CONFIG``) read, with every problem of its settings.

    Raises :class:`ConfigError` only for a file that cannot be read or parsed at all.
    """
    environ = os.environ if environ is None else environ
    path = path or environ.get(CONFIG_ENV_VAR)
    if not path:
        return ReadConfig(Settings(), [], "the configuration")
    settings, problems = read_settings(read_toml(Path(path)), environ)
    return ReadConfig(settings, problems, str(path))


def read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"cannot read the file: {exc.strerror}"], str(path)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"not valid TOML: {exc}"], str(path)) from None


def settings_from_dict(
    raw: dict[str, Any], environ: Mapping[str, str], source: str = "the configuration"
) -> Settings:
    """The settings of ``raw``; a :class:`ConfigError` with every problem if any."""
    settings, problems = read_settings(raw, environ)
    if problems:
        raise ConfigError(problems, source)
    return settings


def read_settings(raw: dict[str, Any], environ: Mapping[str, str]) -> tuple[Settings, list[str]]:
    """The settings of ``raw`` and every problem of them.

    Each part with a problem is dropped (left at its default) and the rest validated again,
    so that the settings returned are usable for the checks that need them (plugins,
    connector kinds), and those report their problems in the same round.
    """
    problems: list[str] = []
    expanded = _expand(raw, environ, problems, where="")
    for _ in range(MAX_ROUNDS):
        try:
            return Settings.model_validate(expanded), problems
        except ValidationError as exc:
            for error in exc.errors():
                problems.append(_describe(error))
                _drop(expanded, error["loc"][:DROPPED_DEPTH])
    return Settings(), problems


def _drop(table: dict[str, Any], where: tuple[Any, ...]) -> None:
    """Remove the value at ``where`` (a setting, or a connector's or metric's whole table)."""
    if not where:
        return
    *parents, last = where
    for key in parents:
        table = table.get(key) if isinstance(table, dict) else None  # type: ignore[assignment]
    if isinstance(table, dict):
        table.pop(last, None)


def _expand(value: Any, environ: Mapping[str, str], problems: list[str], where: str) -> Any:
    if isinstance(value, dict):
        return {
            key: _expand(item, environ, problems, f"{where}.{key}" if where else key)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_expand(item, environ, problems, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, str):
        return ENV_REFERENCE.sub(lambda m: _lookup(m, environ, problems, where), value)
    return value


def _lookup(
    match: re.Match[str], environ: Mapping[str, str], problems: list[str], where: str
) -> str:
    name, default = match.group(1), match.group(2)
    if name in environ:
        return environ[name]
    if default is not None:
        return default
    problems.append(f"{where}: the environment variable {name} is not set")
    return ""


def _describe(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown setting"
    return f"{where}: {message}"
