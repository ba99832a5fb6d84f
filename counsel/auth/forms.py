from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from ..forms import email_field
from .passwords import MAX_LENGTH, password_problem

LENGTH_HINT = "12 to 128 characters. A few unrelated words make a strong, memorable password."


class SignInForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        "Password",
        validators=[InputRequired(message="Enter your password."), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class NewPasswordForm(FlaskForm):
    """Setting a password from an invitation. ``email`` and ``name`` make the checks
    refuse passwords built from the person's own details."""

    password = PasswordField(
        "New password",
        validators=[InputRequired(message="Choose a password.")],
        description=LENGTH_HINT,
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Type the new password again",
        validators=[InputRequired(message="Type the password again."),
                    EqualTo("password", message="The two passwords are not the same.")],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, email="", name="", **kwargs):
        super().__init__(*args, **kwargs)
        self._personal = {"email": email, "name": name}

    def validate_password(self, field):
        problem = password_problem(field.data or "", **self._personal)
        if problem:
            raise ValidationError(problem)


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        "Current password",
        validators=[InputRequired(message="Enter your current password."), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class ForgotPasswordForm(FlaskForm):
    email = email_field(description="The address you sign in with.")
