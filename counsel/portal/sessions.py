"""The client's sessions and agreements: upcoming sessions, the shared summary of signed
sessions they attended, and the agreements that bind them with how they went."""

from flask import render_template

from .. import audit
from ..extensions import db
from ..models import MEDIATION_OUTLINE
from ..paging import requested_page
from ..permissions import own_client_record
from . import attended, bp


@bp.get("/sessions")
def sessions():
    client = own_client_record()
    upcoming, past = attended.upcoming(client), attended.past_signed(client, requested_page())
    audit.record("sessions.view", client)
    db.session.commit()
    return render_template("portal/sessions.html", upcoming=upcoming, past=past)


@bp.get("/sessions/<int:session_id>")
def session(session_id):
    """A signed session the client attended: its shared parts only."""
    client = own_client_record()
    counseling_session, agreements = attended.signed_session_for_client(client, session_id)
    audit.record("session_summary.view", counseling_session, client=client)
    db.session.commit()
    return render_template("portal/session.html", counseling_session=counseling_session,
                           agreements=agreements, outline=MEDIATION_OUTLINE)


@bp.get("/agreements")
def agreements():
    client = own_client_record()
    found = attended.agreements_of(client, requested_page())
    audit.record("agreements.view", client)
    db.session.commit()
    return render_template("portal/agreements.html", agreements=found, client=client)
