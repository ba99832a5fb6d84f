from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from .. import audit
from ..assignments import queries
from ..clock import practice_today
from ..extensions import db
from ..permissions import caseload_query
from . import bp


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
        waiting=queries.waiting_for_review(current_user),
        overdue=queries.overdue(current_user, today),
    )
