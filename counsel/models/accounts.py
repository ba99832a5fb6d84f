"""People and their credentials: accounts, clients on a caseload, invitations, and the
server-side sign-in sessions that make sign-out and password change revoke a cookie."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

ROLES = ("counselor", "client", "admin")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[Client | None] = relationship(
        back_populates="user", foreign_keys="Client.user_id", uselist=False
    )

    # The sign-in session this object was loaded for (set by the user loader); Flask-Login
    # stores it in the cookie instead of the user id, so revoking it ends that cookie.
    login_token = None

    def get_id(self) -> str | None:
        return self.login_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_counselor(self) -> bool:
        return self.role == "counselor"

    @property
    def is_client(self) -> bool:
        return self.role == "client"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def display_name(self) -> str:
        if self.client and self.client.preferred_name:
            return self.client.preferred_name
        return self.name


class Client(db.Model):
    """A person on one counselor's caseload; their sign-in lives on ``user``."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    counselor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    preferred_name: Mapped[str | None] = mapped_column(String(80))
    pronouns: Mapped[str | None] = mapped_column(String(40))
    # Email safety (models.notifications.MAIL_SAFETY): "none" sends this client nothing at
    # all; "safe_address" sends only to safe_email, an address they gave as safe to use.
    mail_safety: Mapped[str] = mapped_column(String(16), default="normal",
                                             server_default="normal")
    safe_email: Mapped[str | None] = mapped_column(String(254))
    # The client's own time zone (an IANA name, e.g. "America/Chicago"): their "day" for
    # check-ins and trackers. None: the practice's PRACTICE_TIMEZONE.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="client", foreign_keys=[user_id])
    counselor: Mapped[User] = relationship(foreign_keys=[counselor_id])

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.user.name

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def active(self) -> bool:
        return self.user.active


INVITATION_PURPOSES = ("invitation", "reset")


class Invitation(db.Model):
    """A single-use link that sets a password: an invitation for a new client, or a
    password reset asked for on the sign-in page. Only a hash is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16), default="invitation",
                                         server_default="invitation")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > utcnow()


class LoginSession(db.Model):
    """One signed-in browser. The cookie carries a random token; this row holds its hash,
    so the server alone decides when the session ends (sign-out, password change, time-outs).
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship()
