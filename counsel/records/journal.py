"""A memory journal's entries (kind ``journal``): when it was, the memory, what it meant
then and what it means now.

Rules: a memory's day is not in the future (the client's own day); entries may be added and
changed while the work is open to the client; every change goes through ``start_records``
first and leaves an audit row that names the entry, never its text."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, TextAreaField
from wtforms.validators import InputRequired, Length

from .. import audit, checkins
from ..assignments.operations import WorkRefused, make_room, start_records
from ..extensions import db
from ..forms import browser_newlines, storable, strip
from ..models import Assignment, JournalEntry, User
from .plan import for_item, typed

TEXT_LENGTH = 5000
MOST_ENTRIES = 60  # in one journal: a page a client can still take in (each has its form)


def _longer(what: str) -> Length:
    return Length(max=TEXT_LENGTH, message=f"Keep {what} to {TEXT_LENGTH:,} characters; "
                                           "your text is still here.")


class EntryForm(FlaskForm):
    """Adding an entry, or changing one (ids entry-<id>-..., ``plan.for_item``)."""

    remembered_on = DateField("When was it?", validators=[
        InputRequired(message="Enter the day of the memory; a rough day is fine.")],
        description="A rough day is fine: the first of the month, or of the year.")
    memory = TextAreaField("The memory", filters=[strip, browser_newlines], validators=[
        InputRequired(message="Write the memory itself."), storable, _longer("the memory")])
    meant_then = TextAreaField("What it meant then", filters=[strip, browser_newlines],
                               validators=[storable, _longer("what it meant then")])
    means_now = TextAreaField("What it means now", filters=[strip, browser_newlines],
                              validators=[storable, _longer("what it means now")])


def date_problem(assignment: Assignment, day: date) -> str | None:
    today = checkins.client_today(assignment.client)
    if day > today:
        return (f"That day has not come yet: a memory is from today ({today:%d %b %Y}) or "
                "before.")
    return None


def _fill(entry: JournalEntry, form: EntryForm) -> None:
    entry.remembered_on, entry.memory = form.remembered_on.data, form.memory.data
    entry.meant_then = form.meant_then.data or None
    entry.means_now = form.means_now.data or None


def _check(assignment: Assignment, form: EntryForm) -> None:
    if problem := date_problem(assignment, form.remembered_on.data):
        raise WorkRefused(problem, "remembered_on")


def add_entry(author: User, assignment: Assignment, form: EntryForm) -> JournalEntry:
    start_records(author, assignment)
    make_room(JournalEntry, assignment, MOST_ENTRIES,
              f"This journal holds up to {MOST_ENTRIES} memories. You can still change the "
              f"ones you have.", "memory")
    _check(assignment, form)
    entry = JournalEntry(assignment=assignment)
    _fill(entry, form)
    db.session.add(entry)
    db.session.flush()
    audit.record("journal_entry.create", entry, client=assignment.client, actor=author)
    return entry


def edit_entry(author: User, entry: JournalEntry, form: EntryForm) -> None:
    start_records(author, entry.assignment)
    _check(entry.assignment, form)
    _fill(entry, form)
    db.session.flush()
    audit.record("journal_entry.update", entry, client=entry.assignment.client, actor=author)


class Forms:
    """The work page's forms: the one refused (typed text and errors), else a fresh one."""

    def __init__(self, given: dict):
        self.given = given

    def add(self) -> EntryForm:
        return self.given.get("add") or EntryForm(formdata=None)

    def edit(self, entry: JournalEntry) -> EntryForm:
        found = self.given.get("edit")
        if found and found[0] == entry.id:
            return found[1]
        return for_item(EntryForm(formdata=None, obj=entry), f"entry-{entry.id}")

    def opened(self, entry: JournalEntry) -> bool:
        found = self.given.get("edit")
        return bool(found and found[0] == entry.id)

    def typed(self) -> list[tuple[str, str]]:
        return typed(self.given)


def context(assignment, **given) -> dict:
    """The entries by date, the forms (``given``: ``add`` = form, ``edit`` = (entry id,
    form)) and the client's today (the latest day a memory may have)."""
    from ..portal import partners  # the portal imports this package

    entries, sharing = partners.records_and_sharing(assignment, "journal")
    return {"entries": entries, "forms": Forms(given),
            "today": checkins.client_today(assignment.client), "sharing": sharing}
