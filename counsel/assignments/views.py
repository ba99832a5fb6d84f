from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import audit
from ..clock import practice_today
from ..extensions import db
from ..forms import EmptyForm, choices
from ..models import STAGES, Client, ReviewComment, User
from ..permissions import (
    assignment_for_counselor,
    caseload_query,
    client_for_counselor,
    exercise_for_counselor,
    one_or_404,
    revision_of,
    visible_exercises,
)
from . import bp, operations, queries
from .forms import AssignForm, CommentForm, review_form_for, rubric_data
from .operations import RUBRIC, RUBRIC_LEVELS, WorkRefused
from .text import commented, diff_counts, word_diff


def _assign_choices(form: AssignForm) -> None:
    clients = db.session.scalars(caseload_query(current_user).join(Client.user)
                                 .where(User.active.is_(True)).order_by(User.name)).all()
    form.client.choices = choices({0: "Choose a client"} | {c.id: c.name for c in clients})
    exercises = db.session.scalars(visible_exercises(current_user)).all()
    form.exercise.choices = choices({0: "Choose an exercise"})
    for stage, stage_title in STAGES.items():
        in_stage = sorted((e for e in exercises if e.stage == stage),
                          key=lambda e: (e.owner_id is not None, e.title))
        form.exercise.choices += choices(
            {e.id: f"{e.title}{' (yours)' if e.owner_id else ''}" for e in in_stage},
            optgroup=stage_title)


@bp.route("/assign", methods=["GET", "POST"])
def new():
    form = AssignForm(today=practice_today(),
                      client=request.args.get("client_id", 0, type=int),
                      exercise=request.args.get("exercise_id", 0, type=int))
    _assign_choices(form)
    if form.validate_on_submit() and form.client.data and form.exercise.data:
        client = client_for_counselor(form.client.data)
        exercise = exercise_for_counselor(form.exercise.data)
        assignment = operations.assign(current_user, client, exercise,
                                       due_date=form.due_date.data, note=form.note.data)
        db.session.commit()
        flash(f"“{assignment.title}” is assigned to {client.display_name}.", "success")
        return redirect(url_for("clients.show", client_id=client.id))
    if form.is_submitted():
        for field in (form.client, form.exercise):
            if not field.data and not field.errors:
                field.errors = [f"Choose {'a client' if field is form.client else 'an exercise'}."]
    return render_template("assignments/new.html", form=form)


@bp.get("/assignments/<int:assignment_id>")
def show(assignment_id):
    assignment = assignment_for_counselor(assignment_id, *queries.with_revisions())
    audit.record("assignment.view", assignment, client=assignment.client)
    db.session.commit()
    return render_template("assignments/show.html", assignment=assignment, form=EmptyForm(),
                           today=practice_today())


@bp.post("/assignments/<int:assignment_id>/withdraw")
def withdraw(assignment_id):
    assignment = assignment_for_counselor(assignment_id)
    if EmptyForm().validate_on_submit():
        try:
            operations.withdraw(current_user, assignment)
            db.session.commit()
            flash(f"“{assignment.title}” is withdrawn. The client's draft is kept.", "success")
        except WorkRefused as refused:
            flash(refused.message, "warning")
    return redirect(url_for(".show", assignment_id=assignment.id))


def _review_page(assignment, revision, comment_form=None, review_form=None, status=200):
    review = revision.review
    comments = review.comments if review else []
    answers, numbered = commented(revision.answers, comments)
    return render_template(
        "assignments/review.html", assignment=assignment, revision=revision, review=review,
        answers=answers, comments=comments, numbered=numbered,
        comment_form=comment_form or CommentForm(),
        review_form=review_form or review_form_for(assignment.kind, obj=review),
        rubric=RUBRIC, rubric_levels=RUBRIC_LEVELS, delete_form=EmptyForm(),
    ), status


@bp.get("/assignments/<int:assignment_id>/revisions/<int:number>")
def review(assignment_id, number):
    assignment = assignment_for_counselor(assignment_id)
    revision = revision_of(assignment, number)
    audit.record("revision.view", revision, client=assignment.client)
    db.session.commit()
    return _review_page(assignment, revision)


@bp.post("/assignments/<int:assignment_id>/revisions/<int:number>/comments")
def add_comment(assignment_id, number):
    assignment = assignment_for_counselor(assignment_id)
    revision = revision_of(assignment, number)
    form = CommentForm()
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
            form.quote.errors = [refused.message]
    return _review_page(assignment, revision, comment_form=form, status=422)


@bp.post("/assignments/<int:assignment_id>/revisions/<int:number>/comments/<int:comment_id>"
         "/delete")
def remove_comment(assignment_id, number, comment_id):
    assignment = assignment_for_counselor(assignment_id)
    revision = revision_of(assignment, number)
    comment = one_or_404(select(ReviewComment).where(
        ReviewComment.id == comment_id,
        ReviewComment.review_id == (revision.review.id if revision.review else None)),
        "review_comments", comment_id)
    if EmptyForm().validate_on_submit():
        try:
            operations.remove_comment(current_user, comment)
            db.session.commit()
            flash("Comment removed.", "success")
        except WorkRefused as refused:
            flash(refused.message, "warning")
    return redirect(url_for(".review", assignment_id=assignment.id, number=number))


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
            form.form_errors.append(refused.message)
    return _review_page(assignment, revision, review_form=form, status=422)


@bp.get("/assignments/<int:assignment_id>/compare")
def compare(assignment_id):
    assignment = assignment_for_counselor(assignment_id)
    numbers = [r.number for r in assignment.revisions]
    if len(numbers) < 2:
        flash("There is only one revision so far; nothing to compare yet.", "info")
        return redirect(url_for(".show", assignment_id=assignment.id))
    old_n = request.args.get("from", numbers[-2], type=int)
    new_n = request.args.get("to", numbers[-1], type=int)
    old, new = revision_of(assignment, old_n), revision_of(assignment, new_n)
    diffs = [word_diff(a, b) for a, b in zip(old.answers, new.answers, strict=True)]
    audit.record("revision.compare", new, client=assignment.client,
                 detail=f"{old.number}->{new.number}")
    db.session.commit()
    return render_template("assignments/compare.html", assignment=assignment, old=old, new=new,
                           diffs=diffs, counts=[diff_counts(d) for d in diffs], numbers=numbers)
