"""Server-side sign-in sessions (SECURITY.md 4 and 5).

Each sign-in creates a ``LoginSession`` with a random token; the cookie holds the token,
the database holds its hash. Every request checks the row: revoked, idle for longer than
``IDLE_TIMEOUT_MINUTES`` or older than ``ABSOLUTE_TIMEOUT_HOURS`` means signed out.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g, has_request_context, request
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import LoginSession, User, utcnow

# Writing last_seen_at on every request would turn every page view into a write; with a
# very short idle limit (a test's), touch often enough that activity still counts.
TOUCH_EVERY = timedelta(seconds=30)
# Asking how long is left must not itself count as activity.
PEEK_ENDPOINTS = {"auth.session_status"}


def idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])


def touch_every() -> timedelta:
    return min(TOUCH_EVERY, idle_limit() / 4)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=token_hash(token),
                                ip=request.remote_addr))
    user.login_token = token
    return token


# Every signed-in request needs the session row, its user and (for a client) their record
# (``own_client_record``, ``display_name``): one statement instead of up to three.
WITH_USER = joinedload(LoginSession.user).joinedload(User.client)


def load(token: str) -> User | None:
    """The user for a cookie's token, or None when that session has ended."""
    row = db.session.scalars(
        select(LoginSession).where(LoginSession.token_hash == token_hash(token))
        .options(WITH_USER)
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    idle = idle_limit()
    absolute = timedelta(hours=current_app.config["ABSOLUTE_TIMEOUT_HOURS"])
    if now - row.last_seen_at > idle or now - row.created_at > absolute or not row.user.active:
        row.revoked_at = now
        db.session.commit()
        g.session_expired = True
        return None
    peek = has_request_context() and request.endpoint in PEEK_ENDPOINTS
    if now - row.last_seen_at > touch_every() and not peek:
        row.last_seen_at = now
        db.session.commit()
    g.session_ends_at = min(row.last_seen_at + idle, row.created_at + absolute)
    row.user.login_token = token
    return row.user


def seconds_left() -> float:
    """Seconds until the current session ends (idle or absolute limit), as last loaded."""
    ends_at = g.get("session_ends_at")
    return max(0.0, (ends_at - utcnow()).total_seconds()) if ends_at else 0.0


def touch(token: str) -> None:
    """Count this moment as activity (the "Stay signed in" button)."""
    now = utcnow()
    db.session.execute(update(LoginSession).where(
        LoginSession.token_hash == token_hash(token), LoginSession.revoked_at.is_(None))
        .values(last_seen_at=now))
    row = db.session.scalars(select(LoginSession).where(
        LoginSession.token_hash == token_hash(token))).first()
    if row is not None:
        absolute = timedelta(hours=current_app.config["ABSOLUTE_TIMEOUT_HOURS"])
        g.session_ends_at = min(now + idle_limit(), row.created_at + absolute)


def end(token: str | None) -> None:
    if token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == token_hash(token), LoginSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def end_all(user: User, keep: str | None = None) -> None:
    """Revoke every session of ``user`` except the one whose token is ``keep``."""
    statement = update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)
    )
    if keep:
        statement = statement.where(LoginSession.token_hash != token_hash(keep))
    db.session.execute(statement.values(revoked_at=utcnow()))
