from datetime import date

from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import audit, history
from ..assignments import status
from ..clock import practice_today
from ..extensions import db
from ..models import Assignment
from ..permissions import own_client_record
from . import bp


@bp.get("/")
def home():
    """What to do next, by due date; what is with the counselor; what was reviewed."""
    client = own_client_record()
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.client_id == client.id,
                                 Assignment.status != "withdrawn")
        .order_by(Assignment.created_at.desc())
        .options(selectinload(Assignment.revisions), selectinload(Assignment.draft))
    ).all()
    audit.record("portal.home.view", client)
    db.session.commit()
    todo = sorted((a for a in assignments if a.status in status.OPEN),
                  key=lambda a: (a.status != "revision_requested", a.due_date or date.max))
    return render_template(
        "portal/home.html", client=client, today=practice_today(), todo=todo,
        next_up=todo[0] if todo else None,
        waiting=[a for a in assignments if a.status == "submitted"],
        done=[a for a in assignments if a.status == "completed"],
    )


@bp.get("/access")
def access_history():
    """Who has looked at or changed this client's record."""
    client = own_client_record()
    page = history.page_for(client, request.args)
    audit.record("client.access_history.view", client)
    db.session.commit()
    return render_template("portal/access.html", client=client, page=page,
                           kinds=history.KINDS, page_size=history.PAGE_SIZE)
