"""The client's no-contact tracker on their work page: checking in for a day (today, or a
missed day afterwards, marked late) and a short reflection after a broken day. A refusal
re-renders the work page with everything typed (records.tracker.context takes the form)."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import checkins, rescue
from ..assignments import queries
from ..assignments.operations import WorkRefused
from ..extensions import db
from ..models import Assignment
from ..permissions import assignment_for_client
from ..records import tracker as rules
from ..records.tracker_forms import CheckInForm, ReflectionForm
from . import bp
from .forms import work_form
from .work import render_work

FIELD_CODES = ("day", "outcome", "urge", "text")


def _load(assignment_id):
    assignment = assignment_for_client(assignment_id, *queries.with_revisions(client=False))
    tracker = rules.load(assignment)
    if tracker is None:
        abort(404)
    return assignment, tracker


def _refused(assignment, form, refused: WorkRefused, given: str):
    """Back to the work page with the form as it was typed: a field's message beside it,
    or (work that cannot change now) the message at the top."""
    db.session.rollback()
    if refused.code in FIELD_CODES and refused.code in form:
        form[refused.code].errors = [refused.message]
        return render_work(assignment, work_form(assignment, posted=False), status=422,
                           records_given={given: form})
    return render_work(assignment, work_form(assignment, posted=False), status=409,
                       message=refused.message, records_given={given: form})


def _back(assignment, anchor):
    return redirect(url_for(".work", assignment_id=assignment.id, _anchor=anchor))


@bp.post("/assignments/<int:assignment_id>/tracker")
def tracker_checkin(assignment_id):
    assignment, tracker = _load(assignment_id)
    form = CheckInForm(prefix="tracker")
    if not form.validate_on_submit():
        return render_work(assignment, work_form(assignment, posted=False), status=422,
                           records_given={"checkin_form": form})
    day = form.day.data
    try:
        checked = rules.check_in(current_user, assignment, tracker, day=day,
                                 outcome=form.outcome.data, urge=form.urge_value,
                                 note=form.note.data, today=checkins.client_today(
                                     assignment.client))
        db.session.commit()
    except IntegrityError:  # the same day, sent twice at once
        return _refused(assignment, form, WorkRefused(
            f"You already checked in for {day:%a %d %b %Y}. Choose another day.", "day"),
            "checkin_form")
    except WorkRefused as refused:
        return _refused(assignment, form, refused, "checkin_form")
    if checked.outcome == "broke":
        flash("Saved. A broken day starts the streak again; that happens. If you can, write "
              "a few lines about it below.", "success")
        return _back(assignment, "tracker-reflection")
    flash(f"Saved your check-in for {day:%a %d %b}." + (" It is marked as late."
                                                         if checked.late else ""), "success")
    return _back(assignment, "tracker-heading")


@bp.post("/assignments/<int:assignment_id>/tracker/reflection")
def tracker_reflection(assignment_id):
    assignment, tracker = _load(assignment_id)
    form = ReflectionForm(prefix="reflection")
    if not form.validate_on_submit():
        return render_work(assignment, work_form(assignment, posted=False), status=422,
                           records_given={"reflection_form": form})
    try:
        rules.add_reflection(current_user, assignment, tracker, day=form.day.data,
                             text=form.text.data)
        db.session.commit()
    except WorkRefused as refused:
        return _refused(assignment, form, refused, "reflection_form")
    flash("Your reflection is saved. Only you and your counselor see it.", "success")
    return _back(assignment, "tracker-heading")


def rescue_tracker(reason: str):
    """An expired page: the work page again, with the check-in or reflection as typed."""
    if reason != "expired" or not (current_user.is_authenticated and current_user.is_client):
        return None
    assignment = db.session.scalars(select(Assignment).where(
        Assignment.id == request.view_args["assignment_id"],
        Assignment.client_id == current_user.client.id)).first()
    if assignment is None or rules.load(assignment) is None:
        return None
    given = {"checkin_form": CheckInForm(prefix="tracker")} \
        if request.endpoint == "portal.tracker_checkin" \
        else {"reflection_form": ReflectionForm(prefix="reflection")}
    return render_work(assignment, work_form(assignment, posted=False), status=400,
                       records_given=given, message=(
                           "For your security this page had expired, so nothing was saved "
                           "yet. What you entered is below, as you left it: save it again."))


@bp.record_once
def _register_rescue(state):
    for endpoint in ("portal.tracker_checkin", "portal.tracker_reflection"):
        rescue.register(state.app, endpoint, rescue_tracker)
