from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from .. import audit
from ..assignments import queries
from ..clock import practice_today
from ..extensions import db
from ..paging import requested_page
from ..permissions import caseload_query
from . import bp

# The dashboard shows the first few of each list; "all" pages show the rest.
FIRST = 10
PER_PAGE = 50
LISTS = {"waiting": "Waiting for review", "overdue": "Overdue"}


@bp.get("/")
def index():
    """What needs attention: work waiting for review (oldest first) and overdue work."""
    today = practice_today()
    audit.record("dashboard.view")
    db.session.commit()
    client_count = db.session.scalar(
        select(func.count()).select_from(caseload_query(current_user).subquery())
    )
    return render_template(
        "dashboard/index.html", client_count=client_count, today=today,
        waiting=queries.waiting_for_review(current_user, size=FIRST),
        overdue=queries.overdue(current_user, today, size=FIRST),
    )


@bp.get("/<any(waiting, overdue):kind>")
def all_of(kind):
    """Every item of one dashboard list, a page at a time."""
    today, page = practice_today(), requested_page()
    audit.record("dashboard.view", detail=kind)
    db.session.commit()
    items = (queries.waiting_for_review(current_user, page, PER_PAGE) if kind == "waiting"
             else queries.overdue(current_user, today, page, PER_PAGE))
    return render_template("dashboard/all.html", kind=kind, title=LISTS[kind], items=items,
                           today=today)
