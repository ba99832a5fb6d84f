"""A quality-time plan's items (kind ``plan``): what, when and where, each planned, done or
skipped, with a short reflection on how a done one went.

Rules: an item is dated on or after the day the plan was given (the client's own day); it
changes only while planned (the reflection of a done one may still be added); every change
goes through ``start_records`` first and leaves an audit row that names the item, never its
text. The forms live here too, so the work page and the routes that re-render it agree."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from .. import audit, checkins
from ..assignments.operations import WorkRefused, make_room, start_records
from ..extensions import db
from ..forms import browser_newlines, storable, strip
from ..models import Assignment, PlanItem, User
from ..models.work_records import PLAN_STATUSES

WHAT_LENGTH = 500
TIME_LENGTH = 40  # the column's own limit
PLACE_LENGTH = 200  # the column's own limit
REFLECTION_LENGTH = 2000
MOST_ITEMS = 50  # on one plan: a page a client can still take in (each item has its forms)


def _longer(limit: int, what: str) -> Length:
    return Length(max=limit, message=f"Keep {what} to {limit:,} characters; your text is "
                                     "still here.")


class PlanItemForm(FlaskForm):
    """Adding an item, or changing one still planned (ids item-<id>-..., ``for_item``)."""

    what = TextAreaField("What", filters=[strip, browser_newlines], validators=[
        InputRequired(message="Say what you plan to do together."), storable,
        _longer(WHAT_LENGTH, "what you plan")])
    planned_on = DateField("When (date)", validators=[
        InputRequired(message="Enter the day, for example next Saturday.")])
    at_time = StringField("Time (optional)", filters=[strip], validators=[
        Optional(), storable, _longer(TIME_LENGTH, "the time")],
        description="For example 7pm, or the evening.")
    place = StringField("Where (optional)", filters=[strip], validators=[
        Optional(), storable, _longer(PLACE_LENGTH, "the place")])


class DoneForm(FlaskForm):
    """Marking an item done, with how it went (ids done-<id>-..., ``for_item``)."""

    reflection = TextAreaField("How did it go?", filters=[strip, browser_newlines],
                               validators=[storable, _longer(REFLECTION_LENGTH, "how it went")],
                               description="Optional, but a few words help you and your "
                                           "counselor see what works.")


def for_item(form: FlaskForm, prefix: str) -> FlaskForm:
    """One item's own form among several on the page: the same field names (so a form
    handed back after a sign-out is labelled as on the page), ids of its own."""
    for field in form:
        field.id = field.label.field_id = f"{prefix}-{field.short_name}"
    return form


def typed(given: dict) -> list[tuple[str, str]]:
    """(label, text) of every field filled in a refused form, for a page that can no
    longer offer the form itself (the work was closed, its stage locked or the item marked
    meanwhile):
    nothing the client wrote is lost, they can copy it."""
    forms = [found[1] if isinstance(found, tuple) else found for found in given.values()]
    return [(field.label.text, field.raw_data[0]) for form in forms for field in form
            if field.type not in ("CSRFTokenField", "HiddenField") and field.raw_data
            and str(field.raw_data[0]).strip()]


def given_on(assignment: Assignment) -> date:
    """The client's own day on which the plan was given: no item may come before it."""
    return assignment.created_at.astimezone(checkins.client_zone(assignment.client)).date()


def items_of(assignment: Assignment) -> list[PlanItem]:
    return list(db.session.scalars(select(PlanItem).where(
        PlanItem.assignment_id == assignment.id).order_by(PlanItem.planned_on, PlanItem.id)))


def date_problem(assignment: Assignment, day: date) -> str | None:
    first = given_on(assignment)
    if day < first:
        return (f"That day is before this plan was given ({first:%d %b %Y}). Choose "
                f"{first:%d %b %Y} or a later day.")
    return None


def _fill(item: PlanItem, form: PlanItemForm) -> None:
    item.what, item.planned_on = form.what.data, form.planned_on.data
    item.at_time, item.place = form.at_time.data or None, form.place.data or None


def add_item(author: User, assignment: Assignment, form: PlanItemForm) -> PlanItem:
    start_records(author, assignment)
    make_room(PlanItem, assignment, MOST_ITEMS,
              f"This plan holds up to {MOST_ITEMS} items. Mark the ones behind you done or "
              f"skipped, or change one still planned.", "what")
    if problem := date_problem(assignment, form.planned_on.data):
        raise WorkRefused(problem, "planned_on")
    item = PlanItem(assignment=assignment)
    _fill(item, form)
    db.session.add(item)
    db.session.flush()
    audit.record("plan_item.create", item, client=assignment.client, actor=author)
    return item


def _still_planned(item: PlanItem) -> None:
    if item.status != "planned":
        raise WorkRefused(f"This item is already marked {item.status_title.lower()}, so it "
                          "can no longer be changed.", "not_planned")


def edit_item(author: User, item: PlanItem, form: PlanItemForm) -> None:
    start_records(author, item.assignment)
    _still_planned(item)
    if problem := date_problem(item.assignment, form.planned_on.data):
        raise WorkRefused(problem, "planned_on")
    _fill(item, form)
    db.session.flush()
    audit.record("plan_item.update", item, client=item.assignment.client, actor=author)


def mark_done(author: User, item: PlanItem, reflection: str | None) -> None:
    """Done, with how it went; on an item already done, adds or changes the reflection."""
    start_records(author, item.assignment)
    if item.status == "skipped":
        _still_planned(item)
    action = "plan_item.reflect" if item.status == "done" else "plan_item.done"
    item.status, item.reflection = "done", reflection or None
    db.session.flush()
    audit.record(action, item, client=item.assignment.client, actor=author)


def skip(author: User, item: PlanItem) -> None:
    start_records(author, item.assignment)
    _still_planned(item)
    item.status = "skipped"
    db.session.flush()
    audit.record("plan_item.skip", item, client=item.assignment.client, actor=author)


class Forms:
    """The work page's forms: the one refused (with what was typed and its errors) where
    there is one, else a fresh one. Built only when the client's page asks (the counselor's
    pages read the items alone)."""

    def __init__(self, given: dict):
        self.given = given

    def add(self) -> PlanItemForm:
        return self.given.get("add") or PlanItemForm(formdata=None)

    def edit(self, item: PlanItem) -> PlanItemForm:
        form = self._given("edit", item)
        return form or for_item(PlanItemForm(formdata=None, obj=item), f"item-{item.id}")

    def done(self, item: PlanItem) -> DoneForm:
        return self._given("done", item) or for_item(DoneForm(formdata=None, obj=item),
                                                      f"done-{item.id}")

    def _given(self, name: str, item: PlanItem):
        found = self.given.get(name)
        return found[1] if found and found[0] == item.id else None

    def opened(self, name: str, item: PlanItem) -> bool:
        return self._given(name, item) is not None

    def typed(self) -> list[tuple[str, str]]:
        return typed(self.given)


def context(assignment, **given) -> dict:
    """The items in date order, the forms (``given``: ``add`` = form, ``edit`` or ``done``
    = (item id, form)), and the first day an item may have."""
    from ..portal import partners  # the portal imports this package

    items, sharing = partners.records_and_sharing(assignment, "plan")
    return {"items": items, "statuses": PLAN_STATUSES, "forms": Forms(given),
            "first_day": given_on(assignment), "sharing": sharing}
