"""The exercise form: the exercise's own fields and a list of prompt rows.

Prompt rows are edited as a whole: rows left blank are dropped, the rest are ordered by
the counselor's "Order" numbers, so adding, removing and reordering need no script.
"""

from flask import request
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..forms import choices, clean_text, strip
from ..models import KINDS, STAGES

MAX_PROMPTS = 50
BLANK_ROWS = 2


def _tidy_text(value):
    """Browsers send textarea line breaks as CRLF; store plain newlines."""
    return value.replace("\r\n", "\n").strip() if value else value


class PromptForm(Form):
    """One prompt row (a sub-form: the exercise form carries the CSRF token)."""

    text = TextAreaField("Prompt", validators=[Optional(), Length(max=2_000), clean_text],
                         filters=[_tidy_text], render_kw={"rows": 3})
    position = IntegerField("Order", validators=[Optional()],
                            render_kw={"inputmode": "numeric"})


class PromptList(FieldList):
    """A FieldList that ignores row keys no page of ours sends (``prompts-²-text``, a
    5,000-digit index) instead of failing on them."""

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = key[offset:].split(self._field_separator, 1)[0]
                if index.isascii() and index.isdigit() and len(index) <= 6:
                    yield int(index)


class ExerciseForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired(message="Enter a title."),
                                             Length(max=120), clean_text],
                        filters=[strip], render_kw={"autocomplete": "off"})
    stage = SelectField("Guide stage", choices=choices(STAGES))
    kind = SelectField("Kind", choices=choices(KINDS),
                       description="How the client works on it: answering prompts, "
                                   "drafting a letter, tracking days, planning...")
    purpose = StringField("Purpose", validators=[InputRequired(message="Say what it is for."),
                                                 Length(max=300), clean_text],
                          filters=[strip],
                          description="One sentence the client reads first.")
    instructions = TextAreaField(
        "Instructions", validators=[InputRequired(message="Write the instructions."),
                                    Length(max=10_000), clean_text],
        filters=[_tidy_text], render_kw={"rows": 10},
        description='Leave a blank line between paragraphs. Start a line with "- " '
                    "for a list item.")
    estimated_minutes = IntegerField(
        "Estimated time in minutes (optional)",
        validators=[Optional(), NumberRange(min=1, max=600,
                                            message="Enter a number of minutes from 1 to 600.")],
        render_kw={"inputmode": "numeric"})
    leads_to_contact = BooleanField(
        "Involves contact with the other person",
        description="Doing it involves contacting, meeting or giving something to the other "
                    "person. While a case has a safety flag, assigning it needs a reason.")
    prompts = PromptList(FormField(PromptForm),
                         max_entries=MAX_PROMPTS + BLANK_ROWS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._label_rows()

    @classmethod
    def load(cls, exercise=None) -> "ExerciseForm":
        """Filled from the exercise on first display. A submission is read from what was
        posted alone, so a row the browser left out never brings an old prompt back."""
        if exercise is None or request.method == "POST":
            return cls()
        return cls(obj=exercise, prompts=prompt_rows(exercise))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        count = len(self.prompt_texts())
        if count == 0:
            self.form_errors.append("Add at least one prompt.")
        elif count > MAX_PROMPTS:
            self.form_errors.append(f"An exercise can have at most {MAX_PROMPTS} prompts.")
        return valid and not self.form_errors

    def prompt_texts(self) -> list[str]:
        """Non-blank prompts in the counselor's order; rows without an Order number go last,
        and equal numbers keep their row order."""
        rows = [row.form for row in self.prompts if row.form.text.data]
        rows.sort(key=lambda r: (r.position.data is None, r.position.data or 0))
        return [row.text.data for row in rows]

    def with_blank_rows(self) -> "ExerciseForm":
        """Pad to two empty rows at the end, numbered to follow the others, for adding."""
        while (self._trailing_blank_rows() < BLANK_ROWS
               and len(self.prompts) < self.prompts.max_entries):
            self.prompts.append_entry({"position": len(self.prompts) + 1})
        self._label_rows()
        return self

    def _trailing_blank_rows(self) -> int:
        count = 0
        for row in reversed(self.prompts.entries):
            if row.form.text.data:
                break
            count += 1
        return count

    def _label_rows(self):
        for number, row in enumerate(self.prompts, start=1):
            row.form.text.label.text = f"Prompt {number}"
            row.form.position.label.text = f"Order for prompt {number}"


def exercise_data(form: ExerciseForm) -> dict:
    """Only the declared fields: anything else that was posted is ignored."""
    data = {name: form[name].data for name in
            ("title", "stage", "kind", "purpose", "instructions", "estimated_minutes",
             "leads_to_contact")}
    return data | {"prompts": form.prompt_texts()}


def prompt_rows(exercise) -> list[dict]:
    """Form data for an exercise's prompts, numbered from 1 as the counselor sees them."""
    return [{"text": p.text, "position": n} for n, p in enumerate(exercise.prompts, start=1)]
