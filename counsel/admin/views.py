from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import InputRequired, Length, ValidationError

from .. import audit
from ..auth import invitations
from ..clients.operations import set_active
from ..extensions import db
from ..forms import EmptyForm, clean_text, email_field
from ..links import absolute_url
from ..models import User
from ..permissions import one_or_404
from . import bp


class CounselorForm(FlaskForm):
    name = StringField("Full name", validators=[InputRequired(message="Enter a name."),
                                                Length(max=120), clean_text],
                       filters=[lambda v: v.strip() if v else v])
    email = email_field(description="The counselor signs in with this address.")

    def validate_email(self, field):
        if db.session.scalars(select(User.id).where(User.email == field.data)).first():
            raise ValidationError("Someone already has an account with this email address.")


def counselor_or_404(user_id: int) -> User:
    return one_or_404(select(User).where(User.id == user_id, User.role == "counselor"),
                      "users", user_id)


@bp.get("/")
def index():
    counselors = db.session.scalars(
        select(User).where(User.role == "counselor").order_by(User.name)
    ).all()
    return render_template("admin/index.html", counselors=counselors, form=EmptyForm())


@bp.route("/counselors/new", methods=["GET", "POST"])
def new_counselor():
    form = CounselorForm()
    if form.validate_on_submit():
        user = User(name=form.name.data, email=form.email.data, role="counselor")
        db.session.add(user)
        db.session.flush()
        audit.record("counselor.create", user)
        token = invitations.issue(current_user, user)
        db.session.commit()
        link = absolute_url("auth.accept_invitation", token=token)
        return render_template("admin/invitation.html", counselor=user, link=link)
    return render_template("admin/new_counselor.html", form=form)


@bp.post("/counselors/<int:user_id>/<any(deactivate, reactivate):action>")
def set_counselor_active(user_id, action):
    counselor = counselor_or_404(user_id)
    if EmptyForm().validate_on_submit():
        set_active(current_user, counselor, action == "reactivate")
        db.session.commit()
        flash(f"{counselor.name} is {'active again' if counselor.active else 'deactivated'}.",
              "success")
    return redirect(url_for(".index"))
