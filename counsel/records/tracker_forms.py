"""The no-contact tracker's forms: the client's daily check-in and reflection after a
broken day (on their work page, beside the answers form, hence the prefixes), and the
counselor's settings of the period (on the assignment page and, as fields of the assign
form, when a tracker is given)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..forms import browser_newlines, choices, clean_text, storable
from ..models.work_records import TRACKER_LENGTHS, TRACKER_OUTCOMES

NOTE_LENGTH = 1000
REFLECTION_LENGTH = 2000
EXCEPTIONS_LENGTH = 1000
SHORTEST, LONGEST = 1, 120
START_BACK_DAYS = 120  # how far back a counselor may date a period's start
START_AHEAD_DAYS = 365
URGE = re.compile(r"[0-9]{1,2}")


def _stripped(value):
    return value.strip() if value else value


class CheckInForm(FlaskForm):
    day = DateField("The day this check-in is for",
                    validators=[InputRequired(message="Enter the day, for example today.")])
    outcome = RadioField("How did the day go?", choices=choices(TRACKER_OUTCOMES),
                         validate_choice=False, validators=[InputRequired(
                             message="Choose kept no contact, broke it, or an allowed "
                                     "exception.")])
    urge = StringField("How strong was the urge to reach out?")
    note = TextAreaField("A short note (optional)", filters=[browser_newlines, _stripped],
                         validators=[Length(max=NOTE_LENGTH, message=(
                             f"Keep the note to {NOTE_LENGTH} characters; your text is "
                             "still here.")), storable])

    def validate_outcome(self, field):
        if field.data not in TRACKER_OUTCOMES:
            raise ValidationError("Choose kept no contact, broke it, or an allowed exception.")

    def validate_urge(self, field):
        value = (field.data or "").strip()
        if not value:
            raise ValidationError("Choose how strong the urge to reach out was, from 0 to 10.")
        if not URGE.fullmatch(value) or not 0 <= int(value) <= 10:
            raise ValidationError("Choose the urge with a whole number from 0 to 10.")

    @property
    def urge_value(self) -> int:
        return int(self.urge.data.strip())


class ReflectionForm(FlaskForm):
    day = DateField("The broken day", validators=[InputRequired(
        message="This reflection lost its day: reload the page and write it again.")])
    text = TextAreaField("A short reflection", filters=[browser_newlines, _stripped],
                         validators=[InputRequired(message="Write a few words, or leave it "
                                                           "for now."),
                                     Length(max=REFLECTION_LENGTH, message=(
                                         f"Keep the reflection to {REFLECTION_LENGTH} "
                                         "characters; your text is still here.")), storable],
                         description="What led to it, how you felt after, and what might "
                                     "help next time. Only you and your counselor see it.")


def start_problem(day: date | None, today: date) -> str | None:
    if day is None:
        return None
    if day < today - timedelta(days=START_BACK_DAYS):
        return f"Choose a start date within the last {START_BACK_DAYS} days."
    if day > today + timedelta(days=START_AHEAD_DAYS):
        return "Choose a start date within the next year."
    return None


LENGTH_HINT = (f"For example {', '.join(map(str, TRACKER_LENGTHS[:-1]))} or "
               f"{TRACKER_LENGTHS[-1]} days; from {SHORTEST} to {LONGEST}.")
LENGTH_MESSAGE = f"Enter the number of days, from {SHORTEST} to {LONGEST}."
EXCEPTIONS_HINT = ("Contact that does not break the period, in your words (for example "
                   "co-parenting logistics). The client sees this.")


class SettingsForm(FlaskForm):
    """The counselor's change to a tracker's period."""

    starts_on = DateField("Start date", validators=[InputRequired(
        message="Enter the day the period starts.")])
    length_days = IntegerField("Planned length in days", description=LENGTH_HINT,
                               validators=[InputRequired(message=LENGTH_MESSAGE),
                                           NumberRange(SHORTEST, LONGEST,
                                                       message=LENGTH_MESSAGE)])
    exceptions = TextAreaField("Allowed exceptions (optional)", description=EXCEPTIONS_HINT,
                               filters=[browser_newlines, _stripped],
                               validators=[Optional(), Length(max=EXCEPTIONS_LENGTH),
                                           clean_text])

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self._today = today

    def validate_starts_on(self, field):
        if problem := start_problem(field.data, self._today):
            raise ValidationError(problem)


def checkin_form(summary) -> CheckInForm:
    """A fresh check-in form for today; once today is checked in (or the period is over),
    for the latest day without a check-in, if any."""
    open_days = [d.day for d in summary.strip if d.state in ("today", "missing")]
    day = open_days[-1] if open_days else min(summary.today, summary.ends_on)
    return CheckInForm(formdata=None, prefix="tracker", data={"day": day})


def reflection_form(day) -> ReflectionForm:
    return ReflectionForm(formdata=None, prefix="reflection", data={"day": day.day})


def settings_form(tracker, today: date) -> SettingsForm:
    return SettingsForm(formdata=None, obj=tracker, today=today)
