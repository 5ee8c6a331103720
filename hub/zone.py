"""The hub's time zone: Vietnam's, whatever the server's (schedules, logs, what people read)."""

from zoneinfo import ZoneInfo

TIMEZONE = "Asia/Ho_Chi_Minh"
LOCAL_TIME = ZoneInfo(TIMEZONE)
