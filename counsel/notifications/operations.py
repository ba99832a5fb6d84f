"""Changes to what email a person gets: their choices per kind, one kind turned off from
an unsubscribe link, and a client's email safety setting. Plain functions: they flush,
record audit rows, and leave the commit to the view.

A change takes effect at once, for messages already waiting in the outbox too: turning a
kind off (or a client choosing no email) gives up the waiting ones of that kind, and a
safe address redirects them. A message a sender has already claimed ("sending") is past
recall."""

from __future__ import annotations

from sqlalchemy import select, update

from .. import audit
from ..extensions import db
from ..models import Client, MailPreference, OutboxMessage, User
from . import kinds

# What the preferences page offers for a kind, in this order.
SETTING_LABELS = {"on": "Send it to me", "digest": "Put it in my daily digest",
                  "off": "Don't send it"}
SAFETY_LABELS = {
    "normal": "Send email to the address I sign in with",
    "safe_address": "Send email only to a safe address I give here",
    "none": "Send me no email at all",
}
# The same choices as the counselor reads them on the client's page.
SAFETY_LABELS_FOR_COUNSELOR = {
    "normal": "Email to their sign-in address",
    "safe_address": "Email only to a safe address they gave",
    "none": "No email at all",
}
# last_error of a waiting message given up because its person no longer wants it.
WITHDRAWN = "withdrawn: the person's email choices changed"


# How delivery records an address the receiving server refused (transport.describe).
REFUSED = "SMTPRecipientsRefused"


def optional_kinds(user: User) -> list[kinds.Kind]:
    """The kinds this person may turn off: an admin has none."""
    return [k for k in kinds.for_role(user.role) if k.optional]


def options(kind: kinds.Kind) -> tuple[str, ...]:
    return ("on", "digest", "off") if kind.digest else ("on", "off")


def settings_of(user: User) -> dict[str, str]:
    """Every optional kind's setting for this person ("on" where they chose nothing), in
    one statement."""
    chosen = dict(db.session.execute(select(MailPreference.kind, MailPreference.setting)
                                     .where(MailPreference.user_id == user.id)).all())
    return {k.name: chosen.get(k.name, "on") for k in optional_kinds(user)}


def _set(user: User, kind: kinds.Kind, setting: str) -> bool:
    """Store one choice; True when it changed anything."""
    row = db.session.scalars(select(MailPreference).where(
        MailPreference.user_id == user.id, MailPreference.kind == kind.name)).first()
    if (row.setting if row else "on") == setting:
        return False
    if row is None:
        db.session.add(MailPreference(user_id=user.id, kind=kind.name, setting=setting))
    else:
        row.setting = setting
    if setting != "on":
        _withdraw_waiting(user, kind.name)
    return True


def save_preferences(user: User, chosen: dict[str, str]) -> list[str]:
    """Save the person's choices (kind name -> "on"/"off"/"digest"); names and values the
    person cannot choose are ignored. Returns the names of the kinds that changed."""
    changed = [k.name for k in optional_kinds(user)
               if chosen.get(k.name) in options(k) and _set(user, k, chosen[k.name])]
    if changed:
        audit.record("mail.preferences", user.client or user, actor=user,
                     detail=", ".join(changed))
    return changed


def unsubscribe(user: User, kind: kinds.Kind) -> None:
    """One kind off for one person, from the link in an email: the person is the actor,
    whether or not anyone is signed in."""
    _set(user, kind, "off")
    audit.record("mail.unsubscribe", user.client or user, actor=user, detail=kind.name)


def refused_delivery(user: User) -> OutboxMessage | None:
    """The person's latest email, when their mail server refused it for good (a bounced
    address) and nothing was delivered to them since: their counselor should check the
    address. One statement."""
    latest = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == user.id,
                                    OutboxMessage.status.in_(("sent", "failed")))
        .order_by(OutboxMessage.id.desc()).limit(1)).first()
    if latest is not None and latest.status == "failed" \
            and (latest.last_error or "").startswith(REFUSED):
        return latest
    return None


def set_mail_safety(actor: User, client: Client, mode: str, safe_email: str | None) -> bool:
    """A client's email safety setting, by the client or their counselor. Messages waiting
    in the outbox follow it at once. Returns whether anything changed."""
    safe_email = safe_email if mode == "safe_address" else None
    if (client.mail_safety, client.safe_email) == (mode, safe_email):
        return False
    client.mail_safety, client.safe_email = mode, safe_email
    waiting = update(OutboxMessage).where(OutboxMessage.user_id == client.user_id,
                                          OutboxMessage.status == "queued")
    if mode == "none":
        db.session.execute(waiting.values(status="failed", last_error=WITHDRAWN,
                                          text_body=None, html_body=None, ics=None))
    else:
        db.session.execute(waiting.values(to_address=safe_email or client.user.email))
    audit.record("client.mail_safety", client, actor=actor, detail=mode)
    return True


def _withdraw_waiting(user: User, kind_name: str) -> None:
    db.session.execute(update(OutboxMessage).where(
        OutboxMessage.user_id == user.id, OutboxMessage.kind == kind_name,
        OutboxMessage.status == "queued").values(
        status="failed", last_error=WITHDRAWN, text_body=None, html_body=None, ics=None))
