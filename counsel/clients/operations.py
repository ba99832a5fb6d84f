"""Changes to a caseload. Plain functions of (actor, object, data): they flush, record
audit rows, and leave the commit to the view."""

from .. import audit
from ..auth import invitations, sessions
from ..extensions import db
from ..models import Client, User, utcnow

DETAIL_FIELDS = ("phone", "preferred_name", "pronouns")


def add_client(counselor: User, *, name, email, phone=None, preferred_name=None, pronouns=None):
    """Create the client's account (no password yet) and an invitation; returns both."""
    user = User(name=name, email=email, role="client")
    client = Client(user=user, counselor_id=counselor.id, phone=phone,
                    preferred_name=preferred_name, pronouns=pronouns)
    db.session.add(client)
    db.session.flush()
    audit.record("client.create", client, actor=counselor)
    return client, invitations.issue(counselor, user)


def update_client(counselor: User, client: Client, *, name, email, **details):
    client.user.name = name
    client.user.email = email
    for field in DETAIL_FIELDS:
        setattr(client, field, details.get(field))
    audit.record("client.update", client, actor=counselor)


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivating stops sign-in at once and keeps every record."""
    user.active = active
    user.deactivated_at = None if active else utcnow()
    if not active:
        sessions.end_all(user)
    audit.record("account.reactivate" if active else "account.deactivate",
                 user.client or user, actor=actor)
