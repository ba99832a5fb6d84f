"""The client's memory journal on their work page: adding an entry and changing one. Each
form posts here and comes back to the work page; a refused one re-renders the work page
with everything typed."""

from flask_login import current_user

from ..permissions import assignment_for_client, journal_entry_of, refuse
from ..records import journal
from ..records.plan import for_item
from . import bp
from .work import record_change


def _journal(assignment_id):
    assignment = assignment_for_client(assignment_id)
    if assignment.kind != "journal":
        refuse("assignments", assignment_id)
    return assignment


@bp.post("/assignments/<int:assignment_id>/journal/entries")
def journal_add(assignment_id):
    assignment = _journal(assignment_id)
    form = journal.EntryForm()
    return record_change(assignment, form,
                         lambda: journal.add_entry(current_user, assignment, form),
                         done="Added to the journal.", given={"add": form}, anchor="journal")


@bp.post("/assignments/<int:assignment_id>/journal/entries/<int:entry_id>")
def journal_edit(assignment_id, entry_id):
    assignment = _journal(assignment_id)
    entry = journal_entry_of(assignment, entry_id)
    form = for_item(journal.EntryForm(), f"entry-{entry.id}")
    return record_change(assignment, form, lambda: journal.edit_entry(current_user, entry, form),
                         done="Your changes to the memory are saved.",
                         given={"edit": (entry.id, form)}, anchor=f"entry-{entry.id}")
