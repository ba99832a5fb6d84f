"""Column types shared by every model."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def unstorable(text: str) -> str | None:
    """What in ``text`` the databases cannot store, in plain words, or None: NUL (PostgreSQL
    refuses it in text) and lone UTF-16 surrogates (no UTF-8 encoding exists for them)."""
    if "\x00" in text:
        return "an invisible NUL character"
    if any("\ud800" <= c <= "\udfff" for c in text):
        return "a broken character (half of an emoji or symbol)"
    return None


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores UTC and always hands back timezone-aware datetimes.

    SQLite has no timezone-aware type and returns naive values; PostgreSQL returns aware
    ones. This type makes both behave the same, and refuses naive input outright.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
