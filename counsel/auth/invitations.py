"""Single-use invitation links: only a hash is stored, they expire, and using one sets the
client's password. Unknown, used and expired links all get the same answer."""

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from .. import audit
from ..extensions import db
from ..models import Invitation, User, utcnow
from ..notifications.messages import notify_invitation
from . import sessions
from .passwords import hash_password
from .sessions import token_hash


def issue(actor: User, user: User) -> str:
    """Revoke the person's open invitations and create a fresh one; returns the token,
    which exists only in this response."""
    now = utcnow()
    db.session.execute(
        update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.used_at.is_(None),
               Invitation.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    token = secrets.token_urlsafe(32)
    days = current_app.config["INVITATION_DAYS"]
    db.session.add(Invitation(user_id=user.id, token_hash=token_hash(token), created_by_id=actor.id,
                              expires_at=now + timedelta(days=days)))
    audit.record("invitation.issue", user.client or user, actor=actor)
    notify_invitation(user, token)
    return token


def find_usable(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    invitation = db.session.scalars(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    ).first()
    if invitation is None or not invitation.usable or not invitation.user.active:
        return None
    return invitation


def accept(invitation: Invitation, password: str) -> User:
    """Set the password and end every session the account has (SECURITY.md 4): a link
    sent as a password reset must lock out whoever may hold the old password. The caller
    starts the new session afterwards."""
    user = invitation.user
    user.password_hash = hash_password(password)
    sessions.end_all(user)
    invitation.used_at = utcnow()
    audit.record("invitation.accept", user.client or user, actor=user)
    return user
