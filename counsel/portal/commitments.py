"""The client's commitments on their work page: adding one (the change, in their words, and
how often to follow it up), changing it while it has no follow-up, and following it up
(kept, partly, not yet) for a day of their own. Plain forms, no JavaScript; a refusal shows
the work page again with the message beside the field and everything typed kept."""

from flask import flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, IntegerField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from .. import checkins, rescue
from ..assignments.operations import WorkRefused
from ..extensions import db
from ..forms import browser_newlines, choices
from ..models import COMMITMENT_EVERY_DAYS, COMMITMENT_OUTCOMES, Assignment, Commitment
from ..permissions import assignment_for_client, commitment_of, refuse
from ..records import commitment as rules
from . import bp
from .forms import storable, work_form
from .work import render_work

# Refusals of the work as a whole (not of one field): shown at the top of the page.
WHOLE = ("withdrawn", "not_editable", "locked")


class DaysField(IntegerField):
    """A whole number of days, with a plain message when something else was typed (what
    was typed is shown again)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(f"Enter a whole number of days from 1 to "
                             f"{rules.EVERY_DAYS_MOST}, for example 7.") from error


class DayField(DateField):
    """A day, with a plain message when something else was typed (a browser's date picker
    sends 2026-12-08; a browser without one sends what the person typed)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter the day as a date: year, month and day, for example "
                             "2026-03-14.") from error


def _text_field(label):
    return TextAreaField(label, filters=[browser_newlines], validators=[
        InputRequired(message="Write what you commit to, in your own words."),
        Length(max=rules.TEXT_LENGTH, message=f"Keep a commitment to {rules.TEXT_LENGTH} "
               f"characters; your text is still here."), storable],
        description="A concrete change, in your own words: what you will do, or do "
                    "differently.")


def _days_field(label):
    return DaysField(label, default=COMMITMENT_EVERY_DAYS, validators=[
        InputRequired(message="Enter how many days apart, for example 7."),
        NumberRange(1, rules.EVERY_DAYS_MOST, message=f"Enter a number of days from 1 to "
                                                      f"{rules.EVERY_DAYS_MOST}.")],
        description="7 is weekly. Each follow-up is due this many days after the last.",
        render_kw={"inputmode": "numeric"})


class CommitmentForm(FlaskForm):
    text = _text_field("What I commit to")
    every_days = _days_field("Follow up every (days)")


class ChangeForm(FlaskForm):
    """The same fields, labelled apart from the form that adds one (both are on the page)."""

    text = _text_field("Change what I commit to")
    every_days = _days_field("Change how often to follow up (days)")


def _one_of_the_outcomes(form, field):
    if field.data not in COMMITMENT_OUTCOMES:
        raise ValidationError("Choose how it went: kept, partly or not yet.")


class FollowUpForm(FlaskForm):
    outcome = RadioField("How did it go?", choices=choices(COMMITMENT_OUTCOMES),
                         validate_choice=False, validators=[
                             InputRequired(message="Choose how it went: kept, partly or "
                                                   "not yet."), _one_of_the_outcomes])
    note = TextAreaField("A short note (optional)", filters=[browser_newlines], validators=[
        Length(max=rules.NOTE_LENGTH, message=f"Keep the note to {rules.NOTE_LENGTH} "
               f"characters; your text is still here."), storable])
    taken_on = DayField("The day this follow-up is for", validators=[
        InputRequired(message="Enter the day, for example today.")])


class Forms:
    """The forms of the commitments on the work page, made when the page asks for them:
    the one refused comes back as posted, the others empty."""

    def __init__(self, records: dict):
        self.given, self.today = records["given"], records["today"]

    def _given(self, key, commitment_id):
        found = self.given.get(key)
        return found[1] if found and found[0] == commitment_id else None

    def add(self) -> CommitmentForm:
        return self.given.get("add") or CommitmentForm(prefix="new", formdata=None)

    def change(self, commitment) -> ChangeForm:
        return self._given("edit", commitment.id) or ChangeForm(
            prefix=f"change-{commitment.id}", formdata=None,
            data={"text": commitment.text, "every_days": commitment.every_days})

    def follow_up(self, commitment) -> FollowUpForm:
        return self._given("follow_up", commitment.id) or FollowUpForm(
            prefix=f"follow-up-{commitment.id}", formdata=None, data={"taken_on": self.today})

    def opened(self, key, commitment_id) -> bool:
        return self._given(key, commitment_id) is not None


@bp.context_processor
def commitment_forms():
    """``commitment_forms(records)`` for portal/records/commitment.html: the client's pages
    only (the counselor's show the same records without forms)."""
    return {"commitment_forms": Forms}


def _commitment_work(assignment_id):
    """One of the client's own commitment assignments, or 404."""
    assignment = assignment_for_client(assignment_id)
    if assignment.kind != "commitment":
        refuse("assignments", assignment_id)
    return assignment


def _again(assignment, form, refused=None, **given):
    """The work page again, after a refusal: the whole work's at the top (409), a field's
    beside it (422). Nothing is kept."""
    db.session.rollback()
    status, message = 422, None
    if refused is not None and refused.code in WHOLE:
        status, message = 409, refused.message
    elif refused is not None:
        field = form._fields.get(refused.code)
        if field is None:
            form.form_errors.append(refused.message)
        else:
            field.errors = [*field.errors, refused.message]
    return render_work(assignment, work_form(assignment, posted=False), status=status,
                       message=message, records_given=given)


def _back(assignment, anchor="commitments"):
    return redirect(url_for(".work", assignment_id=assignment.id) + f"#{anchor}")


@bp.post("/assignments/<int:assignment_id>/commitments")
def add_commitment(assignment_id):
    assignment = _commitment_work(assignment_id)
    form = CommitmentForm(prefix="new")
    if not form.validate_on_submit():
        return _again(assignment, form, add=form)
    try:
        made = rules.add(current_user, assignment, text=form.text.data,
                         every_days=form.every_days.data,
                         today=checkins.client_today(assignment.client))
        db.session.commit()
    except WorkRefused as refused:
        return _again(assignment, form, refused, add=form)
    first = rules.follow_up_due(made.starts_on, made.every_days, None, made.starts_on)
    flash(f"Your commitment is saved. Its first follow-up is due on "
          f"{first.next_due:%a %d %b}.", "success")
    return _back(assignment, f"commitment-{made.id}")


@bp.post("/assignments/<int:assignment_id>/commitments/<int:commitment_id>")
def change_commitment(assignment_id, commitment_id):
    assignment = _commitment_work(assignment_id)
    commitment = commitment_of(assignment, commitment_id)
    form = ChangeForm(prefix=f"change-{commitment.id}")
    if not form.validate_on_submit():
        return _again(assignment, form, edit=(commitment_id, form))
    try:
        rules.edit(current_user, commitment, text=form.text.data,
                   every_days=form.every_days.data)
        db.session.commit()
    except WorkRefused as refused:
        return _again(assignment, form, refused, edit=(commitment_id, form))
    flash("Your commitment is changed.", "success")
    return _back(assignment, f"commitment-{commitment_id}")


@bp.post("/assignments/<int:assignment_id>/commitments/<int:commitment_id>/follow-ups")
def follow_up_commitment(assignment_id, commitment_id):
    assignment = _commitment_work(assignment_id)
    commitment = commitment_of(assignment, commitment_id)
    form = FollowUpForm(prefix=f"follow-up-{commitment.id}")
    if not form.validate_on_submit():
        return _again(assignment, form, follow_up=(commitment_id, form))
    try:
        rules.follow_up(current_user, commitment, taken_on=form.taken_on.data,
                        outcome=form.outcome.data, note=form.note.data,
                        today=checkins.client_today(assignment.client))
        db.session.commit()
    except WorkRefused as refused:
        return _again(assignment, form, refused, follow_up=(commitment_id, form))
    flash("Thank you: your follow-up is saved.", "success")
    return _back(assignment, f"commitment-{commitment_id}")


# -- an expired form: the work page again, with what was typed in its own form -------------

FORMS = {"portal.add_commitment": ("add", CommitmentForm, "new"),
         "portal.change_commitment": ("edit", ChangeForm, "change-{}"),
         "portal.follow_up_commitment": ("follow_up", FollowUpForm, "follow-up-{}")}


def rescue_commitment(reason: str):
    """A signed-in client whose form had expired gets their work page back with what they
    typed in the form they typed it in; anyone else gets the generic page (rescue.py)."""
    if reason != "expired" or not (current_user.is_authenticated and current_user.is_client):
        return None
    assignment = db.session.scalars(select(Assignment).where(
        Assignment.id == request.view_args["assignment_id"], Assignment.kind == "commitment",
        Assignment.client_id == current_user.client.id)).first()
    commitment_id = request.view_args.get("commitment_id")
    if assignment is None or commitment_id is not None and db.session.scalar(
            select(Commitment.id).where(Commitment.id == commitment_id,
                                        Commitment.assignment_id == assignment.id)) is None:
        return None
    key, form_class, prefix = FORMS[request.endpoint]
    form = form_class(prefix=prefix.format(commitment_id))
    return render_work(assignment, work_form(assignment, posted=False), status=400,
                       message="For your security this page had expired, so nothing was "
                       "saved yet. What you typed is below, as you left it: press the "
                       "button again.",
                       records_given={key: form if key == "add" else (commitment_id, form)})


def init_app(state):
    for endpoint in FORMS:
        rescue.register(state.app, endpoint, rescue_commitment)


bp.record_once(init_app)
