"""Single-use links that set a password: a counselor's invitation for a new client, or a
password reset a person asks for on the sign-in page (``Invitation.purpose``). Only a
hash is stored, they expire, and an invitation never works as a reset link nor the other
way round. Unknown, used and expired links all get the same answer."""

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


def reset_minutes() -> int:
    return current_app.config["PASSWORD_RESET_MINUTES"]


def revoke_resets(user_id: int):
    """End the open reset links of this account (none for an id no account has); returns
    the time it did so."""
    now = utcnow()
    db.session.execute(
        update(Invitation)
        .where(Invitation.user_id == user_id, Invitation.purpose == "reset",
               Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return now


def issue_reset(user: User) -> str:
    """A password reset link the person asked for: revokes their open reset links (not an
    open invitation: anyone who types the address can ask) and creates one that works for
    ``PASSWORD_RESET_MINUTES``. Returns the token, which exists only in the email."""
    now = revoke_resets(user.id)
    token = secrets.token_urlsafe(32)
    db.session.add(Invitation(user_id=user.id, token_hash=token_hash(token), purpose="reset",
                              created_by_id=user.id,
                              expires_at=now + timedelta(minutes=reset_minutes())))
    audit.record("auth.reset_issue", user.client or user, actor=None)
    return token


def find_usable(token: str, purpose: str = "invitation") -> Invitation | None:
    """The open link of this purpose that ``token`` names, or None."""
    if not token or len(token) > 100:
        return None
    invitation = db.session.scalars(
        select(Invitation).where(Invitation.token_hash == token_hash(token),
                                 Invitation.purpose == purpose)
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
    now = utcnow()
    invitation.used_at = now
    # The password is set: no other open link (an invitation, a reset) may set it again.
    db.session.execute(
        update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.id != invitation.id,
               Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    resetting = invitation.purpose == "reset"
    audit.record("auth.password_reset" if resetting else "invitation.accept",
                 user.client or user, actor=user)
    return user
