"""Assignments and the work on them: one autosaved draft, numbered revisions frozen at each
submission, and the counselor's reviews with comments anchored to passages."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import Client, User
from .cases import Case
from .library import Exercise, InGuide
from .types import UTCDateTime, utcnow


class Assignment(InGuide, db.Model):
    __tablename__ = "assignments"
    # A client's work by status (and due date): the dashboard's waiting and overdue lists,
    # the client's home. It serves lookups by client alone too.
    __table_args__ = (Index("ix_assignments_client_id_status_due_date",
                            "client_id", "status", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    counselor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id"))
    # What the client was given, copied at assignment time.
    title: Mapped[str] = mapped_column(String(120))
    stage: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(300))
    instructions: Mapped[str] = mapped_column(Text)
    prompts: Mapped[list] = mapped_column(JSON)
    due_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    # Only assignments.status.apply() changes this; `status` is read-only.
    _status: Mapped[str] = mapped_column("status", String(24), default="assigned", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the counselor first opened the latest submission; until then the client may
    # reopen it to go on writing. Cleared by each new submission.
    submission_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The case the work belongs to (every client has at least their individual case), and
    # the counseling session it was given in, if any.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("counseling_sessions.id"),
                                                  index=True)
    # Why an exercise that leads to contact was assigned while the case's safety flag was set.
    contact_reason: Mapped[str | None] = mapped_column(Text)

    client: Mapped[Client] = relationship()
    counselor: Mapped[User] = relationship()
    exercise: Mapped[Exercise] = relationship()
    case: Mapped[Case | None] = relationship()
    draft: Mapped[Draft | None] = relationship(back_populates="assignment", uselist=False)
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="assignment", order_by="Revision.number")

    @hybrid_property
    def status(self) -> str:
        return self._status

    @property
    def latest_revision(self) -> Revision | None:
        return self.revisions[-1] if self.revisions else None


class Draft(db.Model):
    """The client's work in progress. ``version`` rises with every save; a save based on an
    older version is a conflict, never a silent overwrite."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), unique=True)
    answers: Mapped[list] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignment: Mapped[Assignment] = relationship(back_populates="draft")

    __mapper_args__ = {"version_id_col": version}


class Revision(db.Model):
    """A frozen submission. Never edited or deleted."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("assignment_id", "number",
                                       name="uq_revisions_assignment_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (assignment_id, number) constraint serves it.
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    number: Mapped[int]
    answers: Mapped[list] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignment: Mapped[Assignment] = relationship(back_populates="revisions")
    review: Mapped[Review | None] = relationship(back_populates="revision", uselist=False)


@event.listens_for(Revision, "before_update")
def _revisions_are_frozen(mapper, connection, target):
    # Fired for any "dirty" revision, e.g. when a review is attached; refuse real edits.
    state = inspect(target)
    if any(state.attrs[c.key].history.has_changes() for c in mapper.column_attrs):
        raise RuntimeError("revisions are never edited")


@event.listens_for(Revision, "before_delete")
def _revisions_are_kept(mapper, connection, target):
    raise RuntimeError("revisions are never deleted")


class Review(db.Model):
    """The counselor's response to one revision. Unsent, it is the counselor's alone and
    is also their draft: the overall comment, rubric and decision are autosaved here, and
    ``version`` rises with every save so a stale tab is shown a conflict, never a silent
    overwrite. Sending stamps ``sent_at``; from then on the client sees it."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), unique=True)
    counselor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    overall_comment: Mapped[str | None] = mapped_column(Text)
    rubric: Mapped[dict | None] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    revision: Mapped[Revision] = relationship(back_populates="review")
    counselor: Mapped[User] = relationship()
    all_comments: Mapped[list[ReviewComment]] = relationship(
        back_populates="review", cascade="all, delete-orphan")
    # What the review says: comments the counselor removed are kept (so "Undo" can restore
    # them exactly) but are not part of it.
    comments: Mapped[list[ReviewComment]] = relationship(
        primaryjoin="and_(Review.id == ReviewComment.review_id, "
                    "ReviewComment.removed_at.is_(None))",
        order_by="(ReviewComment.prompt_index, ReviewComment.start)", viewonly=True)
    removed_comments: Mapped[list[ReviewComment]] = relationship(
        primaryjoin="and_(Review.id == ReviewComment.review_id, "
                    "ReviewComment.removed_at.is_not(None))",
        order_by="ReviewComment.removed_at.desc()", viewonly=True)

    __mapper_args__ = {"version_id_col": version}


class ReviewComment(db.Model):
    """A comment anchored to a passage of one answer: ``answers[prompt_index][start:end]``."""

    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    prompt_index: Mapped[int]
    start: Mapped[int]
    end: Mapped[int]
    quote: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    review: Mapped[Review] = relationship(back_populates="all_comments")
