"""Seeing progress: the stage pathway's per-client settings (locked stages), and check-ins,
the short 0-10 self-ratings a counselor schedules and a client gives (PRODUCT.md "Check-in").
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import Client, User
from .types import UTCDateTime, utcnow

# What a check-in asks by default, each rated 0-10 (the counselor may adapt the list).
CHECKIN_SCALES = ("trust", "communication", "hope")
CHECKIN_EVERY_DAYS = 7


class StageSetting(db.Model):
    """One guide stage for one client: locked (its work is visible but cannot be started)
    or not, and whether it unlocks by itself once the previous stage's work is completed.
    No row: the stage is open."""

    __tablename__ = "stage_settings"
    __table_args__ = (
        UniqueConstraint("client_id", "stage", name="uq_stage_settings_client_stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    stage: Mapped[str] = mapped_column(String(40))
    locked: Mapped[bool] = mapped_column(default=True)
    unlock_when_previous_done: Mapped[bool] = mapped_column(default=False)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    client: Mapped[Client] = relationship()


class CheckInSchedule(db.Model):
    """How often a client is asked to check in, and what they rate. One per client."""

    __tablename__ = "checkin_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), unique=True)
    every_days: Mapped[int] = mapped_column(default=CHECKIN_EVERY_DAYS)
    # The scales asked, in order: short names ("trust", or the counselor's own).
    scales: Mapped[list] = mapped_column(JSON, default=lambda: list(CHECKIN_SCALES))
    # The first day a check-in is due (the client's local day); later ones follow every_days
    # after the latest check-in given.
    starts_on: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(default=True)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    client: Mapped[Client] = relationship()
    updated_by: Mapped[User] = relationship()


class CheckIn(db.Model):
    """One check-in: the client's ratings for one of their local days."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("client_id", "taken_on", name="uq_checkins_client_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    taken_on: Mapped[date] = mapped_column(Date)
    # {"trust": 6, "communication": 4, "hope": 7}: the scales asked that day, 0-10 each.
    ratings: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client] = relationship()
