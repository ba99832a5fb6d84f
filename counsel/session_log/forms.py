"""The session page's forms. Times are typed in the practice's time zone; ``starts_at`` and
``duration`` turn them into what is stored (UTC and minutes)."""

from datetime import UTC, datetime, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..assignments.forms import AssignForm
from ..clock import practice_zone
from ..forms import browser_newlines, choices, clean_text
from ..models import FOLLOW_UP_OUTCOMES, FORMATS, MEDIATION_OUTLINE, SESSION_TYPES

SHORTEST, LONGEST = 5, 8 * 60  # minutes
AHEAD, BACK = 2 * 365, 10 * 365  # days from today
TEXT_LIMITS = {"shared_summary": 20_000, "private_notes": 50_000, "agenda": 10_000,
               "perspectives": 10_000, "acknowledged": 10_000, "next_steps": 10_000}
# Short hints for the mediation outline, in our own words.
OUTLINE_HINTS = {
    "agenda": "What both partners agreed to talk about today, in their words.",
    "perspectives": "Each partner's view as the other heard it back, without rebuttal.",
    "acknowledged": "What each partner recognised or owned about their part.",
    "next_steps": "Small, concrete things to try before the next session.",
}


def _text(label, limit, description=None):
    return TextAreaField(label, filters=[browser_newlines], description=description,
                         validators=[Optional(), Length(max=limit), clean_text])


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes; values are checked by the operation (partners of the case), so a forged
    id gets a plain message rather than WTForms' "not a valid choice"."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        if any(not str(v).isdigit() or len(str(v)) > 10 for v in self.data or []):
            raise ValidationError("Only the partners of this case can attend its sessions.")

    def ids(self) -> list[int]:
        return [int(v) for v in self.data or []]


class SessionForm(FlaskForm):
    session_version = HiddenField(default="0")
    date = DateField("Date", validators=[InputRequired(message="Enter the date.")])
    start_time = TimeField("Starts at", validators=[InputRequired(message="Enter the start time.")])
    end_time = TimeField("Ends at", validators=[InputRequired(message="Enter the end time.")])
    format = RadioField("Format", choices=choices(FORMATS), default="in_person",
                        validators=[InputRequired(message="Choose a format.")])
    type = RadioField("Type", choices=choices(SESSION_TYPES), default="individual",
                      validators=[InputRequired(message="Choose individual or joint.")])
    attendees = MultiCheckboxField("Who attended", coerce=str, validate_choice=False)
    shared_summary = _text("Shared summary", TEXT_LIMITS["shared_summary"],
                           "Partners who attended read this once the session is signed.")
    private_notes = _text("Private notes — only you ever see these",
                          TEXT_LIMITS["private_notes"],
                          "Never shown to a client, never in a report.")
    agenda = _text(MEDIATION_OUTLINE["agenda"], TEXT_LIMITS["agenda"], OUTLINE_HINTS["agenda"])
    perspectives = _text(MEDIATION_OUTLINE["perspectives"], TEXT_LIMITS["perspectives"],
                         OUTLINE_HINTS["perspectives"])
    acknowledged = _text(MEDIATION_OUTLINE["acknowledged"], TEXT_LIMITS["acknowledged"],
                         OUTLINE_HINTS["acknowledged"])
    next_steps = _text(MEDIATION_OUTLINE["next_steps"], TEXT_LIMITS["next_steps"],
                       OUTLINE_HINTS["next_steps"])
    confirm_screening = BooleanField("Go ahead without a screening on record")

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self._today = today

    def validate_date(self, field):
        if field.data is None:
            return
        if field.data > self._today + timedelta(days=AHEAD):
            raise ValidationError("That date is more than 2 years ahead. Check the year.")
        if field.data < self._today - timedelta(days=BACK):
            raise ValidationError("That date is more than 10 years ago. Check the year.")

    def validate_end_time(self, field):
        if not (self.date.data and self.start_time.data and field.data):
            return
        minutes = self.duration()
        if minutes <= 0:
            raise ValidationError("The session ends before it starts. Check the times.")
        if minutes < SHORTEST:
            raise ValidationError(f"A session lasts at least {SHORTEST} minutes.")
        if minutes > LONGEST:
            raise ValidationError("A session lasts at most 8 hours. Check the times.")

    def _local(self, at) -> datetime:
        return datetime.combine(self.date.data, at, tzinfo=practice_zone())

    def starts_at(self) -> datetime:
        return self._local(self.start_time.data).astimezone(UTC)

    def duration(self) -> int:
        """Minutes between start and end, counted in real time (a clock change between
        them counts)."""
        start, end = self._local(self.start_time.data), self._local(self.end_time.data)
        return int((end.astimezone(UTC) - start.astimezone(UTC))
                   .total_seconds() // 60)

    def base(self) -> int:
        try:
            return int(self.session_version.data)
        except (TypeError, ValueError):
            return -1

    def texts(self) -> dict:
        return {name: getattr(self, name).data for name in TEXT_LIMITS}


def session_form_data(session) -> dict:
    """A session's stored values as the form shows them (local date and times)."""
    local = session.starts_at.astimezone(practice_zone())
    end = (session.starts_at + timedelta(minutes=session.duration_minutes)).astimezone(
        practice_zone())
    return {"session_version": str(session.version), "date": local.date(),
            "start_time": local.time().replace(second=0, microsecond=0),
            "end_time": end.time().replace(second=0, microsecond=0), "format": session.format,
            "type": session.type, "attendees": [str(a.client_id) for a in session.attendees],
            **{name: getattr(session, name) or "" for name in TEXT_LIMITS}}


BOTH = "both"


class AgreementForm(FlaskForm):
    text = TextAreaField("Agreement", filters=[browser_newlines], validators=[
        InputRequired(message="Write the agreement."), Length(max=2000), clean_text])
    binds = SelectField("Who it binds", validate_choice=False,
                        validators=[InputRequired(message="Choose who it binds.")])
    follow_up_on = DateField("Follow up on (optional)", validators=[Optional()])

    def validate_binds(self, field):
        if field.data != BOTH and not (str(field.data).isdigit() and len(field.data) <= 10):
            raise ValidationError("An agreement can only bind a partner of this case.")

    def binds_client_id(self) -> int | None:
        return None if self.binds.data == BOTH else int(self.binds.data)


class FollowUpForm(FlaskForm):
    outcome = RadioField("How did it go?", choices=choices(FOLLOW_UP_OUTCOMES),
                         validators=[InputRequired(message="Choose how it went.")])
    note = TextAreaField("Note (optional)", filters=[browser_newlines],
                         validators=[Optional(), Length(max=2000), clean_text])


class SessionAssignForm(AssignForm):
    """Assigning from the session page: to one of its attendees, in the session's case."""

    client = SelectField("Assign to", coerce=int,
                         validators=[InputRequired(message="Choose who to assign it to.")])
    case = None


class AddendumForm(FlaskForm):
    body = TextAreaField("Addendum", filters=[browser_newlines], validators=[
        InputRequired(message="Write the correction."), Length(max=10_000), clean_text],
        description="Signed with your name and the time; the original stays as it was.")
