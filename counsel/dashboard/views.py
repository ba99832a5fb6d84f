from flask import render_template
from flask_login import current_user
from sqlalchemy import and_, func, literal, select

from .. import audit, checkins
from ..assignments import queries
from ..clock import localtime, practice_today
from ..extensions import db
from ..models import Case
from ..paging import requested_page
from ..pathway import stages
from ..permissions import caseload_query
from ..session_log import queries as session_queries
from . import bp
from . import queries as dashboard_queries

# The dashboard shows the first few of each list; "all" pages show the rest.
FIRST = 10
PER_PAGE = 50
LISTS = {"waiting": "Waiting for review", "overdue": "Overdue",
         "unsigned": "Sessions waiting to be signed"}


def _clients_and_flagged_cases() -> tuple[int, list[Case]]:
    """The caseload's size and the open cases with a safety flag, in one statement: the
    count rides on a one-row select that the flagged cases are outer-joined to."""
    count = select(func.count()).select_from(caseload_query(current_user).subquery())
    one = select(literal(1).label("one")).subquery()
    rows = db.session.execute(
        select(count.scalar_subquery(), Case).select_from(one).outerjoin(Case, and_(
            Case.counselor_id == current_user.id, Case.closed_at.is_(None),
            Case.safety_flagged_at.is_not(None)))
        .order_by(Case.safety_flagged_at.desc())).all()
    return rows[0][0], [case for _, case in rows if case is not None]


@bp.get("/")
def index():
    """What needs attention: today's and this week's sessions, sessions waiting to be
    signed, cases with a safety flag, work waiting for review (oldest first) and overdue
    work, clients by stage, check-ins due and broken no-contact days. At most 9
    statements, whatever the size of the practice."""
    today = practice_today()
    audit.record("dashboard.view")
    db.session.commit()
    client_count, flagged = _clients_and_flagged_cases()
    week, to_sign = session_queries.week_and_to_sign(current_user, today, FIRST)
    return render_template(
        "dashboard/index.html", client_count=client_count, today=today,
        waiting=queries.waiting_for_review(current_user, size=FIRST),
        overdue=queries.overdue(current_user, today, size=FIRST),
        week=week, todays=[s for s in week if localtime(s.starts_at, "%Y-%m-%d")
                           == today.isoformat()],
        to_sign=to_sign, flagged=flagged,
        by_stage=stages.counts_by_stage(caseload_query(current_user)),
        checkins_waiting=checkins.due_or_missed(current_user),
        broken_days=dashboard_queries.broken_last_week(current_user),
    )


@bp.get("/<any(waiting, overdue, unsigned):kind>")
def all_of(kind):
    """Every item of one dashboard list, a page at a time."""
    today, page = practice_today(), requested_page()
    audit.record("dashboard.view", detail=kind)
    db.session.commit()
    items = (queries.waiting_for_review(current_user, page, PER_PAGE) if kind == "waiting"
             else session_queries.waiting_to_sign(current_user, PER_PAGE, page)
             if kind == "unsigned" else queries.overdue(current_user, today, page, PER_PAGE))
    return render_template("dashboard/all.html", kind=kind, title=LISTS[kind], items=items,
                           today=today)
