"""A client's stage pathway, for their counselor: the guide's stages in order, the work in
each with its status, where the client is, and the locks on later stages."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from .. import audit
from ..extensions import db
from ..models.library import STAGES
from ..pathway import operations, stages
from ..permissions import client_for_counselor
from ..records import tracker as tracker_records
from . import bp
from .forms import StageLockForm

LOCKABLE = stages.ORDER[1:]  # the first stage has nothing before it to wait for
STAGE_ARG = "any(" + ", ".join(f'"{s}"' for s in LOCKABLE) + ")"


def lock_forms(path, posted=None) -> dict:
    """A form for each lockable stage, showing its setting; ``posted`` is the one sent."""
    forms = {}
    for stage in path:
        if stage.key not in LOCKABLE:
            continue
        if posted is not None and posted.state.name == f"{stage.key}-state":
            forms[stage.key] = posted
            continue
        lock = stage.lock
        state = "open" if lock is None else "auto" if lock.unlock_when_previous_done \
            else "locked"
        forms[stage.key] = StageLockForm(prefix=stage.key, formdata=None,
                                         data={"state": state})
    return forms


def render_pathway(client, posted=None, status=200):
    path, now = stages.pathway(client)
    audit.record("pathway.view", client)
    db.session.commit()
    return render_template("clients/pathway.html", client=client, path=path, current=now,
                           stages=STAGES, forms=lock_forms(path, posted),
                           opens_when=stages.opens_when,
                           trackers=tracker_records.summaries_of(client)), status


@bp.get("/<int:client_id>/pathway")
def pathway(client_id):
    return render_pathway(client_for_counselor(client_id))


@bp.post(f"/<int:client_id>/pathway/<{STAGE_ARG}:stage>")
def lock(client_id, stage):
    """Lock or open one stage for the client."""
    client = client_for_counselor(client_id)
    form = StageLockForm(prefix=stage)
    if not form.validate_on_submit():
        return render_pathway(client, form, 422)
    state = form.state.data
    try:
        changed = operations.set_lock(current_user, client, stage, locked=state != "open",
                                      auto=state == "auto")
    except operations.LockRefused as refused:
        db.session.rollback()
        flash(refused.message, "warning")
        return redirect(url_for(".pathway", client_id=client.id))
    db.session.commit()
    title = STAGES[stage]
    if state == "auto" and (changed is None or not changed.locked):
        flash(f"{title} is open for {client.display_name}: the work of the stage before it "
              "is already completed.", "success")
    elif changed is None:
        flash(f"{title} was already set that way.", "info")
    elif not changed.locked:
        flash(f"{title} is open for {client.display_name}.", "success")
    else:
        flash(f"{title} is locked for {client.display_name}. "
              + stages.opens_when(changed, for_client=False), "success")
    return redirect(url_for(".pathway", client_id=client.id, _anchor=f"stage-{stage}"))
