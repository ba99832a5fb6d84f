from flask import render_template
from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..models import AuditEvent
from ..permissions import own_client_record
from . import bp


@bp.get("/")
def home():
    client = own_client_record()
    return render_template("portal/home.html", client=client)


@bp.get("/access")
def access_history():
    """Who has looked at or changed this client's record."""
    client = own_client_record()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.client_id == client.id)
        .order_by(AuditEvent.at.desc()).limit(200)
    ).all()
    audit.record("client.access_history.view", client)
    db.session.commit()
    return render_template("portal/access.html", client=client, events=events)
