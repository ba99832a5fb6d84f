from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager
from wtforms import StringField
from wtforms.validators import InputRequired, Length, ValidationError

from .. import audit
from ..auth import invitations
from ..clients.operations import set_active
from ..extensions import db
from ..forms import EmptyForm, clean_text, email_field
from ..links import absolute_url
from ..models import Client, User
from ..notifications.outbox import address_for
from ..permissions import one_or_404
from . import bp
from .forms import MoveClientsForm
from .operations import MoveRefused, move_clients


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
    caseloads = dict(db.session.execute(
        select(Client.counselor_id, func.count()).group_by(Client.counselor_id)).all())
    return render_template("admin/index.html", counselors=counselors, caseloads=caseloads,
                           form=EmptyForm())


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
        return render_template("admin/invitation.html", counselor=user, link=link,
                               emailed_to=address_for(user))
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


@bp.post("/counselors/<int:user_id>/invitation")
def reinvite_counselor(user_id):
    """A new invitation (or password reset) link; earlier open links stop working."""
    counselor = counselor_or_404(user_id)
    if not EmptyForm().validate_on_submit() or not counselor.active:
        return redirect(url_for(".index"))
    token = invitations.issue(current_user, counselor)
    db.session.commit()
    link = absolute_url("auth.accept_invitation", token=token)
    return render_template("admin/invitation.html", counselor=counselor, link=link,
                           created=False, emailed_to=address_for(counselor))


@bp.route("/counselors/<int:user_id>/clients", methods=["GET", "POST"])
def move_caseload(user_id):
    """Move a deactivated counselor's clients (all or some) to an active counselor."""
    counselor = counselor_or_404(user_id)
    clients = db.session.scalars(
        select(Client).join(Client.user).where(Client.counselor_id == counselor.id)
        .order_by(User.name).options(contains_eager(Client.user))).all()
    targets = db.session.scalars(
        select(User).where(User.role == "counselor", User.active.is_(True),
                           User.id != counselor.id).order_by(User.name)).all()
    form = MoveClientsForm(data=None if request.method == "POST" else
                           {"clients": [c.id for c in clients]})
    form.clients.choices = [(c.id, c.name) for c in clients]
    form.to_counselor.choices = [(t.id, t.name) for t in targets]
    if form.validate_on_submit():
        target = next(t for t in targets if t.id == form.to_counselor.data)
        chosen = [c for c in clients if c.id in form.clients.data]
        try:
            moved = move_clients(current_user, counselor, target, chosen)
        except MoveRefused as refused:
            form.form_errors.append(str(refused))
        else:
            db.session.commit()
            flash(f"Moved {moved} client{'s' if moved != 1 else ''} to {target.name}.",
                  "success")
            return redirect(url_for(".index"))
    return render_template("admin/move_clients.html", counselor=counselor, form=form,
                           clients=clients, targets=targets)
