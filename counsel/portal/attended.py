"""What a client may see of the session log (PRODUCT.md privacy rules 1 and 3): when their
upcoming sessions are, and, for signed sessions they attended, the shared summary, the
mediated outline and the agreements that bind them. Never private notes, addenda,
screenings or the safety flag: the queries here select only what a client page shows, and
filter by the client in the query itself."""

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from ..extensions import db
from ..models import (
    Agreement,
    AgreementFollowUp,
    CaseMember,
    Client,
    CounselingSession,
    SessionAttendee,
    utcnow,
)
from ..paging import Page, paged
from ..permissions import refuse

UPCOMING_ON_HOME = 5
LIST_SIZE = 100
PAGE_SIZE = 50


def _attended_by(client: Client):
    return select(CounselingSession).join(
        SessionAttendee, and_(SessionAttendee.session_id == CounselingSession.id,
                              SessionAttendee.client_id == client.id))


def upcoming(client: Client, limit: int = LIST_SIZE) -> list[CounselingSession]:
    """Sessions the client is down to attend, from now on, not cancelled, soonest first."""
    return list(db.session.scalars(
        _attended_by(client).where(CounselingSession.starts_at > utcnow(),
                                   CounselingSession.cancelled_at.is_(None))
        .order_by(CounselingSession.starts_at).limit(limit)))


def past_signed(client: Client, page: int = 1) -> Page:
    """Signed sessions the client attended, newest first, a page at a time."""
    return paged(_attended_by(client).where(CounselingSession.starts_at <= utcnow(),
                                            CounselingSession.signed_at.is_not(None))
                 .order_by(CounselingSession.starts_at.desc(), CounselingSession.id.desc()),
                 page, PAGE_SIZE)


def binds(client: Client):
    """Agreements that bind this client: made for them, or for everyone in the case."""
    return or_(Agreement.binds_client_id == client.id, Agreement.binds_client_id.is_(None))


def _signed_follow_ups():
    """Follow-ups recorded in signed sessions only (an unsigned session is still a draft)."""
    signed = select(CounselingSession.id).where(CounselingSession.signed_at.is_not(None))
    return selectinload(Agreement.follow_ups.and_(AgreementFollowUp.session_id.in_(signed))) \
        .joinedload(AgreementFollowUp.session)


def signed_session_for_client(client: Client, session_id: int):
    """A signed session the client attended, with the agreements made there that bind
    them (two statements), or 404."""
    session = db.session.scalars(
        _attended_by(client).where(CounselingSession.id == session_id,
                                   CounselingSession.signed_at.is_not(None))).first()
    if session is None:
        refuse("counseling_sessions", session_id)
    agreements = list(db.session.scalars(
        select(Agreement).where(Agreement.session_id == session.id, binds(client))
        .order_by(Agreement.id)))
    return session, agreements


def agreements_of(client: Client, page: int = 1) -> Page:
    """Agreements from signed sessions of the client's cases that bind them, newest first
    and a page at a time, each with its follow-ups from signed sessions and the session it
    was made in."""
    their_cases = select(CaseMember.case_id).where(CaseMember.client_id == client.id)
    return paged(
        select(Agreement).join(Agreement.session)
        .where(Agreement.case_id.in_(their_cases), CounselingSession.signed_at.is_not(None),
               binds(client))
        .options(_signed_follow_ups(), contains_eager(Agreement.session))
        .order_by(CounselingSession.starts_at.desc(), Agreement.id), page, PAGE_SIZE)
