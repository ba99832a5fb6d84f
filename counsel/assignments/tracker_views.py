"""The counselor's change to a no-contact tracker's period (start date, planned length,
allowed exceptions), from the assignment page. A refusal shows the page again with what
was typed."""

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from .. import checkins
from ..extensions import db
from ..models import Assignment
from ..permissions import assignment_for_counselor
from ..records import tracker as rules
from ..records.tracker_forms import SettingsForm
from . import bp, queries
from .operations import WorkRefused
from .views import render_show


@bp.post("/assignments/<int:assignment_id>/tracker")
def tracker_settings(assignment_id):
    assignment = assignment_for_counselor(assignment_id, *queries.with_revisions(),
                                          joinedload(Assignment.case))
    tracker = rules.load(assignment)
    if tracker is None:
        abort(404)
    form = SettingsForm(today=checkins.client_today(assignment.client))
    if not form.validate_on_submit():
        return render_show(assignment, status=422, records_given={"settings_form": form})
    try:
        changed = rules.change_settings(current_user, assignment, tracker,
                                        starts_on=form.starts_on.data,
                                        length_days=form.length_days.data,
                                        exceptions=form.exceptions.data)
        db.session.commit()
    except WorkRefused as refused:
        db.session.rollback()
        form[refused.code].errors = [refused.message]
        return render_show(assignment, status=422, records_given={"settings_form": form})
    flash("The no-contact period is changed." if changed else "Nothing was changed.",
          "success" if changed else "info")
    return redirect(url_for(".show", assignment_id=assignment.id, _anchor="tracker-heading"))
