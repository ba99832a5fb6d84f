from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import browser_newlines, clean_text

NARRATIVE_MAX = 20_000
NEXT_STEPS_MAX = 10_000


class PreparationForm(FlaskForm):
    since = DateField("From", validators=[InputRequired(message="Enter the first day of "
                                                                 "the period.")])
    until = DateField("To", validators=[InputRequired(message="Enter the last day of the "
                                                               "period.")])
    # Choices are the case's audiences, set by the view; one not in the case is refused by
    # save_preparation, with a message saying so (WTForms' own is "Not a valid choice").
    audience = SelectField("Version to preview", validate_choice=False, validators=[
        InputRequired(message="Choose the version to preview.")])
    excerpts = SelectMultipleField(
        "Excerpts of reviewed work", coerce=int, validate_choice=False,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
        description="Each is quoted only if the person who wrote it agrees: ask them, and "
                    "they answer in their portal.")
    narrative = TextAreaField(
        "Your narrative", filters=[browser_newlines],
        validators=[Optional(), Length(max=NARRATIVE_MAX), clean_text],
        description="How the work has gone in this period, in your words. Every version "
                    "of the report carries it, the clients' ones included.")
    next_steps = TextAreaField(
        "Next steps", filters=[browser_newlines],
        validators=[Optional(), Length(max=NEXT_STEPS_MAX), clean_text])
    version = HiddenField()

    def validate_until(self, field):
        if self.since.data and field.data and field.data < self.since.data:
            raise ValidationError("The end of the period is before its start: choose an "
                                  "end date on or after the start date.")


class GenerateForm(FlaskForm):
    audience = HiddenField(validators=[InputRequired()])
    # The preparation's version the preview showed: generating refuses anything else.
    version = HiddenField(validators=[InputRequired()])


class SharedAtForm(FlaskForm):
    session_id = SelectField("Shared at the session of", coerce=int, validate_choice=False,
                             validators=[InputRequired(message="Choose the session.")])
