"""The counselor's lists of sessions (the session list and the dashboard), each one
statement whatever the number of sessions, and the times they are cut at (practice time
zone)."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, select
from sqlalchemy.orm import contains_eager

from ..clock import practice_zone
from ..extensions import db
from ..models import CounselingSession, User, utcnow
from ..paging import Page, paged

FILTERS = {"all": "All", "upcoming": "Upcoming", "past": "Past", "unsigned": "Not signed"}
PER_PAGE = 25
# A session is waiting to be signed once it ended this long ago.
SIGN_WITHIN = timedelta(hours=24)


def _mine(counselor: User):
    return (select(CounselingSession).join(CounselingSession.case)
            .where(CounselingSession.counselor_id == counselor.id)
            .options(contains_eager(CounselingSession.case)))


def sessions_of(counselor: User, show: str, case_id: int | None, number: int,
                size: int = PER_PAGE) -> Page:
    """One page of the counselor's sessions with their cases (the case names who it was
    with). Upcoming ones first, soonest first; then past ones, newest first."""
    now = utcnow()
    statement = _mine(counselor)
    upcoming = CounselingSession.starts_at >= now
    if show == "upcoming":
        statement = statement.where(upcoming)
    elif show == "past":
        statement = statement.where(~upcoming)
    elif show == "unsigned":
        statement = statement.where(CounselingSession.signed_at.is_(None),
                                    CounselingSession.cancelled_at.is_(None))
    if case_id is not None:
        statement = statement.where(CounselingSession.case_id == case_id)
    statement = statement.order_by(
        case((upcoming, 0), else_=1),
        case((upcoming, CounselingSession.starts_at), else_=None).asc(),
        CounselingSession.starts_at.desc(), CounselingSession.id.desc())
    return paged(statement, number, size)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=practice_zone()).astimezone(UTC)


def this_week(counselor: User, today: date) -> list[CounselingSession]:
    """Sessions from Monday to Sunday of ``today``'s week, not cancelled, by time."""
    monday = today - timedelta(days=today.weekday())
    return db.session.scalars(
        _mine(counselor).where(CounselingSession.cancelled_at.is_(None),
                               CounselingSession.starts_at >= local_midnight(monday),
                               CounselingSession.starts_at < local_midnight(
                                   monday + timedelta(days=7)))
        .order_by(CounselingSession.starts_at)).all()


def waiting_to_sign(counselor: User, size: int, number: int = 1) -> Page:
    """Sessions that started more than a day ago (so ended well before) and are not signed,
    oldest first."""
    return paged(_mine(counselor).where(CounselingSession.signed_at.is_(None),
                                        CounselingSession.cancelled_at.is_(None),
                                        CounselingSession.starts_at < utcnow() - SIGN_WITHIN)
                 .order_by(CounselingSession.starts_at, CounselingSession.id), number, size)
