"""The config models of the traffic connector kinds (their ``[connectors.<id>]`` tables).

See README.md for a full example of each. Secrets (``token``, ``headers``, ``password``,
``plate_key``) are ``SecretStr``: give them as ``"${ENV_VAR}"`` in the file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from hub.connectors.base import ConnectorConfig
from hub.connectors.document import DocumentConfig
from hub.connectors.http import HttpAuth
from hub.numbers import NumberConvention

from .accidents import FIELDS
from .privacy import PlateHandling
from .values import normal_type

MESSAGE_ATTRIBUTES = (
    "violation_type",
    "sensor_type",
    "camera_id",
    "speed",
    "speed_limit",
    "vehicle_class",
    "topic",
    "plate",
    "plate_pseudonym",
    "unit_approximate",
)
"""The attributes the plugin sets on camera and sensor events."""
DEFAULT_VIOLATION_TYPES = (
    "red_light",
    "speeding",
    "no_helmet",
    "no_seatbelt",
    "wrong_lane",
    "wrong_way",
    "illegal_parking",
    "illegal_stopping",
    "overload",
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AccidentFields(Strict):
    """Where each value of an accident is in a source record: a CSV column name, or a dotted
    path into a JSON item (``"place.commune"``). Leave a value out with ``""``."""

    id: str = "id"
    occurred_at: str = "occurred_at"
    """The date and time; or leave it ``""`` and give ``date`` and ``time`` apart."""
    date: str = ""
    time: str = ""
    unit: str = "commune"
    """The GSO code of the commune (or district) where it happened."""
    lat: str = "lat"
    lon: str = "lon"
    road: str = "road"
    location: str = "location"
    vehicles: str = "vehicles"
    deaths: str = "deaths"
    injuries: str = "injuries"
    cause: str = "cause"
    accident_type: str = "accident_type"
    attributes: dict[str, str] = Field(default_factory=dict)
    """More values kept as event attributes: attribute name → column or path."""

    @model_validator(mode="after")
    def _has_a_time(self) -> AccidentFields:
        if not (self.occurred_at or self.date):
            raise ValueError("give occurred_at, or date (and time)")
        clashes = set(self.attributes) & set(FIELDS)
        if clashes:
            raise ValueError(f"attributes may not be named {', '.join(sorted(clashes))}")
        return self

    def sources(self) -> dict[str, str]:
        """Accident value → where the source holds it, for the values mapped."""
        mapped = {name: getattr(self, name) for name in FIELDS}
        if self.date:
            mapped["occurred_at"] = ""
        return {name: where for name, where in {**mapped, **self.attributes}.items() if where}


class AccidentsCsvConfig(DocumentConfig):
    """The police system's accident export as a CSV file, one accident a row."""

    columns: AccidentFields = AccidentFields()
    delimiter: str = Field(",", min_length=1, max_length=1)
    encoding: str = "utf-8-sig"
    time_format: str | None = None
    """A ``strptime`` format such as ``"%d/%m/%Y %H:%M"``; ISO 8601 when not given."""
    numbers: NumberConvention | None = None
    """How the export writes numbers as text (``vi``: ``14,354``; ``en``: ``14.354``); left
    out, only what one reading fits is read and an ambiguous ``14.354`` is quarantined."""


class AccidentsRestConfig(HttpAuth):
    """The police system's accident API: JSON pages of items changed since a time."""

    url: str = Field(pattern=r"^https?://")
    fields: AccidentFields = AccidentFields()
    items: str = "items"
    """Dotted path to the list of accidents in a page; ``""`` when the page is the list."""
    modified: str = "updated_at"
    """Dotted path to each item's last-modified time: the cursor of incremental runs."""
    since_param: str = "modified_since"
    page_param: str = "page"
    first_page: int = Field(1, ge=0)
    page_size_param: str | None = "page_size"
    page_size: int = Field(100, ge=1, le=10_000)
    """A page with fewer items than this is the last."""
    start: str | None = None
    """The first run reads accidents changed since this ISO 8601 time (default: all)."""
    time_format: str | None = None

    @field_validator("start")
    @classmethod
    def _start_is_a_time(cls, start: str | None) -> str | None:
        if start is not None:
            datetime.fromisoformat(start)  # its ValueError says what is wrong
        return start


class Datex2Config(DocumentConfig):
    """A DATEX II SituationPublication (version 2 or 3), from a URL or a file."""


class MessageFields(Strict):
    """Where each value of a camera or sensor message is: a dotted path into its JSON."""

    id: str = "event_id"
    type: str = "type"
    time: str = "time"
    camera: str = "camera_id"
    unit: str = "commune"
    lat: str = "lat"
    lon: str = "lon"
    plate: str = "plate"
    speed: str = "speed"
    speed_limit: str = "speed_limit"
    vehicle_class: str = "vehicle_class"
    severity: str = ""
    attributes: dict[str, str] = Field(default_factory=dict)
    """More payload values kept as event attributes: attribute name → path."""

    @field_validator("attributes")
    @classmethod
    def _not_a_built_attribute(cls, attributes: dict[str, str]) -> dict[str, str]:
        clashes = sorted(set(attributes) & set(MESSAGE_ATTRIBUTES))
        if clashes:
            raise ValueError(f"attributes may not be named {', '.join(clashes)}")
        return attributes


class MessageConfig(ConnectorConfig):
    """How camera and sensor messages (JSON objects) become events."""

    fields: MessageFields = MessageFields()
    violation_types: list[str] = Field(default_factory=lambda: list(DEFAULT_VIOLATION_TYPES))
    """Event types (after ``type_aliases``) that are violations; any other type is a sensor
    event. Types are compared in lower case, with ``-`` and spaces read as ``_``."""
    type_aliases: dict[str, str] = Field(default_factory=dict)
    """Source type → the hub's type, e.g. ``{ "vuot_den_do" = "red_light" }``."""
    plates: PlateHandling = "drop"
    """What to do with number plates: see README.md, "Privacy"."""
    plate_key: SecretStr | None = None
    """The secret key of ``plates = "pseudonymise"``."""
    camera_registry: str | None = None
    """A JSON or CSV list of cameras (id, name, commune, lat, lon, …): a URL or a path."""
    time_format: str | None = None

    @field_validator("violation_types")
    @classmethod
    def _types_in_the_hubs_spelling(cls, types: list[str]) -> list[str]:
        return [normal_type(t) for t in types]

    @field_validator("type_aliases")
    @classmethod
    def _aliases_in_the_hubs_spelling(cls, aliases: dict[str, str]) -> dict[str, str]:
        return {normal_type(source): normal_type(hub) for source, hub in aliases.items()}

    @model_validator(mode="after")
    def _pseudonyms_need_a_key(self) -> MessageConfig:
        if self.plates == "pseudonymise" and self.plate_key is None:
            raise ValueError('plates = "pseudonymise" needs a plate_key (from the environment)')
        return self


class EventsFileConfig(MessageConfig, DocumentConfig):
    """Camera and sensor messages exported as JSON lines, one message a line."""


class MqttConfig(MessageConfig):
    """A subscription to camera and sensor events on an MQTT broker."""

    host: str = "127.0.0.1"
    port: int = Field(1883, ge=1, le=65535)
    topics: list[str] = Field(min_length=1)
    """Topic filters; ``+`` and ``#`` wildcards allowed, e.g. ``"kontum/cameras/+/events"``."""
    qos: Literal[0, 1] = 1
    client_id: str | None = None
    """Fixed, so that the broker keeps the session while the hub is away (default
    ``iochub-<connector id>``)."""
    protocol: Literal["3.1.1", "5"] = "3.1.1"
    """``"5"`` for throughput (see README, "Throughput"): with a new ``client_id``, since
    Mosquitto 2.0 stalls a session made under 3.1.1 that a 5 client takes over."""
    session_expiry: int = Field(7 * 24 * 3600, ge=0)
    """MQTT 5: how long (seconds) the broker keeps the session of a disconnected hub."""
    receive_maximum: int = Field(10_000, ge=1, le=65_535)
    """MQTT 5: how many unacknowledged messages the broker may send at once. Messages are
    acknowledged once committed, so this is the stream's window; under MQTT 3.1.1 the broker
    decides (Mosquitto's ``max_inflight_messages``, 20), which caps the throughput."""
    sequence_field: str | None = None
    """A field of the payload where each sender numbers its messages (one up per topic):
    gaps are messages the broker dropped, counted in the run's summary (see README)."""
    username: str | None = None
    password: SecretStr | None = None
    tls: bool = False
    ca_file: str | None = None
    keepalive: int = Field(60, ge=5)
    connect_timeout: float = Field(10.0, gt=0)
    reconnect_min_delay: int = Field(1, ge=1)
    reconnect_max_delay: int = Field(60, ge=1)
    idle_timeout: float | None = Field(None, gt=0)
    """End the run after this many seconds without a message (for ``iochub sync``); by
    default the run goes on until the hub stops."""
    checkpoint_seconds: float = Field(2.0, gt=0)
    """Commit (and acknowledge) received messages at least this often."""
    max_batch: int = Field(500, ge=1)

    @field_validator("topics")
    @classmethod
    def _topic_filters(cls, topics: list[str]) -> list[str]:
        for topic in topics:
            problem = topic_filter_problem(topic)
            if problem:
                raise ValueError(f"{topic!r}: {problem}")
        return topics

    @model_validator(mode="after")
    def _consistent(self) -> MqttConfig:
        if self.password is not None and self.username is None:
            raise ValueError("a password needs a username")
        if self.reconnect_max_delay < self.reconnect_min_delay:
            raise ValueError("reconnect_max_delay is shorter than reconnect_min_delay")
        return self


def topic_filter_problem(topic: str) -> str | None:
    """What is wrong with an MQTT topic filter, or None."""
    if not topic:
        return "a topic filter cannot be empty"
    levels = topic.split("/")
    for position, level in enumerate(levels):
        if "#" in level and (level != "#" or position != len(levels) - 1):
            return "'#' must be a whole level, the last one"
        if "+" in level and level != "+":
            return "'+' must be a whole level"
    return None
