from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import AnyOf, InputRequired, Length, Optional, ValidationError

from ..forms import choices, clean_text, email_field, optional_text
from ..notifications.forms import safe_address_given
from ..notifications.operations import SAFETY_LABELS_FOR_COUNSELOR
from .operations import email_problem


class ClientForm(FlaskForm):
    name = StringField("Full name", validators=[InputRequired(message="Enter the client's name."),
                                                Length(max=120), clean_text],
                       filters=[lambda v: v.strip() if v else v],
                       render_kw={"autocomplete": "off"})
    preferred_name = optional_text("Preferred name (optional)", 80,
                                   description="What the client likes to be called.")
    pronouns = optional_text("Pronouns (optional)", 40,
                             description="For example she/her, they/them.")
    email = email_field(description="The client signs in with this address.")
    phone = optional_text("Phone (optional)", 40, render_kw={"inputmode": "tel",
                                                             "autocomplete": "off"})

    def __init__(self, *args, existing_user_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._existing_user_id = existing_user_id

    def validate_email(self, field):
        """The counselor filling the form is the one adding or editing; see email_problem
        for why other people's addresses all get the same answer."""
        problem = email_problem(current_user, field.data, keep_user_id=self._existing_user_id)
        if problem:
            raise ValidationError(problem)


class NewClientForm(ClientForm):
    """Adding a client: their details, and where email may go before the first one (the
    invitation) is sent. Left out, email goes to the sign-in address."""

    mail_safety = RadioField(
        "Email safety", choices=choices(SAFETY_LABELS_FOR_COUNSELOR), default="normal",
        validate_choice=False,
        validators=[Optional(), AnyOf(list(SAFETY_LABELS_FOR_COUNSELOR),
                                      message="Choose one of the three options.")])
    safe_email = email_field("Safe email address", optional=True,
                             description="Only for the second choice: an address they gave as "
                                         "safe to use.")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        return safe_address_given(self) and valid


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search by name or email", validators=[Length(max=100)])


class StageLockForm(FlaskForm):
    """Whether one of a client's guide stages is open or locked, and how it opens. Made with
    the stage as its prefix, so every stage's form on the pathway page has its own ids."""

    state = RadioField("This stage", choices=choices({
        "open": "Open: the client can start its work",
        "locked": "Locked: I open it by hand",
        "auto": "Locked until the work of the stage before it is completed, then it opens "
                "by itself",
    }), validators=[InputRequired("Choose whether this stage is open or locked.")])
