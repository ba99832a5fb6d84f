from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..forms import browser_newlines, choices, clean_text, strip
from ..models import SCREENING_OUTCOMES
from .operations import NAME_MAX, NOTE_MAX, REASON_MAX

FILTERS = {"open": "Open cases", "flagged": "With a safety flag", "closed": "Closed cases",
           "all": "All cases"}


def _name_field():
    return StringField("Name of the case", filters=[strip],
                       validators=[InputRequired(message="Enter a name for the case."),
                                   Length(max=NAME_MAX), clean_text],
                       description="For example the couple's names, or the client's name.",
                       render_kw={"autocomplete": "off"})


class CaseForm(FlaskForm):
    name = _name_field()
    # Choices are the counselor's active caseload, set by the view; an id outside them
    # (another counselor's client, a deactivated one) is refused by the operation too.
    partner_one = SelectField("Client", coerce=int, validate_choice=False,
                              validators=[InputRequired(message="Choose a client.")])
    partner_two = SelectField("Second partner (for a couple)", coerce=int,
                              validate_choice=False, validators=[Optional()],
                              description="Leave as it is for an individual case.")


class RenameForm(FlaskForm):
    name = _name_field()


class FlagForm(FlaskForm):
    reason = TextAreaField(
        "Reason for the safety flag", filters=[browser_newlines],
        validators=[InputRequired(message="Write why the case needs a safety flag."),
                    Length(max=REASON_MAX), clean_text],
        description="Shown to you on every page of this case; never to the clients.")


class ScreeningForm(FlaskForm):
    client = SelectField("Partner screened", coerce=int, validate_choice=False,
                         validators=[InputRequired(message="Choose the partner screened.")])
    screened_on = DateField("Date of the screening",
                            validators=[InputRequired(message="Enter the date of the "
                                                              "screening.")])
    outcome = SelectField("Outcome", validate_choice=False,
                          choices=choices({"": "Choose the outcome"} | SCREENING_OUTCOMES),
                          validators=[InputRequired(message="Choose the outcome.")])
    note = TextAreaField("Note (optional)", filters=[browser_newlines],
                         validators=[Optional(), Length(max=NOTE_MAX), clean_text],
                         description="Private: neither partner ever sees a screening.")


class CaseSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search by case or client name or email", validators=[Length(max=100)])
