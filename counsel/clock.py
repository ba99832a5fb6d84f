"""Time in the practice's timezone. Stored times are UTC; people see local time."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from .models import utcnow


def practice_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["PRACTICE_TIMEZONE"])


def practice_today() -> date:
    return utcnow().astimezone(practice_zone()).date()


def localtime(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(practice_zone()).strftime(fmt)
