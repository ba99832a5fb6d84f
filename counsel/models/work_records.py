"""What a client records on the guide's structured exercises, beside the text answers every
assignment has: the no-contact tracker's days, a quality-time plan's items, commitments and
their follow-ups, and memory journal entries. Each belongs to one assignment of its kind and
is changed only while that assignment is open to the client (assignments.operations)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .assignments import Assignment
from .types import UTCDateTime, utcnow

# A no-contact day: what the client says happened that day (their own local day).
TRACKER_OUTCOMES = {"kept": "Kept no contact", "broke": "Broke it",
                    "exception": "Allowed exception"}
TRACKER_LENGTHS = (30, 45, 60)
PLAN_STATUSES = {"planned": "Planned", "done": "Done", "skipped": "Skipped"}
COMMITMENT_OUTCOMES = {"kept": "Kept", "partly": "Partly", "not_yet": "Not yet"}
COMMITMENT_EVERY_DAYS = 7


class Tracker(db.Model):
    """The no-contact period of one tracker assignment, as the counselor set it."""

    __tablename__ = "trackers"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    length_days: Mapped[int] = mapped_column(default=30)
    # What contact is allowed, in the counselor's words (e.g. co-parenting logistics).
    exceptions: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    assignment: Mapped[Assignment] = relationship()
    days: Mapped[list[TrackerDay]] = relationship(back_populates="tracker",
                                                  order_by="TrackerDay.day")


class TrackerDay(db.Model):
    """One day's check-in on a tracker. ``late``: given after that day had ended."""

    __tablename__ = "tracker_days"
    __table_args__ = (UniqueConstraint("tracker_id", "day", name="uq_tracker_days_tracker_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tracker_id: Mapped[int] = mapped_column(ForeignKey("trackers.id"))
    day: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(16))
    urge: Mapped[int]
    note: Mapped[str | None] = mapped_column(Text)
    # After a broken day: the client's short reflection on it.
    reflection: Mapped[str | None] = mapped_column(Text)
    late: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tracker: Mapped[Tracker] = relationship(back_populates="days")

    @property
    def outcome_title(self) -> str:
        return TRACKER_OUTCOMES[self.outcome]


class PlanItem(db.Model):
    """One thing to do together on a quality-time plan."""

    __tablename__ = "plan_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    what: Mapped[str] = mapped_column(Text)
    planned_on: Mapped[date] = mapped_column(Date)
    # A time of day or "evening", as the client puts it (optional).
    at_time: Mapped[str | None] = mapped_column(String(40))
    place: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="planned")
    # After a done item: how it went.
    reflection: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    assignment: Mapped[Assignment] = relationship()

    @property
    def status_title(self) -> str:
        return PLAN_STATUSES[self.status]


class Commitment(db.Model):
    """One concrete change a client commits to, followed up every ``every_days``."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    every_days: Mapped[int] = mapped_column(default=COMMITMENT_EVERY_DAYS)
    starts_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignment: Mapped[Assignment] = relationship()
    follow_ups: Mapped[list[CommitmentFollowUp]] = relationship(
        back_populates="commitment", order_by="CommitmentFollowUp.taken_on")


class CommitmentFollowUp(db.Model):
    """How a commitment went, as of one day (the client's own day)."""

    __tablename__ = "commitment_follow_ups"
    __table_args__ = (UniqueConstraint("commitment_id", "taken_on",
                                       name="uq_commitment_follow_ups_commitment_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"))
    taken_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    commitment: Mapped[Commitment] = relationship(back_populates="follow_ups")

    @property
    def outcome_title(self) -> str:
        return COMMITMENT_OUTCOMES[self.outcome]


class JournalEntry(db.Model):
    """One memory in a memory journal: when it was, the memory, what it meant then and
    what it means now."""

    __tablename__ = "journal_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    remembered_on: Mapped[date] = mapped_column(Date)
    memory: Mapped[str] = mapped_column(Text)
    meant_then: Mapped[str | None] = mapped_column(Text)
    means_now: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    assignment: Mapped[Assignment] = relationship()
