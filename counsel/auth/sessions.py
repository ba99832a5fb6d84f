"""Server-side sign-in sessions (SECURITY.md 4 and 5).

Each sign-in creates a ``LoginSession`` with a random token; the cookie holds the token,
the database holds its hash. Every request checks the row: revoked, idle for longer than
``IDLE_TIMEOUT_MINUTES`` or older than ``ABSOLUTE_TIMEOUT_HOURS`` means signed out.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g, request
from sqlalchemy import select, update

from ..extensions import db
from ..models import LoginSession, User, utcnow

# Writing last_seen_at on every request would turn every page view into a write.
TOUCH_EVERY = timedelta(seconds=30)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=token_hash(token),
                                ip=request.remote_addr))
    user.login_token = token
    return token


def load(token: str) -> User | None:
    """The user for a cookie's token, or None when that session has ended."""
    row = db.session.scalars(
        select(LoginSession).where(LoginSession.token_hash == token_hash(token))
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    config = current_app.config
    idle = timedelta(minutes=config["IDLE_TIMEOUT_MINUTES"])
    absolute = timedelta(hours=config["ABSOLUTE_TIMEOUT_HOURS"])
    if now - row.last_seen_at > idle or now - row.created_at > absolute or not row.user.active:
        row.revoked_at = now
        db.session.commit()
        g.session_expired = True
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    row.user.login_token = token
    return row.user


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
