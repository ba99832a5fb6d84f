from flask import render_template, request
from sqlalchemy import case, select

from .. import audit
from ..assignments import queries, status
from ..clock import practice_today
from ..extensions import db
from ..models import Assignment
from ..paging import paged, requested_page
from ..permissions import own_client_record
from . import bp

# Open and waiting work are short lists by nature; still, no list is unbounded.
MOST_OPEN = 50
DONE_FIRST = 10
DONE_PER_PAGE = 50


@bp.get("/")
def home():
    """What to do next, by due date; what is with the counselor; what was reviewed.
    Completed work shows the latest few, or every page of it with ?done=all."""
    client = own_client_record()
    audit.record("portal.home.view", client)
    db.session.commit()
    mine = select(Assignment).where(Assignment.client_id == client.id).options(
        *queries.LIST_ONLY)
    todo = db.session.scalars(
        mine.where(Assignment.status.in_(status.OPEN))
        .order_by(case((Assignment.status == "revision_requested", 0), else_=1),
                  Assignment.due_date.is_(None), Assignment.due_date, Assignment.id)
        .limit(MOST_OPEN)).all()
    number, at = queries.latest_submission()
    waiting = db.session.execute(
        select(Assignment, at).where(Assignment.client_id == client.id,
                                     Assignment.status == "submitted")
        .order_by(at).limit(MOST_OPEN).options(*queries.LIST_ONLY)).all()
    show_all = request.args.get("done") == "all"
    done = paged(mine.where(Assignment.status == "completed")
                 .order_by(Assignment.updated_at.desc(), Assignment.id.desc()),
                 requested_page() if show_all else 1,
                 DONE_PER_PAGE if show_all else DONE_FIRST)
    return render_template(
        "portal/home.html", client=client, today=practice_today(), todo=todo,
        next_up=todo[0] if todo else None, waiting=waiting, done=done, show_all=show_all)


@bp.get("/access")
def access_history():
    """Who has looked at or changed this client's record."""
    client = own_client_record()
    events = audit.history(client)
    audit.record("client.access_history.view", client)
    db.session.commit()
    return render_template("portal/access.html", client=client, events=events)
