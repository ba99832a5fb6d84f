"""Cases: one counseling engagement with one client or two partners, the safety flag and
the private safety screenings, and the items a partner chose to share with the other."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import Client, User
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .assignments import Assignment, Revision
    from .work_records import JournalEntry

CASE_KINDS = {"individual": "Individual", "couple": "Couple"}
SCREENING_OUTCOMES = {
    "no_concerns": "No safety concerns found",
    "concerns": "Concerns noted: joint work only with care",
    "not_suitable": "Not suitable for joint sessions",
}


class Case(db.Model):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    counselor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The safety flag (PRODUCT.md "Safety"): set with a reason, shown on every page of the
    # case; cleared by setting safety_flagged_at to None.
    safety_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    safety_reason: Mapped[str | None] = mapped_column(Text)

    counselor: Mapped[User] = relationship()
    members: Mapped[list[CaseMember]] = relationship(
        back_populates="case", order_by="CaseMember.position", cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def flagged(self) -> bool:
        return self.safety_flagged_at is not None

    @property
    def is_couple(self) -> bool:
        return self.kind == "couple"

    @property
    def partners(self) -> list[Client]:
        return [m.client for m in self.members]

    @property
    def kind_title(self) -> str:
        return CASE_KINDS[self.kind]


class CaseMember(db.Model):
    """A client in a case: one for an individual case, two (positions 1 and 2) for a couple."""

    __tablename__ = "case_members"
    __table_args__ = (UniqueConstraint("case_id", "client_id", name="uq_case_members_case_client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (case_id, client_id) constraint serves it.
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    position: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship(back_populates="members")
    client: Mapped[Client] = relationship()


class SafetyScreening(db.Model):
    """The counselor's private record of screening one partner before joint work. Never
    shown to either partner, never in a report."""

    __tablename__ = "safety_screenings"
    __table_args__ = (Index("ix_safety_screenings_case_id_client_id", "case_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    screened_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship()
    client: Mapped[Client] = relationship()

    @property
    def outcome_title(self) -> str:
        return SCREENING_OUTCOMES[self.outcome]


class Share(db.Model):
    """One item a partner chose to show the other partner of a case. Only its author creates
    it (never the counselor); withdrawing stamps ``withdrawn_at`` and hides it again. The
    item is one of: a revision, a memory journal entry, or a quality-time plan (the plan
    assignment: its items as they stand). Exactly one of the three columns is set."""

    __tablename__ = "shares"
    __table_args__ = (Index("ix_shares_recipient_id_withdrawn_at", "recipient_id", "withdrawn_at"),
                      Index("ix_shares_author_id_withdrawn_at", "author_id", "withdrawn_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"), index=True)
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"),
                                                         index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"), index=True)
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()
    author: Mapped[Client] = relationship(foreign_keys=[author_id])
    recipient: Mapped[Client] = relationship(foreign_keys=[recipient_id])
    revision: Mapped[Revision | None] = relationship()
    journal_entry: Mapped[JournalEntry | None] = relationship()
    plan: Mapped[Assignment | None] = relationship()

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None
