"""The review page's draft: the JSON autosave its script calls, a plain "Save draft" for
browsers without JavaScript, undoing a comment's removal, and handing the counselor's text
back when a post cannot be accepted (expired page, sign-out, outage)."""

from flask import flash, jsonify, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .. import audit, rescue
from ..clock import localtime
from ..extensions import db
from ..forms import EmptyForm
from ..inputs import takes_json
from ..models import Assignment, Client, ReviewComment, Revision
from ..models.types import unstorable
from ..permissions import assignment_for_counselor, one_or_404, revision_of
from . import bp, review_drafts
from .forms import CommentForm, review_form_for
from .operations import WorkRefused
from .review_drafts import ReviewConflict
from .views import _review_page, keep_review_draft

MAX_OVERALL = 10_000


def _json_fields(payload) -> dict:
    """The draft fields of a JSON body; ValueError, in plain words, for anything else."""
    if not isinstance(payload, dict):
        raise ValueError("The review could not be read.")
    overall, decision, rubric = (payload.get(name) for name in
                                 ("overall_comment", "decision", "rubric"))
    overall, decision, rubric = overall or "", decision or "", {} if rubric is None else rubric
    if not (isinstance(overall, str) and isinstance(decision, str)
            and isinstance(rubric, dict)):
        raise ValueError("The review could not be read.")
    if len(overall) > MAX_OVERALL:
        raise ValueError(f"The overall comment is longer than {MAX_OVERALL:,} characters.")
    if problem := unstorable(overall):
        raise ValueError(f"The overall comment contains {problem} that cannot be stored. "
                         "Remove it to save.")
    return review_drafts.draft_fields(overall, decision, rubric)


def _draft_json(review, **extra):
    return {"version": review.version, "overall_comment": review.overall_comment or "",
            "decision": review.decision or "", "rubric": review.rubric or {},
            "saved_at": localtime(review.updated_at, "%H:%M") if review.updated_at else "",
            **extra}


@bp.post("/assignments/<int:assignment_id>/revisions/<int:number>/review-draft")
@takes_json
def autosave_review(assignment_id, number):
    """JSON: {overall_comment, decision, rubric, base_version}. 200 saved; 409 conflict,
    sent or no longer reviewable; 422 refused."""
    assignment = assignment_for_counselor(assignment_id)
    revision = revision_of(assignment, number)
    payload = request.get_json(silent=True)
    try:
        fields = _json_fields(payload)
        base = payload.get("base_version")
        review = review_drafts.save_review_draft(
            current_user, revision, fields, base if isinstance(base, int) else -1)
        db.session.commit()
    except ValueError as bad:
        return jsonify(error="bad_input", message=str(bad)), 422
    except (ReviewConflict, StaleDataError, IntegrityError):
        db.session.rollback()
        db.session.refresh(revision)
        # The answer shows the stored draft: that is a read of the review, so it is audited.
        audit.record("review.draft_conflict", revision.review, client=assignment.client)
        db.session.commit()
        return jsonify(_draft_json(revision.review, error="conflict")), 409
    except WorkRefused as refused:
        db.session.rollback()
        return jsonify(error=refused.code, message=refused.message), 409
    return jsonify(_draft_json(review))


@bp.post("/assignments/<int:assignment_id>/revisions/<int:number>/review-draft/save")
def save_review_draft(assignment_id, number):
    """"Save draft" without JavaScript: the same fields, posted as a form."""
    assignment = assignment_for_counselor(assignment_id)
    revision = revision_of(assignment, number)
    if EmptyForm().validate_on_submit():
        _, refused_page = keep_review_draft(assignment, revision)
        if refused_page:
            return refused_page
        db.session.commit()
        flash("Review draft saved. The client sees nothing until you send it.", "success")
    return redirect(url_for(".review", assignment_id=assignment.id, number=number))


def _set_comment_aside(assignment_id, number, comment_id, *, removed: bool):
    """Remove a comment (it is only set aside) or, with ``removed=False``, undo that. The
    overall comment and decision posted with the button are kept first."""
    assignment = assignment_for_counselor(assignment_id)
    revision = revision_of(assignment, number)
    comment = one_or_404(select(ReviewComment).where(
        ReviewComment.id == comment_id,
        ReviewComment.removed_at.is_(None) if removed else ReviewComment.removed_at.is_not(None),
        ReviewComment.review_id == (revision.review.id if revision.review else None)),
        "review_comments", comment_id)
    if EmptyForm().validate_on_submit():
        _, refused_page = keep_review_draft(assignment, revision)
        if refused_page:
            return refused_page
        try:
            if removed:
                review_drafts.remove_comment(current_user, comment)
            else:
                review_drafts.restore_comment(current_user, comment)
            db.session.commit()
            flash("Comment removed. “Undo” under the comments brings it back." if removed
                  else "Comment restored.", "success")
        except WorkRefused as refused:
            flash(refused.message, "warning")
    return redirect(url_for(".review", assignment_id=assignment.id, number=number)
                    + "#comments")


@bp.post("/assignments/<int:assignment_id>/revisions/<int:number>/comments/<int:comment_id>"
         "/delete")
def remove_comment(assignment_id, number, comment_id):
    return _set_comment_aside(assignment_id, number, comment_id, removed=True)


@bp.post("/assignments/<int:assignment_id>/revisions/<int:number>/comments/<int:comment_id>"
         "/restore")
def restore_comment(assignment_id, number, comment_id):
    return _set_comment_aside(assignment_id, number, comment_id, removed=False)


# --- handing text back ---------------------------------------------------------------------

def rescue_review_page(reason: str):
    """A signed-in counselor whose post was refused as expired gets the review page back
    with everything they typed in its boxes; anyone else gets the generic page, which
    lists the typed text (see counsel/rescue.py)."""
    if reason != "expired" or not (current_user.is_authenticated and
                                   current_user.is_counselor):
        return None
    args = request.view_args or {}
    revision = db.session.scalars(
        select(Revision).join(Revision.assignment).join(Assignment.client)
        .where(Revision.assignment_id == args.get("assignment_id"),
               Revision.number == args.get("number"),
               Client.counselor_id == current_user.id)).first()
    if revision is None:
        return None
    assignment = revision.assignment
    audit.record("revision.view", revision, client=assignment.client)
    db.session.commit()
    form = review_form_for(assignment.kind, draft=True)
    form.form_errors.append("For your security this page had expired, so nothing was saved "
                            "yet. Your writing is below, exactly as you left it: press the "
                            "button again.")
    response, _ = _review_page(assignment, revision, comment_form=CommentForm(),
                               review_form=form)
    return response, 400



def init_app(state):
    for endpoint in ("add_comment", "remove_comment", "restore_comment", "send_review",
                     "save_review_draft"):
        rescue.register(state.app, f"assignments.{endpoint}", rescue_review_page)
    rescue.register(state.app, "assignments.autosave_review", rescue.autosave_answer)
