"""Signing a counseling session and correcting it afterwards (SECURITY.md 17).

A session has two states, as data: ``unsigned`` (everything may change) and ``signed``
(nothing may; corrections are addenda). Signing stores a SHA-256 of the session's content
as it stood, so anyone can check later that what is shown is what was signed. Every route
that changes a session calls ``require`` first; the models and the database
refuse the change too (models/session_log.py, migration 0005).
"""

import hashlib
import json

from .. import audit
from ..extensions import db
from ..models import Addendum, CounselingSession, User, utcnow

# What may happen to a session in each state.
ACTIONS = {
    "unsigned": {"edit", "attend", "agree", "follow_up", "assign", "cancel", "sign"},
    # A cancelled session stays on record as it was; signing it locks that record.
    "cancelled": {"sign"},
    "signed": {"add_addendum"},
}
# Why an action is refused, by the state the session is in.
REFUSALS = {
    "signed": "This session is signed and can no longer be changed. Add an addendum to "
              "correct it.",
    "cancelled": "This session was cancelled, so it can no longer be changed.",
    "unsigned": "Sign the session before adding an addendum; until then, edit it directly.",
}


class SessionLocked(Exception):
    """A change was asked of a session whose state does not allow it."""

    def __init__(self, message: str = "This session is signed and can no longer be "
                                      "changed. Add an addendum to correct it."):
        super().__init__(message)
        self.message = message


def state(session: CounselingSession) -> str:
    if session.signed_at is not None:
        return "signed"
    return "cancelled" if session.cancelled_at is not None else "unsigned"


def allowed(session: CounselingSession, action: str) -> bool:
    return action in ACTIONS[state(session)]


def require(session: CounselingSession, action: str) -> None:
    if not allowed(session, action):
        raise SessionLocked(REFUSALS[state(session)])



def content_of(session: CounselingSession) -> dict:
    """Everything a signature covers, in a stable, explicit form."""
    return {
        "id": session.id,
        "case_id": session.case_id,
        "counselor_id": session.counselor_id,
        "starts_at": session.starts_at.isoformat(),
        "duration_minutes": session.duration_minutes,
        "format": session.format,
        "type": session.type,
        "attendees": sorted(a.client_id for a in session.attendees),
        "shared_summary": session.shared_summary or "",
        "private_notes": session.private_notes or "",
        "agenda": session.agenda or "",
        "perspectives": session.perspectives or "",
        "acknowledged": session.acknowledged or "",
        "next_steps": session.next_steps or "",
        "screening_confirmed_at": (session.screening_confirmed_at.isoformat()
                                   if session.screening_confirmed_at else None),
        "agreements": [{"id": a.id, "text": a.text, "binds": a.binds_client_id,
                        "follow_up_on": a.follow_up_on.isoformat() if a.follow_up_on else None}
                       for a in session.agreements],
        "follow_ups": [{"id": f.id, "agreement_id": f.agreement_id, "outcome": f.outcome,
                        "note": f.note or ""} for f in session.follow_ups],
    }


def digest(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def content_hash(session: CounselingSession) -> str:
    return digest(content_of(session))


def intact(session: CounselingSession) -> bool:
    """The signed content is still what was signed."""
    return session.content_hash is not None and session.content_hash == content_hash(session)


def sign(counselor: User, session: CounselingSession) -> None:
    require(session, "sign")
    session.content_hash = content_hash(session)
    session.signed_at = utcnow()
    session.signed_by_id = counselor.id
    db.session.flush()
    audit.record("session.sign", session, actor=counselor,
                 client=session.attendees[0].client_id if session.attendees else None)


def add_addendum(counselor: User, session: CounselingSession, body: str) -> Addendum:
    require(session, "add_addendum")
    signed_at = utcnow()
    # By id: appending to ``session.addenda`` would mark the signed session itself as
    # changed, which the models refuse.
    addendum = Addendum(session_id=session.id, body=body, signed_by_id=counselor.id,
                        signed_at=signed_at,
                        content_hash=digest({"session_id": session.id, "body": body,
                                             "signed_by_id": counselor.id,
                                             "signed_at": signed_at.isoformat()}))
    db.session.add(addendum)
    db.session.flush()
    audit.record("session.addendum", addendum, actor=counselor,
                 client=session.attendees[0].client_id if session.attendees else None)
    return addendum
