"""The client's memory journal on their work page: adding an entry and changing one. Each
form posts here and comes back to the work page; a refused one re-renders the work page
with everything typed."""

from flask import flash, redirect, url_for
from flask_login import current_user

from ..assignments.operations import WorkRefused
from ..extensions import db
from ..permissions import assignment_for_client, journal_entry_of, refuse
from ..records import journal
from ..records.plan import for_item
from . import bp
from .forms import work_form
from .work import render_work


def _journal(assignment_id):
    assignment = assignment_for_client(assignment_id)
    if assignment.kind != "journal":
        refuse("assignments", assignment_id)
    return assignment


def _save(assignment, form, change, done: str, given: dict, anchor: str):
    """Make ``change()`` and commit, or re-render the work page with ``given`` (the form
    and what was typed): 422 when a field is wrong, 409 when the work is closed."""
    status, message = 422, None
    if form.validate_on_submit():
        try:
            change()
            db.session.commit()
            flash(done, "success")
            return redirect(url_for(".work", assignment_id=assignment.id, _anchor=anchor))
        except WorkRefused as refused:
            db.session.rollback()
            if refused.code == "remembered_on":
                form.remembered_on.errors = [refused.message]
            else:
                status, message = 409, refused.message
    return render_work(assignment, work_form(assignment, posted=False), status=status,
                       message=message, records_given=given)


@bp.post("/assignments/<int:assignment_id>/journal/entries")
def journal_add(assignment_id):
    assignment = _journal(assignment_id)
    form = journal.EntryForm()
    return _save(assignment, form, lambda: journal.add_entry(current_user, assignment, form),
                 "Added to the journal.", {"add": form}, "journal")


@bp.post("/assignments/<int:assignment_id>/journal/entries/<int:entry_id>")
def journal_edit(assignment_id, entry_id):
    assignment = _journal(assignment_id)
    entry = journal_entry_of(assignment, entry_id)
    form = for_item(journal.EntryForm(), f"entry-{entry.id}")
    return _save(assignment, form, lambda: journal.edit_entry(current_user, entry, form),
                 "Your changes to the memory are saved.", {"edit": (entry.id, form)},
                 f"entry-{entry.id}")
