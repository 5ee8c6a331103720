"""The hub's time zone: Vietnam's, whatever the server's (schedules, logs, what people read).

Every module that needs it imports it from here; a config field naming a zone (for times a
source writes without an offset) is a :data:`ZoneName`.
"""

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator

TIMEZONE = "Asia/Ho_Chi_Minh"
LOCAL_TIME = ZoneInfo(TIMEZONE)


def check_zone_name(value: str) -> str:
    """``value`` if it names a time zone (``Asia/Ho_Chi_Minh``), else a ValueError."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


ZoneName = Annotated[str, AfterValidator(check_zone_name)]
"""A config field naming a time zone (IANA name); default it to :data:`TIMEZONE`."""
