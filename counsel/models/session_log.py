"""The session log: counseling sessions (``CounselingSession``, never to be confused with
``db.session`` or ``flask.session``), who attended, agreements and their follow-ups,
addenda to signed sessions, and each counselor's calendar feed.

A signed session is frozen: ``before_update``/``before_delete`` below refuse any change
in the ORM, and migration 0005 adds database triggers that refuse it for any writer.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import Client, User
from .cases import Case
from .types import UTCDateTime, utcnow

FORMATS = {"in_person": "In person", "video": "Video", "phone": "Phone"}
SESSION_TYPES = {"individual": "Individual", "joint": "Joint (mediated)"}
FOLLOW_UP_OUTCOMES = {"kept": "Kept", "partly": "Partly kept", "not_kept": "Not kept"}
# The optional structure offered for a joint mediated session (from the guide's advice on
# mediated conversations): column -> label. Like the shared summary, attendees read these
# once the session is signed.
MEDIATION_OUTLINE = {
    "agenda": "Agenda",
    "perspectives": "Each partner's perspective, as heard",
    "acknowledged": "What was acknowledged",
    "next_steps": "Next steps",
}


class CounselingSession(db.Model):
    __tablename__ = "counseling_sessions"
    # The counselor's calendar (today, this week, the feed, unsigned sessions) by time.
    __table_args__ = (Index("ix_counseling_sessions_counselor_id_starts_at",
                            "counselor_id", "starts_at"),
                      Index("ix_counseling_sessions_case_id_starts_at", "case_id", "starts_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    counselor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(default=50)
    format: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(16))
    shared_summary: Mapped[str | None] = mapped_column(Text)
    # The counselor's alone: never on a client page, in a report or an export.
    private_notes: Mapped[str | None] = mapped_column(Text)
    agenda: Mapped[str | None] = mapped_column(Text)
    perspectives: Mapped[str | None] = mapped_column(Text)
    acknowledged: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    # A joint session logged without a screening on record for both partners: when the
    # counselor confirmed going ahead.
    screening_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Rises with every save, so a stale tab's save is a conflict, never an overwrite.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    content_hash: Mapped[str | None] = mapped_column(String(64))

    case: Mapped[Case] = relationship()
    counselor: Mapped[User] = relationship(foreign_keys=[counselor_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    attendees: Mapped[list[SessionAttendee]] = relationship(
        back_populates="session", order_by="SessionAttendee.client_id")
    agreements: Mapped[list[Agreement]] = relationship(
        back_populates="session", order_by="Agreement.id")
    follow_ups: Mapped[list[AgreementFollowUp]] = relationship(
        back_populates="session", order_by="AgreementFollowUp.id")
    addenda: Mapped[list[Addendum]] = relationship(
        back_populates="session", order_by="Addendum.signed_at")

    __mapper_args__ = {"version_id_col": version}

    @property
    def signed(self) -> bool:
        return self.signed_at is not None

    @property
    def upcoming(self) -> bool:
        return self.starts_at > utcnow()

    @property
    def is_joint(self) -> bool:
        return self.type == "joint"

    @property
    def format_title(self) -> str:
        return FORMATS[self.format]

    @property
    def type_title(self) -> str:
        return SESSION_TYPES[self.type]


class SessionAttendee(db.Model):
    __tablename__ = "session_attendees"
    __table_args__ = (UniqueConstraint("session_id", "client_id",
                                       name="uq_session_attendees_session_client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("counseling_sessions.id"))
    # A client's sessions on their portal.
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)

    session: Mapped[CounselingSession] = relationship(back_populates="attendees")
    client: Mapped[Client] = relationship()


class Agreement(db.Model):
    """Made in one session; binds one partner (``binds_client_id``) or, when that is None,
    everyone in the case. Followed up at later sessions."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("counseling_sessions.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    binds_client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[CounselingSession] = relationship(back_populates="agreements")
    binds: Mapped[Client | None] = relationship()
    follow_ups: Mapped[list[AgreementFollowUp]] = relationship(
        back_populates="agreement", order_by="AgreementFollowUp.id")


class AgreementFollowUp(db.Model):
    """How an agreement went, recorded at a later session (which it is locked with)."""

    __tablename__ = "agreement_follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("counseling_sessions.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agreement: Mapped[Agreement] = relationship(back_populates="follow_ups")
    session: Mapped[CounselingSession] = relationship(back_populates="follow_ups")

    @property
    def outcome_title(self) -> str:
        return FOLLOW_UP_OUTCOMES[self.outcome]


class Addendum(db.Model):
    """A correction to a signed session: signed and hashed when written, shown under the
    original, which stays as it was. Never edited or deleted."""

    __tablename__ = "session_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("counseling_sessions.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64))

    session: Mapped[CounselingSession] = relationship(back_populates="addenda")
    signed_by: Mapped[User] = relationship()


class CalendarFeed(db.Model):
    """A counselor's secret iCalendar URL. Only a hash of its token is stored; making a new
    one revokes the old."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    counselor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SessionLocked(RuntimeError):
    """A change to a signed session reached the database layer."""


def _was_signed(target) -> bool:
    history = inspect(target).attrs.signed_at.history
    return bool(history.deleted and history.deleted[0] is not None) or (
        not history.has_changes() and target.signed_at is not None)


def _columns_changed(target) -> bool:
    """SQLAlchemy calls before_update for a row that is only "dirty" because a collection
    changed (an addendum appended to ``session.addenda``); that changes no column, issues
    no UPDATE, and must not be refused."""
    attrs = inspect(target).attrs
    return any(attrs[column.key].history.has_changes()
               for column in inspect(target).mapper.column_attrs)


@event.listens_for(CounselingSession, "before_update")
def _signed_sessions_are_frozen(mapper, connection, target):
    if _was_signed(target) and _columns_changed(target):
        raise SessionLocked("a signed session is never changed")


@event.listens_for(CounselingSession, "before_delete")
def _signed_sessions_are_kept(mapper, connection, target):
    if target.signed_at is not None:
        raise SessionLocked("a signed session is never deleted")


def _session_part_guard(cls):
    def guard(mapper, connection, target):
        session = target.session
        if session is not None and _was_signed(session):
            raise SessionLocked(f"{cls.__tablename__} of a signed session never change")

    def update_guard(mapper, connection, target):
        # An agreement is "dirty" when a later session's follow-up is appended to it;
        # only a change to its own columns is a change to the signed session.
        if _columns_changed(target):
            guard(mapper, connection, target)

    event.listen(cls, "before_insert", guard)
    event.listen(cls, "before_update", update_guard)
    event.listen(cls, "before_delete", guard)


for _part in (SessionAttendee, Agreement, AgreementFollowUp):
    _session_part_guard(_part)


@event.listens_for(Addendum, "before_update")
def _addenda_are_frozen(mapper, connection, target):
    raise SessionLocked("addenda are never edited")


@event.listens_for(Addendum, "before_delete")
def _addenda_are_kept(mapper, connection, target):
    raise SessionLocked("addenda are never deleted")
