"""The counselor's lists of sessions (the session list and the dashboard), each one
statement whatever the number of sessions, and the times they are cut at (practice time
zone)."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select
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


def week_and_to_sign(counselor: User, today: date, size: int) -> tuple[list[CounselingSession],
                                                                         Page]:
    """The dashboard's two lists in one statement: the sessions of ``today``'s week (Monday
    to Sunday, not cancelled, by time), and the first page (``size``) of
    ``waiting_to_sign`` with its total. Each session matching either is one row, flagged
    for the lists it belongs to; the to-sign rows are numbered (oldest first) and counted
    by window functions, so the statement returns the week and at most ``size`` to sign,
    whatever the number waiting."""
    monday = today - timedelta(days=today.weekday())
    live = CounselingSession.cancelled_at.is_(None)
    in_week = and_(live, CounselingSession.starts_at >= local_midnight(monday),
                   CounselingSession.starts_at < local_midnight(monday + timedelta(days=7)))
    to_sign = and_(live, CounselingSession.signed_at.is_(None),
                   CounselingSession.starts_at < utcnow() - SIGN_WITHIN)
    to_sign_flag = case((to_sign, 1), else_=0)
    marked = (select(CounselingSession.id, case((in_week, 1), else_=0).label("in_week"),
                     to_sign_flag.label("to_sign"),
                     func.row_number().over(partition_by=to_sign_flag, order_by=(
                         CounselingSession.starts_at, CounselingSession.id)).label("n"),
                     func.sum(to_sign_flag).over().label("to_sign_total"))
              .where(CounselingSession.counselor_id == counselor.id, or_(in_week, to_sign))
              .subquery())
    rows = db.session.execute(
        _mine(counselor).join(marked, marked.c.id == CounselingSession.id)
        .add_columns(marked.c.in_week, marked.c.to_sign, marked.c.n, marked.c.to_sign_total)
        .where(or_(marked.c.in_week == 1, and_(marked.c.to_sign == 1, marked.c.n <= size)))
        .order_by(CounselingSession.starts_at, CounselingSession.id)).all()
    week = [row[0] for row in rows if row.in_week]
    waiting = [row[0] for row in rows if row.to_sign and row.n <= size]
    total = int(rows[0].to_sign_total or 0) if rows else 0
    return week, Page(items=waiting, total=total, number=1, size=size)


def waiting_to_sign(counselor: User, size: int, number: int = 1) -> Page:
    """Sessions that started more than a day ago (so ended well before) and are not signed,
    oldest first."""
    return paged(_mine(counselor).where(CounselingSession.signed_at.is_(None),
                                        CounselingSession.cancelled_at.is_(None),
                                        CounselingSession.starts_at < utcnow() - SIGN_WITHIN)
                 .order_by(CounselingSession.starts_at, CounselingSession.id), number, size)
