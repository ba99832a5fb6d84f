"""Logging counseling sessions: plain functions of (counselor, session, data) that flush,
record audit rows and raise ``SessionRefused`` (a message for the counselor) on a broken
rule. Views commit. Every change goes through ``signing.require`` first, so a signed or
cancelled session is refused here before the models and the database triggers would."""

from datetime import date, datetime

from sqlalchemy import select

from .. import audit
from ..assignments import operations as assignment_operations
from ..extensions import db
from ..models import (
    Agreement,
    AgreementFollowUp,
    Case,
    Client,
    CounselingSession,
    SafetyScreening,
    SessionAttendee,
    User,
    utcnow,
)
from . import signing

# The text a counselor writes, which the autosave keeps as it is typed.
TEXT_FIELDS = ("shared_summary", "private_notes", "agenda", "perspectives", "acknowledged",
               "next_steps")


class SessionRefused(Exception):
    """A rule said no; ``message`` is for the counselor, in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ScreeningNeeded(SessionRefused):
    """A joint session, and no safety screening on record for ``clients``: the counselor
    must confirm going ahead."""

    def __init__(self, clients: list[Client]):
        names = " and ".join(c.display_name for c in clients)
        super().__init__(f"No safety screening is on record for {names}. Go ahead anyway?")
        self.clients = clients


class TextConflict(Exception):
    """The session's text changed (another tab) since the version the page started from."""


def first_attendee(session: CounselingSession) -> int | None:
    return session.attendees[0].client_id if session.attendees else None


def unscreened(case: Case) -> list[Client]:
    """The case's partners with no safety screening on record in this case."""
    screened = set(db.session.scalars(select(SafetyScreening.client_id)
                                      .where(SafetyScreening.case_id == case.id)))
    return [c for c in case.partners if c.id not in screened]


def _screening(case: Case, kind: str, session: CounselingSession | None,
               confirmed: bool) -> datetime | None:
    """When a joint session needs the counselor's confirmation (a partner has no
    screening), refuse without it; return the time it was given, or None if not needed."""
    if kind != "joint" or (session is not None and session.screening_confirmed_at):
        return None
    missing = unscreened(case)
    if not missing:
        return None
    if not confirmed:
        raise ScreeningNeeded(missing)
    return utcnow()


def _attendees(case: Case, kind: str, client_ids: list[int]) -> list[int]:
    partners = {c.id for c in case.partners}
    if any(i not in partners for i in client_ids):
        raise SessionRefused("Only the partners of this case can attend its sessions. "
                             "Nothing was saved.")
    chosen = sorted(set(client_ids))
    if not chosen:
        raise SessionRefused("Choose who attended (at least one partner).")
    if kind == "individual" and len(chosen) != 1:
        raise SessionRefused("An individual session has one attendee. Choose one partner, "
                             "or make it a joint session.")
    if kind == "joint" and not case.is_couple:
        raise SessionRefused("A joint session needs a couple's case.")
    return chosen


def create_session(counselor: User, case: Case, *, starts_at: datetime, duration_minutes: int,
                   format: str, type: str, attendee_ids: list[int], texts: dict,
                   confirm_screening: bool = False) -> CounselingSession:
    if not case.is_open:
        raise SessionRefused("This case is closed, so no new sessions can be logged. Reopen "
                             "the case first.")
    chosen = _attendees(case, type, attendee_ids)
    confirmed_at = _screening(case, type, None, confirm_screening)
    session = CounselingSession(
        case=case, counselor_id=counselor.id, starts_at=starts_at,
        duration_minutes=duration_minutes, format=format, type=type,
        screening_confirmed_at=confirmed_at,
        attendees=[SessionAttendee(client_id=i) for i in chosen],
        **{name: texts.get(name) or None for name in TEXT_FIELDS})
    db.session.add(session)
    db.session.flush()
    audit.record("session.create", session, actor=counselor, client=chosen[0])
    if confirmed_at:
        # Names no client: a partner's own access history must not hint at safety work.
        audit.record("session.screening_confirmed", session, actor=counselor)
    return session


def update_session(counselor: User, session: CounselingSession, *, starts_at: datetime,
                   duration_minutes: int, format: str, type: str, attendee_ids: list[int],
                   texts: dict, confirm_screening: bool = False) -> None:
    signing.require(session, "edit")
    chosen = _attendees(session.case, type, attendee_ids)
    confirmed_at = _screening(session.case, type, session, confirm_screening)
    if confirmed_at:
        session.screening_confirmed_at = confirmed_at
    session.starts_at, session.duration_minutes = starts_at, duration_minutes
    session.format, session.type = format, type
    for name in TEXT_FIELDS:
        setattr(session, name, texts.get(name) or None)
    held = {a.client_id: a for a in session.attendees}
    for client_id, attendee in held.items():
        if client_id not in chosen:
            session.attendees.remove(attendee)
            db.session.delete(attendee)
    for client_id in chosen:
        if client_id not in held:
            session.attendees.append(SessionAttendee(client_id=client_id))
    session.updated_at = utcnow()
    db.session.flush()
    audit.record("session.update", session, actor=counselor, client=chosen[0])
    if confirmed_at:
        # Names no client: a partner's own access history must not hint at safety work.
        audit.record("session.screening_confirmed", session, actor=counselor)


def held_text(session: CounselingSession) -> dict:
    return {name: getattr(session, name) or "" for name in TEXT_FIELDS}


def save_text(counselor: User, session: CounselingSession, texts: dict,
              base_version: int | None) -> None:
    """The autosave: keep the text fields. A page based on an older version conflicts
    only when the stored text differs from what it sends."""
    signing.require(session, "edit")
    wanted = {name: texts.get(name) or "" for name in TEXT_FIELDS}
    held = held_text(session)
    if base_version != session.version and held != wanted:
        raise TextConflict()
    if held != wanted:
        for name, value in wanted.items():
            setattr(session, name, value or None)
        session.updated_at = utcnow()
        db.session.flush()
    audit.record("session.autosave", session, actor=counselor, client=first_attendee(session))


def cancel(counselor: User, session: CounselingSession) -> None:
    signing.require(session, "cancel")
    session.cancelled_at = utcnow()
    db.session.flush()
    audit.record("session.cancel", session, actor=counselor, client=first_attendee(session))


# --- agreements and follow-ups -------------------------------------------------------------

def add_agreement(counselor: User, session: CounselingSession, *, text: str,
                  binds_client_id: int | None, follow_up_on: date | None) -> Agreement:
    signing.require(session, "agree")
    if binds_client_id is not None and binds_client_id not in {c.id for c in
                                                                session.case.partners}:
        raise SessionRefused("An agreement can only bind a partner of this case. Nothing "
                             "was saved.")
    agreement = Agreement(session=session, case_id=session.case_id, text=text,
                          binds_client_id=binds_client_id, follow_up_on=follow_up_on)
    db.session.add(agreement)
    db.session.flush()
    audit.record("agreement.create", agreement, actor=counselor,
                 client=binds_client_id or first_attendee(session))
    return agreement


def remove_agreement(counselor: User, session: CounselingSession, agreement: Agreement) -> None:
    signing.require(session, "agree")
    if agreement.session_id != session.id:
        raise SessionRefused("That agreement was made in another session.")
    if agreement.follow_ups:
        raise SessionRefused("This agreement has follow-ups recorded, so it stays.")
    audit.record("agreement.remove", agreement, actor=counselor,
                 client=agreement.binds_client_id or first_attendee(session))
    session.agreements.remove(agreement)
    db.session.delete(agreement)
    db.session.flush()


def record_follow_up(counselor: User, session: CounselingSession, agreement: Agreement, *,
                     outcome: str, note: str | None) -> AgreementFollowUp:
    """How ``agreement`` (from an earlier, signed session of the case) went, recorded in
    ``session``, whose signature will cover it."""
    signing.require(session, "follow_up")
    if agreement.case_id != session.case_id or agreement.session_id == session.id \
            or not agreement.session.signed:
        raise SessionRefused("Follow-ups are for agreements from earlier signed sessions "
                             "of this case.")
    if any(f.session_id == session.id for f in agreement.follow_ups):
        raise SessionRefused("A follow-up of this agreement is already recorded in this "
                             "session.")
    # By id: appending to the earlier agreement's collection would mark that signed
    # session's agreement as changed, which the models refuse.
    follow_up = AgreementFollowUp(agreement_id=agreement.id, session_id=session.id,
                                  outcome=outcome, note=note or None)
    db.session.add(follow_up)
    db.session.flush()
    audit.record("agreement.follow_up", follow_up, actor=counselor,
                 client=agreement.binds_client_id or first_attendee(session))
    return follow_up


# --- assignments given in the session ------------------------------------------------------

def assign_in_session(counselor: User, session: CounselingSession, client: Client, exercise,
                      *, due_date: date | None, note: str | None,
                      contact_reason: str | None = None):
    """Assign ``exercise`` to an attendee, linked to this session and its case. Raises
    assignments' ``WorkRefused`` when its own rules say no (the safety rule included)."""
    signing.require(session, "assign")
    if client.id not in {a.client_id for a in session.attendees}:
        raise SessionRefused("Assign work from this page to someone who attended the session.")
    assignment = assignment_operations.assign(counselor, client, exercise, due_date=due_date,
                                              note=note, case=session.case,
                                              contact_reason=contact_reason)
    assignment.session_id = session.id
    db.session.flush()
    return assignment
