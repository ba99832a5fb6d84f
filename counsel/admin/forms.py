"""The admin's form for moving a deactivated counselor's clients."""

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, widgets
from wtforms.validators import InputRequired


class MoveClientsForm(FlaskForm):
    """Choices are set per request from the two counselors' caseloads, so only ids the
    admin was shown can be submitted (anything else is "not a valid choice")."""

    clients = SelectMultipleField(
        "Clients to move", coerce=int,
        widget=widgets.ListWidget(prefix_label=False), option_widget=widgets.CheckboxInput(),
        validators=[InputRequired(message="Choose at least one client to move.")])
    to_counselor = SelectField("Move them to", coerce=int,
                               validators=[InputRequired(message="Choose a counselor.")])
