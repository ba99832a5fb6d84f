"""The client's own stage pathway: the guide's stages, their own work in each, where they
are, and which stages are locked."""

from flask import render_template

from .. import audit
from ..extensions import db
from ..models.library import STAGES
from ..pathway import stages
from ..permissions import own_client_record
from ..records import tracker as tracker_records
from . import bp


@bp.get("/pathway")
def pathway():
    client = own_client_record()
    path, now = stages.pathway(client)
    audit.record("pathway.view", client)
    db.session.commit()
    return render_template("portal/pathway.html", client=client, path=path, current=now,
                           stages=STAGES, opens_when=stages.opens_when,
                           trackers=tracker_records.summaries_of(client))
