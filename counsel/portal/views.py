from flask import render_template, request

from .. import audit, checkins, history
from ..assignments import queries
from ..clock import practice_today
from ..extensions import db
from ..paging import requested_page
from ..pathway import stages
from ..permissions import own_client_record
from . import attended, bp, reports

DONE_FIRST = 10
DONE_PER_PAGE = 50


@bp.get("/")
def home():
    """What to do next, by due date; what is with the counselor; what was reviewed.
    Completed work shows the latest few, or every page of it with ?done=all."""
    client = own_client_record()
    audit.record("portal.home.view", client)
    db.session.commit()
    show_all = request.args.get("done") == "all"
    done = queries.completed(client, requested_page() if show_all else 1,
                             DONE_PER_PAGE if show_all else DONE_FIRST)
    rows = queries.to_do(client, 50, stages.in_locked_stage())
    todo = [assignment for assignment, _ in rows]
    locked = {assignment.id for assignment, is_locked in rows if is_locked}
    ready = [a for a in todo if a.id not in locked]  # locked work shows, but is not next
    return render_template(
        "portal/home.html", client=client, today=practice_today(), todo=todo,
        next_up=ready[0] if ready else None, locked=locked,
        waiting=queries.with_counselor(client), done=done,
        show_all=show_all, sessions=attended.upcoming(client, attended.UPCOMING_ON_HOME),
        consents_waiting=reports.waiting_consents(client), checkin=checkins.next_due(client))


@bp.get("/access")
def access_history():
    """Who has looked at or changed this client's record."""
    client = own_client_record()
    page = history.page_for(client, request.args)
    audit.record("client.access_history.view", client)
    db.session.commit()
    return render_template("portal/access.html", client=client, page=page,
                           kinds=history.KINDS, page_size=history.PAGE_SIZE)
