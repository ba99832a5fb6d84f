from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..extensions import db
from ..forms import browser_newlines, choices, clean_text
from ..models import STAGES
from ..permissions import visible_exercises
from ..records.tracker_forms import (
    EXCEPTIONS_HINT,
    EXCEPTIONS_LENGTH,
    LENGTH_HINT,
    LENGTH_MESSAGE,
    LONGEST,
    SHORTEST,
    start_problem,
)
from .operations import RUBRIC, RUBRIC_LEVELS


def exercise_choices(counselor) -> list:
    """What a counselor may assign, by guide stage: the library first, then their own."""
    exercises = db.session.scalars(visible_exercises(counselor)).all()
    options = choices({0: "Choose an exercise"})
    for stage, stage_title in STAGES.items():
        in_stage = sorted((e for e in exercises if e.stage == stage),
                          key=lambda e: (e.owner_id is not None, e.title))
        options += choices(
            {e.id: f"{e.title}{' (yours)' if e.owner_id else ''}" for e in in_stage},
            optgroup=stage_title)
    return options


class AssignForm(FlaskForm):
    client = SelectField("Client", coerce=int,
                         validators=[InputRequired(message="Choose a client.")])
    exercise = SelectField("Exercise", coerce=int,
                           validators=[InputRequired(message="Choose an exercise.")])
    due_date = DateField("Due date (optional)", validators=[Optional()],
                         description="Leave empty for no deadline.")
    note = TextAreaField("Personal note (optional)", validators=[Optional(), Length(max=5000),
                                                                  clean_text],
                         description="The client sees this with the exercise.")
    # The counselor's open cases holding the chosen client, set by the view; 0 lets counsel
    # choose the client's most recently opened open case. Any other id is checked by the
    # view and the operation, so it is not validated against the choices here.
    case = SelectField("Case", coerce=int, validate_choice=False, validators=[Optional()],
                       description="Sessions and reports belong to a case.")
    contact_reason = TextAreaField(
        "Why assign it despite a safety flag (if needed)",
        filters=[browser_newlines],
        validators=[Optional(), Length(max=5000), clean_text],
        description="Needed when the client is in a case with a safety flag and the exercise "
                    "leads to contact with the other person. The client never sees it.")
    # A no-contact tracker's period (ignored for other kinds of exercise; the page shows
    # them apart, under TRACKER_FIELDS).
    tracker_starts_on = DateField(
        "Start date of the period (optional)", validators=[Optional()],
        description="Leave empty to start on the client's own today.")
    tracker_length = IntegerField(
        "Planned length in days", default=30, description=LENGTH_HINT,
        validators=[Optional(), NumberRange(SHORTEST, LONGEST, message=LENGTH_MESSAGE)])
    tracker_exceptions = TextAreaField(
        "Allowed exceptions (optional)", description=EXCEPTIONS_HINT,
        filters=[browser_newlines, lambda v: v.strip() if v else v],
        validators=[Optional(), Length(max=EXCEPTIONS_LENGTH), clean_text])

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self._today = today

    def validate_tracker_starts_on(self, field):
        if problem := start_problem(field.data, self._today):
            raise ValidationError(problem)

    def validate_due_date(self, field):
        if field.data and field.data < self._today:
            raise ValidationError("The due date is in the past. Choose today or later.")


TRACKER_FIELDS = ("tracker_starts_on", "tracker_length", "tracker_exceptions")


class CommentForm(FlaskForm):
    prompt_index = IntegerField("Answer", validators=[InputRequired(message="Choose an answer."),
                                                      NumberRange(min=0)])
    start = HiddenField()
    quote = TextAreaField("Passage", filters=[browser_newlines], validators=[InputRequired(
        message="Select a passage in the answer, or paste it here."), Length(max=50_000)],
        description="Select words in the answer above, or paste them here exactly.")
    body = TextAreaField("Comment", validators=[InputRequired(message="Write your comment."),
                                                Length(max=5000), clean_text])

    def start_value(self) -> int | None:
        try:
            return int(self.start.data)
        except (TypeError, ValueError):
            return None


class ReviewDraftForm(FlaskForm):
    """The overall part of a review as the counselor writes it. Every button on the review
    page posts these fields too, so adding or removing a passage comment keeps them."""

    review_version = HiddenField(default="0")
    overall_comment = TextAreaField("Overall comment", validators=[Optional(), Length(max=10_000),
                                                                   clean_text])
    decision = RadioField("Decision", choices=choices({"request_revision": "Ask for a revision",
                                                       "accept": "Accept this work"}),
                          validators=[Optional()])

    def base(self) -> int:
        try:
            return int(self.review_version.data or 0)
        except ValueError:
            return -1


class ReviewForm(ReviewDraftForm):
    """Sending needs a decision."""

    decision = RadioField("Decision", choices=choices({"request_revision": "Ask for a revision",
                                                       "accept": "Accept this work"}),
                          validators=[InputRequired(message="Choose a decision.")])


def rubric_fields() -> dict:
    """One optional rating per rubric criterion; used for letters."""
    return {f"rubric_{key}": RadioField(label, choices=choices(RUBRIC_LEVELS),
                                        validators=[Optional()])
            for key, label in RUBRIC.items()}


LetterReviewForm = type("LetterReviewForm", (ReviewForm,), rubric_fields())
LetterReviewDraftForm = type("LetterReviewDraftForm", (ReviewDraftForm,), rubric_fields())


def review_form_for(kind: str, *, draft: bool = False, review=None) -> ReviewDraftForm:
    """The review form for this kind of exercise: to send (a decision is required) or to
    keep as a draft. ``review`` fills it from the saved draft on first display."""
    letter = kind == "letter"
    cls = (LetterReviewDraftForm if letter else ReviewDraftForm) if draft else \
        (LetterReviewForm if letter else ReviewForm)
    if review is None:
        return cls()
    data = {f"rubric_{key}": value for key, value in (review.rubric or {}).items()}
    return cls(formdata=None, obj=review, review_version=str(review.version), **data)


def rubric_data(form: ReviewDraftForm) -> dict:
    return {key: form[f"rubric_{key}"].data for key in RUBRIC if f"rubric_{key}" in form}
