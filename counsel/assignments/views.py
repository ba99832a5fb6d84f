from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from .. import audit, records
from ..cases import queries as case_queries
from ..clock import practice_today
from ..extensions import db
from ..forms import EmptyForm, button_change, choices
from ..inputs import MAX_ID, id_arg
from ..models import Assignment, Case, Client, User
from ..pathway import stages
from ..permissions import (
    assignment_for_counselor,
    caseload_query,
    cases_of,
    client_for_counselor,
    exercise_for_counselor,
    revision_of,
)
from . import bp, operations, queries, review_drafts
from .forms import (
    TRACKER_FIELDS,
    AssignForm,
    CommentForm,
    exercise_choices,
    review_form_for,
    rubric_data,
)
from .operations import RUBRIC, RUBRIC_LEVELS, WorkRefused
from .review_drafts import ReviewConflict
from .text import commented, diff_answers, diff_counts


def _assign_choices(form: AssignForm) -> None:
    clients = db.session.scalars(caseload_query(current_user).join(Client.user)
                                 .where(User.active.is_(True)).order_by(User.name)).all()
    form.client.choices = choices({0: "Choose a client"} | {c.id: c.name for c in clients})
    form.exercise.choices = exercise_choices(current_user)


def _case_choices(form: AssignForm) -> None:
    """The open cases holding the chosen client (every open case until one is chosen)."""
    chosen = form.client.data if isinstance(form.client.data, int) else 0
    open_cases = case_queries.open_cases_with(chosen if 0 < chosen <= MAX_ID else None)
    form.case.choices = choices({0: "The client's most recent open case"} | {
        c.id: f"{c.name} ({', '.join(p.name for p in c.partners)})"
              f"{' · safety flag' if c.flagged else ''}" for c in open_cases})


def _chosen_case(form: AssignForm):
    """The case picked on the form: one of the counselor's own (else a message on the
    form, nothing assigned); None to let the operation choose."""
    if not form.case.data or not 0 < form.case.data <= MAX_ID:
        if form.case.data:
            form.case.errors = ["Choose one of your open cases, or leave it for counsel to "
                                "choose."]
        return None
    case = db.session.scalars(cases_of(current_user).where(Case.id == form.case.data)
                              .options(selectinload(Case.members))).first()
    if case is None:
        form.case.errors = ["Choose one of your open cases, or leave it for counsel to choose."]
    return case


@bp.route("/assign", methods=["GET", "POST"])
def new():
    form = AssignForm(today=practice_today(),
                      client=request.args.get("client_id", 0, type=id_arg),
                      exercise=request.args.get("exercise_id", 0, type=id_arg),
                      case=request.args.get("case_id", 0, type=id_arg))
    _assign_choices(form)
    _case_choices(form)
    if form.validate_on_submit() and form.client.data and form.exercise.data:
        client = client_for_counselor(form.client.data)
        exercise = exercise_for_counselor(form.exercise.data)
        case = _chosen_case(form)
        try:
            if form.case.errors:
                raise WorkRefused(form.case.errors[0], "case")
            assignment = operations.assign(current_user, client, exercise,
                                           due_date=form.due_date.data, note=form.note.data,
                                           case=case, contact_reason=form.contact_reason.data,
                                           tracker_starts_on=form.tracker_starts_on.data,
                                           tracker_length=form.tracker_length.data,
                                           tracker_exceptions=form.tracker_exceptions.data)
            db.session.commit()
            flash(f"“{assignment.title}” is assigned to {client.display_name}.", "success")
            return redirect(url_for("clients.show", client_id=client.id))
        except WorkRefused as refused:
            field = {"case": form.case, "contact_reason": form.contact_reason}.get(
                refused.code, form.client)
            field.errors = [refused.message]
    if form.is_submitted():
        for field in (form.client, form.exercise):
            if not field.data and not field.errors:
                field.errors = [f"Choose {'a client' if field is form.client else 'an exercise'}."]
    return render_template("assignments/new.html", form=form, tracker_fields=TRACKER_FIELDS)


@bp.get("/assignments/<int:assignment_id>")
def show(assignment_id):
    assignment = assignment_for_counselor(assignment_id, *queries.with_revisions(),
                                          joinedload(Assignment.case))
    return render_show(assignment)


def render_show(assignment, *, status=200, records_given=None):
    """The assignment page, first view or re-rendered with a refused form of its records
    (``records_given``, e.g. the tracker's settings, as typed)."""
    audit.record("assignment.view", assignment, client=assignment.client)
    db.session.commit()
    return render_template("assignments/show.html", assignment=assignment, form=EmptyForm(),
                           today=practice_today(), lock=stages.lock_on(assignment),
                           opens_when=stages.opens_when,
                           records=records.context(assignment, **(records_given or {}))), status


@bp.post("/assignments/<int:assignment_id>/withdraw")
def withdraw(assignment_id):
    assignment = assignment_for_counselor(assignment_id)
    button_change(lambda: operations.withdraw(current_user, assignment),
                  f"“{assignment.title}” is withdrawn. The client's draft is kept.", WorkRefused)
    return redirect(url_for(".show", assignment_id=assignment.id))


def _review_page(assignment, revision, comment_form=None, review_form=None, status=200,
                 conflict=None):
    """The review page, first view or re-rendered after a refusal: it shows the client's
    answers, so every response records a revision.view (SECURITY.md 14)."""
    audit.record("revision.view", revision, client=assignment.client)
    db.session.commit()
    review = revision.review
    comments = review.comments if review else []
    answers, numbered = commented(revision.answers, comments)
    return render_template(
        "assignments/review.html", assignment=assignment, revision=revision, review=review,
        answers=answers, comments=comments, numbered=numbered,
        comment_form=comment_form or CommentForm(),
        review_form=review_form or review_form_for(assignment.kind, review=review),
        rubric=RUBRIC, rubric_levels=RUBRIC_LEVELS, delete_form=EmptyForm(),
        conflict=conflict, records=records.context(assignment),
    ), status


def keep_review_draft(assignment, revision):
    """Save the overall comment, rubric and decision that came with any button of the
    review page. Returns (form, refusal page or None): a page when the fields were refused
    or changed in another tab, so the caller shows it instead of going on."""
    form = review_form_for(assignment.kind, draft=True)
    if "overall_comment" not in request.form:
        return form, None
    if not form.validate():
        return form, _review_page(assignment, revision, review_form=form, status=422)
    fields = review_drafts.draft_fields(form.overall_comment.data, form.decision.data,
                                        rubric_data(form))
    try:
        review_drafts.save_review_draft(current_user, revision, fields, form.base())
    except ReviewConflict as conflict:
        db.session.rollback()
        form.review_version.data = str(conflict.review.version)
        return form, _review_page(assignment, revision, review_form=form, status=409,
                                  conflict=conflict.review)
    except WorkRefused:
        db.session.rollback()  # sent or no longer the latest: the caller says so
    return form, None


@bp.get("/assignments/<int:assignment_id>/revisions/<int:number>")
def review(assignment_id, number):
    assignment = assignment_for_counselor(assignment_id, queries.WITH_CLIENT,
                                          joinedload(Assignment.case))
    revision = revision_of(assignment, number, *queries.WITH_REVIEW)
    operations.open_submission(assignment, revision)
    return _review_page(assignment, revision)


@bp.post("/assignments/<int:assignment_id>/revisions/<int:number>/comments")
def add_comment(assignment_id, number):
    assignment = assignment_for_counselor(assignment_id)
    revision = revision_of(assignment, number)
    form = CommentForm()
    draft_form, refused_page = keep_review_draft(assignment, revision)
    if refused_page:
        return refused_page
    if form.validate_on_submit():
        try:
            operations.add_comment(current_user, revision, prompt_index=form.prompt_index.data,
                                   quote=form.quote.data, start=form.start_value(),
                                   body=form.body.data)
            db.session.commit()
            flash("Comment added. The client sees it when you send the review.", "success")
            return redirect(url_for(".review", assignment_id=assignment.id, number=number)
                            + "#comments")
        except WorkRefused as refused:
            db.session.rollback()
            form.quote.errors = [refused.message]
            keep_review_draft(assignment, revision)
    db.session.commit()  # the overall comment and decision are kept all the same
    return _review_page(assignment, revision, comment_form=form,
                        review_form=_resend(draft_form, revision), status=422)


def _resend(draft_form, revision):
    """The posted draft fields, with the version the page now holds."""
    if revision.review is not None:
        draft_form.review_version.data = str(revision.review.version)
    return draft_form


@bp.post("/assignments/<int:assignment_id>/revisions/<int:number>/send")
def send_review(assignment_id, number):
    assignment = assignment_for_counselor(assignment_id)
    revision = revision_of(assignment, number)
    form = review_form_for(assignment.kind)
    if form.validate_on_submit():
        try:
            operations.send_review(current_user, revision, decision=form.decision.data,
                                   overall_comment=form.overall_comment.data,
                                   rubric=rubric_data(form))
            db.session.commit()
            flash("Review sent to the client.", "success")
            return redirect(url_for(".show", assignment_id=assignment.id))
        except WorkRefused as refused:
            db.session.rollback()
            if refused.code in ("sent", "busy") and _sent(revision):
                flash("This review was already sent to the client.", "info")
                return redirect(url_for(".show", assignment_id=assignment.id))
            form.form_errors.append(refused.message)
        except StaleDataError:
            db.session.rollback()  # sent from another tab at the same moment
            flash("This review has been sent and can no longer be changed.", "info")
            return redirect(url_for(".show", assignment_id=assignment.id))
    keep_review_draft(assignment, revision)  # a refused send keeps what was typed
    db.session.commit()
    return _review_page(assignment, revision, review_form=_resend(form, revision), status=422)


def _sent(revision) -> bool:
    """Whether the review is sent now (another request may just have sent it)."""
    db.session.refresh(revision)
    return revision.review is not None and revision.review.sent_at is not None


@bp.get("/assignments/<int:assignment_id>/compare")
def compare(assignment_id):
    assignment = assignment_for_counselor(assignment_id, *queries.NUMBERS_ONLY)
    numbers = [r.number for r in assignment.revisions]
    if len(numbers) < 2:
        flash("There is only one revision so far; nothing to compare yet.", "info")
        return redirect(url_for(".show", assignment_id=assignment.id))
    old_n = request.args.get("from", numbers[-2], type=id_arg)
    new_n = request.args.get("to", numbers[-1], type=id_arg)
    old, new = queries.two_revisions(assignment, old_n, new_n)
    diffs, coarse = diff_answers(old.answers, new.answers)
    audit.record("revision.compare", new, client=assignment.client_id,
                 detail=f"{old.number}->{new.number}")
    db.session.commit()
    return render_template("assignments/compare.html", assignment=assignment, old=old, new=new,
                           diffs=diffs, counts=[diff_counts(d) for d in diffs], numbers=numbers,
                           coarse=coarse)
