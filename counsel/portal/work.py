"""The client's work on an assignment: the page (which works without JavaScript), the
JSON autosave endpoint, and submitting. Nothing the client typed is ever dropped: every
refusal answers with their text."""

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from .. import audit, records, rescue
from ..assignments import operations, queries
from ..assignments.operations import BOTH_SEPARATOR, DraftConflict, EmptyAnswers, WorkRefused
from ..assignments.text import commented
from ..clock import localtime
from ..extensions import db
from ..forms import EmptyForm
from ..inputs import takes_json
from ..models import Assignment, Review, Revision
from ..pathway import stages
from ..permissions import assignment_for_client, revision_of
from . import bp, partners
from .forms import conflict_choices, work_form


def feedback(assignment):
    """The latest sent review with its revision split into commented passages."""
    for revision in reversed(assignment.revisions):
        review = revision.review
        if review is not None and review.sent_at is not None:
            answers, numbered = commented(revision.answers, review.comments)
            return {"revision": revision, "review": review, "answers": answers,
                    "numbered": numbered}
    return None


def render_work(assignment, form, *, status=200, conflict=None, message=None,
                confirm_empty=None, records_given=None):
    """The work page, first view or re-rendered after a refusal, a conflict or an expired
    form: it shows the draft and any feedback, so every response records an
    assignment.view (SECURITY.md 14). Callers roll a refused change back first."""
    audit.record("assignment.view", assignment, client=assignment.client)
    db.session.commit()
    lock = stages.lock_on(assignment)
    return render_template("portal/work.html", assignment=assignment, form=form,
                           lock=lock, opens_when=stages.opens_when(lock) if lock else None,
                           feedback=feedback(assignment), conflict=conflict,
                           message=message, confirm_empty=confirm_empty,
                           both_separator=BOTH_SEPARATOR,
                           records=records.context(assignment, **(records_given or {}))), status


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
def work(assignment_id):
    assignment = assignment_for_client(assignment_id, *queries.with_revisions(client=False))
    if request.method == "GET":
        return render_work(assignment, work_form(assignment, posted=False))
    form = work_form(assignment)
    if not form.validate_on_submit():
        return render_work(assignment, form, status=422)
    answers = [entry.data for entry in form.answers]
    action = request.form.get("action")
    submitting = action in ("submit", "submit_anyway")
    try:
        if action == "resolve":  # after a conflict: the client's choice per answer
            answers = operations.merge_answers(
                answers, assignment.draft.answers if assignment.draft else answers,
                conflict_choices(request.form, len(answers)))
        if submitting:
            revision = operations.submit(current_user, assignment, answers, form.base(),
                                         allow_empty=action == "submit_anyway")
        else:
            operations.save_draft(current_user, assignment, answers, form.base())
        db.session.commit()
    except EmptyAnswers as empty:
        db.session.commit()  # the draft is kept; only the submission waits for a yes
        form.base_version.data = str(assignment.draft.version)
        return render_work(assignment, form, confirm_empty=empty.prompts)
    except (DraftConflict, StaleDataError):
        db.session.rollback()
        return _conflict_page(assignment, form)
    except WorkRefused as refused:
        db.session.rollback()
        if refused.code == "not_editable" and submitting:
            flash("This was already submitted. Your counselor has it.", "info")
            return redirect(url_for(".work", assignment_id=assignment.id))
        return render_work(assignment, form, status=409, message=refused.message)
    if submitting:
        flash(f"Submitted as revision {revision.number}. Your counselor will review it.",
              "success")
    else:
        flash(f"Saved at {localtime(assignment.draft.updated_at, '%H:%M')}.", "success")
    return redirect(url_for(".work", assignment_id=assignment.id))


def record_change(assignment, form, change, *, done: str, given: dict, anchor: str,
                  given_when_closed: dict | None = None):
    """A change to one of the work's records (counsel/records) from its own form on the work
    page: ``change()`` made and committed, then back to the page at ``anchor``. Refused, the
    work page again with ``given`` (the form as typed, for records.context): a field's
    refusal beside the field (422), the work's as a whole (withdrawn, a locked stage, an
    item no longer planned) at the top (409), with ``given_when_closed`` if the form is no
    longer shown. ``form`` None: a button without fields (its CSRF token already checked)."""
    status, message = 422, None
    if form is None or form.validate_on_submit():
        try:
            change()
            db.session.commit()
            flash(done, "success")
            return redirect(url_for(".work", assignment_id=assignment.id, _anchor=anchor))
        except WorkRefused as refused:
            db.session.rollback()
            field = form._fields.get(refused.code) if form is not None else None
            if field is not None:
                field.errors = [refused.message]
            else:
                status, message = 409, refused.message
                given = given_when_closed if given_when_closed is not None else given
    return render_work(assignment, work_form(assignment, posted=False), status=status,
                       message=message, records_given=given)


def _conflict_page(assignment, form):
    db.session.refresh(assignment)
    draft = assignment.draft
    form.base_version.data = str(draft.version)
    return render_work(assignment, form, status=409, conflict=draft,
                       message="This was changed in another tab or on another device since "
                       "you opened it. Both versions are below: your text is in the boxes. "
                       "For each answer, choose which version to keep, or keep both.")


@bp.post("/assignments/<int:assignment_id>/reopen")
def reopen(assignment_id):
    """Take a submission back to go on writing, before the counselor has opened it."""
    assignment = assignment_for_client(assignment_id)
    if EmptyForm().validate_on_submit():
        try:
            operations.reopen(current_user, assignment)
            db.session.commit()
            flash("Taken back: go on writing. Your next submission will be revision "
                  f"{len(assignment.revisions) + 1}.", "success")
        except WorkRefused as refused:
            db.session.rollback()
            flash(refused.message, "warning")
    return redirect(url_for(".work", assignment_id=assignment.id))


def _well_formed(payload) -> bool:
    """What the autosave script sends: an object whose ``base_version`` is a whole number
    or null. (The answers are checked by ``operations.check_answers``.)"""
    if not isinstance(payload, dict):
        return False
    version = payload.get("base_version")
    return version is None or type(version) is int  # not True, 1.5 or "1"


@bp.post("/assignments/<int:assignment_id>/draft")
@takes_json
def autosave(assignment_id):
    """JSON: {answers: [...], base_version: n}. 200 saved; 400 not understood; 409
    conflict or not editable; 422 refused (too long, bad character)."""
    assignment = assignment_for_client(assignment_id)
    payload = request.get_json(silent=True)
    if not _well_formed(payload):
        return jsonify(error="bad_request", message="This save was not understood, so "
                       "nothing was saved. Your text is still on this page: reload it to "
                       "try again."), 400
    try:
        draft = operations.save_draft(current_user, assignment, payload.get("answers"),
                                      payload.get("base_version"))
        db.session.commit()
    except (DraftConflict, StaleDataError):
        db.session.rollback()
        db.session.refresh(assignment)
        draft = assignment.draft
        return jsonify(error="conflict", version=draft.version, answers=draft.answers,
                       saved_at=localtime(draft.updated_at, "%H:%M")), 409
    except WorkRefused as refused:
        db.session.rollback()
        status = 409 if refused.code in ("withdrawn", "not_editable", "stale", "locked") \
            else 422
        return jsonify(error=refused.code, message=refused.message), status
    return jsonify(version=draft.version, saved_at=localtime(draft.updated_at, "%H:%M"),
                   status=assignment.status)


@bp.get("/assignments/<int:assignment_id>/revisions/<int:number>")
def revision(assignment_id, number):
    assignment = assignment_for_client(assignment_id)
    review = joinedload(Revision.review)
    rev = revision_of(assignment, number, review.joinedload(Review.counselor),
                      review.selectinload(Review.comments))
    audit.record("revision.view", rev, client=assignment.client)
    db.session.commit()
    review = rev.review if rev.review and rev.review.sent_at else None
    return render_template("portal/revision.html", assignment=assignment, revision=rev,
                           review=review, partners=partners.partners_of(assignment.client),
                           shares=partners.active_shares_of(assignment.client, rev),
                           form=EmptyForm())


def rescue_work(reason: str):
    """A signed-in client whose save was refused gets their own page back with their text
    in the boxes; anyone else gets the generic page (see counsel/rescue.py)."""
    if reason != "expired" or not (current_user.is_authenticated and current_user.is_client):
        return None
    assignment = db.session.scalars(select(Assignment).where(
        Assignment.id == request.view_args["assignment_id"],
        Assignment.client_id == current_user.client.id)).first()
    if assignment is None:
        return None
    return render_work(assignment, work_form(assignment), status=400, message=(
        "For your security this page had expired, so nothing was saved yet. Your writing "
        "is below, exactly as you left it: press Save again."))



def init_app(state):
    rescue.register(state.app, "portal.work", rescue_work)
    rescue.register(state.app, "portal.autosave", rescue.autosave_answer)
