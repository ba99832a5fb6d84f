"""Form pieces shared by every blueprint."""

from flask import flash
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, StringField
from wtforms.validators import Email, Length, Optional, StopValidation, ValidationError

from .extensions import db
from .models.types import unstorable


def choices(labels: dict, optgroup: str | None = None) -> list[SelectChoice]:
    """Select or radio choices from a {value: label} mapping."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in labels.items()]


class EmptyForm(FlaskForm):
    """CSRF protection for POST-only buttons."""


def button_change(change, done: str, refused: type[Exception] | tuple) -> None:
    """The body of a POST-only button: with a valid CSRF token, make ``change()`` and
    commit, then flash ``done``; when a rule says no (``refused``, which carries a
    ``message`` in plain words), nothing is kept and the message is flashed instead. The
    view redirects either way."""
    if not EmptyForm().validate_on_submit():
        return
    try:
        change()
        db.session.commit()
        flash(done, "success")
    except refused as refusal:
        db.session.rollback()
        flash(refusal.message, "warning")


def strip(value):
    """A filter: the text without surrounding spaces."""
    return value.strip() if value else value


def browser_newlines(value):
    """Undo the CRLF that HTML form submission puts in every textarea line break, so text
    saved by a form matches text saved by the autosave script (which sends the textarea's
    own value, with plain LF) and passage offsets taken from the page line up."""
    return value.replace("\r\n", "\n") if value else value


def clean_text(form, field):
    """Refuse control characters (NUL and friends) that no keyboard types and PostgreSQL
    cannot store, and lone UTF-16 surrogates that UTF-8 cannot store; tabs and line breaks
    are fine."""
    value = field.data or ""
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise ValidationError(
            "This contains an invisible control character. Remove it and try again.")
    if problem := unstorable(value):
        raise ValidationError(f"This contains {problem}. Remove it and try again.")


def storable(form, field):
    """``clean_text`` that ends the field's validation: the checks after it, such as a
    form's own ``validate_email`` looking the address up, never see a NUL, which
    PostgreSQL refuses in a query as in a column."""
    try:
        clean_text(form, field)
    except ValidationError as error:
        raise StopValidation(str(error)) from None


def email_field(label="Email address", *, optional=False, **kwargs):
    """An email address, trimmed and lowercased; ``optional`` lets it be left empty."""
    return EmailField(
        label,
        validators=[*([Optional()] if optional else []), storable, Length(max=254),
                    Email(message="Enter an email address like name@example.com.",
                          check_deliverability=False)],
        filters=[lambda v: v.strip().lower() if v else v],
        render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"},
        **kwargs,
    )


def optional_text(label, max_length, **kwargs):
    return StringField(label, validators=[Optional(), Length(max=max_length), clean_text],
                       filters=[lambda v: v.strip() if v else None], **kwargs)
