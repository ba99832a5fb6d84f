"""Forgot password: a single-use reset link by email, and an answer that is the same
whether or not the address has an active account (SECURITY.md 2).

Both paths look the address up, make and hash a token, run the same update and write one
audit row in one commit; only an active account's also stores the link and queues the
message. The response never depends on which path ran."""

import secrets

from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..links import absolute_url
from ..models import User
from ..notifications import outbox
from . import invitations
from .sessions import token_hash


def request_reset(email: str) -> None:
    """Queue a reset link for the active account using ``email``; for any other address,
    the same work with nothing to show for it. The message follows a client's email
    safety setting like any other."""
    user = db.session.scalars(select(User).where(User.email == email)).first()
    if user is None or not user.active:
        invitations.revoke_resets(user.id if user else 0)
        token_hash(secrets.token_urlsafe(32))
        audit.record("auth.reset_request", outcome="no_account", target_type="users",
                     target_id=user.id if user else None)
        return
    token = invitations.issue_reset(user)
    outbox.queue("password_reset", user, context={
        "reset_url": absolute_url("auth.reset_password", token=token),
        "minutes": invitations.reset_minutes()})
