from flask_wtf import FlaskForm
from wtforms import FieldList, HiddenField, TextAreaField
from wtforms.validators import Length, ValidationError

from ..assignments.operations import KEEP, MAX_ANSWER
from ..forms import browser_newlines
from ..models.types import unstorable


def storable(form, field):
    if problem := unstorable(field.data or ""):
        raise ValidationError(f"This contains {problem} that cannot be stored. Remove it "
                              "to save.")


class WorkForm(FlaskForm):
    """The client's answers, one text area per prompt. Works without JavaScript; the
    autosave script posts the same answers as JSON."""

    base_version = HiddenField(default="0")
    answers = FieldList(TextAreaField(filters=[browser_newlines], validators=[Length(
        max=MAX_ANSWER, message=f"This answer is over {MAX_ANSWER:,} characters. Shorten it "
        "to save; your text is still here."), storable]))

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


def conflict_choices(formdata, count: int) -> list[str]:
    """Which version of each answer the client chose to keep after a conflict ("keep-N":
    mine, theirs or both); anything else, or nothing, keeps their own."""
    return [value if (value := formdata.get(f"keep-{n}")) in KEEP else "mine"
            for n in range(count)]
