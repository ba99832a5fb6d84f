from flask_wtf import FlaskForm
from wtforms import FieldList, HiddenField, TextAreaField
from wtforms.validators import Length, ValidationError

from ..assignments.operations import MAX_ANSWER, SURROGATE
from ..forms import browser_newlines


def no_nul(form, field):
    if "\x00" in (field.data or ""):
        raise ValidationError("This contains an invisible NUL character that cannot be "
                              "stored. Remove it to save.")
    if SURROGATE.search(field.data or ""):
        raise ValidationError("This contains a broken character (half of an emoji or "
                              "symbol) that cannot be stored. Remove it to save.")


class WorkForm(FlaskForm):
    """The client's answers, one text area per prompt. Works without JavaScript; the
    autosave script posts the same answers as JSON."""

    base_version = HiddenField(default="0")
    answers = FieldList(TextAreaField(filters=[browser_newlines], validators=[Length(
        max=MAX_ANSWER, message=f"This answer is over {MAX_ANSWER:,} characters. Shorten it "
        "to save; your text is still here."), no_nul]))

    def base(self) -> int:
        try:
            return int(self.base_version.data or 0)
        except ValueError:
            return -1


def work_form(assignment, *, posted: bool = True) -> WorkForm:
    """A form with one answer per prompt: what was posted, or else the saved draft."""
    draft = assignment.draft
    answers = draft.answers if draft else [""] * len(assignment.prompts)
    extra = {} if posted else {"formdata": None}
    form = WorkForm(base_version=str(draft.version if draft else 0), answers=answers, **extra)
    while len(form.answers) < len(assignment.prompts):
        form.answers.append_entry("")
    return form
