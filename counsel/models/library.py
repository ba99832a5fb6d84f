"""The exercise library: the guide's exercises (versioned, loaded from counsel/guide/*.toml)
and counselors' own exercises. Assignments copy what they need, so changing an exercise
never changes work already assigned."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import User
from .types import UTCDateTime, utcnow

STAGES = {
    "understanding": "Understanding",
    "reflection": "Reflection",
    "no-contact": "No contact",
    "apology": "Apology",
    "rebuilding-trust": "Rebuilding trust",
    "reconnection": "Reconnection",
    "moving-forward": "Moving forward",
}

KINDS = {
    "reflection": "Reflection",
    "letter": "Letter",
    "tracker": "No-contact tracker",
    "plan": "Plan",
    "commitment": "Commitment",
    "journal": "Journal",
}


class InGuide:
    """Display names for the ``stage`` and ``kind`` columns of exercises and assignments."""

    stage: Mapped[str]
    kind: Mapped[str]

    @property
    def stage_title(self) -> str:
        return STAGES[self.stage]

    @property
    def kind_title(self) -> str:
        return KINDS[self.kind]


class Exercise(InGuide, db.Model):
    __tablename__ = "exercises"
    __table_args__ = (UniqueConstraint("slug", "version", name="uq_exercises_slug_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Library exercises have a slug and no owner; a counselor's own have an owner.
    slug: Mapped[str | None] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(default=1)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("exercises.id"))
    stage: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(String(300))
    instructions: Mapped[str] = mapped_column(Text)
    estimated_minutes: Mapped[int | None]
    leads_to_contact: Mapped[bool] = mapped_column(default=False)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A newer library version, or a counselor's exercise they archived.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[User | None] = relationship()
    source: Mapped[Exercise | None] = relationship(remote_side=[id])
    prompts: Mapped[list[ExercisePrompt]] = relationship(
        back_populates="exercise", order_by="ExercisePrompt.position",
        cascade="all, delete-orphan",
    )

    @property
    def in_library(self) -> bool:
        return self.owner_id is None

    @property
    def prompt_texts(self) -> list[str]:
        return [p.text for p in self.prompts]


class ExercisePrompt(db.Model):
    __tablename__ = "exercise_prompts"

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    exercise: Mapped[Exercise] = relationship(back_populates="prompts")
