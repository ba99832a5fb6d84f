"""Changes to a caseload. Plain functions of (actor, object, data): they flush, record
audit rows, and leave the commit to the view."""

from sqlalchemy import select

from .. import audit
from ..auth import invitations, sessions
from ..cases import operations as cases
from ..extensions import db
from ..models import Client, User, utcnow
from ..notifications import operations as notifications

DETAIL_FIELDS = ("phone", "preferred_name", "pronouns")

ON_YOUR_CASELOAD = ("A client on your caseload already has this email address. Search your "
                    "caseload for it.")
NOT_AVAILABLE = ("This email address cannot be used for a client. Check it with the client; "
                 "if it is right, ask your practice admin.")


def email_problem(counselor: User, email: str, *, keep_user_id: int | None = None) -> str | None:
    """Why ``email`` cannot be given to a client of ``counselor``; None if it can.

    Email addresses are sign-in names, so an address in use cannot be added again, and
    refusing it necessarily says that it is in use somewhere. What must not leak is whose
    it is: a counselor probing addresses would otherwise learn who works at the practice
    and who is another counselor's client (a mental-health record in itself). So the
    counselor hears plainly about their own clients, whom they already know, and gets one
    message, word for word the same, for every other account: another counselor's client,
    a counselor, the admin, active or not. Pretending to add the client instead would hand
    the counselor an invitation link that cannot work and a client who never appears on
    their caseload, and the admin, who can see every account, is the one who can sort it out.
    """
    owner = db.session.execute(
        select(User.id, Client.counselor_id).outerjoin(Client, Client.user_id == User.id)
        .where(User.email == email)
    ).first()
    if owner is None or owner.id == keep_user_id:
        return None
    return ON_YOUR_CASELOAD if owner.counselor_id == counselor.id else NOT_AVAILABLE


def add_client(counselor: User, *, name, email, phone=None, preferred_name=None, pronouns=None,
               mail_safety="normal", safe_email=None):
    """Create the client's account (no password yet), their individual case (named after
    them, so every piece of their work belongs to a case), their email safety setting, and
    an invitation, emailed as that setting allows; returns the client and the invitation."""
    user = User(name=name, email=email, role="client")
    client = Client(user=user, counselor_id=counselor.id, phone=phone,
                    preferred_name=preferred_name, pronouns=pronouns)
    db.session.add(client)
    db.session.flush()
    audit.record("client.create", client, actor=counselor)
    cases.open_case(counselor, (name or "").strip()[:120] or email, [client])
    notifications.set_mail_safety(counselor, client, mail_safety, safe_email)
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
