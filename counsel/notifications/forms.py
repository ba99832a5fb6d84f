"""The preferences page's form (one choice per kind the person may turn off) and the
email safety form a client and their counselor share."""

from __future__ import annotations

from functools import cache

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.validators import AnyOf, InputRequired

from ..forms import choices, email_field
from ..models import User
from . import kinds, operations

SAFETY_HINT = ("Takes effect at once, for messages not yet sent too. Whatever you choose, "
               "emails never hold details of your work: no exercise, answer, comment or "
               "note, and no one else's name.")


class SafetyForm(FlaskForm):
    """Where a client's email goes. A value the page never offers is refused in words."""

    mail_safety = RadioField(
        "Email safety", choices=choices(operations.SAFETY_LABELS), validate_choice=False,
        validators=[InputRequired(message="Choose where your email may go."),
                    AnyOf(list(operations.SAFETY_LABELS),
                          message="Choose one of the three options: nothing was changed.")])
    safe_email = email_field("Safe email address", optional=True,
                             description="Only for the second choice: an address that is safe "
                                         "to use.")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        return safe_address_given(self) and valid


def safe_address_given(form) -> bool:
    """A safe address is needed for the second choice (the field's own checks stop at an
    empty value, so this one is the form's): False, with the message on the field, when
    it is missing. For every form with ``mail_safety`` and ``safe_email``."""
    if form.mail_safety.data == "safe_address" and not form.safe_email.data \
            and not form.safe_email.errors:
        form.safe_email.errors = ["Enter the safe address, or choose another option."]
        return False
    return True


def preferences_form(user: User, **kwargs) -> FlaskForm:
    """A form with one radio group per kind the person may turn off, named after the kind,
    and for a client the safety setting as well."""
    return _form_class(user.role)(**kwargs)


@cache
def _form_class(role: str) -> type[FlaskForm]:
    """One class per role (the kinds a role gets are fixed), made once."""
    base = SafetyForm if role == "client" else FlaskForm
    fields = {}
    for kind in kinds.for_role(role):
        if not kind.optional:
            continue
        allowed = operations.options(kind)
        fields[kind.name] = RadioField(
            kind.label, validate_choice=False,
            choices=choices({s: operations.SETTING_LABELS[s] for s in allowed}),
            validators=[InputRequired(message="Choose one of the options."),
                        AnyOf(list(allowed),
                              message="Choose one of the options: nothing was changed.")])
    return type(f"{role.title()}PreferencesForm", (base,), fields)
