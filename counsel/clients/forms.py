from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import InputRequired, Length, ValidationError

from ..extensions import db
from ..forms import clean_text, email_field, optional_text
from ..models import User


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
        other = db.session.scalars(select(User.id).where(User.email == field.data)).first()
        if other is not None and other != self._existing_user_id:
            raise ValidationError("Someone already has an account with this email address.")


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search by name or email", validators=[Length(max=100)])
