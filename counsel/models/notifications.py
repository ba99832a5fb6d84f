"""Email notifications: the outbox every message goes through, and each person's choices.

A message is added to ``outbox_messages`` in the same transaction as the change that
caused it, so a rolled-back change sends nothing and a committed one is never forgotten;
``counsel.notifications.delivery`` sends it after commit and retries with backoff. Bodies
are cleared once a message is delivered or given up on: the outbox is not an archive, and
invitation and reset links are credentials."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import User
from .types import UTCDateTime, utcnow

# queued: waiting for its next attempt; sending: claimed by one sender (claimed_at says
# since when); sent: accepted by the mail server (or written to instance/outbox/);
# failed: refused for good (a bounced address) or out of attempts; skipped: nothing to send
# (the person turned the kind off, or their safety setting says no email) — never stored,
# see notifications.outbox.queue.
OUTBOX_STATUSES = ("queued", "sending", "sent", "failed")
# What a client chose for email in their safety settings.
MAIL_SAFETY = ("normal", "none", "safe_address")
# A person's choice for one kind of message: on, off, or (where the kind offers it) in the
# daily digest instead of at once.
PREFERENCE_SETTINGS = ("on", "off", "digest")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_messages_user_id_kind", "user_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str | None] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    # An .ics invitation (session reminders); no clinical content.
    ics: Mapped[str | None] = mapped_column(Text)
    # Makes a reminder idempotent: "work_due:12:2026-11-28" is queued once, whoever asks.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # Stable across retries, so a mail server that saw the message once can drop a repeat.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The error's type and the server's reply code, never the address or the body.
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class MailPreference(db.Model):
    """One person's choice for one kind of message; no row means the kind's default."""

    __tablename__ = "mail_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_mail_preferences_user_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    setting: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
