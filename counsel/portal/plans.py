"""The client's quality-time plan on their work page: adding an item, changing one still
planned, marking one done (with how it went) or skipped. Each form posts here and comes
back to the work page; a refused one re-renders the work page with everything typed."""

from flask import flash, redirect, url_for
from flask_login import current_user

from ..assignments.operations import WorkRefused
from ..extensions import db
from ..forms import EmptyForm
from ..permissions import assignment_for_client, plan_item_of, refuse
from ..records import plan
from . import bp
from .forms import work_form
from .work import render_work


def _plan(assignment_id):
    assignment = assignment_for_client(assignment_id)
    if assignment.kind != "plan":
        refuse("assignments", assignment_id)
    return assignment


def _back(assignment, anchor="plan"):
    return redirect(url_for(".work", assignment_id=assignment.id, _anchor=anchor))


def _save(assignment, form, change, done: str, given: dict, anchor="plan"):
    """Make ``change()`` and commit, or re-render the work page with ``given`` (the form
    and what was typed): 422 when a field is wrong, 409 when the work is closed. ``form``
    None: a button with no fields (its CSRF token was checked already)."""
    status, message = 422, None
    if form is None or form.validate_on_submit():
        try:
            change()
            db.session.commit()
            flash(done, "success")
            return _back(assignment, anchor)
        except WorkRefused as refused:
            db.session.rollback()
            if refused.code == "planned_on":
                form.planned_on.errors = [refused.message]
            else:
                status, message = 409, refused.message
            if refused.code == "not_planned" and form is not None:
                given = {"orphan": form}  # its item shows no form now: the text, to copy
    return render_work(assignment, work_form(assignment, posted=False), status=status,
                       message=message, records_given=given)


@bp.post("/assignments/<int:assignment_id>/plan/items")
def plan_add(assignment_id):
    assignment = _plan(assignment_id)
    form = plan.PlanItemForm()
    return _save(assignment, form, lambda: plan.add_item(current_user, assignment, form),
                 "Added to the plan.", {"add": form})


@bp.post("/assignments/<int:assignment_id>/plan/items/<int:item_id>")
def plan_edit(assignment_id, item_id):
    assignment = _plan(assignment_id)
    item = plan_item_of(assignment, item_id)
    form = plan.for_item(plan.PlanItemForm(), f"item-{item.id}")
    return _save(assignment, form, lambda: plan.edit_item(current_user, item, form),
                 "Your changes to the plan are saved.", {"edit": (item.id, form)},
                 f"item-{item.id}")


@bp.post("/assignments/<int:assignment_id>/plan/items/<int:item_id>/done")
def plan_done(assignment_id, item_id):
    assignment = _plan(assignment_id)
    item = plan_item_of(assignment, item_id)
    form = plan.for_item(plan.DoneForm(), f"done-{item.id}")
    if item.status == "done":
        message = "Saved how it went."
    elif (form.reflection.data or "").strip():
        message = "Marked done. Thank you for writing how it went."
    else:
        message = ("Marked done. When you have a moment, a few words on how it went help "
                   "you and your counselor see what works.")
    return _save(assignment, form,
                 lambda: plan.mark_done(current_user, item, form.reflection.data), message,
                 {"done": (item.id, form)}, f"item-{item.id}")


@bp.post("/assignments/<int:assignment_id>/plan/items/<int:item_id>/skip")
def plan_skip(assignment_id, item_id):
    assignment = _plan(assignment_id)
    item = plan_item_of(assignment, item_id)
    if not EmptyForm().validate_on_submit():
        return _back(assignment)
    return _save(assignment, None, lambda: plan.skip(current_user, item), "Marked skipped.",
                 {}, f"item-{item.id}")
