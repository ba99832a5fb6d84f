"""Putting a message in the outbox: who gets it (their choices and their safety setting),
what it says (two templates per kind), and a nudge to deliver it once the transaction that
queued it commits. Call ``queue`` inside the change that causes the message, before its
commit: a rolled-back change takes its messages with it."""

from __future__ import annotations

import uuid
from email.utils import parseaddr

from flask import current_app
from flask_sqlalchemy.session import Session
from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..links import absolute_url
from ..models import MailPreference, OutboxMessage, User, utcnow
from . import kinds, tokens

_QUEUED = "counsel_mail_queued"


def setting(kind: kinds.Kind, user: User) -> str:
    """"on", "off" or "digest": the person's choice, or "on" when they made none."""
    if not kind.optional:
        return "on"
    chosen = db.session.scalars(select(MailPreference.setting).where(
        MailPreference.user_id == user.id, MailPreference.kind == kind.name)).first()
    return chosen or "on"


def address_for(user: User) -> str | None:
    """Where this person's email goes, or None for nowhere: an inactive account, or a
    client whose safety setting says no email or names a safe address to use instead."""
    if not user.active:
        return None
    client = user.client
    if client is not None and client.mail_safety == "none":
        return None
    if client is not None and client.mail_safety == "safe_address":
        return client.safe_email or None
    return user.email


def queue(name: str, user: User, *, context: dict | None = None,
          dedupe_key: str | None = None, ics: str | None = None) -> OutboxMessage | None:
    """Add one message to the current transaction, or nothing when the person does not get
    this kind (turned off, in the digest, no address) or ``dedupe_key`` was queued before.
    Returns the message added, if any."""
    kind = kinds.kind(name)
    to_address = address_for(user)
    if to_address is None or setting(kind, user) != "on":
        return None
    if dedupe_key and db.session.scalars(select(OutboxMessage.id).where(
            OutboxMessage.dedupe_key == dedupe_key)).first():
        return None
    values = {"kind": kind, "user": user, "practice": current_app.config["PRACTICE_NAME"],
              "sign_in_url": absolute_url("auth.sign_in"), **(context or {})}
    if kind.optional:
        values["unsubscribe_url"] = tokens.unsubscribe_url(user, kind)
        values["preferences_url"] = absolute_url("notifications.preferences")
    row = {"kind": kind.name, "user_id": user.id, "to_address": to_address,
           "subject": kinds.subject(kind), "text_body": _render(f"mail/{kind.name}.txt", values),
           "html_body": _render(f"mail/{kind.name}.html", values), "ics": ics,
           "dedupe_key": dedupe_key, "message_id": _message_id()}
    if dedupe_key:
        # Two reminder runs at once: the unique key lets one of them in (on PostgreSQL the
        # second waits for the first to commit, then adds nothing).
        insert = _upsert_dialect().insert(OutboxMessage).values(
            status="queued", attempts=0, next_attempt_at=utcnow(), created_at=utcnow(), **row)
        added = db.session.execute(insert.on_conflict_do_nothing(
            index_elements=["dedupe_key"]).returning(OutboxMessage.id)).scalar()
        if added is None:
            return None
        message = db.session.get(OutboxMessage, added)
    else:
        message = OutboxMessage(**row)
        db.session.add(message)
    db.session.info[_QUEUED] = True
    return message


def _upsert_dialect():
    name = db.session.get_bind().dialect.name
    return postgresql if name == "postgresql" else sqlite


def _render(name: str, values: dict) -> str:
    """A mail template, without the page context processors: a message is often queued
    outside any request (reminders), and knows nothing of the signed-in person."""
    return current_app.jinja_env.get_template(name).render(**values)


def _message_id() -> str:
    domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "counsel.local"
    return f"<{uuid.uuid4().hex}@{domain}>"


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session) -> None:
    """After a commit that queued mail, ask for delivery (never in the way of the request:
    see delivery.kick)."""
    if session.info.pop(_QUEUED, False):
        from . import delivery

        delivery.kick(current_app._get_current_object())


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session) -> None:
    session.info.pop(_QUEUED, None)
