"""The client's quality-time plan on their work page: adding an item, changing one still
planned, marking one done (with how it went) or skipped. Each form posts here and comes
back to the work page; a refused one re-renders the work page with everything typed."""

from flask import redirect, url_for
from flask_login import current_user

from ..forms import EmptyForm
from ..permissions import assignment_for_client, plan_item_of, refuse
from ..records import plan
from . import bp
from .work import record_change


def _plan(assignment_id):
    assignment = assignment_for_client(assignment_id)
    if assignment.kind != "plan":
        refuse("assignments", assignment_id)
    return assignment


def _save(assignment, form, change, done: str, given: dict, anchor="plan"):
    # An item marked done or skipped meanwhile shows no form: what was typed, to copy.
    return record_change(assignment, form, change, done=done, given=given, anchor=anchor,
                         given_when_closed={"orphan": form} if form is not None else None)


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
        return redirect(url_for(".work", assignment_id=assignment.id, _anchor="plan"))
    return _save(assignment, None, lambda: plan.skip(current_user, item), "Marked skipped.",
                 {}, f"item-{item.id}")
